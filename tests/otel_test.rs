//! `#[otel::test]` and `otel::testing`: what a test reads is what the instrumentation did (missing or misparented
//! spans fail the assertions), each test sees only its own telemetry, and `u64` fields arrive as integers.

use otel::testing::{Capture, MetricValue, Status, Value};
use std::sync::{Arc, Barrier};
use tracing::Instrument;

#[otel::test]
fn a_child_span_has_the_root_as_parent_and_shares_its_trace(otel: Capture) {
    tracing::info_span!("root").in_scope(|| {
        tracing::info_span!("child").in_scope(|| tracing::info!("inside"));
    });
    let (root, child) = (otel.span("root"), otel.span("child"));
    assert_eq!(root.parent_span_id, None);
    assert_eq!(child.parent_span_id, Some(root.span_id));
    assert_eq!(child.trace_id, root.trace_id);
    assert_eq!(child.events.len(), 1);
    assert_eq!(child.events[0].name, "inside");
    // Children end first.
    let names: Vec<String> = otel.spans().into_iter().map(|span| span.name).collect();
    assert_eq!(names, ["child", "root"]);
}

/// The assertion a user writes fails when the instrumentation forgot a span.
#[otel::test]
#[should_panic(expected = "no finished span named \"child\"; the finished spans: [\"root\"]")]
fn a_missing_span_fails_the_test(otel: Capture) {
    tracing::info_span!("root").in_scope(|| {});
    otel.span("child");
}

/// … and when it opened the child outside its parent (here: an explicit root, as a detached task would).
#[otel::test]
#[should_panic(expected = "misparented")]
fn a_misparented_span_fails_the_test(otel: Capture) {
    tracing::info_span!("root").in_scope(|| {
        tracing::info_span!(parent: None, "child").in_scope(|| {});
    });
    let (root, child) = (otel.span("root"), otel.span("child"));
    assert_eq!(child.parent_span_id, Some(root.span_id), "misparented");
}

/// A span still open is not finished: reading too early shows it.
#[otel::test]
fn an_open_span_is_not_captured_until_it_closes(otel: Capture) {
    let span = tracing::info_span!("open");
    assert!(otel.spans().is_empty());
    drop(span);
    assert_eq!(otel.spans().len(), 1);
}

#[otel::test]
fn status_and_attributes_are_captured(otel: Capture) {
    tracing::info_span!("failing", otel.status_code = "error", otel.status_description = "boom", route = "/pay")
        .in_scope(|| {});
    let span = otel.span("failing");
    assert_eq!(span.status, Status::error("boom"));
    assert_eq!(span.attribute("route"), Some(&Value::from("/pay")));
}

#[otel::test]
fn a_test_without_the_capture_parameter_runs_in_a_capture() {
    // No handle, but the spans go to the test's own capture (without a dispatcher they would be disabled), not
    // to the global dispatcher.
    assert!(!tracing::info_span!("unread").is_disabled());
    // A thread of our own has no dispatcher (the documented limit): the capture was not installed globally.
    let elsewhere = std::thread::spawn(|| tracing::info_span!("elsewhere").is_disabled()).join().unwrap();
    assert!(elsewhere, "the capture must never be the global dispatcher");
}

#[otel::test]
fn a_test_may_return_a_result(otel: Capture) -> Result<(), String> {
    tracing::info_span!("fallible").in_scope(|| {});
    (otel.spans().len() == 1).then_some(()).ok_or_else(|| "span missing".to_string())
}

#[otel::test]
#[tracing::instrument]
fn instrument_on_the_test_is_inside_the_capture() {
    let current = tracing::Span::current();
    assert!(!current.is_disabled(), "the test's own span opened outside the capture");
    assert_eq!(current.metadata().map(|m| m.name()), Some("instrument_on_the_test_is_inside_the_capture"));
}

