//! The declarative file equivalent to a configuration (for `otel-check config --to-yaml`): what otel.toml and the
//! environment give, written in file format 1.0, so that a team moves to the cross-language format in one step.
//!
//! Secrets are never written: a header value becomes a reference to a variable (`${OTEL_HEADER_X_API_KEY}`), an
//! endpoint with credentials a reference to the standard endpoint variable; the file's first lines list them.
//! otel's own settings that have no node in the schema are listed too when they differ from the built-in
//! defaults (read back, the defaults apply). Every string is double-quoted, with `$` written `$$`, so nothing in a
//! value is substituted or read as structure.

use crate::duration::millis;
use crate::enums::{Protocol, ResourceDetector, Signal, Temporality};
use crate::keys::{self, key};
use crate::model::{BatchConfig, Config};
use crate::resource_value::ResourceValue;
use std::fmt::Write;

/// Writes `config` as a declarative configuration file (file format 1.0).
///
/// ```
/// let mut config = otel_config::Config::default();
/// config.service.name = "checkout".into();
/// let yaml = otel_config::to_declarative_yaml(&config);
/// assert!(yaml.contains("file_format: \"1.0\""));
/// let back = otel_config::load_declarative_text(&Default::default(), "otel.yaml".as_ref(), &yaml).unwrap();
/// assert_eq!(back.config.service.name, "checkout");
/// ```
pub fn to_declarative_yaml(config: &Config) -> String {
    let mut w = Writer::default();
    w.line(0, "file_format: \"1.0\"");
    if config.disabled {
        w.line(0, "disabled: true");
    }
    resource(&mut w, config);
    w.line(0, "propagator:");
    if config.propagators.is_empty() {
        w.line(1, "composite_list: \"none\"");
    } else {
        w.line(1, "composite:");
        for p in &config.propagators {
            w.line(2, &format!("- {}:", p.as_str()));
        }
    }
    if config.exports(Signal::Traces) {
        w.line(0, "tracer_provider:");
        w.line(1, "processors:");
        w.line(2, "- batch:");
        batch(&mut w, &config.batch);
        exporter(&mut w, config, Signal::Traces, 4);
        let l = &config.limits;
        w.line(1, "limits:");
        w.line(2, &format!("attribute_count_limit: {}", l.attribute_count));
        w.line(2, &format!("event_count_limit: {}", l.event_count));
        w.line(2, &format!("link_count_limit: {}", l.link_count));
        w.line(2, &format!("event_attribute_count_limit: {}", l.attribute_per_event));
        w.line(2, &format!("link_attribute_count_limit: {}", l.attribute_per_link));
        sampler(&mut w, config);
    }
    if config.exports(Signal::Logs) {
        w.line(0, "logger_provider:");
        w.line(1, "processors:");
        w.line(2, "- batch:");
        batch(&mut w, &config.logs.batch);
        exporter(&mut w, config, Signal::Logs, 4);
    }
    if config.exports(Signal::Metrics) {
        w.line(0, "meter_provider:");
        w.line(1, "readers:");
        w.line(2, "- periodic:");
        w.line(4, &format!("interval: {}", millis(config.metrics.interval)));
        w.line(4, &format!("timeout: {}", millis(config.metrics.timeout)));
        exporter(&mut w, config, Signal::Metrics, 4);
    }
    w.finish(config)
}

/// The text, and what its header comment lists.
#[derive(Default)]
struct Writer {
    body: String,
    variables: Vec<String>,
}

impl Writer {
    fn line(&mut self, indent: usize, text: &str) {
        let _ = writeln!(self.body, "{}{text}", "  ".repeat(indent));
    }

    fn finish(self, config: &Config) -> String {
        let mut head = String::from(
            "# The declarative configuration (OTEL_CONFIG_FILE) equivalent to otel.toml and the environment.\n",
        );
        if !self.variables.is_empty() {
            head.push_str("# Secrets are not written; set these variables where the program runs:\n");
            for v in &self.variables {
                let _ = writeln!(head, "#   {v}");
            }
        }
        let unmapped = unmapped(config);
        if !unmapped.is_empty() {
            head.push_str("# Not expressible in file format 1.0 (read back, otel's built-in defaults apply):\n");
            for key in unmapped {
                let _ = writeln!(head, "#   {key}");
            }
        }
        head + &self.body
    }
}

