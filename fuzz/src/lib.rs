//! What every fuzz target shares: loading with an injected environment (no process environment, no file on
//! disk), and the checks that a result is sane — beyond "no panic", which libFuzzer reports by itself.
//!
//! Each target in `fuzz_targets/` is one small file: it turns the fuzzer's bytes into an input, calls the
//! parser, and hands the result to the checks here.

use otel_config::{Config, ConfigError, LoadOptions, Loaded, Propagator};
use std::collections::{BTreeMap, HashMap};

/// Appended to every header value a target builds: a secret that must never show up in an error, a warning,
/// or the `Debug` output of the configuration. Letters and digits only, so percent-decoding leaves it alone.
pub const CANARY: &str = "Zk9SecretCanaryQx";

/// Every standard variable otel-config reads (otel-config/src/env/standard.rs), `OTEL_TOML` excluded: it names
/// a file to read, and the targets never touch the disk.
// TODO(otel-config): a public list of the variables it reads would keep this in step by construction.
pub const STANDARD_VARIABLES: &[&str] = &[
    "OTEL_SDK_DISABLED",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_SERVICE_NAME",
    "OTEL_TRACES_EXPORTER",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
    "OTEL_EXPORTER_OTLP_TIMEOUT",
    "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
    "OTEL_EXPORTER_OTLP_COMPRESSION",
    "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
    "OTEL_EXPORTER_OTLP_INSECURE",
    "OTEL_EXPORTER_OTLP_TRACES_INSECURE",
    "OTEL_EXPORTER_OTLP_CERTIFICATE",
    "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE",
    "OTEL_EXPORTER_OTLP_CLIENT_KEY",
    "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY",
    "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
    "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE",
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
    "OTEL_SPAN_LINK_COUNT_LIMIT",
    "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT",
    "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT",
    "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT",
    "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
    "OTEL_EXPERIMENTAL_RESOURCE_DETECTORS",
    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
    "OTEL_METRIC_EXPORT_INTERVAL",
    "OTEL_METRIC_EXPORT_TIMEOUT",
    "OTEL_LOGS_EXPORTER",
    "OTEL_METRICS_EXPORTER",
    "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
    "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
    "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT",
    "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION",
    "OTEL_EXPORTER_OTLP_LOGS_INSECURE",
    "OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE",
    "OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY",
    "OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE",
    "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
    "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT",
    "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION",
    "OTEL_EXPORTER_OTLP_METRICS_INSECURE",
    "OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE",
    "OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY",
    "OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE",
    "OTEL_BLRP_SCHEDULE_DELAY",
    "OTEL_BLRP_EXPORT_TIMEOUT",
    "OTEL_BLRP_MAX_QUEUE_SIZE",
    "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE",
    "RUST_LOG",
];

