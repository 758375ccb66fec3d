#[otel::test("multi_thread")]
async fn spans() {}

fn main() {}
