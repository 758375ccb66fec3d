#[otel::main(
    servce = "checkout",
    flavor = "current_thread",
    flavor = "multi_thread",
    worker_threads = "4",
    on_failure = "report",
)]
async fn main(args: Vec<String>) {
    let _ = args;
}
