//! Loading: built-in defaults < macro arguments < otel.toml < standard `OTEL_*` variables < `OTEL_TOML_<KEY>`
//! variables, as figment layers; then validation.

use crate::enums::{Protocol, Signal};
use crate::env::{self, Env};
use crate::error::{ConfigError, FileFormat};
use crate::keys::{self, key};
use crate::model::Config;
use crate::source::{nest, Layer, Layers, Origin, Origins, ParsedFile};
use crate::warning::Warning;
use crate::{file, validate};
use figment::value::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What the program knows before reading any file: the macro's arguments, and where to look.
///
/// ```
/// let options = otel_config::LoadOptions::new()
///     .service_name("checkout")
///     .crate_name("checkout_bin")
///     .service_version("1.4.0")
///     .env(std::collections::HashMap::<String, String>::new()) // empty: nothing from the process environment
///     .cwd(std::env::temp_dir().join("otel-config-doc-options"));
/// let config = otel_config::load(&options).unwrap().config;
/// assert_eq!((config.service.name.as_str(), config.service.version.as_deref()), ("checkout", Some("1.4.0")));
/// ```
///
/// `#[non_exhaustive]`, so that a new option is not a breaking change: build it with [`LoadOptions::new`] and the
/// builder methods (or set its public fields on `LoadOptions::default()`), not with a struct literal.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct LoadOptions {
    /// A file named explicitly (macro `config = "…"`); it must exist. Relative to `cwd`. An otel.toml, or, by
    /// its extension `.yaml`/`.yml`, a declarative configuration file, read as `OTEL_CONFIG_FILE` would be (which
    /// wins over it when set).
    pub file: Option<PathBuf>,
    /// The macro's `service = "…"`: a default below otel.toml and the environment.
    pub service_name: Option<String>,
    /// The user crate's name: the `service.name` of last resort (before `"unknown_service"`).
    pub crate_name: Option<String>,
    /// The user crate's `CARGO_PKG_VERSION`: the default `service.version`.
    pub service_version: Option<String>,
    /// The environment to read; `None` reads the process environment (tests pass their own).
    pub env: Option<HashMap<String, String>>,
    /// Where the default `./otel.toml` is looked for (and relative paths start); `None` is the current directory.
    pub cwd: Option<PathBuf>,
}

impl LoadOptions {
    /// No option set: the process environment, `./otel.toml` in the current directory, no default service name
    /// or version (the same as `LoadOptions::default()`).
    ///
    /// ```
    /// let options = otel_config::LoadOptions::new();
    /// assert!(options.file.is_none() && options.env.is_none() && options.cwd.is_none());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the `file` field: an otel.toml (or declarative `.yaml`/`.yml` file) that must exist.
    ///
    /// ```
    /// let options = otel_config::LoadOptions::new().file("deploy/otel.toml");
    /// assert_eq!(options.file.as_deref(), Some(std::path::Path::new("deploy/otel.toml")));
    /// ```
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Sets the `service_name` field: the default `service.name` (the macro's `service = "…"`).
    ///
    /// ```
    /// let options = otel_config::LoadOptions::new().service_name("checkout");
    /// assert_eq!(options.service_name.as_deref(), Some("checkout"));
    /// ```
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// Sets the `crate_name` field: the `service.name` of last resort.
    ///
    /// ```
    /// let options = otel_config::LoadOptions::new().crate_name("checkout_bin");
    /// assert_eq!(options.crate_name.as_deref(), Some("checkout_bin"));
    /// ```
    pub fn crate_name(mut self, name: impl Into<String>) -> Self {
        self.crate_name = Some(name.into());
        self
    }

    /// Sets the `service_version` field: the default `service.version`.
    ///
    /// ```
    /// let options = otel_config::LoadOptions::new().service_version(env!("CARGO_PKG_VERSION"));
    /// assert!(options.service_version.is_some());
    /// ```
    pub fn service_version(mut self, version: impl Into<String>) -> Self {
        self.service_version = Some(version.into());
        self
    }

    /// Sets the `env` field: the environment to read instead of the process's, as name and value pairs (an
    /// empty collection is an empty environment).
    ///
    /// ```
    /// let options = otel_config::LoadOptions::new().env([("OTEL_SERVICE_NAME", "checkout")]);
    /// let loaded = otel_config::load_with_text(&options, None).unwrap();
    /// assert_eq!(loaded.config.service.name, "checkout");
    /// ```
    pub fn env<K: Into<String>, V: Into<String>>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> Self {
        self.env = Some(vars.into_iter().map(|(name, value)| (name.into(), value.into())).collect());
        self
    }

    /// Sets the `cwd` field: where `./otel.toml` is looked for and relative paths start.
    ///
    /// ```
    /// let options = otel_config::LoadOptions::new().cwd("/srv/checkout");
    /// assert_eq!(options.cwd.as_deref(), Some(std::path::Path::new("/srv/checkout")));
    /// ```
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }
}

