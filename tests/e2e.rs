//! End to end: the `task_service` example, configured only by an otel.toml and the environment, sends its
//! spans to the real `rotel` collector over gRPC, HTTP/protobuf and HTTP/JSON, and to an in-process receiver
//! that checks attributes, resource and parent links. The example is built by `scripts/test.sh` (or
//! `cargo build --examples`) before the tests run.

use otel_testkit::{Receiver, Rotel};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Tasks per run; each makes 3 spans (handle_task, load_task, save_result).
const TASKS: usize = 20;

mod common;

fn example_bin() -> PathBuf {
    common::example("task_service")
}

/// A working directory holding `otel.toml` with exactly these contents.
fn app_dir(name: &str, toml: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("otel-e2e-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("otel.toml"), toml).unwrap();
    dir
}

fn run_app(dir: &Path, env: &[(&str, &str)]) -> (Output, Duration) {
    let mut command = Command::new(example_bin());
    command.current_dir(dir).env("TASKS", TASKS.to_string());
    for var in
        ["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TOML", "RUST_LOG", "OTEL_SDK_DISABLED"]
    {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    let started = Instant::now();
    let output = command.output().unwrap();
    (output, started.elapsed())
}

fn grpc_toml(endpoint: &str) -> String {
    format!(
        "[service]\nname = \"e2e-app\"\n[exporter]\nprotocol = \"grpc\"\nendpoint = \"{endpoint}\"\n[fmt]\nformat = \"off\"\n"
    )
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn every_span_reaches_rotel_over_grpc_then_http_by_env_alone() {
    let rotel = Rotel::start().unwrap();
    let dir = app_dir("rotel", &grpc_toml(&rotel.grpc_endpoint()));

    let (output, _) = run_app(&dir, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(rotel.wait_for_spans(3 * TASKS, Duration::from_secs(20)).unwrap(), 3 * TASKS);

    // The same binary, switched to HTTP by the environment alone.
    let http = rotel.http_endpoint();
    for protocol in ["http/protobuf", "http/json"] {
        let before = rotel.received_span_count();
        let (output, _) =
            run_app(&dir, &[("OTEL_EXPORTER_OTLP_PROTOCOL", protocol), ("OTEL_EXPORTER_OTLP_ENDPOINT", &http)]);
        assert!(output.status.success(), "{protocol}: {}", stderr(&output));
        assert_eq!(
            rotel.wait_for_spans(before + 3 * TASKS, Duration::from_secs(20)).unwrap(),
            before + 3 * TASKS,
            "{protocol}"
        );
    }
    // Nothing was lost, so no summary line.
    assert!(!stderr(&output).contains("otel summary"), "{}", stderr(&output));
}

#[test]
fn spans_arrive_with_links_attributes_and_resource() {
    let receiver = Receiver::start_blocking();
    let dir = app_dir("receiver", &grpc_toml(&receiver.grpc_endpoint()));
    let (output, _) = run_app(&dir, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let spans = receiver.wait_for_spans_blocking(3 * TASKS, Duration::from_secs(20)).unwrap();
    assert_eq!(spans.len(), 3 * TASKS);

    let roots: Vec<_> = spans.iter().filter(|s| s.name == "handle_task").collect();
    assert_eq!(roots.len(), TASKS);
    for root in &roots {
        assert!(root.parent_span_id.is_empty(), "handle_task is a root span");
        assert_eq!(root.attributes.get("task.kind").map(String::as_str), Some("demo"));
        assert_eq!(root.resource.get("service.name").map(String::as_str), Some("e2e-app"));
        assert_eq!(root.resource.get("service.version").map(String::as_str), Some(env!("CARGO_PKG_VERSION")));
        for child in ["load_task", "save_result"] {
            let found = spans
                .iter()
                .filter(|s| s.name == child && s.parent_span_id == root.span_id && s.trace_id == root.trace_id)
                .count();
            assert_eq!(found, 1, "{child} under {}", root.span_id);
        }
    }
}

#[test]
fn collector_absent_exits_fast_and_reports_every_lost_span() {
    let port = otel_testkit::unused_port();
    let dir = app_dir("absent", &grpc_toml(&format!("http://127.0.0.1:{port}")));
    let (output, elapsed) = run_app(&dir, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("is failing: connection refused"), "{err}");
    let expected = format!("otel summary: ended={n} exported=0 failed={n} dropped=0", n = 3 * TASKS);
    assert!(err.lines().any(|l| l.starts_with(&expected)), "{err}");
    // shutdown.timeout defaults to 3 s; the refused connection must not make the exit wait for it.
    assert!(elapsed < Duration::from_secs(3), "exit took {elapsed:?}");
}

#[test]
fn broken_otel_toml_stops_before_main_with_the_key_named() {
    let dir = app_dir("broken", "[exporter]\nprotocol = \"grcp\"\n");
    let (output, _) = run_app(&dir, &[]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("otel.toml") && err.contains("`exporter.protocol`") && err.contains("\"grpc\""), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // The example prints "task done" events from its body: it must not have run.
    assert!(output.stdout.is_empty(), "main ran: {}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn hung_collector_cannot_hold_the_exit_past_shutdown_timeout() {
    // Accepts connections (the kernel's backlog completes the handshake) and never answers.
    let hung = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://127.0.0.1:{}", hung.local_addr().unwrap().port());
    let toml = format!("{}[shutdown]\ntimeout = \"1s\"\n", grpc_toml(&endpoint));
    let dir = app_dir("hung", &toml);
    let (output, elapsed) = run_app(&dir, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(elapsed < Duration::from_millis(2500), "exit took {elapsed:?} with shutdown.timeout = 1s");
    let err = stderr(&output);
    let line = err.lines().find(|l| l.starts_with("otel summary:")).unwrap_or_else(|| panic!("no summary: {err}"));
    let count = |name: &str| -> u64 {
        line.split_whitespace().find_map(|w| w.strip_prefix(&format!("{name}="))).unwrap().parse().unwrap()
    };
    assert_eq!(count("ended"), 3 * TASKS as u64);
    assert_eq!(count("exported"), 0);
    assert_eq!(count("failed") + count("dropped"), 3 * TASKS as u64, "{line}");
    drop(hung);
}
