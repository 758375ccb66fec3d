//! Warnings: standard `OTEL_*` values that were ignored or adjusted, per the spec's parsing rules.

use crate::enums::Signal;
use crate::keys::{self, key};
use crate::model::Config;

/// A standard `OTEL_*` setting that was ignored (or adjusted), per the OTel spec's parsing rules: the program
/// goes on with what [`instead`](Self::instead) says. Print each once on stderr (`Display`).
///
/// The value of a `*_HEADERS` variable is never kept: it reads `"***"`; an endpoint's credentials read `***`.
///
/// Under `OTEL_CONFIG_FILE`, a warning names a node of the declarative file that otel does not implement (or
/// implements otherwise): [`variable`](Self::variable) is the node's path, [`value`](Self::value) is empty, and
/// `Display` reads ``otel: otel.yaml, line 25, column 7: `meter_provider.readers[0].pull`: <reason>; <instead>``.
///
/// ```
/// let options = otel_config::LoadOptions::new().env([("OTEL_BSP_MAX_QUEUE_SIZE", "abc")]);
/// let loaded = otel_config::load_with_text(&options, None).unwrap();
/// let w = &loaded.warnings[0];
/// assert_eq!((w.variable(), w.value()), ("OTEL_BSP_MAX_QUEUE_SIZE", "abc"));
/// assert_eq!((w.reason(), w.instead()), ("not a non-negative integer", "using 2048"));
/// assert_eq!(w.to_string(), r#"otel: ignoring OTEL_BSP_MAX_QUEUE_SIZE="abc": not a non-negative integer; using 2048"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Warning {
    /// For a node of the declarative configuration file: the file and the node's position (`otel.yaml, line 3,
    /// column 5`); the node's path is then `variable`, and `value` is empty.
    at: Option<String>,
    variable: String,
    value: String,
    reason: String,
    instead: String,
}

impl Warning {
    /// A warning about a node of the declarative configuration file that this framework does not implement,
    /// or implements otherwise: `at` is the file and position, `path` the node's path.
    pub(crate) fn node(at: String, path: &str, reason: impl Into<String>, instead: impl Into<String>) -> Warning {
        let (variable, value, reason, instead) = (path.to_string(), String::new(), reason.into(), instead.into());
        Warning { at: Some(at), variable, value, reason, instead }
    }

    /// The variable's name (for a node of the declarative configuration file, its path:
    /// `tracer_provider.processors[0].batch.exporter`).
    ///
    /// ```
    /// let options = otel_config::LoadOptions::new().env([("OTEL_SDK_DISABLED", "yes")]);
    /// let loaded = otel_config::load_with_text(&options, None).unwrap();
    /// assert_eq!(loaded.warnings[0].variable(), "OTEL_SDK_DISABLED");
    /// ```
    pub fn variable(&self) -> &str {
        &self.variable
    }

    /// Its value, redacted: `"***"` for a `*_HEADERS` variable, an endpoint with `***` for its credentials.
    ///
    /// ```
    /// let options = otel_config::LoadOptions::new().env([("OTEL_EXPORTER_OTLP_HEADERS", "x-key=s3cret%ZZ")]);
    /// let loaded = otel_config::load_with_text(&options, None).unwrap();
    /// assert_eq!(loaded.warnings[0].value(), "***");
    /// ```
    pub fn value(&self) -> &str {
        &self.value
    }

    /// What is wrong with the value.
    ///
    /// ```
    /// let options = otel_config::LoadOptions::new().env([("OTEL_SDK_DISABLED", "yes")]);
    /// let loaded = otel_config::load_with_text(&options, None).unwrap();
    /// assert_eq!(loaded.warnings[0].reason(), "not true or false");
    /// ```
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// What the program does instead (`using 2048`, `ignored`, `values are not truncated`).
    ///
    /// ```
    /// let options = otel_config::LoadOptions::new().env([("OTEL_SDK_DISABLED", "yes")]);
    /// let loaded = otel_config::load_with_text(&options, None).unwrap();
    /// assert_eq!(loaded.warnings[0].instead(), "using false");
    /// ```
    pub fn instead(&self) -> &str {
        &self.instead
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.at {
            Some(at) if self.variable.is_empty() => write!(f, "otel: {at}: {}; {}", self.reason, self.instead),
            Some(at) => write!(f, "otel: {at}: `{}`: {}; {}", self.variable, self.reason, self.instead),
            None => write!(f, "otel: ignoring {}={:?}: {}; {}", self.variable, self.value, self.reason, self.instead),
        }
    }
}

