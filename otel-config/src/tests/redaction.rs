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
    ];
    for message in errors {
        assert!(!message.contains(SECRET) && !message.contains("123"), "{message}");
    }
    for variable in ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"] {
        for value in ["x=%ZZs3cret", "x=s3cret%0A", "s3cret"] {
            let loaded = load_with(None, &[(variable, value)]).unwrap();
            assert_eq!(loaded.warnings.len(), 1);
            assert_eq!(loaded.warnings[0].value, "***");
            assert!(!loaded.warnings[0].to_string().contains(SECRET));
            assert!(!format!("{loaded:?}").contains(SECRET));
        }
    }
}
