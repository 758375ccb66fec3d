//! `metrics`: a counter increment, `meter.u64_counter(..).build().add(1, &[KeyValue::new("route", "/checkout")])`,
//! through `otel::meter` in `#[otel::main]` against the same through a hand-built global `SdkMeterProvider` with a
//! periodic reader over opentelemetry-otlp's `MetricExporter` (`bench-peer --metrics on`), OTLP/gRPC to the same
//! live rotel, alternating the order each run. Both record through the SDK's own instruments (otel installs the
//! SDK's meter provider), so the figure shows what otel adds to the call: nothing is the expected answer.
//! 1,000,000 timed adds per run in chunks of 1,000 after 10,000 untimed ones; then each program exits, and its final
//! collection exports the counter (the data points rotel logged are counted: otel's include its own pipeline
//! metrics, which it exports by default).

use super::variants::{rotation, table, Figure, Variant};
use super::Context;
use crate::child::{settle_items, Item, Side};
use crate::report::Report;
use serde_json::json;

/// The programs compared, the recipe first.
const VARIANTS: [Variant; 2] = [
    Variant { label: "hand-written SdkMeterProvider", side: Side::Peer, args: &["--metrics", "on"], env: &[] },
    Variant { label: "otel (otel::meter)", side: Side::Otel, args: &[], env: &[("OTEL_METRICS_EXPORTER", "otlp")] },
];

/// Runs the comparison; see the module's documentation.
pub fn run(cx: &Context, report: &mut Report) {
    let (bench, rotel, options) = (cx.bench, cx.rotel(), cx.options);
    let endpoint = rotel.grpc_endpoint();
    let n = VARIANTS.len();
    let adds = if options.quick { "200000" } else { "1000000" };
    let args = ["--mode", "counter", "--requests", adds, "--warmup", "10000", "--chunk", "1000"];
    let mut wall = Figure::new("counter add(1, &[one attribute]), app thread (ns, wall)", 1, n);
    let mut cpu = Figure::new("counter add: app thread's CPU time (ns)", 1, n);
    let mut points = Figure::new("data points the collector got at exit (final collection)", 0, n);
    for run in 0..options.runs {
        for v in rotation(n, run) {
            let variant = &VARIANTS[v];
            let before = rotel.received_data_point_count();
            let r = bench.run(variant.launch(&args, &endpoint));
            if r.json.is_null() {
                report.note(format!("metrics run {run} {}: no result: {}", variant.label, r.describe()));
            }
            // At least the counter's one point; waits for more only until the count stops moving.
            let got = settle_items(rotel, Item::DataPoints, before + usize::MAX / 2) - before;
            wall.values[v].push(r.f("ns_per_add"));
            cpu.values[v].push(r.f("cpu_ns_per_add"));
            points.values[v].push(got as f64);
            eprintln!(
                "otel-bench: metrics run {run} {}: {:.1} ns/add wall, {:.1} ns/add cpu, {got} data points",
                variant.label,
                r.f("ns_per_add"),
                r.f("cpu_ns_per_add")
            );
        }
    }
    report.tables.push(table(
        "Metrics: a counter increment, otel against a hand-built SdkMeterProvider (OTLP/gRPC, live rotel)",
        &VARIANTS,
        &[&wall, &cpu, &points],
    ));
    report.note(format!(
        "metrics: {adds} timed adds per run in chunks of 1,000 after 10,000 untimed; the attribute built at each \
         call (`KeyValue::new(\"route\", \"/checkout\")`), as application code writes it"
    ));
    report
        .raw("metrics", json!({"ns_per_add": wall.values, "cpu_ns_per_add": cpu.values, "data_points": points.values}));
}
