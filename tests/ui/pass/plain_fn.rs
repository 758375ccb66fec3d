//! A plain `fn main` runs on the calling thread, without a Tokio runtime of its own.
#![deny(warnings)]

#[otel::main(service = "batch-job")]
fn main() {
    assert!(tokio::runtime::Handle::try_current().is_err());
    let _span = tracing::info_span!("nightly_import").entered();
    tracing::info!("imported");
}