/// Every `OTEL_TOML_<KEY>` variable (one per otel.toml key, otel-config/src/keys.rs).
pub const OWN_VARIABLES: &[&str] = &[
    "OTEL_TOML_DISABLED",
    "OTEL_TOML_SERVICE_NAME",
    "OTEL_TOML_SERVICE_VERSION",
    "OTEL_TOML_SERVICE_ENVIRONMENT",
    "OTEL_TOML_RESOURCE",
    "OTEL_TOML_EXPORTER_PROTOCOL",
    "OTEL_TOML_EXPORTER_ENDPOINT",
    "OTEL_TOML_EXPORTER_TRACES_ENDPOINT",
    "OTEL_TOML_EXPORTER_TIMEOUT",
    "OTEL_TOML_EXPORTER_HEADERS",
    "OTEL_TOML_EXPORTER_COMPRESSION",
    "OTEL_TOML_EXPORTER_INSECURE",
    "OTEL_TOML_EXPORTER_CERTIFICATE",
    "OTEL_TOML_EXPORTER_CLIENT_CERTIFICATE",
    "OTEL_TOML_EXPORTER_CLIENT_KEY",
    "OTEL_TOML_BATCH_MAX_QUEUE_SIZE",
    "OTEL_TOML_BATCH_MAX_EXPORT_BATCH_SIZE",
    "OTEL_TOML_BATCH_SCHEDULE_DELAY",
    "OTEL_TOML_BATCH_EXPORT_TIMEOUT",
    "OTEL_TOML_BATCH_MAX_CONCURRENT_EXPORTS",
    "OTEL_TOML_BATCH_MAX_QUEUE_BYTES",
    "OTEL_TOML_BATCH_YIELD_TO_APP",
    "OTEL_TOML_SAMPLER_NAME",
    "OTEL_TOML_SAMPLER_ARG",
    "OTEL_TOML_PROPAGATORS",
    "OTEL_TOML_FMT_FORMAT",
    "OTEL_TOML_FMT_FILTER",
    "OTEL_TOML_SHUTDOWN_TIMEOUT",
    "OTEL_TOML_SHUTDOWN_SUMMARY",
    "OTEL_TOML_LIMITS_ATTRIBUTE_COUNT",
    "OTEL_TOML_LIMITS_EVENT_COUNT",
    "OTEL_TOML_LIMITS_LINK_COUNT",
    "OTEL_TOML_LIMITS_ATTRIBUTE_PER_EVENT",
    "OTEL_TOML_LIMITS_ATTRIBUTE_PER_LINK",
    "OTEL_TOML_TRACING_LOCATION",
    "OTEL_TOML_TRACING_THREADS",
    "OTEL_TOML_TRACING_TIMINGS",
    "OTEL_TOML_EXPORTER_ON_INVALID",
    "OTEL_TOML_EXPORTER_LOGS_ENDPOINT",
    "OTEL_TOML_EXPORTER_METRICS_ENDPOINT",
    "OTEL_TOML_FMT_TRACE_IDS",
    "OTEL_TOML_TRACES_ENABLED",
    "OTEL_TOML_TRACES_EXPORTER_PROTOCOL",
    "OTEL_TOML_TRACES_EXPORTER_TIMEOUT",
    "OTEL_TOML_TRACES_EXPORTER_HEADERS",
    "OTEL_TOML_TRACES_EXPORTER_COMPRESSION",
    "OTEL_TOML_TRACES_EXPORTER_INSECURE",
    "OTEL_TOML_TRACES_EXPORTER_CERTIFICATE",
    "OTEL_TOML_TRACES_EXPORTER_CLIENT_CERTIFICATE",
    "OTEL_TOML_TRACES_EXPORTER_CLIENT_KEY",
    "OTEL_TOML_LOGS_ENABLED",
    "OTEL_TOML_LOGS_SPAN_EVENTS",
    "OTEL_TOML_LOGS_EXPORTER_PROTOCOL",
    "OTEL_TOML_LOGS_EXPORTER_TIMEOUT",
    "OTEL_TOML_LOGS_EXPORTER_HEADERS",
    "OTEL_TOML_LOGS_EXPORTER_COMPRESSION",
    "OTEL_TOML_LOGS_EXPORTER_INSECURE",
    "OTEL_TOML_LOGS_EXPORTER_CERTIFICATE",
    "OTEL_TOML_LOGS_EXPORTER_CLIENT_CERTIFICATE",
    "OTEL_TOML_LOGS_EXPORTER_CLIENT_KEY",
    "OTEL_TOML_LOGS_BATCH_MAX_QUEUE_SIZE",
    "OTEL_TOML_LOGS_BATCH_MAX_EXPORT_BATCH_SIZE",
    "OTEL_TOML_LOGS_BATCH_SCHEDULE_DELAY",
    "OTEL_TOML_LOGS_BATCH_EXPORT_TIMEOUT",
    "OTEL_TOML_LOGS_BATCH_MAX_CONCURRENT_EXPORTS",
    "OTEL_TOML_LOGS_BATCH_MAX_QUEUE_BYTES",
    "OTEL_TOML_LOGS_BATCH_YIELD_TO_APP",
    "OTEL_TOML_METRICS_ENABLED",
    "OTEL_TOML_METRICS_INTERVAL",
    "OTEL_TOML_METRICS_TIMEOUT",
    "OTEL_TOML_METRICS_TEMPORALITY",
    "OTEL_TOML_METRICS_SELF_OBSERVABILITY",
    "OTEL_TOML_METRICS_EXPORTER_PROTOCOL",
    "OTEL_TOML_METRICS_EXPORTER_TIMEOUT",
    "OTEL_TOML_METRICS_EXPORTER_HEADERS",
    "OTEL_TOML_METRICS_EXPORTER_COMPRESSION",
    "OTEL_TOML_METRICS_EXPORTER_INSECURE",
    "OTEL_TOML_METRICS_EXPORTER_CERTIFICATE",
    "OTEL_TOML_METRICS_EXPORTER_CLIENT_CERTIFICATE",
    "OTEL_TOML_METRICS_EXPORTER_CLIENT_KEY",
    "OTEL_TOML_RESOURCE_DETECTORS",
];