/// A YAML double-quoted string whose `$` cannot start a substitution.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("$$"),
            c if c.is_control() || c == '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn resource(w: &mut Writer, config: &Config) {
    w.line(0, "resource:");
    w.line(1, "attributes:");
    let mut attribute = |name: &str, value: String, kind: &str| {
        w.line(2, &format!("- name: {}", quoted(name)));
        w.line(3, &format!("value: {value}"));
        w.line(3, &format!("type: {kind}"));
    };
    attribute("service.name", quoted(&config.service.name), "string");
    if let Some(version) = &config.service.version {
        attribute("service.version", quoted(version), "string");
    }
    if let Some(environment) = &config.service.environment {
        attribute("deployment.environment.name", quoted(environment), "string");
    }
    for (name, value) in &config.resource {
        let (value, kind) = match value {
            ResourceValue::String(s) => (quoted(s), "string"),
            ResourceValue::Bool(b) => (b.to_string(), "bool"),
            ResourceValue::Int(n) => (n.to_string(), "int"),
            // `{:?}` keeps a decimal point (`1.0`), so the value reads back as a float.
            ResourceValue::Float(f) if f.is_finite() => (format!("{f:?}"), "double"),
            ResourceValue::Float(f) => (quoted(&f.to_string()), "string"),
        };
        attribute(name, value, kind);
    }
    // `host` in the schema is otel's `host` and `os`.
    let names: Vec<&str> = config
        .resource_detectors
        .iter()
        .filter_map(|d| match d {
            ResourceDetector::ServiceInstance => Some("service"),
            ResourceDetector::Host => Some("host"),
            ResourceDetector::Process => Some("process"),
            ResourceDetector::Container => Some("container"),
            ResourceDetector::Os => None,
        })
        .collect();
    if !names.is_empty() {
        w.line(1, "detection/development:");
        w.line(2, "detectors:");
        for name in names {
            w.line(3, &format!("- {name}:"));
        }
    }
}

fn batch(w: &mut Writer, b: &BatchConfig) {
    w.line(4, &format!("schedule_delay: {}", millis(b.schedule_delay)));
    w.line(4, &format!("export_timeout: {}", millis(b.export_timeout)));
    w.line(4, &format!("max_queue_size: {}", b.max_queue_size));
    w.line(4, &format!("max_export_batch_size: {}", b.max_export_batch_size));
}

fn exporter(w: &mut Writer, config: &Config, signal: Signal, indent: usize) {
    let e = config.exporter_for(signal);
    w.line(indent, "exporter:");
    let (kind, encoding) = match e.protocol {
        Protocol::Grpc => ("otlp_grpc", None),
        Protocol::HttpProtobuf => ("otlp_http", Some("protobuf")),
        Protocol::HttpJson => ("otlp_http", Some("json")),
        Protocol::Console | Protocol::None => ("console", None),
    };
    w.line(indent + 1, &format!("{kind}:"));
    let i = indent + 2;
    let temporality = |w: &mut Writer| {
        if signal == Signal::Metrics {
            let t = match config.metrics.temporality {
                Temporality::Cumulative => "cumulative",
                Temporality::Delta => "delta",
                Temporality::LowMemory => "low_memory",
            };
            w.line(i, &format!("temporality_preference: {t}"));
        }
    };
    if kind == "console" {
        temporality(w);
        return;
    }
    let url = e.url(signal);
    if crate::endpoint::redacted(&url) == url {
        w.line(i, &format!("endpoint: {}", quoted(&url)));
    } else {
        let variable = format!("OTEL_EXPORTER_OTLP_{}_ENDPOINT", signal.as_str().to_uppercase());
        w.line(i, &format!("endpoint: ${{{variable}}}"));
        w.variables.push(variable);
    }
    if let Some(encoding) = encoding {
        w.line(i, &format!("encoding: {encoding}"));
    }
    w.line(i, &format!("compression: {}", e.compression.as_str()));
    w.line(i, &format!("timeout: {}", millis(e.timeout)));
    if !e.headers.is_empty() {
        w.line(i, "headers:");
        for (name, _) in e.headers.iter() {
            let variable: String = format!("OTEL_HEADER_{name}")
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
                .collect();
            w.line(i + 1, &format!("- name: {}", quoted(name)));
            w.line(i + 2, &format!("value: \"${{{variable}}}\""));
            if !w.variables.contains(&variable) {
                w.variables.push(variable);
            }
        }
    }
    let files = [("ca_file", &e.certificate), ("cert_file", &e.client_certificate), ("key_file", &e.client_key)];
    let grpc_insecure = kind == "otlp_grpc" && e.insecure;
    if files.iter().any(|(_, f)| f.is_some()) || grpc_insecure {
        w.line(i, "tls:");
        for (name, file) in files {
            if let Some(file) = file {
                w.line(i + 1, &format!("{name}: {}", quoted(&file.display().to_string())));
            }
        }
        if grpc_insecure {
            w.line(i + 1, "insecure: true");
        }
    }
    temporality(w);
}

