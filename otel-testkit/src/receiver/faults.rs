//! Fault injection: what the current behavior decides for a request, and the error texts that go with it.

use super::state::Shared;
use super::types::Behavior;
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTracePartialSuccess, ExportTraceServiceResponse};
use std::time::Duration;

/// What was decided for a request.
pub(super) enum Answer {
    Accept,
    Partial(i64),
    Unavailable(Option<Duration>),
    Reject,
}

/// The message of an injected `Unavailable` failure.
pub(super) const UNAVAILABLE_MESSAGE: &str = "otel-testkit receiver: unavailable (injected failure)";
/// The message of an injected rejection.
pub(super) const REJECT_MESSAGE: &str = "otel-testkit receiver: request rejected (injected failure)";

/// The answer of an injected partial success.
pub(super) fn partial_response(rejected: i64) -> ExportTraceServiceResponse {
    ExportTraceServiceResponse {
        partial_success: Some(ExportTracePartialSuccess {
            rejected_spans: rejected,
            error_message: format!("otel-testkit receiver: {rejected} spans rejected (injected partial success)"),
        }),
    }
}

impl Shared {
    /// The answer for the next request, waiting as long as the behavior is `Stall`.
    pub(super) async fn decide(&self) -> Answer {
        let mut changes = self.changed.subscribe();
        loop {
            {
                let mut state = self.lock();
                match state.behavior.clone() {
                    Behavior::Accept => return Answer::Accept,
                    Behavior::Reject => return Answer::Reject,
                    Behavior::PartialSuccess { rejected_per_request } => return Answer::Partial(rejected_per_request),
                    Behavior::Unavailable { times, retry_after } => {
                        if state.failures_served < times {
                            state.failures_served += 1;
                            return Answer::Unavailable(retry_after);
                        }
                        return Answer::Accept;
                    }
                    Behavior::Stall => {}
                }
            }
            if changes.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}
