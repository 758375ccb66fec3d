//! Our own OTLP/trace transport (gRPC on tonic, HTTP protobuf/JSON on hyper): one attempt at a time, with every
//! outcome the OTLP spec distinguishes (accepted, partially accepted, retryable or not, retry delay) visible to the
//! caller. The retry loop lives in the export worker, which also knows about the shutdown deadline.
//!
//! - [`Transport::build`] validates everything it can (endpoint, header names and values, certificate files) and
//!   never connects: a collector that is down does not fail the build.
//! - [`Transport::send`] makes exactly one attempt, bounded by its timeout, and classifies the result following the
//!   spec ("Retries and partial success"): see `grpc_client::classify_status` and `http_client::classify_response`.
//! - Header values are secrets: they are never printed (not in `Debug`, not in messages, not in errors). So are
//!   credentials in the endpoint URL (sent as `Authorization: Basic`, see `credentials`) and in a proxy URL.
//! - gRPC, https (and certificate files) and zstd are cargo features (`grpc`, `tls`, `zstd`): a configuration
//!   naming one left out of the build is refused at build time, naming the feature (see `features`).
//! - Proxies come from `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` (see `proxy`).
//! - A connection that failed or timed out is never used again: a collector that vanished without a word (no RST,
//!   a NAT entry dropped) costs one attempt, not minutes.

mod classify;
mod credentials;
pub(crate) mod features;
#[cfg(feature = "grpc")]
pub(crate) mod grpc_client;
pub(crate) mod http_client;
mod proxy;
mod request;
#[cfg(feature = "tls")]
mod tls;
/// Without `tls` no certificate file is ever loaded: [`features::check`] refuses them (and https) first.
#[cfg(not(feature = "tls"))]
mod tls {
    /// No TLS files (a build without `tls`).
    #[derive(Default)]
    pub(super) struct TlsFiles;

    impl TlsFiles {
        pub(super) fn load(_config: &otel_config::ExporterConfig) -> Result<TlsFiles, crate::BuildError> {
            Ok(TlsFiles)
        }
    }
}

/// An error and its sources as one text (a build error's cause, in its message).
pub(crate) use classify::chain_message;
/// Every message showing an endpoint URL redacts it with this (for use outside the transport too).
pub(crate) use credentials::redact_userinfo;
pub(crate) use proxy::ProxySettings;
pub(crate) use request::{Encoded, ExportRequest};

// Every transport test runs with all of the transport's features (the test command passes --all-features); the
// decision for a build without them is tested on its own (`features`).
#[cfg(all(test, feature = "grpc", feature = "tls", feature = "zstd"))]
mod tests;

use crate::build_error::Detail;
use crate::health::ErrorKind;
use crate::{BuildError, BuildErrorKind};
use otel_config::__private::key;
use otel_config::{Compression, Protocol, Signal};
use std::time::Duration;

/// The outcome of one export attempt.
#[derive(Debug)]
pub(crate) enum AttemptOutcome {
    /// Every span accepted.
    Accepted,
    /// OTLP partial success: `rejected` spans refused (not to be retried), the rest accepted.
    PartiallyAccepted { rejected: u64, message: String },
    /// Nothing accepted.
    Failed(SendError),
}

/// Why an attempt failed, and whether the OTLP spec allows another.
#[derive(Debug, Clone)]
pub(crate) struct SendError {
    pub(crate) kind: ErrorKind,
    /// Human-readable cause; never contains header values.
    pub(crate) message: String,
    pub(crate) retryable: bool,
    /// From gRPC RetryInfo or HTTP Retry-After.
    pub(crate) retry_after: Option<Duration>,
}

impl SendError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>, retryable: bool) -> SendError {
        SendError { kind, message: message.into(), retryable, retry_after: None }
    }

    fn timeout(timeout: Duration) -> SendError {
        SendError::new(ErrorKind::Timeout, format!("no response within {timeout:?}"), true)
    }

    /// Whether the failure came from the connection rather than from an answer of the collector: then that
    /// connection is not to be trusted again (a new gRPC channel; HTTP/1.1 needs nothing, see `send`).
    #[cfg(feature = "grpc")]
    fn is_connection_level(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Timeout
                | ErrorKind::Refused
                | ErrorKind::Dns
                | ErrorKind::Tls
                | ErrorKind::Transport
                | ErrorKind::Proxy
        )
    }
}

/// Server-supplied retry delays (`Retry-After`, `RetryInfo`) saturate at this (136 years): absurd, but any
/// `Instant + delay` survives it (`u64::MAX` seconds would overflow), and the export worker clamps it anyway.
pub(crate) const MAX_RETRY_DELAY: Duration = Duration::from_secs(u32::MAX as u64);

