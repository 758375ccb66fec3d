//! Every exit path of `main` flushes: return, early return through `?`, panic. The example runs on the
//! current_thread flavor, where flush deadlocks are most likely.

use otel_testkit::Receiver;
use std::process::Command;
use std::time::Duration;

fn run(mode: &str) -> (std::process::Output, Receiver) {
    let receiver = Receiver::start_blocking();
    let deps = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
    let bin = deps.parent().unwrap().join("examples").join("exit_paths");
    assert!(bin.is_file(), "{} is missing: run `cargo build --examples` (scripts/test.sh does)", bin.display());
    let dir = std::env::temp_dir().join(format!("otel-exit-{}-{mode}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("otel.toml"),
        format!("[exporter]\nprotocol = \"grpc\"\nendpoint = \"{}\"\n[fmt]\nformat = \"off\"\n", receiver.grpc_endpoint()),
    )
    .unwrap();
    let output = Command::new(bin)
        .current_dir(&dir)
        .env("EXIT_MODE", mode)
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_PROTOCOL")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    (output, receiver)
}

fn assert_flushed(receiver: &Receiver, mode: &str) {
    let spans = receiver.wait_for_spans_blocking(1, Duration::from_secs(10)).unwrap();
    assert_eq!(spans.len(), 1, "{mode}");
    assert_eq!(spans[0].name, "work");
    assert_eq!(spans[0].attributes.get("mode").map(String::as_str), Some(mode));
}

#[test]
fn return_flushes() {
    let (output, receiver) = run("return");
    assert_eq!(output.status.code(), Some(0));
    assert_flushed(&receiver, "return");
}

#[test]
fn question_mark_flushes_and_keeps_the_error_exit() {
    let (output, receiver) = run("question");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("early exit through ?"));
    assert_flushed(&receiver, "question");
}

#[test]
fn panic_flushes_and_keeps_the_panic_message_and_status() {
    let (output, receiver) = run("panic");
    assert_eq!(output.status.code(), Some(101));
    assert!(String::from_utf8_lossy(&output.stderr).contains("deliberate panic"));
    assert_flushed(&receiver, "panic");
}
