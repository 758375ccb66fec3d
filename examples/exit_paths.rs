//! Ends in the way `EXIT_MODE` says, after making one `work` span, so the tests can check that every exit path
//! flushes it and is bounded. It runs on the `current_thread` flavor, the one most prone to flush deadlocks.
//!
//! | `EXIT_MODE` | what `main` does |
//! |---|---|
//! | `return` (default) | returns `Ok` |
//! | `question` | returns early through `?` |
//! | `panic` | panics |
//! | `drain` | handles SIGTERM and SIGINT itself: prints `ready`, waits for one, then drains (a `work` span with `mode = "drain"`), prints `drained` and returns `Err` (exit status 1): what axum's `with_graceful_shutdown` does |
//! | `drain_stuck` | as `drain`, but the drain never ends (prints `draining` and waits): only a second signal ends it |
//! | `blocking` | leaves a `spawn_blocking` task that runs for a minute, then returns |
//! | `stdin` | leaves a task blocked reading stdin (tokio reads it on a blocking thread), prints `ready`, returns |

use std::time::Duration;

#[tracing::instrument]
fn work(mode: &str) {
    tracing::info!(mode, "working");
}

/// Waits for SIGTERM or SIGINT through tokio, as applications that drain gracefully do; prints `ready` once both
/// are registered.
async fn until_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM listener");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT listener");
    println!("ready");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

#[otel::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let mode = std::env::var("EXIT_MODE").unwrap_or_else(|_| "return".into());
    match mode.as_str() {
        "question" => {
            work(&mode);
            Err::<(), String>("early exit through ?".into())?
        }
        "panic" => {
            work(&mode);
            panic!("deliberate panic")
        }
        "drain" => {
            until_signal().await;
            work("drain");
            println!("drained");
            return Err("drained after a signal".into());
        }
        "drain_stuck" => {
            until_signal().await;
            println!("draining");
            std::future::pending::<()>().await;
        }
        "blocking" => {
            work(&mode);
            tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_secs(60)));
        }
        "stdin" => {
            work(&mode);
            tokio::spawn(async {
                use tokio::io::AsyncReadExt;
                let mut byte = [0u8; 1];
                let _ = tokio::io::stdin().read(&mut byte).await;
            });
            // Let the read start on its blocking thread before `main` returns.
            tokio::task::yield_now().await;
            println!("ready");
        }
        _ => work(&mode),
    }
    Ok(())
}
