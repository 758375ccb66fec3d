//! Runtime of the `otel` crate: configuration loading, the OTLP export pipeline, the `tracing` layers, the
//! bounded shutdown flush and the health of the export channel.
//!
//! Applications use it through the `otel` facade and `#[otel::main]`; [`start`] is the same thing by hand.

#![warn(missing_docs)]

mod accounting;
#[doc(hidden)]
pub mod bench;
mod console;
pub mod entry;
mod export;
mod failures;
/// The fuzz targets' entry points (`fuzz/`). Not a public API.
#[doc(hidden)]
pub mod __fuzz {
    pub use crate::fuzz::*;
}
mod fuzz;
mod health;
mod pipeline;
pub mod ping;
mod processor;
mod sdk;
mod shutdown;
mod signals;
mod sink;
mod subscriber;
mod sync;
pub(crate) mod transport;

pub use failures::FailureStream;
pub use health::{ErrorKind, FailureEvent, HealthSnapshot, HealthState, SpanTotals};
pub use pipeline::BuildError;
pub use shutdown::OtelGuard;
#[doc(hidden)]
pub use sdk::{propagator_warnings, resource_attributes};

use std::sync::{Arc, OnceLock};

/// The pipeline `start` installed (at most one per process).
static INSTALLED: OnceLock<Arc<shutdown::Installed>> = OnceLock::new();

/// Why the pipeline did not start: a configuration error or an exporter that cannot be built.
#[derive(Debug)]
pub enum StartError {
    /// otel.toml or the environment is invalid.
    Config(otel_config::ConfigError),
    /// The exporter could not be built (e.g. an endpoint the client rejects).
    Build(BuildError),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Config(e) => e.fmt(f),
            StartError::Build(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for StartError {}

/// Loads the configuration, prints its warnings, builds the pipeline and installs it globally: the tracer
/// provider, the W3C tracecontext + baggage propagators and the `tracing` subscriber.
///
/// ```no_run
/// let guard = otel_runtime::start(&otel_runtime::entry::MainOptions::new("demo", "0.1.0"))?;
/// tracing::info!("exported");
/// drop(guard); // flushes within shutdown.timeout
/// # Ok::<(), otel_runtime::StartError>(())
/// ```
pub fn start(options: &entry::MainOptions) -> Result<OtelGuard, StartError> {
    if INSTALLED.get().is_some() {
        return Err(StartError::Build(BuildError("otel: the pipeline is already started in this process".into())));
    }
    let loaded = otel_config::load(&otel_config::LoadOptions {
        file: options.config_path.map(Into::into),
        service_name: options.service_name.map(Into::into),
        crate_name: Some(options.crate_name.into()),
        service_version: Some(options.service_version.into()),
        ..Default::default()
    })
    .map_err(StartError::Config)?;
    for warning in &loaded.warnings {
        eprintln!("{warning}");
    }
    let config = loaded.config;
    // Everything that can fail is built before anything is installed: no half-installed pipeline.
    let pipeline = pipeline::build(&config, options.on_failure, None).map_err(StartError::Build)?;
    opentelemetry::global::set_text_map_propagator(sdk::propagator(&config.propagators));
    opentelemetry::global::set_tracer_provider(pipeline.provider.clone());
    if let Err(warning) = subscriber::install(&config, &pipeline.provider) {
        eprintln!("{warning}");
    }
    let installed = shutdown::Installed::new(pipeline, config.shutdown.timeout, config.shutdown.summary);
    let installed = INSTALLED.get_or_init(|| installed).clone();
    Ok(OtelGuard::new(installed))
}

/// [`start`], or end the process with status 1 and the error on stderr: the user's `main` never runs with a
/// half-installed pipeline.
#[doc(hidden)]
pub fn start_or_exit(options: &entry::MainOptions) -> OtelGuard {
    match start(options) {
        Ok(guard) => guard,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(1);
        }
    }
}

/// The export pipeline's health now: state, span totals, last failure.
///
/// ```no_run
/// let health = otel_runtime::health();
/// if health.state != otel_runtime::HealthState::Healthy {
///     eprintln!("tracing degraded: {:?}", health.last_error);
/// }
/// ```
pub fn health() -> HealthSnapshot {
    match INSTALLED.get() {
        Some(installed) => installed.hub.health.snapshot(installed.hub.ledger.totals(), &installed.hub.endpoint),
        None => health::HealthCell::default().snapshot(SpanTotals::default(), ""),
    }
}

/// A stream of the export pipeline's failure events from now on: failed attempts (`retrying`), lost spans
/// (failed, rejected, dropped), each with its cause and endpoint. Bounded and coalescing: a slow reader never
/// slows the exporter. Ends after shutdown; already ended when no pipeline is installed.
///
/// ```no_run
/// # async fn demo() {
/// let mut failures = otel_runtime::failures();
/// while let Some(event) = failures.recv().await {
///     if !event.retrying {
///         eprintln!("{} spans lost: {}", event.spans, event.kind);
///     }
/// }
/// # }
/// ```
pub fn failures() -> FailureStream {
    match INSTALLED.get() {
        Some(installed) => installed.hub.subscribe(),
        None => failures::closed_stream(),
    }
}

/// Flushes the pipeline (within `shutdown.timeout`), prints the summary if spans were lost, then ends the process
/// with `code`.
///
/// Use it instead of [`std::process::exit`], which ends the process on the spot: destructors do not run, so the
/// guard `#[otel::main]` holds never flushes, and the spans still queued (up to `batch.schedule_delay` worth) are
/// lost without a word.
///
/// ```no_run
/// if std::env::args().count() > 3 {
///     otel_runtime::exit(2);
/// }
/// ```
pub fn exit(code: i32) -> ! {
    if let Some(installed) = INSTALLED.get() {
        installed.finish();
    }
    std::process::exit(code)
}

/// Listens for SIGTERM and SIGINT: on either, flush (within `shutdown.timeout`) and end the process with status
/// 128 + the signal number. `#[otel::main]` calls it unless given `signals = false`.
#[doc(hidden)]
pub fn listen_for_signals() {
    if let Some(installed) = INSTALLED.get() {
        signals::listen(installed);
    }
}
