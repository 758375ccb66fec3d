//! Property test of the processor's span accounting.
//!
//! The invariant (see the module documentation of `processor.rs` and `health.rs`): at every moment
//! `ended = exported + failed + dropped + in the pipeline` with nothing counted twice (so the settled sum never
//! exceeds `ended`); after `Core::shutdown` the frozen totals add up exactly (`in_pipeline = 0`); and after it
//! returns, the live counters never contradict them (late export answers, late `SettleOnDrop`s and spans ending
//! after the shutdown add nothing but `ended` and `dropped` in equal measure).
//!
//! Scenarios come from a seeded generator (splitmix64) rather than proptest: half of every scenario runs against
//! the real clock (the shutdown's deadline is a `std::time::Instant`, a condvar wait), which proptest's shrinking
//! cannot replay faithfully, and a hand-rolled generator adds no dependency. Every failure prints its seed and the
//! whole scenario; `OTEL_PROPTEST_SEED=<seed>` replays that one case, `OTEL_PROPTEST_CASES=<n>` sets the number of
//! cases (default 300 with paused time, a tenth of that, at least 10, with real concurrency).
//!
//! Two suites:
//! - paused time, current-thread runtime: the application's thread ends spans while the runtime does not run (the
//!   hand-off queue fills, the spill path runs), then the test drives the runtime by virtual time; answers come
//!   after random virtual latencies. The shutdown runs either on a blocking task (auto-advance is inhibited: every
//!   export waiting on a timer is still unanswered at the real deadline and is frozen as failed) or on a thread of
//!   its own (virtual time races ahead to the shutdown's own deadline).
//! - real time, multi-thread runtime: two threads end spans while a third checks the counters continuously and
//!   the test shuts the pipeline down at a random moment, spans still ending during and after it.

use super::*;
use crate::accounting::Ledger;
use crate::health::{ErrorKind, Totals};
use crate::sink::{ScriptedSink, Sink};
use crate::test_support::Rng;
use crate::transport::{AttemptOutcome, SendError};
use opentelemetry::trace::{Tracer as _, TracerProvider as _};
use opentelemetry::KeyValue;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::collections::HashSet;
use std::sync::atomic::AtomicU64;

/// What one attempt answers.
#[derive(Clone, Copy, Debug)]
enum Answer {
    Accept,
    /// OTLP partial success; `rejected` may exceed the batch (a collector's bug: it is capped).
    Partial {
        rejected: u64,
    },
    /// A retryable failure, with or without a server delay; `refused` makes it final at shutdown.
    Retryable {
        server_delay: Option<Duration>,
        refused: bool,
    },
    Fatal,
    /// Never answers: the attempt's own timeout (or the shutdown's deadline) ends it.
    Stall,
}

/// The collector's behaviour: answer weights and latencies.
#[derive(Clone, Debug)]
struct Collector {
    /// Weights of accept, partial, retryable, fatal, stall.
    weights: [u64; 5],
    max_latency: Duration,
    max_server_delay: Duration,
}

/// What the scripted collector saw and answered; shared with its attempts.
#[derive(Default)]
struct Observed {
    /// Spans the collector said it took (all of an accepted request, the rest of a partial one).
    accepted: AtomicU64,
    /// Spans named in a positive answer: a span answered twice is a span that could be counted twice.
    answered: Mutex<HashSet<String>>,
    /// Attempts under way (a stalled one until its timeout cancels it).
    in_progress: AtomicU64,
    /// The first violation seen from inside an export task (a panic there would be settled, not reported).
    violation: Mutex<Option<String>>,
}

impl Observed {
    fn violate(&self, what: String) {
        self.violation.lock().unwrap().get_or_insert(what);
    }
}

