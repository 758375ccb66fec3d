#[otel::test(worker_threads = 2)]
async fn spans() {}

fn main() {}
