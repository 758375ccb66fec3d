//! The failure channel: every failure event goes to the health cell, to each [`FailureStream`], to the
//! `on_failure` callback (on a thread of ours) and, rate-limited, to stderr. Nothing here ever blocks the export
//! worker: queues are bounded and coalesce when their reader is slow, and stderr lines are written directly,
//! never through the `tracing` pipeline they report on.
//!
//! It reports, it never counts: the ledger (accounting.rs) counts every span and calls the hub to report a loss;
//! the hub reads the ledger only for the "N spans lost so far" of its alert lines.

use crate::accounting::Ledger;
use crate::health::{noun, ErrorKind, FailureEvent, HealthCell, SignalHealth};
use crate::sync::{LockUnpoisoned, WaitUnpoisoned};
use otel_config::Signal;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

/// Events a subscriber holds before coalescing newer ones into the last.
const SUBSCRIBER_CAPACITY: usize = 64;
/// The shortest interval between two alert lines of the same kind (the first of a streak is never held back).
const ALERT_EVERY: Duration = Duration::from_secs(30);

/// One reader's bounded queue of events (a [`FailureStream`]'s, or the callback thread's).
#[derive(Debug, Default)]
struct EventQueue {
    events: Mutex<QueueState>,
    /// Wakes blocking readers (the callback thread).
    ready: Condvar,
    /// Wakes async readers.
    notify: tokio::sync::Notify,
}

#[derive(Debug, Default)]
struct QueueState {
    events: VecDeque<FailureEvent>,
    closed: bool,
}

impl EventQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        self.events.lock_unpoisoned()
    }

    fn push(&self, event: &FailureEvent) {
        {
            let mut state = self.lock();
            if state.events.len() < SUBSCRIBER_CAPACITY {
                state.events.push_back(event.clone());
            } else if let Some(last) = state.events.back_mut() {
                // The reader is slow: fold the event into the newest one, keeping the spans it cost.
                let folded = std::mem::replace(last, event.clone());
                if last.signal == folded.signal {
                    last.items += folded.items;
                }
                last.coalesced += folded.coalesced + 1;
                last.retrying &= folded.retrying;
            }
        }
        self.ready.notify_all();
        self.notify.notify_one();
    }

    fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
        self.notify.notify_one();
    }

    /// Waits for the next event; `None` once closed and drained.
    fn pop_blocking(&self) -> Option<FailureEvent> {
        let mut state = self.lock();
        loop {
            if let Some(event) = state.events.pop_front() {
                return Some(event);
            }
            if state.closed {
                return None;
            }
            state = self.ready.wait_unpoisoned(state);
        }
    }

    fn try_pop(&self) -> Result<FailureEvent, bool> {
        let mut state = self.lock();
        state.events.pop_front().ok_or(state.closed)
    }
}

/// A bounded stream of [`FailureEvent`]s, from [`crate::failures`].
///
/// It never slows the exporter down: when the reader falls behind by more than 64 events, newer events are folded
/// into the newest one (its `coalesced` says how many; its `items` includes theirs). It ends (`None`) after the
/// pipeline shut down and every event was read.
///
/// ```no_run
/// # async fn demo() {
/// let mut failures = otel_runtime::failures();
/// tokio::spawn(async move {
///     while let Some(event) = failures.recv().await {
///         eprintln!("tracing export problem: {event}");
///     }
/// });
/// # }
/// ```
#[derive(Debug)]
pub struct FailureStream {
    queue: Arc<EventQueue>,
}

impl FailureStream {
    /// The next event, waiting for one; `None` once the pipeline is shut down and the stream is drained.
    ///
    /// ```no_run
    /// # use otel_runtime as otel;
    /// # async fn demo() {
    /// // A background task keeping the last failure of each signal, for a status page.
    /// let mut failures = otel::failures();
    /// let mut last = std::collections::HashMap::new();
    /// while let Some(event) = failures.recv().await {
    ///     last.insert(event.signal, event.message.clone());
    /// }
    /// # }
    /// ```
    pub async fn recv(&mut self) -> Option<FailureEvent> {
        loop {
            let notified = self.queue.notify.notified();
            match self.queue.try_pop() {
                Ok(event) => return Some(event),
                Err(true) => return None,
                Err(false) => notified.await,
            }
        }
    }

