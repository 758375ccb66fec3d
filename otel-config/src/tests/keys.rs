//! The key table matches the model, so every otel.toml key has its OTEL_TOML_<KEY> variable.

use crate::keys::{key_for, variable_for, KEYS};
use crate::suggest::{closest, distance};
use figment::value::Value;

fn leaves(prefix: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Dict(_, dict) if prefix != "resource" && !prefix.ends_with("exporter.headers") => {
            for (k, v) in dict {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                leaves(&key, v, out);
            }
        }
        _ => out.push(prefix.to_string()),
    }
}

#[test]
fn key_table_matches_the_model() {
    let mut config = crate::Config::default();
    config.service.version = Some(String::new());
    config.service.environment = Some(String::new());
    config.exporter.endpoint = Some(String::new());
    config.exporter.traces_endpoint = Some(String::new());
    config.exporter.logs_endpoint = Some(String::new());
    config.exporter.metrics_endpoint = Some(String::new());
    config.logs.exporter.headers = Some(Default::default());
    config.exporter.certificate = Some("x".into());
    config.exporter.client_certificate = Some("x".into());
    config.exporter.client_key = Some("x".into());
    config.sampler.arg = Some(1.0);
    let mut found = Vec::new();
    leaves("", &Value::serialize(&config).unwrap(), &mut found);
    found.sort();
    let mut table: Vec<String> = KEYS.iter().map(|(k, _)| k.to_string()).collect();
    table.sort();
    assert_eq!(found, table);
}

#[test]
fn variables_round_trip() {
    for (key, kind) in KEYS {
        assert_eq!(key_for(&variable_for(key)), Some((*key, *kind)));
    }
    assert_eq!(variable_for("batch.max_queue_size"), "OTEL_TOML_BATCH_MAX_QUEUE_SIZE");
    assert_eq!(key_for("OTEL_TOML_BATCH_MAX"), None);
    // Nested keys: every `.` becomes `_`, so the variable names must stay unambiguous.
    let nested = [
        ("logs.batch.max_queue_size", "OTEL_TOML_LOGS_BATCH_MAX_QUEUE_SIZE"),
        ("metrics.exporter.protocol", "OTEL_TOML_METRICS_EXPORTER_PROTOCOL"),
        ("traces.exporter.client_key", "OTEL_TOML_TRACES_EXPORTER_CLIENT_KEY"),
        ("exporter.traces_endpoint", "OTEL_TOML_EXPORTER_TRACES_ENDPOINT"),
        ("resource_detectors", "OTEL_TOML_RESOURCE_DETECTORS"),
    ];
    for (key, variable) in nested {
        assert_eq!(variable_for(key), variable);
        assert_eq!(key_for(variable).map(|(k, _)| k), Some(key));
    }
}

/// `.` and `_` both become `_`: no two keys may give the same variable (`logs.batch_x` against `logs_batch.x`),
/// and no key's variable may be a standard variable's name.
#[test]
fn variables_are_unambiguous() {
    let mut names: Vec<String> = KEYS.iter().map(|(key, _)| variable_for(key)).collect();
    let count = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), count, "two keys share an OTEL_TOML_ variable");
    assert!(names.iter().all(|n| n.starts_with("OTEL_TOML_") && n != "OTEL_TOML"));
}

#[test]
fn suggestions() {
    assert_eq!(distance("kitten", "sitting"), 3);
    assert_eq!(closest("endpointt", ["protocol", "endpoint"]), Some("endpoint"));
    assert_eq!(closest("xyz", ["protocol", "endpoint"]), None);
}
