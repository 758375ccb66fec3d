//! The task service: a Tokio app whose `#[instrument]`ed functions make a small trace tree per task, whose
//! events become log records carrying their trace, and which counts its tasks in a metric — the three signals,
//! from `tracing` and the global meter alone.
//!
//! ```text
//! cargo run --example task_service            # reads ./otel.toml
//! TASKS=50 cargo run --example task_service   # more tasks
//! ```
//!
//! Each task makes a `handle_task` span with two children (`load_task`, `save_result`) and one event (a log
//! record with the span's trace and span id), adds 1 to the counter `tasks.done` (through
//! `opentelemetry::global::meter`, which `otel::meter` is a shortcut for) and records its size in the histogram
//! `task.bytes` (tracing-opentelemetry's metrics layer: a `histogram.` field of an event).

use std::time::Duration;
use tracing::{info, instrument};

#[instrument]
async fn load_task(id: u64) -> String {
    tokio::time::sleep(Duration::from_millis(1)).await;
    format!("task-{id}")
}

#[instrument(skip(name))]
async fn save_result(id: u64, name: &str) -> usize {
    name.len()
}

#[instrument(fields(task.kind = "demo"))]
async fn handle_task(id: u64) {
    let name = load_task(id).await;
    let bytes = save_result(id, &name).await;
    info!(task.id = id, bytes, "task done");
    // A float: an integer literal on a `histogram.` field would be an attribute, not a value.
    info!(histogram.task.bytes = bytes as f64, "task measured");
}

#[otel::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tasks: u64 = std::env::var("TASKS").ok().map(|v| v.parse()).transpose()?.unwrap_or(5);
    let done = otel::meter("task_service").u64_counter("tasks.done").build();
    for id in 0..tasks {
        handle_task(id).await;
        done.add(1, &[otel::KeyValue::new("task.kind", "demo")]);
    }
    info!(tasks, "all tasks handled");
    Ok(())
}