    /// The next event if one is waiting, without waiting.
    ///
    /// ```no_run
    /// let mut failures = otel_runtime::failures();
    /// while let Some(event) = failures.try_recv() {
    ///     eprintln!("{event}");
    /// }
    /// ```
    pub fn try_recv(&mut self) -> Option<FailureEvent> {
        self.queue.try_pop().ok()
    }

    /// [`FailureStream::recv`] for threads outside any async runtime: blocks until an event arrives, the pipeline
    /// shuts down, or `timeout` passes.
    ///
    /// ```no_run
    /// let mut failures = otel_runtime::failures();
    /// if let Some(event) = failures.recv_timeout(std::time::Duration::from_secs(1)) {
    ///     eprintln!("{event}");
    /// }
    /// ```
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<FailureEvent> {
        // A timeout beyond what the clock can represent (`Duration::MAX`) waits without limit.
        let deadline = Instant::now().checked_add(timeout);
        let mut state = self.queue.lock();
        loop {
            if let Some(event) = state.events.pop_front() {
                return Some(event);
            }
            if state.closed {
                return None;
            }
            state = match deadline {
                Some(deadline) => {
                    let left = deadline.checked_duration_since(Instant::now())?;
                    self.queue.ready.wait_timeout_unpoisoned(state, left)
                }
                None => self.queue.ready.wait_unpoisoned(state),
            };
        }
    }
}

/// A stream that is already closed, for when no pipeline is installed.
pub(crate) fn closed_stream() -> FailureStream {
    let queue = Arc::new(EventQueue::default());
    queue.close();
    FailureStream { queue }
}

/// Allows one thing per interval.
#[derive(Debug, Default)]
struct RateLimit {
    last: Mutex<Option<Instant>>,
}

impl RateLimit {
    fn allow(&self) -> bool {
        let mut last = self.last.lock_unpoisoned();
        let now = Instant::now();
        if last.is_some_and(|at| now.duration_since(at) < ALERT_EVERY) {
            return false;
        }
        *last = Some(now);
        true
    }

    fn reset(&self) {
        *self.last.lock_unpoisoned() = None;
    }
}

/// Where the failure events of every signal go: the streams ([`FailureStream`]) and the `on_failure` callback's
/// thread. One per pipeline, shared by the signals' hubs.
#[derive(Debug)]
pub(crate) struct Listeners {
    /// `None` once closed (at shutdown).
    subscribers: Mutex<Option<Vec<Weak<EventQueue>>>>,
    /// The queue of the `on_failure` callback's thread.
    callback: Option<Arc<EventQueue>>,
    /// Disconnected when the callback's thread ends.
    callback_done: Mutex<Option<std::sync::mpsc::Receiver<()>>>,
}

impl Listeners {
    /// Listeners with no stream yet; with a callback, starts the thread that runs it.
    pub(crate) fn new(on_failure: Option<fn(&FailureEvent)>) -> Arc<Listeners> {
        let callback = on_failure.map(|_| Arc::new(EventQueue::default()));
        let listeners = Arc::new(Listeners {
            subscribers: Mutex::new(Some(Vec::new())),
            callback: callback.clone(),
            callback_done: Mutex::new(None),
        });
        if let (Some(queue), Some(function)) = (callback, on_failure) {
            // The user's callback may be slow or may block: it gets a thread of its own, fed by a coalescing
            // queue, so it can never hold up an export.
            let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
            let spawned = std::thread::Builder::new().name("otel-on-failure".into()).spawn(move || {
                let _done = done_tx;
                // Whatever the callback logs must not feed the pipeline it is told about.
                let _quiet = tracing::subscriber::set_default(tracing::subscriber::NoSubscriber::default());
                while let Some(event) = queue.pop_blocking() {
                    function(&event);
                }
            });
            if spawned.is_ok() {
                *listeners.callback_done.lock_unpoisoned() = Some(done_rx);
            }
        }
        listeners
    }

    /// A new stream of the events from now on.
    pub(crate) fn subscribe(&self) -> FailureStream {
        let queue = Arc::new(EventQueue::default());
        match self.subscribers.lock_unpoisoned().as_mut() {
            Some(subscribers) => {
                subscribers.retain(|s| s.strong_count() > 0);
                subscribers.push(Arc::downgrade(&queue));
            }
            None => queue.close(),
        }
        FailureStream { queue }
    }

