//! The ledger: every span counted once, the byte bound, and the freeze at the shutdown deadline.
//!
//! Every sampled span that ends is counted in `ended` on the application's thread (one atomic add) and later in
//! exactly one of `exported`, `failed` or `dropped`, so that at any moment
//! `ended = exported + failed + dropped + (still in the pipeline)`; after the shutdown's freeze the last term is
//! zero. [`Ledger::totals`] is the one place these figures are read (`health()`, alerts, the summary).
//!
//! The rules that keep the figures exact (each one closed a race):
//! - `ended` is the only counter moved outside the ledger's lock. `exported`, `failed` and `dropped` move only
//!   under it, and only until the freeze, which takes the same lock: a settlement is counted either before the
//!   freeze (which then does not count its spans again) or not at all.
//! - Exports in flight are registered here ([`Ledger::start_export`]). The freeze counts those still without an
//!   answer as failed and everything else unsettled (queued, staged, waiting in the backlog, let go at the byte
//!   bound and not yet counted) as dropped; an answer arriving later finds its export gone and counts nothing.
//! - A span that ends once the shutdown has begun is dropped at once ([`Ledger::dropped_at_close`]). Its ticket
//!   (its place in `ended`) tells whether the freeze already counted it as never sent, so it is counted once
//!   whichever comes first; spans that end after the freeze add to `ended` and `dropped` alike.
//! - Spans let go at the byte bound on the application's thread are counted later, by the worker
//!   ([`Ledger::settle_let_go`]), under the lock: the application's thread never formats or prints an alert.
//! - Losses are reported to the failure channel ([`FailureHub`]) under the same lock as they are counted, so the
//!   shutdown's last events (which the `on_failure` callback gets before the exit) include every counted loss.
//!
//! The byte bound (`batch.max_queue_bytes`): estimated bytes of every span held, from the hand-off queue to the
//! exports in flight, are admitted on the application's thread before the span is queued
//! ([`Ledger::admit_bytes`]), grow by the in-flight copies when its export starts, and are released when the
//! export settles.

use crate::export::Delivery;
use crate::failures::FailureHub;
use crate::health::Totals;
use crate::sync::{LockUnpoisoned, WaitUnpoisoned};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};

/// An export in flight holds more than its spans' estimate: their OTLP form, the copy an attempt sends (tonic
/// takes the request by value) and the encoded body. It is counted at this many times its estimate.
pub(crate) const IN_FLIGHT_COPIES: usize = 3;

/// One export registered by [`Ledger::start_export`], to settle with [`Ledger::settled`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ExportId(u64);

impl ExportId {
    /// A number that differs between the exports of a process (for the retry jitter).
    pub(crate) fn number(self) -> u64 {
        self.0
    }
}

/// A span's place in `ended` (the value of the counter before it was counted).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ticket(u64);

/// An export's spans and estimated bytes, while it runs.
#[derive(Debug)]
struct InFlight {
    spans: u64,
    bytes: usize,
}

/// What only changes under the ledger's lock.
#[derive(Debug, Default)]
struct Book {
    in_flight: HashMap<u64, InFlight>,
    next_id: u64,
}

/// The span counts of one pipeline, its byte bound and its freeze (see the module documentation).
#[derive(Debug)]
pub(crate) struct Ledger {
    ended: AtomicU64,
    /// Moved only under `book`'s lock, and never after the freeze (save for spans ending after it).
    exported: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    /// `batch.max_queue_bytes`.
    max_bytes: usize,
    /// Estimated bytes held, in-flight copies included: the quantity `max_bytes` bounds.
    held_bytes: AtomicUsize,
    /// Spans let go at the byte bound on the application's thread and not yet counted.
    let_go: AtomicU64,
    book: Mutex<Book>,
    /// The final totals, set once (under `book`'s lock) at the shutdown deadline.
    frozen: OnceLock<Totals>,
    /// Signalled whenever spans settle, for flush and shutdown waiters.
    settled: Condvar,
}

impl Ledger {
    /// An empty ledger bounding the bytes held to `max_bytes`.
    pub(crate) fn new(max_bytes: usize) -> Ledger {
        Ledger {
            ended: AtomicU64::new(0),
            exported: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            max_bytes,
            held_bytes: AtomicUsize::new(0),
            let_go: AtomicU64::new(0),
            book: Mutex::new(Book::default()),
            frozen: OnceLock::new(),
            settled: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Book> {
        self.book.lock_unpoisoned()
    }

    /// `n` more spans in `counter`. Release: whoever reads the counter (Acquire) also sees the `ended` increment of
    /// those spans, which happened before.
    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Release);
    }

