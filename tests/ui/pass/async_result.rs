//! `async fn main` returning a `Result`, with `?` in the body, on the default multi-thread runtime.
#![deny(warnings)]

use std::error::Error;

#[otel::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let flavor = tokio::runtime::Handle::current().runtime_flavor();
    assert_eq!(flavor, tokio::runtime::RuntimeFlavor::MultiThread);
    let answer = tokio::spawn(async { "42".parse::<u32>() }).await??;
    tracing::info!(answer, "computed");
    assert_eq!(answer, 42);
    Ok(())
}
