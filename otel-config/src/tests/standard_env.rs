//! The standard OTEL_* variables, one row per spec rule: (otel.toml, env, check, expected warnings).
//! A warning is matched exactly when the expected text starts with `otel:`, else as a substring.

use super::*;
use std::time::Duration;

type Row = (Option<&'static str>, Vec<(&'static str, &'static str)>, fn(&Config) -> bool, Vec<&'static str>);

fn run(rows: Vec<Row>) {
    for (i, (toml, env, check, expected)) in rows.into_iter().enumerate() {
        let loaded = load_with(toml, &env).unwrap_or_else(|e| panic!("row {i} {env:?}: unexpected error {e}"));
        assert!(check(&loaded.config), "row {i}: {env:?} gave {:?}", loaded.config);
        let warnings = printed(&loaded);
        assert_eq!(warnings.len(), expected.len(), "row {i}: {env:?} warned {warnings:#?}");
        for (warning, expected) in warnings.iter().zip(expected) {
            if expected.starts_with("otel:") {
                assert_eq!(warning, expected, "row {i}");
            } else {
                assert!(warning.contains(expected), "row {i}: {warning:?} lacks {expected:?}");
            }
        }
    }
}

#[test]
fn empty_means_unset() {
    run(vec![
        (None, vec![("OTEL_SERVICE_NAME", "")], |c| c.service.name == "from-macro", vec![]),
        (None, vec![("OTEL_BSP_MAX_QUEUE_SIZE", "")], |c| c.batch.max_queue_size == 2048, vec![]),
        (Some("disabled = true"), vec![("OTEL_SDK_DISABLED", "")], |c| c.disabled, vec![]),
        (None, vec![("OTEL_EXPORTER_OTLP_PROTOCOL", " ")], |c| c.exporter.protocol == Protocol::HttpProtobuf, vec![]),
        (Some("[fmt]\nfilter = \"warn\""), vec![("RUST_LOG", "")], |c| c.fmt.filter == "warn", vec![]),
        (
            None,
            vec![("OTEL_PROPAGATORS", "")],
            |c| c.propagators == [Propagator::TraceContext, Propagator::Baggage],
            vec![],
        ),
    ]);
}

