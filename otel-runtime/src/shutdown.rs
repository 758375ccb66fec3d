//! The guard that flushes the pipeline at the end of `main`, within `shutdown.timeout`.

use crate::health::SpanTotals;
use crate::pipeline::{Pipeline, Shared};
use std::sync::Arc;
use std::time::Duration;

/// Flushes and shuts the pipeline down when dropped (or by [`OtelGuard::shutdown`]), never taking longer
/// than `shutdown.timeout`, and prints the span summary when spans were lost.
///
/// ```no_run
/// let guard = otel_runtime::start(&otel_runtime::entry::MainOptions::new("demo", "0.1.0")).unwrap();
/// tracing::info!("work");
/// let totals = guard.shutdown();
/// assert_eq!(totals.in_pipeline(), 0);
/// ```
#[must_use = "dropping the guard shuts the pipeline down"]
pub struct OtelGuard {
    pipeline: Option<Pipeline>,
    timeout: Duration,
    summary: otel_config::SummaryMode,
}

impl OtelGuard {
    pub(crate) fn new(pipeline: Pipeline, timeout: Duration, summary: otel_config::SummaryMode) -> Self {
        OtelGuard { pipeline: Some(pipeline), timeout, summary }
    }

    /// Flushes what is queued and shuts down within `shutdown.timeout`; returns the final span totals.
    pub fn shutdown(mut self) -> SpanTotals {
        self.finish()
    }

    fn finish(&mut self) -> SpanTotals {
        let Some(pipeline) = self.pipeline.take() else { return SpanTotals::default() };
        let Pipeline { provider, shared, export_runtime } = pipeline;
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let timeout = self.timeout;
        // The SDK's shutdown may wait on an export stuck in a hung collector: run it on a thread of its own
        // and stop waiting at the deadline, whatever it does.
        let _ = std::thread::Builder::new().name("otel-shutdown".into()).spawn(move || {
            let _ = provider.shutdown_with_timeout(timeout);
            let _ = done_tx.send(());
        });
        let _ = done_rx.recv_timeout(timeout);
        if let Some(runtime) = export_runtime {
            runtime.shutdown_background();
        }
        let totals = settle(&shared);
        let print = match self.summary {
            otel_config::SummaryMode::Always => true,
            otel_config::SummaryMode::OnLoss => totals.lost() > 0,
            otel_config::SummaryMode::Never => false,
        };
        if print {
            eprintln!("{}", totals.summary_line());
        }
        totals
    }
}

/// Final totals: whatever has not settled by now never will, and is counted as dropped.
fn settle(shared: &Arc<Shared>) -> SpanTotals {
    let mut totals = shared.counters.totals();
    totals.dropped += totals.in_pipeline();
    totals
}

impl Drop for OtelGuard {
    fn drop(&mut self) {
        self.finish();
    }
}
