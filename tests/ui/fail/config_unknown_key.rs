#[otel::main(config = "tests/ui/config/unknown_key.toml")]
async fn main() {}
