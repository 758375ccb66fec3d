//! One batch's delivery: the attempts the OTLP spec allows (retryable errors only, exponential backoff with jitter,
//! the server's Retry-After / RetryInfo honoured), within the export timeout, cut short at shutdown.
//!
//! The sink (`sink.rs`) owns what an attempt is — it converts its batch once, as it needs — and hands the attempts
//! to [`Retries::run`], one at a time; this module decides whether, when and for how long to try again.

use crate::failures::FailureHub;
use crate::health::ErrorKind;
use crate::transport::{AttemptOutcome, SendError};
use std::future::Future;
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
pub(crate) fn deadline_in(duration: Duration) -> Option<Instant> {
    Instant::now().checked_add(duration)
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

/// The retry loop of one batch: what [`Retries::run`] needs besides the attempts themselves.
pub(crate) struct Retries<'a> {
    hub: &'a FailureHub,
    limits: Limits,
    closing: tokio::sync::watch::Receiver<Option<Closing>>,
    /// Differs between batches and processes, so that concurrent exporters do not retry in lockstep.
    seed: u64,
}

impl<'a> Retries<'a> {
    /// The retries of the batch numbered `batch` (any number that differs between batches), reported to `hub`,
    /// within `limits`, watching the shutdown through `closing`.
    pub(crate) fn new(
        hub: &'a FailureHub,
        limits: Limits,
        closing: tokio::sync::watch::Receiver<Option<Closing>>,
        batch: u64,
    ) -> Retries<'a> {
        Retries { hub, limits, closing, seed: jitter_seed(batch) }
    }

    /// Delivers one batch: `attempt(timeout)` until accepted, a non-retryable answer, or the deadline. When the
    /// shutdown begins (the `closing` deadline), backoff sleeps end at once, the deadline moves in, and if exports
    /// were already failing only one more attempt is made.
    pub(crate) async fn run<F, A>(self, mut attempt: F) -> Delivery
    where
        F: FnMut(Duration) -> A,
        A: Future<Output = AttemptOutcome>,
    {
        let Retries { hub, limits, mut closing, mut seed } = self;
        let mut backoff = INITIAL_BACKOFF;
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
            let error = match attempt(timeout).await {
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
            let mut wait = retry_wait(error.retry_after, jittered(backoff, &mut seed));
            backoff = (backoff * 2).min(MAX_BACKOFF);
            let deadline = earliest(limits.deadline, closing.borrow().map(|c| c.deadline));
            if let Some(deadline) = deadline {
                match last_wait(wait, error.retry_after.is_some(), deadline, limits.attempt_timeout) {
                    Some(capped) => wait = capped,
                    None => return Delivery::Failed(error),
                }
            }
            hub.attempt_failed(error.kind.clone(), &error.message);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                // Shutdown began: skip the rest of the backoff and make the last attempt now.
                _ = closing.changed() => {}
            }
        }
    }
}

/// Whether a failed attempt is the last one because the shutdown has begun: when exports were already failing as
/// it began (that was the one short last attempt: the deadline is not spent retrying against a collector that is
/// down), or when this attempt found nobody listening — a refused connection, a name that does not resolve or a
/// proxy that cannot be reached or refuses the tunnel is a known failure, not a reason to spend the deadline on
/// backoff (a short-lived program with no collector would otherwise wait seconds at exit).
fn gives_up_at_shutdown(closing: Option<Closing>, error: &SendError) -> bool {
    let Some(closing) = closing else { return false };
    closing.collector_failing || matches!(error.kind, ErrorKind::Refused | ErrorKind::Dns | ErrorKind::Proxy)
}

/// The wait before the next attempt, given the `deadline`: `wait` itself when an attempt still fits after it.
/// When our own backoff would pass the deadline, the wait is cut so that one last attempt (of at most the attempt
/// timeout, and at most half of what is left) still happens before it: giving up as soon as the next step of the
/// backoff no longer fitted lost batches that an outage shorter than `batch.export_timeout` should not cost (the
/// chaos test measured it). `None` — give up — when the collector itself asked to wait past the deadline (its
/// answer is respected, not second-guessed) or when too little time is left for an attempt.
fn last_wait(wait: Duration, server_asked: bool, deadline: Instant, attempt_timeout: Duration) -> Option<Duration> {
    /// Less time than this left is no attempt worth making.
    const LEAST_ATTEMPT: Duration = Duration::from_millis(10);
    let left = deadline.saturating_duration_since(Instant::now());
    if wait < left && left - wait >= LEAST_ATTEMPT {
        return Some(wait);
    }
    if server_asked || left < LEAST_ATTEMPT * 2 {
        return None;
    }
    let room = if attempt_timeout.is_zero() { left / 2 } else { attempt_timeout.min(left / 2) };
    Some(left - room.max(LEAST_ATTEMPT))
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

/// A seed that differs between batches (`batch`) and processes (the clock, the process id).
fn jitter_seed(batch: u64) -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    (nanos as u64)
        ^ batch.rotate_left(17).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ u64::from(std::process::id()).rotate_left(32)
        | 1
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
        assert!(deadline_in(Duration::MAX).is_none());
    }

    #[test]
    fn a_backoff_past_the_deadline_is_cut_to_leave_one_last_attempt() {
        let deadline = Instant::now() + Duration::from_secs(3);
        let attempt = Duration::from_millis(500);
        // Fits: unchanged.
        let wait = last_wait(Duration::from_secs(1), false, deadline, attempt).unwrap();
        assert_eq!(wait, Duration::from_secs(1));
        // Our backoff would pass the deadline: cut, leaving room for one attempt of the attempt timeout.
        let wait = last_wait(Duration::from_secs(5), false, deadline, attempt).unwrap();
        assert!(wait <= Duration::from_millis(2500) && wait >= Duration::from_millis(2300), "{wait:?}");
        // The collector asked to wait past the deadline: respected, the batch fails now.
        assert_eq!(last_wait(Duration::from_secs(5), true, deadline, attempt), None);
        // Nothing left: give up.
        assert_eq!(last_wait(Duration::from_secs(5), false, Instant::now(), attempt), None);
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
