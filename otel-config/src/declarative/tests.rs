//! The declarative file: the spec-modelled fixtures (effective values and warnings), substitution by the data
//! model's table, error paths with positions, and precedence against `OTEL_*` variables and otel.toml.

use super::substitute::substitute;
use super::yaml;
use crate::env::Env;
use crate::tests::{dir_with, env_map};
use crate::*;
use std::path::Path;
use std::time::Duration;

fn load_text(text: &str, env: &[(&str, &str)]) -> Result<Loaded, ConfigError> {
    let options = LoadOptions { env: Some(env_map(env)), ..Default::default() };
    load_declarative_text(&options, Path::new("otel.yaml"), text)
}

fn paths(loaded: &Loaded) -> Vec<&str> {
    loaded.warnings.iter().map(Warning::variable).collect()
}

fn error(text: &str, env: &[(&str, &str)]) -> String {
    match load_text(text, env) {
        Ok(loaded) => panic!("expected an error, got {:?}", loaded.config),
        Err(e) => e.to_string(),
    }
}

struct Case {
    name: &'static str,
    text: &'static str,
    env: &'static [(&'static str, &'static str)],
    warnings: &'static [&'static str],
    check: fn(&Config),
}

const CASES: &[Case] = &[
    Case {
        name: "getting_started, no variable: the defaults written in the file",
        text: include_str!("fixtures/getting_started.yaml"),
        env: &[],
        warnings: &[],
        check: |c| {
            assert_eq!(c.exporter_for(Signal::Traces).url(Signal::Traces), "http://localhost:4318/v1/traces");
            assert_eq!(c.exporter_for(Signal::Logs).url(Signal::Logs), "http://localhost:4318/v1/logs");
            assert_eq!(c.exporter_for(Signal::Metrics).url(Signal::Metrics), "http://localhost:4318/v1/metrics");
            assert!(Signal::ALL.iter().all(|s| c.exports(*s)));
            assert_eq!(c.propagators, [Propagator::TraceContext, Propagator::Baggage]);
            use ResourceDetector::*;
            assert_eq!(c.resource_detectors, [ServiceInstance, Host, Os, Process, Container]);
            assert_eq!(c.sampler.name, SamplerName::ParentBasedAlwaysOn);
            assert!(c.resource.is_empty());
        },
    },
    Case {
        name: "getting_started with the variables it references",
        text: include_str!("fixtures/getting_started.yaml"),
        env: &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=prod,team=payments"),
            ("OTEL_SERVICE_NAME", "checkout"),
        ],
        warnings: &[],
        check: |c| {
            assert_eq!(c.exporter_for(Signal::Traces).url(Signal::Traces), "http://collector:4318/v1/traces");
            assert_eq!(c.exporter_for(Signal::Metrics).url(Signal::Metrics), "http://collector:4318/v1/metrics");
            assert_eq!(c.resource["deployment.environment.name"], ResourceValue::from("prod"));
            assert_eq!(c.resource["team"], ResourceValue::from("payments"));
            // The `service` detector reads OTEL_SERVICE_NAME, as the schema defines it.
            assert_eq!(c.service.name, "checkout");
        },
    },
    Case {
        name: "sdk_config: every value the spec's defaults, no warning",
        text: include_str!("fixtures/sdk_config.yaml"),
        env: &[],
        warnings: &[],
        check: |c| {
            assert_eq!(c.batch, BatchConfig::default());
            assert_eq!(c.logs.batch, LogsConfig::default().batch);
            let traces = c.exporter_for(Signal::Traces);
            assert_eq!((traces.protocol, traces.compression), (Protocol::HttpProtobuf, Compression::Gzip));
            assert_eq!(traces.timeout, Duration::from_secs(10));
            assert_eq!(traces.certificate, None);
            assert_eq!(c.limits, SpanLimitsConfig::default());
            assert_eq!((c.metrics.interval, c.metrics.timeout), (Duration::from_secs(60), Duration::from_secs(30)));
            assert_eq!(c.metrics.temporality, Temporality::Cumulative);
            assert_eq!(c.service.name, "unknown_service");
            assert!(c.resource_detectors.is_empty(), "no detection/development: detection is off");
            assert!(!c.disabled);
        },
    },
    Case {
        name: "grpc kitchen sink: tls, headers over headers_list, compression, timeout, batch sizes",
        text: include_str!("fixtures/grpc_kitchen_sink.yaml"),
        env: &[],
        warnings: &[
            "tracer_provider.processors[0].batch.exporter.otlp_grpc.max_request_size",
            "tracer_provider.processors[0].batch.exporter.otlp_grpc.max_response_size",
        ],
        check: |c| {
            let e = c.exporter_for(Signal::Traces);
            assert_eq!(e.protocol, Protocol::Grpc);
            assert_eq!(e.url(Signal::Traces), "https://collector.example:4317");
            assert_eq!(e.certificate.as_deref(), Some(Path::new("/app/ca.pem")));
            assert_eq!(e.client_certificate.as_deref(), Some(Path::new("/app/client.pem")));
            assert_eq!(e.client_key.as_deref(), Some(Path::new("/app/client.key")));
            assert!(!e.insecure);
            assert_eq!(e.headers.iter().collect::<Vec<_>>(), [("api-key", "1234"), ("x-tenant", "acme")]);
            assert_eq!((e.compression, e.timeout), (Compression::Gzip, Duration::from_millis(2500)));
            assert_eq!(c.batch.schedule_delay, Duration::from_millis(250));
            assert_eq!((c.batch.max_queue_size, c.batch.max_export_batch_size), (4096, 1024));
            // The other signals have no provider: off.
            assert!(!c.exports(Signal::Logs) && !c.exports(Signal::Metrics));
            assert!(c.propagators.is_empty(), "no propagator: none, as the file format says");
        },
    },
    Case {
        name: "logs over HTTP/JSON: [logs.batch] and [logs.exporter]",
        text: include_str!("fixtures/logs_http_json.yaml"),
        env: &[],
        warnings: &[],
        check: |c| {
            let e = c.exporter_for(Signal::Logs);
            assert_eq!((e.protocol, e.compression), (Protocol::HttpJson, Compression::None));
            assert_eq!(e.url(Signal::Logs), "http://logs.example:4318/v1/logs");
            assert_eq!(e.headers.get("authorization"), Some("Bearer s3cret"));
            assert_eq!(c.logs.batch.schedule_delay, Duration::from_millis(200));
            assert_eq!(c.logs.batch.export_timeout, Duration::from_secs(5));
            assert!(c.exports(Signal::Logs) && !c.exports(Signal::Traces));
        },
    },
    Case {
        name: "metrics: periodic reader, gRPC, low_memory; views and histograms out of scope",
        text: include_str!("fixtures/metrics_delta.yaml"),
        env: &[],
        warnings: &[
            "meter_provider.readers[0].periodic.exporter.otlp_grpc.default_histogram_aggregation",
            "meter_provider.views",
            "meter_provider.exemplar_filter",
        ],
        check: |c| {
            assert_eq!((c.metrics.interval, c.metrics.timeout), (Duration::from_secs(15), Duration::from_secs(5)));
            assert_eq!(c.metrics.temporality, Temporality::LowMemory);
            let e = c.exporter_for(Signal::Metrics);
            assert_eq!((e.protocol, e.url(Signal::Metrics)), (Protocol::Grpc, "http://metrics.example:4317".into()));
            assert!(c.exports(Signal::Metrics));
        },
    },
    Case {
        name: "propagators: composite then composite_list, de-duplicated; an unknown one left out",
        text: include_str!("fixtures/propagators.yaml"),
        env: &[],
        warnings: &["propagator.composite[4].ottrace"],
        check: |c| {
            use Propagator::*;
            assert_eq!(c.propagators, [TraceContext, Baggage, B3, B3Multi, XRay]);
        },
    },
    Case {
        name: "resource: attributes over attributes_list; service.*; arrays, filters and schema_url warned",
        text: include_str!("fixtures/resource.yaml"),
        env: &[("OTEL_SERVICE_NAME", "not-read-without-the-service-detector")],
        warnings: &["resource.attributes[5].value", "resource.detection/development.attributes", "resource.schema_url"],
        check: |c| {
            assert_eq!((c.service.name.as_str(), c.service.version.as_deref()), ("checkout", Some("1.0.0")));
            assert_eq!(c.resource["string_key"], ResourceValue::from("value"));
            assert_eq!(c.resource["bool_key"], ResourceValue::Bool(true));
            assert_eq!(c.resource["int_key"], ResourceValue::Int(1));
            assert_eq!(c.resource["double_key"], ResourceValue::Float(1.1));
            assert_eq!(c.resource["service.namespace"], ResourceValue::from("my-namespace"));
            assert!(!c.resource.contains_key("string_array_key"));
            use ResourceDetector::*;
            assert_eq!(c.resource_detectors, [Container, Host, Os]);
        },
    },
    Case {
        name: "sampler tree, simple processor, console, limits",
        text: include_str!("fixtures/sampler_console.yaml"),
        env: &[],
        warnings: &[
            "tracer_provider.processors[0].simple",
            "tracer_provider.limits.attribute_value_length_limit",
            "tracer_provider.sampler.parent_based.local_parent_not_sampled.always_on",
        ],
        check: |c| {
            assert_eq!((c.sampler.name, c.sampler.arg), (SamplerName::ParentBasedTraceIdRatio, Some(0.01)));
            assert_eq!(c.exporter_for(Signal::Traces).protocol, Protocol::Console);
            // attribute_limits applies where tracer_provider.limits says nothing.
            assert_eq!(c.limits.attribute_count, 64);
            assert_eq!((c.limits.event_count, c.limits.link_count), (32, 16));
            assert_eq!(c.batch, BatchConfig::default());
        },
    },
    Case {
        name: "out of scope: each node named, with what is used instead",
        text: include_str!("fixtures/out_of_scope.yaml"),
        env: &[],
        warnings: &[
            "instrumentation/development",
            "tracer_provider.processors[0].batch.exporter.otlp_file/development",
            "tracer_provider.processors[1]",
            "tracer_provider.sampler.jaeger_remote/development",
            "tracer_provider.tracer_configurator/development",
            "meter_provider.readers[0].pull",
        ],
        check: |c| {
            assert!(!c.exports(Signal::Traces), "the OTLP file exporter is not implemented: nothing exported");
            assert_eq!(c.sampler.name, SamplerName::ParentBasedAlwaysOn);
            assert!(!c.metrics.enabled);
        },
    },
];