#[test]
fn numbers() {
    run(vec![
        (None, vec![("OTEL_BSP_MAX_QUEUE_SIZE", "4096")], |c| c.batch.max_queue_size == 4096, vec![]),
        (
            None,
            vec![("OTEL_BSP_MAX_QUEUE_SIZE", "abc")],
            |c| c.batch.max_queue_size == 2048,
            vec![r#"otel: ignoring OTEL_BSP_MAX_QUEUE_SIZE="abc": not a non-negative integer; using 2048"#],
        ),
        (
            Some("[batch]\nmax_queue_size = 1000"),
            vec![("OTEL_BSP_MAX_QUEUE_SIZE", "-1")],
            |c| c.batch.max_queue_size == 1000,
            vec![r#"otel: ignoring OTEL_BSP_MAX_QUEUE_SIZE="-1": not a non-negative integer; using 1000"#],
        ),
        (
            None,
            vec![("OTEL_BSP_MAX_QUEUE_SIZE", "0")],
            |c| c.batch.max_queue_size == 2048,
            vec!["must be at least 1; using 2048"],
        ),
        (
            None,
            vec![("OTEL_SPAN_EVENT_COUNT_LIMIT", "5000000000")],
            |c| c.limits.event_count == u32::MAX,
            vec![
                r#"otel: ignoring OTEL_SPAN_EVENT_COUNT_LIMIT="5000000000": larger than the maximum 4294967295; using 4294967295"#,
            ],
        ),
        // Above the bound (each queue slot is allocated at start): clamped to it, with a warning. Any number
        // of digits is "above", not "not a number".
        (
            Some("[batch]\nmax_queue_size = 100"),
            vec![("OTEL_BSP_MAX_QUEUE_SIZE", "18446744073709551615")],
            |c| c.batch.max_queue_size == 262_144 && c.batch.max_export_batch_size == 512,
            vec![
                r#"otel: ignoring OTEL_BSP_MAX_QUEUE_SIZE="18446744073709551615": larger than the maximum 262144; using 262144"#,
            ],
        ),
        (
            None,
            vec![("OTEL_BSP_MAX_QUEUE_SIZE", "99999999999999999999999")],
            |c| c.batch.max_queue_size == 262_144,
            vec!["larger than the maximum 262144; using 262144"],
        ),
        (None, vec![("OTEL_BSP_MAX_QUEUE_SIZE", "262144")], |c| c.batch.max_queue_size == 262_144, vec![]),
        (
            None,
            vec![("OTEL_BSP_MAX_QUEUE_SIZE", "262144"), ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "300000")],
            |c| c.batch.max_export_batch_size == 262_144,
            vec!["OTEL_BSP_MAX_EXPORT_BATCH_SIZE=\"300000\": larger than the maximum 262144; using 262144"],
        ),
        (None, vec![("OTEL_SPAN_LINK_COUNT_LIMIT", "0")], |c| c.limits.link_count == 0, vec![]),
        (None, vec![("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", " 256 ")], |c| c.batch.max_export_batch_size == 256, vec![]),
    ]);
}

#[test]
fn durations_are_milliseconds() {
    run(vec![
        (
            None,
            vec![("OTEL_BSP_SCHEDULE_DELAY", "250")],
            |c| c.batch.schedule_delay == Duration::from_millis(250),
            vec![],
        ),
        (
            None,
            vec![("OTEL_BSP_SCHEDULE_DELAY", "-5")],
            |c| c.batch.schedule_delay == Duration::from_secs(5),
            vec![r#"otel: ignoring OTEL_BSP_SCHEDULE_DELAY="-5": a negative duration; using 5000"#],
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_TIMEOUT", "5s")],
            |c| c.exporter.timeout == Duration::from_secs(10),
            vec!["not an integer number of milliseconds; using 10000"],
        ),
        // 0 means no limit: kept as zero for the runtime to interpret.
        (None, vec![("OTEL_EXPORTER_OTLP_TIMEOUT", "0")], |c| c.exporter.timeout == Duration::ZERO, vec![]),
        // Longer than the maximum (365 days): clamped, so `Instant::now() + d` can never overflow.
        (
            None,
            vec![("OTEL_BSP_SCHEDULE_DELAY", "18446744073709551615")],
            |c| c.batch.schedule_delay == MAX_DURATION,
            vec![
                r#"otel: ignoring OTEL_BSP_SCHEDULE_DELAY="18446744073709551615": longer than the maximum of 365 days (31536000000 ms); using 31536000000"#,
            ],
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_TIMEOUT", "99999999999999999999999999")],
            |c| c.exporter.timeout == MAX_DURATION,
            vec!["longer than the maximum of 365 days (31536000000 ms); using 31536000000"],
        ),
        (None, vec![("OTEL_BSP_EXPORT_TIMEOUT", "31536000000")], |c| c.batch.export_timeout == MAX_DURATION, vec![]),
        // A negative number is negative however long (and a long positive one is not "negative": see above).
        (
            None,
            vec![("OTEL_BSP_EXPORT_TIMEOUT", "-99999999999999999999999999999999999999999")],
            |c| c.batch.export_timeout == Duration::from_secs(30),
            vec!["a negative duration; using 30000"],
        ),
        (None, vec![("OTEL_BSP_EXPORT_TIMEOUT", "1000")], |c| c.batch.export_timeout == Duration::from_secs(1), vec![]),
    ]);
}

#[test]
fn booleans() {
    run(vec![
        (None, vec![("OTEL_SDK_DISABLED", "TRUE")], |c| c.disabled, vec![]),
        (None, vec![("OTEL_SDK_DISABLED", "true")], |c| c.disabled, vec![]),
        (Some("disabled = true"), vec![("OTEL_SDK_DISABLED", "False")], |c| !c.disabled, vec![]),
        // Anything but true is false, with a warning for values other than true/false.
        (
            Some("disabled = true"),
            vec![("OTEL_SDK_DISABLED", "yes")],
            |c| !c.disabled,
            vec![r#"otel: ignoring OTEL_SDK_DISABLED="yes": not true or false; using false"#],
        ),
        (None, vec![("OTEL_SDK_DISABLED", "1")], |c| !c.disabled, vec!["not true or false; using false"]),
        (None, vec![("OTEL_EXPORTER_OTLP_INSECURE", "true")], |c| c.exporter.insecure, vec![]),
    ]);
}

#[test]
fn enums_are_case_insensitive_and_unknown_values_warn() {
    run(vec![
        (None, vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "GRPC")], |c| c.exporter.protocol == Protocol::Grpc, vec![]),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "HTTP/JSON")],
            |c| c.exporter.protocol == Protocol::HttpJson,
            vec![],
        ),
        (
            Some("[exporter]\nprotocol = \"grpc\""),
            vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon")],
            |c| c.exporter.protocol == Protocol::Grpc,
            vec![
                r#"otel: ignoring OTEL_EXPORTER_OTLP_PROTOCOL="carrier-pigeon": unknown protocol; expected one of "grpc", "http/protobuf", "http/json"; using grpc"#,
            ],
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "console")],
            |c| c.exporter.protocol == Protocol::HttpProtobuf,
            vec!["unknown protocol"],
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_COMPRESSION", "GZIP")],
            |c| c.exporter.compression == Compression::Gzip,
            vec![],
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli")],
            |c| c.exporter.compression == Compression::None,
            vec![r#"unknown compression; expected one of "none", "gzip", "zstd"; using none"#],
        ),
    ]);
}