    /// The span counts now. Lock-free.
    pub(crate) fn totals(&self) -> Totals {
        // `ended` is read last: every other counter only grows after `ended` grew for the same span, so the
        // snapshot never shows more spans settled than ended.
        let exported = self.exported.load(Ordering::Acquire);
        let failed = self.failed.load(Ordering::Acquire);
        let dropped = self.dropped.load(Ordering::Acquire);
        let ended = self.ended.load(Ordering::SeqCst);
        Totals { ended, exported, failed, dropped }
    }

    /// A sampled span ended (the application's thread). SeqCst, like the processor's `closed` flag: a span whose
    /// hot path saw the pipeline open is always included in the freeze's reading of `ended`.
    pub(crate) fn span_ended(&self) -> Ticket {
        Ticket(self.ended.fetch_add(1, Ordering::SeqCst))
    }

    /// A metrics export of `items` data points begins (metrics have no queue: the reader collects, the exporter
    /// sends at once). Counted in `ended` and registered in flight, to settle with [`Ledger::settled`]; after the
    /// freeze they are counted dropped at once and `None` is returned (nothing is to be sent).
    pub(crate) fn collected(&self, items: u64) -> Option<ExportId> {
        let mut book = self.lock();
        self.ended.fetch_add(items, Ordering::SeqCst);
        if self.frozen.get().is_some() {
            Self::add(&self.dropped, items);
            return None;
        }
        Some(Self::register(&mut book, items, 0))
    }

    /// The span with `ticket` ended after the shutdown began: dropped, never queued. Not counted again when the
    /// freeze already counted it as never sent.
    pub(crate) fn dropped_at_close(&self, ticket: Ticket) {
        let book = self.lock();
        if self.frozen.get().is_some_and(|frozen| ticket.0 < frozen.ended) {
            return;
        }
        Self::add(&self.dropped, 1);
        drop(book);
        self.settled.notify_all();
    }

    /// The byte bound, checked on the application's thread before a span is queued anywhere (the hand-off queue
    /// is bounded in spans only: a few spans with 100 KB attributes would otherwise hold far more than the
    /// bound). True when the span's `bytes` are admitted. Nothing held at all admits any span, so that one span
    /// larger than the bound still goes through. A span refused is let go, to be counted by
    /// [`Ledger::settle_let_go`].
    pub(crate) fn admit_bytes(&self, bytes: usize) -> bool {
        let held = self.held_bytes.fetch_add(bytes, Ordering::Relaxed);
        if held != 0 && held.saturating_add(bytes) > self.max_bytes {
            self.held_bytes.fetch_sub(bytes, Ordering::Relaxed);
            self.let_go.fetch_add(1, Ordering::Release);
            return false;
        }
        true
    }

    /// Registers the export of a batch of `spans` spans whose `bytes` were admitted, unless `max_in_flight`
    /// exports run already, the ledger is frozen, or its in-flight copies do not fit in the bound while another
    /// export runs (progress first: with nothing in flight, any batch may start).
    pub(crate) fn start_export(&self, spans: u64, bytes: usize, max_in_flight: usize) -> Option<ExportId> {
        let mut book = self.lock();
        if self.frozen.get().is_some() || book.in_flight.len() >= max_in_flight {
            return None;
        }
        let extra = bytes.saturating_mul(IN_FLIGHT_COPIES - 1);
        if !book.in_flight.is_empty() && self.held_bytes.load(Ordering::Relaxed).saturating_add(extra) > self.max_bytes
        {
            return None;
        }
        self.held_bytes.fetch_add(extra, Ordering::Relaxed);
        Some(Self::register(&mut book, spans, bytes))
    }

    /// Registers an export of `spans` items holding `bytes` as in flight.
    fn register(book: &mut Book, spans: u64, bytes: usize) -> ExportId {
        let id = book.next_id;
        book.next_id += 1;
        book.in_flight.insert(id, InFlight { spans, bytes });
        ExportId(id)
    }

