#[otel::main(service_name = "checkout")]
async fn main() {}
