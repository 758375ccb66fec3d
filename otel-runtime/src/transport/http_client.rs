//! OTLP/HTTP (binary protobuf or JSON bodies) on hyper-util's pooled HTTP/1.1 client, with rustls (ring) for
//! https.

use super::{classify, partial_outcome, tls::TlsFiles, truncate, AttemptOutcome, SendError, USER_AGENT};
use crate::health::ErrorKind;
use crate::BuildError;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use otel_config::Compression;
use prost::Message;
use std::io::Write;
use std::time::{Duration, SystemTime};

const PROTOBUF: &str = "application/x-protobuf";
const JSON: &str = "application/json";

/// Response bodies beyond this size are not read (an OTLP response is a few bytes).
const MAX_RESPONSE_BODY: usize = 1024 * 1024;

pub(super) struct HttpTransport {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    uri: Uri,
    json: bool,
    compression: Compression,
    /// `exporter.headers` (values marked sensitive).
    headers: HeaderMap,
}

/// `exporter.headers` as an HTTP header map, each value marked sensitive. An invalid name or value is a build
/// error naming the header (never showing its value).
pub(super) fn header_map(headers: &otel_config::Headers) -> Result<HeaderMap, BuildError> {
    let mut map = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers.iter() {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| BuildError(format!("otel: exporter.headers: {name:?} is not a valid HTTP header name")))?;
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            BuildError(format!("otel: exporter.headers: the value of header {name:?} is not a valid HTTP header value"))
        })?;
        value.set_sensitive(true);
        map.append(header, value);
    }
    Ok(map)
}

impl HttpTransport {
    pub(super) fn build(
        url: &str,
        json: bool,
        compression: Compression,
        headers: HeaderMap,
        tls: &TlsFiles,
    ) -> Result<HttpTransport, BuildError> {
        let invalid = |e: &dyn std::fmt::Display| BuildError(format!("otel: invalid HTTP endpoint {url:?}: {e}"));
        let uri: Uri = url.parse().map_err(|e| invalid(&e))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(invalid(&"expected an http:// or https:// URL")),
        };
        if uri.host().is_none_or(str::is_empty) {
            return Err(invalid(&"no host"));
        }
        let tls_config = tls.rustls_config(https)?;
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(HttpTransport { client, uri, json, compression, headers })
    }

    pub(super) async fn send(&self, request: &ExportTraceServiceRequest) -> AttemptOutcome {
        let body = if self.json {
            match serde_json::to_vec(request) {
                Ok(body) => body,
                Err(e) => {
                    return AttemptOutcome::Failed(SendError::new(
                        ErrorKind::Transport,
                        format!("cannot encode the request as OTLP JSON: {e}"),
                        false,
                    ))
                }
            }
        } else {
            request.encode_to_vec()
        };
        let (body, encoding) = match compress(self.compression, body) {
            Ok(compressed) => compressed,
            Err(e) => {
                return AttemptOutcome::Failed(SendError::new(
                    ErrorKind::Transport,
                    format!("cannot compress the request ({}): {e}", self.compression),
                    false,
                ))
            }
        };
        let mut http_request = Request::new(Full::new(Bytes::from(body)));
        *http_request.method_mut() = Method::POST;
        *http_request.uri_mut() = self.uri.clone();
        let headers = http_request.headers_mut();
        *headers = self.headers.clone();
        if !headers.contains_key(http::header::USER_AGENT) {
            headers.insert(http::header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        }
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(if self.json { JSON } else { PROTOBUF }));
        headers.remove(CONTENT_ENCODING);
        if let Some(encoding) = encoding {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        let response = match self.client.request(http_request).await {
            Ok(response) => response,
            Err(e) => return AttemptOutcome::Failed(client_error(&e)),
        };
        let (parts, body) = response.into_parts();
        // A body that cannot be read leaves an empty one: the status still says what happened.
        let body = match Limited::new(body, MAX_RESPONSE_BODY).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => Bytes::new(),
        };
        classify_response(parts.status, &parts.headers, &body, self.json, SystemTime::now())
    }
}

