//! `on_failure` takes the path of a `fn(&otel::FailureEvent)`, here in another module.
#![deny(warnings)]

mod alerts {
    pub fn report(event: &otel::FailureEvent) {
        eprintln!("telemetry lost: {event:?}");
    }
}

#[otel::main(service = "checkout", on_failure = alerts::report)]
async fn main() {
    tracing::info!("started");
}
