//! The configuration model: every otel.toml key with its built-in default.

use crate::duration;
use crate::endpoint::redacted;
use crate::enums::{
    Compression, FmtFormat, OnInvalid, Propagator, Protocol, ResourceDetector, SamplerName, Signal, SummaryMode,
    Temporality,
};
use crate::headers::Headers;
use crate::resource_value::ResourceValue;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// The `service.name` used when nothing else names the service.
///
/// ```
/// assert_eq!(otel_config::UNKNOWN_SERVICE, otel_config::Config::default().service.name);
/// ```
pub const UNKNOWN_SERVICE: &str = "unknown_service";

/// The largest `batch.max_queue_size` (and so `batch.max_export_batch_size`): 262,144 spans.
///
/// The processor preallocates its lock-free hand-off queue, one slot per span, each slot a `SpanData` (a few
/// hundred bytes before any attribute): this bound costs at most about 100 MB at start, 128 times the default
/// (2048). A larger queue buys nothing: when it is full the application's thread moves a batch into the backlog,
/// which `batch.max_queue_bytes` bounds. Above it: an error in otel.toml and `OTEL_TOML_*`; a standard
/// `OTEL_BSP_*` variable above it is clamped to it with a warning.
///
/// ```
/// assert_eq!(otel_config::MAX_QUEUE_SIZE, 262_144);
/// assert!(otel_config::check_file("otel.toml", "[batch]\nmax_queue_size = 262145").is_err());
/// ```
pub const MAX_QUEUE_SIZE: usize = 262_144;

/// The largest `batch.max_concurrent_exports`: 64 requests in flight. Each holds a batch (up to
/// `max_export_batch_size` spans) and a connection's worth of buffers; a collector is not made faster by more,
/// and a runaway value would only turn a slow collector into a memory spike. Above it: an error.
///
/// ```
/// assert_eq!(otel_config::MAX_CONCURRENT_EXPORTS, 64);
/// assert!(otel_config::check_file("otel.toml", "[batch]\nmax_concurrent_exports = 65").is_err());
/// ```
pub const MAX_CONCURRENT_EXPORTS: usize = 64;

/// The whole configuration, as otel.toml spells it. `Config::default()` is the built-in defaults.
///
/// ```
/// let config: otel_config::Config = toml::from_str("[exporter]\nprotocol = \"grpc\"").unwrap();
/// assert_eq!(config.exporter.protocol, otel_config::Protocol::Grpc);
/// assert_eq!(config.batch, otel_config::BatchConfig::default());
/// assert_eq!(otel_config::Config::default().service.name, "unknown_service");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// `disabled` (`OTEL_SDK_DISABLED`): no spans are recorded or exported; propagation still works.
    pub disabled: bool,
    /// `[service]`.
    pub service: ServiceConfig,
    /// `[resource]`: extra resource attributes (`OTEL_RESOURCE_ATTRIBUTES`).
    pub resource: BTreeMap<String, ResourceValue>,
    /// `[exporter]`.
    pub exporter: ExporterConfig,
    /// `[batch]`: the batch span processor.
    pub batch: BatchConfig,
    /// `[sampler]`.
    pub sampler: SamplerConfig,
    /// `propagators` (`OTEL_PROPAGATORS`): de-duplicated, never contains [`Propagator::None`] after loading
    /// (`["none"]` loads as an empty list).
    pub propagators: Vec<Propagator>,
    /// `[fmt]`: the console log layer.
    pub fmt: FmtConfig,
    /// `[shutdown]`.
    pub shutdown: ShutdownConfig,
    /// `[limits]`: span limits.
    pub limits: SpanLimitsConfig,
    /// `[tracing]`: what the tracing-opentelemetry layer records per span.
    pub tracing: TracingConfig,
    /// `[traces]`: the trace signal (on/off, its exporter overrides; its batch settings are `[batch]`).
    pub traces: TracesConfig,
    /// `[logs]`: `tracing` events as OTel log records.
    pub logs: LogsConfig,
    /// `[metrics]`: the meter provider and its periodic export.
    pub metrics: MetricsConfig,
    /// `resource_detectors` (`OTEL_EXPERIMENTAL_RESOURCE_DETECTORS`): what is detected at start and added to the
    /// resource all three signals share (an explicit `[resource]` attribute wins). All of them by default; `[]`
    /// turns detection off.
    pub resource_detectors: Vec<ResourceDetector>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            disabled: false,
            service: ServiceConfig::default(),
            resource: BTreeMap::new(),
            exporter: ExporterConfig::default(),
            batch: BatchConfig::default(),
            sampler: SamplerConfig::default(),
            propagators: vec![Propagator::TraceContext, Propagator::Baggage],
            fmt: FmtConfig::default(),
            shutdown: ShutdownConfig::default(),
            limits: SpanLimitsConfig::default(),
            tracing: TracingConfig::default(),
            traces: TracesConfig::default(),
            logs: LogsConfig::default(),
            metrics: MetricsConfig::default(),
            resource_detectors: ResourceDetector::ALL.to_vec(),
        }
    }
}

