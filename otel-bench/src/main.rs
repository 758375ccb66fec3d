//! `otel-bench`: the benchmark command. Runs every scenario of issue #4 for the hand-written pipeline
//! (`bench-peer`) and for `#[otel::main]` (`bench-otel`), alternating the two, several runs each, against the real
//! collector (rotel) or a faulty one, and prints a markdown table of both sides, the ratios and the goals.
//!
//! It builds nothing: `scripts/bench.sh` builds the release binaries, installs rotel and runs this. The two
//! workload programs are looked up beside this executable (or in `$OTEL_BENCH_BIN_DIR`).
//!
//! ```text
//! otel-bench [all | SCENARIO[,SCENARIO…]] [--quick] [--runs N] [--mem-secs S] [--sustain-secs S] [--json FILE]
//! scenarios: cost burst exit sustained first memory
//! ```

use otel_bench::{ms, SPANS_PER_REQUEST, WORK_DONE_MARKER};
use otel_testkit::{Behavior, Receiver, Rotel, RotelVerbosity};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const SCENARIOS: [&str; 6] = ["cost", "burst", "exit", "sustained", "first", "memory"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Peer,
    Otel,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Peer => "peer",
            Side::Otel => "otel",
        }
    }
}

/// Both sides, in the order of run `i`: the hand-written one first on even runs, otel first on odd runs.
fn order(i: usize) -> [Side; 2] {
    if i % 2 == 0 {
        [Side::Peer, Side::Otel]
    } else {
        [Side::Otel, Side::Peer]
    }
}

struct Options {
    scenarios: Vec<String>,
    runs: usize,
    quick: bool,
    mem_secs: f64,
    mem_rate: f64,
    sustain_secs: f64,
    bisect_steps: usize,
    cost_requests: u64,
    cost_pause_ms: u64,
    json: Option<PathBuf>,
}

impl Options {
    fn parse() -> Result<Options, String> {
        let mut args: Vec<String> = std::env::args().skip(1).collect();
        let quick = args.iter().any(|a| a == "--quick");
        args.retain(|a| a != "--quick");
        let mut o = Options {
            scenarios: SCENARIOS.iter().map(|s| s.to_string()).collect(),
            runs: if quick { 3 } else { 5 },
            quick,
            mem_secs: if quick { 10.0 } else { 60.0 },
            mem_rate: 10_000.0,
            sustain_secs: if quick { 3.0 } else { 6.0 },
            bisect_steps: if quick { 2 } else { 3 },
            cost_requests: if quick { 4_000 } else { 10_000 },
            cost_pause_ms: 10,
            json: None,
        };
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
            match arg.as_str() {
                "all" => {}
                "--runs" => o.runs = value("--runs")?.parse().map_err(|_| "--runs: not a number")?,
                "--mem-secs" => o.mem_secs = value("--mem-secs")?.parse().map_err(|_| "--mem-secs: not a number")?,
                "--mem-rate" => o.mem_rate = value("--mem-rate")?.parse().map_err(|_| "--mem-rate: not a number")?,
                "--sustain-secs" => {
                    o.sustain_secs = value("--sustain-secs")?.parse().map_err(|_| "--sustain-secs: not a number")?
                }
                "--cost-requests" => {
                    o.cost_requests = value("--cost-requests")?.parse().map_err(|_| "--cost-requests: not a number")?
                }
                "--json" => o.json = Some(value("--json")?.into()),
                "-h" | "--help" => return Err(String::new()),
                list if !list.starts_with('-') => {
                    let chosen: Vec<String> = list.split(',').map(str::to_string).collect();
                    if let Some(bad) = chosen.iter().find(|s| !SCENARIOS.contains(&s.as_str())) {
                        return Err(format!("unknown scenario {bad}"));
                    }
                    o.scenarios = chosen;
                }
                other => return Err(format!("unknown argument {other}")),
            }
        }
        o.runs = o.runs.max(1);
        Ok(o)
    }

    fn wants(&self, scenario: &str) -> bool {
        self.scenarios.iter().any(|s| s == scenario)
    }
}

const USAGE: &str = "usage: otel-bench [all | SCENARIO[,SCENARIO...]] [--quick] [--runs N] [--mem-secs S] \
[--mem-rate SPANS_PER_S] [--sustain-secs S] [--cost-requests N] [--json FILE]\nscenarios: cost burst exit sustained first memory";

// ---------------------------------------------------------------------------------------------------------------
// Running one workload program.

/// What one run of a workload program gave.
#[derive(Debug)]
struct ChildRun {
    side: Side,
    /// Its JSON result line (`Value::Null` when it printed none).
    json: Value,
    stderr: String,
    spawned: Instant,
    /// When its `bench: work-done` line arrived.
    work_done: Option<Instant>,
    /// What `at_marker` returned at that moment.
    marker_value: Option<usize>,
    exited: Instant,
    status: Option<ExitStatus>,
    killed: bool,
    /// When the watched span count was reached (see [`Launch::watch`]).
    arrived: Option<Instant>,
}

impl ChildRun {
    fn f(&self, key: &str) -> f64 {
        self.json.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
    }

    /// Time from the end of the workload to the process's exit, ms.
    fn exit_ms(&self) -> f64 {
        self.work_done.map(|w| ms(self.exited.saturating_duration_since(w))).unwrap_or(f64::NAN)
    }

