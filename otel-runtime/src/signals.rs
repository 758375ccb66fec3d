//! SIGTERM and SIGINT (Ctrl-C), handled so that both kinds of application are right by default.
//!
//! - **An application that does not handle the signal** is flushed and ended: otel prints one line, flushes
//!   within `shutdown.timeout` and ends the process with the conventional status (128 + the signal's number: 143
//!   for SIGTERM, 130 for SIGINT), as the default action of the signal would have, minus the lost spans.
//! - **An application that handles the signal itself** (`tokio::signal::ctrl_c()`, `tokio::signal::unix::signal`,
//!   `signal-hook`, `ctrlc`: axum's `with_graceful_shutdown`, a Kubernetes rolling deploy's drain) keeps it: otel
//!   does not end the process, the application drains its in-flight work and returns from `main` (or calls
//!   [`crate::exit`]) with its own status, and the flush happens then, spans of the drain included.
//! - **A second signal** ends the process at once (status 128 + its number), in both cases: the operator's way
//!   out of a drain or a flush that takes too long.
//!
//! How otel tells the two apart, with no code from the application: at start it installs a plain `sigaction`
//! handler of its own for both signals (never through tokio or signal-hook, which share one process-wide
//! registry). An application that registers a handler later replaces it: the handler libraries chain to the
//! previous handler (signal-hook-registry, on which tokio's signals are built, calls it before its own actions),
//! so otel still hears the signal, and reads then whether its handler is still the installed one. If it is,
//! nobody else listens: flush and exit. If it is not, the application listens: leave the signal to it. A library
//! that does not chain (e.g. `ctrlc`) simply hides the signal from otel, with the same outcome: the application
//! handles it. When a handler is already installed as otel starts ([`crate::start`] called late), otel installs
//! none for that signal.
//!
//! The handler only writes the signal's number to a pipe (async-signal-safe); a thread of otel's own,
//! `otel-signals`, reads it and does the rest, never on the application's threads or runtime.

use crate::shutdown::Installed;
use std::sync::Arc;

/// Starts listening for SIGTERM and SIGINT (see the module documentation).
pub(crate) fn listen(installed: &Arc<Installed>) {
    imp::listen(installed.clone());
}

/// What otel does with a signal it heard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Response {
    /// Nobody else handles it: flush, then end the process with `status`.
    FlushAndExit,
    /// The application handles it: leave it to the application (until a second signal).
    LeaveToApp,
}

/// The conventional name and exit status of a signal number.
fn describe(signal: i32) -> (&'static str, i32) {
    match signal {
        15 => ("SIGTERM", 128 + 15),
        _ => ("SIGINT", 128 + 2),
    }
}

/// Acts on the `count`-th signal heard (1 for the first): the decision of the module documentation.
fn on_signal(installed: &Arc<Installed>, signal: i32, count: usize, response: Response) {
    let (name, status) = describe(signal);
    if count > 1 {
        eprintln!("otel: second signal ({name}): exiting at once, without waiting for the flush");
        std::process::exit(status);
    }
    match response {
        Response::LeaveToApp => eprintln!(
            "otel: {name} received; the application handles it: spans are flushed when main returns \
             (a second signal ends the process at once)"
        ),
        Response::FlushAndExit => {
            eprintln!(
                "otel: {name} received: flushing spans (at most {:?}), then exiting with status {status}",
                installed.timeout()
            );
            // The flush blocks: it runs on a thread of its own, so that this one can still hear a second signal.
            let installed = installed.clone();
            let _ = std::thread::Builder::new().name("otel-signal-exit".into()).spawn(move || {
                installed.finish();
                std::process::exit(status);
            });
        }
    }
}

#[cfg(unix)]
mod imp {
    use super::{on_signal, Response};
    use crate::shutdown::Installed;
    use std::sync::atomic::{AtomicI32, Ordering};
    use std::sync::Arc;

    /// The write end of the self-pipe the handler writes to (-1 until installed).
    static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

    const SIGNALS: [libc::c_int; 2] = [libc::SIGTERM, libc::SIGINT];

