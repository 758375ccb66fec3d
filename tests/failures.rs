//! The failure channel, end to end: the `driven` example exports to an in-process receiver that misbehaves on
//! command (or to the real collector, killed and restarted), and every test checks that the shutdown summary adds
//! up and matches what the receiver actually got.

mod common;

use common::{app_dir, toml, App, Summary};
use otel_testkit::{Attempt, Behavior, Outcome, Receiver, Rotel, RotelVerbosity, Signal};
use std::time::{Duration, Instant};

const ALWAYS_SUMMARY: (&str, &str) = ("OTEL_TOML_SHUTDOWN_SUMMARY", "always");
const LONG: Duration = Duration::from_secs(20);

/// The receiver's endpoint for `protocol` (the HTTP base URL: the exporter appends v1/traces).
fn endpoint(receiver: &Receiver, protocol: &str) -> String {
    if protocol == "grpc" {
        receiver.grpc_endpoint()
    } else {
        receiver.http_endpoint()
    }
}

/// The receiver's trace requests (these tests misbehave for spans only; log records and metrics are accepted).
fn trace_attempts(receiver: &Receiver) -> Vec<Attempt> {
    receiver.attempt_log().into_iter().filter(|a| a.signal == Some(Signal::Traces)).collect()
}

/// Exports as soon as a batch of 10 is full or 50 ms passed, so that exports happen while the app runs.
const QUICK_BATCHES: &str = "[batch]\nmax_export_batch_size = 10\nschedule_delay = \"50ms\"\n";

#[test]
fn unavailable_with_a_retry_delay_is_retried_after_that_delay_then_delivered() {
    for protocol in ["grpc", "http/protobuf"] {
        let delay = Duration::from_millis(300);
        let receiver = Receiver::builder()
            .signal_behavior(Signal::Traces, Behavior::Unavailable { times: 2, retry_after: Some(delay) })
            .start_blocking();
        // One export at a time, so that the attempt after a refusal is that batch's retry.
        let extra = format!("{QUICK_BATCHES}max_concurrent_exports = 1\n");
        let dir = app_dir("unavailable", &toml(protocol, &endpoint(&receiver, protocol), &extra));
        let mut app = App::spawn("driven", &dir, &[ALWAYS_SUMMARY]);
        app.ask("tasks 10", "done 10");
        receiver.wait_for_spans_blocking(30, LONG).unwrap();
        app.wait_for(true, "recovered", LONG);
        let done = app.finish();
        assert!(done.status.success(), "{}", done.stderr);
        assert_eq!(done.summary(), Summary { ended: 30, exported: 30, failed: 0, dropped: 0 }, "{protocol}");
        assert_eq!(receiver.span_count(), 30, "{protocol}: each span delivered once");

        let attempts = trace_attempts(&receiver);
        let refused: Vec<_> = attempts.iter().filter(|a| a.outcome == Outcome::Unavailable).collect();
        assert_eq!(refused.len(), 2, "{protocol}: {attempts:?}");
        // The retry that followed each refusal came after the delay the receiver asked for.
        for first in &refused {
            let next = attempts.iter().find(|a| a.at > first.at).unwrap();
            assert!(next.at - first.at >= delay, "{protocol}: retried after {:?}", next.at - first.at);
        }
        let expected = if protocol == "grpc" { "UNAVAILABLE" } else { "503" };
        let alert = done.stderr.lines().find(|l| l.contains("is failing")).unwrap_or_default().to_string();
        assert!(alert.contains(expected) && alert.contains(&endpoint(&receiver, protocol)), "{protocol}: {alert}");
    }
}

