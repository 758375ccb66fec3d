#[otel::main(config = "tests/ui/config/missing.toml")]
async fn main() {}
