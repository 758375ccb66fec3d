#[otel::test(threads = 2)]
fn spans(otel: otel::testing::Capture) {
    let count: u32 = otel.spans();
}

fn main() {}
