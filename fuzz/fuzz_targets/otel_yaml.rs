//! Arbitrary text as a declarative configuration file (`OTEL_CONFIG_FILE`), with a small environment for its
//! `${VAR}` references, through `otel_config::load_declarative_text`: YAML parsing with positions,
//! substitution, mapping onto otel.toml's keys and validation. What loads is also written back with
//! `to_declarative_yaml`, which must read back to the same signals, service and URLs.
//!
//! Input (UTF-8): the file's text, optionally followed by a line `#%env` and `NAME=value` lines (at most
//! [`MAX_VARS`]); the marker is a YAML comment, so a seed is a plain file (otel-config's fixtures).
#![no_main]

use libfuzzer_sys::fuzz_target;
use otel_config::{Config, LoadOptions, Signal};
use otel_fuzz::{check_config, check_error};
use std::collections::HashMap;
use std::path::Path;

/// The environment stays small: substitution looks names up, it never iterates them.
const MAX_VARS: usize = 8;

fuzz_target!(|data: &[u8]| {
    // `load` reads the file with `read_to_string`: text that is not UTF-8 never gets here.
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (text, vars) = input.split_once("\n#%env\n").unwrap_or((input, ""));
    let env: HashMap<String, String> = vars
        .lines()
        .take(MAX_VARS)
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap_or((line, ""));
            (name.to_string(), value.to_string())
        })
        .collect();
    let options = LoadOptions::new().env(env).crate_name("otel_fuzz");
    let path = Path::new("fuzz/otel.yaml");
    let loaded = match otel_config::load_declarative_text(&options, path, text) {
        Ok(loaded) => loaded,
        // The text is arbitrary: a header value cannot be told apart from the rest (a `${VAR}` may put a value
        // anywhere), so secrecy is not checked here.
        Err(error) => return check_error(&error, false),
    };
    check_config(&loaded.config);
    assert_eq!(loaded.file.as_deref(), Some(path));
    for warning in &loaded.warnings {
        let text = warning.to_string();
        assert!(text.starts_with("otel: "), "{text:?}");
        assert!(!text.contains(char::is_control), "a control character in a warning: {text:?}");
    }
    written_back(&loaded.config);
});

/// `to_declarative_yaml` of a loaded configuration reads back (with the variables its header lists set to the
/// secrets it left out) to the same service, signals, protocols and URLs.
fn written_back(config: &Config) {
    let yaml = otel_config::to_declarative_yaml(config);
    let mut env = HashMap::new();
    for signal in Signal::ALL.iter().copied() {
        let exporter = config.exporter_for(signal);
        let endpoint = format!("OTEL_EXPORTER_OTLP_{}_ENDPOINT", signal.as_str().to_uppercase());
        env.insert(endpoint, exporter.url(signal));
        for (name, value) in exporter.headers.iter() {
            // The variable the emitter names for this header (its spelling, otel-config's declarative/emit.rs).
            let variable: String = format!("OTEL_HEADER_{name}")
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
                .collect();
            env.insert(variable, value.to_string());
        }
    }
    let options = LoadOptions::new().env(env).crate_name("otel_fuzz");
    let back = otel_config::load_declarative_text(&options, Path::new("fuzz/back.yaml"), &yaml)
        .unwrap_or_else(|e| panic!("the written file does not read back: {e}\n{yaml}"));
    let back = &back.config;
    assert_eq!(back.service.name, config.service.name, "{yaml}");
    assert_eq!(back.propagators, config.propagators, "{yaml}");
    for signal in Signal::ALL.iter().copied() {
        assert_eq!(back.exports(signal), config.exports(signal), "{signal}\n{yaml}");
        if config.exports(signal) {
            let (a, b) = (config.exporter_for(signal), back.exporter_for(signal));
            assert_eq!(b.protocol, a.protocol, "{signal}\n{yaml}");
            if a.protocol.is_otlp() {
                assert_eq!(b.url(signal), a.url(signal), "{signal}\n{yaml}");
            }
        }
    }
}
