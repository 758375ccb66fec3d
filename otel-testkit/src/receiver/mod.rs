//! The in-process OTLP trace receiver: gRPC (tonic) and HTTP (hyper) servers on 127.0.0.1 that record what they
//! get and answer as told by a [`Behavior`].
//!
//! - [`types`]: the public types (protocol, recorded request, attempt, outcome, behavior);
//! - [`state`]: what the servers and the handle share: the recording, the behavior, the waits;
//! - [`faults`]: what the behavior decides for a request;
//! - [`builder`]: the builder, which binds the ports and starts the servers;
//! - [`grpc_service`] and [`http_service`]: the two services.

mod builder;
mod faults;
mod grpc_service;
mod http_service;
mod state;
mod types;

pub use builder::ReceiverBuilder;
pub use types::{Attempt, Behavior, Outcome, Protocol, Received, DEFAULT_HTTP_PATH, GRPC_EXPORT_PATH};

use crate::server_thread::ServerThread;
use crate::span::ReceivedSpan;
use state::Shared;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

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
