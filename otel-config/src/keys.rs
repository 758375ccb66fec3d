//! Every otel.toml key, with the shape of its value; the `OTEL_TOML_<KEY>` variable of each; "did you mean" for
//! keys and variables (the edit distance itself is [`crate::suggest`]).

use crate::suggest::closest;

/// Every otel.toml key by name, so that code names a key once (a typo is a compile error, not a silent miss).
pub(crate) mod key {
    /// `disabled`.
    pub(crate) const DISABLED: &str = "disabled";
    /// `service.name`.
    pub(crate) const SERVICE_NAME: &str = "service.name";
    /// `service.version`.
    pub(crate) const SERVICE_VERSION: &str = "service.version";
    /// `service.environment`.
    pub(crate) const SERVICE_ENVIRONMENT: &str = "service.environment";
    /// `resource`.
    pub(crate) const RESOURCE: &str = "resource";
    /// `exporter.protocol`.
    pub(crate) const EXPORTER_PROTOCOL: &str = "exporter.protocol";
    /// `exporter.endpoint`.
    pub(crate) const EXPORTER_ENDPOINT: &str = "exporter.endpoint";
    /// `exporter.traces_endpoint`.
    pub(crate) const EXPORTER_TRACES_ENDPOINT: &str = "exporter.traces_endpoint";
    /// `exporter.timeout`.
    pub(crate) const EXPORTER_TIMEOUT: &str = "exporter.timeout";
    /// `exporter.headers`.
    pub(crate) const EXPORTER_HEADERS: &str = "exporter.headers";
    /// `exporter.compression`.
    pub(crate) const EXPORTER_COMPRESSION: &str = "exporter.compression";
    /// `exporter.insecure`.
    pub(crate) const EXPORTER_INSECURE: &str = "exporter.insecure";
    /// `exporter.certificate`.
    pub(crate) const EXPORTER_CERTIFICATE: &str = "exporter.certificate";
    /// `exporter.client_certificate`.
    pub(crate) const EXPORTER_CLIENT_CERTIFICATE: &str = "exporter.client_certificate";
    /// `exporter.client_key`.
    pub(crate) const EXPORTER_CLIENT_KEY: &str = "exporter.client_key";
    /// `exporter.on_invalid`.
    pub(crate) const EXPORTER_ON_INVALID: &str = "exporter.on_invalid";
    /// `batch.max_queue_size`.
    pub(crate) const BATCH_MAX_QUEUE_SIZE: &str = "batch.max_queue_size";
    /// `batch.max_export_batch_size`.
    pub(crate) const BATCH_MAX_EXPORT_BATCH_SIZE: &str = "batch.max_export_batch_size";
    /// `batch.schedule_delay`.
    pub(crate) const BATCH_SCHEDULE_DELAY: &str = "batch.schedule_delay";
    /// `batch.export_timeout`.
    pub(crate) const BATCH_EXPORT_TIMEOUT: &str = "batch.export_timeout";
    /// `batch.max_concurrent_exports`.
    pub(crate) const BATCH_MAX_CONCURRENT_EXPORTS: &str = "batch.max_concurrent_exports";
    /// `batch.max_queue_bytes`.
    pub(crate) const BATCH_MAX_QUEUE_BYTES: &str = "batch.max_queue_bytes";
    /// `batch.yield_to_app`.
    pub(crate) const BATCH_YIELD_TO_APP: &str = "batch.yield_to_app";
    /// `sampler.name`.
    pub(crate) const SAMPLER_NAME: &str = "sampler.name";
    /// `sampler.arg`.
    pub(crate) const SAMPLER_ARG: &str = "sampler.arg";
    /// `propagators`.
    pub(crate) const PROPAGATORS: &str = "propagators";
    /// `fmt.format`.
    pub(crate) const FMT_FORMAT: &str = "fmt.format";
    /// `fmt.filter`.
    pub(crate) const FMT_FILTER: &str = "fmt.filter";
    /// `shutdown.timeout`.
    pub(crate) const SHUTDOWN_TIMEOUT: &str = "shutdown.timeout";
    /// `shutdown.summary`.
    pub(crate) const SHUTDOWN_SUMMARY: &str = "shutdown.summary";
    /// `limits.attribute_count`.
    pub(crate) const LIMITS_ATTRIBUTE_COUNT: &str = "limits.attribute_count";
    /// `limits.event_count`.
    pub(crate) const LIMITS_EVENT_COUNT: &str = "limits.event_count";
    /// `limits.link_count`.
    pub(crate) const LIMITS_LINK_COUNT: &str = "limits.link_count";
    /// `limits.attribute_per_event`.
    pub(crate) const LIMITS_ATTRIBUTE_PER_EVENT: &str = "limits.attribute_per_event";
    /// `limits.attribute_per_link`.
    pub(crate) const LIMITS_ATTRIBUTE_PER_LINK: &str = "limits.attribute_per_link";
    /// `tracing.location`.
    pub(crate) const TRACING_LOCATION: &str = "tracing.location";
    /// `tracing.threads`.
    pub(crate) const TRACING_THREADS: &str = "tracing.threads";
    /// `tracing.timings`.
    pub(crate) const TRACING_TIMINGS: &str = "tracing.timings";
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

/// A full key for a misplaced leaf, e.g. `endpoint` at the top level → `exporter.endpoint`.
pub(crate) fn closest_full_key(leaf: &str) -> Option<&'static str> {
    let leaves = KEYS.iter().map(|(key, _)| key.rsplit('.').next().unwrap_or(key));
    let best = closest(leaf, leaves)?;
    KEYS.iter().map(|(key, _)| *key).find(|key| key.rsplit('.').next() == Some(best))
}
