//! The `k=v,...` percent-encoded list of `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_TOML_RESOURCE`: arbitrary text
//! must give a warning or an error, never a panic; and any pairs, percent-encoded, must come back exactly.
// TODO(otel-config): `pairs::parse_pairs` is crate-private, so it is reached through `load`; a public (or
// `#[doc(hidden)]`) entry would let this target call the parser directly.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use otel_config::ResourceValue;
use otel_fuzz::{check_error, check_loaded, encode_pairs, last_wins, load_env};
use std::collections::{BTreeMap, HashMap};

/// One input read two ways: as the text of the variable, and (with `arbitrary`) as a list of pairs.
struct Input {
    raw: String,
    pairs: Vec<(String, String)>,
}

impl Input {
    fn new(data: &[u8]) -> Option<Input> {
        let raw = String::from_utf8_lossy(data).into_owned();
        let pairs = Vec::arbitrary(&mut Unstructured::new(data)).ok()?;
        Some(Input { raw, pairs })
    }
}

/// The keys that set `[service]` instead of `[resource]`.
const SERVICE_KEYS: &[&str] =
    &["service.name", "service.version", "deployment.environment.name", "deployment.environment"];

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::new(data) else {
        return;
    };
    // Arbitrary text: the standard variable never fails (a bad list is discarded with a warning) ...
    let env = |var: &str, value: &str| HashMap::from([(var.to_string(), value.to_string())]);
    match load_env(env("OTEL_RESOURCE_ATTRIBUTES", &input.raw)) {
        Ok(loaded) => check_loaded(&loaded, false),
        Err(error) => panic!("OTEL_RESOURCE_ATTRIBUTES={:?} gave an error: {error}", input.raw),
    }
    // ... and our own variable fails with a clear error.
    match load_env(env("OTEL_TOML_RESOURCE", &input.raw)) {
        Ok(loaded) => check_loaded(&loaded, false),
        Err(error) => check_error(&error, false),
    }

    // Encoded pairs come back as they were (a later key wins); the `[service]` keys and empty keys, which
    // have rules of their own, are left out of this part.
    let pairs: Vec<(String, String)> =
        input.pairs.into_iter().filter(|(k, _)| !k.is_empty() && !SERVICE_KEYS.contains(&k.as_str())).collect();
    let expected: BTreeMap<String, ResourceValue> =
        last_wins(&pairs).into_iter().map(|(k, v)| (k, ResourceValue::String(v))).collect();
    let text = encode_pairs(&pairs);
    for variable in ["OTEL_RESOURCE_ATTRIBUTES", "OTEL_TOML_RESOURCE"] {
        let loaded = load_env(env(variable, &text)).unwrap_or_else(|e| panic!("{variable}={text:?}: {e}"));
        assert!(loaded.warnings.is_empty(), "{variable}={text:?}: {:?}", loaded.warnings);
        assert_eq!(loaded.config.resource, expected, "{variable}={text:?}");
    }
});
