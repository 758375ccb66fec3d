//! Which otel.toml is read: `LoadOptions::file` (must exist), else `$OTEL_TOML` (must exist), else
//! `otel.toml` in the working directory when present. (A `.yaml`/`.yml` `LoadOptions::file` is the declarative
//! file instead, which `load` reads before coming here.)

use crate::env::Env;
use crate::error::{ConfigError, ConfigProblem, ProblemKind};
use crate::load::LoadOptions;
use crate::source::{Origin, ParsedFile};
use std::path::{Path, PathBuf};

/// The file to read, as an absolute path (relative paths are taken from `LoadOptions::cwd`).
pub(crate) fn locate(options: &LoadOptions, env: &Env) -> Result<Option<PathBuf>, ConfigError> {
    let missing =
        |path: PathBuf, by: Origin| ConfigError::from(ConfigProblem::new(ProblemKind::MissingFile { path }, None, by));
    if let Some(path) = &options.file {
        let path = absolute(options, path);
        return if path.exists() { Ok(Some(path)) } else { Err(missing(path, Origin::MacroArgument("config"))) };
    }
    if let Some(path) = env.get("OTEL_TOML") {
        // A YAML file here is a mix-up with OTEL_CONFIG_FILE: TOML's parse error would not say so.
        if crate::declarative::is_declarative(Path::new(path.trim())) {
            let reason = "names a YAML file, but OTEL_TOML names an otel.toml; a declarative configuration file is \
                          named by OTEL_CONFIG_FILE"
                .to_string();
            let kind = ProblemKind::InvalidValue { reason };
            return Err(ConfigProblem::new(kind, None, Origin::Env("OTEL_TOML".into())).into());
        }
        let path = absolute(options, Path::new(path.trim()));
        return if path.exists() { Ok(Some(path)) } else { Err(missing(path, Origin::Env("OTEL_TOML".into()))) };
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

/// Reads and parses the file; an I/O error (e.g. no permission), a file that is not a regular file (a directory;
/// a FIFO would block, `/dev/zero` never ends), one larger than [`MAX_FILE_BYTES`] or one that is not valid
/// TOML is an error naming the path.
pub(crate) fn read(path: &Path) -> Result<ParsedFile, ConfigError> {
    ParsedFile::parse(path, &read_text(path, path)?)
}

/// The text of the file at `path`, read as [`read`] does; problems name it `shown` (the macro shows the path
/// as written, relative to the crate).
pub(crate) fn read_text(path: &Path, shown: &Path) -> Result<String, ConfigError> {
    use std::io::Read;
    let problem = |kind: ProblemKind| ConfigError::from(ConfigProblem::new(kind, None, Origin::File(shown.into())));
    let unreadable = |e: std::io::Error| problem(ProblemKind::UnreadableFile { path: shown.into(), cause: e.into() });
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(problem(ProblemKind::NotRegularFile { path: shown.into() }));
    }
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text).map_err(unreadable)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(problem(ProblemKind::FileTooLarge { path: shown.into(), limit: MAX_FILE_BYTES }));
    }
    Ok(text)
}

/// `path` made absolute: relative paths are taken from `options.cwd` (else the current directory).
pub(crate) fn absolute(options: &LoadOptions, path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    match options.cwd.clone().or_else(|| std::env::current_dir().ok()) {
        Some(base) => base.join(path),
        None => path.to_path_buf(),
    }
}
