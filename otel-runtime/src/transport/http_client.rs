//! OTLP/HTTP (binary protobuf or JSON bodies) on hyper-util's pooled HTTP/1.1 client, with rustls (ring) for
//! https (feature `tls`).

use super::request::{decode_protobuf_partial, json_rejected_field};
use super::ExportRequest;
use super::{
    classify, partial_outcome, proxy, tls::TlsFiles, truncate, AttemptOutcome, SendError, Target, MAX_RETRY_DELAY,
    USER_AGENT,
};
use crate::build_error::Detail;
use crate::health::ErrorKind;
use crate::{BuildError, BuildErrorKind};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_ENCODING, CONTENT_TYPE, PROXY_AUTHORIZATION, RETRY_AFTER};
use http::{HeaderMap, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use otel_config::__private::key;
use otel_config::Compression;
use otel_config::Signal;
use prost::Message;
use std::io::Write;
use std::time::{Duration, SystemTime};

const PROTOBUF: &str = "application/x-protobuf";
const JSON: &str = "application/json";

/// Response bodies beyond this size are not read (an OTLP response is a few bytes).
const MAX_RESPONSE_BODY: usize = 1024 * 1024;

/// The client's connector: TLS (when compiled in) over our proxy-aware TCP connector.
#[cfg(feature = "tls")]
type Connector = hyper_rustls::HttpsConnector<proxy::Connector>;
/// Plain TCP only: an https endpoint is refused at build time without `tls` (`features::check`).
#[cfg(not(feature = "tls"))]
type Connector = proxy::Connector;

pub(super) struct HttpTransport {
    /// The proxy in use (credentials redacted), if any.
    proxy: Option<String>,
    client: Client<Connector, Full<Bytes>>,
    uri: Uri,
    json: bool,
    /// The signal sent (the response's partial-success field).
    signal: Signal,
    compression: Compression,
    /// `exporter.headers` (values marked sensitive), with the endpoint's credentials and, for an `http://` endpoint
    /// behind a forward proxy, the proxy's `Proxy-Authorization`.
    headers: HeaderMap,
    /// The forward proxy of an `http://` endpoint, named in the message of its own refusals (407, ...).
    forward_proxy: Option<String>,
}

/// `exporter.headers` as an HTTP header map, each value marked sensitive. An invalid name or value is a build
/// error naming the header (never showing its value).
pub(super) fn header_map(headers: &otel_config::Headers) -> Result<HeaderMap, BuildError> {
    let mut map = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers.iter() {
        // The parsers' errors say nothing the message does not (and never the value): no source.
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            let detail = Detail::HeaderName { name: name.to_string() };
            BuildError::new(BuildErrorKind::Header, Some(key::EXPORTER_HEADERS), detail)
        })?;
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            let detail = Detail::HeaderValue { name: name.to_string() };
            BuildError::new(BuildErrorKind::Header, Some(key::EXPORTER_HEADERS), detail)
        })?;
        value.set_sensitive(true);
        map.append(header, value);
    }
    Ok(map)
}