/// The result of [`load`]: the configuration, the warnings to print, and the file that was read.
///
/// ```
/// let options = otel_config::LoadOptions::new()
///     .env([("OTEL_BSP_MAX_QUEUE_SIZE", "abc")])
///     .cwd(std::env::temp_dir().join("otel-config-doc-loaded"));
/// let loaded = otel_config::load(&options).unwrap();
/// assert_eq!(loaded.config.batch.max_queue_size, 2048);
/// assert_eq!(loaded.warnings[0].to_string(),
///     r#"otel: ignoring OTEL_BSP_MAX_QUEUE_SIZE="abc": not a non-negative integer; using 2048"#);
/// assert_eq!((loaded.file, loaded.file_format), (None, None));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Loaded {
    /// The effective configuration.
    pub config: Config,
    /// Ignored or adjusted standard `OTEL_*` values, to print once on stderr.
    pub warnings: Vec<Warning>,
    /// The otel.toml actually read (absolute), if any; under `OTEL_CONFIG_FILE`, the declarative file.
    pub file: Option<PathBuf>,
    /// What `file` is: [`FileFormat::Toml`] for an otel.toml (below the environment), [`FileFormat::Yaml`] for
    /// the declarative file (the whole configuration); `None` when no file was read.
    pub file_format: Option<FileFormat>,
    /// Where each key's value came from (see [`Loaded::origin`]).
    pub(crate) origins: Origins,
}

impl Loaded {
    /// Where the value of `key` (an otel.toml key: `exporter.certificate`, `exporter.logs_endpoint`, …) came
    /// from: the file, the variable or the macro argument that set it, or [`Origin::Defaults`] when nothing did.
    /// An error found after loading, such as a certificate file that cannot be read when the exporter is built,
    /// names its key; this says who set it (`otel::BuildError::origin`).
    ///
    /// ```
    /// let options = otel_config::LoadOptions::new().env([("OTEL_EXPORTER_OTLP_CERTIFICATE", "/etc/ca.pem")]);
    /// let loaded = otel_config::load_with_text(&options, None).unwrap();
    /// let origin = loaded.origin("exporter.certificate");
    /// assert_eq!(origin, &otel_config::Origin::Env("OTEL_EXPORTER_OTLP_CERTIFICATE".into()));
    /// assert_eq!(loaded.origin("exporter.timeout"), &otel_config::Origin::Defaults);
    /// ```
    pub fn origin(&self, key: &str) -> &Origin {
        self.origins.get(key)
    }
}

