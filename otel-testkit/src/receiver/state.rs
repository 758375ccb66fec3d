//! What the receiver shares between its servers and its handle: the recording, the current behavior, and the
//! waits (a condition variable for blocking tests, a watch channel for async ones and for stalled requests).

use super::faults::Answer;
use super::types::{Attempt, Behavior, Outcome, Protocol, Received};
use crate::span::{flatten, span_count, ReceivedSpan};
use http::HeaderMap;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Everything recorded, and the current behavior.
#[derive(Default)]
pub(super) struct State {
    pub(super) behavior: Behavior,
    pub(super) failures_served: usize,
    pub(super) attempts: Vec<Attempt>,
    pub(super) requests: Vec<Received>,
    pub(super) spans: Vec<ReceivedSpan>,
}

impl State {
    /// What arrived, for the error of a wait that timed out.
    pub(super) fn describe(&self) -> String {
        let mut names: Vec<&str> = self.spans.iter().map(|s| s.name.as_str()).collect();
        names.truncate(50);
        let invalid: Vec<&str> = self
            .attempts
            .iter()
            .filter_map(|a| match &a.outcome {
                Outcome::Invalid(why) => Some(why.as_str()),
                _ => None,
            })
            .collect();
        let outcomes: Vec<String> = self.attempts.iter().map(|a| format!("{:?}", a.outcome)).collect();
        format!(
            "received {} spans in {} accepted requests; {} attempts in all {:?}; behavior {:?}; span names {:?}{}",
            self.spans.len(),
            self.requests.len(),
            self.attempts.len(),
            outcomes,
            self.behavior,
            names,
            if invalid.is_empty() { String::new() } else { format!("; invalid requests: {invalid:?}") }
        )
    }
}

/// The state and its change notifications, shared by the servers and the [`Receiver`](super::Receiver).
pub(super) struct Shared {
    pub(super) state: Mutex<State>,
    /// For the blocking waits.
    pub(super) cond: Condvar,
    /// Bumped on every change, for the async waits and for stalled requests.
    pub(super) changed: tokio::sync::watch::Sender<u64>,
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn update<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let result = f(&mut self.lock());
        self.cond.notify_all();
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
        result
    }

    /// Records the arrival of a decoded request, decides, records the outcome (and the spans when accepted).
    pub(super) async fn handle(
        &self,
        protocol: Protocol,
        path: String,
        headers: HeaderMap,
        request: ExportTraceServiceRequest,
    ) -> Answer {
        let count = span_count(&request);
        let index = self.update(|s| {
            s.attempts.push(Attempt {
                at: Instant::now(),
                protocol: Some(protocol),
                span_count: count,
                outcome: Outcome::Pending,
            });
            s.attempts.len() - 1
        });
        let answer = self.decide().await;
        self.update(|s| {
            let outcome = match &answer {
                Answer::Accept => Outcome::Accepted,
                Answer::Partial(n) => Outcome::PartiallyAccepted { rejected: *n },
                Answer::Unavailable(_) => Outcome::Unavailable,
                Answer::Reject => Outcome::Rejected,
            };
            if matches!(outcome, Outcome::Accepted | Outcome::PartiallyAccepted { .. }) {
                s.spans.extend(flatten(&request));
                s.requests.push(Received { protocol, path, headers, request });
            }
            s.attempts[index].outcome = outcome;
        });
        answer
    }

    pub(super) fn invalid(&self, protocol: Option<Protocol>, why: String) {
        self.update(|s| {
            s.attempts.push(Attempt { at: Instant::now(), protocol, span_count: 0, outcome: Outcome::Invalid(why) })
        });
    }

    pub(super) async fn wait_until<T>(
        &self,
        timeout: Duration,
        what: &str,
        ready: impl Fn(&State) -> Option<T>,
    ) -> Result<T, String> {
        let mut changes = self.changed.subscribe();
        let wait = async {
            loop {
                if let Some(found) = ready(&self.lock()) {
                    return found;
                }
                if changes.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        };
        match tokio::time::timeout(timeout, wait).await {
            Ok(found) => Ok(found),
            Err(_) => Err(format!("timed out after {timeout:?} waiting for {what}: {}", self.lock().describe())),
        }
    }

    pub(super) fn wait_until_blocking<T>(
        &self,
        timeout: Duration,
        what: &str,
        ready: impl Fn(&State) -> Option<T>,
    ) -> Result<T, String> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if let Some(found) = ready(&state) {
                return Ok(found);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(format!("timed out after {timeout:?} waiting for {what}: {}", state.describe()));
            }
            state = self.cond.wait_timeout(state, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}