#[test]
fn invalid_argument_and_400_fail_the_batch_without_a_retry() {
    for (protocol, cause) in [("grpc", "INVALID_ARGUMENT"), ("http/json", "400")] {
        let receiver = Receiver::builder().signal_behavior(Signal::Traces, Behavior::Reject).start_blocking();
        let dir = app_dir("reject", &toml(protocol, &endpoint(&receiver, protocol), QUICK_BATCHES));
        let mut app = App::spawn("driven", &dir, &[]);
        app.ask("tasks 10", "done 10");
        let done = app.finish();
        assert_eq!(done.summary(), Summary { ended: 30, exported: 0, failed: 30, dropped: 0 }, "{protocol}");
        // Three batches of 10, one attempt each.
        let attempts = trace_attempts(&receiver);
        assert_eq!(attempts.len(), 3, "{protocol}: {attempts:?}");
        assert!(attempts.iter().all(|a| a.outcome == Outcome::Rejected && a.span_count == 10), "{attempts:?}");
        assert_eq!(receiver.span_count(), 0);
        assert!(done.stderr.contains(cause), "{protocol}: {}", done.stderr);
        assert!(done.stderr.contains("callback thread=otel-on-failure kind="), "{}", done.stderr);
    }
}

#[test]
fn partial_success_counts_the_rejected_spans_as_failed() {
    for protocol in ["grpc", "http/protobuf"] {
        let receiver = Receiver::builder()
            .signal_behavior(Signal::Traces, Behavior::PartialSuccess { rejected_per_request: 2 })
            .start_blocking();
        let dir = app_dir("partial", &toml(protocol, &endpoint(&receiver, protocol), QUICK_BATCHES));
        let mut app = App::spawn("driven", &dir, &[]);
        app.ask("tasks 10", "done 10");
        receiver.wait_for_signal_attempts_blocking(Signal::Traces, 3, LONG).unwrap();
        let health = app.ask("health", "health ");
        assert!(health.starts_with("health degraded "), "{protocol}: {health}");
        let done = app.finish();
        assert_eq!(done.summary(), Summary { ended: 30, exported: 24, failed: 6, dropped: 0 }, "{protocol}");
        assert_eq!(receiver.signal_attempts(Signal::Traces), 3, "partial success is not retried");
        assert!(done.stderr.contains("rejected 2 spans"), "{protocol}: {}", done.stderr);
        assert!(done.stderr.contains("kind=rejected spans=2 retrying=false"), "{}", done.stderr);
    }
}

#[test]
fn a_hung_collector_cannot_hold_the_exit_past_shutdown_timeout() {
    let receiver = Receiver::builder().behavior(Behavior::Stall).start_blocking();
    let dir = app_dir("hung", &toml("grpc", &receiver.grpc_endpoint(), "[shutdown]\ntimeout = \"1s\"\n"));
    let mut app = App::spawn("driven", &dir, &[]);
    app.ask("tasks 10", "done 10");
    let asked_to_exit = Instant::now();
    let done = app.finish();
    let exit_took = asked_to_exit.elapsed();
    assert!(exit_took < Duration::from_millis(1800), "exit took {exit_took:?}");
    let summary = done.summary();
    assert_eq!((summary.ended, summary.exported), (30, 0), "{}", done.stderr);
    // The batch was sent and never answered: failed, not silently gone.
    assert_eq!(summary.failed, 30, "{}", done.stderr);
    assert_eq!(receiver.span_count(), 0);
    assert!(receiver.attempts() >= 1);
}

#[test]
fn collector_absent_alerts_once_with_the_cause_and_exits_at_once() {
    let port = otel_testkit::unused_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let dir = app_dir("absent", &toml("grpc", &endpoint, QUICK_BATCHES));
    let mut app = App::spawn("driven", &dir, &[]);
    app.ask("tasks 10", "done 10");
    let alert = app.wait_for(true, "is failing", LONG);
    assert!(alert.contains(&endpoint) && alert.contains("refused"), "{alert}");
    app.wait_for(true, "callback thread=otel-on-failure kind=refused", LONG);
    let stream = app.ask("failures", "end");
    let _ = stream;
    let health = app.ask("health", "health ");
    assert!(health.starts_with("health failing "), "{health}");
    app.ask("tasks 10", "done 10");
    let asked_to_exit = Instant::now();
    let done = app.finish();
    let exit_took = asked_to_exit.elapsed();
    assert!(exit_took < Duration::from_secs(1), "exit took {exit_took:?}");
    assert!(done.stdout.contains("stream refused spans=0 retrying=true"), "{}", done.stdout);
    let summary = done.summary();
    assert_eq!(summary.ended, 60);
    assert_eq!(summary.exported, 0);
    // One alert line per signal for the streak, not one per batch; the other signals' losses summed up too.
    for noun in ["spans", "log records", "data points"] {
        let alert = format!("exporting {noun} to {endpoint} is failing");
        assert_eq!(done.stderr.lines().filter(|l| l.contains(&alert)).count(), 1, "{noun}: {}", done.stderr);
    }
    for signal in ["logs", "metrics"] {
        assert!(done.stderr.contains(&format!("otel summary ({signal}): ")), "{}", done.stderr);
    }
}

