#[otel::main]
const fn main() {}