#[test]
fn every_fixture_loads_with_its_values_and_warnings() {
    for case in CASES {
        let loaded = load_text(case.text, case.env).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        (case.check)(&loaded.config);
        let mut got = paths(&loaded);
        let mut want = case.warnings.to_vec();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "{}: {:#?}", case.name, loaded.warnings);
    }
}

#[test]
fn a_warning_names_the_file_the_position_the_node_and_what_is_used_instead() {
    let loaded = load_text(include_str!("fixtures/out_of_scope.yaml"), &[]).unwrap();
    let printed: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert!(
        printed.contains(
            &"otel: otel.yaml, line 25, column 7: `meter_provider.readers[0].pull`: otel has no pull exporters \
              (Prometheus); it pushes metrics; metrics are not exported"
                .to_string()
        ),
        "{printed:#?}"
    );
}

// ---- substitution: the data model's table ----

fn subst(text: &str) -> Result<Option<String>, String> {
    let env = Env::new(Some(&env_map(&[
        ("STRING_VALUE", "value"),
        ("BOOL_VALUE", "true"),
        ("INT_VALUE", "1"),
        ("FLOAT_VALUE", "1.1"),
        ("HEX_VALUE", "0xdeadbeef"),
        ("INVALID_MAP_VALUE", "value\nkey:value"),
        ("DO_NOT_REPLACE_ME", "Never use this value"),
        ("REPLACE_ME", "${DO_NOT_REPLACE_ME}"),
        ("VALUE_WITH_ESCAPE", "value$$"),
        ("EMPTY", ""),
        ("BLANK", " "),
    ])));
    substitute(text, &env).map_err(|e| format!("{} {}", e.reference, e.reason))
}

