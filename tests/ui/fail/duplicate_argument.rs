#[otel::main(service = "checkout", flavor = "current_thread", service = "payments")]
async fn main() {}
