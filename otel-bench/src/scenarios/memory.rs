//! `memory`: peak memory with the collector down at a steady rate.

use super::Context;
use crate::child::{down_endpoint, ChildRun, Launch, Side};
use crate::report::{fmt_num, Report, Row};
use serde_json::json;
use std::time::Duration;

/// Peak memory with the collector down at a steady rate: both programs run at once (each at `mem_rate` spans/s for
/// `mem_secs`, each against its own refused port); each reports VmHWM and its RSS at the middle and at the end.
pub fn run(cx: &Context, report: &mut Report) {
    let (bench, options) = (cx.bench, cx.options);
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