impl HttpTransport {
    pub(super) fn build(
        target: &Target<'_>,
        json: bool,
        signal: Signal,
        compression: Compression,
        mut headers: HeaderMap,
        tls: &TlsFiles,
    ) -> Result<HttpTransport, BuildError> {
        let shown = target.shown;
        // The endpoint is shown redacted; the parser's error (the source) says what is wrong, never the URL.
        let invalid = |reason: Option<&'static str>| {
            let detail = Detail::Endpoint { client: "HTTP", endpoint: shown.to_string(), reason };
            BuildError::new(BuildErrorKind::Endpoint, Some(target.key), detail)
        };
        let uri: Uri = target.url.parse().map_err(|e: http::uri::InvalidUri| invalid(None).caused_by(e))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(invalid(Some("expected an http:// or https:// URL"))),
        };
        if uri.host().is_none_or(str::is_empty) {
            return Err(invalid(Some("no host")));
        }
        let proxy = target.proxies.for_endpoint(&uri)?;
        // `https://` tunnels through the proxy (TLS inside the tunnel); `http://` goes to it as a forward proxy.
        let tcp = proxy::Connector::new(proxy, false, target.connect_timeout);
        let proxy = tcp.proxy_shown().map(str::to_string);
        let forward_proxy = tcp.forward_proxy().filter(|_| !https).map(|proxy| {
            if let Some(authorization) = proxy.authorization() {
                headers.insert(PROXY_AUTHORIZATION, authorization.clone());
            }
            proxy.shown().to_string()
        });
        #[cfg(feature = "tls")]
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls.rustls_config(https)?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        #[cfg(not(feature = "tls"))]
        let connector = {
            let _ = tls;
            tcp
        };
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(HttpTransport { proxy, client, uri, json, signal, compression, headers, forward_proxy })
    }

    /// The proxy in use (credentials redacted), if any.
    pub(super) fn proxy(&self) -> Option<&str> {
        self.proxy.as_deref()
    }

    pub(super) async fn send<R: ExportRequest>(&self, request: &R) -> AttemptOutcome {
        let body = if self.json {
            match request.json() {
                Ok(body) => Bytes::from(body),
                Err(e) => {
                    return AttemptOutcome::Failed(SendError::new(
                        ErrorKind::Transport,
                        format!("cannot encode the request as OTLP JSON: {e}"),
                        false,
                    ))
                }
            }
        } else {
            request.protobuf()
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
        let mut http_request = Request::new(Full::new(body));
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
        let body = match Limited::new(body, MAX_RESPONSE_BODY).collect().await {
            Ok(collected) => collected.to_bytes(),
            // An OTLP response is a few bytes: a huge body is something else (an answer of ours or not, a success
            // it is not).
            Err(e) if e.is::<LengthLimitError>() && parts.status.is_success() => {
                return AttemptOutcome::Failed(SendError::new(
                    ErrorKind::InvalidResponse,
                    format!("HTTP {} with a body over {MAX_RESPONSE_BODY} bytes: not an OTLP response", parts.status),
                    false,
                ))
            }
            // A body that cannot be read leaves an empty one: the status still says what happened.
            Err(_) => Bytes::new(),
        };
        let outcome =
            classify_response_for(self.signal, parts.status, &parts.headers, &body, self.json, SystemTime::now());
        match (outcome, &self.forward_proxy) {
            // The forward proxy's own refusal of our credentials: say which proxy.
            (AttemptOutcome::Failed(mut error), Some(proxy))
                if parts.status == StatusCode::PROXY_AUTHENTICATION_REQUIRED =>
            {
                error.kind = ErrorKind::Proxy;
                error.message = format!("proxy {proxy}: {} (check the credentials in the proxy URL)", error.message);
                AttemptOutcome::Failed(error)
            }
            (outcome, _) => outcome,
        }
    }
}

/// The body compressed as configured, and its `Content-Encoding`.
fn compress(compression: Compression, body: Bytes) -> std::io::Result<(Bytes, Option<&'static str>)> {
    match compression {
        Compression::None => Ok((body, None)),
        Compression::Gzip => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::default());
            encoder.write_all(&body)?;
            Ok((encoder.finish()?.into(), Some("gzip")))
        }
        #[cfg(feature = "zstd")]
        Compression::Zstd => Ok((zstd::bulk::compress(&body, zstd::DEFAULT_COMPRESSION_LEVEL)?.into(), Some("zstd"))),
        // Not reached: `features::check` refuses zstd without the feature.
        #[cfg(not(feature = "zstd"))]
        Compression::Zstd => Err(std::io::Error::other(super::features::Feature::Zstd.left_out())),
        _ => Ok((body, None)), // a compression otel-config knows and this client does not: sent uncompressed
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

/// The spec's classification of an OTLP/HTTP trace response (see [`classify_http_response`]).
#[cfg(all(test, feature = "grpc", feature = "tls", feature = "zstd"))] // for transport/tests.rs
pub(super) fn classify_response(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    json_request: bool,
    now: SystemTime,
) -> AttemptOutcome {
    classify_response_for(Signal::Traces, status, headers, body, json_request, now)
}

/// The spec's classification of an OTLP/HTTP response of `signal`'s service (see [`classify_http_response_for`]).
pub(super) fn classify_response_for(
    signal: Signal,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    json_request: bool,
    now: SystemTime,
) -> AttemptOutcome {
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    classify_http_response_for(signal, status.as_u16(), text(CONTENT_TYPE), text(RETRY_AFTER), body, json_request, now)
}

/// [`classify_http_response_for`] a trace response.
pub(crate) fn classify_http_response(
    status: u16,
    content_type: Option<&str>,
    retry_after: Option<&str>,
    body: &[u8],
    json_request: bool,
    now: SystemTime,
) -> AttemptOutcome {
    classify_http_response_for(Signal::Traces, status, content_type, retry_after, body, json_request, now)
}

