//! Our batch span processor. Replaces the SDK's `BatchSpanProcessor`, which exports one batch at a time, bounds
//! its queue by a span count only, and cannot say what became of each span.
//!
//! - On the application's thread ([`OtelProcessor::on_end`]): two atomic adds (the span counted, its bytes
//!   admitted: accounting.rs) and a push onto a lock-free bounded queue (`batch.max_queue_size` spans). No I/O, no
//!   lock, no allocation of ours. Should the queue be full (a burst while the worker waits for a core: its threads
//!   yield to the application's, see `batch.yield_to_app`), the application's thread moves a batch out of it into
//!   the backlog itself ([`Batcher::spill`]) rather than drop.
//! - The export worker (a task on the export runtime) moves spans out of that queue as soon as it is 1/16 full,
//!   cuts batches of `batch.max_export_batch_size` and keeps them in a backlog bounded in (estimated) bytes
//!   (`batch.max_queue_bytes`), from which up to `batch.max_concurrent_exports` export tasks run at once, each
//!   handing its batch to the sink (sink.rs), which converts it and sends it through the retry loop (export.rs).
//!   The worker only moves spans, so it keeps up with bursts.
//! - Every span is counted once, by the ledger (accounting.rs): this module tells it what happened (a span ended,
//!   an export started, an export settled, the shutdown deadline came) and never counts by itself.

use crate::accounting::{ExportId, Ledger};
use crate::export::{Closing, Delivery, Limits, Retries};
use crate::failures::FailureHub;
use crate::health::Totals;
use crate::sink::{ItemBatch, Sink};
use crate::sync::LockUnpoisoned;
use crossbeam_queue::ArrayQueue;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

/// At shutdown, exports may run this many at once (or `max_concurrent_exports`, if higher): the deadline is
/// short and the collector multiplexes.
const SHUTDOWN_CONCURRENCY: usize = 8;

/// The processor's settings, from `[batch]` and `[exporter]`.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) max_queue_size: usize,
    pub(crate) max_export_batch_size: usize,
    pub(crate) schedule_delay: Duration,
    pub(crate) export_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) max_concurrent_exports: usize,
    pub(crate) max_queue_bytes: usize,
}

impl Settings {
    /// The trace batch processor's: `[batch]`, and the traces' exporter timeout per attempt.
    pub(crate) fn from_config(config: &otel_config::Config) -> Settings {
        Settings::new(&config.batch, config.exporter_for(otel_config::Signal::Traces).timeout)
    }

    /// The settings of `batch` (`[batch]`, `[logs.batch]`) with `attempt_timeout` per export attempt.
    pub(crate) fn new(batch: &otel_config::BatchConfig, attempt_timeout: Duration) -> Settings {
        Settings {
            max_queue_size: batch.max_queue_size.max(1),
            max_export_batch_size: batch.max_export_batch_size.clamp(1, batch.max_queue_size.max(1)),
            schedule_delay: batch.schedule_delay.max(Duration::from_millis(1)),
            export_timeout: batch.export_timeout,
            attempt_timeout,
            max_concurrent_exports: batch.max_concurrent_exports.max(1),
            max_queue_bytes: batch.max_queue_bytes.max(1),
        }
    }
}

/// What the batch processor carries: spans, or log records (logs.rs). Everything the processor does with an item
/// is estimate its size and hand batches of them to the sink.
pub(crate) trait Item: Send + Sync + 'static {
    /// The memory the item holds, estimated from its real contents (see [`estimated_size`]); runs on the
    /// application's thread, so it only reads lengths.
    fn estimated_size(&self) -> usize;
}

impl Item for SpanData {
    fn estimated_size(&self) -> usize {
        estimated_size(self)
    }
}

/// One batch waiting for export. It is converted by its sink on its export task, so that conversions run in
/// parallel across the export runtime's threads, never on the worker that empties the hand-off queue.
struct Batch<I> {
    spans: Vec<I>,
    count: u64,
    /// Estimated memory held ([`estimated_size`]).
    bytes: usize,
}

