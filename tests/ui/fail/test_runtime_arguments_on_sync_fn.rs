#[otel::test(flavor = "multi_thread", worker_threads = 2)]
fn spans() {}

fn main() {}
