//! The standard `OTEL_*` variables, parsed with the OTel spec's rules: empty is unset; a bad value is
//! a warning and is ignored, never an error.

use crate::load::Warning;
use crate::model::Protocol;
use figment::value::Value;

/// One accepted variable: its name, the otel.toml key it sets, the value.
pub(crate) struct EnvValue {
    pub(crate) variable: String,
    pub(crate) key: &'static str,
    pub(crate) value: Value,
}

/// Reads the variables, lowest precedence first (per-signal variables come after generic ones, so they win).
pub(crate) fn read(get: &dyn Fn(&str) -> Option<String>) -> (Vec<EnvValue>, Vec<Warning>) {
    let mut out = Reader { get, values: Vec::new(), warnings: Vec::new() };
    out.boolean("OTEL_SDK_DISABLED", "disabled");
    out.resource_attributes();
    out.string("OTEL_SERVICE_NAME", "service.name");
    out.traces_exporter();
    for signal in ["OTEL_EXPORTER_OTLP_", "OTEL_EXPORTER_OTLP_TRACES_"] {
        out.protocol(&format!("{signal}PROTOCOL"));
        out.millis(&format!("{signal}TIMEOUT"), "exporter.timeout");
        out.headers(&format!("{signal}HEADERS"));
        out.compression(&format!("{signal}COMPRESSION"));
    }
    out.string("OTEL_EXPORTER_OTLP_ENDPOINT", "exporter.endpoint");
    out.string("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "exporter.traces_endpoint");
    out.millis("OTEL_BSP_SCHEDULE_DELAY", "batch.schedule_delay");
    out.millis("OTEL_BSP_EXPORT_TIMEOUT", "batch.export_timeout");
    out.count("OTEL_BSP_MAX_QUEUE_SIZE", "batch.max_queue_size");
    out.count("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "batch.max_export_batch_size");
    out.sampler();
    out.propagators();
    out.string("RUST_LOG", "fmt.filter");
    (out.values, out.warnings)
}

/// Every otel.toml key, settable as `OTEL_TOML_` + the key upper-cased with `.` → `_`.
pub const KEYS: &[&str] = &[
    "disabled", "service.name", "service.version", "service.environment", "resource",
    "exporter.protocol", "exporter.endpoint", "exporter.traces_endpoint", "exporter.timeout", "exporter.headers",
    "exporter.compression", "batch.max_queue_size", "batch.max_export_batch_size", "batch.schedule_delay",
    "batch.export_timeout", "sampler.name", "sampler.arg", "propagators", "fmt.format", "fmt.filter",
    "shutdown.timeout", "shutdown.always_summary",
];

/// The `OTEL_TOML_<KEY>` variable for a key.
pub(crate) fn toml_variable(key: &str) -> String {
    format!("OTEL_TOML_{}", key.replace('.', "_").to_ascii_uppercase())
}

/// Reads the `OTEL_TOML_<KEY>` variables. Unlike the standard ones they are the app's own settings: a
/// malformed value is an error (raised when the configuration is extracted), as in otel.toml.
pub(crate) fn read_toml_overrides(env: &std::collections::HashMap<String, String>) -> Result<Vec<EnvValue>, String> {
    let mut values = Vec::new();
    let mut names: Vec<&String> = env.keys().filter(|k| k.starts_with("OTEL_TOML_")).collect();
    names.sort();
    for name in names {
        let raw = env[name].trim();
        if raw.is_empty() {
            continue;
        }
        let Some(key) = KEYS.iter().find(|k| toml_variable(k) == *name) else {
            let known: Vec<String> = KEYS.iter().map(|k| toml_variable(k)).collect();
            let known_refs: Vec<&str> = known.iter().map(String::as_str).collect();
            let hint = crate::validate::closest(name, &known_refs).map(|s| format!("; did you mean {s}?")).unwrap_or_default();
            return Err(format!("otel: unknown environment variable {name}{hint} (each otel.toml key has one: OTEL_TOML_ + the key in upper case with `.` as `_`)"));
        };
        let value = match *key {
            "resource" | "exporter.headers" => match parse_pairs(raw) {
                Some(pairs) => Value::from(pairs.into_iter().map(|(k, v)| (k, Value::from(v))).collect::<figment::value::Dict>()),
                None => return Err(format!("otel: invalid value in environment variable {name}: expected k=v,k2=v2 with percent-encoded values")),
            },
            "propagators" => Value::from(raw.split(',').map(|p| Value::from(p.trim().to_ascii_lowercase())).collect::<Vec<_>>()),
            "service.name" | "service.version" | "service.environment" | "exporter.endpoint" | "exporter.traces_endpoint" | "fmt.filter" => Value::from(raw.to_string()),
            _ => raw.parse::<Value>().unwrap_or_else(|_| Value::from(raw.to_string())),
        };
        values.push(EnvValue { variable: name.clone(), key, value });
    }
    Ok(values)
}

struct Reader<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
    values: Vec<EnvValue>,
    warnings: Vec<Warning>,
}

impl Reader<'_> {
    fn set(&mut self, variable: &str, key: &'static str, value: Value) {
        self.values.push(EnvValue { variable: variable.to_string(), key, value });
    }

    fn warn(&mut self, variable: &str, value: &str, message: impl Into<String>) {
        self.warnings.push(Warning { variable: variable.into(), value: value.into(), message: message.into() });
    }

    fn string(&mut self, variable: &str, key: &'static str) {
        if let Some(v) = (self.get)(variable) {
            self.set(variable, key, Value::from(v));
        }
    }

    fn boolean(&mut self, variable: &str, key: &'static str) {
        if let Some(v) = (self.get)(variable) {
            match v.trim().to_ascii_lowercase().as_str() {
                "true" => self.set(variable, key, Value::from(true)),
                "false" => self.set(variable, key, Value::from(false)),
                _ => self.warn(variable, &v, "not a boolean (true or false); using false"),
            }
        }
    }

    fn millis(&mut self, variable: &str, key: &'static str) {
        if let Some(v) = (self.get)(variable) {
            match v.trim().parse::<i64>() {
                Ok(ms) if ms >= 0 => self.set(variable, key, Value::from(ms as u64)),
                Ok(_) => self.warn(variable, &v, "a duration cannot be negative; using the default"),
                Err(_) => self.warn(variable, &v, "not an integer number of milliseconds; using the default"),
            }
        }
    }

    fn count(&mut self, variable: &str, key: &'static str) {
        if let Some(v) = (self.get)(variable) {
            match v.trim().parse::<u64>() {
                Ok(n) if n > 0 => self.set(variable, key, Value::from(n)),
                _ => self.warn(variable, &v, "not a positive integer; using the default"),
            }
        }
    }

    fn protocol(&mut self, variable: &str) {
        if let Some(v) = (self.get)(variable) {
            match Protocol::parse(&v).filter(|p| matches!(p, Protocol::Grpc | Protocol::HttpProtobuf | Protocol::HttpJson)) {
                Some(p) => self.set(variable, "exporter.protocol", Value::from(p.as_str())),
                None => self.warn(variable, &v, "unknown protocol (valid: grpc, http/protobuf, http/json); ignored"),
            }
        }
    }

    fn compression(&mut self, variable: &str) {
        if let Some(v) = (self.get)(variable) {
            match v.trim().to_ascii_lowercase().as_str() {
                c @ ("gzip" | "none") => self.set(variable, "exporter.compression", Value::from(c)),
                _ => self.warn(variable, &v, "unknown compression (valid: gzip, none); ignored"),
            }
        }
    }

    fn sampler(&mut self) {
        let variable = "OTEL_TRACES_SAMPLER";
        let Some(v) = (self.get)(variable) else { return };
        let name = v.trim().to_ascii_lowercase();
        if !crate::model::SamplerName::VALID.contains(&name.as_str()) {
            self.warn(variable, &v, "unknown sampler (valid: always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio); using parentbased_always_on");
            return;
        }
        self.set(variable, "sampler.name", Value::from(name.clone()));
        // The argument counts only with a sampler set by the environment, and only for the ratio samplers.
        let arg_variable = "OTEL_TRACES_SAMPLER_ARG";
        if let Some(arg) = (self.get)(arg_variable) {
            match arg.trim().parse::<f64>() {
                Ok(r) if (0.0..=1.0).contains(&r) && name.ends_with("traceidratio") => self.set(arg_variable, "sampler.arg", Value::from(r)),
                Ok(_) if !name.ends_with("traceidratio") => {}
                _ => self.warn(arg_variable, &arg, "not a ratio between 0 and 1; using 1.0"),
            }
        }
    }

    fn propagators(&mut self) {
        let variable = "OTEL_PROPAGATORS";
        let Some(v) = (self.get)(variable) else { return };
        let mut list: Vec<&'static str> = Vec::new();
        for name in v.split(',').map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()) {
            let known = match name.as_str() {
                "tracecontext" => "tracecontext",
                "baggage" => "baggage",
                "none" => "none",
                _ => {
                    self.warn(variable, &name, "unknown or unsupported propagator (supported: tracecontext, baggage, none); skipped");
                    continue;
                }
            };
            if !list.contains(&known) {
                list.push(known);
            }
        }
        let list: Vec<Value> = list.into_iter().filter(|n| *n != "none").map(Value::from).collect();
        self.set(variable, "propagators", Value::from(list));
    }

    fn traces_exporter(&mut self) {
        let variable = "OTEL_TRACES_EXPORTER";
        if let Some(v) = (self.get)(variable) {
            let first = v.split(',').next().unwrap_or("").trim().to_ascii_lowercase();
            match first.as_str() {
                "otlp" => {}
                "console" | "none" => self.set(variable, "exporter.protocol", Value::from(first)),
                _ => self.warn(variable, &v, "unknown exporter (valid: otlp, console, none); using otlp"),
            }
        }
    }

    fn headers(&mut self, variable: &str) {
        if let Some(v) = (self.get)(variable) {
            match parse_pairs(&v) {
                Some(pairs) => {
                    let dict: figment::value::Dict = pairs.into_iter().map(|(k, v)| (k, Value::from(v))).collect();
                    self.set(variable, "exporter.headers", Value::from(dict));
                }
                // Header values are secrets: the warning shows no part of them.
                None => self.warn(variable, "<redacted>", "not a list of key=value pairs with percent-encoded values; ignored"),
            }
        }
    }

    fn resource_attributes(&mut self) {
        let variable = "OTEL_RESOURCE_ATTRIBUTES";
        let Some(v) = (self.get)(variable) else { return };
        let Some(pairs) = parse_pairs(&v) else {
            self.warn(variable, &v, "not a list of key=value pairs with percent-encoded values; the whole value is discarded");
            return;
        };
        let mut rest = figment::value::Dict::new();
        for (k, value) in pairs {
            match k.as_str() {
                "service.name" => self.set(variable, "service.name", Value::from(value)),
                "service.version" => self.set(variable, "service.version", Value::from(value)),
                "deployment.environment.name" | "deployment.environment" => {
                    self.set(variable, "service.environment", Value::from(value))
                }
                _ => {
                    rest.insert(k, Value::from(value));
                }
            }
        }
        if !rest.is_empty() {
            self.set(variable, "resource", Value::from(rest));
        }
    }
}

/// Parses `k=v,k2=v2` with percent-encoded keys and values; `None` on any malformed pair.
///
/// ```ignore
/// assert_eq!(parse_pairs("a=b%2Cc"), Some(vec![("a".into(), "b,c".into())]));
/// ```
pub(crate) fn parse_pairs(text: &str) -> Option<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (k, v) = item.split_once('=')?;
        let key = percent_decode(k.trim())?;
        if key.is_empty() {
            return None;
        }
        pairs.push((key, percent_decode(v.trim())?));
    }
    Some(pairs)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
