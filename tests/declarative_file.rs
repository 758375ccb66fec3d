//! The declarative configuration file end to end (issue #13): the `task_service` example, with no otel.toml,
//! configured by a YAML file alone (`OTEL_CONFIG_FILE`, the collector's address entering by `${COLLECTOR}`),
//! delivers its spans, log records and counter to the real collector (rotel) over gRPC and over HTTP/protobuf,
//! under the service name of the file's resource; the standard `OTEL_*` variables and an otel.toml beside it
//! are ignored, as the file format says. The example is built by `scripts/test.sh` (or `cargo build --examples`).

mod common;

use common::example;
use otel_testkit::{Rotel, RotelVerbosity};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// Tasks per run; each makes 3 spans, 2 log records ("task done", "task measured") and adds 1 to `tasks.done`.
const TASKS: usize = 6;
/// Log records per run: two per task and "all tasks handled".
const RECORDS: usize = 2 * TASKS + 1;
const WAIT: Duration = Duration::from_secs(20);

/// A fresh directory with no otel.toml.
fn empty_dir(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("otel-test-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The file for `service`: every signal through an OTLP exporter (`otlp_grpc`, or `otlp_http` with protobuf)
/// whose endpoint is `${COLLECTOR}` (for HTTP, with the signal's path: the file's endpoints are used as they
/// are), and a team attribute beside the service name.
fn declarative_file(service: &str, grpc: bool) -> String {
    let exporter = |path: &str| match grpc {
        true => "otlp_grpc:\n            endpoint: ${COLLECTOR}".to_string(),
        false => format!("otlp_http:\n            endpoint: ${{COLLECTOR}}{path}\n            encoding: protobuf"),
    };
    format!(
        r#"file_format: "1.0"
resource:
  attributes:
    - name: service.name
      value: {service}
    - name: team
      value: from-file
propagator:
  composite: [{{ tracecontext: }}, {{ baggage: }}]
tracer_provider:
  processors:
    - batch:
        schedule_delay: 200
        exporter:
          {traces}
logger_provider:
  processors:
    - batch:
        schedule_delay: 200
        exporter:
          {logs}
meter_provider:
  readers:
    - periodic:
        interval: 60000
        exporter:
          {metrics}
"#,
        traces = exporter("/v1/traces"),
        logs = exporter("/v1/logs"),
        metrics = exporter("/v1/metrics"),
    )
}

/// Runs the example in `dir` with the file at `file` and `collector` for `${COLLECTOR}`, no other `OTEL_*`
/// variable of the test's environment, and `env`.
fn run_app(dir: &Path, file: &Path, collector: &str, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(example("task_service"));
    command.current_dir(dir).env("TASKS", TASKS.to_string());
    for (var, _) in std::env::vars() {
        if var.starts_with("OTEL_") || var == "RUST_LOG" {
            command.env_remove(var);
        }
    }
    command.env("OTEL_CONFIG_FILE", file).env("COLLECTOR", collector).envs(env.iter().copied());
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// What rotel had received before a run: (spans, log records).
fn before(rotel: &Rotel) -> (usize, usize) {
    (rotel.received_span_count(), rotel.received_log_count())
}

/// Waits until rotel holds a run's spans and log records (on top of `before`) and its final `tasks.done`, and
/// checks that exactly that run's spans and records carry `service` and the file's other attribute.
fn assert_delivered(rotel: &Rotel, service: &str, (spans, logs): (usize, usize)) {
    let of = |resource: &std::collections::BTreeMap<String, String>| {
        resource.get("service.name").map(String::as_str) == Some(service)
    };
    assert_eq!(rotel.wait_for_spans(spans + 3 * TASKS, WAIT).unwrap(), spans + 3 * TASKS);
    assert_eq!(rotel.wait_for_logs(logs + RECORDS, WAIT).unwrap(), logs + RECORDS);
    let done = rotel
        .wait_for_metric(WAIT, |m| {
            m.name == "tasks.done"
                && of(&m.resource)
                && m.data_points.iter().any(|p| p.value_f64() == Some(TASKS as f64))
        })
        .unwrap_or_else(|e| panic!("no tasks.done = {TASKS} from {service}: {e}"));
    assert_eq!(done.resource.get("team").map(String::as_str), Some("from-file"), "{done:?}");
    let spans: Vec<_> = rotel.spans().into_iter().filter(|s| of(&s.resource)).collect();
    assert_eq!(spans.len(), 3 * TASKS, "{service}");
    assert!(spans.iter().all(|s| s.resource.get("team").map(String::as_str) == Some("from-file")), "{spans:?}");
    let records: Vec<_> = rotel.logs().into_iter().filter(|r| of(&r.resource)).collect();
    assert_eq!(records.len(), RECORDS, "{service}");
    assert!(records.iter().all(|r| r.resource.get("team").map(String::as_str) == Some("from-file")), "{records:?}");
    // The log records carry their spans' traces: the file's propagator and batch settings do not break that.
    let task_done = records.iter().find(|r| r.body == "task done").unwrap();
    assert!(spans.iter().any(|s| s.trace_id == task_done.trace_id), "{task_done:?}");
}

#[test]
fn a_yaml_file_alone_delivers_the_three_signals_to_rotel_over_grpc_and_http() {
    let rotel = Rotel::start_with(RotelVerbosity::Detailed).unwrap();
    let dir = empty_dir("declarative");
    assert!(!dir.join("otel.toml").exists());

    let grpc = dir.join("grpc.yaml");
    std::fs::write(&grpc, declarative_file("yaml-grpc", true)).unwrap();
    let counts = before(&rotel);
    let output = run_app(&dir, &grpc, &rotel.grpc_endpoint(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("otel summary"), "nothing lost: {}", stderr(&output));
    assert!(!stderr(&output).contains("otel: "), "no warning: {}", stderr(&output));
    assert_delivered(&rotel, "yaml-grpc", counts);

    let http = dir.join("http.yaml");
    std::fs::write(&http, declarative_file("yaml-http", false)).unwrap();
    let counts = before(&rotel);
    let output = run_app(&dir, &http, &rotel.http_endpoint(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("otel summary"), "nothing lost: {}", stderr(&output));
    assert_delivered(&rotel, "yaml-http", counts);
    let _ = std::fs::remove_dir_all(&dir);
}

/// With `OTEL_CONFIG_FILE` set, the standard variables (another service name, another endpoint and protocol,
/// traces off, more resource attributes), our `OTEL_TOML_*` and the otel.toml of the working directory change
/// nothing: everything goes where the file says, under its service name.
#[test]
fn the_other_variables_and_otel_toml_are_ignored_beside_the_file() {
    let rotel = Rotel::start_with(RotelVerbosity::Detailed).unwrap();
    let nowhere = format!("http://127.0.0.1:{}", otel_testkit::unused_port());
    let dir = empty_dir("declarative-ignored");
    let toml = format!("[service]\nname = \"from-toml\"\n[exporter]\nprotocol = \"grpc\"\nendpoint = \"{nowhere}\"\n");
    std::fs::write(dir.join("otel.toml"), toml).unwrap();
    let file = dir.join("otel.yaml");
    std::fs::write(&file, declarative_file("yaml-only", true)).unwrap();
    let env = [
        ("OTEL_SERVICE_NAME", "from-env"),
        ("OTEL_RESOURCE_ATTRIBUTES", "team=from-env,extra=from-env"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", nowhere.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
        ("OTEL_TRACES_EXPORTER", "none"),
        ("OTEL_TOML_SERVICE_NAME", "from-toml-env"),
    ];
    let output = run_app(&dir, &file, &rotel.grpc_endpoint(), &env);
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(!err.contains("otel summary"), "nothing lost (nothing went to {nowhere}): {err}");
    // The one warning: otel.toml, which would have been read, is not.
    let toml_path = dir.join("otel.toml").display().to_string();
    assert!(err.contains(&format!("otel: {toml_path}")) && err.contains("not read: OTEL_CONFIG_FILE"), "{err}");
    assert_delivered(&rotel, "yaml-only", (0, 0));
    let every_resource = rotel
        .spans()
        .into_iter()
        .map(|s| s.resource)
        .chain(rotel.logs().into_iter().map(|r| r.resource))
        .chain(rotel.metrics().into_iter().map(|m| m.resource));
    for resource in every_resource {
        assert_eq!(resource.get("service.name").map(String::as_str), Some("yaml-only"), "{resource:?}");
        assert!(!resource.contains_key("extra"), "{resource:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
