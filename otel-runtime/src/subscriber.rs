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

/// The target of the spans the ecosystem's OpenTelemetry middleware makes (axum-tracing-opentelemetry,
/// tonic-tracing-opentelemetry, init-tracing-opentelemetry's layers): at TRACE level unless their
/// `tracing_level_info` feature is on.
const MIDDLEWARE_TARGET: &str = "otel::tracing";

/// `filter` with the middleware's spans let through (`otel::tracing=trace`), unless it names their target itself:
/// a server span that continues the caller's trace must not vanish under the default `info`.
fn with_middleware_spans(filter: &str) -> String {
    if filter.contains(MIDDLEWARE_TARGET) {
        return filter.to_string();
    }
    let filter = filter.trim().trim_end_matches(',');
    if filter.is_empty() {
        format!("{MIDDLEWARE_TARGET}=trace")
    } else {
        format!("{filter},{MIDDLEWARE_TARGET}=trace")
    }
}

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
    let filter = EnvFilter::try_new(with_middleware_spans(&config.fmt.filter)).unwrap_or_else(|e| {
        eprintln!("otel: ignoring fmt.filter {:?}: {e}; using \"info\"", config.fmt.filter);
        EnvFilter::new(with_middleware_spans("info"))
    });
    // Events become span events unless the log records are to carry them alone (`logs.span_events = false`): then
    // the layer gets spans only, through a per-layer filter. Not otherwise: a per-layer filter in the stack costs
    // every span the registry's filter bookkeeping (the metrics layer, when metrics are exported, brings its own).
    let span_events = config.logs.span_events || logs.is_none();
    let otel_all = (!config.disabled && span_events).then(|| otel_layer(config, provider));
    let otel_spans_only = (!config.disabled && !span_events)
        .then(|| otel_layer(config, provider).with_filter(filter_fn(|metadata| !metadata.is_event())));
    let log_bridge = logs.map(|provider| {
        crate::logs::LoopGuarded(opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge::new(provider))
    });
    let metrics_layer = metrics.map(|provider| tracing_opentelemetry::MetricsLayer::new(provider.clone()));
    let fmt_layer = crate::fmt_ids::fmt_layer(config.fmt.format, config.fmt.trace_ids);
    tracing::Dispatch::new(
        tracing_subscriber::registry()
            .with(filter)
            .with(otel_all)
            .with(otel_spans_only)
            .with(log_bridge)
            .with(metrics_layer)
            .with(fmt_layer),
    )
}

/// tracing-opentelemetry's layer over `provider`'s tracer, with `u64` and `usize` fields as integers rather than
/// the strings it makes of them.
fn otel_layer<S>(
    config: &Config,
    provider: &SdkTracerProvider,
) -> U64Fields<tracing_opentelemetry::OpenTelemetryLayer<S, opentelemetry_sdk::trace::SdkTracer>>
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    U64Fields::new(
        tracing_opentelemetry::layer()
            .with_location(config.tracing.location)
            .with_threads(config.tracing.threads)
            .with_tracked_inactivity(config.tracing.timings)
            .with_tracer(provider.tracer("otel")),
    )
}

#[cfg(test)]
mod tests {
    use crate::export::{Delivery, Retries};
    use crate::logs::LogItem;
    use crate::pipeline::{build, Injected};
    use crate::sink::{Export, ItemBatch, OtlpItem, Sink};
    use crate::sync::LockUnpoisoned;
    use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
    use std::sync::{Arc, Mutex};

    /// Keeps every log request it is given, and delivers it.
    #[derive(Debug, Default)]
    struct CapturingLogSink(Mutex<Vec<ExportLogsServiceRequest>>);

    impl Sink<Box<LogItem>> for CapturingLogSink {
        fn export<'a>(&'a self, batch: ItemBatch<Box<LogItem>>, retries: Retries<'a>) -> Export<'a> {
            drop(retries);
            self.0.lock_unpoisoned().push(<Box<LogItem> as OtlpItem>::into_request(batch));
            Box::pin(std::future::ready(Delivery::Delivered))
        }
    }

    /// The scopes and bodies of the records `sink` got.
    fn records(sink: &CapturingLogSink) -> Vec<(String, String)> {
        use opentelemetry_proto::tonic::common::v1::any_value::Value;
        let requests = sink.0.lock_unpoisoned();
        let mut out = Vec::new();
        for resource in requests.iter().flat_map(|r| &r.resource_logs) {
            for scope in &resource.scope_logs {
                let scope_name = scope.scope.as_ref().map(|s| s.name.clone()).unwrap_or_default();
                for record in &scope.log_records {
                    let body = match record.body.as_ref().and_then(|b| b.value.as_ref()) {
                        Some(Value::StringValue(s)) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    out.push((scope_name.clone(), body));
                }
            }
        }
        out
    }

    /// The feedback loop the SDKs know: the exporter's libraries log, their records are exported, which logs again.
    /// Their events never become records, even on an application thread; the application's own do. (Checked to
    /// fail with the filter removed.)
    #[test]
    fn the_export_libraries_events_never_become_log_records_and_the_apps_do() {
        let sink = Arc::new(CapturingLogSink::default());
        let mut config = otel_config::Config::default();
        config.fmt.format = otel_config::FmtFormat::Off;
        config.fmt.filter = "trace".into();
        config.exporter.protocol = otel_config::Protocol::Console;
        config.metrics.enabled = false;
        config.traces.enabled = false;
        let injected = Injected { spans: None, logs: Some(sink.clone()) };
        let pipeline = build(&config, None, injected).expect("pipeline");
        let dispatch = super::dispatch(&config, &pipeline);
        tracing::dispatcher::with_default(&dispatch, || {
            tracing::info_span!("request").in_scope(|| {
                tracing::info!(target: "hyper::proto::h1", "a library of the export");
                tracing::warn!(target: "h2::codec", "another one");
                tracing::debug!(target: "tonic::transport", "and another");
                tracing::info!(target: "opentelemetry_sdk", "the SDK itself");
                tracing::info!(target: "my_app::orders", "order placed");
            });
        });
        let (_, batcher) = pipeline.logs.as_ref().expect("logs exported");
        let totals = batcher.shutdown(std::time::Duration::from_secs(5));
        assert_eq!(records(&sink), vec![("my_app::orders".to_string(), "order placed".to_string())]);
        assert_eq!((totals.ended, totals.exported), (1, 1), "{totals:?}");
    }
}

#[cfg(test)]
mod filter_tests {
    use super::with_middleware_spans;

    #[test]
    fn the_middlewares_spans_pass_the_default_filter_unless_the_filter_names_them() {
        assert_eq!(with_middleware_spans("info"), "info,otel::tracing=trace");
        assert_eq!(with_middleware_spans("warn,my_app=debug,"), "warn,my_app=debug,otel::tracing=trace");
        assert_eq!(with_middleware_spans(""), "otel::tracing=trace");
        assert_eq!(with_middleware_spans("info,otel::tracing=off"), "info,otel::tracing=off");
    }
}
