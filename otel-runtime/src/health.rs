//! The health the application can read, per signal: the totals ([`Totals`], counted by each signal's ledger in
//! accounting.rs), the state of the export channel ([`HealthState`], kept by [`HealthCell`]) and the failure events
//! ([`FailureEvent`], with their [`ErrorKind`] and [`Signal`]). The names follow the SDK self-observability
//! conventions (see [`Totals`]).

use crate::sync::LockUnpoisoned;
use otel_config::Signal;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// What the items of one signal became: spans, log records, or metric data points.
///
/// For spans and log records, `ended` counts those handed to the pipeline (sampled spans that ended, events that
/// became log records); for metrics, the data points collected into an export. Each is later counted once in
/// `exported`, `failed` or `dropped`. For spans:
///
/// | field | SDK self-observability name |
/// |---|---|
/// | `ended` | `otel.sdk.span.ended` (sampled spans handed to the processor) |
/// | `exported` | `otel.sdk.exporter.span.exported` without `error.type` |
/// | `failed` | `otel.sdk.exporter.span.exported` with `error.type` (sent, then lost or rejected) |
/// | `dropped` | `otel.sdk.processor.span.processed` with `error.type` = `queue_full` or `shutdown` (never sent) |
///
/// ```
/// let totals = otel_runtime::Totals { ended: 10, exported: 7, failed: 2, dropped: 1 };
/// assert_eq!(totals.in_pipeline(), 0);
/// assert_eq!(totals.lost(), 3);
/// ```
// Not `#[non_exhaustive]`, unlike the other structs with public fields: the four fields are the whole ledger
// (`ended` = `exported + failed + dropped` + what is in the pipeline), and users build one to compare with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Items that entered the pipeline (sampled spans that ended, log records emitted, data points collected).
    pub ended: u64,
    /// Items the collector acknowledged.
    pub exported: u64,
    /// Items sent but lost: the export failed after its retries, or the collector rejected them.
    pub failed: u64,
    /// Items never sent: the queue was full, or the shutdown deadline came first.
    pub dropped: u64,
}

/// The plural noun of `signal`'s items in messages: `spans`, `log records`, `data points`.
pub(crate) fn noun(signal: Signal) -> &'static str {
    match signal {
        Signal::Traces => "spans",
        Signal::Logs => "log records",
        Signal::Metrics => "data points",
        _ => "items",
    }
}

impl Totals {
    /// Items still queued or being exported: `ended` less everything already counted as exported, failed or
    /// dropped.
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// let totals = otel::Totals { ended: 10, exported: 6, failed: 1, dropped: 1 };
    /// assert_eq!(totals.in_pipeline(), 2);
    /// ```
    pub fn in_pipeline(&self) -> u64 {
        self.ended.saturating_sub(self.exported + self.failed + self.dropped)
    }

    /// Items that will never reach the collector: `failed + dropped`.
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// let totals = otel::Totals { ended: 10, exported: 6, failed: 1, dropped: 1 };
    /// assert_eq!(totals.lost(), 2);
    /// ```
    pub fn lost(&self) -> u64 {
        self.failed + self.dropped
    }

    /// The shutdown summary line: `otel summary: ended=N exported=N failed=N dropped=N`.
    ///
    /// ```
    /// let totals = otel_runtime::Totals { ended: 3, exported: 3, failed: 0, dropped: 0 };
    /// assert_eq!(totals.summary_line(), "otel summary: ended=3 exported=3 failed=0 dropped=0");
    /// ```
    pub fn summary_line(&self) -> String {
        format!(
            "otel summary: ended={} exported={} failed={} dropped={}",
            self.ended, self.exported, self.failed, self.dropped
        )
    }

    /// The shutdown summary line of `signal`: [`summary_line`](Self::summary_line) for traces (its format is
    /// kept: tools parse it), `otel summary (logs): …` and `otel summary (metrics): …` for the others.
    ///
    /// ```
    /// let totals = otel_runtime::Totals { ended: 3, exported: 1, failed: 2, dropped: 0 };
    /// assert_eq!(
    ///     totals.summary_line_for(otel_runtime::Signal::Logs),
    ///     "otel summary (logs): ended=3 exported=1 failed=2 dropped=0"
    /// );
    /// ```
    pub fn summary_line_for(&self, signal: Signal) -> String {
        match signal {
            Signal::Traces => self.summary_line(),
            _ => format!(
                "otel summary ({signal}): ended={} exported={} failed={} dropped={}",
                self.ended, self.exported, self.failed, self.dropped
            ),
        }
    }
}

