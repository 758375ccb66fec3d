//! Running one workload program: the sides, their environment, the child process (what it printed, its exit and
//! its CPU time) and the collector-side waits (`settle`) that the scenarios count delivered spans with.

use otel_bench::{ms, WORK_DONE_MARKER};
use otel_testkit::Rotel;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The programs compared: the two of the two-sided table first (their discriminants index its per-side arrays),
/// then the peers of issue #10.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// `bench-peer`: the hand-written pipeline.
    Peer,
    /// `bench-otel`: `#[otel::main]`.
    Otel,
    /// `bench-ito`: init-tracing-opentelemetry's production preset.
    Ito,
    /// `bench-oxtel`: oxtel's `init()`.
    Oxtel,
}

impl Side {
    /// Every side, in table order.
    pub const ALL: [Side; 4] = [Side::Peer, Side::Otel, Side::Ito, Side::Oxtel];

    /// Its name in progress lines and notes.
    pub fn name(self) -> &'static str {
        match self {
            Side::Peer => "peer",
            Side::Otel => "otel",
            Side::Ito => "ito",
            Side::Oxtel => "oxtel",
        }
    }

    /// Its name in a table's header.
    pub fn label(self) -> &'static str {
        match self {
            Side::Peer => "hand-written",
            Side::Otel => "otel",
            Side::Ito => "init-tracing-opentelemetry",
            Side::Oxtel => "oxtel",
        }
    }

    /// Its workload program.
    pub fn program(self) -> &'static str {
        match self {
            Side::Peer => "bench-peer",
            Side::Otel => "bench-otel",
            Side::Ito => "bench-ito",
            Side::Oxtel => "bench-oxtel",
        }
    }
}

/// The OTLP protocol a program exports with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// OTLP/gRPC (the two-sided scenarios).
    Grpc,
    /// OTLP/HTTP with protobuf bodies (the comparison with the peers: oxtel has nothing else).
    HttpProtobuf,
}

impl Protocol {
    /// Its `OTEL_EXPORTER_OTLP_PROTOCOL` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Grpc => "grpc",
            Protocol::HttpProtobuf => "http/protobuf",
        }
    }
}

/// Both sides, in the order of run `i`: the hand-written one first on even runs, otel first on odd runs.
pub fn order(i: usize) -> [Side; 2] {
    if i % 2 == 0 {
        [Side::Peer, Side::Otel]
    } else {
        [Side::Otel, Side::Peer]
    }
}

/// What one run of a workload program gave.
#[derive(Debug)]
pub struct ChildRun {
    /// Which program ran.
    pub side: Side,
    /// Its JSON result line (`Value::Null` when it printed none).
    pub json: Value,
    /// Everything it printed on stderr.
    pub stderr: String,
    /// When it was spawned.
    pub spawned: Instant,
    /// When its `bench: work-done` line arrived.
    pub work_done: Option<Instant>,
    /// What `at_marker` returned at that moment.
    pub marker_value: Option<usize>,
    /// When the runner saw it exit (or killed it).
    pub exited: Instant,
    /// Its exit status, when it could be read.
    pub status: Option<ExitStatus>,
    /// Killed at the time limit.
    pub killed: bool,
    /// CPU time of the process (user + system, all its threads) from `wait4`, ms; NaN when unknown.
    pub cpu_ms: f64,
    /// When the watched span count was reached (see [`Launch::watch`]).
    pub arrived: Option<Instant>,
}

impl ChildRun {
    /// A number of its JSON result line, NaN when absent.
    pub fn f(&self, key: &str) -> f64 {
        self.json.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
    }

    /// Time from the end of the workload to the process's exit, ms.
    pub fn exit_ms(&self) -> f64 {
        self.work_done.map(|w| ms(self.exited.saturating_duration_since(w))).unwrap_or(f64::NAN)
    }

    /// otel's `otel summary: ended=N exported=N failed=N dropped=N` line.
    pub fn summary(&self) -> Option<Summary> {
        self.summary_of("otel summary:")
    }

