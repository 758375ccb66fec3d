//! One batch's delivery: the attempts the OTLP spec allows (retryable errors only, exponential backoff with jitter,
//! the server's Retry-After / RetryInfo honoured), within the export timeout, cut short at shutdown.

use crate::failures::FailureHub;
use crate::health::ErrorKind;
use crate::transport::{AttemptOutcome, SendError, Transport};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use std::time::Duration;
use tokio::time::Instant;

/// The first backoff; doubled after each failed attempt up to [`MAX_BACKOFF`], then jittered.
const INITIAL_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// The limit of the one last attempt at shutdown when exports were already failing.
const LAST_ATTEMPT: Duration = Duration::from_secs(1);
/// The longest wait a collector may ask for (`Retry-After`, `RetryInfo`): a peer's answer must never park an
/// export for hours, nor overflow the clock arithmetic (a delay of `u64::MAX` seconds panicked `Instant + Duration`).
pub(crate) const MAX_SERVER_DELAY: Duration = Duration::from_secs(300);

/// `now + duration`, or `None` when that lies beyond what the clock can represent: a configured duration so large
/// that it means "no limit" in practice must not panic the arithmetic.
pub(crate) fn after(duration: Duration) -> Option<Instant> {
    Instant::now().checked_add(duration)
}

/// Where batches go.
#[derive(Debug)]
pub(crate) enum Sink {
    /// An OTLP collector.
    Otlp(Transport),
    /// Standard output, one line per span (`exporter.protocol = "console"`, `OTEL_TRACES_EXPORTER=console`).
    Console,
    /// Drops every batch unconverted and counts it delivered, like the SDK's no-op exporter: only for the
    /// micro-benchmarks ([`crate::bench`]).
    Discard,
    /// The exporter could not be built (`exporter.on_invalid = "warn"`): every batch fails at once, not retried,
    /// with this reason, so that the loss is counted, alerted and summarised like any other.
    Unavailable(String),
    /// Tests only: every attempt's answer comes from a script ([`Scripted`]), bounded by the attempt's timeout like
    /// [`Transport::send`], so that the processor's accounting can be driven through any sequence of outcomes.
    #[cfg(test)]
    Scripted(Scripted),
}

/// Tests only: the answer to one attempt, as a future (pending for ever = a collector that never answers).
#[cfg(test)]
pub(crate) type ScriptedAttempt = std::sync::Arc<
    dyn Fn(&ExportTraceServiceRequest) -> std::pin::Pin<Box<dyn std::future::Future<Output = AttemptOutcome> + Send>>
        + Send
        + Sync,
>;

/// Tests only: a scripted sink ([`Sink::Scripted`]); a newtype because a closure has no `Debug`.
#[cfg(test)]
pub(crate) struct Scripted(pub(crate) ScriptedAttempt);

#[cfg(test)]
impl std::fmt::Debug for Scripted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scripted")
    }
}

impl Sink {
    async fn attempt(&self, request: &ExportTraceServiceRequest, timeout: Duration) -> AttemptOutcome {
        match self {
            Sink::Otlp(transport) => transport.send(request, timeout).await,
            Sink::Console => {
                print_request(request);
                AttemptOutcome::Accepted
            }
            // Not reached: the export task skips conversion and sending for this sink.
            Sink::Discard => AttemptOutcome::Accepted,
            Sink::Unavailable(reason) => {
                AttemptOutcome::Failed(SendError::new(ErrorKind::InvalidConfig, reason.clone(), false))
            }
            #[cfg(test)]
            Sink::Scripted(script) => {
                // Bounded like `Transport::send`: one attempt of at most `timeout` (zero: no limit).
                let attempt = (script.0)(request);
                if timeout.is_zero() {
                    attempt.await
                } else {
                    tokio::time::timeout(timeout, attempt).await.unwrap_or_else(|_elapsed| {
                        let message = format!("no response within {timeout:?}");
                        AttemptOutcome::Failed(SendError::new(ErrorKind::Timeout, message, true))
                    })
                }
            }
        }
    }
}

/// The final outcome of one batch, every attempt included.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// All spans acknowledged.
    Delivered,
    /// The collector took the request but rejected `rejected` spans.
    Partial { rejected: u64, message: String },
    /// Nothing delivered.
    Failed(SendError),
}

/// The shutdown, as export tasks see it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Closing {
    /// Nothing may run past this.
    pub(crate) deadline: Instant,
    /// Exports were failing when the shutdown began: every batch gets one last attempt, no retries.
    pub(crate) collector_failing: bool,
}

