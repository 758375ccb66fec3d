fn report(event: String) {
    eprintln!("{event}");
}

#[otel::main(on_failure = report)]
async fn main() {}
