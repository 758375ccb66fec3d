//! Checks after extraction that types alone cannot express: endpoints, header syntax, batch sizes, ratios,
//! propagators, a non-empty service name. A value from a standard `OTEL_*` variable is a warning (the
//! variable is ignored, or the batch size clamped); from otel.toml, `OTEL_TOML_*` or the macro it is an error
//! naming its source.

use crate::endpoint::{check_endpoint, redacted};
use crate::enums::Propagator;
use crate::env::standard::header_problem;
use crate::error::{ConfigError, ConfigProblem, ProblemKind};
use crate::keys::key;
use crate::model::{Config, MAX_CONCURRENT_EXPORTS, MAX_QUEUE_SIZE};
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
/// `exporter.endpoint` comes from a higher layer than `exporter.traces_endpoint` (otel.toml sets
/// `traces_endpoint`, the deployment sets `OTEL_EXPORTER_OTLP_ENDPOINT`), the lower `traces_endpoint` is
/// dropped, so that [`traces_url`](crate::ExporterConfig::traces_url) uses the higher layer's endpoint. Within one
/// layer both stay and `traces_endpoint` wins, as the spec says.
///
/// Endpoint and traces_endpoint are the only generic/per-signal pair of keys: the other per-signal variables
/// (`OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`, …) set the same key as their generic variable, and the reader picks
/// the per-signal one within the standard layer.
pub(crate) fn resolve_endpoint_layers(config: &mut Config, layers: &Layers) {
    let exporter = &mut config.exporter;
    if exporter.endpoint.is_none() || exporter.traces_endpoint.is_none() {
        return;
    }
    if layers.origin_at(key::EXPORTER_ENDPOINT).rank() > layers.origin_at(key::EXPORTER_TRACES_ENDPOINT).rank() {
        exporter.traces_endpoint = None;
    }
}

/// Header names that differ only in case are one header (HTTP names are case-insensitive): across layers the
/// higher layer's spelling and value are kept. Within one layer the environment variables' lists already keep
/// their later item; otel.toml has no order between table keys, so two spellings there are an error.
pub(crate) fn merge_header_case(config: &mut Config, layers: &Layers) -> Result<(), ConfigError> {
    let headers = &mut config.exporter.headers.0;
    let names: Vec<String> = headers.keys().cloned().collect();
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for name in names {
        groups.entry(name.to_ascii_lowercase()).or_default().push(name);
    }
    let mut problems = Vec::new();
    for spellings in groups.into_values().filter(|g| g.len() > 1) {
        let ranked: Vec<(Origin, String)> =
            spellings.into_iter().map(|n| (layers.origin_of_entry(key::EXPORTER_HEADERS, &n), n)).collect();
        let top = ranked.iter().map(|(origin, _)| origin.rank()).max().unwrap_or(0);
        let (winners, losers): (Vec<_>, Vec<_>) = ranked.into_iter().partition(|(origin, _)| origin.rank() == top);
        if winners.len() > 1 {
            // Only otel.toml can hold two spellings in one layer: the variables' lists are reduced as read.
            let origin = winners[0].0.clone();
            let names = winners.into_iter().map(|(_, n)| n).collect();
            problems.push(ConfigProblem::at(key::EXPORTER_HEADERS, origin, ProblemKind::ConflictingHeaders { names }));
            continue;
        }
        for (_, name) in losers {
            headers.remove(&name);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::from_problems(problems))
    }
}

/// Endpoints set by a standard variable that are not valid for the protocol: the variables to ignore, and the
/// warnings saying so.
pub(crate) fn bad_standard_endpoints(config: &Config, layers: &Layers) -> Vec<(String, PendingWarning)> {
    let mut out = Vec::new();
    for (key, value) in endpoints(config) {
        let (Some(url), Some(variable)) = (value, standard_variable(layers.origin_at(key))) else {
            continue;
        };
        if let Err(why) = check_endpoint(url, config.exporter.protocol) {
            let reason = format!("not a valid endpoint for protocol {:?}: {why}", config.exporter.protocol.as_str());
            let warning = PendingWarning {
                variable: variable.clone(),
                value: redacted(url),
                reason,
                instead: Instead::UsingKey(key::EXPORTER_ENDPOINT),
            };
            out.push((variable, warning));
        }
    }
    out
}

