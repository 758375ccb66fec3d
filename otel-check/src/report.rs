//! `otel-check config`: load the configuration as the app would, and render it as text, JSON or the equivalent
//! declarative configuration file.

use crate::cli::Cli;
use otel_config::{ConfigError, LoadOptions, Loaded, Signal};
use serde_json::{json, Map, Value};

/// Loads the configuration exactly as `#[otel::main]` does at start (`otel_config::load` with the process
/// environment and working directory), with `--config` and `--service` standing in for the macro's arguments.
/// The crate name and version the macro also passes are unknown here: see [`crate::cli::USAGE`].
///
/// ```
/// let cli = otel_check::cli::parse(["config", "--service", "checkout"]).unwrap();
/// let loaded = otel_check::report::load(&cli).unwrap();
/// # if std::env::var_os("OTEL_SERVICE_NAME").is_none() && !std::path::Path::new("otel.toml").exists() {
/// assert_eq!(loaded.config.service.name, "checkout");
/// # }
/// ```
pub fn load(cli: &Cli) -> Result<Loaded, ConfigError> {
    let mut options = LoadOptions::new();
    options.file = cli.config_file.clone();
    options.service_name = cli.service.clone();
    otel_config::load(&options)
}

/// What `loaded.file` is, by its name in `--json`'s `file_format`: `"otel.toml"`, `"declarative"` (the file
/// `OTEL_CONFIG_FILE` or `--config ….yaml` names: the whole configuration), or `None` when no file was read.
///
/// ```
/// let loaded = otel_check::report::load(&otel_check::cli::parse(["config"]).unwrap()).unwrap();
/// # if std::env::var_os("OTEL_CONFIG_FILE").is_none() && !std::path::Path::new("otel.toml").exists() {
/// assert_eq!(otel_check::report::file_format(&loaded), None);
/// # }
/// ```
pub fn file_format(loaded: &Loaded) -> Option<&'static str> {
    loaded.file_format.map(|format| match format {
        otel_config::FileFormat::Yaml => "declarative",
        _ => "otel.toml",
    })
}

/// The declarative configuration file (file format 1.0, for `OTEL_CONFIG_FILE`) equivalent to the loaded
/// configuration: [`otel_config::to_declarative_yaml`]. Secrets are `${VAR}` references its first lines list;
/// otel's settings without a node in the schema are listed in a comment when they differ from the defaults.
///
/// ```
/// let loaded = otel_check::report::load(&otel_check::cli::parse(["config", "--to-yaml"]).unwrap()).unwrap();
/// let yaml = otel_check::report::declarative_yaml(&loaded);
/// assert!(yaml.contains("file_format: \"1.0\"\n"));
/// ```
pub fn declarative_yaml(loaded: &Loaded) -> String {
    otel_config::to_declarative_yaml(&loaded.config)
}

/// Every warning the app would print at start: ignored `OTEL_*` values, then unavailable propagators.
///
/// ```
/// let mut loaded = otel_check::report::load(&otel_check::cli::parse(["config"]).unwrap()).unwrap();
/// loaded.config.propagators = vec![otel_config::Propagator::Jaeger];
/// assert!(otel_check::report::warnings(&loaded).iter().any(|w| w.contains("`jaeger` is not available")));
/// ```
pub fn warnings(loaded: &Loaded) -> Vec<String> {
    let mut all: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    all.extend(otel_runtime::propagator_warnings(&loaded.config.propagators));
    all
}