/// How a delivery must behave right now.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    /// One attempt's limit (`exporter.timeout`; zero = none).
    pub(crate) attempt_timeout: Duration,
    /// When to stop retrying (`batch.export_timeout` after the first attempt, or the shutdown deadline).
    pub(crate) deadline: Option<Instant>,
}

/// Delivers one request: attempts until accepted, a non-retryable answer, or the deadline. When `closing` is set
/// (the shutdown deadline), backoff sleeps end at once, the deadline moves in, and if exports were already failing
/// only one more attempt is made.
pub(crate) async fn deliver(
    sink: &Sink,
    hub: &FailureHub,
    request: &ExportTraceServiceRequest,
    limits: Limits,
    mut closing: tokio::sync::watch::Receiver<Option<Closing>>,
) -> Delivery {
    let mut backoff = INITIAL_BACKOFF;
    let mut seed = jitter_seed(request);
    loop {
        // At shutdown the deadline moves in: the shutdown's own.
        let deadline = earliest(limits.deadline, closing.borrow().map(|c| c.deadline));
        let mut timeout = limits.attempt_timeout;
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Delivery::Failed(timed_out(limits.attempt_timeout));
            }
            timeout = if timeout.is_zero() { left } else { timeout.min(left) };
        }
        if closing.borrow().is_some_and(|c| c.collector_failing) {
            // The collector was already failing when the shutdown began: the last attempt is a short one.
            timeout = timeout.min(LAST_ATTEMPT);
        }
        let error = match sink.attempt(request, timeout).await {
            AttemptOutcome::Accepted => {
                hub.attempt_succeeded();
                return Delivery::Delivered;
            }
            AttemptOutcome::PartiallyAccepted { rejected, message } => {
                hub.attempt_succeeded();
                return Delivery::Partial { rejected, message };
            }
            AttemptOutcome::Failed(error) => error,
        };
        if !error.retryable || gives_up_at_shutdown(*closing.borrow(), &error) {
            return Delivery::Failed(error);
        }
        let wait = retry_wait(error.retry_after, jittered(backoff, &mut seed));
        backoff = (backoff * 2).min(MAX_BACKOFF);
        let deadline = earliest(limits.deadline, closing.borrow().map(|c| c.deadline));
        // A wait past the deadline (or past what the clock can represent) would only end in the same failure.
        if deadline.is_some_and(|deadline| after(wait).is_none_or(|resume| resume >= deadline)) {
            return Delivery::Failed(error);
        }
        hub.attempt_failed(error.kind.clone(), &error.message);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            // Shutdown began: skip the rest of the backoff and make the last attempt now.
            _ = closing.changed() => {}
        }
    }
}

/// Whether a failed attempt is the last one because the shutdown has begun: when exports were already failing as
/// it began (that was the one short last attempt: the deadline is not spent retrying against a collector that is
/// down), or when this attempt found nobody listening — a refused connection or a name that does not resolve is a
/// known failure, not a reason to spend the deadline on backoff (a short-lived program with no collector would
/// otherwise wait seconds at exit).
fn gives_up_at_shutdown(closing: Option<Closing>, error: &SendError) -> bool {
    let Some(closing) = closing else { return false };
    closing.collector_failing || matches!(error.kind, ErrorKind::Refused | ErrorKind::Dns)
}

/// How long to wait before the next attempt: what the collector asked for, but never less than our own backoff
/// step (a `Retry-After: 0`, a date in the past or a zero `RetryInfo` would otherwise make hundreds of requests a
/// second at a collector that just said it is overloaded), and never more than [`MAX_SERVER_DELAY`].
fn retry_wait(server_delay: Option<Duration>, backoff: Duration) -> Duration {
    match server_delay {
        Some(delay) => delay.min(MAX_SERVER_DELAY).max(backoff),
        None => backoff,
    }
}

fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn timed_out(timeout: Duration) -> SendError {
    SendError {
        kind: ErrorKind::Timeout,
        message: format!("no answer within the deadline ({timeout:?} per attempt)"),
        retryable: true,
        retry_after: None,
    }
}