    /// otel's summary line of another signal: `otel summary (logs): ended=N exported=N failed=N dropped=N` for
    /// `signal` "logs".
    pub fn signal_summary(&self, signal: &str) -> Option<Summary> {
        self.summary_of(&format!("otel summary ({signal}):"))
    }

    /// The last stderr line containing `prefix`, read (after it) as a summary.
    fn summary_of(&self, prefix: &str) -> Option<Summary> {
        let line = self.stderr.lines().rev().find_map(|l| Some(l.split_once(prefix)?.1))?;
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
    pub fn peer_shutdown(&self) -> String {
        self.peer_shutdown_of("provider")
    }

    /// What the hand-written program's `{provider}.shutdown()` returned: `provider`, `logger_provider` or
    /// `meter_provider`.
    pub fn peer_shutdown_of(&self, provider: &str) -> String {
        let prefix = format!("bench-peer: {provider}.shutdown() returned ");
        self.stderr
            .lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .map(|rest| rest.rsplit_once(" after ").map_or(rest, |(r, _)| r).to_string())
            .unwrap_or_else(|| "(no shutdown line)".into())
    }

    /// A short description of how it ended, for failures.
    pub fn describe(&self) -> String {
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

/// otel's shutdown summary line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Spans ended in the app.
    pub ended: u64,
    /// Spans the collector accepted.
    pub exported: u64,
    /// Spans whose export failed.
    pub failed: u64,
    /// Spans dropped before an export was tried.
    pub dropped: u64,
}

/// How to run one workload program, and what to watch while it runs.
pub struct Launch<'a> {
    /// Which program ran.
    pub side: Side,
    /// Its arguments (`--mode …`).
    pub args: Vec<String>,
    /// The collector endpoint it exports to.
    pub endpoint: String,
    /// The protocol it exports with (gRPC unless set).
    pub protocol: Protocol,
    /// The process is killed after this long.
    pub limit: Duration,
    /// Called (on the stderr reader thread) when the work-done line arrives.
    pub at_marker: Option<&'a (dyn Fn() -> usize + Sync)>,
    /// Wait for the collector to have logged this many spans in all; record when; kill the process then if
    /// `kill_on_arrival`.
    pub watch: Option<(&'a Rotel, usize)>,
    /// Kill it once the watched span count is reached.
    pub kill_on_arrival: bool,
    /// Kill the process as soon as it printed its JSON line (when its shutdown is not what is measured).
    pub kill_on_result: bool,
    /// More environment for this run, set last (a variant of one side, e.g. otel with a setting off).
    pub env: Vec<(String, String)>,
}

impl<'a> Launch<'a> {
    /// A launch with nothing watched and no early kill.
    pub fn new(side: Side, args: &[&str], endpoint: &str, limit: Duration) -> Launch<'a> {
        Launch {
            side,
            args: args.iter().map(|s| s.to_string()).collect(),
            endpoint: endpoint.to_string(),
            protocol: Protocol::Grpc,
            limit,
            at_marker: None,
            watch: None,
            kill_on_arrival: false,
            kill_on_result: false,
            env: vec![],
        }
    }
}

/// Where the workload programs are and where they run.
pub struct Bench {
    /// The directory holding the workload programs (`bench-peer`, `bench-otel`, …).
    pub bin_dir: PathBuf,
    /// An empty directory: the programs run there, so no otel.toml is picked up.
    pub work_dir: PathBuf,
    /// Extra environment for the otel program (`--otel-env`), set after the runner's own.
    pub otel_env: Vec<(String, String)>,
}

impl Bench {
    /// The command for one side: its program, arguments and environment (every caller `OTEL_*` removed).
    pub fn command(&self, side: Side, args: &[String], endpoint: &str, protocol: Protocol) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(side.program()));
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
                if protocol != Protocol::Grpc {
                    cmd.arg("--protocol").arg(protocol.as_str());
                }
            }
            Side::Otel => {
                cmd.env("OTEL_EXPORTER_OTLP_PROTOCOL", protocol.as_str())
                    .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
                    .env("OTEL_SERVICE_NAME", "bench-otel")
                    .env("OTEL_TOML_FMT_FORMAT", "off")
                    .env("OTEL_TOML_SHUTDOWN_SUMMARY", "always")
                    // Traces only, as every other program sends (oxtel is told the same): otel's defaults would
                    // also export each event as a log record and its own pipeline metrics, work the peers do
                    // not do. The logs and metrics scenarios turn their signal back on.
                    .env("OTEL_LOGS_EXPORTER", "none")
                    .env("OTEL_METRICS_EXPORTER", "none");
                cmd.envs(self.otel_env.iter().map(|(k, v)| (k, v)));
            }
            // The peers read the standard variables, as their users set them.
            Side::Ito => {
                cmd.env("OTEL_EXPORTER_OTLP_PROTOCOL", protocol.as_str())
                    .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
                    .env("OTEL_SERVICE_NAME", "bench-ito");
            }
            Side::Oxtel => {
                // Traces only and no local log lines: what the other programs do.
                cmd.env("OTEL_EXPORTER_OTLP_PROTOCOL", protocol.as_str())
                    .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
                    .env("OTEL_SERVICE_NAME", "bench-oxtel")
                    .env("OXTEL_LOG_FORMAT", "none")
                    .env("OTEL_LOGS_EXPORTER", "none")
                    .env("OTEL_METRICS_EXPORTER", "none");
            }
        }
        cmd
    }

    /// Runs one program to its end (or kill), reading its output as it comes.
    pub fn run(&self, launch: Launch<'_>) -> ChildRun {
        let mut cmd = self.command(launch.side, &launch.args, &launch.endpoint, launch.protocol);
        cmd.envs(launch.env.iter().map(|(k, v)| (k, v)));
        let spawned = Instant::now();
        // Reaped by `reap` (wait4), which clippy cannot see.
        #[allow(clippy::zombie_processes)]
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
            // Reaped with `wait4` (not `Child::wait`) for the process's CPU time.
            let (status, exited, cpu_ms) = loop {
                if let Some((status, cpu_ms)) = reap(child.id(), false) {
                    break (status, Instant::now(), cpu_ms);
                }
                if Instant::now() > deadline
                    || (launch.kill_on_arrival && arrived_flag.load(Ordering::SeqCst))
                    || (launch.kill_on_result && result_flag.load(Ordering::SeqCst))
                {
                    killed = Instant::now() > deadline;
                    let _ = child.kill();
                    let (status, cpu_ms) = reap(child.id(), true).map_or((None, f64::NAN), |(s, c)| (s, c));
                    break (status, Instant::now(), cpu_ms);
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
                cpu_ms,
                arrived: None,
            }
        })
        .with_arrival(arrived.into_inner().unwrap())
    }
}