/// The variables whose value is a list of secret header values.
pub fn is_header_variable(variable: &str) -> bool {
    variable.ends_with("_HEADERS")
}

/// `load` as `#[otel::main]` runs it at start, with `env` as the whole environment and a working directory
/// that does not exist (so no otel.toml is read: nothing comes from the disk or the process environment).
pub fn load_env(env: HashMap<String, String>) -> Result<Loaded, ConfigError> {
    otel_config::load(&LoadOptions::new().env(env).cwd("/nonexistent/otel-fuzz").crate_name("otel_fuzz"))
}

/// Decodes the `%XX` escapes that are well formed and keeps everything else: used only to tell whether the
/// fuzzer itself spelled the canary somewhere it may legitimately be echoed (a header name, say).
fn lenient_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Whether the fuzzer's own text spells the canary (plainly or percent-encoded): then a name or a non-secret
/// value may carry it and the secrecy check cannot tell a leak from an echo, so it is skipped for that input.
pub fn spells_canary<'a>(texts: impl IntoIterator<Item = &'a str>) -> bool {
    texts.into_iter().any(|t| t.contains(CANARY) || lenient_decode(t).contains(CANARY))
}

/// A sane error: not empty, one problem per line, each line an `otel: ` message; no secret when `secrets`.
pub fn check_error(error: &ConfigError, secrets: bool) {
    let message = error.to_string();
    assert!(!message.trim().is_empty(), "empty error message");
    // One line per problem, each the problem's own Display.
    assert_eq!(message.lines().count(), error.problems().len(), "{message:?}");
    for line in message.lines() {
        assert!(line.starts_with("otel: "), "an error line without the `otel: ` prefix: {message:?}");
        // Text the user wrote is shown escaped: a line break or a terminal escape must not reach stderr raw.
        assert!(!line.contains(char::is_control), "a control character in an error: {message:?}");
    }
    if secrets {
        assert!(!message.contains(CANARY), "an error shows a header value: {message:?}");
    }
}

/// A sane load: the configuration's invariants hold, every warning is a well-formed message that hides header
/// values, and (when `secrets`) no header value shows in a warning or in `Debug`.
pub fn check_loaded(loaded: &Loaded, secrets: bool) {
    check_config(&loaded.config);
    assert_eq!(loaded.file, None, "a file was read");
    for warning in &loaded.warnings {
        let text = warning.to_string();
        assert!(text.starts_with("otel: ignoring "), "{text:?}");
        assert!(!warning.reason().trim().is_empty(), "a warning without a reason: {text:?}");
        if is_header_variable(warning.variable()) {
            assert_eq!(warning.value(), "***", "a header variable's value in a warning: {text:?}");
        }
        if secrets {
            assert!(!text.contains(CANARY), "a warning shows a header value: {text:?}");
        }
    }
    if secrets {
        let debug = format!("{loaded:?}");
        assert!(!debug.contains(CANARY), "Debug shows a header value: {debug}");
    }
}

