#[otel::main(service)]
async fn main() {}
