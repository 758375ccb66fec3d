//! The environment layer: the standard `OTEL_*` variables ([`standard`]) and our `OTEL_TOML_<KEY>` ones
//! ([`otel_toml_vars`]). Each accepted variable becomes one figment provider named after it.

pub(crate) mod otel_toml_vars;
pub(crate) mod standard;

use crate::source::Layer;
use figment::value::Value;
use std::collections::{BTreeMap, HashMap};

/// The variables to read: the process environment or the map a test passes.
pub(crate) struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// The given map, or the process environment (variables that are not UTF-8 are skipped: no panic).
    pub(crate) fn new(vars: Option<&HashMap<String, String>>) -> Env {
        let vars = match vars {
            Some(map) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            None => {
                std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect()
            }
        };
        Env { vars }
    }

    /// The value of a variable; an empty (or blank) value is the same as unset.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.trim().is_empty())
    }

    /// The exact value of a variable, empty or blank included (substitution in the declarative file tells
    /// empty from whitespace).
    pub(crate) fn raw(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Every variable whose name starts with `prefix`, sorted by name, empty ones included.
    pub(crate) fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.vars.iter().filter(move |(k, _)| k.starts_with(prefix)).map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// One accepted variable: its name, the otel.toml key it sets, and the value.
#[derive(Clone, Debug)]
pub(crate) struct EnvEntry {
    pub(crate) variable: String,
    pub(crate) key: &'static str,
    pub(crate) value: Value,
}

impl EnvEntry {
    pub(crate) fn layer(&self) -> Layer {
        Layer::env(&self.variable, self.key, self.value.clone())
    }
}
