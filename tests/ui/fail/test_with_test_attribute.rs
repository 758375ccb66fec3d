#[otel::test]
#[test]
fn spans() {}

#[otel::test]
#[tokio::test]
async fn async_spans() {}

fn main() {}
