//! Starting the pipeline by hand: [`start`] with [`StartOptions`], for applications that cannot put
//! `#[otel::main]` on their `main` (a library's test harness, an app whose `main` belongs to a framework).
//!
//! The order is load, build, install: everything that can fail (the configuration, the exporter) is done before
//! anything global is touched, so an error leaves no half-installed pipeline behind.

use std::path::PathBuf;

use crate::build_error::BuildError;
use crate::health::FailureEvent;
use crate::pipeline;
use crate::shutdown::{Installed, OtelGuard};
use crate::{sdk, signals, subscriber, INSTALLED};

/// What [`start`] needs to know that neither otel.toml nor the environment says: the defaults the application
/// brings, where its otel.toml is, whom to tell about failures, and whether to handle SIGTERM/SIGINT.
///
/// Built with [`StartOptions::new`] and the builder methods; every setting has a default, so
/// `StartOptions::new()` alone is a complete configuration (otel.toml and `OTEL_*` variables still apply).
///
/// ```no_run
/// # use otel_runtime as otel;
/// let options = otel::StartOptions::new()
///     .service_name("checkout")
///     .service_version(env!("CARGO_PKG_VERSION"))
///     .config_file("config/otel.toml")
///     .signals(false);
/// let guard = otel::start(options)?;
/// # drop(guard);
/// # Ok::<(), otel::StartError>(())
/// ```
// The fields are private to the crate (read by `start` only), so a new setting is never a breaking change: no
// `#[non_exhaustive]` needed, the struct cannot be built by a literal outside this crate anyway.
#[derive(Clone, Debug)]
pub struct StartOptions {
    pub(crate) config_file: Option<PathBuf>,
    pub(crate) service_name: Option<String>,
    /// The `service.name` of last resort (the macro's crate name).
    pub(crate) fallback_name: Option<String>,
    pub(crate) service_version: Option<String>,
    pub(crate) on_failure: Option<fn(&FailureEvent)>,
    pub(crate) signals: bool,
}

impl Default for StartOptions {
    fn default() -> Self {
        StartOptions::new()
    }
}

impl StartOptions {
    /// The defaults: `./otel.toml` when it exists, no default service name or version (the `service.name` of
    /// last resort is `unknown_service:` and the executable's name, as the OpenTelemetry specification says),
    /// no failure callback, SIGTERM/SIGINT handled as `#[otel::main]` handles them.
    ///
    /// ```no_run
    /// # use otel_runtime as otel;
    /// // otel.toml and the OTEL_* variables alone decide.
    /// let _guard = otel::start(otel::StartOptions::new())?;
    /// # Ok::<(), otel::StartError>(())
    /// ```
    pub fn new() -> Self {
        StartOptions {
            config_file: None,
            service_name: None,
            fallback_name: None,
            service_version: None,
            on_failure: None,
            signals: true,
        }
    }

    /// The default `service.name`, below otel.toml and the environment (`#[otel::main(service = "…")]`).
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// // `OTEL_SERVICE_NAME` or `service.name` in otel.toml still win.
    /// let options = otel::StartOptions::new().service_name("checkout");
    /// # assert!(format!("{options:?}").contains(r#"service_name: Some("checkout")"#));
    /// ```
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// The default `service.version`, below otel.toml and the environment (`#[otel::main]` passes the crate's
    /// `CARGO_PKG_VERSION`; pass `env!("CARGO_PKG_VERSION")` for the same).
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// let options = otel::StartOptions::new().service_version(env!("CARGO_PKG_VERSION"));
    /// # assert!(format!("{options:?}").contains(env!("CARGO_PKG_VERSION")));
    /// ```
    pub fn service_version(mut self, version: impl Into<String>) -> Self {
        self.service_version = Some(version.into());
        self
    }

