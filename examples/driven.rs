//! An app driven line by line from stdin, so that tests can interleave its work with what they do to the
//! collector (stop it, restart it, make it fail) without guessing at timings.
//!
//! Commands, one per line:
//! - `tasks N`: N tasks, each a `handle_task` span with two children and one event; prints `done N` on stdout
//!   once their spans have ended.
//! - `health`: prints `health STATE ended=N exported=N failed=N dropped=N` on stdout.
//! - `failures`: prints every failure event the stream holds, `stream KIND spans=N retrying=BOOL`, then `end`.
//! - `wait`: prints `waiting` and waits for a signal (SIGTERM/SIGINT end the process through otel's handler).
//! - `exit CODE`: `otel::exit(CODE)`.
//! - `panic`: panics.
//!
//! End of input returns from `main`. Failure events also reach `on_failure`, which prints
//! `callback thread=NAME kind=KIND spans=N retrying=BOOL` on stderr.
//!
//! ```text
//! printf 'tasks 3\nhealth\n' | cargo run --example driven
//! ```

use std::io::BufRead;
use tracing::{info, instrument};

#[instrument]
fn load_task(id: u64) -> String {
    format!("task-{id}")
}

#[instrument(skip(name))]
fn save_result(id: u64, name: &str) -> usize {
    name.len()
}

#[instrument(fields(task.kind = "driven"))]
fn handle_task(id: u64) {
    let name = load_task(id);
    let bytes = save_result(id, &name);
    info!(task.id = id, bytes, "task done");
}

fn on_failure(event: &otel::FailureEvent) {
    let thread = std::thread::current();
    eprintln!(
        "callback thread={} kind={} spans={} retrying={}",
        thread.name().unwrap_or("?"),
        event.kind.error_type(),
        event.spans,
        event.retrying
    );
}

#[otel::main(on_failure = on_failure)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut failures = otel::failures();
    let mut next_id = 0;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("tasks"), Some(n)) => {
                let n: u64 = n.parse()?;
                for _ in 0..n {
                    handle_task(next_id);
                    next_id += 1;
                }
                println!("done {n}");
            }
            (Some("health"), _) => {
                let health = otel::health();
                let t = health.totals;
                println!(
                    "health {} ended={} exported={} failed={} dropped={}",
                    health.state, t.ended, t.exported, t.failed, t.dropped
                );
            }
            (Some("failures"), _) => {
                while let Some(event) = failures.try_recv() {
                    println!("stream {} spans={} retrying={}", event.kind.error_type(), event.spans, event.retrying);
                }
                println!("end");
            }
            (Some("wait"), _) => {
                println!("waiting");
                std::future::pending::<()>().await;
            }
            (Some("exit"), Some(code)) => otel::exit(code.parse()?),
            (Some("panic"), _) => panic!("driven to panic"),
            _ => return Err(format!("unknown command {line:?}").into()),
        }
    }
    Ok(())
}
