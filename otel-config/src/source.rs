//! Where a value came from ([`Origin`]), the figment providers of each layer, and [`Layers`]: the merged
//! figment with the origin of each of its providers, so that an error or a rule that depends on the layer
//! (`exporter.endpoint` over a lower `traces_endpoint`) asks for an origin instead of parsing a provider's name.

use figment::value::{Dict, Map, Tag, Value};
use figment::{Error, Figment, Metadata, Profile, Provider};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where a configuration value, or a problem, came from: one of the layers `load` merges.
///
/// `Display` names it as messages do: the file's path, `environment variable OTEL_…`, `the #[otel::main]
/// arguments`, `the built-in defaults`.
///
/// ```
/// let err = otel_config::check_file("conf/otel.toml", "[fmt]\nformat = 1").unwrap_err();
/// let origin = err.problems()[0].origin();
/// assert_eq!(origin, &otel_config::Origin::File("conf/otel.toml".into()));
/// assert_eq!(origin.to_string(), "conf/otel.toml");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// The built-in defaults (`Config::default()`).
    Defaults,
    /// A value `#[otel::main]` passes ([`LoadOptions`](crate::LoadOptions)), by the argument's name: `config`,
    /// `service`, or, for what the macro takes from the crate's manifest, `crate_name` and `service_version`.
    MacroArgument(&'static str),
    /// An otel.toml, by its path (absolute when `load` found it; as given to `check_file`).
    File(PathBuf),
    /// A node of the declarative configuration file (`OTEL_CONFIG_FILE`), by the file's path and the node's
    /// line and column (from 1); the problem's key is the node's path in the file.
    FileAt {
        /// The file, as `OTEL_CONFIG_FILE` names it (made absolute by `load`).
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The column, from 1, in characters.
        column: usize,
    },
    /// An environment variable, by its name: a standard `OTEL_*` one, `RUST_LOG`, `OTEL_TOML` or an
    /// `OTEL_TOML_<KEY>`.
    Env(String),
    /// Not known: a value figment could not attribute to a layer (not expected: every layer is named).
    Unknown,
}

/// Where each configuration key's effective value came from, for the keys set above the built-in defaults
/// ([`Loaded::origin`](crate::Loaded::origin) reads it).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Origins(std::collections::BTreeMap<&'static str, Origin>);

impl Origins {
    /// The origin of every known key in `layers`, those still at their default left out.
    pub(crate) fn of(layers: &Layers) -> Origins {
        // The layers merged once, then each key looked up in the result: what `Layers::origin_at` does per key,
        // without merging every layer again for each of them (that was most of a load's time).
        let figment = layers.figment();
        let Ok(merged) = figment.find_value("") else { return Origins::default() };
        let set = crate::keys::KEYS.iter().filter_map(|(key, _)| {
            let value = merged.find_ref(key)?;
            match layers.origin_of(figment.get_metadata(value.tag())) {
                Origin::Defaults | Origin::Unknown => None,
                origin => Some((*key, origin)),
            }
        });
        Origins(set.collect())
    }

    /// `key`'s origin, [`Origin::Defaults`] when no layer above the defaults set it.
    pub(crate) fn get(&self, key: &str) -> &Origin {
        static DEFAULT: Origin = Origin::Defaults;
        self.0.get(key).unwrap_or(&DEFAULT)
    }

    /// Each origin passed through `relocate` (the declarative file: a key's node and its position).
    pub(crate) fn map(self, mut relocate: impl FnMut(&str, Origin) -> Origin) -> Origins {
        Origins(self.0.into_iter().map(|(key, origin)| (key, relocate(key, origin))).collect())
    }
}

/// The name of the built-in defaults layer, as messages say it.
const DEFAULTS: &str = "built-in defaults";
/// The name of the macro-arguments layer, as messages say it.
const MACRO: &str = "#[otel::main] arguments";

impl Origin {
    /// Whether this is one of our `OTEL_TOML_<KEY>` variables (the top layer).
    pub(crate) fn is_otel_toml_variable(&self) -> bool {
        matches!(self, Origin::Env(name) if name.starts_with(crate::keys::OTEL_TOML_PREFIX))
    }

    /// The layer's place, lowest first: defaults < macro arguments < otel.toml < standard `OTEL_*` <
    /// `OTEL_TOML_*`.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Origin::Defaults | Origin::Unknown => 0,
            Origin::MacroArgument(_) => 1,
            Origin::File(_) | Origin::FileAt { .. } => 2,
            Origin::Env(_) if self.is_otel_toml_variable() => 4,
            Origin::Env(_) => 3,
        }
    }

    /// What named a file, for "the configuration file `…` named by …": `` `config = …` `` or `OTEL_TOML`.
    pub(crate) fn as_namer(&self) -> String {
        match self {
            Origin::MacroArgument(argument) => format!("`{argument} = …`"),
            Origin::Env(variable) => variable.clone(),
            other => other.to_string(),
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Defaults => write!(f, "the {DEFAULTS}"),
            Origin::MacroArgument(_) => write!(f, "the {MACRO}"),
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::FileAt { path, line, column } => write!(f, "{}, line {line}, column {column}", path.display()),
            Origin::Env(variable) => write!(f, "environment variable {variable}"),
            Origin::Unknown => f.write_str("the configuration"),
        }
    }
}

