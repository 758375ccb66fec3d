//! # otel — one attribute on `main`, a complete OpenTelemetry pipeline
//!
//! ```no_run
//! #[otel::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     tracing::info!("spans and events now go to the collector named in otel.toml");
//!     Ok(())
//! }
//! ```
//!
//! The attribute reads `otel.toml` and the standard `OTEL_*` variables, builds the OTLP exporter (gRPC or
//! HTTP), installs the `tracing` layers and flushes every span on the way out, within `shutdown.timeout`.
//! See the README for every configuration key.
//!
//! This crate is a facade: it re-exports the macro ([`main`]), the runtime ([`otel_runtime`]) and the
//! configuration model ([`config`]), so an application depends on `otel` alone and the versions of
//! tokio and the opentelemetry crates it uses can never skew.

pub use otel_macros::main;
pub use otel_runtime::*;

/// The configuration model: every otel.toml key, its default and its `OTEL_*` variable.
pub use otel_config as config;

/// Support for the expansion of `#[otel::main]`. Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use otel_runtime::entry::{block_on, run_sync, Flavor, MainOptions};
    /// otel-bench's micro-benchmarks: otel's subscriber and processor around a discarding sink.
    pub use otel_runtime::bench::{dispatch as bench_dispatch, BenchPipeline};
}
