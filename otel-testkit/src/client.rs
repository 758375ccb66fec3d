//! Small OTLP clients for tests: build a request ([`sample_request`], [`sample_logs_request`],
//! [`sample_metrics_request`]), send it over gRPC ([`export_grpc`], [`export_logs_grpc`], [`export_metrics_grpc`])
//! or HTTP ([`export_http`], [`export_http_request`]), or POST raw bytes ([`post`]). Used to test the [`Receiver`](crate::Receiver) and
//! [`Rotel`](crate::Rotel) themselves, and handy for probing any OTLP endpoint.

use crate::receiver::Protocol;
use opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use opentelemetry_proto::tonic::collector::logs::v1::{ExportLogsServiceRequest, ExportLogsServiceResponse};
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_client::MetricsServiceClient;
use opentelemetry_proto::tonic::collector::metrics::v1::{ExportMetricsServiceRequest, ExportMetricsServiceResponse};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs, SeverityNumber};
use opentelemetry_proto::tonic::metrics::v1::{
    metric, number_data_point, AggregationTemporality, Gauge, Histogram, HistogramDataPoint, Metric, NumberDataPoint,
    ResourceMetrics, ScopeMetrics, Sum,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{span, ResourceSpans, ScopeSpans, Span, Status};
use prost::Message;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A string attribute.
pub fn kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.to_string(),
        value: Some(AnyValue { value: Some(any_value::Value::StringValue(value.to_string())) }),
        ..Default::default()
    }
}

/// An integer attribute.
pub fn kv_int(key: &str, value: i64) -> KeyValue {
    KeyValue {
        key: key.to_string(),
        value: Some(AnyValue { value: Some(any_value::Value::IntValue(value)) }),
        ..Default::default()
    }
}

/// `n` random bytes (not cryptographic; for ids that differ between calls and processes).
fn random_bytes(n: usize) -> Vec<u8> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        hasher.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos());
        out.extend_from_slice(&hasher.finish().to_le_bytes());
    }
    out.truncate(n);
    out
}

/// One export request: a resource with `service.name = service_name`, one scope `otel-testkit`, and one span per
/// name, all in one new trace: the first span is the root, the others its children. Each span has the attributes
/// `index` (its position, an integer) and `test.kind = "sample"`, kind `SERVER` for the root and `INTERNAL` for the
/// others, and a 1 ms duration ending now; the root also has an event `sample.event` and status OK.
pub fn sample_request(service_name: &str, span_names: &[&str]) -> ExportTraceServiceRequest {
    let trace_id = random_bytes(16);
    let end = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos() as u64;
    let mut root_id = Vec::new();
    let spans = span_names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let span_id = random_bytes(8);
            let root = index == 0;
            if root {
                root_id = span_id.clone();
            }
            Span {
                trace_id: trace_id.clone(),
                span_id,
                parent_span_id: if root { Vec::new() } else { root_id.clone() },
                name: name.to_string(),
                kind: if root { span::SpanKind::Server } else { span::SpanKind::Internal } as i32,
                start_time_unix_nano: end - 1_000_000,
                end_time_unix_nano: end,
                attributes: vec![kv_int("index", index as i64), kv("test.kind", "sample")],
                events: if root {
                    vec![span::Event {
                        time_unix_nano: end - 500_000,
                        name: "sample.event".to_string(),
                        attributes: vec![kv("event.detail", "something happened")],
                        dropped_attributes_count: 0,
                    }]
                } else {
                    Vec::new()
                },
                status: root.then(|| Status { message: String::new(), code: 1 }),
                ..Default::default()
            }
        })
        .collect();
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource { attributes: vec![kv("service.name", service_name)], ..Default::default() }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: "otel-testkit".to_string(),
                    version: env!("CARGO_PKG_VERSION").to_string(),
                    ..Default::default()
                }),
                spans,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

fn now_nanos() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos() as u64
}

fn testkit_scope() -> Option<InstrumentationScope> {
    Some(InstrumentationScope {
        name: "otel-testkit".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        ..Default::default()
    })
}

fn resource(service_name: &str) -> Option<Resource> {
    Some(Resource { attributes: vec![kv("service.name", service_name)], ..Default::default() })
}

/// One log export request: a resource with `service.name = service_name`, one scope `otel-testkit`, and one log
/// record per body, all in one new trace and span (random ids, the same for all records). Record `i` has severity
/// INFO (9, text `INFO`), the body `bodies[i]` (a string), the attributes `index` (`i`, an integer) and
/// `test.kind = "sample"`, and the current time.
pub fn sample_logs_request(service_name: &str, bodies: &[&str]) -> ExportLogsServiceRequest {
    let (trace_id, span_id, now) = (random_bytes(16), random_bytes(8), now_nanos());
    let log_records = bodies
        .iter()
        .enumerate()
        .map(|(index, body)| LogRecord {
            time_unix_nano: now,
            observed_time_unix_nano: now,
            severity_number: SeverityNumber::Info as i32,
            severity_text: "INFO".to_string(),
            body: Some(AnyValue { value: Some(any_value::Value::StringValue(body.to_string())) }),
            attributes: vec![kv_int("index", index as i64), kv("test.kind", "sample")],
            flags: 1,
            trace_id: trace_id.clone(),
            span_id: span_id.clone(),
            ..Default::default()
        })
        .collect();
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: resource(service_name),
            scope_logs: vec![ScopeLogs { scope: testkit_scope(), log_records, schema_url: String::new() }],
            schema_url: String::new(),
        }],
    }
}

