//! Micro-benchmarks of the per-span cost on the application's thread (divan).
//!
//! One iteration is one request of the shared workload (`otel_bench::workload::handle_request_sync`): a parent
//! span, two child spans, one event; the throughput counter counts 3 spans per iteration, so divan's
//! `item/s` column is spans per second and `time ÷ 3` the per-span cost.
//!
//! - `baseline`: the tracing registry (+ the same `info` EnvFilter both sides use) without any OpenTelemetry
//!   layer: the floor that no pipeline can go under.
//! - `hand_written`: the hand-written pipeline (tracing-opentelemetry layer + the SDK's `BatchSpanProcessor` with default
//!   settings) in front of an exporter that succeeds at once (`noop`) or fails at once (`failing`): the app-thread
//!   cost, with the export side reduced to nothing.
//! - `layer_options`: the same with tracing-opentelemetry's per-span extras turned off one by one (code location,
//!   thread name/id, busy/idle timing), which is what choosing their defaults is about.
//! - `floor`: tracing-opentelemetry's layer with otel's options and the SDK's tracer, ended spans dropped by the
//!   processor on the spot: the app-thread cost of the foundation otel keeps, before any processor of ours.
//! - `oxtel_floor`: oxtel 0.3's layer and its own span record, dropped on the spot: the same floor for the peer
//!   that does not build on tracing-opentelemetry and the SDK.
//! - `otel`: otel's own subscriber and processor, built as `#[otel::main]` builds them, around a sink that drops
//!   every batch at once (`discarding_sink`, like-for-like with `hand_written::noop_exporter`; and the same with
//!   thread attributes and busy/idle timing on, as in the hand-written benches); and the whole pipeline installed
//!   globally by `otel::start` (exporting over gRPC to a port nothing listens on, fmt off), exactly as
//!   `#[otel::main]` installs it. That one runs last (divan sorts by name): once started, its export threads keep
//!   running in the background of the process.
//!
//! Run: `cargo bench -p otel-bench --bench hot_path` (CI only builds it: `cargo build --workspace --all-targets`).
//!
//! Why divan and not criterion: divan adds 6 small crates (clap's builder among them) against criterion's ~30
//! (plotters, rayon, ciborium, ...), compiles in a few seconds, and adds no second major version of anything
//! already in the workspace (`cargo tree -d`); a per-iteration time with a throughput counter is all these
//! benchmarks need.
//!
//! Caveat: the `hand_written` and `layer_options` benches install their subscriber as the thread's default (`with_default`) while `otel`'s is
//! the global one, all in one process. With several dispatchers alive, tracing's per-callsite interest cache says
//! "sometimes" and every span asks the filter `enabled()`: a small, equal cost on every bench here, which a
//! single-pipeline program (bench-peer, bench-otel) does not pay.

use divan::counter::ItemsCount;
use divan::Bencher;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use otel_bench::workload::handle_request_sync;
use otel_bench::SPANS_PER_REQUEST;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::EnvFilter;

fn main() {
    // otel's side reads its configuration from the environment, like `#[otel::main]`: set before anything starts.
    // SAFETY (edition 2021: safe fn): no other thread runs yet.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("OTEL_") {
            std::env::remove_var(name);
        }
    }
    std::env::set_var("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
    std::env::set_var("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://127.0.0.1:{}", otel_testkit::unused_port()));
    std::env::set_var("OTEL_TOML_FMT_FORMAT", "off");
    std::env::set_var("OTEL_TOML_SHUTDOWN_SUMMARY", "never");
    std::env::set_var("RUST_LOG", "info");
    // Divan's automatic sample size settles on 1 iteration for a few-µs body; 500 per sample (1,500 spans)
    // averages the batch processor's wake-ups in. `--sample-size`/`--sample-count` on the command line win.
    divan::Divan::default().sample_count(100).sample_size(500).config_with_args().main();
}

/// An exporter that succeeds (or fails) at once.
#[derive(Debug)]
struct InstantExporter {
    fail: bool,
}

