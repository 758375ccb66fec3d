//! What the receiver shares between its servers and its handle: the recording, the current behavior, and the
//! waits (a condition variable for blocking tests, a watch channel for async ones and for stalled requests).

use super::export::Export;
use super::faults::{Answer, Faults};
use super::types::{Attempt, Behavior, Outcome, Protocol, Received, Signal};
use crate::log::ReceivedLogRecord;
use crate::metric::ReceivedMetric;
use crate::span::ReceivedSpan;
use crate::sync::unpoisoned;
use http::HeaderMap;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Everything recorded, and the current behavior of each signal.
#[derive(Default)]
pub(super) struct State {
    /// Indexed by [`Signal::index`].
    pub(super) faults: [Faults; 3],
    pub(super) attempts: Vec<Attempt>,
    pub(super) requests: Vec<Received>,
    pub(super) log_requests: Vec<Received<ExportLogsServiceRequest>>,
    pub(super) metric_requests: Vec<Received<ExportMetricsServiceRequest>>,
    pub(super) spans: Vec<ReceivedSpan>,
    pub(super) logs: Vec<ReceivedLogRecord>,
    pub(super) metrics: Vec<ReceivedMetric>,
}

impl State {
    /// A state whose signals behave as `behaviors` say (indexed by [`Signal::index`]).
    pub(super) fn new(behaviors: [Behavior; 3]) -> State {
        State { faults: behaviors.map(Faults::new), ..State::default() }
    }

    /// The current behavior of `signal`.
    pub(super) fn behavior(&self, signal: Signal) -> &Behavior {
        &self.faults[signal.index()].behavior
    }

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
        let outcomes: Vec<String> =
            self.attempts.iter().map(|a| format!("{} {:?}", a.signal.map_or("?", Signal::as_str), a.outcome)).collect();
        let mut bodies: Vec<&str> = self.logs.iter().map(|l| l.body.as_str()).collect();
        bodies.truncate(20);
        let mut metric_names: Vec<&str> = self.metrics.iter().map(|m| m.name.as_str()).collect();
        metric_names.dedup();
        metric_names.truncate(50);
        let behaviors: Vec<String> = Signal::ALL.iter().map(|s| format!("{s}: {:?}", self.behavior(*s))).collect();
        format!(
            "received {} spans in {} accepted requests, {} log records in {}, {} metrics in {}; {} attempts in all \
             {:?}; behavior {}; span names {:?}; log bodies {:?}; metric names {:?}{}",
            self.spans.len(),
            self.requests.len(),
            self.logs.len(),
            self.log_requests.len(),
            self.metrics.len(),
            self.metric_requests.len(),
            self.attempts.len(),
            outcomes,
            behaviors.join(", "),
            names,
            bodies,
            metric_names,
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
        unpoisoned(self.state.lock())
    }

    pub(super) fn update<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let result = f(&mut self.lock());
        self.cond.notify_all();
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
        result
    }

    /// Records the arrival of a decoded request, decides, records the outcome (and the contents when accepted).
    pub(super) async fn handle<R: Export>(
        &self,
        protocol: Protocol,
        path: String,
        headers: HeaderMap,
        request: R,
    ) -> Answer {
        let count = request.item_count();
        let index = self.update(|s| {
            s.attempts.push(Attempt {
                at: Instant::now(),
                protocol: Some(protocol),
                signal: Some(R::SIGNAL),
                span_count: if R::SIGNAL == Signal::Traces { count } else { 0 },
                item_count: count,
                outcome: Outcome::Pending,
            });
            s.attempts.len() - 1
        });
        let answer = self.decide(R::SIGNAL).await;
        self.update(|s| {
            let outcome = match &answer {
                Answer::Accept => Outcome::Accepted,
                Answer::Partial(n) => Outcome::PartiallyAccepted { rejected: *n },
                Answer::Unavailable(_) => Outcome::Unavailable,
                Answer::Reject => Outcome::Rejected,
                Answer::Garbage => Outcome::Garbage,
            };
            if matches!(outcome, Outcome::Accepted | Outcome::PartiallyAccepted { .. } | Outcome::Garbage) {
                R::record(Received { protocol, path, headers, request }, s);
            }
            s.attempts[index].outcome = outcome;
        });
        answer
    }

    /// Records a request that could not be handled: `signal` when its path said it, and the reason.
    pub(super) fn invalid(&self, protocol: Option<Protocol>, signal: Option<Signal>, why: String) {
        self.update(|s| {
            s.attempts.push(Attempt {
                at: Instant::now(),
                protocol,
                signal,
                span_count: 0,
                item_count: 0,
                outcome: Outcome::Invalid(why),
            })
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
            state = unpoisoned(self.cond.wait_timeout(state, deadline - now)).0;
        }
    }
}
