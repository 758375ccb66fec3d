//! Every otel.toml key, with the shape of its value; the `OTEL_TOML_<KEY>` variable of each; "did you mean" for
//! keys and variables (the edit distance itself is [`crate::suggest`]).

use crate::enums::Signal;
use crate::suggest::closest;

/// Every otel.toml key by name, so that code names a key once (a typo is a compile error, not a silent miss).
/// Public for otel's other crates (`otel_config::__private::key`), which name keys in their messages and errors.
pub mod key {
    /// `disabled`.
    pub const DISABLED: &str = "disabled";
    /// `service.name`.
    pub const SERVICE_NAME: &str = "service.name";
    /// `service.version`.
    pub const SERVICE_VERSION: &str = "service.version";
    /// `service.environment`.
    pub const SERVICE_ENVIRONMENT: &str = "service.environment";
    /// `resource`.
    pub const RESOURCE: &str = "resource";
    /// `exporter.protocol`.
    pub const EXPORTER_PROTOCOL: &str = "exporter.protocol";
    /// `exporter.endpoint`.
    pub const EXPORTER_ENDPOINT: &str = "exporter.endpoint";
    /// `exporter.traces_endpoint`.
    pub const EXPORTER_TRACES_ENDPOINT: &str = "exporter.traces_endpoint";
    /// `exporter.timeout`.
    pub const EXPORTER_TIMEOUT: &str = "exporter.timeout";
    /// `exporter.headers`.
    pub const EXPORTER_HEADERS: &str = "exporter.headers";
    /// `exporter.compression`.
    pub const EXPORTER_COMPRESSION: &str = "exporter.compression";
    /// `exporter.insecure`.
    pub const EXPORTER_INSECURE: &str = "exporter.insecure";
    /// `exporter.certificate`.
    pub const EXPORTER_CERTIFICATE: &str = "exporter.certificate";
    /// `exporter.client_certificate`.
    pub const EXPORTER_CLIENT_CERTIFICATE: &str = "exporter.client_certificate";
    /// `exporter.client_key`.
    pub const EXPORTER_CLIENT_KEY: &str = "exporter.client_key";
    /// `exporter.on_invalid`.
    pub const EXPORTER_ON_INVALID: &str = "exporter.on_invalid";
    /// `batch.max_queue_size`.
    pub const BATCH_MAX_QUEUE_SIZE: &str = "batch.max_queue_size";
    /// `batch.max_export_batch_size`.
    pub const BATCH_MAX_EXPORT_BATCH_SIZE: &str = "batch.max_export_batch_size";
    /// `batch.schedule_delay`.
    pub const BATCH_SCHEDULE_DELAY: &str = "batch.schedule_delay";
    /// `batch.export_timeout`.
    pub const BATCH_EXPORT_TIMEOUT: &str = "batch.export_timeout";
    /// `batch.max_concurrent_exports`.
    pub const BATCH_MAX_CONCURRENT_EXPORTS: &str = "batch.max_concurrent_exports";
    /// `batch.max_queue_bytes`.
    pub const BATCH_MAX_QUEUE_BYTES: &str = "batch.max_queue_bytes";
    /// `batch.yield_to_app`.
    pub const BATCH_YIELD_TO_APP: &str = "batch.yield_to_app";
    /// `sampler.name`.
    pub const SAMPLER_NAME: &str = "sampler.name";
    /// `sampler.arg`.
    pub const SAMPLER_ARG: &str = "sampler.arg";
    /// `propagators`.
    pub const PROPAGATORS: &str = "propagators";
    /// `fmt.format`.
    pub const FMT_FORMAT: &str = "fmt.format";
    /// `fmt.filter`.
    pub const FMT_FILTER: &str = "fmt.filter";
    /// `shutdown.timeout`.
    pub const SHUTDOWN_TIMEOUT: &str = "shutdown.timeout";
    /// `shutdown.summary`.
    pub const SHUTDOWN_SUMMARY: &str = "shutdown.summary";
    /// `limits.attribute_count`.
    pub const LIMITS_ATTRIBUTE_COUNT: &str = "limits.attribute_count";
    /// `limits.event_count`.
    pub const LIMITS_EVENT_COUNT: &str = "limits.event_count";
    /// `limits.link_count`.
    pub const LIMITS_LINK_COUNT: &str = "limits.link_count";
    /// `limits.attribute_per_event`.
    pub const LIMITS_ATTRIBUTE_PER_EVENT: &str = "limits.attribute_per_event";
    /// `limits.attribute_per_link`.
    pub const LIMITS_ATTRIBUTE_PER_LINK: &str = "limits.attribute_per_link";
    /// `tracing.location`.
    pub const TRACING_LOCATION: &str = "tracing.location";
    /// `tracing.threads`.
    pub const TRACING_THREADS: &str = "tracing.threads";
    /// `tracing.timings`.
    pub const TRACING_TIMINGS: &str = "tracing.timings";
    /// `exporter.logs_endpoint`.
    pub const EXPORTER_LOGS_ENDPOINT: &str = "exporter.logs_endpoint";
    /// `exporter.metrics_endpoint`.
    pub const EXPORTER_METRICS_ENDPOINT: &str = "exporter.metrics_endpoint";
    /// `fmt.trace_ids`.
    pub const FMT_TRACE_IDS: &str = "fmt.trace_ids";
    /// `traces.enabled`.
    pub const TRACES_ENABLED: &str = "traces.enabled";
    /// `traces.exporter.protocol`.
    pub const TRACES_EXPORTER_PROTOCOL: &str = "traces.exporter.protocol";
    /// `traces.exporter.timeout`.
    pub const TRACES_EXPORTER_TIMEOUT: &str = "traces.exporter.timeout";
    /// `traces.exporter.headers`.
    pub const TRACES_EXPORTER_HEADERS: &str = "traces.exporter.headers";
    /// `traces.exporter.compression`.
    pub const TRACES_EXPORTER_COMPRESSION: &str = "traces.exporter.compression";
    /// `traces.exporter.insecure`.
    pub const TRACES_EXPORTER_INSECURE: &str = "traces.exporter.insecure";
    /// `traces.exporter.certificate`.
    pub const TRACES_EXPORTER_CERTIFICATE: &str = "traces.exporter.certificate";
    /// `traces.exporter.client_certificate`.
    pub const TRACES_EXPORTER_CLIENT_CERTIFICATE: &str = "traces.exporter.client_certificate";
    /// `traces.exporter.client_key`.
    pub const TRACES_EXPORTER_CLIENT_KEY: &str = "traces.exporter.client_key";
    /// `logs.enabled`.
    pub const LOGS_ENABLED: &str = "logs.enabled";
    /// `logs.span_events`.
    pub const LOGS_SPAN_EVENTS: &str = "logs.span_events";
    /// `logs.exporter.protocol`.
    pub const LOGS_EXPORTER_PROTOCOL: &str = "logs.exporter.protocol";
    /// `logs.exporter.timeout`.
    pub const LOGS_EXPORTER_TIMEOUT: &str = "logs.exporter.timeout";
    /// `logs.exporter.headers`.
    pub const LOGS_EXPORTER_HEADERS: &str = "logs.exporter.headers";
    /// `logs.exporter.compression`.
    pub const LOGS_EXPORTER_COMPRESSION: &str = "logs.exporter.compression";
    /// `logs.exporter.insecure`.
    pub const LOGS_EXPORTER_INSECURE: &str = "logs.exporter.insecure";
    /// `logs.exporter.certificate`.
    pub const LOGS_EXPORTER_CERTIFICATE: &str = "logs.exporter.certificate";
    /// `logs.exporter.client_certificate`.
    pub const LOGS_EXPORTER_CLIENT_CERTIFICATE: &str = "logs.exporter.client_certificate";
    /// `logs.exporter.client_key`.
    pub const LOGS_EXPORTER_CLIENT_KEY: &str = "logs.exporter.client_key";
    /// `logs.batch.max_queue_size`.
    pub const LOGS_BATCH_MAX_QUEUE_SIZE: &str = "logs.batch.max_queue_size";
    /// `logs.batch.max_export_batch_size`.
    pub const LOGS_BATCH_MAX_EXPORT_BATCH_SIZE: &str = "logs.batch.max_export_batch_size";
    /// `logs.batch.schedule_delay`.
    pub const LOGS_BATCH_SCHEDULE_DELAY: &str = "logs.batch.schedule_delay";
    /// `logs.batch.export_timeout`.
    pub const LOGS_BATCH_EXPORT_TIMEOUT: &str = "logs.batch.export_timeout";
    /// `logs.batch.max_concurrent_exports`.
    pub const LOGS_BATCH_MAX_CONCURRENT_EXPORTS: &str = "logs.batch.max_concurrent_exports";
    /// `logs.batch.max_queue_bytes`.
    pub const LOGS_BATCH_MAX_QUEUE_BYTES: &str = "logs.batch.max_queue_bytes";
    /// `logs.batch.yield_to_app`.
    pub const LOGS_BATCH_YIELD_TO_APP: &str = "logs.batch.yield_to_app";
    /// `metrics.enabled`.
    pub const METRICS_ENABLED: &str = "metrics.enabled";
    /// `metrics.interval`.
    pub const METRICS_INTERVAL: &str = "metrics.interval";
    /// `metrics.timeout`.
    pub const METRICS_TIMEOUT: &str = "metrics.timeout";
    /// `metrics.temporality`.
    pub const METRICS_TEMPORALITY: &str = "metrics.temporality";
    /// `metrics.self_observability`.
    pub const METRICS_SELF_OBSERVABILITY: &str = "metrics.self_observability";
    /// `metrics.exporter.protocol`.
    pub const METRICS_EXPORTER_PROTOCOL: &str = "metrics.exporter.protocol";
    /// `metrics.exporter.timeout`.
    pub const METRICS_EXPORTER_TIMEOUT: &str = "metrics.exporter.timeout";
    /// `metrics.exporter.headers`.
    pub const METRICS_EXPORTER_HEADERS: &str = "metrics.exporter.headers";
    /// `metrics.exporter.compression`.
    pub const METRICS_EXPORTER_COMPRESSION: &str = "metrics.exporter.compression";
    /// `metrics.exporter.insecure`.
    pub const METRICS_EXPORTER_INSECURE: &str = "metrics.exporter.insecure";
    /// `metrics.exporter.certificate`.
    pub const METRICS_EXPORTER_CERTIFICATE: &str = "metrics.exporter.certificate";
    /// `metrics.exporter.client_certificate`.
    pub const METRICS_EXPORTER_CLIENT_CERTIFICATE: &str = "metrics.exporter.client_certificate";
    /// `metrics.exporter.client_key`.
    pub const METRICS_EXPORTER_CLIENT_KEY: &str = "metrics.exporter.client_key";
    /// `resource_detectors`.
    pub const RESOURCE_DETECTORS: &str = "resource_detectors";
}

