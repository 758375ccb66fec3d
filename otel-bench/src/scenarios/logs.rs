//! `logs`: otel with logs on (its defaults: every event a log record and a span event) against the hand-written
//! opentelemetry-appender-tracing 0.33 recipe (`bench-peer --logs on`: `OpenTelemetryTracingBridge` over an
//! `SdkLoggerProvider` with the SDK's `BatchLogProcessor` and opentelemetry-otlp's `LogExporter`, beside the
//! tracing-opentelemetry layer), and otel with `logs.span_events = false`; all over OTLP/gRPC to the same live rotel,
//! in a rotating order each run. Two figures (issue #10):
//!
//! - the cost of an event inside a span on the application's thread, paced so that nothing drops: logged requests
//!   (a parent span, a child span, 8 events in the child) in chunks of 10 with 10 ms pauses (at most 8,000
//!   records/s); the events alone are timed (wall), and the whole chunks (wall and the thread's CPU clock); the
//!   same run without events gives, by difference, the events' CPU time;
//! - a 30,000-record burst (10,000 logged requests of 3 events, as fast as they go): the records delivered to the
//!   collector (counted at rotel), and for otel whether its `otel summary (logs):` line accounts for every loss.

use super::variants::{condense, rotation, table, Figure, Variant};
use super::Context;
use crate::child::{settle_items, ChildRun, Item, Side};
use crate::report::{fmt_num, Report};
use crate::stats::median;
use serde_json::json;

/// The programs compared, the recipe first (the ratios are to it).
const VARIANTS: [Variant; 3] = [
    Variant { label: "hand-written appender-tracing recipe", side: Side::Peer, args: &["--logs", "on"], env: &[] },
    Variant { label: "otel (defaults)", side: Side::Otel, args: &[], env: &[("OTEL_LOGS_EXPORTER", "otlp")] },
    Variant {
        label: "otel, logs.span_events = false",
        side: Side::Otel,
        args: &[],
        env: &[("OTEL_LOGS_EXPORTER", "otlp"), ("OTEL_TOML_LOGS_SPAN_EVENTS", "false")],
    },
];

/// Events per logged request in the paced run.
const COST_EVENTS: u64 = 8;
/// Logged requests of the burst, and their events: 30,000 records.
const BURST_REQUESTS: u64 = 10_000;
const BURST_EVENTS: u64 = 3;

/// Whether otel's logs summary accounts for the burst: every record ended, and each one not delivered counted as
/// failed or dropped. `Err` says what does not add up.
pub fn check_accounting(summary: Option<crate::child::Summary>, events: u64, delivered: u64) -> Result<(), String> {
    let Some(s) = summary else { return Err("no `otel summary (logs):` line".into()) };
    if s.ended != events {
        return Err(format!("ended={} for {events} events", s.ended));
    }
    if s.exported + s.failed + s.dropped != s.ended {
        return Err(format!("exported + failed + dropped ≠ ended in {s:?}"));
    }
    if s.exported != delivered {
        return Err(format!("exported={} but the collector got {delivered}", s.exported));
    }
    Ok(())
}

/// The CPU time of one event: the difference between a request with `events` events and one without, per event.
pub fn event_cpu_ns(with_events: f64, without: f64, events: u64) -> f64 {
    if events == 0 {
        return f64::NAN;
    }
    (with_events - without) / events as f64
}

/// Process CPU time per record, µs (all threads, the pipeline's included).
fn cpu_us_per_record(r: &ChildRun, records: f64) -> f64 {
    r.cpu_ms * 1000.0 / records
}

