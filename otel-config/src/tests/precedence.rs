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
    // The three signals: all on, one `[exporter]`, the spec's defaults.
    for signal in [Signal::Traces, Signal::Logs, Signal::Metrics] {
        assert!(c.exports(signal), "{signal}");
        assert_eq!(c.exporter_for(signal), c.exporter, "{signal}");
        assert_eq!(c.exporter.url(signal), format!("http://localhost:4318/v1/{signal}"));
    }
    assert!(c.logs.span_events && c.fmt.trace_ids && c.metrics.self_observability);
    assert_eq!(c.logs.batch.schedule_delay, Duration::from_secs(1));
    assert_eq!((c.logs.batch.max_queue_size, c.logs.batch.max_export_batch_size), (2048, 512));
    assert_eq!((c.metrics.interval, c.metrics.timeout), (Duration::from_secs(60), Duration::from_secs(30)));
    assert_eq!(c.metrics.temporality, Temporality::Cumulative);
    assert_eq!(c.resource_detectors, ResourceDetector::ALL);
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
        (vec![("OTEL_TRACES_EXPORTER", "none"), ("OTEL_TOML_TRACES_ENABLED", "true")], |c| c.traces.enabled),
        (vec![("OTEL_LOGS_EXPORTER", "console"), ("OTEL_TOML_LOGS_EXPORTER_PROTOCOL", "grpc")], |c| {
            c.exporter_for(Signal::Logs).protocol == Protocol::Grpc
        }),
        (vec![("OTEL_BLRP_MAX_QUEUE_SIZE", "10"), ("OTEL_TOML_LOGS_BATCH_MAX_QUEUE_SIZE", "4096")], |c| {
            c.logs.batch.max_queue_size == 4096
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

/// The value of a dotted key in the configuration as JSON (durations in ms, header values `"***"`).
fn json_at(config: &Config, key: &str) -> serde_json::Value {
    let pointer = format!("/{}", key.replace('.', "/"));
    serde_json::to_value(config).unwrap().pointer(&pointer).cloned().unwrap_or_else(|| panic!("no {key}"))
}

#[test]
fn every_key_through_every_layer() {
    use serde_json::json;
    // (key, otel.toml, standard variables, OTEL_TOML_<KEY> value,
    //  expected after: [defaults, + macro arguments, + otel.toml, + standard OTEL_*, + OTEL_TOML_*])
    // A key without a standard variable keeps the otel.toml value in the fourth column.
    let rows: Vec<(&str, &str, Vec<(&str, &str)>, &str, [serde_json::Value; 5])> = vec![
        (
            "disabled",
            "disabled = true",
            vec![("OTEL_SDK_DISABLED", "false")],
            "true",
            [json!(false), json!(false), json!(true), json!(false), json!(true)],
        ),
        (
            "service.name",
            "[service]\nname = \"file\"",
            vec![("OTEL_SERVICE_NAME", "std")],
            "own",
            [json!("unknown_service"), json!("from-macro"), json!("file"), json!("std"), json!("own")],
        ),
        (
            "service.version",
            "[service]\nversion = \"9\"",
            vec![("OTEL_RESOURCE_ATTRIBUTES", "service.version=10")],
            "11",
            [json!(null), json!("1.2.3"), json!("9"), json!("10"), json!("11")],
        ),
        (
            "service.environment",
            "[service]\nenvironment = \"file\"",
            vec![("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=std")],
            "own",
            [json!(null), json!(null), json!("file"), json!("std"), json!("own")],
        ),
        (
            "resource",
            "[resource]\na = \"file\"\nb = \"file\"",
            vec![("OTEL_RESOURCE_ATTRIBUTES", "b=std,c=std")],
            "c=own",
            [
                json!({}),
                json!({}),
                json!({"a": "file", "b": "file"}),
                json!({"a": "file", "b": "std", "c": "std"}),
                json!({"a": "file", "b": "std", "c": "own"}),
            ],
        ),
        (
            "exporter.protocol",
            "[exporter]\nprotocol = \"grpc\"",
            vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")],
            "console",
            [json!("http/protobuf"), json!("http/protobuf"), json!("grpc"), json!("http/json"), json!("console")],
        ),
        (
            "exporter.endpoint",
            "[exporter]\nendpoint = \"http://file:4318\"",
            vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "http://std:4318")],
            "http://own:4318",
            [json!(null), json!(null), json!("http://file:4318"), json!("http://std:4318"), json!("http://own:4318")],
        ),
        (
            "exporter.traces_endpoint",
            "[exporter]\ntraces_endpoint = \"http://file:4318/t\"",
            vec![("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://std:4318/t")],
            "http://own:4318/t",
            [
                json!(null),
                json!(null),
                json!("http://file:4318/t"),
                json!("http://std:4318/t"),
                json!("http://own:4318/t"),
            ],
        ),
        (
            "exporter.timeout",
            "[exporter]\ntimeout = \"1s\"",
            vec![("OTEL_EXPORTER_OTLP_TIMEOUT", "2000")],
            "3s",
            [json!(10_000), json!(10_000), json!(1_000), json!(2_000), json!(3_000)],
        ),
        (
            "exporter.headers",
            "[exporter.headers]\nx-file = \"1\"\nX-Shared = \"file\"",
            vec![("OTEL_EXPORTER_OTLP_HEADERS", "x-shared=std,x-std=2")],
            "X-SHARED=own",
            [
                json!({}),
                json!({}),
                json!({"X-Shared": "***", "x-file": "***"}),
                json!({"x-file": "***", "x-shared": "***", "x-std": "***"}),
                json!({"X-SHARED": "***", "x-file": "***", "x-std": "***"}),
            ],
        ),
        (
            "exporter.compression",
            "[exporter]\ncompression = \"gzip\"",
            vec![("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd")],
            "none",
            [json!("none"), json!("none"), json!("gzip"), json!("zstd"), json!("none")],
        ),
        (
            "exporter.insecure",
            "[exporter]\ninsecure = true",
            vec![("OTEL_EXPORTER_OTLP_INSECURE", "false")],
            "true",
            [json!(false), json!(false), json!(true), json!(false), json!(true)],
        ),
        (
            "exporter.certificate",
            "[exporter]\ncertificate = \"/file.pem\"",
            vec![("OTEL_EXPORTER_OTLP_CERTIFICATE", "/std.pem")],
            "/own.pem",
            [json!(null), json!(null), json!("/file.pem"), json!("/std.pem"), json!("/own.pem")],
        ),
        (
            "exporter.client_certificate",
            "[exporter]\nclient_certificate = \"/file.pem\"",
            vec![("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "/std.pem")],
            "/own.pem",
            [json!(null), json!(null), json!("/file.pem"), json!("/std.pem"), json!("/own.pem")],
        ),
        (
            "exporter.client_key",
            "[exporter]\nclient_key = \"/file.pem\"",
            vec![("OTEL_EXPORTER_OTLP_CLIENT_KEY", "/std.pem")],
            "/own.pem",
            [json!(null), json!(null), json!("/file.pem"), json!("/std.pem"), json!("/own.pem")],
        ),
        (
            "exporter.on_invalid",
            "[exporter]\non_invalid = \"exit\"",
            vec![],
            "warn",
            [json!("warn"), json!("warn"), json!("exit"), json!("exit"), json!("warn")],
        ),
        (
            "batch.max_queue_size",
            "[batch]\nmax_queue_size = 100",
            vec![("OTEL_BSP_MAX_QUEUE_SIZE", "200")],
            "300",
            [json!(2048), json!(2048), json!(100), json!(200), json!(300)],
        ),
        (
            "batch.max_export_batch_size",
            "[batch]\nmax_export_batch_size = 10",
            vec![("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "20")],
            "30",
            [json!(512), json!(512), json!(10), json!(20), json!(30)],
        ),
        (
            "batch.schedule_delay",
            "[batch]\nschedule_delay = \"1s\"",
            vec![("OTEL_BSP_SCHEDULE_DELAY", "2000")],
            "3s",
            [json!(5_000), json!(5_000), json!(1_000), json!(2_000), json!(3_000)],
        ),
        (
            "batch.export_timeout",
            "[batch]\nexport_timeout = \"1s\"",
            vec![("OTEL_BSP_EXPORT_TIMEOUT", "2000")],
            "3s",
            [json!(30_000), json!(30_000), json!(1_000), json!(2_000), json!(3_000)],
        ),
        (
            "batch.max_concurrent_exports",
            "[batch]\nmax_concurrent_exports = 4",
            vec![],
            "8",
            [json!(2), json!(2), json!(4), json!(4), json!(8)],
        ),
        (
            "batch.max_queue_bytes",
            "[batch]\nmax_queue_bytes = 1000",
            vec![],
            "2000",
            [json!(67_108_864), json!(67_108_864), json!(1000), json!(1000), json!(2000)],
        ),
        (
            "batch.yield_to_app",
            "[batch]\nyield_to_app = false",
            vec![],
            "true",
            [json!(true), json!(true), json!(false), json!(false), json!(true)],
        ),
        (
            "sampler.name",
            "[sampler]\nname = \"always_off\"",
            vec![("OTEL_TRACES_SAMPLER", "always_on")],
            "traceidratio",
            [
                json!("parentbased_always_on"),
                json!("parentbased_always_on"),
                json!("always_off"),
                json!("always_on"),
                json!("traceidratio"),
            ],
        ),
        (
            "sampler.arg",
            "[sampler]\nname = \"traceidratio\"\narg = 0.1",
            vec![("OTEL_TRACES_SAMPLER", "traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", "0.2")],
            "0.3",
            [json!(null), json!(null), json!(0.1), json!(0.2), json!(0.3)],
        ),
        (
            "propagators",
            "propagators = [\"b3\"]",
            vec![("OTEL_PROPAGATORS", "xray")],
            "b3multi",
            [
                json!(["tracecontext", "baggage"]),
                json!(["tracecontext", "baggage"]),
                json!(["b3"]),
                json!(["xray"]),
                json!(["b3multi"]),
            ],
        ),
        (
            "fmt.format",
            "[fmt]\nformat = \"json\"",
            vec![],
            "pretty",
            [json!("compact"), json!("compact"), json!("json"), json!("json"), json!("pretty")],
        ),
        (
            "fmt.filter",
            "[fmt]\nfilter = \"warn\"",
            vec![("RUST_LOG", "debug")],
            "trace",
            [json!("info"), json!("info"), json!("warn"), json!("debug"), json!("trace")],
        ),
        (
            "shutdown.timeout",
            "[shutdown]\ntimeout = \"1s\"",
            vec![],
            "2s",
            [json!(3_000), json!(3_000), json!(1_000), json!(1_000), json!(2_000)],
        ),
        (
            "shutdown.summary",
            "[shutdown]\nsummary = \"always\"",
            vec![],
            "never",
            [json!("on_loss"), json!("on_loss"), json!("always"), json!("always"), json!("never")],
        ),
        (
            "limits.attribute_count",
            "[limits]\nattribute_count = 1",
            vec![("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "2")],
            "3",
            [json!(128), json!(128), json!(1), json!(2), json!(3)],
        ),
        (
            "limits.event_count",
            "[limits]\nevent_count = 1",
            vec![("OTEL_SPAN_EVENT_COUNT_LIMIT", "2")],
            "3",
            [json!(128), json!(128), json!(1), json!(2), json!(3)],
        ),
        (
            "limits.link_count",
            "[limits]\nlink_count = 1",
            vec![("OTEL_SPAN_LINK_COUNT_LIMIT", "2")],
            "3",
            [json!(128), json!(128), json!(1), json!(2), json!(3)],
        ),
        (
            "limits.attribute_per_event",
            "[limits]\nattribute_per_event = 1",
            vec![("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "2")],
            "3",
            [json!(128), json!(128), json!(1), json!(2), json!(3)],
        ),
        (
            "limits.attribute_per_link",
            "[limits]\nattribute_per_link = 1",
            vec![("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "2")],
            "3",
            [json!(128), json!(128), json!(1), json!(2), json!(3)],
        ),
        (
            "tracing.location",
            "[tracing]\nlocation = false",
            vec![],
            "true",
            [json!(true), json!(true), json!(false), json!(false), json!(true)],
        ),
        (
            "tracing.threads",
            "[tracing]\nthreads = true",
            vec![],
            "false",
            [json!(false), json!(false), json!(true), json!(true), json!(false)],
        ),
        (
            "tracing.timings",
            "[tracing]\ntimings = true",
            vec![],
            "false",
            [json!(false), json!(false), json!(true), json!(true), json!(false)],
        ),
        (
            "exporter.logs_endpoint",
            "[exporter]\nlogs_endpoint = \"http://file:4318/l\"",
            vec![("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://std:4318/l")],
            "http://own:4318/l",
            [
                json!(null),
                json!(null),
                json!("http://file:4318/l"),
                json!("http://std:4318/l"),
                json!("http://own:4318/l"),
            ],
        ),
        (
            "exporter.metrics_endpoint",
            "[exporter]\nmetrics_endpoint = \"http://file:4318/m\"",
            vec![("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://std:4318/m")],
            "http://own:4318/m",
            [
                json!(null),
                json!(null),
                json!("http://file:4318/m"),
                json!("http://std:4318/m"),
                json!("http://own:4318/m"),
            ],
        ),
        (
            "fmt.trace_ids",
            "[fmt]\ntrace_ids = false",
            vec![],
            "true",
            [json!(true), json!(true), json!(false), json!(false), json!(true)],
        ),
        (
            "traces.enabled",
            "[traces]\nenabled = false",
            vec![("OTEL_TRACES_EXPORTER", "otlp")],
            "false",
            [json!(true), json!(true), json!(false), json!(true), json!(false)],
        ),
        (
            "traces.exporter.protocol",
            "[traces.exporter]\nprotocol = \"grpc\"",
            vec![("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json")],
            "console",
            [json!(null), json!(null), json!("grpc"), json!("http/json"), json!("console")],
        ),
        (
            "traces.exporter.timeout",
            "[traces.exporter]\ntimeout = \"1s\"",
            vec![("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2000")],
            "3s",
            [json!(null), json!(null), json!(1_000), json!(2_000), json!(3_000)],
        ),
        (
            "traces.exporter.headers",
            "[traces.exporter.headers]\nx-file = \"1\"",
            vec![("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-std=2")],
            "x-own=3",
            [
                json!(null),
                json!(null),
                json!({"x-file": "***"}),
                json!({"x-file": "***", "x-std": "***"}),
                json!({"x-file": "***", "x-own": "***", "x-std": "***"}),
            ],
        ),
        (
            "traces.exporter.compression",
            "[traces.exporter]\ncompression = \"gzip\"",
            vec![("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "zstd")],
            "none",
            [json!(null), json!(null), json!("gzip"), json!("zstd"), json!("none")],
        ),
        (
            "traces.exporter.insecure",
            "[traces.exporter]\ninsecure = true",
            vec![("OTEL_EXPORTER_OTLP_TRACES_INSECURE", "false")],
            "true",
            [json!(null), json!(null), json!(true), json!(false), json!(true)],
        ),
        (
            "traces.exporter.certificate",
            "[traces.exporter]\ncertificate = \"/file.pem\"",
            vec![("OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "/std.pem")],
            "/own.pem",
            [json!(null), json!(null), json!("/file.pem"), json!("/std.pem"), json!("/own.pem")],
        ),
        (
            "traces.exporter.client_certificate",
            "[traces.exporter]\nclient_certificate = \"/file.pem\"",
            vec![("OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "/std.pem")],
            "/own.pem",
            [json!(null), json!(null), json!("/file.pem"), json!("/std.pem"), json!("/own.pem")],
        ),
        (
            "traces.exporter.client_key",
            "[traces.exporter]\nclient_key = \"/file.pem\"",
            vec![("OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", "/std.pem")],
            "/own.pem",
            [json!(null), json!(null), json!("/file.pem"), json!("/std.pem"), json!("/own.pem")],
        ),
        (
            "logs.enabled",
            "[logs]\nenabled = false",
            vec![("OTEL_LOGS_EXPORTER", "otlp")],
            "false",
            [json!(true), json!(true), json!(false), json!(true), json!(false)],
        ),
        (
            "logs.span_events",
            "[logs]\nspan_events = false",
            vec![],
            "true",
            [json!(true), json!(true), json!(false), json!(false), json!(true)],
        ),
        (
            "logs.exporter.protocol",
            "[logs.exporter]\nprotocol = \"grpc\"",
            vec![("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/json")],
            "console",
            [json!(null), json!(null), json!("grpc"), json!("http/json"), json!("console")],
        ),
        (
            "logs.exporter.timeout",
            "[logs.exporter]\ntimeout = \"1s\"",
            vec![("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "2000")],
            "3s",
            [json!(null), json!(null), json!(1_000), json!(2_000), json!(3_000)],
        ),
        (
            "logs.exporter.headers",
            "[logs.exporter.headers]\nx-file = \"1\"",
            vec![("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "x-std=2")],
            "x-own=3",
            [
                json!(null),
                json!(null),
                json!({"x-file": "***"}),
                json!({"x-file": "***", "x-std": "***"}),
                json!({"x-file": "***", "x-own": "***", "x-std": "***"}),
            ],
        ),
        (
            "logs.exporter.compression",
            "[logs.exporter]\ncompression = \"gzip\"",
            vec![("OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "zstd")],
            "none",
            [json!(null), json!(null), json!("gzip"), json!("zstd"), json!("none")],
        ),
        (
            "logs.exporter.insecure",
            "[logs.exporter]\ninsecure = true",
            vec![("OTEL_EXPORTER_OTLP_LOGS_INSECURE", "false")],
            "true",
            [json!(null), json!(null), json!(true), json!(false), json!(true)],
        ),
        (
            "logs.exporter.certificate",
            "[logs.exporter]\ncertificate = \"/file.pem\"",
            vec![("OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE", "/std.pem")],
            "/own.pem",
            [json!(null), json!(null), json!("/file.pem"), json!("/std.pem"), json!("/own.pem")],
        ),
        (
            "logs.exporter.client_certificate",
            "[logs.exporter]\nclient_certificate = \"/file.pem\"",
            vec![("OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE", "/std.pem")],
            "/own.pem",
            [json!(null), json!(null), json!("/file.pem"), json!("/std.pem"), json!("/own.pem")],
        ),
        (
            "logs.exporter.client_key",
            "[logs.exporter]\nclient_key = \"/file.pem\"",
            vec![("OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY", "/std.pem")],
            "/own.pem",
            [json!(null), json!(null), json!("/file.pem"), json!("/std.pem"), json!("/own.pem")],
        ),
        (
            "logs.batch.max_queue_size",
            "[logs.batch]\nmax_queue_size = 100",
            vec![("OTEL_BLRP_MAX_QUEUE_SIZE", "200")],
            "300",
            [json!(2048), json!(2048), json!(100), json!(200), json!(300)],
        ),
        (
            "logs.batch.max_export_batch_size",
            "[logs.batch]\nmax_export_batch_size = 10",
            vec![("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "20")],
            "30",
            [json!(512), json!(512), json!(10), json!(20), json!(30)],
        ),
        (
            "logs.batch.schedule_delay",
            "[logs.batch]\nschedule_delay = \"2s\"",
            vec![("OTEL_BLRP_SCHEDULE_DELAY", "3000")],
            "4s",
            [json!(1_000), json!(1_000), json!(2_000), json!(3_000), json!(4_000)],
        ),
        (
            "logs.batch.export_timeout",
            "[logs.batch]\nexport_timeout = \"1s\"",
            vec![("OTEL_BLRP_EXPORT_TIMEOUT", "2000")],
            "3s",
            [json!(30_000), json!(30_000), json!(1_000), json!(2_000), json!(3_000)],
        ),
        (
            "logs.batch.max_concurrent_exports",
            "[logs.batch]\nmax_concurrent_exports = 4",
            vec![],
            "8",
            [json!(2), json!(2), json!(4), json!(4), json!(8)],
        ),
        (
            "logs.batch.max_queue_bytes",
            "[logs.batch]\nmax_queue_bytes = 1000",
            vec![],
            "2000",
            [json!(67_108_864), json!(67_108_864), json!(1000), json!(1000), json!(2000)],
        ),
        (
            "logs.batch.yield_to_app",
            "[logs.batch]\nyield_to_app = false",
            vec![],
            "true",
            [json!(true), json!(true), json!(false), json!(false), json!(true)],
        ),
        (
            "metrics.enabled",
            "[metrics]\nenabled = false",
            vec![("OTEL_METRICS_EXPORTER", "otlp")],
            "false",
            [json!(true), json!(true), json!(false), json!(true), json!(false)],
        ),
        (
            "metrics.interval",
            "[metrics]\ninterval = \"1s\"",
            vec![("OTEL_METRIC_EXPORT_INTERVAL", "2000")],
            "3s",
            [json!(60_000), json!(60_000), json!(1_000), json!(2_000), json!(3_000)],
        ),
        (
            "metrics.timeout",
            "[metrics]\ntimeout = \"1s\"",
            vec![("OTEL_METRIC_EXPORT_TIMEOUT", "2000")],
            "3s",
            [json!(30_000), json!(30_000), json!(1_000), json!(2_000), json!(3_000)],
        ),
        (
            "metrics.temporality",
            "[metrics]\ntemporality = \"delta\"",
            vec![("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "LowMemory")],
            "cumulative",
            [json!("cumulative"), json!("cumulative"), json!("delta"), json!("lowmemory"), json!("cumulative")],
        ),
        (
            "metrics.self_observability",
            "[metrics]\nself_observability = false",
            vec![],
            "true",
            [json!(true), json!(true), json!(false), json!(false), json!(true)],
        ),
        (
            "metrics.exporter.protocol",
            "[metrics.exporter]\nprotocol = \"grpc\"",
            vec![("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/json")],
            "console",
            [json!(null), json!(null), json!("grpc"), json!("http/json"), json!("console")],
        ),
        (
            "metrics.exporter.timeout",
            "[metrics.exporter]\ntimeout = \"1s\"",
            vec![("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "2000")],
            "3s",
            [json!(null), json!(null), json!(1_000), json!(2_000), json!(3_000)],
        ),
        (
            "metrics.exporter.headers",
            "[metrics.exporter.headers]\nx-file = \"1\"",
            vec![("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "x-std=2")],
            "x-own=3",
            [
                json!(null),
                json!(null),
                json!({"x-file": "***"}),
                json!({"x-file": "***", "x-std": "***"}),
                json!({"x-file": "***", "x-own": "***", "x-std": "***"}),
            ],
        ),
        (
            "metrics.exporter.compression",
            "[metrics.exporter]\ncompression = \"gzip\"",
            vec![("OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "zstd")],
            "none",
            [json!(null), json!(null), json!("gzip"), json!("zstd"), json!("none")],
        ),
        (
            "metrics.exporter.insecure",
            "[metrics.exporter]\ninsecure = true",
            vec![("OTEL_EXPORTER_OTLP_METRICS_INSECURE", "false")],
            "true",
            [json!(null), json!(null), json!(true), json!(false), json!(true)],
        ),
        (
            "metrics.exporter.certificate",
            "[metrics.exporter]\ncertificate = \"/file.pem\"",
            vec![("OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE", "/std.pem")],
            "/own.pem",
            [json!(null), json!(null), json!("/file.pem"), json!("/std.pem"), json!("/own.pem")],
        ),
        (
            "metrics.exporter.client_certificate",
            "[metrics.exporter]\nclient_certificate = \"/file.pem\"",
            vec![("OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE", "/std.pem")],
            "/own.pem",
            [json!(null), json!(null), json!("/file.pem"), json!("/std.pem"), json!("/own.pem")],
        ),
        (
            "metrics.exporter.client_key",
            "[metrics.exporter]\nclient_key = \"/file.pem\"",
            vec![("OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY", "/std.pem")],
            "/own.pem",
            [json!(null), json!(null), json!("/file.pem"), json!("/std.pem"), json!("/own.pem")],
        ),
        (
            "resource_detectors",
            "resource_detectors = [\"host\"]",
            vec![("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "OS, process")],
            "container",
            [
                json!(["service_instance", "host", "os", "process", "container"]),
                json!(["service_instance", "host", "os", "process", "container"]),
                json!(["host"]),
                json!(["os", "process"]),
                json!(["container"]),
            ],
        ),
    ];
    let mut covered = Vec::new();
    for (key, toml, standard, own, expected) in &rows {
        let own_variable = crate::keys::variable_for(key);
        let mut both = standard.clone();
        both.push((own_variable.as_str(), own));
        let bare = LoadOptions { env: Some(HashMap::new()), cwd: Some(dir_with(None)), ..Default::default() };
        let layers = [
            load(&bare),
            load_with(None, &[]),
            load_with(Some(toml), &[]),
            load_with(Some(toml), standard),
            load_with(Some(toml), &both),
        ];
        for (layer, (loaded, expected)) in layers.into_iter().zip(expected).enumerate() {
            let loaded = loaded.unwrap_or_else(|e| panic!("{key}, layer {layer}: {e}"));
            assert_eq!(&json_at(&loaded.config, key), expected, "{key}, layer {layer}");
            assert!(loaded.warnings.is_empty(), "{key}, layer {layer}: {:?}", loaded.warnings);
        }
        covered.push(*key);
    }
    for (key, _) in crate::keys::KEYS {
        assert!(covered.contains(key), "no row for {key}");
    }
}

#[test]
fn generic_and_per_signal_endpoints_layer_first() {
    // The layer decides first (defaults < macro < otel.toml < OTEL_* < OTEL_TOML_*); within one layer the
    // per-signal key wins over the generic one. (otel.toml, env, expected traces_url)
    let rows: &[(Option<&str>, &[(&str, &str)], &str)] = &[
        // otel.toml has the per-signal URL, the deployment sets the generic variable: the environment wins.
        (
            Some("[exporter]\ntraces_endpoint = \"http://file:4318/t\""),
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318")],
            "http://env:4318/v1/traces",
        ),
        (
            Some("[exporter]\nendpoint = \"http://file:4318\""),
            &[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://env:4318/t")],
            "http://env:4318/t",
        ),
        // Within one layer the per-signal key wins.
        (
            Some("[exporter]\nendpoint = \"http://file:4318\"\ntraces_endpoint = \"http://file:4318/t\""),
            &[],
            "http://file:4318/t",
        ),
        (
            None,
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://g:4318"),
                ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:4318/t"),
            ],
            "http://t:4318/t",
        ),
        (
            None,
            &[
                ("OTEL_TOML_EXPORTER_ENDPOINT", "http://g:4318"),
                ("OTEL_TOML_EXPORTER_TRACES_ENDPOINT", "http://t:4318/t"),
            ],
            "http://t:4318/t",
        ),
        // OTEL_TOML_* is above the standard variables, generic or not.
        (
            None,
            &[
                ("OTEL_TOML_EXPORTER_ENDPOINT", "http://own:4318"),
                ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://std:4318/t"),
            ],
            "http://own:4318/v1/traces",
        ),
        (
            Some("[exporter]\ntraces_endpoint = \"http://file:4318/t\""),
            &[("OTEL_TOML_EXPORTER_ENDPOINT", "http://own:4318")],
            "http://own:4318/v1/traces",
        ),
        (
            None,
            &[
                ("OTEL_TOML_EXPORTER_TRACES_ENDPOINT", "http://own:4318/t"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://std:4318"),
            ],
            "http://own:4318/t",
        ),
        // A lower per-signal endpoint stays when the higher layer sets neither.
        (
            Some("[exporter]\ntraces_endpoint = \"http://file:4318/t\""),
            &[("OTEL_SERVICE_NAME", "x")],
            "http://file:4318/t",
        ),
        // An ignored (invalid) standard endpoint does not count as set.
        (
            Some("[exporter]\ntraces_endpoint = \"http://file:4318/t\""),
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "no-scheme:4318")],
            "http://file:4318/t",
        ),
        // gRPC follows the same rule.
        (
            Some("[exporter]\nprotocol = \"grpc\"\ntraces_endpoint = \"http://file:4317\""),
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4317")],
            "http://env:4317",
        ),
    ];
    for (i, (toml, env, expected)) in rows.iter().enumerate() {
        let loaded = load_with(*toml, env).unwrap_or_else(|e| panic!("row {i}: {e}"));
        assert_eq!(loaded.config.exporter.traces_url(), *expected, "row {i}");
    }
}

/// The same rule for `logs_endpoint` and `metrics_endpoint`, each on its own: a signal's endpoint never moves
/// another signal. (otel.toml, env, expected URLs of traces, logs, metrics)
#[test]
fn each_signal_endpoint_layers_first() {
    let rows: &[(Option<&str>, &[(&str, &str)], [&str; 3])] = &[
        (None, &[], ["http://localhost:4318/v1/traces", "http://localhost:4318/v1/logs", "http://localhost:4318/v1/metrics"]),
        (
            None,
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://g:4318/base/")],
            ["http://g:4318/base/v1/traces", "http://g:4318/base/v1/logs", "http://g:4318/base/v1/metrics"],
        ),
        // A per-signal variable moves only its signal.
        (
            None,
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://g:4318"), ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://l:4318")],
            ["http://g:4318/v1/traces", "http://l:4318/", "http://g:4318/v1/metrics"],
        ),
        (
            None,
            &[("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://m:9090/otlp")],
            ["http://localhost:4318/v1/traces", "http://localhost:4318/v1/logs", "http://m:9090/otlp"],
        ),
        // otel.toml's per-signal endpoints lose to the deployment's generic endpoint, each of them.
        (
            Some("[exporter]\nlogs_endpoint = \"http://file:4318/l\"\nmetrics_endpoint = \"http://file:4318/m\""),
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318")],
            ["http://env:4318/v1/traces", "http://env:4318/v1/logs", "http://env:4318/v1/metrics"],
        ),
        // Within one layer the per-signal endpoint wins.
        (
            Some("[exporter]\nendpoint = \"http://file:4318\"\nlogs_endpoint = \"http://file:4318/l\""),
            &[],
            ["http://file:4318/v1/traces", "http://file:4318/l", "http://file:4318/v1/metrics"],
        ),
        // A higher per-signal endpoint over a lower generic one.
        (
            Some("[exporter]\nendpoint = \"http://file:4318\""),
            &[("OTEL_TOML_EXPORTER_METRICS_ENDPOINT", "http://own:4318/m")],
            ["http://file:4318/v1/traces", "http://file:4318/v1/logs", "http://own:4318/m"],
        ),
        (
            Some("[exporter]\nmetrics_endpoint = \"http://file:4318/m\""),
            &[("OTEL_TOML_EXPORTER_ENDPOINT", "http://own:4318"), ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://std:4318/l")],
            ["http://own:4318/v1/traces", "http://own:4318/v1/logs", "http://own:4318/v1/metrics"],
        ),
        // Each signal's URL follows its own protocol.
        (
            Some("[exporter]\nendpoint = \"http://c:4317\"\nprotocol = \"grpc\"\n[logs.exporter]\nprotocol = \"http/protobuf\""),
            &[],
            ["http://c:4317", "http://c:4317/v1/logs", "http://c:4317"],
        ),
    ];
    for (i, (toml, env, expected)) in rows.iter().enumerate() {
        let config = load_with(*toml, env).unwrap_or_else(|e| panic!("row {i}: {e}")).config;
        let urls = [Signal::Traces, Signal::Logs, Signal::Metrics].map(|s| config.exporter_for(s).url(s));
        assert_eq!(urls, *expected, "row {i}");
    }
}

#[test]
fn header_names_merge_case_insensitively() {
    // (otel.toml, env, the headers traces are sent with, their real values)
    let rows: &[(Option<&str>, &[(&str, &str)], &[(&str, &str)])] = &[
        // Across layers: the higher layer's spelling and value.
        (
            Some("[exporter.headers]\nAuthorization = \"file\"\nx-team = \"core\""),
            &[("OTEL_EXPORTER_OTLP_HEADERS", "authorization=env")],
            &[("authorization", "env"), ("x-team", "core")],
        ),
        (
            Some("[exporter.headers]\nauthorization = \"file\""),
            &[("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "AUTHORIZATION=env")],
            &[("AUTHORIZATION", "env")],
        ),
        (
            None,
            &[("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=std"), ("OTEL_TOML_EXPORTER_HEADERS", "authorization=own")],
            &[("authorization", "own")],
        ),
        (
            Some("[exporter.headers]\nX-Key = \"file\""),
            &[("OTEL_TOML_EXPORTER_HEADERS", "x-key=own")],
            &[("x-key", "own")],
        ),
        // Within one list: the later item.
        (None, &[("OTEL_EXPORTER_OTLP_HEADERS", "a=1,A=2,b=3")], &[("A", "2"), ("b", "3")]),
        (None, &[("OTEL_TOML_EXPORTER_HEADERS", "X-Key=1,x-key=2")], &[("x-key", "2")]),
        // The same spelling: as before, the higher layer.
        (Some("[exporter.headers]\nx = \"file\""), &[("OTEL_EXPORTER_OTLP_HEADERS", "x=env")], &[("x", "env")]),
    ];
    for (i, (toml, env, expected)) in rows.iter().enumerate() {
        let loaded = load_with(*toml, env).unwrap_or_else(|e| panic!("row {i}: {e}"));
        let headers = loaded.config.exporter_for(Signal::Traces).headers;
        assert_eq!(headers.iter().collect::<Vec<_>>(), *expected, "row {i}");
    }
    // A signal's headers merge by case on their own, and replace `exporter.headers` for that signal only.
    let toml = "[exporter.headers]\nx-all = \"1\"\n[logs.exporter.headers]\nAuthorization = \"file\"\nx-logs = \"2\"";
    let config = load_with(Some(toml), &[("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "authorization=env")]).unwrap().config;
    let logs = config.exporter_for(Signal::Logs).headers;
    assert_eq!(logs.iter().collect::<Vec<_>>(), [("authorization", "env"), ("x-logs", "2")]);
    assert_eq!(config.exporter_for(Signal::Metrics).headers.iter().collect::<Vec<_>>(), [("x-all", "1")]);
    let headers: Headers = [("Authorization", "a"), ("authorization", "b")].into_iter().collect();
    assert_eq!((headers.len(), headers.get("AUTHORIZATION")), (1, Some("b")));
}

#[test]
fn every_layer_is_an_origin_of_the_keys_it_sets() {
    let options = LoadOptions::new()
        .service_name("from-macro")
        .env([("OTEL_EXPORTER_OTLP_TIMEOUT", "2000"), ("OTEL_TOML_FMT_FORMAT", "json")]);
    let file = std::path::Path::new("/srv/otel.toml");
    let loaded = load_with_text(&options, Some((file, "[batch]\nmax_queue_size = 100\n"))).unwrap();
    assert_eq!(loaded.origin("service.name"), &Origin::MacroArgument("service"));
    assert_eq!(loaded.origin("batch.max_queue_size"), &Origin::File(file.to_path_buf()));
    assert_eq!(loaded.origin("exporter.timeout"), &Origin::Env("OTEL_EXPORTER_OTLP_TIMEOUT".into()));
    assert_eq!(loaded.origin("fmt.format"), &Origin::Env("OTEL_TOML_FMT_FORMAT".into()));
    assert_eq!(loaded.origin("exporter.protocol"), &Origin::Defaults);
    assert_eq!(loaded.origin("no.such.key"), &Origin::Defaults);
}
