//! The configuration model: every otel.toml key with its built-in default.

use crate::duration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// The whole configuration, as otel.toml spells it.
///
/// ```
/// let config = otel_config::Config::default();
/// assert_eq!(config.exporter.protocol, otel_config::Protocol::HttpProtobuf);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `disabled` / `OTEL_SDK_DISABLED`: no spans are recorded or exported; propagation still works.
    pub disabled: bool,
    /// `[service]`.
    pub service: ServiceConfig,
    /// `[resource]`: extra resource attributes.
    pub resource: BTreeMap<String, String>,
    /// `[exporter]`.
    pub exporter: ExporterConfig,
    /// `[batch]`.
    pub batch: BatchConfig,
    /// `[sampler]`.
    pub sampler: SamplerConfig,
    /// `propagators`: the context propagation formats, in order; default `["tracecontext", "baggage"]`.
    pub propagators: Vec<Propagator>,
    /// `[fmt]`.
    pub fmt: FmtConfig,
    /// `[shutdown]`.
    pub shutdown: ShutdownConfig,
}

/// `[service]`: who is sending.
///
/// ```
/// assert!(otel_config::ServiceConfig::default().version.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// `service.name`; defaults to the macro's `service` argument, then the crate name.
    pub name: String,
    /// `service.version`; defaults to the crate's `CARGO_PKG_VERSION`.
    pub version: Option<String>,
    /// `service.environment`, sent as `deployment.environment.name`.
    pub environment: Option<String>,
}

/// `exporter.protocol`: how spans leave the process.
///
/// ```
/// assert_eq!(otel_config::Protocol::Grpc.as_str(), "grpc");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Protocol {
    /// OTLP over gRPC (default port 4317).
    #[serde(rename = "grpc")]
    Grpc,
    /// OTLP over HTTP with protobuf bodies (default port 4318; the spec's default).
    #[default]
    #[serde(rename = "http/protobuf")]
    HttpProtobuf,
    /// OTLP over HTTP with JSON bodies.
    #[serde(rename = "http/json")]
    HttpJson,
    /// Print spans on stdout.
    #[serde(rename = "console")]
    Console,
    /// Record and propagate, export nothing.
    #[serde(rename = "none")]
    None,
}

impl Protocol {
    /// Every valid spelling, for error messages.
    pub const VALID: &'static [&'static str] = &["grpc", "http/protobuf", "http/json", "console", "none"];

    /// The otel.toml spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Grpc => "grpc",
            Protocol::HttpProtobuf => "http/protobuf",
            Protocol::HttpJson => "http/json",
            Protocol::Console => "console",
            Protocol::None => "none",
        }
    }

    /// Parses a spelling, case-insensitively.
    ///
    /// ```
    /// assert_eq!(otel_config::Protocol::parse("GRPC"), Some(otel_config::Protocol::Grpc));
    /// ```
    pub fn parse(value: &str) -> Option<Protocol> {
        let value = value.trim().to_ascii_lowercase();
        [Protocol::Grpc, Protocol::HttpProtobuf, Protocol::HttpJson, Protocol::Console, Protocol::None]
            .into_iter()
            .find(|p| p.as_str() == value)
    }
}

/// `exporter.compression`.
///
/// ```
/// assert_eq!(otel_config::Compression::default(), otel_config::Compression::None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// No compression.
    #[default]
    None,
    /// gzip.
    Gzip,
}

/// Header names and values sent with every export. Values are secrets: `Debug` never shows them.
///
/// ```
/// let mut headers = otel_config::Headers::default();
/// headers.0.insert("authorization".into(), "Bearer s3cret".into());
/// assert!(!format!("{headers:?}").contains("s3cret"));
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Headers(pub BTreeMap<String, String>);

impl std::fmt::Debug for Headers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.0.keys().map(|k| (k, "<redacted>"))).finish()
    }
}

/// `[exporter]`: where and how spans are sent.
///
/// ```
/// let exporter = otel_config::ExporterConfig::default();
/// assert_eq!(exporter.traces_url(), "http://localhost:4318/v1/traces");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExporterConfig {
    /// `exporter.protocol`.
    pub protocol: Protocol,
    /// `exporter.endpoint`: a base URL (HTTP appends `v1/traces`), like `OTEL_EXPORTER_OTLP_ENDPOINT`.
    pub endpoint: Option<String>,
    /// `exporter.traces_endpoint`: the exact URL, like `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; wins over `endpoint`.
    pub traces_endpoint: Option<String>,
    /// `exporter.timeout`: the limit for one export request.
    #[serde(with = "duration")]
    pub timeout: Duration,
    /// `exporter.headers`.
    pub headers: Headers,
    /// `exporter.compression`.
    pub compression: Compression,
}

impl Default for ExporterConfig {
    fn default() -> Self {
        ExporterConfig {
            protocol: Protocol::default(),
            endpoint: None,
            traces_endpoint: None,
            timeout: Duration::from_secs(10),
            headers: Headers::default(),
            compression: Compression::None,
        }
    }
}

