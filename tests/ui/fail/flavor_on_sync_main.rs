#[otel::main(flavor = "current_thread")]
fn main() {}
