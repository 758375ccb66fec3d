#[otel::main(service = "checkout")]
#[tokio::main]
async fn main() {}
