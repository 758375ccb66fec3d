//! The runtime behind the `otel` crate: configuration loading, the OTLP export pipeline, the `tracing` layers, the
//! bounded shutdown flush and the health of the export channel.
//!
//! **Not a public API: use [`otel`](https://docs.rs/otel).** This crate is published only because `otel`
//! depends on it; it may change in any release. Everything an application needs is exported by name from
//! `otel` (`otel::start`, `otel::health`, …); what is doc-hidden here exists for `#[otel::main]`'s expansion
//! and otel's own tools (otel-check, otel-bench).

#![warn(missing_docs)]

mod accounting;
#[doc(hidden)]
pub mod bench;
mod build_error;
mod console;
mod detectors;
#[doc(hidden)]
pub mod entry;
mod export;
mod failures;
mod fmt_ids;
/// The fuzz targets' entry points (`fuzz/`). Not a public API.
#[doc(hidden)]
pub mod __fuzz {
    pub use crate::fuzz::*;
}
mod fuzz;
mod health;
mod logs;
mod metrics;
mod otlp_encode;
#[doc(hidden)]
pub mod ping;
mod pipeline;
mod processor;
pub mod propagation;
mod sdk;
mod shutdown;
mod signals;
mod sink;
mod start;
mod subscriber;
mod sync;
#[cfg(test)]
mod test_support;
pub mod testing;
pub(crate) mod transport;
#[doc(hidden)]
pub mod u64_fields;

pub use build_error::{BuildError, BuildErrorKind};
pub use failures::FailureStream;
pub use health::{ErrorKind, FailureEvent, HealthSnapshot, HealthState, SignalHealth, Totals};
pub use otel_config::Signal;
#[doc(hidden)]
pub use sdk::{propagator_warnings, resource_attributes};
pub use shutdown::OtelGuard;
#[doc(hidden)]
pub use start::start_or_exit;
pub use start::{start, StartError, StartOptions};

use std::sync::{Arc, OnceLock};

/// The pipeline `start` installed (at most one per process).
static INSTALLED: OnceLock<Arc<shutdown::Installed>> = OnceLock::new();

/// The export pipeline's health now: state, span totals, last failure.
///
/// ```no_run
/// # use otel_runtime as otel;
/// let health = otel::health();
/// if health.state != otel::HealthState::Healthy {
///     eprintln!("tracing degraded: {:?}", health.last_error);
/// }
/// ```
pub fn health() -> HealthSnapshot {
    match INSTALLED.get() {
        Some(installed) => installed.health(),
        None => HealthSnapshot::none(),
    }
}

/// A stream of the export pipeline's failure events from now on: failed attempts (`retrying`), lost spans
/// (failed, rejected, dropped), each with its cause and endpoint. Bounded and coalescing: a slow reader never
/// slows the exporter. Ends after shutdown; already ended when no pipeline is installed.
///
/// ```no_run
/// # use otel_runtime as otel;
/// # async fn demo() {
/// let mut failures = otel::failures();
/// while let Some(event) = failures.recv().await {
///     if !event.retrying {
///         eprintln!("{} {} lost: {}", event.items, event.signal, event.kind);
///     }
/// }
/// # }
/// ```
pub fn failures() -> FailureStream {
    match INSTALLED.get() {
        Some(installed) => installed.listeners.subscribe(),
        None => failures::closed_stream(),
    }
}

/// A meter of the global meter provider `#[otel::main]` installs (metrics exported per `[metrics]`): the same as
/// `opentelemetry::global::meter(name)`, without depending on the opentelemetry crate. With metrics off, or before
/// the pipeline starts, its instruments record nothing.
///
/// ```
/// # use otel_runtime as otel;
/// let requests = otel::meter("checkout").u64_counter("requests").build();
/// requests.add(1, &[otel::KeyValue::new("route", "/pay")]);
/// ```
pub fn meter(name: &'static str) -> opentelemetry::metrics::Meter {
    opentelemetry::global::meter(name)
}

/// An attribute (key and value) for metrics: `otel::KeyValue::new("route", "/pay")`.
///
/// ```
/// let attribute = otel_runtime::KeyValue::new("route", "/pay");
/// assert_eq!(attribute.key.as_str(), "route");
/// ```
pub use opentelemetry::KeyValue;

/// Flushes the pipeline (within `shutdown.timeout`), prints the summary if spans were lost, then ends the process
/// with `code`.
///
/// Use it instead of [`std::process::exit`], which ends the process on the spot: destructors do not run, so the
/// guard `#[otel::main]` holds never flushes, and the spans still queued (up to `batch.schedule_delay` worth) are
/// lost without a word.
///
/// ```no_run
/// # use otel_runtime as otel;
/// if std::env::args().count() > 3 {
///     otel::exit(2);
/// }
/// ```
pub fn exit(code: i32) -> ! {
    if let Some(installed) = INSTALLED.get() {
        installed.finish();
    }
    std::process::exit(code)
}

/// Listens for SIGTERM and SIGINT: on either, flush (within `shutdown.timeout`) and end the process with status
/// 128 + the signal number. [`start`] does this already unless [`StartOptions::signals`] is `false`.
#[doc(hidden)]
pub fn listen_for_signals() {
    if let Some(installed) = INSTALLED.get() {
        signals::listen(installed);
    }
}
