//! Checks after extraction that types alone cannot express: endpoints, header syntax, batch sizes, ratios,
//! propagators, a non-empty service name. A value from a standard `OTEL_*` variable is a warning (the
//! variable is ignored, or the batch size clamped); from otel.toml, `OTEL_TOML_*` or the macro it is an error
//! naming its source.

use crate::endpoint::{check_endpoint, redacted};
use crate::enums::Propagator;
use crate::env::standard::header_problem;
use crate::error::{invalid, ConfigError};
use crate::model::{Config, MAX_CONCURRENT_EXPORTS, MAX_QUEUE_SIZE};
use crate::source::Origin;
use crate::warning::{PendingWarning, Then};
use figment::Figment;

fn origin(figment: &Figment, key: &str) -> Origin {
    Origin::of(figment.find_metadata(key))
}

/// The layer's place, lowest first: defaults < macro arguments < otel.toml < standard `OTEL_*` < `OTEL_TOML_*`.
fn rank(origin: &Origin) -> u8 {
    match origin {
        Origin::Defaults | Origin::Unknown => 0,
        Origin::Macro => 1,
        Origin::File(_) => 2,
        Origin::StdEnv(_) => 3,
        Origin::OwnEnv(_) => 4,
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
pub(crate) fn resolve_endpoint_layers(config: &mut Config, figment: &Figment) {
    let exporter = &mut config.exporter;
    if exporter.endpoint.is_none() || exporter.traces_endpoint.is_none() {
        return;
    }
    if rank(&origin(figment, "exporter.endpoint")) > rank(&origin(figment, "exporter.traces_endpoint")) {
        exporter.traces_endpoint = None;
    }
}

/// Header names that differ only in case are one header (HTTP names are case-insensitive): across layers the
/// higher layer's spelling and value are kept. Within one layer the environment variables' lists already keep
/// their later item; otel.toml has no order between table keys, so two spellings there are an error.
pub(crate) fn merge_header_case(config: &mut Config, figment: &Figment) -> Result<(), String> {
    let headers = &mut config.exporter.headers.0;
    let names: Vec<String> = headers.keys().cloned().collect();
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for name in names {
        groups.entry(name.to_ascii_lowercase()).or_default().push(name);
    }
    let tags = figment.find_value("exporter.headers").ok();
    let origin_of = |name: &str| {
        let tag = tags.as_ref().and_then(|v| v.as_dict()).and_then(|d| d.get(name)).map(|v| v.tag());
        Origin::of(tag.and_then(|t| figment.get_metadata(t)))
    };
    let mut errors = Vec::new();
    for spellings in groups.into_values().filter(|g| g.len() > 1) {
        let ranked: Vec<(Origin, String)> = spellings.into_iter().map(|n| (origin_of(&n), n)).collect();
        let top = ranked.iter().map(|(origin, _)| rank(origin)).max().unwrap_or(0);
        let (winners, losers): (Vec<_>, Vec<_>) = ranked.into_iter().partition(|(origin, _)| rank(origin) == top);
        if winners.len() > 1 {
            // Only otel.toml can hold two spellings in one layer: the variables' lists are reduced as read.
            let names: Vec<String> = winners.iter().map(|(_, n)| format!("{n:?}")).collect();
            let what = format!(
                "{} name the same header (HTTP header names are case-insensitive); keep one",
                names.join(" and ")
            );
            errors.push(invalid(&winners[0].0, "exporter.headers", &what));
            continue;
        }
        for (_, name) in losers {
            headers.remove(&name);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// Endpoints set by a standard variable that are not valid for the protocol: the variables to ignore, and the
/// warnings saying so.
pub(crate) fn bad_standard_endpoints(config: &Config, figment: &Figment) -> Vec<(String, PendingWarning)> {
    let mut out = Vec::new();
    for (key, value) in endpoints(config) {
        let (Some(url), Origin::StdEnv(variable)) = (value, origin(figment, key)) else {
            continue;
        };
        if let Err(why) = check_endpoint(url, config.exporter.protocol) {
            let reason = format!("not a valid endpoint for protocol {:?}: {why}", config.exporter.protocol.as_str());
            let warning = PendingWarning {
                variable: variable.clone(),
                value: redacted(url),
                reason,
                then: Then::UsingKey("exporter.endpoint"),
            };
            out.push((variable, warning));
        }
    }
    out
}

fn endpoints(config: &Config) -> [(&'static str, Option<&str>); 2] {
    [
        ("exporter.endpoint", config.exporter.endpoint.as_deref()),
        ("exporter.traces_endpoint", config.exporter.traces_endpoint.as_deref()),
    ]
}

/// `max_export_batch_size > max_queue_size` where either comes from a standard variable: clamp the batch size
/// to the queue size, with a warning. A batch size left at its default (512) follows a smaller queue size
/// silently: `max_queue_size = 100` alone is valid.
pub(crate) fn clamp_batch(config: &mut Config, figment: &Figment) -> Option<PendingWarning> {
    let (queue, batch) = (config.batch.max_queue_size, config.batch.max_export_batch_size);
    if batch <= queue || queue == 0 {
        return None;
    }
    let warning = match (origin(figment, "batch.max_export_batch_size"), origin(figment, "batch.max_queue_size")) {
        (Origin::Defaults, _) => {
            config.batch.max_export_batch_size = queue;
            return None;
        }
        (Origin::StdEnv(variable), _) => PendingWarning {
            variable,
            value: batch.to_string(),
            reason: format!("larger than batch.max_queue_size ({queue})"),
            then: Then::Text(format!("using {queue}")),
        },
        (_, Origin::StdEnv(variable)) => PendingWarning {
            variable,
            value: queue.to_string(),
            reason: format!("smaller than batch.max_export_batch_size ({batch})"),
            then: Then::Text(format!("the export batch size is clamped to {queue}")),
        },
        _ => return None,
    };
    config.batch.max_export_batch_size = queue;
    Some(warning)
}

/// De-duplicates `propagators` (keeping the first occurrence) and turns `["none"]` into the empty list.
pub(crate) fn normalize_propagators(config: &mut Config, figment: &Figment) -> Result<(), String> {
    let list = &mut config.propagators;
    if list.contains(&Propagator::None) {
        if list.iter().any(|p| *p != Propagator::None) {
            let what = "\"none\" cannot be combined with other propagators; use [\"none\"] alone or leave it out";
            return Err(invalid(&origin(figment, "propagators"), "propagators", what));
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
pub(crate) fn check(config: &Config, figment: &Figment) -> Result<(), ConfigError> {
    let mut errors = Vec::new();
    let mut fail = |key: &str, what: String| errors.push(invalid(&origin(figment, key), key, &what));

    if config.service.name.trim().is_empty() {
        fail("service.name", "must not be empty".into());
    }

    let batch = &config.batch;
    if batch.max_queue_size == 0 {
        fail("batch.max_queue_size", "must be at least 1".into());
    } else if batch.max_queue_size > MAX_QUEUE_SIZE {
        let what = format!(
            "{} is larger than the maximum {MAX_QUEUE_SIZE} (each slot of the queue is allocated at start)",
            batch.max_queue_size
        );
        fail("batch.max_queue_size", what);
    }
    if batch.max_export_batch_size == 0 {
        fail("batch.max_export_batch_size", "must be at least 1".into());
    } else if batch.max_queue_size > 0 && batch.max_export_batch_size > batch.max_queue_size {
        let what =
            format!("{} is larger than batch.max_queue_size ({})", batch.max_export_batch_size, batch.max_queue_size);
        fail("batch.max_export_batch_size", what);
    }
    if batch.max_queue_bytes == 0 {
        fail("batch.max_queue_bytes", "must be at least 1".into());
    }
    if batch.max_concurrent_exports == 0 {
        fail("batch.max_concurrent_exports", "must be at least 1".into());
    } else if batch.max_concurrent_exports > MAX_CONCURRENT_EXPORTS {
        let what = format!("{} is larger than the maximum {MAX_CONCURRENT_EXPORTS}", batch.max_concurrent_exports);
        fail("batch.max_concurrent_exports", what);
    }

    if let Some(arg) = config.sampler.arg {
        // TOML writes `nan` and `inf`: never a ratio, whatever the sampler.
        if !arg.is_finite() || (config.sampler.name.is_ratio() && !(0.0..=1.0).contains(&arg)) {
            fail("sampler.arg", format!("{arg} is not a ratio; expected a number from 0 to 1"));
        }
    }

    for (key, value) in endpoints(config) {
        if let Some(url) = value {
            if let Err(why) = check_endpoint(url, config.exporter.protocol) {
                fail(
                    key,
                    format!(
                        "invalid endpoint {:?} for protocol {:?}: {why}",
                        redacted(url),
                        config.exporter.protocol.as_str()
                    ),
                );
            }
        }
    }

    let header_values = figment.find_value("exporter.headers").ok();
    for (name, value) in config.exporter.headers.iter() {
        if let Some(problem) = header_problem(name, value) {
            let tag = header_values.as_ref().and_then(|v| v.as_dict()).and_then(|d| d.get(name)).map(|v| v.tag());
            let origin = Origin::of(tag.and_then(|t| figment.get_metadata(t)));
            errors.push(invalid(&origin, "exporter.headers", &problem));
        }
    }

    if errors.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::new(errors.join("\n")))
    }
}
