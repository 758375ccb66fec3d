//! Transport tests: every outcome against the in-process receiver of `otel-testkit`, for each protocol (gRPC,
//! HTTP/protobuf, HTTP/JSON); zstd over HTTP and TLS against small servers of our own (the receiver speaks neither);
//! build errors; the classification tables (gRPC codes, HTTP statuses, Retry-After) on their own.

use super::{grpc_client, http_client, AttemptOutcome, SendError, Transport};
use crate::health::ErrorKind;
use http::{HeaderMap, HeaderValue, StatusCode};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use otel_config::{Compression, ExporterConfig, Headers, Protocol};
use otel_testkit::{client, unused_port, Behavior, Receiver};
use prost::Message;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Generous: only reached when something is wrong.
const LIMIT: Duration = Duration::from_secs(10);

fn testdata(file: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src/transport/testdata")).join(file)
}

fn config(protocol: Protocol, url: String) -> ExporterConfig {
    ExporterConfig { protocol, traces_endpoint: Some(url), timeout: LIMIT, ..Default::default() }
}

fn url(receiver: &Receiver, protocol: Protocol) -> String {
    match protocol {
        Protocol::Grpc => receiver.grpc_endpoint(),
        _ => receiver.http_traces_url(),
    }
}

fn testkit_protocol(protocol: Protocol) -> otel_testkit::Protocol {
    match protocol {
        Protocol::Grpc => otel_testkit::Protocol::Grpc,
        Protocol::HttpProtobuf => otel_testkit::Protocol::HttpProtobuf,
        Protocol::HttpJson => otel_testkit::Protocol::HttpJson,
        other => panic!("not an OTLP protocol: {other}"),
    }
}

fn build(config: &ExporterConfig) -> Transport {
    Transport::build(config).unwrap_or_else(|e| panic!("build failed: {e}"))
}

fn sample() -> ExportTraceServiceRequest {
    client::sample_request("transport-test", &["root", "child"])
}

#[track_caller]
fn failed(outcome: AttemptOutcome) -> SendError {
    match outcome {
        AttemptOutcome::Failed(error) => error,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[track_caller]
fn build_error(config: &ExporterConfig) -> String {
    match Transport::build(config) {
        Ok(transport) => panic!("expected a build error, got {transport:?}"),
        Err(e) => e.0,
    }
}

/// One `#[tokio::test]` per protocol for `async fn $name(protocol: Protocol)`.
macro_rules! per_protocol {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            use otel_config::Protocol;
            #[tokio::test]
            async fn grpc() {
                super::$name(Protocol::Grpc).await
            }
            #[tokio::test]
            async fn http_protobuf() {
                super::$name(Protocol::HttpProtobuf).await
            }
            #[tokio::test]
            async fn http_json() {
                super::$name(Protocol::HttpJson).await
            }
        }
    )+};
}

per_protocol!(
    accepted,
    unavailable_with_retry_delay,
    unavailable_without_retry_delay,
    rejected,
    partial_success,
    stall_times_out_then_recovers,
    refused,
    dns_failure,
    headers_arrive_and_stay_secret,
    gzip_arrives_decoded,
    no_timeout_means_no_limit,
);

// ------------------------------------------------------------------------------------------- against the receiver

async fn accepted(protocol: Protocol) {
    let receiver = Receiver::start().await;
    let url = url(&receiver, protocol);
    let transport = build(&config(protocol, url.clone()));
    assert_eq!(transport.endpoint(), url);
    let outcome = transport.send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");

    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].protocol, testkit_protocol(protocol));
    assert_eq!(requests[0].compression(), None);
    let user_agent = requests[0].header("user-agent").unwrap_or_default();
    assert!(user_agent.starts_with("otel-rust/"), "user-agent {user_agent:?}");
    let spans = receiver.spans();
    assert_eq!(spans.len(), 2, "{spans:?}");
    assert_eq!((spans[0].name.as_str(), spans[1].name.as_str()), ("root", "child"));
    assert!(spans[1].is_child_of(&spans[0]));
    assert_eq!(spans[0].kind, "SPAN_KIND_SERVER");
    assert_eq!(spans[1].attribute("index"), Some("1"));
    assert_eq!(spans[1].attribute("test.kind"), Some("sample"));
    assert_eq!(spans[0].resource_attribute("service.name"), Some("transport-test"));
    assert_eq!(spans[0].events.len(), 1);
    assert_eq!(spans[0].events[0].attributes.get("event.detail").map(String::as_str), Some("something happened"));
    let request = sample();
    let sent = &request.resource_spans[0].scope_spans[0].spans[0];
    assert_eq!(
        spans[0].end_time_unix_nano - spans[0].start_time_unix_nano,
        sent.end_time_unix_nano - sent.start_time_unix_nano
    );
}

