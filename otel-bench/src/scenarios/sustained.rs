//! `sustained`: the highest steady span rate delivered with zero loss.

use super::Context;
use crate::child::{order, settle, Launch, Side};
use crate::report::{fmt_num, Report, Row};
use crate::stats::check;
use serde_json::json;
use std::time::Duration;

/// Outcome of one sustained-rate trial.
struct Trial {
    ok: bool,
    why: String,
}

/// Sustained spans/s with zero loss: a trial runs `rate` spans/s for `secs`; it passes when the collector got every
/// span, the program kept the rate (≥ 97% of it) and, when the load ended, at most 1 s worth of spans (or 1,024,
/// whichever is more) was still on its way — a pipeline that only buffers does not pass. The rate doubles from
/// 10,000/s until a trial fails, then is bisected.
pub fn run(cx: &Context, report: &mut Report) {
    let (bench, rotel, options) = (cx.bench, cx.rotel(), cx.options);
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
