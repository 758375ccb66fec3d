#[otel::main]
unsafe fn main() {}