async fn unavailable_with_retry_delay(protocol: Protocol) {
    let receiver = Receiver::start().await;
    receiver.set_behavior(Behavior::Unavailable { times: 1, retry_after: Some(Duration::from_millis(1500)) });
    let transport = build(&config(protocol, url(&receiver, protocol)));
    let error = failed(transport.send(&sample(), LIMIT).await);
    assert!(error.retryable, "{error:?}");
    match protocol {
        Protocol::Grpc => {
            assert_eq!(error.kind, ErrorKind::GrpcCode("UNAVAILABLE"));
            // RetryInfo carries the exact delay.
            assert_eq!(error.retry_after, Some(Duration::from_millis(1500)));
            assert_eq!(error.message, "gRPC status UNAVAILABLE: otel-testkit receiver: unavailable (injected failure)");
        }
        _ => {
            assert_eq!(error.kind, ErrorKind::HttpStatus(503));
            // Retry-After: 2 (whole seconds, rounded up by the receiver).
            assert_eq!(error.retry_after, Some(Duration::from_secs(2)));
            assert_eq!(
                error.message,
                "HTTP 503 Service Unavailable: otel-testkit receiver: unavailable (injected failure)"
            );
        }
    }
    assert_eq!(receiver.span_count(), 0);
    // The same transport works once the collector is back.
    let outcome = transport.send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
    assert_eq!(receiver.span_count(), 2);
    assert_eq!(receiver.attempts(), 2);
}

async fn unavailable_without_retry_delay(protocol: Protocol) {
    let receiver = Receiver::start().await;
    receiver.set_behavior(Behavior::Unavailable { times: usize::MAX, retry_after: None });
    let transport = build(&config(protocol, url(&receiver, protocol)));
    let error = failed(transport.send(&sample(), LIMIT).await);
    assert!(error.retryable, "{error:?}");
    assert_eq!(error.retry_after, None);
    let expected =
        if protocol == Protocol::Grpc { ErrorKind::GrpcCode("UNAVAILABLE") } else { ErrorKind::HttpStatus(503) };
    assert_eq!(error.kind, expected);
}

async fn rejected(protocol: Protocol) {
    let receiver = Receiver::start().await;
    receiver.set_behavior(Behavior::Reject);
    let transport = build(&config(protocol, url(&receiver, protocol)));
    let error = failed(transport.send(&sample(), LIMIT).await);
    assert!(!error.retryable, "{error:?}");
    assert_eq!(error.retry_after, None);
    match protocol {
        Protocol::Grpc => {
            assert_eq!(error.kind, ErrorKind::GrpcCode("INVALID_ARGUMENT"));
            assert_eq!(
                error.message,
                "gRPC status INVALID_ARGUMENT: otel-testkit receiver: request rejected (injected failure)"
            );
        }
        _ => {
            assert_eq!(error.kind, ErrorKind::HttpStatus(400));
            assert_eq!(
                error.message,
                "HTTP 400 Bad Request: otel-testkit receiver: request rejected (injected failure)"
            );
        }
    }
    assert_eq!(receiver.attempts(), 1);
}

async fn partial_success(protocol: Protocol) {
    let receiver = Receiver::start().await;
    receiver.set_behavior(Behavior::PartialSuccess { rejected_per_request: 3 });
    let transport = build(&config(protocol, url(&receiver, protocol)));
    match transport.send(&sample(), LIMIT).await {
        AttemptOutcome::PartiallyAccepted { rejected, message } => {
            assert_eq!(rejected, 3);
            assert_eq!(
                message,
                "3 spans rejected by the collector: otel-testkit receiver: 3 spans rejected (injected partial success)"
            );
        }
        other => panic!("expected a partial success, got {other:?}"),
    }
    assert_eq!(receiver.span_count(), 2);
}

async fn stall_times_out_then_recovers(protocol: Protocol) {
    let receiver = Receiver::start().await;
    receiver.set_behavior(Behavior::Stall);
    let transport = build(&config(protocol, url(&receiver, protocol)));
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let error = failed(transport.send(&sample(), timeout).await);
    let elapsed = started.elapsed();
    assert_eq!(error.kind, ErrorKind::Timeout, "{error:?}");
    assert!(error.retryable);
    assert_eq!(error.message, "no response within 300ms");
    assert!(elapsed >= timeout && elapsed < timeout + Duration::from_secs(2), "took {elapsed:?}");
    // The request did reach the (hung) collector: the timeout is the stall's, not a connection problem's.
    receiver.wait_for_attempts(1, LIMIT).await.unwrap();
    // The attempt was dropped mid-flight (cancelled by the timeout): the transport is still usable.
    receiver.set_behavior(Behavior::Accept);
    let outcome = transport.send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
}

async fn refused(protocol: Protocol) {
    let port = unused_port();
    let url = match protocol {
        Protocol::Grpc => format!("http://127.0.0.1:{port}"),
        _ => format!("http://127.0.0.1:{port}/v1/traces"),
    };
    // Building never connects: a collector that is down does not fail the build.
    let transport = build(&config(protocol, url));
    let error = failed(transport.send(&sample(), LIMIT).await);
    assert_eq!(error.kind, ErrorKind::Refused, "{error:?}");
    assert_eq!(error.message, "connection refused");
    assert!(error.retryable);
    assert_eq!(error.retry_after, None);
}