#[test]
fn collector_stopped_mid_run_then_restarted_alerts_recovers_and_delivers_the_rest() {
    let first = Receiver::builder().start_blocking();
    let (grpc_port, http_port) = (first.grpc_addr().port(), first.http_addr().port());
    let dir = app_dir("restart", &toml("grpc", &first.grpc_endpoint(), QUICK_BATCHES));
    let mut app = App::spawn("driven", &dir, &[ALWAYS_SUMMARY]);
    app.ask("tasks 5", "done 5");
    first.wait_for_spans_blocking(15, LONG).unwrap();
    // Stopped only once the app has its answers: a batch the collector took but could not answer before it went
    // away would be sent again (at-least-once) and counted twice here.
    app.wait_exported(15, LONG);
    let before = first.span_count();
    first.stop();

    app.ask("tasks 5", "done 5");
    let alert = app.wait_for(true, "is failing", LONG);
    assert!(alert.contains(&format!("127.0.0.1:{grpc_port}")), "{alert}");
    let second = Receiver::builder().ports(grpc_port, http_port).start_blocking();
    app.wait_for(true, "recovered", Duration::from_secs(40));
    second.wait_for_spans_blocking(15, LONG).unwrap();
    app.ask("tasks 5", "done 5");
    second.wait_for_spans_blocking(30, LONG).unwrap();
    let done = app.finish();
    assert_eq!(done.summary(), Summary { ended: 45, exported: 45, failed: 0, dropped: 0 }, "{}", done.stderr);
    assert_eq!(before + second.span_count(), 45);
}

#[test]
fn the_real_collector_killed_and_restarted() {
    let first = Rotel::start_with(RotelVerbosity::Basic).unwrap();
    let (grpc_port, http_port) = (first.grpc_port(), first.http_port());
    let dir = app_dir("rotel-restart", &toml("grpc", &first.grpc_endpoint(), QUICK_BATCHES));
    let mut app = App::spawn("driven", &dir, &[ALWAYS_SUMMARY]);
    app.ask("tasks 5", "done 5");
    assert_eq!(first.wait_for_spans(15, LONG).unwrap(), 15);
    // As above: rotel logs a batch before it answers; killed in between, the batch would be sent again.
    app.wait_exported(15, LONG);
    first.stop();

    app.ask("tasks 5", "done 5");
    app.wait_for(true, "is failing", LONG);
    let second = Rotel::start_on(RotelVerbosity::Basic, grpc_port, http_port).unwrap();
    app.wait_for(true, "recovered", Duration::from_secs(40));
    app.ask("tasks 5", "done 5");
    assert_eq!(second.wait_for_spans(30, LONG).unwrap(), 30);
    let done = app.finish();
    assert_eq!(done.summary(), Summary { ended: 45, exported: 45, failed: 0, dropped: 0 }, "{}", done.stderr);
    assert_eq!(second.received_span_count(), 30, "app:\n{}\nrotel:\n{}", done.stderr, second.output());
}