    /// The signal handler: one byte, the signal's number, down the pipe. Only async-signal-safe calls; errno is
    /// restored, as the interrupted code may be reading it.
    extern "C" fn handler(signal: libc::c_int) {
        let fd = PIPE_WRITE.load(Ordering::Relaxed);
        if fd >= 0 {
            // SAFETY: errno access and write(2) are async-signal-safe; the byte lives on this stack frame.
            unsafe {
                let errno = *errno_location();
                let byte = signal as u8;
                let _ = libc::write(fd, (&byte as *const u8).cast(), 1);
                *errno_location() = errno;
            }
        }
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    unsafe fn errno_location() -> *mut libc::c_int {
        libc::__errno_location()
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    unsafe fn errno_location() -> *mut libc::c_int {
        libc::__error()
    }

    /// The handler installed for `signal` now: `None` for the default action (or on error).
    fn current_handler(signal: libc::c_int) -> Option<libc::sighandler_t> {
        // SAFETY: a zeroed sigaction is a valid out-parameter; a null new action only reads the current one.
        unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut current) != 0 {
                return None;
            }
            Some(current.sa_sigaction)
        }
    }

    fn ours() -> libc::sighandler_t {
        handler as extern "C" fn(libc::c_int) as libc::sighandler_t
    }

    /// Installs the handler for each signal that has none yet. Returns the signals it was installed for.
    fn install() -> Vec<libc::c_int> {
        let mut installed = Vec::new();
        for signal in SIGNALS {
            // Someone (the application, before a late `start`) already listens: leave that signal alone.
            if current_handler(signal) != Some(libc::SIG_DFL) {
                continue;
            }
            // SAFETY: a zeroed sigaction with a valid handler and an empty mask; SA_RESTART so that the
            // application's interrupted system calls resume instead of failing with EINTR.
            let ok = unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = ours();
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut()) == 0
            };
            if ok {
                installed.push(signal);
            }
        }
        installed
    }

    /// A pipe whose ends are close-on-exec, the write end non-blocking (a handler must never block).
    fn pipe() -> std::io::Result<(libc::c_int, libc::c_int)> {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: `fds` has room for the two descriptors pipe(2) writes; fcntl on descriptors we own.
        unsafe {
            if libc::pipe(fds.as_mut_ptr()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            for fd in fds {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            }
            let flags = libc::fcntl(fds[1], libc::F_GETFL);
            libc::fcntl(fds[1], libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
        Ok((fds[0], fds[1]))
    }

    pub(super) fn listen(installed: Arc<Installed>) {
        // One listener per process: a second `start` (refused anyway) must not install twice.
        if PIPE_WRITE.load(Ordering::Acquire) >= 0 {
            return;
        }
        let (read, write) = match pipe() {
            Ok(fds) => fds,
            Err(e) => {
                eprintln!("otel: cannot listen for SIGTERM/SIGINT ({e}); spans are flushed only when main returns");
                return;
            }
        };
        PIPE_WRITE.store(write, Ordering::Release);
        let spawned = std::thread::Builder::new().name("otel-signals".into()).spawn(move || {
            // The application's `tracing` pipeline never hears otel's own reactions.
            let _quiet = tracing::subscriber::set_default(tracing::subscriber::NoSubscriber::default());
            let mut count = 0;
            loop {
                let mut byte = 0u8;
                // SAFETY: reading one byte into a local from a descriptor we own.
                let n = unsafe { libc::read(read, (&mut byte as *mut u8).cast(), 1) };
                if n == 1 {
                    count += 1;
                    let signal = libc::c_int::from(byte);
                    let response = if current_handler(signal) == Some(ours()) {
                        Response::FlushAndExit
                    } else {
                        Response::LeaveToApp
                    };
                    on_signal(&installed, signal, count, response);
                } else if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                } else {
                    return;
                }
            }
        });
        if let Err(e) = spawned {
            eprintln!("otel: cannot listen for SIGTERM/SIGINT ({e}); spans are flushed only when main returns");
            return;
        }
        install();
    }
}

#[cfg(not(unix))]
mod imp {
    use super::{on_signal, Response};
    use crate::shutdown::Installed;
    use std::sync::Arc;

    /// Elsewhere there is no way to tell whether the application listens too: Ctrl-C flushes and exits.
    pub(super) fn listen(installed: Arc<Installed>) {
        let Some(handle) = installed.runtime_handle() else { return };
        handle.spawn(async move {
            let mut count = 0;
            while tokio::signal::ctrl_c().await.is_ok() {
                count += 1;
                on_signal(&installed, 2, count, Response::FlushAndExit);
            }
        });
    }
}
