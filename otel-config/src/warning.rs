//! Warnings: standard `OTEL_*` values that were ignored, per the spec's parsing rules.

use crate::model::Config;

/// A standard `OTEL_*` setting that was ignored (or adjusted), per the OTel spec's parsing rules: the program
/// goes on with the value named in the message. Print each once on stderr.
///
/// The value of a `*_HEADERS` variable is never kept: it reads `"***"`.
///
/// ```
/// let w = otel_config::Warning {
///     variable: "OTEL_BSP_MAX_QUEUE_SIZE".into(),
///     value: "abc".into(),
///     message: "not a non-negative integer; using 2048".into(),
/// };
/// assert_eq!(w.to_string(), r#"otel: ignoring OTEL_BSP_MAX_QUEUE_SIZE="abc": not a non-negative integer; using 2048"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The variable's name.
    pub variable: String,
    /// Its value (`"***"` for header variables).
    pub value: String,
    /// What was wrong and what is used instead.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "otel: ignoring {}={:?}: {}", self.variable, self.value, self.message)
    }
}

/// What follows the reason in a warning.
#[derive(Clone, Debug)]
pub(crate) enum Then {
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
    pub(crate) then: Then,
}

impl PendingWarning {
    pub(crate) fn finish(self, config: &Config) -> Warning {
        let tail = match self.then {
            Then::UsingKey(key) => format!("using {}", effective(config, key)),
            Then::Text(text) => text,
        };
        Warning { variable: self.variable, value: self.value, message: format!("{}; {tail}", self.reason) }
    }
}

/// The value a key ended up with, as an `OTEL_*` variable would spell it (durations in milliseconds).
pub(crate) fn effective(config: &Config, key: &str) -> String {
    use crate::duration::millis;
    let e = &config.exporter;
    let b = &config.batch;
    let l = &config.limits;
    match key {
        "disabled" => config.disabled.to_string(),
        "service.name" => config.service.name.clone(),
        "exporter.protocol" => e.protocol.as_str().to_string(),
        "exporter.endpoint" | "exporter.traces_endpoint" => e.traces_url_redacted(),
        "exporter.timeout" => millis(e.timeout).to_string(),
        "exporter.compression" => e.compression.as_str().to_string(),
        "exporter.insecure" => e.insecure.to_string(),
        "batch.max_queue_size" => b.max_queue_size.to_string(),
        "batch.max_export_batch_size" => b.max_export_batch_size.to_string(),
        "batch.schedule_delay" => millis(b.schedule_delay).to_string(),
        "batch.export_timeout" => millis(b.export_timeout).to_string(),
        "sampler.name" => config.sampler.name.as_str().to_string(),
        "sampler.arg" => format!("{:?}", config.sampler.ratio()),
        "propagators" if config.propagators.is_empty() => "none".to_string(),
        "propagators" => config.propagators.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(","),
        "limits.attribute_count" => l.attribute_count.to_string(),
        "limits.event_count" => l.event_count.to_string(),
        "limits.link_count" => l.link_count.to_string(),
        "limits.attribute_per_event" => l.attribute_per_event.to_string(),
        "limits.attribute_per_link" => l.attribute_per_link.to_string(),
        _ => "the default".to_string(),
    }
}