/// The state of the export pipeline, as a whole.
///
/// ```
/// assert_eq!(otel_runtime::HealthState::Healthy.to_string(), "healthy");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HealthState {
    /// The last export attempt succeeded (or none was needed yet) and no span was lost in the last minute.
    Healthy,
    /// Exports succeed, but spans were rejected or dropped within the last minute.
    Degraded,
    /// The last export attempt failed (the collector is down, hung or refusing).
    Failing,
}

impl HealthState {
    /// Worse is higher.
    fn severity(self) -> u8 {
        match self {
            HealthState::Healthy => 0,
            HealthState::Degraded => 1,
            HealthState::Failing => 2,
        }
    }
}

impl std::fmt::Display for HealthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HealthState::Healthy => "healthy",
            HealthState::Degraded => "degraded",
            HealthState::Failing => "failing",
        })
    }
}

/// The cause of a failed export, classified so that alerts and callbacks can say what went wrong.
///
/// ```
/// let cause = otel_runtime::ErrorKind::HttpStatus(503);
/// assert_eq!(cause.to_string(), "HTTP status 503");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The connection was refused: nothing listens at the endpoint.
    Refused,
    /// The host name did not resolve.
    Dns,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// No answer within the export timeout (a hung collector).
    Timeout,
    /// The collector answered with this HTTP status.
    HttpStatus(u16),
    /// The collector answered with this gRPC status code (its name, e.g. `UNAVAILABLE`).
    GrpcCode(&'static str),
    /// The collector accepted the request but rejected some spans (OTLP partial success).
    Rejected,
    /// Spans were dropped before being sent because the queue was full.
    QueueFull,
    /// Spans were still queued, or their export unanswered, when the shutdown deadline came.
    Shutdown,
    /// Any other transport error.
    Transport,
    /// The HTTP(S) proxy could not be reached, or refused to open a tunnel to the collector.
    Proxy,
    /// The collector answered "success" with something that is not an OTLP response (e.g. a captive portal's HTML
    /// page): the spans are not counted as exported.
    InvalidResponse,
    /// The exporter could not be built at start (an unreadable certificate file, a header the client refuses) and
    /// `exporter.on_invalid = "warn"` let the application run: nothing can be sent, every span fails.
    InvalidConfig,
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ErrorKind::Refused => f.write_str("connection refused"),
            ErrorKind::Dns => f.write_str("DNS lookup failed"),
            ErrorKind::Tls => f.write_str("TLS error"),
            ErrorKind::Timeout => f.write_str("timeout"),
            ErrorKind::HttpStatus(code) => write!(f, "HTTP status {code}"),
            ErrorKind::GrpcCode(code) => write!(f, "gRPC status {code}"),
            ErrorKind::Rejected => f.write_str("spans rejected by the collector"),
            ErrorKind::QueueFull => f.write_str("queue full"),
            ErrorKind::Shutdown => f.write_str("shutdown deadline reached"),
            ErrorKind::Transport => f.write_str("transport error"),
            ErrorKind::Proxy => f.write_str("proxy error"),
            ErrorKind::InvalidResponse => f.write_str("invalid response"),
            ErrorKind::InvalidConfig => f.write_str("exporter not configured"),
        }
    }
}

impl ErrorKind {
    /// The `error.type` attribute value of the SDK self-observability conventions.
    ///
    /// ```
    /// assert_eq!(otel_runtime::ErrorKind::QueueFull.error_type(), "queue_full");
    /// ```
    pub fn error_type(&self) -> &'static str {
        match self {
            ErrorKind::Refused => "refused",
            ErrorKind::Dns => "dns",
            ErrorKind::Tls => "tls",
            ErrorKind::Timeout => "timeout",
            ErrorKind::HttpStatus(_) => "http_status",
            ErrorKind::GrpcCode(_) => "grpc_status",
            ErrorKind::Rejected => "rejected",
            ErrorKind::QueueFull => "queue_full",
            ErrorKind::Shutdown => "shutdown",
            ErrorKind::Transport => "transport",
            ErrorKind::Proxy => "proxy",
            ErrorKind::InvalidResponse => "invalid_response",
            ErrorKind::InvalidConfig => "invalid_config",
        }
    }
}