#[test]
fn per_signal_variables_win() {
    use Signal::{Logs, Metrics, Traces};
    run(vec![
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json")],
            |c| {
                c.exporter_for(Traces).protocol == Protocol::HttpJson
                    && c.exporter.protocol == Protocol::Grpc
                    && c.exporter_for(Logs).protocol == Protocol::Grpc
            },
            vec![],
        ),
        // An invalid per-signal value is ignored, so the generic one applies.
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "bogus")],
            |c| c.exporter_for(Traces).protocol == Protocol::Grpc,
            vec![
                r#"otel: ignoring OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="bogus": unknown protocol; expected one of "grpc", "http/protobuf", "http/json"; using grpc"#,
            ],
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_TIMEOUT", "1000"), ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2000")],
            |c| {
                c.exporter_for(Traces).timeout == Duration::from_secs(2) && c.exporter.timeout == Duration::from_secs(1)
            },
            vec![],
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_COMPRESSION", "none"), ("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip")],
            |c| c.exporter_for(Traces).compression == Compression::Gzip,
            vec![],
        ),
        // Per-signal headers replace the generic ones, for their signal only.
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_HEADERS", "a=1,b=2"), ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "c=3")],
            |c| {
                c.exporter_for(Traces).headers.iter().collect::<Vec<_>>() == [("c", "3")]
                    && c.exporter_for(Logs).headers.iter().collect::<Vec<_>>() == [("a", "1"), ("b", "2")]
            },
            vec![],
        ),
        (
            None,
            vec![
                ("OTEL_EXPORTER_OTLP_CERTIFICATE", "/ca.pem"),
                ("OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "/traces-ca.pem"),
                ("OTEL_EXPORTER_OTLP_CLIENT_KEY", "/key.pem"),
                ("OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "/cert.pem"),
            ],
            |c| {
                let t = c.exporter_for(Traces);
                t.certificate == Some("/traces-ca.pem".into())
                    && t.client_key == Some("/key.pem".into())
                    && t.client_certificate == Some("/cert.pem".into())
                    && c.exporter_for(Metrics).certificate == Some("/ca.pem".into())
                    && c.exporter_for(Metrics).client_certificate.is_none()
            },
            vec![],
        ),
        (
            None,
            vec![("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "32"), ("OTEL_ATTRIBUTE_COUNT_LIMIT", "64")],
            |c| c.limits.attribute_count == 32,
            vec![],
        ),
        (None, vec![("OTEL_ATTRIBUTE_COUNT_LIMIT", "64")], |c| c.limits.attribute_count == 64, vec![]),
    ]);
}

/// Every per-signal variable of one signal changes that signal's exporter, and never another's.
#[test]
fn per_signal_variables_touch_only_their_signal() {
    for signal in [Signal::Traces, Signal::Logs, Signal::Metrics] {
        let prefix = format!("OTEL_EXPORTER_OTLP_{}_", signal.as_str().to_ascii_uppercase());
        let vars: Vec<(String, &str)> = [
            ("PROTOCOL", "grpc"),
            ("ENDPOINT", "http://own:4317"),
            ("HEADERS", "x-own=1"),
            ("TIMEOUT", "1234"),
            ("COMPRESSION", "zstd"),
            ("INSECURE", "true"),
            ("CERTIFICATE", "/ca.pem"),
            ("CLIENT_CERTIFICATE", "/cert.pem"),
            ("CLIENT_KEY", "/key.pem"),
        ]
        .into_iter()
        .map(|(suffix, value)| (format!("{prefix}{suffix}"), value))
        .collect();
        let env: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let loaded = load_with(None, &env).unwrap();
        assert!(loaded.warnings.is_empty(), "{signal}: {:?}", loaded.warnings);
        let config = loaded.config;
        let own = config.exporter_for(signal);
        assert_eq!(own.protocol, Protocol::Grpc, "{signal}");
        assert_eq!(own.url(signal), "http://own:4317", "{signal}");
        assert_eq!(own.headers.iter().collect::<Vec<_>>(), [("x-own", "1")], "{signal}");
        assert_eq!(own.timeout, Duration::from_millis(1234), "{signal}");
        assert_eq!((own.compression, own.insecure), (Compression::Zstd, true), "{signal}");
        assert_eq!(own.certificate, Some("/ca.pem".into()), "{signal}");
        assert_eq!(own.client_certificate, Some("/cert.pem".into()), "{signal}");
        assert_eq!(own.client_key, Some("/key.pem".into()), "{signal}");
        // `[exporter]` is untouched but for the signal's own endpoint, so every other signal is exported as by
        // default.
        let mut expected = ExporterConfig::default();
        *match signal {
            Signal::Traces => &mut expected.traces_endpoint,
            Signal::Logs => &mut expected.logs_endpoint,
            Signal::Metrics => &mut expected.metrics_endpoint,
        } = Some("http://own:4317".into());
        assert_eq!(config.exporter, expected, "{signal}");
        for other in [Signal::Traces, Signal::Logs, Signal::Metrics].into_iter().filter(|s| *s != signal) {
            let theirs = config.exporter_for(other);
            assert_eq!(theirs.url(other), format!("http://localhost:4318/{}", other.http_path()), "{signal} → {other}");
            assert_eq!((theirs.protocol, theirs.timeout), (Protocol::HttpProtobuf, Duration::from_secs(10)));
            assert!(theirs.headers.is_empty() && theirs.certificate.is_none(), "{signal} → {other}");
        }
    }
}

#[test]
fn endpoints() {
    run(vec![
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/mycollector/")],
            |c| {
                c.exporter.endpoint.as_deref() == Some("http://c:4318/mycollector/")
                    && c.exporter.traces_url() == "http://c:4318/mycollector/v1/traces"
            },
            vec![],
        ),
        (
            None,
            vec![
                ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://d:4318"),
            ],
            |c| {
                c.exporter.traces_endpoint.as_deref() == Some("http://c:4318")
                    && c.exporter.traces_url() == "http://c:4318/"
            },
            vec![],
        ),
        // Not a URL for HTTP: a warning, and the variable is ignored.
        (
            Some("[exporter]\nendpoint = \"http://file:4318\""),
            vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318")],
            |c| c.exporter.traces_url() == "http://file:4318/v1/traces",
            vec![
                r#"otel: ignoring OTEL_EXPORTER_OTLP_ENDPOINT="localhost:4318": not a valid endpoint for protocol "http/protobuf": missing scheme; expected an absolute http:// or https:// URL such as "http://localhost:4318"; using http://file:4318/v1/traces"#,
            ],
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://c"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://d:4318")],
            |c| c.exporter.traces_endpoint.is_none() && c.exporter.traces_url() == "http://d:4318/v1/traces",
            vec!["unsupported scheme \"ftp\""],
        ),
        // A per-signal endpoint is checked for its signal's protocol, and ignored alone.
        (
            None,
            vec![
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"),
                ("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/protobuf"),
                ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "collector:4318"),
            ],
            |c| {
                c.exporter.logs_endpoint.is_none()
                    && c.exporter_for(Signal::Logs).url(Signal::Logs) == "http://collector:4317/v1/logs"
                    && c.exporter_for(Signal::Traces).url(Signal::Traces) == "http://collector:4317"
            },
            vec![
                r#"otel: ignoring OTEL_EXPORTER_OTLP_LOGS_ENDPOINT="collector:4318": not a valid endpoint for protocol "http/protobuf": missing scheme; expected an absolute http:// or https:// URL such as "http://localhost:4318"; using http://collector:4317/v1/logs"#,
            ],
        ),
        // The deployment's base endpoint replaces otel.toml's logs endpoint, so it is checked for the logs
        // protocol too: invalid for it, the variable is ignored (a warning, never an error).
        (
            Some(
                "[exporter]\nprotocol = \"grpc\"\nlogs_endpoint = \"http://file:4318/l\"\n[logs.exporter]\nprotocol = \"http/protobuf\"",
            ),
            vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317")],
            |c| {
                c.exporter_for(Signal::Logs).url(Signal::Logs) == "http://file:4318/l"
                    && c.exporter_for(Signal::Traces).url(Signal::Traces) == "http://localhost:4317"
            },
            vec!["ignoring OTEL_EXPORTER_OTLP_ENDPOINT=\"collector:4317\": not a valid endpoint for protocol \"http/protobuf\""],
        ),
        // A base endpoint valid for gRPC traces but not for HTTP logs: ignored, with a warning naming the protocol
        // it fails.
        (
            None,
            vec![
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"),
                ("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/json"),
            ],
            |c| {
                c.exporter.endpoint.is_none()
                    && c.exporter_for(Signal::Traces).url(Signal::Traces) == "http://localhost:4317"
            },
            vec![
                r#"otel: ignoring OTEL_EXPORTER_OTLP_ENDPOINT="collector:4317": not a valid endpoint for protocol "http/json": missing scheme; expected an absolute http:// or https:// URL such as "http://localhost:4318"; using http://localhost:4317"#,
            ],
        ),
        // gRPC accepts host:port: https unless insecure.
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317")],
            |c| c.exporter.traces_url() == "https://collector:4317",
            vec![],
        ),
        (
            None,
            vec![
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"),
                ("OTEL_EXPORTER_OTLP_INSECURE", "true"),
            ],
            |c| c.exporter.traces_url() == "http://collector:4317",
            vec![],
        ),
    ]);
}