/// What `load` and `check_file` promise about a configuration they return.
pub fn check_config(config: &Config) {
    assert!(!config.service.name.trim().is_empty(), "empty service.name accepted");
    let batch = &config.batch;
    assert!(batch.max_queue_size >= 1 && batch.max_export_batch_size >= 1, "{batch:?}");
    assert!(batch.max_export_batch_size <= batch.max_queue_size, "{batch:?}");
    assert!(batch.max_queue_bytes >= 1 && batch.max_concurrent_exports >= 1, "{batch:?}");
    if config.sampler.name.is_ratio() {
        assert!((0.0..=1.0).contains(&config.sampler.ratio()), "{:?}", config.sampler);
    }
    assert!(!config.propagators.contains(&Propagator::None), "{:?}", config.propagators);
    for (i, p) in config.propagators.iter().enumerate() {
        assert!(!config.propagators[..i].contains(p), "duplicate propagator: {:?}", config.propagators);
    }
    let logs = &config.logs.batch;
    assert!(logs.max_queue_size >= 1 && logs.max_export_batch_size >= 1, "{logs:?}");
    assert!(logs.max_export_batch_size <= logs.max_queue_size, "{logs:?}");
    assert!(!config.metrics.interval.is_zero(), "{:?}", config.metrics);
    for signal in otel_config::Signal::ALL {
        let exporter = config.exporter_for(*signal);
        for (name, value) in exporter.headers.iter() {
            assert!(valid_header(name, value), "an invalid header accepted: {name:?}");
        }
        // Must not panic, whatever the endpoint.
        let _ = exporter.url(*signal);
        let _ = config.exports(*signal);
    }
}

/// Whether the pair can be sent as an HTTP header (the rule otel-config applies).
pub fn valid_header(name: &str, value: &str) -> bool {
    http_header_name(name) && value.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b) || b >= 0x80)
}

/// RFC 9110 `token` (what `http::HeaderName::from_bytes` accepts, upper case included).
fn http_header_name(name: &str) -> bool {
    // http 1 caps a name at 64 KiB.
    !name.is_empty()
        && name.len() < 1 << 16
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `%XX` for every byte that is not an ASCII letter or digit: the inverse of otel-config's decoding, so
/// `parse(encode(pairs)) == pairs` for any strings.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// `k=v,k2=v2`, every key and value percent-encoded.
pub fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect::<Vec<_>>().join(",")
}

/// The pairs as a map: a later key replaces an earlier one, as in otel-config.
pub fn last_wins(pairs: &[(String, String)]) -> BTreeMap<String, String> {
    pairs.iter().cloned().collect()
}

/// The pairs as headers: a later name replaces an earlier one that differs from it only in case (HTTP names are
/// case-insensitive), and its spelling is kept, as otel-config reduces a header list.
pub fn last_wins_headers(pairs: &[(String, String)]) -> BTreeMap<String, String> {
    let mut by_name: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (name, value) in pairs {
        by_name.insert(name.to_ascii_lowercase(), (name.clone(), value.clone()));
    }
    by_name.into_values().collect()
}

/// A TOML basic string (quoted, every control character escaped): usable as a value or a quoted key.
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The environment a fuzz input describes: UTF-8 text, one `NAME=value` a line (so seeds are readable and
/// written from real settings). A known name, or any `OTEL_TOML_*` name, is kept; any other name picks one of
/// the known variables (with `arbitrary`, from the name's bytes), so mutated names still reach a parser.
/// `None` for text that is not UTF-8: an environment map holds strings.
pub fn env_from_text(data: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(data).ok()?;
    let known: Vec<&str> = STANDARD_VARIABLES.iter().chain(OWN_VARIABLES).copied().collect();
    let vars = text
        .split('\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap_or((line, ""));
            let name = if known.contains(&name) || name.starts_with("OTEL_TOML_") {
                name.to_string()
            } else {
                let mut bytes = arbitrary::Unstructured::new(name.as_bytes());
                bytes.choose(&known).map(|n| n.to_string()).unwrap_or_else(|_| known[0].to_string())
            };
            (name, value.to_string())
        })
        .collect();
    Some(vars)
}