/// One export failure: which signal, what failed, why, where, and how many items it cost.
///
/// ```
/// fn report(event: &otel_runtime::FailureEvent) {
///     if !event.retrying {
///         eprintln!("{} {} items lost exporting to {}: {}", event.items, event.signal, event.endpoint, event.kind);
///     }
/// }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FailureEvent {
    /// The signal whose export failed.
    pub signal: Signal,
    /// The classified cause.
    pub kind: ErrorKind,
    /// The underlying error's message (never includes header values).
    pub message: String,
    /// The endpoint the export was sent to.
    pub endpoint: String,
    /// Items of `signal` lost by this failure (failed or dropped): spans, log records or data points.
    pub items: u64,
    /// When it happened.
    pub at: SystemTime,
    /// Earlier events folded into this one because the reader was slow (their `items` are added to this one's,
    /// when of the same signal).
    pub coalesced: u64,
    /// True when this was one failed attempt of an export that will be retried: nothing is lost yet
    /// (`items` is 0). False when `items` items are lost for good.
    pub retrying: bool,
}

impl std::fmt::Display for FailureEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.retrying {
            write!(f, "export to {} failed, retrying: {} ({})", self.endpoint, self.kind, self.message)
        } else {
            let noun = noun(self.signal);
            write!(f, "{} {noun} lost exporting to {}: {} ({})", self.items, self.endpoint, self.kind, self.message)
        }
    }
}

/// A point-in-time view of the pipeline's health: the spans' figures at the top level (as before logs and
/// metrics), every exported signal's in [`signals`](Self::signals).
///
/// ```no_run
/// let health = otel_runtime::health();
/// println!("{}: {} of {} spans exported", health.state, health.totals.exported, health.totals.ended);
/// if let Some(logs) = health.signal(otel_runtime::Signal::Logs) {
///     println!("logs {}: {} lost", logs.state, logs.totals.lost());
/// }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HealthSnapshot {
    /// Healthy, degraded or failing: the worst of the signals'.
    pub state: HealthState,
    /// The span counts so far.
    pub totals: Totals,
    /// The most recent failure of any signal, if any.
    pub last_error: Option<FailureEvent>,
    /// The endpoint spans are exported to (empty when nothing is exported).
    pub endpoint: String,
    /// Each exported signal's health (traces, logs, metrics, in that order; a signal not exported is absent).
    pub signals: Vec<SignalHealth>,
}

impl HealthSnapshot {
    /// The health of `signal`, when it is exported.
    ///
    /// ```no_run
    /// let health = otel_runtime::health();
    /// let metrics_lost = health.signal(otel_runtime::Signal::Metrics).map_or(0, |m| m.totals.lost());
    /// ```
    pub fn signal(&self, signal: Signal) -> Option<&SignalHealth> {
        self.signals.iter().find(|health| health.signal == signal)
    }

    /// The snapshot of a process with no pipeline installed.
    pub(crate) fn none() -> HealthSnapshot {
        HealthSnapshot {
            state: HealthState::Healthy,
            totals: Totals::default(),
            last_error: None,
            endpoint: String::new(),
            signals: Vec::new(),
        }
    }

    /// Combines the signals' health: spans at the top level, the worst state, the latest error.
    pub(crate) fn of(signals: Vec<SignalHealth>) -> HealthSnapshot {
        let traces = signals.iter().find(|s| s.signal == Signal::Traces);
        let state =
            signals.iter().map(|s| s.state).max_by_key(|state| state.severity()).unwrap_or(HealthState::Healthy);
        let last_error = signals.iter().filter_map(|s| s.last_error.clone()).max_by_key(|event| event.at);
        HealthSnapshot {
            state,
            totals: traces.map(|t| t.totals).unwrap_or_default(),
            last_error,
            endpoint: traces.map(|t| t.endpoint.clone()).unwrap_or_default(),
            signals,
        }
    }
}

/// One signal's health.
///
/// ```no_run
/// for signal in otel_runtime::health().signals {
///     println!("{}: {} ({} lost, exporting to {})", signal.signal, signal.state, signal.totals.lost(), signal.endpoint);
/// }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignalHealth {
    /// Which signal.
    pub signal: Signal,
    /// Healthy, degraded or failing.
    pub state: HealthState,
    /// Its counts so far.
    pub totals: Totals,
    /// Its most recent failure, if any.
    pub last_error: Option<FailureEvent>,
    /// The exact URL it is exported to (credentials redacted), or `stdout`.
    pub endpoint: String,
}