/// Two captures in use at the same moment, on two threads (the barrier makes them overlap whatever libtest's
/// thread count): each sees its own spans only.
#[test]
fn parallel_captures_see_only_their_own_spans() {
    let barrier = Arc::new(Barrier::new(2));
    let threads: Vec<_> = ["alpha", "beta"]
        .into_iter()
        .map(|name| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let capture = Capture::new();
                capture.in_scope(|| {
                    let span = tracing::info_span!("work", owner = name);
                    barrier.wait(); // both spans are open now
                    drop(span);
                    barrier.wait(); // both spans have ended now
                });
                capture.spans()
            })
        })
        .collect();
    for (thread, name) in threads.into_iter().zip(["alpha", "beta"]) {
        let spans = thread.join().expect("the capturing thread");
        assert_eq!(spans.len(), 1, "{name} saw {spans:?}");
        assert_eq!(spans[0].attribute("owner"), Some(&Value::from(name)));
    }
}

#[otel::test]
async fn async_tests_capture_spans_across_awaits_and_spawned_tasks(otel: Capture) {
    async {
        tokio::task::yield_now().await;
        tokio::spawn(async { tracing::info!("in the task") }.instrument(tracing::info_span!("task"))).await.unwrap();
    }
    .instrument(tracing::info_span!("request"))
    .await;
    let (request, task) = (otel.span("request"), otel.span("task"));
    assert_eq!(task.parent_span_id, Some(request.span_id));
    assert_eq!(task.events[0].name, "in the task");
}

/// On the multi-thread flavor, tasks run on worker threads: the capture's dispatcher is there too.
#[otel::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_thread_workers_and_blocking_threads_are_captured(otel: Capture) {
    let on_worker = tokio::spawn(async {
        tracing::info_span!("on_worker").in_scope(|| {});
        std::thread::current().id()
    });
    let worker = on_worker.await.unwrap();
    let blocking = tokio::task::spawn_blocking(|| tracing::info_span!("on_blocking").in_scope(|| {}));
    blocking.await.unwrap();
    assert_ne!(worker, std::thread::current().id(), "the task ran on the test's thread: nothing proven");
    otel.span("on_worker");
    otel.span("on_blocking");
}

#[otel::test]
fn log_records_carry_their_span_and_typed_fields(otel: Capture) {
    tracing::info_span!("request").in_scope(|| tracing::warn!(attempt = 3u64, user = "ada", "slow"));
    let request = otel.span("request");
    let logs = otel.logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].body, "slow");
    assert_eq!(logs[0].severity, "WARN");
    assert_eq!(logs[0].span_id, Some(request.span_id));
    assert_eq!(logs[0].trace_id, Some(request.trace_id));
    assert_eq!(logs[0].attribute("attempt"), Some(&Value::I64(3)));
    assert_eq!(logs[0].attribute("user"), Some(&Value::from("ada")));
}

#[otel::test]
fn metrics_from_event_fields_and_the_captures_meter(otel: Capture) {
    tracing::info!(monotonic_counter.jobs = 1u64);
    tracing::info!(monotonic_counter.jobs = 2u64);
    otel.meter("test").f64_histogram("latency").build().record(0.5, &[]);
    let metrics = otel.metrics();
    let value = |name: &str| metrics.iter().find(|m| m.name == name).map(|m| m.value.clone());
    assert_eq!(value("jobs"), Some(MetricValue::U64(3)));
    assert_eq!(value("latency"), Some(MetricValue::Histogram { count: 1, sum: 0.5 }));
}