/// The shape of a key's value, which says how an `OTEL_TOML_<KEY>` string becomes a TOML-like value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `true` / `false`.
    Bool,
    /// Any string, taken as is.
    Str,
    /// A non-negative integer.
    UInt,
    /// A number.
    Float,
    /// `"250ms"`, `"5s"`, … or integer milliseconds.
    Duration,
    /// One of fixed spellings.
    Enum,
    /// A comma-separated list (or a TOML array).
    List,
    /// `k=v,k2=v2`, percent-encoded.
    Map,
}

/// Every otel.toml key (a table's dotted path), explicitly.
pub(crate) const KEYS: &[(&str, Shape)] = &[
    (key::DISABLED, Shape::Bool),
    (key::SERVICE_NAME, Shape::Str),
    (key::SERVICE_VERSION, Shape::Str),
    (key::SERVICE_ENVIRONMENT, Shape::Str),
    (key::RESOURCE, Shape::Map),
    (key::EXPORTER_PROTOCOL, Shape::Enum),
    (key::EXPORTER_ENDPOINT, Shape::Str),
    (key::EXPORTER_TRACES_ENDPOINT, Shape::Str),
    (key::EXPORTER_TIMEOUT, Shape::Duration),
    (key::EXPORTER_HEADERS, Shape::Map),
    (key::EXPORTER_COMPRESSION, Shape::Enum),
    (key::EXPORTER_INSECURE, Shape::Bool),
    (key::EXPORTER_CERTIFICATE, Shape::Str),
    (key::EXPORTER_CLIENT_CERTIFICATE, Shape::Str),
    (key::EXPORTER_CLIENT_KEY, Shape::Str),
    (key::EXPORTER_ON_INVALID, Shape::Enum),
    (key::BATCH_MAX_QUEUE_SIZE, Shape::UInt),
    (key::BATCH_MAX_EXPORT_BATCH_SIZE, Shape::UInt),
    (key::BATCH_SCHEDULE_DELAY, Shape::Duration),
    (key::BATCH_EXPORT_TIMEOUT, Shape::Duration),
    (key::BATCH_MAX_CONCURRENT_EXPORTS, Shape::UInt),
    (key::BATCH_MAX_QUEUE_BYTES, Shape::UInt),
    (key::BATCH_YIELD_TO_APP, Shape::Bool),
    (key::SAMPLER_NAME, Shape::Enum),
    (key::SAMPLER_ARG, Shape::Float),
    (key::PROPAGATORS, Shape::List),
    (key::FMT_FORMAT, Shape::Enum),
    (key::FMT_FILTER, Shape::Str),
    (key::SHUTDOWN_TIMEOUT, Shape::Duration),
    (key::SHUTDOWN_SUMMARY, Shape::Enum),
    (key::LIMITS_ATTRIBUTE_COUNT, Shape::UInt),
    (key::LIMITS_EVENT_COUNT, Shape::UInt),
    (key::LIMITS_LINK_COUNT, Shape::UInt),
    (key::LIMITS_ATTRIBUTE_PER_EVENT, Shape::UInt),
    (key::LIMITS_ATTRIBUTE_PER_LINK, Shape::UInt),
    (key::TRACING_LOCATION, Shape::Bool),
    (key::TRACING_THREADS, Shape::Bool),
    (key::TRACING_TIMINGS, Shape::Bool),
    (key::EXPORTER_LOGS_ENDPOINT, Shape::Str),
    (key::EXPORTER_METRICS_ENDPOINT, Shape::Str),
    (key::FMT_TRACE_IDS, Shape::Bool),
    (key::TRACES_ENABLED, Shape::Bool),
    (key::TRACES_EXPORTER_PROTOCOL, Shape::Enum),
    (key::TRACES_EXPORTER_TIMEOUT, Shape::Duration),
    (key::TRACES_EXPORTER_HEADERS, Shape::Map),
    (key::TRACES_EXPORTER_COMPRESSION, Shape::Enum),
    (key::TRACES_EXPORTER_INSECURE, Shape::Bool),
    (key::TRACES_EXPORTER_CERTIFICATE, Shape::Str),
    (key::TRACES_EXPORTER_CLIENT_CERTIFICATE, Shape::Str),
    (key::TRACES_EXPORTER_CLIENT_KEY, Shape::Str),
    (key::LOGS_ENABLED, Shape::Bool),
    (key::LOGS_SPAN_EVENTS, Shape::Bool),
    (key::LOGS_EXPORTER_PROTOCOL, Shape::Enum),
    (key::LOGS_EXPORTER_TIMEOUT, Shape::Duration),
    (key::LOGS_EXPORTER_HEADERS, Shape::Map),
    (key::LOGS_EXPORTER_COMPRESSION, Shape::Enum),
    (key::LOGS_EXPORTER_INSECURE, Shape::Bool),
    (key::LOGS_EXPORTER_CERTIFICATE, Shape::Str),
    (key::LOGS_EXPORTER_CLIENT_CERTIFICATE, Shape::Str),
    (key::LOGS_EXPORTER_CLIENT_KEY, Shape::Str),
    (key::LOGS_BATCH_MAX_QUEUE_SIZE, Shape::UInt),
    (key::LOGS_BATCH_MAX_EXPORT_BATCH_SIZE, Shape::UInt),
    (key::LOGS_BATCH_SCHEDULE_DELAY, Shape::Duration),
    (key::LOGS_BATCH_EXPORT_TIMEOUT, Shape::Duration),
    (key::LOGS_BATCH_MAX_CONCURRENT_EXPORTS, Shape::UInt),
    (key::LOGS_BATCH_MAX_QUEUE_BYTES, Shape::UInt),
    (key::LOGS_BATCH_YIELD_TO_APP, Shape::Bool),
    (key::METRICS_ENABLED, Shape::Bool),
    (key::METRICS_INTERVAL, Shape::Duration),
    (key::METRICS_TIMEOUT, Shape::Duration),
    (key::METRICS_TEMPORALITY, Shape::Enum),
    (key::METRICS_SELF_OBSERVABILITY, Shape::Bool),
    (key::METRICS_EXPORTER_PROTOCOL, Shape::Enum),
    (key::METRICS_EXPORTER_TIMEOUT, Shape::Duration),
    (key::METRICS_EXPORTER_HEADERS, Shape::Map),
    (key::METRICS_EXPORTER_COMPRESSION, Shape::Enum),
    (key::METRICS_EXPORTER_INSECURE, Shape::Bool),
    (key::METRICS_EXPORTER_CERTIFICATE, Shape::Str),
    (key::METRICS_EXPORTER_CLIENT_CERTIFICATE, Shape::Str),
    (key::METRICS_EXPORTER_CLIENT_KEY, Shape::Str),
    (key::RESOURCE_DETECTORS, Shape::List),
];

