// An error in the attribute does not hide errors in the body, nor add others (no "`main` function not
// found", no "`main` function is not allowed to be `async`").
#[otel::main(foo = 1)]
async fn main() -> Result<(), std::io::Error> {
    let port: u16 = "8080";
    let _ = port;
    Ok(())
}