impl Config {
    /// Whether `signal` is recorded and exported: otel is not `disabled`, the signal's `enabled` is true, and its
    /// protocol (after its overrides) is not `none`.
    ///
    /// ```
    /// use otel_config::{Config, Protocol, Signal};
    /// let mut config = Config::default();
    /// assert!(config.exports(Signal::Logs));
    /// config.metrics.exporter.protocol = Some(Protocol::None);
    /// assert!(!config.exports(Signal::Metrics));
    /// config.logs.enabled = false;
    /// assert!(!config.exports(Signal::Logs));
    /// assert!(config.exports(Signal::Traces));
    /// ```
    pub fn exports(&self, signal: Signal) -> bool {
        let enabled = match signal {
            Signal::Traces => self.traces.enabled,
            Signal::Logs => self.logs.enabled,
            Signal::Metrics => self.metrics.enabled,
        };
        !self.disabled && enabled && self.exporter_for(signal).protocol != Protocol::None
    }

    /// The exporter settings of `signal`: `[exporter]` with the signal's overrides (`[logs.exporter]`, …) applied
    /// field by field. An overriding `headers` replaces the shared ones, as the spec's per-signal variables do.
    /// The endpoint rules stay `[exporter]`'s (see [`ExporterConfig::url`]).
    ///
    /// ```
    /// use otel_config::{Config, Protocol, Signal};
    /// let mut config = Config::default();
    /// config.metrics.exporter.protocol = Some(Protocol::Grpc);
    /// assert_eq!(config.exporter_for(Signal::Metrics).protocol, Protocol::Grpc);
    /// assert_eq!(config.exporter_for(Signal::Logs).protocol, Protocol::HttpProtobuf);
    /// ```
    pub fn exporter_for(&self, signal: Signal) -> ExporterConfig {
        let overrides = match signal {
            Signal::Traces => &self.traces.exporter,
            Signal::Logs => &self.logs.exporter,
            Signal::Metrics => &self.metrics.exporter,
        };
        let mut exporter = self.exporter.clone();
        let SignalExporterConfig {
            protocol,
            timeout,
            headers,
            compression,
            insecure,
            certificate,
            client_certificate,
            client_key,
        } = overrides;
        if let Some(protocol) = protocol {
            exporter.protocol = *protocol;
        }
        if let Some(timeout) = timeout {
            exporter.timeout = *timeout;
        }
        if let Some(headers) = headers {
            exporter.headers = headers.clone();
        }
        if let Some(compression) = compression {
            exporter.compression = *compression;
        }
        if let Some(insecure) = insecure {
            exporter.insecure = *insecure;
        }
        if let Some(certificate) = certificate {
            exporter.certificate = Some(certificate.clone());
        }
        if let Some(client_certificate) = client_certificate {
            exporter.client_certificate = Some(client_certificate.clone());
        }
        if let Some(client_key) = client_key {
            exporter.client_key = Some(client_key.clone());
        }
        exporter
    }
}