/// The scripted sink: each attempt draws its answer and latency from `rng`.
fn scripted(
    collector: Collector,
    seed: u64,
    hub: Arc<FailureHub>,
    observed: Arc<Observed>,
) -> Arc<dyn Sink<opentelemetry_sdk::trace::SpanData>> {
    let rng = Mutex::new(Rng(seed));
    Arc::new(ScriptedSink(Arc::new(move |request: &ExportTraceServiceRequest| {
        // Every moment an attempt starts is a moment to check the live counters.
        if let Err(violation) = check_live(&hub.ledger.totals(), &observed) {
            observed.violate(format!("at an attempt: {violation}"));
        }
        let names: Vec<String> = request
            .resource_spans
            .iter()
            .flat_map(|r| &r.scope_spans)
            .flat_map(|s| &s.spans)
            .map(|s| s.name.clone())
            .collect();
        let (answer, latency) = {
            let mut rng = rng.lock().unwrap();
            let total: u64 = collector.weights.iter().sum();
            let mut roll = rng.range(0, total - 1);
            let mut which = 0;
            while roll >= collector.weights[which] {
                roll -= collector.weights[which];
                which += 1;
            }
            let answer = match which {
                0 => Answer::Accept,
                1 => Answer::Partial { rejected: rng.range(0, names.len() as u64 + 2) },
                2 => Answer::Retryable {
                    server_delay: rng
                        .chance(50)
                        .then(|| Duration::from_millis(rng.range(0, collector.max_server_delay.as_millis() as u64))),
                    refused: rng.chance(20),
                },
                3 => Answer::Fatal,
                _ => Answer::Stall,
            };
            (answer, Duration::from_micros(rng.range(0, collector.max_latency.as_micros() as u64)))
        };
        let observed = observed.clone();
        observed.in_progress.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            let _in_progress = InProgress(&observed.in_progress);
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            let positive = |accepted: u64| {
                observed.accepted.fetch_add(accepted, Ordering::SeqCst);
                let mut answered = observed.answered.lock().unwrap();
                for name in &names {
                    if !answered.insert(name.clone()) {
                        observed.violate(format!("span {name:?} was sent again after a positive answer"));
                    }
                }
            };
            match answer {
                Answer::Accept => {
                    positive(names.len() as u64);
                    AttemptOutcome::Accepted
                }
                Answer::Partial { rejected } => {
                    positive(names.len() as u64 - rejected.min(names.len() as u64));
                    AttemptOutcome::PartiallyAccepted { rejected, message: "scripted partial success".into() }
                }
                Answer::Retryable { server_delay, refused } => {
                    let kind = if refused { ErrorKind::Refused } else { ErrorKind::GrpcCode("UNAVAILABLE") };
                    let mut error = SendError::new(kind, "scripted retryable failure", true);
                    error.retry_after = server_delay;
                    AttemptOutcome::Failed(error)
                }
                Answer::Fatal => {
                    AttemptOutcome::Failed(SendError::new(ErrorKind::HttpStatus(400), "scripted fatal failure", false))
                }
                Answer::Stall => std::future::pending().await,
            }
        })
    })))
}

/// Counts an attempt out however it ends (answered, or cancelled by its timeout).
struct InProgress<'a>(&'a AtomicU64);

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The invariant at any moment: nothing settled more than once, so the settled sum never exceeds `ended`
/// (`in_pipeline()` saturates: the raw sum is what shows a double count), and no more spans exported than the
/// collector took.
fn check_live(totals: &Totals, observed: &Observed) -> Result<(), String> {
    let settled = totals.exported + totals.failed + totals.dropped;
    if settled > totals.ended {
        return Err(format!("settled {settled} > ended {}: {totals:?}", totals.ended));
    }
    let accepted = observed.accepted.load(Ordering::SeqCst);
    if totals.exported > accepted {
        return Err(format!("exported {} > accepted by the collector {accepted}: {totals:?}", totals.exported));
    }
    Ok(())
}

/// The frozen totals add up; the collector's positive answers match `exported`, save for exports the shutdown
/// settled as failed before their answer came.
fn check_frozen(frozen: &Totals, observed: &Observed) -> Result<(), String> {
    if frozen.exported + frozen.failed + frozen.dropped != frozen.ended {
        return Err(format!("frozen totals do not add up: {frozen:?}"));
    }
    check_live(frozen, observed)
}

