//! `burst`: a 30,000-span burst as fast as it goes: the share delivered, and otel's accounting of the rest.

use super::Context;
use crate::child::{order, settle, Launch, Side};
use crate::report::{fmt_num, fmt_pct, Report, Row};
use crate::stats::{check, median, median_ratio};
use serde_json::json;
use std::time::Duration;

/// A burst of 10,000 requests (30,000 spans) as fast as they go, default settings, live local collector: the share
/// that reaches it, and whether otel's summary accounts for every span not delivered.
pub fn run(cx: &Context, report: &mut Report) {
    let (bench, rotel, options) = (cx.bench, cx.rotel(), cx.options);
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
                // Only the two sides of `order` run here.
                Side::Peer | Side::Ito | Side::Oxtel => peer_results.push(r.peer_shutdown()),
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
