//! The in-process OTLP trace receiver: gRPC (tonic) and HTTP (hyper) servers on 127.0.0.1 that record what they
//! get and answer as told by a [`Behavior`].

use crate::server_thread::ServerThread;
use crate::span::{flatten, span_count, ReceivedSpan};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};
use http_body_util::{BodyExt, Full};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use std::convert::Infallible;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tonic::codec::CompressionEncoding;
use tonic_types::{ErrorDetails, StatusExt};

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

#[derive(Default)]
struct State {
    behavior: Behavior,
    failures_served: usize,
    attempts: Vec<Attempt>,
    requests: Vec<Received>,
    spans: Vec<ReceivedSpan>,
}

impl State {
    fn describe(&self) -> String {
        let mut names: Vec<&str> = self.spans.iter().map(|s| s.name.as_str()).collect();
        names.truncate(50);
        let invalid: Vec<&str> = self
            .attempts
            .iter()
            .filter_map(|a| match &a.outcome {
                Outcome::Invalid(why) => Some(why.as_str()),
                _ => None,
            })
            .collect();
        let outcomes: Vec<String> = self.attempts.iter().map(|a| format!("{:?}", a.outcome)).collect();
        format!(
            "received {} spans in {} accepted requests; {} attempts in all {:?}; behavior {:?}; span names {:?}{}",
            self.spans.len(),
            self.requests.len(),
            self.attempts.len(),
            outcomes,
            self.behavior,
            names,
            if invalid.is_empty() { String::new() } else { format!("; invalid requests: {invalid:?}") }
        )
    }
}

/// What was decided for a request.
enum Answer {
    Accept,
    Partial(i64),
    Unavailable(Option<Duration>),
    Reject,
}

