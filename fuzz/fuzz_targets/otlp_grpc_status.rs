//! A gRPC collector's error status — any code number, message and `grpc-status-details-bin` bytes (RetryInfo,
//! garbage, huge durations) — through the transport's classification: never a panic; retryable exactly for the
//! codes the OTLP spec lists (RESOURCE_EXHAUSTED only with a RetryInfo); the delay saturated; the message short.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use otel_runtime::__fuzz::{grpc_status, MAX_RETRY_DELAY};

#[derive(Arbitrary, Debug)]
struct Status<'a> {
    code: i32,
    message: &'a str,
    details: &'a [u8],
}

fuzz_target!(|status: Status| {
    let got = grpc_status(status.code, status.message, status.details);
    assert_eq!(got.outcome, "failed");
    assert_eq!(got.error_type, Some("grpc_status"));
    let retryable = match status.code {
        // CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS
        1 | 4 | 10 | 11 | 14 | 15 => true,
        // RESOURCE_EXHAUSTED: only when the server says when to come back.
        8 => got.retry_after.is_some(),
        _ => false,
    };
    assert_eq!(got.retryable, retryable, "{status:?}: {got:?}");
    if !got.retryable {
        assert!(got.retry_after.is_none(), "{got:?}");
    }
    if let Some(delay) = got.retry_after {
        assert!(delay <= MAX_RETRY_DELAY, "{delay:?}");
    }
    assert!(got.message.chars().count() <= 600, "a {}-character message", got.message.chars().count());
});
