//! Every problem otel.toml can have, as data: its kind (with what is valid), its key and its origin; and the
//! message `Display` computes from them (a few rows pin the format). `DIR` stands for the temp directory holding
//! the otel.toml.

use super::*;

/// The keys of `[exporter]` and of the top level, as unknown-key problems list them.
const EXPORTER_KEYS: &[&str] = &[
    "protocol",
    "endpoint",
    "traces_endpoint",
    "logs_endpoint",
    "metrics_endpoint",
    "timeout",
    "headers",
    "compression",
    "insecure",
    "certificate",
    "client_certificate",
    "client_key",
    "on_invalid",
];
const TOP_KEYS: &[&str] = &[
    "disabled",
    "service",
    "resource",
    "exporter",
    "batch",
    "sampler",
    "propagators",
    "fmt",
    "shutdown",
    "limits",
    "tracing",
    "traces",
    "logs",
    "metrics",
    "resource_detectors",
];
const FMT_KEYS: &[&str] = &["format", "filter", "trace_ids"];
const LOGS_KEYS: &[&str] = &["enabled", "span_events", "exporter", "batch"];
const METRICS_KEYS: &[&str] = &["enabled", "interval", "timeout", "temporality", "self_observability", "exporter"];
const BATCH_KEYS: &[&str] = &[
    "max_queue_size",
    "max_export_batch_size",
    "schedule_delay",
    "export_timeout",
    "max_concurrent_exports",
    "max_queue_bytes",
    "yield_to_app",
];
const SIGNAL_EXPORTER_KEYS: &[&str] =
    &["protocol", "timeout", "headers", "compression", "insecure", "certificate", "client_certificate", "client_key"];

const TOO_LONG: &str = "longer than the maximum of 365 days (\"8760h\", 31536000000 ms)";
const DURATION_EXAMPLES: &str = "expected e.g. \"250ms\", \"5s\", \"1.5s\", \"1m\", \"1h\" or integer milliseconds";
const HTTP_URL: &str = "expected an absolute http:// or https:// URL such as \"http://localhost:4318\"";

fn wrong_type(expected: &str, found: &str) -> ProblemKind {
    ProblemKind::WrongType { expected: expected.into(), found: found.into() }
}

fn invalid_value(reason: &str) -> ProblemKind {
    ProblemKind::InvalidValue { reason: reason.into() }
}

fn syntax(line: usize, column: usize, message: &str) -> ProblemKind {
    ProblemKind::Syntax { format: FileFormat::Toml, line: Some(line), column: Some(column), message: message.into() }
}

fn unknown_key(suggestion: Option<&str>, table: Option<&str>, valid: &'static [&'static str]) -> ProblemKind {
    ProblemKind::UnknownKey { suggestion: suggestion.map(Into::into), table: table.map(Into::into), valid }
}

fn endpoint(url: &str, protocol: Protocol, reason: &str) -> ProblemKind {
    ProblemKind::InvalidEndpoint { url: url.into(), protocol, reason: reason.into() }
}

/// The problems of a load that must fail, and the temp dir holding its otel.toml.
fn problems_of(toml: &str) -> (Vec<ConfigProblem>, PathBuf) {
    let dir = dir_with(Some(toml));
    let result = load(&LoadOptions { env: Some(HashMap::new()), cwd: Some(dir.clone()), ..Default::default() });
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(loaded) => panic!("expected an error for {toml:?}, got {:?}", loaded.config),
        Err(e) => (e.into_iter().collect(), dir),
    }
}