/// The memory a span holds, estimated from its real contents: the struct, its name, every attribute's key and
/// value (strings by their length, arrays by their elements), its events and links with their attributes, and its
/// status message. Slightly high rather than low (a static string is counted though it is not allocated: its OTLP
/// form is). Runs on the application's thread for the byte bound, so it only reads lengths.
fn estimated_size(span: &SpanData) -> usize {
    use std::mem::size_of;
    let events: usize = span
        .events
        .iter()
        .map(|e| size_of::<opentelemetry::trace::Event>() + e.name.len() + attributes_size_of(e.attributes.iter()))
        .sum();
    let links: usize = span
        .links
        .iter()
        .map(|l| size_of::<opentelemetry::trace::Link>() + attributes_size_of(l.attributes.iter()))
        .sum();
    let status = match &span.status {
        opentelemetry::trace::Status::Error { description } => description.len(),
        _ => 0,
    };
    size_of::<SpanData>() + span.name.len() + attributes_size_of(span.attributes.iter()) + events + links + status
}

/// The heap `attributes` hold (for the log records' scope attributes too).
pub(crate) fn attributes_size_of<'a>(attributes: impl Iterator<Item = &'a opentelemetry::KeyValue>) -> usize {
    use opentelemetry::{Array, Value};
    use std::mem::size_of;
    attributes
        .map(|kv| {
            let value = match &kv.value {
                Value::String(s) => s.as_str().len(),
                Value::Array(Array::String(values)) => {
                    values.iter().map(|s| size_of::<opentelemetry::StringValue>() + s.as_str().len()).sum()
                }
                Value::Array(Array::Bool(values)) => values.len(),
                Value::Array(Array::I64(values)) => values.len() * 8,
                Value::Array(Array::F64(values)) => values.len() * 8,
                _ => 0,
            };
            size_of::<opentelemetry::KeyValue>() + kv.key.as_str().len() + value
        })
        .sum()
}

/// The batcher: the processor's state, shared by the application's threads (through [`OtelProcessor`]), the
/// export worker, the export tasks and the shutdown.
pub(crate) struct Batcher<I: Item> {
    /// The hand-off queue: each item with the size the hot path estimated and admitted, so that the worker does
    /// not walk its attributes again (that second estimate was 2% of the process's CPU in a profile).
    queue: ArrayQueue<(I, usize)>,
    /// Queue length at which the hot path wakes the worker.
    wake_at: usize,
    /// True while the worker waits and needs a wake-up.
    worker_idle: AtomicBool,
    wake: tokio::sync::Notify,
    /// Set when shutdown begins: spans that end from then on are dropped (and counted).
    closed: AtomicBool,
    pub(crate) flush_requested: AtomicBool,
    pub(crate) hub: Arc<FailureHub>,
    /// Every span's count and bytes (the same ledger the hub reads).
    pub(crate) ledger: Arc<Ledger>,
    /// Batches cut and waiting for an export slot. The lock is never held across an await; it is taken before
    /// the ledger's when both are (dispatch).
    backlog: Mutex<VecDeque<Batch<I>>>,
    resource: Mutex<Arc<ResourceAttributesWithSchema>>,
    settings: Settings,
    sink: Arc<dyn Sink<I>>,
    /// The shutdown deadline, once shutdown begins; export tasks watch it.
    closing: tokio::sync::watch::Sender<Option<Closing>>,
    /// The final totals, once shut down; the lock is held for the whole shutdown, so a second caller waits for
    /// the first one's result.
    shutdown: Mutex<Option<Totals>>,
}

impl<I: Item> std::fmt::Debug for Batcher<I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher")
            .field("settings", &self.settings)
            .field("queued", &self.queue.len())
            .field("sink", &self.sink)
            .finish_non_exhaustive()
    }
}

/// The span processor the tracer provider calls; a handle on the shared [`Batcher`].
#[derive(Debug, Clone)]
pub(crate) struct OtelProcessor {
    pub(crate) batcher: Arc<Batcher<SpanData>>,
}

