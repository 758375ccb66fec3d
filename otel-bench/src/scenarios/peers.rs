//! `peers`: otel against the setup crates users choose between (issue #10) — the hand-written recipe,
//! init-tracing-opentelemetry 0.44 and oxtel 0.3 — side by side in one run, every program over OTLP/HTTP with
//! protobuf bodies (oxtel has nothing else) to the same live rotel. Per run, the four programs go in a rotating
//! order through: the paced per-span cost (collector up: nothing should drop; down; hung), a 30,000-span burst
//! through a byte-counting forwarder, the exit with the collector down and hung, and the time to the first span.
//! Then, once, the four at once at a steady rate against refused ports: their peak memory.

use super::Context;
use crate::child::{down_endpoint, settle, ChildRun, Launch, Protocol, Side};
use crate::report::{fmt_num, fmt_pct, Report, Table};
use crate::stats::{median, median_ratio};
use crate::wire::CountingProxy;
use otel_bench::{ms, SPANS_PER_REQUEST};
use otel_testkit::Rotel;
use otel_testkit::{Behavior, Receiver};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// Whether a smaller or a larger value is better.
#[derive(Clone, Copy)]
enum Better {
    Lower,
    Higher,
}

/// One figure: its row title, which way is better, decimals, and per side its per-run values.
struct Figure {
    title: String,
    better: Better,
    decimals: usize,
    percent: bool,
    /// A ratio of the side to itself (down ÷ up): shown with `×`, and not ranked against the peers — below 1 means
    /// the side does less work while the collector is away (it drops), which is not better.
    self_ratio: bool,
    values: [Vec<f64>; 4],
}

impl Figure {
    fn new(title: impl Into<String>, better: Better, decimals: usize) -> Figure {
        Figure { title: title.into(), better, decimals, percent: false, self_ratio: false, values: Default::default() }
    }
    fn push(&mut self, side: Side, value: f64) {
        self.values[side as usize].push(value);
    }
    fn cell(&self, side: Side) -> String {
        let m = median(&self.values[side as usize]);
        if self.percent {
            fmt_pct(m)
        } else if self.self_ratio {
            fmt_ratio(m)
        } else {
            fmt_num(m, self.decimals)
        }
    }
    /// otel against the best peer (by median): the median of the per-run ratios otel ÷ that peer (each pair
    /// measured in the same run, as the two-sided table's ratios), the peer's name, and whether otel's median is at
    /// least as good as every peer's.
    fn against_best_peer(&self) -> (String, String) {
        if self.self_ratio {
            return ("–".into(), "–".into());
        }
        let otel = median(&self.values[Side::Otel as usize]);
        let peers = Side::ALL.iter().filter(|&&s| s != Side::Otel).map(|&s| (s, median(&self.values[s as usize])));
        let best = peers.filter(|(_, v)| v.is_finite()).min_by(|a, b| {
            let (x, y) = match self.better {
                Better::Lower => (a.1, b.1),
                Better::Higher => (b.1, a.1),
            };
            x.partial_cmp(&y).unwrap()
        });
        match best {
            Some((side, v)) if otel.is_finite() && v != 0.0 => {
                let ahead = match self.better {
                    Better::Lower => otel <= v,
                    Better::Higher => otel >= v,
                };
                let ratio = median_ratio(&self.values[Side::Otel as usize], &self.values[side as usize]);
                (format!("{} ({})", fmt_ratio(ratio), side.label()), if ahead { "yes".into() } else { "**no**".into() })
            }
            _ => ("n/a".into(), "n/a".into()),
        }
    }
}

/// A ratio as `1.23×`, "n/a" when not finite.
fn fmt_ratio(r: f64) -> String {
    if r.is_finite() {
        format!("{r:.2}×")
    } else {
        "n/a".into()
    }
}

/// The order of the four programs in run `i`: rotated by one each run, so none is always first or last.
fn rotation(i: usize) -> [Side; 4] {
    let mut sides = Side::ALL;
    sides.rotate_left(i % Side::ALL.len());
    sides
}