    /// The export `id` ended with `delivery`: its spans are counted (and losses reported), its bytes released.
    /// Nothing happens when the freeze settled it already.
    pub(crate) fn settled(&self, id: ExportId, delivery: Delivery, hub: &FailureHub) {
        let mut book = self.lock();
        let Some(export) = book.in_flight.remove(&id.0) else { return };
        self.held_bytes.fetch_sub(export.bytes.saturating_mul(IN_FLIGHT_COPIES), Ordering::Relaxed);
        let spans = export.spans;
        match delivery {
            Delivery::Delivered => Self::add(&self.exported, spans),
            Delivery::Partial { rejected, message } => {
                let rejected = rejected.min(spans);
                Self::add(&self.exported, spans - rejected);
                Self::add(&self.failed, rejected);
                hub.rejected(&message, rejected);
            }
            Delivery::Failed(error) => {
                Self::add(&self.failed, spans);
                hub.export_failed(error.kind, &error.message, spans);
            }
        }
        drop(book);
        self.settled.notify_all();
    }

    /// Counts (as dropped) and reports the spans let go at the byte bound since the last call. Once frozen, the
    /// freeze counted them already, as never sent.
    pub(crate) fn settle_let_go(&self, hub: &FailureHub) {
        let book = self.lock();
        let spans = self.let_go.swap(0, Ordering::AcqRel);
        if spans == 0 || self.frozen.get().is_some() {
            return;
        }
        Self::add(&self.dropped, spans);
        let held = self.held_bytes.load(Ordering::Relaxed);
        drop(book);
        self.settled.notify_all();
        hub.dropped_at_byte_bound(spans, held, self.max_bytes);
    }