struct Shared {
    state: Mutex<State>,
    /// For the blocking waits.
    cond: Condvar,
    /// Bumped on every change, for the async waits and for stalled requests.
    changed: tokio::sync::watch::Sender<u64>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn update<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let result = f(&mut self.lock());
        self.cond.notify_all();
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
        result
    }

    /// The answer for the next request, waiting as long as the behavior is `Stall`.
    async fn decide(&self) -> Answer {
        let mut changes = self.changed.subscribe();
        loop {
            {
                let mut state = self.lock();
                match state.behavior.clone() {
                    Behavior::Accept => return Answer::Accept,
                    Behavior::Reject => return Answer::Reject,
                    Behavior::PartialSuccess { rejected_per_request } => return Answer::Partial(rejected_per_request),
                    Behavior::Unavailable { times, retry_after } => {
                        if state.failures_served < times {
                            state.failures_served += 1;
                            return Answer::Unavailable(retry_after);
                        }
                        return Answer::Accept;
                    }
                    Behavior::Stall => {}
                }
            }
            if changes.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Records the arrival of a decoded request, decides, records the outcome (and the spans when accepted).
    async fn handle(
        &self,
        protocol: Protocol,
        path: String,
        headers: HeaderMap,
        request: ExportTraceServiceRequest,
    ) -> Answer {
        let count = span_count(&request);
        let index = self.update(|s| {
            s.attempts.push(Attempt {
                at: Instant::now(),
                protocol: Some(protocol),
                span_count: count,
                outcome: Outcome::Pending,
            });
            s.attempts.len() - 1
        });
        let answer = self.decide().await;
        self.update(|s| {
            let outcome = match &answer {
                Answer::Accept => Outcome::Accepted,
                Answer::Partial(n) => Outcome::PartiallyAccepted { rejected: *n },
                Answer::Unavailable(_) => Outcome::Unavailable,
                Answer::Reject => Outcome::Rejected,
            };
            if matches!(outcome, Outcome::Accepted | Outcome::PartiallyAccepted { .. }) {
                s.spans.extend(flatten(&request));
                s.requests.push(Received { protocol, path, headers, request });
            }
            s.attempts[index].outcome = outcome;
        });
        answer
    }

    fn invalid(&self, protocol: Option<Protocol>, why: String) {
        self.update(|s| {
            s.attempts.push(Attempt { at: Instant::now(), protocol, span_count: 0, outcome: Outcome::Invalid(why) })
        });
    }

    async fn wait_until<T>(
        &self,
        timeout: Duration,
        what: &str,
        ready: impl Fn(&State) -> Option<T>,
    ) -> Result<T, String> {
        let mut changes = self.changed.subscribe();
        let wait = async {
            loop {
                if let Some(found) = ready(&self.lock()) {
                    return found;
                }
                if changes.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        };
        match tokio::time::timeout(timeout, wait).await {
            Ok(found) => Ok(found),
            Err(_) => Err(format!("timed out after {timeout:?} waiting for {what}: {}", self.lock().describe())),
        }
    }

    fn wait_until_blocking<T>(
        &self,
        timeout: Duration,
        what: &str,
        ready: impl Fn(&State) -> Option<T>,
    ) -> Result<T, String> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if let Some(found) = ready(&state) {
                return Ok(found);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(format!("timed out after {timeout:?} waiting for {what}: {}", state.describe()));
            }
            state = self.cond.wait_timeout(state, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}

/// Builds a [`Receiver`] with a non-default HTTP path or initial behavior.
///
/// ```
/// # fn main() {
/// use otel_testkit::{Behavior, Receiver};
/// let receiver = Receiver::builder().http_path("/custom/traces").behavior(Behavior::Reject).start_blocking();
/// assert!(receiver.http_traces_url().ends_with("/custom/traces"));
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ReceiverBuilder {
    http_path: String,
    behavior: Behavior,
    grpc_port: u16,
    http_port: u16,
}

impl ReceiverBuilder {
    /// The path the HTTP server takes exports on (default `/v1/traces`); other paths get 404.
    pub fn http_path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.http_path = if path.starts_with('/') { path } else { format!("/{path}") };
        self
    }

    /// Listen on these ports of 127.0.0.1 instead of ephemeral ones (0 = ephemeral), e.g. to restart a
    /// collector where the previous one was: `Receiver::builder().ports(old.grpc_addr().port(), old.http_addr().port())`.
    pub fn ports(mut self, grpc: u16, http: u16) -> Self {
        self.grpc_port = grpc;
        self.http_port = http;
        self
    }

    /// The behavior from the first request on (default [`Behavior::Accept`]).
    pub fn behavior(mut self, behavior: Behavior) -> Self {
        self.behavior = behavior;
        self
    }

    /// Starts the receiver (see [`Receiver::start`]).
    pub async fn start(self) -> Receiver {
        self.start_blocking()
    }

    /// Starts the receiver without needing an async context (see [`Receiver::start_blocking`]).
    pub fn start_blocking(self) -> Receiver {
        Receiver::launch(self).unwrap_or_else(|e| panic!("otel-testkit: cannot start the receiver: {e}"))
    }
}

/// An in-process OTLP trace collector for tests: an OTLP/gRPC server and an OTLP/HTTP server (protobuf and JSON
/// bodies, gzip accepted on both), each on an ephemeral port of 127.0.0.1, recording every request and answering
/// as its [`Behavior`] says.
///
/// The servers run on a tokio runtime of their own, on a background thread, so the receiver works the same from
/// async tests, blocking tests and tests whose code under test builds and drops its own runtimes. Dropping the
/// receiver (or [`Receiver::stop`]) stops both servers: their ports then refuse connections.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use otel_testkit::{client, Receiver};
/// use std::time::Duration;
///
/// let receiver = Receiver::start().await;
/// let request = client::sample_request("my-service", &["parent", "child"]);
/// client::export_grpc(&receiver.grpc_endpoint(), request, false).await.unwrap();
/// let spans = receiver.wait_for_spans(2, Duration::from_secs(5)).await.unwrap();
/// assert_eq!(spans[1].parent_span_id, spans[0].span_id);
/// assert_eq!(spans[0].resource_attribute("service.name"), Some("my-service"));
/// # }
/// ```
pub struct Receiver {
    shared: Arc<Shared>,
    grpc_addr: SocketAddr,
    http_addr: SocketAddr,
    http_path: String,
    server: ServerThread,
}

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("grpc", &self.grpc_addr)
            .field("http", &self.http_addr)
            .field("http_path", &self.http_path)
            .finish_non_exhaustive()
    }
}

impl Receiver {
    /// A builder, to choose the HTTP path or the initial behavior.
    pub fn builder() -> ReceiverBuilder {
        ReceiverBuilder {
            http_path: DEFAULT_HTTP_PATH.to_string(),
            behavior: Behavior::Accept,
            grpc_port: 0,
            http_port: 0,
        }
    }

