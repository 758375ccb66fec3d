//! Checks after extraction that types alone cannot express: endpoints, header syntax, batch sizes, ratios,
//! propagators, a non-empty service name. A value from a standard `OTEL_*` variable is a warning (the
//! variable is ignored, or the batch size clamped); from otel.toml, `OTEL_TOML_*` or the macro it is an error
//! naming its source.

use crate::endpoint::{check_endpoint, redacted};
use crate::enums::{Propagator, Protocol, Signal};
use crate::env::standard::header_problem;
use crate::error::{ConfigError, ConfigProblem, ProblemKind};
use crate::headers::Headers;
use crate::keys::{self, key, BatchKeys};
use crate::model::{BatchConfig, Config, MAX_CONCURRENT_EXPORTS, MAX_QUEUE_SIZE};
use crate::source::{Layers, Origin};
use crate::warning::{Instead, PendingWarning};

/// The origin of a value set by a standard `OTEL_*` variable (not one of ours, `OTEL_TOML_*`).
fn standard_variable(origin: Origin) -> Option<String> {
    match origin {
        Origin::Env(_) if origin.is_otel_toml_variable() => None,
        Origin::Env(variable) => Some(variable),
        _ => None,
    }
}

/// Generic and per-signal endpoints: the layer decides first, then the per-signal key within a layer. When
/// `exporter.endpoint` comes from a higher layer than a signal's endpoint (`exporter.traces_endpoint`,
/// `logs_endpoint`, `metrics_endpoint`) — otel.toml sets `logs_endpoint`, the deployment sets
/// `OTEL_EXPORTER_OTLP_ENDPOINT` — the lower per-signal endpoint is dropped, so that
/// [`url`](crate::ExporterConfig::url) uses the higher layer's endpoint. Within one layer both stay and the
/// per-signal endpoint wins, as the spec says.
///
/// The endpoints are the only generic/per-signal pairs with this rule: the other per-signal overrides
/// (`[logs.exporter]`, `OTEL_EXPORTER_OTLP_LOGS_TIMEOUT`, …) apply field by field over `[exporter]`.
pub(crate) fn resolve_endpoint_layers(config: &mut Config, layers: &Layers) {
    let exporter = &mut config.exporter;
    if exporter.endpoint.is_none() {
        return;
    }
    let generic = layers.origin_at(key::EXPORTER_ENDPOINT).rank();
    for signal in Signal::ALL.iter().copied() {
        let own_key = keys::signal_exporter(signal).endpoint;
        let own = match signal {
            Signal::Traces => &mut exporter.traces_endpoint,
            Signal::Logs => &mut exporter.logs_endpoint,
            Signal::Metrics => &mut exporter.metrics_endpoint,
        };
        if own.is_some() && generic > layers.origin_at(own_key).rank() {
            *own = None;
        }
    }
}

/// The headers at `key` (one of [`keys::HEADER_KEYS`]), when set.
fn headers_at<'a>(config: &'a mut Config, key: &str) -> Option<&'a mut Headers> {
    match key {
        key::TRACES_EXPORTER_HEADERS => config.traces.exporter.headers.as_mut(),
        key::LOGS_EXPORTER_HEADERS => config.logs.exporter.headers.as_mut(),
        key::METRICS_EXPORTER_HEADERS => config.metrics.exporter.headers.as_mut(),
        _ => Some(&mut config.exporter.headers),
    }
}

/// Header names that differ only in case are one header (HTTP names are case-insensitive): across layers the
/// higher layer's spelling and value are kept. Within one layer the environment variables' lists already keep
/// their later item; otel.toml has no order between table keys, so two spellings there are an error.
///
/// Each headers key ([`keys::HEADER_KEYS`]) on its own: a signal's headers replace `exporter.headers`, they do not
/// merge with them.
pub(crate) fn merge_header_case(config: &mut Config, layers: &Layers) -> Result<(), ConfigError> {
    let mut problems = Vec::new();
    for key in keys::HEADER_KEYS {
        if let Some(headers) = headers_at(config, key) {
            merge_header_case_at(key, headers, layers, &mut problems);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::from_problems(problems))
    }
}

fn merge_header_case_at(key: &'static str, headers: &mut Headers, layers: &Layers, problems: &mut Vec<ConfigProblem>) {
    let headers = &mut headers.0;
    let names: Vec<String> = headers.keys().cloned().collect();
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for name in names {
        groups.entry(name.to_ascii_lowercase()).or_default().push(name);
    }
    for spellings in groups.into_values().filter(|g| g.len() > 1) {
        let ranked: Vec<(Origin, String)> =
            spellings.into_iter().map(|n| (layers.origin_of_entry(key, &n), n)).collect();
        let top = ranked.iter().map(|(origin, _)| origin.rank()).max().unwrap_or(0);
        let (winners, losers): (Vec<_>, Vec<_>) = ranked.into_iter().partition(|(origin, _)| origin.rank() == top);
        if winners.len() > 1 {
            // Only otel.toml can hold two spellings in one layer: the variables' lists are reduced as read.
            let origin = winners[0].0.clone();
            let names = winners.into_iter().map(|(_, n)| n).collect();
            problems.push(ConfigProblem::at(key, origin, ProblemKind::ConflictingHeaders { names }));
            continue;
        }
        for (_, name) in losers {
            headers.remove(&name);
        }
    }
}

