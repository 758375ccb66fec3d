//! `otel-check ping`: send one test span to the configured collector and time the answer, with the same
//! transport (endpoint, protocol, headers, compression, TLS) and the same error classification as the pipeline.

use crate::health::ErrorKind;
use crate::transport::{AttemptOutcome, Transport};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{span, status, ResourceSpans, ScopeSpans, Span, Status};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The name of the test span.
pub const PING_SPAN_NAME: &str = "otel-check ping";

/// The limit of a ping when `exporter.timeout` is 0 (no limit): a check must end.
pub const DEFAULT_PING_TIMEOUT: Duration = Duration::from_secs(10);

/// A ping the collector accepted.
///
/// ```no_run
/// let config = otel_config::Config::default();
/// let report = otel_runtime::ping::ping(&config)?;
/// println!("{} answered in {:?} (trace {})", report.endpoint, report.round_trip, report.trace_id);
/// # Ok::<(), otel_runtime::ping::PingError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PingReport {
    /// The exact URL the span was sent to.
    pub endpoint: String,
    /// The protocol used (`grpc`, `http/protobuf` or `http/json`).
    pub protocol: otel_config::Protocol,
    /// From sending the request to the collector's answer, connection set-up (TCP, TLS) included.
    pub round_trip: Duration,
    /// The trace id of the test span (32 hex digits), to find it in the backend.
    pub trace_id: String,
}

/// A ping that failed: the same classification as the export pipeline's failures.
///
/// When the transport cannot even be built (the protocol is `console` or `none`, an invalid header, an unreadable
/// certificate file), `kind` is [`ErrorKind::Transport`], `retryable` is false and `message` says why.
///
/// ```no_run
/// let config = otel_config::Config::default();
/// if let Err(error) = otel_runtime::ping::ping(&config) {
///     // e.g. "ping http://localhost:4318/v1/traces failed: connection refused"
///     eprintln!("{error}");
///     if error.kind == otel_runtime::ErrorKind::Refused {
///         eprintln!("is the collector running?");
///     }
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PingError {
    /// The classified cause (refused, DNS, TLS, timeout, HTTP status, gRPC code, rejected, ...).
    pub kind: ErrorKind,
    /// A short message; never contains header values.
    pub message: String,
    /// The exact URL the span was (or would have been) sent to.
    pub endpoint: String,
    /// Whether the spec counts the failure as transient (an exporter would retry it).
    pub retryable: bool,
}

impl std::fmt::Display for PingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.endpoint.is_empty() {
            write!(f, "ping failed: {}", self.message)
        } else {
            write!(f, "ping {} failed: {}", self.endpoint, self.message)
        }
    }
}

impl std::error::Error for PingError {}

/// Sends one export request with a single test span (named [`PING_SPAN_NAME`], `service.name` from
/// `config.service.name`) to the configured collector, on a small current-thread tokio runtime of its own, within
/// `exporter.timeout` ([`DEFAULT_PING_TIMEOUT`] when that is 0). One attempt, no retry.
///
/// Blocking. Called from inside a tokio runtime, it runs on a thread of its own (a runtime cannot block on
/// another).
///
/// ```no_run
/// let mut config = otel_config::Config::default();
/// config.exporter.protocol = otel_config::Protocol::Grpc;
/// config.exporter.endpoint = Some("http://localhost:4317".into());
/// match otel_runtime::ping::ping(&config) {
///     Ok(report) => println!("ok: {} in {:?}", report.endpoint, report.round_trip),
///     Err(error) => eprintln!("{error} ({})", error.kind),
/// }
/// ```
pub fn ping(config: &otel_config::Config) -> Result<PingReport, PingError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return std::thread::scope(|scope| match scope.spawn(|| ping_here(config)).join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        });
    }
    ping_here(config)
}

/// Pings the collector of `signal` with `signal`'s exporter settings (`[exporter]` and its overrides): for
/// traces, [`ping`]'s test span; for logs, one test log record (body [`PING_SPAN_NAME`], in the ping's trace);
/// for metrics, an export request with no data point (it checks the endpoint, the path and the credentials, and
/// adds no series to the backend). One attempt, no retry; blocking, as [`ping`].
///
/// ```no_run
/// let config = otel_config::Config::default();
/// for signal in otel_config::Signal::ALL {
///     match otel_runtime::ping::ping_signal(&config, *signal) {
///         Ok(report) => println!("{signal}: ok in {:?}", report.round_trip),
///         Err(error) => eprintln!("{signal}: {error}"),
///     }
/// }
/// ```
pub fn ping_signal(config: &otel_config::Config, signal: otel_config::Signal) -> Result<PingReport, PingError> {
    let mut signal_config = config.clone();
    signal_config.exporter = config.exporter_for(signal);
    if tokio::runtime::Handle::try_current().is_ok() {
        return std::thread::scope(|scope| match scope.spawn(|| ping_signal_here(&signal_config, signal)).join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        });
    }
    ping_signal_here(&signal_config, signal)
}

/// [`ping`] on the calling thread, which must not be inside a tokio runtime.
fn ping_here(config: &otel_config::Config) -> Result<PingReport, PingError> {
    ping_signal_here(config, otel_config::Signal::Traces)
}