    /// otel's `otel summary: ended=N exported=N failed=N dropped=N` line.
    fn summary(&self) -> Option<Summary> {
        let line = self.stderr.lines().rev().find(|l| l.contains("otel summary:"))?;
        let field = |name: &str| -> Option<u64> {
            line.split_whitespace().find_map(|w| w.strip_prefix(name)?.strip_prefix('='))?.parse().ok()
        };
        Some(Summary {
            ended: field("ended")?,
            exported: field("exported")?,
            failed: field("failed")?,
            dropped: field("dropped")?,
        })
    }

    /// What the hand-written program's `provider.shutdown()` returned (its stderr line), e.g. `Ok(())`.
    fn peer_shutdown(&self) -> String {
        self.stderr
            .lines()
            .find_map(|l| l.strip_prefix("bench-peer: provider.shutdown() returned "))
            .map(|rest| rest.rsplit_once(" after ").map_or(rest, |(r, _)| r).to_string())
            .unwrap_or_else(|| "(no shutdown line)".into())
    }

    /// A short description of how it ended, for failures.
    fn describe(&self) -> String {
        let tail: Vec<&str> = self.stderr.lines().rev().take(8).collect();
        format!(
            "{} exited with {:?}{}; stderr tail:\n{}",
            self.side.name(),
            self.status,
            if self.killed { " (killed at the time limit)" } else { "" },
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Summary {
    ended: u64,
    exported: u64,
    failed: u64,
    dropped: u64,
}

struct Launch<'a> {
    side: Side,
    args: Vec<String>,
    endpoint: String,
    /// The process is killed after this long.
    limit: Duration,
    /// Called (on the stderr reader thread) when the work-done line arrives.
    at_marker: Option<&'a (dyn Fn() -> usize + Sync)>,
    /// Wait for the collector to have logged this many spans in all; record when; kill the process then if
    /// `kill_on_arrival`.
    watch: Option<(&'a Rotel, usize)>,
    kill_on_arrival: bool,
    /// Kill the process as soon as it printed its JSON line (when its shutdown is not what is measured).
    kill_on_result: bool,
}

impl<'a> Launch<'a> {
    fn new(side: Side, args: &[&str], endpoint: &str, limit: Duration) -> Launch<'a> {
        Launch {
            side,
            args: args.iter().map(|s| s.to_string()).collect(),
            endpoint: endpoint.to_string(),
            limit,
            at_marker: None,
            watch: None,
            kill_on_arrival: false,
            kill_on_result: false,
        }
    }
}

struct Bench {
    bin_dir: PathBuf,
    /// An empty directory: the programs run there, so no otel.toml is picked up.
    work_dir: PathBuf,
}

impl Bench {
    fn command(&self, side: Side, args: &[String], endpoint: &str) -> Command {
        let program = match side {
            Side::Peer => "bench-peer",
            Side::Otel => "bench-otel",
        };
        let mut cmd = Command::new(self.bin_dir.join(program));
        cmd.args(args).current_dir(&self.work_dir).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        for (name, _) in std::env::vars_os() {
            let name_str = name.to_string_lossy();
            if name_str.starts_with("OTEL_") || name_str == "RUST_LOG" {
                cmd.env_remove(&name);
            }
        }
        // The same filter on both sides: otel's default (`fmt.filter = "info"`), and what the seed's
        // `EnvFilter::from_default_env()` needs to let the workload's INFO spans through.
        cmd.env("RUST_LOG", "info");
        match side {
            Side::Peer => {
                cmd.arg("--endpoint").arg(endpoint);
            }
            Side::Otel => {
                cmd.env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
                    .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
                    .env("OTEL_SERVICE_NAME", "bench-otel")
                    .env("OTEL_TOML_FMT_FORMAT", "off")
                    .env("OTEL_TOML_SHUTDOWN_SUMMARY", "always");
            }
        }
        cmd
    }

    fn run(&self, launch: Launch<'_>) -> ChildRun {
        let mut cmd = self.command(launch.side, &launch.args, &launch.endpoint);
        let spawned = Instant::now();
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("otel-bench: cannot run {:?}: {e}", cmd.get_program()));
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let arrived: Mutex<Option<Instant>> = Mutex::new(None);
        let arrived_flag = AtomicBool::new(false);
        let result_flag = AtomicBool::new(false);
        let exited_flag = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let result_flag = &result_flag;
            let out = scope.spawn(move || {
                let mut text = String::new();
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if line.starts_with('{') {
                        result_flag.store(true, Ordering::SeqCst);
                    }
                    text.push_str(&line);
                    text.push('\n');
                }
                text
            });
            let at_marker = launch.at_marker;
            let err = scope.spawn(move || {
                let (mut text, mut work_done, mut marker_value) = (String::new(), None, None);
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if line == WORK_DONE_MARKER && work_done.is_none() {
                        work_done = Some(Instant::now());
                        marker_value = at_marker.map(|f| f());
                    }
                    text.push_str(&line);
                    text.push('\n');
                }
                (text, work_done, marker_value)
            });
            if let Some((rotel, target)) = launch.watch {
                let (arrived, arrived_flag, exited_flag) = (&arrived, &arrived_flag, &exited_flag);
                let limit = launch.limit;
                scope.spawn(move || {
                    // Woken by rotel's output; gives up when the process has exited and the count stays short.
                    let deadline = spawned + limit;
                    while Instant::now() < deadline {
                        if rotel.wait_for_spans(target, Duration::from_millis(200)).is_ok() {
                            *arrived.lock().unwrap() = Some(Instant::now());
                            arrived_flag.store(true, Ordering::SeqCst);
                            return;
                        }
                        if exited_flag.load(Ordering::SeqCst) {
                            // Last chance for spans flushed at exit.
                            if rotel.wait_for_spans(target, Duration::from_secs(2)).is_ok() {
                                *arrived.lock().unwrap() = Some(Instant::now());
                            }
                            return;
                        }
                    }
                });
            }
            let deadline = spawned + launch.limit;
            let mut killed = false;
            let (status, exited) = loop {
                if let Ok(Some(status)) = child.try_wait() {
                    break (Some(status), Instant::now());
                }
                if Instant::now() > deadline
                    || (launch.kill_on_arrival && arrived_flag.load(Ordering::SeqCst))
                    || (launch.kill_on_result && result_flag.load(Ordering::SeqCst))
                {
                    killed = Instant::now() > deadline;
                    let _ = child.kill();
                    let status = child.wait().ok();
                    break (status, Instant::now());
                }
                std::thread::sleep(Duration::from_millis(1));
            };
            exited_flag.store(true, Ordering::SeqCst);
            let stdout_text = out.join().unwrap_or_default();
            let (stderr, work_done, marker_value) = err.join().unwrap_or_default();
            let json = stdout_text
                .lines()
                .rev()
                .find_map(|l| serde_json::from_str::<Value>(l.trim()).ok())
                .unwrap_or(Value::Null);
            ChildRun {
                side: launch.side,
                json,
                stderr,
                spawned,
                work_done,
                marker_value,
                exited,
                status,
                killed,
                arrived: None,
            }
        })
        .with_arrival(arrived.into_inner().unwrap())
    }
}

