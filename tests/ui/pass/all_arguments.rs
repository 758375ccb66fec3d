//! Every argument at once, `config` included. Compile-only: the `#[otel::main]` function is not the entry
//! point (running it would need the otel.toml it names), but it is type-checked like one.
#![deny(warnings)]

fn report(_event: &otel::FailureEvent) {}

mod app {
    #[otel::main(
        config = "tests/ui/config/valid.toml",
        service = "checkout",
        flavor = "multi_thread",
        worker_threads = 4,
        on_failure = super::report,
        signals = false,
    )]
    pub async fn main() -> Result<(), std::io::Error> {
        Ok(())
    }

    #[otel::main(config = r"tests/ui/config/valid.toml", service = "batch-job")]
    pub fn sync_main() {}
}

fn main() {
    let _: fn() -> Result<(), std::io::Error> = app::main;
    let _: fn() = app::sync_main;
}
