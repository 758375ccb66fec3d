//! The three OTLP export requests seen through one trait, so that recording, fault injection and both services
//! are written once for traces, logs and metrics.

use super::state::State;
use super::types::{Received, Signal};
use crate::log::{flatten_logs, log_record_count};
use crate::metric::{data_point_count, flatten_metrics};
use crate::span::{flatten, span_count};
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;

/// An OTLP export request: its signal, its size, how it is recorded, and the answers that go with it.
pub(super) trait Export: Message + Default + Clone + Send + 'static {
    /// The response message of its service.
    type Response: Message + Default + Send + 'static;
    /// Its signal.
    const SIGNAL: Signal;
    /// The number of items it carries (spans, log records, data points).
    fn item_count(&self) -> usize;
    /// Records an accepted request: the flattened contents and the request itself.
    fn record(received: Received<Self>, state: &mut State);
    /// A success, or a partial success with `rejected` items rejected.
    fn response(rejected: Option<i64>) -> Self::Response;
    /// Decodes an OTLP/JSON body.
    fn from_json(body: &[u8]) -> Result<Self, String>;
    /// Encodes a response as OTLP/JSON.
    fn response_json(response: &Self::Response) -> Vec<u8>;
}

fn partial_message(rejected: i64, signal: Signal) -> String {
    format!("otel-testkit receiver: {rejected} {} rejected (injected partial success)", signal.items())
}

macro_rules! export {
    ($request:ty, $response:ty, $partial:ident, $field:ident, $signal:expr, $count:expr, |$received:ident, $state:ident| $record:block) => {
        impl Export for $request {
            type Response = $response;
            const SIGNAL: Signal = $signal;

            fn item_count(&self) -> usize {
                $count(self)
            }

            fn record($received: Received<Self>, $state: &mut State) $record

            fn response(rejected: Option<i64>) -> $response {
                match rejected {
                    None => <$response>::default(),
                    Some(rejected) => {
                        let mut response = <$response>::default();
                        response.partial_success = Some($partial {
                            $field: rejected,
                            error_message: partial_message(rejected, $signal),
                        });
                        response
                    }
                }
            }

            fn from_json(body: &[u8]) -> Result<Self, String> {
                serde_json::from_slice(body).map_err(|e| e.to_string())
            }

            fn response_json(response: &$response) -> Vec<u8> {
                serde_json::to_vec(response).expect("a response serializes")
            }
        }
    };
}

export!(
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
    ExportTracePartialSuccess,
    rejected_spans,
    Signal::Traces,
    span_count,
    |received, state| {
        state.spans.extend(flatten(&received.request));
        state.requests.push(received);
    }
);

export!(
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
    ExportLogsPartialSuccess,
    rejected_log_records,
    Signal::Logs,
    log_record_count,
    |received, state| {
        state.logs.extend(flatten_logs(&received.request));
        state.log_requests.push(received);
    }
);

export!(
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
    ExportMetricsPartialSuccess,
    rejected_data_points,
    Signal::Metrics,
    data_point_count,
    |received, state| {
        state.metrics.extend(flatten_metrics(&received.request));
        state.metric_requests.push(received);
    }
);
