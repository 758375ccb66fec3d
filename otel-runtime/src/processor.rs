//! Our batch span processor. Replaces the SDK's `BatchSpanProcessor`, which exports one batch at a time, bounds
//! its queue by a span count only, and cannot say what became of each span.
//!
//! - On the application's thread ([`OtelProcessor::on_end`]): one atomic add and a push onto a lock-free bounded
//!   queue (`batch.max_queue_size` spans). No I/O, no lock, no allocation of ours. Should the queue be full (a
//!   burst while the worker waits for a core: its threads yield to the application's, see `batch.yield_to_app`),
//!   the application's thread moves a batch out of it into the backlog itself ([`Core::spill`]) rather than drop.
//! - The export worker (a task on the export runtime) moves spans out of that queue as soon as it is 1/16 full,
//!   cuts batches of `batch.max_export_batch_size` and keeps them in a backlog bounded in (estimated) bytes
//!   (`batch.max_queue_bytes`), from which up to `batch.max_concurrent_exports` export tasks run at once, each
//!   converting its batch to OTLP and sending it. The worker only moves spans, so it keeps up with bursts.
//! - Every span is counted once: `ended` = `exported` + `failed` + `dropped` + (still in the pipeline). At
//!   shutdown whatever is unsettled at the deadline is settled, under the same lock that export completions take,
//!   so the final figures add up exactly.

use crate::export::{deliver, Closing, Delivery, Limits, Sink};
use crate::failures::FailureHub;
use crate::health::{Counters, SpanTotals};
use crossbeam_queue::ArrayQueue;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
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
    pub(crate) fn from_config(config: &otel_config::Config) -> Settings {
        let batch = &config.batch;
        Settings {
            max_queue_size: batch.max_queue_size.max(1),
            max_export_batch_size: batch.max_export_batch_size.clamp(1, batch.max_queue_size.max(1)),
            schedule_delay: batch.schedule_delay.max(Duration::from_millis(1)),
            export_timeout: batch.export_timeout,
            attempt_timeout: config.exporter.timeout,
            max_concurrent_exports: batch.max_concurrent_exports.max(1),
            max_queue_bytes: batch.max_queue_bytes.max(1),
        }
    }
}

/// One batch waiting for export. It is converted to OTLP by its export task, so that conversion runs in
/// parallel across the export runtime's threads, never on the worker that empties the hand-off queue.
struct Batch {
    spans: Vec<SpanData>,
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
        .map(|e| size_of::<opentelemetry::trace::Event>() + e.name.len() + attributes_size(&e.attributes))
        .sum();
    let links: usize =
        span.links.iter().map(|l| size_of::<opentelemetry::trace::Link>() + attributes_size(&l.attributes)).sum();
    let status = match &span.status {
        opentelemetry::trace::Status::Error { description } => description.len(),
        _ => 0,
    };
    size_of::<SpanData>() + span.name.len() + attributes_size(&span.attributes) + events + links + status
}

