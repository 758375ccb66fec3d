//! Ends in the way `EXIT_MODE` says — `return`, `question` (an early `?`), `panic` — after making one span, so
//! the tests can check that every exit path flushes it. It runs on the `current_thread` flavor, the one most
//! prone to flush deadlocks.

#[tracing::instrument]
fn work(mode: &str) {
    tracing::info!(mode, "working");
}

#[otel::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let mode = std::env::var("EXIT_MODE").unwrap_or_else(|_| "return".into());
    work(&mode);
    match mode.as_str() {
        "question" => Err::<(), String>("early exit through ?".into())?,
        "panic" => panic!("deliberate panic"),
        _ => {}
    }
    Ok(())
}
