//! The OTLP/HTTP service (hyper, HTTP/1.1): protobuf and JSON bodies, gzip.

use super::faults::{partial_response, Answer, REJECT_MESSAGE, UNAVAILABLE_MESSAGE};
use super::state::Shared;
use super::types::Protocol;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};
use http_body_util::{BodyExt, Full};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use prost::Message;
use std::convert::Infallible;
use std::io::Read;
use std::sync::Arc;

type HttpResponse = http::Response<Full<Bytes>>;

/// Serves OTLP/HTTP on `listener` until the runtime is dropped.
pub(super) async fn serve_http(listener: std::net::TcpListener, shared: Arc<Shared>, path: Arc<str>) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(e) => return shared.invalid(None, format!("HTTP server could not start: {e}")),
    };
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => continue, // e.g. too many open files: try again
        };
        let (shared, path) = (shared.clone(), path.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let (shared, path) = (shared.clone(), path.clone());
                async move { Ok::<_, Infallible>(handle_http(&shared, &path, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle_http(
    shared: &Shared,
    expected_path: &str,
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
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return invalid(shared, protocol, StatusCode::BAD_REQUEST, format!("cannot read the body: {e}")),
    };
    let path = parts.uri.path().to_string();
    if path != expected_path {
        return invalid(
            shared,
            protocol,
            StatusCode::NOT_FOUND,
            format!("{} {path}: no such path (expected {expected_path})", parts.method),
        );
    }
    if parts.method != http::Method::POST {
        return invalid(
            shared,
            protocol,
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{} {path}: only POST", parts.method),
        );
    }
    let Some(protocol) = protocol else {
        return invalid(
            shared,
            None,
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
                return invalid(shared, Some(protocol), StatusCode::BAD_REQUEST, format!("bad gzip body: {e}"));
            }
            out
        }
        other => {
            return invalid(
                shared,
                Some(protocol),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("unsupported Content-Encoding {other:?}"),
            )
        }
    };
    let decoded = match protocol {
        Protocol::HttpJson => serde_json::from_slice::<ExportTraceServiceRequest>(&body).map_err(|e| e.to_string()),
        _ => ExportTraceServiceRequest::decode(&body[..]).map_err(|e| e.to_string()),
    };
    let decoded = match decoded {
        Ok(decoded) => decoded,
        Err(e) => {
            return invalid(
                shared,
                Some(protocol),
                StatusCode::BAD_REQUEST,
                format!("undecodable {protocol} body: {e}"),
            )
        }
    };
    match shared.handle(protocol, path, parts.headers, decoded).await {
        Answer::Accept => encoded(protocol, StatusCode::OK, &ExportTraceServiceResponse { partial_success: None }),
        Answer::Partial(rejected) => encoded(protocol, StatusCode::OK, &partial_response(rejected)),
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
    }
}

fn header(headers: &HeaderMap, name: http::header::HeaderName) -> String {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").trim().to_string()
}

fn invalid(shared: &Shared, protocol: Option<Protocol>, status: StatusCode, why: String) -> HttpResponse {
    shared.invalid(protocol, why.clone());
    let mut response = http::Response::new(Full::new(Bytes::from(why)));
    *response.status_mut() = status;
    response.headers_mut().insert(http::header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

fn encoded(protocol: Protocol, status: StatusCode, message: &ExportTraceServiceResponse) -> HttpResponse {
    let body = match protocol {
        Protocol::HttpJson => serde_json::to_vec(message).expect("a response serializes"),
        _ => message.encode_to_vec(),
    };
    response(protocol, status, body)
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
