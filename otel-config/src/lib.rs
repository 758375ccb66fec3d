//! The configuration of the `otel` crate: `otel.toml` and the standard `OTEL_*` variables, layered with figment
//! (built-in defaults < macro arguments < otel.toml < environment) and checked with errors that name the file
//! or variable, the key, and what is valid.
//!
//! - Standard `OTEL_*` variables follow the OTel spec's parsing rules: empty is unset, and a bad value is a
//!   [`Warning`] (the variable is ignored), never an error.
//! - `OTEL_TOML_<KEY>` sets any otel.toml key (`OTEL_TOML_FMT_FORMAT=json`); it wins over the standard
//!   variable for the same key, and a bad value is a [`ConfigError`].
//! - Header values and credentials in endpoint URLs never appear in `Debug` output, messages or warnings
//!   ([`redacted`]).
//! - Numbers and durations are bounded ([`MAX_QUEUE_SIZE`], [`MAX_CONCURRENT_EXPORTS`], [`MAX_DURATION`]); no
//!   input makes loading panic or allocate without bound.
//!
//! ```
//! let loaded = otel_config::load(&otel_config::LoadOptions {
//!     env: Some([("OTEL_EXPORTER_OTLP_PROTOCOL".to_string(), "grpc".to_string())].into()),
//!     cwd: Some(std::env::temp_dir().join("otel-config-doc-none")),
//!     ..Default::default()
//! }).unwrap();
//! assert_eq!(loaded.config.exporter.traces_url(), "http://localhost:4317");
//! ```

#![warn(missing_docs)]

mod declarative;
mod duration;
mod endpoint;
mod enums;
mod env;
mod error;
mod file;
mod headers;
mod keys;
mod load;
mod model;
mod pairs;
mod resource_value;
mod source;
mod suggest;
mod validate;
mod warning;

pub use declarative::{load_declarative_text, to_declarative_yaml};
pub use duration::{parse_duration, MAX_DURATION};
pub use endpoint::redacted;
pub use enums::{
    Compression, FmtFormat, OnInvalid, Propagator, Protocol, ResourceDetector, SamplerName, Signal, SummaryMode,
    Temporality,
};
pub use error::{ConfigError, ConfigProblem, ProblemKind};
pub use headers::Headers;
pub use load::{check_file, load, load_with_text, LoadOptions, Loaded};
pub use model::{
    BatchConfig, Config, ExporterConfig, FmtConfig, LogsConfig, MetricsConfig, SamplerConfig, ServiceConfig,
    ShutdownConfig, SignalExporterConfig, SpanLimitsConfig, TracesConfig, TracingConfig, MAX_CONCURRENT_EXPORTS,
    MAX_QUEUE_SIZE, UNKNOWN_SERVICE,
};
pub use resource_value::ResourceValue;
pub use source::Origin;
pub use warning::Warning;

/// What otel's other crates share with this one (the macro's "did you mean", its compile-time check of
/// otel.toml): not public API, no stability promise.
#[doc(hidden)]
pub mod __private {
    pub use crate::suggest::{closest, distance};
    use crate::{ConfigError, ConfigProblem, Origin, ProblemKind};
    use std::path::Path;

    /// A problem built outside this crate (the macro's own file checks), printed like every other.
    ///
    /// ```
    /// use otel_config::{Origin, ProblemKind};
    /// let kind = ProblemKind::MissingFile { path: "conf/otel.toml".into() };
    /// let problem = otel_config::__private::problem(kind, None, Origin::MacroArgument("config"));
    /// assert_eq!(
    ///     problem.to_string(),
    ///     "otel: the configuration file `conf/otel.toml` named by `config = …` does not exist"
    /// );
    /// ```
    pub fn problem(kind: ProblemKind, key: Option<&str>, origin: Origin) -> ConfigProblem {
        ConfigProblem::new(kind, key, origin)
    }

    /// Reads the otel.toml at `path` as `load` does (bounded, regular files only) and checks it as
    /// [`check_file`](crate::check_file) does; every problem names the file `shown`.
    ///
    /// ```
    /// let err = otel_config::__private::check_path("/nonexistent/otel.toml".as_ref(), "otel.toml".as_ref());
    /// assert!(err.unwrap_err().to_string().starts_with("otel: cannot read the configuration file `otel.toml`: "));
    /// ```
    pub fn check_path(path: &Path, shown: &Path) -> Result<crate::Config, ConfigError> {
        crate::check_file(shown, &crate::file::read_text(path, shown)?)
    }
}

#[cfg(test)]
mod tests;