/// Process CPU time per delivered span, µs.
fn cpu_us_per_span(r: &ChildRun, delivered: usize) -> f64 {
    if delivered == 0 {
        return f64::NAN;
    }
    r.cpu_ms * 1000.0 / delivered as f64
}

/// Runs `launch` against rotel and waits for its spans to settle; returns the run and the spans delivered.
fn run_counted(cx: &Context, rotel: &Rotel, launch: Launch<'_>) -> (ChildRun, usize) {
    let before = rotel.received_span_count();
    let r = cx.bench.run(launch);
    let spans = r.f("spans");
    let target = if spans.is_finite() { before + spans as usize } else { before };
    let delivered = settle(rotel, target) - before;
    (r, delivered)
}

/// Runs the comparison; see the module's documentation.
pub fn run(cx: &Context, report: &mut Report) {
    let (rotel, options) = (cx.rotel(), cx.options);
    let http = rotel.http_endpoint();
    let upstream = format!("127.0.0.1:{}", rotel.http_port()).parse().expect("rotel's HTTP address");
    let requests = options.cost_requests.to_string();
    let pause = options.cost_pause_ms.to_string();
    let cost_args =
        ["--mode", "cost", "--requests", &requests, "--warmup", "500", "--chunk", "100", "--pause-ms", &pause];
    let burst_args = ["--mode", "burst", "--requests", "10000"];

    let mut wall = Figure::new("per-span cost on the app thread, paced, collector up (ns, wall)", Better::Lower, 0);
    let mut cpu = Figure::new("per-span CPU time of the app thread, paced (ns)", Better::Lower, 0);
    let mut proc_cpu = Figure::new("process CPU per delivered span, paced, all threads (µs)", Better::Lower, 2);
    let mut lost = Figure::new("spans lost in the paced run", Better::Lower, 0);
    let mut rss = Figure::new("peak RSS of the paced run (MiB)", Better::Lower, 1);
    let mut share = Figure::new("share of a 30,000-span burst delivered (flat out)", Better::Higher, 1);
    share.percent = true;
    let mut burst_ns = Figure::new("burst: app-thread time per span (ns)", Better::Lower, 0);
    let mut burst_cpu = Figure::new("burst: process CPU per delivered span, all threads (µs)", Better::Lower, 2);
    let mut bytes = Figure::new("bytes on the wire per delivered span (burst, requests as sent)", Better::Lower, 0);
    let mut exit_up = Figure::new("burst: end of work → process exit, collector up (ms)", Better::Lower, 0);
    let mut exit_down = Figure::new("process exit after a burst, collector down (ms)", Better::Lower, 0);
    let mut exit_hung = Figure::new("process exit after a burst, collector hung (ms)", Better::Lower, 0);
    let mut wall_down = Figure::new("per-span cost, paced, collector down (refused) (ns, wall)", Better::Lower, 0);
    let mut wall_hung =
        Figure::new("per-span cost, paced, collector hung (never answers) (ns, wall)", Better::Lower, 0);
    let hung = Receiver::builder().behavior(Behavior::Stall).start_blocking();
    let mut first =
        Figure::new("process start → first span at the collector, app exits after it (ms)", Better::Lower, 1);
    let mut shutdown_lines: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();

    for run in 0..options.runs {
        for side in rotation(run) {
            // Paced cost: below every contender's capacity, so the figure is the steady-state cost.
            let mut launch = Launch::new(side, &cost_args, &http, Duration::from_secs(120));
            launch.protocol = Protocol::HttpProtobuf;
            let (r, delivered) = run_counted(cx, rotel, launch);
            if r.json.is_null() {
                report.note(format!("peers/cost: no result: {}", r.describe()));
                // NaN keeps every side's values aligned by run (the per-run ratios pair them).
                for f in [&mut wall, &mut cpu, &mut proc_cpu, &mut lost, &mut rss] {
                    f.push(side, f64::NAN);
                }
                continue;
            }
            wall.push(side, r.f("app_ns_per_span"));
            cpu.push(side, r.f("cpu_ns_per_span"));
            proc_cpu.push(side, cpu_us_per_span(&r, delivered));
            lost.push(side, (r.f("spans") - delivered as f64).max(0.0));
            rss.push(side, r.f("peak_rss_kb") / 1024.0);
            eprintln!(
                "otel-bench: peers/cost run {run} {}: {:.0} ns/span wall, {:.0} cpu, process {:.2} µs/span, {delivered} \
                 delivered",
                side.name(),
                r.f("app_ns_per_span"),
                r.f("cpu_ns_per_span"),
                cpu_us_per_span(&r, delivered)
            );
        }
        for (condition, figure) in [("down", &mut wall_down), ("hung", &mut wall_hung)] {
            for side in rotation(run + 1) {
                let endpoint = if condition == "down" { down_endpoint() } else { hung.http_endpoint() };
                let mut launch = Launch::new(side, &cost_args, &endpoint, Duration::from_secs(120));
                launch.protocol = Protocol::HttpProtobuf;
                // Its exit is not what is measured here (and may take seconds).
                launch.kill_on_result = true;
                let r = cx.bench.run(launch);
                if r.json.is_null() {
                    report.note(format!("peers/cost-{condition}: no result: {}", r.describe()));
                }
                figure.push(side, r.f("app_ns_per_span"));
                eprintln!(
                    "otel-bench: peers/cost-{condition} run {run} {}: {:.0} ns/span wall",
                    side.name(),
                    r.f("app_ns_per_span")
                );
            }
        }
        for side in rotation(run + 1) {
            // Burst through the counting forwarder: bytes per span as the program sends them.
            let proxy = match CountingProxy::start(upstream) {
                Ok(p) => p,
                Err(e) => {
                    report.note(format!("peers/burst: cannot start the forwarder: {e}"));
                    for f in [&mut share, &mut burst_ns, &mut burst_cpu, &mut bytes, &mut exit_up] {
                        f.push(side, f64::NAN);
                    }
                    continue;
                }
            };
            let mut launch = Launch::new(side, &burst_args, &proxy.endpoint(), Duration::from_secs(120));
            launch.protocol = Protocol::HttpProtobuf;
            let (r, delivered) = run_counted(cx, rotel, launch);
            if r.json.is_null() {
                report.note(format!("peers/burst: no result: {}", r.describe()));
                for f in [&mut share, &mut burst_ns, &mut burst_cpu, &mut bytes, &mut exit_up] {
                    f.push(side, f64::NAN);
                }
                continue;
            }
            let spans = r.f("spans");
            share.push(side, delivered as f64 / spans);
            burst_ns.push(side, r.f("app_ns_per_span"));
            burst_cpu.push(side, cpu_us_per_span(&r, delivered));
            let b = proxy.bytes_sent() as f64 / delivered as f64;
            bytes.push(side, if delivered > 0 { b } else { f64::NAN });
            exit_up.push(side, r.exit_ms());
            let last = r.stderr.lines().rev().find(|l| l.contains("summary") || l.contains("returned")).unwrap_or("");
            shutdown_lines.entry(side.name()).or_default().push(last.to_string());
            eprintln!(
                "otel-bench: peers/burst run {run} {}: {delivered}/{spans} delivered, {:.2} µs CPU/span, {b:.0} B/span",
                side.name(),
                cpu_us_per_span(&r, delivered)
            );
        }
        for side in rotation(run + 2) {
            let mut launch = Launch::new(side, &burst_args, &down_endpoint(), Duration::from_secs(90));
            launch.protocol = Protocol::HttpProtobuf;
            let r = cx.bench.run(launch);
            if r.killed || r.work_done.is_none() {
                report.note(format!("peers/exit-down: {}", r.describe()));
            }
            exit_down.push(side, if r.killed { f64::INFINITY } else { r.exit_ms() });
            eprintln!("otel-bench: peers/exit-down run {run} {}: {:.0} ms", side.name(), r.exit_ms());
        }
        for side in rotation(run + 3) {
            let mut launch = Launch::new(side, &burst_args, &hung.http_endpoint(), Duration::from_secs(90));
            launch.protocol = Protocol::HttpProtobuf;
            let r = cx.bench.run(launch);
            if r.killed || r.work_done.is_none() {
                report.note(format!("peers/exit-hung: {}", r.describe()));
            }
            exit_hung.push(side, if r.killed { f64::INFINITY } else { r.exit_ms() });
            eprintln!("otel-bench: peers/exit-hung run {run} {}: {:.0} ms", side.name(), r.exit_ms());
        }
        for side in rotation(run + 2) {
            let before = rotel.received_span_count();
            let args = ["--mode", "first-exit"];
            let mut launch = Launch::new(side, &args, &http, Duration::from_secs(20));
            launch.protocol = Protocol::HttpProtobuf;
            launch.watch = Some((rotel, before + 1));
            let r = cx.bench.run(launch);
            let t = r.arrived.map(|a| ms(a.saturating_duration_since(r.spawned))).unwrap_or(f64::NAN);
            if r.arrived.is_none() {
                report.note(format!("peers/first run {run} {}: the span never arrived", side.name()));
                settle(rotel, rotel.received_span_count() + 1);
            }
            first.push(side, t);
            eprintln!("otel-bench: peers/first run {run} {}: {t:.1} ms", side.name());
        }
    }

    // Down ÷ up and hung ÷ up of each side, per run (the values are aligned by run).
    let mut down_ratio = Figure::new("per-span cost, collector down ÷ up (same side)", Better::Lower, 2);
    let mut hung_ratio = Figure::new("per-span cost, collector hung ÷ up (same side)", Better::Lower, 2);
    down_ratio.self_ratio = true;
    hung_ratio.self_ratio = true;
    for side in Side::ALL {
        let s = side as usize;
        for (i, up) in wall.values[s].clone().into_iter().enumerate() {
            down_ratio.push(side, wall_down.values[s].get(i).map_or(f64::NAN, |d| d / up));
            hung_ratio.push(side, wall_hung.values[s].get(i).map_or(f64::NAN, |h| h / up));
        }
    }
    let (peak, growth) = memory(cx, report);
    let figures = [
        &wall,
        &cpu,
        &proc_cpu,
        &lost,
        &rss,
        &wall_down,
        &down_ratio,
        &wall_hung,
        &hung_ratio,
        &share,
        &burst_ns,
        &burst_cpu,
        &bytes,
        &exit_up,
        &exit_down,
        &exit_hung,
        &first,
        &peak,
        &growth,
    ];
    let mut header = vec!["figure".to_string()];
    header.extend(Side::ALL.iter().map(|s| s.label().to_string()));
    header.extend([
        "otel ÷ best peer (median of per-run ratios)".to_string(),
        "otel at or ahead of every peer?".to_string(),
    ]);
    let rows = figures
        .iter()
        .map(|f| {
            let mut row = vec![f.title.clone()];
            row.extend(Side::ALL.iter().map(|&s| f.cell(s)));
            let (ratio, ahead) = f.against_best_peer();
            row.extend([ratio, ahead]);
            row
        })
        .collect();
    report.tables.push(Table {
        title: format!(
            "otel and its peers, all over OTLP/HTTP (http/protobuf), medians of {} run{}",
            options.runs,
            if options.runs == 1 { "" } else { "s" }
        ),
        header,
        rows,
    });
    report.note(format!(
        "peers: paced run = {} timed requests ({} spans) in chunks of 100 with {} ms pauses; burst = 10,000 requests \
         (30,000 spans) back to back; process CPU = user + system time of the whole process (wait4), start to exit",
        options.cost_requests,
        options.cost_requests * SPANS_PER_REQUEST,
        options.cost_pause_ms
    ));
    let per_side = |f: &Figure| -> Value {
        Side::ALL.iter().map(|&s| (s.name().to_string(), json!(f.values[s as usize]))).collect()
    };
    report.raw(
        "peers",
        json!({
            "wall_ns": per_side(&wall), "cpu_ns": per_side(&cpu), "process_cpu_us_per_span": per_side(&proc_cpu),
            "lost_paced": per_side(&lost), "peak_rss_mib": per_side(&rss), "burst_share": per_side(&share),
            "burst_ns": per_side(&burst_ns), "burst_process_cpu_us_per_span": per_side(&burst_cpu),
            "bytes_per_span": per_side(&bytes), "exit_up_ms": per_side(&exit_up), "exit_down_ms": per_side(&exit_down),
            "first_exit_ms": per_side(&first), "burst_shutdown_lines": shutdown_lines,
            "wall_down_ns": per_side(&wall_down), "wall_hung_ns": per_side(&wall_hung),
            "exit_hung_ms": per_side(&exit_hung), "memory_peak_mib": per_side(&peak),
            "memory_growth_mib": per_side(&growth),
        }),
    );
}

