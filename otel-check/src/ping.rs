//! `otel-check ping`: the endpoint of every exported signal checked, one request each (a test span for traces),
//! and what to do when one fails.

use otel_config::{redacted, Config, Signal};
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

/// The line printed when the logs or metrics endpoint accepted the (empty) export request of the ping.
///
/// ```
/// let report = otel_runtime::ping::PingReport {
///     endpoint: "http://localhost:4318/v1/logs".into(),
///     protocol: otel_config::Protocol::HttpProtobuf,
///     round_trip: std::time::Duration::from_micros(2_500),
///     trace_id: String::new(),
/// };
/// assert_eq!(
///     otel_check::ping::success_for(otel_config::Signal::Logs, &report),
///     "ok: http://localhost:4318/v1/logs (http/protobuf) accepted a logs export request in 2.5 ms"
/// );
/// ```
pub fn success_for(signal: Signal, report: &PingReport) -> String {
    if signal == Signal::Traces {
        return success(report);
    }
    format!(
        "ok: {} ({}) accepted a {signal} export request in {:.1} ms",
        redacted(&report.endpoint),
        report.protocol,
        report.round_trip.as_secs_f64() * 1000.0
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
    failure_for(Signal::Traces, error)
}

/// [`failure`] for the ping of `signal`: the hints name its variables (`OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`, …).
///
/// ```
/// let error = otel_runtime::ping::PingError {
///     kind: otel_runtime::ErrorKind::HttpStatus(404),
///     message: "HTTP status 404".into(),
///     endpoint: "http://c:4318/v1/metrics".into(),
///     retryable: false,
/// };
/// let text = otel_check::ping::failure_for(otel_config::Signal::Metrics, &error);
/// assert!(text.contains("OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/metrics appended"), "{text}");
/// ```
pub fn failure_for(signal: Signal, error: &PingError) -> String {
    let kind = error.kind.to_string();
    let kind = if error.message.contains(&kind) { String::new() } else { format!(" ({kind})") };
    scrub(&format!("failed: {error}{kind}\nhint: {}", hint(signal, &error.kind)), &error.endpoint)
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
fn hint(signal: Signal, kind: &ErrorKind) -> String {
    let upper = signal.as_str().to_ascii_uppercase();
    match kind {
        ErrorKind::Refused => "nothing listens at that address: is the collector running, and is the port right \
             (4317 is OTLP/gRPC, 4318 OTLP/HTTP)?"
            .into(),
        ErrorKind::Dns => format!(
            "the host name does not resolve: check exporter.endpoint / OTEL_EXPORTER_OTLP_ENDPOINT \
             (and exporter.{signal}_endpoint / OTEL_EXPORTER_OTLP_{upper}_ENDPOINT)"
        ),
        ErrorKind::Tls => format!(
            "check http:// against https:// (a gRPC endpoint without a scheme is https unless \
             exporter.insecure), and exporter.certificate / client_certificate / client_key (or their \
             [{signal}.exporter] overrides)"
        ),
        ErrorKind::Timeout => {
            "no answer within exporter.timeout: a firewall dropping packets, a wrong port, or an overloaded collector"
                .into()
        }
        ErrorKind::HttpStatus(404) => format!(
            "not found: check the path; OTEL_EXPORTER_OTLP_ENDPOINT gets /{} appended, while \
             OTEL_EXPORTER_OTLP_{upper}_ENDPOINT is used as is",
            signal.http_path()
        ),
        ErrorKind::HttpStatus(401 | 403) | ErrorKind::GrpcCode("UNAUTHENTICATED" | "PERMISSION_DENIED") => format!(
            "check the credentials in exporter.headers / OTEL_EXPORTER_OTLP_HEADERS (or {signal}.exporter.headers / \
             OTEL_EXPORTER_OTLP_{upper}_HEADERS)"
        ),
        ErrorKind::HttpStatus(_) => "the collector refused the request: see its logs".into(),
        ErrorKind::GrpcCode("UNIMPLEMENTED") => format!(
            "the server does not speak OTLP/gRPC there, or not for {signal}: is this the OTLP/HTTP port (4318)? \
             set exporter.protocol accordingly"
        ),
        ErrorKind::GrpcCode(_) => "the collector refused the request: see its logs".into(),
        ErrorKind::Rejected => format!("the collector accepted the request but rejected its {signal}: see its logs"),
        _ => "see the message above".into(),
    }
}

/// What `otel-check ping` prints, line by line, and its exit status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PingOutcome {
    /// In order: `Ok` lines go to stdout, `Err` lines (a failure and its hint) to stderr.
    pub lines: Vec<Result<String, String>>,
    /// 0 when every checked endpoint answered; else the status of the first failure ([`crate::exit`]);
    /// [`crate::exit::CONFIG`] when no signal is sent to a collector.
    pub code: i32,
}

/// Why `signal` is not sent to a collector, or `None` when it is (exported over gRPC or HTTP).
fn not_sent(config: &Config, signal: Signal) -> Option<String> {
    let enabled = match signal {
        Signal::Traces => config.traces.enabled,
        Signal::Logs => config.logs.enabled,
        Signal::Metrics => config.metrics.enabled,
        _ => return Some(format!("otel-check cannot ping the {signal} endpoint yet")),
    };
    let protocol = config.exporter_for(signal).protocol;
    if config.disabled {
        Some("otel is disabled".into())
    } else if !enabled {
        Some(format!("{signal}.enabled is false"))
    } else if !protocol.is_otlp() {
        Some(format!("its protocol is `{protocol}`"))
    } else {
        None
    }
}

/// Checks the endpoint of every signal sent to a collector (traces, logs, metrics, in that order): one request
/// each through the app's own transport. A signal that is not exported, or printed on the console, is skipped
/// (and said so).
pub fn run(config: &Config) -> PingOutcome {
    // Traces: a test span; logs: a test log record in the same trace; metrics: a request with no data point —
    // each with the signal's exporter settings, through the app's own transport.
    run_with(config, otel_runtime::ping::ping_signal)
}

/// [`run`] with the function that pings one signal.
///
/// ```
/// use otel_config::{Config, Signal};
/// let mut config = Config::default();
/// config.logs.enabled = false;
/// let outcome = otel_check::ping::run_with(&config, |config, signal| {
///     Ok(otel_runtime::ping::PingReport {
///         endpoint: config.exporter_for(signal).url(signal),
///         protocol: config.exporter_for(signal).protocol,
///         round_trip: std::time::Duration::from_millis(1),
///         trace_id: "0af7651916cd43dd8448eb211c80319c".into(),
///     })
/// });
/// assert_eq!(outcome.code, 0);
/// assert_eq!(outcome.lines[1], Ok("skipped: logs are not exported (logs.enabled is false)".to_string()));
/// ```
pub fn run_with(
    config: &Config,
    mut ping: impl FnMut(&Config, Signal) -> Result<PingReport, PingError>,
) -> PingOutcome {
    let mut lines = Vec::new();
    let mut code = None;
    let mut sent = 0;
    for signal in Signal::ALL.iter().copied() {
        if let Some(why) = not_sent(config, signal) {
            lines.push(Ok(format!("skipped: {signal} are not exported ({why})")));
            continue;
        }
        sent += 1;
        // Whatever the runtime reports, the configured URL's credentials are hidden.
        let url = config.exporter_for(signal).url(signal);
        match ping(config, signal) {
            Ok(report) => lines.push(Ok(scrub(&success_for(signal, &report), &url))),
            Err(error) => {
                code.get_or_insert(crate::exit::for_ping(&error.kind));
                lines.push(Err(scrub(&failure_for(signal, &error), &url)));
            }
        }
    }
    if sent == 0 {
        let mut message = "failed: no signal is sent to a collector, so there is nothing to ping".to_string();
        for line in lines.drain(..).flatten() {
            message.push_str(&format!("\n{line}"));
        }
        return PingOutcome { lines: vec![Err(message)], code: crate::exit::CONFIG };
    }
    PingOutcome { lines, code: code.unwrap_or(crate::exit::OK) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use otel_config::Protocol;
    use std::time::Duration;

    fn accepted(config: &Config, signal: Signal) -> Result<PingReport, PingError> {
        let exporter = config.exporter_for(signal);
        Ok(PingReport {
            endpoint: exporter.url(signal),
            protocol: exporter.protocol,
            round_trip: Duration::from_micros(1500),
            trace_id: "0af7651916cd43dd8448eb211c80319c".into(),
        })
    }

    fn failed(kind: ErrorKind) -> impl Fn(&Config, Signal) -> Result<PingReport, PingError> {
        move |config, signal| {
            let endpoint = config.exporter_for(signal).url(signal);
            Err(PingError { kind: kind.clone(), message: format!("{kind}"), endpoint, retryable: false })
        }
    }

    #[test]
    fn every_exported_signal_is_pinged_in_order() {
        let mut config = Config::default();
        config.exporter.metrics_endpoint = Some("http://m:9090/otlp".into());
        let mut seen = Vec::new();
        let outcome = run_with(&config, |config, signal| {
            seen.push(signal);
            accepted(config, signal)
        });
        assert_eq!(seen, [Signal::Traces, Signal::Logs, Signal::Metrics]);
        assert_eq!(outcome.code, crate::exit::OK);
        assert_eq!(
            outcome.lines,
            [
                Ok("ok: http://localhost:4318/v1/traces (http/protobuf) accepted the test span in 1.5 ms; trace id \
                    0af7651916cd43dd8448eb211c80319c"
                    .to_string()),
                Ok("ok: http://localhost:4318/v1/logs (http/protobuf) accepted a logs export request in 1.5 ms"
                    .to_string()),
                Ok("ok: http://m:9090/otlp (http/protobuf) accepted a metrics export request in 1.5 ms".to_string()),
            ]
        );
    }

    #[test]
    fn the_first_failure_decides_the_exit_status() {
        let mut config = Config::default();
        config.traces.exporter.protocol = Some(Protocol::Console);
        config.exporter.logs_endpoint = Some("http://user:s3cret@c:4318/l".into());
        let refused = failed(ErrorKind::Refused);
        let outcome = run_with(&config, |config, signal| match signal {
            Signal::Logs => failed(ErrorKind::HttpStatus(404))(config, signal),
            _ => refused(config, signal),
        });
        assert_eq!(outcome.code, crate::exit::HTTP_STATUS);
        assert_eq!(outcome.lines[0], Ok("skipped: traces are not exported (its protocol is `console`)".to_string()));
        let Err(logs) = &outcome.lines[1] else { panic!("{outcome:?}") };
        assert!(logs.starts_with("failed: ping http://***@c:4318/l failed: HTTP status 404\nhint: "), "{logs}");
        assert!(logs.contains("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT is used as is"), "{logs}");
        assert!(!logs.contains("s3cret"), "{logs}");
        let Err(metrics) = &outcome.lines[2] else { panic!("{outcome:?}") };
        assert!(metrics.starts_with("failed: ping http://localhost:4318/v1/metrics failed: "), "{metrics}");
    }

    #[test]
    fn nothing_sent_to_a_collector_is_a_configuration_problem() {
        let mut config = Config::default();
        config.disabled = true;
        let outcome = run_with(&config, |_, _| panic!("nothing may be pinged"));
        assert_eq!(outcome.code, crate::exit::CONFIG);
        assert_eq!(outcome.lines.len(), 1);
        let Err(text) = &outcome.lines[0] else { panic!("{outcome:?}") };
        assert!(text.starts_with("failed: no signal is sent to a collector, so there is nothing to ping\n"), "{text}");
        assert!(text.ends_with("skipped: metrics are not exported (otel is disabled)"), "{text}");
    }
}
