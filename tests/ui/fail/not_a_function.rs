#[otel::main]
struct Config {
    service: String,
}

fn main() {
    let _ = Config { service: String::new() }.service;
}