/// After the shutdown, everything settled late (answers, cancelled export tasks) and every span ended late:
/// the live counters agree with the frozen ones.
fn check_after(live: &Totals, frozen: &Totals, ended: u64, observed: &Observed) -> Result<(), String> {
    if let Some(violation) = observed.violation.lock().unwrap().clone() {
        return Err(violation);
    }
    if live.ended != ended {
        return Err(format!("ended {} but {ended} spans ended: {live:?}", live.ended));
    }
    if live.exported != frozen.exported || live.failed != frozen.failed {
        return Err(format!("counted after the shutdown: live {live:?}, frozen {frozen:?}"));
    }
    if live.ended - frozen.ended != live.dropped - frozen.dropped {
        return Err(format!("late spans not counted as dropped exactly: live {live:?}, frozen {frozen:?}"));
    }
    let accepted = observed.accepted.load(Ordering::SeqCst);
    if accepted < frozen.exported || accepted - frozen.exported > frozen.failed {
        return Err(format!(
            "the collector took {accepted} spans, {} counted exported and {} failed: {frozen:?}",
            frozen.exported, frozen.failed
        ));
    }
    check_live(live, observed)
}

fn random_settings(rng: &mut Rng, virtual_time: bool) -> Settings {
    let max_queue_size = rng.pick(&[1, 2, 3, 4, 8, 16, 64, 256, 2048]);
    // Spans weigh about 0.5 KB bare; payloads reach 50 KB. With real threads, a tight bound would drop nearly
    // every span before any export could settle: it is rarer there.
    let max_queue_bytes = if virtual_time {
        rng.pick(&[1, 2_000, 20_000, 200_000, 2_000_000, usize::MAX])
    } else {
        rng.pick(&[2_000, 200_000, 2_000_000, 20_000_000, usize::MAX, usize::MAX])
    };
    // The idle worker wakes every `schedule_delay`: in virtual time, a longer one keeps hours of it cheap.
    let (delay, timeout, attempt) = if virtual_time { ((20, 2_000), 10_000, 5_000) } else { ((1, 20), 100, 30) };
    Settings {
        max_queue_size,
        max_export_batch_size: (rng.range(1, 64) as usize).min(max_queue_size),
        schedule_delay: rng.ms(delay.0, delay.1),
        export_timeout: if rng.chance(15) { Duration::ZERO } else { rng.ms(1, timeout) },
        attempt_timeout: if rng.chance(25) { Duration::ZERO } else { rng.ms(1, attempt) },
        max_concurrent_exports: rng.range(1, 4) as usize,
        max_queue_bytes,
    }
}

fn random_collector(rng: &mut Rng, virtual_time: bool) -> Collector {
    let mut weights = [0; 5];
    for weight in &mut weights {
        *weight = if rng.chance(30) { 0 } else { rng.range(1, 10) };
    }
    if weights.iter().sum::<u64>() == 0 {
        weights[0] = 1;
    }
    let (latency, server_delay) = if virtual_time { (3_000, 10_000) } else { (5, 10) };
    Collector { weights, max_latency: rng.ms(0, latency), max_server_delay: rng.ms(0, server_delay) }
}

/// Ends `n` sampled spans named `s<first>`.. with a payload attribute of `payload` bytes (shared, not copied:
/// the size estimate reads its length).
fn end_spans(provider: &SdkTracerProvider, first: u64, n: u64, payload: &Arc<str>) {
    let tracer = provider.tracer("props");
    for i in first..first + n {
        let mut builder = tracer.span_builder(format!("s{i}"));
        if !payload.is_empty() {
            builder = builder.with_attributes([KeyValue::new("payload", opentelemetry::Value::from(payload.clone()))]);
        }
        drop(builder.start(&tracer));
    }
}