#[test]
fn file_problems() {
    use ProblemKind::*;
    // (otel.toml, every problem: its key and kind); each comes from the file.
    let rows: Vec<(&str, Vec<(Option<&str>, ProblemKind)>)> = vec![
        // TOML syntax, with line and column.
        ("[exporter\nprotocol = 1", vec![(None, syntax(1, 10, "invalid table header; expected `.`, `]`"))]),
        (
            "[exporter]\nprotocol = \"grpc\"\nprotocol = \"grpc\"",
            vec![(None, syntax(3, 1, "duplicate key `protocol` in table `exporter`"))],
        ),
        // Unknown keys, with a suggestion when close.
        (
            "[exporter]\nendpointt = \"http://x\"",
            vec![(Some("exporter.endpointt"), unknown_key(Some("exporter.endpoint"), Some("exporter"), EXPORTER_KEYS))],
        ),
        ("endpoint = \"http://x\"", vec![(Some("endpoint"), unknown_key(Some("exporter.endpoint"), None, TOP_KEYS))]),
        ("[fmt]\ncolour = true", vec![(Some("fmt.colour"), unknown_key(None, Some("fmt"), FMT_KEYS))]),
        // Wrong types.
        (
            "[batch]\nmax_queue_size = \"lots\"",
            vec![(Some("batch.max_queue_size"), wrong_type("a non-negative integer", "string \"lots\""))],
        ),
        (
            "[batch]\nmax_queue_size = -3",
            vec![(Some("batch.max_queue_size"), wrong_type("a non-negative integer", "integer -3"))],
        ),
        ("service = \"x\"", vec![(Some("service"), wrong_type("a table", "string \"x\""))]),
        (
            "[resource]\nx = [1]",
            vec![(Some("resource.x"), wrong_type("a string, boolean, integer or float", "an array"))],
        ),
        // Unknown enum values, with every valid one.
        (
            "[exporter]\nprotocol = \"grpcx\"",
            vec![(Some("exporter.protocol"), UnknownValue { found: "grpcx".into(), valid: Protocol::VALID })],
        ),
        (
            "[shutdown]\nsummary = \"sometimes\"",
            vec![(Some("shutdown.summary"), UnknownValue { found: "sometimes".into(), valid: SummaryMode::VALID })],
        ),
        (
            "[exporter]\non_invalid = \"panic\"",
            vec![(Some("exporter.on_invalid"), UnknownValue { found: "panic".into(), valid: OnInvalid::VALID })],
        ),
        (
            "[exporter]\non_invalidd = \"exit\"",
            vec![(
                Some("exporter.on_invalidd"),
                unknown_key(Some("exporter.on_invalid"), Some("exporter"), EXPORTER_KEYS),
            )],
        ),
        // Durations: capped at 365 days, whatever the spelling; the parser never overflows.
        (
            "[shutdown]\ntimeout = \"soon\"",
            vec![(Some("shutdown.timeout"), invalid_value(&format!("invalid duration \"soon\"; {DURATION_EXAMPLES}")))],
        ),
        (
            "[exporter]\ntimeout = \"99999999999h\"",
            vec![(Some("exporter.timeout"), invalid_value(&format!("invalid duration \"99999999999h\"; {TOO_LONG}")))],
        ),
        (
            "[batch]\nschedule_delay = \"99999999999999999999h\"",
            vec![(
                Some("batch.schedule_delay"),
                invalid_value(&format!("invalid duration \"99999999999999999999h\"; {TOO_LONG}")),
            )],
        ),
        (
            "[shutdown]\ntimeout = 9223372036854775807",
            vec![(Some("shutdown.timeout"), invalid_value(&format!("invalid duration 9223372036854775807; {TOO_LONG}")))],
        ),
        (
            "[batch]\nexport_timeout = \"1e400s\"",
            vec![(
                Some("batch.export_timeout"),
                invalid_value(&format!("invalid duration \"1e400s\"; {DURATION_EXAMPLES}")),
            )],
        ),
        // Validation after extraction.
        (
            "[exporter]\nendpoint = \"not a url\"",
            vec![(
                Some("exporter.endpoint"),
                endpoint("not a url", Protocol::HttpProtobuf, &format!("missing scheme; {HTTP_URL}")),
            )],
        ),
        (
            "[exporter]\nprotocol = \"grpc\"\ntraces_endpoint = \"ftp://c\"",
            vec![(
                Some("exporter.traces_endpoint"),
                endpoint(
                    "ftp://c",
                    Protocol::Grpc,
                    "unsupported scheme \"ftp\"; expected an http:// or https:// URL such as \"http://localhost:4317\", \
                     or host:port",
                ),
            )],
        ),
        // Credentials in an endpoint are never kept.
        (
            "[exporter]\nendpoint = \"ftp://user:s3cret@c:21\"",
            vec![(
                Some("exporter.endpoint"),
                endpoint("ftp://***@c:21", Protocol::HttpProtobuf, &format!("unsupported scheme \"ftp\"; {HTTP_URL}")),
            )],
        ),
        (
            "[batch]\nmax_queue_size = 10\nmax_export_batch_size = 20",
            vec![(
                Some("batch.max_export_batch_size"),
                AboveKey { value: 20, other_key: "batch.max_queue_size", other_value: 10 },
            )],
        ),
        ("[batch]\nmax_queue_size = 0", vec![(Some("batch.max_queue_size"), BelowMinimum { minimum: 1 })]),
        (
            "[batch]\nmax_concurrent_exports = 0\n[service]\nname = \" \"",
            vec![(Some("service.name"), Empty), (Some("batch.max_concurrent_exports"), BelowMinimum { minimum: 1 })],
        ),
        ("[service]\nname = \"\"", vec![(Some("service.name"), Empty)]),
        ("[sampler]\nname = \"traceidratio\"\narg = 1.5", vec![(Some("sampler.arg"), NotARatio { value: 1.5 })]),
        (
            "[exporter.headers]\n\"bad name\" = \"x\"",
            vec![(Some("exporter.headers"), InvalidHeaderName { name: "bad name".into() })],
        ),
        ("[exporter.headers]\nx = \"s3cret\\n\"", vec![(Some("exporter.headers"), InvalidHeaderValue { name: "x".into() })]),
        // Header names are case-insensitive; otel.toml tables have no order, so two spellings are an error.
        (
            "[exporter.headers]\nAuthorization = \"a\"\nauthorization = \"b\"",
            vec![(
                Some("exporter.headers"),
                ConflictingHeaders { names: vec!["Authorization".into(), "authorization".into()] },
            )],
        ),
        ("propagators = [\"none\", \"b3\"]", vec![(Some("propagators"), NoneWithOtherPropagators)]),
        // Bounds: each slot of the queue is allocated at start; the problem names the key and the bound.
        (
            "[batch]\nmax_queue_size = 18446744073709551615",
            vec![(None, syntax(2, 18, "number too large to fit in target type"))],
        ),
        (
            "[batch]\nmax_queue_size = 262145",
            vec![(Some("batch.max_queue_size"), AboveMaximum { value: 262_145, maximum: 262_144 })],
        ),
        (
            "[batch]\nmax_concurrent_exports = 1000",
            vec![(Some("batch.max_concurrent_exports"), AboveMaximum { value: 1000, maximum: 64 })],
        ),
        (
            "[limits]\nevent_count = 4294967296",
            vec![(
                Some("limits.event_count"),
                wrong_type("a non-negative integer up to 4294967295", "integer 4294967296"),
            )],
        ),
        // The three signals: every new key has the same checks as the old ones.
        (
            "[logs.batch]\nmax_queue_sise = 1",
            vec![(
                Some("logs.batch.max_queue_sise"),
                unknown_key(Some("logs.batch.max_queue_size"), Some("logs.batch"), BATCH_KEYS),
            )],
        ),
        // A misplaced leaf: the key under the table it was written in comes first.
        (
            "[logs]\nschedule_delay = \"1s\"",
            vec![(Some("logs.schedule_delay"), unknown_key(Some("logs.batch.schedule_delay"), Some("logs"), LOGS_KEYS))],
        ),
        (
            "[metrics]\nexport_interval = 5",
            vec![(Some("metrics.export_interval"), unknown_key(Some("metrics.interval"), Some("metrics"), METRICS_KEYS))],
        ),
        // Per-signal endpoints are in [exporter], with every other URL.
        (
            "[logs.exporter]\nendpoint = \"http://c:4318/v1/logs\"",
            vec![(
                Some("logs.exporter.endpoint"),
                unknown_key(Some("exporter.logs_endpoint"), Some("logs.exporter"), SIGNAL_EXPORTER_KEYS),
            )],
        ),
        (
            "[metrics.exporter]\nendpoitn = \"http://c:4318/v1/metrics\"",
            vec![(
                Some("metrics.exporter.endpoitn"),
                unknown_key(Some("exporter.metrics_endpoint"), Some("metrics.exporter"), SIGNAL_EXPORTER_KEYS),
            )],
        ),
        (
            "[traces]\nenabled = \"no\"",
            vec![(Some("traces.enabled"), wrong_type("a boolean (true or false)", "string \"no\""))],
        ),
        ("[fmt]\ntrace_ids = 1", vec![(Some("fmt.trace_ids"), wrong_type("a boolean (true or false)", "integer 1"))]),
        (
            "[metrics]\ntemporality = \"deltas\"",
            vec![(Some("metrics.temporality"), UnknownValue { found: "deltas".into(), valid: Temporality::VALID })],
        ),
        (
            "[logs.exporter]\nprotocol = \"grpcx\"",
            vec![(Some("logs.exporter.protocol"), UnknownValue { found: "grpcx".into(), valid: Protocol::VALID })],
        ),
        (
            "[metrics.exporter]\ncompression = \"brotli\"",
            vec![(
                Some("metrics.exporter.compression"),
                UnknownValue { found: "brotli".into(), valid: Compression::VALID },
            )],
        ),
        (
            "[metrics]\ninterval = 0",
            vec![(
                Some("metrics.interval"),
                invalid_value("must be longer than 0 (the time between two exports)"),
            )],
        ),
        (
            "[metrics]\ninterval = \"99999999999h\"",
            vec![(Some("metrics.interval"), invalid_value(&format!("invalid duration \"99999999999h\"; {TOO_LONG}")))],
        ),
        (
            "[traces.exporter]\ntimeout = \"soon\"",
            vec![(
                Some("traces.exporter.timeout"),
                invalid_value(&format!("invalid duration \"soon\"; {DURATION_EXAMPLES}")),
            )],
        ),
        (
            "[logs.batch]\nmax_queue_size = 262145",
            vec![(Some("logs.batch.max_queue_size"), AboveMaximum { value: 262_145, maximum: 262_144 })],
        ),
        (
            "[logs.batch]\nmax_queue_size = 10\nmax_export_batch_size = 20",
            vec![(
                Some("logs.batch.max_export_batch_size"),
                AboveKey { value: 20, other_key: "logs.batch.max_queue_size", other_value: 10 },
            )],
        ),
        (
            "[logs.batch]\nmax_concurrent_exports = 0\nmax_queue_bytes = 0",
            vec![
                (Some("logs.batch.max_queue_bytes"), BelowMinimum { minimum: 1 }),
                (Some("logs.batch.max_concurrent_exports"), BelowMinimum { minimum: 1 }),
            ],
        ),
        // Each endpoint is checked for the protocol of the signals that send to it.
        (
            "[exporter]\nlogs_endpoint = \"localhost:4318\"",
            vec![(
                Some("exporter.logs_endpoint"),
                endpoint("localhost:4318", Protocol::HttpProtobuf, &format!("missing scheme; {HTTP_URL}")),
            )],
        ),
        (
            "[exporter]\nprotocol = \"grpc\"\nendpoint = \"collector:4317\"\n[metrics.exporter]\nprotocol = \"http/json\"",
            vec![(
                Some("exporter.endpoint"),
                endpoint("collector:4317", Protocol::HttpJson, &format!("missing scheme; {HTTP_URL}")),
            )],
        ),
        (
            "[exporter]\nprotocol = \"grpc\"\nmetrics_endpoint = \"c:4317\"\n[metrics.exporter]\nprotocol = \"http/protobuf\"",
            vec![(
                Some("exporter.metrics_endpoint"),
                endpoint("c:4317", Protocol::HttpProtobuf, &format!("missing scheme; {HTTP_URL}")),
            )],
        ),
        // Per-signal headers: checked as exporter.headers, values never shown.
        (
            "[metrics.exporter.headers]\n\"bad name\" = \"x\"",
            vec![(Some("metrics.exporter.headers"), InvalidHeaderName { name: "bad name".into() })],
        ),
        (
            "[traces.exporter.headers]\nx = \"s3cret\\n\"",
            vec![(Some("traces.exporter.headers"), InvalidHeaderValue { name: "x".into() })],
        ),
        (
            "[logs.exporter.headers]\nx = 12345",
            vec![(Some("logs.exporter.headers.x"), wrong_type("a string", "an integer (value not shown)"))],
        ),
        (
            "[logs.exporter.headers]\nAuthorization = \"a\"\nauthorization = \"b\"",
            vec![(
                Some("logs.exporter.headers"),
                ConflictingHeaders { names: vec!["Authorization".into(), "authorization".into()] },
            )],
        ),
        (
            "resource_detectors = [\"host\", \"hostname\"]",
            vec![(
                Some("resource_detectors[1]"),
                UnknownValue { found: "hostname".into(), valid: ResourceDetector::VALID },
            )],
        ),
        ("resource_detectors = \"host\"", vec![(Some("resource_detectors"), wrong_type("an array", "string \"host\""))]),
        // An outside name is kept as written (and escaped only when printed).
        ("[fmt]\n\"\\u001b[31m\" = 1", vec![(Some("fmt.\u{1b}[31m"), unknown_key(None, Some("fmt"), FMT_KEYS))]),
    ];
    for (i, (toml, expected)) in rows.iter().enumerate() {
        let (problems, dir) = problems_of(toml);
        let found: Vec<(Option<&str>, &ProblemKind)> = problems.iter().map(|p| (p.key(), p.kind())).collect();
        let expected: Vec<(Option<&str>, &ProblemKind)> = expected.iter().map(|(k, kind)| (*k, kind)).collect();
        assert_eq!(found, expected, "row {i}: {toml:?}");
        for problem in &problems {
            assert_eq!(problem.origin(), &Origin::File(dir.join("otel.toml")), "row {i}");
        }
        // The compile-time check finds the very same problems, naming the path it is given.
        let checked = check_file("DIR/otel.toml", toml).unwrap_err();
        assert_eq!(checked.problems().len(), problems.len(), "check_file, row {i}");
        for (checked, loaded) in checked.iter().zip(&problems) {
            assert_eq!((checked.key(), checked.kind()), (loaded.key(), loaded.kind()), "check_file, row {i}");
            assert_eq!(checked.origin(), &Origin::File("DIR/otel.toml".into()), "check_file, row {i}");
        }
    }
}