impl OtelProcessor {
    /// A processor exporting to `sink`, counting in `hub`'s ledger and reporting to `hub`, and its worker,
    /// spawned on `runtime`.
    pub(crate) fn start(
        settings: Settings,
        sink: Arc<dyn Sink<SpanData>>,
        resource: &Resource,
        hub: Arc<FailureHub>,
        runtime: &tokio::runtime::Handle,
    ) -> OtelProcessor {
        OtelProcessor { batcher: Batcher::start(settings, sink, resource, hub, runtime) }
    }
}

impl<I: Item> Batcher<I> {
    /// A batcher exporting to `sink`, counting in `hub`'s ledger and reporting to `hub`, and its worker,
    /// spawned on `runtime`.
    pub(crate) fn start(
        settings: Settings,
        sink: Arc<dyn Sink<I>>,
        resource: &Resource,
        hub: Arc<FailureHub>,
        runtime: &tokio::runtime::Handle,
    ) -> Arc<Batcher<I>> {
        let wake_at = (settings.max_queue_size / 16).clamp(1, settings.max_export_batch_size);
        let batcher = Arc::new(Batcher {
            queue: ArrayQueue::new(settings.max_queue_size),
            wake_at,
            worker_idle: AtomicBool::new(false),
            wake: tokio::sync::Notify::new(),
            closed: AtomicBool::new(false),
            flush_requested: AtomicBool::new(false),
            ledger: hub.ledger.clone(),
            hub,
            backlog: Mutex::new(VecDeque::new()),
            resource: Mutex::new(Arc::new(resource.into())),
            settings,
            sink,
            closing: tokio::sync::watch::Sender::new(None),
            shutdown: Mutex::new(None),
        });
        runtime.spawn(run_worker(batcher.clone()));
        batcher
    }

    /// The application's thread hands an item over: counted, admitted by bytes, queued (or spilled). No I/O, no
    /// lock (save when spilling), no allocation of ours.
    pub(crate) fn offer(&self, item: I) {
        let ticket = self.ledger.span_ended();
        // SeqCst, after the item is counted: an item that finds the pipeline open here is in the freeze's reading
        // of `ended` (see `Ledger::span_ended`).
        if self.closed.load(Ordering::SeqCst) {
            self.ledger.dropped_at_close(ticket);
            return;
        }
        let bytes = item.estimated_size();
        if !self.ledger.admit_bytes(bytes) {
            // Let go at the byte bound: the worker counts and reports it, never this thread.
            self.wake_worker();
            return;
        }
        match self.queue.push((item, bytes)) {
            Ok(()) => {
                if self.queue.len() >= self.wake_at
                    && self.worker_idle.load(Ordering::Relaxed)
                    && self.worker_idle.swap(false, Ordering::AcqRel)
                {
                    self.wake.notify_one();
                }
            }
            Err((item, bytes)) => self.spill(item, bytes),
        }
    }

    /// Asks the worker to send what is staged now, and waits until everything handed over so far settled (or
    /// the batch export timeout passed).
    pub(crate) fn force_flush(&self) -> OTelSdkResult {
        self.flush_requested.store(true, Ordering::Release);
        self.wake_worker();
        let limit =
            if self.settings.export_timeout.is_zero() { Duration::from_secs(30) } else { self.settings.export_timeout };
        if self.ledger.wait_settled(std::time::Instant::now().checked_add(limit)) {
            Ok(())
        } else {
            Err(OTelSdkError::Timeout(limit))
        }
    }

    /// Replaces the resource sent with every batch.
    pub(crate) fn set_resource(&self, resource: &Resource) {
        *self.resource.lock_unpoisoned() = Arc::new(resource.into());
    }
}

impl SpanProcessor for OtelProcessor {
    fn on_start(&self, _span: &mut opentelemetry_sdk::trace::Span, _cx: &opentelemetry::Context) {}

    fn on_end(&self, span: SpanData) {
        if !span.span_context.is_sampled() {
            return;
        }
        self.batcher.offer(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.batcher.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.batcher.shutdown_result(timeout, otel_config::Signal::Traces)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.batcher.set_resource(resource);
    }
}

impl<I: Item> Batcher<I> {
    fn backlog(&self) -> MutexGuard<'_, VecDeque<Batch<I>>> {
        self.backlog.lock_unpoisoned()
    }

