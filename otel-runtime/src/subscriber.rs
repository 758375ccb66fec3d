//! The `tracing` layers: tracing-opentelemetry (spans, and events as span events), the log bridge (events as
//! log records), the metrics layer (`counter.*`, `histogram.*` event fields as instruments), fmt (per
//! `fmt.format`) and an EnvFilter (`RUST_LOG` wins). tracing-opentelemetry's layer is wrapped in
//! [`U64Fields`], so that `u64` fields arrive as integers.

use crate::pipeline::Pipeline;
use crate::u64_fields::U64Fields;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;
use otel_config::Config;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Installs the global subscriber. Returns a warning when another one was installed first.
pub(crate) fn install(config: &Config, pipeline: &Pipeline) -> Result<(), String> {
    dispatch(config, pipeline).try_init().map_err(|e| {
        format!("otel: a global tracing subscriber was already installed; spans will not be exported ({e})")
    })
}

/// The subscriber [`install`] installs: the filter, the OpenTelemetry layer, the log bridge, the metrics layer,
/// the fmt layer.
pub(crate) fn dispatch(config: &Config, pipeline: &Pipeline) -> tracing::Dispatch {
    build(
        config,
        &pipeline.provider,
        pipeline.logs.as_ref().map(|(provider, _)| provider),
        pipeline.metrics.as_ref().map(|(provider, _)| provider),
    )
}

/// The subscriber over these providers: what [`dispatch`] builds for the pipeline, and `otel::testing` for a
/// test's in-memory capture (the same layers, so a test sees what would be exported).
pub(crate) fn build(
    config: &Config,
    provider: &SdkTracerProvider,
    logs: Option<&SdkLoggerProvider>,
    metrics: Option<&SdkMeterProvider>,
) -> tracing::Dispatch {
    let filter = EnvFilter::try_new(&config.fmt.filter).unwrap_or_else(|e| {
        eprintln!("otel: ignoring fmt.filter {:?}: {e}; using \"info\"", config.fmt.filter);
        EnvFilter::new("info")
    });
    // Events become span events unless the log records are to carry them alone (`logs.span_events = false`).
    let span_events = config.logs.span_events || logs.is_none();
    let otel_layer = (!config.disabled).then(|| {
        // `u64` and `usize` fields as integers rather than the strings tracing-opentelemetry makes of them.
        U64Fields::new(
            tracing_opentelemetry::layer()
                .with_location(config.tracing.location)
                .with_threads(config.tracing.threads)
                .with_tracked_inactivity(config.tracing.timings)
                .with_tracer(provider.tracer("otel")),
        )
        .with_filter(filter_fn(move |metadata| span_events || !metadata.is_event()))
    });
    let log_bridge = logs.map(|provider| {
        opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge::new(provider)
            .with_filter(filter_fn(|metadata| crate::logs::may_become_a_record(metadata.target())))
    });
    let metrics_layer = metrics.map(|provider| tracing_opentelemetry::MetricsLayer::new(provider.clone()));
    let fmt_layer = crate::fmt_ids::fmt_layer(config.fmt.format, config.fmt.trace_ids);
    tracing::Dispatch::new(
        tracing_subscriber::registry()
            .with(filter)
            .with(otel_layer)
            .with(log_bridge)
            .with(metrics_layer)
            .with(fmt_layer),
    )
}
