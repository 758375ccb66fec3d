//! Metrics: a meter provider whose periodic reader (the SDK's: it collects every `metrics.interval` and once more
//! at shutdown) hands each collection to our exporter, which sends it through our transport and retry loop and
//! counts its data points in the metrics' ledger (collected = exported + failed + dropped). Plus otel's own
//! pipeline counters as observable instruments (`metrics.self_observability`).

use crate::accounting::Ledger;
use crate::console::Printable;
use crate::export::{Closing, Delivery, Limits, Retries};
use crate::failures::FailureHub;
use crate::health::ErrorKind;
use crate::transport::{AttemptOutcome, SendError, Transport};
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::KeyValue;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{SdkMeterProvider, Temporality};
use std::sync::Arc;
use std::time::Duration;

/// Where collections go.
#[derive(Debug)]
pub(crate) enum MetricsTarget {
    /// An OTLP collector.
    Otlp(Transport),
    /// Standard output.
    Console,
    /// The exporter could not be built (`exporter.on_invalid = "warn"`): every export fails with this reason.
    Unavailable(String),
}

/// What the exporter and the shutdown share.
#[derive(Debug)]
pub(crate) struct MetricsExport {
    pub(crate) hub: Arc<FailureHub>,
    target: MetricsTarget,
    /// `metrics.timeout`: one export's limit (zero: none).
    export_timeout: Duration,
    /// The exporter's per-attempt timeout.
    attempt_timeout: Duration,
    /// The shutdown deadline, once shutdown begins; exports watch it.
    pub(crate) closing: tokio::sync::watch::Sender<Option<Closing>>,
    runtime: tokio::runtime::Handle,
}

impl MetricsExport {
    pub(crate) fn new(
        hub: Arc<FailureHub>,
        target: MetricsTarget,
        export_timeout: Duration,
        attempt_timeout: Duration,
        runtime: tokio::runtime::Handle,
    ) -> Arc<MetricsExport> {
        Arc::new(MetricsExport {
            hub,
            target,
            export_timeout,
            attempt_timeout,
            closing: tokio::sync::watch::Sender::new(None),
            runtime,
        })
    }

    fn ledger(&self) -> &Ledger {
        &self.hub.ledger
    }

    /// Sends one collection of `points` data points (on the export runtime) and counts them; the outcome as the
    /// periodic reader takes it.
    async fn send(self: Arc<Self>, request: ExportMetricsServiceRequest, points: u64) -> OTelSdkResult {
        let limits = Limits {
            attempt_timeout: self.attempt_timeout,
            deadline: if self.export_timeout.is_zero() {
                None
            } else {
                crate::export::deadline_in(self.export_timeout)
            },
        };
        let Some(id) = self.ledger().collected(points) else {
            // After the shutdown's freeze: counted dropped, nothing sent.
            return Err(OTelSdkError::AlreadyShutdown);
        };
        let retries = Retries::new(&self.hub, limits, self.closing.subscribe(), id.number());
        let delivery = match &self.target {
            MetricsTarget::Otlp(transport) => {
                let request = &request;
                retries.run(|timeout| transport.send(request, timeout)).await
            }
            MetricsTarget::Console => {
                retries
                    .run(|_timeout| {
                        request.print();
                        std::future::ready(AttemptOutcome::Accepted)
                    })
                    .await
            }
            MetricsTarget::Unavailable(reason) => {
                retries
                    .run(|_timeout| {
                        let error = SendError::new(ErrorKind::InvalidConfig, reason.clone(), false);
                        std::future::ready(AttemptOutcome::Failed(error))
                    })
                    .await
            }
        };
        let result = match &delivery {
            Delivery::Delivered => Ok(()),
            Delivery::Partial { message, .. } => Err(OTelSdkError::InternalFailure(message.clone())),
            Delivery::Failed(error) => Err(OTelSdkError::InternalFailure(error.message.clone())),
        };
        self.ledger().settled(id, delivery, &self.hub);
        result
    }
}

/// The number of data points in a request (what the metrics' ledger counts).
pub(crate) fn data_points(request: &ExportMetricsServiceRequest) -> u64 {
    use opentelemetry_proto::tonic::metrics::v1::metric::Data;
    let mut points = 0usize;
    for resource in &request.resource_metrics {
        for scope in &resource.scope_metrics {
            for metric in &scope.metrics {
                points += match &metric.data {
                    Some(Data::Sum(sum)) => sum.data_points.len(),
                    Some(Data::Gauge(gauge)) => gauge.data_points.len(),
                    Some(Data::Histogram(histogram)) => histogram.data_points.len(),
                    Some(Data::ExponentialHistogram(histogram)) => histogram.data_points.len(),
                    Some(Data::Summary(summary)) => summary.data_points.len(),
                    None => 0,
                };
            }
        }
    }
    points as u64
}

