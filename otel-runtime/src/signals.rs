//! SIGTERM and SIGINT (Ctrl-C): flush, then end the process with the conventional status (128 + the signal's
//! number: 143 for SIGTERM, 130 for SIGINT). A second signal during the flush ends the process at once.
//!
//! Applications that handle signals themselves opt out with `#[otel::main(signals = false)]` and end `main`
//! normally (or call [`crate::exit`]) when they are done.

use crate::shutdown::Installed;
use std::sync::Arc;

/// Listens for SIGTERM and SIGINT on the export runtime (never the application's).
pub(crate) fn listen(installed: &Arc<Installed>) {
    let Some(handle) = installed.runtime_handle() else { return };
    let installed = installed.clone();
    handle.spawn(async move {
        let Some((name, status, mut second)) = first_signal().await else { return };
        eprintln!(
            "otel: {name} received: flushing spans (at most {:?}), then exiting with status {status}",
            installed.timeout()
        );
        // The flush blocks and shuts this runtime down: it runs on a thread of its own.
        let _ = std::thread::Builder::new().name("otel-signal-exit".into()).spawn(move || {
            installed.finish();
            std::process::exit(status);
        });
        second.recv().await;
        eprintln!("otel: second signal: exiting without waiting for the flush");
        std::process::exit(status);
    });
}

/// What waits for a second signal.
struct Second {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Second {
    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(unix)]
async fn first_signal() -> Option<(&'static str, i32, Second)> {
    use tokio::signal::unix::{signal, SignalKind};
    let (mut term, mut int) = match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(term), Ok(int)) => (term, int),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("otel: cannot listen for SIGTERM/SIGINT ({e}); spans are flushed only when main returns");
            return None;
        }
    };
    let (name, status) = tokio::select! {
        _ = term.recv() => ("SIGTERM", 128 + 15),
        _ = int.recv() => ("SIGINT", 128 + 2),
    };
    Some((name, status, Second { term, int }))
}

#[cfg(not(unix))]
async fn first_signal() -> Option<(&'static str, i32, Second)> {
    tokio::signal::ctrl_c().await.ok()?;
    Some(("Ctrl-C", 128 + 2, Second {}))
}
