//! Fault injection: what the current behavior of a signal decides for a request, and the error texts that go
//! with it.

use super::state::Shared;
use super::types::{Behavior, Signal};
use std::time::Duration;

/// What was decided for a request.
pub(super) enum Answer {
    Accept,
    Partial(i64),
    Unavailable(Option<Duration>),
    Reject,
    Garbage,
}

/// The behavior of one signal, and how many failures it served since it was set.
#[derive(Clone, Debug, Default)]
pub(super) struct Faults {
    pub(super) behavior: Behavior,
    pub(super) failures_served: usize,
}

impl Faults {
    /// `behavior`, its failure count at zero.
    pub(super) fn new(behavior: Behavior) -> Faults {
        Faults { behavior, failures_served: 0 }
    }
}

/// The message of an injected `Unavailable` failure.
pub(super) const UNAVAILABLE_MESSAGE: &str = "otel-testkit receiver: unavailable (injected failure)";
/// The message of an injected rejection.
pub(super) const REJECT_MESSAGE: &str = "otel-testkit receiver: request rejected (injected failure)";

impl Shared {
    /// The answer for the next request of `signal`, waiting as long as its behavior is `Stall`.
    pub(super) async fn decide(&self, signal: Signal) -> Answer {
        let mut changes = self.changed.subscribe();
        loop {
            {
                let mut state = self.lock();
                let faults = &mut state.faults[signal.index()];
                match faults.behavior.clone() {
                    Behavior::Accept => return Answer::Accept,
                    Behavior::Reject => return Answer::Reject,
                    Behavior::Garbage => return Answer::Garbage,
                    Behavior::PartialSuccess { rejected_per_request } => return Answer::Partial(rejected_per_request),
                    Behavior::Unavailable { times, retry_after } => {
                        if faults.failures_served < times {
                            faults.failures_served += 1;
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

/// What a garbled answer carries instead of a response message: five bytes of 0xff, a varint that never ends, so
/// no protobuf decoder takes it.
pub(super) const GARBAGE_PROTOBUF: &[u8] = b"\xff\xff\xff\xff\xff";
/// What a garbled OTLP/JSON answer carries: not JSON.
pub(super) const GARBAGE_JSON: &[u8] = b"{\"partialSuccess\": not json";
