//! Outside input end to end: the pure entry points (`check_file`, `load_with_text`) never panic, never read
//! without bound, and every configuration they accept is within the documented bounds.

use super::*;
use std::path::Path;

/// What every loaded configuration satisfies, whatever the input.
fn assert_bounded(config: &Config, input: &str) {
    let b = &config.batch;
    assert!((1..=MAX_QUEUE_SIZE).contains(&b.max_queue_size), "{input}");
    assert!((1..=b.max_queue_size).contains(&b.max_export_batch_size), "{input}");
    assert!((1..=MAX_CONCURRENT_EXPORTS).contains(&b.max_concurrent_exports), "{input}");
    for d in [config.exporter.timeout, b.schedule_delay, b.export_timeout, config.shutdown.timeout] {
        assert!(d <= MAX_DURATION, "{input}");
        let _ = std::time::Instant::now() + d;
    }
    let names: Vec<String> = config.exporter.headers.iter().map(|(k, _)| k.to_ascii_lowercase()).collect();
    let mut unique = names.clone();
    unique.dedup();
    assert_eq!(names, unique, "{input}");
    assert!(config.sampler.arg.is_none_or(f64::is_finite), "{input}");
}

/// A small deterministic generator (xorshift), so that a failure is reproducible from its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "262144",
    "262145",
    "18446744073709551615",
    "99999999999999999999999",
    "1e400",
    "nan",
    "inf",
    "\"99999999999999999999h\"",
    "\"8760h\"",
    "\"1.5s\"",
    "\"%ZZ\"",
    "\"\"",
    "true",
    "[1, [2, [3]]]",
    "{ a = 1 }",
    "\"http://u:p@h:1\"",
    "\"grpc\"",
    "\"\\u0000\"",
    "\"a=b,A=c\"",
    "1.5",
    "9223372036854775807",
    "-9223372036854775808",
];
const ENV_VALUES: &[&str] = &[
    "",
    " ",
    "0",
    "-0",
    "1",
    "+7",
    "262145",
    "18446744073709551616",
    "999999999999999999999999999999",
    "-99999999999",
    "abc",
    "a=1,A=2",
    "=",
    ",,,",
    "%",
    "%Z",
    "%ff",
    "%C3%28",
    "k=%E2%82%AC",
    "http://u:p@h:1",
    "u:p@h",
    "ftp://x",
    "http://",
    "[",
    "[1,[2",
    "[\"b3\"]",
    "none,b3",
    "nan",
    "inf",
    "1e308",
    "true",
    "TRUE",
    "otlp,console",
    "\u{1b}[2J",
    "é=è",
];

#[test]
fn generated_inputs_never_panic_and_stay_bounded() {
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let keys: Vec<&str> = crate::keys::KEYS.iter().map(|(k, _)| *k).collect();
    let variables = [
        "OTEL_SDK_DISABLED",
        "OTEL_SERVICE_NAME",
        "OTEL_RESOURCE_ATTRIBUTES",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_TRACES_EXPORTER",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        "OTEL_EXPORTER_OTLP_TIMEOUT",
        "OTEL_EXPORTER_OTLP_COMPRESSION",
        "OTEL_EXPORTER_OTLP_INSECURE",
        "OTEL_BSP_SCHEDULE_DELAY",
        "OTEL_BSP_EXPORT_TIMEOUT",
        "OTEL_BSP_MAX_QUEUE_SIZE",
        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
        "OTEL_TRACES_SAMPLER",
        "OTEL_TRACES_SAMPLER_ARG",
        "OTEL_PROPAGATORS",
        "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT",
        "OTEL_ATTRIBUTE_COUNT_LIMIT",
        "OTEL_SPAN_EVENT_COUNT_LIMIT",
        "OTEL_TOML_BATCH_MAX_QUEUE_SIZE",
        "OTEL_TOML_EXPORTER_HEADERS",
        "OTEL_TOML_PROPAGATORS",
        "OTEL_TOML_SHUTDOWN_TIMEOUT",
        "OTEL_TOML_SAMPLER_ARG",
        "OTEL_TOML_EXPORTER_ON_INVALID",
        "OTEL_TOML_X",
    ];
    let (mut accepted, mut rejected) = (0, 0);
    for _ in 0..1500 {
        let mut text = String::new();
        for _ in 0..(rng.next() % 4) {
            let key = rng.pick(&keys);
            text.push_str(&format!("{key} = {}\n", rng.pick(VALUES)));
        }
        let mut env = HashMap::new();
        for _ in 0..(rng.next() % 4) {
            env.insert(rng.pick(&variables).to_string(), rng.pick(ENV_VALUES).to_string());
        }
        let input = format!("{text:?} {env:?}");
        if let Ok(config) = check_file("otel.toml", &text) {
            assert_bounded(&config, &input);
        }
        let options = LoadOptions { env: Some(env), ..Default::default() };
        match load_with_text(&options, Some((Path::new("otel.toml"), &text))) {
            Ok(loaded) => {
                assert_bounded(&loaded.config, &input);
                accepted += 1;
            }
            Err(e) => {
                assert!(e.to_string().starts_with("otel: "), "{input}: {e}");
                rejected += 1;
            }
        }
    }
    // The generator reaches both outcomes (else it tests nothing).
    assert!(accepted > 100 && rejected > 100, "{accepted} accepted, {rejected} rejected");
}

