//! The task service: a Tokio app whose `#[instrument]`ed functions make a small trace tree per task.
//!
//! ```text
//! cargo run --example task_service            # reads ./otel.toml
//! TASKS=50 cargo run --example task_service   # more tasks
//! ```
//!
//! Each task makes a `handle_task` span with two children (`load_task`, `save_result`) and one event.

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
}

#[otel::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tasks: u64 = std::env::var("TASKS").ok().map(|v| v.parse()).transpose()?.unwrap_or(5);
    for id in 0..tasks {
        handle_task(id).await;
    }
    info!(tasks, "all tasks handled");
    Ok(())
}