/// The body compressed as configured, and its `Content-Encoding`.
fn compress(compression: Compression, body: Vec<u8>) -> std::io::Result<(Vec<u8>, Option<&'static str>)> {
    match compression {
        Compression::None => Ok((body, None)),
        Compression::Gzip => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::default());
            encoder.write_all(&body)?;
            Ok((encoder.finish()?, Some("gzip")))
        }
        Compression::Zstd => Ok((zstd::bulk::compress(&body, zstd::DEFAULT_COMPRESSION_LEVEL)?, Some("zstd"))),
    }
}

/// No response at all: connection refused, DNS, TLS, or the connection dropped before an answer. The spec says to
/// retry those (TLS failures excepted: they need a configuration change).
fn client_error(err: &hyper_util::client::legacy::Error) -> SendError {
    if let Some(error) = classify::connection_error(err) {
        return error;
    }
    let detail = match std::error::Error::source(err) {
        Some(source) => classify::chain_message(source),
        None => err.to_string(),
    };
    SendError::new(ErrorKind::Transport, format!("connection failed: {}", truncate(&detail)), true)
}

/// The spec's classification of an OTLP/HTTP response.
pub(super) fn classify_response(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    json_request: bool,
    now: SystemTime,
) -> AttemptOutcome {
    let json = match headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_ascii_lowercase) {
        Some(t) if t.starts_with(JSON) => true,
        Some(t) if t.starts_with(PROTOBUF) || t.starts_with("application/protobuf") => false,
        Some(t) if t.starts_with("text/") => {
            // Not an OTLP body (e.g. a proxy's page): only used as an error's text below.
            return classify_status(status, headers, &String::from_utf8_lossy(body), now);
        }
        _ => json_request,
    };
    if status.is_success() {
        if body.is_empty() {
            return AttemptOutcome::Accepted;
        }
        // A body we cannot decode does not undo the 2xx: the spans were accepted.
        return match decode_partial(body, json) {
            Some((rejected, message)) => partial_outcome(rejected, &message),
            None => AttemptOutcome::Accepted,
        };
    }
    let server_message = decode_status_message(body, json).unwrap_or_default();
    classify_status(status, headers, &server_message, now)
}

fn classify_status(status: StatusCode, headers: &HeaderMap, server_message: &str, now: SystemTime) -> AttemptOutcome {
    if status.is_success() {
        return AttemptOutcome::Accepted;
    }
    let code = status.as_u16();
    let mut message = format!("HTTP {code} {}", status.canonical_reason().unwrap_or("")).trim_end().to_string();
    let server_message = server_message.trim();
    if !server_message.is_empty() {
        message = format!("{message}: {}", truncate(server_message));
    }
    let retryable = matches!(code, 429 | 502 | 503 | 504);
    let retry_after = if retryable {
        headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| parse_retry_after(v, now))
    } else {
        None
    };
    AttemptOutcome::Failed(SendError { kind: ErrorKind::HttpStatus(code), message, retryable, retry_after })
}

/// `Retry-After`: delta-seconds or an HTTP-date (a date in the past means now).
pub(super) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX).min(u32::MAX as u64)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// `partial_success` of an `ExportTraceServiceResponse` body: `(rejected_spans, error_message)`.
fn decode_partial(body: &[u8], json: bool) -> Option<(i64, String)> {
    if json {
        // Read by hand: int64 may come as a JSON number or a decimal string (proto3 JSON mapping).
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        let partial = value.get("partialSuccess")?;
        let rejected = match partial.get("rejectedSpans") {
            Some(serde_json::Value::Number(n)) => n.as_i64().unwrap_or(0),
            Some(serde_json::Value::String(s)) => s.trim().parse().unwrap_or(0),
            _ => 0,
        };
        let message = partial.get("errorMessage").and_then(|m| m.as_str()).unwrap_or("").to_string();
        Some((rejected, message))
    } else {
        let response = ExportTraceServiceResponse::decode(body).ok()?;
        let partial = response.partial_success?;
        Some((partial.rejected_spans, partial.error_message))
    }
}

fn decode_status_message(body: &[u8], json: bool) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    if json {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        value.get("message")?.as_str().map(str::to_string)
    } else {
        // `google.rpc.Status`, the body of OTLP/HTTP error responses (only its message is used).
        tonic_types::Status::decode(body).ok().map(|status| status.message)
    }
}