/// The prefix of the `OTEL_TOML_<KEY>` variables.
pub(crate) const OTEL_TOML_PREFIX: &str = "OTEL_TOML_";

/// `exporter.timeout` → `OTEL_TOML_EXPORTER_TIMEOUT`.
pub(crate) fn variable_for(key: &str) -> String {
    format!("{OTEL_TOML_PREFIX}{}", key.to_ascii_uppercase().replace('.', "_"))
}

/// The key an `OTEL_TOML_<KEY>` variable sets, by looking every key's variable up (never by splitting on `_`).
pub(crate) fn key_for(variable: &str) -> Option<(&'static str, Shape)> {
    KEYS.iter().copied().find(|(key, _)| variable_for(key) == variable)
}

/// A full key for a misplaced leaf, e.g. `endpoint` at the top level → `exporter.endpoint`. Keys under `parent`
/// (the table the leaf was written in) come first, so that `schedule_delay` in `[logs]` suggests
/// `logs.batch.schedule_delay`, not `batch.schedule_delay`.
pub(crate) fn closest_full_key(parent: &str, leaf: &str) -> Option<&'static str> {
    // `endpoint` in `[logs.exporter]`: the per-signal endpoints live in `[exporter]`, every URL in one table.
    if let Some(signal) = parent.strip_suffix(".exporter") {
        if closest(leaf, ["endpoint"]).is_some() {
            let wanted = format!("exporter.{signal}_endpoint");
            if let Some((key, _)) = KEYS.iter().find(|(key, _)| *key == wanted) {
                return Some(key);
            }
        }
    }
    let under = |key: &&str| !parent.is_empty() && key.starts_with(parent) && key[parent.len()..].starts_with('.');
    let near: Vec<&'static str> = KEYS.iter().map(|(key, _)| *key).filter(under).collect();
    let all: Vec<&'static str> = KEYS.iter().map(|(key, _)| *key).collect();
    [near, all].into_iter().find_map(|keys| {
        let best = closest(leaf, keys.iter().map(|key| key.rsplit('.').next().unwrap_or(key)))?;
        keys.into_iter().find(|key| key.rsplit('.').next() == Some(best))
    })
}

