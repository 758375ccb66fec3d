//! `otel-check ping`: one test span to the configured collector, and what to do when it fails.

use otel_config::{redacted, Config};
use otel_runtime::ping::{PingError, PingReport};
use otel_runtime::ErrorKind;

/// The line printed for a ping the collector accepted (the endpoint shown without its credentials).
///
/// ```
/// let report = otel_runtime::ping::PingReport {
///     endpoint: "http://localhost:4318/v1/traces".into(),
///     protocol: otel_config::Protocol::HttpProtobuf,
///     round_trip: std::time::Duration::from_micros(12_300),
///     trace_id: "0af7651916cd43dd8448eb211c80319c".into(),
/// };
/// assert_eq!(
///     otel_check::ping::success(&report),
///     "ok: http://localhost:4318/v1/traces (http/protobuf) accepted the test span in 12.3 ms; \
///      trace id 0af7651916cd43dd8448eb211c80319c"
/// );
/// ```
pub fn success(report: &PingReport) -> String {
    format!(
        "ok: {} ({}) accepted the test span in {:.1} ms; trace id {}",
        redacted(&report.endpoint),
        report.protocol,
        report.round_trip.as_secs_f64() * 1000.0,
        report.trace_id
    )
}

/// The lines printed for a failed ping: the cause, then a hint for its kind. The endpoint's credentials are
/// hidden wherever they appear, the transport's own message included ([`scrub`]).
///
/// ```
/// let error = otel_runtime::ping::PingError {
///     kind: otel_runtime::ErrorKind::Refused,
///     message: "tcp connect error: Connection refused (os error 111)".into(),
///     endpoint: "http://localhost:4317".into(),
///     retryable: true,
/// };
/// let text = otel_check::ping::failure(&error);
/// assert!(text.starts_with(
///     "failed: ping http://localhost:4317 failed: tcp connect error: Connection refused (os error 111) \
///      (connection refused)\nhint: "
/// ));
/// assert!(text.contains("hint: "));
/// ```
pub fn failure(error: &PingError) -> String {
    let kind = error.kind.to_string();
    let kind = if error.message.contains(&kind) { String::new() } else { format!(" ({kind})") };
    scrub(&format!("failed: {error}{kind}\nhint: {}", hint(&error.kind)), &error.endpoint)
}

/// `text` with the credentials of `url` hidden wherever they appear: each occurrence of the URL is shown
/// [`redacted`], then its userinfo and its password — as written and percent-decoded — become `***`. A
/// transport's error message may quote the URL (or the decoded password) in its own way: nothing of it is
/// printed.
///
/// ```
/// let url = "http://user:pa%24s@c:4318/v1/traces";
/// let text = "ping http://user:pa%24s@c:4318/v1/traces failed: bad auth for user:pa$s";
/// assert_eq!(otel_check::ping::scrub(text, url), "ping http://***@c:4318/v1/traces failed: bad auth for ***");
/// ```
pub fn scrub(text: &str, url: &str) -> String {
    let shown = redacted(url);
    if shown == url {
        return text.to_string();
    }
    let mut out = text.replace(url, &shown);
    let start = url.find("://").map_or(0, |i| i + 3);
    let userinfo = url.get(start..url.rfind('@').unwrap_or(start)).unwrap_or_default();
    let password = userinfo.split_once(':').map_or("", |(_, p)| p);
    let mut secrets =
        [userinfo.to_string(), percent_decoded(userinfo), password.to_string(), percent_decoded(password)];
    // Longest first, so that the whole userinfo goes before the password inside it.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret.as_str(), "***");
    }
    out
}

/// `%XX` escapes decoded, malformed ones kept as they are (lossily: this only finds text to hide).
fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// What usually causes a failure of this kind.
fn hint(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Refused => {
            "nothing listens at that address: is the collector running, and is the port right \
             (4317 is OTLP/gRPC, 4318 OTLP/HTTP)?"
        }
        ErrorKind::Dns => "the host name does not resolve: check exporter.endpoint / OTEL_EXPORTER_OTLP_ENDPOINT",
        ErrorKind::Tls => {
            "check http:// against https:// (a gRPC endpoint without a scheme is https unless \
             exporter.insecure), and exporter.certificate / client_certificate / client_key"
        }
        ErrorKind::Timeout => {
            "no answer within exporter.timeout: a firewall dropping packets, a wrong port, or an overloaded collector"
        }
        ErrorKind::HttpStatus(404) => {
            "not found: check the path; OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces appended, while \
             OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is"
        }
        ErrorKind::HttpStatus(401 | 403) => "check the credentials in exporter.headers / OTEL_EXPORTER_OTLP_HEADERS",
        ErrorKind::HttpStatus(_) => "the collector refused the request: see its logs",
        ErrorKind::GrpcCode("UNIMPLEMENTED") => {
            "the server does not speak OTLP/gRPC there: is this the OTLP/HTTP port (4318)? \
             set exporter.protocol accordingly"
        }
        ErrorKind::GrpcCode("UNAUTHENTICATED" | "PERMISSION_DENIED") => {
            "check the credentials in exporter.headers / OTEL_EXPORTER_OTLP_HEADERS"
        }
        ErrorKind::GrpcCode(_) => "the collector refused the request: see its logs",
        ErrorKind::Rejected => "the collector accepted the request but rejected the span: see its logs",
        _ => "see the message above",
    }
}

/// Runs the ping for `config` and returns the text to print and the exit status.
pub fn run(config: &Config) -> (Result<String, String>, i32) {
    if !config.exporter.protocol.is_otlp() {
        let message = format!(
            "failed: exporter.protocol is `{}`: spans are not sent to a collector, so there is nothing to ping",
            config.exporter.protocol
        );
        return (Err(message), crate::exit::CONFIG);
    }
    // Whatever the runtime reports, the configured URL's credentials are hidden.
    let url = config.exporter.traces_url();
    match otel_runtime::ping::ping(config) {
        Ok(report) => (Ok(scrub(&success(&report), &url)), crate::exit::OK),
        Err(error) => (Err(scrub(&failure(&error), &url)), crate::exit::for_ping(&error.kind)),
    }
}