/// A seed that differs between batches and processes, so that concurrent exporters do not retry in lockstep.
fn jitter_seed(request: &ExportTraceServiceRequest) -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let span_id = request
        .resource_spans
        .first()
        .and_then(|r| r.scope_spans.first())
        .and_then(|s| s.spans.first())
        .map(|s| s.span_id.iter().fold(0u64, |acc, b| acc.rotate_left(8) ^ u64::from(*b)))
        .unwrap_or(0);
    (nanos as u64) ^ span_id ^ u64::from(std::process::id()).rotate_left(32) | 1
}

/// `base` scaled by a random factor in [0.5, 1.5) ("full jitter" around the exponential step).
fn jittered(base: Duration, seed: &mut u64) -> Duration {
    // xorshift64: plenty for spreading retries.
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    let unit = (*seed >> 11) as f64 / (1u64 << 53) as f64;
    base.mul_f64(0.5 + unit)
}

/// The console exporter's output: one line per span.
fn print_request(request: &ExportTraceServiceRequest) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for resource in &request.resource_spans {
        for scope in &resource.scope_spans {
            for span in &scope.spans {
                let duration = Duration::from_nanos(span.end_time_unix_nano.saturating_sub(span.start_time_unix_nano));
                let attributes: Vec<String> = span
                    .attributes
                    .iter()
                    .map(|kv| format!("{}={}", kv.key, any_value(kv.value.as_ref())))
                    .collect();
                let _ = writeln!(
                    out,
                    "span {} trace_id={} span_id={} parent_id={} duration={:?} {}",
                    span.name,
                    hex(&span.trace_id),
                    hex(&span.span_id),
                    hex(&span.parent_span_id),
                    duration,
                    attributes.join(" ")
                );
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn any_value(value: Option<&opentelemetry_proto::tonic::common::v1::AnyValue>) -> String {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    match value.and_then(|v| v.value.as_ref()) {
        Some(Value::StringValue(s)) => s.clone(),
        Some(Value::BoolValue(b)) => b.to_string(),
        Some(Value::IntValue(i)) => i.to_string(),
        Some(Value::DoubleValue(d)) => d.to_string(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_half_to_one_and_a_half_of_the_step() {
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        let base = Duration::from_millis(200);
        let waits: Vec<Duration> = (0..1000).map(|_| jittered(base, &mut seed)).collect();
        assert!(waits.iter().all(|w| *w >= base / 2 && *w < base * 3 / 2));
        // Spread, not a constant.
        let (min, max) = (waits.iter().min().unwrap(), waits.iter().max().unwrap());
        assert!(*max - *min > Duration::from_millis(150), "{min:?}..{max:?}");
    }

    #[test]
    fn earliest_deadline_wins() {
        let now = Instant::now();
        let later = now + Duration::from_secs(1);
        assert_eq!(earliest(Some(later), Some(now)), Some(now));
        assert_eq!(earliest(None, Some(now)), Some(now));
        assert_eq!(earliest(Some(later), None), Some(later));
        assert_eq!(earliest(None, None), None);
    }

    #[test]
    fn a_server_delay_is_clamped_and_floored_by_the_backoff() {
        let step = Duration::from_millis(200);
        // Retry-After: 0, a date in the past, a zero RetryInfo: our backoff, not an immediate retry.
        assert_eq!(retry_wait(Some(Duration::ZERO), step), step);
        // A longer delay asked for is honoured exactly...
        assert_eq!(retry_wait(Some(Duration::from_secs(2)), step), Duration::from_secs(2));
        // ...up to the ceiling; u64::MAX seconds must not overflow anything.
        assert_eq!(retry_wait(Some(Duration::MAX), step), MAX_SERVER_DELAY);
        assert_eq!(retry_wait(None, step), step);
        assert!(after(Duration::MAX).is_none());
    }

    #[test]
    fn at_shutdown_a_refused_or_unresolvable_endpoint_is_final() {
        let closing = Some(Closing { deadline: Instant::now() + Duration::from_secs(3), collector_failing: false });
        let refused = SendError::new(ErrorKind::Refused, "connection refused", true);
        let dns = SendError::new(ErrorKind::Dns, "DNS lookup failed", true);
        let unavailable = SendError::new(ErrorKind::GrpcCode("UNAVAILABLE"), "busy", true);
        assert!(gives_up_at_shutdown(closing, &refused));
        assert!(gives_up_at_shutdown(closing, &dns));
        assert!(!gives_up_at_shutdown(closing, &unavailable), "a busy collector gets the rest of the deadline");
        assert!(!gives_up_at_shutdown(None, &refused), "while running, a refused connection is retried");
    }
}