/// The `User-Agent` of every export (the spec asks exporters to identify themselves).
const USER_AGENT: &str = concat!("otel-rust/", env!("CARGO_PKG_VERSION"));

/// Server-supplied text (gRPC status messages, partial-success messages, HTTP error bodies) is cut to this many
/// characters in our messages.
const MAX_SERVER_MESSAGE: usize = 200;

/// The longest a TCP connect (and a proxy's CONNECT) may take, bounded by the attempt's timeout: a collector that
/// does not accept within seconds is down, and the attempt's remaining time is better spent on a retry.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Sends export requests to one endpoint.
pub(crate) struct Transport {
    /// The signal this transport sends (its URL and its requests' type).
    signal: Signal,
    /// The URL sent to, credentials redacted (`http://***@host:4318/v1/traces`).
    endpoint: String,
    protocol: Protocol,
    compression: Compression,
    /// The configured header names, for `Debug` (the values are only inside `inner`).
    header_names: Vec<String>,
    inner: Inner,
}

enum Inner {
    #[cfg(feature = "grpc")]
    Grpc(Box<grpc_client::GrpcTransport>),
    Http(Box<http_client::HttpTransport>),
}

/// Shows the endpoint (credentials redacted), protocol, compression and header NAMES; never a header value.
impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("signal", &self.signal.as_str())
            .field("endpoint", &self.endpoint)
            .field("protocol", &self.protocol.as_str())
            .field("compression", &self.compression.as_str())
            .field("headers", &self.header_names)
            .field("proxy", &self.proxy())
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Called inside the export runtime's context (tokio runtime entered). Never connects eagerly: a down
    /// collector must not fail the build.
    /// Proxies from the process environment ([`ProxySettings::from_env`]).
    pub(crate) fn build(config: &otel_config::ExporterConfig, signal: Signal) -> Result<Transport, BuildError> {
        Transport::build_with(config, signal, &ProxySettings::from_env())
    }

    /// [`Transport::build`] with the proxy settings given.
    pub(crate) fn build_with(
        config: &otel_config::ExporterConfig,
        signal: Signal,
        proxies: &ProxySettings,
    ) -> Result<Transport, BuildError> {
        let url = config.url(signal);
        let endpoint = redact_userinfo(&url);
        // Before anything else: what this build cannot do is the first thing to fix.
        features::check(config, &url, &endpoint, features::Compiled::THIS_BUILD)?;
        // The clients never see the credentials: they go in `Authorization`, unless one is configured explicitly.
        let (url, basic) = credentials::take_userinfo(&url);
        let mut headers = http_client::header_map(&config.headers)?;
        if let Some(basic) = basic {
            if !headers.contains_key(http::header::AUTHORIZATION) {
                headers.insert(http::header::AUTHORIZATION, basic);
            }
        }
        let tls = tls::TlsFiles::load(config)?;
        let connect_timeout =
            if config.timeout.is_zero() { MAX_CONNECT_TIMEOUT } else { config.timeout.min(MAX_CONNECT_TIMEOUT) };
        let target =
            Target { url: &url, shown: &endpoint, key: endpoint_key(config, signal), proxies, connect_timeout };
        let inner = match config.protocol {
            #[cfg(feature = "grpc")]
            Protocol::Grpc => {
                Inner::Grpc(Box::new(grpc_client::GrpcTransport::build(&target, config.compression, headers, &tls)?))
            }
            // Not reached: `features::check` refused it above.
            #[cfg(not(feature = "grpc"))]
            Protocol::Grpc => {
                return Err(features::missing(features::Feature::Grpc, key::EXPORTER_PROTOCOL, Protocol::Grpc.as_str()))
            }
            Protocol::HttpProtobuf | Protocol::HttpJson => Inner::Http(Box::new(http_client::HttpTransport::build(
                &target,
                config.protocol == Protocol::HttpJson,
                signal,
                config.compression,
                headers,
                &tls,
            )?)),
            // Console, None, and any protocol this transport does not know.
            _ => {
                let detail = Detail::NoTransport { protocol: config.protocol };
                return Err(BuildError::new(BuildErrorKind::Protocol, Some(key::EXPORTER_PROTOCOL), detail));
            }
        };
        Ok(Transport {
            signal,
            endpoint,
            protocol: config.protocol,
            compression: config.compression,
            header_names: config.headers.iter().map(|(name, _)| name.to_string()).collect(),
            inner,
        })
    }

    /// The proxy the exports go through (`http://***@proxy:3128` when it has credentials), if any.
    pub(crate) fn proxy(&self) -> Option<&str> {
        match &self.inner {
            #[cfg(feature = "grpc")]
            Inner::Grpc(grpc) => grpc.proxy(),
            Inner::Http(http) => http.proxy(),
        }
    }

    /// Whether the requests go as OTLP JSON (`http/json`): then they are sent from their proto structs, otherwise
    /// as protobuf bytes (see `sink::OtlpItem::into_protobuf`).
    pub(crate) fn sends_json(&self) -> bool {
        self.protocol == Protocol::HttpJson
    }

    /// The exact URL sent to (`config.url(signal)`), its userinfo (credentials) redacted as `***`.
    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// ONE attempt, bounded by `timeout` (`Duration::ZERO` = no limit). Cancel-safe: it may be dropped at any
    /// await (nothing is left half-done but a connection, which is then closed).
    ///
    /// After a failure at the connection level (a timeout included), gRPC gets a new channel: HTTP/2 would
    /// otherwise send the next requests down the same dead connection. HTTP/1.1 needs nothing: a connection with a
    /// request in flight is closed when the attempt is dropped, and one that failed is not pooled.
    pub(crate) async fn send<R: ExportRequest>(&self, request: &R, timeout: Duration) -> AttemptOutcome {
        debug_assert_eq!(R::SIGNAL, self.signal, "a request of another signal than the transport's");
        match &self.inner {
            #[cfg(feature = "grpc")]
            Inner::Grpc(grpc) => {
                let (generation, client) = grpc.client();
                let outcome = bounded(grpc.send(client, request), timeout).await;
                if let AttemptOutcome::Failed(error) = &outcome {
                    if error.is_connection_level() {
                        grpc.reconnect(generation);
                    }
                }
                outcome
            }
            Inner::Http(http) => bounded(http.send(request), timeout).await,
        }
    }
}

