//! The same workload under init-tracing-opentelemetry 0.44, set up as its README recommends for production:
//! `TracingConfig::production().init_subscriber()` and the guard kept for the life of `main` (its drop shuts the
//! tracer provider down: the SDK's `BatchSpanProcessor`, default settings). Configured by environment, as its
//! users do: `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_SERVICE_NAME`, `RUST_LOG=info`.
//!
//! One change to the preset: its JSON log lines (one per event: the preset has a fmt layer to stdout and no way
//! to turn it off) go to `/dev/null`, not stdout, because stdout carries this program's result line. The
//! formatting is still done, as in production; only the write goes nowhere.
//!
//! Usage: `bench-ito --mode burst|cost|rate|first-exit|first-live [...]` (see `otel_bench::Settings`). Prints one
//! JSON line on stdout, then drops the guard and prints how long that took on stderr.

use otel_bench::{ms, print_result, Settings};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let settings = Settings::from_args();
    let guard = init_tracing_opentelemetry::TracingConfig::production()
        .with_file("/dev/null")
        .init_subscriber()
        .expect("bench-ito: init_subscriber failed");

    let fields = otel_bench::run(&settings).await;
    print_result("ito", fields);

    let start = Instant::now();
    drop(guard);
    eprintln!("bench-ito: guard dropped after {:.1} ms", ms(start.elapsed()));
}