    pub(crate) fn wake_worker(&self) {
        self.worker_idle.store(false, Ordering::Release);
        self.wake.notify_one();
    }

    /// The hot path found the hand-off queue full: the worker has not run since it was woken (on 2 cores, with
    /// its threads yielding to the application's, a burst can fill 2,048 slots in a few milliseconds). Rather
    /// than drop, this thread does the worker's job once: it moves `span` and up to a batch of queued spans into
    /// the backlog. Their bytes were admitted already (the bound is checked before a span is queued). Costs the
    /// application's thread a lock and a memcpy per span, only while it outruns the worker.
    fn spill(&self, span: I, span_bytes: usize) {
        let mut spans = Vec::with_capacity(self.settings.max_export_batch_size);
        let mut bytes = span_bytes;
        spans.push(span);
        while spans.len() < self.settings.max_export_batch_size {
            let Some((span, span_bytes)) = self.queue.pop() else { break };
            bytes += span_bytes;
            spans.push(span);
        }
        self.to_backlog(spans, bytes);
        self.wake_worker();
    }

    /// Puts `spans` (of estimated size `bytes`, admitted already) in the backlog. Once the shutdown has settled
    /// everything, the spans are let go instead (the freeze counted them). Checked under the backlog's lock,
    /// which the shutdown takes after the freeze to empty the backlog: nothing stays behind.
    fn to_backlog(&self, spans: Vec<I>, bytes: usize) {
        let count = spans.len() as u64;
        let mut backlog = self.backlog();
        if self.ledger.is_frozen() {
            return;
        }
        backlog.push_back(Batch { spans, count, bytes });
    }

    /// Queues `spans` (of estimated size `bytes`) as a batch for export.
    fn seal(&self, spans: &mut Vec<I>, bytes: &mut usize) {
        if spans.is_empty() {
            return;
        }
        let spans = std::mem::replace(spans, Vec::with_capacity(self.settings.max_export_batch_size));
        self.to_backlog(spans, std::mem::take(bytes));
    }

    /// Starts exports for waiting batches, as many as the ledger lets start (the concurrency limit, the byte
    /// bound, the freeze).
    fn dispatch(self: &Arc<Self>, closing: bool) {
        let mut limit = self.settings.max_concurrent_exports;
        if closing {
            limit = limit.max(SHUTDOWN_CONCURRENCY);
        }
        let mut backlog = self.backlog();
        while let Some(batch) = backlog.front() {
            let Some(id) = self.ledger.start_export(batch.count, batch.bytes, limit) else { break };
            let Some(batch) = backlog.pop_front() else { break };
            tokio::spawn(export_batch(self.clone(), id, batch));
        }
    }

    /// Flushes everything within `timeout` and settles what is left at the deadline. Idempotent: later calls
    /// return the first one's totals.
    pub(crate) fn shutdown(&self, timeout: Duration) -> Totals {
        let mut done = self.shutdown.lock_unpoisoned();
        if let Some(totals) = *done {
            return totals;
        }
        // No limit (`shutdown.timeout = 0`) is a year, as is a limit beyond what the clock can represent.
        const NO_LIMIT: Duration = Duration::from_secs(365 * 24 * 3600);
        let started = std::time::Instant::now();
        let limit = if timeout.is_zero() { NO_LIMIT } else { timeout.min(NO_LIMIT) };
        let deadline = started.checked_add(limit);
        self.closed.store(true, Ordering::SeqCst);
        let collector_failing = self.hub.health.is_failing();
        let closing_deadline = Instant::now().checked_add(limit).unwrap_or_else(Instant::now);
        self.closing.send_replace(Some(Closing { deadline: closing_deadline, collector_failing }));
        self.wake_worker();
        self.ledger.wait_settled(deadline);
        let totals = self.ledger.freeze(&self.hub);
        // Counted by the freeze: only the memory is left to release.
        self.backlog().clear();
        while self.queue.pop().is_some() {}
        *done = Some(totals);
        totals
    }