#[derive(Clone, Debug)]
enum Step {
    Burst {
        spans: u64,
        payload: usize,
    },
    /// Runs the runtime for this much virtual time.
    Advance(Duration),
    /// Runs the ready tasks once, without moving time.
    Yield,
    /// Asks the worker for a flush without waiting (`force_flush` without its blocking wait).
    RequestFlush,
    /// `force_flush` itself, on a thread of its own while the runtime runs (virtual time auto-advances).
    ForceFlush,
}

/// How the shutdown runs against the runtime.
#[derive(Clone, Copy, Debug)]
enum ShutdownMode {
    /// On a blocking task: the runtime runs, but virtual time stands still (a blocking task inhibits its
    /// auto-advance) until the real deadline, so every export waiting on a timer is frozen unanswered.
    Blocking,
    /// On a thread of its own while the runtime runs: virtual time races ahead to the shutdown's own deadline.
    Thread,
    /// On the test's thread while the runtime does not run at all (the export threads never got a core): the
    /// freeze finds the worker's uncounted byte-bound drops, its staged spans and unanswered exports, and the
    /// worker and export tasks only run after it.
    Starved,
}

#[derive(Debug)]
struct PausedCase {
    seed: u64,
    settings: Settings,
    collector: Collector,
    steps: Vec<Step>,
    /// Real time (the shutdown waits on a condvar).
    shutdown_deadline: Duration,
    shutdown: ShutdownMode,
    late_spans: u64,
}

impl PausedCase {
    fn generate(seed: u64) -> PausedCase {
        let mut rng = Rng(seed);
        let settings = random_settings(&mut rng, true);
        let collector = random_collector(&mut rng, true);
        // `force_flush` waits up to 30 s of real time when nothing bounds a stalled attempt: not then.
        let flush_bounded =
            !(settings.export_timeout.is_zero() && settings.attempt_timeout.is_zero()) || collector.weights[4] == 0;
        let steps = (0..rng.range(1, 10))
            .map(|_| match rng.range(0, 9) {
                0..=3 => {
                    let payload = if rng.chance(50) { 0 } else { rng.range(0, 50_000) as usize };
                    let spans = if payload > 0 || !rng.chance(10) { rng.range(0, 100) } else { rng.range(0, 3000) };
                    Step::Burst { spans, payload }
                }
                4 | 5 => Step::Advance(rng.ms(0, 5_000)),
                6 => Step::Yield,
                7 => Step::RequestFlush,
                _ if flush_bounded => Step::ForceFlush,
                _ => Step::RequestFlush,
            })
            .collect();
        PausedCase {
            seed,
            settings,
            collector,
            steps,
            shutdown_deadline: rng.ms(1, 30),
            shutdown: rng.pick(&[ShutdownMode::Blocking, ShutdownMode::Thread, ShutdownMode::Starved]),
            late_spans: rng.range(0, 5),
        }
    }
}

/// Runs `f` on a thread of its own while `runtime` runs (so virtual time may auto-advance), returning its result.
fn on_thread<T: Send + 'static>(runtime: &tokio::runtime::Runtime, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    runtime.block_on(rx).expect("the thread ended without an answer")
}

/// What the cases exercised, summed (printed, so that a run shows it covered the interesting paths).
#[derive(Debug, Default)]
struct Coverage {
    frozen: Totals,
    /// Cases whose shutdown returned with attempts still under way.
    cut_attempts: u64,
    /// Cases whose collector accepted spans after the freeze (settled late, counted failed by the freeze).
    late_accepts: u64,
}

impl Coverage {
    fn add(&mut self, frozen: &Totals, cut: bool, observed: &Observed) {
        self.frozen.ended += frozen.ended;
        self.frozen.exported += frozen.exported;
        self.frozen.failed += frozen.failed;
        self.frozen.dropped += frozen.dropped;
        self.cut_attempts += u64::from(cut);
        self.late_accepts += u64::from(observed.accepted.load(Ordering::SeqCst) > frozen.exported);
    }
}

