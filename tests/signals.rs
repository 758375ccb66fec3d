//! The three signals end to end (issue #10): the `task_service` example — `tracing` spans and events, a counter
//! through the global meter, a histogram through the metrics layer — delivers its spans, its log records (with
//! their trace ids) and its counter's exact value to the real collector (rotel) over gRPC and, by the environment
//! alone, over HTTP; against the in-process receiver, a signal failing alone is counted alone and the exit stays
//! within `shutdown.timeout`. The example is built by `scripts/test.sh` (or `cargo build --examples`).

mod common;

use common::{app_dir, example};
use otel_testkit::{Behavior, Receiver, Rotel, RotelVerbosity, Signal};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Tasks per run; each makes 3 spans, 2 log records ("task done", "task measured") and adds 1 to `tasks.done`.
const TASKS: usize = 12;
/// Log records per run: two per task and "all tasks handled".
const RECORDS: usize = 2 * TASKS + 1;
const WAIT: Duration = Duration::from_secs(20);

fn run_app(dir: &Path, env: &[(&str, &str)]) -> (Output, Duration) {
    let mut command = Command::new(example("task_service"));
    command.current_dir(dir).env("TASKS", TASKS.to_string());
    for (var, _) in std::env::vars() {
        if var.starts_with("OTEL_") || var == "RUST_LOG" {
            command.env_remove(var);
        }
    }
    command.envs(env.iter().copied());
    let started = Instant::now();
    let output = command.output().unwrap();
    (output, started.elapsed())
}

