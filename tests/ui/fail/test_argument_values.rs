// Every argument error of one attribute is reported, each at its argument: a duplicate, a missing value, an
// invalid flavor and an invalid thread count; and a second `#[otel::test]`.
#[otel::test(flavor = "multi_thread", flavor = "current_thread", worker_threads)]
async fn duplicate_and_missing_value() {}

#[otel::test(flavor = "parallel")]
async fn invalid_flavor() {}

#[otel::test(flavor = "multi_thread", worker_threads = 0)]
async fn no_threads() {}

#[otel::test]
#[otel::test]
fn twice() {}

fn main() {}