impl ChildRun {
    /// Sets when the watched span count was reached.
    pub fn with_arrival(mut self, arrived: Option<Instant>) -> ChildRun {
        self.arrived = arrived;
        self
    }
}

/// Reaps the child `pid` with `wait4` (blocking, or not when `block` is false): `None` while it runs, else its
/// exit status (when readable) and its CPU time, user + system, in ms.
fn reap(pid: u32, block: bool) -> Option<(Option<ExitStatus>, f64)> {
    use std::os::unix::process::ExitStatusExt;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let flags = if block { 0 } else { libc::WNOHANG };
    // SAFETY: wait4 writes into the two values we own; pid is our own child, not yet reaped.
    let mut got = unsafe { libc::wait4(pid as libc::pid_t, &mut status, flags, &mut usage) };
    while got < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
        // SAFETY: as above.
        got = unsafe { libc::wait4(pid as libc::pid_t, &mut status, flags, &mut usage) };
    }
    if got == 0 {
        return None;
    }
    if got < 0 {
        // Already reaped or not ours: nothing more to learn, and nothing to wait for.
        return Some((None, f64::NAN));
    }
    let tv_ms = |tv: libc::timeval| tv.tv_sec as f64 * 1000.0 + tv.tv_usec as f64 / 1000.0;
    Some((Some(ExitStatus::from_raw(status)), tv_ms(usage.ru_utime) + tv_ms(usage.ru_stime)))
}

