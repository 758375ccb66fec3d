//! Compile-time behaviour of `#[otel::main]`: what must compile (and run) and the exact errors for
//! what must not. Regenerate the expected errors with `TRYBUILD=overwrite cargo test -p otel --test ui`,
//! then read every changed `.stderr` file.

#[test]
fn ui() {
    // The pass cases are run, too. The SDK is disabled so that they neither need a collector nor wait for
    // one; they test the expansion, not the export.
    std::env::set_var("OTEL_SDK_DISABLED", "true");

    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