/// One ping of `signal` with `config.exporter` as that signal's settings, on the calling thread (not inside a
/// tokio runtime).
fn ping_signal_here(config: &otel_config::Config, signal: otel_config::Signal) -> Result<PingReport, PingError> {
    let exporter = &config.exporter;
    // Reports and errors are printed: never with the credentials a URL may carry.
    let endpoint = if exporter.protocol.is_otlp() { exporter.url_redacted(signal) } else { String::new() };
    let setup_error = |message: String| PingError {
        kind: ErrorKind::Transport,
        message,
        endpoint: endpoint.clone(),
        retryable: false,
    };
    if !exporter.protocol.is_otlp() {
        return Err(setup_error(format!(
            "{} is {}: no OTLP collector to ping (use grpc, http/protobuf or http/json)",
            otel_config::__private::key::EXPORTER_PROTOCOL,
            exporter.protocol
        )));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| setup_error(format!("cannot start a tokio runtime: {e}")))?;
    let timeout = if exporter.timeout.is_zero() { DEFAULT_PING_TIMEOUT } else { exporter.timeout };
    let (request, trace_id) = ping_request(&config.service.name);
    runtime.block_on(async {
        let transport = Transport::build(exporter, signal).map_err(|e| setup_error(e.to_string()))?;
        let started = Instant::now();
        let outcome = match signal {
            otel_config::Signal::Traces => transport.send(&request, timeout).await,
            otel_config::Signal::Logs => transport.send(&ping_logs_request(&request), timeout).await,
            otel_config::Signal::Metrics => {
                let empty = opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest::default();
                transport.send(&empty, timeout).await
            }
            _ => return Err(setup_error(format!("otel-check cannot ping the {signal} endpoint"))),
        };
        let trace_id = if signal == otel_config::Signal::Metrics { String::new() } else { trace_id };
        let round_trip = started.elapsed();
        let endpoint = transport.endpoint().to_string();
        match outcome {
            AttemptOutcome::Accepted => Ok(PingReport { endpoint, protocol: exporter.protocol, round_trip, trace_id }),
            AttemptOutcome::PartiallyAccepted { message, .. } => {
                Err(PingError { kind: ErrorKind::Rejected, message, endpoint, retryable: false })
            }
            AttemptOutcome::Failed(error) => {
                Err(PingError { kind: error.kind, message: error.message, endpoint, retryable: error.retryable })
            }
        }
    })
}

/// The request of a ping, and its trace id in hex.
pub(crate) fn ping_request(service_name: &str) -> (ExportTraceServiceRequest, String) {
    // One trace per process: the pings of the three signals (otel-check sends them in turn) share it, so the test
    // log record is found with the test span.
    static IDS: std::sync::OnceLock<([u8; 16], [u8; 8])> = std::sync::OnceLock::new();
    let (trace_id, span_id) = *IDS.get_or_init(|| (random_bytes::<16>(), random_bytes::<8>()));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos() as u64;
    let string = |key: &str, value: &str| KeyValue {
        key: key.to_string(),
        value: Some(AnyValue { value: Some(any_value::Value::StringValue(value.to_string())) }),
        ..Default::default()
    };
    let span = Span {
        trace_id: trace_id.to_vec(),
        span_id: span_id.to_vec(),
        name: PING_SPAN_NAME.to_string(),
        kind: span::SpanKind::Internal as i32,
        start_time_unix_nano: now,
        end_time_unix_nano: now,
        attributes: vec![string("otel.check", "ping")],
        status: Some(Status { code: status::StatusCode::Ok as i32, message: String::new() }),
        ..Default::default()
    };
    let request = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource { attributes: vec![string("service.name", service_name)], ..Default::default() }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: "otel-check".to_string(),
                    version: env!("CARGO_PKG_VERSION").to_string(),
                    ..Default::default()
                }),
                spans: vec![span],
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    };
    let hex = trace_id.iter().map(|b| format!("{b:02x}")).collect();
    (request, hex)
}

/// The log request of a ping: one record, body [`PING_SPAN_NAME`], in the trace of the ping's span, with its
/// resource and scope.
fn ping_logs_request(
    spans: &ExportTraceServiceRequest,
) -> opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest {
    use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs, SeverityNumber};
    let resource_spans = &spans.resource_spans[0];
    let scope_spans = &resource_spans.scope_spans[0];
    let span = &scope_spans.spans[0];
    let record = LogRecord {
        time_unix_nano: span.start_time_unix_nano,
        observed_time_unix_nano: span.start_time_unix_nano,
        severity_number: SeverityNumber::Info as i32,
        severity_text: "INFO".to_string(),
        body: Some(AnyValue { value: Some(any_value::Value::StringValue(PING_SPAN_NAME.to_string())) }),
        attributes: span.attributes.clone(),
        trace_id: span.trace_id.clone(),
        span_id: span.span_id.clone(),
        ..Default::default()
    };
    opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: resource_spans.resource.clone(),
            scope_logs: vec![ScopeLogs {
                scope: scope_spans.scope.clone(),
                log_records: vec![record],
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

/// Random bytes from std's randomly keyed hasher (no rand dependency); never all zero (invalid as an id).
fn random_bytes<const N: usize>() -> [u8; N] {
    use std::hash::{BuildHasher, Hasher};
    let mut out = [0u8; N];
    let mut counter = 0u64;
    while out.iter().all(|b| *b == 0) {
        for chunk in out.chunks_mut(8) {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u64(counter);
            counter += 1;
            chunk.copy_from_slice(&hasher.finish().to_le_bytes()[..chunk.len()]);
        }
    }
    out
}
