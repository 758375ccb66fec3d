//! Loading: built-in defaults < macro arguments < otel.toml < environment, as figment layers.

use crate::env::{self, EnvValue};
use crate::error::ConfigError;
use crate::model::Config;
use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Map};
use figment::{Figment, Metadata, Profile, Provider};
use std::collections::HashMap;
use std::path::PathBuf;

/// What the program knows before reading any file: the macro's arguments and where to look.
///
/// ```
/// let options = otel_config::LoadOptions { service_name: Some("checkout".into()), ..Default::default() };
/// assert!(options.file.is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// An otel.toml named explicitly (macro `config = "…"`): it must exist.
    pub file: Option<PathBuf>,
    /// The macro's `service = "…"`: a default below otel.toml and the environment.
    pub service_name: Option<String>,
    /// The crate name: the `service.name` of last resort.
    pub crate_name: Option<String>,
    /// The crate version: the default `service.version`.
    pub service_version: Option<String>,
    /// The environment to read; `None` reads the process environment (tests pass their own).
    pub env: Option<HashMap<String, String>>,
    /// Where the default `otel.toml` is looked for; `None` is the working directory.
    pub cwd: Option<PathBuf>,
}

/// A setting from the environment that was ignored, per the OTel spec's parsing rules.
///
/// ```
/// let w = otel_config::Warning { variable: "OTEL_BSP_MAX_QUEUE_SIZE".into(), value: "abc".into(), message: "not a number; using the default".into() };
/// assert!(w.to_string().contains("OTEL_BSP_MAX_QUEUE_SIZE"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The variable's name.
    pub variable: String,
    /// Its value (redacted for header variables).
    pub value: String,
    /// What was wrong and what is used instead.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "otel: ignoring {}={:?}: {}", self.variable, self.value, self.message)
    }
}

/// The result of [`load`]: the configuration, the warnings to print, and the file that was read.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The effective configuration.
    pub config: Config,
    /// Ignored environment values, to print once on stderr.
    pub warnings: Vec<Warning>,
    /// The otel.toml actually read, if any.
    pub file: Option<PathBuf>,
}

/// One environment variable as a figment provider, so that errors name the variable.
struct EnvProvider {
    variable: String,
    key: &'static str,
    value: figment::value::Value,
}

impl Provider for EnvProvider {
    fn metadata(&self) -> Metadata {
        Metadata::named(format!("environment variable {}", self.variable))
    }
    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Serialized::global(self.key, &self.value).data()
    }
}

/// Loads the configuration the way `#[otel::main]` does at start.
///
/// ```
/// let options = otel_config::LoadOptions {
///     env: Some([("OTEL_SERVICE_NAME".to_string(), "checkout".to_string())].into()),
///     cwd: Some(std::env::temp_dir().join("otel-config-doc-no-file")),
///     ..Default::default()
/// };
/// let loaded = otel_config::load(&options).unwrap();
/// assert_eq!(loaded.config.service.name, "checkout");
/// ```
pub fn load(options: &LoadOptions) -> Result<Loaded, ConfigError> {
    let env_map: HashMap<String, String> = match &options.env {
        Some(map) => map.clone(),
        None => std::env::vars().collect(),
    };
    let get = |name: &str| env_map.get(name).filter(|v| !v.trim().is_empty()).cloned();

    let file = match (&options.file, get("OTEL_TOML")) {
        (Some(path), _) => {
            let path = absolute(options, path.clone());
            if !path.is_file() {
                return Err(ConfigError::message(format!(
                    "otel: the configuration file {} named by `config = …` does not exist",
                    path.display()
                )));
            }
            Some(path)
        }
        (None, Some(path)) => {
            let path = absolute(options, PathBuf::from(path));
            if !path.is_file() {
                return Err(ConfigError::message(format!(
                    "otel: the configuration file {} named by OTEL_TOML does not exist",
                    path.display()
                )));
            }
            Some(path)
        }
        (None, None) => Some(absolute(options, PathBuf::from("otel.toml"))).filter(|p| p.is_file()),
    };

    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    let fallback_name = options.service_name.clone().or_else(|| options.crate_name.clone());
    figment = figment.merge(Serialized::default("service.name", fallback_name.unwrap_or_else(|| "unknown_service".into())));
    if let Some(version) = &options.service_version {
        figment = figment.merge(Serialized::default("service.version", version));
    }
    if let Some(path) = &file {
        figment = figment.merge(Toml::file_exact(path));
    }
    let (values, warnings) = env::read(&get);
    let overrides = env::read_toml_overrides(&env_map).map_err(ConfigError::message)?;
    for EnvValue { variable, key, value } in values.into_iter().chain(overrides) {
        figment = figment.merge(EnvProvider { variable, key, value });
    }

    let config: Config = figment.extract().map_err(|e| ConfigError::from_figment(e, file.as_deref()))?;
    crate::validate::validate(&config, &figment, file.as_deref())?;
    Ok(Loaded { config, warnings, file })
}

fn absolute(options: &LoadOptions, path: PathBuf) -> PathBuf {
    if path.is_absolute() {
        return path;
    }
    let base = options.cwd.clone().or_else(|| std::env::current_dir().ok()).unwrap_or_default();
    base.join(path)
}