    fn publish(&self, event: &FailureEvent) {
        let subscribers: Vec<Arc<EventQueue>> = {
            let mut list = self.subscribers.lock_unpoisoned();
            let Some(list) = list.as_mut() else { return };
            list.retain(|s| s.strong_count() > 0);
            list.iter().filter_map(Weak::upgrade).collect()
        };
        for queue in subscribers.iter().chain(self.callback.as_ref()) {
            queue.push(event);
        }
    }

    /// Ends every stream (after the events already queued) and waits up to `wait` for the callback's thread to
    /// handle its last events.
    pub(crate) fn close(&self, wait: Duration) {
        let subscribers: Vec<Arc<EventQueue>> = {
            let list = self.subscribers.lock_unpoisoned().take();
            list.unwrap_or_default().iter().filter_map(Weak::upgrade).collect()
        };
        for queue in subscribers.iter().chain(self.callback.as_ref()) {
            queue.close();
        }
        let done = self.callback_done.lock_unpoisoned().take();
        if let Some(done) = done {
            // Returns when the thread ends (the sender is dropped) or at the deadline, whichever comes first.
            let _ = done.recv_timeout(wait);
        }
    }
}

/// One signal's failure reporting: its health, its alerts (rate-limited, on stderr), and its events to the
/// shared [`Listeners`]. Shared by the signal's processor, its export tasks and the shutdown.
#[derive(Debug)]
pub(crate) struct FailureHub {
    /// The signal reported on.
    pub(crate) signal: Signal,
    /// The signal's counts (read for the "N lost so far" of alerts, and by `health()`).
    pub(crate) ledger: Arc<Ledger>,
    pub(crate) health: HealthCell,
    /// The exact URL exported to (credentials redacted), or `stdout`.
    pub(crate) endpoint: String,
    /// The otel.toml table of the signal's batch settings (`batch`, `logs.batch`), named in alerts.
    batch_key: &'static str,
    listeners: Arc<Listeners>,
    failing_alert: RateLimit,
    queue_full_alert: RateLimit,
    rejected_alert: RateLimit,
}

impl FailureHub {
    /// A traces hub for `endpoint` with listeners of its own (the tests').
    #[cfg(test)]
    pub(crate) fn new(endpoint: String, on_failure: Option<fn(&FailureEvent)>, ledger: Arc<Ledger>) -> Arc<FailureHub> {
        FailureHub::for_signal(Signal::Traces, endpoint, Listeners::new(on_failure), ledger)
    }

    /// The hub of `signal`, exporting to `endpoint`, reporting the losses `ledger` counts to `listeners`.
    pub(crate) fn for_signal(
        signal: Signal,
        endpoint: String,
        listeners: Arc<Listeners>,
        ledger: Arc<Ledger>,
    ) -> Arc<FailureHub> {
        Arc::new(FailureHub {
            signal,
            ledger,
            health: HealthCell::default(),
            endpoint,
            batch_key: if signal == Signal::Logs { "logs.batch" } else { "batch" },
            listeners,
            failing_alert: RateLimit::default(),
            queue_full_alert: RateLimit::default(),
            rejected_alert: RateLimit::default(),
        })
    }

    /// A new stream of the events (of every signal) from now on.
    #[cfg(test)]
    pub(crate) fn subscribe(&self) -> FailureStream {
        self.listeners.subscribe()
    }

    /// This signal's health now.
    pub(crate) fn snapshot(&self) -> SignalHealth {
        self.health.snapshot(self.signal, self.ledger.totals(), &self.endpoint)
    }

