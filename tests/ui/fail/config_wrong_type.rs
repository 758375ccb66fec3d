#[otel::main(config = "tests/ui/config/wrong_type.toml")]
async fn main() {}