#[test]
fn substitution_follows_the_data_model_table() {
    let cases = [
        ("${STRING_VALUE}", "value"),
        ("${env:STRING_VALUE}", "value"),
        ("foo ${STRING_VALUE} ${FLOAT_VALUE}", "foo value 1.1"),
        ("${INVALID_MAP_VALUE}", "value\nkey:value"),
        ("${UNDEFINED_KEY}", ""),
        ("${UNDEFINED_KEY:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${BLANK:-fallback}", " "),
        ("${REPLACE_ME}", "${DO_NOT_REPLACE_ME}"),
        ("${UNDEFINED_KEY:-${STRING_VALUE}}", "${STRING_VALUE}"),
        ("$${STRING_VALUE}", "${STRING_VALUE}"),
        ("$$${STRING_VALUE}", "$value"),
        ("$$$${STRING_VALUE}", "$${STRING_VALUE}"),
        ("$${STRING_VALUE:-fallback}", "${STRING_VALUE:-fallback}"),
        ("$${STRING_VALUE:-${STRING_VALUE}}", "${STRING_VALUE:-value}"),
        ("${UNDEFINED_KEY:-$${UNDEFINED_KEY}}", "${UNDEFINED_KEY:-${UNDEFINED_KEY}}"),
        ("${VALUE_WITH_ESCAPE}", "value$$"),
        ("$${FOO} ${STRING_VALUE} $${BAZ}", "${FOO} value ${BAZ}"),
        ("price: 5$", "price: 5$"),
        ("${} ${unclosed", "${} ${unclosed"),
        ("${_UNDER_1:-a b:c}", "a b:c"),
    ];
    for (input, want) in cases {
        assert_eq!(subst(input), Ok(Some(want.to_string())), "{input}");
    }
    assert_eq!(subst("no reference"), Ok(None));
}

#[test]
fn an_invalid_reference_is_an_error() {
    for input in ["${STRING_VALUE:?error}", "${1API_KEY}", "${API_$KEY}", "${sys:user.name}", "${env:}", "${A-B}"] {
        assert!(subst(input).is_err(), "{input}: {:?}", subst(input));
    }
    assert!(subst("${sys:user.name}").unwrap_err().contains("only the `env:` prefix"));
}

#[test]
fn substituted_values_are_typed_after_substitution_quoted_ones_stay_strings() {
    let text = "file_format: \"1.0\"\ndisabled: ${BOOL}\ntracer_provider:\n  processors:\n    - batch:\n        \
                max_queue_size: ${N}\n        exporter:\n          console:\n";
    let loaded = load_text(text, &[("BOOL", "true"), ("N", "0x100")]).unwrap();
    assert!(loaded.config.disabled);
    assert_eq!(loaded.config.batch.max_queue_size, 256);
    let quoted = text.replace("${BOOL}", "\"${BOOL}\"");
    assert_eq!(
        error(&quoted, &[("BOOL", "true")]),
        "otel: invalid configuration in otel.yaml, line 2, column 11: key `disabled`: expected a boolean (true or \
         false), found string \"true\""
    );
    // Unset: null, which is "not set".
    let loaded = load_text(text, &[("N", "7")]).unwrap();
    assert!(!loaded.config.disabled);
}

#[test]
fn a_variable_cannot_inject_structure() {
    let text = "file_format: \"1.0\"\nresource:\n  attributes:\n    - name: team\n      value: ${V}\n";
    let loaded = load_text(text, &[("V", "a\n  b: c\nservice.name: evil")]).unwrap();
    assert_eq!(loaded.config.resource["team"], ResourceValue::from("a\n  b: c\nservice.name: evil"));
    assert_eq!(loaded.config.service.name, "unknown_service");
    // Keys are never substituted.
    let text = "file_format: \"1.0\"\ntracer_provider:\n  ${K}: []\n";
    let err = error(text, &[("K", "processors")]);
    assert!(err.contains("unknown key `tracer_provider.${K}`"), "{err}");
}

#[test]
fn an_invalid_reference_fails_the_load_with_its_node_and_position() {
    let text = "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          \
                otlp_http:\n            endpoint: http://${HOST:?required}:4318\n";
    assert_eq!(
        error(text, &[]),
        "otel: invalid configuration in otel.yaml, line 7, column 23: key \
         `tracer_provider.processors[0].batch.exporter.otlp_http.endpoint`: invalid substitution \
         \"${HOST:?required}\": expected `${NAME}`, `${env:NAME}` or `${NAME:-default}`"
    );
}

// ---- errors ----

