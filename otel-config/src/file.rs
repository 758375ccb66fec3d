//! Which otel.toml is read: `LoadOptions::file` (must exist), else `$OTEL_TOML` (must exist), else
//! `otel.toml` in the working directory when present.

use crate::env::Env;
use crate::error::ConfigError;
use crate::load::LoadOptions;
use crate::source::FileProvider;
use std::path::{Path, PathBuf};

/// The file to read, as an absolute path (relative paths are taken from `LoadOptions::cwd`).
pub(crate) fn locate(options: &LoadOptions, env: &Env) -> Result<Option<PathBuf>, ConfigError> {
    let missing = |path: &Path, by: &str| {
        ConfigError::new(format!("otel: the configuration file `{}` named by {by} does not exist", path.display()))
    };
    if let Some(path) = &options.file {
        let path = absolute(options, path);
        return if path.exists() { Ok(Some(path)) } else { Err(missing(&path, "`config = …`")) };
    }
    if let Some(path) = env.get("OTEL_TOML") {
        let path = absolute(options, Path::new(path.trim()));
        return if path.exists() { Ok(Some(path)) } else { Err(missing(&path, "OTEL_TOML")) };
    }
    let Some(dir) = options.cwd.clone().or_else(|| std::env::current_dir().ok()) else {
        return Ok(None);
    };
    let default = dir.join("otel.toml");
    Ok(default.is_file().then_some(default))
}

/// Reads the file; an I/O error (e.g. a directory, no permission) names the path.
pub(crate) fn read(path: &Path) -> Result<FileProvider, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(FileProvider { path: path.to_path_buf(), text }),
        Err(e) => Err(ConfigError::new(format!("otel: cannot read the configuration file `{}`: {e}", path.display()))),
    }
}

fn absolute(options: &LoadOptions, path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    match options.cwd.clone().or_else(|| std::env::current_dir().ok()) {
        Some(base) => base.join(path),
        None => path.to_path_buf(),
    }
}