async fn dns_failure(protocol: Protocol) {
    // `.invalid` never resolves (RFC 6761).
    let url = match protocol {
        Protocol::Grpc => "http://otel-transport-test.invalid:4317".to_string(),
        _ => "http://otel-transport-test.invalid:4318/v1/traces".to_string(),
    };
    let transport = build(&config(protocol, url));
    let error = failed(transport.send(&sample(), LIMIT).await);
    assert_eq!(error.kind, ErrorKind::Dns, "{error:?}");
    assert!(error.message.starts_with("DNS lookup failed"), "{}", error.message);
    assert!(error.retryable);
}

async fn headers_arrive_and_stay_secret(protocol: Protocol) {
    let receiver = Receiver::start().await;
    let mut config = config(protocol, url(&receiver, protocol));
    config.headers = Headers::from_iter([("x-api-key", "s3cret-value"), ("X-Team", "core")]);
    let transport = build(&config);
    let outcome = transport.send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
    let requests = receiver.requests();
    assert_eq!(requests[0].header("x-api-key"), Some("s3cret-value"));
    assert_eq!(requests[0].header("x-team"), Some("core"));
    let debug = format!("{transport:?}");
    assert!(debug.contains("x-api-key") && !debug.contains("s3cret"), "{debug}");
}

async fn gzip_arrives_decoded(protocol: Protocol) {
    let receiver = Receiver::start().await;
    let mut config = config(protocol, url(&receiver, protocol));
    config.compression = Compression::Gzip;
    let transport = build(&config);
    let outcome = transport.send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
    let requests = receiver.requests();
    assert_eq!(requests[0].compression(), Some("gzip"));
    assert_eq!(requests[0].spans().len(), 2);
    assert_eq!(requests[0].spans()[1].attribute("test.kind"), Some("sample"));
}

async fn no_timeout_means_no_limit(protocol: Protocol) {
    let receiver = Receiver::start().await;
    receiver.set_behavior(Behavior::Stall);
    let transport = build(&config(protocol, url(&receiver, protocol)));
    let request = sample();
    let send = transport.send(&request, Duration::ZERO);
    tokio::pin!(send);
    // Still waiting once the collector holds the request: no deadline of ours fired.
    tokio::select! {
        outcome = &mut send => panic!("finished while the collector stalls: {outcome:?}"),
        attempts = receiver.wait_for_attempts(1, LIMIT) => { attempts.unwrap(); }
    }
    receiver.set_behavior(Behavior::Accept);
    let outcome = send.await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
}

#[tokio::test]
async fn grpc_zstd_arrives_decoded() {
    let receiver = Receiver::start().await;
    let mut config = config(Protocol::Grpc, receiver.grpc_endpoint());
    config.compression = Compression::Zstd;
    let outcome = build(&config).send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
    let requests = receiver.requests();
    assert_eq!(requests[0].compression(), Some("zstd"));
    assert_eq!(requests[0].spans().len(), 2);
}

#[tokio::test]
async fn grpc_endpoint_without_scheme_is_https_unless_insecure() {
    let receiver = Receiver::start().await;
    let address = receiver.grpc_addr().to_string();
    // https to a plaintext gRPC server: a TLS failure (the endpoint was not taken as http).
    let mut config = ExporterConfig {
        protocol: Protocol::Grpc,
        endpoint: Some(address.clone()),
        certificate: Some(testdata("ca.pem")),
        ..Default::default()
    };
    let transport = build(&config);
    assert_eq!(transport.endpoint(), format!("https://{address}"));
    let error = failed(transport.send(&sample(), LIMIT).await);
    assert_eq!(error.kind, ErrorKind::Tls, "{error:?}");
    config.insecure = true;
    let transport = build(&config);
    assert_eq!(transport.endpoint(), format!("http://{address}"));
    let outcome = transport.send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
}

// ----------------------------------------------------------------- zstd over HTTP and TLS: small servers of our own

mod servers {
    use super::testdata;
    use bytes::Bytes;
    use http::HeaderMap;
    use http_body_util::{BodyExt, Full};
    use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
    use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
    use prost::Message;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use std::io::Read;
    use std::sync::Arc;
    use tokio::sync::mpsc;

    /// A request one of our servers received: its headers and decoded body.
    pub(super) struct Got {
        pub(super) headers: HeaderMap,
        pub(super) request: ExportTraceServiceRequest,
    }

    pub(super) struct Server {
        pub(super) port: u16,
        pub(super) got: mpsc::UnboundedReceiver<Got>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for Server {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    fn certs(file: &str) -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_file_iter(testdata(file)).unwrap().collect::<Result<_, _>>().unwrap()
    }

