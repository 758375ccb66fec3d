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
mod validate;
mod warning;

pub use duration::{parse_duration, MAX_DURATION};
pub use endpoint::redacted;
pub use enums::{Compression, FmtFormat, OnInvalid, Propagator, Protocol, SamplerName, SummaryMode};
pub use error::ConfigError;
pub use headers::Headers;
pub use load::{check_file, load, load_with_text, LoadOptions, Loaded};
pub use model::{
    BatchConfig, Config, ExporterConfig, FmtConfig, SamplerConfig, ServiceConfig, ShutdownConfig, SpanLimitsConfig,
    TracingConfig, MAX_CONCURRENT_EXPORTS, MAX_QUEUE_SIZE, UNKNOWN_SERVICE,
};
pub use resource_value::ResourceValue;
pub use warning::Warning;

#[cfg(test)]
mod tests;
