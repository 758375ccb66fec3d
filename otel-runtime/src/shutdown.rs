//! The end of the program: every exit path (return, `?`, panic, SIGTERM/SIGINT, [`crate::exit`]) flushes the
//! pipeline once, within `shutdown.timeout`, and prints the span summary.

use crate::failures::{FailureHub, Listeners};
use crate::health::{HealthSnapshot, Totals};
use crate::pipeline::Pipeline;
use crate::sync::LockUnpoisoned;
use otel_config::SummaryMode;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The installed pipeline, reachable from every exit path.
pub(crate) struct Installed {
    pub(crate) hub: Arc<FailureHub>,
    /// Every exported signal's hub, traces first.
    pub(crate) hubs: Vec<Arc<FailureHub>>,
    pub(crate) listeners: Arc<Listeners>,
    state: Mutex<State>,
    timeout: Duration,
    summary: SummaryMode,
    /// When the way out began (`main` done, before the application's runtime is shut down): `shutdown.timeout`
    /// bounds everything from here, not each step.
    exit_started: OnceLock<Instant>,
}

struct State {
    pipeline: Option<Pipeline>,
    totals: Option<Totals>,
}

impl Installed {
    pub(crate) fn new(pipeline: Pipeline, timeout: Duration, summary: SummaryMode) -> Arc<Installed> {
        Arc::new(Installed {
            hub: pipeline.hub.clone(),
            hubs: pipeline.hubs.clone(),
            listeners: pipeline.listeners.clone(),
            state: Mutex::new(State { pipeline: Some(pipeline), totals: None }),
            timeout,
            summary,
            exit_started: OnceLock::new(),
        })
    }

    /// Marks the start of the way out (the first call counts) and returns `shutdown.timeout`.
    pub(crate) fn begin_exit(&self) -> Duration {
        self.exit_started.get_or_init(Instant::now);
        self.timeout
    }

    /// What is left of `shutdown.timeout` since the way out began (zero = no limit, as configured).
    fn flush_limit(&self) -> Duration {
        if self.timeout.is_zero() {
            return Duration::ZERO;
        }
        let spent = self.exit_started.get_or_init(Instant::now).elapsed();
        // At least a millisecond: a zero would mean "no limit".
        self.timeout.saturating_sub(spent).max(Duration::from_millis(1))
    }

    /// The export runtime's handle, while the pipeline runs (the Ctrl-C listener of non-Unix systems runs there).
    #[cfg(not(unix))]
    pub(crate) fn runtime_handle(&self) -> Option<tokio::runtime::Handle> {
        let state = self.state.lock_unpoisoned();
        state.pipeline.as_ref().map(|p| p.export_runtime.handle().clone())
    }

