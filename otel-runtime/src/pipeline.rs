//! Builds the pipeline: the export runtime, per signal the sink (our OTLP transport, the console, or one
//! injected by a benchmark or a test), the ledger and the failure hub; our batch processor for spans and log
//! records, the meter provider's reader for metrics; and the three providers.

use crate::accounting::Ledger;
use crate::build_error::{BuildError, BuildErrorKind, Detail};
use crate::console::ConsoleSink;
use crate::failures::{FailureHub, Listeners};
use crate::health::FailureEvent;
use crate::logs::{LogItem, OtelLogProcessor};
use crate::metrics::{MetricsExport, MetricsTarget, OtelMetricExporter};
use crate::processor::{Batcher, OtelProcessor, Settings};
use crate::sink::{OtlpSink, Sink, UnavailableSink};
use crate::transport::Transport;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData};
use otel_config::{Config, OnInvalid, Protocol, Signal};
use std::sync::Arc;

/// A built pipeline: the providers, the failure channel (a hub per exported signal, with its ledger), the
/// batchers and the runtime their exports run on.
pub(crate) struct Pipeline {
    pub(crate) provider: SdkTracerProvider,
    /// The traces' hub (also when spans are not exported: `health()` reads it).
    pub(crate) hub: Arc<FailureHub>,
    /// `None` when spans are not exported (`disabled`, `traces.enabled = false`, or protocol `none`).
    pub(crate) batcher: Option<Arc<Batcher<SpanData>>>,
    /// When log records are exported: the logger provider the log bridge feeds, and its batcher.
    pub(crate) logs: Option<(SdkLoggerProvider, Arc<Batcher<Box<LogItem>>>)>,
    /// When metrics are exported: the meter provider, and its exporter's shared state.
    pub(crate) metrics: Option<(SdkMeterProvider, Arc<MetricsExport>)>,
    /// The hubs of the exported signals, traces first (what `health()` and the summary report).
    pub(crate) hubs: Vec<Arc<FailureHub>>,
    /// Where every signal's failure events go.
    pub(crate) listeners: Arc<Listeners>,
    /// Exports (and the signal listener) run here, never on the application's runtime, so neither can starve or
    /// deadlock the other, whatever the application's flavor.
    pub(crate) export_runtime: tokio::runtime::Runtime,
}

/// Sinks injected instead of the configured exporter (the benchmarks' discarding sink, a test's).
#[derive(Default)]
pub(crate) struct Injected {
    pub(crate) spans: Option<Arc<dyn Sink<SpanData>>>,
    pub(crate) logs: Option<Arc<dyn Sink<Box<LogItem>>>>,
}

/// The runtime exports run on: two threads whose own `tracing` events (tonic, hyper, h2) go nowhere, so the
/// pipeline never exports its own diagnostics. With `yield_to_app` they give way to the application's threads.
fn export_runtime(yield_to_app: bool) -> Result<tokio::runtime::Runtime, BuildError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("otel-export")
        .enable_all()
        .on_thread_start(move || {
            std::mem::forget(tracing::subscriber::set_default(tracing::subscriber::NoSubscriber::default()));
            if yield_to_app {
                give_way_to_app();
            }
        })
        .build()
        .map_err(|e| BuildError::new(BuildErrorKind::Runtime, None, Detail::Runtime).caused_by(e))
}

/// Puts the calling thread under `SCHED_BATCH` (`batch.yield_to_app`).
///
/// Why: on a machine with few cores the export threads wake often (a batch to convert, a reply to read), and a
/// freshly woken thread of the normal policy preempts whatever runs on its core — often the application's thread,
/// which then waits for a whole time slice (measured: this, not CPU time, was most of the per-span wall cost on 2
/// cores). The kernel never preempts on the wake-up of a `SCHED_BATCH` thread; it still gets its fair share of the
/// CPU (same nice value), so exports keep up. Needs no privilege. Should the kernel refuse, the thread keeps the
/// normal policy: a scheduling hint, nothing is lost.
///
/// The raw system call, not libc's wrapper: musl's `sched_setscheduler` does nothing but return `ENOSYS` (musl
/// holds that POSIX scheduling applies to processes, Linux's call to threads), so on a static musl build the
/// setting silently did nothing.
#[cfg(target_os = "linux")]
fn give_way_to_app() {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: `param` is a valid `sched_param` for the duration of the call; tid 0 means the calling thread.
    unsafe { libc::syscall(libc::SYS_sched_setscheduler, 0, libc::SCHED_BATCH, &param as *const libc::sched_param) };
}