/// The merged figment of one load and the origin of each provider in it.
///
/// Each provider's metadata is named by its origin's `Debug` form, unique per origin, and the table maps the
/// name back: figment hands out a value's metadata, never anything of ours, so the name is the key. Nothing
/// parses the name.
#[derive(Clone, Default)]
pub(crate) struct Layers {
    figment: Figment,
    origins: HashMap<String, Origin>,
}

impl Layers {
    /// Adds a layer above the others.
    pub(crate) fn merge(mut self, provider: impl Into<Layer>) -> Self {
        let layer = provider.into();
        self.origins.insert(layer.metadata.name.to_string(), layer.origin.clone());
        self.figment = self.figment.merge(layer);
        self
    }

    /// The merged figment.
    pub(crate) fn figment(&self) -> &Figment {
        &self.figment
    }

    /// The origin of the provider `metadata` describes.
    pub(crate) fn origin_of(&self, metadata: Option<&Metadata>) -> Origin {
        metadata.and_then(|m| self.origins.get(m.name.as_ref())).cloned().unwrap_or(Origin::Unknown)
    }

    /// The origin of the value at `key` (`exporter.endpoint`).
    pub(crate) fn origin_at(&self, key: &str) -> Origin {
        self.origin_of(self.figment.find_metadata(key))
    }

    /// The origin of the entry `name` of the table at `key` (one header of `exporter.headers`).
    pub(crate) fn origin_of_entry(&self, key: &str, name: &str) -> Origin {
        let table = self.figment.find_value(key).ok();
        let tag: Option<Tag> = table.as_ref().and_then(Value::as_dict).and_then(|d| d.get(name)).map(Value::tag);
        self.origin_of(tag.and_then(|t| self.figment.get_metadata(t)))
    }
}

/// One layer: a dictionary of values and where they came from.
pub(crate) struct Layer {
    origin: Origin,
    metadata: Metadata,
    dict: Dict,
}

impl Layer {
    /// A layer of `dict` from `origin`.
    pub(crate) fn new(origin: Origin, dict: Dict) -> Self {
        let name = format!("{origin:?}");
        let metadata = match &origin {
            Origin::File(path) => Metadata::from(name, path.as_path()),
            _ => Metadata::named(name),
        };
        Layer { origin, metadata, dict }
    }

    /// The built-in defaults.
    pub(crate) fn defaults(dict: Dict) -> Self {
        Layer::new(Origin::Defaults, dict)
    }

    /// One value at one key, set by one environment variable.
    pub(crate) fn env(variable: &str, key: &str, value: Value) -> Self {
        Layer::new(Origin::Env(variable.to_string()), nest(key, value))
    }
}

impl Provider for Layer {
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

/// otel.toml, read and parsed once (every merge of the layers reuses the parsed table).
#[derive(Clone, Debug)]
pub(crate) struct ParsedFile {
    pub(crate) path: PathBuf,
    pub(crate) dict: Dict,
}

impl ParsedFile {
    /// Parses the text of the otel.toml at `path` (used only to name it); a syntax error is a problem with
    /// its line and column.
    pub(crate) fn parse(path: &Path, text: &str) -> Result<ParsedFile, crate::ConfigError> {
        match toml::from_str::<Dict>(text) {
            Ok(dict) => Ok(ParsedFile { path: path.to_path_buf(), dict }),
            Err(error) => Err(crate::error::syntax(Origin::File(path.to_path_buf()), text, &error).into()),
        }
    }
}

impl From<&ParsedFile> for Layer {
    fn from(file: &ParsedFile) -> Layer {
        Layer::new(Origin::File(file.path.clone()), file.dict.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Origins::of` merges the layers once and looks every key up in the result: each key's origin must be what
    /// `Layers::origin_at` (a merge per key) says, in a stack where every layer sets some keys and overrides others.
    #[test]
    fn origins_agree_with_a_lookup_per_key() {
        let defaults = Value::serialize(crate::Config::default()).ok().and_then(|v| v.into_dict()).unwrap();
        let file = Dict::from([
            ("batch".to_string(), Value::from(Dict::from([("max_queue_size".to_string(), Value::from(100))]))),
            ("exporter".to_string(), Value::from(Dict::from([("timeout".to_string(), Value::from("1s"))]))),
        ]);
        let layers = Layers::default()
            .merge(Layer::defaults(defaults))
            .merge(Layer::new(Origin::MacroArgument("service"), nest("service.name", "svc".into())))
            .merge(Layer::new(Origin::File("/srv/otel.toml".into()), file))
            .merge(Layer::env("OTEL_EXPORTER_OTLP_TIMEOUT", "exporter.timeout", "2s".into()))
            .merge(Layer::env("OTEL_TOML_FMT_FORMAT", "fmt.format", "json".into()));
        let origins = Origins::of(&layers);
        for (key, _) in crate::keys::KEYS {
            let expected = match layers.origin_at(key) {
                Origin::Unknown => Origin::Defaults,
                origin => origin,
            };
            assert_eq!(origins.get(key), &expected, "{key}");
        }
        assert_eq!(origins.get("exporter.timeout"), &Origin::Env("OTEL_EXPORTER_OTLP_TIMEOUT".into()));
        assert_eq!(origins.get("batch.max_queue_size"), &Origin::File("/srv/otel.toml".into()));
        assert_eq!(origins.get("service.name"), &Origin::MacroArgument("service"));
    }
}
