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
//! - `burst N`: N tasks as fast as the app can, like `tasks N`, then prints `burst done N ids=A..B took_us=T`: the
//!   task ids it used (A inclusive, B exclusive; each task's three spans carry `id`) and how long it took.
//! - `steady TASKS PACE_MS`: starts a steady stream on a thread of the app's own (`steady`): TASKS tasks, then a
//!   PACE_MS pause, again and again; prints `steady started`, then every 100 ms
//!   `tick N tasks=T worst_us=W gap_us=G`: T tasks so far, W the longest run of TASKS tasks (the app's own work,
//!   pauses excluded) since the previous tick, G the time since the previous tick. A stall of the app's thread
//!   shows as a large W. Only one stream at a time.
//! - `steady stop`: stops the stream and prints `steady stopped tasks=T ticks=N worst_us=W` (W over the whole run).
//!
//! End of input returns from `main`. Failure events also reach `on_failure`, which prints
//! `callback thread=NAME kind=KIND spans=N retrying=BOOL` on stderr.
//!
//! ```text
//! printf 'tasks 3\nhealth\n' | cargo run --example driven
//! ```

use std::io::BufRead;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
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

/// How a line names the items of `signal`: `spans=N` (the format the tests parse), `logs=N`, `metrics=N`.
fn items_label(signal: otel::Signal) -> &'static str {
    match signal {
        otel::Signal::Traces => "spans",
        otel::Signal::Logs => "logs",
        _ => "metrics",
    }
}

fn on_failure(event: &otel::FailureEvent) {
    let thread = std::thread::current();
    eprintln!(
        "callback thread={} kind={} {}={} retrying={}",
        thread.name().unwrap_or("?"),
        event.kind.error_type(),
        items_label(event.signal),
        event.items,
        event.retrying
    );
}

/// The next task id, shared by `tasks` and the steady stream so that every span's `id` is unique in a run.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn run_tasks(n: u64) {
    for _ in 0..n {
        handle_task(NEXT_ID.fetch_add(1, Ordering::Relaxed));
    }
}

/// The steady stream's thread and its stop flag.
struct Steady {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<(u64, u64, Duration)>,
}

/// Runs `tasks` tasks every `pace` until `stop`; prints a tick every 100 ms. Returns (tasks, ticks, worst run).
fn steady(tasks: u64, pace: Duration, stop: &AtomicBool) -> (u64, u64, Duration) {
    const TICK: Duration = Duration::from_millis(100);
    let (mut total, mut ticks) = (0u64, 0u64);
    let (mut worst, mut worst_tick) = (Duration::ZERO, Duration::ZERO);
    let mut last_tick = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        run_tasks(tasks);
        // Only the tasks are timed: that is the app's work, which otel must never hold up.
        let took = started.elapsed();
        total += tasks;
        worst_tick = worst_tick.max(took);
        let now = Instant::now();
        if now - last_tick >= TICK {
            ticks += 1;
            println!(
                "tick {ticks} tasks={total} worst_us={} gap_us={}",
                worst_tick.as_micros(),
                (now - last_tick).as_micros()
            );
            worst = worst.max(worst_tick);
            worst_tick = Duration::ZERO;
            last_tick = now;
        }
        std::thread::sleep(pace);
    }
    (total, ticks, worst.max(worst_tick))
}

#[otel::main(on_failure = on_failure)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut failures = otel::failures();
    let mut stream: Option<Steady> = None;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("tasks"), Some(n)) => {
                let n: u64 = n.parse()?;
                run_tasks(n);
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
                    println!(
                        "stream {} {}={} retrying={}",
                        event.kind.error_type(),
                        items_label(event.signal),
                        event.items,
                        event.retrying
                    );
                }
                println!("end");
            }
            (Some("burst"), Some(n)) => {
                let n: u64 = n.parse()?;
                let started = Instant::now();
                // One block of ids, even with the steady stream running: the test tells the burst's spans apart.
                let first = NEXT_ID.fetch_add(n, Ordering::Relaxed);
                for id in first..first + n {
                    handle_task(id);
                }
                println!("burst done {n} ids={first}..{} took_us={}", first + n, started.elapsed().as_micros());
            }
            (Some("steady"), Some("stop")) => {
                let Steady { stop, thread } = stream.take().ok_or("no steady stream is running")?;
                stop.store(true, Ordering::Relaxed);
                let (tasks, ticks, worst) = thread.join().map_err(|_| "the steady stream panicked")?;
                println!("steady stopped tasks={tasks} ticks={ticks} worst_us={}", worst.as_micros());
            }
            (Some("steady"), Some(tasks)) => {
                if stream.is_some() {
                    return Err("a steady stream is already running".into());
                }
                let tasks: u64 = tasks.parse()?;
                let pace = Duration::from_millis(words.next().ok_or("steady TASKS PACE_MS")?.parse()?);
                let stop = Arc::new(AtomicBool::new(false));
                let flag = stop.clone();
                let thread =
                    std::thread::Builder::new().name("steady".into()).spawn(move || steady(tasks, pace, &flag))?;
                stream = Some(Steady { stop, thread });
                println!("steady started");
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
