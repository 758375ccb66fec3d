//! The export pipeline: OTLP exporter (gRPC or HTTP) on a runtime of its own, wrapped so that every export's
//! outcome is counted, inside the SDK's batch processor.

use crate::health::{Counters, ErrorKind, FailureEvent, HealthCell};
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig, WithTonicConfig};
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider, SpanData, SpanExporter, SpanProcessor};
use opentelemetry_sdk::Resource;
use otel_config::{Compression, Config, Protocol};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// State shared by the pipeline's parts and read by [`crate::health`].
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) counters: Counters,
    pub(crate) health: HealthCell,
    pub(crate) endpoint: String,
    pub(crate) on_failure: Option<fn(&FailureEvent)>,
}

/// A built pipeline: the provider and the runtime its exports run on.
pub(crate) struct Pipeline {
    pub(crate) provider: SdkTracerProvider,
    pub(crate) shared: Arc<Shared>,
    /// Exports run here, never on the application's runtime, so neither can starve or deadlock the other.
    pub(crate) export_runtime: Option<tokio::runtime::Runtime>,
}

/// Why the pipeline could not be built.
#[derive(Debug)]
pub struct BuildError(pub(crate) String);

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

pub(crate) fn build(config: &Config, on_failure: Option<fn(&FailureEvent)>) -> Result<Pipeline, BuildError> {
    let endpoint = match config.exporter.protocol {
        Protocol::Grpc | Protocol::HttpProtobuf | Protocol::HttpJson => config.exporter.traces_url(),
        Protocol::Console | Protocol::None => String::new(),
    };
    let shared = Arc::new(Shared { endpoint: endpoint.clone(), on_failure, ..Default::default() });
    let builder = SdkTracerProvider::builder()
        .with_resource(crate::setup::resource(config))
        .with_sampler(crate::setup::sampler(config))
        .with_span_limits(crate::setup::span_limits(config));
    if config.disabled || config.exporter.protocol == Protocol::None {
        return Ok(Pipeline { provider: builder.build(), shared, export_runtime: None });
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("otel-export")
        .enable_all()
        // The exporter's own libraries (tonic, hyper, h2) emit `tracing` events: on these threads they go
        // nowhere, so the pipeline never exports its own diagnostics.
        .on_thread_start(|| std::mem::forget(tracing::subscriber::set_default(tracing::subscriber::NoSubscriber::default())))
        .build()
        .map_err(|e| BuildError(format!("otel: cannot start the export runtime: {e}")))?;
    let exporter = {
        let _enter = runtime.enter();
        Exporter::build(config)?
    };
    let counting = CountingExporter {
        inner: Arc::new(exporter),
        runtime: runtime.handle().clone(),
        timeout: config.batch.export_timeout.min(config.exporter.timeout.max(Duration::from_millis(1))),
        shared: shared.clone(),
    };
    let batch = BatchConfigBuilder::default()
        .with_max_queue_size(config.batch.max_queue_size)
        .with_max_export_batch_size(config.batch.max_export_batch_size)
        .with_scheduled_delay(config.batch.schedule_delay)
        .build();
    let processor = CountingProcessor {
        inner: BatchSpanProcessor::builder(counting).with_batch_config(batch).build(),
        shared: shared.clone(),
    };
    let provider = builder.with_span_processor(processor).build();
    Ok(Pipeline { provider, shared, export_runtime: Some(runtime) })
}

/// The exporters `exporter.protocol` chooses between.
#[derive(Debug)]
enum Exporter {
    Otlp(opentelemetry_otlp::SpanExporter),
    Console(opentelemetry_stdout_like::Console),
}

impl Exporter {
    fn build(config: &Config) -> Result<Exporter, BuildError> {
        let exporter = &config.exporter;
        let url = exporter.traces_url();
        let built = match exporter.protocol {
            Protocol::Grpc => {
                let mut metadata = tonic::metadata::MetadataMap::new();
                for (k, v) in &exporter.headers.0 {
                    let key = tonic::metadata::MetadataKey::from_bytes(k.to_ascii_lowercase().as_bytes())
                        .map_err(|_| BuildError(format!("otel: invalid header name \"{k}\" in exporter.headers")))?;
                    let value = v
                        .parse()
                        .map_err(|_| BuildError(format!("otel: invalid value for header \"{k}\" in exporter.headers")))?;
                    metadata.insert(key, value);
                }
                let mut b = opentelemetry_otlp::SpanExporter::builder()
                    .with_tonic()
                    .with_endpoint(url)
                    .with_timeout(exporter.timeout)
                    .with_metadata(metadata);
                if exporter.compression == Compression::Gzip {
                    b = b.with_compression(opentelemetry_otlp::Compression::Gzip);
                }
                b.build()
            }
            Protocol::HttpProtobuf | Protocol::HttpJson => {
                let protocol = if exporter.protocol == Protocol::HttpJson {
                    opentelemetry_otlp::Protocol::HttpJson
                } else {
                    opentelemetry_otlp::Protocol::HttpBinary
                };
                let mut b = opentelemetry_otlp::SpanExporter::builder()
                    .with_http()
                    .with_protocol(protocol)
                    .with_endpoint(url)
                    .with_timeout(exporter.timeout)
                    .with_headers(exporter.headers.0.clone().into_iter().collect());
                if exporter.compression == Compression::Gzip {
                    b = b.with_compression(opentelemetry_otlp::Compression::Gzip);
                }
                b.build()
            }
            Protocol::Console => return Ok(Exporter::Console(opentelemetry_stdout_like::Console)),
            Protocol::None => unreachable!("`none` builds no exporter"),
        };
        // The build error's text names no header value: it comes from the endpoint or the client.
        built.map(Exporter::Otlp).map_err(|e| BuildError(format!("otel: cannot build the {} exporter for {}: {e}", exporter.protocol.as_str(), exporter.traces_url())))
    }

    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        match self {
            Exporter::Otlp(e) => e.export(batch).await,
            Exporter::Console(c) => c.export(batch),
        }
    }
}

