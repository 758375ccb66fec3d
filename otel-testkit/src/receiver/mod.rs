//! The in-process OTLP receiver (traces, logs, metrics): gRPC (tonic) and HTTP (hyper) servers on 127.0.0.1 that
//! record what they get and answer as told by a [`Behavior`] per signal.
//!
//! - [`types`]: the public types (signal, protocol, recorded request, attempt, outcome, behavior);
//! - [`export`]: the three export requests behind one trait;
//! - [`state`]: what the servers and the handle share: the recording, the behavior, the waits;
//! - [`faults`]: what the behavior decides for a request;
//! - [`builder`]: the builder, which binds the ports and starts the servers;
//! - [`grpc_service`] and [`http_service`]: the two services.

mod builder;
mod export;
mod faults;
mod grpc_service;
mod http_service;
mod state;
mod types;

pub use builder::ReceiverBuilder;
pub use types::{
    Attempt, Behavior, Outcome, Protocol, Received, Signal, DEFAULT_HTTP_LOGS_PATH, DEFAULT_HTTP_METRICS_PATH,
    DEFAULT_HTTP_PATH, GRPC_EXPORT_PATH, GRPC_LOGS_EXPORT_PATH, GRPC_METRICS_EXPORT_PATH,
};

use crate::log::ReceivedLogRecord;
use crate::metric::ReceivedMetric;
use crate::server_thread::ServerThread;
use crate::span::ReceivedSpan;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use state::Shared;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// An in-process OTLP collector for tests: an OTLP/gRPC server and an OTLP/HTTP server (protobuf and JSON
/// bodies, gzip accepted on both), each on an ephemeral port of 127.0.0.1, taking traces, logs and metrics
/// (`TraceService`, `LogsService`, `MetricsService`; `/v1/traces`, `/v1/logs`, `/v1/metrics`), recording every
/// request and answering as the [`Behavior`] of its [`Signal`] says.
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
///
/// Logs and metrics arrive on the same ports; a fault can hit one signal only:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use otel_testkit::{client, Behavior, MetricKind, Receiver, Signal, Temporality};
/// use std::time::Duration;
///
/// let receiver = Receiver::builder().signal_behavior(Signal::Metrics, Behavior::Reject).start().await;
/// client::export_logs_grpc(&receiver.grpc_endpoint(), client::sample_logs_request("svc", &["hello"]), false)
///     .await
///     .unwrap();
/// let logs = receiver.wait_for_logs(1, Duration::from_secs(5)).await.unwrap();
/// assert_eq!((logs[0].body.as_str(), logs[0].severity_number), ("hello", 9));
///
/// let metrics = client::sample_metrics_request("svc");
/// assert!(client::export_metrics_grpc(&receiver.grpc_endpoint(), metrics.clone(), false).await.is_err());
/// receiver.set_signal_behavior(Signal::Metrics, Behavior::Accept);
/// client::export_metrics_grpc(&receiver.grpc_endpoint(), metrics, false).await.unwrap();
/// let counter = receiver
///     .wait_for_metric(Duration::from_secs(5), |m| m.name == "sample.requests")
///     .await
///     .unwrap();
/// assert_eq!((counter.kind, counter.temporality), (MetricKind::Sum, Some(Temporality::Cumulative)));
/// assert_eq!(counter.point_with("route", "/a").and_then(|p| p.as_i64()), Some(42));
/// assert_eq!(receiver.signal_attempts(Signal::Metrics), 2);
/// # }
/// ```
pub struct Receiver {
    shared: Arc<Shared>,
    grpc_addr: SocketAddr,
    http_addr: SocketAddr,
    /// Indexed by [`Signal::index`].
    http_paths: [String; 3],
    server: ServerThread,
}

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("grpc", &self.grpc_addr)
            .field("http", &self.http_addr)
            .field("http_paths", &self.http_paths)
            .finish_non_exhaustive()
    }
}