    /// Every exported signal's health now.
    pub(crate) fn health(&self) -> HealthSnapshot {
        // The hubs are in the signals' order (traces, logs, metrics) already.
        let mut snapshot = HealthSnapshot::of(self.hubs.iter().map(|hub| hub.snapshot()).collect());
        // The spans' counts at the top level, also when spans are not exported (all zero but `ended`).
        snapshot.totals = self.hub.ledger.totals();
        snapshot
    }

    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Flushes and shuts down once, within `shutdown.timeout`; later (or concurrent) calls wait for the first
    /// and return its totals.
    pub(crate) fn finish(&self) -> Totals {
        // Held for the whole flush: a signal arriving while `main` returns waits for the same flush.
        let mut state = self.state.lock_unpoisoned();
        if let Some(totals) = state.totals {
            return totals;
        }
        let Some(pipeline) = state.pipeline.take() else { return Totals::default() };
        let limit = self.flush_limit();
        let started = Instant::now();
        // Spans and log records flush at once, each within the same deadline: one `shutdown.timeout` bounds them
        // all. The metrics' final collection waits for them (up to half the time), so that otel's own counters it
        // exports are final; it then has until the same deadline.
        let (totals, others) = std::thread::scope(|scope| {
            let (settled, settling) = std::sync::mpsc::channel::<()>();
            let logs = pipeline.logs.as_ref().map(|(_, batcher)| {
                let settled = settled.clone();
                scope.spawn(move || {
                    let totals = batcher.shutdown(limit);
                    let _ = settled.send(());
                    totals
                })
            });
            let traces = scope.spawn(move || {
                let totals = match &pipeline.batcher {
                    Some(batcher) => batcher.shutdown(limit),
                    None => pipeline.hub.ledger.totals(),
                };
                let _ = settled.send(());
                totals
            });
            let mut others = Vec::new();
            if let Some((provider, export)) = &pipeline.metrics {
                let half = started.checked_add(limit / 2);
                for _ in 0..1 + usize::from(logs.is_some()) {
                    let wait = half.map(|half| half.saturating_duration_since(Instant::now()));
                    let done = match wait {
                        Some(wait) => settling.recv_timeout(wait).is_ok(),
                        None => settling.recv().is_ok(),
                    };
                    if !done {
                        break;
                    }
                }
                let metrics = crate::metrics::shut_down(provider, export, limit, started);
                others.push((otel_config::Signal::Metrics, metrics));
            }
            if let Some(logs) = logs {
                others.insert(0, (otel_config::Signal::Logs, logs.join().unwrap_or_default()));
            }
            (traces.join().unwrap_or_default(), others)
        });
        // Our processors are shut down already; this only marks the providers so that their Drop does nothing more.
        let _ = pipeline.provider.shutdown_with_timeout(Duration::from_millis(1));
        if let Some((provider, _)) = &pipeline.logs {
            let _ = provider.shutdown_with_timeout(Duration::from_millis(1));
        }
        let left = limit.saturating_sub(started.elapsed());
        // The on_failure callback gets the last events (shutdown losses included), within the deadline.
        pipeline.listeners.close(if limit.is_zero() { Duration::from_secs(1) } else { left });
        pipeline.export_runtime.shutdown_background();
        let print = |totals: &Totals| match self.summary {
            SummaryMode::Always => true,
            SummaryMode::OnLoss => totals.lost() > 0,
            SummaryMode::Never => false,
            // The default, `on_loss`.
            _ => totals.lost() > 0,
        };
        if print(&totals) {
            eprintln!("{}", totals.summary_line());
        }
        for (signal, totals) in &others {
            if print(totals) {
                eprintln!("{}", totals.summary_line_for(*signal));
            }
        }
        state.totals = Some(totals);
        totals
    }
}

/// Flushes and shuts the pipeline down when dropped (or by [`OtelGuard::shutdown`]), never taking longer
/// than `shutdown.timeout`, and prints the span summary when spans were lost.
///
/// `#[otel::main]` holds one for you; with [`crate::start`] you hold it yourself.
///
/// ```no_run
/// let guard = otel_runtime::start(otel_runtime::StartOptions::new().service_name("demo")).unwrap();
/// tracing::info!("work");
/// let totals = guard.shutdown();
/// assert_eq!(totals.in_pipeline(), 0);
/// ```
#[must_use = "dropping the guard shuts the pipeline down"]
pub struct OtelGuard {
    installed: Arc<Installed>,
}

impl OtelGuard {
    pub(crate) fn new(installed: Arc<Installed>) -> Self {
        OtelGuard { installed }
    }

    /// Flushes what is queued and shuts down within `shutdown.timeout`; returns the final span totals, which
    /// add up: `ended = exported + failed + dropped`.
    ///
    /// ```no_run
    /// # use otel_runtime as otel;
    /// let guard = otel::start(otel::StartOptions::new().service_name("batch-job"))?;
    /// tracing::info_span!("job").in_scope(|| tracing::info!("done"));
    /// let totals = guard.shutdown();
    /// if totals.lost() > 0 {
    ///     std::process::exit(3); // the job's telemetry is incomplete: let the scheduler know
    /// }
    /// # Ok::<(), otel::StartError>(())
    /// ```
    pub fn shutdown(self) -> Totals {
        self.installed.finish()
    }

    /// Marks the start of the way out: from here `shutdown.timeout` bounds everything left (the application's
    /// runtime shutdown, then the flush). Returns `shutdown.timeout`.
    pub(crate) fn begin_exit(&self) -> Duration {
        self.installed.begin_exit()
    }
}

impl std::fmt::Debug for OtelGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtelGuard").field("endpoint", &self.installed.hub.endpoint).finish_non_exhaustive()
    }
}

impl Drop for OtelGuard {
    fn drop(&mut self) {
        // Also runs while a panic unwinds out of `main`: the spans up to the panic are flushed.
        self.installed.finish();
    }
}
