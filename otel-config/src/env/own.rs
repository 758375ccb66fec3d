//! `OTEL_TOML_<KEY>`: one variable per otel.toml key. Values are read like the TOML value would be; a bad
//! value or an unknown variable is an error (unlike the standard variables).

use super::{Env, EnvEntry};
use crate::error::ConfigError;
use crate::headers::last_wins;
use crate::keys::{self, Kind, KEYS, OWN_PREFIX};
use crate::pairs::parse_pairs;
use figment::value::{Dict, Value};

/// Reads every `OTEL_TOML_*` variable. Empty ones are unset.
pub(crate) fn read(env: &Env) -> Result<Vec<EnvEntry>, ConfigError> {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (variable, raw) in env.with_prefix(OWN_PREFIX) {
        let Some((key, kind)) = keys::key_for(variable) else {
            errors.push(unknown_variable(variable));
            continue;
        };
        if raw.trim().is_empty() {
            continue;
        }
        match convert(key, kind, raw.trim()) {
            Ok(value) => entries.push(EnvEntry { variable: variable.to_string(), key, value }),
            Err(what) => errors
                .push(format!("otel: invalid configuration in environment variable {variable}: key `{key}`: {what}")),
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(ConfigError::new(errors.join("\n")))
    }
}

fn unknown_variable(variable: &str) -> String {
    let suffix = &variable[OWN_PREFIX.len()..];
    let names: Vec<String> = KEYS.iter().map(|(key, _)| keys::variable_for(key)).collect();
    let hint = keys::closest(suffix, names.iter().map(|n| &n[OWN_PREFIX.len()..]))
        .map(|s| format!("; did you mean {OWN_PREFIX}{s}?"))
        .unwrap_or_else(|| {
            "; OTEL_TOML_<KEY> sets the otel.toml key <key> (e.g. OTEL_TOML_EXPORTER_ENDPOINT sets exporter.endpoint)"
                .to_string()
        });
    // The name is escaped: it is outside input, and may hold control characters meant for a terminal.
    format!("otel: unknown environment variable {}{hint}", variable.escape_debug())
}

/// The TOML-like value of the text, by the key's shape. Text that does not fit the shape stays a string, so
/// that extraction reports the type error with the variable's name.
fn convert(key: &str, kind: Kind, raw: &str) -> Result<Value, String> {
    Ok(match kind {
        Kind::Bool => match raw {
            "true" => Value::from(true),
            "false" => Value::from(false),
            _ => Value::from(raw),
        },
        Kind::UInt | Kind::Duration => match (raw.parse::<u64>(), raw.parse::<i64>()) {
            (Ok(n), _) => Value::from(n),
            (_, Ok(n)) => Value::from(n),
            _ => Value::from(raw),
        },
        Kind::Float => match raw.parse::<f64>() {
            Ok(n) if raw.bytes().any(|b| b.is_ascii_digit()) => Value::from(n),
            _ => Value::from(raw),
        },
        Kind::Str | Kind::Enum => Value::from(raw),
        Kind::List if raw.starts_with('[') => {
            let table: toml::Table = toml::from_str(&format!("v = {raw}"))
                .map_err(|_| format!("not a TOML array: {}", raw.escape_debug()))?;
            let value = table.get("v").ok_or_else(|| format!("not a TOML array: {}", raw.escape_debug()))?;
            Value::serialize(value).map_err(|e| e.to_string())?
        }
        Kind::List => {
            Value::from(raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Value::from).collect::<Vec<_>>())
        }
        Kind::Map => {
            // The detail never quotes the text: header values are secrets.
            let pairs = parse_pairs(raw)
                .map_err(|why| format!("expected comma-separated key=value pairs, percent-encoded ({why})"))?;
            // Header names are case-insensitive: `Authorization=a,authorization=b` is one header, the later item.
            let pairs = if key == "exporter.headers" { last_wins(pairs) } else { pairs };
            Value::from(pairs.into_iter().map(|(k, v)| (k, Value::from(v))).collect::<Dict>())
        }
    })
}