#[otel::test]
fn metrics_keep_their_attributes_one_series_each(otel: Capture) {
    let hits = otel.meter("test").u64_counter("hits").build();
    hits.add(2, &[otel::KeyValue::new("route", "/a")]);
    hits.add(5, &[otel::KeyValue::new("route", "/b")]);
    hits.add(1, &[otel::KeyValue::new("route", "/a")]);
    // The metrics layer: the event's other fields are the data point's attributes.
    tracing::info!(monotonic_counter.jobs = 4u64, queue = "fast");
    let metrics = otel.metrics();
    let series = |name: &str, key: &str, value: &str| {
        let found: Vec<_> = metrics
            .iter()
            .filter(|m| {
                m.name == name && m.attributes.iter().any(|kv| kv.key.as_str() == key && kv.value.as_str() == value)
            })
            .map(|m| m.value.clone())
            .collect();
        assert_eq!(found.len(), 1, "{name}{{{key}={value}}} in {metrics:#?}");
        found[0].clone()
    };
    assert_eq!(series("hits", "route", "/a"), MetricValue::U64(3));
    assert_eq!(series("hits", "route", "/b"), MetricValue::U64(5));
    assert_eq!(series("jobs", "queue", "fast"), MetricValue::U64(4));
}

/// tracing-opentelemetry alone makes `u64` and `usize` fields strings (`Value::String("4")`).
#[otel::test]
fn u64_fields_are_integers_on_spans_records_and_events(otel: Capture) {
    let span = tracing::info_span!("task", task.id = 4u64, len = 2usize, late = tracing::field::Empty, name = "x");
    span.record("late", 7u64);
    span.in_scope(|| tracing::info!(bytes = 1024u64, big = u64::MAX, "written"));
    drop(span);
    let task = otel.span("task");
    assert_eq!(task.attribute("task.id"), Some(&Value::I64(4)));
    assert_eq!(task.attribute("len"), Some(&Value::I64(2)));
    assert_eq!(task.attribute("late"), Some(&Value::I64(7)));
    assert_eq!(task.attribute("name"), Some(&Value::from("x")), "the other fields are unchanged");
    let event = &task.events[0];
    assert_eq!(event.name, "written");
    assert_eq!(event.attribute("bytes"), Some(&Value::I64(1024)));
    // No integer attribute can hold it: it stays a string.
    assert_eq!(event.attribute("big"), Some(&Value::from(u64::MAX.to_string())));
    // Each key once: converted, not added beside the string.
    assert_eq!(task.attributes.iter().filter(|kv| kv.key.as_str() == "task.id").count(), 1);
}

/// The boundary: up to `i64::MAX` a `u64` is an integer; above, no OTLP integer holds it and it stays a string —
/// on span attributes, span events and log records alike.
#[otel::test]
fn u64_fields_are_integers_up_to_i64_max_and_strings_above(otel: Capture) {
    const MAX: u64 = i64::MAX as u64;
    let span = tracing::info_span!("bounds", at = MAX, over = MAX + 1);
    span.in_scope(|| tracing::info!(at = MAX, over = MAX + 1, "edge"));
    drop(span);
    let bounds = otel.span("bounds");
    let over = Value::from((MAX + 1).to_string());
    assert_eq!(bounds.attribute("at"), Some(&Value::I64(i64::MAX)));
    assert_eq!(bounds.attribute("over"), Some(&over));
    let event = &bounds.events[0];
    assert_eq!(event.attribute("at"), Some(&Value::I64(i64::MAX)));
    assert_eq!(event.attribute("over"), Some(&over));
    let logs = otel.logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].attribute("at"), Some(&Value::I64(i64::MAX)));
    assert_eq!(logs[0].attribute("over"), Some(&over));
}

#[otel::test]
fn u64_fields_keep_the_special_fields_meaning(otel: Capture) {
    // `otel.name` and the `Debug`/`Display` fields are handed on as the layer would have seen them.
    tracing::info_span!("raw", otel.name = "renamed", id = 1u64, shown = %"a b", debugged = ?("t", 1)).in_scope(|| {});
    let span = otel.span("renamed");
    assert_eq!(span.attribute("id"), Some(&Value::I64(1)));
    assert_eq!(span.attribute("shown"), Some(&Value::from("a b")));
    assert_eq!(span.attribute("debugged"), Some(&Value::from("(\"t\", 1)")));
}