/// `[traces.exporter]`, `[logs.exporter]`, `[metrics.exporter]`: what one signal changes of `[exporter]`
/// (the per-signal `OTEL_EXPORTER_OTLP_{TRACES,LOGS,METRICS}_*` variables). Unset fields take `[exporter]`'s. The
/// per-signal endpoints are `exporter.traces_endpoint`, `exporter.logs_endpoint` and `exporter.metrics_endpoint`,
/// so that every URL is in one table.
///
/// ```
/// let overrides: otel_config::SignalExporterConfig = toml::from_str("protocol = \"grpc\"").unwrap();
/// assert_eq!(overrides.protocol, Some(otel_config::Protocol::Grpc));
/// assert!(overrides.headers.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct SignalExporterConfig {
    /// `protocol`: as `exporter.protocol`; `none` turns the signal's export off, `console` prints it.
    pub protocol: Option<Protocol>,
    /// `timeout`: as `exporter.timeout`.
    #[serde(with = "duration::option")]
    pub timeout: Option<Duration>,
    /// `headers`: replaces `exporter.headers` for this signal.
    pub headers: Option<Headers>,
    /// `compression`: as `exporter.compression`.
    pub compression: Option<Compression>,
    /// `insecure`: as `exporter.insecure`.
    pub insecure: Option<bool>,
    /// `certificate`: as `exporter.certificate`.
    pub certificate: Option<PathBuf>,
    /// `client_certificate`: as `exporter.client_certificate`.
    pub client_certificate: Option<PathBuf>,
    /// `client_key`: as `exporter.client_key`.
    pub client_key: Option<PathBuf>,
}

/// `[traces]`: the trace signal. Its batch settings are `[batch]` (`OTEL_BSP_*`).
///
/// ```
/// let traces = otel_config::TracesConfig::default();
/// assert!(traces.enabled);
/// assert_eq!(traces.exporter, otel_config::SignalExporterConfig::default());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct TracesConfig {
    /// `traces.enabled` (`OTEL_TRACES_EXPORTER=none` sets it false): spans are exported.
    pub enabled: bool,
    /// `[traces.exporter]`: overrides of `[exporter]` for spans.
    pub exporter: SignalExporterConfig,
}

impl Default for TracesConfig {
    fn default() -> Self {
        TracesConfig { enabled: true, exporter: SignalExporterConfig::default() }
    }
}

/// `[logs]`: every `tracing` event that passes the filter becomes an OTel log record (severity from the level,
/// body from the message, fields as attributes, the span's trace and span id).
///
/// ```
/// let logs = otel_config::LogsConfig::default();
/// assert!(logs.enabled && logs.span_events);
/// assert_eq!(logs.batch.schedule_delay, std::time::Duration::from_secs(1));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct LogsConfig {
    /// `logs.enabled` (`OTEL_LOGS_EXPORTER=none` sets it false): events become log records and are exported.
    /// When false, no log bridge is installed at all.
    pub enabled: bool,
    /// `logs.span_events`: events are also recorded as events of their span, as without logs (default true).
    pub span_events: bool,
    /// `[logs.exporter]`: overrides of `[exporter]` for log records.
    pub exporter: SignalExporterConfig,
    /// `[logs.batch]` (`OTEL_BLRP_*`): the batch log record processor, same keys as `[batch]`; the spec's
    /// defaults (schedule delay 1 s).
    pub batch: BatchConfig,
}

impl Default for LogsConfig {
    fn default() -> Self {
        LogsConfig {
            enabled: true,
            span_events: true,
            exporter: SignalExporterConfig::default(),
            batch: BatchConfig { schedule_delay: Duration::from_secs(1), ..BatchConfig::default() },
        }
    }
}

/// `[metrics]`: a global meter provider (`opentelemetry::global::meter`, `otel::meter`) and tracing-opentelemetry's
/// metrics layer (`counter.*`, `histogram.*` event fields), exported periodically and once more at shutdown.
///
/// ```
/// let metrics = otel_config::MetricsConfig::default();
/// assert!(metrics.enabled && metrics.self_observability);
/// assert_eq!(metrics.interval, std::time::Duration::from_secs(60));
/// assert_eq!(metrics.temporality, otel_config::Temporality::Cumulative);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct MetricsConfig {
    /// `metrics.enabled` (`OTEL_METRICS_EXPORTER=none` sets it false).
    pub enabled: bool,
    /// `metrics.interval` (`OTEL_METRIC_EXPORT_INTERVAL`): time between two collections and exports. Not zero.
    #[serde(with = "duration")]
    pub interval: Duration,
    /// `metrics.timeout` (`OTEL_METRIC_EXPORT_TIMEOUT`): the limit for one export; zero means no limit.
    #[serde(with = "duration")]
    pub timeout: Duration,
    /// `metrics.temporality` (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`).
    pub temporality: Temporality,
    /// `metrics.self_observability`: otel's own pipeline counters exported as metrics under the semantic
    /// conventions' names (`otel.sdk.span.ended`, `otel.sdk.exporter.span.exported`, …). Default true.
    pub self_observability: bool,
    /// `[metrics.exporter]`: overrides of `[exporter]` for metrics.
    pub exporter: SignalExporterConfig,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            enabled: true,
            interval: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
            temporality: Temporality::default(),
            self_observability: true,
            exporter: SignalExporterConfig::default(),
        }
    }
}

