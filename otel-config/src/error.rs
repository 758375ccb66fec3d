//! Configuration errors as data, the way figment's are: a [`ConfigError`] holds every [`ConfigProblem`] found,
//! each with its [`ProblemKind`] (what is wrong, with the valid values), its key path and its [`Origin`].
//! `Display` is computed from those fields: one line per problem, naming the source, the key and what is valid.
//! Header values and URL credentials are never kept, so they cannot be printed.
//!
//! The cause chain (`std::error::Error::source`) follows one rule in all of otel's errors. A message is complete
//! on its own line, because it is printed with `{}` (by the macro at start, by otel-check, at compile time), so
//! it ends with the text of the underlying error that says why (`Permission denied (os error 13)`); `source()`
//! hands that underlying error over as data (an [`std::io::Error`] to match on its `kind()`). A wrapper whose
//! message *is* its content's message ([`ConfigError`], which prints its problems; otel's `StartError`, which
//! prints the stage's error) is transparent, as `std::io::Error` is around a custom error: its `source()` is
//! its content's `source()`, so no message is repeated by a reporter that walks the chain. Only the underlying
//! error's own text is (once), as with serde_json's and csv's I/O errors.

use crate::endpoint::redacted;
use crate::enums::Protocol;
use crate::keys;
use crate::source::{Layers, Origin};
use figment::error::{Actual, Kind};
use std::path::PathBuf;
use std::sync::Arc;

/// A configuration that cannot be used: every problem found, in the order found.
///
/// `Display` prints one line per problem, ready for stderr; [`problems`](Self::problems) gives them as data,
/// to match on.
///
/// ```
/// use otel_config::{Origin, ProblemKind};
/// let options = otel_config::LoadOptions::new()
///     .file("/nonexistent/otel.toml")
///     .env(std::collections::HashMap::<String, String>::new());
/// let err = otel_config::load(&options).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "otel: the configuration file `/nonexistent/otel.toml` named by `config = …` does not exist"
/// );
/// let problem = &err.problems()[0];
/// assert!(matches!(problem.kind(), ProblemKind::MissingFile { path } if path.ends_with("otel.toml")));
/// assert_eq!(problem.origin(), &Origin::MacroArgument("config"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError {
    problems: Vec<ConfigProblem>,
}

impl ConfigError {
    /// Every problem found (at least one), in the order `Display` prints them.
    ///
    /// ```
    /// let err = otel_config::check_file("otel.toml", "[batch]\nmax_queue_size = 0\nmax_queue_bytes = 0").unwrap_err();
    /// let keys: Vec<_> = err.problems().iter().map(|p| p.key()).collect();
    /// assert_eq!(keys, [Some("batch.max_queue_size"), Some("batch.max_queue_bytes")]);
    /// ```
    pub fn problems(&self) -> &[ConfigProblem] {
        &self.problems
    }

    /// The problems, one by one (as `for problem in &err` does).
    ///
    /// ```
    /// let err = otel_config::check_file("otel.toml", "[fmt]\nformatt = \"json\"").unwrap_err();
    /// for problem in err.iter() {
    ///     assert_eq!(problem.key(), Some("fmt.formatt"));
    /// }
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigProblem> {
        self.problems.iter()
    }

    /// The error for these problems (never empty: the callers have found at least one).
    pub(crate) fn from_problems(problems: Vec<ConfigProblem>) -> Self {
        ConfigError { problems }
    }

    /// Every error figment reports, each with the origin of the value it is about.
    pub(crate) fn from_figment(error: figment::Error, layers: &Layers) -> Self {
        ConfigError { problems: error.into_iter().map(|e| problem_of(&e, layers)).collect() }
    }
}

impl From<ConfigProblem> for ConfigError {
    fn from(problem: ConfigProblem) -> Self {
        ConfigError { problems: vec![problem] }
    }
}

impl<'a> IntoIterator for &'a ConfigError {
    type Item = &'a ConfigProblem;
    type IntoIter = std::slice::Iter<'a, ConfigProblem>;
    fn into_iter(self) -> Self::IntoIter {
        self.problems.iter()
    }
}

