//! The configuration of the `otel` crate: otel.toml and the standard `OTEL_*` variables, layered with figment
//! (built-in defaults < macro arguments < otel.toml < environment) and checked with errors that name the
//! file or variable, the key, and what is valid.
//!
//! ```
//! let loaded = otel_config::load(&otel_config::LoadOptions {
//!     env: Some([("OTEL_EXPORTER_OTLP_PROTOCOL".to_string(), "grpc".to_string())].into()),
//!     cwd: Some(std::env::temp_dir().join("otel-config-doc-none")),
//!     ..Default::default()
//! }).unwrap();
//! assert_eq!(loaded.config.exporter.traces_url(), "http://localhost:4317");
//! ```

mod duration;
mod env;
mod error;
mod load;
mod model;
mod validate;

pub use duration::parse_duration;
pub use env::KEYS;
pub use error::ConfigError;
pub use load::{load, LoadOptions, Loaded, Warning};
pub use model::*;

#[cfg(test)]
mod tests;
