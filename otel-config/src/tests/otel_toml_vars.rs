//! `OTEL_TOML_<KEY>`: every key can be set; values read like TOML values; bad values and unknown variables
//! are errors naming the variable and the key.

use super::*;
use std::time::Duration;

#[test]
fn every_key_can_be_set() {
    // (variable, value, check)
    let rows: Vec<(&str, &str, fn(&Config) -> bool)> = vec![
        ("OTEL_TOML_DISABLED", "true", |c| c.disabled),
        ("OTEL_TOML_SERVICE_NAME", "own", |c| c.service.name == "own"),
        ("OTEL_TOML_SERVICE_VERSION", "2.0", |c| c.service.version.as_deref() == Some("2.0")),
        ("OTEL_TOML_SERVICE_ENVIRONMENT", "prod", |c| c.service.environment.as_deref() == Some("prod")),
        ("OTEL_TOML_RESOURCE", "k=v,k2=a%2Cb", |c| {
            c.resource.get("k") == Some(&ResourceValue::from("v"))
                && c.resource.get("k2") == Some(&ResourceValue::from("a,b"))
        }),
        ("OTEL_TOML_EXPORTER_PROTOCOL", "grpc", |c| c.exporter.protocol == Protocol::Grpc),
        ("OTEL_TOML_EXPORTER_ENDPOINT", "http://c:4318", |c| c.exporter.endpoint.as_deref() == Some("http://c:4318")),
        ("OTEL_TOML_EXPORTER_TRACES_ENDPOINT", "http://c:4318/t", |c| c.exporter.traces_url() == "http://c:4318/t"),
        ("OTEL_TOML_EXPORTER_TIMEOUT", "2s", |c| c.exporter.timeout == Duration::from_secs(2)),
        ("OTEL_TOML_EXPORTER_HEADERS", "k=v,k2=v2", |c| {
            c.exporter.headers.iter().collect::<Vec<_>>() == [("k", "v"), ("k2", "v2")]
        }),
        ("OTEL_TOML_EXPORTER_COMPRESSION", "zstd", |c| c.exporter.compression == Compression::Zstd),
        ("OTEL_TOML_EXPORTER_INSECURE", "true", |c| c.exporter.insecure),
        ("OTEL_TOML_EXPORTER_CERTIFICATE", "/ca.pem", |c| c.exporter.certificate == Some("/ca.pem".into())),
        ("OTEL_TOML_EXPORTER_CLIENT_CERTIFICATE", "/c.pem", |c| c.exporter.client_certificate == Some("/c.pem".into())),
        ("OTEL_TOML_EXPORTER_CLIENT_KEY", "/k.pem", |c| c.exporter.client_key == Some("/k.pem".into())),
        ("OTEL_TOML_EXPORTER_ON_INVALID", "exit", |c| c.exporter.on_invalid == OnInvalid::Exit),
        ("OTEL_TOML_BATCH_MAX_QUEUE_SIZE", "4096", |c| c.batch.max_queue_size == 4096),
        ("OTEL_TOML_BATCH_MAX_EXPORT_BATCH_SIZE", "64", |c| c.batch.max_export_batch_size == 64),
        ("OTEL_TOML_BATCH_SCHEDULE_DELAY", "250ms", |c| c.batch.schedule_delay == Duration::from_millis(250)),
        ("OTEL_TOML_BATCH_EXPORT_TIMEOUT", "1500", |c| c.batch.export_timeout == Duration::from_millis(1500)),
        ("OTEL_TOML_BATCH_MAX_CONCURRENT_EXPORTS", "4", |c| c.batch.max_concurrent_exports == 4),
        ("OTEL_TOML_BATCH_MAX_QUEUE_BYTES", "1048576", |c| c.batch.max_queue_bytes == 1 << 20),
        ("OTEL_TOML_BATCH_YIELD_TO_APP", "false", |c| !c.batch.yield_to_app),
        ("OTEL_TOML_SAMPLER_NAME", "always_off", |c| c.sampler.name == SamplerName::AlwaysOff),
        ("OTEL_TOML_SAMPLER_ARG", "0.5", |c| c.sampler.arg == Some(0.5)),
        ("OTEL_TOML_PROPAGATORS", "tracecontext,b3", |c| c.propagators == [Propagator::TraceContext, Propagator::B3]),
        ("OTEL_TOML_PROPAGATORS", "[\"jaeger\", \"xray\"]", |c| {
            c.propagators == [Propagator::Jaeger, Propagator::XRay]
        }),
        ("OTEL_TOML_PROPAGATORS", "none", |c| c.propagators.is_empty()),
        ("OTEL_TOML_FMT_FORMAT", "json", |c| c.fmt.format == FmtFormat::Json),
        ("OTEL_TOML_FMT_FILTER", "debug", |c| c.fmt.filter == "debug"),
        ("OTEL_TOML_SHUTDOWN_TIMEOUT", "2s", |c| c.shutdown.timeout == Duration::from_secs(2)),
        ("OTEL_TOML_SHUTDOWN_SUMMARY", "always", |c| c.shutdown.summary == SummaryMode::Always),
        ("OTEL_TOML_LIMITS_ATTRIBUTE_COUNT", "1", |c| c.limits.attribute_count == 1),
        ("OTEL_TOML_LIMITS_EVENT_COUNT", "2", |c| c.limits.event_count == 2),
        ("OTEL_TOML_LIMITS_LINK_COUNT", "3", |c| c.limits.link_count == 3),
        ("OTEL_TOML_LIMITS_ATTRIBUTE_PER_EVENT", "4", |c| c.limits.attribute_per_event == 4),
        ("OTEL_TOML_LIMITS_ATTRIBUTE_PER_LINK", "5", |c| c.limits.attribute_per_link == 5),
        ("OTEL_TOML_TRACING_LOCATION", "false", |c| !c.tracing.location),
        ("OTEL_TOML_TRACING_THREADS", "true", |c| c.tracing.threads),
        ("OTEL_TOML_TRACING_TIMINGS", "true", |c| c.tracing.timings),
        ("OTEL_TOML_EXPORTER_LOGS_ENDPOINT", "http://c:4318/l", |c| {
            c.exporter_for(Signal::Logs).url(Signal::Logs) == "http://c:4318/l"
        }),
        ("OTEL_TOML_EXPORTER_METRICS_ENDPOINT", "http://c:4318/m", |c| {
            c.exporter_for(Signal::Metrics).url(Signal::Metrics) == "http://c:4318/m"
        }),
        ("OTEL_TOML_FMT_TRACE_IDS", "false", |c| !c.fmt.trace_ids),
        ("OTEL_TOML_TRACES_ENABLED", "false", |c| !c.traces.enabled && !c.exports(Signal::Traces)),
        ("OTEL_TOML_TRACES_EXPORTER_PROTOCOL", "grpc", |c| {
            c.exporter_for(Signal::Traces).protocol == Protocol::Grpc && c.exporter.protocol == Protocol::HttpProtobuf
        }),
        ("OTEL_TOML_TRACES_EXPORTER_TIMEOUT", "2s", |c| c.traces.exporter.timeout == Some(Duration::from_secs(2))),
        ("OTEL_TOML_TRACES_EXPORTER_HEADERS", "K=1,k=2", |c| {
            c.traces.exporter.headers.as_ref().unwrap().iter().collect::<Vec<_>>() == [("k", "2")]
        }),
        ("OTEL_TOML_TRACES_EXPORTER_COMPRESSION", "gzip", |c| c.traces.exporter.compression == Some(Compression::Gzip)),
        ("OTEL_TOML_TRACES_EXPORTER_INSECURE", "true", |c| c.traces.exporter.insecure == Some(true)),
        ("OTEL_TOML_TRACES_EXPORTER_CERTIFICATE", "/t.pem", |c| c.traces.exporter.certificate == Some("/t.pem".into())),
        ("OTEL_TOML_TRACES_EXPORTER_CLIENT_CERTIFICATE", "/c.pem", |c| {
            c.traces.exporter.client_certificate == Some("/c.pem".into())
        }),
        ("OTEL_TOML_TRACES_EXPORTER_CLIENT_KEY", "/k.pem", |c| c.traces.exporter.client_key == Some("/k.pem".into())),
        ("OTEL_TOML_LOGS_ENABLED", "false", |c| !c.logs.enabled),
        ("OTEL_TOML_LOGS_SPAN_EVENTS", "false", |c| !c.logs.span_events),
        ("OTEL_TOML_LOGS_EXPORTER_PROTOCOL", "console", |c| c.exporter_for(Signal::Logs).protocol == Protocol::Console),
        ("OTEL_TOML_LOGS_EXPORTER_TIMEOUT", "1500", |c| c.logs.exporter.timeout == Some(Duration::from_millis(1500))),
        ("OTEL_TOML_LOGS_EXPORTER_HEADERS", "a=1", |c| c.exporter_for(Signal::Logs).headers.get("a") == Some("1")),
        ("OTEL_TOML_LOGS_EXPORTER_COMPRESSION", "zstd", |c| c.logs.exporter.compression == Some(Compression::Zstd)),
        ("OTEL_TOML_LOGS_EXPORTER_INSECURE", "false", |c| c.logs.exporter.insecure == Some(false)),
        ("OTEL_TOML_LOGS_EXPORTER_CERTIFICATE", "/l.pem", |c| c.logs.exporter.certificate == Some("/l.pem".into())),
        ("OTEL_TOML_LOGS_EXPORTER_CLIENT_CERTIFICATE", "/c.pem", |c| {
            c.logs.exporter.client_certificate == Some("/c.pem".into())
        }),
        ("OTEL_TOML_LOGS_EXPORTER_CLIENT_KEY", "/k.pem", |c| c.logs.exporter.client_key == Some("/k.pem".into())),
        ("OTEL_TOML_LOGS_BATCH_MAX_QUEUE_SIZE", "4096", |c| c.logs.batch.max_queue_size == 4096),
        ("OTEL_TOML_LOGS_BATCH_MAX_EXPORT_BATCH_SIZE", "64", |c| c.logs.batch.max_export_batch_size == 64),
        ("OTEL_TOML_LOGS_BATCH_SCHEDULE_DELAY", "250ms", |c| c.logs.batch.schedule_delay == Duration::from_millis(250)),
        ("OTEL_TOML_LOGS_BATCH_EXPORT_TIMEOUT", "1500", |c| c.logs.batch.export_timeout == Duration::from_millis(1500)),
        ("OTEL_TOML_LOGS_BATCH_MAX_CONCURRENT_EXPORTS", "4", |c| c.logs.batch.max_concurrent_exports == 4),
        ("OTEL_TOML_LOGS_BATCH_MAX_QUEUE_BYTES", "1048576", |c| c.logs.batch.max_queue_bytes == 1 << 20),
        ("OTEL_TOML_LOGS_BATCH_YIELD_TO_APP", "false", |c| !c.logs.batch.yield_to_app && c.batch.yield_to_app),
        ("OTEL_TOML_METRICS_ENABLED", "false", |c| !c.metrics.enabled),
        ("OTEL_TOML_METRICS_INTERVAL", "5s", |c| c.metrics.interval == Duration::from_secs(5)),
        ("OTEL_TOML_METRICS_TIMEOUT", "0", |c| c.metrics.timeout == Duration::ZERO),
        ("OTEL_TOML_METRICS_TEMPORALITY", "delta", |c| c.metrics.temporality == Temporality::Delta),
        ("OTEL_TOML_METRICS_SELF_OBSERVABILITY", "false", |c| !c.metrics.self_observability),
        ("OTEL_TOML_METRICS_EXPORTER_PROTOCOL", "http/json", |c| {
            c.exporter_for(Signal::Metrics).protocol == Protocol::HttpJson
        }),
        ("OTEL_TOML_METRICS_EXPORTER_TIMEOUT", "3s", |c| {
            c.exporter_for(Signal::Metrics).timeout == Duration::from_secs(3)
        }),
        ("OTEL_TOML_METRICS_EXPORTER_HEADERS", "m=1", |c| {
            c.exporter_for(Signal::Metrics).headers.iter().collect::<Vec<_>>() == [("m", "1")]
        }),
        ("OTEL_TOML_METRICS_EXPORTER_COMPRESSION", "gzip", |c| {
            c.metrics.exporter.compression == Some(Compression::Gzip)
        }),
        ("OTEL_TOML_METRICS_EXPORTER_INSECURE", "true", |c| c.exporter_for(Signal::Metrics).insecure),
        ("OTEL_TOML_METRICS_EXPORTER_CERTIFICATE", "/m.pem", |c| {
            c.metrics.exporter.certificate == Some("/m.pem".into())
        }),
        ("OTEL_TOML_METRICS_EXPORTER_CLIENT_CERTIFICATE", "/c.pem", |c| {
            c.metrics.exporter.client_certificate == Some("/c.pem".into())
        }),
        ("OTEL_TOML_METRICS_EXPORTER_CLIENT_KEY", "/k.pem", |c| c.metrics.exporter.client_key == Some("/k.pem".into())),
        ("OTEL_TOML_RESOURCE_DETECTORS", "host,os", |c| {
            c.resource_detectors == [ResourceDetector::Host, ResourceDetector::Os]
        }),
        ("OTEL_TOML_RESOURCE_DETECTORS", "[]", |c| c.resource_detectors.is_empty()),
        // Empty is unset.
        ("OTEL_TOML_SERVICE_NAME", "", |c| c.service.name == "from-macro"),
    ];
    let mut covered: Vec<&str> = Vec::new();
    for (i, (variable, value, check)) in rows.into_iter().enumerate() {
        let loaded = load_with(None, &[(variable, value)]).unwrap_or_else(|e| panic!("row {i} {variable}: {e}"));
        assert!(check(&loaded.config), "row {i}: {variable}={value:?} gave {:?}", loaded.config);
        assert!(loaded.warnings.is_empty(), "row {i}");
        covered.push(variable);
    }
    for (key, _) in crate::keys::KEYS {
        let variable = crate::keys::variable_for(key);
        assert!(covered.contains(&variable.as_str()), "no row for {variable} ({key})");
    }
}

