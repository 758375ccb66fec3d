//! The builder: ports, HTTP path and initial behavior; it binds the ports and starts the servers' thread.

use super::grpc_service::serve_grpc;
use super::http_service::serve_http;
use super::state::{Shared, State};
use super::types::Behavior;
use super::Receiver;
use crate::server_thread::ServerThread;
use std::sync::{Arc, Condvar, Mutex};

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
    pub(super) http_path: String,
    pub(super) behavior: Behavior,
    pub(super) grpc_port: u16,
    pub(super) http_port: u16,
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
            state: Mutex::new(State { behavior: self.behavior, ..State::default() }),
            cond: Condvar::new(),
            changed: tokio::sync::watch::Sender::new(0),
        });
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (shutdown, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let (grpc_shared, http_shared, http_path) = (shared.clone(), shared.clone(), self.http_path.clone());
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
            http_path: self.http_path,
            server: ServerThread::new(shutdown, thread),
        })
    }
}