#[test]
fn a_burst_far_larger_than_the_hand_off_queue_is_delivered_whole() {
    // A 2-span hand-off queue against 300 spans ended as fast as the app can: the queue overflows again and
    // again, and each time the app's thread moves a batch into the backlog instead of dropping.
    let receiver = Receiver::builder().start_blocking();
    let extra = "[batch]\nmax_queue_size = 2\nmax_export_batch_size = 2\nschedule_delay = \"20ms\"\n";
    let dir = app_dir("spill", &toml("grpc", &receiver.grpc_endpoint(), extra));
    let mut app = App::spawn("driven", &dir, &[ALWAYS_SUMMARY]);
    app.ask("tasks 100", "done 100");
    let done = app.finish();
    assert!(done.status.success(), "{}", done.stderr);
    assert_eq!(done.summary(), Summary { ended: 300, exported: 300, failed: 0, dropped: 0 }, "{}", done.stderr);
    assert_eq!(receiver.span_count(), 300);
    assert!(!done.stderr.contains("dropping spans"), "{}", done.stderr);
}

#[test]
fn a_full_backlog_drops_and_counts_instead_of_growing() {
    let receiver = Receiver::builder().behavior(Behavior::Stall).start_blocking();
    let extra = "[batch]\nmax_export_batch_size = 5\nschedule_delay = \"20ms\"\nmax_concurrent_exports = 1\n\
                 max_queue_bytes = 1\n[shutdown]\ntimeout = \"500ms\"\n";
    let dir = app_dir("backlog", &toml("grpc", &receiver.grpc_endpoint(), extra));
    let mut app = App::spawn("driven", &dir, &[]);
    app.ask("tasks 10", "done 10");
    app.wait_for(true, "dropping spans: export backlog full", LONG);
    app.wait_for(true, "kind=queue_full", LONG);
    let done = app.finish();
    let summary = done.summary();
    assert_eq!(summary.ended, 30);
    assert_eq!(summary.exported, 0);
    // One batch stalled in flight, at most one pending: everything else dropped, and counted.
    assert!(summary.dropped >= 20, "{summary:?}");
}

/// Spans of the only batch in flight: one export at a time, batches cut at 10 spans or 50 ms.
const ONE_AT_A_TIME: &str =
    "[batch]\nmax_export_batch_size = 10\nschedule_delay = \"50ms\"\nmax_concurrent_exports = 1\n";

#[test]
fn a_zero_retry_delay_does_not_make_a_retry_storm() {
    for protocol in ["grpc", "http/protobuf"] {
        // `Retry-After: 0` / a zero RetryInfo, four times: each retry must still wait our own backoff (≥ 100 ms,
        // the first step's lower jitter bound), not hammer the collector.
        let receiver = Receiver::builder()
            .signal_behavior(Signal::Traces, Behavior::Unavailable { times: 4, retry_after: Some(Duration::ZERO) })
            .start_blocking();
        let dir = app_dir("storm", &toml(protocol, &endpoint(&receiver, protocol), ONE_AT_A_TIME));
        let mut app = App::spawn("driven", &dir, &[ALWAYS_SUMMARY]);
        app.ask("tasks 3", "done 3");
        receiver.wait_for_spans_blocking(9, LONG).unwrap();
        let done = app.finish();
        assert_eq!(done.summary(), Summary { ended: 9, exported: 9, failed: 0, dropped: 0 }, "{protocol}");
        let attempts = trace_attempts(&receiver);
        assert_eq!(attempts.len(), 5, "{protocol}: {attempts:?}");
        for pair in attempts.windows(2) {
            let gap = pair[1].at - pair[0].at;
            assert!(gap >= Duration::from_millis(90), "{protocol}: a retry {gap:?} after the previous attempt");
        }
    }
}