fn attributes_size(attributes: &[opentelemetry::KeyValue]) -> usize {
    use opentelemetry::{Array, Value};
    use std::mem::size_of;
    attributes
        .iter()
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

/// An export in flight holds more than its spans' estimate: their OTLP form, the copy an attempt sends (tonic
/// takes the request by value) and the encoded body. It is counted at this many times its estimate.
const IN_FLIGHT_COPIES: usize = 3;

/// What the worker, the export tasks and the shutdown share, under one lock (never held across an await).
#[derive(Default)]
struct Backlog {
    pending: VecDeque<Batch>,
    pending_bytes: usize,
    /// Export id → its span count and estimated size, while its export runs.
    in_flight: HashMap<u64, (u64, usize)>,
    next_id: u64,
    /// Set at the shutdown deadline: from then on nothing is counted any more (everything was settled).
    frozen: Option<SpanTotals>,
}

/// The processor's state, shared with its worker.
pub(crate) struct Core {
    queue: ArrayQueue<SpanData>,
    /// Queue length at which the hot path wakes the worker.
    wake_at: usize,
    /// True while the worker waits and needs a wake-up.
    worker_idle: AtomicBool,
    wake: tokio::sync::Notify,
    /// Set when shutdown begins: spans that end from then on are dropped (and counted).
    closed: AtomicBool,
    flush_requested: AtomicBool,
    /// Estimated bytes of every span held, from the hand-off queue to the exports in flight (those counted
    /// [`IN_FLIGHT_COPIES`] times): the quantity `batch.max_queue_bytes` bounds. Added on the application's thread
    /// before a span is queued, released when its export settles.
    held_bytes: AtomicUsize,
    /// Spans the hot path let go because `held_bytes` was at the bound, not yet counted: the worker counts them
    /// as dropped (under the backlog's lock, like every settlement, so that a shutdown's freeze never counts them a
    /// second time) and reports them, so that the application's thread never formats or prints an alert.
    queue_full: AtomicU64,
    pub(crate) hub: Arc<FailureHub>,
    backlog: Mutex<Backlog>,
    /// Signalled whenever spans settle, for flush and shutdown waiters.
    settled: Condvar,
    resource: Mutex<Arc<ResourceAttributesWithSchema>>,
    settings: Settings,
    sink: Arc<Sink>,
    /// The shutdown deadline, once shutdown begins; export tasks watch it.
    closing: tokio::sync::watch::Sender<Option<Closing>>,
    /// The final totals, once shut down; the lock is held for the whole shutdown, so a second caller waits for
    /// the first one's result.
    shutdown: Mutex<Option<SpanTotals>>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core").field("settings", &self.settings).field("queued", &self.queue.len()).finish_non_exhaustive()
    }
}

/// The span processor the tracer provider calls; a handle on the shared [`Core`].
#[derive(Debug, Clone)]
pub(crate) struct OtelProcessor {
    pub(crate) core: Arc<Core>,
}

impl OtelProcessor {
    /// A processor exporting to `sink`, and its worker, spawned on `runtime`.
    pub(crate) fn start(
        settings: Settings,
        sink: Sink,
        resource: &Resource,
        hub: Arc<FailureHub>,
        runtime: &tokio::runtime::Handle,
    ) -> OtelProcessor {
        let wake_at = (settings.max_queue_size / 16).clamp(1, settings.max_export_batch_size);
        let core = Arc::new(Core {
            queue: ArrayQueue::new(settings.max_queue_size),
            wake_at,
            worker_idle: AtomicBool::new(false),
            wake: tokio::sync::Notify::new(),
            closed: AtomicBool::new(false),
            flush_requested: AtomicBool::new(false),
            held_bytes: AtomicUsize::new(0),
            queue_full: AtomicU64::new(0),
            hub,
            backlog: Mutex::new(Backlog::default()),
            settled: Condvar::new(),
            resource: Mutex::new(Arc::new(resource.into())),
            settings,
            sink: Arc::new(sink),
            closing: tokio::sync::watch::Sender::new(None),
            shutdown: Mutex::new(None),
        });
        runtime.spawn(run_worker(core.clone()));
        OtelProcessor { core }
    }
}

impl SpanProcessor for OtelProcessor {
    fn on_start(&self, _span: &mut opentelemetry_sdk::trace::Span, _cx: &opentelemetry::Context) {}