/// The keys one exporter variable family sets: `[exporter]` (the generic `OTEL_EXPORTER_OTLP_*` variables) or a
/// signal's `[<signal>.exporter]` overrides with its `exporter.<signal>_endpoint`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ExporterKeys {
    pub(crate) endpoint: &'static str,
    pub(crate) protocol: &'static str,
    pub(crate) timeout: &'static str,
    pub(crate) headers: &'static str,
    pub(crate) compression: &'static str,
    pub(crate) insecure: &'static str,
    pub(crate) certificate: &'static str,
    pub(crate) client_certificate: &'static str,
    pub(crate) client_key: &'static str,
}

/// `[exporter]`'s keys.
pub(crate) const EXPORTER: ExporterKeys = ExporterKeys {
    endpoint: key::EXPORTER_ENDPOINT,
    protocol: key::EXPORTER_PROTOCOL,
    timeout: key::EXPORTER_TIMEOUT,
    headers: key::EXPORTER_HEADERS,
    compression: key::EXPORTER_COMPRESSION,
    insecure: key::EXPORTER_INSECURE,
    certificate: key::EXPORTER_CERTIFICATE,
    client_certificate: key::EXPORTER_CLIENT_CERTIFICATE,
    client_key: key::EXPORTER_CLIENT_KEY,
};