#[test]
fn errors_name_the_node_path_and_position() {
    let cases: &[(&str, &str)] = &[
        (
            "file_format: \"1.0\"\ntracer_provider:\n  procesors: []\n",
            "otel: invalid configuration in otel.yaml, line 3, column 3: unknown key `tracer_provider.procesors`; \
             did you mean `tracer_provider.processors`? (valid keys under `tracer_provider`: processors, limits, \
             sampler, id_generator)",
        ),
        (
            "file_format: \"2.0\"\n",
            "otel: invalid configuration in otel.yaml, line 1, column 14: key `file_format`: file format \"2.0\" is \
             not supported; otel reads file format 1.x (e.g. \"1.0\", \"1.1\")",
        ),
        (
            "disabled: false\n",
            "otel: invalid configuration in otel.yaml, line 1, column 1: `file_format` is required (e.g. \
             file_format: \"1.0\")",
        ),
        (
            "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        max_queue_size: lots\n        \
             exporter:\n          console:\n",
            "otel: invalid configuration in otel.yaml, line 5, column 25: key \
             `tracer_provider.processors[0].batch.max_queue_size`: expected a non-negative integer, found string \
             \"lots\"",
        ),
        (
            // Found by otel.toml's own rules after mapping, named by the node it came from.
            "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          \
             otlp_http:\n            endpoint: localhost:4318\n",
            "otel: invalid configuration in otel.yaml, line 7, column 23: key \
             `tracer_provider.processors[0].batch.exporter.otlp_http.endpoint`: invalid endpoint \"localhost:4318\" \
             for protocol \"http/protobuf\": missing scheme; expected an absolute http:// or https:// URL such as \
             \"http://localhost:4318\"",
        ),
        (
            "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        max_queue_size: 10\n        \
             max_export_batch_size: 20\n        exporter:\n          console:\n",
            "otel: invalid configuration in otel.yaml, line 6, column 32: key \
             `tracer_provider.processors[0].batch.max_export_batch_size`: 20 is larger than batch.max_queue_size (10)",
        ),
        (
            "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          \
             otlp_http:\n            compression: brotli\n",
            "otel: invalid configuration in otel.yaml, line 7, column 26: key \
             `tracer_provider.processors[0].batch.exporter.otlp_http.compression`: unknown value \"brotli\"; \
             expected one of \"gzip\", \"none\", \"zstd\"",
        ),
        (
            "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          \
             otlp_http:\n          console:\n",
            "otel: invalid configuration in otel.yaml, line 5, column 9: key \
             `tracer_provider.processors[0].batch.exporter`: expected exactly one exporter, found 2",
        ),
        (
            "file_format: \"1.0\"\ntracer_provider:\n  sampler:\n    always_on:\n",
            "otel: invalid configuration in otel.yaml, line 2, column 1: key `tracer_provider.processors`: must not \
             be empty",
        ),
        (
            "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          \
             otlp_http:\n            tls:\n              insecure: true\n",
            "otel: invalid configuration in otel.yaml, line 8, column 15: unknown key \
             `tracer_provider.processors[0].batch.exporter.otlp_http.tls.insecure` (valid keys under \
             `tracer_provider.processors[0].batch.exporter.otlp_http.tls`: ca_file, cert_file, key_file)",
        ),
        (
            "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          \
             console:\n  sampler:\n    trace_id_ratio_based:\n      ratio: 1.5\n",
            "otel: invalid configuration in otel.yaml, line 9, column 14: key \
             `tracer_provider.sampler.trace_id_ratio_based.ratio`: 1.5 is not a ratio; expected a number from 0 to 1",
        ),
        (
            "file_format: \"1.0\"\ntracer_provdier:\n  processors: []\n",
            "otel: invalid configuration in otel.yaml, line 2, column 1: unknown key `tracer_provdier`; did you mean \
             `tracer_provider`? (valid keys at the top level: file_format, disabled, log_level, attribute_limits, \
             logger_provider, meter_provider, propagator, tracer_provider, resource, instrumentation/development, \
             distribution)",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(error(text, &[]), *want, "{text}");
    }
}

#[test]
fn a_syntax_error_has_its_line_and_column() {
    let err = load_text("file_format: \"1.0\"\ntracer_provider: [\n", &[]).unwrap_err();
    let ProblemKind::Syntax { format: FileFormat::Yaml, line: Some(line), column: Some(_), message } =
        err.problems()[0].kind()
    else {
        panic!("{err}");
    };
    assert_eq!(*line, 3, "{message}");
    assert!(err.to_string().starts_with("otel: cannot parse otel.yaml: YAML parse error at line 3, column "), "{err}");
    let err = load_text("a: 1\na: 2\n", &[]).unwrap_err().to_string();
    assert_eq!(err, "otel: cannot parse otel.yaml: YAML parse error at line 2, column 1; duplicate key `a`");
    let err = load_text("file_format: \"1.0\"\n---\nfile_format: \"1.0\"\n", &[]).unwrap_err().to_string();
    assert!(err.contains("a second document"), "{err}");
    assert!(load_text("", &[]).unwrap_err().to_string().contains("the file is empty"));
    // The language comes from how the file was read, not from its name: a file without `.yaml` is still YAML.
    let options = LoadOptions { env: Some(env_map(&[])), ..Default::default() };
    let err = load_declarative_text(&options, Path::new("deploy/otel-config"), "a: 1\na: 2\n").unwrap_err();
    assert!(matches!(err.problems()[0].kind(), ProblemKind::Syntax { format: FileFormat::Yaml, .. }));
    assert_eq!(
        err.to_string(),
        "otel: cannot parse deploy/otel-config: YAML parse error at line 2, column 1; duplicate key `a`"
    );
}

#[test]
fn header_values_never_appear_in_errors() {
    let text = "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          \
                otlp_http:\n            headers:\n              - name: authorization\n                value: [s3cret]\n";
    let err = error(text, &[]);
    assert!(!err.contains("s3cret") && err.contains("found a sequence"), "{err}");
    let text = text.replace("value: [s3cret]", "value: \"s3cret\\u0001\"");
    let err = error(&text, &[]);
    assert!(!err.contains("s3cret") && err.contains("not a valid HTTP header value"), "{err}");
    let text = "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          \
                otlp_http:\n            headers_list: \"a=%ZZs3cret\"\n";
    assert!(!error(text, &[]).contains("s3cret"));
}

#[test]
fn aliases_are_expanded_within_bounds() {
    let text = "file_format: \"1.0\"\nx: &e\n  otlp_grpc:\n    endpoint: http://c:4317\ntracer_provider:\n  \
                processors:\n    - batch:\n        exporter: *e\n";
    let loaded = load_text(text, &[]).unwrap();
    assert_eq!(loaded.config.exporter_for(Signal::Traces).url(Signal::Traces), "http://c:4317");
    // A billion laughs stops at the node limit, quickly.
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        bomb.push_str(
            &format!(
                "a{i}: &a{i} [*a{}, *a{0}, *a{0}, *a{0}, *a{0}, *a{0}, *a{0}, *a{0}, *a{0}, *a{0}]\n",
                if i == 1 { "".to_string() } else { (i - 1).to_string() }
            )
            .replace("*a0", "*a"),
        );
    }
    let err = yaml::parse(&bomb).unwrap_err();
    assert!(err.message.contains("nodes"), "{err:?}");
    // Aliases nesting anchored trees cannot build a deeper tree either (it would be walked recursively).
    let mut chain = format!("a0: &a0 {}x{}\n", "[".repeat(40), "]".repeat(40));
    for i in 1..5 {
        chain.push_str(&format!("a{i}: &a{i} {}*a{}{}\n", "[".repeat(40), i - 1, "]".repeat(40)));
    }
    assert!(yaml::parse(&chain).unwrap_err().message.contains("once aliases are expanded"));
    let deep = "[".repeat(10_000);
    assert!(yaml::parse(&deep).is_err());
    let deep = "a:\n".to_string() + &(1..100).map(|i| format!("{}a:\n", "  ".repeat(i))).collect::<String>();
    assert!(yaml::parse(&deep).unwrap_err().message.contains("nested deeper than 64"));
}