/// The exporter the periodic reader calls (on its own thread, through a blocking executor): each export runs on
/// our export runtime, and the reader's thread waits for its outcome.
#[derive(Debug)]
pub(crate) struct OtelMetricExporter {
    pub(crate) export: Arc<MetricsExport>,
    pub(crate) temporality: Temporality,
}

impl PushMetricExporter for OtelMetricExporter {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let request = ExportMetricsServiceRequest::from(metrics);
        let points = data_points(&request);
        if points == 0 {
            return Ok(());
        }
        let (sent, outcome) = tokio::sync::oneshot::channel();
        let export = self.export.clone();
        self.export.runtime.spawn(async move {
            let _ = sent.send(export.send(request, points).await);
        });
        // Err: the export runtime is gone (after the shutdown): the ledger's freeze counted it.
        outcome.await.unwrap_or(Err(OTelSdkError::AlreadyShutdown))
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        self.temporality
    }
}

/// The SDK's temporality for `metrics.temporality`.
pub(crate) fn temporality(preference: otel_config::Temporality) -> Temporality {
    match preference {
        otel_config::Temporality::Cumulative => Temporality::Cumulative,
        otel_config::Temporality::Delta => Temporality::Delta,
        otel_config::Temporality::LowMemory => Temporality::LowMemory,
        // The spec's default preset.
        _ => Temporality::Cumulative,
    }
}

/// otel's own counters as observable instruments, under the semantic conventions' names: per signal exported
/// (spans, log records), what entered the pipeline, what the exporter delivered or lost (`error.type`), what the
/// processor let go (`error.type`). Read from the ledgers at each collection: nothing on the application's path.
pub(crate) fn observe_pipeline(provider: &SdkMeterProvider, signals: &[Arc<FailureHub>]) {
    let meter = provider.meter("otel");
    for hub in signals {
        let (item, created) = match hub.signal {
            otel_config::Signal::Traces => ("span", "otel.sdk.span.ended"),
            otel_config::Signal::Logs => ("log", "otel.sdk.log.created"),
            otel_config::Signal::Metrics => continue,
            // otel builds no pipeline for any other signal.
            _ => continue,
        };
        let ledger = hub.ledger.clone();
        meter
            .u64_observable_counter(created)
            .with_description("Items that entered otel's pipeline")
            .with_callback(move |observer| observer.observe(ledger.totals().ended, &[]))
            .build();
        let ledger = hub.ledger.clone();
        meter
            .u64_observable_counter(format!("otel.sdk.exporter.{item}.exported"))
            .with_description("Items the exporter delivered, or lost (with error.type)")
            .with_callback(move |observer| {
                let totals = ledger.totals();
                observer.observe(totals.exported, &[]);
                observer.observe(totals.failed, &[KeyValue::new("error.type", "export_failed")]);
            })
            .build();
        let ledger = hub.ledger.clone();
        meter
            .u64_observable_counter(format!("otel.sdk.processor.{item}.processed"))
            .with_description("Items the batch processor handed to the exporter, or let go (with error.type)")
            .with_callback(move |observer| {
                let totals = ledger.totals();
                observer.observe(totals.exported + totals.failed, &[]);
                observer.observe(totals.dropped, &[KeyValue::new("error.type", "dropped")]);
            })
            .build();
    }
}

/// The metrics' part of the shutdown: the final collection and export, within `limit` from `started`, then the
/// ledger's freeze. The reader's own shutdown waits for its export (and up to 5 s more if its thread is stuck): it
/// runs on a thread of its own, and we wait for it only until the deadline.
pub(crate) fn shut_down(
    provider: &SdkMeterProvider,
    export: &Arc<MetricsExport>,
    limit: Duration,
    started: std::time::Instant,
) -> crate::health::Totals {
    let deadline = started.checked_add(limit);
    let closing_deadline = tokio::time::Instant::now()
        .checked_add(limit.saturating_sub(started.elapsed()))
        .unwrap_or_else(tokio::time::Instant::now);
    export
        .closing
        .send_replace(Some(Closing { deadline: closing_deadline, collector_failing: export.hub.health.is_failing() }));
    let (done, finished) = std::sync::mpsc::channel();
    let provider = provider.clone();
    let spawned = std::thread::Builder::new().name("otel-metrics-shutdown".into()).spawn(move || {
        let _ = provider.shutdown_with_timeout(limit);
        let _ = done.send(());
    });
    if spawned.is_ok() {
        let wait = deadline.map(|deadline| deadline.saturating_duration_since(std::time::Instant::now()));
        let _ = match wait {
            Some(wait) => finished.recv_timeout(wait).ok(),
            None => finished.recv().ok(),
        };
    }
    export.hub.ledger.freeze(&export.hub)
}