impl IntoIterator for ConfigError {
    type Item = ConfigProblem;
    type IntoIter = std::vec::IntoIter<ConfigProblem>;
    fn into_iter(self) -> Self::IntoIter {
        self.problems.into_iter()
    }
}

/// One line per problem.
impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            problem.fmt(f)?;
        }
        Ok(())
    }
}

/// Transparent (see the module's documentation): the message is the problems' lines, so the source is the first
/// problem's own source, when one has one (an unreadable file's I/O error; such a problem is always alone).
///
/// ```
/// use std::error::Error;
/// let err = otel_config::check_file("otel.toml", "[batch]\nmax_queue_size = 0").unwrap_err();
/// assert!(err.source().is_none(), "a value problem has no underlying error");
/// ```
impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.problems.iter().find_map(std::error::Error::source)
    }
}

/// One thing wrong with the configuration: what ([`kind`](Self::kind)), at which key ([`key`](Self::key)), and
/// from where ([`origin`](Self::origin)). `Display` prints it as one line.
///
/// ```
/// use otel_config::{Origin, ProblemKind, Protocol};
/// let err = otel_config::check_file("otel.toml", "[exporter]\nendpoint = \"localhost:4318\"").unwrap_err();
/// let problem = &err.problems()[0];
/// assert_eq!(problem.key(), Some("exporter.endpoint"));
/// assert_eq!(problem.origin(), &Origin::File("otel.toml".into()));
/// match problem.kind() {
///     ProblemKind::InvalidEndpoint { url, protocol, reason } => {
///         assert_eq!((url.as_str(), *protocol), ("localhost:4318", Protocol::HttpProtobuf));
///         assert!(reason.starts_with("missing scheme"));
///     }
///     other => panic!("{other:?}"),
/// }
/// assert!(problem.to_string().starts_with("otel: invalid configuration in otel.toml: key `exporter.endpoint`: "));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ConfigProblem {
    kind: ProblemKind,
    key: Option<String>,
    origin: Origin,
}

impl ConfigProblem {
    pub(crate) fn new(kind: ProblemKind, key: Option<&str>, origin: Origin) -> Self {
        ConfigProblem { kind, key: key.map(str::to_string), origin }
    }

    /// The same problem, named by another key and origin (a declarative file's node path and position).
    pub(crate) fn relocated(self, key: &str, origin: Origin) -> Self {
        ConfigProblem { kind: self.kind, key: Some(key.to_string()), origin }
    }

    /// A problem with the value at `key`.
    pub(crate) fn at(key: &str, origin: Origin, kind: ProblemKind) -> Self {
        ConfigProblem::new(kind, Some(key), origin)
    }

    /// What is wrong.
    ///
    /// ```
    /// let err = otel_config::check_file("otel.toml", "[batch]\nmax_queue_size = 0").unwrap_err();
    /// assert_eq!(err.problems()[0].kind(), &otel_config::ProblemKind::BelowMinimum { minimum: 1 });
    /// ```
    pub fn kind(&self) -> &ProblemKind {
        &self.kind
    }