/// One metric export request with fixed contents, for exact assertions: a resource with
/// `service.name = service_name`, one scope `otel-testkit`, and three metrics (5 data points), all at the current
/// time:
/// - `sample.requests`: a monotonic cumulative sum (a counter) of integers, unit `1`, two points: 42 with
///   `route = "/a"`, 7 with `route = "/b"`;
/// - `sample.temperature`: a gauge, one point 21.5 (a double), no attributes;
/// - `sample.latency`: a delta histogram, unit `ms`, one point: count 3, sum 6.5, min 0.5, max 4, bounds `[1]`,
///   bucket counts `[1, 2]`, with `route = "/a"`.
pub fn sample_metrics_request(service_name: &str) -> ExportMetricsServiceRequest {
    let now = now_nanos();
    let start = now - 1_000_000_000;
    let number = |value: number_data_point::Value, attributes: Vec<KeyValue>| NumberDataPoint {
        attributes,
        start_time_unix_nano: start,
        time_unix_nano: now,
        value: Some(value),
        ..Default::default()
    };
    let metrics = vec![
        Metric {
            name: "sample.requests".to_string(),
            description: "requests served".to_string(),
            unit: "1".to_string(),
            data: Some(metric::Data::Sum(Sum {
                data_points: vec![
                    number(number_data_point::Value::AsInt(42), vec![kv("route", "/a")]),
                    number(number_data_point::Value::AsInt(7), vec![kv("route", "/b")]),
                ],
                aggregation_temporality: AggregationTemporality::Cumulative as i32,
                is_monotonic: true,
            })),
            ..Default::default()
        },
        Metric {
            name: "sample.temperature".to_string(),
            data: Some(metric::Data::Gauge(Gauge {
                data_points: vec![number(number_data_point::Value::AsDouble(21.5), Vec::new())],
            })),
            ..Default::default()
        },
        Metric {
            name: "sample.latency".to_string(),
            unit: "ms".to_string(),
            data: Some(metric::Data::Histogram(Histogram {
                data_points: vec![HistogramDataPoint {
                    attributes: vec![kv("route", "/a")],
                    start_time_unix_nano: start,
                    time_unix_nano: now,
                    count: 3,
                    sum: Some(6.5),
                    bucket_counts: vec![1, 2],
                    explicit_bounds: vec![1.0],
                    min: Some(0.5),
                    max: Some(4.0),
                    ..Default::default()
                }],
                aggregation_temporality: AggregationTemporality::Delta as i32,
            })),
            ..Default::default()
        },
    ];
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: resource(service_name),
            scope_metrics: vec![ScopeMetrics { scope: testkit_scope(), metrics, schema_url: String::new() }],
            schema_url: String::new(),
        }],
    }
}

/// Sends `request` to an OTLP/gRPC `endpoint` (`http://host:port`) with the generated tonic client, gzip-compressed
/// when `gzip`. A connection failure comes back as an `UNAVAILABLE` status. Wrap it in `tokio::time::timeout` to
/// bound it (a stalled server never answers).
pub async fn export_grpc(
    endpoint: &str,
    request: ExportTraceServiceRequest,
    gzip: bool,
) -> Result<ExportTraceServiceResponse, tonic::Status> {
    let mut client = TraceServiceClient::connect(endpoint.to_string())
        .await
        .map_err(|e| tonic::Status::unavailable(format!("cannot connect to {endpoint}: {e}")))?;
    if gzip {
        client = client.send_compressed(tonic::codec::CompressionEncoding::Gzip);
    }
    client.export(request).await.map(tonic::Response::into_inner)
}

/// Sends a log export `request` to an OTLP/gRPC `endpoint`, as [`export_grpc`] does for traces.
pub async fn export_logs_grpc(
    endpoint: &str,
    request: ExportLogsServiceRequest,
    gzip: bool,
) -> Result<ExportLogsServiceResponse, tonic::Status> {
    let mut client = LogsServiceClient::connect(endpoint.to_string())
        .await
        .map_err(|e| tonic::Status::unavailable(format!("cannot connect to {endpoint}: {e}")))?;
    if gzip {
        client = client.send_compressed(tonic::codec::CompressionEncoding::Gzip);
    }
    client.export(request).await.map(tonic::Response::into_inner)
}

