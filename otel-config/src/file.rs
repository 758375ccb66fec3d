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

/// The largest otel.toml read: 1 MiB, a thousand times any real one. `OTEL_TOML` may name anything, and
/// reading must not grow without bound.
pub(crate) const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Reads the file; an I/O error (e.g. a directory, no permission), a file that is not a regular file (a FIFO
/// would block, `/dev/zero` never ends) or one larger than [`MAX_FILE_BYTES`] is an error naming the path.
pub(crate) fn read(path: &Path) -> Result<FileProvider, ConfigError> {
    use std::io::Read;
    let fail = |what: String| {
        ConfigError::new(format!("otel: cannot read the configuration file `{}`: {what}", path.display()))
    };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let metadata = file.metadata().map_err(|e| fail(e.to_string()))?;
    if !metadata.is_file() {
        return Err(fail("not a regular file".into()));
    }
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text).map_err(|e| fail(e.to_string()))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(format!("larger than {MAX_FILE_BYTES} bytes")));
    }
    Ok(FileProvider { path: path.to_path_buf(), text })
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