/// `[service]`: who is sending.
///
/// ```
/// let service = otel_config::ServiceConfig::default();
/// assert_eq!(service.name, "unknown_service");
/// assert!(service.version.is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ServiceConfig {
    /// `service.name` (`OTEL_SERVICE_NAME`); defaults to the macro's `service`, then the crate name, then
    /// `"unknown_service"`. Never empty after loading.
    pub name: String,
    /// `service.version`; defaults to the crate's `CARGO_PKG_VERSION`.
    pub version: Option<String>,
    /// `service.environment`, sent as `deployment.environment.name`.
    pub environment: Option<String>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig { name: UNKNOWN_SERVICE.to_string(), version: None, environment: None }
    }
}

/// `[exporter]`: where and how spans are sent (`OTEL_EXPORTER_OTLP_*`).
///
/// ```
/// let exporter = otel_config::ExporterConfig::default();
/// assert_eq!(exporter.protocol, otel_config::Protocol::HttpProtobuf);
/// assert_eq!(exporter.timeout, std::time::Duration::from_secs(10));
/// assert_eq!(exporter.traces_url(), "http://localhost:4318/v1/traces");
/// ```
///
/// Credentials in an endpoint URL (`http://user:pass@host:4318`) are sent as Basic authorization and never
/// printed: `Debug` and `Serialize` show endpoints through [`redacted`](crate::redacted) and header values as
/// `"***"`.
///
/// ```
/// let mut exporter = otel_config::ExporterConfig::default();
/// exporter.endpoint = Some("http://user:s3cret@c:4318".into());
/// assert!(format!("{exporter:?}").contains(r#"endpoint: Some("http://***@c:4318")"#));
/// assert!(!format!("{exporter:?}").contains("s3cret"));
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ExporterConfig {
    /// `exporter.protocol`.
    pub protocol: Protocol,
    /// `exporter.endpoint`: a base URL (HTTP appends `v1/traces`), like `OTEL_EXPORTER_OTLP_ENDPOINT`.
    ///
    /// After loading, `endpoint` and each per-signal endpoint (`traces_endpoint`, `logs_endpoint`,
    /// `metrics_endpoint`) come from the same layer: the highest one that sets either (a layer setting only
    /// `endpoint` clears a per-signal endpoint from a lower layer).
    #[serde(serialize_with = "serialize_redacted")]
    pub endpoint: Option<String>,
    /// `exporter.traces_endpoint`: the exact URL, like `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; wins over `endpoint`
    /// set in the same layer.
    #[serde(serialize_with = "serialize_redacted")]
    pub traces_endpoint: Option<String>,
    /// `exporter.logs_endpoint`: the exact URL for log records (`OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`), by the same
    /// rules as `traces_endpoint`.
    #[serde(serialize_with = "serialize_redacted")]
    pub logs_endpoint: Option<String>,
    /// `exporter.metrics_endpoint`: the exact URL for metrics (`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`), by the
    /// same rules as `traces_endpoint`.
    #[serde(serialize_with = "serialize_redacted")]
    pub metrics_endpoint: Option<String>,
    /// `exporter.timeout`: the limit for one export request; zero means no limit.
    #[serde(with = "duration")]
    pub timeout: Duration,
    /// `exporter.headers`.
    pub headers: Headers,
    /// `exporter.compression`.
    pub compression: Compression,
    /// `exporter.insecure`: for gRPC endpoints without a scheme, use plain `http` instead of `https`.
    pub insecure: bool,
    /// `exporter.certificate`: a PEM file of trusted CA certificates.
    pub certificate: Option<PathBuf>,
    /// `exporter.client_certificate`: the PEM client certificate for mTLS.
    pub client_certificate: Option<PathBuf>,
    /// `exporter.client_key`: the PEM client private key for mTLS.
    pub client_key: Option<PathBuf>,
    /// `exporter.on_invalid`: when the exporter cannot be built at start (an unreadable certificate, a header
    /// the HTTP client refuses), `warn` starts the app with every span counted as failed; `exit` stops it.
    pub on_invalid: OnInvalid,
}