/// Endpoints set by a standard variable that are not valid for the protocol of a signal that uses them: the
/// variables to ignore, and the warnings saying so.
pub(crate) fn bad_standard_endpoints(config: &Config, layers: &Layers) -> Vec<(String, PendingWarning)> {
    let mut out = Vec::new();
    for (key, url, protocols) in endpoints(config) {
        let Some(variable) = standard_variable(layers.origin_at(key)) else {
            continue;
        };
        if let Some((protocol, why)) = first_invalid(url, &protocols) {
            let reason = format!("not a valid endpoint for protocol {:?}: {why}", protocol.as_str());
            let warning = PendingWarning {
                variable: variable.clone(),
                value: redacted(url),
                reason,
                instead: Instead::UsingKey(key),
            };
            out.push((variable, warning));
        }
    }
    out
}

/// The first of `protocols` the endpoint is not valid for, and why.
fn first_invalid(url: &str, protocols: &[Protocol]) -> Option<(Protocol, String)> {
    protocols.iter().find_map(|protocol| check_endpoint(url, *protocol).err().map(|why| (*protocol, why)))
}

/// Every endpoint set, with the protocols it must be valid for: a signal's own endpoint for the signal's
/// protocol (after its overrides); `exporter.endpoint` for `exporter.protocol` and for the protocol of every
/// enabled signal that sends to it (one without an endpoint of its own).
fn endpoints(config: &Config) -> Vec<(&'static str, &str, Vec<Protocol>)> {
    let mut out = Vec::new();
    let mut generic = vec![config.exporter.protocol];
    for signal in Signal::ALL.iter().copied() {
        let protocol = config.exporter_for(signal).protocol;
        let (own, enabled) = match signal {
            Signal::Traces => (config.exporter.traces_endpoint.as_deref(), config.traces.enabled),
            Signal::Logs => (config.exporter.logs_endpoint.as_deref(), config.logs.enabled),
            Signal::Metrics => (config.exporter.metrics_endpoint.as_deref(), config.metrics.enabled),
        };
        match own {
            Some(url) => out.push((keys::signal_exporter(signal).endpoint, url, vec![protocol])),
            None if enabled && !generic.contains(&protocol) => generic.push(protocol),
            None => {}
        }
    }
    if let Some(url) = config.exporter.endpoint.as_deref() {
        out.insert(0, (key::EXPORTER_ENDPOINT, url, generic));
    }
    out
}

/// `max_export_batch_size > max_queue_size` where either comes from a standard variable: clamp the batch size
/// to the queue size, with a warning. A batch size left at its default (512) follows a smaller queue size
/// silently: `max_queue_size = 100` alone is valid. For `[batch]` and `[logs.batch]` alike.
pub(crate) fn clamp_batch(config: &mut Config, layers: &Layers) -> Vec<PendingWarning> {
    let mut warnings = Vec::new();
    warnings.extend(clamp_one(&mut config.batch, keys::SPAN_BATCH, layers));
    warnings.extend(clamp_one(&mut config.logs.batch, keys::LOG_BATCH, layers));
    warnings
}

fn clamp_one(config: &mut BatchConfig, keys: BatchKeys, layers: &Layers) -> Option<PendingWarning> {
    let (queue, batch) = (config.max_queue_size, config.max_export_batch_size);
    if batch <= queue || queue == 0 {
        return None;
    }
    let batch_origin = layers.origin_at(keys.max_export_batch_size);
    if batch_origin == Origin::Defaults {
        config.max_export_batch_size = queue;
        return None;
    }
    let queue_origin = layers.origin_at(keys.max_queue_size);
    let warning = match (standard_variable(batch_origin), standard_variable(queue_origin)) {
        (Some(variable), _) => PendingWarning {
            variable,
            value: batch.to_string(),
            reason: format!("larger than {} ({queue})", keys.max_queue_size),
            instead: Instead::Text(format!("using {queue}")),
        },
        (_, Some(variable)) => PendingWarning {
            variable,
            value: queue.to_string(),
            reason: format!("smaller than {} ({batch})", keys.max_export_batch_size),
            instead: Instead::Text(format!("the export batch size is clamped to {queue}")),
        },
        _ => return None,
    };
    config.max_export_batch_size = queue;
    Some(warning)
}

