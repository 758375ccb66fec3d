//! The public types of the receiver: how a request came, what was recorded, how it was answered, and how the
//! receiver is told to behave.

use crate::log::{flatten_logs, log_record_count, ReceivedLogRecord};
use crate::metric::{data_point_count, flatten_metrics, ReceivedMetric};
use crate::span::{flatten, span_count, ReceivedSpan};
use http::HeaderMap;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use std::time::{Duration, Instant};

/// The path gRPC trace exports arrive on, as recorded in [`Received::path`].
pub const GRPC_EXPORT_PATH: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/// The path gRPC log exports arrive on.
pub const GRPC_LOGS_EXPORT_PATH: &str = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

/// The path gRPC metric exports arrive on.
pub const GRPC_METRICS_EXPORT_PATH: &str = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

/// The default path of the HTTP receiver for traces (the OTLP/HTTP traces path).
pub const DEFAULT_HTTP_PATH: &str = "/v1/traces";

/// The default path of the HTTP receiver for logs.
pub const DEFAULT_HTTP_LOGS_PATH: &str = "/v1/logs";

/// The default path of the HTTP receiver for metrics.
pub const DEFAULT_HTTP_METRICS_PATH: &str = "/v1/metrics";

/// One of the three OTLP signals the receiver takes, each on the same two ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signal {
    /// Spans (`TraceService/Export`, `/v1/traces`).
    Traces,
    /// Log records (`LogsService/Export`, `/v1/logs`).
    Logs,
    /// Metrics (`MetricsService/Export`, `/v1/metrics`).
    Metrics,
}

impl Signal {
    /// The three signals.
    pub const ALL: [Signal; 3] = [Signal::Traces, Signal::Logs, Signal::Metrics];

    /// `traces`, `logs` or `metrics`.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Traces => "traces",
            Signal::Logs => "logs",
            Signal::Metrics => "metrics",
        }
    }

    /// The gRPC path of its export method ([`GRPC_EXPORT_PATH`], [`GRPC_LOGS_EXPORT_PATH`],
    /// [`GRPC_METRICS_EXPORT_PATH`]).
    pub fn grpc_path(self) -> &'static str {
        match self {
            Signal::Traces => GRPC_EXPORT_PATH,
            Signal::Logs => GRPC_LOGS_EXPORT_PATH,
            Signal::Metrics => GRPC_METRICS_EXPORT_PATH,
        }
    }

    /// Its default OTLP/HTTP path: `/v1/traces`, `/v1/logs` or `/v1/metrics`.
    pub fn default_http_path(self) -> &'static str {
        match self {
            Signal::Traces => DEFAULT_HTTP_PATH,
            Signal::Logs => DEFAULT_HTTP_LOGS_PATH,
            Signal::Metrics => DEFAULT_HTTP_METRICS_PATH,
        }
    }

    /// What its requests carry, in the plural: `spans`, `log records` or `data points`.
    pub fn items(self) -> &'static str {
        match self {
            Signal::Traces => "spans",
            Signal::Logs => "log records",
            Signal::Metrics => "data points",
        }
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a request reached the receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// OTLP/gRPC.
    Grpc,
    /// OTLP/HTTP with a binary protobuf body (`Content-Type: application/x-protobuf`).
    HttpProtobuf,
    /// OTLP/HTTP with a JSON body (`Content-Type: application/json`).
    HttpJson,
}

impl Protocol {
    /// The name `OTEL_EXPORTER_OTLP_PROTOCOL` uses for it: `grpc`, `http/protobuf` or `http/json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Grpc => "grpc",
            Protocol::HttpProtobuf => "http/protobuf",
            Protocol::HttpJson => "http/json",
        }
    }

    /// The `Content-Type` of an OTLP/HTTP body in this encoding (`application/grpc` for gRPC).
    pub fn content_type(self) -> &'static str {
        match self {
            Protocol::Grpc => "application/grpc",
            Protocol::HttpProtobuf => "application/x-protobuf",
            Protocol::HttpJson => "application/json",
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One export request the receiver accepted: `Received` (a trace request; its spans are in [`Receiver::spans`](crate::Receiver::spans)),
/// `Received<ExportLogsServiceRequest>` ([`Receiver::log_requests`](crate::Receiver::log_requests)) or `Received<ExportMetricsServiceRequest>`
/// ([`Receiver::metric_requests`](crate::Receiver::metric_requests)).
#[derive(Clone, Debug)]
pub struct Received<R = ExportTraceServiceRequest> {
    /// How it came.
    pub protocol: Protocol,
    /// The request path: the signal's gRPC path ([`GRPC_EXPORT_PATH`], ...) for gRPC, the HTTP path otherwise.
    pub path: String,
    /// The HTTP headers, or the gRPC metadata (as HTTP/2 headers: `grpc-encoding`, `te`, custom metadata, ...).
    pub headers: HeaderMap,
    /// The decoded request, as it arrived (after decompression).
    pub request: R,
}

impl<R> Received<R> {
    /// The first value of header (or gRPC metadata key) `name`, case-insensitively, if present and valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The compression the body came with: `grpc-encoding` for gRPC, `Content-Encoding` for HTTP (`None` when
    /// uncompressed).
    pub fn compression(&self) -> Option<&str> {
        let name = if self.protocol == Protocol::Grpc { "grpc-encoding" } else { "content-encoding" };
        self.header(name).filter(|v| *v != "identity")
    }
}

impl Received {
    /// The request's spans, flattened.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        flatten(&self.request)
    }

    /// The number of spans in the request.
    pub fn span_count(&self) -> usize {
        span_count(&self.request)
    }
}