/// The problems of a load with `env` that must fail, as (key, kind, origin).
fn problems_of(env: &[(&str, &str)]) -> Vec<(Option<String>, ProblemKind, Origin)> {
    let options = LoadOptions { env: Some(env_map(env)), ..Default::default() };
    match load_with_text(&options, None) {
        Ok(loaded) => panic!("expected an error for {env:?}, got {:?}", loaded.config),
        Err(e) => e.into_iter().map(|p| (p.key().map(str::to_string), p.kind().clone(), p.origin().clone())).collect(),
    }
}

#[test]
fn bad_values_and_unknown_variables_are_errors() {
    use ProblemKind::*;
    let wrong_type = |expected: &str, found: &str| WrongType { expected: expected.into(), found: found.into() };
    let invalid = |reason: &str| InvalidValue { reason: reason.into() };
    let unknown = |suggestion: Option<&str>| UnknownVariable { suggestion: suggestion.map(Into::into) };
    let too_long = "longer than the maximum of 365 days (\"8760h\", 31536000000 ms)";
    let http_url = "expected an absolute http:// or https:// URL such as \"http://localhost:4318\"";
    // (env, the variable at fault, the key (None for an unknown variable), the kind)
    let rows: Vec<(&[(&str, &str)], &str, Option<&str>, ProblemKind)> = vec![
        (
            &[("OTEL_TOML_BATCH_MAX_QUEUE_SIZE", "lots")],
            "OTEL_TOML_BATCH_MAX_QUEUE_SIZE",
            Some("batch.max_queue_size"),
            wrong_type("a non-negative integer", "string \"lots\""),
        ),
        (
            &[("OTEL_TOML_EXPORTER_PROTOCOL", "GRPC")],
            "OTEL_TOML_EXPORTER_PROTOCOL",
            Some("exporter.protocol"),
            UnknownValue { found: "GRPC".into(), valid: Protocol::VALID },
        ),
        (
            &[("OTEL_TOML_DISABLED", "yes")],
            "OTEL_TOML_DISABLED",
            Some("disabled"),
            wrong_type("a boolean (true or false)", "string \"yes\""),
        ),
        (
            &[("OTEL_TOML_SHUTDOWN_TIMEOUT", "soon")],
            "OTEL_TOML_SHUTDOWN_TIMEOUT",
            Some("shutdown.timeout"),
            invalid(
                "invalid duration \"soon\"; expected e.g. \"250ms\", \"5s\", \"1.5s\", \"1m\", \"1h\" or integer milliseconds",
            ),
        ),
        (
            &[("OTEL_TOML_SAMPLER_NAME", "traceidratio"), ("OTEL_TOML_SAMPLER_ARG", "2")],
            "OTEL_TOML_SAMPLER_ARG",
            Some("sampler.arg"),
            NotARatio { value: 2.0 },
        ),
        (
            &[("OTEL_TOML_EXPORTER_ENDPOINT", "localhost:4318")],
            "OTEL_TOML_EXPORTER_ENDPOINT",
            Some("exporter.endpoint"),
            InvalidEndpoint {
                url: "localhost:4318".into(),
                protocol: Protocol::HttpProtobuf,
                reason: format!("missing scheme; {http_url}"),
            },
        ),
        (
            &[("OTEL_TOML_EXPORTER_HEADERS", "authorization=%ZZsecret")],
            "OTEL_TOML_EXPORTER_HEADERS",
            Some("exporter.headers"),
            invalid(
                "expected comma-separated key=value pairs, percent-encoded (item 1 has an invalid percent-encoding in its value)",
            ),
        ),
        (
            &[("OTEL_TOML_PROPAGATORS", "b3,nope")],
            "OTEL_TOML_PROPAGATORS",
            Some("propagators[1]"),
            UnknownValue { found: "nope".into(), valid: Propagator::VALID },
        ),
        (
            &[("OTEL_TOML_EXPORTER_HEADERS", "authorization=s3cret%0A")],
            "OTEL_TOML_EXPORTER_HEADERS",
            Some("exporter.headers"),
            InvalidHeaderValue { name: "authorization".into() },
        ),
        (
            &[("OTEL_TOML_EXPORTER_ON_INVALID", "Exit")],
            "OTEL_TOML_EXPORTER_ON_INVALID",
            Some("exporter.on_invalid"),
            UnknownValue { found: "Exit".into(), valid: OnInvalid::VALID },
        ),
        (
            &[("OTEL_TOML_BATCH_MAX_QUEUE_SIZE", "1000000")],
            "OTEL_TOML_BATCH_MAX_QUEUE_SIZE",
            Some("batch.max_queue_size"),
            AboveMaximum { value: 1_000_000, maximum: 262_144 },
        ),
        (
            &[("OTEL_TOML_BATCH_MAX_CONCURRENT_EXPORTS", "65")],
            "OTEL_TOML_BATCH_MAX_CONCURRENT_EXPORTS",
            Some("batch.max_concurrent_exports"),
            AboveMaximum { value: 65, maximum: 64 },
        ),
        (
            &[("OTEL_TOML_SHUTDOWN_TIMEOUT", "18446744073709551615")],
            "OTEL_TOML_SHUTDOWN_TIMEOUT",
            Some("shutdown.timeout"),
            invalid(&format!("invalid duration 18446744073709551615; {too_long}")),
        ),
        (
            &[("OTEL_TOML_EXPORTER_TIMEOUT", "99999999999999999999h")],
            "OTEL_TOML_EXPORTER_TIMEOUT",
            Some("exporter.timeout"),
            invalid(&format!("invalid duration \"99999999999999999999h\"; {too_long}")),
        ),
        (
            &[("OTEL_TOML_EXPORTER_ENDPOINT", "ftp://user:s3cret@c")],
            "OTEL_TOML_EXPORTER_ENDPOINT",
            Some("exporter.endpoint"),
            InvalidEndpoint {
                url: "ftp://***@c".into(),
                protocol: Protocol::HttpProtobuf,
                reason: format!("unsupported scheme \"ftp\"; {http_url}"),
            },
        ),
        (
            &[("OTEL_TOML_LOGS_BATCH_MAX_QUEUE_SIZE", "0")],
            "OTEL_TOML_LOGS_BATCH_MAX_QUEUE_SIZE",
            Some("logs.batch.max_queue_size"),
            BelowMinimum { minimum: 1 },
        ),
        (
            &[("OTEL_TOML_METRICS_INTERVAL", "0")],
            "OTEL_TOML_METRICS_INTERVAL",
            Some("metrics.interval"),
            invalid("must be longer than 0 (the time between two exports)"),
        ),
        (
            &[("OTEL_TOML_METRICS_TEMPORALITY", "DELTA")],
            "OTEL_TOML_METRICS_TEMPORALITY",
            Some("metrics.temporality"),
            UnknownValue { found: "DELTA".into(), valid: Temporality::VALID },
        ),
        (
            &[("OTEL_TOML_METRICS_EXPORTER_PROTOCOL", "http/json"), ("OTEL_TOML_EXPORTER_METRICS_ENDPOINT", "c:4318")],
            "OTEL_TOML_EXPORTER_METRICS_ENDPOINT",
            Some("exporter.metrics_endpoint"),
            InvalidEndpoint {
                url: "c:4318".into(),
                protocol: Protocol::HttpJson,
                reason: format!("missing scheme; {http_url}"),
            },
        ),
        (
            &[("OTEL_TOML_LOGS_EXPORTER_HEADERS", "authorization=s3cret%0A")],
            "OTEL_TOML_LOGS_EXPORTER_HEADERS",
            Some("logs.exporter.headers"),
            InvalidHeaderValue { name: "authorization".into() },
        ),
        (
            &[("OTEL_TOML_RESOURCE_DETECTORS", "host,none")],
            "OTEL_TOML_RESOURCE_DETECTORS",
            Some("resource_detectors[1]"),
            UnknownValue { found: "none".into(), valid: ResourceDetector::VALID },
        ),
        (
            &[("OTEL_TOML_TRACES_ENABLED", "no")],
            "OTEL_TOML_TRACES_ENABLED",
            Some("traces.enabled"),
            wrong_type("a boolean (true or false)", "string \"no\""),
        ),
        // Unknown variables, with a suggestion when one is close.
        (
            &[("OTEL_TOML_LOGS_BATCH_MAX_QUEUE", "1")],
            "OTEL_TOML_LOGS_BATCH_MAX_QUEUE",
            None,
            unknown(Some("OTEL_TOML_LOGS_BATCH_MAX_QUEUE_SIZE")),
        ),
        (
            &[("OTEL_TOML_METRIC_INTERVAL", "1s")],
            "OTEL_TOML_METRIC_INTERVAL",
            None,
            unknown(Some("OTEL_TOML_METRICS_INTERVAL")),
        ),
        (&[("OTEL_TOML_EXPORTER_ON_INVALIDD", "exit")], "OTEL_TOML_EXPORTER_ON_INVALIDD", None, unknown(Some("OTEL_TOML_EXPORTER_ON_INVALID"))),
        (&[("OTEL_TOML_FMT_FORMATT", "json")], "OTEL_TOML_FMT_FORMATT", None, unknown(Some("OTEL_TOML_FMT_FORMAT"))),
        (&[("OTEL_TOML_BATCH_MAX_QUEUE", "1")], "OTEL_TOML_BATCH_MAX_QUEUE", None, unknown(Some("OTEL_TOML_BATCH_MAX_QUEUE_SIZE"))),
        (&[("OTEL_TOML_WHATEVER", "1")], "OTEL_TOML_WHATEVER", None, unknown(None)),
        (&[("OTEL_TOML_\u{1b}[2J", "1")], "OTEL_TOML_\u{1b}[2J", None, unknown(None)),
    ];
    for (i, (env, variable, key, kind)) in rows.into_iter().enumerate() {
        let expected = vec![(key.map(str::to_string), kind, Origin::Env(variable.to_string()))];
        assert_eq!(problems_of(env), expected, "row {i}: {env:?}");
    }
}

