//! Header lists by every route — `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TRACES_HEADERS`,
//! `OTEL_TOML_EXPORTER_HEADERS` and `[exporter.headers]` in otel.toml — with a secret in every value: the
//! result is exactly the valid headers, or a warning (standard variables) or an error (ours, the file) that
//! names no value. Arbitrary text is tried too, with the secret at its end.
// TODO(otel-config): `pairs::parse_pairs` is crate-private, so it is reached through `load`.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use otel_fuzz::{
    check_error, check_loaded, encode_pairs, last_wins_headers, load_env, spells_canary, toml_string, valid_header,
    CANARY,
};
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

const VARIABLES: [&str; 3] =
    ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_TOML_EXPORTER_HEADERS"];

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::new(data) else {
        return;
    };
    let env = |var: &str, value: &str| HashMap::from([(var.to_string(), value.to_string())]);
    let own = |var: &str| var.starts_with("OTEL_TOML_");

    // Arbitrary text ending with the secret: the secret sits in the last item's value (or in an item with no
    // `=`), never in a name, so it may not be shown.
    let raw = format!("{}{CANARY}", input.raw);
    let secrets = !spells_canary([input.raw.as_str()]);
    for variable in VARIABLES {
        match load_env(env(variable, &raw)) {
            Ok(loaded) => check_loaded(&loaded, secrets),
            Err(error) => {
                assert!(own(variable), "{variable} gave an error: {error}");
                check_error(&error, secrets)
            }
        }
    }

    // Pairs with the secret in every value, percent-encoded: all valid → exactly these headers; any invalid →
    // none, with a warning (standard variables: every pair is checked) or an error (ours and the file: the
    // pairs become a map first, so only the last value of a repeated name is checked). Names that differ only in
    // case are one header: the last spelling and value.
    let pairs: Vec<(String, String)> =
        input.pairs.iter().filter(|(k, _)| !k.is_empty()).map(|(k, v)| (k.clone(), format!("{v}{CANARY}"))).collect();
    let secrets = !spells_canary(input.pairs.iter().map(|(k, _)| k.as_str()));
    let expected = last_wins_headers(&pairs);
    let map_valid = expected.iter().all(|(k, v)| valid_header(k, v));
    let text = encode_pairs(&pairs);
    for variable in VARIABLES {
        let all_valid = if own(variable) { map_valid } else { pairs.iter().all(|(k, v)| valid_header(k, v)) };
        match load_env(env(variable, &text)) {
            Ok(loaded) => {
                check_loaded(&loaded, secrets);
                // The traces' headers: `[exporter]`'s, or `[traces.exporter]`'s for the per-signal variable.
                let traces = loaded.config.exporter_for(otel_config::Signal::Traces);
                check_headers(variable, traces.headers.iter(), &expected, all_valid);
                let warned = loaded.warnings.iter().any(|w| w.variable() == variable);
                assert_eq!(warned, !all_valid, "{variable}: {:?}", loaded.warnings);
            }
            Err(error) => {
                assert!(own(variable) && !all_valid, "{variable}: {error}");
                check_error(&error, secrets);
            }
        }
    }

    // The same headers in otel.toml (TOML forbids a repeated key: the map, not the list).
    let file: String = std::iter::once("[exporter.headers]\n".to_string())
        .chain(expected.iter().map(|(k, v)| format!("{} = {}\n", toml_string(k), toml_string(v))))
        .collect();
    match otel_config::check_file("otel.toml", &file) {
        Ok(config) => {
            otel_fuzz::check_config(&config);
            check_headers("otel.toml", config.exporter.headers.iter(), &expected, map_valid);
        }
        Err(error) => {
            assert!(!map_valid, "otel.toml: {error}");
            check_error(&error, secrets);
        }
    }
});

/// Exactly the expected headers when all are valid; otherwise none.
fn check_headers<'a>(
    source: &str,
    headers: impl Iterator<Item = (&'a str, &'a str)>,
    expected: &BTreeMap<String, String>,
    all_valid: bool,
) {
    let got: BTreeMap<String, String> = headers.map(|(k, v)| (k.to_string(), v.to_string())).collect();
    if all_valid {
        // Names only in the message: the values are secrets.
        assert!(got == *expected, "{source}: valid headers changed (names {:?})", expected.keys());
    } else {
        assert!(got.is_empty(), "{source}: invalid headers kept (names {:?})", got.keys());
    }
}
