#[otel::test(flavour = "multi_thread")]
async fn spans() {}

fn main() {}