/// The printed form names the variable and the key; an unknown variable's name is escaped.
#[test]
fn messages() {
    let rows: &[(&[(&str, &str)], &str)] = &[
        (
            &[("OTEL_TOML_BATCH_MAX_QUEUE_SIZE", "lots")],
            r#"otel: invalid configuration in environment variable OTEL_TOML_BATCH_MAX_QUEUE_SIZE: key `batch.max_queue_size`: expected a non-negative integer, found string "lots""#,
        ),
        (
            &[("OTEL_TOML_PROPAGATORS", "b3,nope")],
            r#"otel: invalid configuration in environment variable OTEL_TOML_PROPAGATORS: key `propagators[1]`: unknown value "nope"; expected one of "tracecontext", "baggage", "b3", "b3multi", "jaeger", "xray", "none""#,
        ),
        (
            &[("OTEL_TOML_EXPORTER_HEADERS", "authorization=%ZZsecret")],
            "otel: invalid configuration in environment variable OTEL_TOML_EXPORTER_HEADERS: key `exporter.headers`: expected comma-separated key=value pairs, percent-encoded (item 1 has an invalid percent-encoding in its value)",
        ),
        (
            &[("OTEL_TOML_SAMPLER_NAME", "traceidratio"), ("OTEL_TOML_SAMPLER_ARG", "2")],
            "otel: invalid configuration in environment variable OTEL_TOML_SAMPLER_ARG: key `sampler.arg`: 2 is not a ratio; expected a number from 0 to 1",
        ),
        (
            &[("OTEL_TOML_EXPORTER_ON_INVALIDD", "exit")],
            "otel: unknown environment variable OTEL_TOML_EXPORTER_ON_INVALIDD; did you mean OTEL_TOML_EXPORTER_ON_INVALID?",
        ),
        (
            &[("OTEL_TOML_\u{1b}[2J", "1")],
            "otel: unknown environment variable OTEL_TOML_\\u{1b}[2J; OTEL_TOML_<KEY> sets the otel.toml key <key> (e.g. OTEL_TOML_EXPORTER_ENDPOINT sets exporter.endpoint)",
        ),
    ];
    for (i, (env, expected)) in rows.iter().enumerate() {
        assert_eq!(error_of(None, env), *expected, "row {i}");
    }
}

#[test]
fn own_variables_win_over_the_file() {
    let c = load_with(Some("[fmt]\nformat = \"pretty\""), &[("OTEL_TOML_FMT_FORMAT", "json")]).unwrap().config;
    assert_eq!(c.fmt.format, FmtFormat::Json);
}
