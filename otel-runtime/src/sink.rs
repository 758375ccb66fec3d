//! Where batches go: the seam between the batch processor and whatever receives its spans.
//!
//! A sink gets each batch as the processor cut it ([`ItemBatch`]: the spans or log records, and the resource) and
//! owns the rest: a sink that sends converts the batch once, as it needs (the OTLP sink to the protobuf bytes of an
//! `Export…Request`, or its proto structs for OTLP JSON), then
//! hands its attempts to the retry loop ([`Retries::run`], export.rs), which also reports them to the failure
//! channel; a sink that drops its batches (the benchmarks', in `bench.rs`) returns at once and converts nothing.
//! The processor counts the [`Delivery`] it returns (accounting.rs).
//!
//! The sinks: [`OtlpSink`] (our transport), `console::ConsoleSink` (stdout), [`UnavailableSink`] (the exporter
//! could not be built and `exporter.on_invalid = "warn"`); the benchmarks' and the tests' are injected through
//! `pipeline::build` or `OtelProcessor::start`.

use crate::export::{Delivery, Retries};
use crate::health::ErrorKind;
use crate::processor::Item;
use crate::transport::{AttemptOutcome, Encoded, ExportRequest, SendError, Transport};
#[cfg(test)]
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
#[cfg(test)]
use opentelemetry_sdk::trace::SpanData;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// One batch, as the processor hands it to its sink.
#[derive(Debug)]
pub(crate) struct ItemBatch<I> {
    pub(crate) items: Vec<I>,
    /// The provider's resource, sent with every batch.
    pub(crate) resource: Arc<ResourceAttributesWithSchema>,
}

/// An item the OTLP sink can send: how a batch of them becomes one export request.
pub(crate) trait OtlpItem: Item + Sized {
    /// The request a batch becomes.
    type Request: ExportRequest + prost::Message + Default;
    /// The batch in OTLP form, as proto structs: for OTLP JSON and the console (on the export task, so conversions
    /// run in parallel across the export threads).
    fn into_request(batch: ItemBatch<Self>) -> Self::Request;
    /// The batch as the protobuf encoding of its request, for OTLP protobuf (HTTP and gRPC): by default the
    /// structs of [`OtlpItem::into_request`], encoded.
    fn into_protobuf(batch: ItemBatch<Self>) -> Vec<u8> {
        prost::Message::encode_to_vec(&Self::into_request(batch))
    }
}

impl OtlpItem for opentelemetry_sdk::trace::SpanData {
    type Request = opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    fn into_request(batch: ItemBatch<Self>) -> Self::Request {
        use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
        Self::Request { resource_spans: group_spans_by_resource_and_scope(batch.items, &batch.resource) }
    }
    /// Written straight from the `SpanData`, no proto structs: the same bytes, a fraction of the allocation (see
    /// otlp_encode.rs).
    fn into_protobuf(batch: ItemBatch<Self>) -> Vec<u8> {
        crate::otlp_encode::encode_trace_request(&batch.items, &batch.resource)
    }
}

/// A batch's delivery under way.
pub(crate) type Export<'a> = Pin<Box<dyn Future<Output = Delivery> + Send + 'a>>;

/// Where batches go (see the module documentation).
pub(crate) trait Sink<I>: Send + Sync + std::fmt::Debug {
    /// Delivers `batch`: converts it as this sink needs, then makes its attempts through `retries` (or, for a
    /// sink that sends nothing, answers at once). Runs on the export runtime, one task per batch.
    fn export<'a>(&'a self, batch: ItemBatch<I>, retries: Retries<'a>) -> Export<'a>;
}

/// An OTLP collector, through our transport.
#[derive(Debug)]
pub(crate) struct OtlpSink {
    transport: Transport,
}

impl OtlpSink {
    pub(crate) fn new(transport: Transport) -> OtlpSink {
        OtlpSink { transport }
    }
}

impl<I: OtlpItem> Sink<I> for OtlpSink {
    fn export<'a>(&'a self, batch: ItemBatch<I>, retries: Retries<'a>) -> Export<'a> {
        Box::pin(async move {
            if self.transport.sends_json() {
                attempts(&self.transport, retries, I::into_request(batch)).await
            } else {
                // Encoded once, before the first attempt: every retry sends the same bytes.
                attempts(&self.transport, retries, Encoded::<I::Request>::new(I::into_protobuf(batch))).await
            }
        })
    }
}

/// `request`'s attempts through `transport`, as `retries` runs them.
async fn attempts<R: ExportRequest>(transport: &Transport, retries: Retries<'_>, request: R) -> Delivery {
    let request = &request;
    retries.run(|timeout| transport.send(request, timeout)).await
}

/// The exporter could not be built (`exporter.on_invalid = "warn"`): every batch fails at once, not retried, with
/// this reason, so that the loss is counted, alerted and summarised like any other.
#[derive(Debug)]
pub(crate) struct UnavailableSink {
    reason: String,
}

impl UnavailableSink {
    pub(crate) fn new(reason: String) -> UnavailableSink {
        UnavailableSink { reason }
    }
}

impl<I: Send + 'static> Sink<I> for UnavailableSink {
    fn export<'a>(&'a self, batch: ItemBatch<I>, retries: Retries<'a>) -> Export<'a> {
        // Nothing can be sent: no conversion.
        drop(batch);
        Box::pin(retries.run(|_timeout| {
            let error = SendError::new(ErrorKind::InvalidConfig, self.reason.clone(), false);
            std::future::ready(AttemptOutcome::Failed(error))
        }))
    }
}

/// Tests only: the answer to one attempt, as a future (pending for ever = a collector that never answers).
#[cfg(test)]
pub(crate) type ScriptedAttempt =
    Arc<dyn Fn(&ExportTraceServiceRequest) -> Pin<Box<dyn Future<Output = AttemptOutcome> + Send>> + Send + Sync>;

/// Tests only: a sink whose every attempt is answered by a script, bounded by the attempt's timeout like
/// [`Transport::send`], so that the processor can be driven through any sequence of outcomes.
///
/// ```ignore
/// let sink = Arc::new(ScriptedSink(Arc::new(|_request: &ExportTraceServiceRequest| {
///     Box::pin(async { AttemptOutcome::Accepted }) as Pin<Box<dyn Future<Output = AttemptOutcome> + Send>>
/// })));
/// let processor = OtelProcessor::start(settings, sink, &resource, hub, runtime.handle());
/// ```
#[cfg(test)]
pub(crate) struct ScriptedSink(pub(crate) ScriptedAttempt);

#[cfg(test)]
impl std::fmt::Debug for ScriptedSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScriptedSink")
    }
}

#[cfg(test)]
impl Sink<SpanData> for ScriptedSink {
    fn export<'a>(&'a self, batch: ItemBatch<SpanData>, retries: Retries<'a>) -> Export<'a> {
        Box::pin(async move {
            let request = <SpanData as OtlpItem>::into_request(batch);
            let request = &request;
            retries
                .run(|timeout| async move {
                    let attempt = (self.0)(request);
                    if timeout.is_zero() {
                        return attempt.await;
                    }
                    tokio::time::timeout(timeout, attempt).await.unwrap_or_else(|_elapsed| {
                        AttemptOutcome::Failed(SendError::new(
                            ErrorKind::Timeout,
                            format!("no response within {timeout:?}"),
                            true,
                        ))
                    })
                })
                .await
        })
    }
}