    /// Waits until every span that ended has settled, or until `deadline` (`None`: beyond any clock, no limit).
    /// True when settled.
    pub(crate) fn wait_settled(&self, deadline: Option<std::time::Instant>) -> bool {
        let mut book = self.lock();
        loop {
            if self.totals().in_pipeline() == 0 {
                return true;
            }
            book = match deadline {
                Some(deadline) => {
                    let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) else { return false };
                    self.settled.wait_timeout_unpoisoned(book, left)
                }
                None => self.settled.wait_unpoisoned(book),
            };
        }
    }

    /// The shutdown deadline: settles everything still unsettled — exports without an answer as failed,
    /// everything else as dropped — and reports it. Nothing is settled after this. Idempotent: returns the
    /// final totals.
    pub(crate) fn freeze(&self, hub: &FailureHub) -> Totals {
        let mut book = self.lock();
        if let Some(frozen) = self.frozen.get() {
            return *frozen;
        }
        let unanswered: u64 = book.in_flight.drain().map(|(_, export)| export.spans).sum();
        Self::add(&self.failed, unanswered);
        let mut totals = self.totals();
        let never_sent = totals.in_pipeline();
        Self::add(&self.dropped, never_sent);
        totals.dropped += never_sent;
        let _ = self.frozen.set(totals);
        drop(book);
        self.settled.notify_all();
        hub.shutdown_losses(never_sent, unanswered);
        totals
    }

    /// Whether the shutdown's freeze has happened.
    pub(crate) fn is_frozen(&self) -> bool {
        self.frozen.get().is_some()
    }

    /// Estimated bytes held now (in-flight copies included).
    #[cfg(test)]
    pub(crate) fn held_bytes(&self) -> usize {
        self.held_bytes.load(Ordering::Relaxed)
    }

    /// Spans let go at the byte bound, not yet counted.
    #[cfg(test)]
    pub(crate) fn let_go(&self) -> u64 {
        self.let_go.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::ErrorKind;
    use crate::transport::SendError;
    use std::sync::Arc;

    fn ledger_and_hub(max_bytes: usize) -> (Arc<Ledger>, Arc<FailureHub>) {
        let ledger = Arc::new(Ledger::new(max_bytes));
        let hub = FailureHub::new("http://collector:4317".into(), None, ledger.clone());
        (ledger, hub)
    }

    fn end(ledger: &Ledger, n: u64) {
        for _ in 0..n {
            let _ = ledger.span_ended();
        }
    }

    #[test]
    fn every_outcome_is_counted_once_and_the_totals_add_up() {
        let (ledger, hub) = ledger_and_hub(usize::MAX);
        end(&ledger, 10);
        for _ in 0..3 {
            assert!(ledger.admit_bytes(100));
        }
        let delivered = ledger.start_export(4, 100, 8).unwrap();
        let partial = ledger.start_export(3, 100, 8).unwrap();
        let failed = ledger.start_export(2, 100, 8).unwrap();
        ledger.settled(delivered, Delivery::Delivered, &hub);
        // A collector that rejects more spans than it was sent is capped at the batch.
        ledger.settled(partial, Delivery::Partial { rejected: 5, message: "no".into() }, &hub);
        let error = SendError::new(ErrorKind::HttpStatus(400), "bad request", false);
        ledger.settled(failed, Delivery::Failed(error), &hub);
        assert_eq!(ledger.totals(), Totals { ended: 10, exported: 4, failed: 5, dropped: 0 });
        assert_eq!(ledger.totals().in_pipeline(), 1);
        assert_eq!(ledger.held_bytes(), 0, "every in-flight byte released: {}", ledger.held_bytes());
    }

    #[test]
    fn the_freeze_settles_what_is_left_and_late_answers_count_nothing() {
        let (ledger, hub) = ledger_and_hub(usize::MAX);
        let mut events = hub.subscribe();
        end(&ledger, 10);
        let unanswered = ledger.start_export(6, 0, 8).unwrap();
        let frozen = ledger.freeze(&hub);
        assert_eq!(frozen, Totals { ended: 10, exported: 0, failed: 6, dropped: 4 });
        // The answer comes after the deadline: too late, already counted as failed.
        ledger.settled(unanswered, Delivery::Delivered, &hub);
        assert_eq!(ledger.totals(), frozen);
        assert!(ledger.start_export(1, 0, 8).is_none(), "nothing starts once frozen");
        assert_eq!(ledger.freeze(&hub), frozen, "idempotent");
        let event = events.try_recv().expect("the shutdown's loss event");
        assert_eq!((event.kind, event.items), (ErrorKind::Shutdown, 10));
    }

    #[test]
    fn a_span_ending_during_the_shutdown_is_dropped_once_whether_or_not_the_freeze_came_first() {
        let (ledger, hub) = ledger_and_hub(usize::MAX);
        // Ended before the freeze read `ended`, dropped after it: the freeze counted it as never sent.
        let early = ledger.span_ended();
        let frozen = ledger.freeze(&hub);
        assert_eq!(frozen.dropped, 1);
        ledger.dropped_at_close(early);
        assert_eq!(ledger.totals(), frozen);
        // Ended after the freeze: counted as ended and dropped alike.
        let late = ledger.span_ended();
        ledger.dropped_at_close(late);
        assert_eq!(ledger.totals(), Totals { ended: 2, exported: 0, failed: 0, dropped: 2 });
    }

    #[test]
    fn spans_over_the_byte_bound_are_let_go_then_counted_by_the_worker_once() {
        let (ledger, hub) = ledger_and_hub(1_000);
        end(&ledger, 3);
        assert!(ledger.admit_bytes(5_000), "nothing held: one span larger than the bound still goes through");
        assert!(!ledger.admit_bytes(10));
        assert!(!ledger.admit_bytes(10));
        assert_eq!((ledger.let_go(), ledger.totals().dropped), (2, 0), "not counted on the application's thread");
        ledger.settle_let_go(&hub);
        ledger.settle_let_go(&hub);
        assert_eq!(ledger.totals(), Totals { ended: 3, exported: 0, failed: 0, dropped: 2 });
        // Once frozen, spans let go are the freeze's (never sent), not counted a second time.
        let _ = ledger.span_ended();
        assert!(!ledger.admit_bytes(10));
        let frozen = ledger.freeze(&hub);
        ledger.settle_let_go(&hub);
        assert_eq!(ledger.totals(), frozen);
        assert_eq!(frozen, Totals { ended: 4, exported: 0, failed: 0, dropped: 4 });
    }

    #[test]
    fn an_export_starts_only_when_its_copies_fit_unless_nothing_is_in_flight() {
        let (ledger, hub) = ledger_and_hub(1_000);
        assert!(ledger.admit_bytes(400));
        let first = ledger.start_export(1, 400, 8).expect("nothing in flight: progress first");
        assert_eq!(ledger.held_bytes(), 400 * IN_FLIGHT_COPIES);
        assert!(ledger.start_export(1, 100, 8).is_none(), "its copies would pass the bound");
        ledger.settled(first, Delivery::Delivered, &hub);
        assert_eq!(ledger.held_bytes(), 0);
        assert!(ledger.start_export(1, 0, 1).is_some());
        assert!(ledger.start_export(1, 0, 1).is_none(), "max_in_flight reached");
    }
}