    fn on_end(&self, span: SpanData) {
        if !span.span_context.is_sampled() {
            return;
        }
        let core = &*self.core;
        let counters = &core.hub.counters;
        Counters::add(&counters.ended, 1);
        if core.closed.load(Ordering::Relaxed) {
            Counters::add(&counters.dropped, 1);
            core.settled.notify_all();
            return;
        }
        // The byte bound, checked before the span is queued anywhere: the hand-off queue is bounded in spans only,
        // and a few spans with 100 KB attributes would otherwise hold far more than `batch.max_queue_bytes`. Nothing
        // held at all admits any span, so that one span larger than the bound still goes through.
        let bytes = estimated_size(&span);
        let held = core.held_bytes.fetch_add(bytes, Ordering::Relaxed);
        if held != 0 && held.saturating_add(bytes) > core.settings.max_queue_bytes {
            core.held_bytes.fetch_sub(bytes, Ordering::Relaxed);
            core.queue_full.fetch_add(1, Ordering::Relaxed);
            core.wake_worker();
            return;
        }
        match core.queue.push(span) {
            Ok(()) => {
                if core.queue.len() >= core.wake_at
                    && core.worker_idle.load(Ordering::Relaxed)
                    && core.worker_idle.swap(false, Ordering::AcqRel)
                {
                    core.wake.notify_one();
                }
            }
            Err(span) => core.spill(span),
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        let core = &self.core;
        core.flush_requested.store(true, Ordering::Release);
        core.wake_worker();
        let limit = if core.settings.export_timeout.is_zero() { Duration::from_secs(30) } else { core.settings.export_timeout };
        if core.wait_settled(std::time::Instant::now().checked_add(limit)) {
            Ok(())
        } else {
            Err(OTelSdkError::Timeout(limit))
        }
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let totals = self.core.shutdown(timeout);
        if totals.lost() == 0 {
            Ok(())
        } else {
            Err(OTelSdkError::InternalFailure(totals.summary_line()))
        }
    }

    fn set_resource(&mut self, resource: &Resource) {
        *self.core.resource.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(resource.into());
    }
}

impl Core {
    fn lock(&self) -> MutexGuard<'_, Backlog> {
        self.backlog.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wake_worker(&self) {
        self.worker_idle.store(false, Ordering::Release);
        self.wake.notify_one();
    }

    /// The hot path found the hand-off queue full: the worker has not run since it was woken (on 2 cores, with
    /// its threads yielding to the application's, a burst can fill 2,048 slots in a few milliseconds). Rather
    /// than drop, this thread does the worker's job once: it moves `span` and up to a batch of queued spans into
    /// the backlog. Their bytes were admitted already (the bound is checked before a span is queued). Costs the
    /// application's thread a lock and a memcpy per span, only while it outruns the worker.
    fn spill(&self, span: SpanData) {
        let mut spans = Vec::with_capacity(self.settings.max_export_batch_size);
        let mut bytes = estimated_size(&span);
        spans.push(span);
        while spans.len() < self.settings.max_export_batch_size {
            let Some(span) = self.queue.pop() else { break };
            bytes += estimated_size(&span);
            spans.push(span);
        }
        self.admit(spans, bytes);
        self.wake_worker();
    }

    /// Puts `spans` (of estimated size `bytes`, already counted in `held_bytes`) in the backlog. Nothing happens
    /// once the shutdown has settled everything (the spans are let go: the freeze counted them).
    fn admit(&self, spans: Vec<SpanData>, bytes: usize) {
        let count = spans.len() as u64;
        let mut backlog = self.lock();
        if backlog.frozen.is_some() {
            return;
        }
        backlog.pending_bytes += bytes;
        backlog.pending.push_back(Batch { spans, count, bytes });
    }

    /// Queues `spans` (of estimated size `bytes`) as a batch for export.
    fn seal(&self, spans: &mut Vec<SpanData>, bytes: &mut usize) {
        if spans.is_empty() {
            return;
        }
        let spans = std::mem::replace(spans, Vec::with_capacity(self.settings.max_export_batch_size));
        self.admit(spans, std::mem::take(bytes));
    }

