//! `cost`: per-span cost on the application's thread, collector up, down and hung.

use super::Context;
use crate::child::{down_endpoint, order, settle, Launch};
use crate::report::{fmt_num, Report, Row};
use crate::stats::{check, median, median_ratio};
use otel_bench::SPANS_PER_REQUEST;
use otel_testkit::{Behavior, Receiver};
use serde_json::json;
use std::time::Duration;

/// Per-span cost on the application's thread, with the collector up, down (refused) and hung (accepts the
/// request, never answers). Each run measures all six (side × condition) back to back.
pub fn run(cx: &Context, report: &mut Report) {
    let (bench, rotel, options) = (cx.bench, cx.rotel(), cx.options);
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
