//! `OTEL_TOML_<KEY>`: one variable per otel.toml key, the top layer. Values are read like the TOML value would
//! be; a bad value or an unknown variable is an error (unlike the standard variables).

use super::{Env, EnvEntry};
use crate::error::{ConfigError, ConfigProblem, ProblemKind};
use crate::headers::last_wins;
use crate::keys::{self, Shape, KEYS, OTEL_TOML_PREFIX};
use crate::pairs::parse_pairs;
use crate::source::Origin;
use crate::suggest::closest;
use figment::value::{Dict, Value};

/// Reads every `OTEL_TOML_*` variable. Empty ones are unset.
pub(crate) fn read(env: &Env) -> Result<Vec<EnvEntry>, ConfigError> {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for (variable, raw) in env.with_prefix(OTEL_TOML_PREFIX) {
        let origin = Origin::Env(variable.to_string());
        let Some((key, shape)) = keys::key_for(variable) else {
            let kind = ProblemKind::UnknownVariable { suggestion: suggest_variable(variable) };
            problems.push(ConfigProblem::new(kind, None, origin));
            continue;
        };
        if raw.trim().is_empty() {
            continue;
        }
        match convert(key, shape, raw.trim()) {
            Ok(value) => entries.push(EnvEntry { variable: variable.to_string(), key, value }),
            Err(reason) => problems.push(ConfigProblem::at(key, origin, ProblemKind::InvalidValue { reason })),
        }
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(ConfigError::from_problems(problems))
    }
}

/// The `OTEL_TOML_<KEY>` variable an unknown one was probably meant to be.
fn suggest_variable(variable: &str) -> Option<String> {
    let suffix = &variable[OTEL_TOML_PREFIX.len()..];
    let names: Vec<String> = KEYS.iter().map(|(key, _)| keys::variable_for(key)).collect();
    closest(suffix, names.iter().map(|n| &n[OTEL_TOML_PREFIX.len()..])).map(|s| format!("{OTEL_TOML_PREFIX}{s}"))
}

/// The TOML-like value of the text, by the key's shape. Text that does not fit the shape stays a string, so
/// that extraction reports the type error with the variable's name.
fn convert(key: &str, shape: Shape, raw: &str) -> Result<Value, String> {
    Ok(match shape {
        Shape::Bool => match raw {
            "true" => Value::from(true),
            "false" => Value::from(false),
            _ => Value::from(raw),
        },
        Shape::UInt | Shape::Duration => match (raw.parse::<u64>(), raw.parse::<i64>()) {
            (Ok(n), _) => Value::from(n),
            (_, Ok(n)) => Value::from(n),
            _ => Value::from(raw),
        },
        Shape::Float => match raw.parse::<f64>() {
            Ok(n) if raw.bytes().any(|b| b.is_ascii_digit()) => Value::from(n),
            _ => Value::from(raw),
        },
        Shape::Str | Shape::Enum => Value::from(raw),
        Shape::List if raw.starts_with('[') => {
            let table: toml::Table = toml::from_str(&format!("v = {raw}"))
                .map_err(|_| format!("not a TOML array: {}", raw.escape_debug()))?;
            let value = table.get("v").ok_or_else(|| format!("not a TOML array: {}", raw.escape_debug()))?;
            Value::serialize(value).map_err(|e| e.to_string())?
        }
        Shape::List => {
            Value::from(raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Value::from).collect::<Vec<_>>())
        }
        Shape::Map => {
            // The detail never quotes the text: header values are secrets.
            let pairs = parse_pairs(raw)
                .map_err(|why| format!("expected comma-separated key=value pairs, percent-encoded ({why})"))?;
            // Header names are case-insensitive: `Authorization=a,authorization=b` is one header, the later item.
            let pairs = if keys::HEADER_KEYS.contains(&key) { last_wins(pairs) } else { pairs };
            Value::from(pairs.into_iter().map(|(k, v)| (k, Value::from(v))).collect::<Dict>())
        }
    })
}
