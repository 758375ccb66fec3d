//! A hook for otel-bench's micro-benchmarks: otel's subscriber and processor exactly as `#[otel::main]` builds
//! them, around a sink that drops every batch at once (like the SDK's no-op exporter), installed nowhere. Not a
//! public API.

use crate::build_error::BuildError;
use crate::export::{Delivery, Retries};
use crate::pipeline::{self, Pipeline};
use crate::sink::{Export, ItemBatch, Sink};
use otel_config::Config;
use std::sync::Arc;

/// Drops every batch at once, unconverted, and counts it delivered, like the SDK's no-op exporter: what is left
/// is the cost on the application's thread and the processor's own.
#[derive(Debug)]
struct DiscardingSink;

impl<I: Send + 'static> Sink<I> for DiscardingSink {
    fn export<'a>(&'a self, batch: ItemBatch<I>, retries: Retries<'a>) -> Export<'a> {
        drop(std::hint::black_box(batch));
        drop(retries);
        Box::pin(std::future::ready(Delivery::Delivered))
    }
}

/// otel's pipeline for a benchmark; dropping it shuts it down (flushing what is queued into the discarding sink).
/// Made by [`dispatch`] (see its example).
pub struct BenchPipeline {
    pipeline: Pipeline,
}

impl std::fmt::Debug for BenchPipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BenchPipeline").finish_non_exhaustive()
    }
}

impl Drop for BenchPipeline {
    fn drop(&mut self) {
        // The export runtime (a field) is dropped after this, once the shutdown has flushed.
        let _ = self.pipeline.provider.shutdown();
    }
}

/// The `tracing` dispatcher `#[otel::main]` would install for `config` (filter, OpenTelemetry layer, fmt), over
/// otel's batch processor and export runtime; the export tasks drop each batch (spans and log records)
/// unconverted. Metrics are not exported here (a benchmark of the span or log path must not also run a periodic
/// reader that sends to a collector); the metrics figures are measured by the benchmark programs.
///
/// ```
/// let mut config = otel_config::Config::default();
/// config.fmt.format = otel_config::FmtFormat::Off;
/// let (dispatch, pipeline) = otel_runtime::bench::dispatch(&config).unwrap();
/// tracing::dispatcher::with_default(&dispatch, || tracing::info_span!("work").in_scope(|| {}));
/// drop(pipeline);
/// ```
pub fn dispatch(config: &Config) -> Result<(tracing::Dispatch, BenchPipeline), BuildError> {
    let injected = pipeline::Injected { spans: Some(Arc::new(DiscardingSink)), logs: Some(Arc::new(DiscardingSink)) };
    let mut config = config.clone();
    config.metrics.enabled = false;
    let config = &config;
    let pipeline = pipeline::build(config, None, injected)?;
    let dispatch = crate::subscriber::dispatch(config, &pipeline);
    Ok((dispatch, BenchPipeline { pipeline }))
}