    /// The key path the problem is about, as otel.toml spells it (`exporter.endpoint`, `propagators[1]`,
    /// `exporter.headers` for any header); `None` for a problem with a whole file or variable (a syntax
    /// error, a missing file, an unknown `OTEL_TOML_*` variable).
    ///
    /// ```
    /// let err = otel_config::check_file("otel.toml", "propagators = [\"b3\", \"nope\"]").unwrap_err();
    /// assert_eq!(err.problems()[0].key(), Some("propagators[1]"));
    /// let err = otel_config::check_file("otel.toml", "[exporter").unwrap_err();
    /// assert_eq!(err.problems()[0].key(), None);
    /// ```
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// Where the faulty value came from; for a missing file, what named it.
    ///
    /// ```
    /// let options = otel_config::LoadOptions::new()
    ///     .env([("OTEL_TOML_FMT_FORMAT", "loud")]);
    /// let err = otel_config::load_with_text(&options, None).unwrap_err();
    /// assert_eq!(err.problems()[0].origin(), &otel_config::Origin::Env("OTEL_TOML_FMT_FORMAT".into()));
    /// ```
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let origin = &self.origin;
        match &self.kind {
            ProblemKind::Syntax { format, line, column, message } => {
                write!(f, "otel: cannot parse {origin}: ")?;
                if let (Some(line), Some(column)) = (line, column) {
                    write!(f, "{format} parse error at line {line}, column {column}; ")?;
                }
                f.write_str(message)
            }
            ProblemKind::MissingFile { path } => write!(
                f,
                "otel: the configuration file `{}` named by {} does not exist",
                path.display(),
                origin.as_namer()
            ),
            // The I/O error's text ends the line, and the error itself is the `source` (see the module's docs).
            ProblemKind::UnreadableFile { path, cause } => {
                write!(f, "otel: cannot read the configuration file `{}`: {cause}", path.display())
            }
            ProblemKind::NotRegularFile { path } => {
                write!(f, "otel: cannot read the configuration file `{}`: not a regular file", path.display())
            }
            ProblemKind::FileTooLarge { path, limit } => {
                write!(f, "otel: cannot read the configuration file `{}`: larger than {limit} bytes", path.display())
            }
            ProblemKind::UnknownVariable { suggestion } => {
                // The name is outside input, and may hold control characters meant for a terminal.
                let variable = match origin {
                    Origin::Env(variable) => variable.escape_debug().to_string(),
                    other => other.to_string(),
                };
                write!(f, "otel: unknown environment variable {variable}")?;
                match suggestion {
                    Some(close) => write!(f, "; did you mean {close}?"),
                    None => f.write_str(
                        "; OTEL_TOML_<KEY> sets the otel.toml key <key> (e.g. OTEL_TOML_EXPORTER_ENDPOINT sets \
                         exporter.endpoint)",
                    ),
                }
            }
            ProblemKind::UnknownKey { suggestion, table, valid } => {
                // The key is outside input (a quoted TOML key may hold control characters): shown escaped.
                let key = self.key.as_deref().unwrap_or_default().escape_debug();
                write!(f, "otel: invalid configuration in {origin}: unknown key `{key}`")?;
                if let Some(close) = suggestion {
                    write!(f, "; did you mean `{close}`?")?;
                }
                match table {
                    // A node of the declarative file (YAML, with a position) is not a TOML table.
                    Some(table) if matches!(origin, Origin::FileAt { .. }) => {
                        write!(f, " (valid keys under `{table}`: {})", valid.join(", "))
                    }
                    Some(table) => write!(f, " (valid keys in [{table}]: {})", valid.join(", ")),
                    None => write!(f, " (valid keys at the top level: {})", valid.join(", ")),
                }
            }
            kind => {
                write!(f, "otel: invalid configuration in {origin}: ")?;
                if let Some(key) = &self.key {
                    write!(f, "key `{key}`: ")?;
                }
                kind.describe(self.key.as_deref(), f)
            }
        }
    }
}

/// The underlying error, when there is one: the [`std::io::Error`] of [`ProblemKind::UnreadableFile`] (its text
/// also ends the message; see the module's documentation).
///
/// ```
/// use std::error::Error;
/// let dir = std::env::temp_dir().join(format!("otel-config-doc-source-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// // A path through a regular file: opening it fails with an I/O error (ENOTDIR), not "missing".
/// std::fs::write(dir.join("file"), "").unwrap();
/// let path = dir.join("file").join("otel.toml");
/// let err = otel_config::__private::check_path(&path, "otel.toml".as_ref()).unwrap_err();
/// let io = err.problems()[0].source().and_then(|e| e.downcast_ref::<std::io::Error>()).unwrap();
/// assert!(err.to_string().ends_with(&io.to_string()));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
impl std::error::Error for ConfigProblem {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ProblemKind::UnreadableFile { cause, .. } => Some(&**cause),
            _ => None,
        }
    }
}

