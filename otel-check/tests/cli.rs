//! The `otel-check` binary, run in fresh directories with an otel.toml and a controlled environment (the
//! process environment is cleared, so no OTEL_* variable of the machine leaks in).
#![allow(clippy::type_complexity)]

use otel_testkit::{Behavior, Receiver};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

const SECRET: &str = "s3cret-token";

/// A fresh directory with `otel.toml` when given.
fn dir_with(toml: Option<&str>) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "otel-check-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    if let Some(text) = toml {
        std::fs::write(dir.join("otel.toml"), text).unwrap();
    }
    dir
}

/// Runs `otel-check args` in a directory holding `toml`, with exactly `env`.
fn run(toml: Option<&str>, env: &[(&str, &str)], args: &[&str]) -> Output {
    let dir = dir_with(toml);
    let output = Command::new(env!("CARGO_BIN_EXE_otel-check"))
        .args(args)
        .current_dir(&dir)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("run otel-check");
    let _ = std::fs::remove_dir_all(&dir);
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `otel-check config --json`, which must succeed.
fn config_json(toml: Option<&str>, env: &[(&str, &str)]) -> Value {
    let output = run(toml, env, &["config", "--json"]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}

#[test]
fn json_uses_the_toml_key_paths_with_effective_values() {
    // (otel.toml, env, JSON pointer, expected value)
    let rows: Vec<(Option<&str>, Vec<(&str, &str)>, &str, Value)> = vec![
        // Defaults.
        (None, vec![], "/signals/traces/endpoint", "http://localhost:4318/v1/traces".into()),
        (None, vec![], "/exporter/endpoint", Value::Null),
        (None, vec![], "/exporter/protocol", "http/protobuf".into()),
        (None, vec![], "/exporter/timeout", 10_000.into()),
        (None, vec![], "/batch/schedule_delay", 5_000.into()),
        (None, vec![], "/batch/max_queue_size", 2048.into()),
        (None, vec![], "/propagators", serde_json::json!(["tracecontext", "baggage"])),
        (None, vec![], "/disabled", false.into()),
        (None, vec![], "/file", Value::Null),
        (None, vec![], "/service/name", "unknown_service".into()),
        // The endpoint path rule: a base URL gets v1/traces, the per-signal URL is used as is.
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/mycollector/")],
            "/signals/traces/endpoint",
            "http://c:4318/mycollector/v1/traces".into(),
        ),
        (
            Some("[exporter]\nendpoint = \"http://file:4318\""),
            vec![("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318")],
            "/signals/traces/endpoint",
            "http://c:4318/".into(),
        ),
        (
            Some("[exporter]\nprotocol = \"grpc\"\nendpoint = \"collector:4317\""),
            vec![],
            "/signals/traces/endpoint",
            "https://collector:4317".into(),
        ),
        (
            Some("[exporter]\nprotocol = \"grpc\"\nendpoint = \"collector:4317\""),
            vec![],
            "/exporter/endpoint",
            "collector:4317".into(),
        ),
        (None, vec![("OTEL_TRACES_EXPORTER", "console")], "/signals/traces/endpoint", Value::Null),
        (None, vec![("OTEL_TRACES_EXPORTER", "console")], "/signals/traces/protocol", "console".into()),
        (None, vec![("OTEL_TRACES_EXPORTER", "none")], "/signals/traces/exported", false.into()),
        (None, vec![("OTEL_TRACES_EXPORTER", "none")], "/signals/logs/exported", true.into()),
        // The three signals: each one's exact URL, protocol and whether it is exported.
        (None, vec![], "/signals/logs/endpoint", "http://localhost:4318/v1/logs".into()),
        (None, vec![], "/signals/metrics/endpoint", "http://localhost:4318/v1/metrics".into()),
        (None, vec![], "/signals/metrics/exported", true.into()),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://m:9090/otlp")],
            "/signals",
            serde_json::json!({
                "traces": {"exported": true, "protocol": "http/protobuf", "endpoint": "http://c:4318/v1/traces"},
                "logs": {"exported": true, "protocol": "http/protobuf", "endpoint": "http://c:4318/v1/logs"},
                "metrics": {"exported": true, "protocol": "http/protobuf", "endpoint": "http://m:9090/otlp"},
            }),
        ),
        (
            Some("[exporter]\nprotocol = \"grpc\"\nendpoint = \"http://c:4317\"\n[logs.exporter]\nprotocol = \"http/json\""),
            vec![("OTEL_METRICS_EXPORTER", "none")],
            "/signals",
            serde_json::json!({
                "traces": {"exported": true, "protocol": "grpc", "endpoint": "http://c:4317"},
                "logs": {"exported": true, "protocol": "http/json", "endpoint": "http://c:4317/v1/logs"},
                "metrics": {"exported": false, "protocol": "grpc", "endpoint": "http://c:4317"},
            }),
        ),
        (None, vec![("OTEL_LOGS_EXPORTER", "none")], "/logs/enabled", false.into()),
        (None, vec![("OTEL_LOGS_EXPORTER", "none")], "/signals/logs/exported", false.into()),
        (None, vec![("OTEL_SDK_DISABLED", "true")], "/signals/metrics/exported", false.into()),
        // Every new key, keyed like otel.toml.
        (None, vec![], "/logs/batch/schedule_delay", 1_000.into()),
        (None, vec![("OTEL_BLRP_MAX_QUEUE_SIZE", "4096")], "/logs/batch/max_queue_size", 4096.into()),
        (None, vec![], "/logs/span_events", true.into()),
        (None, vec![], "/metrics/interval", 60_000.into()),
        (None, vec![("OTEL_METRIC_EXPORT_INTERVAL", "5000")], "/metrics/interval", 5_000.into()),
        (None, vec![("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "Delta")], "/metrics/temporality", "delta".into()),
        (None, vec![], "/metrics/self_observability", true.into()),
        (None, vec![], "/fmt/trace_ids", true.into()),
        (None, vec![], "/traces/exporter/protocol", Value::Null),
        (None, vec![("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "1500")], "/logs/exporter/timeout", 1_500.into()),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "authorization=s3cret-token")],
            "/logs/exporter/headers",
            serde_json::json!({"authorization": "***"}),
        ),
        (
            None,
            vec![("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "host,os")],
            "/resource_detectors",
            serde_json::json!(["host", "os"]),
        ),
        (
            None,
            vec![],
            "/resource_detectors",
            serde_json::json!(["service_instance", "host", "os", "process", "container"]),
        ),
        // Durations in integer milliseconds, whatever the unit in otel.toml.
        (Some("[exporter]\ntimeout = \"1.5s\""), vec![], "/exporter/timeout", 1_500.into()),
        (Some("[batch]\nschedule_delay = \"1m\""), vec![], "/batch/schedule_delay", 60_000.into()),
        (None, vec![("OTEL_BSP_SCHEDULE_DELAY", "250")], "/batch/schedule_delay", 250.into()),
        // Precedence: defaults < otel.toml < environment.
        (Some("[batch]\nmax_queue_size = 100"), vec![], "/batch/max_queue_size", 100.into()),
        (
            Some("[batch]\nmax_queue_size = 1000"),
            vec![("OTEL_BSP_MAX_QUEUE_SIZE", "4096")],
            "/batch/max_queue_size",
            4096.into(),
        ),
        (
            None,
            vec![("OTEL_RESOURCE_ATTRIBUTES", "service.name=r"), ("OTEL_SERVICE_NAME", "s")],
            "/service/name",
            "s".into(),
        ),
        // Sampler: the ratio in use.
        (
            None,
            vec![("OTEL_TRACES_SAMPLER", "traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", "0.25")],
            "/sampler/arg",
            0.25.into(),
        ),
        (None, vec![("OTEL_TRACES_SAMPLER", "traceidratio")], "/sampler/arg", 1.0.into()),
        (None, vec![], "/sampler/arg", Value::Null),
        (
            None,
            vec![("OTEL_PROPAGATORS", "b3,tracecontext,b3")],
            "/propagators",
            serde_json::json!(["b3", "tracecontext"]),
        ),
        (None, vec![("OTEL_SDK_DISABLED", "true")], "/disabled", true.into()),
        // exporter.on_invalid: fail open by default.
        (None, vec![], "/exporter/on_invalid", "warn".into()),
        (Some("[exporter]\non_invalid = \"exit\""), vec![], "/exporter/on_invalid", "exit".into()),
        (None, vec![("OTEL_TOML_EXPORTER_ON_INVALID", "exit")], "/exporter/on_invalid", "exit".into()),
        // Endpoint credentials: shown as ***.
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "http://user:s3cret-token@c:4318")],
            "/signals/traces/endpoint",
            "http://***@c:4318/v1/traces".into(),
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://user:s3cret-token@c:4318/l")],
            "/signals/logs/endpoint",
            "http://***@c:4318/l".into(),
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://user:s3cret-token@c:4318/l")],
            "/exporter/logs_endpoint",
            "http://***@c:4318/l".into(),
        ),
        // Headers: names kept, values redacted.
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20s3cret-token")],
            "/exporter/headers",
            serde_json::json!({"authorization": "***"}),
        ),
    ];
    for (i, (toml, env, pointer, expected)) in rows.into_iter().enumerate() {
        let json = config_json(toml, &env);
        assert_eq!(json.pointer(pointer), Some(&expected), "row {i}: {pointer} in {json:#}");
    }
}

#[test]
fn resource_is_every_attribute_sent() {
    // Detection off here (its attributes depend on the machine); the detected ones are checked below.
    let toml = "resource_detectors = []\n[service]\nname = \"svc\"\nversion = \"2.0\"\nenvironment = \"prod\"\n\
                [resource]\nshard = 3\nteam = \"core\"";
    let json = config_json(Some(toml), &[("OTEL_RESOURCE_ATTRIBUTES", "region=eu")]);
    let resource = json["resource"].as_object().unwrap();
    let keys: Vec<&str> = resource.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "deployment.environment.name",
            "region",
            "service.name",
            "service.version",
            "shard",
            "team",
            "telemetry.sdk.language",
            "telemetry.sdk.name",
            "telemetry.sdk.version"
        ]
    );
    assert_eq!(resource["service.name"], "svc");
    assert_eq!(resource["shard"], 3);
    assert_eq!(resource["telemetry.sdk.language"], "rust");

    // With the default detectors: the process's own attributes, shown as the pipeline sends them.
    let json = config_json(Some("[service]\nname = \"svc\""), &[]);
    let resource = json["resource"].as_object().unwrap();
    for key in ["service.instance.id", "host.name", "host.arch", "os.type", "process.pid", "process.runtime.name"] {
        assert!(resource.contains_key(key), "{key} in {resource:?}");
    }
    assert_eq!(resource["process.runtime.name"], "rustc");
}

#[test]
fn warnings_are_listed_and_secrets_never_printed() {
    let env = [
        ("OTEL_BSP_MAX_QUEUE_SIZE", "abc"),
        ("OTEL_PROPAGATORS", "tracecontext,jaeger"),
        ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-key=s3cret-token%ZZ"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "authorization=s3cret-token"),
    ];
    let toml = "[exporter.headers]\nx-file = \"s3cret-token\"";
    let json = config_json(Some(toml), &env);
    let warnings: Vec<&str> = json["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
    assert_eq!(
        warnings[0],
        r#"otel: ignoring OTEL_EXPORTER_OTLP_TRACES_HEADERS="***": not a comma-separated list of key=value pairs with percent-encoded values (item 1 has an invalid percent-encoding in its value); ignored"#
    );
    assert_eq!(warnings[1], r#"otel: ignoring OTEL_BSP_MAX_QUEUE_SIZE="abc": not a non-negative integer; using 2048"#);
    assert!(warnings[2].starts_with("otel: propagator `jaeger` is not available"), "{}", warnings[2]);
    assert_eq!(json["exporter"]["headers"], serde_json::json!({"authorization": "***", "x-file": "***"}));

    for args in [&["config", "--json"][..], &["config"][..]] {
        let output = run(Some(toml), &env, args);
        assert_eq!(output.status.code(), Some(0));
        assert!(!stdout(&output).contains(SECRET) && !stderr(&output).contains(SECRET), "{args:?}");
    }
    let text = stdout(&run(Some(toml), &env, &["config"]));
    assert!(text.contains("warnings:\n  otel: ignoring OTEL_EXPORTER_OTLP_TRACES_HEADERS=\"***\""), "{text}");
    assert!(text.contains("signals.traces.endpoint = \"http://localhost:4318/v1/traces\"\n"), "{text}");
    assert!(text.contains("signals.logs.endpoint = \"http://localhost:4318/v1/logs\"\n"), "{text}");
    assert!(text.contains("signals.metrics.exported = true\n"), "{text}");
    assert!(text.contains("\nbatch.schedule_delay = 5000\n"), "{text}");
    assert!(text.contains("\nlogs.batch.schedule_delay = 1000\n"), "{text}");
    assert!(text.contains("\nmetrics.exporter.headers = null\n"), "{text}");
}

#[test]
fn errors_and_usage_have_their_exit_status() {
    // (otel.toml, env, args, exit status, stderr excerpt)
    let rows: Vec<(Option<&str>, Vec<(&str, &str)>, Vec<&str>, i32, &str)> = vec![
        (
            Some("[exporter]\nprotocol = \"gprc\""),
            vec![],
            vec!["config", "--json"],
            1,
            "otel.toml: key `exporter.protocol`: unknown value \"gprc\"",
        ),
        (Some("[batch]\nmax_queue_sise = 1"), vec![], vec!["config"], 1, "did you mean `batch.max_queue_size`?"),
        (None, vec![("OTEL_TOML_FMT_FORMATT", "json")], vec!["ping"], 1, "did you mean OTEL_TOML_FMT_FORMAT?"),
        (
            None,
            vec![],
            vec!["config", "--config", "missing.toml"],
            1,
            "missing.toml` named by `config = …` does not exist",
        ),
        (None, vec![], vec![], 2, "no command"),
        (None, vec![], vec!["status"], 2, "unknown command `status`"),
        (None, vec![], vec!["config", "--yaml"], 2, "unknown option `--yaml`"),
        (None, vec![], vec!["ping", "--json"], 2, "--json applies to `config` only"),
        (None, vec![], vec!["config", "--json", "--to-yaml"], 2, "--json and --to-yaml exclude each other"),
        (None, vec![], vec!["config", "--to-yaml", "--json"], 2, "--json and --to-yaml exclude each other"),
        (None, vec![], vec!["ping", "--to-yaml"], 2, "--to-yaml applies to `config` only"),
        (Some("[exporter]\nprotocol = \"gprc\""), vec![], vec!["config", "--to-yaml"], 1, "unknown value \"gprc\""),
        (
            None,
            vec![("OTEL_CONFIG_FILE", "missing.yaml")],
            vec!["config", "--to-yaml"],
            1,
            "missing.yaml` named by OTEL_CONFIG_FILE does not exist",
        ),
        (
            None,
            vec![("OTEL_CONFIG_FILE", "missing.yaml")],
            vec!["config"],
            1,
            "missing.yaml` named by OTEL_CONFIG_FILE does not exist",
        ),
        (
            None,
            vec![("OTEL_TRACES_EXPORTER", "console"), ("OTEL_LOGS_EXPORTER", "none"), ("OTEL_METRICS_EXPORTER", "console")],
            vec!["ping"],
            1,
            "failed: no signal is sent to a collector, so there is nothing to ping\nskipped: traces are not exported (its protocol is `console`)\nskipped: logs are not exported (logs.enabled is false)\nskipped: metrics are not exported (its protocol is `console`)",
        ),
        (
            Some("[logs.batch]\nschedule_delai = \"1s\""),
            vec![],
            vec!["config"],
            1,
            "unknown key `logs.batch.schedule_delai`; did you mean `logs.batch.schedule_delay`?",
        ),
        (
            None,
            vec![("OTEL_TOML_METRICS_INTERVALL", "1s")],
            vec!["config", "--json"],
            1,
            "did you mean OTEL_TOML_METRICS_INTERVAL?",
        ),
    ];
    for (i, (toml, env, args, code, excerpt)) in rows.into_iter().enumerate() {
        let output = run(toml, &env, &args);
        assert_eq!(output.status.code(), Some(code), "row {i}: {args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(excerpt), "row {i}: {:?} lacks {excerpt:?}", stderr(&output));
    }
    let help = run(None, &[], &["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("Exit status:"));
}

/// Runs `otel-check args` in `dir`, with exactly `env`.
fn run_in(dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_otel-check"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("run otel-check")
}

/// What the app would send, from `config --json`, whichever way the configuration spells it: the shared
/// `[exporter]` and the per-signal overrides merged into one effective exporter per signal (the declarative
/// file has an exporter per signal, otel.toml one shared), the configured endpoint keys left out (`signals`
/// has the URLs), and where the configuration came from left out.
fn effective(json: &Value) -> Value {
    let mut effective = json.clone();
    let object = effective.as_object_mut().unwrap();
    for key in ["file", "file_format", "exporter", "traces"] {
        object.remove(key);
    }
    // `service.environment` is written as the resource attribute it gives (deployment.environment.name), and
    // read back as that attribute: the same resource (compared), spelled differently.
    object["service"].as_object_mut().unwrap().remove("environment");
    for (signal, override_) in
        [("traces", "/traces/exporter"), ("logs", "/logs/exporter"), ("metrics", "/metrics/exporter")]
    {
        let mut merged = serde_json::Map::new();
        for (key, shared) in json["exporter"].as_object().unwrap() {
            if key.contains("endpoint") {
                continue;
            }
            let own = json.pointer(&format!("{override_}/{key}")).filter(|v| !v.is_null());
            merged.insert(key.clone(), own.unwrap_or(shared).clone());
        }
        object.insert(format!("{signal}_exporter"), Value::Object(merged));
    }
    object["logs"].as_object_mut().unwrap().remove("exporter");
    object["metrics"].as_object_mut().unwrap().remove("exporter");
    effective
}

/// `config --to-yaml` writes the declarative file equivalent to otel.toml and the environment; that file, named
/// by `OTEL_CONFIG_FILE` alone (no otel.toml, none of the original variables: only the secret it references),
/// gives the same effective configuration in `config --json`.
#[test]
fn to_yaml_reads_back_through_otel_config_file_to_the_same_configuration() {
    let toml = "resource_detectors = [\"host\", \"os\"]\npropagators = [\"tracecontext\", \"baggage\", \"b3\"]\n\
                [service]\nname = \"checkout\"\nversion = \"1.4.0\"\nenvironment = \"prod\"\n\
                [resource]\nteam = \"pay$ments\"\nshard = 3\nweight = 0.5\nprimary = true\n\
                [limits]\nevent_count = 7\n[logs.exporter]\nprotocol = \"http/json\"\n";
    let env = [
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"),
        ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://logs:4318/custom/logs"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=s3cret-token"),
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
        ("OTEL_BSP_SCHEDULE_DELAY", "250"),
        ("OTEL_BLRP_MAX_QUEUE_SIZE", "4096"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "15000"),
        ("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "delta"),
        ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "0.25"),
    ];
    let dir = dir_with(Some(toml));
    let output = run_in(&dir, &env, &["config", "--to-yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "", "no warning for this configuration");
    let yaml = stdout(&output);
    assert!(yaml.starts_with("# The declarative configuration (OTEL_CONFIG_FILE) equivalent"), "{yaml}");
    assert!(yaml.contains("\nfile_format: \"1.0\"\n"), "{yaml}");
    // The secret is a reference the header comment lists, never the value.
    assert!(!yaml.contains(SECRET) && yaml.contains("#   OTEL_HEADER_X_API_KEY\n"), "{yaml}");
    let original = config_json(Some(toml), &env);
    assert_eq!(original["file_format"], "otel.toml");

    let yaml_dir = dir_with(None);
    std::fs::write(yaml_dir.join("otel.yaml"), &yaml).unwrap();
    let back_env = [("OTEL_CONFIG_FILE", "otel.yaml"), ("OTEL_HEADER_X_API_KEY", SECRET)];
    let output = run_in(&yaml_dir, &back_env, &["config", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let back: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(back["file_format"], "declarative");
    assert_eq!(back["file"], yaml_dir.join("otel.yaml").display().to_string());
    // Some of what is compared, spelled out (a failure shows the whole difference below).
    assert_eq!(back["service"]["name"], "checkout");
    assert_eq!(back["resource"]["team"], "pay$ments");
    assert_eq!(back["resource"]["shard"], 3);
    assert_eq!(back["signals"]["logs"]["endpoint"], "http://logs:4318/custom/logs");
    assert_eq!(back["signals"]["logs"]["protocol"], "http/json");
    assert_eq!(back["warnings"], serde_json::json!([]));
    assert_eq!(effective(&back), effective(&original), "\n{yaml}");
    // The header's value came from the variable the file references: the same through the ping's transport.
    assert_eq!(effective(&back)["traces_exporter"]["headers"], serde_json::json!({"x-api-key": "***"}));

    // Read back once more, the file is the same (a fixed point).
    let output = run_in(&yaml_dir, &back_env, &["config", "--to-yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), yaml);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&yaml_dir);
}

/// `--to-yaml` prints the file alone on stdout: the warnings go to stderr.
#[test]
fn to_yaml_prints_the_warnings_on_stderr() {
    let output =
        run(None, &[("OTEL_BSP_MAX_QUEUE_SIZE", "abc"), ("OTEL_PROPAGATORS", "jaeger")], &["config", "--to-yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("otel: ignoring OTEL_BSP_MAX_QUEUE_SIZE=\"abc\""), "{err}");
    assert!(err.contains("otel: propagator `jaeger` is not available"), "{err}");
    let yaml = stdout(&output);
    assert!(yaml.starts_with("# ") && !yaml.contains("otel: "), "{yaml}");
    assert!(yaml.contains("\n        max_queue_size: 2048\n"), "{yaml}");
}

/// Under `OTEL_CONFIG_FILE`, the report names the declarative file as such (not as an otel.toml), and the
/// otel.toml beside it and the other variables are not read.
#[test]
fn the_declarative_file_is_labelled_as_such() {
    let dir = dir_with(Some("[service]\nname = \"from-toml\""));
    let yaml = r#"file_format: "1.0"
resource:
  attributes:
    - name: service.name
      value: ${NAME}
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_grpc:
            endpoint: http://collector:4317
"#;
    std::fs::write(dir.join("app.yaml"), yaml).unwrap();
    let env = [("OTEL_CONFIG_FILE", "app.yaml"), ("NAME", "from-yaml"), ("OTEL_SERVICE_NAME", "from-env")];
    let path = dir.join("app.yaml").display().to_string();

    let output = run_in(&dir, &env, &["config"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let label =
        format!("# declarative configuration file: {path}; otel.toml and the other OTEL_* variables are not read\n");
    assert!(text.starts_with(&label), "{text}");
    assert!(!text.contains("# otel.toml"), "{text}");
    assert!(text.contains("\nservice.name = \"from-yaml\"\n"), "{text}");
    assert!(text.contains("\nsignals.logs.exported = false\n"), "{text}");
    assert!(text.contains("otel.toml: not read: OTEL_CONFIG_FILE names the configuration file"), "{text}");

    let output = run_in(&dir, &env, &["config", "--json"]);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["file"], path);
    assert_eq!(json["file_format"], "declarative");
    assert_eq!(json["service"]["name"], "from-yaml");
    assert_eq!(json["signals"]["traces"]["endpoint"], "http://collector:4317");

    // `--config app.yaml` (the app's `config = "app.yaml"`): the same file, the same label, the same values.
    let output = run_in(&dir, &env[1..], &["config", "--config", "app.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with(&label), "{}", stdout(&output));
    assert!(stdout(&output).contains("\nservice.name = \"from-yaml\"\n"), "{}", stdout(&output));
    assert!(stdout(&output).contains("otel.toml: not read: `config = …` names the configuration file"));

    // Without the variable, the same directory is an otel.toml one, labelled so.
    let output = run_in(&dir, &[], &["config"]);
    let toml_path = dir.join("otel.toml").display().to_string();
    assert!(stdout(&output).starts_with(&format!("# otel.toml: {toml_path}\n")), "{}", stdout(&output));
    let output = run_in(&dir, &[], &["config", "--json"]);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (json["file_format"].as_str(), json["service"]["name"].as_str()),
        (Some("otel.toml"), Some("from-toml"))
    );
    // No file at all: null.
    assert_eq!(config_json(None, &[])["file_format"], Value::Null);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ping_reaches_the_receiver_over_each_protocol() {
    let receiver = Receiver::start_blocking();
    let grpc = receiver.grpc_endpoint();
    let http = receiver.http_endpoint();
    // (env, expected endpoint in the output)
    let rows: Vec<(Vec<(&str, &str)>, String)> = vec![
        (vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_ENDPOINT", &grpc)], grpc.clone()),
        (
            vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"), ("OTEL_EXPORTER_OTLP_ENDPOINT", &http)],
            format!("{http}/v1/traces"),
        ),
        (
            vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"), ("OTEL_EXPORTER_OTLP_ENDPOINT", &http)],
            format!("{http}/v1/traces"),
        ),
    ];
    for (i, (env, endpoint)) in rows.into_iter().enumerate() {
        let mut env = env;
        env.push(("OTEL_SERVICE_NAME", "pinged"));
        let output = run(None, &env, &["ping"]);
        assert_eq!(output.status.code(), Some(0), "row {i}: {}", stderr(&output));
        let line = stdout(&output);
        assert!(line.starts_with(&format!("ok: {endpoint} (")), "row {i}: {line}");
        assert!(line.contains(" accepted the test span in ") && line.contains(" ms; trace id "), "row {i}: {line}");
    }
    let spans = receiver.spans_named("otel-check ping");
    assert_eq!(spans.len(), 3, "{spans:?}");
}

/// Every signal sent to a collector is listed with its own URL; a signal switched off or printed on the console
/// is skipped, and the per-signal settings of traces reach the traces ping.
#[test]
fn ping_checks_every_exported_signal() {
    let receiver = Receiver::start_blocking();
    let http = receiver.http_endpoint();
    let traces_url = receiver.http_traces_url();
    let logs_url = receiver.http_logs_url();
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces_url.as_str()),
        ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", logs_url.as_str()),
        ("OTEL_METRICS_EXPORTER", "console"),
    ];
    let output = run(None, &env, &["ping"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines: Vec<String> = stdout(&output).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with(&format!("ok: {traces_url} (http/protobuf) accepted the test span in ")), "{lines:?}");
    assert!(
        lines[1].starts_with(&format!("ok: {logs_url} (http/protobuf) accepted a logs export request in ")),
        "{lines:?}"
    );
    // The logs ping is a test log record, in the trace of the test span.
    let record =
        receiver.wait_for_log_blocking(std::time::Duration::from_secs(5), |r| r.body == "otel-check ping").unwrap();
    assert_eq!(record.trace_id, receiver.spans_named("otel-check ping")[0].trace_id);
    assert_eq!(lines[2], "skipped: metrics are not exported (its protocol is `console`)");
    assert_eq!(receiver.spans_named("otel-check ping").len(), 1);

    // Traces switched off: nothing is sent to the traces endpoint.
    let output = run(None, &[("OTEL_TRACES_EXPORTER", "none"), ("OTEL_EXPORTER_OTLP_ENDPOINT", &http)], &["ping"]);
    assert!(
        stdout(&output).starts_with("skipped: traces are not exported (traces.enabled is false)\n"),
        "{}",
        stdout(&output)
    );
    assert_eq!(receiver.spans_named("otel-check ping").len(), 1);
}

#[test]
fn ping_failures_have_their_exit_status() {
    let receiver = Receiver::builder().behavior(Behavior::Reject).start_blocking();
    let stalled = Receiver::builder().behavior(Behavior::Stall).start_blocking();
    let refused = format!("http://127.0.0.1:{}", otel_testkit::unused_port());
    let (grpc, http, stalled_http) = (receiver.grpc_endpoint(), receiver.http_endpoint(), stalled.http_endpoint());
    // (env, exit status, stderr excerpt)
    let rows: Vec<(Vec<(&str, &str)>, i32, &str)> = vec![
        (vec![("OTEL_EXPORTER_OTLP_ENDPOINT", &refused)], 3, "connection refused"),
        (
            vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_ENDPOINT", &refused)],
            3,
            "connection refused",
        ),
        (vec![("OTEL_EXPORTER_OTLP_ENDPOINT", &http)], 7, "HTTP status 400"),
        (vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_ENDPOINT", &grpc)], 8, "INVALID_ARGUMENT"),
        (vec![("OTEL_EXPORTER_OTLP_ENDPOINT", &stalled_http), ("OTEL_EXPORTER_OTLP_TIMEOUT", "300")], 6, "timeout"),
    ];
    for (i, (env, code, excerpt)) in rows.into_iter().enumerate() {
        let output = run(None, &env, &["ping"]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(code), "row {i}: {err}");
        assert!(err.starts_with("failed: ping "), "row {i}: {err}");
        assert!(err.contains(excerpt) && err.contains("\nhint: "), "row {i}: {err:?} lacks {excerpt:?}");
    }
    assert_eq!(receiver.span_count(), 0);
}

#[test]
fn endpoint_credentials_are_never_printed() {
    let refused = format!("http://user:{SECRET}@127.0.0.1:{}", otel_testkit::unused_port());
    let receiver = Receiver::start_blocking();
    let with_credentials = |endpoint: String| endpoint.replacen("://", &format!("://user:{SECRET}@"), 1);
    let (http, grpc) = (with_credentials(receiver.http_endpoint()), with_credentials(receiver.grpc_endpoint()));
    let file = format!("[exporter]\nendpoint = \"http://user:{SECRET}@file:4318\"");
    let bad_file = format!("[exporter]\ntraces_endpoint = \"ftp://user:{SECRET}@file\"");
    let bad_variable = format!("user:{SECRET}@no-scheme:4318");
    // (otel.toml, env, args, exit status when it is known, excerpt of stdout + stderr)
    let rows: Vec<(Option<&str>, Vec<(&str, &str)>, Vec<&str>, Option<i32>, &str)> = vec![
        (Some(&file), vec![], vec!["config"], Some(0), "signals.traces.endpoint = \"http://***@file:4318/v1/traces\""),
        (Some(&file), vec![], vec!["config"], Some(0), "signals.logs.endpoint = \"http://***@file:4318/v1/logs\""),
        (Some(&file), vec![], vec!["config"], Some(0), "\nexporter.endpoint = \"http://***@file:4318\""),
        (Some(&file), vec![], vec!["config", "--json"], Some(0), "\"endpoint\": \"http://***@file:4318/v1/traces\""),
        (
            Some(&file),
            vec![("OTEL_EXPORTER_OTLP_ENDPOINT", &bad_variable)],
            vec!["config"],
            Some(0),
            "ignoring OTEL_EXPORTER_OTLP_ENDPOINT=\"***@no-scheme:4318\"",
        ),
        (Some(&bad_file), vec![], vec!["config"], Some(1), "invalid endpoint \"ftp://***@file\""),
        (Some(&bad_file), vec![], vec!["ping"], Some(1), "invalid endpoint \"ftp://***@file\""),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_ENDPOINT", &refused)],
            vec!["ping"],
            Some(3),
            "failed: ping http://***@127.0.0.1:",
        ),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_ENDPOINT", &refused)],
            vec!["ping"],
            Some(3),
            "failed: ping http://***@127.0.0.1:",
        ),
        // Whether or not the transport accepts credentials in the URL, none are printed.
        (None, vec![("OTEL_EXPORTER_OTLP_ENDPOINT", &http)], vec!["ping"], None, "://***@127.0.0.1:"),
        (
            None,
            vec![("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_ENDPOINT", &grpc)],
            vec!["ping"],
            None,
            "://***@127.0.0.1:",
        ),
    ];
    for (i, (toml, env, args, code, excerpt)) in rows.into_iter().enumerate() {
        let output = run(toml, &env, &args);
        let printed = format!("{}{}", stdout(&output), stderr(&output));
        if let Some(code) = code {
            assert_eq!(output.status.code(), Some(code), "row {i}: {printed}");
        }
        assert!(!printed.contains(SECRET), "row {i}: {printed}");
        assert!(printed.contains(excerpt), "row {i}: {printed:?} lacks {excerpt:?}");
    }
}

/// `otel-check ping` takes its proxy from the environment as the app does: gRPC through a CONNECT tunnel,
/// OTLP/HTTP through the forward proxy, with the credentials; a proxy that refuses them fails the ping naming the
/// proxy redacted. The proxy's password is never printed.
#[test]
fn ping_goes_through_the_proxy_of_the_environment() {
    use otel_testkit::{HttpProxy, ProxyAuth, ProxyOutcome};
    let receiver = Receiver::start_blocking();
    let proxy = HttpProxy::builder().credentials("pu", SECRET).start_blocking();
    let url = proxy.url(&format!("pu:{SECRET}"));
    let wrong = proxy.url(&format!("pu:wrong-{SECRET}"));
    let (grpc, http) = (receiver.grpc_endpoint(), receiver.http_endpoint());
    let grpc_target = format!("127.0.0.1:{}", receiver.grpc_addr().port());
    let http_target = receiver.http_traces_url();
    // (protocol, endpoint, proxy variable and URL, what the proxy then saw)
    let rows = [
        ("grpc", &grpc, ("HTTP_PROXY", &url), ("CONNECT", &grpc_target, ProxyAuth::Valid, ProxyOutcome::Tunnelled)),
        (
            "http/protobuf",
            &http,
            ("http_proxy", &url),
            ("POST", &http_target, ProxyAuth::Valid, ProxyOutcome::Forwarded),
        ),
        (
            "grpc",
            &grpc,
            ("ALL_PROXY", &wrong),
            ("CONNECT", &grpc_target, ProxyAuth::Invalid, ProxyOutcome::Refused(407)),
        ),
        (
            "http/json",
            &http,
            ("HTTP_PROXY", &wrong),
            ("POST", &http_target, ProxyAuth::Invalid, ProxyOutcome::Refused(407)),
        ),
    ];
    let shown = format!("http://***@127.0.0.1:{}", proxy.addr().port());
    for (i, (protocol, endpoint, (variable, proxy_url), expected)) in rows.into_iter().enumerate() {
        let env = [
            ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
            (variable, proxy_url),
        ];
        let before = proxy.requests().len();
        let output = run(None, &env, &["ping"]);
        let printed = format!("{}{}", stdout(&output), stderr(&output));
        assert!(!printed.contains(SECRET), "row {i}: {printed}");
        let seen = proxy.requests();
        // The traces ping comes first; logs and metrics follow through the same proxy.
        let first = seen.get(before).unwrap_or_else(|| panic!("row {i}: the proxy saw nothing: {printed}"));
        assert_eq!((first.method.as_str(), &first.target, first.auth, first.outcome), expected, "row {i}");
        assert_eq!(seen.len() - before, 3, "row {i}: one request per signal: {seen:?}");
        if expected.2 == ProxyAuth::Valid {
            assert_eq!(output.status.code(), Some(0), "row {i}: {printed}");
            assert!(stdout(&output).starts_with("ok: "), "row {i}: {printed}");
        } else {
            assert_eq!(output.status.code(), Some(9), "row {i}: {printed}");
            assert!(stderr(&output).contains(&format!("proxy {shown}")), "row {i}: {printed:?} lacks {shown:?}");
        }
    }
    assert_eq!(receiver.spans_named("otel-check ping").len(), 2);
}