fn run_paused(case: &PausedCase, coverage: &mut Coverage) -> Result<(), String> {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().expect("runtime");
    let hub = FailureHub::new("scripted".into(), None, Arc::new(Ledger::new(case.settings.max_queue_bytes)));
    let observed = Arc::new(Observed::default());
    let sink = scripted(case.collector.clone(), case.seed ^ 0xA5A5, hub.clone(), observed.clone());
    let resource = Resource::builder_empty().build();
    let processor = OtelProcessor::start(case.settings.clone(), sink, &resource, hub, runtime.handle());
    let core = processor.batcher.clone();
    let provider = SdkTracerProvider::builder().with_span_processor(processor.clone()).build();
    let mut ended = 0u64;
    let check = |ended: u64, step: &str| -> Result<(), String> {
        let totals = core.hub.ledger.totals();
        check_live(&totals, &observed).map_err(|e| format!("after {step}: {e}"))?;
        if totals.ended != ended {
            return Err(format!("after {step}: ended {} but {ended} spans ended", totals.ended));
        }
        Ok(())
    };
    for (i, step) in case.steps.iter().enumerate() {
        match step {
            Step::Burst { spans, payload } => {
                end_spans(&provider, ended, *spans, &Arc::from("x".repeat(*payload)));
                ended += spans;
            }
            Step::Advance(duration) => runtime.block_on(async { tokio::time::sleep(*duration).await }),
            Step::Yield => runtime.block_on(tokio::task::yield_now()),
            Step::RequestFlush => {
                core.flush_requested.store(true, Ordering::Release);
                core.wake_worker();
            }
            Step::ForceFlush => {
                let processor = processor.clone();
                // A timeout is a legitimate answer; only the counters matter here.
                let _ = on_thread(&runtime, move || processor.force_flush());
            }
        }
        check(ended, &format!("step {i} ({step:?})"))?;
    }
    let deadline = case.shutdown_deadline;
    let shutdown_core = core.clone();
    let frozen = match case.shutdown {
        ShutdownMode::Blocking => {
            let shutdown = runtime.spawn_blocking(move || shutdown_core.shutdown(deadline));
            runtime.block_on(shutdown).expect("shutdown task")
        }
        ShutdownMode::Thread => on_thread(&runtime, move || shutdown_core.shutdown(deadline)),
        ShutdownMode::Starved => shutdown_core.shutdown(deadline),
    };
    check_frozen(&frozen, &observed)?;
    if frozen.ended != ended {
        return Err(format!("frozen ended {} but {ended} spans ended", frozen.ended));
    }
    // The runtime does not run between the freeze and here: the live counters are the frozen ones.
    let live = core.hub.ledger.totals();
    if live != frozen {
        return Err(format!("live {live:?} differs from frozen {frozen:?} right after the shutdown"));
    }
    let cut = observed.in_progress.load(Ordering::SeqCst) > 0;
    end_spans(&provider, ended, case.late_spans, &Arc::from(""));
    ended += case.late_spans;
    // Every answer still to come arrives (the shutdown cut every retry wait short; what is left is attempts within
    // their timeouts), then the runtime is dropped with its export tasks: those that never answer (a stall without
    // any timeout) settle from their drop guard. None of it may count.
    for _ in 0..40 {
        runtime.block_on(async { tokio::time::sleep(Duration::from_millis(500)).await });
        if observed.in_progress.load(Ordering::SeqCst) == 0 {
            break;
        }
    }
    drop(runtime);
    drop(provider);
    check_after(&core.hub.ledger.totals(), &frozen, ended, &observed)?;
    coverage.add(&frozen, cut, &observed);
    Ok(())
}

/// The cases to run: `OTEL_PROPTEST_SEED` replays one, `OTEL_PROPTEST_CASES` sets how many.
fn seeds(base: u64, default_cases: u64, divisor: u64) -> Vec<u64> {
    if let Ok(seed) = std::env::var("OTEL_PROPTEST_SEED") {
        return vec![seed.parse().expect("OTEL_PROPTEST_SEED: a u64")];
    }
    let cases = match std::env::var("OTEL_PROPTEST_CASES") {
        Ok(cases) => (cases.parse::<u64>().expect("OTEL_PROPTEST_CASES: a number") / divisor).max(10),
        Err(_) => default_cases,
    };
    let mut rng = Rng(base);
    (0..cases).map(|_| rng.next()).collect()
}

