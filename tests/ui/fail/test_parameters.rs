use otel::testing::Capture;

#[otel::test]
fn spans(otel: Capture, extra: u32) {
    let _ = (otel, extra);
}

fn main() {}
