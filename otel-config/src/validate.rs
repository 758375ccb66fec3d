//! Checks that types alone cannot express: URLs, header syntax, batch sizes.

use crate::error::{source_name, ConfigError};
use crate::model::{Config, Protocol};
use figment::Figment;
use std::path::Path;

pub(crate) fn validate(config: &Config, figment: &Figment, file: Option<&Path>) -> Result<(), ConfigError> {
    let mut errors = Vec::new();
    let mut fail = |key: &str, what: String| {
        let source = source_name(figment.find_metadata(key), file);
        errors.push(format!("otel: invalid configuration in {source}: key `{key}`: {what}"));
    };
    if config.service.name.trim().is_empty() {
        fail("service.name", "must not be empty".into());
    }
    for key in ["exporter.endpoint", "exporter.traces_endpoint"] {
        let value = if key == "exporter.endpoint" { &config.exporter.endpoint } else { &config.exporter.traces_endpoint };
        if let Some(url) = value {
            if let Err(why) = check_url(url) {
                fail(key, format!("invalid URL \"{url}\": {why}; expected e.g. \"http://localhost:4317\""));
            }
        }
    }
    for (name, value) in &config.exporter.headers.0 {
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            fail("exporter.headers", format!("\"{name}\" is not a valid HTTP header name"));
        } else if http::HeaderValue::from_str(value).is_err() {
            // Never echo the value: it is likely a secret.
            fail("exporter.headers", format!("the value of \"{name}\" is not a valid HTTP header value"));
        }
    }
    let batch = &config.batch;
    if batch.max_queue_size == 0 {
        fail("batch.max_queue_size", "must be at least 1".into());
    }
    if batch.max_export_batch_size == 0 || batch.max_export_batch_size > batch.max_queue_size {
        fail(
            "batch.max_export_batch_size",
            format!("must be between 1 and batch.max_queue_size ({})", batch.max_queue_size),
        );
    }
    if let Some(arg) = config.sampler.arg {
        if !(0.0..=1.0).contains(&arg) {
            fail("sampler.arg", format!("{arg} is not a ratio between 0 and 1"));
        }
    }
    let _ = Protocol::VALID;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::message(errors.join("\n")))
    }
}

fn check_url(url: &str) -> Result<(), String> {
    let uri: http::Uri = url.parse().map_err(|e: http::uri::InvalidUri| e.to_string())?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => return Err(format!("unsupported scheme \"{other}\" (use http or https)")),
        None => return Err("missing scheme (http:// or https://)".into()),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err("missing host".into());
    }
    Ok(())
}

/// The candidate closest to `word` by edit distance, when it is close enough to be a likely typo.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