#[test]
fn span_accounting_holds_under_random_outcomes_with_paused_time() {
    let started = std::time::Instant::now();
    let seeds = seeds(0x07E1_0001, 300, 1);
    let mut coverage = Coverage::default();
    for &seed in &seeds {
        let case = PausedCase::generate(seed);
        if let Err(violation) = run_paused(&case, &mut coverage) {
            panic!("accounting violated (replay: OTEL_PROPTEST_SEED={seed}): {violation}\n{case:#?}");
        }
    }
    eprintln!("paused-time accounting: {} cases in {:?}; {coverage:?}", seeds.len(), started.elapsed());
}

#[derive(Debug)]
struct RealCase {
    seed: u64,
    settings: Settings,
    collector: Collector,
    /// Spans each of the two producers ends, in bursts of up to `burst`, with this payload.
    per_producer: u64,
    burst: u64,
    payload: usize,
    /// The shutdown begins once this many spans have ended.
    shutdown_after: u64,
    shutdown_deadline: Duration,
}

impl RealCase {
    fn generate(seed: u64) -> RealCase {
        let mut rng = Rng(seed);
        let settings = random_settings(&mut rng, false);
        let collector = random_collector(&mut rng, false);
        let per_producer = rng.range(0, 1500);
        RealCase {
            seed,
            settings,
            collector,
            per_producer,
            burst: rng.range(1, 200),
            payload: if rng.chance(60) { 0 } else { rng.range(0, 20_000) as usize },
            // Often once every span has ended (the shutdown then settles a full pipeline), else mid-stream.
            shutdown_after: if rng.chance(40) { 2 * per_producer } else { rng.range(0, 2 * per_producer) },
            // Mostly shorter than what is queued needs, sometimes long enough for most of it.
            shutdown_deadline: if rng.chance(25) { rng.ms(50, 300) } else { rng.ms(1, 30) },
        }
    }
}

fn run_real(case: &RealCase, coverage: &mut Coverage) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let hub = FailureHub::new("scripted".into(), None, Arc::new(Ledger::new(case.settings.max_queue_bytes)));
    let observed = Arc::new(Observed::default());
    let sink = scripted(case.collector.clone(), case.seed ^ 0x5A5A, hub.clone(), observed.clone());
    let resource = Resource::builder_empty().build();
    let processor = OtelProcessor::start(case.settings.clone(), sink, &resource, hub, runtime.handle());
    let core = processor.batcher.clone();
    let provider = SdkTracerProvider::builder().with_span_processor(processor).build();
    let stop = Arc::new(AtomicBool::new(false));
    let checker = {
        let (core, observed, stop) = (core.clone(), observed.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut checks = 0u64;
            while !stop.load(Ordering::Acquire) {
                check_live(&core.hub.ledger.totals(), &observed)?;
                checks += 1;
                std::thread::yield_now();
            }
            Ok::<u64, String>(checks)
        })
    };
    let producers: Vec<_> = (0..2u64)
        .map(|p| {
            let provider = provider.clone();
            let (per_producer, burst) = (case.per_producer, case.burst);
            let payload: Arc<str> = Arc::from("x".repeat(case.payload));
            std::thread::spawn(move || {
                let mut done = 0;
                while done < per_producer {
                    let n = burst.min(per_producer - done);
                    end_spans(&provider, p * 1_000_000 + done, n, &payload);
                    done += n;
                    std::thread::yield_now();
                }
            })
        })
        .collect();
    // The shutdown begins at a moment chosen by the count of spans ended (not by a sleep), spans still ending.
    while core.ledger.totals().ended < case.shutdown_after && !producers.iter().all(|p| p.is_finished()) {
        std::thread::yield_now();
    }
    let frozen = core.shutdown(case.shutdown_deadline);
    let cut = observed.in_progress.load(Ordering::SeqCst) > 0;
    let frozen_check = check_frozen(&frozen, &observed);
    for producer in producers {
        producer.join().map_err(|_| "a producer panicked".to_string())?;
    }
    frozen_check?;
    // Dropping the runtime cancels the export tasks still waiting for an answer: their drop guards settle them,
    // after the freeze. None of it may count.
    drop(runtime);
    drop(provider);
    stop.store(true, Ordering::Release);
    checker.join().map_err(|_| "the checker panicked".to_string())??;
    check_after(&core.hub.ledger.totals(), &frozen, 2 * case.per_producer, &observed)?;
    coverage.add(&frozen, cut, &observed);
    Ok(())
}