/// De-duplicates `resource_detectors`, keeping the first occurrence (`[]` stays empty: detection off).
pub(crate) fn normalize_detectors(config: &mut Config) {
    let mut seen = Vec::with_capacity(config.resource_detectors.len());
    config.resource_detectors.retain(|d| {
        let first = !seen.contains(d);
        seen.push(*d);
        first
    });
}

/// De-duplicates `propagators` (keeping the first occurrence) and turns `["none"]` into the empty list.
pub(crate) fn normalize_propagators(config: &mut Config, layers: &Layers) -> Result<(), ConfigError> {
    let list = &mut config.propagators;
    if list.contains(&Propagator::None) {
        if list.iter().any(|p| *p != Propagator::None) {
            let origin = layers.origin_at(key::PROPAGATORS);
            return Err(ConfigProblem::at(key::PROPAGATORS, origin, ProblemKind::NoneWithOtherPropagators).into());
        }
        list.clear();
    }
    let mut seen = Vec::with_capacity(list.len());
    list.retain(|p| {
        let first = !seen.contains(p);
        seen.push(*p);
        first
    });
    Ok(())
}

/// Every remaining problem, as one error naming each key and where its value came from.
pub(crate) fn check(config: &Config, layers: &Layers) -> Result<(), ConfigError> {
    let mut problems = Vec::new();
    let mut fail = |key: &str, kind: ProblemKind| problems.push(ConfigProblem::at(key, layers.origin_at(key), kind));

    if config.service.name.trim().is_empty() {
        fail(key::SERVICE_NAME, ProblemKind::Empty);
    }

    for (batch, keys) in [(&config.batch, keys::SPAN_BATCH), (&config.logs.batch, keys::LOG_BATCH)] {
        check_batch(batch, keys, &mut fail);
    }
    if config.metrics.interval.is_zero() {
        let reason = "must be longer than 0 (the time between two exports)".to_string();
        fail(key::METRICS_INTERVAL, ProblemKind::InvalidValue { reason });
    }

    if let Some(value) = config.sampler.arg {
        // TOML writes `nan` and `inf`: never a ratio, whatever the sampler.
        if !value.is_finite() || (config.sampler.name.is_ratio() && !(0.0..=1.0).contains(&value)) {
            fail(key::SAMPLER_ARG, ProblemKind::NotARatio { value });
        }
    }

    for (key, url, protocols) in endpoints(config) {
        if let Some((protocol, reason)) = first_invalid(url, &protocols) {
            fail(key, ProblemKind::InvalidEndpoint { url: redacted(url), protocol, reason });
        }
    }

    let all_headers = [
        (key::EXPORTER_HEADERS, Some(&config.exporter.headers)),
        (key::TRACES_EXPORTER_HEADERS, config.traces.exporter.headers.as_ref()),
        (key::LOGS_EXPORTER_HEADERS, config.logs.exporter.headers.as_ref()),
        (key::METRICS_EXPORTER_HEADERS, config.metrics.exporter.headers.as_ref()),
    ];
    for (key, headers) in all_headers {
        for (name, value) in headers.into_iter().flat_map(Headers::iter) {
            if let Some(kind) = header_problem(name, value) {
                problems.push(ConfigProblem::at(key, layers.origin_of_entry(key, name), kind));
            }
        }
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::from_problems(problems))
    }
}

/// The bounds of one batch processor (`[batch]`, `[logs.batch]`).
fn check_batch(batch: &BatchConfig, keys: BatchKeys, fail: &mut impl FnMut(&'static str, ProblemKind)) {
    let at_least_one = || ProblemKind::BelowMinimum { minimum: 1 };
    if batch.max_queue_size == 0 {
        fail(keys.max_queue_size, at_least_one());
    } else if batch.max_queue_size > MAX_QUEUE_SIZE {
        let (value, maximum) = (batch.max_queue_size as u64, MAX_QUEUE_SIZE as u64);
        fail(keys.max_queue_size, ProblemKind::AboveMaximum { value, maximum });
    }
    if batch.max_export_batch_size == 0 {
        fail(keys.max_export_batch_size, at_least_one());
    } else if batch.max_queue_size > 0 && batch.max_export_batch_size > batch.max_queue_size {
        let kind = ProblemKind::AboveKey {
            value: batch.max_export_batch_size as u64,
            other_key: keys.max_queue_size,
            other_value: batch.max_queue_size as u64,
        };
        fail(keys.max_export_batch_size, kind);
    }
    if batch.max_queue_bytes == 0 {
        fail(keys.max_queue_bytes, at_least_one());
    }
    if batch.max_concurrent_exports == 0 {
        fail(keys.max_concurrent_exports, at_least_one());
    } else if batch.max_concurrent_exports > MAX_CONCURRENT_EXPORTS {
        let (value, maximum) = (batch.max_concurrent_exports as u64, MAX_CONCURRENT_EXPORTS as u64);
        fail(keys.max_concurrent_exports, ProblemKind::AboveMaximum { value, maximum });
    }
}
