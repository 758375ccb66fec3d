#[otel::main(service = 5)]
async fn main() {}
