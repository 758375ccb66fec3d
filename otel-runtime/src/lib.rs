//! Runtime of the `otel` crate: configuration loading, the OTLP export pipeline, the `tracing` layers, the
//! bounded shutdown flush and the health of the export channel.
//!
//! Applications use it through the `otel` facade and `#[otel::main]`; [`start`] is the same thing by hand.

pub mod entry;
mod health;
mod pipeline;
pub mod ping;
mod setup;
pub(crate) mod transport;
mod shutdown;
mod subscriber;

pub use health::{ErrorKind, FailureEvent, HealthSnapshot, HealthState, SpanTotals};
pub use pipeline::BuildError;
pub use shutdown::OtelGuard;
#[doc(hidden)]
pub use setup::{propagator_warnings, resource_attributes};

use std::sync::{Arc, OnceLock};

static SHARED: OnceLock<Arc<pipeline::Shared>> = OnceLock::new();

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
    let pipeline = pipeline::build(&config, options.on_failure).map_err(StartError::Build)?;
    opentelemetry::global::set_text_map_propagator(setup::propagator(&config.propagators));
    opentelemetry::global::set_tracer_provider(pipeline.provider.clone());
    if let Err(warning) = subscriber::install(&config, &pipeline.provider) {
        eprintln!("{warning}");
    }
    let _ = SHARED.set(pipeline.shared.clone());
    Ok(OtelGuard::new(pipeline, config.shutdown.timeout, config.shutdown.summary))
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
    match SHARED.get() {
        Some(shared) => shared.health.snapshot(shared.counters.totals(), &shared.endpoint),
        None => health::HealthCell::default().snapshot(SpanTotals::default(), ""),
    }
}