/// What the program does instead, the last part of a warning.
#[derive(Clone, Debug)]
pub(crate) enum Instead {
    /// `; using <the value the key ends up with>`, known only after loading.
    UsingKey(&'static str),
    /// Fixed text, e.g. `ignored`.
    Text(String),
}

/// A warning whose "using …" part is written once the configuration is known.
#[derive(Clone, Debug)]
pub(crate) struct PendingWarning {
    pub(crate) variable: String,
    pub(crate) value: String,
    pub(crate) reason: String,
    pub(crate) instead: Instead,
}

impl PendingWarning {
    pub(crate) fn finish(self, config: &Config) -> Warning {
        let instead = match self.instead {
            Instead::UsingKey(key) => format!("using {}", effective(config, key)),
            Instead::Text(text) => text,
        };
        Warning { at: None, variable: self.variable, value: self.value, reason: self.reason, instead }
    }
}

/// The value a key ended up with, as an `OTEL_*` variable would spell it (durations in milliseconds). A signal's
/// exporter key (`logs.exporter.timeout`) is the value that signal uses, its override or `[exporter]`'s; an
/// endpoint key is the exact URL of the signal it serves (`exporter.endpoint`: the traces URL).
pub(crate) fn effective(config: &Config, key: &str) -> String {
    use crate::duration::millis;
    for signal in Signal::ALL.iter().copied() {
        let keys = keys::signal_exporter(signal);
        let e = config.exporter_for(signal);
        let value = match key {
            k if k == keys.endpoint => e.url_redacted(signal),
            k if k == keys.protocol => e.protocol.as_str().to_string(),
            k if k == keys.timeout => millis(e.timeout).to_string(),
            k if k == keys.compression => e.compression.as_str().to_string(),
            k if k == keys.insecure => e.insecure.to_string(),
            _ => continue,
        };
        return value;
    }
    for (keys, b) in [(keys::SPAN_BATCH, &config.batch), (keys::LOG_BATCH, &config.logs.batch)] {
        let value = match key {
            k if k == keys.max_queue_size => b.max_queue_size.to_string(),
            k if k == keys.max_export_batch_size => b.max_export_batch_size.to_string(),
            k if k == keys.schedule_delay => millis(b.schedule_delay).to_string(),
            k if k == keys.export_timeout => millis(b.export_timeout).to_string(),
            _ => continue,
        };
        return value;
    }
    let e = &config.exporter;
    let l = &config.limits;
    match key {
        key::DISABLED => config.disabled.to_string(),
        key::SERVICE_NAME => config.service.name.clone(),
        key::EXPORTER_PROTOCOL => e.protocol.as_str().to_string(),
        key::EXPORTER_ENDPOINT => config.exporter_for(Signal::Traces).url_redacted(Signal::Traces),
        key::EXPORTER_TIMEOUT => millis(e.timeout).to_string(),
        key::EXPORTER_COMPRESSION => e.compression.as_str().to_string(),
        key::EXPORTER_INSECURE => e.insecure.to_string(),
        key::METRICS_INTERVAL => millis(config.metrics.interval).to_string(),
        key::METRICS_TIMEOUT => millis(config.metrics.timeout).to_string(),
        key::METRICS_TEMPORALITY => config.metrics.temporality.as_str().to_string(),
        key::SAMPLER_NAME => config.sampler.name.as_str().to_string(),
        key::SAMPLER_ARG => format!("{:?}", config.sampler.ratio()),
        key::PROPAGATORS if config.propagators.is_empty() => "none".to_string(),
        key::PROPAGATORS => config.propagators.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(","),
        key::LIMITS_ATTRIBUTE_COUNT => l.attribute_count.to_string(),
        key::LIMITS_EVENT_COUNT => l.event_count.to_string(),
        key::LIMITS_LINK_COUNT => l.link_count.to_string(),
        key::LIMITS_ATTRIBUTE_PER_EVENT => l.attribute_per_event.to_string(),
        key::LIMITS_ATTRIBUTE_PER_LINK => l.attribute_per_link.to_string(),
        _ => "the default".to_string(),
    }
}
