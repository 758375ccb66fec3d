#[otel::main(config = "tests/ui/config/syntax_error.toml")]
async fn main() {}
