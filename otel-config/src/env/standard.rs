//! The standard `OTEL_*` variables (and `RUST_LOG`), parsed with the OTel spec's rules: an empty value is
//! unset; an unparsable or out-of-range number, an unknown enum value or a bad boolean is a warning, and the
//! variable is ignored — never an error. The generic `OTEL_EXPORTER_OTLP_*` variables set `[exporter]`; the
//! per-signal `OTEL_EXPORTER_OTLP_{TRACES,LOGS,METRICS}_*` ones set that signal's overrides only.

use super::{Env, EnvEntry};
use crate::duration::MAX_DURATION_MS;
use crate::endpoint::redacted;
use crate::enums::{Compression, Propagator, Protocol, ResourceDetector, SamplerName, Signal, Temporality};
use crate::error::ProblemKind;
use crate::headers::{last_wins, REDACTED};
use crate::keys::{self, key, BatchKeys, ExporterKeys};
use crate::model::MAX_QUEUE_SIZE;
use crate::pairs::parse_pairs;
use crate::warning::{Instead, PendingWarning};
use figment::value::{Dict, Value};

/// What the standard variables set, in merge order (later entries win), and what they warned about.
pub(crate) struct Standard {
    pub(crate) entries: Vec<EnvEntry>,
    pub(crate) warnings: Vec<PendingWarning>,
}

/// What the layers below the environment say about the protocols, needed for `OTEL_<SIGNAL>_EXPORTER=otlp`
/// (which keeps an OTLP protocol and replaces `console`/`none`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LowerProtocols {
    /// `exporter.protocol`.
    pub(crate) exporter: Protocol,
    /// `traces.exporter.protocol`, `logs.exporter.protocol`, `metrics.exporter.protocol`, by [`Signal::ALL`].
    pub(crate) signals: [Option<Protocol>; 3],
}

/// `OTEL_EXPORTER_OTLP_` + the signal's name: the prefix of its per-signal variables.
fn otlp_prefix(signal: Signal) -> String {
    format!("OTEL_EXPORTER_OTLP_{}_", signal.as_str().to_ascii_uppercase())
}

