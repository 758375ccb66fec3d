//! `first`: process start to the first span at the collector.

use super::Context;
use crate::child::{order, settle, Launch};
use crate::report::{fmt_num, Report, Row};
use crate::stats::{check, median, median_ratio};
use otel_bench::ms;
use serde_json::json;
use std::time::Duration;

/// Time from process spawn to the first span at the collector: (a) the program ends one span and exits (the span
/// goes out with the shutdown flush); (b) it ends one span and keeps running (the span goes out whenever the
/// processor sends it). Also from spawn to the span having ended in the app (startup + pipeline setup).
pub fn run(cx: &Context, report: &mut Report) {
    let (bench, rotel, options) = (cx.bench, cx.rotel(), cx.options);
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