impl SpanExporter for InstantExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        std::hint::black_box(batch);
        if self.fail {
            Err(OTelSdkError::InternalFailure("refused".into()))
        } else {
            Ok(())
        }
    }
}

/// tracing-opentelemetry's per-span extras (all `true` by default).
#[derive(Clone, Copy)]
struct LayerOptions {
    location: bool,
    threads: bool,
    inactivity: bool,
}

const DEFAULTS: LayerOptions = LayerOptions { location: true, threads: true, inactivity: true };

/// The hand-written pipeline as a dispatcher, with its provider (kept alive for the bench, shut down after).
fn peer(fail: bool, options: LayerOptions) -> (Dispatch, SdkTracerProvider) {
    peer_with(fail, options, false)
}

/// [`peer`], with tracing-opentelemetry's layer inside otel's `U64Fields` wrapper when `u64_as_i64`.
fn peer_with(fail: bool, options: LayerOptions, u64_as_i64: bool) -> (Dispatch, SdkTracerProvider) {
    let provider = SdkTracerProvider::builder()
        .with_resource(Resource::builder().with_service_name("hot-path").build())
        .with_batch_exporter(InstantExporter { fail })
        .build();
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("hot-path"))
        .with_location(options.location)
        .with_threads(options.threads)
        .with_tracked_inactivity(options.inactivity);
    let dispatch = if u64_as_i64 {
        let layer = ::otel::__private::U64Fields::new(layer);
        Dispatch::new(tracing_subscriber::registry().with(layer).with(EnvFilter::new("info")))
    } else {
        Dispatch::new(tracing_subscriber::registry().with(layer).with(EnvFilter::new("info")))
    };
    (dispatch, provider)
}

/// Runs one request per iteration under `dispatch`.
fn bench_requests(bencher: Bencher, dispatch: &Dispatch) {
    static ID: AtomicU64 = AtomicU64::new(0);
    tracing::dispatcher::with_default(dispatch, || {
        bencher
            .counter(ItemsCount::new(SPANS_PER_REQUEST))
            .bench_local(|| handle_request_sync(ID.fetch_add(1, Ordering::Relaxed)));
    });
}

fn bench_peer(bencher: Bencher, fail: bool, options: LayerOptions) {
    let (dispatch, provider) = peer(fail, options);
    bench_requests(bencher, &dispatch);
    drop(dispatch);
    let _ = provider.shutdown();
}

mod baseline {
    use super::*;

    /// The registry and the filter alone.
    #[divan::bench]
    fn registry_only(bencher: Bencher) {
        let dispatch = Dispatch::new(tracing_subscriber::registry().with(EnvFilter::new("info")));
        bench_requests(bencher, &dispatch);
    }
}

mod hand_written {
    use super::*;

    /// The seed's recipe; the exporter succeeds at once.
    #[divan::bench]
    fn noop_exporter(bencher: Bencher) {
        bench_peer(bencher, false, DEFAULTS);
    }

    /// The seed's recipe; every export fails at once (the collector-down case without the network).
    #[divan::bench]
    fn failing_exporter(bencher: Bencher) {
        bench_peer(bencher, true, DEFAULTS);
    }
}

mod layer_options {
    use super::*;

    #[divan::bench]
    fn no_location(bencher: Bencher) {
        bench_peer(bencher, false, LayerOptions { location: false, ..DEFAULTS });
    }

    #[divan::bench]
    fn no_threads(bencher: Bencher) {
        bench_peer(bencher, false, LayerOptions { threads: false, ..DEFAULTS });
    }

    #[divan::bench]
    fn no_busy_idle_timing(bencher: Bencher) {
        bench_peer(bencher, false, LayerOptions { inactivity: false, ..DEFAULTS });
    }

    #[divan::bench]
    fn all_off(bencher: Bencher) {
        bench_peer(bencher, false, LayerOptions { location: false, threads: false, inactivity: false });
    }
}

/// The cost of `U64Fields` (`u64` fields as integers): the hand-written pipeline (`hand_written::noop_exporter`)
/// with and without the wrapper, on the shared workload, whose three spans and event each carry a `u64` field (the
/// conversion path), and on the same shape with `i64` fields (the scan alone).
mod u64_fields {
    use super::*;