/// The base endpoint is checked only for the signals that send to it: a switched-off signal, or one with its own
/// endpoint, does not constrain it.
#[test]
fn the_base_endpoint_is_checked_for_the_signals_that_use_it() {
    let grpc_base = "[exporter]\nprotocol = \"grpc\"\nendpoint = \"collector:4317\"\n[logs.exporter]\nprotocol = \"http/protobuf\"\n";
    assert!(check_file("otel.toml", grpc_base).is_err());
    let off = format!("{grpc_base}[logs]\nenabled = false\n");
    assert_eq!(
        check_file("otel.toml", &off).unwrap().exporter_for(Signal::Traces).url(Signal::Traces),
        "https://collector:4317"
    );
    let own = "[exporter]\nprotocol = \"grpc\"\nendpoint = \"collector:4317\"\nlogs_endpoint = \"http://c:4318/logs\"\n[logs.exporter]\nprotocol = \"http/protobuf\"\n";
    let config = check_file("otel.toml", own).unwrap();
    assert_eq!(config.exporter_for(Signal::Logs).url(Signal::Logs), "http://c:4318/logs");
    assert_eq!(config.exporter_for(Signal::Metrics).url(Signal::Metrics), "https://collector:4317");
}

#[test]
fn resource_detectors_in_the_file() {
    let config = check_file("otel.toml", "resource_detectors = []").unwrap();
    assert!(config.resource_detectors.is_empty());
    let config = check_file("otel.toml", "resource_detectors = [\"process\", \"host\", \"process\"]").unwrap();
    assert_eq!(config.resource_detectors, [ResourceDetector::Process, ResourceDetector::Host]);
    assert_eq!(check_file("otel.toml", "").unwrap().resource_detectors, ResourceDetector::ALL);
}

