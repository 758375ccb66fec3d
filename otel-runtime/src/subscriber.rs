//! The `tracing` layers: tracing-opentelemetry, fmt (per `fmt.format`) and an EnvFilter (`RUST_LOG` wins).

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use otel_config::{Config, FmtFormat};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Installs the global subscriber. Returns a warning when another one was installed first.
pub(crate) fn install(config: &Config, provider: &SdkTracerProvider) -> Result<(), String> {
    dispatch(config, provider).try_init().map_err(|e| {
        format!("otel: a global tracing subscriber was already installed; spans will not be exported ({e})")
    })
}

/// The subscriber [`install`] installs: the filter, the OpenTelemetry layer, the fmt layer.
pub(crate) fn dispatch(config: &Config, provider: &SdkTracerProvider) -> tracing::Dispatch {
    let filter = EnvFilter::try_new(&config.fmt.filter).unwrap_or_else(|e| {
        eprintln!("otel: ignoring fmt.filter {:?}: {e}; using \"info\"", config.fmt.filter);
        EnvFilter::new("info")
    });
    let otel_layer = (!config.disabled).then(|| {
        tracing_opentelemetry::layer()
            .with_location(config.tracing.location)
            .with_threads(config.tracing.threads)
            .with_tracked_inactivity(config.tracing.timings)
            .with_tracer(provider.tracer("otel"))
    });
    let fmt_layer = match config.fmt.format {
        FmtFormat::Off => None,
        FmtFormat::Compact => Some(tracing_subscriber::fmt::layer().compact().boxed()),
        FmtFormat::Pretty => Some(tracing_subscriber::fmt::layer().pretty().boxed()),
        FmtFormat::Json => Some(tracing_subscriber::fmt::layer().json().boxed()),
    };
    tracing::Dispatch::new(tracing_subscriber::registry().with(filter).with(otel_layer).with(fmt_layer))
}