    /// [`Batcher::shutdown`] as the SDK's processors answer it: an error with `signal`'s summary line when anything
    /// was lost.
    pub(crate) fn shutdown_result(&self, timeout: Duration, signal: otel_config::Signal) -> OTelSdkResult {
        let totals = self.shutdown(timeout);
        if totals.lost() == 0 {
            Ok(())
        } else {
            Err(OTelSdkError::InternalFailure(totals.summary_line_for(signal)))
        }
    }

    /// The provider's resource, sent with every batch.
    fn resource(&self) -> Arc<ResourceAttributesWithSchema> {
        self.resource.lock_unpoisoned().clone()
    }
}

/// The export worker: drains the hand-off queue, cuts batches, starts exports.
async fn run_worker<I: Item>(batcher: Arc<Batcher<I>>) {
    let settings = batcher.settings.clone();
    let mut staging: Vec<I> = Vec::with_capacity(settings.max_export_batch_size);
    let mut staged_bytes = 0usize;
    let mut closing = batcher.closing.subscribe();
    let mut last_seal = Instant::now();
    loop {
        let is_closing = closing.borrow_and_update().is_some();
        let flush = batcher.flush_requested.swap(false, Ordering::AcqRel) || is_closing;
        while let Some((span, bytes)) = batcher.queue.pop() {
            staged_bytes += bytes;
            staging.push(span);
            if staging.len() >= settings.max_export_batch_size {
                batcher.seal(&mut staging, &mut staged_bytes);
                batcher.dispatch(is_closing);
                last_seal = Instant::now();
            }
        }
        if !staging.is_empty() && (flush || last_seal.elapsed() >= settings.schedule_delay) {
            batcher.seal(&mut staging, &mut staged_bytes);
            last_seal = Instant::now();
        }
        if staging.is_empty() {
            // Nothing waits for the schedule: the next span's batch gets its full delay.
            last_seal = Instant::now();
        }
        batcher.dispatch(is_closing);
        batcher.ledger.settle_let_go(&batcher.hub);

        batcher.worker_idle.store(true, Ordering::SeqCst);
        if batcher.queue.len() >= batcher.wake_at || ((flush || is_closing) && !batcher.queue.is_empty()) {
            continue;
        }
        let until_seal = settings.schedule_delay.saturating_sub(last_seal.elapsed());
        tokio::select! {
            _ = batcher.wake.notified() => {}
            _ = tokio::time::sleep(until_seal) => {}
            _ = closing.changed() => {}
        }
    }
}

/// One batch's export task: the sink delivers it, the ledger counts the outcome.
async fn export_batch<I: Item>(batcher: Arc<Batcher<I>>, id: ExportId, batch: Batch<I>) {
    // Settles the export however the task ends: were the task to panic (a bug, or a library's), its in-flight slot
    // and bytes would otherwise be held for ever, and after `max_concurrent_exports` such tasks nothing would be
    // exported again and every exit would wait for the full timeout.
    let mut guard = SettleOnDrop { batcher: &batcher, id, armed: true };
    let settings = &batcher.settings;
    let limits = Limits {
        attempt_timeout: settings.attempt_timeout,
        deadline: if settings.export_timeout.is_zero() {
            None
        } else {
            crate::export::deadline_in(settings.export_timeout)
        },
    };
    let retries = Retries::new(&batcher.hub, limits, batcher.closing.subscribe(), id.number());
    let batch = ItemBatch { items: batch.spans, resource: batcher.resource() };
    let delivery = batcher.sink.export(batch, retries).await;
    guard.armed = false;
    batcher.ledger.settled(id, delivery, &batcher.hub);
    batcher.wake_worker();
}

/// Settles an export task that ended without settling (it panicked): its spans count as failed.
struct SettleOnDrop<'a, I: Item> {
    batcher: &'a Arc<Batcher<I>>,
    id: ExportId,
    armed: bool,
}