    /// Starts exports for pending batches, up to the concurrency limit.
    fn dispatch(self: &Arc<Self>, closing: bool) {
        let mut limit = self.settings.max_concurrent_exports;
        if closing {
            limit = limit.max(SHUTDOWN_CONCURRENCY);
        }
        let mut backlog = self.lock();
        while backlog.in_flight.len() < limit && backlog.frozen.is_none() {
            let Some(batch) = backlog.pending.front() else { break };
            // An export's extra copies must fit in the bound too, unless nothing is in flight (progress first).
            let extra = batch.bytes.saturating_mul(IN_FLIGHT_COPIES - 1);
            let held = self.held_bytes.load(Ordering::Relaxed);
            if !backlog.in_flight.is_empty() && held.saturating_add(extra) > self.settings.max_queue_bytes {
                break;
            }
            let Some(batch) = backlog.pending.pop_front() else { break };
            self.held_bytes.fetch_add(extra, Ordering::Relaxed);
            backlog.pending_bytes -= batch.bytes;
            let id = backlog.next_id;
            backlog.next_id += 1;
            backlog.in_flight.insert(id, (batch.count, batch.bytes));
            tokio::spawn(export(self.clone(), id, batch));
        }
    }

    /// Counts an export's outcome, unless the shutdown already settled it.
    fn settle(&self, id: u64, delivery: Delivery) {
        let mut backlog = self.lock();
        let Some((spans, bytes)) = backlog.in_flight.remove(&id) else { return };
        self.held_bytes.fetch_sub(bytes.saturating_mul(IN_FLIGHT_COPIES), Ordering::Relaxed);
        let hub = &self.hub;
        match delivery {
            Delivery::Delivered => Counters::add(&hub.counters.exported, spans as usize),
            Delivery::Partial { rejected, message } => {
                let rejected = rejected.min(spans);
                Counters::add(&hub.counters.exported, (spans - rejected) as usize);
                hub.rejected(&message, rejected);
            }
            Delivery::Failed(error) => hub.export_failed(error.kind, &error.message, spans),
        }
        drop(backlog);
        self.settled.notify_all();
    }