    /// Starts a receiver that accepts everything, on ephemeral ports. Both ports take connections once this returns.
    /// Panics if it cannot bind 127.0.0.1.
    pub async fn start() -> Receiver {
        Self::builder().start().await
    }

    /// [`Receiver::start`] for tests that are not async (it does not need, nor mind, a tokio runtime).
    pub fn start_blocking() -> Receiver {
        Self::builder().start_blocking()
    }

    fn launch(builder: ReceiverBuilder) -> std::io::Result<Receiver> {
        let grpc_listener = std::net::TcpListener::bind(("127.0.0.1", builder.grpc_port))?;
        let http_listener = std::net::TcpListener::bind(("127.0.0.1", builder.http_port))?;
        grpc_listener.set_nonblocking(true)?;
        http_listener.set_nonblocking(true)?;
        let (grpc_addr, http_addr) = (grpc_listener.local_addr()?, http_listener.local_addr()?);
        let shared = Arc::new(Shared {
            state: Mutex::new(State { behavior: builder.behavior, ..State::default() }),
            cond: Condvar::new(),
            changed: tokio::sync::watch::Sender::new(0),
        });
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (shutdown, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let (grpc_shared, http_shared, http_path) = (shared.clone(), shared.clone(), builder.http_path.clone());
        let thread = std::thread::Builder::new().name(format!("otel-testkit-receiver-{}", grpc_addr.port())).spawn(
            move || {
                runtime.block_on(async move {
                    tokio::spawn(serve_grpc(grpc_listener, grpc_shared));
                    tokio::spawn(serve_http(http_listener, http_shared, Arc::from(http_path)));
                    let _ = shutdown_rx.await;
                });
                // Dropping the runtime cancels every task: listeners and connections (stalled ones too) close.
                drop(runtime);
            },
        )?;
        Ok(Receiver {
            shared,
            grpc_addr,
            http_addr,
            http_path: builder.http_path,
            server: ServerThread::new(shutdown, thread),
        })
    }

    /// The gRPC server's endpoint: `http://127.0.0.1:PORT`.
    pub fn grpc_endpoint(&self) -> String {
        format!("http://{}", self.grpc_addr)
    }

    /// The HTTP server's base endpoint, `http://127.0.0.1:PORT`: what `OTEL_EXPORTER_OTLP_ENDPOINT` takes (the
    /// exporter appends `/v1/traces`).
    pub fn http_endpoint(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    /// The full URL HTTP exports go to: [`Receiver::http_endpoint`] plus the HTTP path (`/v1/traces` by default).
    pub fn http_traces_url(&self) -> String {
        format!("http://{}{}", self.http_addr, self.http_path)
    }

    /// The gRPC server's address.
    pub fn grpc_addr(&self) -> SocketAddr {
        self.grpc_addr
    }

    /// The HTTP server's address.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// Every accepted request (including partial successes), in arrival order. Failed, rejected, stalled and
    /// invalid requests are not here: see [`Receiver::attempt_log`].
    pub fn requests(&self) -> Vec<Received> {
        self.shared.lock().requests.clone()
    }

    /// Every span of the accepted requests, flattened, in arrival order.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        self.shared.lock().spans.clone()
    }

    /// The spans named `name`, in arrival order.
    pub fn spans_named(&self, name: &str) -> Vec<ReceivedSpan> {
        self.shared.lock().spans.iter().filter(|s| s.name == name).cloned().collect()
    }

    /// The number of spans recorded (those of accepted requests).
    pub fn span_count(&self) -> usize {
        self.shared.lock().spans.len()
    }

    /// The number of requests that reached the receiver, whatever their fate (failed, rejected, stalled and invalid
    /// ones included). A gRPC request that tonic itself refuses before the service sees it (undecodable) is not counted.
    pub fn attempts(&self) -> usize {
        self.shared.lock().attempts.len()
    }

    /// Every request that reached the receiver, with when it arrived and how it was answered.
    pub fn attempt_log(&self) -> Vec<Attempt> {
        self.shared.lock().attempts.clone()
    }

    /// The current behavior.
    pub fn behavior(&self) -> Behavior {
        self.shared.lock().behavior.clone()
    }

    /// Changes how the receiver answers from now on; requests stalled by [`Behavior::Stall`] are answered by the new
    /// behavior. Restarts the failure count of [`Behavior::Unavailable`].
    pub fn set_behavior(&self, behavior: Behavior) {
        self.shared.update(|s| {
            s.behavior = behavior;
            s.failures_served = 0;
        });
    }

    /// Waits until at least `n` spans were recorded and returns them all (possibly more than `n`). Woken by each
    /// request, no polling. On timeout the error says what did arrive.
    pub async fn wait_for_spans(&self, n: usize, timeout: Duration) -> Result<Vec<ReceivedSpan>, String> {
        self.shared.wait_until(timeout, &format!("{n} spans"), |s| (s.spans.len() >= n).then(|| s.spans.clone())).await
    }

    /// [`Receiver::wait_for_spans`] for tests that are not async (blocks the calling thread).
    pub fn wait_for_spans_blocking(&self, n: usize, timeout: Duration) -> Result<Vec<ReceivedSpan>, String> {
        self.shared
            .wait_until_blocking(timeout, &format!("{n} spans"), |s| (s.spans.len() >= n).then(|| s.spans.clone()))
    }

    /// Waits until at least `n` requests reached the receiver (see [`Receiver::attempts`]) and returns the attempt
    /// log. Useful with failing or stalling behaviors, whose requests record no span.
    pub async fn wait_for_attempts(&self, n: usize, timeout: Duration) -> Result<Vec<Attempt>, String> {
        self.shared
            .wait_until(timeout, &format!("{n} attempts"), |s| (s.attempts.len() >= n).then(|| s.attempts.clone()))
            .await
    }

    /// [`Receiver::wait_for_attempts`] for tests that are not async (blocks the calling thread).
    pub fn wait_for_attempts_blocking(&self, n: usize, timeout: Duration) -> Result<Vec<Attempt>, String> {
        self.shared.wait_until_blocking(timeout, &format!("{n} attempts"), |s| {
            (s.attempts.len() >= n).then(|| s.attempts.clone())
        })
    }

    /// Stops both servers and waits until they are gone: their ports refuse connections once this returns, and
    /// stalled requests see their connection closed. Dropping the receiver does the same.
    pub fn stop(mut self) {
        self.server.stop();
    }
}

// ---------------------------------------------------------------------------------------------------------- gRPC

struct GrpcService(Arc<Shared>);

#[tonic::async_trait]
impl TraceService for GrpcService {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let headers = request.metadata().clone().into_headers();
        let request = request.into_inner();
        match self.0.handle(Protocol::Grpc, GRPC_EXPORT_PATH.to_string(), headers, request).await {
            Answer::Accept => Ok(tonic::Response::new(ExportTraceServiceResponse { partial_success: None })),
            Answer::Partial(rejected) => Ok(tonic::Response::new(partial_response(rejected))),
            Answer::Unavailable(Some(delay)) => Err(tonic::Status::with_error_details(
                tonic::Code::Unavailable,
                UNAVAILABLE_MESSAGE,
                ErrorDetails::with_retry_info(Some(delay)),
            )),
            Answer::Unavailable(None) => Err(tonic::Status::unavailable(UNAVAILABLE_MESSAGE)),
            Answer::Reject => Err(tonic::Status::invalid_argument(REJECT_MESSAGE)),
        }
    }
}

