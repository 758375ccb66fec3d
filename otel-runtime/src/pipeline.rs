//! Builds the pipeline: the export runtime, the sink (our OTLP transport, the console, or one injected by a
//! benchmark or a test), the ledger, our batch processor and the tracer provider.

use crate::accounting::Ledger;
use crate::console::ConsoleSink;
use crate::failures::FailureHub;
use crate::health::FailureEvent;
use crate::processor::{Batcher, OtelProcessor, Settings};
use crate::sink::{OtlpSink, SpanSink, UnavailableSink};
use crate::transport::Transport;
use opentelemetry_sdk::trace::SdkTracerProvider;
use otel_config::{Config, OnInvalid, Protocol};
use std::sync::Arc;

/// A built pipeline: the provider, the failure channel (with the ledger), the processor's batcher and the runtime
/// its exports run on.
pub(crate) struct Pipeline {
    pub(crate) provider: SdkTracerProvider,
    pub(crate) hub: Arc<FailureHub>,
    /// `None` when nothing is exported (`disabled`, or protocol `none`).
    pub(crate) batcher: Option<Arc<Batcher>>,
    /// Exports (and the signal listener) run here, never on the application's runtime, so neither can starve or
    /// deadlock the other, whatever the application's flavor.
    pub(crate) export_runtime: tokio::runtime::Runtime,
}

/// What part of the pipeline could not be built ([`BuildError::kind`]).
///
/// ```
/// # use otel_runtime as otel;
/// assert_ne!(otel::BuildErrorKind::Tls, otel::BuildErrorKind::Endpoint);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildErrorKind {
    /// The export runtime (threads) could not start.
    Runtime,
    /// The endpoint URL is not one the client can use.
    Endpoint,
    /// A header name or value is not valid in HTTP.
    Header,
    /// A certificate or key file cannot be read or used, or no trusted root is available.
    Tls,
    /// A proxy from the environment cannot be used (e.g. a SOCKS proxy).
    Proxy,
    /// The protocol sends nothing over OTLP (`console`, `none`).
    Protocol,
}

/// Why the pipeline could not be built: what ([`BuildError::kind`]), the configuration key at fault when there is
/// one ([`BuildError::key`]), and a message naming both, ready for stderr. Secrets never appear.
///
/// ```no_run
/// # use otel_runtime as otel;
/// let options = otel::StartOptions::new().service_name("demo");
/// if let Err(otel::StartError::Build(error)) = otel::start(options) {
///     eprintln!("{error} (kind {:?}, key {:?})", error.kind(), error.key());
/// }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct BuildError {
    kind: BuildErrorKind,
    key: Option<&'static str>,
    message: String,
}

impl BuildError {
    pub(crate) fn new(kind: BuildErrorKind, key: Option<&'static str>, message: impl Into<String>) -> BuildError {
        BuildError { kind, key, message: message.into() }
    }

    /// What could not be built.
    ///
    /// ```no_run
    /// # use otel_runtime as otel;
    /// if let Err(otel::StartError::Build(error)) = otel::start(otel::StartOptions::new()) {
    ///     assert_ne!(error.kind(), otel::BuildErrorKind::Runtime);
    /// }
    /// ```
    pub fn kind(&self) -> BuildErrorKind {
        self.kind
    }

    /// The configuration key at fault (`exporter.certificate`, `exporter.headers`, …), when one is.
    ///
    /// ```no_run
    /// # use otel_runtime as otel;
    /// if let Err(otel::StartError::Build(error)) = otel::start(otel::StartOptions::new()) {
    ///     println!("fix {}", error.key().unwrap_or("the environment"));
    /// }
    /// ```
    pub fn key(&self) -> Option<&'static str> {
        self.key
    }
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BuildError {}

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
        .map_err(|e| {
            BuildError::new(BuildErrorKind::Runtime, None, format!("otel: cannot start the export runtime: {e}"))
        })
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

/// Builds the pipeline `config` describes. Batches go to `sink` when one is given (the benchmarks' discarding sink,
/// a test's), otherwise to the configured exporter: the OTLP transport, the console, or — when the transport cannot
/// be built and `exporter.on_invalid = "warn"` — a sink that fails every batch.
pub(crate) fn build(
    config: &Config,
    on_failure: Option<fn(&FailureEvent)>,
    sink: Option<Arc<dyn SpanSink>>,
) -> Result<Pipeline, BuildError> {
    let exporting = !config.disabled && config.exporter.protocol != Protocol::None;
    let endpoint = match config.exporter.protocol {
        // Printed in alerts, events, `health()` and the summary: never with the credentials a URL may carry.
        Protocol::Grpc | Protocol::HttpProtobuf | Protocol::HttpJson if exporting => {
            config.exporter.traces_url_redacted()
        }
        Protocol::Console if exporting => "stdout".to_string(),
        _ => String::new(),
    };
    let runtime = export_runtime(config.batch.yield_to_app)?;
    let resource = crate::sdk::resource(config);
    let builder = SdkTracerProvider::builder()
        .with_resource(resource.clone())
        .with_sampler(crate::sdk::sampler(config))
        .with_span_limits(crate::sdk::span_limits(config));
    let settings = Settings::from_config(config);
    let ledger = Arc::new(Ledger::new(settings.max_queue_bytes));
    if !exporting {
        let hub = FailureHub::new(endpoint, None, ledger);
        return Ok(Pipeline { provider: builder.build(), hub, batcher: None, export_runtime: runtime });
    }
    let sink: Arc<dyn SpanSink> = match (sink, config.exporter.protocol) {
        (Some(sink), _) => sink,
        (None, Protocol::Console) => Arc::new(ConsoleSink),
        (None, _) => {
            let _enter = runtime.enter();
            match Transport::build(&config.exporter) {
                Ok(transport) => Arc::new(OtlpSink::new(transport)),
                // Fail open (the default): the application runs, the loss is reported like any other.
                Err(error) if config.exporter.on_invalid == OnInvalid::Warn => {
                    eprintln!(
                        "{error}; exporter.on_invalid = \"warn\": the application runs and every span is counted \
                         as failed (set it to \"exit\" to stop instead)"
                    );
                    Arc::new(UnavailableSink::new(error.to_string()))
                }
                Err(error) => return Err(error),
            }
        }
    };
    let hub = FailureHub::new(endpoint, on_failure, ledger);
    let processor = OtelProcessor::start(settings, sink, &resource, hub.clone(), runtime.handle());
    let batcher = processor.batcher.clone();
    let provider = builder.with_span_processor(processor).build();
    Ok(Pipeline { provider, hub, batcher: Some(batcher), export_runtime: runtime })
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