/// How long a loss keeps the state [`HealthState::Degraded`] once exports succeed again.
const DEGRADED_FOR: Duration = Duration::from_secs(60);

/// The health state the export worker maintains; read by [`crate::health`].
#[derive(Debug, Default)]
pub(crate) struct HealthCell {
    inner: Mutex<HealthInner>,
}

#[derive(Debug, Default)]
struct HealthInner {
    failing: bool,
    last_loss: Option<Instant>,
    last_error: Option<FailureEvent>,
}

impl HealthCell {
    fn lock(&self) -> std::sync::MutexGuard<'_, HealthInner> {
        self.inner.lock_unpoisoned()
    }

    /// An export attempt succeeded. Returns true when this ends a failing streak.
    pub(crate) fn record_success(&self) -> bool {
        std::mem::replace(&mut self.lock().failing, false)
    }

    /// An export attempt failed (retried or not). Returns true when this starts a failing streak.
    pub(crate) fn record_attempt_failure(&self, event: &FailureEvent) -> bool {
        let mut inner = self.lock();
        inner.last_error = Some(event.clone());
        !std::mem::replace(&mut inner.failing, true)
    }

    /// Spans were lost for good (failed, rejected or dropped).
    pub(crate) fn record_loss(&self, event: &FailureEvent) {
        let mut inner = self.lock();
        inner.last_loss = Some(Instant::now());
        inner.last_error = Some(event.clone());
    }

    pub(crate) fn is_failing(&self) -> bool {
        self.lock().failing
    }

    pub(crate) fn snapshot(&self, signal: Signal, totals: Totals, endpoint: &str) -> SignalHealth {
        let inner = self.lock();
        let recent_loss = inner.last_loss.is_some_and(|at| at.elapsed() < DEGRADED_FOR);
        let state = if inner.failing {
            HealthState::Failing
        } else if recent_loss {
            HealthState::Degraded
        } else {
            HealthState::Healthy
        };
        SignalHealth { signal, state, totals, last_error: inner.last_error.clone(), endpoint: endpoint.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(signal: Signal, items: u64) -> FailureEvent {
        FailureEvent {
            signal,
            kind: ErrorKind::Refused,
            message: "connection refused".into(),
            endpoint: "http://c:4318/v1/logs".into(),
            items,
            at: SystemTime::now(),
            coalesced: 0,
            retrying: false,
        }
    }

    #[test]
    fn the_snapshot_has_each_signal_the_worst_state_and_the_spans_at_the_top() {
        let traces = HealthCell::default();
        let logs = HealthCell::default();
        let lost = event(Signal::Logs, 4);
        logs.record_attempt_failure(&lost);
        logs.record_loss(&lost);
        let span_totals = Totals { ended: 3, exported: 3, failed: 0, dropped: 0 };
        let log_totals = Totals { ended: 4, exported: 0, failed: 4, dropped: 0 };
        let snapshot = HealthSnapshot::of(vec![
            traces.snapshot(Signal::Traces, span_totals, "http://c:4318/v1/traces"),
            logs.snapshot(Signal::Logs, log_totals, "http://c:4318/v1/logs"),
        ]);
        assert_eq!(snapshot.state, HealthState::Failing, "the worst of the signals'");
        assert_eq!((snapshot.totals, snapshot.endpoint.as_str()), (span_totals, "http://c:4318/v1/traces"));
        assert_eq!(snapshot.signal(Signal::Traces).map(|s| s.state), Some(HealthState::Healthy));
        let logs = snapshot.signal(Signal::Logs).expect("logs");
        assert_eq!((logs.totals, logs.state), (log_totals, HealthState::Failing));
        assert!(snapshot.signal(Signal::Metrics).is_none(), "not exported, not listed");
        let last = snapshot.last_error.expect("the logs' failure");
        assert_eq!((last.signal, last.items), (Signal::Logs, 4));
        assert_eq!(
            last.to_string(),
            "4 log records lost exporting to http://c:4318/v1/logs: connection refused (connection refused)"
        );
        assert_eq!(
            log_totals.summary_line_for(Signal::Logs),
            "otel summary (logs): ended=4 exported=0 failed=4 dropped=0"
        );
        assert_eq!(span_totals.summary_line_for(Signal::Traces), "otel summary: ended=3 exported=3 failed=0 dropped=0");
    }
}
