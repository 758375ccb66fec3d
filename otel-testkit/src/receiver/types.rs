//! The public types of the receiver: how a request came, what was recorded, how it was answered, and how the
//! receiver is told to behave.
use crate::span::{flatten, span_count, ReceivedSpan};
use http::HeaderMap;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use std::time::{Duration, Instant};

/// The path gRPC exports arrive on, as recorded in [`Received::path`].
pub const GRPC_EXPORT_PATH: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/// The default path of the HTTP receiver (the OTLP/HTTP traces path).
pub const DEFAULT_HTTP_PATH: &str = "/v1/traces";

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

/// One export request the receiver accepted (its spans are in [`Receiver::spans`]).
#[derive(Clone, Debug)]
pub struct Received {
    /// How it came.
    pub protocol: Protocol,
    /// The request path: [`GRPC_EXPORT_PATH`] for gRPC, the HTTP path otherwise.
    pub path: String,
    /// The HTTP headers, or the gRPC metadata (as HTTP/2 headers: `grpc-encoding`, `te`, custom metadata, ...).
    pub headers: HeaderMap,
    /// The decoded request, as it arrived (after decompression).
    pub request: ExportTraceServiceRequest,
}

impl Received {
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

    /// The request's spans, flattened.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        flatten(&self.request)
    }

    /// The number of spans in the request.
    pub fn span_count(&self) -> usize {
        span_count(&self.request)
    }
}

/// How the receiver answers export requests. Change it at any time with [`Receiver::set_behavior`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Behavior {
    /// Record the spans and answer success.
    #[default]
    Accept,
    /// Fail the next `times` requests as temporarily unavailable, then behave as [`Behavior::Accept`]:
    /// gRPC `UNAVAILABLE` (with a `google.rpc.RetryInfo` detail carrying `retry_after`, when given) or HTTP 503
    /// (with `Retry-After: <seconds, rounded up>`, when given). The failed requests' spans are not recorded (they
    /// count in [`Receiver::attempts`] only). `times: usize::MAX` never recovers.
    Unavailable {
        /// How many requests fail before the receiver accepts again.
        times: usize,
        /// The retry delay to suggest to the client.
        retry_after: Option<Duration>,
    },
    /// Refuse every request as malformed, a non-retryable error: gRPC `INVALID_ARGUMENT`, HTTP 400. Nothing is
    /// recorded.
    Reject,
    /// Record the spans but answer a partial success: `partial_success.rejected_spans = rejected_per_request`,
    /// with an error message.
    PartialSuccess {
        /// The `rejected_spans` reported for each request.
        rejected_per_request: i64,
    },
    /// Take the request and never answer, until the behavior changes (the request is then answered by the new
    /// behavior) or the receiver stops (the connection is then closed).
    Stall,
}

/// How the receiver answered one request (see [`Attempt`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Not answered yet (stalled).
    Pending,
    /// Success: the spans were recorded.
    Accepted,
    /// Partial success: the spans were recorded, `rejected` reported as rejected.
    PartiallyAccepted {
        /// The `rejected_spans` that was answered.
        rejected: i64,
    },
    /// Failed as unavailable ([`Behavior::Unavailable`]).
    Unavailable,
    /// Refused ([`Behavior::Reject`]).
    Rejected,
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
    /// The number of spans it carried (0 if it could not be decoded).
    pub span_count: usize,
    /// How it was answered.
    pub outcome: Outcome,
}