/// The language a configuration file is written in, as [`ProblemKind::Syntax`] names it.
///
/// ```
/// use otel_config::{FileFormat, ProblemKind};
/// let err = otel_config::check_file("otel.toml", "[exporter\n").unwrap_err();
/// let ProblemKind::Syntax { format, .. } = err.problems()[0].kind() else { panic!() };
/// assert_eq!((*format, format.to_string()), (FileFormat::Toml, "TOML".to_string()));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileFormat {
    /// otel.toml.
    Toml,
    /// The declarative configuration file (`OTEL_CONFIG_FILE`, `config = "….yaml"`).
    Yaml,
}

impl std::fmt::Display for FileFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileFormat::Toml => "TOML",
            FileFormat::Yaml => "YAML",
        })
    }
}

/// What is wrong, with what is valid. The text each kind adds to a message is in its documentation.
///
/// ```
/// use otel_config::ProblemKind;
/// let err = otel_config::check_file("otel.toml", "[shutdown]\nsummary = \"sometimes\"").unwrap_err();
/// assert_eq!(
///     err.problems()[0].kind(),
///     &ProblemKind::UnknownValue { found: "sometimes".into(), valid: &["on_loss", "always", "never"] }
/// );
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The file is not valid TOML (otel.toml) or YAML (the declarative file): `cannot parse <file>: TOML parse
    /// error at line 1, column 10; <message>`. The parser's quote of the offending line is never kept: it may
    /// hold a header value.
    Syntax {
        /// The language the file was parsed as.
        format: FileFormat,
        /// The line, from 1, when the parser gives a position.
        line: Option<usize>,
        /// The column (in characters, from 1), when the parser gives a position.
        column: Option<usize>,
        /// What the parser says, its lines joined with `; `.
        message: String,
    },
    /// The otel.toml that `config = …` or `OTEL_TOML` names does not exist (the origin is what named it).
    MissingFile {
        /// The path, made absolute.
        path: PathBuf,
    },
    /// otel.toml could not be read: ``cannot read the configuration file `<path>`: <cause>``. The I/O error is
    /// also the problem's [`source`](std::error::Error::source).
    UnreadableFile {
        /// The path.
        path: PathBuf,
        /// The I/O error (shared, so that the problem stays `Clone`; two are equal when their kind and text
        /// are).
        cause: Arc<std::io::Error>,
    },
    /// otel.toml is not a regular file (a directory, a FIFO that would block, a device that never ends).
    NotRegularFile {
        /// The path.
        path: PathBuf,
    },
    /// otel.toml is larger than `limit` bytes (1 MiB: a thousand times any real one).
    FileTooLarge {
        /// The path.
        path: PathBuf,
        /// The largest size read, in bytes.
        limit: u64,
    },
    /// An `OTEL_TOML_<KEY>` variable names no key (the origin is the variable).
    UnknownVariable {
        /// The variable probably meant (`OTEL_TOML_FMT_FORMAT`).
        suggestion: Option<String>,
    },
    /// A key otel.toml does not have: ``unknown key `<key>`; did you mean `<suggestion>`? (valid keys in
    /// [<table>]: …)``.
    UnknownKey {
        /// The key probably meant, in full (`exporter.endpoint`).
        suggestion: Option<String>,
        /// The table the key is in (`exporter`); `None` at the top level.
        table: Option<String>,
        /// The keys valid in that table.
        valid: &'static [&'static str],
    },
    /// A value not among the valid ones: `unknown value "<found>"; expected one of "<valid>", …`.
    UnknownValue {
        /// The value written (credentials in a URL replaced by `***`).
        found: String,
        /// Every valid value.
        valid: &'static [&'static str],
    },
    /// A value of the wrong type, or out of its type's range: `expected <expected>, found <found>`.
    WrongType {
        /// The type expected, as messages say it (`a non-negative integer`).
        expected: String,
        /// What was found, as messages say it (`string "lots"`; under `exporter.headers` the type only).
        found: String,
    },
    /// A value that cannot be used, for the reason given (durations, lists, `key=value` pairs, a secret
    /// value that is not shown).
    InvalidValue {
        /// What is wrong and what is expected, as messages say it.
        reason: String,
    },
    /// A required value is empty: `must not be empty`.
    Empty,
    /// A number below its minimum: `must be at least <minimum>`.
    BelowMinimum {
        /// The smallest valid value.
        minimum: u64,
    },
    /// A number above its maximum: `<value> is larger than the maximum <maximum>`.
    AboveMaximum {
        /// The value given.
        value: u64,
        /// The largest valid value.
        maximum: u64,
    },
    /// A number above another key's value: `<value> is larger than <other_key> (<other_value>)`.
    AboveKey {
        /// The value given.
        value: u64,
        /// The key that bounds it (`batch.max_queue_size`).
        other_key: &'static str,
        /// That key's value.
        other_value: u64,
    },
    /// `sampler.arg` is not a ratio: `<value> is not a ratio; expected a number from 0 to 1`.
    NotARatio {
        /// The value given (NaN and infinities included).
        value: f64,
    },
    /// An endpoint that is not valid for the protocol: `invalid endpoint "<url>" for protocol "<protocol>":
    /// <reason>`.
    InvalidEndpoint {
        /// The endpoint, its credentials replaced by `***`.
        url: String,
        /// The protocol it was checked for.
        protocol: Protocol,
        /// What is wrong and what is expected.
        reason: String,
    },
    /// A header name HTTP does not allow: `"<name>" is not a valid HTTP header name`.
    InvalidHeaderName {
        /// The name.
        name: String,
    },
    /// A header value HTTP does not allow (the value itself is never kept).
    InvalidHeaderValue {
        /// The header's name.
        name: String,
    },
    /// Header names that differ only in case, in one layer (otel.toml tables have no order, so neither can
    /// win): `"A" and "a" name the same header …; keep one`.
    ConflictingHeaders {
        /// The spellings.
        names: Vec<String>,
    },
    /// `propagators` combines `"none"` with other propagators.
    NoneWithOtherPropagators,
}