/// Loads the configuration the way `#[otel::main]` does at start: built-in defaults < macro arguments <
/// otel.toml < the environment (`OTEL_TOML_<KEY>` over the standard `OTEL_*` variables), then validation.
///
/// Bad standard `OTEL_*` values are [`Warning`]s, per the OTel spec; anything else wrong is a [`ConfigError`]
/// naming its source and key. Never panics.
///
/// When `OTEL_CONFIG_FILE` is set (non-empty), the declarative configuration file it names is the whole
/// configuration instead, with the spec's semantics: the other `OTEL_*` variables and `OTEL_TOML_*` are ignored
/// (values enter the file only through `${VAR}` substitution), and otel.toml is not read (a warning says so when
/// one would have been). See [`load_declarative_text`](crate::load_declarative_text).
///
/// ```
/// let options = otel_config::LoadOptions::new()
///     .env([("OTEL_SERVICE_NAME", "checkout"), ("OTEL_TOML_FMT_FORMAT", "json")])
///     .cwd(std::env::temp_dir().join("otel-config-doc-no-file"));
/// let loaded = otel_config::load(&options).unwrap();
/// assert_eq!(loaded.config.service.name, "checkout");
/// assert_eq!(loaded.config.fmt.format, otel_config::FmtFormat::Json);
/// assert!(loaded.warnings.is_empty());
/// ```
pub fn load(options: &LoadOptions) -> Result<Loaded, ConfigError> {
    let env = Env::new(options.env.as_ref());
    use crate::declarative::{self, OTEL_CONFIG_FILE};
    // The declarative file: the one OTEL_CONFIG_FILE names, else the macro's `config = "….yaml"`.
    if let Some(named) = env.get(OTEL_CONFIG_FILE) {
        return declarative::load_file(options, &env, Path::new(named.trim()), Origin::Env(OTEL_CONFIG_FILE.into()));
    }
    if let Some(named) = options.file.as_deref().filter(|f| declarative::is_declarative(f)) {
        return declarative::load_file(options, &env, named, Origin::MacroArgument("config"));
    }
    let file = file::locate(options, &env)?;
    let parsed = file.as_deref().map(file::read).transpose()?;
    let (config, warnings, origins) = resolve(options, &env, parsed.as_ref())?;
    let file_format = file.as_ref().map(|_| FileFormat::Toml);
    Ok(Loaded { config, warnings, file, file_format, origins })
}

/// Checks the text of an otel.toml on its own — built-in defaults < the file, no macro argument, no
/// environment — and returns the configuration it gives. Errors are exactly those [`load`] reports for the
/// same file, naming it as `path` (which is only used in messages: nothing is read from disk).
///
/// `#[otel::main]` calls this while compiling, so a bad otel.toml is a compile error.
///
/// ```
/// let config = otel_config::check_file("otel.toml", "[exporter]\nprotocol = \"grpc\"").unwrap();
/// assert_eq!(config.exporter.protocol, otel_config::Protocol::Grpc);
///
/// let err = otel_config::check_file("config/otel.toml", "[exporter]\nprotocol = \"gprc\"").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "otel: invalid configuration in config/otel.toml: key `exporter.protocol`: unknown value \"gprc\"; \
///      expected one of \"grpc\", \"http/protobuf\", \"http/json\", \"console\", \"none\""
/// );
/// ```
pub fn check_file(path: impl AsRef<Path>, text: &str) -> Result<Config, ConfigError> {
    let parsed = ParsedFile::parse(path.as_ref(), text)?;
    let env = Env::new(Some(&HashMap::new()));
    let (config, _warnings, _origins) = resolve(&LoadOptions::default(), &env, Some(&parsed))?;
    Ok(config)
}

/// Loads like [`load`] from an otel.toml given as text, touching neither the filesystem nor (when
/// `options.env` is `Some`) the process environment: `options.file`, `options.cwd` and `OTEL_TOML` are not
/// used. `file` is the otel.toml's path (for messages only) and text, or `None` for no file.
///
/// This is the pure entry point for fuzzing and tests: every outside input (the file's text, every variable)
/// goes in as a value, and the result is a configuration or an error, never a panic.
///
/// ```
/// use std::path::Path;
/// let options = otel_config::LoadOptions::new()
///     .env([("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318")]);
/// let text = "[exporter]\ntraces_endpoint = \"http://file:4318/t\"";
/// let loaded = otel_config::load_with_text(&options, Some((Path::new("otel.toml"), text))).unwrap();
/// // The environment is the higher layer: its generic endpoint wins over the file's per-signal one.
/// assert_eq!(loaded.config.exporter.traces_url(), "http://env:4318/v1/traces");
/// assert_eq!(loaded.file.as_deref(), Some(Path::new("otel.toml")));
/// ```
pub fn load_with_text(options: &LoadOptions, file: Option<(&Path, &str)>) -> Result<Loaded, ConfigError> {
    let env = Env::new(options.env.as_ref());
    let parsed = file.map(|(path, text)| ParsedFile::parse(path, text)).transpose()?;
    let (config, warnings, origins) = resolve(options, &env, parsed.as_ref())?;
    let file_format = file.map(|_| FileFormat::Toml);
    Ok(Loaded { config, warnings, file: file.map(|(path, _)| path.to_path_buf()), file_format, origins })
}

