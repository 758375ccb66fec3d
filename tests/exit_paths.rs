//! Every exit path of `main` flushes: return, early return through `?`, panic. The example runs on the
//! current_thread flavor, where flush deadlocks are most likely.

use otel_testkit::Receiver;
use std::process::Command;
use std::time::Duration;

fn run(mode: &str) -> (std::process::Output, Receiver) {
    let receiver = Receiver::start_blocking();
    let bin = common::example("exit_paths");
    let dir = std::env::temp_dir().join(format!("otel-exit-{}-{mode}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("otel.toml"),
        format!(
            "[exporter]\nprotocol = \"grpc\"\nendpoint = \"{}\"\n[fmt]\nformat = \"off\"\n",
            receiver.grpc_endpoint()
        ),
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

mod common;

use common::{app_dir, toml, App};

/// The `driven` example (multi-thread flavor) makes 30 spans, then is ended by `how`; returns the exit and the
/// time from the ending action to the exit.
fn drive_to_the_end(how: &str) -> (common::Finished, Duration, Receiver) {
    let receiver = Receiver::start_blocking();
    let dir = app_dir(how, &toml("grpc", &receiver.grpc_endpoint(), ""));
    let mut app = App::spawn("driven", &dir, &[]);
    app.ask("tasks 10", "done 10");
    let started = std::time::Instant::now();
    let done = match how {
        "sigterm" | "sigint" => {
            app.ask("wait", "waiting");
            app.signal(if how == "sigterm" { "TERM" } else { "INT" });
            app.wait()
        }
        "exit" => {
            app.send("exit 3");
            app.wait()
        }
        "panic" => {
            app.send("panic");
            app.wait()
        }
        other => unreachable!("{other}"),
    };
    (done, started.elapsed(), receiver)
}

/// Default schedule_delay is 5 s: the spans can only have arrived through the exit path's flush.
fn assert_all_arrived(receiver: &Receiver, how: &str) {
    let spans = receiver.wait_for_spans_blocking(30, Duration::from_secs(10)).unwrap();
    assert_eq!(spans.len(), 30, "{how}");
    assert_eq!(spans.iter().filter(|s| s.name == "handle_task").count(), 10, "{how}");
}

#[test]
fn sigterm_flushes_then_exits_143() {
    let (done, took, receiver) = drive_to_the_end("sigterm");
    assert_eq!(done.status.code(), Some(143), "{}", done.stderr);
    assert!(done.stderr.contains("SIGTERM received"), "{}", done.stderr);
    assert_all_arrived(&receiver, "sigterm");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn sigint_flushes_then_exits_130() {
    let (done, took, receiver) = drive_to_the_end("sigint");
    assert_eq!(done.status.code(), Some(130), "{}", done.stderr);
    assert_all_arrived(&receiver, "sigint");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn otel_exit_flushes_then_exits_with_the_code() {
    let (done, took, receiver) = drive_to_the_end("exit");
    assert_eq!(done.status.code(), Some(3), "{}", done.stderr);
    assert_all_arrived(&receiver, "exit");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn panic_on_the_multi_thread_flavor_flushes_too() {
    let (done, _, receiver) = drive_to_the_end("panic");
    assert_eq!(done.status.code(), Some(101));
    assert!(done.stderr.contains("driven to panic"), "{}", done.stderr);
    assert_all_arrived(&receiver, "panic");
}

/// The `exit_paths` example in `mode`, with `extra` otel.toml lines, as a driven child process.
fn spawn_exit_paths(mode: &str, receiver: &Receiver, extra: &str) -> App {
    let dir = app_dir(mode, &toml("grpc", &receiver.grpc_endpoint(), extra));
    App::spawn("exit_paths", &dir, &[("EXIT_MODE", mode)])
}

fn spans_named(receiver: &Receiver, mode: &str) -> usize {
    receiver.spans().iter().filter(|s| s.attributes.get("mode").map(String::as_str) == Some(mode)).count()
}

#[test]
fn an_app_that_handles_sigterm_itself_drains_keeps_its_exit_status_and_its_drain_is_exported() {
    for signal in ["TERM", "INT"] {
        let receiver = Receiver::start_blocking();
        let app = spawn_exit_paths("drain", &receiver, "");
        app.wait_for(false, "ready", Duration::from_secs(20));
        app.signal(signal);
        let done = app.wait();
        // The app's own status (1, for the `Err` it returns after draining), not 143/130: otel left the signal to it.
        assert_eq!(done.status.code(), Some(1), "SIG{signal}: {}", done.stderr);
        assert!(done.stdout.contains("drained"), "SIG{signal}: {}", done.stdout);
        assert!(done.stderr.contains("the application handles it"), "SIG{signal}: {}", done.stderr);
        // The span made during the drain, after the signal, reached the collector.
        receiver.wait_for_spans_blocking(1, Duration::from_secs(10)).unwrap();
        assert_eq!(spans_named(&receiver, "drain"), 1, "SIG{signal}");
    }
}

#[test]
fn a_second_signal_ends_a_drain_at_once() {
    let receiver = Receiver::start_blocking();
    let app = spawn_exit_paths("drain_stuck", &receiver, "");
    app.wait_for(false, "ready", Duration::from_secs(20));
    app.signal("TERM");
    app.wait_for(false, "draining", Duration::from_secs(20));
    let second = std::time::Instant::now();
    app.signal("INT");
    let done = app.wait();
    assert_eq!(done.status.code(), Some(130), "{}", done.stderr);
    assert!(done.stderr.contains("second signal"), "{}", done.stderr);
    assert!(second.elapsed() < Duration::from_secs(2), "{:?}", second.elapsed());
}

/// A blocking task still running when `main` returns: the exit is bounded by `shutdown.timeout` all the same
/// (it was not: dropping the runtime waited for the task, a minute, before the flush), and the span is flushed.
#[test]
fn exit_with_a_blocking_task_still_running_is_bounded_by_the_shutdown_timeout() {
    for mode in ["blocking", "stdin"] {
        let receiver = Receiver::start_blocking();
        let app = spawn_exit_paths(mode, &receiver, "[shutdown]\ntimeout = \"1s\"\n");
        if mode == "stdin" {
            // stdin stays open: the app's read never returns by itself.
            app.wait_for(false, "ready", Duration::from_secs(20));
        }
        let finishing = std::time::Instant::now();
        let done = app.wait();
        assert_eq!(done.status.code(), Some(0), "{mode}: {}", done.stderr);
        // 1 s of shutdown.timeout plus the process's start-up and teardown on a loaded machine; the unbounded exit
        // took the blocking task's full minute (or for ever, for stdin).
        assert!(finishing.elapsed() < Duration::from_secs(5), "{mode}: {:?}", finishing.elapsed());
        receiver.wait_for_spans_blocking(1, Duration::from_secs(10)).unwrap();
        assert_eq!(spans_named(&receiver, mode), 1, "{mode}");
    }
}