/// Field by field, as a derive would; the I/O error of [`ProblemKind::UnreadableFile`] (which has no `PartialEq`)
/// by its kind and text. Matched on `self` alone, so that a new variant does not compile until it is compared.
impl PartialEq for ProblemKind {
    fn eq(&self, other: &Self) -> bool {
        use ProblemKind as K;
        match self {
            K::Syntax { format, line, column, message } => {
                matches!(other, K::Syntax { format: f, line: l, column: c, message: m }
                if (format, line, column, message) == (f, l, c, m))
            }
            K::MissingFile { path } => matches!(other, K::MissingFile { path: p } if path == p),
            K::UnreadableFile { path, cause } => matches!(other, K::UnreadableFile { path: p, cause: c }
                if path == p && cause.kind() == c.kind() && cause.to_string() == c.to_string()),
            K::NotRegularFile { path } => matches!(other, K::NotRegularFile { path: p } if path == p),
            K::FileTooLarge { path, limit } => {
                matches!(other, K::FileTooLarge { path: p, limit: l } if (path, limit) == (p, l))
            }
            K::UnknownVariable { suggestion } => {
                matches!(other, K::UnknownVariable { suggestion: s } if suggestion == s)
            }
            K::UnknownKey { suggestion, table, valid } => {
                matches!(other, K::UnknownKey { suggestion: s, table: t, valid: v }
                if (suggestion, table, valid) == (s, t, v))
            }
            K::UnknownValue { found, valid } => {
                matches!(other, K::UnknownValue { found: f, valid: v } if (found, valid) == (f, v))
            }
            K::WrongType { expected, found } => {
                matches!(other, K::WrongType { expected: e, found: f } if (expected, found) == (e, f))
            }
            K::InvalidValue { reason } => matches!(other, K::InvalidValue { reason: r } if reason == r),
            K::Empty => matches!(other, K::Empty),
            K::BelowMinimum { minimum } => matches!(other, K::BelowMinimum { minimum: m } if minimum == m),
            K::AboveMaximum { value, maximum } => {
                matches!(other, K::AboveMaximum { value: v, maximum: m } if (value, maximum) == (v, m))
            }
            K::AboveKey { value, other_key, other_value } => {
                matches!(other, K::AboveKey { value: v, other_key: k, other_value: o }
                if (value, other_key, other_value) == (v, k, o))
            }
            K::NotARatio { value } => matches!(other, K::NotARatio { value: v } if value == v),
            K::InvalidEndpoint { url, protocol, reason } => {
                matches!(other, K::InvalidEndpoint { url: u, protocol: p, reason: r }
                if (url, protocol, reason) == (u, p, r))
            }
            K::InvalidHeaderName { name } => matches!(other, K::InvalidHeaderName { name: n } if name == n),
            K::InvalidHeaderValue { name } => matches!(other, K::InvalidHeaderValue { name: n } if name == n),
            K::ConflictingHeaders { names } => matches!(other, K::ConflictingHeaders { names: n } if names == n),
            K::NoneWithOtherPropagators => matches!(other, K::NoneWithOtherPropagators),
        }
    }
}

