//! Layers: built-in defaults < macro arguments < otel.toml < standard OTEL_* < OTEL_TOML_*; file selection.

use super::*;
use std::time::Duration;

#[test]
fn layers_lowest_first() {
    // (otel.toml, env, expected service.name, expected service.version)
    let rows: &[(Option<&str>, &[(&str, &str)], &str, Option<&str>)] = &[
        (None, &[], "from-macro", Some("1.2.3")),
        (Some("[service]\nname = \"from-file\"\nversion = \"9\""), &[], "from-file", Some("9")),
        (Some("[service]\nname = \"from-file\""), &[("OTEL_SERVICE_NAME", "from-env")], "from-env", Some("1.2.3")),
        (
            Some("[service]\nname = \"from-file\""),
            &[("OTEL_SERVICE_NAME", "from-env"), ("OTEL_TOML_SERVICE_NAME", "from-own")],
            "from-own",
            Some("1.2.3"),
        ),
        (None, &[("OTEL_RESOURCE_ATTRIBUTES", "service.version=2.0")], "from-macro", Some("2.0")),
    ];
    for (i, (toml, env, name, version)) in rows.iter().enumerate() {
        let c = load_with(*toml, env).unwrap_or_else(|e| panic!("row {i}: {e}")).config;
        assert_eq!((c.service.name.as_str(), c.service.version.as_deref()), (*name, *version), "row {i}");
    }
}

#[test]
fn defaults_are_the_spec_defaults() {
    let loaded =
        load(&LoadOptions { env: Some(HashMap::new()), cwd: Some(dir_with(None)), ..Default::default() }).unwrap();
    assert_eq!(loaded.config, Config::default());
    assert!(loaded.warnings.is_empty() && loaded.file.is_none());
    let c = loaded.config;
    assert_eq!(c.service.name, "unknown_service");
    assert_eq!(c.exporter.protocol, Protocol::HttpProtobuf);
    assert_eq!(c.exporter.timeout, Duration::from_secs(10));
    assert_eq!(c.exporter.traces_url(), "http://localhost:4318/v1/traces");
    assert_eq!((c.batch.max_queue_size, c.batch.max_export_batch_size, c.batch.max_concurrent_exports), (2048, 512, 2));
    assert_eq!(c.batch.max_queue_bytes, 64 * 1024 * 1024);
    assert_eq!((c.batch.schedule_delay, c.batch.export_timeout), (Duration::from_secs(5), Duration::from_secs(30)));
    assert_eq!(c.sampler, SamplerConfig { name: SamplerName::ParentBasedAlwaysOn, arg: None });
    assert_eq!(c.propagators, [Propagator::TraceContext, Propagator::Baggage]);
    assert_eq!((c.fmt.format, c.fmt.filter.as_str()), (FmtFormat::Compact, "info"));
    assert_eq!((c.shutdown.timeout, c.shutdown.summary), (Duration::from_secs(3), SummaryMode::OnLoss));
    assert_eq!(c.limits, SpanLimitsConfig::default());
    assert!(!c.disabled);
}

#[test]
fn service_name_fallbacks() {
    // (macro service, crate name, expected)
    let rows = [(Some("svc"), Some("krate"), "svc"), (None, Some("krate"), "krate"), (None, None, "unknown_service")];
    for (service, krate, expected) in rows {
        let options = LoadOptions {
            service_name: service.map(Into::into),
            crate_name: krate.map(Into::into),
            env: Some(HashMap::new()),
            cwd: Some(dir_with(None)),
            ..Default::default()
        };
        assert_eq!(load(&options).unwrap().config.service.name, expected);
    }
}

#[test]
fn environment_wins_over_file_key_by_key() {
    let toml =
        "[batch]\nmax_queue_size = 100\nmax_export_batch_size = 50\n[fmt]\nformat = \"pretty\"\nfilter = \"warn\"";
    let c = load_with(Some(toml), &[("OTEL_BSP_MAX_QUEUE_SIZE", "4096"), ("RUST_LOG", "debug")]).unwrap().config;
    assert_eq!((c.batch.max_queue_size, c.batch.max_export_batch_size), (4096, 50));
    assert_eq!((c.fmt.format, c.fmt.filter.as_str()), (FmtFormat::Pretty, "debug"));
}

