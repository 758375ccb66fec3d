//! The same workload under oxtel 0.3 (its own SDK, OTLP/HTTP only), set up as its README recommends:
//! `oxtel::init()` and the guard kept for the life of `main`; batch export with its defaults (2,048-item queue).
//! Configured by environment, as its users do: `OTEL_EXPORTER_OTLP_ENDPOINT` (HTTP base URL),
//! `OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`, `OTEL_SERVICE_NAME`, `RUST_LOG=info`, and — so that it does what
//! the other programs do, traces only and no local output — `OXTEL_LOG_FORMAT=none`, `OTEL_LOGS_EXPORTER=none`,
//! `OTEL_METRICS_EXPORTER=none`.
//!
//! Usage: `bench-oxtel --mode burst|cost|rate|first-exit|first-live [...]` (see `otel_bench::Settings`). Prints
//! one JSON line on stdout, then shuts the guard down and prints what that returned on stderr.

use otel_bench::{ms, print_result, Settings};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let settings = Settings::from_args();
    let telemetry = oxtel::init().expect("bench-oxtel: oxtel::init failed");

    let fields = otel_bench::run(&settings).await;
    print_result("oxtel", fields);

    let start = Instant::now();
    let result = telemetry.shutdown();
    eprintln!("bench-oxtel: shutdown() returned {result:?} after {:.1} ms", ms(start.elapsed()));
}