impl ProblemKind {
    /// The part of a message after the key, on its own (for a warning that reuses the wording).
    pub(crate) fn text(&self) -> String {
        struct Text<'a>(&'a ProblemKind);
        impl std::fmt::Display for Text<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.describe(None, f)
            }
        }
        Text(self).to_string()
    }

    /// The part of an `invalid configuration … key `…`:` line after the key.
    fn describe(&self, key: Option<&str>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let quoted = |valid: &[&str]| valid.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ");
        match self {
            ProblemKind::UnknownValue { found, valid } => {
                write!(f, "unknown value {found:?}; expected one of {}", quoted(valid))
            }
            ProblemKind::WrongType { expected, found } => write!(f, "expected {expected}, found {found}"),
            ProblemKind::InvalidValue { reason } => f.write_str(reason),
            ProblemKind::Empty => f.write_str("must not be empty"),
            ProblemKind::BelowMinimum { minimum } => write!(f, "must be at least {minimum}"),
            ProblemKind::AboveMaximum { value, maximum } => {
                write!(f, "{value} is larger than the maximum {maximum}")?;
                if key == Some(keys::SPAN_BATCH.max_queue_size) || key == Some(keys::LOG_BATCH.max_queue_size) {
                    f.write_str(" (each slot of the queue is allocated at start)")?;
                }
                Ok(())
            }
            ProblemKind::AboveKey { value, other_key, other_value } => {
                write!(f, "{value} is larger than {other_key} ({other_value})")
            }
            ProblemKind::NotARatio { value } => write!(f, "{value} is not a ratio; expected a number from 0 to 1"),
            ProblemKind::InvalidEndpoint { url, protocol, reason } => {
                write!(f, "invalid endpoint {url:?} for protocol {:?}: {reason}", protocol.as_str())
            }
            ProblemKind::InvalidHeaderName { name } => write!(f, "{name:?} is not a valid HTTP header name"),
            ProblemKind::InvalidHeaderValue { name } => {
                write!(f, "the value of {name:?} is not a valid HTTP header value")
            }
            ProblemKind::ConflictingHeaders { names } => {
                let names: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
                write!(
                    f,
                    "{} name the same header (HTTP header names are case-insensitive); keep one",
                    names.join(" and ")
                )
            }
            ProblemKind::NoneWithOtherPropagators => {
                f.write_str("\"none\" cannot be combined with other propagators; use [\"none\"] alone or leave it out")
            }
            // Printed whole by `ConfigProblem`'s `Display`; here only for completeness.
            other => write!(f, "{other:?}"),
        }
    }
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
            // A key is text the user wrote: a control character in it (a line break, a terminal escape) is shown
            // escaped, so that a message stays one line (found by fuzzing: `[resource]` `"a\nb" = [1]`).
            for c in part.chars() {
                if c.is_control() {
                    key.extend(c.escape_debug());
                } else {
                    key.push(c);
                }
            }
        }
    }
    key
}