    /// An otel.toml that must exist (`#[otel::main(config = "…")]`), relative to the working directory. Without
    /// it, `./otel.toml` is read when it exists.
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// let options = otel::StartOptions::new().config_file("deploy/otel.toml");
    /// // Or a declarative configuration file, by its extension (`OTEL_CONFIG_FILE` wins over it when set).
    /// let declarative = otel::StartOptions::new().config_file("deploy/otel.yaml");
    /// # assert!(format!("{options:?}{declarative:?}").contains("otel.yaml"));
    /// ```
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_file = Some(path.into());
        self
    }

    /// Called for every failure event, on a thread of otel's own, never the application's
    /// (`#[otel::main(on_failure = …)]`).
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// fn alert(event: &otel::FailureEvent) {
    ///     // The endpoint and message are redacted: no credential reaches a log line.
    ///     eprintln!("{} export to {} failed: {} ({} items)", event.signal, event.endpoint, event.message, event.items);
    /// }
    /// let options = otel::StartOptions::new().on_failure(alert);
    /// # assert!(format!("{options:?}").contains("on_failure: Some"));
    /// ```
    pub fn on_failure(mut self, callback: fn(&FailureEvent)) -> Self {
        self.on_failure = Some(callback);
        self
    }

    /// Whether to handle SIGTERM and SIGINT (default `true`): flush within `shutdown.timeout`, then end the
    /// process with 128 + the signal number, unless the application handles the signal itself
    /// (`#[otel::main(signals = false)]` is `false`).
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// // The application drains on SIGTERM itself (its server's graceful shutdown), then returns from `main`:
    /// // the guard's drop flushes.
    /// let options = otel::StartOptions::new().signals(false);
    /// # assert!(format!("{options:?}").contains("signals: false"));
    /// ```
    pub fn signals(mut self, handle: bool) -> Self {
        self.signals = handle;
        self
    }

    /// The crate name `#[otel::main]` passes: the `service.name` of last resort.
    pub(crate) fn fallback_name(mut self, name: impl Into<String>) -> Self {
        self.fallback_name = Some(name.into());
        self
    }
}

/// Why the pipeline did not start, by stage: the configuration, a pipeline already running, the exporter.
///
/// ```
/// # use otel_runtime as otel;
/// fn explain(err: &otel::StartError) -> &'static str {
///     match err {
///         otel::StartError::Config(_) => "fix otel.toml or the OTEL_* variables",
///         otel::StartError::AlreadyStarted => "start once per process",
///         otel::StartError::Build(_) => "the exporter cannot be built from this configuration",
///         _ => "see the message",
///     }
/// }
/// assert_eq!(explain(&otel::StartError::AlreadyStarted), "start once per process");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// otel.toml or the environment is invalid.
    Config(otel_config::ConfigError),
    /// A pipeline is already installed in this process (by `#[otel::main]` or an earlier [`start`]): the
    /// global tracer provider and subscriber can be set once.
    AlreadyStarted,
    /// The exporter could not be built (e.g. an endpoint the client rejects).
    Build(BuildError),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Config(e) => e.fmt(f),
            StartError::AlreadyStarted => f.write_str("otel: the pipeline is already started in this process"),
            StartError::Build(e) => e.fmt(f),
        }
    }
}

/// Transparent, as `std::io::Error` is around a custom error: `Display` is the stage's error's message (printed as
/// is on a start failure), so `source()` is that error's own `source()` (an unreadable file's I/O error, the TLS
/// library's error, …), not the stage's error again, which a reporter walking the chain would print twice. The
/// stage's error itself, with its fields, is the variant's: `StartError::Build(error)`.
impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Config(e) => std::error::Error::source(e),
            StartError::AlreadyStarted => None,
            StartError::Build(e) => std::error::Error::source(e),
        }
    }
}

