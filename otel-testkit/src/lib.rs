//! Test support for `otel`.
//!
//! - [`Receiver`]: an in-process OTLP collector of traces, logs and metrics (gRPC on tonic, HTTP/1.1 on hyper,
//!   protobuf and JSON bodies, gzip accepted) on ephemeral ports of 127.0.0.1. It records every request
//!   ([`Receiver::requests`], [`Receiver::spans`], [`Receiver::log_records`], [`Receiver::metrics`]) for precise
//!   assertions, and answers as the [`Behavior`] of each [`Signal`] says, for fault injection: accept, fail as
//!   unavailable (with a retry delay), reject, partially succeed, answer garbage, or stall.
//! - [`Rotel`]: a driver for the real `rotel` collector (`rotel-agent`, installed by `scripts/install-rotel.sh`),
//!   counting and parsing the spans, log records and metrics it logs.
//! - [`HttpProxy`]: an HTTP proxy on 127.0.0.1 (CONNECT tunnels, absolute-form forwarding, optional
//!   `Proxy-Authorization: Basic`) recording what it got, for end-to-end tests of `HTTPS_PROXY` / `HTTP_PROXY`.
//! - [`client`]: small OTLP clients (gRPC and HTTP) and a sample request, to talk to either.
//! - [`unused_port`]: a port nothing listens on, for "collector absent" tests.
//!
//! ```
//! # fn main() {
//! use otel_testkit::{client, Behavior, Protocol, Receiver};
//! use std::time::Duration;
//!
//! let receiver = Receiver::start_blocking(); // `Receiver::start().await` in async tests
//! receiver.set_behavior(Behavior::Unavailable { times: 1, retry_after: Some(Duration::from_secs(1)) });
//! let request = client::sample_request("svc", &["root", "child"]);
//! let first = client::export_http(&receiver.http_traces_url(), Protocol::HttpProtobuf, true, &request).unwrap();
//! assert_eq!(first.status, 503);
//! assert_eq!(first.header("retry-after"), Some("1"));
//! let second = client::export_http(&receiver.http_traces_url(), Protocol::HttpProtobuf, true, &request).unwrap();
//! assert_eq!(second.status, 200);
//! let spans = receiver.wait_for_spans_blocking(2, Duration::from_secs(5)).unwrap();
//! assert!(spans[1].is_child_of(&spans[0]));
//! assert_eq!(receiver.attempts(), 2);
//! # }
//! ```

#![warn(missing_docs)]

pub mod client;
pub mod log;
pub mod metric;
mod proxy;
mod receiver;
mod rotel;
mod server_thread;
pub mod span;
mod sync;

pub use log::ReceivedLogRecord;
pub use metric::{DataPointValue, MetricKind, ReceivedDataPoint, ReceivedMetric, Temporality};
pub use proxy::{basic_auth, HttpProxy, HttpProxyBuilder, ProxyAuth, ProxyOutcome, ProxyRequest};
pub use receiver::{
    Attempt, Behavior, Outcome, Protocol, Received, Receiver, ReceiverBuilder, Signal, DEFAULT_HTTP_LOGS_PATH,
    DEFAULT_HTTP_METRICS_PATH, DEFAULT_HTTP_PATH, GRPC_EXPORT_PATH, GRPC_LOGS_EXPORT_PATH, GRPC_METRICS_EXPORT_PATH,
};
pub use rotel::{Rotel, RotelDataPoint, RotelLogRecord, RotelMetric, RotelSpan, RotelVerbosity};
pub use span::{ReceivedEvent, ReceivedLink, ReceivedSpan};

/// A port of 127.0.0.1 that nothing listened on at the time of the call (bound to port 0, then released), for
/// "collector absent" tests: connections to it are refused (unless something else takes it meanwhile, which the
/// kernel's ephemeral-port rotation makes unlikely).
pub fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("otel-testkit: cannot bind 127.0.0.1:0")
}