impl ExporterConfig {
    /// The exact URL the exporter sends to, by the spec's endpoint rules.
    ///
    /// ```
    /// let mut exporter = otel_config::ExporterConfig::default();
    /// exporter.endpoint = Some("http://c:4318/mycollector/".into());
    /// assert_eq!(exporter.traces_url(), "http://c:4318/mycollector/v1/traces");
    /// exporter.traces_endpoint = Some("http://c:4318".into());
    /// assert_eq!(exporter.traces_url(), "http://c:4318/");
    /// ```
    pub fn traces_url(&self) -> String {
        let is_http = matches!(self.protocol, Protocol::HttpProtobuf | Protocol::HttpJson);
        if let Some(url) = &self.traces_endpoint {
            if is_http && !has_path(url) {
                return format!("{url}/");
            }
            return url.clone();
        }
        match (&self.endpoint, is_http) {
            (Some(base), true) => {
                let base = base.trim_end_matches('/');
                format!("{base}/v1/traces")
            }
            (Some(base), false) => base.clone(),
            (None, true) => "http://localhost:4318/v1/traces".to_string(),
            (None, false) => "http://localhost:4317".to_string(),
        }
    }
}

fn has_path(url: &str) -> bool {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.contains('/')
}

/// `[batch]`: the batch span processor.
///
/// ```
/// assert_eq!(otel_config::BatchConfig::default().max_queue_size, 2048);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchConfig {
    /// `batch.max_queue_size`: spans held before new ones are dropped (and counted).
    pub max_queue_size: usize,
    /// `batch.max_export_batch_size`: spans per export request; at most `max_queue_size`.
    pub max_export_batch_size: usize,
    /// `batch.schedule_delay`: the longest a span waits before its batch is sent.
    #[serde(with = "duration")]
    pub schedule_delay: Duration,
    /// `batch.export_timeout`.
    #[serde(with = "duration")]
    pub export_timeout: Duration,
}

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfig {
            max_queue_size: 2048,
            max_export_batch_size: 512,
            schedule_delay: Duration::from_secs(5),
            export_timeout: Duration::from_secs(30),
        }
    }
}

/// `fmt.format`: how the console log layer prints.
///
/// ```
/// assert_eq!(otel_config::FmtFormat::default(), otel_config::FmtFormat::Compact);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FmtFormat {
    /// Multi-line, human friendly.
    Pretty,
    /// One line per event.
    #[default]
    Compact,
    /// One JSON object per event.
    Json,
    /// No console logging.
    Off,
}

/// `[fmt]`: the console log layer.
///
/// ```
/// assert_eq!(otel_config::FmtConfig::default().filter, "info");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FmtConfig {
    /// `fmt.format`.
    pub format: FmtFormat,
    /// `fmt.filter`: an `EnvFilter` directive; `RUST_LOG` wins when set.
    pub filter: String,
}

impl Default for FmtConfig {
    fn default() -> Self {
        FmtConfig { format: FmtFormat::default(), filter: "info".to_string() }
    }
}

/// `[shutdown]`.
///
/// ```
/// assert_eq!(otel_config::ShutdownConfig::default().timeout, std::time::Duration::from_secs(3));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShutdownConfig {
    /// `shutdown.timeout`: the longest the final flush may take.
    #[serde(with = "duration")]
    pub timeout: Duration,
    /// `shutdown.always_summary`: print the span summary even when nothing was lost.
    pub always_summary: bool,
}

impl Default for ShutdownConfig {
    fn default() -> Self {
        ShutdownConfig { timeout: Duration::from_secs(3), always_summary: false }
    }
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
        }
    }
}

/// `sampler.name`: which spans are recorded, by the spec's names.
///
/// ```
/// assert_eq!(otel_config::SamplerName::default(), otel_config::SamplerName::ParentBasedAlwaysOn);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SamplerName {
    /// Every span.
    AlwaysOn,
    /// No span.
    AlwaysOff,
    /// A fraction `sampler.arg` of traces, by trace id.
    #[serde(rename = "traceidratio")]
    TraceIdRatio,
    /// The parent's decision; root spans always sampled.
    #[default]
    #[serde(rename = "parentbased_always_on")]
    ParentBasedAlwaysOn,
    /// The parent's decision; root spans never sampled.
    #[serde(rename = "parentbased_always_off")]
    ParentBasedAlwaysOff,
    /// The parent's decision; root spans by ratio `sampler.arg`.
    #[serde(rename = "parentbased_traceidratio")]
    ParentBasedTraceIdRatio,
}

impl SamplerName {
    /// Every valid spelling.
    pub const VALID: &'static [&'static str] = &[
        "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio",
    ];
}

/// `[sampler]`.
///
/// ```
/// assert_eq!(otel_config::SamplerConfig::default().ratio(), 1.0);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SamplerConfig {
    /// `sampler.name`.
    pub name: SamplerName,
    /// `sampler.arg`: the ratio for the ratio samplers, in [0, 1]; default 1.0.
    pub arg: Option<f64>,
}

impl SamplerConfig {
    /// The ratio the ratio samplers use.
    pub fn ratio(&self) -> f64 {
        self.arg.unwrap_or(1.0)
    }
}

/// One context propagation format of `propagators`.
///
/// ```
/// let p: Vec<otel_config::Propagator> = vec![otel_config::Propagator::TraceContext];
/// assert_eq!(p.len(), 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Propagator {
    /// W3C `traceparent` / `tracestate`.
    #[serde(rename = "tracecontext")]
    TraceContext,
    /// W3C `baggage`.
    Baggage,
    /// No propagation (only meaningful alone).
    None,
}
