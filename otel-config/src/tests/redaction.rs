//! Header values never appear in Debug output, serialization, error messages or warnings.

use super::*;

const SECRET: &str = "s3cret";

#[test]
fn debug_and_serialize_redact() {
    let loaded = load_with(Some("[exporter.headers]\nauthorization = \"Bearer s3cret\""), &[]).unwrap();
    let debug = format!("{:?}", loaded);
    assert!(!debug.contains(SECRET) && debug.contains(r#"headers: {"authorization": "***"}"#), "{debug}");
    let json = serde_json::to_string(&loaded.config).unwrap();
    assert!(!json.contains(SECRET) && json.contains(r#""authorization":"***""#), "{json}");
    assert_eq!(loaded.config.exporter.headers.get("authorization"), Some("Bearer s3cret"));
}

#[test]
fn messages_and_warnings_redact() {
    let errors = [
        error_of(Some("[exporter.headers]\nx = \"s3cret\nline\""), &[]),
        error_of(Some("[exporter.headers]\nx = 123"), &[]),
        error_of(Some("[exporter]\nheaders = \"s3cret\""), &[]),
        error_of(Some("[exporter.headers]\nx = \"s3cret\\n\""), &[]),
        error_of(None, &[("OTEL_TOML_EXPORTER_HEADERS", "x=%zzs3cret")]),
        error_of(None, &[("OTEL_TOML_EXPORTER_HEADERS", "x=s3cret%0A")]),
        // The per-signal headers are as secret.
        error_of(Some("[logs.exporter.headers]\nx = 123"), &[]),
        error_of(Some("[metrics.exporter]\nheaders = \"s3cret\""), &[]),
        error_of(Some("[traces.exporter.headers]\nx = \"s3cret\\n\""), &[]),
        error_of(None, &[("OTEL_TOML_LOGS_EXPORTER_HEADERS", "x=%zzs3cret")]),
        error_of(None, &[("OTEL_TOML_METRICS_EXPORTER_HEADERS", "x=s3cret%0A")]),
    ];
    for message in errors {
        assert!(!message.contains(SECRET) && !message.contains("123"), "{message}");
    }
    let with_per_signal =
        load_with(Some("[metrics.exporter.headers]\nauthorization = \"Bearer s3cret\""), &[]).unwrap();
    let json = serde_json::to_string(&with_per_signal.config).unwrap();
    assert!(!json.contains(SECRET) && !format!("{with_per_signal:?}").contains(SECRET), "{json}");
    for variable in [
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
        "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
    ] {
        for value in ["x=%ZZs3cret", "x=s3cret%0A", "s3cret"] {
            let loaded = load_with(None, &[(variable, value)]).unwrap();
            assert_eq!(loaded.warnings.len(), 1);
            assert_eq!(loaded.warnings[0].value(), "***");
            assert!(!loaded.warnings[0].to_string().contains(SECRET));
            assert!(!format!("{loaded:?}").contains(SECRET));
        }
    }
}

const PASSWORD: &str = "pa55word";

#[test]
fn redacted_hides_userinfo() {
    // (text, shown)
    let rows = [
        ("http://user:pa55word@host:4318/v1/traces", "http://***@host:4318/v1/traces"),
        ("https://pa55word@host", "https://***@host"),
        ("user:pa55word@collector:4317", "***@collector:4317"),
        ("http://user:pa55%40word@host:4318", "http://***@host:4318"),
        // Not a well-formed URL (unencoded `/`, `#` in the password): still hidden, up to the last `@`.
        ("http://user:pa55/word@host", "http://***@host"),
        ("http://user:pa55#word@host/x", "http://***@host/x"),
        ("http://host:4318/v1/traces", "http://host:4318/v1/traces"),
        ("", ""),
    ];
    for (text, shown) in rows {
        assert_eq!(redacted(text), shown, "{text}");
    }
}

#[test]
fn endpoint_credentials_are_never_printed() {
    let toml = "[exporter]\nendpoint = \"http://user:pa55word@file:4318\"";
    // A bad standard endpoint: the warning shows it redacted, and "using …" the redacted effective URL.
    let loaded =
        load_with(Some(toml), &[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "user:pa55word@no-scheme:4318")]).unwrap();
    assert_eq!(
        printed(&loaded),
        [
            r#"otel: ignoring OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="***@no-scheme:4318": not a valid endpoint for protocol "http/protobuf": missing scheme; expected an absolute http:// or https:// URL such as "http://localhost:4318"; using http://***@file:4318/v1/traces"#
        ]
    );
    // Debug (of Loaded, Config, ExporterConfig) and Serialize redact; the real URL is still there to send to.
    let debug = format!("{loaded:?}");
    assert!(!debug.contains(PASSWORD) && debug.contains(r#"endpoint: Some("http://***@file:4318")"#), "{debug}");
    let json = serde_json::to_string(&loaded.config).unwrap();
    assert!(!json.contains(PASSWORD) && json.contains(r#""endpoint":"http://***@file:4318""#), "{json}");
    assert_eq!(loaded.config.exporter.traces_url(), "http://user:pa55word@file:4318/v1/traces");
    assert_eq!(loaded.config.exporter.traces_url_redacted(), "http://***@file:4318/v1/traces");
    // Errors, from every source.
    let errors = [
        error_of(Some("[exporter]\ntraces_endpoint = \"ftp://user:pa55word@h\""), &[]),
        error_of(Some("[exporter]\nprotocol = \"grpc\"\nendpoint = \"user:pa55word@h:1/x\""), &[]),
        error_of(None, &[("OTEL_TOML_EXPORTER_TRACES_ENDPOINT", "http://user:pa55word@")]),
        // A URL under the wrong key.
        error_of(Some("[exporter]\nprotocol = \"http://user:pa55word@h\""), &[]),
        error_of(Some("[exporter]\ninsecure = \"http://user:pa55word@h\""), &[]),
    ];
    for message in errors {
        assert!(!message.contains(PASSWORD) && message.contains("***@"), "{message}");
    }
}
