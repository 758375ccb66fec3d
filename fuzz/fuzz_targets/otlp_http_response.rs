//! An OTLP/HTTP collector's answer — any status, `Content-Type`, `Retry-After` and body — through the
//! transport's classification: never a panic; a 2xx with an empty body is a success and anything that is not a
//! 2xx a failure; the spec's retryable statuses are retryable; a delay asked for is saturated; the message (it is
//! printed in alerts) stays short whatever the server sent.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use otel_runtime::__fuzz::{http_response, MAX_RETRY_DELAY};

#[derive(Arbitrary, Debug)]
struct Answer<'a> {
    status: u16,
    content_type: Option<&'a str>,
    retry_after: Option<&'a str>,
    body: &'a [u8],
    json_request: bool,
}

fuzz_target!(|answer: Answer| {
    let got = http_response(answer.status, answer.content_type, answer.retry_after, answer.body, answer.json_request);
    let success = (200..300).contains(&answer.status);
    if success && answer.body.is_empty() {
        assert_eq!(got.outcome, "accepted", "{answer:?}");
    }
    if !success {
        assert_eq!(got.outcome, "failed", "{answer:?}");
    }
    if matches!(answer.status, 429 | 502 | 503 | 504) {
        assert!(got.retryable, "{answer:?}: {got:?}");
    }
    if let Some(delay) = got.retry_after {
        assert!(delay <= MAX_RETRY_DELAY, "{delay:?}");
    }
    assert!(got.message.chars().count() <= 600, "a {}-character message for {answer:?}", got.message.chars().count());
});