/// Runs the comparison; see the module's documentation.
pub fn run(cx: &Context, report: &mut Report) {
    let (bench, rotel, options) = (cx.bench, cx.rotel(), cx.options);
    let endpoint = rotel.grpc_endpoint();
    let n = VARIANTS.len();
    // A fifth of the span cost's requests: each has 8 events, so as many records as that run has spans, and more.
    let requests = (options.cost_requests / 5).max(100).to_string();
    let events = COST_EVENTS.to_string();
    let cost_args = [
        "--mode",
        "log-cost",
        "--requests",
        &requests,
        "--warmup",
        "200",
        "--chunk",
        "10",
        "--pause-ms",
        "10",
        "--events",
        &events,
    ];
    // The same requests without events: the difference is the events' CPU time (the clock of the app thread is
    // too coarse, a system call per read, to time 8 events alone).
    let mut bare_args = cost_args;
    debug_assert_eq!(bare_args[10], "--events");
    bare_args[11] = "0";
    let (burst_requests, burst_events) = (BURST_REQUESTS.to_string(), BURST_EVENTS.to_string());
    let burst_args = ["--mode", "log-burst", "--requests", &burst_requests, "--events", &burst_events];

    let mut event_ns = Figure::new("cost of one event inside a span, app thread, paced (ns, wall)", 0, n);
    let mut request_ns =
        Figure::new(format!("logged request: 2 spans + {COST_EVENTS} events, app thread, paced (ns, wall)"), 0, n);
    let mut request_cpu = Figure::new("logged request: app thread's CPU time, paced (ns)", 0, n);
    let mut event_cpu = Figure::new(
        format!("CPU time of one event inside a span, app thread, paced (ns; 8 events − 0 events per request, ÷ {COST_EVENTS})"),
        0,
        n,
    );
    let mut proc_cpu = Figure::new("paced: process CPU per record, all threads (µs)", 2, n);
    let mut lost = Figure::new("paced: log records lost", 0, n);
    let mut share = Figure::new("30,000-record burst: share delivered to the collector", 1, n);
    share.percent = true;
    let mut burst_ns = Figure::new("burst: app-thread time per event, flat out (ns)", 0, n);
    let mut burst_exit = Figure::new("burst: end of work → process exit (ms)", 0, n);
    let mut accounted: Vec<Vec<String>> = vec![vec![]; n];
    for run in 0..options.runs {
        for v in rotation(n, run) {
            let variant = &VARIANTS[v];
            let before = rotel.received_log_count();
            let r = bench.run(variant.launch(&cost_args, &endpoint));
            let records = r.f("events");
            let delivered = if records.is_finite() {
                (settle_items(rotel, Item::Logs, before + records as usize) - before) as f64
            } else {
                report.note(format!("logs/cost run {run} {}: no result: {}", variant.label, r.describe()));
                f64::NAN
            };
            event_ns.values[v].push(r.f("event_ns"));
            request_ns.values[v].push(r.f("app_ns_per_request"));
            request_cpu.values[v].push(r.f("cpu_ns_per_request"));
            let bare = bench.run(variant.launch(&bare_args, &endpoint));
            if bare.json.is_null() {
                report.note(format!(
                    "logs/cost run {run} {} without events: no result: {}",
                    variant.label,
                    bare.describe()
                ));
            }
            event_cpu.values[v].push(event_cpu_ns(
                r.f("cpu_ns_per_request"),
                bare.f("cpu_ns_per_request"),
                COST_EVENTS,
            ));
            proc_cpu.values[v].push(cpu_us_per_record(&r, records));
            lost.values[v].push(records - delivered);
            eprintln!(
                "otel-bench: logs/cost run {run} {}: {:.0} ns/event, {:.0} ns/request, {delivered}/{records} records",
                variant.label,
                r.f("event_ns"),
                r.f("app_ns_per_request")
            );
        }
        for v in rotation(n, run) {
            let variant = &VARIANTS[v];
            let before = rotel.received_log_count();
            let r = bench.run(variant.launch(&burst_args, &endpoint));
            let records = r.f("events");
            if !records.is_finite() {
                report.note(format!("logs/burst run {run} {}: no result: {}", variant.label, r.describe()));
            }
            let target = before + if records.is_finite() { records as usize } else { 0 };
            let delivered = settle_items(rotel, Item::Logs, target) - before;
            share.values[v].push(delivered as f64 / records);
            burst_ns.values[v].push(r.f("app_ns_per_event"));
            burst_exit.values[v].push(r.exit_ms());
            let verdict = match variant.side {
                Side::Otel => {
                    let summary = r.signal_summary("logs");
                    let verdict = match check_accounting(summary, records as u64, delivered as u64) {
                        Ok(()) => "yes".to_string(),
                        Err(e) => {
                            report.note(format!("logs/burst run {run} {}: not accounted: {e}", variant.label));
                            "no".to_string()
                        }
                    };
                    let line = summary.map_or("(no line)".into(), |s| {
                        format!("ended={} exported={} failed={} dropped={}", s.ended, s.exported, s.failed, s.dropped)
                    });
                    format!("{verdict}: {line}")
                }
                _ => format!("no count: logger_provider.shutdown() returned {}", r.peer_shutdown_of("logger_provider")),
            };
            eprintln!("otel-bench: logs/burst run {run} {}: {delivered}/{records} records; {verdict}", variant.label);
            accounted[v].push(verdict);
        }
    }
    let mut t = table(
        "Logs: otel against the hand-written appender-tracing recipe (OTLP/gRPC, live rotel)",
        &VARIANTS,
        &[&event_ns, &event_cpu, &request_ns, &request_cpu, &proc_cpu, &lost, &share, &burst_ns, &burst_exit],
    );
    let mut row = vec!["burst: every undelivered record counted at exit (per run)".to_string()];
    row.extend(accounted.iter().map(|a| condense(a)));
    row.push("–".into());
    t.rows.push(row);
    report.tables.push(t);
    report.note(format!(
        "logs: paced run = {requests} timed logged requests (2 spans + {COST_EVENTS} events each) per run in chunks \
         of 10 with 10 ms pauses; the event figure times the events alone (two clock reads per request, ~{} ns per \
         event of it); burst = {BURST_REQUESTS} logged requests of {BURST_EVENTS} events (30,000 records), default \
         settings on every side (the SDK's BatchLogProcessor: 2,048-record queue, drops silently)",
        fmt_num(40.0 / COST_EVENTS as f64, 0)
    ));
    report.raw(
        "logs",
        json!({
            "variants": VARIANTS.iter().map(|v| v.label).collect::<Vec<_>>(),
            "event_ns": event_ns.values, "request_ns": request_ns.values, "request_cpu_ns": request_cpu.values,
            "event_cpu_ns": event_cpu.values,
            "proc_cpu_us_per_record": proc_cpu.values, "lost_paced": lost.values, "burst_share": share.values,
            "burst_ns_per_event": burst_ns.values, "burst_exit_ms": burst_exit.values, "burst_accounting": accounted,
            "median_event_ns": event_ns.values.iter().map(|v| median(v)).collect::<Vec<_>>(),
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::child::Summary;

    #[test]
    fn the_accounting_check_wants_every_record_counted() {
        let s = |ended, exported, failed, dropped| Some(Summary { ended, exported, failed, dropped });
        assert_eq!(check_accounting(s(30_000, 28_000, 0, 2_000), 30_000, 28_000), Ok(()));
        assert_eq!(check_accounting(s(30_000, 30_000, 0, 0), 30_000, 30_000), Ok(()));
        // The collector got fewer than otel says it exported: not accounted.
        assert!(check_accounting(s(30_000, 30_000, 0, 0), 30_000, 29_000).is_err());
        // Losses that are in no counter.
        assert!(check_accounting(s(30_000, 28_000, 0, 1_000), 30_000, 28_000).is_err());
        // Records the pipeline never saw.
        assert!(check_accounting(s(29_000, 29_000, 0, 0), 30_000, 29_000).is_err());
        assert!(check_accounting(None, 30_000, 30_000).unwrap_err().contains("no `otel summary (logs):` line"));
    }

    #[test]
    fn the_event_cost_is_the_difference_per_event() {
        assert_eq!(event_cpu_ns(25_000.0, 9_000.0, 8), 2_000.0);
        // A run that gave nothing stays unknown, not zero.
        assert!(event_cpu_ns(25_000.0, f64::NAN, 8).is_nan());
        assert!(event_cpu_ns(25_000.0, 9_000.0, 0).is_nan());
    }
}