/// Endpoints are shown with their credentials replaced (for `otel-check config --json` and any other report).
fn serialize_redacted<S: Serializer>(value: &Option<String>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(url) => serializer.serialize_some(&redacted(url)),
        None => serializer.serialize_none(),
    }
}

/// Field by field, with endpoints redacted (headers redact themselves).
impl std::fmt::Debug for ExporterConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExporterConfig")
            .field("protocol", &self.protocol)
            .field("endpoint", &self.endpoint.as_deref().map(redacted))
            .field("traces_endpoint", &self.traces_endpoint.as_deref().map(redacted))
            .field("logs_endpoint", &self.logs_endpoint.as_deref().map(redacted))
            .field("metrics_endpoint", &self.metrics_endpoint.as_deref().map(redacted))
            .field("timeout", &self.timeout)
            .field("headers", &self.headers)
            .field("compression", &self.compression)
            .field("insecure", &self.insecure)
            .field("certificate", &self.certificate)
            .field("client_certificate", &self.client_certificate)
            .field("client_key", &self.client_key)
            .field("on_invalid", &self.on_invalid)
            .finish()
    }
}

impl Default for ExporterConfig {
    fn default() -> Self {
        ExporterConfig {
            protocol: Protocol::default(),
            endpoint: None,
            traces_endpoint: None,
            logs_endpoint: None,
            metrics_endpoint: None,
            timeout: Duration::from_secs(10),
            headers: Headers::default(),
            compression: Compression::default(),
            insecure: false,
            certificate: None,
            client_certificate: None,
            client_key: None,
            on_invalid: OnInvalid::default(),
        }
    }
}

/// `[batch]`: the batch span processor (`OTEL_BSP_*`).
///
/// ```
/// let batch = otel_config::BatchConfig::default();
/// assert_eq!((batch.max_queue_size, batch.max_export_batch_size), (2048, 512));
/// assert_eq!(batch.schedule_delay, std::time::Duration::from_secs(5));
/// assert!(batch.yield_to_app);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct BatchConfig {
    /// `batch.max_queue_size`: spans the lock-free hand-off queue holds (`OTEL_BSP_MAX_QUEUE_SIZE`). When it is full
    /// the application's thread moves a batch into the backlog itself, so spans are dropped (and counted) only when
    /// `max_queue_bytes` is reached too. From 1 to [`MAX_QUEUE_SIZE`].
    pub max_queue_size: usize,
    /// `batch.max_export_batch_size`: spans per export request; between 1 and `max_queue_size`.
    pub max_export_batch_size: usize,
    /// `batch.schedule_delay`: the longest a span waits before its batch is sent. Every duration is at most
    /// [`MAX_DURATION`](crate::MAX_DURATION) after loading.
    #[serde(with = "duration")]
    pub schedule_delay: Duration,
    /// `batch.export_timeout`: the limit for one export; zero means no limit.
    #[serde(with = "duration")]
    pub export_timeout: Duration,
    /// `batch.max_concurrent_exports`: export requests in flight at once. From 1 to [`MAX_CONCURRENT_EXPORTS`].
    pub max_concurrent_exports: usize,
    /// `batch.max_queue_bytes`: the estimated memory of the batches waiting for export (default 64 MiB). Spans move from the
    /// `max_queue_size` hand-off queue into this backlog as soon as the export worker takes them, so a burst is
    /// bounded by bytes, not by a span count; when it is full, new batches are dropped (and counted). At least 1.
    pub max_queue_bytes: usize,
    /// `batch.yield_to_app`: otel's export threads give way to the application's threads (default `true`). On
    /// Linux they run under `SCHED_BATCH`: waking one (a batch to send, a reply to read) never preempts a running
    /// application thread, which matters on machines with few cores; they still get their fair share of the CPU,
    /// so exports keep up. `false` leaves them at the normal policy. Elsewhere it has no effect.
    pub yield_to_app: bool,
}

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfig {
            max_queue_size: 2048,
            max_export_batch_size: 512,
            schedule_delay: Duration::from_secs(5),
            export_timeout: Duration::from_secs(30),
            max_concurrent_exports: 2,
            max_queue_bytes: 64 * 1024 * 1024,
            yield_to_app: true,
        }
    }
}