impl<I: Item> Drop for SettleOnDrop<'_, I> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let error = crate::transport::SendError::new(
            crate::health::ErrorKind::Transport,
            "the export task panicked (a bug: please report it)",
            false,
        );
        self.batcher.ledger.settled(self.id, Delivery::Failed(error), &self.batcher.hub);
        self.batcher.wake_worker();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{Tracer as _, TracerProvider as _};
    use opentelemetry_sdk::trace::SdkTracerProvider;

    /// A provider whose processor's worker sits on `runtime`, which does not run until the test drives it: the
    /// hand-off queue fills as if the worker never got a core.
    fn stalled_pipeline(
        runtime: &tokio::runtime::Runtime,
        max_queue_bytes: usize,
    ) -> (SdkTracerProvider, Arc<Batcher<SpanData>>) {
        let settings = Settings {
            max_queue_size: 4,
            max_export_batch_size: 2,
            schedule_delay: Duration::from_millis(1),
            export_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(5),
            max_concurrent_exports: 1,
            max_queue_bytes,
        };
        let resource = Resource::builder_empty().build();
        let hub = FailureHub::new("stdout".into(), None, Arc::new(Ledger::new(max_queue_bytes)));
        let processor =
            OtelProcessor::start(settings, Arc::new(crate::console::ConsoleSink), &resource, hub, runtime.handle());
        let batcher = processor.batcher.clone();
        (SdkTracerProvider::builder().with_span_processor(processor).build(), batcher)
    }

    fn end_spans(provider: &SdkTracerProvider, n: usize) {
        let tracer = provider.tracer("test");
        for i in 0..n {
            drop(tracer.start(format!("span {i}")));
        }
    }

    /// Spans in the backlog and in the hand-off queue.
    fn held(batcher: &Batcher<SpanData>) -> u64 {
        batcher.backlog().iter().map(|batch| batch.count).sum::<u64>() + batcher.queue.len() as u64
    }

    fn shut_down(runtime: &tokio::runtime::Runtime, batcher: Arc<Batcher<SpanData>>) -> Totals {
        let shutdown = runtime.spawn_blocking(move || batcher.shutdown(Duration::from_secs(10)));
        runtime.block_on(shutdown).expect("shutdown task")
    }

    #[test]
    fn a_full_hand_off_queue_spills_into_the_backlog_instead_of_dropping() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (provider, batcher) = stalled_pipeline(&runtime, usize::MAX);
        end_spans(&provider, 25);
        let totals = batcher.ledger.totals();
        assert_eq!((totals.ended, totals.dropped), (25, 0));
        assert_eq!(held(&batcher), 25, "every span is in the queue (4 at most) or the backlog");
        assert!(batcher.queue.len() <= 4);
        // Once the worker runs, every spilled span is exported like any other.
        let totals = shut_down(&runtime, batcher.clone());
        assert_eq!(totals, Totals { ended: 25, exported: 25, failed: 0, dropped: 0 });
    }

    #[test]
    fn spans_over_the_byte_bound_are_let_go_on_the_app_thread_then_counted_and_reported_by_the_worker() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        // One byte: the first span is let in (nothing is held), every later one is over the bound.
        let (provider, batcher) = stalled_pipeline(&runtime, 1);
        let mut events = batcher.hub.subscribe();
        end_spans(&provider, 25);
        let totals = batcher.ledger.totals();
        assert_eq!(totals.ended, 25);
        assert_eq!(held(&batcher), 1);
        // Counted by the worker, under the backlog's lock; nothing reported on the application's thread.
        assert_eq!(batcher.ledger.let_go(), 24);
        assert_eq!(totals.dropped, 0);
        assert!(events.try_recv().is_none());
        let after = shut_down(&runtime, batcher.clone());
        assert_eq!(after, Totals { ended: 25, exported: 1, failed: 0, dropped: 24 });
        let event = events.try_recv().expect("a queue_full event");
        assert_eq!(event.kind, crate::health::ErrorKind::QueueFull);
        assert_eq!(event.items, 24);
        assert!(event.message.contains("batch.max_queue_bytes = 1"), "{}", event.message);
        assert_eq!(batcher.ledger.held_bytes(), 0, "every byte admitted is released when exported");
    }

    #[test]
    fn an_export_unanswered_at_the_shutdown_deadline_is_counted_failed_once_and_its_late_answer_ignored() {
        use crate::sink::ScriptedSink;
        use crate::transport::AttemptOutcome;
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let settings = Settings {
            max_queue_size: 16,
            max_export_batch_size: 16,
            schedule_delay: Duration::from_millis(1),
            export_timeout: Duration::ZERO,
            attempt_timeout: Duration::ZERO,
            max_concurrent_exports: 1,
            max_queue_bytes: usize::MAX,
        };
        // A collector that never answers; the test hears of each attempt as it starts.
        let (attempted, attempts) = std::sync::mpsc::channel::<()>();
        let attempted = Mutex::new(attempted);
        let sink = ScriptedSink(Arc::new(move |_request| {
            let _ = attempted.lock_unpoisoned().send(());
            Box::pin(std::future::pending::<AttemptOutcome>())
        }));
        let hub = FailureHub::new("scripted".into(), None, Arc::new(Ledger::new(usize::MAX)));
        let resource = Resource::builder_empty().build();
        let processor = OtelProcessor::start(settings, Arc::new(sink), &resource, hub, runtime.handle());
        let batcher = processor.batcher.clone();
        let provider = SdkTracerProvider::builder().with_span_processor(processor).build();
        end_spans(&provider, 3);
        attempts.recv().expect("the export's first attempt");
        let frozen = batcher.shutdown(Duration::from_millis(50));
        assert_eq!(frozen, Totals { ended: 3, exported: 0, failed: 3, dropped: 0 });
        // The export task is cancelled with the runtime: its drop guard settles it late, which counts nothing.
        drop(runtime);
        assert_eq!(batcher.ledger.totals(), frozen);
    }

    fn span_data(attributes: Vec<opentelemetry::KeyValue>, events: Vec<opentelemetry::trace::Event>) -> SpanData {
        use opentelemetry::trace::{SpanContext, SpanId, SpanKind, Status};
        let mut span_events = opentelemetry_sdk::trace::SpanEvents::default();
        span_events.events = events;
        SpanData {
            span_context: SpanContext::empty_context(),
            parent_span_id: SpanId::INVALID,
            parent_span_is_remote: false,
            span_kind: SpanKind::Internal,
            name: "span".into(),
            start_time: std::time::SystemTime::UNIX_EPOCH,
            end_time: std::time::SystemTime::UNIX_EPOCH,
            attributes,
            dropped_attributes_count: 0,
            events: span_events,
            links: Default::default(),
            status: Status::Unset,
            instrumentation_scope: Default::default(),
        }
    }

    #[test]
    fn the_size_estimate_follows_the_real_size_of_attributes_and_events() {
        use opentelemetry::KeyValue;
        let bare = estimated_size(&span_data(vec![], vec![]));
        let big = "x".repeat(100_000);
        let with_attribute = estimated_size(&span_data(vec![KeyValue::new("payload", big.clone())], vec![]));
        assert!(with_attribute >= bare + 100_000, "{bare} {with_attribute}");
        assert!(with_attribute < bare + 100_200, "{bare} {with_attribute}");
        let event = opentelemetry::trace::Event::new(
            "log",
            std::time::SystemTime::UNIX_EPOCH,
            vec![KeyValue::new("message", big)],
            0,
        );
        let with_event = estimated_size(&span_data(vec![], vec![event]));
        assert!(with_event >= bare + 100_000, "{bare} {with_event}");
        let array = KeyValue::new(
            "list",
            opentelemetry::Value::Array(vec![opentelemetry::StringValue::from("y".repeat(5_000)); 4].into()),
        );
        assert!(estimated_size(&span_data(vec![array], vec![])) >= bare + 20_000);
    }
}

#[cfg(test)]
#[path = "processor_accounting_props.rs"]
mod accounting_props;
