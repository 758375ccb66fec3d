//! Arbitrary bytes as the text of an otel.toml, through `otel_config::check_file`: the in-memory check
//! `#[otel::main]` runs while compiling, with the same layers and validation `load` uses at start.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otel_fuzz::{check_config, check_error};

fuzz_target!(|data: &[u8]| {
    // The macro and `load` read the file with `read_to_string`: text that is not UTF-8 never gets here.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match otel_config::check_file("fuzz/otel.toml", text) {
        Ok(config) => check_config(&config),
        // The text is arbitrary: a header value cannot be told apart from the rest, so the secrecy of header
        // values is checked by the `headers` target, which places them itself.
        Err(error) => check_error(&error, false),
    }
});
