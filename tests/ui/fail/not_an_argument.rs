#[otel::main("checkout")]
async fn main() {}