fn endpoints(config: &Config) -> [(&'static str, Option<&str>); 2] {
    [
        (key::EXPORTER_ENDPOINT, config.exporter.endpoint.as_deref()),
        (key::EXPORTER_TRACES_ENDPOINT, config.exporter.traces_endpoint.as_deref()),
    ]
}

/// `max_export_batch_size > max_queue_size` where either comes from a standard variable: clamp the batch size
/// to the queue size, with a warning. A batch size left at its default (512) follows a smaller queue size
/// silently: `max_queue_size = 100` alone is valid.
pub(crate) fn clamp_batch(config: &mut Config, layers: &Layers) -> Option<PendingWarning> {
    let (queue, batch) = (config.batch.max_queue_size, config.batch.max_export_batch_size);
    if batch <= queue || queue == 0 {
        return None;
    }
    let batch_origin = layers.origin_at(key::BATCH_MAX_EXPORT_BATCH_SIZE);
    if batch_origin == Origin::Defaults {
        config.batch.max_export_batch_size = queue;
        return None;
    }
    let queue_origin = layers.origin_at(key::BATCH_MAX_QUEUE_SIZE);
    let warning = match (standard_variable(batch_origin), standard_variable(queue_origin)) {
        (Some(variable), _) => PendingWarning {
            variable,
            value: batch.to_string(),
            reason: format!("larger than batch.max_queue_size ({queue})"),
            instead: Instead::Text(format!("using {queue}")),
        },
        (_, Some(variable)) => PendingWarning {
            variable,
            value: queue.to_string(),
            reason: format!("smaller than batch.max_export_batch_size ({batch})"),
            instead: Instead::Text(format!("the export batch size is clamped to {queue}")),
        },
        _ => return None,
    };
    config.batch.max_export_batch_size = queue;
    Some(warning)
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
    let at_least_one = || ProblemKind::BelowMinimum { minimum: 1 };

    if config.service.name.trim().is_empty() {
        fail(key::SERVICE_NAME, ProblemKind::Empty);
    }

    let batch = &config.batch;
    if batch.max_queue_size == 0 {
        fail(key::BATCH_MAX_QUEUE_SIZE, at_least_one());
    } else if batch.max_queue_size > MAX_QUEUE_SIZE {
        let (value, maximum) = (batch.max_queue_size as u64, MAX_QUEUE_SIZE as u64);
        fail(key::BATCH_MAX_QUEUE_SIZE, ProblemKind::AboveMaximum { value, maximum });
    }
    if batch.max_export_batch_size == 0 {
        fail(key::BATCH_MAX_EXPORT_BATCH_SIZE, at_least_one());
    } else if batch.max_queue_size > 0 && batch.max_export_batch_size > batch.max_queue_size {
        let kind = ProblemKind::AboveKey {
            value: batch.max_export_batch_size as u64,
            other_key: key::BATCH_MAX_QUEUE_SIZE,
            other_value: batch.max_queue_size as u64,
        };
        fail(key::BATCH_MAX_EXPORT_BATCH_SIZE, kind);
    }
    if batch.max_queue_bytes == 0 {
        fail(key::BATCH_MAX_QUEUE_BYTES, at_least_one());
    }
    if batch.max_concurrent_exports == 0 {
        fail(key::BATCH_MAX_CONCURRENT_EXPORTS, at_least_one());
    } else if batch.max_concurrent_exports > MAX_CONCURRENT_EXPORTS {
        let (value, maximum) = (batch.max_concurrent_exports as u64, MAX_CONCURRENT_EXPORTS as u64);
        fail(key::BATCH_MAX_CONCURRENT_EXPORTS, ProblemKind::AboveMaximum { value, maximum });
    }

    if let Some(value) = config.sampler.arg {
        // TOML writes `nan` and `inf`: never a ratio, whatever the sampler.
        if !value.is_finite() || (config.sampler.name.is_ratio() && !(0.0..=1.0).contains(&value)) {
            fail(key::SAMPLER_ARG, ProblemKind::NotARatio { value });
        }
    }

    let protocol = config.exporter.protocol;
    for (key, value) in endpoints(config) {
        if let Some(url) = value {
            if let Err(reason) = check_endpoint(url, protocol) {
                fail(key, ProblemKind::InvalidEndpoint { url: redacted(url), protocol, reason });
            }
        }
    }

    for (name, value) in config.exporter.headers.iter() {
        if let Some(kind) = header_problem(name, value) {
            let origin = layers.origin_of_entry(key::EXPORTER_HEADERS, name);
            problems.push(ConfigProblem::at(key::EXPORTER_HEADERS, origin, kind));
        }
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::from_problems(problems))
    }
}
