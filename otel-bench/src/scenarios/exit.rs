//! `exit`: process exit after a burst with the collector down and hung.

use super::Context;
use crate::child::{down_endpoint, order, Launch, Side};
use crate::report::{fmt_num, Report, Row};
use crate::stats::{check, median, median_ratio};
use otel_testkit::{Behavior, Receiver};
use serde_json::json;
use std::time::Duration;

/// Process exit after a 30,000-span burst with the collector down (refused) and hung: time from the end of the
/// workload (its `bench: work-done` line) to the process's exit.
pub fn run(cx: &Context, report: &mut Report) {
    let (bench, options) = (cx.bench, cx.options);
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