/// Loads the configuration, prints its warnings, builds the pipeline and installs it globally: the tracer
/// provider, the propagators and the `tracing` subscriber; then, unless [`StartOptions::signals`] says
/// otherwise, handles SIGTERM and SIGINT.
///
/// Keep the returned guard alive until the end of `main`: dropping it (or [`OtelGuard::shutdown`]) flushes
/// within `shutdown.timeout`.
///
/// ```no_run
/// # use otel_runtime as otel;
/// let guard = otel::start(otel::StartOptions::new().service_name("demo"))?;
/// tracing::info!("exported");
/// drop(guard); // flushes within shutdown.timeout
/// # Ok::<(), otel::StartError>(())
/// ```
pub fn start(options: StartOptions) -> Result<OtelGuard, StartError> {
    if INSTALLED.get().is_some() {
        return Err(StartError::AlreadyStarted);
    }
    let fallback_name = options.fallback_name.or_else(executable_service_name);
    // Field by field: `LoadOptions` is `#[non_exhaustive]`, and these are `Option`s already.
    let mut load_options = otel_config::LoadOptions::default();
    load_options.file = options.config_file;
    load_options.service_name = options.service_name;
    load_options.crate_name = fallback_name;
    load_options.service_version = options.service_version;
    let loaded = otel_config::load(&load_options).map_err(StartError::Config)?;
    for warning in &loaded.warnings {
        eprintln!("{warning}");
    }
    let config = &loaded.config;
    // Everything that can fail is built before anything is installed: no half-installed pipeline.
    let pipeline = pipeline::build(config, options.on_failure, pipeline::Injected::default())
        .map_err(|error| StartError::Build(error.with_origin(&loaded)))?;
    opentelemetry::global::set_text_map_propagator(sdk::propagator(&config.propagators));
    opentelemetry::global::set_tracer_provider(pipeline.provider.clone());
    if let Some((meter_provider, _)) = &pipeline.metrics {
        opentelemetry::global::set_meter_provider(meter_provider.clone());
    }
    if let Err(warning) = subscriber::install(config, &pipeline) {
        eprintln!("{warning}");
    }
    let installed = Installed::new(pipeline, config.shutdown.timeout, config.shutdown.summary);
    let installed = INSTALLED.get_or_init(|| installed).clone();
    if options.signals {
        signals::listen(&installed);
    }
    Ok(OtelGuard::new(installed))
}

/// `unknown_service:` and the executable's file name, the OpenTelemetry specification's `service.name` when
/// nothing names the service (`None` when the executable's path is unknown: `unknown_service` then).
fn executable_service_name() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let name = exe.file_name()?.to_str()?;
    Some(format!("{}:{name}", otel_config::UNKNOWN_SERVICE))
}

/// [`start`], or end the process with status 1 and the error on stderr: the user's `main` never runs with a
/// half-installed pipeline.
#[doc(hidden)]
pub fn start_or_exit(options: StartOptions) -> OtelGuard {
    match start(options) {
        Ok(guard) => guard,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_handle_signals_and_name_nothing() {
        let options = StartOptions::new();
        assert!(options.signals);
        assert_eq!(options.service_name, None);
        assert_eq!(options.service_version, None);
        assert_eq!(options.config_file, None);
        assert!(options.on_failure.is_none());
        assert!(!StartOptions::default().signals(false).signals);
    }

    #[test]
    fn builder_methods_set_their_field() {
        fn report(_: &FailureEvent) {}
        let options = StartOptions::new()
            .service_name("svc")
            .service_version("1.2.3")
            .config_file("conf/otel.toml")
            .on_failure(report)
            .fallback_name("krate");
        assert_eq!(options.service_name.as_deref(), Some("svc"));
        assert_eq!(options.service_version.as_deref(), Some("1.2.3"));
        assert_eq!(options.config_file, Some(PathBuf::from("conf/otel.toml")));
        assert_eq!(options.fallback_name.as_deref(), Some("krate"));
        assert!(options.on_failure.is_some());
    }

    #[test]
    fn the_fallback_name_is_the_specs_unknown_service_with_the_executable() {
        let name = executable_service_name().expect("the test binary's path is known");
        let exe = std::env::current_exe().unwrap();
        assert_eq!(name, format!("unknown_service:{}", exe.file_name().unwrap().to_str().unwrap()));
    }

    #[test]
    fn display_names_the_stage_and_keeps_the_messages() {
        assert_eq!(StartError::AlreadyStarted.to_string(), "otel: the pipeline is already started in this process");
        let cause = std::io::Error::new(std::io::ErrorKind::WouldBlock, "no threads");
        let build = StartError::Build(
            BuildError::new(crate::BuildErrorKind::Runtime, None, crate::build_error::Detail::Runtime).caused_by(cause),
        );
        assert_eq!(build.to_string(), "otel: cannot start the export runtime: no threads");
        let missing = std::env::temp_dir().join("otel-runtime-start-display").join("missing.toml");
        let err = otel_config::load(&otel_config::LoadOptions::new().file(missing))
            .expect_err("a config file that does not exist is an error");
        let message = err.to_string();
        assert!(!message.is_empty());
        assert_eq!(StartError::Config(err).to_string(), message);
    }
}
