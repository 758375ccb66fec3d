//! Entry points for the fuzz targets (`fuzz/`): the transport's parsers of collector answers, reached with plain
//! inputs. Not a public API: doc-hidden, may change in any release.

use crate::transport::{AttemptOutcome, SendError};
use std::time::{Duration, SystemTime};

/// What a classification came to, in plain data a fuzz target can check.
#[derive(Debug)]
pub struct Classified {
    /// `accepted`, `partial`, or `failed`.
    pub outcome: &'static str,
    /// The rejected span count of a partial success.
    pub rejected: u64,
    /// The `error.type` of a failure.
    pub error_type: Option<&'static str>,
    /// The message a failure or partial success would print.
    pub message: String,
    /// Whether the spec allows another attempt.
    pub retryable: bool,
    /// The delay the answer asked for, already saturated by the transport.
    pub retry_after: Option<Duration>,
}

fn failed(error: SendError) -> Classified {
    Classified {
        outcome: "failed",
        rejected: 0,
        error_type: Some(error.kind.error_type()),
        message: error.message,
        retryable: error.retryable,
        retry_after: error.retry_after,
    }
}

fn classified(outcome: AttemptOutcome) -> Classified {
    match outcome {
        AttemptOutcome::Accepted => Classified {
            outcome: "accepted",
            rejected: 0,
            error_type: None,
            message: String::new(),
            retryable: false,
            retry_after: None,
        },
        AttemptOutcome::PartiallyAccepted { rejected, message } => {
            Classified { outcome: "partial", rejected, error_type: None, message, retryable: false, retry_after: None }
        }
        AttemptOutcome::Failed(error) => failed(error),
    }
}

/// An OTLP/HTTP answer: status, `Content-Type`, `Retry-After`, body, and whether the request was JSON.
///
/// ```
/// let answer = otel_runtime::__fuzz::http_response(200, None, None, b"", false);
/// assert_eq!(answer.outcome, "accepted");
/// ```
pub fn http_response(
    status: u16,
    content_type: Option<&str>,
    retry_after: Option<&str>,
    body: &[u8],
    json_request: bool,
) -> Classified {
    classified(crate::transport::http_client::classify_http_response(
        status,
        content_type,
        retry_after,
        body,
        json_request,
        SystemTime::now(),
    ))
}

/// A gRPC status from the server: code (any number), message, `grpc-status-details-bin` bytes.
///
/// ```
/// let status = otel_runtime::__fuzz::grpc_status(14, "busy", b"");
/// assert!(status.retryable);
/// ```
#[cfg(feature = "grpc")]
pub fn grpc_status(code: i32, message: &str, details: &[u8]) -> Classified {
    failed(crate::transport::grpc_client::classify_grpc_status(code, message, details))
}

/// A `Retry-After` header value.
///
/// ```
/// assert_eq!(otel_runtime::__fuzz::retry_after("3"), Some(std::time::Duration::from_secs(3)));
/// ```
pub fn retry_after(value: &str) -> Option<Duration> {
    crate::transport::http_client::parse_retry_after(value, SystemTime::now())
}

/// The longest delay the transport passes on (longer ones saturate to it).
pub const MAX_RETRY_DELAY: Duration = crate::transport::MAX_RETRY_DELAY;
