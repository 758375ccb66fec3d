//! The builder: ports, HTTP paths and initial behaviors (the faults injected from the first request on, for all
//! signals or per signal); it binds the ports and starts the servers' thread.

use super::grpc_service::serve_grpc;
use super::http_service::serve_http;
use super::state::{Shared, State};
use super::types::{Behavior, Signal};
use super::Receiver;
use crate::server_thread::ServerThread;
use std::sync::{Arc, Condvar, Mutex};

/// Builds a [`Receiver`] with non-default HTTP paths or initial behaviors.
///
/// ```
/// # fn main() {
/// use otel_testkit::{Behavior, Receiver, Signal};
/// let receiver = Receiver::builder().http_path("/custom/traces").behavior(Behavior::Reject).start_blocking();
/// assert!(receiver.http_traces_url().ends_with("/custom/traces"));
///
/// // Metrics fail, traces and logs succeed.
/// let receiver = Receiver::builder().signal_behavior(Signal::Metrics, Behavior::Reject).start_blocking();
/// assert_eq!(receiver.signal_behavior(Signal::Metrics), Behavior::Reject);
/// assert_eq!(receiver.behavior(), Behavior::Accept);
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ReceiverBuilder {
    /// Indexed by [`Signal::index`].
    pub(super) http_paths: [String; 3],
    /// Indexed by [`Signal::index`].
    pub(super) behaviors: [Behavior; 3],
    pub(super) grpc_port: u16,
    pub(super) http_port: u16,
}

impl ReceiverBuilder {
    /// The path the HTTP server takes trace exports on (default `/v1/traces`); paths of no signal get 404.
    pub fn http_path(self, path: impl Into<String>) -> Self {
        self.signal_http_path(Signal::Traces, path)
    }

    /// The path the HTTP server takes the exports of `signal` on (default `/v1/traces`, `/v1/logs`, `/v1/metrics`).
    /// Give each signal its own path: a path shared with another signal goes to the first of traces, logs, metrics.
    pub fn signal_http_path(mut self, signal: Signal, path: impl Into<String>) -> Self {
        let path = path.into();
        self.http_paths[signal.index()] = if path.starts_with('/') { path } else { format!("/{path}") };
        self
    }

    /// Listen on these ports of 127.0.0.1 instead of ephemeral ones (0 = ephemeral), e.g. to restart a
    /// collector where the previous one was: `Receiver::builder().ports(old.grpc_addr().port(), old.http_addr().port())`.
    pub fn ports(mut self, grpc: u16, http: u16) -> Self {
        self.grpc_port = grpc;
        self.http_port = http;
        self
    }

    /// The behavior of every signal from the first request on (default [`Behavior::Accept`]). Replaces what
    /// [`ReceiverBuilder::signal_behavior`] set before it.
    pub fn behavior(mut self, behavior: Behavior) -> Self {
        self.behaviors = [behavior.clone(), behavior.clone(), behavior];
        self
    }

    /// The behavior of `signal` only, from its first request on: e.g. metrics failing while traces and logs
    /// succeed. Overrides [`ReceiverBuilder::behavior`] when called after it.
    pub fn signal_behavior(mut self, signal: Signal, behavior: Behavior) -> Self {
        self.behaviors[signal.index()] = behavior;
        self
    }

    /// Starts the receiver (see [`Receiver::start`]).
    pub async fn start(self) -> Receiver {
        self.start_blocking()
    }

    /// Starts the receiver without needing an async context (see [`Receiver::start_blocking`]).
    pub fn start_blocking(self) -> Receiver {
        self.launch().unwrap_or_else(|e| panic!("otel-testkit: cannot start the receiver: {e}"))
    }

    /// Binds the ports and starts the servers' thread.
    fn launch(self) -> std::io::Result<Receiver> {
        let grpc_listener = std::net::TcpListener::bind(("127.0.0.1", self.grpc_port))?;
        let http_listener = std::net::TcpListener::bind(("127.0.0.1", self.http_port))?;
        grpc_listener.set_nonblocking(true)?;
        http_listener.set_nonblocking(true)?;
        let (grpc_addr, http_addr) = (grpc_listener.local_addr()?, http_listener.local_addr()?);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(self.behaviors)),
            cond: Condvar::new(),
            changed: tokio::sync::watch::Sender::new(0),
        });
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (shutdown, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let (grpc_shared, http_shared, http_paths) =
            (shared.clone(), shared.clone(), Arc::new(self.http_paths.clone()));
        let thread = std::thread::Builder::new().name(format!("otel-testkit-receiver-{}", grpc_addr.port())).spawn(
            move || {
                runtime.block_on(async move {
                    tokio::spawn(serve_grpc(grpc_listener, grpc_shared));
                    tokio::spawn(serve_http(http_listener, http_shared, http_paths));
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
            http_paths: self.http_paths,
            server: ServerThread::new(shutdown, thread),
        })
    }
}
