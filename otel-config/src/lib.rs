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
//! Every enum here, and every struct with public fields but the [`Headers`] newtype, is `#[non_exhaustive]`: a
//! new key, section or value is then not a breaking change. Read and assign their fields, build a struct from its
//! `Default` (`let mut c = Config::default(); c.exporter.protocol = Protocol::Grpc;`) or, for [`LoadOptions`],
//! with its builder methods, and give every `match` on an enum a wildcard arm.
//!
//! ```
//! let options = otel_config::LoadOptions::new()
//!     .env([("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")])
//!     .cwd(std::env::temp_dir().join("otel-config-doc-none"));
//! let loaded = otel_config::load(&options).unwrap();
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
pub use error::{ConfigError, ConfigProblem, FileFormat, ProblemKind};
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
    /// Every otel.toml key as a constant (`key::EXPORTER_CERTIFICATE` is `"exporter.certificate"`), for the keys
    /// otel-runtime names in its errors and messages.
    ///
    /// ```
    /// assert_eq!(otel_config::__private::key::EXPORTER_ON_INVALID, "exporter.on_invalid");
    /// ```
    pub use crate::keys::key;
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

    /// Reads the declarative configuration file at `path` (bounded, regular files only) and checks it as the
    /// macro can, with no environment: every problem but those a `${…}` substitution decides (see the README's
    /// declarative file section). Problems name the file `shown`, with the node's path and position.
    ///
    /// ```
    /// use std::path::Path;
    /// let dir = std::env::temp_dir().join(format!("otel-config-doc-check-yaml-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let file = dir.join("otel.yaml");
    /// // The endpoint is the program's business (a variable); the sampler's ratio is written, and wrong.
    /// std::fs::write(&file, "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        \
    ///     exporter:\n          otlp_grpc:\n            endpoint: ${COLLECTOR}\n  sampler:\n    \
    ///     trace_id_ratio_based:\n      ratio: 2\n").unwrap();
    /// let err = otel_config::__private::check_declarative_path(&file, Path::new("otel.yaml")).unwrap_err();
    /// assert_eq!(err.problems().len(), 1);
    /// assert_eq!(err.problems()[0].key(), Some("tracer_provider.sampler.trace_id_ratio_based.ratio"));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn check_declarative_path(path: &Path, shown: &Path) -> Result<(), ConfigError> {
        crate::declarative::check_text(shown, &crate::file::read_text(path, shown)?)
    }

    /// Whether the macro's `config = "…"` names a declarative configuration file (by its extension, `.yaml` or
    /// `.yml`) rather than an otel.toml.
    ///
    /// ```
    /// use std::path::Path;
    /// assert!(otel_config::__private::is_declarative(Path::new("deploy/otel.yaml")));
    /// assert!(!otel_config::__private::is_declarative(Path::new("otel.toml")));
    /// ```
    pub fn is_declarative(path: &Path) -> bool {
        crate::declarative::is_declarative(path)
    }
}

#[cfg(test)]
mod tests;