    fn key(file: &str) -> PrivateKeyDer<'static> {
        PrivateKeyDer::from_pem_file(testdata(file)).unwrap()
    }

    /// A rustls server config with the test server certificate (localhost, 127.0.0.1), requiring a client
    /// certificate signed by the test CA when `mtls`.
    fn server_tls(mtls: bool, alpn: &[u8]) -> rustls::ServerConfig {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if mtls {
            let mut roots = rustls::RootCertStore::empty();
            roots.add_parsable_certificates(certs("ca.pem"));
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider).build().unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let mut config = builder.with_single_cert(certs("server.pem"), key("server.key")).unwrap();
        config.alpn_protocols = vec![alpn.to_vec()];
        config
    }

    /// An OTLP/HTTP server (HTTP/1.1) on 127.0.0.1 accepting identity, gzip and zstd bodies, over TLS when `tls`.
    pub(super) async fn http(tls: Option<bool>) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let acceptor = tls.map(|mtls| tokio_rustls::TlsAcceptor::from(Arc::new(server_tls(mtls, b"http/1.1"))));
        let (tx, got) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let (tx, acceptor) = (tx.clone(), acceptor.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| handle(request, tx.clone()));
                    let http = hyper::server::conn::http1::Builder::new();
                    match acceptor {
                        Some(acceptor) => {
                            // A failed handshake (e.g. no client certificate) just closes the connection.
                            if let Ok(stream) = acceptor.accept(stream).await {
                                let _ = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service).await;
                            }
                        }
                        None => {
                            let _ = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service).await;
                        }
                    }
                });
            }
        });
        Server { port, got, task }
    }

    async fn handle(
        request: http::Request<hyper::body::Incoming>,
        tx: mpsc::UnboundedSender<Got>,
    ) -> Result<http::Response<Full<Bytes>>, std::convert::Infallible> {
        let (parts, body) = request.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        let header = |name| parts.headers.get(name).and_then(|v: &http::HeaderValue| v.to_str().ok()).unwrap_or("");
        let body = match header(http::header::CONTENT_ENCODING) {
            "zstd" => zstd::decode_all(&body[..]).unwrap(),
            "gzip" => {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut out).unwrap();
                out
            }
            _ => body.to_vec(),
        };
        let request = if header(http::header::CONTENT_TYPE) == "application/json" {
            serde_json::from_slice(&body).unwrap()
        } else {
            ExportTraceServiceRequest::decode(&body[..]).unwrap()
        };
        let _ = tx.send(Got { headers: parts.headers.clone(), request });
        let mut response = http::Response::new(Full::new(Bytes::from(
            ExportTraceServiceResponse { partial_success: None }.encode_to_vec(),
        )));
        response.headers_mut().insert(http::header::CONTENT_TYPE, "application/x-protobuf".parse().unwrap());
        Ok(response)
    }

    struct Collector(mpsc::UnboundedSender<Got>);

    #[tonic::async_trait]
    impl TraceService for Collector {
        async fn export(
            &self,
            request: tonic::Request<ExportTraceServiceRequest>,
        ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
            let headers = request.metadata().clone().into_headers();
            let _ = self.0.send(Got { headers, request: request.into_inner() });
            Ok(tonic::Response::new(ExportTraceServiceResponse { partial_success: None }))
        }
    }

    /// An OTLP/gRPC server over TLS on 127.0.0.1 (client certificate required when `mtls`).
    pub(super) async fn grpc_tls(mtls: bool) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let read = |file| std::fs::read(testdata(file)).unwrap();
        let mut tls = tonic::transport::ServerTlsConfig::new()
            .identity(tonic::transport::Identity::from_pem(read("server.pem"), read("server.key")));
        if mtls {
            tls = tls.client_ca_root(tonic::transport::Certificate::from_pem(read("ca.pem")));
        }
        let (tx, got) = mpsc::unbounded_channel();
        let server = tonic::transport::Server::builder().tls_config(tls).unwrap().add_service(
            TraceServiceServer::new(Collector(tx))
                .accept_compressed(tonic::codec::CompressionEncoding::Gzip)
                .accept_compressed(tonic::codec::CompressionEncoding::Zstd),
        );
        let incoming = tonic::transport::server::TcpIncoming::from(listener);
        let task = tokio::spawn(async move {
            let _ = server.serve_with_incoming(incoming).await;
        });
        Server { port, got, task }
    }
}

#[tokio::test]
async fn http_zstd_arrives_decoded() {
    for protocol in [Protocol::HttpProtobuf, Protocol::HttpJson] {
        let mut server = servers::http(None).await;
        let mut config = config(protocol, format!("http://127.0.0.1:{}/v1/traces", server.port));
        config.compression = Compression::Zstd;
        let outcome = build(&config).send(&sample(), LIMIT).await;
        assert!(matches!(outcome, AttemptOutcome::Accepted), "{protocol}: {outcome:?}");
        let got = server.got.recv().await.unwrap();
        assert_eq!(got.headers.get("content-encoding").unwrap(), "zstd");
        assert_eq!(got.request, sample_without_ids(&got.request));
    }
}

