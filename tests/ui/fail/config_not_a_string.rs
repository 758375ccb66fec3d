#[otel::main(config = otel_toml)]
async fn main() {}