fn grpc_toml(endpoint: &str, extra: &str) -> String {
    format!("[service]\nname = \"signals-app\"\n[exporter]\nprotocol = \"grpc\"\nendpoint = \"{endpoint}\"\n[fmt]\nformat = \"off\"\n{extra}")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The counts of one `otel summary…` line of stderr (`prefix` = `otel summary:` or `otel summary (logs):`).
fn summary(err: &str, prefix: &str) -> Option<[u64; 4]> {
    let line = err.lines().find(|l| l.starts_with(prefix))?;
    let count = |name: &str| -> u64 {
        line.split_whitespace().find_map(|w| w.strip_prefix(&format!("{name}="))).unwrap().parse().unwrap()
    };
    Some([count("ended"), count("exported"), count("failed"), count("dropped")])
}

#[test]
fn spans_log_records_and_a_counter_reach_rotel_over_grpc_then_http_by_env_alone() {
    let rotel = Rotel::start_with(RotelVerbosity::Detailed).unwrap();
    let dir = app_dir("rotel", &grpc_toml(&rotel.grpc_endpoint(), ""));
    let (output, _) = run_app(&dir, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("otel summary"), "nothing lost: {}", stderr(&output));
    assert_eq!(rotel.wait_for_spans(3 * TASKS, WAIT).unwrap(), 3 * TASKS);
    assert_eq!(rotel.wait_for_logs(RECORDS, WAIT).unwrap(), RECORDS);
    let done = rotel
        .wait_for_metric(WAIT, |m| {
            m.name == "tasks.done" && m.data_points.iter().any(|p| p.value_f64() == Some(TASKS as f64))
        })
        .unwrap_or_else(|e| panic!("no tasks.done = {TASKS}: {e}"));
    assert_eq!(done.data_points.len(), 1, "{done:?}");

    // Every "task done" record carries the trace of its task's spans, and its fields as typed attributes.
    let traces: BTreeSet<String> = rotel.spans().iter().map(|s| s.trace_id.clone()).collect();
    let task_done: Vec<_> = rotel.logs().into_iter().filter(|r| r.body == "task done").collect();
    assert_eq!(task_done.len(), TASKS);
    for record in &task_done {
        assert!(traces.contains(&record.trace_id), "record of an unknown trace: {record:?}");
        assert_eq!(record.span_id.len(), 16, "{record:?}");
        assert_eq!(record.severity_text, "INFO", "{record:?}");
        let id = &record.attributes["task.id"];
        let bytes = format!("task-{id}").len().to_string();
        assert_eq!(record.attributes.get("bytes"), Some(&bytes), "{record:?}");
    }
    // The histogram the metrics layer made of `histogram.task.bytes`.
    rotel.wait_for_metric(WAIT, |m| m.name == "task.bytes").unwrap();

    // The same binary, switched to HTTP/protobuf by the environment alone: all three signals follow.
    let (spans, logs) = (rotel.received_span_count(), rotel.received_log_count());
    let http = rotel.http_endpoint();
    let env = [("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"), ("OTEL_EXPORTER_OTLP_ENDPOINT", http.as_str())];
    let (output, _) = run_app(&dir, &env);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(rotel.wait_for_spans(spans + 3 * TASKS, WAIT).unwrap(), spans + 3 * TASKS);
    assert_eq!(rotel.wait_for_logs(logs + RECORDS, WAIT).unwrap(), logs + RECORDS);
    let metrics_sent = rotel.metrics().iter().filter(|m| m.name == "tasks.done").count();
    assert!(metrics_sent >= 2, "the second run's counter arrived too: {metrics_sent}");
}

#[test]
fn collector_down_every_lost_log_record_and_data_point_is_in_the_summary() {
    let port = otel_testkit::unused_port();
    let dir = app_dir("absent", &grpc_toml(&format!("http://127.0.0.1:{port}"), ""));
    let (output, elapsed) = run_app(&dir, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    let n = 3 * TASKS as u64;
    assert_eq!(summary(&err, "otel summary:"), Some([n, 0, n, 0]), "{err}");
    let r = RECORDS as u64;
    assert_eq!(summary(&err, "otel summary (logs):"), Some([r, 0, r, 0]), "{err}");
    let [ended, exported, failed, dropped] = summary(&err, "otel summary (metrics):").expect(&err);
    assert!(ended > 0 && exported == 0 && failed + dropped == ended, "{err}");
    assert!(err.contains("exporting log records to http://127.0.0.1"), "the alert names the signal: {err}");
    assert!(elapsed < Duration::from_secs(3), "exit took {elapsed:?}");
}

#[test]
fn a_stalled_logs_endpoint_costs_only_log_records_and_the_exit_stays_within_the_timeout() {
    let receiver = Receiver::builder().signal_behavior(Signal::Logs, Behavior::Stall).start_blocking();
    let toml = grpc_toml(&receiver.grpc_endpoint(), "[shutdown]\ntimeout = \"1s\"\n");
    let dir = app_dir("stalled-logs", &toml);
    let (output, elapsed) = run_app(&dir, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(elapsed < Duration::from_millis(2500), "exit took {elapsed:?} with shutdown.timeout = 1s");
    let err = stderr(&output);
    // Spans and metrics were delivered: no summary of theirs.
    assert!(summary(&err, "otel summary:").is_none(), "{err}");
    assert!(summary(&err, "otel summary (metrics):").is_none(), "{err}");
    let [ended, exported, failed, dropped] = summary(&err, "otel summary (logs):").expect(&err);
    assert_eq!((ended, exported, failed + dropped), (RECORDS as u64, 0, RECORDS as u64), "{err}");
    assert_eq!(receiver.wait_for_spans_blocking(3 * TASKS, WAIT).unwrap().len(), 3 * TASKS);
    let done = receiver.wait_for_metric_blocking(WAIT, |m| m.name == "tasks.done").unwrap();
    assert_eq!(done.total(), TASKS as f64);
}

#[test]
fn log_records_and_metrics_arrive_with_their_content_and_the_shared_resource() {
    let receiver = Receiver::start_blocking();
    let dir = app_dir("content", &grpc_toml(&receiver.grpc_endpoint(), ""));
    let (output, _) = run_app(&dir, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let spans = receiver.wait_for_spans_blocking(3 * TASKS, WAIT).unwrap();
    let records = receiver.wait_for_logs_blocking(RECORDS, WAIT).unwrap();
    let record = records.iter().find(|r| r.body == "task done").unwrap();
    assert_eq!(record.severity_number, 9, "INFO: {record:?}");
    assert_eq!(record.scope_name, "task_service", "the target is the scope: {record:?}");
    // Numbers stay numbers: `bytes` is an OTLP int, not a string.
    use opentelemetry_proto::tonic::common::v1::any_value;
    let raw = receiver.log_requests();
    let bytes = raw
        .iter()
        .flat_map(|r| r.request.resource_logs.iter())
        .flat_map(|r| r.scope_logs.iter())
        .flat_map(|s| s.log_records.iter())
        .flat_map(|l| l.attributes.iter())
        .find(|kv| kv.key == "bytes")
        .and_then(|kv| kv.value.as_ref()?.value.clone());
    assert_eq!(bytes, Some(any_value::Value::IntValue(6)));
    let span = spans.iter().find(|s| s.span_id == record.span_id).expect("the record's span was exported");
    assert_eq!((span.name.as_str(), &span.trace_id), ("handle_task", &record.trace_id));
    let done = receiver.wait_for_metric_blocking(WAIT, |m| m.name == "tasks.done").unwrap();
    assert!(done.monotonic, "{done:?}");
    assert_eq!(done.data_points[0].attributes.get("task.kind").map(String::as_str), Some("demo"));
    // One resource for the three signals, detected attributes included.
    let instance = span.resource.get("service.instance.id").expect("detected").clone();
    assert_eq!(record.resource.get("service.instance.id"), Some(&instance));
    assert_eq!(done.resource.get("service.instance.id"), Some(&instance));
    assert_eq!(done.resource.get("service.name").map(String::as_str), Some("signals-app"));
    // otel's own counters, final at the last export.
    let exported = receiver
        .wait_for_metric_blocking(WAIT, |m| {
            m.name == "otel.sdk.exporter.span.exported" && m.total() >= (3 * TASKS) as f64
        })
        .unwrap();
    assert_eq!(
        exported.data_points.iter().find(|p| p.attributes.is_empty()).unwrap().as_f64(),
        Some((3 * TASKS) as f64)
    );
}

#[test]
fn each_signal_follows_its_own_variables_and_the_others_are_untouched() {
    let traces_and_metrics = Receiver::start_blocking();
    let logs_only = Receiver::start_blocking();
    let dir = app_dir("per-signal", &grpc_toml(&traces_and_metrics.grpc_endpoint(), ""));
    let logs_url = logs_only.http_logs_url();
    let env = [
        ("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/json"),
        ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", logs_url.as_str()),
        ("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "x-tenant=logs-team"),
        ("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "Delta"),
    ];
    let (output, _) = run_app(&dir, &env);
    assert!(output.status.success(), "{}", stderr(&output));
    // Spans and metrics over gRPC to the shared endpoint; log records over HTTP/JSON to theirs, with their header.
    assert_eq!(traces_and_metrics.wait_for_spans_blocking(3 * TASKS, WAIT).unwrap().len(), 3 * TASKS);
    assert_eq!(logs_only.wait_for_logs_blocking(RECORDS, WAIT).unwrap().len(), RECORDS);
    assert_eq!(traces_and_metrics.log_record_count(), 0);
    assert_eq!((logs_only.span_count(), logs_only.data_point_count()), (0, 0));
    let requests = logs_only.log_requests();
    assert!(requests.iter().all(|r| r.protocol == otel_testkit::Protocol::HttpJson), "{:?}", requests[0].protocol);
    assert!(requests.iter().all(|r| r.header("x-tenant") == Some("logs-team")));
    assert!(traces_and_metrics.requests().iter().all(|r| r.header("x-tenant").is_none()));
    // The temporality preference: a counter is reported as deltas.
    let done = traces_and_metrics.wait_for_metric_blocking(WAIT, |m| m.name == "tasks.done").unwrap();
    assert_eq!(done.temporality, Some(otel_testkit::Temporality::Delta), "{done:?}");
    assert_eq!(done.total(), TASKS as f64);
}

#[test]
fn a_signal_switched_off_sends_nothing_and_events_can_leave_the_spans() {
    let receiver = Receiver::start_blocking();
    let toml = grpc_toml(&receiver.grpc_endpoint(), "[logs]\nspan_events = false\n");
    let dir = app_dir("switched-off", &toml);
    let (output, _) = run_app(&dir, &[("OTEL_METRICS_EXPORTER", "none")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let spans = receiver.wait_for_spans_blocking(3 * TASKS, WAIT).unwrap();
    receiver.wait_for_logs_blocking(RECORDS, WAIT).unwrap();
    // The events are log records only.
    assert!(spans.iter().all(|s| s.events.is_empty()), "{:?}", spans.iter().find(|s| !s.events.is_empty()));
    assert_eq!(receiver.signal_attempts(Signal::Metrics), 0, "metrics are off");

    // Logs off: no log record at all, and the events are span events again.
    let receiver = Receiver::start_blocking();
    let dir = app_dir("logs-off", &grpc_toml(&receiver.grpc_endpoint(), "[logs]\nenabled = false\n"));
    let (output, _) = run_app(&dir, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let spans = receiver.wait_for_spans_blocking(3 * TASKS, WAIT).unwrap();
    assert_eq!(spans.iter().filter(|s| s.name == "handle_task" && s.events.len() == 2).count(), TASKS);
    receiver.wait_for_metric_blocking(WAIT, |m| m.name == "tasks.done").unwrap();
    assert_eq!(receiver.signal_attempts(Signal::Logs), 0, "logs are off");
}