impl Received<ExportLogsServiceRequest> {
    /// The request's log records, flattened.
    pub fn log_records(&self) -> Vec<ReceivedLogRecord> {
        flatten_logs(&self.request)
    }

    /// The number of log records in the request.
    pub fn log_record_count(&self) -> usize {
        log_record_count(&self.request)
    }
}

impl Received<ExportMetricsServiceRequest> {
    /// The request's metrics, flattened.
    pub fn metrics(&self) -> Vec<ReceivedMetric> {
        flatten_metrics(&self.request)
    }

    /// The number of data points in the request, all metrics together.
    pub fn data_point_count(&self) -> usize {
        data_point_count(&self.request)
    }
}

/// How the receiver answers export requests: for every signal ([`ReceiverBuilder::behavior`](crate::ReceiverBuilder::behavior),
/// [`Receiver::set_behavior`](crate::Receiver::set_behavior)) or for one ([`ReceiverBuilder::signal_behavior`](crate::ReceiverBuilder::signal_behavior),
/// [`Receiver::set_signal_behavior`](crate::Receiver::set_signal_behavior)). Each signal keeps its own copy and its own failure count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Behavior {
    /// Record the spans (log records, metrics) and answer success.
    #[default]
    Accept,
    /// Fail the next `times` requests as temporarily unavailable, then behave as [`Behavior::Accept`]:
    /// gRPC `UNAVAILABLE` (with a `google.rpc.RetryInfo` detail carrying `retry_after`, when given) or HTTP 503
    /// (with `Retry-After: <seconds, rounded up>`, when given). The failed requests' contents are not recorded
    /// (they count in [`Receiver::attempts`](crate::Receiver::attempts) only). `times: usize::MAX` never recovers. The count is per signal:
    /// set for all signals, `times: 1` fails the first trace request and the first log request.
    Unavailable {
        /// How many requests fail before the receiver accepts again.
        times: usize,
        /// The retry delay to suggest to the client.
        retry_after: Option<Duration>,
    },
    /// Refuse every request as malformed, a non-retryable error: gRPC `INVALID_ARGUMENT`, HTTP 400. Nothing is
    /// recorded.
    Reject,
    /// Record the contents but answer a partial success: `partial_success.rejected_spans` (`rejected_log_records`,
    /// `rejected_data_points`) `= rejected_per_request`, with an error message.
    PartialSuccess {
        /// The `rejected_spans` (`rejected_log_records`, `rejected_data_points`) reported for each request.
        rejected_per_request: i64,
    },
    /// Record the contents and answer "success" with a body that does not decode: HTTP 200 with the right
    /// `Content-Type` and a body that is neither the protobuf nor the JSON of a response; gRPC status OK (in the
    /// trailers) with a response message that is not protobuf. For the client's handling of a collector that
    /// garbles its answers.
    Garbage,
    /// Take the request and never answer, until the behavior changes (the request is then answered by the new
    /// behavior) or the receiver stops (the connection is then closed).
    Stall,
}

/// How the receiver answered one request (see [`Attempt`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Not answered yet (stalled).
    Pending,
    /// Success: the contents were recorded.
    Accepted,
    /// Partial success: the contents were recorded, `rejected` reported as rejected.
    PartiallyAccepted {
        /// The `rejected_spans` (`rejected_log_records`, `rejected_data_points`) that was answered.
        rejected: i64,
    },
    /// Failed as unavailable ([`Behavior::Unavailable`]).
    Unavailable,
    /// Refused ([`Behavior::Reject`]).
    Rejected,
    /// The contents were recorded, the answer garbled ([`Behavior::Garbage`]).
    Garbage,
    /// The request itself was wrong (unknown path, method or content type, undecodable body); the reason.
    Invalid(String),
}

/// One request that reached the receiver, whatever its fate.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// When it arrived (its body read and decoded).
    pub at: Instant,
    /// How it came (`None` for an HTTP request whose content type says neither protobuf nor JSON).
    pub protocol: Option<Protocol>,
    /// The signal it was for (`None` for an HTTP request to an unknown path, or a server error).
    pub signal: Option<Signal>,
    /// The number of spans it carried (0 if it could not be decoded, or was not a trace request).
    pub span_count: usize,
    /// The number of items it carried, whatever its signal: spans, log records or data points (0 if it could
    /// not be decoded).
    pub item_count: usize,
    /// How it was answered.
    pub outcome: Outcome,
}