    fn bench(bencher: Bencher, u64_as_i64: bool, request: fn(u64) -> u64) {
        let (dispatch, provider) = peer_with(false, DEFAULTS, u64_as_i64);
        static ID: AtomicU64 = AtomicU64::new(0);
        tracing::dispatcher::with_default(&dispatch, || {
            bencher
                .counter(ItemsCount::new(SPANS_PER_REQUEST))
                .bench_local(|| request(ID.fetch_add(1, Ordering::Relaxed)));
        });
        drop(dispatch);
        let _ = provider.shutdown();
    }

    /// The shared workload with `i64` fields instead of `u64`.
    #[tracing::instrument]
    fn handle_request_i64(id: i64) -> i64 {
        let user = load_user_i64(id);
        render_page_i64(user)
    }

    #[tracing::instrument]
    fn load_user_i64(id: i64) -> i64 {
        std::hint::black_box(id.wrapping_mul(0x1E37_79B9_7F4A_7C15))
    }

    #[tracing::instrument]
    fn render_page_i64(user: i64) -> i64 {
        tracing::info!(user, "page rendered");
        std::hint::black_box(user ^ 0x5555)
    }

    fn request_i64(id: u64) -> u64 {
        handle_request_i64(id as i64) as u64
    }

    #[divan::bench]
    fn u64_fields_layer_alone(bencher: Bencher) {
        bench(bencher, false, handle_request_sync);
    }

    #[divan::bench]
    fn u64_fields_wrapped(bencher: Bencher) {
        bench(bencher, true, handle_request_sync);
    }

    #[divan::bench]
    fn i64_fields_layer_alone(bencher: Bencher) {
        bench(bencher, false, request_i64);
    }

    #[divan::bench]
    fn i64_fields_wrapped(bencher: Bencher) {
        bench(bencher, true, request_i64);
    }
}

/// The floor of any pipeline built on tracing-opentelemetry and the SDK, the foundation otel must keep: the layer
/// with otel's defaults (code location on, thread attributes and busy/idle timing off) and the SDK's tracer, whose
/// ended spans go to a processor that drops them on the spot. No queue, no batching, no export: what remains is
/// the layer's `OtelData`, the SDK span and its `SpanData`. Compare with `otel::discarding_sink` (what otel's own
/// processor adds) and with oxtel's app-thread CPU per span in the peers run (BENCHMARKS.md).
mod floor {
    use super::*;
    use opentelemetry_sdk::trace::{Span, SpanProcessor};

    /// Drops every ended span (the `SpanData` is built by the SDK before `on_end` is called).
    #[derive(Debug)]
    struct DropProcessor;

    impl SpanProcessor for DropProcessor {
        fn on_start(&self, _span: &mut Span, _cx: &opentelemetry::Context) {}
        fn on_end(&self, span: SpanData) {
            std::hint::black_box(span);
        }
        fn force_flush(&self) -> OTelSdkResult {
            Ok(())
        }
        fn shutdown_with_timeout(&self, _timeout: std::time::Duration) -> OTelSdkResult {
            Ok(())
        }
    }

    fn bench(bencher: Bencher, location: bool) {
        let provider = SdkTracerProvider::builder()
            .with_resource(Resource::builder().with_service_name("hot-path").build())
            .with_span_processor(DropProcessor)
            .build();
        let layer = tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("hot-path"))
            .with_location(location)
            .with_threads(false)
            .with_tracked_inactivity(false);
        let dispatch = Dispatch::new(tracing_subscriber::registry().with(layer).with(EnvFilter::new("info")));
        bench_requests(bencher, &dispatch);
        drop(dispatch);
        let _ = provider.shutdown();
    }

    /// otel's layer options (code location on).
    #[divan::bench]
    fn layer_and_sdk_span_dropped(bencher: Bencher) {
        bench(bencher, true);
    }

    /// The same without code location.
    #[divan::bench]
    fn layer_and_sdk_span_dropped_no_location(bencher: Bencher) {
        bench(bencher, false);
    }
}

