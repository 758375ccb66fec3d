use crate::*;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

fn dir_with(toml: Option<&str>) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("otel-config-test-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    std::fs::create_dir_all(&dir).unwrap();
    if let Some(text) = toml {
        std::fs::write(dir.join("otel.toml"), text).unwrap();
    }
    dir
}

fn load_with(toml: Option<&str>, env: &[(&str, &str)]) -> Result<Loaded, ConfigError> {
    let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    load(&LoadOptions {
        service_name: Some("from-macro".into()),
        crate_name: Some("crate".into()),
        service_version: Some("1.2.3".into()),
        env: Some(env),
        cwd: Some(dir_with(toml)),
        ..Default::default()
    })
}

#[test]
fn precedence_defaults_macro_file_env() {
    let c = load_with(None, &[]).unwrap().config;
    assert_eq!((c.service.name.as_str(), c.service.version.as_deref()), ("from-macro", Some("1.2.3")));
    let c = load_with(Some("[service]\nname = \"from-file\""), &[]).unwrap().config;
    assert_eq!(c.service.name, "from-file");
    let c = load_with(Some("[service]\nname = \"from-file\""), &[("OTEL_SERVICE_NAME", "from-env")]).unwrap().config;
    assert_eq!(c.service.name, "from-env");
}

#[test]
fn env_rules_table() {
    // (variables, check)
    let rows: Vec<(Vec<(&str, &str)>, fn(&Config) -> bool, usize)> = vec![
        (vec![("OTEL_SERVICE_NAME", "")], |c| c.service.name == "from-macro", 0),
        (vec![("OTEL_BSP_MAX_QUEUE_SIZE", "abc")], |c| c.batch.max_queue_size == 2048, 1),
        (vec![("OTEL_BSP_SCHEDULE_DELAY", "-5")], |c| c.batch.schedule_delay == Duration::from_secs(5), 1),
        (vec![("OTEL_BSP_SCHEDULE_DELAY", "250")], |c| c.batch.schedule_delay == Duration::from_millis(250), 0),
        (vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon")], |c| c.exporter.protocol == Protocol::HttpProtobuf, 1),
        (vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "GRPC")], |c| c.exporter.protocol == Protocol::Grpc, 0),
        (
            vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json")],
            |c| c.exporter.protocol == Protocol::HttpJson,
            0,
        ),
        (vec![("OTEL_SDK_DISABLED", "TRUE")], |c| c.disabled, 0),
        (vec![("OTEL_SDK_DISABLED", "yes")], |c| !c.disabled, 1),
        (vec![("OTEL_TRACES_EXPORTER", "none")], |c| c.exporter.protocol == Protocol::None, 0),
        (
            vec![("OTEL_RESOURCE_ATTRIBUTES", "service.name=r,team=a%2Cb"), ("OTEL_SERVICE_NAME", "s")],
            |c| c.service.name == "s" && c.resource.get("team").map(String::as_str) == Some("a,b"),
            0,
        ),
        (vec![("OTEL_RESOURCE_ATTRIBUTES", "team=%ZZ")], |c| c.resource.is_empty(), 1),
        (
            vec![("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20x")],
            |c| c.exporter.headers.0.get("authorization").map(String::as_str) == Some("Bearer x"),
            0,
        ),
        (vec![("RUST_LOG", "debug")], |c| c.fmt.filter == "debug", 0),
    ];
    for (i, (env, check, warnings)) in rows.into_iter().enumerate() {
        let loaded = load_with(None, &env).unwrap_or_else(|e| panic!("row {i}: {e}"));
        assert!(check(&loaded.config), "row {i}: {env:?} gave {:?}", loaded.config);
        assert_eq!(loaded.warnings.len(), warnings, "row {i}: {:?}", loaded.warnings);
    }
}

#[test]
fn http_endpoint_path_rule() {
    let c = load_with(None, &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/mycollector/")]).unwrap().config;
    assert_eq!(c.exporter.traces_url(), "http://c:4318/mycollector/v1/traces");
    let c = load_with(None, &[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318")]).unwrap().config;
    assert_eq!(c.exporter.traces_url(), "http://c:4318/");
    let c = load_with(None, &[("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317")])
        .unwrap()
        .config;
    assert_eq!(c.exporter.traces_url(), "http://c:4317");
}

#[test]
fn durations_in_file() {
    let c = load_with(Some("[shutdown]\ntimeout = \"250ms\"\n[batch]\nschedule_delay = 100\nexport_timeout = \"1m\""), &[])
        .unwrap()
        .config;
    assert_eq!(c.shutdown.timeout, Duration::from_millis(250));
    assert_eq!(c.batch.schedule_delay, Duration::from_millis(100));
    assert_eq!(c.batch.export_timeout, Duration::from_secs(60));
}

#[test]
fn errors_name_file_key_and_valid_values() {
    let err = load_with(Some("[exporter]\nprotocol = \"grpcx\""), &[]).unwrap_err().to_string();
    assert!(err.contains("otel.toml") && err.contains("`exporter.protocol`") && err.contains("\"http/protobuf\""), "{err}");
    let err = load_with(Some("[exporter]\nendpointt = \"http://x\""), &[]).unwrap_err().to_string();
    assert!(err.contains("unknown key `exporter.endpointt`") && err.contains("did you mean `exporter.endpoint`"), "{err}");
    let err = load_with(Some("[batch]\nmax_queue_size = \"lots\""), &[]).unwrap_err().to_string();
    assert!(err.contains("`batch.max_queue_size`"), "{err}");
    let err = load_with(Some("[exporter\nprotocol = 1"), &[]).unwrap_err().to_string();
    assert!(err.contains("cannot parse") && err.contains("otel.toml"), "{err}");
    let err = load_with(Some("[exporter]\nendpoint = \"not a url\""), &[]).unwrap_err().to_string();
    assert!(err.contains("`exporter.endpoint`") && err.contains("otel.toml"), "{err}");
    let err = load_with(None, &[("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4317")]).unwrap_err().to_string();
    assert!(err.contains("environment variable OTEL_EXPORTER_OTLP_ENDPOINT"), "{err}");
    let err = load_with(None, &[("OTEL_TOML", "/nonexistent/otel.toml")]).unwrap_err().to_string();
    assert!(err.contains("OTEL_TOML"), "{err}");
}

#[test]
fn header_values_never_printed() {
    let loaded = load_with(Some("[exporter.headers]\nauthorization = \"Bearer s3cret\""), &[]).unwrap();
    assert!(!format!("{:?}", loaded.config).contains("s3cret"));
    let err = load_with(Some("[exporter.headers]\nx = \"s3cret\nline\""), &[]).map(|_| ()).unwrap_err().to_string();
    assert!(!err.contains("s3cret"), "{err}");
    let loaded = load_with(None, &[("OTEL_EXPORTER_OTLP_HEADERS", "x=%ZZs3cret")]).unwrap();
    assert!(!loaded.warnings[0].to_string().contains("s3cret"));
}
