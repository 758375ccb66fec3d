#[otel::main(signals = "false")]
async fn main() {}