/// The key `config.url(signal)` comes from: the signal's own endpoint when set, else `exporter.endpoint` (also
/// for the default URL, which that key changes).
fn endpoint_key(config: &otel_config::ExporterConfig, signal: Signal) -> &'static str {
    let (own, own_key) = match signal {
        Signal::Traces => (&config.traces_endpoint, key::EXPORTER_TRACES_ENDPOINT),
        Signal::Logs => (&config.logs_endpoint, key::EXPORTER_LOGS_ENDPOINT),
        Signal::Metrics => (&config.metrics_endpoint, key::EXPORTER_METRICS_ENDPOINT),
        // A signal this version does not know has no endpoint key of its own.
        _ => return key::EXPORTER_ENDPOINT,
    };
    if own.is_some() {
        own_key
    } else {
        key::EXPORTER_ENDPOINT
    }
}

/// What both clients are built for: the endpoint (without credentials), how to show it, the proxies, the connect
/// timeout.
struct Target<'a> {
    /// The endpoint URL without userinfo.
    url: &'a str,
    /// The endpoint as shown in messages (userinfo redacted).
    shown: &'a str,
    /// The key the URL comes from (a build error's key).
    key: &'static str,
    proxies: &'a ProxySettings,
    connect_timeout: Duration,
}

/// `attempt`, bounded by `timeout` (`Duration::ZERO` = no limit).
async fn bounded(attempt: impl std::future::Future<Output = AttemptOutcome>, timeout: Duration) -> AttemptOutcome {
    if timeout.is_zero() {
        return attempt.await;
    }
    match tokio::time::timeout(timeout, attempt).await {
        Ok(outcome) => outcome,
        Err(_elapsed) => AttemptOutcome::Failed(SendError::timeout(timeout)),
    }
}

/// The outcome of a response that carried an OTLP partial success (`rejected_spans`, `rejected_log_records` or
/// `rejected_data_points` > 0), or plain acceptance.
fn partial_outcome(signal: Signal, rejected: i64, error_message: &str) -> AttemptOutcome {
    if rejected > 0 {
        let noun = crate::health::noun(signal);
        let message = if error_message.is_empty() {
            format!("{rejected} {noun} rejected by the collector")
        } else {
            format!("{rejected} {noun} rejected by the collector: {}", truncate(error_message))
        };
        AttemptOutcome::PartiallyAccepted { rejected: rejected as u64, message }
    } else {
        // `rejected_spans` = 0 with a message is a warning from the collector: the spans were all accepted.
        AttemptOutcome::Accepted
    }
}

/// Server text, trimmed and cut to [`MAX_SERVER_MESSAGE`] characters.
fn truncate(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(MAX_SERVER_MESSAGE) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