    /// Waits until every span that ended has settled, or until `deadline` (`None`: beyond any clock, no limit).
    /// True when settled.
    fn wait_settled(&self, deadline: Option<std::time::Instant>) -> bool {
        let mut backlog = self.lock();
        loop {
            if self.hub.counters.totals().in_pipeline() == 0 {
                return true;
            }
            backlog = match deadline {
                Some(deadline) => {
                    let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) else { return false };
                    self.settled.wait_timeout(backlog, left).unwrap_or_else(|e| e.into_inner()).0
                }
                None => self.settled.wait(backlog).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }

    /// Flushes everything within `timeout` and settles what is left at the deadline. Idempotent: later calls
    /// return the first one's totals.
    pub(crate) fn shutdown(&self, timeout: Duration) -> SpanTotals {
        let mut done = self.shutdown.lock().unwrap_or_else(|e| e.into_inner());
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
        self.wait_settled(deadline);
        let totals = self.freeze();
        *done = Some(totals);
        totals
    }

    /// Settles everything still unsettled: exports without an answer count as failed, everything else (queued,
    /// staged, pending) as dropped. Nothing is counted after this.
    fn freeze(&self) -> SpanTotals {
        let mut backlog = self.lock();
        if let Some(totals) = backlog.frozen {
            return totals;
        }
        let counters = &self.hub.counters;
        let unanswered: u64 = backlog.in_flight.drain().map(|(_, (spans, _))| spans).sum();
        Counters::add(&counters.failed, unanswered as usize);
        let mut totals = counters.totals();
        let never_sent = totals.in_pipeline();
        Counters::add(&counters.dropped, never_sent as usize);
        totals.dropped += never_sent;
        backlog.frozen = Some(totals);
        backlog.pending.clear();
        backlog.pending_bytes = 0;
        drop(backlog);
        while self.queue.pop().is_some() {}
        self.hub.shutdown_losses(never_sent, unanswered);
        totals
    }
}

/// The export worker: drains the hand-off queue, cuts and encodes batches, starts exports.
async fn run_worker(core: Arc<Core>) {
    let settings = core.settings.clone();
    let mut staging: Vec<SpanData> = Vec::with_capacity(settings.max_export_batch_size);
    let mut staged_bytes = 0usize;
    let mut closing = core.closing.subscribe();
    let mut last_seal = Instant::now();
    loop {
        let is_closing = closing.borrow_and_update().is_some();
        let flush = core.flush_requested.swap(false, Ordering::AcqRel) || is_closing;
        while let Some(span) = core.queue.pop() {
            staged_bytes += estimated_size(&span);
            staging.push(span);
            if staging.len() >= settings.max_export_batch_size {
                core.seal(&mut staging, &mut staged_bytes);
                core.dispatch(is_closing);
                last_seal = Instant::now();
            }
        }
        if !staging.is_empty() && (flush || last_seal.elapsed() >= settings.schedule_delay) {
            core.seal(&mut staging, &mut staged_bytes);
            last_seal = Instant::now();
        }
        if staging.is_empty() {
            // Nothing waits for the schedule: the next span's batch gets its full delay.
            last_seal = Instant::now();
        }
        core.dispatch(is_closing);
        core.count_queue_full();

        core.worker_idle.store(true, Ordering::SeqCst);
        if core.queue.len() >= core.wake_at || ((flush || is_closing) && !core.queue.is_empty()) {
            continue;
        }
        let until_seal = settings.schedule_delay.saturating_sub(last_seal.elapsed());
        tokio::select! {
            _ = core.wake.notified() => {}
            _ = tokio::time::sleep(until_seal) => {}
            _ = closing.changed() => {}
        }
    }
}

impl Core {
    /// Counts (as dropped) and reports the spans the hot path let go at the byte bound since the last call.
    fn count_queue_full(&self) {
        let backlog = self.lock();
        let spans = self.queue_full.swap(0, Ordering::AcqRel);
        if spans == 0 || backlog.frozen.is_some() {
            // Once frozen, the shutdown counted them already, as never sent.
            return;
        }
        Counters::add(&self.hub.counters.dropped, spans as usize);
        let held = self.held_bytes.load(Ordering::Relaxed);
        drop(backlog);
        self.settled.notify_all();
        let what = format!(
            "export backlog full ({held} bytes held of batch.max_queue_bytes = {})",
            self.settings.max_queue_bytes
        );
        self.hub.dropped_queue_full(spans, &what);
    }
}

/// One batch's export task.
async fn export(core: Arc<Core>, id: u64, batch: Batch) {
    // Settles the export however the task ends: were the task to panic (a bug, or a library's), its in-flight slot
    // and bytes would otherwise be held for ever, and after `max_concurrent_exports` such tasks nothing would be
    // exported again and every exit would wait for the full timeout.
    let mut guard = SettleOnDrop { core: &core, id, armed: true };
    let delivery = if matches!(*core.sink, Sink::Discard) {
        // The micro-benchmarks' sink: like the SDK's no-op exporter, it does not even convert.
        drop(std::hint::black_box(batch));
        Delivery::Delivered
    } else {
        let settings = &core.settings;
        let limits = Limits {
            attempt_timeout: settings.attempt_timeout,
            deadline: if settings.export_timeout.is_zero() { None } else { crate::export::after(settings.export_timeout) },
        };
        let resource = core.resource.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let request =
            ExportTraceServiceRequest { resource_spans: group_spans_by_resource_and_scope(batch.spans, &resource) };
        deliver(&core.sink, &core.hub, &request, limits, core.closing.subscribe()).await
    };
    guard.armed = false;
    core.settle(id, delivery);
    core.wake_worker();
}

/// Settles an export task that ended without settling (it panicked): its spans count as failed.
struct SettleOnDrop<'a> {
    core: &'a Arc<Core>,
    id: u64,
    armed: bool,
}

impl Drop for SettleOnDrop<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let error = crate::transport::SendError::new(
            crate::health::ErrorKind::Transport,
            "the export task panicked (a bug: please report it)",
            false,
        );
        self.core.settle(self.id, Delivery::Failed(error));
        self.core.wake_worker();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{Tracer as _, TracerProvider as _};
    use opentelemetry_sdk::trace::SdkTracerProvider;

