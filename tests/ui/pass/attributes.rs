//! Attributes on `main`: documentation and lint levels stay on `main`; `#[tracing::instrument]` applies to
//! the function as written, so its span is opened inside the pipeline and is named `main`.
#![deny(warnings)]

/// The entry point.
#[otel::main(service = "checkout")]
#[tracing::instrument]
#[allow(unused_variables)]
async fn main() {
    let unused = 1;
    if let Some(metadata) = tracing::Span::current().metadata() {
        assert_eq!(metadata.name(), "main");
    }
}
