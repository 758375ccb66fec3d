//! The figment providers of each layer, and where a value came from (for messages).

use figment::value::{Dict, Map, Value};
use figment::{Error, Metadata, Profile, Provider};
use std::path::PathBuf;

/// The name of the built-in defaults layer.
pub(crate) const DEFAULTS: &str = "built-in defaults";
/// The name of the macro-arguments layer.
pub(crate) const MACRO: &str = "#[otel::main] arguments";
/// How environment layers are named: one provider per variable.
const ENV_PREFIX: &str = "environment variable ";

/// The layer a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    Defaults,
    Macro,
    File(PathBuf),
    /// A standard `OTEL_*` variable (or `RUST_LOG`).
    StdEnv(String),
    /// One of our `OTEL_TOML_<KEY>` variables.
    OwnEnv(String),
    Unknown,
}

impl Origin {
    pub(crate) fn of(metadata: Option<&Metadata>) -> Origin {
        let Some(metadata) = metadata else {
            return Origin::Unknown;
        };
        if let Some(path) = metadata.source.as_ref().and_then(|s| s.file_path()) {
            return Origin::File(path.to_path_buf());
        }
        match metadata.name.as_ref() {
            DEFAULTS => Origin::Defaults,
            MACRO => Origin::Macro,
            name => match name.strip_prefix(ENV_PREFIX) {
                Some(var) if var.starts_with(crate::keys::OWN_PREFIX) => Origin::OwnEnv(var.to_string()),
                Some(var) => Origin::StdEnv(var.to_string()),
                None => Origin::Unknown,
            },
        }
    }

    /// For messages: a path, `environment variable X`, or the layer's name.
    pub(crate) fn describe(&self) -> String {
        match self {
            Origin::Defaults => format!("the {DEFAULTS}"),
            Origin::Macro => format!("the {MACRO}"),
            Origin::File(path) => path.display().to_string(),
            Origin::StdEnv(var) | Origin::OwnEnv(var) => format!("{ENV_PREFIX}{var}"),
            Origin::Unknown => "the configuration".to_string(),
        }
    }
}

/// A layer made of one value at one key, with a name for messages.
pub(crate) struct ValueProvider {
    metadata: Metadata,
    dict: Dict,
}

impl ValueProvider {
    /// A value set by one environment variable.
    pub(crate) fn env(variable: &str, key: &str, value: Value) -> Self {
        ValueProvider { metadata: Metadata::named(format!("{ENV_PREFIX}{variable}")), dict: nest(key, value) }
    }

    /// A layer from a dictionary, e.g. the macro arguments.
    pub(crate) fn named(name: &'static str, dict: Dict) -> Self {
        ValueProvider { metadata: Metadata::named(name), dict }
    }
}

impl Provider for ValueProvider {
    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }
    fn data(&self) -> Result<Map<Profile, Dict>, Error> {
        Ok(Map::from([(Profile::Default, self.dict.clone())]))
    }
}

/// `exporter.timeout`, v → `{exporter: {timeout: v}}`.
pub(crate) fn nest(key: &str, value: Value) -> Dict {
    let mut parts = key.rsplit('.');
    let last = parts.next().unwrap_or(key);
    let mut dict = Dict::from([(last.to_string(), value)]);
    for parent in parts {
        dict = Dict::from([(parent.to_string(), Value::from(dict))]);
    }
    dict
}

/// otel.toml, already read, named by its path.
pub(crate) struct FileProvider {
    pub(crate) path: PathBuf,
    pub(crate) text: String,
}

impl Provider for FileProvider {
    fn metadata(&self) -> Metadata {
        Metadata::from("TOML file", self.path.as_path())
    }
    fn data(&self) -> Result<Map<Profile, Dict>, Error> {
        use figment::providers::{Format, Toml};
        Toml::string(&self.text).data()
    }
}
