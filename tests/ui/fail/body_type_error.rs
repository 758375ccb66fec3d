#[otel::main(service = "checkout")]
async fn main() -> Result<(), std::io::Error> {
    let port: u16 = "8080".parse().unwrap();
    port
}
