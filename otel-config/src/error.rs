//! Configuration errors that name the source (file or variable), the key, and what is valid.

use std::path::Path;

/// A configuration that cannot be used. Its message is one line, ready for stderr.
///
/// ```
/// let options = otel_config::LoadOptions { file: Some("/nonexistent/otel.toml".into()), ..Default::default() };
/// let err = otel_config::load(&options).unwrap_err();
/// assert!(err.to_string().contains("/nonexistent/otel.toml"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    pub(crate) fn message(message: String) -> Self {
        ConfigError { message }
    }

    pub(crate) fn from_figment(error: figment::Error, file: Option<&Path>) -> Self {
        let messages: Vec<String> = error.into_iter().map(|e| describe(&e, file)).collect();
        ConfigError { message: messages.join("\n") }
    }
}

/// Where a value came from, for messages.
pub(crate) fn source_name(metadata: Option<&figment::Metadata>, file: Option<&Path>) -> String {
    match metadata {
        Some(m) if m.name.starts_with("environment variable") => m.name.to_string(),
        Some(m) if m.name.contains("TOML") => match &m.source {
            Some(figment::Source::File(path)) => path.display().to_string(),
            _ => file.map(|p| p.display().to_string()).unwrap_or_else(|| "otel.toml".into()),
        },
        Some(m) => m.name.to_string(),
        None => file.map(|p| p.display().to_string()).unwrap_or_else(|| "the configuration".into()),
    }
}

fn describe(error: &figment::Error, file: Option<&Path>) -> String {
    let source = source_name(error.metadata.as_ref(), file);
    let key = error.path.join(".");
    let what = match &error.kind {
        figment::error::Kind::UnknownField(field, expected) => {
            // figment's path already ends with the unknown field.
            let parent = error.path[..error.path.len().saturating_sub(1)].join(".");
            let full = if parent.is_empty() { field.clone() } else { format!("{parent}.{field}") };
            let hint = crate::validate::closest(field, expected)
                .map(|s| format!("; did you mean `{}`?", if parent.is_empty() { s.to_string() } else { format!("{parent}.{s}") }))
                .unwrap_or_default();
            return format!(
                "otel: invalid configuration in {source}: unknown key `{full}`{hint} (valid here: {})",
                expected.join(", ")
            );
        }
        figment::error::Kind::UnknownVariant(found, expected) => {
            format!("unknown value \"{found}\"; expected one of {}", quoted(expected))
        }
        figment::error::Kind::Message(m) if key.is_empty() => {
            // A TOML syntax error: figment puts the parser's message (with line and column) here.
            // The parser quotes the offending source line; drop it, since it may hold a header value.
            let m: Vec<&str> = m.lines().map(str::trim).filter(|l| !l.is_empty() && !l.contains('|')).collect();
            return format!("otel: cannot parse {source}: {}", m.join(": "));
        }
        other => other.to_string(),
    };
    format!("otel: invalid configuration in {source}: key `{key}`: {what}")
}

fn quoted(values: &[&str]) -> String {
    values.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", ")
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}
