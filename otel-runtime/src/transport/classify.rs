//! Classifying local errors (no answer from the collector): connection refused, DNS, TLS, connect timeouts,
//! connections dropped. Shared by the gRPC and HTTP clients, which both connect with hyper-util and rustls.

use super::proxy::{ProxyCause, ProxyError};
use super::{truncate, SendError};
use crate::health::ErrorKind;
use std::error::Error;
use std::io;

/// The connection-level cause inside `err`'s source chain, if one is recognised.
pub(super) fn connection_error(err: &(dyn Error + 'static)) -> Option<SendError> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(found) = recognise(e) {
            return Some(found);
        }
        // `io::Error::source` skips a custom inner error (it returns the inner error's source): go through the
        // inner error instead (io errors wrapping io errors wrapping a rustls error are common).
        current = match e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => e.source(),
        };
    }
    None
}

fn recognise(e: &(dyn Error + 'static)) -> Option<SendError> {
    if let Some(proxy) = e.downcast_ref::<ProxyError>() {
        return Some(proxy_error(proxy));
    }
    #[cfg(feature = "tls")]
    if let Some(tls) = e.downcast_ref::<rustls::Error>() {
        // A certificate or protocol mismatch does not go away by itself: not retryable.
        return Some(SendError::new(ErrorKind::Tls, format!("TLS handshake failed: {tls}"), false));
    }
    if let Some(io) = e.downcast_ref::<io::Error>() {
        match io.kind() {
            io::ErrorKind::ConnectionRefused => {
                return Some(SendError::new(ErrorKind::Refused, "connection refused", true))
            }
            io::ErrorKind::TimedOut => return Some(SendError::new(ErrorKind::Timeout, "connect timed out", true)),
            // rustls errors met while reading (after the handshake, e.g. the server refusing our client
            // certificate in TLS 1.3) reach hyper as text only.
            io::ErrorKind::InvalidData if io.to_string().starts_with("received fatal alert") => {
                return Some(SendError::new(ErrorKind::Tls, format!("TLS error: {io}"), false))
            }
            _ => {}
        }
    }
    // hyper-util's connector reports resolution failures as "dns error" (its error type is private).
    let text = e.to_string();
    if text.starts_with("dns error") {
        let cause = e.source().map(|s| s.to_string()).unwrap_or_default();
        let message =
            if cause.is_empty() { "DNS lookup failed".to_string() } else { format!("DNS lookup failed: {cause}") };
        // Resolution failures are often transient (a collector being rescheduled): retry with backoff.
        return Some(SendError::new(ErrorKind::Dns, message, true));
    }
    None
}

/// Whether `err` comes from the connection itself (an I/O or HTTP protocol failure: the connection was closed or
/// reset before an answer), which the spec says to retry (for gRPC's locally made statuses).
#[cfg(feature = "grpc")]
pub(super) fn is_connection_failure(err: &(dyn Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(e) = current {
        if e.is::<io::Error>() || e.is::<hyper::Error>() {
            return true;
        }
        current = e.source();
    }
    false
}

/// `err` and its sources, joined with ": ", without repeating a message already contained in an earlier one.
pub(crate) fn chain_message(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// A proxy failure, named with the proxy (credentials redacted) and, for a refused CONNECT, its status. Retryable when
/// transient: the proxy unreachable, a broken handshake, 408, 429 and 5xx answers; not 407 (credentials) nor other
/// refusals (policy), which need a configuration change.
fn proxy_error(error: &ProxyError) -> SendError {
    match &error.cause {
        ProxyCause::Connect(cause) => {
            let (detail, retryable) = match connection_error(&**cause) {
                Some(found) => (found.message, found.retryable),
                None => (truncate(&chain_message(&**cause)), true),
            };
            SendError::new(ErrorKind::Proxy, format!("{error}: {detail}"), retryable)
        }
        ProxyCause::Refused { status, .. } => {
            let retryable = matches!(status, 408 | 429 | 500..=599);
            let hint = if *status == 407 { " (check the credentials in the proxy URL)" } else { "" };
            SendError::new(ErrorKind::Proxy, format!("{error}{hint}"), retryable)
        }
        ProxyCause::Handshake(_) => SendError::new(ErrorKind::Proxy, error.to_string(), true),
    }
}
