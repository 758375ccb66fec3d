//! The key table matches the model, so every otel.toml key has its OTEL_TOML_<KEY> variable.

use crate::keys::{key_for, variable_for, KEYS};
use crate::suggest::{closest, distance};
use figment::value::Value;

fn leaves(prefix: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Dict(_, dict) if !matches!(prefix, "resource" | "exporter.headers") => {
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
}

#[test]
fn suggestions() {
    assert_eq!(distance("kitten", "sitting"), 3);
    assert_eq!(closest("endpointt", ["protocol", "endpoint"]), Some("endpoint"));
    assert_eq!(closest("xyz", ["protocol", "endpoint"]), None);
}
