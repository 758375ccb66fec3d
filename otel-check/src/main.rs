//! `otel-check`: PLACEHOLDER, being written.
fn main() {}