/// `[sampler]` (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`).
///
/// ```
/// let sampler = otel_config::SamplerConfig::default();
/// assert_eq!(sampler.name, otel_config::SamplerName::ParentBasedAlwaysOn);
/// assert_eq!(sampler.arg, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct SamplerConfig {
    /// `sampler.name`.
    pub name: SamplerName,
    /// `sampler.arg`: the ratio for the ratio samplers, in `[0, 1]`; unset means 1.0.
    pub arg: Option<f64>,
}

impl SamplerConfig {
    /// The ratio a ratio sampler uses: `arg`, or 1.0 when unset.
    ///
    /// ```
    /// let mut sampler = otel_config::SamplerConfig::default();
    /// assert_eq!(sampler.ratio(), 1.0);
    /// sampler.arg = Some(0.25);
    /// assert_eq!(sampler.ratio(), 0.25);
    /// ```
    pub fn ratio(&self) -> f64 {
        self.arg.unwrap_or(1.0)
    }
}

/// `[fmt]`: the console log layer.
///
/// ```
/// let fmt = otel_config::FmtConfig::default();
/// assert_eq!((fmt.format, fmt.filter.as_str()), (otel_config::FmtFormat::Compact, "info"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct FmtConfig {
    /// `fmt.format`.
    pub format: FmtFormat,
    /// `fmt.filter`: an `EnvFilter` directive (not checked here); `RUST_LOG`, when set and non-empty, wins.
    pub filter: String,
    /// `fmt.trace_ids`: each line carries the trace and span id of the span it was printed in (json: `trace_id`
    /// and `span_id` fields; compact and pretty: a short suffix), so a line in a log shipper leads to its trace.
    /// Default true.
    pub trace_ids: bool,
}

impl Default for FmtConfig {
    fn default() -> Self {
        FmtConfig { format: FmtFormat::default(), filter: "info".to_string(), trace_ids: true }
    }
}

/// `[shutdown]`.
///
/// ```
/// let shutdown = otel_config::ShutdownConfig::default();
/// assert_eq!(shutdown.timeout, std::time::Duration::from_secs(3));
/// assert_eq!(shutdown.summary, otel_config::SummaryMode::OnLoss);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ShutdownConfig {
    /// `shutdown.timeout`: the longest the final flush may take; zero means no limit.
    #[serde(with = "duration")]
    pub timeout: Duration,
    /// `shutdown.summary`: when to print the span summary.
    pub summary: SummaryMode,
}

impl Default for ShutdownConfig {
    fn default() -> Self {
        ShutdownConfig { timeout: Duration::from_secs(3), summary: SummaryMode::default() }
    }
}

/// `[limits]`: span limits (`OTEL_SPAN_*_COUNT_LIMIT`, `OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT`,
/// `OTEL_LINK_ATTRIBUTE_COUNT_LIMIT`), 128 each.
///
/// ```
/// let limits = otel_config::SpanLimitsConfig::default();
/// assert_eq!((limits.attribute_count, limits.attribute_per_link), (128, 128));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct SpanLimitsConfig {
    /// `limits.attribute_count`: attributes per span.
    pub attribute_count: u32,
    /// `limits.event_count`: events per span.
    pub event_count: u32,
    /// `limits.link_count`: links per span.
    pub link_count: u32,
    /// `limits.attribute_per_event`: attributes per event.
    pub attribute_per_event: u32,
    /// `limits.attribute_per_link`: attributes per link.
    pub attribute_per_link: u32,
}

impl Default for SpanLimitsConfig {
    fn default() -> Self {
        SpanLimitsConfig {
            attribute_count: 128,
            event_count: 128,
            link_count: 128,
            attribute_per_event: 128,
            attribute_per_link: 128,
        }
    }
}

/// `[tracing]`: what the tracing-opentelemetry layer adds to each span. Each costs time on the application's
/// thread for every span, so only the cheap and useful one is on by default.
///
/// ```
/// let tracing = otel_config::TracingConfig::default();
/// assert!(tracing.location && !tracing.threads && !tracing.timings);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct TracingConfig {
    /// `tracing.location`: `code.filepath`, `code.namespace`, `code.lineno` (static strings: nearly free). On.
    pub location: bool,
    /// `tracing.threads`: `thread.id` and `thread.name` (a thread-local read and a string copy per span). Off.
    pub threads: bool,
    /// `tracing.timings`: `busy_ns` and `idle_ns` (two clock reads on every enter and exit of a span). Off.
    pub timings: bool,
}

impl Default for TracingConfig {
    fn default() -> Self {
        TracingConfig { location: true, threads: false, timings: false }
    }
}