#[cfg(not(target_os = "linux"))]
fn give_way_to_app() {}

/// Where `signal` goes, for messages: its exact URL (credentials redacted), `stdout`, or empty.
fn shown_endpoint(config: &Config, signal: Signal) -> String {
    let exporter = config.exporter_for(signal);
    match exporter.protocol {
        // Printed in alerts, events, `health()` and the summary: never with the credentials a URL may carry.
        Protocol::Grpc | Protocol::HttpProtobuf | Protocol::HttpJson => exporter.url_redacted(signal),
        Protocol::Console => "stdout".to_string(),
        Protocol::None => String::new(),
        _ => String::new(), // a protocol this runtime does not know: no transport, as `none`
    }
}

/// The OTLP transport of `signal`, or — when it cannot be built and `exporter.on_invalid = "warn"` — the reason
/// every export of it will fail with.
fn transport(config: &Config, signal: Signal) -> Result<Result<Transport, String>, BuildError> {
    match Transport::build(&config.exporter_for(signal), signal) {
        Ok(transport) => Ok(Ok(transport)),
        // Fail open (the default): the application runs, the loss is reported like any other.
        Err(error) if config.exporter.on_invalid == OnInvalid::Warn => {
            let noun = crate::health::noun(signal);
            eprintln!(
                "{error}; exporter.on_invalid = \"warn\": the application runs and every {} is counted as failed \
                 (set it to \"exit\" to stop instead)",
                noun.trim_end_matches('s')
            );
            Ok(Err(error.to_string()))
        }
        Err(error) => Err(error),
    }
}

/// The sink of a batched signal (spans, log records): the injected one, the console, or our OTLP transport.
fn sink<I: crate::sink::OtlpItem>(
    config: &Config,
    signal: Signal,
    injected: Option<Arc<dyn Sink<I>>>,
) -> Result<Arc<dyn Sink<I>>, BuildError>
where
    I::Request: crate::console::Printable,
{
    if let Some(sink) = injected {
        return Ok(sink);
    }
    if config.exporter_for(signal).protocol == Protocol::Console {
        return Ok(Arc::new(ConsoleSink));
    }
    Ok(match transport(config, signal)? {
        Ok(transport) => Arc::new(OtlpSink::new(transport)),
        Err(reason) => Arc::new(UnavailableSink::new(reason)),
    })
}