/// `sample()` with the ids (random) and times of `received`, for comparing everything else.
fn sample_without_ids(received: &ExportTraceServiceRequest) -> ExportTraceServiceRequest {
    let mut expected = sample();
    let (got, want) =
        (&received.resource_spans[0].scope_spans[0].spans, &mut expected.resource_spans[0].scope_spans[0].spans);
    assert_eq!(got.len(), want.len());
    for (want, got) in want.iter_mut().zip(got) {
        want.trace_id = got.trace_id.clone();
        want.span_id = got.span_id.clone();
        want.parent_span_id = got.parent_span_id.clone();
        want.start_time_unix_nano = got.start_time_unix_nano;
        want.end_time_unix_nano = got.end_time_unix_nano;
        for (want, got) in want.events.iter_mut().zip(&got.events) {
            want.time_unix_nano = got.time_unix_nano;
        }
    }
    expected
}

#[tokio::test]
async fn tls_with_the_configured_ca() {
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf, Protocol::HttpJson] {
        let mut server =
            if protocol == Protocol::Grpc { servers::grpc_tls(false).await } else { servers::http(Some(false)).await };
        let path = if protocol == Protocol::Grpc { "" } else { "/v1/traces" };
        let mut config = config(protocol, format!("https://localhost:{}{path}", server.port));
        config.certificate = Some(testdata("ca.pem"));
        config.headers = Headers::from_iter([("authorization", "Bearer t0ken")]);
        config.compression = Compression::Gzip;
        let outcome = build(&config).send(&sample(), LIMIT).await;
        assert!(matches!(outcome, AttemptOutcome::Accepted), "{protocol}: {outcome:?}");
        let got = server.got.recv().await.unwrap();
        assert_eq!(got.headers.get("authorization").unwrap(), "Bearer t0ken");
        assert_eq!(got.request, sample_without_ids(&got.request), "{protocol}");
    }
}

#[tokio::test]
async fn tls_server_not_trusted_is_a_tls_error() {
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf] {
        let server =
            if protocol == Protocol::Grpc { servers::grpc_tls(false).await } else { servers::http(Some(false)).await };
        let path = if protocol == Protocol::Grpc { "" } else { "/v1/traces" };
        // No exporter.certificate: the system's roots, which do not know the test CA.
        let config = config(protocol, format!("https://localhost:{}{path}", server.port));
        let transport = match Transport::build(&config) {
            Ok(transport) => transport,
            // A system without any root certificate: the build says so (and names the key to set).
            Err(e) => {
                assert!(e.0.contains("exporter.certificate"), "{e}");
                continue;
            }
        };
        let error = failed(transport.send(&sample(), LIMIT).await);
        assert_eq!(error.kind, ErrorKind::Tls, "{protocol}: {error:?}");
        assert!(!error.retryable);
        assert!(error.message.starts_with("TLS handshake failed: invalid peer certificate"), "{}", error.message);
    }
}

#[tokio::test]
async fn mtls_client_certificate() {
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf] {
        let mut server =
            if protocol == Protocol::Grpc { servers::grpc_tls(true).await } else { servers::http(Some(true)).await };
        let path = if protocol == Protocol::Grpc { "" } else { "/v1/traces" };
        let mut config = config(protocol, format!("https://127.0.0.1:{}{path}", server.port));
        config.certificate = Some(testdata("ca.pem"));
        // Without a client certificate the server refuses the handshake.
        let error = failed(build(&config).send(&sample(), LIMIT).await);
        assert_eq!(error.kind, ErrorKind::Tls, "{protocol}: {error:?}");
        assert!(error.message.contains("CertificateRequired"), "{protocol}: {error:?}");
        assert!(!error.retryable);
        // With it, the export goes through.
        config.client_certificate = Some(testdata("client.pem"));
        config.client_key = Some(testdata("client.key"));
        let outcome = build(&config).send(&sample(), LIMIT).await;
        assert!(matches!(outcome, AttemptOutcome::Accepted), "{protocol}: {outcome:?}");
        assert_eq!(server.got.recv().await.unwrap().request.resource_spans.len(), 1);
    }
}

// -------------------------------------------------------------------------------------------------- build errors

