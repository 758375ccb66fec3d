//! Builds the pipeline: the export runtime, the sink (our OTLP transport or the console), our batch processor
//! and the tracer provider.

use crate::export::Sink;
use crate::failures::FailureHub;
use crate::health::FailureEvent;
use crate::processor::{Core, OtelProcessor, Settings};
use crate::transport::Transport;
use opentelemetry_sdk::trace::SdkTracerProvider;
use otel_config::{Config, Protocol};
use std::sync::Arc;

/// A built pipeline: the provider, the processor's core and the runtime its exports run on.
pub(crate) struct Pipeline {
    pub(crate) provider: SdkTracerProvider,
    pub(crate) hub: Arc<FailureHub>,
    /// `None` when nothing is exported (`disabled`, or protocol `none`).
    pub(crate) core: Option<Arc<Core>>,
    /// Exports (and the signal listener) run here, never on the application's runtime, so neither can starve or
    /// deadlock the other, whatever the application's flavor.
    pub(crate) export_runtime: tokio::runtime::Runtime,
}

/// Why the pipeline could not be built.
///
/// ```
/// let error = otel_runtime::BuildError::from("otel: cannot start the export runtime".to_string());
/// assert!(error.to_string().starts_with("otel:"));
/// ```
#[derive(Debug)]
pub struct BuildError(pub(crate) String);

impl From<String> for BuildError {
    fn from(message: String) -> Self {
        BuildError(message)
    }
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

/// The runtime exports run on: two threads whose own `tracing` events (tonic, hyper, h2) go nowhere, so the
/// pipeline never exports its own diagnostics.
fn export_runtime() -> Result<tokio::runtime::Runtime, BuildError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("otel-export")
        .enable_all()
        .on_thread_start(|| std::mem::forget(tracing::subscriber::set_default(tracing::subscriber::NoSubscriber::default())))
        .build()
        .map_err(|e| BuildError(format!("otel: cannot start the export runtime: {e}")))
}

pub(crate) fn build(config: &Config, on_failure: Option<fn(&FailureEvent)>) -> Result<Pipeline, BuildError> {
    let exporting = !config.disabled && config.exporter.protocol != Protocol::None;
    let endpoint = match config.exporter.protocol {
        Protocol::Grpc | Protocol::HttpProtobuf | Protocol::HttpJson if exporting => config.exporter.traces_url(),
        Protocol::Console if exporting => "stdout".to_string(),
        _ => String::new(),
    };
    let runtime = export_runtime()?;
    let resource = crate::setup::resource(config);
    let builder = SdkTracerProvider::builder()
        .with_resource(resource.clone())
        .with_sampler(crate::setup::sampler(config))
        .with_span_limits(crate::setup::span_limits(config));
    if !exporting {
        let hub = FailureHub::new(endpoint, None);
        return Ok(Pipeline { provider: builder.build(), hub, core: None, export_runtime: runtime });
    }
    let sink = match config.exporter.protocol {
        Protocol::Console => Sink::Console,
        _ => {
            let _enter = runtime.enter();
            Sink::Otlp(Transport::build(&config.exporter)?)
        }
    };
    let hub = FailureHub::new(endpoint, on_failure);
    let processor =
        OtelProcessor::start(Settings::from_config(config), sink, &resource, hub.clone(), runtime.handle());
    let core = processor.core.clone();
    let provider = builder.with_span_processor(processor).build();
    Ok(Pipeline { provider, hub, core: Some(core), export_runtime: runtime })
}
