//! `flavor = "current_thread"` builds a current-thread runtime.
#![deny(warnings)]

#[otel::main(flavor = "current_thread")]
async fn main() {
    let flavor = tokio::runtime::Handle::current().runtime_flavor();
    assert_eq!(flavor, tokio::runtime::RuntimeFlavor::CurrentThread);
    tokio::task::yield_now().await;
}