/// Reads the standard variables. `lower` is what the layers below the environment set for the protocols.
pub(crate) fn read(env: &Env, lower: LowerProtocols) -> Standard {
    let mut r = Reader { env, entries: Vec::new(), warnings: Vec::new() };
    r.boolean("OTEL_SDK_DISABLED", key::DISABLED);
    r.resource_attributes();
    r.string("OTEL_SERVICE_NAME", key::SERVICE_NAME);

    // The generic variables set `[exporter]`; the per-signal ones set only their signal's overrides
    // (`[traces.exporter]`, …) and endpoint (`exporter.traces_endpoint`, …), so that they never touch another
    // signal. `Config::exporter_for` applies the overrides.
    let generic = r.protocol("OTEL_EXPORTER_OTLP_PROTOCOL", keys::EXPORTER.protocol);
    r.exporter_variables("OTEL_EXPORTER_OTLP_", keys::EXPORTER);
    for (i, signal) in Signal::ALL.iter().copied().enumerate() {
        let keys = keys::signal_exporter(signal);
        let prefix = otlp_prefix(signal);
        let own = r.protocol(&format!("{prefix}PROTOCOL"), keys.protocol);
        r.exporter_variables(&prefix, keys);
        // The protocol the signal would use without `OTEL_<SIGNAL>_EXPORTER`: its own override (the variable
        // over the lower layers), else `exporter.protocol` (the variable over the lower layers).
        let protocol = own.or(lower.signals[i]).or(generic).unwrap_or(lower.exporter);
        r.signal_exporter(signal, protocol);
    }

    r.batch("OTEL_BSP_", keys::SPAN_BATCH);
    r.batch("OTEL_BLRP_", keys::LOG_BATCH);

    r.metric_interval();
    r.millis("OTEL_METRIC_EXPORT_TIMEOUT", key::METRICS_TIMEOUT);
    r.temporality();
    r.resource_detectors();

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

    /// `<prefix>ENDPOINT`, `<prefix>HEADERS`, … (all but `PROTOCOL`) onto `keys`.
    fn exporter_variables(&mut self, prefix: &str, keys: ExporterKeys) {
        let var = |suffix: &str| format!("{prefix}{suffix}");
        self.string(&var("ENDPOINT"), keys.endpoint);
        self.headers(&var("HEADERS"), keys.headers);
        self.millis(&var("TIMEOUT"), keys.timeout);
        self.compression(&var("COMPRESSION"), keys.compression);
        self.boolean(&var("INSECURE"), keys.insecure);
        self.string(&var("CERTIFICATE"), keys.certificate);
        self.string(&var("CLIENT_KEY"), keys.client_key);
        self.string(&var("CLIENT_CERTIFICATE"), keys.client_certificate);
    }

    /// `<prefix>SCHEDULE_DELAY`, `EXPORT_TIMEOUT`, `MAX_QUEUE_SIZE`, `MAX_EXPORT_BATCH_SIZE` (`OTEL_BSP_*`,
    /// `OTEL_BLRP_*`) onto a batch processor's keys.
    fn batch(&mut self, prefix: &str, keys: BatchKeys) {
        let var = |suffix: &str| format!("{prefix}{suffix}");
        self.millis(&var("SCHEDULE_DELAY"), keys.schedule_delay);
        self.millis(&var("EXPORT_TIMEOUT"), keys.export_timeout);
        self.count(&var("MAX_QUEUE_SIZE"), keys.max_queue_size, 1, MAX_QUEUE_SIZE as u64);
        self.count(&var("MAX_EXPORT_BATCH_SIZE"), keys.max_export_batch_size, 1, MAX_QUEUE_SIZE as u64);
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

    fn protocol(&mut self, variable: &str, key: &'static str) -> Option<Protocol> {
        let raw = self.env.get(variable)?;
        match Protocol::parse(raw).filter(|p| p.is_otlp()) {
            Some(p) => {
                self.set(variable, key, p.as_str());
                Some(p)
            }
            None => {
                self.unknown(variable, raw, "protocol", &["grpc", "http/protobuf", "http/json"], key);
                None
            }
        }
    }

    fn compression(&mut self, variable: &str, key: &'static str) -> Option<Compression> {
        let raw = self.env.get(variable)?;
        match Compression::parse(raw) {
            Some(c) => {
                self.set(variable, key, c.as_str());
                Some(c)
            }
            None => {
                self.unknown(variable, raw, "compression", Compression::VALID, key);
                None
            }
        }
    }

    /// `OTEL_TRACES_EXPORTER`, `OTEL_LOGS_EXPORTER`, `OTEL_METRICS_EXPORTER`: each touches only its signal.
    /// `none` switches the signal off (`<signal>.enabled = false`); `console` prints it
    /// (`<signal>.exporter.protocol = "console"`); `otlp` keeps the signal's OTLP protocol, or picks the spec's
    /// `http/protobuf` when the layers below chose `console`/`none`. `otlp` and `console` also switch the signal
    /// on: the deployment names how it is exported. A list takes its first supported entry, with a warning;
    /// nothing supported: a warning, and the variable is ignored. `protocol` is the signal's protocol without
    /// this variable.
    fn signal_exporter(&mut self, signal: Signal, protocol: Protocol) {
        let variable = format!("OTEL_{}_EXPORTER", signal.as_str().to_ascii_uppercase());
        let variable = variable.as_str();
        let Some(raw) = self.env.get(variable) else {
            return;
        };
        let keys = keys::signal_exporter(signal);
        let enabled = keys::signal_enabled(signal);
        let names: Vec<String> =
            raw.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect();
        if names.is_empty() {
            return;
        }
        let Some(first) = names.iter().find(|name| matches!(name.as_str(), "otlp" | "console" | "none")) else {
            self.unknown(variable, raw, "exporter", &["otlp", "console", "none"], keys.protocol);
            return;
        };
        let effect = match first.as_str() {
            "none" => {
                self.set(variable, enabled, false);
                format!("{enabled} false")
            }
            name => {
                let chosen = match name {
                    "otlp" if protocol.is_otlp() => protocol,
                    "otlp" => Protocol::HttpProtobuf,
                    _ => Protocol::Console,
                };
                self.set(variable, enabled, true);
                if chosen != protocol {
                    self.set(variable, keys.protocol, chosen.as_str());
                }
                format!("{} {:?}", keys.protocol, chosen.as_str())
            }
        };
        if names.len() > 1 {
            let singular = signal.as_str().trim_end_matches('s');
            let instead = Instead::Text(format!("using {first:?} ({effect})"));
            self.warn(variable, raw, format!("only one {singular} exporter is supported"), instead);
        }
    }

    /// `OTEL_METRIC_EXPORT_INTERVAL` (ms): as other durations, and zero is ignored with a warning (a periodic
    /// export needs a period).
    fn metric_interval(&mut self) {
        let variable = "OTEL_METRIC_EXPORT_INTERVAL";
        if let Some(raw) = self.env.get(variable) {
            if parse_unsigned(raw) == Some(0) {
                self.warn(variable, raw, "must be at least 1", Instead::UsingKey(key::METRICS_INTERVAL));
                return;
            }
        }
        self.millis(variable, key::METRICS_INTERVAL);
    }

    /// `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`: `cumulative`, `delta` or `lowmemory`, any case.
    fn temporality(&mut self) {
        let variable = "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE";
        let Some(raw) = self.env.get(variable) else {
            return;
        };
        match Temporality::parse(raw) {
            Some(t) => self.set(variable, key::METRICS_TEMPORALITY, t.as_str()),
            None => self.unknown(variable, raw, "temporality", Temporality::VALID, key::METRICS_TEMPORALITY),
        }
    }

    /// `OTEL_EXPERIMENTAL_RESOURCE_DETECTORS`: a comma list of detectors, any case, de-duplicated; `all` is
    /// every detector, `none` alone none. Unknown entries warn and are skipped; nothing valid left: ignored.
    fn resource_detectors(&mut self) {
        let variable = "OTEL_EXPERIMENTAL_RESOURCE_DETECTORS";
        let Some(raw) = self.env.get(variable) else {
            return;
        };
        let mut list: Vec<ResourceDetector> = Vec::new();
        let (mut none, mut any) = (false, false);
        for name in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let found: Vec<ResourceDetector> = if name.eq_ignore_ascii_case("all") {
                ResourceDetector::ALL.to_vec()
            } else if name.eq_ignore_ascii_case("none") {
                none = true;
                Vec::new()
            } else if let Some(detector) = ResourceDetector::parse(name) {
                vec![detector]
            } else {
                let mut valid: Vec<String> = ResourceDetector::VALID.iter().map(|v| format!("{v:?}")).collect();
                valid.extend(["\"all\"".to_string(), "\"none\"".to_string()]);
                let reason = format!("unknown resource detector {name:?}; expected one of {}", valid.join(", "));
                self.warn(variable, raw, reason, Instead::Text(format!("{name:?} skipped")));
                continue;
            };
            any = true;
            for detector in found {
                if !list.contains(&detector) {
                    list.push(detector);
                }
            }
        }
        if none && !list.is_empty() {
            let reason = "\"none\" cannot be combined with other detectors";
            self.warn(variable, raw, reason, Instead::Text("\"none\" skipped".into()));
        }
        if !any {
            return;
        }
        let names: Vec<Value> = list.iter().map(|d| Value::from(d.as_str())).collect();
        self.set(variable, key::RESOURCE_DETECTORS, names);
    }

    /// `k=v` pairs, percent-decoded, each a valid HTTP header; otherwise the whole variable is ignored.
    fn headers(&mut self, variable: &str, key: &'static str) -> Option<()> {
        let raw = self.env.get(variable)?;
        let problem = match parse_pairs(raw) {
            Err(why) => format!("not a comma-separated list of key=value pairs with percent-encoded values ({why})"),
            Ok(pairs) => match pairs.iter().find_map(|(k, v)| header_problem(k, v)) {
                Some(problem) => problem.text(),
                None => {
                    // `Authorization=a,authorization=b` is one header: the later item wins.
                    let dict: Dict = last_wins(pairs).into_iter().map(|(k, v)| (k, Value::from(v))).collect();
                    self.set(variable, key, dict);
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
