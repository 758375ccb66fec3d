#![allow(clippy::type_complexity)]
//! Unit tests: every load goes through `LoadOptions.env` and `LoadOptions.cwd` (a fresh temp dir); the process
//! environment is never read or changed.

use crate::*;
use std::collections::HashMap;
use std::path::PathBuf;

mod attacker;
mod durations;
mod endpoints;
mod errors;
mod keys;
mod otel_toml_vars;
mod precedence;
mod redaction;
mod standard_env;

/// A fresh, unique directory under the system temp dir, with `otel.toml` when given.
pub(crate) fn dir_with(toml: Option<&str>) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("otel-config-test-{}-{nanos}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    if let Some(text) = toml {
        std::fs::write(dir.join("otel.toml"), text).unwrap();
    }
    dir
}

pub(crate) fn env_map(env: &[(&str, &str)]) -> HashMap<String, String> {
    env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Loads with macro arguments `service = "from-macro"`, crate `crate`, version `1.2.3`.
pub(crate) fn load_with(toml: Option<&str>, env: &[(&str, &str)]) -> Result<Loaded, ConfigError> {
    let dir = dir_with(toml);
    let loaded = load(&LoadOptions {
        service_name: Some("from-macro".into()),
        crate_name: Some("crate".into()),
        service_version: Some("1.2.3".into()),
        env: Some(env_map(env)),
        cwd: Some(dir.clone()),
        ..Default::default()
    });
    let _ = std::fs::remove_dir_all(&dir);
    loaded
}

/// The error message of a load that must fail, with the temp dir replaced by `DIR`.
pub(crate) fn error_of(toml: Option<&str>, env: &[(&str, &str)]) -> String {
    let dir = dir_with(toml);
    let result = load(&LoadOptions { env: Some(env_map(env)), cwd: Some(dir.clone()), ..Default::default() });
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(loaded) => panic!("expected an error for {toml:?} / {env:?}, got {:?}", loaded.config),
        Err(e) => e.to_string().replace(&dir.display().to_string(), "DIR"),
    }
}

/// Warnings as printed.
pub(crate) fn printed(loaded: &Loaded) -> Vec<String> {
    loaded.warnings.iter().map(ToString::to_string).collect()
}
