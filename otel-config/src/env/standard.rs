//! The standard `OTEL_*` variables (and `RUST_LOG`), parsed with the OTel spec's rules: an empty value is
//! unset; an unparsable or out-of-range number, an unknown enum value or a bad boolean is a warning, and the
//! variable is ignored — never an error. Per-signal `OTEL_EXPORTER_OTLP_TRACES_*` variables win over the
//! generic `OTEL_EXPORTER_OTLP_*` ones.

use super::{Env, EnvEntry};
use crate::duration::MAX_DURATION_MS;
use crate::endpoint::redacted;
use crate::enums::{Compression, Propagator, Protocol, SamplerName};
use crate::error::ProblemKind;
use crate::headers::{last_wins, REDACTED};
use crate::keys::key;
use crate::model::MAX_QUEUE_SIZE;
use crate::pairs::parse_pairs;
use crate::warning::{Instead, PendingWarning};
use figment::value::{Dict, Value};

/// What the standard variables set, in merge order (later entries win), and what they warned about.
pub(crate) struct Standard {
    pub(crate) entries: Vec<EnvEntry>,
    pub(crate) warnings: Vec<PendingWarning>,
}

/// Reads the standard variables. `lower_protocol` is `exporter.protocol` from the layers below the environment
/// (needed for `OTEL_TRACES_EXPORTER=otlp`).
pub(crate) fn read(env: &Env, lower_protocol: Protocol) -> Standard {
    let mut r = Reader { env, entries: Vec::new(), warnings: Vec::new() };
    r.boolean("OTEL_SDK_DISABLED", key::DISABLED);
    r.resource_attributes();
    r.string("OTEL_SERVICE_NAME", key::SERVICE_NAME);

    let protocol = r.per_signal("PROTOCOL", Reader::protocol);
    r.traces_exporter(protocol.unwrap_or(lower_protocol));
    r.string("OTEL_EXPORTER_OTLP_ENDPOINT", key::EXPORTER_ENDPOINT);
    r.string("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", key::EXPORTER_TRACES_ENDPOINT);
    r.per_signal("HEADERS", Reader::headers);
    r.per_signal("TIMEOUT", |r, var| r.millis(var, key::EXPORTER_TIMEOUT));
    r.per_signal("COMPRESSION", Reader::compression);
    r.per_signal("INSECURE", |r, var| r.boolean(var, key::EXPORTER_INSECURE));
    r.per_signal("CERTIFICATE", |r, var| r.string(var, key::EXPORTER_CERTIFICATE));
    r.per_signal("CLIENT_KEY", |r, var| r.string(var, key::EXPORTER_CLIENT_KEY));
    r.per_signal("CLIENT_CERTIFICATE", |r, var| r.string(var, key::EXPORTER_CLIENT_CERTIFICATE));

    r.millis("OTEL_BSP_SCHEDULE_DELAY", key::BATCH_SCHEDULE_DELAY);
    r.millis("OTEL_BSP_EXPORT_TIMEOUT", key::BATCH_EXPORT_TIMEOUT);
    r.count("OTEL_BSP_MAX_QUEUE_SIZE", key::BATCH_MAX_QUEUE_SIZE, 1, MAX_QUEUE_SIZE as u64);
    r.count("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", key::BATCH_MAX_EXPORT_BATCH_SIZE, 1, MAX_QUEUE_SIZE as u64);

    r.sampler();
    r.propagators();

    let limit = |r: &mut Reader, var: &str, key: &'static str| r.count(var, key, 0, u32::MAX.into());
    if limit(&mut r, "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", key::LIMITS_ATTRIBUTE_COUNT).is_none() {
        limit(&mut r, "OTEL_ATTRIBUTE_COUNT_LIMIT", key::LIMITS_ATTRIBUTE_COUNT);
    }
    limit(&mut r, "OTEL_SPAN_EVENT_COUNT_LIMIT", key::LIMITS_EVENT_COUNT);
    limit(&mut r, "OTEL_SPAN_LINK_COUNT_LIMIT", key::LIMITS_LINK_COUNT);
    limit(&mut r, "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", key::LIMITS_ATTRIBUTE_PER_EVENT);
    limit(&mut r, "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", key::LIMITS_ATTRIBUTE_PER_LINK);
    for variable in ["OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"] {
        if let Some(raw) = r.env.get(variable) {
            let reason = "attribute value length limits are not supported by opentelemetry_sdk 0.33";
            r.warn(variable, raw, reason, Instead::Text("values are not truncated".into()));
        }
    }

    r.string("RUST_LOG", key::FMT_FILTER);
    Standard { entries: r.entries, warnings: r.warnings }
}