const UNAVAILABLE_MESSAGE: &str = "otel-testkit receiver: unavailable (injected failure)";
const REJECT_MESSAGE: &str = "otel-testkit receiver: request rejected (injected failure)";

fn partial_response(rejected: i64) -> ExportTraceServiceResponse {
    ExportTraceServiceResponse {
        partial_success: Some(ExportTracePartialSuccess {
            rejected_spans: rejected,
            error_message: format!("otel-testkit receiver: {rejected} spans rejected (injected partial success)"),
        }),
    }
}

async fn serve_grpc(listener: std::net::TcpListener, shared: Arc<Shared>) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(e) => return shared.invalid(None, format!("gRPC server could not start: {e}")),
    };
    let service = TraceServiceServer::new(GrpcService(shared.clone()))
        .accept_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Zstd)
        .max_decoding_message_size(64 * 1024 * 1024);
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    if let Err(e) = tonic::transport::Server::builder().add_service(service).serve_with_incoming(incoming).await {
        shared.invalid(None, format!("gRPC server stopped: {e}"));
    }
}

// ---------------------------------------------------------------------------------------------------------- HTTP

type HttpResponse = http::Response<Full<Bytes>>;

async fn serve_http(listener: std::net::TcpListener, shared: Arc<Shared>, path: Arc<str>) {
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