/// Sends a metric export `request` to an OTLP/gRPC `endpoint`, as [`export_grpc`] does for traces.
pub async fn export_metrics_grpc(
    endpoint: &str,
    request: ExportMetricsServiceRequest,
    gzip: bool,
) -> Result<ExportMetricsServiceResponse, tonic::Status> {
    let mut client = MetricsServiceClient::connect(endpoint.to_string())
        .await
        .map_err(|e| tonic::Status::unavailable(format!("cannot connect to {endpoint}: {e}")))?;
    if gzip {
        client = client.send_compressed(tonic::codec::CompressionEncoding::Gzip);
    }
    client.export(request).await.map(tonic::Response::into_inner)
}

/// An OTLP message this module can encode for OTLP/HTTP and decode from it: the three export requests and their
/// responses.
pub trait OtlpMessage: Message + Default + Sized {
    /// The message as OTLP/JSON.
    fn to_json(&self) -> Result<Vec<u8>, String>;
    /// An OTLP/JSON body decoded.
    fn from_json(body: &[u8]) -> Result<Self, String>;
}

macro_rules! otlp_message {
    ($($ty:ty),*) => {$(
        impl OtlpMessage for $ty {
            fn to_json(&self) -> Result<Vec<u8>, String> {
                serde_json::to_vec(self).map_err(|e| e.to_string())
            }
            fn from_json(body: &[u8]) -> Result<Self, String> {
                serde_json::from_slice(body).map_err(|e| e.to_string())
            }
        }
    )*};
}

otlp_message!(
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse
);

/// An HTTP response, as read by [`post`].
#[derive(Clone, Debug)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers, names lowercased, in order.
    pub headers: Vec<(String, String)>,
    /// The body (not decompressed).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// The body decoded as an `ExportTraceServiceResponse` per its `Content-Type` (JSON or protobuf).
    pub fn export_response(&self) -> Result<ExportTraceServiceResponse, String> {
        self.decode()
    }

    /// The body decoded as `M` (e.g. `ExportLogsServiceResponse`) per its `Content-Type` (JSON or protobuf).
    pub fn decode<M: OtlpMessage>(&self) -> Result<M, String> {
        if self.header("content-type").unwrap_or("").starts_with("application/json") {
            M::from_json(&self.body)
        } else {
            M::decode(&self.body[..]).map_err(|e| e.to_string())
        }
    }

    /// The body as (lossy) text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` to the full OTLP/HTTP `url` (e.g. [`Receiver::http_traces_url`](crate::Receiver::http_traces_url),
/// or `{endpoint}/v1/traces`), encoded as `protocol` says (protobuf or JSON; `Grpc` is refused), gzip-compressed
/// when `gzip`, with a 10 s timeout. Any HTTP status comes back as `Ok`; `Err` is for transport failures.
pub fn export_http(
    url: &str,
    protocol: Protocol,
    gzip: bool,
    request: &ExportTraceServiceRequest,
) -> Result<HttpResponse, String> {
    export_http_request(url, protocol, gzip, request)
}

/// [`export_http`] for any export request: logs to [`Receiver::http_logs_url`](crate::Receiver::http_logs_url)
/// (`{endpoint}/v1/logs`), metrics to [`Receiver::http_metrics_url`](crate::Receiver::http_metrics_url), traces.
pub fn export_http_request<R: OtlpMessage>(
    url: &str,
    protocol: Protocol,
    gzip: bool,
    request: &R,
) -> Result<HttpResponse, String> {
    let body = match protocol {
        Protocol::HttpJson => request.to_json()?,
        Protocol::HttpProtobuf => request.encode_to_vec(),
        Protocol::Grpc => return Err("export_http sends HTTP: use export_grpc for gRPC".to_string()),
    };
    let mut headers = vec![("Content-Type", protocol.content_type())];
    let body = if gzip {
        headers.push(("Content-Encoding", "gzip"));
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&body).map_err(|e| e.to_string())?;
        encoder.finish().map_err(|e| e.to_string())?
    } else {
        body
    };
    post(url, &headers, &body, Duration::from_secs(10))
}

/// POSTs `body` to `url` (`http://host:port/path`; no TLS) over a plain HTTP/1.1 connection with the given extra
/// headers (`Host`, `Content-Length` and `Connection: close` are added), and reads the whole response. `timeout`
/// bounds the connection, each read and each write.
pub fn post(url: &str, headers: &[(&str, &str)], body: &[u8], timeout: Duration) -> Result<HttpResponse, String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url}: only http:// URLs"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr = authority
        .to_socket_addrs()
        .map_err(|e| format!("{authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority}: no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    let mut head =
        format!("POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(body))
        .map_err(|e| format!("send to {url}: {e}"))?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| format!("read the response of {url}: {e}"))?;
    parse_response(&raw).ok_or_else(|| format!("{url}: malformed HTTP response {:?}", String::from_utf8_lossy(&raw)))
}

fn parse_response(raw: &[u8]) -> Option<HttpResponse> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body)?;
    } else if let Some(len) = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()) {
        body.truncate(len);
    }
    Some(HttpResponse { status, headers, body })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}
