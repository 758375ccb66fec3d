#[otel::main(config = "tests/ui/config/bad_protocol.toml")]
async fn main() {}