/// Peak memory with the collector down: the four programs at once, each at `mem_rate` spans/s for `mem_secs`
/// against its own refused port (as the two-sided memory scenario); their peak RSS and RSS growth over the second
/// half, MiB. One run.
fn memory(cx: &Context, report: &mut Report) -> (Figure, Figure) {
    let options = cx.options;
    let rate = format!("{:.0}", options.mem_rate);
    let secs = format!("{}", options.mem_secs);
    let args = ["--mode", "rate", "--rate", &rate, "--secs", &secs];
    let limit = Duration::from_secs_f64(options.mem_secs + 90.0);
    let runs: Vec<ChildRun> = std::thread::scope(|scope| {
        let handles: Vec<_> = Side::ALL
            .iter()
            .map(|&side| {
                let args = &args;
                scope.spawn(move || {
                    let mut launch = Launch::new(side, args, &down_endpoint(), limit);
                    launch.protocol = Protocol::HttpProtobuf;
                    cx.bench.run(launch)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("memory run thread")).collect()
    });
    let title_peak = format!("peak RSS after {} s at {rate} spans/s, collector down, the four at once (MiB)", secs);
    let mut peak = Figure::new(title_peak, Better::Lower, 1);
    let mut growth = Figure::new("RSS growth over the second half of that run (MiB)", Better::Lower, 1);
    for r in &runs {
        if r.json.is_null() {
            report.note(format!("peers/memory: no result: {}", r.describe()));
        }
        peak.push(r.side, r.f("peak_rss_kb") / 1024.0);
        growth.push(r.side, (r.f("rss_end_kb") - r.f("rss_mid_kb")) / 1024.0);
        eprintln!("otel-bench: peers/memory {}: peak {:.1} MiB", r.side.name(), r.f("peak_rss_kb") / 1024.0);
    }
    (peak, growth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_every_side_through_every_place() {
        assert_eq!(rotation(0), Side::ALL);
        assert_eq!(rotation(1), [Side::Otel, Side::Ito, Side::Oxtel, Side::Peer]);
        assert_eq!(rotation(4), Side::ALL);
    }

    #[test]
    fn compares_otel_with_the_best_peer_in_the_right_direction() {
        let mut f = Figure::new("x", Better::Lower, 0);
        for (side, v) in [(Side::Peer, 5.0), (Side::Otel, 4.0), (Side::Ito, 9.0), (Side::Oxtel, 3.5)] {
            f.push(side, v);
        }
        let (ratio, ahead) = f.against_best_peer();
        assert_eq!(ratio, "1.14× (oxtel)");
        assert_eq!(ahead, "**no**");
        let mut g = Figure::new("y", Better::Higher, 0);
        for (side, v) in [(Side::Peer, 0.2), (Side::Otel, 1.0), (Side::Ito, 0.2), (Side::Oxtel, 0.4)] {
            g.push(side, v);
        }
        assert_eq!(g.against_best_peer(), ("2.50× (oxtel)".to_string(), "yes".to_string()));
        g.self_ratio = true;
        assert_eq!(g.against_best_peer(), ("–".to_string(), "–".to_string()));
        assert_eq!(g.cell(Side::Otel), "1.00×");
    }
}