fn sampler(w: &mut Writer, config: &Config) {
    use crate::enums::SamplerName::*;
    let ratio = format!("{:?}", config.sampler.ratio());
    w.line(1, "sampler:");
    let (parent, root) = match config.sampler.name {
        AlwaysOn => (false, "always_on:".to_string()),
        AlwaysOff => (false, "always_off:".to_string()),
        TraceIdRatio => (false, format!("trace_id_ratio_based:\n{}ratio: {ratio}", "  ".repeat(3))),
        ParentBasedAlwaysOn => (true, "always_on:".to_string()),
        ParentBasedAlwaysOff => (true, "always_off:".to_string()),
        ParentBasedTraceIdRatio => (true, format!("trace_id_ratio_based:\n{}ratio: {ratio}", "  ".repeat(5))),
    };
    if parent {
        w.line(2, "parent_based:");
        w.line(3, "root:");
        w.line(4, &root);
    } else {
        w.line(2, &root);
    }
}

/// otel's settings that differ from the built-in defaults and have no node in the schema.
fn unmapped(config: &Config) -> Vec<String> {
    let d = Config::default();
    let mut found = Vec::new();
    let mut differs = |different: bool, setting: String| {
        if different {
            found.push(setting);
        }
    };
    differs(config.fmt != d.fmt, "[fmt]".to_string());
    differs(config.shutdown != d.shutdown, "[shutdown]".to_string());
    differs(config.tracing != d.tracing, "[tracing]".to_string());
    for (b, db, names) in
        [(&config.batch, &d.batch, keys::SPAN_BATCH), (&config.logs.batch, &d.logs.batch, keys::LOG_BATCH)]
    {
        let extra = b.max_concurrent_exports != db.max_concurrent_exports
            || b.max_queue_bytes != db.max_queue_bytes
            || b.yield_to_app != db.yield_to_app;
        // `batch.max_concurrent_exports, max_queue_bytes, yield_to_app`: the table once.
        let leaf = |key: &'static str| key.rsplit('.').next().unwrap_or(key);
        let listed =
            format!("{}, {}, {}", names.max_concurrent_exports, leaf(names.max_queue_bytes), leaf(names.yield_to_app));
        differs(extra, listed);
    }
    differs(config.exporter.on_invalid != d.exporter.on_invalid, key::EXPORTER_ON_INVALID.to_string());
    differs(config.logs.span_events != d.logs.span_events, key::LOGS_SPAN_EVENTS.to_string());
    differs(
        config.metrics.self_observability != d.metrics.self_observability,
        key::METRICS_SELF_OBSERVABILITY.to_string(),
    );
    let os_alone = config.resource_detectors.contains(&ResourceDetector::Host)
        != config.resource_detectors.contains(&ResourceDetector::Os);
    differs(os_alone, format!("{} (host and os go together in the schema)", key::RESOURCE_DETECTORS));
    found
}