#[test]
fn nan_is_not_a_ratio() {
    let err = check_file("otel.toml", "[sampler]\nname = \"always_on\"\narg = nan").unwrap_err();
    let problem = &err.problems()[0];
    assert_eq!(problem.key(), Some("sampler.arg"));
    assert!(matches!(problem.kind(), ProblemKind::NotARatio { value } if value.is_nan()), "{problem:?}");
    assert_eq!(
        problem.to_string(),
        "otel: invalid configuration in otel.toml: key `sampler.arg`: NaN is not a ratio; expected a number from 0 to 1"
    );
}

/// The printed form: one line per problem, naming the source, the key and what is valid. These pin the format
/// `Display` computes from the fields; the other tests assert on the fields.
#[test]
fn messages() {
    let rows: &[(&str, &str)] = &[
        (
            "[exporter\nprotocol = 1",
            "otel: cannot parse DIR/otel.toml: TOML parse error at line 1, column 10; invalid table header; expected `.`, `]`",
        ),
        (
            "[exporter]\nendpointt = \"http://x\"",
            "otel: invalid configuration in DIR/otel.toml: unknown key `exporter.endpointt`; did you mean `exporter.endpoint`? (valid keys in [exporter]: protocol, endpoint, traces_endpoint, logs_endpoint, metrics_endpoint, timeout, headers, compression, insecure, certificate, client_certificate, client_key, on_invalid)",
        ),
        (
            "endpoint = \"http://x\"",
            "otel: invalid configuration in DIR/otel.toml: unknown key `endpoint`; did you mean `exporter.endpoint`? (valid keys at the top level: disabled, service, resource, exporter, batch, sampler, propagators, fmt, shutdown, limits, tracing, traces, logs, metrics, resource_detectors)",
        ),
        (
            "[fmt]\n\"\\u001b[31m\" = 1",
            "otel: invalid configuration in DIR/otel.toml: unknown key `fmt.\\u{1b}[31m` (valid keys in [fmt]: format, filter, trace_ids)",
        ),
        (
            "[batch]\nmax_queue_size = \"lots\"",
            "otel: invalid configuration in DIR/otel.toml: key `batch.max_queue_size`: expected a non-negative integer, found string \"lots\"",
        ),
        (
            "[exporter]\nprotocol = \"grpcx\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.protocol`: unknown value \"grpcx\"; expected one of \"grpc\", \"http/protobuf\", \"http/json\", \"console\", \"none\"",
        ),
        (
            "[exporter]\nendpoint = \"ftp://user:s3cret@c:21\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.endpoint`: invalid endpoint \"ftp://***@c:21\" for protocol \"http/protobuf\": unsupported scheme \"ftp\"; expected an absolute http:// or https:// URL such as \"http://localhost:4318\"",
        ),
        (
            "[batch]\nmax_concurrent_exports = 0\n[service]\nname = \" \"",
            "otel: invalid configuration in DIR/otel.toml: key `service.name`: must not be empty\notel: invalid configuration in DIR/otel.toml: key `batch.max_concurrent_exports`: must be at least 1",
        ),
        (
            "[batch]\nmax_queue_size = 10\nmax_export_batch_size = 20",
            "otel: invalid configuration in DIR/otel.toml: key `batch.max_export_batch_size`: 20 is larger than batch.max_queue_size (10)",
        ),
        (
            "[batch]\nmax_queue_size = 262145",
            "otel: invalid configuration in DIR/otel.toml: key `batch.max_queue_size`: 262145 is larger than the maximum 262144 (each slot of the queue is allocated at start)",
        ),
        (
            "[batch]\nmax_concurrent_exports = 1000",
            "otel: invalid configuration in DIR/otel.toml: key `batch.max_concurrent_exports`: 1000 is larger than the maximum 64",
        ),
        (
            "[exporter.headers]\nAuthorization = \"a\"\nauthorization = \"b\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.headers`: \"Authorization\" and \"authorization\" name the same header (HTTP header names are case-insensitive); keep one",
        ),
        (
            "[exporter.headers]\nx = \"s3cret\\n\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.headers`: the value of \"x\" is not a valid HTTP header value",
        ),
        (
            "propagators = [\"none\", \"b3\"]",
            "otel: invalid configuration in DIR/otel.toml: key `propagators`: \"none\" cannot be combined with other propagators; use [\"none\"] alone or leave it out",
        ),
        (
            "[logs.batch]\nmax_queue_sise = 1",
            "otel: invalid configuration in DIR/otel.toml: unknown key `logs.batch.max_queue_sise`; did you mean `logs.batch.max_queue_size`? (valid keys in [logs.batch]: max_queue_size, max_export_batch_size, schedule_delay, export_timeout, max_concurrent_exports, max_queue_bytes, yield_to_app)",
        ),
        (
            "[logs.exporter]\nendpoint = \"http://c:4318/v1/logs\"",
            "otel: invalid configuration in DIR/otel.toml: unknown key `logs.exporter.endpoint`; did you mean `exporter.logs_endpoint`? (valid keys in [logs.exporter]: protocol, timeout, headers, compression, insecure, certificate, client_certificate, client_key)",
        ),
        (
            "[logs.batch]\nmax_queue_size = 262145",
            "otel: invalid configuration in DIR/otel.toml: key `logs.batch.max_queue_size`: 262145 is larger than the maximum 262144 (each slot of the queue is allocated at start)",
        ),
        (
            "[metrics]\ninterval = \"0s\"",
            "otel: invalid configuration in DIR/otel.toml: key `metrics.interval`: must be longer than 0 (the time between two exports)",
        ),
        (
            "[metrics]\ntemporality = \"Delta\"",
            "otel: invalid configuration in DIR/otel.toml: key `metrics.temporality`: unknown value \"Delta\"; expected one of \"cumulative\", \"delta\", \"lowmemory\"",
        ),
        (
            "[exporter]\nprotocol = \"grpc\"\nendpoint = \"collector:4317\"\n[logs.exporter]\nprotocol = \"http/protobuf\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.endpoint`: invalid endpoint \"collector:4317\" for protocol \"http/protobuf\": missing scheme; expected an absolute http:// or https:// URL such as \"http://localhost:4318\"",
        ),
    ];
    for (i, (toml, expected)) in rows.iter().enumerate() {
        assert_eq!(error_of(Some(toml), &[]), *expected, "row {i}: {toml:?}");
        assert_eq!(check_file("DIR/otel.toml", toml).unwrap_err().to_string(), *expected, "check_file, row {i}");
    }
}