impl Receiver {
    /// A builder, to choose the HTTP paths or the initial behaviors.
    pub fn builder() -> ReceiverBuilder {
        ReceiverBuilder {
            http_paths: Signal::ALL.map(|s| s.default_http_path().to_string()),
            behaviors: [Behavior::Accept, Behavior::Accept, Behavior::Accept],
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

    /// The gRPC server's endpoint: `http://127.0.0.1:PORT`.
    pub fn grpc_endpoint(&self) -> String {
        format!("http://{}", self.grpc_addr)
    }

    /// The HTTP server's base endpoint, `http://127.0.0.1:PORT`: what `OTEL_EXPORTER_OTLP_ENDPOINT` takes (the
    /// exporter appends `/v1/traces`).
    pub fn http_endpoint(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    /// The full URL HTTP trace exports go to: [`Receiver::http_endpoint`] plus the traces path (`/v1/traces` by
    /// default).
    pub fn http_traces_url(&self) -> String {
        self.http_url(Signal::Traces)
    }

    /// The full URL HTTP log exports go to: [`Receiver::http_endpoint`] plus `/v1/logs` (by default).
    pub fn http_logs_url(&self) -> String {
        self.http_url(Signal::Logs)
    }

    /// The full URL HTTP metric exports go to: [`Receiver::http_endpoint`] plus `/v1/metrics` (by default).
    pub fn http_metrics_url(&self) -> String {
        self.http_url(Signal::Metrics)
    }

    /// The full URL HTTP exports of `signal` go to.
    pub fn http_url(&self, signal: Signal) -> String {
        format!("http://{}{}", self.http_addr, self.http_paths[signal.index()])
    }

    /// The gRPC server's address.
    pub fn grpc_addr(&self) -> SocketAddr {
        self.grpc_addr
    }

    /// The HTTP server's address.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// Every accepted trace request (including partial successes), in arrival order. Failed, rejected, stalled and
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

    /// Every accepted log request (including partial successes), in arrival order.
    pub fn log_requests(&self) -> Vec<Received<ExportLogsServiceRequest>> {
        self.shared.lock().log_requests.clone()
    }

    /// Every log record of the accepted log requests, flattened, in arrival order.
    pub fn log_records(&self) -> Vec<ReceivedLogRecord> {
        self.shared.lock().logs.clone()
    }

    /// The number of log records recorded (those of accepted requests).
    pub fn log_record_count(&self) -> usize {
        self.shared.lock().logs.len()
    }

    /// Every accepted metric request (including partial successes), in arrival order.
    pub fn metric_requests(&self) -> Vec<Received<ExportMetricsServiceRequest>> {
        self.shared.lock().metric_requests.clone()
    }

    /// Every metric of the accepted metric requests, flattened, in arrival order: one entry per metric per request,
    /// so a metric exported periodically appears once per export, its latest state last.
    pub fn metrics(&self) -> Vec<ReceivedMetric> {
        self.shared.lock().metrics.clone()
    }

    /// The metrics named `name`, in arrival order (the latest export last).
    pub fn metrics_named(&self, name: &str) -> Vec<ReceivedMetric> {
        self.shared.lock().metrics.iter().filter(|m| m.name == name).cloned().collect()
    }

    /// The number of data points recorded, all metrics and requests together (those of accepted requests).
    pub fn data_point_count(&self) -> usize {
        self.shared.lock().metrics.iter().map(|m| m.data_points.len()).sum()
    }

    /// The number of requests that reached the receiver, whatever their signal and fate (failed, rejected,
    /// stalled and invalid ones included). A gRPC request that tonic itself refuses before the service sees it
    /// (undecodable) is not counted.
    pub fn attempts(&self) -> usize {
        self.shared.lock().attempts.len()
    }

    /// The number of requests of `signal` that reached the receiver, whatever their fate (an HTTP request counts
    /// for the signal whose path it was sent to).
    pub fn signal_attempts(&self, signal: Signal) -> usize {
        self.shared.lock().attempts.iter().filter(|a| a.signal == Some(signal)).count()
    }

    /// Every request that reached the receiver, with its signal, when it arrived and how it was answered.
    pub fn attempt_log(&self) -> Vec<Attempt> {
        self.shared.lock().attempts.clone()
    }

    /// The current behavior of traces (see [`Receiver::signal_behavior`] for the others).
    pub fn behavior(&self) -> Behavior {
        self.signal_behavior(Signal::Traces)
    }

    /// The current behavior of `signal`.
    pub fn signal_behavior(&self, signal: Signal) -> Behavior {
        self.shared.lock().behavior(signal).clone()
    }

    /// Changes how the receiver answers every signal from now on; requests stalled by [`Behavior::Stall`] are
    /// answered by the new behavior. Restarts the failure counts of [`Behavior::Unavailable`].
    pub fn set_behavior(&self, behavior: Behavior) {
        self.shared.update(|s| {
            for faults in &mut s.faults {
                *faults = faults::Faults::new(behavior.clone());
            }
        });
    }

    /// Changes how the receiver answers `signal` from now on, the other signals unchanged: its stalled requests
    /// are answered by the new behavior, and its failure count restarts.
    pub fn set_signal_behavior(&self, signal: Signal, behavior: Behavior) {
        self.shared.update(|s| s.faults[signal.index()] = faults::Faults::new(behavior));
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

    /// Waits until at least `n` log records were recorded and returns them all (possibly more than `n`). Woken by
    /// each request, no polling. On timeout the error says what did arrive.
    pub async fn wait_for_logs(&self, n: usize, timeout: Duration) -> Result<Vec<ReceivedLogRecord>, String> {
        self.shared
            .wait_until(timeout, &format!("{n} log records"), |s| (s.logs.len() >= n).then(|| s.logs.clone()))
            .await
    }

    /// [`Receiver::wait_for_logs`] for tests that are not async (blocks the calling thread).
    pub fn wait_for_logs_blocking(&self, n: usize, timeout: Duration) -> Result<Vec<ReceivedLogRecord>, String> {
        self.shared
            .wait_until_blocking(timeout, &format!("{n} log records"), |s| (s.logs.len() >= n).then(|| s.logs.clone()))
    }

    /// Waits until a log record satisfying `accept` was recorded and returns the first such (in arrival order).
    pub async fn wait_for_log(
        &self,
        timeout: Duration,
        accept: impl Fn(&ReceivedLogRecord) -> bool,
    ) -> Result<ReceivedLogRecord, String> {
        self.shared.wait_until(timeout, "a matching log record", |s| s.logs.iter().find(|l| accept(l)).cloned()).await
    }

    /// [`Receiver::wait_for_log`] for tests that are not async (blocks the calling thread).
    pub fn wait_for_log_blocking(
        &self,
        timeout: Duration,
        accept: impl Fn(&ReceivedLogRecord) -> bool,
    ) -> Result<ReceivedLogRecord, String> {
        self.shared
            .wait_until_blocking(timeout, "a matching log record", |s| s.logs.iter().find(|l| accept(l)).cloned())
    }

    /// Waits until at least `n` metrics were recorded (entries of [`Receiver::metrics`]: one per metric per
    /// request) and returns them all. Woken by each request, no polling.
    pub async fn wait_for_metrics(&self, n: usize, timeout: Duration) -> Result<Vec<ReceivedMetric>, String> {
        self.shared
            .wait_until(timeout, &format!("{n} metrics"), |s| (s.metrics.len() >= n).then(|| s.metrics.clone()))
            .await
    }

    /// [`Receiver::wait_for_metrics`] for tests that are not async (blocks the calling thread).
    pub fn wait_for_metrics_blocking(&self, n: usize, timeout: Duration) -> Result<Vec<ReceivedMetric>, String> {
        self.shared.wait_until_blocking(timeout, &format!("{n} metrics"), |s| {
            (s.metrics.len() >= n).then(|| s.metrics.clone())
        })
    }

    /// Waits until a metric satisfying `accept` was recorded and returns the latest such: e.g. a counter named
    /// `requests` whose value reached 5, whatever the exports before it said.
    pub async fn wait_for_metric(
        &self,
        timeout: Duration,
        accept: impl Fn(&ReceivedMetric) -> bool,
    ) -> Result<ReceivedMetric, String> {
        self.shared.wait_until(timeout, "a matching metric", |s| s.metrics.iter().rfind(|m| accept(m)).cloned()).await
    }

    /// [`Receiver::wait_for_metric`] for tests that are not async (blocks the calling thread).
    pub fn wait_for_metric_blocking(
        &self,
        timeout: Duration,
        accept: impl Fn(&ReceivedMetric) -> bool,
    ) -> Result<ReceivedMetric, String> {
        self.shared
            .wait_until_blocking(timeout, "a matching metric", |s| s.metrics.iter().rfind(|m| accept(m)).cloned())
    }

    /// Waits until at least `n` requests of `signal` reached the receiver (see [`Receiver::signal_attempts`]) and
    /// returns their attempts, in arrival order.
    pub async fn wait_for_signal_attempts(
        &self,
        signal: Signal,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Attempt>, String> {
        self.shared
            .wait_until(timeout, &format!("{n} {signal} attempts"), |s| signal_attempts(&s.attempts, signal, n))
            .await
    }

    /// [`Receiver::wait_for_signal_attempts`] for tests that are not async (blocks the calling thread).
    pub fn wait_for_signal_attempts_blocking(
        &self,
        signal: Signal,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Attempt>, String> {
        self.shared.wait_until_blocking(timeout, &format!("{n} {signal} attempts"), |s| {
            signal_attempts(&s.attempts, signal, n)
        })
    }

    /// Stops both servers and waits until they are gone: their ports refuse connections once this returns, and
    /// stalled requests see their connection closed. Dropping the receiver does the same.
    pub fn stop(mut self) {
        self.server.stop();
    }
}

// ---------------------------------------------------------------------------------------------------------- gRPC

/// The attempts of `signal`, once there are at least `n`.
fn signal_attempts(attempts: &[Attempt], signal: Signal, n: usize) -> Option<Vec<Attempt>> {
    let found: Vec<Attempt> = attempts.iter().filter(|a| a.signal == Some(signal)).cloned().collect();
    (found.len() >= n).then_some(found)
}
