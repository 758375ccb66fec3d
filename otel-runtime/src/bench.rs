//! A hook for otel-bench's micro-benchmarks: otel's subscriber and processor exactly as `#[otel::main]` builds
//! them, around a sink that drops every batch at once (like the SDK's no-op exporter), installed nowhere. Not a
//! public API.

use crate::pipeline::{self, BuildError, Pipeline};
use otel_config::Config;

/// otel's pipeline for a benchmark; dropping it shuts it down (flushing what is queued into the discarding sink).
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
/// otel's batch processor and export runtime; the export tasks drop each batch unconverted.
///
/// ```
/// let mut config = otel_config::Config::default();
/// config.fmt.format = otel_config::FmtFormat::Off;
/// let (dispatch, pipeline) = otel_runtime::bench::dispatch(&config).unwrap();
/// tracing::dispatcher::with_default(&dispatch, || tracing::info_span!("work").in_scope(|| {}));
/// drop(pipeline);
/// ```
pub fn dispatch(config: &Config) -> Result<(tracing::Dispatch, BenchPipeline), BuildError> {
    let pipeline = pipeline::build_with(config, None, true)?;
    let dispatch = crate::subscriber::dispatch(config, &pipeline.provider);
    Ok((dispatch, BenchPipeline { pipeline }))
}