#[tokio::test]
async fn build_errors_name_the_key_and_never_a_header_value() {
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf, Protocol::HttpJson] {
        let base = config(protocol, "http://127.0.0.1:4317".into());

        let mut bad_name = base.clone();
        bad_name.headers = Headers::from_iter([("bad header", "value")]);
        let message = build_error(&bad_name);
        assert!(message.contains("exporter.headers") && message.contains("\"bad header\""), "{message}");

        let mut bad_value = base.clone();
        bad_value.headers = Headers::from_iter([("x-token", "s3cret\nvalue")]);
        let message = build_error(&bad_value);
        assert!(message.contains("\"x-token\"") && !message.contains("s3cret"), "{message}");

        let mut missing = base.clone();
        missing.certificate = Some("/nonexistent/otel/ca.pem".into());
        let message = build_error(&missing);
        assert!(message.contains("exporter.certificate") && message.contains("/nonexistent/otel/ca.pem"), "{message}");

        let mut not_pem = base.clone();
        not_pem.certificate = Some(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")));
        let message = build_error(&not_pem);
        assert!(message.contains("exporter.certificate") && message.contains("no PEM certificate"), "{message}");

        let mut missing_key = base.clone();
        missing_key.client_certificate = Some(testdata("client.pem"));
        missing_key.client_key = Some("/nonexistent/otel/client.key".into());
        let message = build_error(&missing_key);
        assert!(
            message.contains("exporter.client_key") && message.contains("/nonexistent/otel/client.key"),
            "{message}"
        );

        let mut key_not_pem = base.clone();
        key_not_pem.client_certificate = Some(testdata("client.pem"));
        key_not_pem.client_key = Some(testdata("client.pem"));
        let message = build_error(&key_not_pem);
        assert!(message.contains("exporter.client_key") && message.contains("private key"), "{message}");

        let mut half_mtls = base.clone();
        half_mtls.client_certificate = Some(testdata("client.pem"));
        let message = build_error(&half_mtls);
        assert!(message.contains("exporter.client_key is not"), "{message}");
    }
    let console = ExporterConfig { protocol: Protocol::Console, ..Default::default() };
    assert!(build_error(&console).contains("console"));
}

// ------------------------------------------------------------------------------------------ classification tables

#[test]
fn grpc_codes_follow_the_spec() {
    use tonic::Code;
    let retryable =
        [Code::Cancelled, Code::DeadlineExceeded, Code::Aborted, Code::OutOfRange, Code::Unavailable, Code::DataLoss];
    let all = [
        Code::Unknown,
        Code::InvalidArgument,
        Code::NotFound,
        Code::AlreadyExists,
        Code::PermissionDenied,
        Code::ResourceExhausted,
        Code::FailedPrecondition,
        Code::Unimplemented,
        Code::Internal,
        Code::Unauthenticated,
    ]
    .into_iter()
    .chain(retryable);
    for code in all {
        let error = grpc_client::classify_status(&tonic::Status::new(code, "why"));
        let name = grpc_client::code_name(code);
        assert_eq!(error.kind, ErrorKind::GrpcCode(name));
        assert_eq!(error.retryable, retryable.contains(&code), "{name}");
        assert_eq!(error.retry_after, None);
        assert_eq!(error.message, format!("gRPC status {name}: why"));
    }
    assert_eq!(
        grpc_client::classify_status(&tonic::Status::new(Code::Unavailable, "")).message,
        "gRPC status UNAVAILABLE"
    );
}

#[test]
fn grpc_resource_exhausted_is_retryable_only_with_retry_info() {
    use tonic_types::{ErrorDetails, StatusExt};
    let with = tonic::Status::with_error_details(
        tonic::Code::ResourceExhausted,
        "quota",
        ErrorDetails::with_retry_info(Some(Duration::from_secs(7))),
    );
    let error = grpc_client::classify_status(&with);
    assert_eq!(error.kind, ErrorKind::GrpcCode("RESOURCE_EXHAUSTED"));
    assert!(error.retryable);
    assert_eq!(error.retry_after, Some(Duration::from_secs(7)));

    let without = tonic::Status::resource_exhausted("too big");
    let error = grpc_client::classify_status(&without);
    assert!(!error.retryable);
    assert_eq!(error.retry_after, None);

    // RetryInfo on a non-retryable code does not make it retryable.
    let invalid = tonic::Status::with_error_details(
        tonic::Code::InvalidArgument,
        "bad",
        ErrorDetails::with_retry_info(Some(Duration::from_secs(1))),
    );
    let error = grpc_client::classify_status(&invalid);
    assert!(!error.retryable);
    assert_eq!(error.retry_after, None);
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    pairs.iter().map(|(k, v)| (k.parse().unwrap(), HeaderValue::from_str(v).unwrap())).collect()
}

