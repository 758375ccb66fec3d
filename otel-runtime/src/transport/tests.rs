//! Transport tests: every outcome against the in-process receiver of `otel-testkit`, for each protocol (gRPC,
//! HTTP/protobuf, HTTP/JSON); zstd over HTTP and TLS against small servers of our own (the receiver speaks neither);
//! build errors; the classification tables (gRPC codes, HTTP statuses, Retry-After) on their own.

use super::{grpc_client, http_client, AttemptOutcome, ProxySettings, SendError, Transport};
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
    let mut config = ExporterConfig::default();
    (config.protocol, config.traces_endpoint, config.timeout) = (protocol, Some(url), LIMIT);
    config
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

/// Without proxies, whatever the environment of the test run says.
fn build(config: &ExporterConfig) -> Transport {
    build_proxied(config, &ProxySettings::none())
}

fn build_proxied(config: &ExporterConfig, proxies: &ProxySettings) -> Transport {
    Transport::build_with(config, otel_config::Signal::Traces, proxies).unwrap_or_else(|e| panic!("build failed: {e}"))
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
    match Transport::build_with(config, otel_config::Signal::Traces, &ProxySettings::none()) {
        Ok(transport) => panic!("expected a build error, got {transport:?}"),
        Err(e) => e.to_string(),
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
    encoded_request_sent_twice_arrives_whole_twice,
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

/// A request encoded up front (`Encoded`, what the OTLP sink sends for protobuf) arrives as its structs would, and
/// a second attempt sends it again whole; over JSON (not the sink's path) it still arrives, decoded back.
async fn encoded_request_sent_twice_arrives_whole_twice(protocol: Protocol) {
    let receiver = Receiver::start().await;
    let transport = build(&config(protocol, url(&receiver, protocol)));
    let request = super::Encoded::<ExportTraceServiceRequest>::new(sample().encode_to_vec());
    for _ in 0..2 {
        let outcome = transport.send(&request, LIMIT).await;
        assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
    }
    let requests = receiver.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.protocol, testkit_protocol(protocol));
        let spans = request.spans();
        assert_eq!(spans.len(), 2, "{spans:?}");
        assert_eq!((spans[0].name.as_str(), spans[1].name.as_str()), ("root", "child"));
        assert_eq!(spans[1].attribute("test.kind"), Some("sample"));
    }
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
    let mut config = ExporterConfig::default();
    config.protocol = Protocol::Grpc;
    config.endpoint = Some(address.clone());
    config.certificate = Some(testdata("ca.pem"));
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
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
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
        let transport = match Transport::build_with(&config, otel_config::Signal::Traces, &ProxySettings::none()) {
            Ok(transport) => transport,
            // A system without any root certificate: the build says so (and names the key to set).
            Err(e) => {
                assert_eq!((e.kind(), e.key()), (crate::BuildErrorKind::Tls, Some("exporter.certificate")), "{e}");
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
    let mut console = ExporterConfig::default();
    console.protocol = Protocol::Console;
    assert!(build_error(&console).contains("console"));
}

#[tokio::test]
async fn build_errors_are_data_what_failed_and_which_key() {
    use crate::BuildErrorKind::{Header, Protocol as NoTransport, Tls};
    let kind_and_key = |config: &ExporterConfig| match Transport::build_with(
        config,
        otel_config::Signal::Traces,
        &ProxySettings::none(),
    ) {
        Ok(transport) => panic!("expected a build error, got {transport:?}"),
        Err(e) => (e.kind(), e.key()),
    };
    let base = config(Protocol::HttpProtobuf, "http://127.0.0.1:4318".into());
    let mut bad_header = base.clone();
    bad_header.headers = Headers::from_iter([("bad header", "value")]);
    assert_eq!(kind_and_key(&bad_header), (Header, Some("exporter.headers")));
    let mut missing_ca = base.clone();
    missing_ca.certificate = Some("/nonexistent/otel/ca.pem".into());
    assert_eq!(kind_and_key(&missing_ca), (Tls, Some("exporter.certificate")));
    let mut missing_key = base.clone();
    missing_key.client_certificate = Some(testdata("client.pem"));
    missing_key.client_key = Some("/nonexistent/otel/client.key".into());
    assert_eq!(kind_and_key(&missing_key), (Tls, Some("exporter.client_key")));
    let mut console = ExporterConfig::default();
    console.protocol = Protocol::Console;
    assert_eq!(kind_and_key(&console), (NoTransport, Some("exporter.protocol")));
}

#[tokio::test]
async fn build_errors_keep_their_cause_as_source() {
    use std::error::Error;
    let build = |config: &ExporterConfig| {
        Transport::build_with(config, otel_config::Signal::Traces, &ProxySettings::none()).expect_err("refused")
    };
    let base = config(Protocol::HttpProtobuf, "http://127.0.0.1:4318".into());

    // A certificate file that does not exist: the I/O error itself, its text ending the message.
    let mut missing = base.clone();
    missing.certificate = Some("/nonexistent/otel/ca.pem".into());
    let error = build(&missing);
    let io = error.source().and_then(|e| e.downcast_ref::<std::io::Error>()).expect("the I/O error");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(
        error.to_string(),
        format!("otel: exporter.certificate: cannot read \"/nonexistent/otel/ca.pem\": {io}"),
        "the message is computed from the key, the path and the cause"
    );

    // A PEM block whose body is not base64: the PEM parser's error.
    let dir = std::env::temp_dir().join(format!("otel-runtime-bad-pem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("ca.pem");
    std::fs::write(&bad, "-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n").unwrap();
    let mut not_pem = base.clone();
    not_pem.certificate = Some(bad.clone());
    let error = build(&not_pem);
    let pem = error.source().and_then(|e| e.downcast_ref::<rustls::pki_types::pem::Error>()).expect("the PEM error");
    assert_eq!(
        error.to_string(),
        format!("otel: exporter.certificate: {:?} is not valid PEM: {pem}", bad.display().to_string())
    );
    let _ = std::fs::remove_dir_all(&dir);

    // A client key file with no private key in it: the PEM parser's error.
    let mut key_not_pem = base.clone();
    key_not_pem.client_certificate = Some(testdata("client.pem"));
    key_not_pem.client_key = Some(testdata("client.pem"));
    let error = build(&key_not_pem);
    assert_eq!((error.kind(), error.key()), (crate::BuildErrorKind::Tls, Some("exporter.client_key")));
    assert!(error.source().is_some_and(|e| e.is::<rustls::pki_types::pem::Error>()), "{error:?}");

    // Nothing underneath: a header name HTTP refuses, half an mTLS identity.
    let mut bad_header = base.clone();
    bad_header.headers = Headers::from_iter([("bad header", "s3cret")]);
    let error = build(&bad_header);
    assert!(error.source().is_none());
    assert!(!format!("{error:?}").contains("s3cret"), "{error:?}");
    let mut half = base.clone();
    half.client_key = Some(testdata("client.key"));
    let error = build(&half);
    assert_eq!(
        (error.key(), error.to_string().as_str()),
        (
            Some("exporter.client_certificate"),
            "otel: exporter.client_key is set but exporter.client_certificate is not (mTLS needs both)"
        )
    );
    assert!(error.source().is_none());
}

#[tokio::test]
async fn an_endpoint_the_client_rejects_keeps_the_parse_error_and_hides_credentials() {
    use std::error::Error;
    for (protocol, client) in [(Protocol::HttpProtobuf, "HTTP"), (Protocol::Grpc, "gRPC")] {
        // A space in the host: the URL parsers refuse it (otel-config checks the scheme, not every character).
        let config = config(protocol, "http://user:s3cret@bad host:4318/v1/traces".into());
        let error =
            Transport::build_with(&config, otel_config::Signal::Traces, &ProxySettings::none()).expect_err("refused");
        let message = error.to_string();
        // The key the URL came from (the test's configuration sets the traces' own endpoint).
        assert_eq!((error.kind(), error.key()), (crate::BuildErrorKind::Endpoint, Some("exporter.traces_endpoint")));
        assert!(
            message.starts_with(&format!("otel: invalid {client} endpoint \"http://***@bad host:4318")),
            "{message}"
        );
        assert!(!message.contains("s3cret") && !format!("{error:?}").contains("s3cret"), "{error:?}");
        assert!(error.source().is_some(), "{protocol}: the parser's error is the source");
        // Set as the base endpoint, the key is that one.
        let mut base = config.clone();
        base.endpoint = config.traces_endpoint.clone();
        base.traces_endpoint = None;
        let error =
            Transport::build_with(&base, otel_config::Signal::Traces, &ProxySettings::none()).expect_err("refused");
        assert_eq!(error.key(), Some("exporter.endpoint"), "{error}");
    }
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
    // A warning (rejected 0 with a message), an empty body and empty responses: accepted.
    let warning = ExportTraceServiceResponse {
        partial_success: Some(ExportTracePartialSuccess { rejected_spans: 0, error_message: "slow down".into() }),
    };
    for (map, body) in [
        (&protobuf, warning.encode_to_vec()),
        (&json, br#"{"partialSuccess":{"errorMessage":"slow down"}}"#.to_vec()),
        (&json, b"{}".to_vec()),
        (&protobuf, Vec::new()),
        (&protobuf, ExportTraceServiceResponse::default().encode_to_vec()),
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

// ------------------------------------------------------------------------------------ credentials in the endpoint

/// `http://user:pass@host` with `user:pass` put right after the scheme of `url`.
fn with_userinfo(url: &str, userinfo: &str) -> String {
    url.replacen("://", &format!("://{userinfo}@"), 1)
}

fn basic(plain: &str) -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(plain))
}

#[test]
fn redact_userinfo_hides_credentials_only() {
    use super::redact_userinfo;
    let rows = [
        ("http://user:pass@host:4318/v1/traces", "http://***@host:4318/v1/traces"),
        ("https://user@host", "https://***@host"),
        ("http://us%40er:p@ss@host:4317", "http://***@host:4317"),
        ("user:pass@host:4317", "***@host:4317"),
        ("http://host:4318/v1/traces?x=a@b", "http://host:4318/v1/traces?x=a@b"),
        ("http://host/p@th", "http://host/p@th"),
        ("http://[::1]:4317", "http://[::1]:4317"),
        ("", ""),
        ("@", "***@"),
    ];
    for (url, shown) in rows {
        assert_eq!(redact_userinfo(url), shown, "{url}");
    }
}

async fn endpoint_credentials_become_basic_auth(protocol: Protocol) {
    let receiver = Receiver::start().await;
    let plain_url = url(&receiver, protocol);
    // Percent-encoded `@` and `:` in the user and the password: decoded before encoding in base64.
    let secret_url = with_userinfo(&plain_url, "us%40er:pa%3As5w0rd");
    let transport = build(&config(protocol, secret_url.clone()));
    let shown = with_userinfo(&plain_url, "***");
    assert_eq!(transport.endpoint(), shown);
    let debug = format!("{transport:?}");
    assert!(debug.contains(&shown) && !debug.contains("s5w0rd") && !debug.contains("us%40er"), "{debug}");

    let outcome = transport.send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
    let requests = receiver.requests();
    assert_eq!(requests[0].header("authorization"), Some(basic("us@er:pa:s5w0rd").as_str()));
    let path = if protocol == Protocol::Grpc { otel_testkit::GRPC_EXPORT_PATH } else { "/v1/traces" };
    assert_eq!(requests[0].path, path);

    // An explicit `authorization` header wins over the URL's credentials.
    let mut explicit = config(protocol, secret_url);
    explicit.headers = Headers::from_iter([("Authorization", "Bearer t0ken")]);
    let outcome = build(&explicit).send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
    let requests = receiver.requests();
    assert_eq!(requests[1].header("authorization"), Some("Bearer t0ken"));
    assert_eq!(requests[1].headers.get_all("authorization").iter().count(), 1);

    // Nothing that fails shows the password: not the error, not the build error.
    let port = unused_port();
    let path = if protocol == Protocol::Grpc { "" } else { "/v1/traces" };
    let down = build(&config(protocol, format!("http://user:s5w0rd@127.0.0.1:{port}{path}")));
    assert_eq!(down.endpoint(), format!("http://***@127.0.0.1:{port}{path}"));
    let error = failed(down.send(&sample(), LIMIT).await);
    assert!(!format!("{error:?}").contains("s5w0rd"), "{error:?}");
    let message = build_error(&config(protocol, "http://user:s5w0rd@:4318/v1/traces".into()));
    assert!(message.contains("***@") && !message.contains("s5w0rd"), "{message}");
}

per_protocol!(endpoint_credentials_become_basic_auth);

// -------------------------------------------------------------------------------------------------------- proxies

mod test_proxy {
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    /// A tiny HTTP proxy: CONNECT tunnels, and absolute-form HTTP/1.1 forwarding (the request head passed on as
    /// is: hyper's server takes the absolute form). Records the head of every request it receives. With `refuse`,
    /// answers everything with that status instead (`Some(0)`: hangs up without a word).
    pub(super) struct TestProxy {
        pub(super) port: u16,
        heads: Arc<Mutex<Vec<String>>>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for TestProxy {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    impl TestProxy {
        pub(super) async fn start(refuse: Option<u16>) -> TestProxy {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let heads = Arc::new(Mutex::new(Vec::new()));
            let seen = heads.clone();
            let task = tokio::spawn(async move {
                loop {
                    let Ok((client, _)) = listener.accept().await else {
                        continue;
                    };
                    tokio::spawn(serve(client, seen.clone(), refuse));
                }
            });
            TestProxy { port, heads, task }
        }

        /// The heads received, in order (header lines as sent, `\r\n`-separated).
        pub(super) fn heads(&self) -> Vec<String> {
            self.heads.lock().unwrap().clone()
        }

        /// `http://user:password@127.0.0.1:port`.
        pub(super) fn url(&self, userinfo: &str) -> String {
            format!("http://{userinfo}@127.0.0.1:{}", self.port)
        }
    }

    async fn serve(mut client: TcpStream, seen: Arc<Mutex<Vec<String>>>, refuse: Option<u16>) {
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            match client.read_u8().await {
                Ok(byte) => head.push(byte),
                Err(_) => return,
            }
        }
        let text = String::from_utf8_lossy(&head).into_owned();
        seen.lock().unwrap().push(text.clone());
        if refuse == Some(0) {
            // Hangs up without an answer.
            return;
        }
        if let Some(status) = refuse {
            let answer = format!("HTTP/1.1 {status} Refused By Test\r\ncontent-length: 0\r\n\r\n");
            let _ = client.write_all(answer.as_bytes()).await;
            return;
        }
        let mut request_line = text.split(' ');
        let (method, target) = (request_line.next().unwrap_or(""), request_line.next().unwrap_or(""));
        if method == "CONNECT" {
            let Ok(mut upstream) = TcpStream::connect(target).await else {
                let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                return;
            };
            let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await;
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        } else {
            let authority = target.trim_start_matches("http://").split('/').next().unwrap_or("");
            let Ok(mut upstream) = TcpStream::connect(authority).await else {
                return;
            };
            if upstream.write_all(&head).await.is_ok() {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            }
        }
    }
}

use test_proxy::TestProxy;

#[tokio::test]
async fn grpc_goes_through_a_connect_tunnel() {
    let receiver = Receiver::start().await;
    let proxy = TestProxy::start(None).await;
    let proxies = ProxySettings::all(&proxy.url("pu:pr0xy%21pass"), "");
    let transport = build_proxied(&config(Protocol::Grpc, receiver.grpc_endpoint()), &proxies);
    let outcome = transport.send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
    assert_eq!(receiver.span_count(), 2);
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    let head = heads[0].to_ascii_lowercase();
    assert!(head.starts_with(&format!("connect 127.0.0.1:{} http/1.1\r\n", receiver.grpc_addr().port())), "{head}");
    assert!(head.contains(&format!("proxy-authorization: {}\r\n", basic("pu:pr0xy!pass").to_ascii_lowercase())));
    // The collector never sees the proxy's credentials.
    assert_eq!(receiver.requests()[0].header("proxy-authorization"), None);
    let debug = format!("{transport:?}");
    assert!(debug.contains(&format!("http://***@127.0.0.1:{}", proxy.port)) && !debug.contains("pr0xy"), "{debug}");
}

#[tokio::test]
async fn http_goes_through_a_forward_proxy() {
    for protocol in [Protocol::HttpProtobuf, Protocol::HttpJson] {
        let receiver = Receiver::start().await;
        let proxy = TestProxy::start(None).await;
        let proxies = ProxySettings::all(&proxy.url("pu:pr0xy"), "");
        let transport = build_proxied(&config(protocol, receiver.http_traces_url()), &proxies);
        let outcome = transport.send(&sample(), LIMIT).await;
        assert!(matches!(outcome, AttemptOutcome::Accepted), "{protocol}: {outcome:?}");
        let heads = proxy.heads();
        assert_eq!(heads.len(), 1, "{heads:?}");
        let head = heads[0].to_ascii_lowercase();
        // The absolute form: the proxy needs to know where to send it.
        let expected = format!("post http://127.0.0.1:{}/v1/traces http/1.1\r\n", receiver.http_addr().port());
        assert!(head.starts_with(&expected), "{head}");
        assert!(head.contains(&format!("proxy-authorization: {}\r\n", basic("pu:pr0xy").to_ascii_lowercase())));
        assert_eq!(receiver.requests()[0].path, "/v1/traces");
        assert!(!format!("{transport:?}").contains("pr0xy"));
    }
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel() {
    for protocol in [Protocol::HttpProtobuf, Protocol::Grpc] {
        let mut server =
            if protocol == Protocol::Grpc { servers::grpc_tls(false).await } else { servers::http(Some(false)).await };
        let proxy = TestProxy::start(None).await;
        let path = if protocol == Protocol::Grpc { "" } else { "/v1/traces" };
        let mut config = config(protocol, format!("https://localhost:{}{path}", server.port));
        config.certificate = Some(testdata("ca.pem"));
        let proxies = ProxySettings::all(&proxy.url("pu:pr0xy"), "");
        let outcome = build_proxied(&config, &proxies).send(&sample(), LIMIT).await;
        assert!(matches!(outcome, AttemptOutcome::Accepted), "{protocol}: {outcome:?}");
        let got = server.got.recv().await.unwrap();
        assert_eq!(got.request, sample_without_ids(&got.request), "{protocol}");
        let heads = proxy.heads();
        assert_eq!(heads.len(), 1, "{heads:?}");
        assert!(heads[0].starts_with(&format!("CONNECT localhost:{} HTTP/1.1\r\n", server.port)), "{heads:?}");
    }
}

#[tokio::test]
async fn no_proxy_goes_around_the_proxy() {
    let receiver = Receiver::start().await;
    let proxy = TestProxy::start(None).await;
    for no_proxy in ["127.0.0.1", "localhost, 127.0.0.0/8", "*"] {
        for protocol in [Protocol::Grpc, Protocol::HttpProtobuf] {
            let proxies = ProxySettings::all(&proxy.url("pu:pr0xy"), no_proxy);
            let outcome =
                build_proxied(&config(protocol, url(&receiver, protocol)), &proxies).send(&sample(), LIMIT).await;
            assert!(matches!(outcome, AttemptOutcome::Accepted), "{no_proxy} {protocol}: {outcome:?}");
        }
    }
    assert_eq!(proxy.heads(), Vec::<String>::new());
    assert_eq!(receiver.attempts(), 6);
}

/// Which proxy each endpoint gets, for the variables in upper and lower case (reqwest's rules: UPPER case wins).
#[test]
fn proxy_variables_follow_reqwest() {
    let settings = |vars: &[(&str, &str)]| {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ProxySettings::from_lookup(move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    };
    let proxy_for = |settings: &ProxySettings, url: &str| {
        settings.for_endpoint(&url.parse().unwrap()).unwrap().map(|proxy| proxy.shown().to_string())
    };
    let s = settings(&[("HTTPS_PROXY", "http://upper:3128"), ("https_proxy", "http://lower:3128")]);
    assert_eq!(proxy_for(&s, "https://collector:4318").as_deref(), Some("http://upper:3128"));
    assert_eq!(proxy_for(&s, "http://collector:4318"), None);
    let s = settings(&[("https_proxy", "http://lower:3128"), ("HTTPS_PROXY", "")]);
    assert_eq!(proxy_for(&s, "https://collector:4318").as_deref(), Some("http://lower:3128"));
    let s = settings(&[
        ("http_proxy", "http://u:p@web:8080"),
        ("ALL_PROXY", "all:3128"),
        ("no_proxy", ".internal, 10.0.0.0/8,::1, example.com, special:4318, [fe80::1]:4317"),
    ]);
    assert_eq!(proxy_for(&s, "http://collector:4318").as_deref(), Some("http://***@web:8080"));
    assert_eq!(proxy_for(&s, "https://collector:4318").as_deref(), Some("http://all:3128"));
    for bypassed in [
        "http://otel.internal:4318",
        "http://internal:4318",
        "http://10.1.2.3:4317",
        "http://[::1]:4317",
        "https://api.example.com",
        "http://special:4318",
        "http://[fe80::1]:4317",
    ] {
        assert_eq!(proxy_for(&s, bypassed), None, "{bypassed}");
    }
    assert_eq!(proxy_for(&s, "http://notexample.com").as_deref(), Some("http://***@web:8080"));
    // A port in NO_PROXY only bypasses for that port.
    assert_eq!(proxy_for(&s, "http://special:4317").as_deref(), Some("http://***@web:8080"));
    assert_eq!(proxy_for(&s, "http://[fe80::1]:80").as_deref(), Some("http://***@web:8080"));
    // `*` bypasses for every host, IP addresses included.
    let s = settings(&[("ALL_PROXY", "http://web:8080"), ("NO_PROXY", "other, *")]);
    assert_eq!(proxy_for(&s, "http://10.1.2.3:4317"), None);
    assert_eq!(proxy_for(&s, "http://collector:4317"), None);
    // In a CGI program HTTP_PROXY may come from the request (httpoxy): ignored.
    let s = settings(&[("HTTP_PROXY", "http://web:8080"), ("REQUEST_METHOD", "GET")]);
    assert_eq!(proxy_for(&s, "http://collector:4318"), None);
    // Debug never shows the credentials.
    let s = settings(&[("ALL_PROXY", "http://u:s3cret@web:8080")]);
    assert!(!format!("{s:?}").contains("s3cret"), "{s:?}");
    // SOCKS and https proxies: a build error saying so, without the credentials.
    for unsupported in ["socks5://u:s3cret@socks:1080", "https://u:s3cret@tls-proxy:443"] {
        let s = settings(&[("ALL_PROXY", unsupported)]);
        let error = s.for_endpoint(&"http://collector:4318".parse().unwrap()).err().unwrap().to_string();
        assert!(error.contains("not supported") && error.contains("***@") && !error.contains("s3cret"), "{error}");
    }
}

#[tokio::test]
async fn proxy_refusals_are_classified() {
    let receiver = Receiver::start().await;
    // (status, retryable)
    for (status, retryable) in [(403, false), (407, false), (503, true)] {
        let proxy = TestProxy::start(Some(status)).await;
        let proxies = ProxySettings::all(&proxy.url("pu:pr0xy"), "");
        let shown = format!("http://***@127.0.0.1:{}", proxy.port);
        // gRPC: the CONNECT refused.
        let transport = build_proxied(&config(Protocol::Grpc, receiver.grpc_endpoint()), &proxies);
        let error = failed(transport.send(&sample(), LIMIT).await);
        assert_eq!(error.kind, ErrorKind::Proxy, "{error:?}");
        let expected = format!(
            "proxy {shown} refused CONNECT 127.0.0.1:{}: HTTP {status} Refused By Test",
            receiver.grpc_addr().port()
        );
        assert!(error.message.contains(&expected), "{}", error.message);
        assert_eq!(error.retryable, retryable, "{status}");
        assert!(!format!("{error:?}").contains("pr0xy"), "{error:?}");
        // OTLP/HTTP: the forward proxy answers for the collector; its 407 names the proxy.
        let transport = build_proxied(&config(Protocol::HttpProtobuf, receiver.http_traces_url()), &proxies);
        let error = failed(transport.send(&sample(), LIMIT).await);
        if status == 407 {
            assert_eq!(error.kind, ErrorKind::Proxy, "{error:?}");
            assert!(error.message.starts_with(&format!("proxy {shown}: HTTP 407")), "{}", error.message);
        } else {
            assert_eq!(error.kind, ErrorKind::HttpStatus(status), "{error:?}");
        }
        assert_eq!(error.retryable, retryable, "{status}");
        assert!(!format!("{error:?}").contains("pr0xy"), "{error:?}");
    }
    assert_eq!(receiver.attempts(), 0);
}

#[tokio::test]
async fn proxy_hanging_up_during_connect_is_retryable() {
    let receiver = Receiver::start().await;
    let proxy = TestProxy::start(Some(0)).await;
    let proxies = ProxySettings::all(&proxy.url("pu:pr0xy"), "");
    let transport = build_proxied(&config(Protocol::Grpc, receiver.grpc_endpoint()), &proxies);
    let error = failed(transport.send(&sample(), LIMIT).await);
    assert_eq!(error.kind, ErrorKind::Proxy, "{error:?}");
    let expected = format!(
        "proxy http://***@127.0.0.1:{}: connection broken during CONNECT 127.0.0.1:{}",
        proxy.port,
        receiver.grpc_addr().port()
    );
    assert!(error.message.starts_with(&expected), "{}", error.message);
    assert!(error.retryable);
}

#[tokio::test]
async fn unreachable_proxy_is_a_retryable_proxy_error() {
    let port = unused_port();
    let proxies = ProxySettings::all(&format!("http://pu:pr0xy@127.0.0.1:{port}"), "");
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf] {
        let path = if protocol == Protocol::Grpc { "" } else { "/v1/traces" };
        let transport = build_proxied(&config(protocol, format!("http://collector.example:4317{path}")), &proxies);
        let error = failed(transport.send(&sample(), LIMIT).await);
        assert_eq!(error.kind, ErrorKind::Proxy, "{protocol}: {error:?}");
        assert_eq!(
            error.message,
            format!("cannot connect to proxy http://***@127.0.0.1:{port}: connection refused"),
            "{protocol}"
        );
        assert!(error.retryable);
    }
}

#[test]
fn connect_status_lines() {
    use super::proxy::parse_status_line_for_test as parse;
    assert_eq!(parse(b"HTTP/1.1 200 Connection established\r\n\r\n"), Some((200, "Connection established".into())));
    assert_eq!(parse(b"HTTP/1.0 407\r\n\r\n"), Some((407, String::new())));
    assert_eq!(parse(b"HTTP/1.1 2000 OK\r\n\r\n"), None);
    assert_eq!(parse(b"SSH-2.0-OpenSSH\r\n\r\n"), None);
    assert_eq!(parse(b"\xff\xfe\r\n\r\n"), None);
    assert_eq!(parse(b""), None);
}

// ------------------------------------------------------------------------------------- dead and restarted peers

mod relay {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::sync::watch;

    /// A TCP relay in front of a server. [`Relay::silence_existing`] makes the connections open so far go silent
    /// (kept open, forwarding nothing, as a peer behind a dropped NAT entry), while new ones are relayed normally.
    pub(super) struct Relay {
        pub(super) port: u16,
        accepted: Arc<AtomicUsize>,
        silenced_below: watch::Sender<usize>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for Relay {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    impl Relay {
        pub(super) async fn start(target: std::net::SocketAddr) -> Relay {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let accepted = Arc::new(AtomicUsize::new(0));
            let (silenced_below, silence) = watch::channel(0);
            let counter = accepted.clone();
            let task = tokio::spawn(async move {
                loop {
                    let Ok((client, _)) = listener.accept().await else {
                        continue;
                    };
                    let index = counter.fetch_add(1, Ordering::SeqCst);
                    let Ok(upstream) = TcpStream::connect(target).await else {
                        continue;
                    };
                    let (client_read, client_write) = client.into_split();
                    let (upstream_read, upstream_write) = upstream.into_split();
                    tokio::spawn(pump(client_read, upstream_write, index, silence.clone()));
                    tokio::spawn(pump(upstream_read, client_write, index, silence.clone()));
                }
            });
            Relay { port, accepted, silenced_below, task }
        }

        /// How many connections were accepted so far.
        pub(super) fn connections(&self) -> usize {
            self.accepted.load(Ordering::SeqCst)
        }

        pub(super) fn silence_existing(&self) {
            self.silenced_below.send_replace(self.connections());
        }
    }

    async fn pump(
        mut from: impl AsyncReadExt + Unpin,
        mut to: impl AsyncWriteExt + Unpin,
        index: usize,
        mut silence: watch::Receiver<usize>,
    ) {
        let mut buf = vec![0u8; 16 * 1024];
        let check = silence.clone();
        loop {
            tokio::select! {
                _ = async { silence.wait_for(|below| index < *below).await.is_ok() } => break,
                read = from.read(&mut buf) => match read {
                    Ok(0) | Err(_) => {
                        let _ = to.shutdown().await;
                        return;
                    }
                    Ok(n) => {
                        let silenced = index < *check.borrow();
                        if silenced || to.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                },
            }
        }
        // Silent: both sockets stay open, nothing moves any more.
        let _keep = (from, to);
        std::future::pending::<()>().await;
    }
}

/// The connection used by the last export dies silently (no FIN, no RST): the next export times out on it, and the
/// one after goes to a new connection at once instead of reusing the dead one.
async fn silent_connection_is_replaced(protocol: Protocol) {
    let receiver = Receiver::start().await;
    let addr = if protocol == Protocol::Grpc { receiver.grpc_addr() } else { receiver.http_addr() };
    let relay = relay::Relay::start(addr).await;
    let path = if protocol == Protocol::Grpc { "" } else { "/v1/traces" };
    let transport = build(&config(protocol, format!("http://127.0.0.1:{}{path}", relay.port)));
    let outcome = transport.send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
    assert_eq!(relay.connections(), 1);

    relay.silence_existing();
    let error = failed(transport.send(&sample(), Duration::from_millis(500)).await);
    assert_eq!(error.kind, ErrorKind::Timeout, "{error:?}");
    // The timed-out attempt used the dead connection (no new one was needed for it).
    assert_eq!(relay.connections(), 1);

    let started = Instant::now();
    let outcome = transport.send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    assert_eq!(relay.connections(), 2);
    assert_eq!(receiver.span_count(), 4);
}

/// The collector goes away (its port refuses) and comes back on the same port: exports resume.
async fn collector_restarts_on_the_same_port(protocol: Protocol) {
    let (grpc_port, http_port) = (unused_port(), unused_port());
    let start = || Receiver::builder().ports(grpc_port, http_port).start();
    let receiver = start().await;
    let transport = build(&config(protocol, url(&receiver, protocol)));
    let outcome = transport.send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");

    tokio::task::spawn_blocking(move || receiver.stop()).await.unwrap();
    let error = failed(transport.send(&sample(), LIMIT).await);
    assert!(error.retryable, "{error:?}");

    let receiver = start().await;
    let outcome = transport.send(&sample(), LIMIT).await;
    assert!(matches!(outcome, AttemptOutcome::Accepted), "{outcome:?}");
    assert_eq!(receiver.span_count(), 2);
}

per_protocol!(silent_connection_is_replaced, collector_restarts_on_the_same_port);

// --------------------------------------------------------------------------------------- answers that are not OTLP

#[test]
fn success_that_is_not_otlp_is_an_invalid_response() {
    let now = SystemTime::now();
    let classify = |content_type: Option<&str>, body: &[u8], json: bool| {
        http_client::classify_http_response(200, content_type, None, body, json, now)
    };
    let page = b"<!DOCTYPE html>\n<html><head><title>Hotel WiFi</title></head>\n<body>Please log in</body></html>";
    let error = failed(classify(Some("text/html; charset=utf-8"), page, false));
    assert_eq!(error.kind, ErrorKind::InvalidResponse);
    assert!(!error.retryable);
    assert_eq!(
        error.message,
        format!(
            "HTTP 200 but not an OTLP response (content-type text/html; charset=utf-8, {} bytes): <!DOCTYPE html> \
             <html><head><title>Hotel WiFi</title></head> <body>Please log in</body></html>",
            page.len()
        )
    );
    // Bodies that do not decode in the declared (or, without one, the request's) encoding.
    for (content_type, body, json) in [
        (Some("application/x-protobuf"), &b"\xff\xff not protobuf"[..], false),
        (Some("application/json"), b"[1, 2]", true),
        (Some("application/json"), b"{\"partialSuccess\": 3}", true),
        (Some("application/json"), b"<html>", false),
        (None, b"<html>", true),
        (None, b"\xff\xff", false),
        (Some("text/plain"), b"OK", false),
    ] {
        let error = failed(classify(content_type, body, json));
        assert_eq!(error.kind, ErrorKind::InvalidResponse, "{content_type:?} {body:?}");
    }
    // A long page: the excerpt is cut.
    let error = failed(classify(Some("text/html"), "x".repeat(100_000).as_bytes(), false));
    assert!(error.message.ends_with(&format!("{}…", "x".repeat(120))), "{}", error.message);
    // An empty body stays a success (the spec allows it), as do empty OTLP responses in either encoding.
    for (content_type, body) in [(Some("text/html"), &b""[..]), (None, b"{}"), (Some("application/x-protobuf"), b"")] {
        assert!(matches!(classify(content_type, body, true), AttemptOutcome::Accepted), "{body:?}");
    }
}

/// A captive portal: every request answered 200 with an HTML page.
#[tokio::test]
async fn captive_portal_page_is_not_an_export() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let portal = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = stream.read(&mut buf).await;
                let page = "<html><body>Sign in to the network</body></html>";
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                    page.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    let transport = build(&config(Protocol::HttpProtobuf, format!("http://127.0.0.1:{port}/v1/traces")));
    let error = failed(transport.send(&sample(), LIMIT).await);
    assert_eq!(error.kind, ErrorKind::InvalidResponse, "{error:?}");
    assert!(!error.retryable);
    assert!(error.message.contains("content-type text/html") && error.message.contains("Sign in"), "{}", error.message);
    portal.abort();
}

// ------------------------------------------------------------------------------- hostile values never panic

#[test]
fn retry_after_extremes_saturate() {
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let parse = |v: &str| http_client::parse_retry_after(v, now);
    let max = super::MAX_RETRY_DELAY;
    assert_eq!(parse("99999999999999999999"), Some(max));
    assert_eq!(parse(&"9".repeat(10_000)), Some(max));
    assert_eq!(parse("18446744073709551615"), Some(max));
    assert_eq!(parse("4294967296"), Some(max));
    assert_eq!(parse("4294967295"), Some(max));
    assert_eq!(parse("4294967294"), Some(Duration::from_secs(4_294_967_294)));
    // Whatever comes back, adding it to now never overflows.
    assert!(std::time::Instant::now().checked_add(max).is_some());
    assert_eq!(parse("-1"), None);
    assert_eq!(parse("+5"), None);
    assert_eq!(parse("1e9"), None);
    assert_eq!(parse("Fri, 31 Dec 9999 23:59:59 GMT"), Some(max));
    assert_eq!(parse("Fri, 31 Dec 2100 23:59:59 GMT").map(|d| d > Duration::from_secs(70 * 365 * 86_400)), Some(true));
    assert_eq!(parse("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
    assert_eq!(parse("Fri, 31 Dec 99999 23:59:59 GMT"), None);
    assert_eq!(parse(&"Fri, 31 Dec 9999 ".repeat(1000)), None);
    assert_eq!(parse("\u{0}\u{7f}é"), None);
}

/// `google.rpc.Status` and `RetryInfo` written by hand, to carry values tonic-types would never produce.
mod raw_status {
    #[derive(Clone, PartialEq, prost::Message)]
    pub(super) struct Duration {
        #[prost(int64, tag = "1")]
        pub(super) seconds: i64,
        #[prost(int32, tag = "2")]
        pub(super) nanos: i32,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub(super) struct RetryInfo {
        #[prost(message, optional, tag = "1")]
        pub(super) retry_delay: Option<Duration>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub(super) struct Any {
        #[prost(string, tag = "1")]
        pub(super) type_url: String,
        #[prost(bytes = "vec", tag = "2")]
        pub(super) value: Vec<u8>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub(super) struct Status {
        #[prost(int32, tag = "1")]
        pub(super) code: i32,
        #[prost(string, tag = "2")]
        pub(super) message: String,
        #[prost(message, repeated, tag = "3")]
        pub(super) details: Vec<Any>,
    }

    /// The details bytes of an UNAVAILABLE status with a RetryInfo of `seconds` and `nanos`.
    pub(super) fn with_retry_delay(seconds: i64, nanos: i32) -> Vec<u8> {
        use prost::Message;
        let retry = RetryInfo { retry_delay: Some(Duration { seconds, nanos }) };
        let any = Any { type_url: "type.googleapis.com/google.rpc.RetryInfo".into(), value: retry.encode_to_vec() };
        Status { code: 14, message: "busy".into(), details: vec![any] }.encode_to_vec()
    }
}

#[test]
fn grpc_status_details_extremes_never_panic() {
    let unavailable = tonic::Code::Unavailable as i32;
    let delay = |seconds, nanos| {
        grpc_client::classify_grpc_status(unavailable, "busy", &raw_status::with_retry_delay(seconds, nanos))
            .retry_after
    };
    assert_eq!(delay(7, 500_000_000), Some(Duration::from_millis(7_500)));
    assert_eq!(delay(i64::MAX, 999_999_999), Some(super::MAX_RETRY_DELAY));
    assert_eq!(delay(i64::MAX, i32::MAX), Some(super::MAX_RETRY_DELAY));
    assert_eq!(delay(3, i32::MAX), Some(Duration::new(3, 999_999_999)));
    assert_eq!(delay(-5, 0), Some(Duration::ZERO));
    assert_eq!(delay(i64::MIN, i32::MIN), Some(Duration::ZERO));
    assert_eq!(delay(0, -1), Some(Duration::ZERO));
    assert_eq!(delay(3, -1), Some(Duration::from_secs(3)));
    // Garbage and huge details: no delay, the code still classified.
    let huge = vec![0x1a; 2 * 1024 * 1024];
    for details in [&b"\xff\xff\xff garbage"[..], &huge, &raw_status::with_retry_delay(1, 0)[..5]] {
        let error = grpc_client::classify_grpc_status(unavailable, "busy", details);
        assert_eq!(error.kind, ErrorKind::GrpcCode("UNAVAILABLE"));
        assert!(error.retryable);
        assert_eq!(error.retry_after, None);
    }
    // Codes outside the table are UNKNOWN; server text is cut.
    for code in [-1, 17, i32::MAX, i32::MIN] {
        let error = grpc_client::classify_grpc_status(code, &"m".repeat(10_000), b"");
        assert_eq!(error.kind, ErrorKind::GrpcCode("UNKNOWN"), "{code}");
        assert!(!error.retryable);
        assert!(error.message.len() < 300, "{code}");
    }
}

#[test]
fn http_classification_extremes_never_panic() {
    let now = SystemTime::now();
    for status in [0, 1, 99, 100, 199, 299, 599, 600, 999, 1000, u16::MAX] {
        let outcome = http_client::classify_http_response(status, Some("\u{0}"), Some("-1"), b"\xff", false, now);
        if (200..300).contains(&status) {
            assert_eq!(failed(outcome).kind, ErrorKind::InvalidResponse, "{status}");
        } else {
            let error = failed(outcome);
            assert_eq!(error.kind, ErrorKind::HttpStatus(status), "{status}");
            assert_eq!(error.retry_after, None);
        }
    }
    // A huge error body: its message cut.
    let body = "e".repeat(1024 * 1024);
    let error = failed(http_client::classify_http_response(503, Some("text/plain"), None, body.as_bytes(), false, now));
    assert!(error.message.len() < 300, "{}", error.message.len());
    assert!(error.retryable);
}
