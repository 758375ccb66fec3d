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
//! An application that cannot put the attribute on its `main` calls [`start`] and holds the [`OtelGuard`]:
//!
//! ```no_run
//! fn main() -> Result<(), otel::StartError> {
//!     let _guard = otel::start(otel::StartOptions::new().service_name("demo"))?;
//!     tracing::info!("exported");
//!     Ok(()) // the guard flushes as it drops, within shutdown.timeout
//! }
//! ```
//!
//! # The public API
//!
//! Every item below is exported by name; an application depends on `otel` alone, so the versions of tokio and
//! the opentelemetry crates it uses can never skew:
//!
//! - starting: [`main`], or [`start`] with [`StartOptions`] (failing with [`StartError`]), holding an
//!   [`OtelGuard`]; ending the process with a flush: [`exit`];
//! - the export channel's health: [`health`] ([`HealthSnapshot`], [`HealthState`], [`SpanTotals`]) and its
//!   failures: [`failures`] ([`FailureStream`], [`FailureEvent`], [`ErrorKind`]);
//! - carrying a trace across services: [`propagation`] ([`propagation::inject`] into outgoing headers,
//!   [`propagation::set_parent`] from incoming ones);
//! - the configuration model: [`config`].
//!
//! Structs and enums that may grow are `#[non_exhaustive]`. Anything else reachable (the `otel-runtime` and
//! `otel-macros` crates, the doc-hidden `__private` module the macro's expansion uses) is not public API and may
//! change in any release. The list is pinned by `tests/public_api.rs`: a change to it is a deliberate diff of
//! `tests/public-api.txt`.

#![warn(missing_docs)]

#[doc(inline)]
pub use otel_macros::main;

#[doc(inline)]
pub use otel_runtime::{exit, start, BuildError, BuildErrorKind, OtelGuard, StartError, StartOptions};

#[doc(inline)]
pub use otel_runtime::{
    failures, health, meter, ErrorKind, FailureEvent, FailureStream, HealthSnapshot, HealthState, KeyValue, Signal,
    SignalHealth, SpanTotals, Totals,
};

/// The configuration model: every otel.toml key, its default and its `OTEL_*` variable.
pub use otel_config as config;

#[doc(inline)]
pub use otel_runtime::propagation;

/// Support for the expansion of `#[otel::main]` and for otel's own tools. **Not a public API**: it may change in
/// any release.
#[doc(hidden)]
pub mod __private {
    /// otel-bench's micro-benchmarks: otel's subscriber and processor around a discarding sink.
    pub use otel_runtime::bench::{dispatch as bench_dispatch, BenchPipeline};
    pub use otel_runtime::entry::{block_on, run_sync, Flavor, MainOptions};
    pub use otel_runtime::{listen_for_signals, propagator_warnings, resource_attributes, start_or_exit};
}