impl ChildRun {
    fn with_arrival(mut self, arrived: Option<Instant>) -> ChildRun {
        self.arrived = arrived;
        self
    }
}

/// Waits until rotel has logged `target` spans in all, or its count stops moving (1 s without a change, after the
/// process has exited); returns the count.
fn settle(rotel: &Rotel, target: usize) -> usize {
    let mut last = rotel.received_span_count();
    let mut quiet = Duration::ZERO;
    let step = Duration::from_millis(250);
    loop {
        if rotel.wait_for_spans(target, step).is_ok() {
            return rotel.received_span_count();
        }
        let now = rotel.received_span_count();
        if now == last {
            quiet += step;
            if quiet >= Duration::from_secs(1) {
                return now;
            }
        } else {
            quiet = Duration::ZERO;
            last = now;
        }
    }
}

/// A TCP port nothing listens on: connections are refused.
fn down_endpoint() -> String {
    format!("http://127.0.0.1:{}", otel_testkit::unused_port())
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics and the table.

fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Median of the per-run ratios `a[i] / b[i]` (each pair measured in the same run).
fn median_ratio(a: &[f64], b: &[f64]) -> f64 {
    let ratios: Vec<f64> = a.iter().zip(b).map(|(x, y)| x / y).filter(|r| r.is_finite()).collect();
    median(&ratios)
}

struct Row {
    figure: String,
    peer: String,
    otel: String,
    ratio: String,
    goal: String,
    met: String,
}

impl Row {
    fn new(figure: impl Into<String>, peer: impl Into<String>, otel: impl Into<String>) -> Row {
        Row {
            figure: figure.into(),
            peer: peer.into(),
            otel: otel.into(),
            ratio: "–".into(),
            goal: "–".into(),
            met: "–".into(),
        }
    }
    fn ratio(mut self, ratio: f64) -> Row {
        self.ratio = if ratio.is_finite() { format!("{ratio:.2}×") } else { "n/a".into() };
        self
    }
    fn goal(mut self, goal: impl Into<String>, met: Option<bool>) -> Row {
        self.goal = goal.into();
        self.met = match met {
            Some(true) => "yes".into(),
            Some(false) => "**no**".into(),
            None => "n/a".into(),
        };
        self
    }
}

fn fmt_num(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        "n/a".into()
    }
}

fn fmt_pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}%", x * 100.0)
    } else {
        "n/a".into()
    }
}

/// `Some(cond)` when `x` is a number, `None` otherwise.
fn check(x: f64, cond: impl Fn(f64) -> bool) -> Option<bool> {
    x.is_finite().then(|| cond(x))
}

struct Report {
    rows: Vec<Row>,
    notes: Vec<String>,
    raw: serde_json::Map<String, Value>,
}