    fn noun(&self) -> &'static str {
        noun(self.signal)
    }

    fn event(&self, kind: ErrorKind, message: String, items: u64, retrying: bool) -> FailureEvent {
        FailureEvent {
            signal: self.signal,
            kind,
            message,
            endpoint: self.endpoint.clone(),
            items,
            at: std::time::SystemTime::now(),
            coalesced: 0,
            retrying,
        }
    }

    /// An export attempt succeeded: ends a failing streak (with one "recovered" line).
    pub(crate) fn attempt_succeeded(&self) {
        if self.health.record_success() {
            self.failing_alert.reset();
            eprintln!(
                "otel: exports to {} recovered; {} {} lost so far",
                self.endpoint,
                self.ledger.totals().lost(),
                self.noun()
            );
        }
    }

    /// An export attempt failed and will be retried: nothing lost yet.
    pub(crate) fn attempt_failed(&self, kind: ErrorKind, message: &str) {
        let event = self.event(kind, message.to_string(), 0, true);
        let started = self.health.record_attempt_failure(&event);
        if started && self.failing_alert.allow() {
            let noun = self.noun();
            eprintln!(
                "otel: exporting {noun} to {} is failing: {} ({}); retrying; {} {noun} lost so far",
                self.endpoint,
                event.kind,
                event.message,
                self.ledger.totals().lost()
            );
        }
        self.listeners.publish(&event);
    }

    /// An export failed for good: `items` lost (already counted by the ledger).
    pub(crate) fn export_failed(&self, kind: ErrorKind, message: &str, items: u64) {
        let event = self.event(kind, message.to_string(), items, false);
        let started = self.health.record_attempt_failure(&event);
        self.health.record_loss(&event);
        if self.failing_alert.allow() {
            let state = if started { "is failing" } else { "still failing" };
            let noun = self.noun();
            eprintln!(
                "otel: exporting {noun} to {} {state}: {} ({}); {} {noun} lost so far",
                self.endpoint,
                event.kind,
                event.message,
                self.ledger.totals().lost()
            );
        }
        self.listeners.publish(&event);
    }

    /// The collector rejected `items` (OTLP partial success).
    pub(crate) fn rejected(&self, message: &str, items: u64) {
        let event = self.event(ErrorKind::Rejected, message.to_string(), items, false);
        self.health.record_loss(&event);
        if self.rejected_alert.allow() {
            let noun = self.noun();
            eprintln!(
                "otel: the collector at {} rejected {items} {noun} ({}); {} {noun} lost so far",
                self.endpoint,
                event.message,
                self.ledger.totals().lost()
            );
        }
        self.listeners.publish(&event);
    }

    /// `items` let go at the byte bound (`<batch>.max_queue_bytes`).
    pub(crate) fn dropped_at_byte_bound(&self, items: u64, held: usize, max_bytes: usize) {
        let key = self.batch_key;
        let what = format!("export backlog full ({held} bytes held of {key}.max_queue_bytes = {max_bytes})");
        let event = self.event(ErrorKind::QueueFull, what, items, false);
        self.health.record_loss(&event);
        if self.queue_full_alert.allow() {
            let noun = self.noun();
            let rate = if self.signal == Signal::Logs { "the log rate" } else { "the span rate" };
            eprintln!(
                "otel: dropping {noun}: {}; {} {noun} lost so far (raise {key}.max_queue_bytes, or lower {rate})",
                event.message,
                self.ledger.totals().lost()
            );
        }
        self.listeners.publish(&event);
    }

    /// What the shutdown deadline cost: `dropped` never sent, `unanswered` sent without an answer.
    pub(crate) fn shutdown_losses(&self, dropped: u64, unanswered: u64) {
        if dropped + unanswered == 0 {
            return;
        }
        let noun = self.noun();
        let message = format!("{dropped} {noun} still queued and {unanswered} awaiting an answer at the deadline");
        let event = self.event(ErrorKind::Shutdown, message, dropped + unanswered, false);
        self.health.record_loss(&event);
        self.listeners.publish(&event);
    }

    /// Ends the streams and waits for the callback (see [`Listeners::close`]).
    #[cfg(test)]
    pub(crate) fn close(&self, wait: Duration) {
        self.listeners.close(wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_taken_after_the_shutdown_ends_at_once() {
        let hub = FailureHub::new("http://collector:4317".into(), None, Arc::new(Ledger::new(usize::MAX)));
        hub.close(Duration::from_millis(10));
        let mut late = hub.subscribe();
        assert!(late.recv_timeout(Duration::MAX).is_none(), "a closed hub's new stream must end, not wait");
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        assert!(runtime.block_on(hub.subscribe().recv()).is_none());
        // Events after the close go nowhere (and do not panic).
        hub.dropped_at_byte_bound(1, 10, 5);
    }

    #[test]
    fn recv_timeout_accepts_any_duration() {
        let hub = FailureHub::new("http://collector:4317".into(), None, Arc::new(Ledger::new(usize::MAX)));
        let mut stream = hub.subscribe();
        hub.dropped_at_byte_bound(3, 10, 5);
        let event = stream.recv_timeout(Duration::MAX).expect("the queued event");
        assert_eq!(event.items, 3);
        assert!(stream.recv_timeout(Duration::from_millis(1)).is_none());
        hub.close(Duration::from_millis(10));
        assert!(stream.recv_timeout(Duration::MAX).is_none(), "closed and drained: ends");
    }
}
