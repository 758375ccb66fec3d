//! Every error message: the source (file path or variable), the key, and what is valid. `DIR` is the temp
//! directory holding the otel.toml.

use super::*;

#[test]
fn file_errors() {
    // (otel.toml, exact message)
    let rows: &[(&str, &str)] = &[
        // TOML syntax, with line and column.
        (
            "[exporter\nprotocol = 1",
            "otel: cannot parse DIR/otel.toml: TOML parse error at line 1, column 10; invalid table header; expected `.`, `]`",
        ),
        (
            "[exporter]\nprotocol = \"grpc\"\nprotocol = \"grpc\"",
            "otel: cannot parse DIR/otel.toml: TOML parse error at line 3, column 1; duplicate key `protocol` in table `exporter`",
        ),
        // Unknown keys, with a suggestion when close.
        (
            "[exporter]\nendpointt = \"http://x\"",
            "otel: invalid configuration in DIR/otel.toml: unknown key `exporter.endpointt`; did you mean `exporter.endpoint`? (valid keys in [exporter]: protocol, endpoint, traces_endpoint, timeout, headers, compression, insecure, certificate, client_certificate, client_key, on_invalid)",
        ),
        (
            "endpoint = \"http://x\"",
            "otel: invalid configuration in DIR/otel.toml: unknown key `endpoint`; did you mean `exporter.endpoint`? (valid keys at the top level: disabled, service, resource, exporter, batch, sampler, propagators, fmt, shutdown, limits, tracing)",
        ),
        (
            "[fmt]\ncolour = true",
            "otel: invalid configuration in DIR/otel.toml: unknown key `fmt.colour` (valid keys in [fmt]: format, filter)",
        ),
        // Wrong types.
        (
            "[batch]\nmax_queue_size = \"lots\"",
            "otel: invalid configuration in DIR/otel.toml: key `batch.max_queue_size`: expected a non-negative integer, found string \"lots\"",
        ),
        (
            "[batch]\nmax_queue_size = -3",
            "otel: invalid configuration in DIR/otel.toml: key `batch.max_queue_size`: expected a non-negative integer, found integer -3",
        ),
        (
            "service = \"x\"",
            "otel: invalid configuration in DIR/otel.toml: key `service`: expected a table, found string \"x\"",
        ),
        (
            "[resource]\nx = [1]",
            "otel: invalid configuration in DIR/otel.toml: key `resource.x`: expected a string, boolean, integer or float, found an array",
        ),
        // Unknown enum values.
        (
            "[exporter]\nprotocol = \"grpcx\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.protocol`: unknown value \"grpcx\"; expected one of \"grpc\", \"http/protobuf\", \"http/json\", \"console\", \"none\"",
        ),
        (
            "[shutdown]\nsummary = \"sometimes\"",
            "otel: invalid configuration in DIR/otel.toml: key `shutdown.summary`: unknown value \"sometimes\"; expected one of \"on_loss\", \"always\", \"never\"",
        ),
        // Durations.
        (
            "[shutdown]\ntimeout = \"soon\"",
            "otel: invalid configuration in DIR/otel.toml: key `shutdown.timeout`: invalid duration \"soon\"; expected e.g. \"250ms\", \"5s\", \"1.5s\", \"1m\", \"1h\" or integer milliseconds",
        ),
        // Validation after extraction.
        (
            "[exporter]\nendpoint = \"not a url\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.endpoint`: invalid endpoint \"not a url\" for protocol \"http/protobuf\": missing scheme; expected an absolute http:// or https:// URL such as \"http://localhost:4318\"",
        ),
        (
            "[exporter]\nprotocol = \"grpc\"\ntraces_endpoint = \"ftp://c\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.traces_endpoint`: invalid endpoint \"ftp://c\" for protocol \"grpc\": unsupported scheme \"ftp\"; expected an http:// or https:// URL such as \"http://localhost:4317\", or host:port",
        ),
        (
            "[batch]\nmax_queue_size = 10\nmax_export_batch_size = 20",
            "otel: invalid configuration in DIR/otel.toml: key `batch.max_export_batch_size`: 20 is larger than batch.max_queue_size (10)",
        ),
        ("[batch]\nmax_queue_size = 0", "otel: invalid configuration in DIR/otel.toml: key `batch.max_queue_size`: must be at least 1"),
        (
            "[batch]\nmax_concurrent_exports = 0\n[service]\nname = \" \"",
            "otel: invalid configuration in DIR/otel.toml: key `service.name`: must not be empty\notel: invalid configuration in DIR/otel.toml: key `batch.max_concurrent_exports`: must be at least 1",
        ),
        (
            "[sampler]\nname = \"traceidratio\"\narg = 1.5",
            "otel: invalid configuration in DIR/otel.toml: key `sampler.arg`: 1.5 is not a ratio; expected a number from 0 to 1",
        ),
        (
            "[exporter.headers]\n\"bad name\" = \"x\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.headers`: \"bad name\" is not a valid HTTP header name",
        ),
        (
            "[exporter.headers]\nx = \"s3cret\\n\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.headers`: the value of \"x\" is not a valid HTTP header value",
        ),
        (
            "[service]\nname = \"\"",
            "otel: invalid configuration in DIR/otel.toml: key `service.name`: must not be empty",
        ),
        // exporter.on_invalid: the valid values, and a did-you-mean for the key.
        (
            "[exporter]\non_invalid = \"panic\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.on_invalid`: unknown value \"panic\"; expected one of \"warn\", \"exit\"",
        ),
        (
            "[exporter]\non_invalidd = \"exit\"",
            "otel: invalid configuration in DIR/otel.toml: unknown key `exporter.on_invalidd`; did you mean `exporter.on_invalid`? (valid keys in [exporter]: protocol, endpoint, traces_endpoint, timeout, headers, compression, insecure, certificate, client_certificate, client_key, on_invalid)",
        ),
        // Bounds: each slot of the queue is allocated at start; the error names the key and the bound.
        (
            "[batch]\nmax_queue_size = 18446744073709551615",
            "otel: cannot parse DIR/otel.toml: TOML parse error at line 2, column 18; number too large to fit in target type",
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
            "[limits]\nevent_count = 4294967296",
            "otel: invalid configuration in DIR/otel.toml: key `limits.event_count`: expected a non-negative integer up to 4294967295, found integer 4294967296",
        ),
        // Durations: capped at 365 days, whatever the spelling; the parser never overflows.
        (
            "[exporter]\ntimeout = \"99999999999h\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.timeout`: invalid duration \"99999999999h\"; longer than the maximum of 365 days (\"8760h\", 31536000000 ms)",
        ),
        (
            "[batch]\nschedule_delay = \"99999999999999999999h\"",
            "otel: invalid configuration in DIR/otel.toml: key `batch.schedule_delay`: invalid duration \"99999999999999999999h\"; longer than the maximum of 365 days (\"8760h\", 31536000000 ms)",
        ),
        (
            "[shutdown]\ntimeout = 9223372036854775807",
            "otel: invalid configuration in DIR/otel.toml: key `shutdown.timeout`: invalid duration 9223372036854775807; longer than the maximum of 365 days (\"8760h\", 31536000000 ms)",
        ),
        (
            "[batch]\nexport_timeout = \"1e400s\"",
            "otel: invalid configuration in DIR/otel.toml: key `batch.export_timeout`: invalid duration \"1e400s\"; expected e.g. \"250ms\", \"5s\", \"1.5s\", \"1m\", \"1h\" or integer milliseconds",
        ),
        (
            "[sampler]\nname = \"always_on\"\narg = nan",
            "otel: invalid configuration in DIR/otel.toml: key `sampler.arg`: NaN is not a ratio; expected a number from 0 to 1",
        ),
        // Header names are case-insensitive; otel.toml tables have no order, so two spellings are an error.
        (
            "[exporter.headers]\nAuthorization = \"a\"\nauthorization = \"b\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.headers`: \"Authorization\" and \"authorization\" name the same header (HTTP header names are case-insensitive); keep one",
        ),
        // Credentials in an endpoint are never printed.
        (
            "[exporter]\nendpoint = \"ftp://user:s3cret@c:21\"",
            "otel: invalid configuration in DIR/otel.toml: key `exporter.endpoint`: invalid endpoint \"ftp://***@c:21\" for protocol \"http/protobuf\": unsupported scheme \"ftp\"; expected an absolute http:// or https:// URL such as \"http://localhost:4318\"",
        ),
        // Outside names are escaped in messages.
        (
            "[fmt]\n\"\\u001b[31m\" = 1",
            "otel: invalid configuration in DIR/otel.toml: unknown key `fmt.\\u{1b}[31m` (valid keys in [fmt]: format, filter)",
        ),
        (
            "propagators = [\"none\", \"b3\"]",
            "otel: invalid configuration in DIR/otel.toml: key `propagators`: \"none\" cannot be combined with other propagators; use [\"none\"] alone or leave it out",
        ),
    ];
    for (i, (toml, expected)) in rows.iter().enumerate() {
        assert_eq!(error_of(Some(toml), &[]), *expected, "row {i}: {toml:?}");
        // The compile-time check gives the very same message.
        let checked = check_file("DIR/otel.toml", toml).unwrap_err().to_string();
        assert_eq!(checked, *expected, "check_file, row {i}: {toml:?}");
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
    assert_eq!(
        load(&options).unwrap_err().to_string(),
        "otel: the configuration file `/nonexistent/otel.toml` named by `config = …` does not exist"
    );
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
    let message = load(&options).unwrap_err().to_string();
    assert!(
        message.starts_with(&format!("otel: cannot read the configuration file `{}`: ", dir.display())),
        "{message}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn macro_values_are_named() {
    let options = LoadOptions {
        service_name: Some(String::new()),
        env: Some(HashMap::new()),
        cwd: Some(dir_with(None)),
        ..Default::default()
    };
    assert_eq!(
        load(&options).unwrap_err().to_string(),
        "otel: invalid configuration in the #[otel::main] arguments: key `service.name`: must not be empty"
    );
}

#[test]
fn errors_implement_std_error() {
    fn boxed(e: ConfigError) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        Box::new(e)
    }
    let e = boxed(load_with(Some("x = 1"), &[]).unwrap_err());
    assert!(e.to_string().starts_with("otel: invalid configuration in "));
}