    /// A provider whose processor's worker sits on `runtime`, which does not run until the test drives it: the
    /// hand-off queue fills as if the worker never got a core.
    fn stalled_pipeline(runtime: &tokio::runtime::Runtime, max_queue_bytes: usize) -> (SdkTracerProvider, Arc<Core>) {
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
        let hub = FailureHub::new("stdout".into(), None);
        let processor = OtelProcessor::start(settings, Sink::Console, &resource, hub, runtime.handle());
        let core = processor.core.clone();
        (SdkTracerProvider::builder().with_span_processor(processor).build(), core)
    }

    fn end_spans(provider: &SdkTracerProvider, n: usize) {
        let tracer = provider.tracer("test");
        for i in 0..n {
            drop(tracer.start(format!("span {i}")));
        }
    }

    /// Spans in the backlog and in the hand-off queue.
    fn held(core: &Core) -> u64 {
        core.lock().pending.iter().map(|batch| batch.count).sum::<u64>() + core.queue.len() as u64
    }

    fn shut_down(runtime: &tokio::runtime::Runtime, core: Arc<Core>) -> SpanTotals {
        let shutdown = runtime.spawn_blocking(move || core.shutdown(Duration::from_secs(10)));
        runtime.block_on(shutdown).expect("shutdown task")
    }

    #[test]
    fn a_full_hand_off_queue_spills_into_the_backlog_instead_of_dropping() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (provider, core) = stalled_pipeline(&runtime, usize::MAX);
        end_spans(&provider, 25);
        let totals = core.hub.counters.totals();
        assert_eq!((totals.ended, totals.dropped), (25, 0));
        assert_eq!(held(&core), 25, "every span is in the queue (4 at most) or the backlog");
        assert!(core.queue.len() <= 4);
        // Once the worker runs, every spilled span is exported like any other.
        let totals = shut_down(&runtime, core.clone());
        assert_eq!(totals, SpanTotals { ended: 25, exported: 25, failed: 0, dropped: 0 });
    }

    #[test]
    fn spans_over_the_byte_bound_are_let_go_on_the_app_thread_then_counted_and_reported_by_the_worker() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        // One byte: the first span is let in (nothing is held), every later one is over the bound.
        let (provider, core) = stalled_pipeline(&runtime, 1);
        let mut events = core.hub.subscribe();
        end_spans(&provider, 25);
        let totals = core.hub.counters.totals();
        assert_eq!(totals.ended, 25);
        assert_eq!(held(&core), 1);
        // Counted by the worker, under the backlog's lock; nothing reported on the application's thread.
        assert_eq!(core.queue_full.load(Ordering::Relaxed), 24);
        assert_eq!(totals.dropped, 0);
        assert!(events.try_recv().is_none());
        let after = shut_down(&runtime, core.clone());
        assert_eq!(after, SpanTotals { ended: 25, exported: 1, failed: 0, dropped: 24 });
        let event = events.try_recv().expect("a queue_full event");
        assert_eq!(event.kind, crate::health::ErrorKind::QueueFull);
        assert_eq!(event.spans, 24);
        assert!(event.message.contains("batch.max_queue_bytes = 1"), "{}", event.message);
        assert_eq!(core.held_bytes.load(Ordering::Relaxed), 0, "every byte admitted is released when exported");
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
        let array = KeyValue::new("list", opentelemetry::Value::Array(vec![opentelemetry::StringValue::from("y".repeat(5_000)); 4].into()));
        assert!(estimated_size(&span_data(vec![array], vec![])) >= bare + 20_000);
    }
}

#[cfg(test)]
#[path = "processor_accounting_props.rs"]
mod accounting_props;