mod opentelemetry_stdout_like {
    use opentelemetry_sdk::error::OTelSdkResult;
    use opentelemetry_sdk::trace::SpanData;
    use std::io::Write;

    /// Prints one line per span on stdout.
    #[derive(Debug)]
    pub(crate) struct Console;

    impl Console {
        pub(crate) fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
            let mut out = std::io::stdout().lock();
            for span in batch {
                let duration = span.end_time.duration_since(span.start_time).unwrap_or_default();
                let attrs: Vec<String> = span.attributes.iter().map(|kv| format!("{}={}", kv.key, kv.value)).collect();
                let _ = writeln!(
                    out,
                    "span {} trace_id={} span_id={} parent_id={} duration={:?} {}",
                    span.name,
                    span.span_context.trace_id(),
                    span.span_context.span_id(),
                    span.parent_span_id,
                    duration,
                    attrs.join(" ")
                );
            }
            Ok(())
        }
    }
}

/// Runs each export on the export runtime, bounded by the export timeout, and counts its outcome.
#[derive(Debug)]
struct CountingExporter {
    inner: Arc<Exporter>,
    runtime: tokio::runtime::Handle,
    timeout: Duration,
    shared: Arc<Shared>,
}

impl SpanExporter for CountingExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let n = batch.len();
        let inner = self.inner.clone();
        let timeout = self.timeout;
        let task = self.runtime.spawn(async move { tokio::time::timeout(timeout, inner.export(batch)).await });
        let outcome = match task.await {
            Ok(Ok(result)) => result,
            Ok(Err(_elapsed)) => Err(OTelSdkError::Timeout(timeout)),
            Err(join) => Err(OTelSdkError::InternalFailure(format!("export task failed: {join}"))),
        };
        match &outcome {
            Ok(()) => {
                Counters::add(&self.shared.counters.exported, n);
                if self.shared.health.is_failing() {
                    eprintln!("otel: exports to {} recovered", self.shared.endpoint);
                }
                self.shared.health.record_success();
            }
            Err(err) => {
                Counters::add(&self.shared.counters.failed, n);
                let event = FailureEvent {
                    kind: classify(err),
                    message: err.to_string(),
                    endpoint: self.shared.endpoint.clone(),
                    spans: n as u64,
                    at: SystemTime::now(),
                    coalesced: 0,
                };
                // Alert once per failing streak, not once per batch.
                if !self.shared.health.is_failing() {
                    eprintln!("otel: exporting spans to {} is failing: {} ({}); {} spans lost so far", event.endpoint, event.kind, event.message, self.shared.counters.totals().lost());
                }
                self.shared.health.record_failure(&event, true);
                if let Some(callback) = self.shared.on_failure {
                    callback(&event);
                }
            }
        }
        outcome
    }

    fn set_resource(&mut self, resource: &Resource) {
        // Called once while the provider is built, before any export shares `inner`.
        if let Some(Exporter::Otlp(inner)) = Arc::get_mut(&mut self.inner) {
            inner.set_resource(resource);
        }
    }
}

fn classify(err: &OTelSdkError) -> ErrorKind {
    let text = err.to_string().to_ascii_lowercase();
    if matches!(err, OTelSdkError::Timeout(_)) || text.contains("timed out") || text.contains("deadline") {
        ErrorKind::Timeout
    } else if text.contains("refused") || text.contains("unavailable") {
        ErrorKind::Refused
    } else if text.contains("dns") || text.contains("resolve") {
        ErrorKind::Dns
    } else if text.contains("tls") || text.contains("certificate") {
        ErrorKind::Tls
    } else {
        ErrorKind::Transport
    }
}

/// Counts every sampled span that ends, then hands it to the batch processor.
#[derive(Debug)]
struct CountingProcessor {
    inner: BatchSpanProcessor,
    shared: Arc<Shared>,
}

impl SpanProcessor for CountingProcessor {
    fn on_start(&self, span: &mut opentelemetry_sdk::trace::Span, cx: &opentelemetry::Context) {
        self.inner.on_start(span, cx);
    }
    fn on_end(&self, span: SpanData) {
        if span.span_context.is_sampled() {
            Counters::add(&self.shared.counters.ended, 1);
            self.inner.on_end(span);
        }
    }
    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }
    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}