#[test]
fn traces_exporter() {
    use Signal::{Logs, Metrics, Traces};
    fn traces(c: &Config) -> Protocol {
        c.exporter_for(Signal::Traces).protocol
    }
    run(vec![
        // `none` switches traces off, and nothing else.
        (
            None,
            vec![("OTEL_TRACES_EXPORTER", "none")],
            |c| !c.traces.enabled && !c.exports(Traces) && c.exports(Logs) && c.exports(Metrics),
            vec![],
        ),
        // `console` prints spans; logs and metrics keep their exporter.
        (
            None,
            vec![("OTEL_TRACES_EXPORTER", "Console")],
            |c| {
                c.exporter_for(Traces).protocol == Protocol::Console
                    && c.exporter.protocol == Protocol::HttpProtobuf
                    && c.exporter_for(Logs).protocol == Protocol::HttpProtobuf
            },
            vec![],
        ),
        (
            Some("[exporter]\nprotocol = \"grpc\""),
            vec![("OTEL_TRACES_EXPORTER", "otlp")],
            |c| c.exporter_for(Signal::Traces).protocol == Protocol::Grpc && c.traces.exporter.protocol.is_none(),
            vec![],
        ),
        // `otlp` over a lower `console`: the spec's default protocol, for traces only.
        (
            Some("[exporter]\nprotocol = \"console\""),
            vec![("OTEL_TRACES_EXPORTER", "otlp")],
            |c| {
                c.exporter_for(Signal::Traces).protocol == Protocol::HttpProtobuf
                    && c.exporter_for(Signal::Logs).protocol == Protocol::Console
            },
            vec![],
        ),
        (
            Some("[traces.exporter]\nprotocol = \"none\""),
            vec![("OTEL_TRACES_EXPORTER", "otlp")],
            |c| c.exports(Signal::Traces) && c.exporter_for(Signal::Traces).protocol == Protocol::HttpProtobuf,
            vec![],
        ),
        (
            Some("[exporter]\nprotocol = \"console\""),
            vec![("OTEL_TRACES_EXPORTER", "otlp"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")],
            |c| c.exporter_for(Signal::Traces).protocol == Protocol::Grpc,
            vec![],
        ),
        (
            Some("[traces.exporter]\nprotocol = \"console\""),
            vec![("OTEL_TRACES_EXPORTER", "otlp"), ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json")],
            |c| c.exporter_for(Signal::Traces).protocol == Protocol::HttpJson,
            vec![],
        ),
        (
            None,
            vec![("OTEL_TRACES_EXPORTER", "console"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")],
            |c| c.exporter_for(Signal::Traces).protocol == Protocol::Console && c.exporter.protocol == Protocol::Grpc,
            vec![],
        ),
        // `otlp` and `console` switch a signal otel.toml switched off back on: the deployment chose its exporter.
        (Some("[traces]\nenabled = false"), vec![("OTEL_TRACES_EXPORTER", "otlp")], |c| c.exports(Traces), vec![]),
        (
            None,
            vec![("OTEL_TRACES_EXPORTER", "console,otlp")],
            |c| traces(c) == Protocol::Console,
            vec![
                r#"otel: ignoring OTEL_TRACES_EXPORTER="console,otlp": only one trace exporter is supported; using "console" (traces.exporter.protocol "console")"#,
            ],
        ),
        // A list takes its first supported entry.
        (
            None,
            vec![("OTEL_TRACES_EXPORTER", "zipkin, none")],
            |c| !c.traces.enabled,
            vec![
                r#"otel: ignoring OTEL_TRACES_EXPORTER="zipkin, none": only one trace exporter is supported; using "none" (traces.enabled false)"#,
            ],
        ),
        (
            None,
            vec![("OTEL_TRACES_EXPORTER", "zipkin")],
            |c| traces(c) == Protocol::HttpProtobuf && c.traces.enabled,
            vec![r#"unknown exporter; expected one of "otlp", "console", "none"; using http/protobuf"#],
        ),
    ]);
}

#[test]
fn logs_and_metrics_exporters() {
    use Signal::{Logs, Metrics, Traces};
    run(vec![
        (
            None,
            vec![("OTEL_LOGS_EXPORTER", "none")],
            |c| !c.logs.enabled && !c.exports(Logs) && c.exports(Traces) && c.exports(Metrics),
            vec![],
        ),
        (
            None,
            vec![("OTEL_METRICS_EXPORTER", "NONE")],
            |c| !c.metrics.enabled && c.exports(Logs) && c.exports(Traces),
            vec![],
        ),
        (
            None,
            vec![("OTEL_LOGS_EXPORTER", "console")],
            |c| {
                c.exporter_for(Logs).protocol == Protocol::Console
                    && c.exporter_for(Metrics).protocol == Protocol::HttpProtobuf
            },
            vec![],
        ),
        (
            Some("[metrics]\nenabled = false\n[exporter]\nprotocol = \"grpc\""),
            vec![("OTEL_METRICS_EXPORTER", "otlp")],
            |c| c.exports(Metrics) && c.exporter_for(Metrics).protocol == Protocol::Grpc,
            vec![],
        ),
        (
            Some("[logs.exporter]\nprotocol = \"console\""),
            vec![("OTEL_LOGS_EXPORTER", "otlp"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")],
            |c| c.exporter_for(Logs).protocol == Protocol::HttpProtobuf,
            vec![],
        ),
        (
            None,
            vec![("OTEL_LOGS_EXPORTER", "otlp,console")],
            |c| c.exports(Logs),
            vec![
                r#"otel: ignoring OTEL_LOGS_EXPORTER="otlp,console": only one log exporter is supported; using "otlp" (logs.exporter.protocol "http/protobuf")"#,
            ],
        ),
        (
            None,
            vec![("OTEL_METRICS_EXPORTER", "prometheus")],
            |c| c.exports(Metrics),
            vec![
                r#"otel: ignoring OTEL_METRICS_EXPORTER="prometheus": unknown exporter; expected one of "otlp", "console", "none"; using http/protobuf"#,
            ],
        ),
        (None, vec![("OTEL_LOGS_EXPORTER", " , ")], |c| c.exports(Logs), vec![]),
    ]);
}

#[test]
fn log_batch_variables() {
    run(vec![
        (
            None,
            vec![
                ("OTEL_BLRP_SCHEDULE_DELAY", "200"),
                ("OTEL_BLRP_EXPORT_TIMEOUT", "3000"),
                ("OTEL_BLRP_MAX_QUEUE_SIZE", "1000"),
                ("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "100"),
            ],
            |c| {
                c.logs.batch
                    == BatchConfig {
                        schedule_delay: Duration::from_millis(200),
                        export_timeout: Duration::from_secs(3),
                        max_queue_size: 1000,
                        max_export_batch_size: 100,
                        ..BatchConfig::default()
                    }
                    && c.batch == BatchConfig::default()
            },
            vec![],
        ),
        (
            None,
            vec![("OTEL_BLRP_MAX_QUEUE_SIZE", "abc")],
            |c| c.logs.batch.max_queue_size == 2048,
            vec![r#"otel: ignoring OTEL_BLRP_MAX_QUEUE_SIZE="abc": not a non-negative integer; using 2048"#],
        ),
        (
            None,
            vec![("OTEL_BLRP_SCHEDULE_DELAY", "-1")],
            |c| c.logs.batch.schedule_delay == Duration::from_secs(1),
            vec![r#"otel: ignoring OTEL_BLRP_SCHEDULE_DELAY="-1": a negative duration; using 1000"#],
        ),
        (
            None,
            vec![("OTEL_BLRP_EXPORT_TIMEOUT", "99999999999999")],
            |c| c.logs.batch.export_timeout == MAX_DURATION,
            vec!["longer than the maximum of 365 days (31536000000 ms); using 31536000000"],
        ),
        (
            None,
            vec![("OTEL_BLRP_MAX_QUEUE_SIZE", "999999999")],
            |c| c.logs.batch.max_queue_size == 262_144,
            vec![
                r#"otel: ignoring OTEL_BLRP_MAX_QUEUE_SIZE="999999999": larger than the maximum 262144; using 262144"#,
            ],
        ),
        (
            None,
            vec![("OTEL_BLRP_MAX_QUEUE_SIZE", "0")],
            |c| c.logs.batch.max_queue_size == 2048,
            vec!["OTEL_BLRP_MAX_QUEUE_SIZE=\"0\": must be at least 1; using 2048"],
        ),
        // Batch larger than the queue: clamped, as for spans.
        (
            None,
            vec![("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "4096")],
            |c| c.logs.batch.max_export_batch_size == 2048 && c.batch.max_export_batch_size == 512,
            vec![
                r#"otel: ignoring OTEL_BLRP_MAX_EXPORT_BATCH_SIZE="4096": larger than logs.batch.max_queue_size (2048); using 2048"#,
            ],
        ),
        (
            Some("[logs.batch]\nmax_export_batch_size = 300"),
            vec![("OTEL_BLRP_MAX_QUEUE_SIZE", "100")],
            |c| c.logs.batch.max_queue_size == 100 && c.logs.batch.max_export_batch_size == 100,
            vec!["smaller than logs.batch.max_export_batch_size (300); the export batch size is clamped to 100"],
        ),
        (None, vec![("OTEL_BLRP_MAX_QUEUE_SIZE", "100")], |c| c.logs.batch.max_export_batch_size == 100, vec![]),
    ]);
}

#[test]
fn metric_variables() {
    run(vec![
        (
            None,
            vec![("OTEL_METRIC_EXPORT_INTERVAL", "5000"), ("OTEL_METRIC_EXPORT_TIMEOUT", "0")],
            |c| c.metrics.interval == Duration::from_secs(5) && c.metrics.timeout == Duration::ZERO,
            vec![],
        ),
        // A zero interval: no period; ignored.
        (
            Some("[metrics]\ninterval = \"10s\""),
            vec![("OTEL_METRIC_EXPORT_INTERVAL", "0")],
            |c| c.metrics.interval == Duration::from_secs(10),
            vec![r#"otel: ignoring OTEL_METRIC_EXPORT_INTERVAL="0": must be at least 1; using 10000"#],
        ),
        (
            None,
            vec![("OTEL_METRIC_EXPORT_INTERVAL", "1m")],
            |c| c.metrics.interval == Duration::from_secs(60),
            vec![
                r#"otel: ignoring OTEL_METRIC_EXPORT_INTERVAL="1m": not an integer number of milliseconds; using 60000"#,
            ],
        ),
        (
            None,
            vec![("OTEL_METRIC_EXPORT_TIMEOUT", "-3")],
            |c| c.metrics.timeout == Duration::from_secs(30),
            vec![r#"otel: ignoring OTEL_METRIC_EXPORT_TIMEOUT="-3": a negative duration; using 30000"#],
        ),
        (
            None,
            vec![("OTEL_METRIC_EXPORT_INTERVAL", "99999999999999999999")],
            |c| c.metrics.interval == MAX_DURATION,
            vec!["longer than the maximum of 365 days (31536000000 ms); using 31536000000"],
        ),
        // Temporality: case-insensitive.
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "Delta")],
            |c| c.metrics.temporality == Temporality::Delta,
            vec![],
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", " LOWMEMORY ")],
            |c| c.metrics.temporality == Temporality::LowMemory,
            vec![],
        ),
        (
            Some("[metrics]\ntemporality = \"delta\""),
            vec![("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "low_memory")],
            |c| c.metrics.temporality == Temporality::Delta,
            vec![
                r#"otel: ignoring OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="low_memory": unknown temporality; expected one of "cumulative", "delta", "lowmemory"; using delta"#,
            ],
        ),
    ]);
}

#[test]
fn resource_detectors() {
    use ResourceDetector::{Container, Host, Os, Process, ServiceInstance};
    run(vec![
        (None, vec![], |c| c.resource_detectors == ResourceDetector::ALL, vec![]),
        (
            None,
            vec![("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "Host, process,host")],
            |c| c.resource_detectors == [Host, Process],
            vec![],
        ),
        (None, vec![("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "none")], |c| c.resource_detectors.is_empty(), vec![]),
        (
            Some("resource_detectors = [\"os\"]"),
            vec![("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "ALL")],
            |c| c.resource_detectors == [ServiceInstance, Host, Os, Process, Container],
            vec![],
        ),
        (
            None,
            vec![("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "container,k8s,os")],
            |c| c.resource_detectors == [Container, Os],
            vec![
                r#"otel: ignoring OTEL_EXPERIMENTAL_RESOURCE_DETECTORS="container,k8s,os": unknown resource detector "k8s"; expected one of "service_instance", "host", "os", "process", "container", "all", "none"; "k8s" skipped"#,
            ],
        ),
        // Nothing valid left: the variable is ignored.
        (
            Some("resource_detectors = [\"os\"]"),
            vec![("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "aws_ec2")],
            |c| c.resource_detectors == [Os],
            vec!["unknown resource detector \"aws_ec2\""],
        ),
        (
            None,
            vec![("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "none,host")],
            |c| c.resource_detectors == [Host],
            vec!["\"none\" cannot be combined with other detectors; \"none\" skipped"],
        ),
    ]);
}

#[test]
fn resource_attributes() {
    run(vec![
        (
            None,
            vec![("OTEL_RESOURCE_ATTRIBUTES", "service.name=r,team=a%2Cb,k%3Dx=1%3D2")],
            |c| {
                c.service.name == "r"
                    && c.resource.get("team") == Some(&ResourceValue::from("a,b"))
                    && c.resource.get("k=x") == Some(&ResourceValue::from("1=2"))
            },
            vec![],
        ),
        // OTEL_SERVICE_NAME wins over service.name inside OTEL_RESOURCE_ATTRIBUTES.
        (
            None,
            vec![("OTEL_RESOURCE_ATTRIBUTES", "service.name=r"), ("OTEL_SERVICE_NAME", "s")],
            |c| c.service.name == "s" && c.resource.is_empty(),
            vec![],
        ),
        (
            None,
            vec![("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=prod, service.version = 9 ")],
            |c| c.service.environment.as_deref() == Some("prod") && c.service.version.as_deref() == Some("9"),
            vec![],
        ),
        (
            None,
            vec![("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=staging")],
            |c| c.service.environment.as_deref() == Some("staging"),
            vec![],
        ),
        // A decoding error discards the whole value.
        (
            Some("[resource]\nteam = \"file\""),
            vec![("OTEL_RESOURCE_ATTRIBUTES", "region=eu,team=%ZZ")],
            |c| c.resource.len() == 1 && c.resource["team"] == ResourceValue::from("file"),
            vec![
                r#"otel: ignoring OTEL_RESOURCE_ATTRIBUTES="region=eu,team=%ZZ": not a comma-separated list of key=value pairs with percent-encoded values (item 2 has an invalid percent-encoding in its value); the whole value is discarded"#,
            ],
        ),
        (None, vec![("OTEL_RESOURCE_ATTRIBUTES", "novalue")], |c| c.resource.is_empty(), vec!["item 1 has no `=`"]),
    ]);
}

#[test]
fn headers() {
    run(vec![
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20x, x-team = core")],
            |c| c.exporter.headers.iter().collect::<Vec<_>>() == [("authorization", "Bearer x"), ("x-team", "core")],
            vec![],
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_HEADERS", "authorization=%ZZsecret")],
            |c| c.exporter.headers.is_empty(),
            vec![
                r#"otel: ignoring OTEL_EXPORTER_OTLP_HEADERS="***": not a comma-separated list of key=value pairs with percent-encoded values (item 1 has an invalid percent-encoding in its value); ignored"#,
            ],
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_HEADERS", "bad name=x")],
            |c| c.exporter.headers.is_empty(),
            vec![
                r#"otel: ignoring OTEL_EXPORTER_OTLP_HEADERS="***": "bad name" is not a valid HTTP header name; ignored"#,
            ],
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x=line%0Abreak"), ("OTEL_EXPORTER_OTLP_HEADERS", "y=1")],
            |c| c.exporter.headers.iter().collect::<Vec<_>>() == [("y", "1")],
            vec![r#"the value of "x" is not a valid HTTP header value; ignored"#],
        ),
    ]);
}

#[test]
fn batch_sizes() {
    run(vec![
        (
            None,
            vec![("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4096")],
            |c| c.batch.max_export_batch_size == 2048,
            vec![
                r#"otel: ignoring OTEL_BSP_MAX_EXPORT_BATCH_SIZE="4096": larger than batch.max_queue_size (2048); using 2048"#,
            ],
        ),
        // The default batch size (512) follows a smaller queue size silently.
        (
            None,
            vec![("OTEL_BSP_MAX_QUEUE_SIZE", "100")],
            |c| c.batch.max_queue_size == 100 && c.batch.max_export_batch_size == 100,
            vec![],
        ),
        (
            Some("[batch]\nmax_export_batch_size = 300"),
            vec![("OTEL_BSP_MAX_QUEUE_SIZE", "100")],
            |c| c.batch.max_queue_size == 100 && c.batch.max_export_batch_size == 100,
            vec!["smaller than batch.max_export_batch_size (300); the export batch size is clamped to 100"],
        ),
        (
            Some("[batch]\nmax_queue_size = 100"),
            vec![],
            |c| c.batch.max_queue_size == 100 && c.batch.max_export_batch_size == 100,
            vec![],
        ),
        (
            None,
            vec![("OTEL_BSP_MAX_QUEUE_SIZE", "100"), ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "10")],
            |c| c.batch.max_queue_size == 100 && c.batch.max_export_batch_size == 10,
            vec![],
        ),
    ]);
}

#[test]
fn sampler() {
    run(vec![
        (None, vec![("OTEL_TRACES_SAMPLER", "always_off")], |c| c.sampler.name == SamplerName::AlwaysOff, vec![]),
        (
            None,
            vec![("OTEL_TRACES_SAMPLER", "TraceIdRatio"), ("OTEL_TRACES_SAMPLER_ARG", "0.25")],
            |c| c.sampler == SamplerConfig { name: SamplerName::TraceIdRatio, arg: Some(0.25) },
            vec![],
        ),
        (
            None,
            vec![("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", "1.5")],
            |c| c.sampler.arg.is_none(),
            vec![r#"otel: ignoring OTEL_TRACES_SAMPLER_ARG="1.5": not a ratio between 0 and 1; using 1.0"#],
        ),
        (
            Some("[sampler]\nname = \"traceidratio\"\narg = 0.1"),
            vec![("OTEL_TRACES_SAMPLER", "traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", "half")],
            |c| c.sampler.arg == Some(0.1),
            vec!["not a number; using 0.1"],
        ),
        // The argument is used only when OTEL_TRACES_SAMPLER is set.
        (
            Some("[sampler]\nname = \"traceidratio\""),
            vec![("OTEL_TRACES_SAMPLER_ARG", "0.5")],
            |c| c.sampler.arg.is_none(),
            vec![
                r#"otel: ignoring OTEL_TRACES_SAMPLER_ARG="0.5": used only together with OTEL_TRACES_SAMPLER; ignored"#,
            ],
        ),
        (
            None,
            vec![("OTEL_TRACES_SAMPLER", "always_on"), ("OTEL_TRACES_SAMPLER_ARG", "0.5")],
            |c| c.sampler == SamplerConfig { name: SamplerName::AlwaysOn, arg: None },
            vec![],
        ),
        (
            None,
            vec![("OTEL_TRACES_SAMPLER", "sometimes")],
            |c| c.sampler.name == SamplerName::ParentBasedAlwaysOn,
            vec!["unknown sampler; expected one of \"always_on\""],
        ),
        (
            None,
            vec![("OTEL_TRACES_SAMPLER", "jaeger_remote")],
            |c| c.sampler.name == SamplerName::ParentBasedAlwaysOn,
            vec!["unknown sampler (not supported by this crate)"],
        ),
    ]);
}

#[test]
fn propagators() {
    use Propagator::{B3Multi, Baggage, Jaeger, TraceContext, XRay, B3};
    run(vec![
        (
            None,
            vec![("OTEL_PROPAGATORS", "TraceContext, b3 ,tracecontext")],
            |c| c.propagators == [TraceContext, B3],
            vec![],
        ),
        (None, vec![("OTEL_PROPAGATORS", "none")], |c| c.propagators.is_empty(), vec![]),
        (
            None,
            vec![("OTEL_PROPAGATORS", "xray,b3multi,jaeger,baggage")],
            |c| c.propagators == [XRay, B3Multi, Jaeger, Baggage],
            vec![],
        ),
        (
            None,
            vec![("OTEL_PROPAGATORS", "foo,b3")],
            |c| c.propagators == [B3],
            vec![
                r#"otel: ignoring OTEL_PROPAGATORS="foo,b3": unknown propagator "foo"; expected one of "tracecontext", "baggage", "b3", "b3multi", "jaeger", "xray", "none"; "foo" skipped"#,
            ],
        ),
        // Nothing valid left: the variable is ignored.
        (
            Some("propagators = [\"jaeger\"]"),
            vec![("OTEL_PROPAGATORS", "ottrace")],
            |c| c.propagators == [Jaeger],
            vec!["unknown propagator \"ottrace\" (not supported by this crate)"],
        ),
        (None, vec![("OTEL_PROPAGATORS", "none,b3")], |c| c.propagators == [B3], vec!["\"none\" cannot be combined"]),
    ]);
}

#[test]
fn rust_log() {
    run(vec![
        (
            Some("[fmt]\nfilter = \"warn\""),
            vec![("RUST_LOG", "debug,hyper=info")],
            |c| c.fmt.filter == "debug,hyper=info",
            vec![],
        ),
        // The filter's syntax is not checked here.
        (None, vec![("RUST_LOG", "[[[")], |c| c.fmt.filter == "[[[", vec![]),
    ]);
}

#[test]
fn limits() {
    run(vec![(
        None,
        vec![
            ("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "1"),
            ("OTEL_SPAN_EVENT_COUNT_LIMIT", "2"),
            ("OTEL_SPAN_LINK_COUNT_LIMIT", "3"),
            ("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "4"),
            ("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "5"),
        ],
        |c| {
            c.limits
                == SpanLimitsConfig {
                    attribute_count: 1,
                    event_count: 2,
                    link_count: 3,
                    attribute_per_event: 4,
                    attribute_per_link: 5,
                }
        },
        vec![],
    )]);
    run(vec![
        (
            None,
            vec![("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "64")],
            |c| c.limits == SpanLimitsConfig::default(),
            vec![
                r#"otel: ignoring OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT="64": attribute value length limits are not supported by opentelemetry_sdk 0.33; values are not truncated"#,
            ],
        ),
        (None, vec![("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "64")], |_| true, vec!["not supported"]),
        (None, vec![("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "")], |_| true, vec![]),
    ]);
}

#[test]
fn warnings_are_data() {
    let env = [
        ("OTEL_EXPORTER_OTLP_HEADERS", "x-key=s3cret%ZZ"),
        ("OTEL_BSP_MAX_QUEUE_SIZE", "abc"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://user:s3cret@c:21"),
    ];
    let loaded = load_with(None, &env).unwrap();
    let fields: Vec<(&str, &str, &str)> =
        loaded.warnings.iter().map(|w| (w.variable(), w.value(), w.instead())).collect();
    assert_eq!(
        fields,
        [
            // Secrets are never kept: a header variable's value at all, an endpoint's credentials.
            ("OTEL_EXPORTER_OTLP_HEADERS", "***", "ignored"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "abc", "using 2048"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://***@c:21", "using http://localhost:4318/v1/traces"),
        ]
    );
    assert_eq!(loaded.warnings[1].reason(), "not a non-negative integer");
    assert!(loaded.warnings[2].reason().starts_with("not a valid endpoint for protocol \"http/protobuf\""));
    for warning in &loaded.warnings {
        // `Display` is computed from the fields.
        let printed = format!(
            "otel: ignoring {}={:?}: {}; {}",
            warning.variable(),
            warning.value(),
            warning.reason(),
            warning.instead()
        );
        assert_eq!(warning.to_string(), printed);
        assert!(!printed.contains("s3cret"), "{printed}");
    }
}
