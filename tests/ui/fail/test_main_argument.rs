#[otel::test(service = "checkout", on_failure = report)]
fn spans() {}

fn main() {}
