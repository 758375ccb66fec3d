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
//! - testing instrumentation: [`test`] and [`testing`];
//! - starting: [`main`], or [`start`] with [`StartOptions`] (failing with [`StartError`], whose build stage
//!   carries a [`BuildError`] of a [`BuildErrorKind`]), holding an [`OtelGuard`]; ending the process with a
//!   flush: [`exit`];
//! - the export channel's health: [`health`] ([`HealthSnapshot`], [`HealthState`], per [`Signal`] a
//!   [`SignalHealth`], the [`Totals`]) and its failures: [`failures`] ([`FailureStream`], [`FailureEvent`],
//!   [`ErrorKind`]);
//! - metrics: [`meter`], with [`KeyValue`] attributes;
//! - carrying a trace across services: [`propagation`] ([`propagation::inject`] into outgoing headers,
//!   [`propagation::set_parent`] from incoming ones);
//! - the configuration model: [`config`].
//!
//! Every public enum, and every public struct with public fields, is `#[non_exhaustive]` (match with a wildcard
//! arm; build configuration structs from `Default` and assign fields), with two exceptions that cannot grow:
//! [`Totals`], whose four fields are the whole ledger, and [`config::Headers`], a map. Structs with private fields
//! ([`StartOptions`], [`OtelGuard`], [`testing::Capture`], …) grow by methods. Anything else reachable (the
//! `otel-runtime` and `otel-macros` crates, the doc-hidden `__private` module the macro's expansion uses) is not
//! public API and may change in any release. The list is pinned by `tests/public_api.rs`: a change to it is a
//! deliberate diff of `tests/public-api.txt`.

#![warn(missing_docs)]

#[doc(inline)]
pub use otel_macros::main;

#[doc(inline)]
pub use otel_macros::test;

#[doc(inline)]
pub use otel_runtime::{exit, start, BuildError, BuildErrorKind, OtelGuard, StartError, StartOptions};

#[doc(inline)]
pub use otel_runtime::{
    failures, health, meter, ErrorKind, FailureEvent, FailureStream, HealthSnapshot, HealthState, KeyValue, Signal,
    SignalHealth, Totals,
};

/// The configuration model: every otel.toml key, its default and its `OTEL_*` variable.
pub use otel_config as config;

#[doc(inline)]
pub use otel_runtime::propagation;
/// Testing instrumentation: `#[otel::test]` runs a test with otel's `tracing` layers over an in-memory
/// [`Capture`](testing::Capture) of its own, which the test reads: finished spans (name, parent, attributes,
/// status, events, trace id), log records and metrics. Nothing goes over the network.
///
/// ```
/// use otel::testing::{Capture, Status, Value};
///
/// #[otel::test]
/// fn the_lookup_is_a_child_of_the_request(otel: Capture) {
///     tracing::info_span!("request").in_scope(|| {
///         tracing::info_span!("lookup", rows = 3u64).in_scope(|| tracing::info!("cache miss"));
///     });
///     assert_eq!(otel.span("lookup").parent_span_id, Some(otel.span("request").span_id));
/// }
///
/// #[otel::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn spawned_tasks_are_captured(otel: Capture) {
///     tokio::spawn(async { tracing::info_span!("task").in_scope(|| {}) }).await.unwrap();
///     assert_eq!(otel.spans().len(), 1);
/// }
/// ```
///
/// (A doc test leaves `#[test]` functions out of its build: `tests/otel_test.rs` runs tests like these.) What the
/// test reads, here with the capture installed by hand ([`Capture::new`](testing::Capture::new) and
/// [`in_scope`](testing::Capture::in_scope), what `#[otel::test]` does around a test):
///
/// ```
/// use otel::testing::{Capture, Status, Value};
///
/// let otel = Capture::new();
/// otel.in_scope(|| {
///     tracing::info_span!("request").in_scope(|| {
///         let lookup = tracing::info_span!("lookup", rows = 3u64, otel.status_code = "error");
///         lookup.in_scope(|| tracing::info!(table = "tasks", "cache miss"));
///     });
/// });
/// let (request, lookup) = (otel.span("request"), otel.span("lookup"));
/// assert_eq!(lookup.parent_span_id, Some(request.span_id));
/// assert_eq!(lookup.trace_id, request.trace_id);
/// assert_eq!(lookup.attribute("rows"), Some(&Value::I64(3)));
/// assert!(matches!(lookup.status, Status::Error { .. }));
/// assert_eq!(lookup.events[0].name, "cache miss");
/// let log = &otel.logs()[0];
/// assert_eq!((log.body.as_str(), log.span_id), ("cache miss", Some(lookup.span_id)));
/// assert_eq!(log.attribute("table"), Some(&Value::from("tasks")));
/// ```
///
/// # Isolation, and its limits
///
/// The capture is the test's *scoped* `tracing` dispatcher (`tracing::dispatcher::with_default`), never the
/// global one, so tests running in parallel in one binary see only their own spans. What runs on the test's
/// thread is captured; so is what runs on the threads of the Tokio runtime `#[otel::test]` builds for an
/// `async fn` (its worker and blocking threads get the capture's dispatcher as they start): `tokio::spawn` and
/// `spawn_blocking` are covered, with either flavor. Not captured: threads you start yourself
/// (`std::thread::spawn`: install [`Capture::dispatch`](testing::Capture::dispatch) there with
/// `tracing::dispatcher::with_default`), other runtimes, and the instruments of the *global* meter provider
/// (`otel::meter`): give the code under test [`Capture::meter`](testing::Capture::meter), or use the metrics
/// layer's `counter.*` / `histogram.*` event fields, which are captured.
///
/// The layers are `#[otel::main]`'s (so `u64` fields are integers here as in the export), with every level
/// captured (the filter is `trace`, whatever `RUST_LOG` says) except the opentelemetry crates' own events; no
/// `otel.toml` is read, and the fmt output is off.
pub mod testing {
    #[doc(inline)]
    pub use otel_runtime::testing::{
        Capture, CapturedEvent, CapturedLog, CapturedMetric, CapturedSpan, MetricValue, SpanId, SpanKind, Status,
        TraceId, Value,
    };
}

/// Support for the expansion of `#[otel::main]` and for otel's own tools. **Not a public API**: it may change in
/// any release.
#[doc(hidden)]
pub mod __private {
    /// otel-bench's micro-benchmarks: otel's subscriber and processor around a discarding sink.
    pub use otel_runtime::bench::{dispatch as bench_dispatch, BenchPipeline};
    pub use otel_runtime::entry::{block_on, run_sync, Flavor, MainOptions};
    /// `#[otel::test]`'s entry points.
    pub use otel_runtime::testing::{block_on as block_on_test, run as run_test};
    /// The wrapper that makes tracing-opentelemetry record `u64` fields as integers (otel-bench measures it).
    pub use otel_runtime::u64_fields::U64Fields;
    pub use otel_runtime::{listen_for_signals, propagator_warnings, resource_attributes, start_or_exit};
}