/// The spec's classification of an OTLP/HTTP response from its parts: the status code (any number), the
/// `Content-Type` and `Retry-After` values if present, the body (already bounded by the caller), the request's
/// encoding (the body's when the response does not say) and the current time (for an HTTP-date `Retry-After`).
/// A 2xx is a success only with an empty body or the OTLP `Export…ServiceResponse` of `signal` in the declared
/// encoding;
/// anything else (a captive portal's page, ...) is [`ErrorKind::InvalidResponse`]. Pure, total and bounded: a fuzz
/// target can call it with anything.
pub(crate) fn classify_http_response_for(
    signal: Signal,
    status: u16,
    content_type: Option<&str>,
    retry_after: Option<&str>,
    body: &[u8],
    json_request: bool,
    now: SystemTime,
) -> AttemptOutcome {
    let media_type = content_type.map(|t| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let encoding = match media_type.as_deref() {
        Some(JSON) => Some(true),
        Some(PROTOBUF) | Some("application/protobuf") => Some(false),
        // None or a type that says nothing (`application/octet-stream`, ...): as the request.
        None | Some("") | Some("application/octet-stream") => Some(json_request),
        // Not an OTLP body (text/html, text/plain, ...).
        Some(_) => None,
    };
    if (200..300).contains(&status) {
        if body.is_empty() {
            // The spec allows an empty body for a full success.
            return AttemptOutcome::Accepted;
        }
        return match encoding.and_then(|json| decode_partial(signal, body, json)) {
            Some((rejected, message)) => partial_outcome(signal, rejected, &message),
            None => AttemptOutcome::Failed(invalid_response(status, content_type, body)),
        };
    }
    let server_message = match encoding {
        Some(json) => decode_status_message(body, json).unwrap_or_default(),
        // A proxy's or load balancer's text: only used as the error's text.
        None => String::from_utf8_lossy(&body[..body.len().min(4 * MAX_SERVER_EXCERPT)]).into_owned(),
    };
    classify_status(status, retry_after, &server_message, now)
}

/// Body excerpts in messages are cut to this many characters.
const MAX_SERVER_EXCERPT: usize = 120;

/// A 2xx that is not an OTLP response: not retryable (the same request would get the same page), and the message
/// says what came instead.
fn invalid_response(status: u16, content_type: Option<&str>, body: &[u8]) -> SendError {
    let head = String::from_utf8_lossy(&body[..body.len().min(4 * MAX_SERVER_EXCERPT)]);
    // One line of printable text: a page's newlines and control bytes would garble an alert.
    let mut excerpt = String::new();
    for c in head.chars() {
        if excerpt.chars().count() >= MAX_SERVER_EXCERPT {
            excerpt.push('…');
            break;
        }
        let c = if c.is_control() || c.is_whitespace() { ' ' } else { c };
        if !(c == ' ' && excerpt.ends_with(' ')) {
            excerpt.push(c);
        }
    }
    let content_type: String = content_type.unwrap_or("none").chars().filter(|c| !c.is_control()).take(100).collect();
    SendError::new(
        ErrorKind::InvalidResponse,
        format!(
            "HTTP {status} but not an OTLP response (content-type {content_type}, {} bytes): {}",
            body.len(),
            excerpt.trim()
        ),
        false,
    )
}

fn classify_status(status: u16, retry_after: Option<&str>, server_message: &str, now: SystemTime) -> AttemptOutcome {
    let reason = StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    let mut message = format!("HTTP {status} {reason}").trim_end().to_string();
    let server_message = server_message.trim();
    if !server_message.is_empty() {
        message = format!("{message}: {}", truncate(server_message));
    }
    let retryable = matches!(status, 429 | 502 | 503 | 504);
    let retry_after = if retryable { retry_after.and_then(|v| parse_retry_after(v, now)) } else { None };
    AttemptOutcome::Failed(SendError { kind: ErrorKind::HttpStatus(status), message, retryable, retry_after })
}

/// `Retry-After`: delta-seconds or an HTTP-date (a date in the past means now). Anything else (negative, fractional,
/// garbage) is `None`; huge values saturate at [`MAX_RETRY_DELAY`]. Pure and total.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds).min(MAX_RETRY_DELAY));
    }
    if value.len() > 64 {
        // An HTTP-date is 29 characters: no need to parse a longer text.
        return None;
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO).min(MAX_RETRY_DELAY))
}

/// `partial_success` of a response body of `signal`'s service: `(rejected, error_message)`, `(0, "")` for a
/// response without one; `None` when the body is not that response in that encoding.
fn decode_partial(signal: Signal, body: &[u8], json: bool) -> Option<(i64, String)> {
    if json {
        // Read by hand: int64 may come as a JSON number or a decimal string (proto3 JSON mapping).
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        let partial = match value.as_object()?.get("partialSuccess") {
            None | Some(serde_json::Value::Null) => return Some((0, String::new())),
            Some(partial) => partial.as_object()?,
        };
        let rejected = match partial.get(json_rejected_field(signal)) {
            Some(serde_json::Value::Number(n)) => n.as_i64().unwrap_or(0),
            Some(serde_json::Value::String(s)) => s.trim().parse().unwrap_or(0),
            _ => 0,
        };
        let message = partial.get("errorMessage").and_then(|m| m.as_str()).unwrap_or("").to_string();
        Some((rejected, message))
    } else {
        decode_protobuf_partial(signal, body)
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
        RpcStatus::decode(body).ok().map(|status| status.message)
    }
}

/// `google.rpc.Status`, the body of OTLP/HTTP error responses: only its `message` (field 2) is read, prost skips
/// the others. Declared here rather than taken from tonic-types, which would bring tonic into builds without gRPC.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(string, tag = "2")]
    message: String,
}