#[test]
fn hostile_texts_are_errors_not_panics() {
    let deep_array = format!("propagators = {}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_table = format!("[{}]", vec!["a"; 10_000].join("."));
    let long_key = format!("[exporter]\n{} = 1", "k".repeat(200_000));
    let texts = [deep_array, deep_table, long_key, "\u{0}".repeat(1000), "[exporter.headers]\n\"\" = \"x\"".into()];
    for text in &texts {
        let error = check_file("otel.toml", text).unwrap_err().to_string();
        assert!(error.starts_with("otel: "), "{error}");
    }
    let long_variable = format!("OTEL_TOML_{}", "X".repeat(200_000));
    let options = LoadOptions { env: Some(env_map(&[(&long_variable, "1")])), ..Default::default() };
    assert!(load_with_text(&options, None).unwrap_err().to_string().starts_with("otel: unknown environment variable"));
}

#[test]
fn load_with_text_reads_no_file_and_no_process_environment() {
    // OTEL_TOML and `file` would name missing files: `load` fails on them, `load_with_text` ignores them.
    let options = LoadOptions {
        file: Some("/nonexistent/otel.toml".into()),
        cwd: Some("/nonexistent".into()),
        env: Some(env_map(&[("OTEL_TOML", "/nonexistent/other.toml"), ("OTEL_SERVICE_NAME", "env")])),
        ..Default::default()
    };
    assert!(load(&options).is_err());
    let loaded = load_with_text(&options, Some((Path::new("x/otel.toml"), "[fmt]\nformat = \"json\""))).unwrap();
    assert_eq!((loaded.config.service.name.as_str(), loaded.config.fmt.format), ("env", FmtFormat::Json));
    assert_eq!(loaded.file.as_deref(), Some(Path::new("x/otel.toml")));
    let error = load_with_text(&options, Some((Path::new("x/otel.toml"), "[fmt]\nformat = 1"))).unwrap_err();
    assert!(error.to_string().starts_with("otel: invalid configuration in x/otel.toml: key `fmt.format`"), "{error}");
}

#[test]
fn the_file_read_is_bounded() {
    // A device never ends (and a FIFO would block): only regular files are read.
    let message = error_of(None, &[("OTEL_TOML", "/dev/zero")]);
    assert_eq!(message, "otel: cannot read the configuration file `/dev/zero`: not a regular file");
    let dir = dir_with(None);
    let big = dir.join("big.toml");
    std::fs::write(&big, format!("# {}\n", "x".repeat(1024 * 1024))).unwrap();
    let message = error_of(None, &[("OTEL_TOML", big.to_str().unwrap())]);
    assert!(message.ends_with("big.toml`: larger than 1048576 bytes"), "{message}");
    let _ = std::fs::remove_dir_all(&dir);
}
