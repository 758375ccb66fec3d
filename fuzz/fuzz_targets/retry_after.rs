//! `Retry-After` values (delay-seconds, HTTP dates, garbage): never a panic, never more than the transport's
//! ceiling, and a plain number of seconds is read exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otel_runtime::__fuzz::{retry_after, MAX_RETRY_DELAY};
use std::time::Duration;

fuzz_target!(|value: &str| {
    let got = retry_after(value);
    if let Some(delay) = got {
        assert!(delay <= MAX_RETRY_DELAY, "{value:?}: {delay:?}");
    }
    let trimmed = value.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(seconds) = trimmed.parse::<u64>() {
            assert_eq!(got, Some(Duration::from_secs(seconds).min(MAX_RETRY_DELAY)), "{value:?}");
        }
    }
});