#[test]
fn own_variable_wins_over_standard_variable() {
    // (env, check)
    let rows: Vec<(Vec<(&str, &str)>, fn(&Config) -> bool)> = vec![
        (vec![("OTEL_BSP_MAX_QUEUE_SIZE", "10"), ("OTEL_TOML_BATCH_MAX_QUEUE_SIZE", "4096")], |c| {
            c.batch.max_queue_size == 4096
        }),
        (vec![("RUST_LOG", "debug"), ("OTEL_TOML_FMT_FILTER", "trace")], |c| c.fmt.filter == "trace"),
        (vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_TOML_EXPORTER_PROTOCOL", "http/json")], |c| {
            c.exporter.protocol == Protocol::HttpJson
        }),
        (vec![("OTEL_TRACES_EXPORTER", "none"), ("OTEL_TOML_EXPORTER_PROTOCOL", "grpc")], |c| {
            c.exporter.protocol == Protocol::Grpc
        }),
        (vec![("OTEL_PROPAGATORS", "b3"), ("OTEL_TOML_PROPAGATORS", "jaeger")], |c| {
            c.propagators == [Propagator::Jaeger]
        }),
        (vec![("OTEL_SDK_DISABLED", "true"), ("OTEL_TOML_DISABLED", "false")], |c| !c.disabled),
    ];
    for (i, (env, check)) in rows.into_iter().enumerate() {
        let c = load_with(None, &env).unwrap_or_else(|e| panic!("row {i}: {e}")).config;
        assert!(check(&c), "row {i}: {env:?} gave {c:?}");
    }
}

#[test]
fn maps_merge_across_layers() {
    let toml = "[resource]\nteam = \"core\"\nregion = \"eu\"\n[exporter.headers]\nx-file = \"1\"";
    let env = [("OTEL_RESOURCE_ATTRIBUTES", "region=us,host=h1"), ("OTEL_EXPORTER_OTLP_HEADERS", "x-env=2")];
    let c = load_with(Some(toml), &env).unwrap().config;
    let resource: Vec<(&str, String)> = c.resource.iter().map(|(k, v)| (k.as_str(), v.to_string())).collect();
    assert_eq!(resource, [("host", "h1".to_string()), ("region", "us".to_string()), ("team", "core".to_string())]);
    assert_eq!(c.exporter.headers.iter().collect::<Vec<_>>(), [("x-env", "2"), ("x-file", "1")]);
}

#[test]
fn file_selection() {
    let dir = dir_with(Some("[service]\nname = \"cwd\""));
    std::fs::write(dir.join("other.toml"), "[service]\nname = \"other\"").unwrap();
    std::fs::write(dir.join("by-env.toml"), "[service]\nname = \"by-env\"").unwrap();
    let options = |file: Option<&str>, env: &[(&str, &str)]| LoadOptions {
        file: file.map(PathBuf::from),
        env: Some(env_map(env)),
        cwd: Some(dir.clone()),
        ..Default::default()
    };
    // (explicit file, env, expected service.name, expected Loaded.file)
    let rows: &[(Option<&str>, &[(&str, &str)], &str, &str)] = &[
        (None, &[], "cwd", "otel.toml"),
        (Some("other.toml"), &[], "other", "other.toml"),
        (Some("other.toml"), &[("OTEL_TOML", "by-env.toml")], "other", "other.toml"),
        (None, &[("OTEL_TOML", "by-env.toml")], "by-env", "by-env.toml"),
        (None, &[("OTEL_TOML", "")], "cwd", "otel.toml"),
    ];
    for (i, (file, env, name, read)) in rows.iter().enumerate() {
        let loaded = load(&options(*file, env)).unwrap_or_else(|e| panic!("row {i}: {e}"));
        assert_eq!(loaded.config.service.name, *name, "row {i}");
        assert_eq!(loaded.file, Some(dir.join(read)), "row {i}");
    }
    let absolute = dir.join("other.toml");
    let loaded = load(&options(absolute.to_str(), &[])).unwrap();
    assert_eq!(loaded.file, Some(absolute));
    let _ = std::fs::remove_dir_all(&dir);
}