struct Reader<'a> {
    env: &'a Env,
    entries: Vec<EnvEntry>,
    warnings: Vec<PendingWarning>,
}

impl Reader<'_> {
    fn set(&mut self, variable: &str, key: &'static str, value: impl Into<Value>) {
        self.entries.push(EnvEntry { variable: variable.to_string(), key, value: value.into() });
    }

    /// The value is shown redacted: header values not at all, endpoints without their credentials.
    fn warn(&mut self, variable: &str, value: &str, reason: impl Into<String>, instead: Instead) {
        let value = if variable.ends_with("_HEADERS") {
            REDACTED.to_string()
        } else if variable.ends_with("_ENDPOINT") {
            redacted(value)
        } else {
            value.to_string()
        };
        self.warnings.push(PendingWarning { variable: variable.to_string(), value, reason: reason.into(), instead });
    }

    /// `OTEL_EXPORTER_OTLP_TRACES_<suffix>` if it gives a value, else `OTEL_EXPORTER_OTLP_<suffix>`.
    fn per_signal<T>(&mut self, suffix: &str, mut read: impl FnMut(&mut Self, &str) -> Option<T>) -> Option<T> {
        read(self, &format!("OTEL_EXPORTER_OTLP_TRACES_{suffix}"))
            .or_else(|| read(self, &format!("OTEL_EXPORTER_OTLP_{suffix}")))
    }

    fn string(&mut self, variable: &str, key: &'static str) -> Option<()> {
        let raw = self.env.get(variable)?.trim().to_string();
        self.set(variable, key, raw);
        Some(())
    }

    /// Only `true` (any case) is true; anything but `true`/`false` warns and is false, as the spec says.
    fn boolean(&mut self, variable: &str, key: &'static str) -> Option<bool> {
        let raw = self.env.get(variable)?;
        let value = match raw.trim().to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            _ => {
                self.warn(variable, raw, "not true or false", Instead::Text("using false".into()));
                false
            }
        };
        self.set(variable, key, value);
        Some(value)
    }

    /// An integer in `min..=max`. Above `max` (however many digits) the variable is clamped to `max` with a
    /// warning: the deployment asked for "a lot", and the bound is the most it can have.
    fn count(&mut self, variable: &str, key: &'static str, min: u64, max: u64) -> Option<u64> {
        let raw = self.env.get(variable)?;
        let reason = match parse_unsigned(raw) {
            Some(n) if n < min => format!("must be at least {min}"),
            Some(n) if n > max => {
                self.warn(
                    variable,
                    raw,
                    format!("larger than the maximum {max}"),
                    Instead::Text(format!("using {max}")),
                );
                self.set(variable, key, max);
                return Some(max);
            }
            Some(n) => {
                self.set(variable, key, n);
                return Some(n);
            }
            None => "not a non-negative integer".to_string(),
        };
        self.warn(variable, raw, reason, Instead::UsingKey(key));
        None
    }

    /// Integer milliseconds, at most [`MAX_DURATION_MS`] (longer is clamped to it, with a warning); negative
    /// values warn and the lower layers' value is used.
    fn millis(&mut self, variable: &str, key: &'static str) -> Option<u64> {
        let raw = self.env.get(variable)?;
        let reason = match parse_unsigned(raw) {
            Some(ms) if ms > MAX_DURATION_MS => {
                let reason = format!("longer than the maximum of 365 days ({MAX_DURATION_MS} ms)");
                self.warn(variable, raw, reason, Instead::Text(format!("using {MAX_DURATION_MS}")));
                self.set(variable, key, MAX_DURATION_MS);
                return Some(MAX_DURATION_MS);
            }
            Some(ms) => {
                self.set(variable, key, ms);
                return Some(ms);
            }
            None if raw.trim().strip_prefix('-').is_some_and(all_digits) => "a negative duration",
            None => "not an integer number of milliseconds",
        };
        self.warn(variable, raw, reason, Instead::UsingKey(key));
        None
    }

    fn unknown(&mut self, variable: &str, raw: &str, what: &str, valid: &[&str], key: &'static str) {
        let valid: Vec<String> = valid.iter().map(|v| format!("{v:?}")).collect();
        self.warn(
            variable,
            raw,
            format!("unknown {what}; expected one of {}", valid.join(", ")),
            Instead::UsingKey(key),
        );
    }

    fn protocol(&mut self, variable: &str) -> Option<Protocol> {
        let raw = self.env.get(variable)?;
        match Protocol::parse(raw).filter(|p| p.is_otlp()) {
            Some(p) => {
                self.set(variable, key::EXPORTER_PROTOCOL, p.as_str());
                Some(p)
            }
            None => {
                self.unknown(
                    variable,
                    raw,
                    "protocol",
                    &["grpc", "http/protobuf", "http/json"],
                    key::EXPORTER_PROTOCOL,
                );
                None
            }
        }
    }

    fn compression(&mut self, variable: &str) -> Option<Compression> {
        let raw = self.env.get(variable)?;
        match Compression::parse(raw) {
            Some(c) => {
                self.set(variable, key::EXPORTER_COMPRESSION, c.as_str());
                Some(c)
            }
            None => {
                self.unknown(variable, raw, "compression", Compression::VALID, key::EXPORTER_COMPRESSION);
                None
            }
        }
    }

    /// `otlp` keeps the OTLP protocol (or picks the spec's `http/protobuf` when the layers below chose
    /// `console`/`none`); `console` and `none` set the protocol. A list takes its first entry, with a warning.
    fn traces_exporter(&mut self, protocol: Protocol) {
        let variable = "OTEL_TRACES_EXPORTER";
        let Some(raw) = self.env.get(variable) else {
            return;
        };
        let names: Vec<String> =
            raw.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect();
        let Some(first) = names.first() else { return };
        let chosen = match first.as_str() {
            "otlp" if protocol.is_otlp() => protocol,
            "otlp" => Protocol::HttpProtobuf,
            "console" => Protocol::Console,
            "none" => Protocol::None,
            _ => {
                self.unknown(variable, raw, "exporter", &["otlp", "console", "none"], key::EXPORTER_PROTOCOL);
                return;
            }
        };
        if chosen != protocol {
            self.set(variable, key::EXPORTER_PROTOCOL, chosen.as_str());
        }
        if names.len() > 1 {
            let instead = Instead::Text(format!("using {first:?} (exporter.protocol {:?})", chosen.as_str()));
            self.warn(variable, raw, "only one trace exporter is supported", instead);
        }
    }

    /// `k=v` pairs, percent-decoded, each a valid HTTP header; otherwise the whole variable is ignored.
    fn headers(&mut self, variable: &str) -> Option<()> {
        let raw = self.env.get(variable)?;
        let problem = match parse_pairs(raw) {
            Err(why) => format!("not a comma-separated list of key=value pairs with percent-encoded values ({why})"),
            Ok(pairs) => match pairs.iter().find_map(|(k, v)| header_problem(k, v)) {
                Some(problem) => problem.text(),
                None => {
                    // `Authorization=a,authorization=b` is one header: the later item wins.
                    let dict: Dict = last_wins(pairs).into_iter().map(|(k, v)| (k, Value::from(v))).collect();
                    self.set(variable, key::EXPORTER_HEADERS, dict);
                    return Some(());
                }
            },
        };
        self.warn(variable, raw, problem, Instead::Text("ignored".into()));
        None
    }

    /// `k=v` pairs, percent-decoded; a decoding error discards the whole value. `service.name`,
    /// `service.version` and `deployment.environment[.name]` set the `[service]` keys; the rest go to
    /// `[resource]`.
    fn resource_attributes(&mut self) {
        let variable = "OTEL_RESOURCE_ATTRIBUTES";
        let Some(raw) = self.env.get(variable) else {
            return;
        };
        let pairs = match parse_pairs(raw) {
            Ok(pairs) => pairs,
            Err(why) => {
                let reason =
                    format!("not a comma-separated list of key=value pairs with percent-encoded values ({why})");
                self.warn(variable, raw, reason, Instead::Text("the whole value is discarded".into()));
                return;
            }
        };
        let mut rest = Dict::new();
        for (name, value) in pairs {
            // Resource attribute names (the semantic conventions), not otel.toml keys.
            let target = match name.as_str() {
                "service.name" => key::SERVICE_NAME,
                "service.version" => key::SERVICE_VERSION,
                "deployment.environment.name" | "deployment.environment" => key::SERVICE_ENVIRONMENT,
                _ => {
                    rest.insert(name, Value::from(value));
                    continue;
                }
            };
            if value.trim().is_empty() {
                // Only blanks is no name: a standard variable warns, it never stops the start (found by fuzzing:
                // `service.name=%20` failed the validation of `service.name` with an error).
                if !value.is_empty() {
                    let reason = format!("`{name}` is blank");
                    self.warn(variable, raw, reason, Instead::Text(format!("`{name}` from it is ignored")));
                }
                continue;
            }
            self.set(variable, target, value);
        }
        if !rest.is_empty() {
            self.set(variable, key::RESOURCE, rest);
        }
    }

    /// `OTEL_TRACES_SAMPLER`, and `OTEL_TRACES_SAMPLER_ARG` only when the sampler is set.
    fn sampler(&mut self) {
        let (variable, arg_variable) = ("OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG");
        let Some(raw) = self.env.get(variable) else {
            if let Some(arg) = self.env.get(arg_variable) {
                let reason = "used only together with OTEL_TRACES_SAMPLER";
                self.warn(arg_variable, arg, reason, Instead::Text("ignored".into()));
            }
            return;
        };
        let Some(name) = SamplerName::parse(raw) else {
            let unsupported = ["jaeger_remote", "parentbased_jaeger_remote", "xray"];
            let what = if unsupported.contains(&raw.trim().to_ascii_lowercase().as_str()) {
                "sampler (not supported by this crate)"
            } else {
                "sampler"
            };
            self.unknown(variable, raw, what, SamplerName::VALID, key::SAMPLER_NAME);
            return;
        };
        self.set(variable, key::SAMPLER_NAME, name.as_str());
        let Some(arg) = self.env.get(arg_variable) else {
            return;
        };
        if !name.is_ratio() {
            return;
        }
        match arg.trim().parse::<f64>() {
            Ok(ratio) if (0.0..=1.0).contains(&ratio) => self.set(arg_variable, key::SAMPLER_ARG, ratio),
            Ok(_) => self.warn(arg_variable, arg, "not a ratio between 0 and 1", Instead::UsingKey(key::SAMPLER_ARG)),
            Err(_) => self.warn(arg_variable, arg, "not a number", Instead::UsingKey(key::SAMPLER_ARG)),
        }
    }

    /// A comma list, case-insensitive, trimmed and de-duplicated; unknown names warn and are skipped; `none`
    /// alone is the empty list.
    fn propagators(&mut self) {
        let variable = "OTEL_PROPAGATORS";
        let Some(raw) = self.env.get(variable) else {
            return;
        };
        let mut list: Vec<Propagator> = Vec::new();
        let mut none = false;
        for name in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match Propagator::parse(name) {
                Some(Propagator::None) => none = true,
                Some(p) if !list.contains(&p) => list.push(p),
                Some(_) => {}
                None => {
                    let valid: Vec<String> = Propagator::VALID.iter().map(|v| format!("{v:?}")).collect();
                    let note = if name.eq_ignore_ascii_case("ottrace") { " (not supported by this crate)" } else { "" };
                    let reason = format!("unknown propagator {name:?}{note}; expected one of {}", valid.join(", "));
                    self.warn(variable, raw, reason, Instead::Text(format!("{name:?} skipped")));
                }
            }
        }
        if none && !list.is_empty() {
            let reason = "\"none\" cannot be combined with other propagators";
            self.warn(variable, raw, reason, Instead::Text("\"none\" skipped".into()));
        }
        if list.is_empty() && !none {
            return;
        }
        let names: Vec<Value> = list.iter().map(|p| Value::from(p.as_str())).collect();
        self.set(variable, key::PROPAGATORS, names);
    }
}

/// A non-negative integer; a run of digits too long for a `u64` is `u64::MAX` (above any bound), not malformed.
fn parse_unsigned(raw: &str) -> Option<u64> {
    let text = raw.trim();
    if all_digits(text) {
        Some(text.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        text.parse::<u64>().ok()
    }
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Why a header cannot be sent, naming the header but never keeping its value.
pub(crate) fn header_problem(name: &str, value: &str) -> Option<ProblemKind> {
    if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
        Some(ProblemKind::InvalidHeaderName { name: name.to_string() })
    } else if http::HeaderValue::from_str(value).is_err() {
        Some(ProblemKind::InvalidHeaderValue { name: name.to_string() })
    } else {
        None
    }
}
