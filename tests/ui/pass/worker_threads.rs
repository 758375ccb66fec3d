//! `worker_threads = N` sizes the multi-thread runtime.
#![deny(warnings)]

#[otel::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runtime = tokio::runtime::Handle::current();
    assert_eq!(runtime.runtime_flavor(), tokio::runtime::RuntimeFlavor::MultiThread);
    assert_eq!(runtime.metrics().num_workers(), 2);
}