#[test]
fn http_statuses_follow_the_spec() {
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    // (status, Retry-After, retryable, retry_after, message)
    type Row<'a> = (u16, Option<&'a str>, bool, Option<Duration>, &'a str);
    let rows: &[Row] = &[
        (429, Some("7"), true, Some(Duration::from_secs(7)), "HTTP 429 Too Many Requests"),
        (502, None, true, None, "HTTP 502 Bad Gateway"),
        (503, Some("0"), true, Some(Duration::ZERO), "HTTP 503 Service Unavailable"),
        (504, Some("soon"), true, None, "HTTP 504 Gateway Timeout"),
        (500, Some("5"), false, None, "HTTP 500 Internal Server Error"),
        (400, None, false, None, "HTTP 400 Bad Request"),
        (401, None, false, None, "HTTP 401 Unauthorized"),
        (404, None, false, None, "HTTP 404 Not Found"),
        (413, None, false, None, "HTTP 413 Payload Too Large"),
        (301, None, false, None, "HTTP 301 Moved Permanently"),
    ];
    for (status, retry_after, retryable, delay, message) in rows {
        let mut map = headers(&[]);
        if let Some(value) = retry_after {
            map.insert(http::header::RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        }
        let error =
            failed(http_client::classify_response(StatusCode::from_u16(*status).unwrap(), &map, b"", false, now));
        assert_eq!(error.kind, ErrorKind::HttpStatus(*status));
        assert_eq!(error.retryable, *retryable, "{status}");
        assert_eq!(error.retry_after, *delay, "{status}");
        assert_eq!(error.message, *message);
    }
}

#[test]
fn retry_after_seconds_or_http_date() {
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let parse = |v: &str| http_client::parse_retry_after(v, now);
    assert_eq!(parse("120"), Some(Duration::from_secs(120)));
    assert_eq!(parse(" 3 "), Some(Duration::from_secs(3)));
    let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
    assert_eq!(parse(&later), Some(Duration::from_secs(90)));
    let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
    assert_eq!(parse(&earlier), Some(Duration::ZERO));
    assert_eq!(parse("Wed, 21 Oct 2015 07:28:00 GMT").map(|_| ()), Some(()));
    assert_eq!(parse("-1"), None);
    assert_eq!(parse("1.5"), None);
    assert_eq!(parse(""), None);
}

#[test]
fn http_bodies_partial_success_and_error_messages() {
    let now = SystemTime::now();
    let json = headers(&[("content-type", "application/json")]);
    let protobuf = headers(&[("content-type", "application/x-protobuf")]);
    let ok = StatusCode::OK;

    // JSON partial success: int64 as a string (proto3 JSON) or as a number.
    for body in [
        r#"{"partialSuccess":{"rejectedSpans":"4","errorMessage":"too old"}}"#,
        r#"{"partialSuccess":{"rejectedSpans":4,"errorMessage":"too old"}}"#,
    ] {
        match http_client::classify_response(ok, &json, body.as_bytes(), true, now) {
            AttemptOutcome::PartiallyAccepted { rejected, message } => {
                assert_eq!(rejected, 4);
                assert_eq!(message, "4 spans rejected by the collector: too old");
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    // A warning (rejected 0 with a message) and empty or unreadable bodies: accepted.
    let warning = ExportTraceServiceResponse {
        partial_success: Some(ExportTracePartialSuccess { rejected_spans: 0, error_message: "slow down".into() }),
    };
    for (map, body) in [
        (&protobuf, warning.encode_to_vec()),
        (&json, br#"{"partialSuccess":{"errorMessage":"slow down"}}"#.to_vec()),
        (&json, b"{}".to_vec()),
        (&protobuf, Vec::new()),
        (&protobuf, b"\xff\xff not protobuf".to_vec()),
    ] {
        let outcome = http_client::classify_response(ok, map, &body, false, now);
        assert!(matches!(outcome, AttemptOutcome::Accepted), "{body:?}: {outcome:?}");
    }
    // The response's content type wins over the request's encoding.
    let partial = ExportTraceServiceResponse {
        partial_success: Some(ExportTracePartialSuccess { rejected_spans: 2, error_message: String::new() }),
    };
    match http_client::classify_response(ok, &protobuf, &partial.encode_to_vec(), true, now) {
        AttemptOutcome::PartiallyAccepted { rejected: 2, message } => {
            assert_eq!(message, "2 spans rejected by the collector")
        }
        other => panic!("{other:?}"),
    }
    // Error bodies: google.rpc.Status (JSON) or plain text from a proxy, cut to 200 characters.
    let error = failed(http_client::classify_response(
        StatusCode::BAD_REQUEST,
        &json,
        br#"{"code":3,"message":"bad span"}"#,
        true,
        now,
    ));
    assert_eq!(error.message, "HTTP 400 Bad Request: bad span");
    let text = headers(&[("content-type", "text/plain; charset=utf-8")]);
    let long = "x".repeat(500);
    let error = failed(http_client::classify_response(StatusCode::BAD_GATEWAY, &text, long.as_bytes(), false, now));
    assert_eq!(error.message, format!("HTTP 502 Bad Gateway: {}…", "x".repeat(200)));
    assert!(error.retryable);
}

/// The OTLP JSON encoding (opentelemetry-proto's `with-serde`), checked against the spec: lowerCamelCase names,
/// trace and span ids as hex strings, enums as integers, 64-bit integers as decimal strings.
#[test]
fn json_body_follows_the_otlp_json_encoding() {
    let request = sample();
    let json: serde_json::Value = serde_json::to_value(&request).unwrap();
    let span = &json["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
    let child = &json["resourceSpans"][0]["scopeSpans"][0]["spans"][1];
    let hex = |v: &serde_json::Value, len: usize| {
        let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
        s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    assert!(hex(&span["traceId"], 32), "{span}");
    assert!(hex(&span["spanId"], 16), "{span}");
    assert_eq!(child["parentSpanId"], span["spanId"]);
    assert_eq!(span["kind"], serde_json::json!(2)); // SPAN_KIND_SERVER
    assert_eq!(span["status"]["code"], serde_json::json!(1)); // STATUS_CODE_OK
    let start = &request.resource_spans[0].scope_spans[0].spans[0].start_time_unix_nano;
    assert_eq!(span["startTimeUnixNano"], serde_json::json!(start.to_string()));
    assert_eq!(child["attributes"][0], serde_json::json!({"key": "index", "value": {"intValue": "1"}}));
    assert_eq!(child["attributes"][1], serde_json::json!({"key": "test.kind", "value": {"stringValue": "sample"}}));
    assert_eq!(
        json["resourceSpans"][0]["resource"]["attributes"][0],
        serde_json::json!({"key": "service.name", "value": {"stringValue": "transport-test"}})
    );
    assert!(span["events"][0]["timeUnixNano"].is_string());
}

// ---------------------------------------------------------------------------------------------------------- ping

#[test]
fn ping_sends_one_test_span() {
    let receiver = Receiver::start_blocking();
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf, Protocol::HttpJson] {
        let mut config = otel_config::Config::default();
        config.service.name = "ping-test".into();
        config.exporter = self::config(protocol, url(&receiver, protocol));
        let report = crate::ping::ping(&config).unwrap_or_else(|e| panic!("{protocol}: {e}"));
        assert_eq!(report.endpoint, url(&receiver, protocol));
        assert_eq!(report.protocol, protocol);
        assert!(report.round_trip > Duration::ZERO && report.round_trip < LIMIT);
        let spans = receiver.spans_named(crate::ping::PING_SPAN_NAME);
        let span = spans.last().unwrap();
        assert_eq!(span.trace_id, report.trace_id);
        assert_eq!(span.resource_attribute("service.name"), Some("ping-test"));
    }
    assert_eq!(receiver.span_count(), 3);
}

#[test]
fn ping_reports_the_classified_error() {
    let mut config = otel_config::Config::default();
    let url = format!("http://127.0.0.1:{}/v1/traces", unused_port());
    config.exporter = self::config(Protocol::HttpProtobuf, url.clone());
    let error = crate::ping::ping(&config).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Refused);
    assert_eq!(error.endpoint, url);
    assert!(error.retryable);
    assert_eq!(error.to_string(), format!("ping {url} failed: connection refused"));

    let receiver = Receiver::start_blocking();
    receiver.set_behavior(Behavior::PartialSuccess { rejected_per_request: 1 });
    config.exporter = self::config(Protocol::Grpc, receiver.grpc_endpoint());
    let error = crate::ping::ping(&config).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Rejected);
    assert!(!error.retryable);

    config.exporter.protocol = Protocol::Console;
    let error = crate::ping::ping(&config).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Transport);
    assert!(error.message.contains("console"), "{error}");

    config.exporter = self::config(Protocol::Grpc, receiver.grpc_endpoint());
    config.exporter.headers = Headers::from_iter([("x-key", "s3cret\n")]);
    let error = crate::ping::ping(&config).unwrap_err();
    assert!(error.message.contains("x-key") && !error.message.contains("s3cret"), "{error}");
}

/// A "collector" that accepts connections and closes them at once: dropped without an answer, to be retried.
#[tokio::test]
async fn connection_closed_without_answer_is_retryable() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let closer = tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            drop(stream);
        }
    });
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf, Protocol::HttpJson] {
        let path = if protocol == Protocol::Grpc { "" } else { "/v1/traces" };
        let transport = build(&config(protocol, format!("http://127.0.0.1:{port}{path}")));
        let error = failed(transport.send(&sample(), LIMIT).await);
        assert_eq!(error.kind, ErrorKind::Transport, "{protocol}: {error:?}");
        assert!(error.retryable, "{protocol}: {error:?}");
        assert!(error.message.starts_with("connection failed: "), "{protocol}: {}", error.message);
        assert!(error.message.contains("connection closed"), "{protocol}: {}", error.message);
    }
    closer.abort();
}

/// `ping` blocks; called from async code it still works (on a thread of its own).
#[tokio::test]
async fn ping_from_inside_a_runtime() {
    let receiver = Receiver::start().await;
    let mut config = otel_config::Config::default();
    config.exporter = self::config(Protocol::Grpc, receiver.grpc_endpoint());
    let report = crate::ping::ping(&config).unwrap();
    assert_eq!(report.endpoint, receiver.grpc_endpoint());
    assert_eq!(receiver.spans_named(crate::ping::PING_SPAN_NAME).len(), 1);
}