impl Report {
    fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        eprintln!("otel-bench: {note}");
        self.notes.push(note);
    }

    fn raw(&mut self, key: &str, value: Value) {
        self.raw.insert(key.to_string(), value);
    }

    fn print(&self, options: &Options, started: Instant, load_before: &str) {
        println!();
        println!(
            "## otel-bench results ({} run{} per figure{}, {:.0} s)",
            options.runs,
            if options.runs == 1 { "" } else { "s" },
            if options.quick { ", --quick" } else { "" },
            started.elapsed().as_secs_f64()
        );
        println!();
        println!("{}", machine());
        println!("load average (1, 5, 15 min) before: {load_before}; after: {}", load_average());
        println!();
        println!("| figure | hand-written | otel | ratio (otel ÷ hand-written) | goal | met? |");
        println!("|---|---|---|---|---|---|");
        for r in &self.rows {
            println!("| {} | {} | {} | {} | {} | {} |", r.figure, r.peer, r.otel, r.ratio, r.goal, r.met);
        }
        if !self.notes.is_empty() {
            println!();
            for n in &self.notes {
                println!("- {n}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Scenarios.

/// Per-span cost on the application's thread, with the collector up, down (refused) and hung (accepts the
/// request, never answers). Each run measures all six (side × condition) back to back.
fn scenario_cost(bench: &Bench, rotel: &Rotel, options: &Options, report: &mut Report) {
    let hung = Receiver::builder().behavior(Behavior::Stall).start_blocking();
    let requests = options.cost_requests.to_string();
    let pause = options.cost_pause_ms.to_string();
    let args = ["--mode", "cost", "--requests", &requests, "--warmup", "500", "--chunk", "100", "--pause-ms", &pause];
    let conditions = ["up", "down", "hung"];
    // [condition][side] → per-run (wall ns/span, cpu ns/span)
    let mut wall = [[vec![], vec![]], [vec![], vec![]], [vec![], vec![]]];
    let mut cpu = [[vec![], vec![]], [vec![], vec![]], [vec![], vec![]]];
    let mut lost_up = [vec![], vec![]];
    for run in 0..options.runs {
        for (c, condition) in conditions.iter().enumerate() {
            for side in order(run + c) {
                let endpoint = match *condition {
                    "up" => rotel.grpc_endpoint(),
                    "down" => down_endpoint(),
                    _ => hung.grpc_endpoint(),
                };
                let before = rotel.received_span_count();
                let mut launch = Launch::new(side, &args, &endpoint, Duration::from_secs(120));
                // With the collector up the run is waited for (its spans are counted); otherwise its exit is
                // not what is measured here, and may take seconds.
                launch.kill_on_result = *condition != "up";
                let r = bench.run(launch);
                if r.json.is_null() {
                    report.note(format!("cost/{condition}: no result: {}", r.describe()));
                    continue;
                }
                let s = side as usize;
                wall[c][s].push(r.f("app_ns_per_span"));
                cpu[c][s].push(r.f("cpu_ns_per_span"));
                if *condition == "up" {
                    let spans = r.f("spans") as usize;
                    let delivered = settle(rotel, before + spans) - before;
                    lost_up[s].push(spans.saturating_sub(delivered) as f64);
                }
                eprintln!(
                    "otel-bench: cost/{condition} run {run} {}: {:.0} ns/span wall, {:.0} ns/span cpu",
                    side.name(),
                    r.f("app_ns_per_span"),
                    r.f("cpu_ns_per_span")
                );
            }
        }
    }
    let (p, o) = (0, 1);
    let up_ratio = median_ratio(&wall[0][o], &wall[0][p]);
    report.rows.push(
        Row::new(
            "per-span cost on the app thread, collector up (ns, wall)",
            fmt_num(median(&wall[0][p]), 0),
            fmt_num(median(&wall[0][o]), 0),
        )
        .ratio(up_ratio)
        .goal("≤ 1.05×", check(up_ratio, |r| r <= 1.05)),
    );
    report.rows.push(
        Row::new(
            "per-span CPU time of the app thread, collector up (ns)",
            fmt_num(median(&cpu[0][p]), 0),
            fmt_num(median(&cpu[0][o]), 0),
        )
        .ratio(median_ratio(&cpu[0][o], &cpu[0][p])),
    );
    for (c, condition) in [(1, "down (refused)"), (2, "hung (never answers)")] {
        report.rows.push(
            Row::new(
                format!("per-span cost, collector {condition} (ns, wall)"),
                fmt_num(median(&wall[c][p]), 0),
                fmt_num(median(&wall[c][o]), 0),
            )
            .ratio(median_ratio(&wall[c][o], &wall[c][p])),
        );
        let peer_vs_up = median_ratio(&wall[c][p], &wall[0][p]);
        let otel_vs_up = median_ratio(&wall[c][o], &wall[0][o]);
        report.rows.push(
            Row::new(
                format!("per-span cost, {} ÷ up (same side)", condition.split(' ').next().unwrap()),
                format!("{}×", fmt_num(peer_vs_up, 2)),
                format!("{}×", fmt_num(otel_vs_up, 2)),
            )
            .goal("otel ≤ 1.10×", check(otel_vs_up, |r| r <= 1.10)),
        );
    }
    report.note(format!(
        "per-span cost: {} timed requests ({} spans) per run in chunks of 100 requests with {} ms pauses (steady \
         state); spans lost during the collector-up cost runs (median): hand-written {}, otel {}",
        options.cost_requests,
        options.cost_requests * SPANS_PER_REQUEST,
        options.cost_pause_ms,
        fmt_num(median(&lost_up[p]), 0),
        fmt_num(median(&lost_up[o]), 0)
    ));
    report.raw(
        "cost",
        json!({
            "wall_ns": {"up": wall[0], "down": wall[1], "hung": wall[2]},
            "cpu_ns": {"up": cpu[0], "down": cpu[1], "hung": cpu[2]},
            "lost_up": lost_up,
        }),
    );
}

/// A burst of 10,000 requests (30,000 spans) as fast as they go, default settings, live local collector: the share
/// that reaches it, and whether otel's summary accounts for every span not delivered.
fn scenario_burst(bench: &Bench, rotel: &Rotel, options: &Options, report: &mut Report) {
    let args = ["--mode", "burst", "--requests", "10000"];
    let mut share = [vec![], vec![]];
    let mut exit_up = [vec![], vec![]];
    let mut burst_ns = [vec![], vec![]];
    let mut accounted: Vec<bool> = vec![];
    let mut peer_results: Vec<String> = vec![];
    for run in 0..options.runs {
        for side in order(run) {
            let before = rotel.received_span_count();
            let r = bench.run(Launch::new(side, &args, &rotel.grpc_endpoint(), Duration::from_secs(120)));
            if r.json.is_null() {
                report.note(format!("burst: no result: {}", r.describe()));
                continue;
            }
            let spans = r.f("spans") as u64;
            let delivered = (settle(rotel, before + spans as usize) - before) as u64;
            let s = side as usize;
            share[s].push(delivered as f64 / spans as f64);
            exit_up[s].push(r.exit_ms());
            burst_ns[s].push(r.f("app_ns_per_span"));
            match side {
                Side::Peer => peer_results.push(r.peer_shutdown()),
                Side::Otel => {
                    let ok = match r.summary() {
                        Some(sum) => {
                            let ok = sum.ended == spans
                                && sum.ended - sum.exported == sum.failed + sum.dropped
                                && spans - delivered == sum.failed + sum.dropped
                                && sum.exported == delivered;
                            if !ok {
                                report.note(format!(
                                    "burst run {run}: otel's summary {sum:?} does not account for {spans} spans of \
                                     which the collector got {delivered}"
                                ));
                            }
                            ok
                        }
                        None => {
                            report.note(format!("burst run {run}: otel printed no summary line"));
                            false
                        }
                    };
                    accounted.push(ok);
                }
            }
            eprintln!("otel-bench: burst run {run} {}: {delivered}/{spans} delivered", side.name());
        }
    }
    let (p, o) = (0, 1);
    let otel_share = median(&share[o]);
    report.rows.push(
        Row::new(
            "share of a 30,000-span burst delivered to a live collector",
            fmt_pct(median(&share[p])),
            fmt_pct(otel_share),
        )
        .goal("≥ 99%", check(otel_share, |s| s >= 0.99)),
    );
    let all_accounted = !accounted.is_empty() && accounted.iter().all(|&a| a);
    let peer_silent = peer_results.iter().all(|r| r.starts_with("Ok"));
    report.rows.push(
        Row::new(
            "every undelivered span of the burst is in the shutdown summary",
            if peer_silent { "no (shutdown() returns Ok; no count)" } else { "no count" },
            format!(
                "{} ({}/{} runs)",
                if all_accounted { "yes" } else { "no" },
                accounted.iter().filter(|&&a| a).count(),
                accounted.len()
            ),
        )
        .goal("yes", Some(all_accounted)),
    );
    report.rows.push(
        Row::new(
            "burst: app-thread time per span, as fast as it goes (ns)",
            fmt_num(median(&burst_ns[p]), 0),
            fmt_num(median(&burst_ns[o]), 0),
        )
        .ratio(median_ratio(&burst_ns[o], &burst_ns[p])),
    );
    report.rows.push(
        Row::new(
            "burst: end of work → process exit, collector up (ms)",
            fmt_num(median(&exit_up[p]), 0),
            fmt_num(median(&exit_up[o]), 0),
        )
        .ratio(median_ratio(&exit_up[o], &exit_up[p])),
    );
    report.raw(
        "burst",
        json!({"share": share, "exit_ms_up": exit_up, "ns_per_span": burst_ns, "otel_accounted": accounted, "peer_shutdown": peer_results}),
    );
}

/// Process exit after a 30,000-span burst with the collector down (refused) and hung: time from the end of the
/// workload (its `bench: work-done` line) to the process's exit.
fn scenario_exit(bench: &Bench, options: &Options, report: &mut Report) {
    let hung = Receiver::builder().behavior(Behavior::Stall).start_blocking();
    let args = ["--mode", "burst", "--requests", "10000"];
    let mut down = [vec![], vec![]];
    let mut stalled = [vec![], vec![]];
    let mut accounted = vec![];
    let limit = Duration::from_secs(90);
    for run in 0..options.runs {
        for side in order(run) {
            let r = bench.run(Launch::new(side, &args, &down_endpoint(), limit));
            if r.killed || r.work_done.is_none() {
                report.note(format!("exit/down: {}", r.describe()));
            }
            down[side as usize].push(if r.killed { f64::INFINITY } else { r.exit_ms() });
            if side == Side::Otel {
                let ok = r
                    .summary()
                    .is_some_and(|s| s.ended == 30_000 && s.exported == 0 && s.ended == s.failed + s.dropped);
                if !ok {
                    report.note(format!(
                        "exit/down run {run}: otel summary {:?} does not account for 30000 spans",
                        r.summary()
                    ));
                }
                accounted.push(ok);
            }
            eprintln!("otel-bench: exit/down run {run} {}: {:.0} ms", side.name(), r.exit_ms());
        }
        for side in order(run + 1) {
            let r = bench.run(Launch::new(side, &args, &hung.grpc_endpoint(), limit));
            if r.killed || r.work_done.is_none() {
                report.note(format!("exit/hung: {}", r.describe()));
            }
            stalled[side as usize].push(if r.killed { f64::INFINITY } else { r.exit_ms() });
            eprintln!("otel-bench: exit/hung run {run} {}: {:.0} ms", side.name(), r.exit_ms());
        }
    }
    let (p, o) = (0, 1);
    let otel_down = median(&down[o]);
    report.rows.push(
        Row::new(
            "process exit with the collector down (ms, end of work → exit)",
            fmt_num(median(&down[p]), 0),
            fmt_num(otel_down, 0),
        )
        .ratio(median_ratio(&down[o], &down[p]))
        .goal("≤ 1000 ms", check(otel_down, |x| x <= 1000.0)),
    );
    report.rows.push(
        Row::new(
            "process exit with the collector hung (ms)",
            fmt_num(median(&stalled[p]), 0),
            fmt_num(median(&stalled[o]), 0),
        )
        .ratio(median_ratio(&stalled[o], &stalled[p])),
    );
    let all = !accounted.is_empty() && accounted.iter().all(|&a| a);
    report.rows.push(
        Row::new(
            "collector down: all 30,000 spans in the summary as failed/dropped",
            "no count",
            if all { "yes" } else { "no" },
        )
        .goal("yes", Some(all)),
    );
    report.raw("exit", json!({"down_ms": down, "hung_ms": stalled, "otel_accounted": accounted}));
}

/// Outcome of one sustained-rate trial.
struct Trial {
    ok: bool,
    why: String,
}

/// Sustained spans/s with zero loss: a trial runs `rate` spans/s for `secs`; it passes when the collector got every
/// span, the program kept the rate (≥ 97% of it) and, when the load ended, at most 1 s worth of spans (or 1,024,
/// whichever is more) was still on its way — a pipeline that only buffers does not pass. The rate doubles from
/// 10,000/s until a trial fails, then is bisected.
fn scenario_sustained(bench: &Bench, rotel: &Rotel, options: &Options, report: &mut Report) {
    let trial = |side: Side, rate: f64| -> Trial {
        let before = rotel.received_span_count();
        let rate_s = format!("{rate:.0}");
        let secs = format!("{}", options.sustain_secs);
        let args = ["--mode", "rate", "--rate", &rate_s, "--secs", &secs];
        let count = || rotel.received_span_count();
        let mut launch = Launch::new(side, &args, &rotel.grpc_endpoint(), Duration::from_secs(120));
        launch.at_marker = Some(&count);
        let r = bench.run(launch);
        if r.json.is_null() {
            return Trial { ok: false, why: format!("no result: {}", r.describe()) };
        }
        let spans = r.f("spans") as usize;
        let delivered = settle(rotel, before + spans) - before;
        let at_end = r.marker_value.unwrap_or(before).saturating_sub(before);
        let lag = spans.saturating_sub(at_end);
        let achieved = r.f("achieved_rate");
        let allowed_lag = (rate as usize).max(1024);
        let mut why = format!(
            "{}: {rate:.0}/s → achieved {achieved:.0}/s, delivered {delivered}/{spans}, behind at end {lag}",
            side.name()
        );
        let ok = delivered >= spans && achieved >= 0.97 * rate && lag <= allowed_lag;
        why.push_str(if ok { " → ok" } else { " → fail" });
        eprintln!("otel-bench: sustained {why}");
        Trial { ok, why }
    };
    // Both searches advance in step, alternating the sides.
    #[derive(Default)]
    struct Search {
        lo: f64,
        hi: Option<f64>,
        next: f64,
        bisected: usize,
        done: bool,
        log: Vec<String>,
    }
    const MAX_RATE: f64 = 1_280_000.0;
    let mut searches =
        [Search { next: 10_000.0, ..Default::default() }, Search { next: 10_000.0, ..Default::default() }];
    let mut step = 0;
    while searches.iter().any(|s| !s.done) {
        for side in order(step) {
            let s = &mut searches[side as usize];
            if s.done {
                continue;
            }
            let rate = s.next;
            let t = trial(side, rate);
            s.log.push(t.why);
            if t.ok {
                s.lo = rate;
            } else {
                s.hi = Some(rate);
            }
            match s.hi {
                None if rate * 2.0 <= MAX_RATE => s.next = rate * 2.0,
                None => s.done = true,
                Some(hi) => {
                    if s.bisected >= options.bisect_steps {
                        s.done = true;
                    } else {
                        s.bisected += 1;
                        s.next = ((s.lo + hi) / 2.0 / 1000.0).round() * 1000.0;
                        if s.next <= s.lo || s.next >= hi {
                            s.done = true;
                        }
                    }
                }
            }
        }
        step += 1;
    }
    let (p, o) = (0, 1);
    let (peer, otel) = (searches[p].lo, searches[o].lo);
    let ratio = otel / peer;
    report.rows.push(
        Row::new("sustained spans/s with zero loss to a local collector", fmt_num(peer, 0), fmt_num(otel, 0))
            .ratio(ratio)
            .goal("aim ≥ 2×", check(ratio, |r| r >= 2.0)),
    );
    report.note(format!(
        "sustained: {} s per trial; lower bound of the search (the first failing rate: hand-written {}, otel {})",
        options.sustain_secs,
        searches[p].hi.map_or("none".into(), |h| format!("{h:.0}/s")),
        searches[o].hi.map_or("none".into(), |h| format!("{h:.0}/s")),
    ));
    report.raw(
        "sustained",
        json!({"peer": searches[p].log, "otel": searches[o].log, "peer_rate": peer, "otel_rate": otel}),
    );
}

/// Time from process spawn to the first span at the collector: (a) the program ends one span and exits (the span
/// goes out with the shutdown flush); (b) it ends one span and keeps running (the span goes out whenever the
/// processor sends it). Also from spawn to the span having ended in the app (startup + pipeline setup).
fn scenario_first(bench: &Bench, rotel: &Rotel, options: &Options, report: &mut Report) {
    let mut exit = [vec![], vec![]];
    let mut live = [vec![], vec![]];
    let mut ready = [vec![], vec![]];
    for run in 0..options.runs {
        for (variant, mode) in [(0, "first-exit"), (1, "first-live")] {
            // The live variant waits for the processor's schedule (seconds, and the same every time): 3 runs.
            if variant == 1 && run >= 3 {
                continue;
            }
            for side in order(run + variant) {
                let before = rotel.received_span_count();
                let args = ["--mode", mode, "--secs", "15"];
                let mut launch = Launch::new(side, &args, &rotel.grpc_endpoint(), Duration::from_secs(20));
                launch.watch = Some((rotel, before + 1));
                launch.kill_on_arrival = variant == 1;
                let r = bench.run(launch);
                let t = r.arrived.map(|a| ms(a.saturating_duration_since(r.spawned))).unwrap_or(f64::NAN);
                if r.arrived.is_none() {
                    report.note(format!("first/{mode} run {run} {}: the span never arrived", side.name()));
                }
                let s = side as usize;
                if variant == 0 {
                    exit[s].push(t);
                    ready[s].push(r.work_done.map(|w| ms(w.saturating_duration_since(r.spawned))).unwrap_or(f64::NAN));
                } else {
                    live[s].push(t);
                }
                // A span that did not arrive in time may still land: let it, before the next run counts.
                if r.arrived.is_none() {
                    settle(rotel, rotel.received_span_count() + 1);
                }
                eprintln!("otel-bench: first/{mode} run {run} {}: {t:.1} ms", side.name());
            }
        }
    }
    let (p, o) = (0, 1);
    report.rows.push(
        Row::new(
            "process start → first span ended in the app (ms)",
            fmt_num(median(&ready[p]), 1),
            fmt_num(median(&ready[o]), 1),
        )
        .ratio(median_ratio(&ready[o], &ready[p])),
    );
    let otel_exit = median(&exit[o]);
    report.rows.push(
        Row::new(
            "process start → first span at the collector, app exits after it (ms)",
            fmt_num(median(&exit[p]), 1),
            fmt_num(otel_exit, 1),
        )
        .ratio(median_ratio(&exit[o], &exit[p]))
        .goal("aim ≤ 20 ms", check(otel_exit, |x| x <= 20.0)),
    );
    report.rows.push(
        Row::new(
            "process start → first span at the collector, app keeps running (ms)",
            fmt_num(median(&live[p]), 1),
            fmt_num(median(&live[o]), 1),
        )
        .ratio(median_ratio(&live[o], &live[p])),
    );
    report.raw("first", json!({"exit_ms": exit, "live_ms": live, "ready_ms": ready}));
}

/// Peak memory with the collector down at a steady rate: both programs run at once (each at `mem_rate` spans/s for
/// `mem_secs`, each against its own refused port); each reports VmHWM and its RSS at the middle and at the end.
fn scenario_memory(bench: &Bench, options: &Options, report: &mut Report) {
    let rate = format!("{:.0}", options.mem_rate);
    let secs = format!("{}", options.mem_secs);
    let args = ["--mode", "rate", "--rate", &rate, "--secs", &secs];
    let limit = Duration::from_secs_f64(options.mem_secs + 90.0);
    let (peer, otel) = std::thread::scope(|scope| {
        let peer = scope.spawn(|| bench.run(Launch::new(Side::Peer, &args, &down_endpoint(), limit)));
        let otel = scope.spawn(|| bench.run(Launch::new(Side::Otel, &args, &down_endpoint(), limit)));
        (peer.join().unwrap(), otel.join().unwrap())
    });
    for r in [&peer, &otel] {
        if r.json.is_null() {
            report.note(format!("memory: no result: {}", r.describe()));
        }
    }
    let mib = |r: &ChildRun, key: &str| r.f(key) / 1024.0;
    let title = format!("peak RSS after {} s, collector down, {} spans/s (MiB)", options.mem_secs, rate);
    report.rows.push(
        Row::new(title, fmt_num(mib(&peer, "peak_rss_kb"), 1), fmt_num(mib(&otel, "peak_rss_kb"), 1))
            .ratio(otel.f("peak_rss_kb") / peer.f("peak_rss_kb"))
            .goal("bounded (see BENCHMARKS.md)", None),
    );
    let growth = |r: &ChildRun| mib(r, "rss_end_kb") - mib(r, "rss_mid_kb");
    report.rows.push(Row::new(
        "RSS growth over the second half of that run (MiB)",
        fmt_num(growth(&peer), 1),
        fmt_num(growth(&otel), 1),
    ));
    if let Some(sum) = otel.summary() {
        report.note(format!("memory run: otel {sum:?}; hand-written: {}", peer.peer_shutdown()));
    }
    report.raw("memory", json!({"peer": peer.json, "otel": otel.json}));
}

/// `/proc/loadavg`'s first three fields.
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// CPUs, CPU model and RAM of this machine.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, m)| m.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let ram_kb: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:")?.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    format!("machine: {cpus} CPUs, {model}, {:.1} GiB RAM", ram_kb / 1024.0 / 1024.0)
}

// ---------------------------------------------------------------------------------------------------------------

fn main() {
    let options = match Options::parse() {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("otel-bench: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(if e.is_empty() { 0 } else { 2 });
        }
    };
    let bin_dir = std::env::var_os("OTEL_BENCH_BIN_DIR").map(PathBuf::from).unwrap_or_else(|| {
        std::env::current_exe().ok().and_then(|p| p.parent().map(PathBuf::from)).unwrap_or_default()
    });
    for program in ["bench-peer", "bench-otel"] {
        if !bin_dir.join(program).is_file() {
            eprintln!(
                "otel-bench: {} not found in {}: build with `cargo build --release -p otel-bench --bins` (scripts/bench.sh does)",
                program,
                bin_dir.display()
            );
            std::process::exit(2);
        }
    }
    let work_dir = std::env::temp_dir().join(format!("otel-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work_dir).expect("cannot create the work directory");
    let bench = Bench { bin_dir, work_dir: work_dir.clone() };

    let needs_rotel = ["cost", "burst", "sustained", "first"].iter().any(|s| options.wants(s));
    let rotel = if needs_rotel {
        match Rotel::start_with(RotelVerbosity::Basic) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("otel-bench: {e}");
                std::process::exit(2);
            }
        }
    } else {
        None
    };
    let load_before = load_average();
    if load_before.split_whitespace().next().and_then(|l| l.parse::<f64>().ok()).is_some_and(|l| l > 1.0) {
        eprintln!(
            "otel-bench: warning: load average {load_before} before the run: other work on this machine skews \
             every figure (the ratios less than the absolute times)"
        );
    }
    let started = Instant::now();
    let mut report = Report { rows: vec![], notes: vec![], raw: serde_json::Map::new() };
    for scenario in SCENARIOS {
        if !options.wants(scenario) {
            continue;
        }
        let t = Instant::now();
        eprintln!("otel-bench: scenario {scenario}");
        let rotel = rotel.as_ref();
        match scenario {
            "cost" => scenario_cost(&bench, rotel.unwrap(), &options, &mut report),
            "burst" => scenario_burst(&bench, rotel.unwrap(), &options, &mut report),
            "exit" => scenario_exit(&bench, &options, &mut report),
            "sustained" => scenario_sustained(&bench, rotel.unwrap(), &options, &mut report),
            "first" => scenario_first(&bench, rotel.unwrap(), &options, &mut report),
            "memory" => scenario_memory(&bench, &options, &mut report),
            _ => unreachable!(),
        }
        eprintln!("otel-bench: scenario {scenario} took {:.1} s", t.elapsed().as_secs_f64());
    }
    report.print(&options, started, &load_before);
    if let Some(path) = &options.json {
        let doc = Value::Object(report.raw.clone());
        if let Err(e) = std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()) {
            eprintln!("otel-bench: cannot write {}: {e}", path.display());
        }
    }
    let _ = std::fs::remove_dir_all(&work_dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_with_stderr(side: Side, stderr: &str) -> ChildRun {
        let now = Instant::now();
        ChildRun {
            side,
            json: Value::Null,
            stderr: stderr.into(),
            spawned: now,
            work_done: Some(now),
            marker_value: None,
            exited: now + Duration::from_millis(40),
            status: None,
            killed: false,
            arrived: None,
        }
    }

    #[test]
    fn medians_and_ratios() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[f64::NAN, 5.0]), 5.0);
        assert!(median(&[]).is_nan());
        // Per-run ratios, then their median: (2/1, 6/2, 4/4) → 2.
        assert_eq!(median_ratio(&[2.0, 6.0, 4.0], &[1.0, 2.0, 4.0]), 2.0);
    }

    #[test]
    fn parses_the_summary_and_the_peer_shutdown() {
        let r = run_with_stderr(
            Side::Otel,
            "bench: work-done\notel: something\notel summary: ended=30000 exported=29000 failed=512 dropped=488\n",
        );
        assert_eq!(r.summary(), Some(Summary { ended: 30000, exported: 29000, failed: 512, dropped: 488 }));
        assert_eq!(r.exit_ms().round(), 40.0);
        let p = run_with_stderr(Side::Peer, "bench-peer: provider.shutdown() returned Ok(()) after 12.0 ms\n");
        assert_eq!(p.peer_shutdown(), "Ok(())");
        assert_eq!(p.summary(), None);
    }

    #[test]
    fn alternates_the_order() {
        assert_eq!(order(0), [Side::Peer, Side::Otel]);
        assert_eq!(order(1), [Side::Otel, Side::Peer]);
    }
}
