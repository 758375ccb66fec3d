//! The three OTLP export requests the transport sends: what differs between traces, logs and metrics on the wire
//! (the gRPC method, the HTTP path, the partial-success field), in one place.

use opentelemetry_proto::tonic::collector::logs::v1::{ExportLogsServiceRequest, ExportLogsServiceResponse};
use opentelemetry_proto::tonic::collector::metrics::v1::{ExportMetricsServiceRequest, ExportMetricsServiceResponse};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use otel_config::Signal;

/// An OTLP export request: its signal, its gRPC method, and how its response reports a partial success.
pub(crate) trait ExportRequest: prost::Message + serde::Serialize + Clone + Send + Sync + 'static {
    /// The service's response message.
    type Response: prost::Message + Default + Send + 'static;
    /// The signal this request carries.
    const SIGNAL: Signal;
    /// The gRPC method (`/opentelemetry.proto.collector.trace.v1.TraceService/Export`, …).
    #[cfg(feature = "grpc")]
    const GRPC_PATH: &'static str;
    /// The response's partial success, if it has one: `(rejected items, error message)`.
    fn partial_success(response: Self::Response) -> Option<(i64, String)>;
}

impl ExportRequest for ExportTraceServiceRequest {
    type Response = ExportTraceServiceResponse;
    const SIGNAL: Signal = Signal::Traces;
    #[cfg(feature = "grpc")]
    const GRPC_PATH: &'static str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    fn partial_success(response: Self::Response) -> Option<(i64, String)> {
        response.partial_success.map(|p| (p.rejected_spans, p.error_message))
    }
}

impl ExportRequest for ExportLogsServiceRequest {
    type Response = ExportLogsServiceResponse;
    const SIGNAL: Signal = Signal::Logs;
    #[cfg(feature = "grpc")]
    const GRPC_PATH: &'static str = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
    fn partial_success(response: Self::Response) -> Option<(i64, String)> {
        response.partial_success.map(|p| (p.rejected_log_records, p.error_message))
    }
}

impl ExportRequest for ExportMetricsServiceRequest {
    type Response = ExportMetricsServiceResponse;
    const SIGNAL: Signal = Signal::Metrics;
    #[cfg(feature = "grpc")]
    const GRPC_PATH: &'static str = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
    fn partial_success(response: Self::Response) -> Option<(i64, String)> {
        response.partial_success.map(|p| (p.rejected_data_points, p.error_message))
    }
}

/// The JSON name of the rejected count in a `partialSuccess` object (proto3 JSON mapping).
pub(crate) fn json_rejected_field(signal: Signal) -> &'static str {
    match signal {
        Signal::Traces => "rejectedSpans",
        Signal::Logs => "rejectedLogRecords",
        Signal::Metrics => "rejectedDataPoints",
        _ => "rejectedItems", // not reached: otel builds transports for these three signals only
    }
}

/// `partial_success` of a protobuf response body of `signal`'s service: `(rejected, error_message)`, `(0, "")` for
/// a response without one; `None` when the body is not that response.
pub(crate) fn decode_protobuf_partial(signal: Signal, body: &[u8]) -> Option<(i64, String)> {
    use prost::Message;
    let partial = match signal {
        Signal::Traces => ExportTraceServiceRequest::partial_success(ExportTraceServiceResponse::decode(body).ok()?),
        Signal::Logs => ExportLogsServiceRequest::partial_success(ExportLogsServiceResponse::decode(body).ok()?),
        Signal::Metrics => {
            ExportMetricsServiceRequest::partial_success(ExportMetricsServiceResponse::decode(body).ok()?)
        }
        _ => return None, // not reached, as above
    };
    Some(partial.unwrap_or((0, String::new())))
}