/// The keys of `signal`'s exporter overrides, and its own endpoint.
pub(crate) fn signal_exporter(signal: Signal) -> ExporterKeys {
    match signal {
        Signal::Traces => ExporterKeys {
            endpoint: key::EXPORTER_TRACES_ENDPOINT,
            protocol: key::TRACES_EXPORTER_PROTOCOL,
            timeout: key::TRACES_EXPORTER_TIMEOUT,
            headers: key::TRACES_EXPORTER_HEADERS,
            compression: key::TRACES_EXPORTER_COMPRESSION,
            insecure: key::TRACES_EXPORTER_INSECURE,
            certificate: key::TRACES_EXPORTER_CERTIFICATE,
            client_certificate: key::TRACES_EXPORTER_CLIENT_CERTIFICATE,
            client_key: key::TRACES_EXPORTER_CLIENT_KEY,
        },
        Signal::Logs => ExporterKeys {
            endpoint: key::EXPORTER_LOGS_ENDPOINT,
            protocol: key::LOGS_EXPORTER_PROTOCOL,
            timeout: key::LOGS_EXPORTER_TIMEOUT,
            headers: key::LOGS_EXPORTER_HEADERS,
            compression: key::LOGS_EXPORTER_COMPRESSION,
            insecure: key::LOGS_EXPORTER_INSECURE,
            certificate: key::LOGS_EXPORTER_CERTIFICATE,
            client_certificate: key::LOGS_EXPORTER_CLIENT_CERTIFICATE,
            client_key: key::LOGS_EXPORTER_CLIENT_KEY,
        },
        Signal::Metrics => ExporterKeys {
            endpoint: key::EXPORTER_METRICS_ENDPOINT,
            protocol: key::METRICS_EXPORTER_PROTOCOL,
            timeout: key::METRICS_EXPORTER_TIMEOUT,
            headers: key::METRICS_EXPORTER_HEADERS,
            compression: key::METRICS_EXPORTER_COMPRESSION,
            insecure: key::METRICS_EXPORTER_INSECURE,
            certificate: key::METRICS_EXPORTER_CERTIFICATE,
            client_certificate: key::METRICS_EXPORTER_CLIENT_CERTIFICATE,
            client_key: key::METRICS_EXPORTER_CLIENT_KEY,
        },
    }
}