/// The layers merged and validated: the configuration, the (unfinished) warnings and where each key's value
/// came from.
pub(crate) fn resolve(
    options: &LoadOptions,
    env: &Env,
    file: Option<&ParsedFile>,
) -> Result<(Config, Vec<Warning>, Origins), ConfigError> {
    let otel_toml_vars = env::otel_toml_vars::read(env)?;

    // Defaults, macro arguments and otel.toml: everything below the environment.
    let lower = || {
        let defaults = Value::serialize(Config::default()).ok().and_then(|v| v.into_dict()).unwrap_or_default();
        let mut layers = Layers::default().merge(Layer::defaults(defaults));
        for layer in macro_layers(options) {
            layers = layers.merge(layer);
        }
        match file {
            Some(file) => layers.merge(file),
            None => layers,
        }
    };
    let lower_figment = lower();
    let protocol_at = |key: &str| lower_figment.figment().extract_inner::<Option<Protocol>>(key).ok().flatten();
    let lower_protocols = env::standard::LowerProtocols {
        exporter: protocol_at(key::EXPORTER_PROTOCOL).unwrap_or_default(),
        signals: [Signal::Traces, Signal::Logs, Signal::Metrics]
            .map(|s| protocol_at(keys::signal_exporter(s).protocol)),
    };
    let standard = env::standard::read(env, lower_protocols);
    let mut warnings = standard.warnings;

    // An endpoint from a standard variable that is invalid for the final protocol is ignored with a warning,
    // and the layers are merged again without it.
    let mut ignored: Vec<String> = Vec::new();
    let (layers, mut config) = loop {
        let mut layers = lower();
        for entry in standard.entries.iter().filter(|e| !ignored.contains(&e.variable)) {
            layers = layers.merge(entry.layer());
        }
        for entry in &otel_toml_vars {
            layers = layers.merge(entry.layer());
        }
        let mut config: Config = layers.figment().extract().map_err(|e| ConfigError::from_figment(e, &layers))?;
        // Checked as they will be used: a per-signal endpoint that a higher generic one replaces no longer
        // shields that generic endpoint from the signal's protocol.
        validate::resolve_endpoint_layers(&mut config, &layers);
        let bad = validate::bad_standard_endpoints(&config, &layers);
        if bad.is_empty() {
            break (layers, config);
        }
        for (variable, warning) in bad {
            ignored.push(variable);
            warnings.push(warning);
        }
    };

    validate::merge_header_case(&mut config, &layers)?;
    validate::normalize_propagators(&mut config, &layers)?;
    validate::normalize_detectors(&mut config);
    warnings.extend(validate::clamp_batch(&mut config, &layers));
    validate::check(&config, &layers)?;
    let warnings = warnings.into_iter().map(|w| w.finish(&config)).collect();
    Ok((config, warnings, Origins::of(&layers)))
}

/// The macro's values, one layer each so that a problem names the argument: `service.name` (the macro's
/// `service`, else the crate name) and `service.version`.
fn macro_layers(options: &LoadOptions) -> Vec<Layer> {
    let layer =
        |argument, key, value: &String| Layer::new(Origin::MacroArgument(argument), nest(key, value.as_str().into()));
    let mut layers = Vec::new();
    match (&options.service_name, &options.crate_name) {
        (Some(name), _) => layers.push(layer("service", key::SERVICE_NAME, name)),
        (None, Some(name)) => layers.push(layer("crate_name", key::SERVICE_NAME, name)),
        (None, None) => {}
    }
    if let Some(version) = &options.service_version {
        layers.push(layer("service_version", key::SERVICE_VERSION, version));
    }
    layers
}
