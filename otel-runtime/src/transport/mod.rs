//! Our own OTLP/trace transport (gRPC on tonic, HTTP protobuf/JSON): one attempt at a time, with every outcome
//! the OTLP spec distinguishes (accepted, partially accepted, retryable or not, retry delay) visible to the caller.
//! The retry loop lives in the export worker, which also knows about the shutdown deadline.
//!
//! PLACEHOLDER: being written; see the interface below.

use crate::health::ErrorKind;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
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

/// Sends export requests to one endpoint.
#[derive(Debug)]
pub(crate) struct Transport {
    endpoint: String,
}

impl Transport {
    pub(crate) fn build(config: &otel_config::ExporterConfig) -> Result<Transport, crate::BuildError> {
        Ok(Transport { endpoint: config.traces_url() })
    }

    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub(crate) async fn send(&self, _request: &ExportTraceServiceRequest, _timeout: Duration) -> AttemptOutcome {
        AttemptOutcome::Failed(SendError {
            kind: ErrorKind::Transport,
            message: "not implemented".into(),
            retryable: false,
            retry_after: None,
        })
    }
}
