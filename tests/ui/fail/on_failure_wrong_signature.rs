fn report(event: u32) {
    eprintln!("{event}");
}

#[otel::main(on_failure = report)]
async fn main() {}
