//! The configuration of the `otel` crate: `otel.toml` and the standard `OTEL_*` variables, layered with figment
//! (built-in defaults < macro arguments < otel.toml < environment) and checked with errors that name the file
//! or variable, the key, and what is valid.
//!
//! - Standard `OTEL_*` variables follow the OTel spec's parsing rules: empty is unset, and a bad value is a
//!   [`Warning`] (the variable is ignored), never an error.
//! - `OTEL_TOML_<KEY>` sets any otel.toml key (`OTEL_TOML_FMT_FORMAT=json`); it wins over the standard
//!   variable for the same key, and a bad value is a [`ConfigError`].
//! - Header values never appear in `Debug` output, messages or warnings.
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

pub use duration::parse_duration;
pub use enums::{Compression, FmtFormat, Propagator, Protocol, SamplerName, SummaryMode};
pub use error::ConfigError;
pub use headers::Headers;
pub use load::{check_file, load, LoadOptions, Loaded};
pub use model::{
    BatchConfig, Config, ExporterConfig, FmtConfig, SamplerConfig, ServiceConfig, ShutdownConfig, SpanLimitsConfig,
    TracingConfig, UNKNOWN_SERVICE,
};
pub use resource_value::ResourceValue;
pub use warning::Warning;

#[cfg(test)]
mod tests;
