#[otel::main(config = "tests/ui/config/bad_ratio.yaml")]
async fn main() {}
