//! A plain `fn main` returning a `Result`, with `?` in the body.
#![deny(warnings)]

#[otel::main]
fn main() -> Result<(), std::num::ParseIntError> {
    let port: u16 = "8080".parse()?;
    assert_eq!(port, 8080);
    Ok(())
}