/// One figment error as a problem, with the origin of the value it is about.
fn problem_of(error: &figment::Error, layers: &Layers) -> ConfigProblem {
    let origin = layers.origin_of(error.metadata.as_ref());
    let path = &error.path;
    let key = key_of(path);
    // Anything under exporter.headers (or a signal's `<signal>.exporter.headers`) may hold a secret: describe
    // types, never values.
    let secret = path.windows(2).any(|pair| pair[0] == "exporter" && pair[1] == "headers");
    let kind = match &error.kind {
        Kind::Message(message) if path.is_empty() => {
            let kind = ProblemKind::Syntax {
                format: FileFormat::Toml,
                line: None,
                column: None,
                message: without_quotes(message),
            };
            return ConfigProblem::new(kind, None, origin);
        }
        Kind::UnknownField(field, expected) => {
            return unknown_key(origin, &path[..path.len().saturating_sub(1)], field, expected)
        }
        // A URL put under the wrong key keeps its credentials hidden.
        Kind::UnknownVariant(found, valid) => ProblemKind::UnknownValue { found: redacted(found), valid },
        Kind::InvalidType(actual, expected) | Kind::InvalidValue(actual, expected) => {
            ProblemKind::WrongType { expected: friendly_expected(expected), found: friendly_actual(actual, secret) }
        }
        Kind::Message(_) if secret => ProblemKind::InvalidValue { reason: "invalid value (not shown)".to_string() },
        Kind::Message(message) => ProblemKind::InvalidValue { reason: message.clone() },
        other => ProblemKind::InvalidValue { reason: other.to_string() },
    };
    ConfigProblem::at(&key, origin, kind)
}

/// A TOML syntax error in `text`, with its line and column.
pub(crate) fn syntax(origin: Origin, text: &str, error: &toml::de::Error) -> ConfigProblem {
    let kind = match error.span() {
        Some(span) => {
            let (line, column) = position(text.as_bytes(), span.start);
            ProblemKind::Syntax {
                format: FileFormat::Toml,
                line: Some(line + 1),
                column: Some(column + 1),
                message: without_quotes(error.message()),
            }
        }
        None => ProblemKind::Syntax {
            format: FileFormat::Toml,
            line: None,
            column: None,
            message: without_quotes(&error.to_string()),
        },
    };
    ConfigProblem::new(kind, None, origin)
}

/// The line and column (from 0, the column in characters) of byte `index` in `input`, as the TOML parser
/// reports them.
fn position(input: &[u8], index: usize) -> (usize, usize) {
    if input.is_empty() {
        return (0, index);
    }
    let safe_index = index.min(input.len() - 1);
    let past_end = index - safe_index;
    let line_start = input[..safe_index].iter().rposition(|b| *b == b'\n').map_or(0, |nl| nl + 1);
    let line = input[..line_start].iter().filter(|b| **b == b'\n').count();
    let column = std::str::from_utf8(&input[line_start..=safe_index])
        .map(|s| s.chars().count() - 1)
        .unwrap_or(safe_index - line_start);
    (line, column + past_end)
}

/// A parser message's lines joined with `; `, without the parser's quote of the source (`12 | protocol = …`,
/// `|   ^`): it may hold a header value.
fn without_quotes(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !is_numbered_source_line(l))
        .collect();
    lines.join("; ")
}

/// `12 | protocol = …`
fn is_numbered_source_line(line: &str) -> bool {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && line[digits..].trim_start().starts_with('|')
}

fn unknown_key(origin: Origin, parent: &[String], field: &str, valid: &'static [&'static str]) -> ConfigProblem {
    let join = |leaf: &str| if parent.is_empty() { leaf.to_string() } else { format!("{}.{leaf}", key_of(parent)) };
    let suggestion = crate::suggest::closest(field, valid.iter().copied())
        .map(join)
        .or_else(|| keys::closest_full_key(&key_of(parent), field).map(str::to_string));
    let table = (!parent.is_empty()).then(|| key_of(parent));
    let kind = ProblemKind::UnknownKey { suggestion, table, valid };
    ConfigProblem::at(&join(field), origin, kind)
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