#[test]
fn a_huge_retry_delay_neither_panics_nor_jams_the_pipeline() {
    for protocol in ["grpc", "http/protobuf"] {
        // 2^40 s: `Instant + Duration` overflowed and panicked the export task, whose slot (the only one here) was
        // never freed: every later span was then dropped and the exit waited for the full timeout.
        let receiver = Receiver::builder()
            .behavior(Behavior::Unavailable { times: 2, retry_after: Some(Duration::from_secs(1 << 40)) })
            .start_blocking();
        let extra = format!("{ONE_AT_A_TIME}export_timeout = \"2s\"\n");
        let dir = app_dir("huge-delay", &toml(protocol, &endpoint(&receiver, protocol), &extra));
        let mut app = App::spawn("driven", &dir, &[ALWAYS_SUMMARY]);
        app.ask("tasks 1", "done 1");
        // The delay asked for is far past the export deadline: the batch fails at once, reported.
        app.wait_for(true, "is failing", LONG);
        app.ask("tasks 1", "done 1");
        let deadline = Instant::now() + LONG;
        while receiver.attempts() < 2 {
            assert!(Instant::now() < deadline, "{protocol}: the second batch was never sent");
            app.ask("health", "health ");
        }
        // The collector accepts again: the pipeline was not jammed.
        app.ask("tasks 10", "done 10");
        receiver.wait_for_spans_blocking(30, LONG).unwrap();
        let asked_to_exit = Instant::now();
        let done = app.finish();
        assert!(
            asked_to_exit.elapsed() < Duration::from_secs(2),
            "{protocol}: exit took {:?}",
            asked_to_exit.elapsed()
        );
        assert!(!done.stderr.contains("panicked"), "{protocol}: {}", done.stderr);
        let summary = done.summary();
        assert_eq!((summary.ended, summary.dropped), (36, 0), "{protocol}: {}", done.stderr);
        assert!(summary.failed >= 1 && summary.exported >= 30, "{protocol}: {summary:?}");
        assert_eq!(receiver.span_count() as u64, summary.exported, "{protocol}");
    }
}

/// A short-lived program with no collector: its first export happens at shutdown and is refused. A refused
/// connection at shutdown is a known failure: reported at once, not retried with backoff (1.2–2.9 s before).
#[test]
fn a_short_lived_program_with_no_collector_exits_at_once() {
    let port = otel_testkit::unused_port();
    // Default batch settings: nothing is exported before the shutdown (schedule_delay is 5 s).
    let dir = app_dir("short-lived", &toml("grpc", &format!("http://127.0.0.1:{port}"), ""));
    let mut app = App::spawn("driven", &dir, &[]);
    app.ask("tasks 50", "done 50");
    let asked_to_exit = Instant::now();
    let done = app.finish();
    let exit_took = asked_to_exit.elapsed();
    assert!(exit_took < Duration::from_millis(800), "exit took {exit_took:?}: {}", done.stderr);
    assert_eq!(done.summary(), Summary { ended: 150, exported: 0, failed: 150, dropped: 0 }, "{}", done.stderr);
    assert!(done.stderr.contains("refused"), "{}", done.stderr);
}

/// A bad certificate from a standard variable: by default (`exporter.on_invalid = "warn"`) the application runs
/// and every span is counted as failed; with `"exit"` it stops before `main`, as a bad otel.toml does.
#[test]
fn an_exporter_that_cannot_be_built_fails_open_by_default_and_closed_on_request() {
    let port = otel_testkit::unused_port();
    let toml = toml("grpc", &format!("https://127.0.0.1:{port}"), QUICK_BATCHES);
    let bad_ca = ("OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/otel-test-ca.pem");

    let dir = app_dir("on-invalid-warn", &toml);
    let mut app = App::spawn("driven", &dir, &[bad_ca]);
    app.ask("tasks 3", "done 3");
    let done = app.finish();
    assert!(done.status.success(), "{}", done.stderr);
    assert!(done.stderr.contains("otel-test-ca.pem") && done.stderr.contains("exporter.on_invalid"), "{}", done.stderr);
    assert_eq!(done.summary(), Summary { ended: 9, exported: 0, failed: 9, dropped: 0 }, "{}", done.stderr);
    assert!(done.stderr.contains("exporter not configured"), "{}", done.stderr);

    let dir = app_dir("on-invalid-exit", &toml);
    let app = App::spawn("driven", &dir, &[bad_ca, ("OTEL_TOML_EXPORTER_ON_INVALID", "exit")]);
    let done = app.finish();
    assert_eq!(done.status.code(), Some(1), "{}", done.stderr);
    assert!(done.stderr.contains("otel-test-ca.pem"), "{}", done.stderr);
    assert!(!done.stdout.contains("done"), "main must not run: {}", done.stdout);
}
