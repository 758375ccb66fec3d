//! The OTLP/HTTP service (hyper, HTTP/1.1): traces, logs and metrics, each on its path, protobuf and JSON bodies,
//! gzip.

use super::export::Export;
use super::faults::{Answer, GARBAGE_JSON, GARBAGE_PROTOBUF, REJECT_MESSAGE, UNAVAILABLE_MESSAGE};
use super::state::Shared;
use super::types::{Protocol, Signal};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};
use http_body_util::{BodyExt, Full};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use std::convert::Infallible;
use std::io::Read;
use std::sync::Arc;

type HttpResponse = http::Response<Full<Bytes>>;

/// The HTTP path of each signal, indexed by [`Signal::index`].
pub(super) type HttpPaths = [String; 3];

/// Serves OTLP/HTTP on `listener`, each signal on its path of `paths`, until the runtime is dropped.
pub(super) async fn serve_http(listener: std::net::TcpListener, shared: Arc<Shared>, paths: Arc<HttpPaths>) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(e) => return shared.invalid(None, None, format!("HTTP server could not start: {e}")),
    };
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => continue, // e.g. too many open files: try again
        };
        let (shared, paths) = (shared.clone(), paths.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let (shared, paths) = (shared.clone(), paths.clone());
                async move { Ok::<_, Infallible>(handle_http(&shared, &paths, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle_http(
    shared: &Shared,
    paths: &HttpPaths,
    request: http::Request<hyper::body::Incoming>,
) -> HttpResponse {
    let (parts, body) = request.into_parts();
    let content_type = header(&parts.headers, http::header::CONTENT_TYPE).to_ascii_lowercase();
    let protocol =
        if content_type.starts_with("application/x-protobuf") || content_type.starts_with("application/protobuf") {
            Some(Protocol::HttpProtobuf)
        } else if content_type.starts_with("application/json") {
            Some(Protocol::HttpJson)
        } else {
            None
        };
    let path = parts.uri.path().to_string();
    let signal = Signal::ALL.into_iter().find(|s| paths[s.index()] == path);
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            return invalid(shared, protocol, signal, StatusCode::BAD_REQUEST, format!("cannot read the body: {e}"))
        }
    };
    let Some(signal) = signal else {
        return invalid(
            shared,
            protocol,
            None,
            StatusCode::NOT_FOUND,
            format!("{} {path}: no such path (expected one of {paths:?})", parts.method),
        );
    };
    if parts.method != http::Method::POST {
        return invalid(
            shared,
            protocol,
            Some(signal),
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{} {path}: only POST", parts.method),
        );
    }
    let Some(protocol) = protocol else {
        return invalid(
            shared,
            None,
            Some(signal),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("unsupported Content-Type {content_type:?}"),
        );
    };
    let encoding = header(&parts.headers, http::header::CONTENT_ENCODING).to_ascii_lowercase();
    let body = match encoding.as_str() {
        "" | "identity" => body.to_vec(),
        "gzip" | "x-gzip" => {
            let mut out = Vec::new();
            if let Err(e) = flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut out) {
                return invalid(
                    shared,
                    Some(protocol),
                    Some(signal),
                    StatusCode::BAD_REQUEST,
                    format!("bad gzip body: {e}"),
                );
            }
            out
        }
        other => {
            return invalid(
                shared,
                Some(protocol),
                Some(signal),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("unsupported Content-Encoding {other:?}"),
            )
        }
    };
    match signal {
        Signal::Traces => export::<ExportTraceServiceRequest>(shared, protocol, path, parts.headers, &body).await,
        Signal::Logs => export::<ExportLogsServiceRequest>(shared, protocol, path, parts.headers, &body).await,
        Signal::Metrics => export::<ExportMetricsServiceRequest>(shared, protocol, path, parts.headers, &body).await,
    }
}

/// Decodes the (decompressed) body as an `R`, records it and answers as its signal's behavior says.
async fn export<R: Export>(
    shared: &Shared,
    protocol: Protocol,
    path: String,
    headers: HeaderMap,
    body: &[u8],
) -> HttpResponse {
    let decoded = match protocol {
        Protocol::HttpJson => R::from_json(body),
        _ => R::decode(body).map_err(|e| e.to_string()),
    };
    let decoded = match decoded {
        Ok(decoded) => decoded,
        Err(e) => {
            return invalid(
                shared,
                Some(protocol),
                Some(R::SIGNAL),
                StatusCode::BAD_REQUEST,
                format!("undecodable {protocol} {} body: {e}", R::SIGNAL),
            )
        }
    };
    match shared.handle(protocol, path, headers, decoded).await {
        Answer::Accept => encoded::<R>(protocol, &R::response(None)),
        Answer::Partial(rejected) => encoded::<R>(protocol, &R::response(Some(rejected))),
        Answer::Unavailable(delay) => {
            let mut response =
                status_body(protocol, StatusCode::SERVICE_UNAVAILABLE, tonic::Code::Unavailable, UNAVAILABLE_MESSAGE);
            if let Some(delay) = delay {
                let seconds = delay.as_secs() + u64::from(delay.subsec_nanos() > 0);
                response.headers_mut().insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
        Answer::Reject => status_body(protocol, StatusCode::BAD_REQUEST, tonic::Code::InvalidArgument, REJECT_MESSAGE),
        Answer::Garbage => {
            let body = if protocol == Protocol::HttpJson { GARBAGE_JSON } else { GARBAGE_PROTOBUF };
            response(protocol, StatusCode::OK, body.to_vec())
        }
    }
}

fn header(headers: &HeaderMap, name: http::header::HeaderName) -> String {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").trim().to_string()
}

fn invalid(
    shared: &Shared,
    protocol: Option<Protocol>,
    signal: Option<Signal>,
    status: StatusCode,
    why: String,
) -> HttpResponse {
    shared.invalid(protocol, signal, why.clone());
    let mut response = http::Response::new(Full::new(Bytes::from(why)));
    *response.status_mut() = status;
    response.headers_mut().insert(http::header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

fn encoded<R: Export>(protocol: Protocol, message: &R::Response) -> HttpResponse {
    let body = match protocol {
        Protocol::HttpJson => R::response_json(message),
        _ => message.encode_to_vec(),
    };
    response(protocol, StatusCode::OK, body)
}

fn status_body(protocol: Protocol, status: StatusCode, code: tonic::Code, message: &str) -> HttpResponse {
    let body = match protocol {
        Protocol::HttpJson => serde_json::json!({ "code": code as i32, "message": message }).to_string().into_bytes(),
        // `google.rpc.Status`, the body of OTLP/HTTP error responses.
        _ => tonic_types::Status { code: code as i32, message: message.to_string(), details: vec![] }.encode_to_vec(),
    };
    response(protocol, status, body)
}

fn response(protocol: Protocol, status: StatusCode, body: Vec<u8>) -> HttpResponse {
    let mut response = http::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(http::header::CONTENT_TYPE, HeaderValue::from_static(protocol.content_type()));
    response
}
