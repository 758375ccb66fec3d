//! `config` naming a `.yaml` file: the declarative configuration file, checked at compile time except for what
//! its `${…}` substitutions decide when the program starts.
#![deny(warnings)]

#[otel::main(config = "tests/ui/config/valid.yaml")]
async fn main() {
    tracing::info!("started");
}