#[test]
fn check_file_reads_only_the_text() {
    let config = check_file("otel.toml", "[service]\nname = \"svc\"\n[batch]\nschedule_delay = \"1s\"").unwrap();
    assert_eq!(config.service.name, "svc");
    assert_eq!(config.batch.schedule_delay, std::time::Duration::from_secs(1));
    // No macro argument and no environment: an empty file is the built-in defaults.
    assert_eq!(check_file("otel.toml", "").unwrap(), Config::default());
}

#[test]
fn missing_files() {
    let options =
        LoadOptions { file: Some("/nonexistent/otel.toml".into()), env: Some(HashMap::new()), ..Default::default() };
    let err = load(&options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "otel: the configuration file `/nonexistent/otel.toml` named by `config = …` does not exist"
    );
    let problem = &err.problems()[0];
    assert_eq!(problem.kind(), &ProblemKind::MissingFile { path: "/nonexistent/otel.toml".into() });
    assert_eq!((problem.key(), problem.origin()), (None, &Origin::MacroArgument("config")));
    let options = LoadOptions {
        env: Some(env_map(&[("OTEL_TOML", "/nonexistent/otel.toml")])),
        cwd: Some(dir_with(None)),
        ..Default::default()
    };
    let err = load(&options).unwrap_err();
    assert_eq!(err.problems()[0].origin(), &Origin::Env("OTEL_TOML".into()));
    assert_eq!(
        error_of(None, &[("OTEL_TOML", "/nonexistent/otel.toml")]),
        "otel: the configuration file `/nonexistent/otel.toml` named by OTEL_TOML does not exist"
    );
    assert_eq!(
        error_of(None, &[("OTEL_TOML", "missing.toml")]),
        "otel: the configuration file `DIR/missing.toml` named by OTEL_TOML does not exist"
    );
    let dir = dir_with(None);
    let options = LoadOptions { file: Some(dir.clone()), env: Some(HashMap::new()), ..Default::default() };
    let err = load(&options).unwrap_err();
    assert_eq!(err.problems()[0].kind(), &ProblemKind::NotRegularFile { path: dir.clone() });
    assert_eq!(err.problems()[0].origin(), &Origin::File(dir.clone()));
    assert_eq!(
        err.to_string(),
        format!("otel: cannot read the configuration file `{}`: not a regular file", dir.display())
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreadable_file_keeps_its_io_error_as_the_source() {
    use std::error::Error;
    use std::sync::Arc;
    // The macro's check reads the file without asking first whether it exists: the open's I/O error.
    let path = std::path::Path::new("/nonexistent/otel.toml");
    let err = crate::__private::check_path(path, path).unwrap_err();
    let problem = &err.problems()[0];
    let ProblemKind::UnreadableFile { path: shown, cause } = problem.kind() else { panic!("{problem:?}") };
    assert_eq!((shown.as_path(), cause.kind()), (path, std::io::ErrorKind::NotFound));
    assert_eq!((problem.key(), problem.origin()), (None, &Origin::File(path.into())));
    // `source()` is that same I/O error; its text ends the message.
    let source = problem.source().and_then(|e| e.downcast_ref::<std::io::Error>()).expect("the I/O error");
    assert!(std::ptr::eq(source, &**cause));
    assert_eq!(err.to_string(), format!("otel: cannot read the configuration file `/nonexistent/otel.toml`: {source}"));
    // The error is transparent: its source is its problem's.
    let io = err.source().and_then(|e| e.downcast_ref::<std::io::Error>()).expect("the I/O error");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    // Still `Clone` and comparable: by the I/O error's kind and text.
    assert_eq!(err.clone(), err);
    let kind = |error: std::io::Error| ProblemKind::UnreadableFile { path: path.into(), cause: Arc::new(error) };
    assert_eq!(problem.kind(), &kind(std::io::Error::new(cause.kind(), cause.to_string())));
    assert_ne!(problem.kind(), &kind(std::io::Error::new(cause.kind(), "another text")));
    assert_ne!(problem.kind(), &kind(std::io::Error::from(std::io::ErrorKind::PermissionDenied)));
    assert_ne!(problem.kind(), &ProblemKind::MissingFile { path: path.into() });
    // Problems without an underlying error have no source.
    let err = check_file("otel.toml", "[batch]\nmax_queue_size = 0").unwrap_err();
    assert!(err.source().is_none() && err.problems()[0].source().is_none());
}

#[test]
fn macro_values_are_named() {
    let options = LoadOptions {
        service_name: Some(String::new()),
        env: Some(HashMap::new()),
        cwd: Some(dir_with(None)),
        ..Default::default()
    };
    let err = load(&options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "otel: invalid configuration in the #[otel::main] arguments: key `service.name`: must not be empty"
    );
    let problem = &err.problems()[0];
    assert_eq!((problem.key(), problem.kind()), (Some("service.name"), &ProblemKind::Empty));
    assert_eq!(problem.origin(), &Origin::MacroArgument("service"));
    // Without `service`, the name is the crate's: the origin says so.
    let options = LoadOptions {
        crate_name: Some(" ".into()),
        env: Some(HashMap::new()),
        cwd: Some(dir_with(None)),
        ..Default::default()
    };
    assert_eq!(load(&options).unwrap_err().problems()[0].origin(), &Origin::MacroArgument("crate_name"));
}

#[test]
fn every_problem_is_kept_in_order() {
    let err =
        load_with(Some("[batch]\nmax_queue_size = 0\nmax_queue_bytes = 0\n[service]\nname = \"\""), &[]).unwrap_err();
    let keys: Vec<Option<&str>> = err.iter().map(ConfigProblem::key).collect();
    assert_eq!(keys, [Some("service.name"), Some("batch.max_queue_size"), Some("batch.max_queue_bytes")]);
    // `Display` is the problems' lines, joined.
    let lines: Vec<String> = err.iter().map(ToString::to_string).collect();
    assert_eq!(err.to_string(), lines.join("\n"));
    assert_eq!((&err).into_iter().count(), err.clone().into_iter().count());
}

#[test]
fn errors_implement_std_error() {
    fn boxed(e: ConfigError) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        Box::new(e)
    }
    let e = boxed(load_with(Some("x = 1"), &[]).unwrap_err());
    assert!(e.to_string().starts_with("otel: invalid configuration in "));
}

#[test]
fn syntax_positions_are_the_parsers() {
    // Multi-byte characters before the error: the column counts characters, as the parser's own message does.
    let texts =
        ["[exporter\nprotocol = 1", "é = \"x\"\n[ü", "a = \"ü\" x", "x = ", "[a]\nb = 1\nb = 2", "a = 1\n\n\"\u{0}\""];
    for text in texts {
        let parser = toml::from_str::<toml::Table>(text).unwrap_err().to_string();
        let first = parser.lines().next().unwrap();
        let err = check_file("otel.toml", text).unwrap_err();
        let ProblemKind::Syntax { line: Some(line), column: Some(column), .. } = err.problems()[0].kind() else {
            panic!("{text:?}: {err:?}");
        };
        assert_eq!(first, format!("TOML parse error at line {line}, column {column}"), "{text:?}");
    }
}

/// Keys are text the user wrote: a control character in one is shown escaped, so that every problem stays one line
/// (found by fuzzing).
#[test]
fn control_characters_in_keys_are_escaped() {
    for text in ["[resource]\n\"a\\nb\" = [1]\n", "\"a\\nb\" = 1\n", "[resource]\n\"x\\u001b[2J\" = [1]\n"] {
        let error = crate::check_file("otel.toml", text).unwrap_err();
        let message = error.to_string();
        assert_eq!(message.lines().count(), 1, "{message:?}");
        assert!(!message.contains(char::is_control), "{message:?}");
    }
}

/// The README's otel.toml of the three signals is valid, and means what its comments say.
#[test]
fn readme_example_of_the_three_signals() {
    let readme = include_str!("../../../README.md");
    let start = readme.find("The three signals at a glance").expect("the README's example");
    let block = &readme[start..];
    let text = &block[block.find("```toml\n").unwrap() + 8..];
    let text = &text[..text.find("```").unwrap()];
    let config = check_file("README.md", text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.exporter_for(Signal::Logs).url(Signal::Logs), "http://collector:4317");
    assert_eq!(config.exporter_for(Signal::Metrics).protocol, Protocol::HttpProtobuf);
    assert_eq!(config.exporter_for(Signal::Metrics).url(Signal::Metrics), "http://metrics-gw:4318/v1/metrics");
    assert_eq!(
        (config.metrics.interval, config.metrics.temporality),
        (std::time::Duration::from_secs(30), Temporality::Delta)
    );
}
