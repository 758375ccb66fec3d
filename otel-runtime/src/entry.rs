//! What `#[otel::main]` expands to: start the pipeline, run the user's `main`, flush within a bound.
//!
//! The macro's expansion calls only [`block_on`] or [`run_sync`] (through `::otel::__private`), handing them a
//! [`MainOptions`] built from its arguments. Keeping the logic here, in ordinary code, keeps the expansion
//! small and lets one change fix every user's program.
//!
//! Not a public API (doc-hidden, reached through `otel::__private`): [`MainOptions`] is the macro's
//! compile-time form (`&'static str` literals, a `const` constructor); users starting by hand use
//! [`crate::StartOptions`], which this module converts it into.

use std::future::Future;

/// The Tokio runtime flavor asked for with `#[otel::main(flavor = "...")]`.
///
/// ```
/// let flavor = otel_runtime::entry::Flavor::CurrentThread;
/// assert_ne!(flavor, otel_runtime::entry::Flavor::MultiThread);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// One thread runs every task (`#[tokio::main(flavor = "current_thread")]`).
    CurrentThread,
    /// A work-stealing pool (the default, as with `#[tokio::main]`).
    MultiThread,
}

/// The arguments of `#[otel::main]`, as the macro captured them at compile time.
///
/// ```
/// let options = otel_runtime::entry::MainOptions::new("demo", "1.0.0");
/// assert_eq!(options.crate_name, "demo");
/// ```
#[derive(Clone, Debug)]
pub struct MainOptions {
    /// `config = "path"`: an otel.toml that must exist (relative paths are resolved against the working directory).
    pub config_path: Option<&'static str>,
    /// `service = "name"`: the default `service.name`, below otel.toml and the environment.
    pub service_name: Option<&'static str>,
    /// The user crate's `CARGO_PKG_NAME`: the `service.name` of last resort.
    pub crate_name: &'static str,
    /// The user crate's `CARGO_PKG_VERSION`: the default `service.version`.
    pub service_version: &'static str,
    /// Runtime flavor for an `async fn main`.
    pub flavor: Flavor,
    /// `worker_threads = N` for the multi-thread flavor.
    pub worker_threads: Option<usize>,
    /// `on_failure = path`: called on a thread of otel's own, never the app's, for each failure event.
    pub on_failure: Option<fn(&crate::FailureEvent)>,
    /// `signals = false` turns this off: on SIGTERM or SIGINT, flush and exit with status 128 + signal number.
    pub handle_signals: bool,
}

impl MainOptions {
    /// The [`crate::start`] options the macro's arguments stand for: the crate name is the `service.name` of last
    /// resort, the crate version the default `service.version`. (A method rather than a `From` impl, which would
    /// show this doc-hidden type in `StartOptions`' public trait impls.)
    pub(crate) fn start_options(&self) -> crate::StartOptions {
        let options = self;
        let mut start = crate::StartOptions::new()
            .fallback_name(options.crate_name)
            .service_version(options.service_version)
            .signals(options.handle_signals);
        if let Some(path) = options.config_path {
            start = start.config_file(path);
        }
        if let Some(name) = options.service_name {
            start = start.service_name(name);
        }
        if let Some(callback) = options.on_failure {
            start = start.on_failure(callback);
        }
        start
    }
}

impl MainOptions {
    /// Options with every macro argument left out.
    pub const fn new(crate_name: &'static str, service_version: &'static str) -> Self {
        MainOptions {
            config_path: None,
            service_name: None,
            crate_name,
            service_version,
            flavor: Flavor::MultiThread,
            worker_threads: None,
            on_failure: None,
            handle_signals: true,
        }
    }
}

/// Starts the pipeline, builds the Tokio runtime, runs `main_future` to completion and flushes.
///
/// A configuration error ends the process before `main_future` is polled (see [`crate::start_or_exit`]).
pub fn block_on<F: Future>(options: MainOptions, main_future: F) -> F::Output {
    let guard = crate::start_or_exit(options.start_options());
    let mut builder = match options.flavor {
        Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        Flavor::MultiThread => tokio::runtime::Builder::new_multi_thread(),
    };
    if let Some(threads) = options.worker_threads {
        builder.worker_threads(threads);
    }
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => AppRuntime { runtime: Some(runtime), guard: &guard },
        Err(err) => {
            eprintln!("otel: cannot build the Tokio runtime: {err}");
            drop(guard);
            std::process::exit(1);
        }
    };
    // The runtime is shut down (within a bound, see `AppRuntime`) and then the pipeline flushed after the future
    // is done, also when the future panics and this frame unwinds: locals drop in reverse order.
    let output = runtime.block_on(main_future);
    drop(runtime);
    guard.shutdown();
    output
}

/// The application's Tokio runtime, shut down within a bound however `main` ends.
///
/// Why: dropping a runtime waits, without limit, for every blocking task still running — a `spawn_blocking`
/// computation, a pending `tokio::io::stdin()` read — and the flush comes after it, so the exit was unbounded.
/// The runtime now gets at most half of `shutdown.timeout` (measured from the moment `main` is done) to shut
/// down; blocking tasks still running then are abandoned to the end of the process, and the flush gets the rest
/// of the deadline. The spans that tasks close as they are dropped are ended before the flush, so they are
/// exported too.
struct AppRuntime<'a> {
    runtime: Option<tokio::runtime::Runtime>,
    guard: &'a crate::OtelGuard,
}

impl AppRuntime<'_> {
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.as_ref().expect("the runtime runs until dropped").block_on(future)
    }
}

impl Drop for AppRuntime<'_> {
    fn drop(&mut self) {
        let Some(runtime) = self.runtime.take() else { return };
        let timeout = self.guard.begin_exit();
        if timeout.is_zero() {
            // `shutdown.timeout = 0`: no limit, the runtime's own behaviour.
            drop(runtime);
        } else {
            runtime.shutdown_timeout(timeout / 2);
        }
    }
}

/// Starts the pipeline, runs a synchronous `main` and flushes.
pub fn run_sync<T>(options: MainOptions, main: impl FnOnce() -> T) -> T {
    let guard = crate::start_or_exit(options.start_options());
    let output = main();
    guard.shutdown();
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_macro_arguments_become_start_options() {
        fn report(_: &crate::FailureEvent) {}
        let mut main = MainOptions::new("krate", "1.2.3");
        main.config_path = Some("conf/otel.toml");
        main.service_name = Some("svc");
        main.on_failure = Some(report);
        main.handle_signals = false;
        let start = main.start_options();
        assert_eq!(start.config_file, Some("conf/otel.toml".into()));
        assert_eq!(start.service_name.as_deref(), Some("svc"));
        assert_eq!(start.fallback_name.as_deref(), Some("krate"));
        assert_eq!(start.service_version.as_deref(), Some("1.2.3"));
        assert!(start.on_failure.is_some());
        assert!(!start.signals);
        let defaults = MainOptions::new("krate", "0.1.0").start_options();
        assert_eq!((defaults.config_file, defaults.service_name), (None, None));
        assert!(defaults.signals && defaults.on_failure.is_none());
    }
}