/// What the collector counts: spans, log records, metric data points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// Spans (`spans=N` of rotel's basic lines).
    Spans,
    /// Log records (`logs=N`).
    Logs,
    /// Metric data points (`metrics=N`).
    DataPoints,
}

impl Item {
    /// How many rotel logged so far.
    pub fn count(self, rotel: &Rotel) -> usize {
        match self {
            Item::Spans => rotel.received_span_count(),
            Item::Logs => rotel.received_log_count(),
            Item::DataPoints => rotel.received_data_point_count(),
        }
    }

    /// Waits (woken by rotel's output) until rotel logged `n` in all.
    fn wait(self, rotel: &Rotel, n: usize, timeout: Duration) -> bool {
        match self {
            Item::Spans => rotel.wait_for_spans(n, timeout).is_ok(),
            Item::Logs => rotel.wait_for_logs(n, timeout).is_ok(),
            Item::DataPoints => rotel.wait_for_data_points(n, timeout).is_ok(),
        }
    }
}

/// Waits until rotel has logged `target` spans in all, or its count stops moving (1 s without a change, after the
/// process has exited); returns the count.
pub fn settle(rotel: &Rotel, target: usize) -> usize {
    settle_items(rotel, Item::Spans, target)
}

/// [`settle`] for any [`Item`].
pub fn settle_items(rotel: &Rotel, item: Item, target: usize) -> usize {
    let mut last = item.count(rotel);
    let mut quiet = Duration::ZERO;
    let step = Duration::from_millis(250);
    loop {
        if item.wait(rotel, target, step) {
            return item.count(rotel);
        }
        let now = item.count(rotel);
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
pub fn down_endpoint() -> String {
    format!("http://127.0.0.1:{}", otel_testkit::unused_port())
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
            cpu_ms: f64::NAN,
            arrived: None,
        }
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
    fn parses_the_logs_summary_and_the_logger_provider_shutdown() {
        let r = run_with_stderr(
            Side::Otel,
            "otel summary: ended=20000 exported=20000 failed=0 dropped=0\n\
             otel summary (logs): ended=30000 exported=28000 failed=0 dropped=2000\n\
             otel summary (metrics): ended=1 exported=1 failed=0 dropped=0\n",
        );
        assert_eq!(r.summary(), Some(Summary { ended: 20000, exported: 20000, failed: 0, dropped: 0 }));
        assert_eq!(r.signal_summary("logs"), Some(Summary { ended: 30000, exported: 28000, failed: 0, dropped: 2000 }));
        assert_eq!(r.signal_summary("metrics").map(|s| s.exported), Some(1));
        // A signal that lost nothing may print no line (summary on loss): none, not zeros.
        let spans_only = run_with_stderr(Side::Otel, "otel summary: ended=3 exported=3 failed=0 dropped=0\n");
        assert_eq!(spans_only.signal_summary("logs"), None);
        // A truncated line is not a summary.
        let truncated = run_with_stderr(Side::Otel, "otel summary (logs): ended=3 exported=3\n");
        assert_eq!(truncated.signal_summary("logs"), None);
        let p = run_with_stderr(
            Side::Peer,
            "bench-peer: provider.shutdown() returned Ok(()) after 1.0 ms\n\
             bench-peer: logger_provider.shutdown() returned Err(Timeout(5s)) after 5000.0 ms\n",
        );
        assert_eq!(p.peer_shutdown(), "Ok(())");
        assert_eq!(p.peer_shutdown_of("logger_provider"), "Err(Timeout(5s))");
        assert_eq!(p.peer_shutdown_of("meter_provider"), "(no shutdown line)");
    }

    #[test]
    fn alternates_the_order() {
        assert_eq!(order(0), [Side::Peer, Side::Otel]);
        assert_eq!(order(1), [Side::Otel, Side::Peer]);
    }
}
