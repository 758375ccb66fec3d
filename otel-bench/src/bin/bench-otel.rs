//! The same workload under `#[otel::main]`. The runner configures it by environment only, as a user would:
//! `OTEL_EXPORTER_OTLP_PROTOCOL=grpc`, `OTEL_EXPORTER_OTLP_ENDPOINT=…`, `OTEL_TOML_FMT_FORMAT=off`,
//! `OTEL_TOML_SHUTDOWN_SUMMARY=always` (so the `otel summary:` line is always printed), and runs it in an empty
//! directory (no otel.toml).
//!
//! Usage: `bench-otel --mode burst|cost|rate|first-exit|first-live [...]` (see `otel_bench::Settings`). Prints
//! one JSON line on stdout before `main` returns; the pipeline's shutdown (and its summary on stderr) follows.

use otel_bench::{print_result, Settings};

#[otel::main]
async fn main() {
    let settings = Settings::from_args();
    // The counter mode's meter through the facade's shortcut, as otel's users write it.
    let fields = otel_bench::run_with_meter(&settings, otel::meter).await;
    print_result("otel", fields);
}
