fn report(_event: &otel::FailureEvent) {}

#[otel::main(on_failure = "report")]
async fn main() {
    let _ = report;
}