#[test]
fn span_accounting_holds_under_random_outcomes_with_real_concurrency() {
    let started = std::time::Instant::now();
    let seeds = seeds(0x07E1_0002, 30, 10);
    let mut coverage = Coverage::default();
    for &seed in &seeds {
        let case = RealCase::generate(seed);
        if let Err(violation) = run_real(&case, &mut coverage) {
            panic!("accounting violated (replay: OTEL_PROPTEST_SEED={seed}): {violation}\n{case:#?}");
        }
    }
    eprintln!("real-concurrency accounting: {} cases in {:?}; {coverage:?}", seeds.len(), started.elapsed());
}

/// Found by the real-concurrency suite (seed 7343145273860891269, in a 2,000-case run), fixed by the ledger's
/// tickets (`accounting.rs`: a span ending during the shutdown is dropped once, whether or not the freeze came
/// first); this test stays as its regression test. It was: live totals
/// `ended 1500, exported 114, failed 758, dropped 629` (settled 1501). A span ending while the shutdown freezes,
/// after `closed` is set, adds to `ended` and then, separately, to `dropped` (`on_end`'s closed path, outside the
/// backlog's lock); `freeze` reads the counters between the two adds, counts that span in `never_sent` as dropped,
/// and then `on_end` counts it dropped a second time. Racy, so repeated until it shows.
#[test]
fn a_span_ending_during_the_freeze_is_counted_once() {
    for round in 0..500 {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let hub = FailureHub::new("scripted".into(), None, Arc::new(Ledger::new(usize::MAX)));
        let settings = Settings {
            max_queue_size: 64,
            max_export_batch_size: 8,
            schedule_delay: Duration::from_millis(1),
            export_timeout: Duration::from_secs(1),
            attempt_timeout: Duration::from_secs(1),
            max_concurrent_exports: 1,
            max_queue_bytes: usize::MAX,
        };
        let resource = Resource::builder_empty().build();
        let accept_all: Arc<dyn Sink<opentelemetry_sdk::trace::SpanData>> =
            Arc::new(ScriptedSink(Arc::new(|_: &ExportTraceServiceRequest| {
                Box::pin(async { AttemptOutcome::Accepted })
            })));
        let processor = OtelProcessor::start(settings, accept_all, &resource, hub, runtime.handle());
        let core = processor.batcher.clone();
        let provider = SdkTracerProvider::builder().with_span_processor(processor).build();
        let stop = Arc::new(AtomicBool::new(false));
        let producer = {
            let (provider, stop) = (provider.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    end_spans(&provider, i, 1, &Arc::from(""));
                    i += 1;
                }
            })
        };
        while core.ledger.totals().ended < 100 {
            std::thread::yield_now();
        }
        let frozen = core.shutdown(Duration::from_millis(5));
        stop.store(true, Ordering::Relaxed);
        producer.join().unwrap();
        let live = core.hub.ledger.totals();
        assert_eq!(frozen.exported + frozen.failed + frozen.dropped, frozen.ended);
        assert_eq!(
            live.exported + live.failed + live.dropped,
            live.ended,
            "round {round}: a span counted twice: live {live:?}, frozen {frozen:?}"
        );
        drop(provider);
        drop(runtime);
    }
}