/// oxtel 0.3's own SDK (the peer that writes its own span record instead of tracing-opentelemetry's and the SDK's),
/// its tracing layer and tracer provider with ended spans dropped on the spot, like `floor`: the like-for-like
/// comparison of the two foundations on the application's thread.
mod oxtel_floor {
    use super::*;
    use oxtel::sdk::trace::{ExportError, SpanData as OxtelSpanData, SpanProcessor, TracerProvider};

    struct DropProcessor;

    impl SpanProcessor for DropProcessor {
        fn on_end(&self, span: OxtelSpanData) {
            std::hint::black_box(span);
        }
        fn force_flush(&self) -> Result<(), ExportError> {
            Ok(())
        }
        fn shutdown(&self) -> Result<(), ExportError> {
            Ok(())
        }
    }

    /// oxtel's layer with its defaults.
    #[divan::bench]
    fn layer_and_span_dropped(bencher: Bencher) {
        let provider = TracerProvider::builder().with_processor(DropProcessor).build();
        let dispatch =
            Dispatch::new(tracing_subscriber::registry().with(provider.layer()).with(EnvFilter::new("info")));
        bench_requests(bencher, &dispatch);
        drop(dispatch);
        let _ = provider.shutdown();
    }
}

mod otel {
    use super::*;

    /// otel's subscriber and processor as `#[otel::main]` builds them (defaults, fmt off: traces, and every event
    /// also a log record and the metrics layer), around a sink that drops every batch at once, unconverted.
    #[divan::bench]
    fn discarding_sink(bencher: Bencher) {
        bench_otel(bencher, false);
    }

    /// The same with tracing-opentelemetry's defaults for thread attributes and busy/idle timing (on, as in the
    /// hand-written benches): what otel's processor alone changes.
    #[divan::bench]
    fn discarding_sink_with_threads_and_timings(bencher: Bencher) {
        bench_otel(bencher, true);
    }

    /// [`discarding_sink`] with traces only (logs and metrics off, as in the peers runs): like-for-like with
    /// `floor::layer_and_sdk_span_dropped`, the difference being otel's processor, its `u64` wrapper and its
    /// subscriber's assembly.
    #[divan::bench]
    fn discarding_sink_traces_only(bencher: Bencher) {
        bench_otel_with(bencher, false, false);
    }

    fn bench_otel(bencher: Bencher, threads_and_timings: bool) {
        bench_otel_with(bencher, threads_and_timings, true);
    }

    fn bench_otel_with(bencher: Bencher, threads_and_timings: bool, logs_and_metrics: bool) {
        let mut config = ::otel::config::Config::default();
        config.fmt.format = ::otel::config::FmtFormat::Off;
        config.tracing.threads = threads_and_timings;
        config.tracing.timings = threads_and_timings;
        config.logs.enabled = logs_and_metrics;
        config.metrics.enabled = logs_and_metrics;
        let (dispatch, pipeline) = ::otel::__private::bench_dispatch(&config).expect("otel's pipeline");
        bench_requests(bencher, &dispatch);
        drop(dispatch);
        drop(pipeline);
    }

    /// otel's pipeline as `#[otel::main]` installs it (global subscriber, exporter to a refused port). Runs last
    /// (divan sorts by name): it installs the global subscriber.
    #[divan::bench]
    fn global_pipeline(bencher: Bencher) {
        static STARTED: OnceLock<()> = OnceLock::new();
        STARTED.get_or_init(|| {
            let options = ::otel::StartOptions::new().service_name("otel-bench-hot-path").signals(false);
            match ::otel::start(options) {
                // Never shut down: the pipeline lives as long as the bench process.
                Ok(guard) => std::mem::forget(guard),
                Err(e) => panic!("otel::start failed: {e}"),
            }
        });
        static ID: AtomicU64 = AtomicU64::new(0);
        bencher
            .counter(ItemsCount::new(SPANS_PER_REQUEST))
            .bench_local(|| handle_request_sync(ID.fetch_add(1, Ordering::Relaxed)));
    }
}
