// Every signature a test cannot have, reported together: `const`, `unsafe`, an explicit ABI, generics; and a
// method.
#[otel::test]
const unsafe extern "C" fn everything_at_once<T>() {}

struct Suite;

impl Suite {
    #[otel::test]
    fn method(&self) {}
}

fn main() {}
