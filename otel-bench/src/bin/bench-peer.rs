//! The hand-written pipeline: the seed's recipe on today's crates (opentelemetry 0.33, tracing-opentelemetry 0.34,
//! opentelemetry-otlp 0.33). `tracing_subscriber::registry()` + the tracing-opentelemetry layer (its defaults) +
//! `EnvFilter::from_default_env()` (as the seed; the runner sets `RUST_LOG=info` for both programs, which is
//! otel's default filter) + an OTLP/gRPC (tonic) exporter, or OTLP/HTTP with `--protocol http/protobuf` +
//! the SDK's `BatchSpanProcessor` with its default settings; no fmt layer. It prints its JSON line when the workload is over, then calls `provider.shutdown()`
//! and prints what that returns on stderr (`bench-peer: provider.shutdown() returned …`).
//!
//! Without the filter, the exporter's own libraries (h2, hyper, tonic, tower) emit debug/trace spans on the
//! app's runtime that go through the same layer and are exported too: about as many as the workload's, which
//! would double the peer's load. The seed's recipe has the filter, so the peer keeps it.
//!
//! With `--logs on`, the hand-written logs recipe of opentelemetry-appender-tracing 0.33 beside it (issue #10), as
//! opentelemetry-otlp's own example sets it up for production: an `SdkLoggerProvider` with the SDK's
//! `BatchLogProcessor` (default settings: a 2,048-record queue, batches of 512, 1 s delay) over opentelemetry-otlp's
//! `LogExporter` (same protocol and endpoint as the spans), and `OpenTelemetryTracingBridge` as a layer with the
//! example's filter that keeps the exporter's own libraries (hyper, tonic, h2, reqwest) out of the logs. Every event
//! then becomes a log record and, through the tracing-opentelemetry layer, a span event. With `--metrics on`, an
//! `SdkMeterProvider` with a periodic reader (default interval, 60 s) over opentelemetry-otlp's `MetricExporter`,
//! installed globally. Each provider's `shutdown()` result is printed on stderr the same way.
//!
//! Usage: `bench-peer --mode burst|cost|rate|first-exit|first-live --endpoint http://127.0.0.1:4317 [--protocol
//! grpc|http/protobuf] [...]` (see
//! `otel_bench::Settings`). Prints one JSON line on stdout.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use otel_bench::{ms, print_result, Settings};
use std::time::Instant;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;

#[tokio::main]
async fn main() {
    let settings = Settings::from_args();

    // Not part of the recipe: bench-ito, in this same crate, turns on reqwest's `rustls-no-provider`, and then every
    // reqwest client wants a process-wide crypto provider, even for plain http (it panics without one).
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The exporter is built while the Tokio runtime is current (tonic needs its reactor). Over HTTP it is
    // opentelemetry-otlp's default client (blocking reqwest, which runs on the processor's own thread).
    let http = settings.protocol == "http/protobuf";
    let exporter = if http {
        opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .with_endpoint(format!("{}/v1/traces", settings.endpoint.trim_end_matches('/')))
            .build()
    } else {
        opentelemetry_otlp::SpanExporter::builder().with_tonic().with_endpoint(settings.endpoint.clone()).build()
    }
    .expect("bench-peer: cannot build the OTLP exporter");
    let resource = Resource::builder().with_service_name("bench-peer").build();
    let provider = SdkTracerProvider::builder().with_resource(resource.clone()).with_batch_exporter(exporter).build();
    opentelemetry::global::set_tracer_provider(provider.clone());
    let logger_provider = settings.logs.then(|| {
        let exporter = if http {
            opentelemetry_otlp::LogExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_endpoint(format!("{}/v1/logs", settings.endpoint.trim_end_matches('/')))
                .build()
        } else {
            opentelemetry_otlp::LogExporter::builder().with_tonic().with_endpoint(settings.endpoint.clone()).build()
        }
        .expect("bench-peer: cannot build the OTLP log exporter");
        SdkLoggerProvider::builder().with_resource(resource.clone()).with_batch_exporter(exporter).build()
    });
    let meter_provider = settings.metrics.then(|| {
        let exporter = if http {
            opentelemetry_otlp::MetricExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_endpoint(format!("{}/v1/metrics", settings.endpoint.trim_end_matches('/')))
                .build()
        } else {
            opentelemetry_otlp::MetricExporter::builder().with_tonic().with_endpoint(settings.endpoint.clone()).build()
        }
        .expect("bench-peer: cannot build the OTLP metric exporter");
        let meter_provider =
            SdkMeterProvider::builder().with_resource(resource.clone()).with_periodic_exporter(exporter).build();
        opentelemetry::global::set_meter_provider(meter_provider.clone());
        meter_provider
    });
    // The filter of opentelemetry-otlp's example: the exporter's own libraries never become log records (the
    // feedback loop the SDK documents).
    let bridge = logger_provider.as_ref().map(|logger_provider| {
        let filter = EnvFilter::new("info")
            .add_directive("hyper=off".parse().unwrap())
            .add_directive("tonic=off".parse().unwrap())
            .add_directive("h2=off".parse().unwrap())
            .add_directive("reqwest=off".parse().unwrap());
        OpenTelemetryTracingBridge::new(logger_provider).with_filter(filter)
    });
    tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench-peer")))
        .with(bridge)
        .with(EnvFilter::from_default_env())
        .init();

    let fields = otel_bench::run(&settings).await;
    print_result("peer", fields);

    let start = Instant::now();
    let result = provider.shutdown();
    eprintln!("bench-peer: provider.shutdown() returned {result:?} after {:.1} ms", ms(start.elapsed()));
    if let Some(logger_provider) = logger_provider {
        let start = Instant::now();
        let result = logger_provider.shutdown();
        eprintln!("bench-peer: logger_provider.shutdown() returned {result:?} after {:.1} ms", ms(start.elapsed()));
    }
    if let Some(meter_provider) = meter_provider {
        let start = Instant::now();
        let result = meter_provider.shutdown();
        eprintln!("bench-peer: meter_provider.shutdown() returned {result:?} after {:.1} ms", ms(start.elapsed()));
    }
}
