#[otel::main]
async fn main(args: Vec<String>, verbose: bool) -> Result<(), String> {
    let _ = (args, verbose);
    Ok(())
}