/// `signal.enabled`.
pub(crate) fn signal_enabled(signal: Signal) -> &'static str {
    match signal {
        Signal::Traces => key::TRACES_ENABLED,
        Signal::Logs => key::LOGS_ENABLED,
        Signal::Metrics => key::METRICS_ENABLED,
    }
}

/// Every key that holds headers (`exporter.headers` and the per-signal overrides): values are secrets, names
/// case-insensitive.
pub(crate) const HEADER_KEYS: [&str; 4] =
    [key::EXPORTER_HEADERS, key::TRACES_EXPORTER_HEADERS, key::LOGS_EXPORTER_HEADERS, key::METRICS_EXPORTER_HEADERS];

/// The keys of one batch processor: `[batch]` (spans, `OTEL_BSP_*`) or `[logs.batch]` (`OTEL_BLRP_*`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BatchKeys {
    pub(crate) max_queue_size: &'static str,
    pub(crate) max_export_batch_size: &'static str,
    pub(crate) schedule_delay: &'static str,
    pub(crate) export_timeout: &'static str,
    pub(crate) max_concurrent_exports: &'static str,
    pub(crate) max_queue_bytes: &'static str,
    pub(crate) yield_to_app: &'static str,
}

/// `[batch]`'s keys.
pub(crate) const SPAN_BATCH: BatchKeys = BatchKeys {
    max_queue_size: key::BATCH_MAX_QUEUE_SIZE,
    max_export_batch_size: key::BATCH_MAX_EXPORT_BATCH_SIZE,
    schedule_delay: key::BATCH_SCHEDULE_DELAY,
    export_timeout: key::BATCH_EXPORT_TIMEOUT,
    max_concurrent_exports: key::BATCH_MAX_CONCURRENT_EXPORTS,
    max_queue_bytes: key::BATCH_MAX_QUEUE_BYTES,
    yield_to_app: key::BATCH_YIELD_TO_APP,
};

/// `[logs.batch]`'s keys.
pub(crate) const LOG_BATCH: BatchKeys = BatchKeys {
    max_queue_size: key::LOGS_BATCH_MAX_QUEUE_SIZE,
    max_export_batch_size: key::LOGS_BATCH_MAX_EXPORT_BATCH_SIZE,
    schedule_delay: key::LOGS_BATCH_SCHEDULE_DELAY,
    export_timeout: key::LOGS_BATCH_EXPORT_TIMEOUT,
    max_concurrent_exports: key::LOGS_BATCH_MAX_CONCURRENT_EXPORTS,
    max_queue_bytes: key::LOGS_BATCH_MAX_QUEUE_BYTES,
    yield_to_app: key::LOGS_BATCH_YIELD_TO_APP,
};