// ---- precedence ----

#[test]
fn otel_config_file_replaces_every_other_source() {
    let dir = dir_with(Some("[exporter]\nprotocol = \"grpc\"\n"));
    let yaml = "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          \
                otlp_http:\n            endpoint: ${EP:-http://file:4318/v1/traces}\n";
    std::fs::write(dir.join("otel.yaml"), yaml).unwrap();
    let env = env_map(&[
        ("OTEL_CONFIG_FILE", "otel.yaml"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_TOML_EXPORTER_TIMEOUT", "1s"),
        ("OTEL_SERVICE_NAME", "from-env"),
        ("OTEL_BSP_MAX_QUEUE_SIZE", "not a number"),
    ]);
    let options = LoadOptions {
        service_name: Some("from-macro".into()),
        env: Some(env.clone()),
        cwd: Some(dir.clone()),
        ..Default::default()
    };
    let loaded = load(&options).unwrap();
    let traces = loaded.config.exporter_for(Signal::Traces);
    assert_eq!(
        (traces.protocol, traces.url(Signal::Traces)),
        (Protocol::HttpProtobuf, "http://file:4318/v1/traces".into())
    );
    assert_eq!(traces.timeout, Duration::from_secs(10));
    // The macro's argument is the default below the file; OTEL_SERVICE_NAME is not read (no service detector).
    assert_eq!(loaded.config.service.name, "from-macro");
    assert_eq!(loaded.file.as_deref(), Some(dir.join("otel.yaml").as_path()));
    // One warning: the otel.toml that is not read. None about the ignored OTEL_BSP_MAX_QUEUE_SIZE.
    let printed: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        printed,
        [format!(
            "otel: {}: not read: OTEL_CONFIG_FILE names the configuration file; using {} alone",
            dir.join("otel.toml").display(),
            dir.join("otel.yaml").display()
        )]
    );
    // Values enter through substitution only.
    let mut with_ep = env.clone();
    with_ep.insert("EP".into(), "http://subst:4318/v1/traces".into());
    let loaded = load(&LoadOptions { env: Some(with_ep), cwd: Some(dir.clone()), ..Default::default() }).unwrap();
    assert_eq!(loaded.config.exporter.traces_url(), "http://subst:4318/v1/traces");
    // Empty OTEL_CONFIG_FILE is unset: otel.toml and the environment as before.
    let mut unset = env;
    unset.insert("OTEL_CONFIG_FILE".into(), String::new());
    let loaded = load(&LoadOptions { env: Some(unset), cwd: Some(dir.clone()), ..Default::default() }).unwrap();
    assert_eq!(loaded.config.exporter.protocol, Protocol::Grpc);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_otel_config_file_is_an_error_naming_the_variable() {
    let dir = dir_with(None);
    let options = LoadOptions {
        env: Some(env_map(&[("OTEL_CONFIG_FILE", "nope.yaml")])),
        cwd: Some(dir.clone()),
        ..Default::default()
    };
    let err = load(&options).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "otel: the configuration file `{}` named by OTEL_CONFIG_FILE does not exist",
            dir.join("nope.yaml").display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn core_schema_typing() {
    use yaml::{resolve, Scalar};
    assert_eq!(resolve("0x10", true), Scalar::Int(16));
    assert_eq!(resolve("0o10", true), Scalar::Int(8));
    assert_eq!(resolve("-3", true), Scalar::Int(-3));
    assert_eq!(resolve("1e3", true), Scalar::Float(1000.0));
    assert_eq!(resolve(".5", true), Scalar::Float(0.5));
    assert_eq!(resolve("~", true), Scalar::Null);
    assert_eq!(resolve("True", true), Scalar::Bool(true));
    assert_eq!(resolve("yes", true), Scalar::Str("yes".into()), "YAML 1.2: `yes` is a string");
    assert_eq!(resolve("1", false), Scalar::Str("1".into()));
    assert_eq!(resolve("1.2.3", true), Scalar::Str("1.2.3".into()));
}

#[test]
fn the_readme_example_loads() {
    let text = r#"
file_format: "1.0"
resource:
  attributes: [{ name: service.name, value: checkout }]
  attributes_list: ${OTEL_RESOURCE_ATTRIBUTES}
propagator:
  composite: [{ tracecontext: }, { baggage: }]
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_grpc:
            endpoint: ${COLLECTOR:-http://localhost:4317}
            headers: [{ name: api-key, value: "${API_KEY}" }]
"#;
    let loaded = load_text(text, &[("API_KEY", "k3y"), ("OTEL_RESOURCE_ATTRIBUTES", "team=payments")]).unwrap();
    let c = &loaded.config;
    assert_eq!(c.service.name, "checkout");
    assert_eq!(c.resource["team"], ResourceValue::from("payments"));
    assert_eq!(c.propagators, [Propagator::TraceContext, Propagator::Baggage]);
    let traces = c.exporter_for(Signal::Traces);
    assert_eq!((traces.protocol, traces.url(Signal::Traces)), (Protocol::Grpc, "http://localhost:4317".into()));
    assert_eq!(traces.headers.get("api-key"), Some("k3y"));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

#[test]
fn a_str_tag_keeps_a_scalar_a_string() {
    let root = yaml::parse("a: !!str 1\nb: 1\n").unwrap().unwrap();
    let yaml::Kind::Map(entries) = root.kind else { panic!() };
    let plain: Vec<bool> = entries
        .iter()
        .map(|(_, v)| match &v.kind {
            yaml::Kind::Scalar { plain, .. } => *plain,
            _ => panic!(),
        })
        .collect();
    assert_eq!(plain, [false, true]);
}

#[test]
fn standard_variables_do_not_reach_past_the_file() {
    let dir = dir_with(None);
    std::fs::write(dir.join("otel.yaml"), include_str!("fixtures/sdk_config.yaml")).unwrap();
    let env = env_map(&[
        ("OTEL_CONFIG_FILE", "otel.yaml"),
        ("OTEL_SDK_DISABLED", "true"),
        ("OTEL_TRACES_SAMPLER", "always_off"),
        ("OTEL_PROPAGATORS", "b3"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "1000"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "x=y"),
    ]);
    let loaded = load(&LoadOptions { env: Some(env), cwd: Some(dir.clone()), ..Default::default() }).unwrap();
    let c = &loaded.config;
    assert!(!c.disabled);
    assert_eq!(c.sampler.name, SamplerName::ParentBasedAlwaysOn);
    assert_eq!(c.propagators, [Propagator::TraceContext, Propagator::Baggage]);
    assert_eq!(c.metrics.interval, Duration::from_secs(60));
    assert!(c.exporter_for(Signal::Traces).headers.is_empty());
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_mangled_fixture_makes_loading_panic() {
    // Every prefix of every fixture (cut anywhere, mid-token included) and a few hostile insertions: each gives
    // a configuration or an error.
    let fixtures = [
        include_str!("fixtures/getting_started.yaml"),
        include_str!("fixtures/sdk_config.yaml"),
        include_str!("fixtures/grpc_kitchen_sink.yaml"),
        include_str!("fixtures/logs_http_json.yaml"),
        include_str!("fixtures/metrics_delta.yaml"),
        include_str!("fixtures/propagators.yaml"),
        include_str!("fixtures/resource.yaml"),
        include_str!("fixtures/sampler_console.yaml"),
        include_str!("fixtures/out_of_scope.yaml"),
    ];
    let mut loads = 0;
    for text in fixtures {
        let cuts: Vec<usize> = (0..text.len()).step_by(3).filter(|i| text.is_char_boundary(*i)).collect();
        for cut in cuts {
            let _ = load_text(&text[..cut], &[]);
            for insert in ["${", "&a ", "*a", "[", "- ", "\t", ": ", "\"", "!!str "] {
                if cut % 31 == 0 {
                    let _ = load_text(&format!("{}{insert}{}", &text[..cut], &text[cut..]), &[]);
                    loads += 1;
                }
            }
            loads += 1;
        }
    }
    assert!(loads > 1000, "{loads}");
}

// ---- the other way: to_declarative_yaml ----

/// What the runtime uses of a configuration, signal by signal, as text (two configurations that differ only in
/// how they spell it, a per-signal override or the shared one, give the same).
fn effective(c: &Config) -> String {
    let mut out = format!(
        "disabled={} service={:?}/{:?} resource={:?} detectors={:?} propagators={:?} sampler={:?}/{} limits={:?}\n",
        c.disabled,
        c.service.name,
        c.service.version,
        c.resource,
        c.resource_detectors,
        c.propagators,
        c.sampler.name,
        c.sampler.ratio(),
        c.limits
    );
    for signal in Signal::ALL {
        if !c.exports(*signal) {
            out.push_str(&format!("{signal}: off\n"));
            continue;
        }
        let e = c.exporter_for(*signal);
        let headers: Vec<_> = e.headers.iter().collect();
        out.push_str(&format!(
            "{signal}: {} {} {:?} {:?} {headers:?} {:?} {:?} {:?} {}\n",
            e.protocol,
            e.url(*signal),
            e.timeout,
            e.compression,
            e.certificate,
            e.client_certificate,
            e.client_key,
            e.insecure
        ));
    }
    out.push_str(&format!("batch={:?}\nlogs.batch={:?}\n", c.batch, c.logs.batch));
    let m = &c.metrics;
    out.push_str(&format!("metrics={:?} {:?} {:?}\n", m.interval, m.timeout, m.temporality));
    out
}

#[test]
fn to_declarative_yaml_reads_back_to_the_same_effective_configuration() {
    let toml_files = [
        "",
        "[exporter]\nprotocol = \"grpc\"\nendpoint = \"http://collector:4317\"\ntimeout = \"2s\"\ncompression = \"gzip\"\n\
         headers = { \"x-api-key\" = \"s3cret$x\" }\ncertificate = \"/ca.pem\"\n\
         [sampler]\nname = \"parentbased_traceidratio\"\narg = 0.25\n\
         [resource]\nteam = \"pay\\\"ments $HOME\"\nshard = 3\nweight = 0.5\nprimary = true\n\
         [service]\nname = \"checkout\"\nversion = \"1.4.0\"\n\
         [batch]\nmax_queue_size = 4096\nschedule_delay = \"250ms\"\n\
         [limits]\nevent_count = 7\n",
        "propagators = [\"b3\", \"xray\"]\nresource_detectors = [\"container\"]\n\
         [exporter]\nprotocol = \"http/json\"\nmetrics_endpoint = \"http://m:9090/otlp\"\n\
         [metrics]\ninterval = \"15s\"\ntemporality = \"lowmemory\"\n[logs]\nenabled = false\n\
         [traces.exporter]\nprotocol = \"console\"\n[sampler]\nname = \"always_off\"\n",
        "propagators = [\"none\"]\nresource_detectors = []\n[sampler]\nname = \"traceidratio\"\narg = 0.5\n\
         [exporter]\nprotocol = \"grpc\"\nendpoint = \"collector:4317\"\ninsecure = true\n",
    ];
    for toml in toml_files {
        let original = check_file("otel.toml", toml).unwrap_or_else(|e| panic!("{toml}: {e}"));
        let yaml = to_declarative_yaml(&original);
        assert!(!yaml.contains("s3cret"), "{yaml}");
        let env: Vec<(&str, &str)> = vec![("OTEL_HEADER_X_API_KEY", "s3cret$x")];
        let back = load_text(&yaml, &env).unwrap_or_else(|e| panic!("{yaml}\n{e}"));
        assert_eq!(effective(&back.config), effective(&original), "{toml}\n---\n{yaml}");
        assert!(back.warnings.is_empty(), "{yaml}\n{:?}", back.warnings);
    }
}

#[test]
fn to_declarative_yaml_names_the_secrets_and_what_it_cannot_express() {
    let mut config = check_file(
        "otel.toml",
        "[exporter]\nendpoint = \"http://user:pw@c:4318\"\nheaders = { authorization = \"Bearer t\" }\n\
         [fmt]\nformat = \"json\"\n",
    )
    .unwrap();
    config.resource_detectors = vec![ResourceDetector::Os];
    let yaml = to_declarative_yaml(&config);
    assert!(!yaml.contains("pw@") && !yaml.contains("Bearer"), "{yaml}");
    assert!(
        yaml.starts_with(
            "# The declarative configuration (OTEL_CONFIG_FILE) equivalent to otel.toml and the environment.\n\
         # Secrets are not written; set these variables where the program runs:\n\
         #   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT\n\
         #   OTEL_HEADER_AUTHORIZATION\n"
        ),
        "{yaml}"
    );
    assert!(yaml.contains("#   [fmt]\n") && yaml.contains("#   resource_detectors (host and os"), "{yaml}");
}

#[test]
fn to_declarative_yaml_lists_every_setting_it_cannot_express_by_key() {
    let mut config = Config::default();
    config.batch.max_concurrent_exports += 1;
    config.logs.batch.yield_to_app = !config.logs.batch.yield_to_app;
    config.exporter.on_invalid = OnInvalid::Exit;
    config.logs.span_events = !config.logs.span_events;
    config.metrics.self_observability = !config.metrics.self_observability;
    config.resource_detectors = vec![ResourceDetector::Host];
    let yaml = to_declarative_yaml(&config);
    let listed = "# Not expressible in file format 1.0 (read back, otel's built-in defaults apply):\n\
                  #   batch.max_concurrent_exports, max_queue_bytes, yield_to_app\n\
                  #   logs.batch.max_concurrent_exports, max_queue_bytes, yield_to_app\n\
                  #   exporter.on_invalid\n\
                  #   logs.span_events\n\
                  #   metrics.self_observability\n\
                  #   resource_detectors (host and os go together in the schema)\n";
    assert!(yaml.contains(listed), "{yaml}");
}

// ---- the compile-time check (`#[otel::main(config = "otel.yaml")]`) ----

fn check(text: &str) -> Result<(), String> {
    super::check_text(Path::new("otel.yaml"), text).map_err(|e| e.to_string())
}

const GRPC_HEAD: &str =
    "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          \
                         otlp_grpc:\n";

#[test]
fn the_compile_time_check_reports_what_is_written_and_defers_what_is_substituted() {
    // What substitution decides is not judged: an endpoint, a TLS file, a ratio, a header from variables.
    let deferred = format!(
        "{GRPC_HEAD}            endpoint: ${{COLLECTOR}}\n            tls:\n              ca_file: ${{CA:-/etc/ca.pem}}\n\
         \x20             insecure: ${{INSECURE}}\n            headers:\n              - name: x-token\n\
         \x20               value: ${{TOKEN}}\n  sampler:\n    trace_id_ratio_based:\n      ratio: ${{RATIO}}\n"
    );
    assert_eq!(check(&deferred), Ok(()));
    // Even a value that, with this compiler's environment, would be wrong: the program's may differ.
    assert_eq!(check(&deferred.replace("${RATIO}", "${PATH}")), Ok(()));
    assert!(load_text(&deferred, &[("RATIO", "2"), ("COLLECTOR", "http://c:4317")]).is_err());

    // What is written is judged as at start: a ratio, an unknown key (with "did you mean"), a syntax error, an
    // invalid reference, a written endpoint that is not a URL.
    let written = |tail: &str| check(&format!("{GRPC_HEAD}            endpoint: ${{COLLECTOR}}\n{tail}"));
    let err = written("  sampler:\n    trace_id_ratio_based:\n      ratio: 2\n").unwrap_err();
    assert!(err.contains("tracer_provider.sampler.trace_id_ratio_based.ratio"), "{err}");
    let err = written("            endpiont: http://x:4317\n").unwrap_err();
    assert!(err.contains("did you mean"), "{err}");
    let err = written("  sampler: [\n").unwrap_err();
    assert!(err.starts_with("otel: cannot parse otel.yaml: YAML parse error at line "), "{err}");
    let err = written("            timeout: ${1BAD}\n").unwrap_err();
    assert!(err.contains("invalid substitution"), "{err}");
    let err = check(&format!("{GRPC_HEAD}            endpoint: not a url\n")).unwrap_err();
    assert!(err.contains("tracer_provider.processors[0].batch.exporter.otlp_grpc.endpoint"), "{err}");
    // A problem outside the substituted node's block is still reported.
    let err = written("  limits:\n    attribute_count_limit: -1\n").unwrap_err();
    assert!(err.contains("tracer_provider.limits.attribute_count_limit"), "{err}");
}

#[test]
fn a_deferred_node_exempts_its_exporter_block_or_its_siblings() {
    let exporter = "tracer_provider.processors[0].batch.exporter.otlp_grpc";
    let rows = [
        (format!("{exporter}.tls.key_file"), format!("{exporter}.tls.cert_file"), true),
        (format!("{exporter}.endpoint"), format!("{exporter}.tls.insecure"), true),
        (format!("{exporter}.headers[0].value"), format!("{exporter}.endpoint"), true),
        (
            "tracer_provider.processors[1].batch.exporter.otlp_grpc.endpoint".into(),
            format!("{exporter}.endpoint"),
            false,
        ),
        (
            "tracer_provider.sampler.parent_based.root".into(),
            "tracer_provider.sampler.parent_based.remote".into(),
            true,
        ),
        ("tracer_provider.limits.attribute_count_limit".into(), "tracer_provider.sampler.x".into(), false),
        ("disabled".into(), "file_format".into(), false),
        ("file_format".into(), "file_format".into(), true),
    ];
    for (key, deferred, expected) in rows {
        assert_eq!(super::decided_by(&key, &deferred), expected, "{key} by {deferred}");
    }
}

#[test]
fn a_yaml_config_argument_is_the_declarative_file() {
    let dir = dir_with(Some("[exporter]\nprotocol = \"grpc\"\n"));
    let yaml = "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          \
                console:\n";
    std::fs::write(dir.join("otel.yml"), yaml).unwrap();
    std::fs::write(dir.join("other.yaml"), yaml.replace("console:", "otlp_grpc:")).unwrap();
    let options = |env: &[(&str, &str)]| LoadOptions {
        file: Some("otel.yml".into()),
        env: Some(env_map(env)),
        cwd: Some(dir.clone()),
        ..Default::default()
    };
    // The file alone: the standard variables are not read; the otel.toml beside it is not either (one warning).
    let loaded = load(&options(&[("OTEL_TRACES_EXPORTER", "otlp")])).unwrap();
    assert_eq!(loaded.config.exporter_for(Signal::Traces).protocol, Protocol::Console);
    assert_eq!(loaded.file.as_deref(), Some(dir.join("otel.yml").as_path()));
    let printed: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        printed,
        [format!(
            "otel: {}: not read: `config = …` names the configuration file; using {} alone",
            dir.join("otel.toml").display(),
            dir.join("otel.yml").display()
        )]
    );
    // OTEL_CONFIG_FILE, set at deployment, wins over the macro's file.
    let loaded = load(&options(&[("OTEL_CONFIG_FILE", "other.yaml")])).unwrap();
    assert_eq!(loaded.config.exporter_for(Signal::Traces).protocol, Protocol::Grpc);
    // A missing one is named by the macro's argument.
    let mut missing = options(&[]);
    missing.file = Some("gone.yaml".into());
    let err = load(&missing).unwrap_err();
    assert_eq!(err.problems()[0].origin(), &Origin::MacroArgument("config"));
    // OTEL_TOML naming a YAML file is a mix-up, said plainly.
    let plain =
        LoadOptions { env: Some(env_map(&[("OTEL_TOML", "otel.yml")])), cwd: Some(dir.clone()), ..Default::default() };
    let err = load(&plain).unwrap_err().to_string();
    assert!(err.contains("OTEL_TOML") && err.contains("OTEL_CONFIG_FILE"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_key_the_file_sets_comes_from_its_node() {
    let text = "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          \
                otlp_http:\n            endpoint: http://collector:4318/v1/traces\n";
    let loaded = load_text(text, &[("OTEL_EXPORTER_OTLP_CERTIFICATE", "/ignored.pem")]).unwrap();
    let node = Origin::FileAt { path: "otel.yaml".into(), line: 7, column: 23 };
    assert_eq!(loaded.origin("exporter.traces_endpoint"), &node);
    // Not in the file: the defaults, whatever the standard variables say (the file is the whole configuration).
    assert_eq!(loaded.origin("exporter.certificate"), &Origin::Defaults);
    assert_eq!(loaded.origin("batch.max_queue_size"), &Origin::Defaults);
}
