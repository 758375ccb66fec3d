//! Our own OTLP/trace transport (gRPC on tonic, HTTP protobuf/JSON on hyper): one attempt at a time, with every
//! outcome the OTLP spec distinguishes (accepted, partially accepted, retryable or not, retry delay) visible to the
//! caller. The retry loop lives in the export worker, which also knows about the shutdown deadline.
//!
//! - [`Transport::build`] validates everything it can (endpoint, header names and values, certificate files) and
//!   never connects: a collector that is down does not fail the build.
//! - [`Transport::send`] makes exactly one attempt, bounded by its timeout, and classifies the result following the
//!   spec ("Retries and partial success"): see `grpc_client::classify_status` and `http_client::classify_response`.
//! - Header values are secrets: they are never printed (not in `Debug`, not in messages, not in errors).

mod classify;
mod grpc_client;
mod http_client;
mod tls;

#[cfg(test)]
mod tests;

use crate::health::ErrorKind;
use crate::BuildError;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use otel_config::{Compression, Protocol};
use std::time::Duration;

/// The outcome of one export attempt.
#[derive(Debug)]
pub(crate) enum AttemptOutcome {
    /// Every span accepted.
    Accepted,
    /// OTLP partial success: `rejected` spans refused (not to be retried), the rest accepted.
    PartiallyAccepted { rejected: u64, message: String },
    /// Nothing accepted.
    Failed(SendError),
}

/// Why an attempt failed, and whether the OTLP spec allows another.
#[derive(Debug, Clone)]
pub(crate) struct SendError {
    pub(crate) kind: ErrorKind,
    /// Human-readable cause; never contains header values.
    pub(crate) message: String,
    pub(crate) retryable: bool,
    /// From gRPC RetryInfo or HTTP Retry-After.
    pub(crate) retry_after: Option<Duration>,
}

impl SendError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>, retryable: bool) -> SendError {
        SendError { kind, message: message.into(), retryable, retry_after: None }
    }

    fn timeout(timeout: Duration) -> SendError {
        SendError::new(ErrorKind::Timeout, format!("no response within {timeout:?}"), true)
    }
}

/// The `User-Agent` of every export (the spec asks exporters to identify themselves).
const USER_AGENT: &str = concat!("otel-rust/", env!("CARGO_PKG_VERSION"));

/// Server-supplied text (gRPC status messages, partial-success messages, HTTP error bodies) is cut to this many
/// characters in our messages.
const MAX_SERVER_MESSAGE: usize = 200;

/// Sends export requests to one endpoint.
pub(crate) struct Transport {
    endpoint: String,
    protocol: Protocol,
    compression: Compression,
    /// The configured header names, for `Debug` (the values are only inside `inner`).
    header_names: Vec<String>,
    inner: Inner,
}

enum Inner {
    Grpc(Box<grpc_client::GrpcTransport>),
    Http(Box<http_client::HttpTransport>),
}

/// Shows the endpoint, protocol, compression and header NAMES; never a header value.
impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("endpoint", &self.endpoint)
            .field("protocol", &self.protocol.as_str())
            .field("compression", &self.compression.as_str())
            .field("headers", &self.header_names)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Called inside the export runtime's context (tokio runtime entered). Never connects eagerly: a down
    /// collector must not fail the build.
    pub(crate) fn build(config: &otel_config::ExporterConfig) -> Result<Transport, BuildError> {
        let endpoint = config.traces_url();
        let headers = http_client::header_map(&config.headers)?;
        let tls = tls::TlsFiles::load(config)?;
        let inner = match config.protocol {
            Protocol::Grpc => {
                Inner::Grpc(Box::new(grpc_client::GrpcTransport::build(&endpoint, config.compression, headers, &tls)?))
            }
            Protocol::HttpProtobuf | Protocol::HttpJson => Inner::Http(Box::new(http_client::HttpTransport::build(
                &endpoint,
                config.protocol == Protocol::HttpJson,
                config.compression,
                headers,
                &tls,
            )?)),
            Protocol::Console | Protocol::None => {
                return Err(BuildError(format!(
                    "otel: exporter.protocol {} sends nothing: no OTLP transport to build",
                    config.protocol
                )))
            }
        };
        Ok(Transport {
            endpoint,
            protocol: config.protocol,
            compression: config.compression,
            header_names: config.headers.iter().map(|(name, _)| name.to_string()).collect(),
            inner,
        })
    }

    /// The exact URL sent to (`config.traces_url()`).
    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// ONE attempt, bounded by `timeout` (`Duration::ZERO` = no limit). Cancel-safe: it may be dropped at any
    /// await (nothing is left half-done but a connection, which is then closed).
    pub(crate) async fn send(&self, request: &ExportTraceServiceRequest, timeout: Duration) -> AttemptOutcome {
        let attempt = async {
            match &self.inner {
                Inner::Grpc(grpc) => grpc.send(request).await,
                Inner::Http(http) => http.send(request).await,
            }
        };
        if timeout.is_zero() {
            return attempt.await;
        }
        match tokio::time::timeout(timeout, attempt).await {
            Ok(outcome) => outcome,
            Err(_elapsed) => AttemptOutcome::Failed(SendError::timeout(timeout)),
        }
    }
}

/// The outcome of a response that carried an OTLP partial success (`rejected_spans` > 0), or plain acceptance.
fn partial_outcome(rejected_spans: i64, error_message: &str) -> AttemptOutcome {
    if rejected_spans > 0 {
        let message = if error_message.is_empty() {
            format!("{rejected_spans} spans rejected by the collector")
        } else {
            format!("{rejected_spans} spans rejected by the collector: {}", truncate(error_message))
        };
        AttemptOutcome::PartiallyAccepted { rejected: rejected_spans as u64, message }
    } else {
        // `rejected_spans` = 0 with a message is a warning from the collector: the spans were all accepted.
        AttemptOutcome::Accepted
    }
}

/// Server text, trimmed and cut to [`MAX_SERVER_MESSAGE`] characters.
fn truncate(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(MAX_SERVER_MESSAGE) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