/// Builds the pipeline `config` describes. Batches go to the injected sinks when given (the benchmarks'
/// discarding sink, a test's), otherwise to each signal's configured exporter: the OTLP transport, the console,
/// or — when the transport cannot be built and `exporter.on_invalid = "warn"` — a sink that fails every batch.
/// Everything that can fail is built before anything starts.
pub(crate) fn build(
    config: &Config,
    on_failure: Option<fn(&FailureEvent)>,
    injected: Injected,
) -> Result<Pipeline, BuildError> {
    let runtime = export_runtime(config.batch.yield_to_app)?;
    let resource = crate::sdk::resource(config);
    let listeners = Listeners::new(on_failure);
    let hub_of = |signal: Signal, max_bytes: usize| {
        let endpoint = if config.exports(signal) { shown_endpoint(config, signal) } else { String::new() };
        FailureHub::for_signal(signal, endpoint, listeners.clone(), Arc::new(Ledger::new(max_bytes)))
    };
    let _enter = runtime.enter();

    // Every sink and transport first: a build error leaves nothing running.
    let span_sink = match config.exports(Signal::Traces) {
        true => Some(sink(config, Signal::Traces, injected.spans)?),
        false => None,
    };
    let log_sink = match config.exports(Signal::Logs) {
        true => Some(sink(config, Signal::Logs, injected.logs)?),
        false => None,
    };
    let metrics_target = match config.exports(Signal::Metrics) {
        true if config.exporter_for(Signal::Metrics).protocol == Protocol::Console => Some(MetricsTarget::Console),
        true => Some(match transport(config, Signal::Metrics)? {
            Ok(transport) => MetricsTarget::Otlp(transport),
            Err(reason) => MetricsTarget::Unavailable(reason),
        }),
        false => None,
    };

    let mut hubs = Vec::new();
    let settings = Settings::from_config(config);
    let hub = hub_of(Signal::Traces, settings.max_queue_bytes);
    let builder = SdkTracerProvider::builder()
        .with_resource(resource.clone())
        .with_sampler(crate::sdk::sampler(config))
        .with_span_limits(crate::sdk::span_limits(config));
    let (provider, batcher) = match span_sink {
        Some(sink) => {
            hubs.push(hub.clone());
            let processor = OtelProcessor::start(settings, sink, &resource, hub.clone(), runtime.handle());
            let batcher = processor.batcher.clone();
            (builder.with_span_processor(processor).build(), Some(batcher))
        }
        None => (builder.build(), None),
    };

    let logs = log_sink.map(|sink| {
        let settings = Settings::new(&config.logs.batch, config.exporter_for(Signal::Logs).timeout);
        let hub = hub_of(Signal::Logs, settings.max_queue_bytes);
        hubs.push(hub.clone());
        let batcher = Batcher::start(settings, sink, &resource, hub, runtime.handle());
        let processor = OtelLogProcessor { batcher: batcher.clone() };
        let provider =
            SdkLoggerProvider::builder().with_resource(resource.clone()).with_log_processor(processor).build();
        (provider, batcher)
    });

    let metrics = metrics_target.map(|target| {
        let hub = hub_of(Signal::Metrics, usize::MAX);
        hubs.push(hub.clone());
        let export = MetricsExport::new(
            hub,
            target,
            config.metrics.timeout,
            config.exporter_for(Signal::Metrics).timeout,
            runtime.handle().clone(),
        );
        let exporter = OtelMetricExporter {
            export: export.clone(),
            temporality: crate::metrics::temporality(config.metrics.temporality),
        };
        let reader = PeriodicReader::builder(exporter).with_interval(config.metrics.interval).build();
        let provider = SdkMeterProvider::builder().with_resource(resource.clone()).with_reader(reader).build();
        (provider, export)
    });
    if let Some((provider, _)) = &metrics {
        if config.metrics.self_observability {
            crate::metrics::observe_pipeline(provider, &hubs);
        }
    }
    drop(_enter);
    Ok(Pipeline { provider, hub, batcher, logs, metrics, hubs, listeners, export_runtime: runtime })
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::export_runtime;

    /// The scheduling policy of a thread of the export runtime.
    fn policy_of_export_thread(yield_to_app: bool) -> libc::c_int {
        let runtime = export_runtime(yield_to_app).expect("runtime");
        // SAFETY: sched_getscheduler(0) only reads the calling thread's policy.
        runtime.block_on(async { tokio::spawn(async { unsafe { libc::sched_getscheduler(0) } }).await.expect("task") })
    }

    #[test]
    fn export_threads_run_as_sched_batch_when_they_yield_to_the_app() {
        assert_eq!(policy_of_export_thread(true), libc::SCHED_BATCH);
        assert_eq!(policy_of_export_thread(false), libc::SCHED_OTHER);
        // SAFETY: as above; the test's own thread is untouched.
        assert_eq!(unsafe { libc::sched_getscheduler(0) }, libc::SCHED_OTHER);
    }
}
