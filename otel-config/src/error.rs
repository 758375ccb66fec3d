//! Configuration errors: one line per problem, naming the source (file or variable), the key, and what is
//! valid. Header values never appear.

use crate::endpoint::redacted;
use crate::keys;
use crate::source::Origin;
use figment::error::{Actual, Kind};

/// A configuration that cannot be used. Its message names the source (the file's path or the environment
/// variable), the key, and what is valid; one line per problem, ready for stderr.
///
/// ```
/// let options = otel_config::LoadOptions {
///     file: Some("/nonexistent/otel.toml".into()),
///     env: Some(Default::default()),
///     ..Default::default()
/// };
/// let err = otel_config::load(&options).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "otel: the configuration file `/nonexistent/otel.toml` named by `config = …` does not exist"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    pub(crate) fn new(message: String) -> Self {
        ConfigError { message }
    }

    /// The message, as `Display` prints it.
    ///
    /// ```
    /// let options = otel_config::LoadOptions {
    ///     file: Some("/nonexistent/otel.toml".into()),
    ///     env: Some(Default::default()),
    ///     ..Default::default()
    /// };
    /// let err = otel_config::load(&options).unwrap_err();
    /// assert_eq!(err.message(), err.to_string());
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Every error figment reports, one line each.
    pub(crate) fn from_figment(error: figment::Error) -> Self {
        let lines: Vec<String> = error.into_iter().map(|e| describe(&e)).collect();
        ConfigError { message: lines.join("\n") }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// `otel: invalid configuration in <source>: key `<key>`: <what>`, for a problem with one key.
pub(crate) fn invalid(origin: &Origin, key: &str, what: &str) -> String {
    format!("otel: invalid configuration in {}: key `{key}`: {what}", origin.describe())
}

/// `exporter.headers.x`, `propagators[1]`.
fn key_of(path: &[String]) -> String {
    let mut key = String::new();
    for part in path {
        if part.bytes().all(|b| b.is_ascii_digit()) && !key.is_empty() {
            key.push_str(&format!("[{part}]"));
        } else {
            if !key.is_empty() {
                key.push('.');
            }
            key.push_str(part);
        }
    }
    key
}

fn describe(error: &figment::Error) -> String {
    let origin = Origin::of(error.metadata.as_ref());
    let path = &error.path;
    let key = key_of(path);
    // Anything under exporter.headers may hold a secret: describe types, never values.
    let secret = path.len() >= 2 && path[0] == "exporter" && path[1] == "headers";
    let what = match &error.kind {
        Kind::Message(message) if path.is_empty() => return unparsable(&origin, message),
        Kind::UnknownField(field, expected) => {
            return unknown_key(&origin, &path[..path.len().saturating_sub(1)], field, expected)
        }
        Kind::UnknownVariant(found, expected) => {
            let valid: Vec<String> = expected.iter().map(|v| format!("{v:?}")).collect();
            // A URL put under the wrong key keeps its credentials hidden.
            format!("unknown value {:?}; expected one of {}", redacted(found), valid.join(", "))
        }
        Kind::InvalidType(actual, expected) => {
            format!("expected {}, found {}", friendly_expected(expected), friendly_actual(actual, secret))
        }
        Kind::InvalidValue(actual, expected) => {
            format!("expected {}, found {}", friendly_expected(expected), friendly_actual(actual, secret))
        }
        Kind::Message(_) if secret => "invalid value (not shown)".to_string(),
        Kind::Message(message) => message.clone(),
        other => other.to_string(),
    };
    invalid(&origin, &key, &what)
}

/// A file figment could not read or parse (a TOML syntax error, with line and column). The parser's quote of
/// the offending line is dropped: it may hold a header value.
fn unparsable(origin: &Origin, message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !is_numbered_source_line(l))
        .collect();
    format!("otel: cannot parse {}: {}", origin.describe(), lines.join("; "))
}

/// `12 | protocol = …`
fn is_numbered_source_line(line: &str) -> bool {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && line[digits..].trim_start().starts_with('|')
}

fn unknown_key(origin: &Origin, parent: &[String], field: &str, expected: &[&str]) -> String {
    // The unknown key is outside input (a quoted TOML key may hold control characters): shown escaped.
    let field = &field.escape_debug().to_string();
    let join = |leaf: &str| {
        if parent.is_empty() {
            leaf.to_string()
        } else {
            format!("{}.{leaf}", key_of(parent))
        }
    };
    let hint = keys::closest(field, expected.iter().copied())
        .map(join)
        .or_else(|| keys::closest_full_key(field).map(str::to_string))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    let table = if parent.is_empty() { "at the top level".to_string() } else { format!("in [{}]", key_of(parent)) };
    format!(
        "otel: invalid configuration in {}: unknown key `{}`{hint} (valid keys {table}: {})",
        origin.describe(),
        join(field),
        expected.join(", ")
    )
}

fn friendly_expected(expected: &str) -> String {
    match expected {
        "usize" | "u64" => "a non-negative integer".to_string(),
        "u32" => "a non-negative integer up to 4294967295".to_string(),
        "i64" => "an integer".to_string(),
        "f64" | "f32" => "a number".to_string(),
        "a boolean" | "bool" => "a boolean (true or false)".to_string(),
        "a map" => "a table".to_string(),
        "a sequence" => "an array".to_string(),
        e if e.starts_with("struct ") => "a table".to_string(),
        e => e.to_string(),
    }
}

fn friendly_actual(actual: &Actual, secret: bool) -> String {
    match actual {
        Actual::Str(s) if !secret => format!("string {:?}", redacted(s)),
        Actual::Str(_) => "a string (value not shown)".to_string(),
        Actual::Unsigned(n) if !secret => format!("integer {n}"),
        Actual::Signed(n) if !secret => format!("integer {n}"),
        Actual::Float(n) if !secret => format!("float {n}"),
        Actual::Bool(b) if !secret => format!("boolean {b}"),
        Actual::Unsigned(_) | Actual::Signed(_) => "an integer (value not shown)".to_string(),
        Actual::Float(_) => "a float (value not shown)".to_string(),
        Actual::Bool(_) => "a boolean (value not shown)".to_string(),
        Actual::Seq => "an array".to_string(),
        Actual::Map => "a table".to_string(),
        other if secret => format!("{} (value not shown)", type_only(other)),
        other => other.to_string(),
    }
}

fn type_only(actual: &Actual) -> &'static str {
    match actual {
        Actual::Char(_) => "a character",
        Actual::Bytes(_) => "bytes",
        _ => "another type",
    }
}
