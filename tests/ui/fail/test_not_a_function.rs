#[otel::test]
struct Spans;

fn main() {}