/// The effective configuration as one JSON object keyed like otel.toml (`service.name` is
/// `json["service"]["name"]`, `logs.batch.schedule_delay` is `json["logs"]["batch"]["schedule_delay"]`), plus
/// `signals` (what each signal is sent to), `file` (the file read, or null), `file_format` (what `file` is:
/// `"otel.toml"`, `"declarative"` for the `OTEL_CONFIG_FILE` file, or null; see [`file_format`]), `resource`
/// (every attribute sent) and `warnings`.
///
/// - `signals.traces`, `signals.logs`, `signals.metrics`: `exported` ([`Config::exports`](otel_config::Config::exports)),
///   `protocol` (after the signal's `[<signal>.exporter]` override) and `endpoint`, the exact URL the signal is
///   sent to (the `/v1/<signal>` rule applied; null for `console` and `none`).
/// - `exporter.endpoint`, `exporter.traces_endpoint`, … are the configured values (null when unset); every URL
///   has its credentials (`user:pass@`) shown as `***@`.
/// - Durations are integer milliseconds; header values are `"***"`.
/// - `sampler.arg` is the ratio in use for the ratio samplers, null for the others.
///
/// ```
/// let loaded = otel_check::report::load(&otel_check::cli::parse(["config"]).unwrap()).unwrap();
/// let json = otel_check::report::json(&loaded);
/// assert!(json["exporter"]["timeout"].is_u64());
/// assert!(json["signals"]["logs"]["exported"].is_boolean());
/// assert!(json["resource"]["telemetry.sdk.language"] == "rust");
/// ```
pub fn json(loaded: &Loaded) -> Value {
    let config = &loaded.config;
    let mut value = serde_json::to_value(config).unwrap_or_else(|_| json!({}));
    let mut signals = Map::new();
    for signal in Signal::ALL.iter().copied() {
        let exporter = config.exporter_for(signal);
        // Credentials in the URL are sent as Basic authorization, never shown.
        let url = exporter.protocol.is_otlp().then(|| exporter.url_redacted(signal));
        let entry = json!({ "exported": config.exports(signal), "protocol": exporter.protocol, "endpoint": url });
        signals.insert(signal.as_str().into(), entry);
    }
    if let Some(sampler) = value.get_mut("sampler").and_then(Value::as_object_mut) {
        let arg = config.sampler.name.is_ratio().then(|| config.sampler.ratio());
        sampler.insert("arg".into(), json!(arg));
    }
    let mut resource = Map::new();
    for (key, text) in otel_runtime::resource_attributes(config) {
        // [resource] values keep their TOML type; the rest are strings.
        let typed = config.resource.get(&key).and_then(|v| serde_json::to_value(v).ok());
        resource.insert(key, typed.unwrap_or(Value::String(text)));
    }
    if let Some(object) = value.as_object_mut() {
        object.insert("signals".into(), Value::Object(signals));
        object.insert("resource".into(), Value::Object(resource));
        object.insert("file".into(), json!(loaded.file.as_ref().map(|p| p.display().to_string())));
        object.insert("file_format".into(), json!(file_format(loaded)));
        object.insert("warnings".into(), json!(warnings(loaded)));
    }
    value
}

/// The effective configuration as text: one `key = value` line per otel.toml key (values as JSON), then the
/// resource and the warnings.
///
/// ```
/// let loaded = otel_check::report::load(&otel_check::cli::parse(["config"]).unwrap()).unwrap();
/// let text = otel_check::report::text(&loaded);
/// assert!(text.contains("exporter.protocol = "));
/// assert!(text.contains("signals.metrics.endpoint = "));
/// assert!(text.contains("resource:\n"));
/// ```
pub fn text(loaded: &Loaded) -> String {
    let mut value = json(loaded);
    let object = value.as_object_mut().expect("the configuration is a JSON object");
    let file = object.remove("file");
    object.remove("file_format");
    let resource = object.remove("resource");
    let warnings = object.remove("warnings");
    let mut out = String::new();
    match (file.as_ref().and_then(Value::as_str), file_format(loaded)) {
        (Some(path), Some("declarative")) => out.push_str(&format!(
            "# declarative configuration file: {path}; otel.toml and the other OTEL_* variables are not read\n"
        )),
        (Some(path), _) => out.push_str(&format!("# otel.toml: {path}\n")),
        (None, _) => out.push_str("# otel.toml: none (built-in defaults and the environment)\n"),
    }
    flatten("", &value, &mut out);
    out.push_str("resource:\n");
    for (key, value) in resource.as_ref().and_then(Value::as_object).into_iter().flatten() {
        out.push_str(&format!("  {key} = {value}\n"));
    }
    let warnings: Vec<&str> =
        warnings.as_ref().and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    if warnings.is_empty() {
        out.push_str("warnings: none\n");
    } else {
        out.push_str("warnings:\n");
        for warning in warnings {
            out.push_str(&format!("  {warning}\n"));
        }
    }
    out
}

/// `key = value` lines for every leaf of `value`; the header tables (`exporter.headers`,
/// `logs.exporter.headers`, …) are leaves.
fn flatten(prefix: &str, value: &Value, out: &mut String) {
    match value {
        Value::Object(map) if !prefix.ends_with("exporter.headers") => {
            for (key, value) in map {
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                flatten(&path, value, out);
            }
        }
        leaf => out.push_str(&format!("{prefix} = {leaf}\n")),
    }
}
