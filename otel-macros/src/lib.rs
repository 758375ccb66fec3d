//! The `#[otel::main]` attribute of the [`otel`](https://docs.rs/otel) crate.
//!
//! Use it through `otel`, which re-exports it as `otel::main`; see [`macro@main`] for its arguments.
//! This crate has no other public item, and is not a public API of its own: depend on `otel`.
//!
//! ```no_run
//! #[otel::main(service = "checkout")]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     tracing::info!("exported");
//!     Ok(())
//! }
//! ```
//!
//! Layout: `attr` holds the grammar of the arguments (one parse function per argument), `parser` checks the
//! item and the arguments and collects every error, `expand` generates the code.

#![warn(missing_docs)]

use proc_macro::TokenStream;

mod attr;
mod config_file;
mod expand;
mod parser;
mod test_attr;

/// Starts the OpenTelemetry pipeline around `main`: reads `otel.toml` and the `OTEL_*` variables, installs
/// the `tracing` layers and the OTLP exporter, runs your `main`, then flushes every span within
/// `shutdown.timeout`, also when `main` returns an error or panics.
///
/// ```no_run
/// #[otel::main]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
///     tracing::info!(addr = %listener.local_addr()?, "listening");
///     Ok(())
/// }
/// ```
///
/// # `async fn main` and `fn main`
///
/// On an `async fn main`, the attribute builds a Tokio runtime (multi-threaded unless `flavor` says
/// otherwise) and runs `main` on it, like `#[tokio::main]` — do not add `#[tokio::main]` as well. On a plain
/// `fn main`, it runs `main` on the calling thread, with no runtime of its own.
///
/// ```no_run
/// #[otel::main(service = "batch-job")]
/// fn main() {
///     let _span = tracing::info_span!("nightly_import").entered();
/// }
/// ```
///
/// `main` may return anything a `main` may return: `()`, `Result<(), E>` with `?` in the body,
/// `std::process::ExitCode`, `impl std::process::Termination`, `!`. It cannot take parameters (read them
/// with `std::env::args()`), be generic, `const`, `unsafe` or `extern`.
///
/// # Arguments
///
/// All are optional; each may be given once. The values are literals or a path, checked at compile time.
///
/// | Argument | Value | Meaning |
/// |---|---|---|
/// | `config` | string literal | Path of an otel.toml that must exist: checked at compile time relative to the crate's directory (where `Cargo.toml` is), read at start relative to the working directory. Without it, `otel.toml` beside `Cargo.toml` is checked at compile time when it exists, and `./otel.toml` is read at start when it exists. |
/// | `service` | non-empty string literal | Default `service.name`. `otel.toml` and `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES` override it; without any of them the crate's name is used. |
/// | `flavor` | `"multi_thread"` (default) or `"current_thread"` | Tokio runtime flavor. `async fn main` only. |
/// | `worker_threads` | integer literal ≥ 1 | Worker threads of the multi-thread runtime (default: one per CPU core). `async fn main` only; not with `flavor = "current_thread"`. |
/// | `on_failure` | path of a `fn(&otel::FailureEvent)` | Called, on a thread of the exporter's, for every export failure (endpoint down, rejected batch, spans dropped). |
/// | `signals` | `true` (default) or `false` | On SIGTERM or SIGINT, flush (within `shutdown.timeout`) and exit with status 128 + the signal number. `false` leaves signals to you. |
///
/// `service.version` defaults to your crate's `CARGO_PKG_VERSION`, captured when your crate is compiled.
///
/// ```no_run
/// fn report(event: &otel::FailureEvent) {
///     eprintln!("telemetry lost: {event}");
/// }
///
/// #[otel::main(
///     config = "config/otel.toml",
///     service = "checkout",
///     flavor = "multi_thread",
///     worker_threads = 4,
///     on_failure = report,
/// )]
/// async fn main() {
///     tracing::info!("started");
/// }
/// ```
///
/// ```no_run
/// #[otel::main(flavor = "current_thread")]
/// async fn main() {
///     tokio::task::spawn_local(async {}); // inside a `LocalSet`, as with `#[tokio::main]`
/// }
/// ```
///
/// # otel.toml is checked at compile time
///
/// The otel.toml named by `config`, else `otel.toml` beside your `Cargo.toml` when there is one, is parsed and
/// validated while your crate compiles: an unknown key (with a "did you mean"), a wrong type or an invalid
/// value is a compile error with the message the program would print at start, naming the file and the key.
/// Cargo rebuilds (and checks again) when the file changes; creating a file where there was none needs a
/// rebuild of its own (`touch src/main.rs`), as Cargo cannot watch a file that does not exist.
///
/// ```text
/// error: otel: invalid configuration in otel.toml: key `exporter.protocol`: unknown value "gprc"; expected one of "grpc", "http/protobuf", "http/json", "console", "none"
/// ```
///
/// The program still reads the file, and the `OTEL_*` variables, when it starts, so a deployment changes
/// settings without a rebuild. No copy of the file is compiled in: at start, a missing default `./otel.toml`
/// means built-in defaults and the environment; a missing `config = …` file is a start error (exit status 1).
///
/// # Attributes on `main`
///
/// Documentation, `cfg`, lint levels (`allow`, `warn`, `deny`, `forbid`, `expect`), `deprecated` and
/// `must_use` apply to `main` itself. Every other attribute applies to the function you wrote, which runs
/// inside the pipeline, so `#[tracing::instrument]` opens a span that is exported, named `main`:
///
/// ```no_run
/// #[otel::main]
/// #[tracing::instrument]
/// async fn main() {
///     tracing::info!("inside the `main` span");
/// }
/// ```
///
/// # Errors
///
/// Every mistake is reported at once, each at its own place, for example:
///
/// ```text
/// error: unknown argument `servce`; expected one of `config`, `service`, `flavor`, `worker_threads`, `on_failure`, `signals` (did you mean `service`?)
/// error: duplicate argument `flavor`
/// error: `worker_threads` expects an integer literal, such as `worker_threads = 4`; found a string literal (remove the quotes: `worker_threads = 4`)
/// error: `worker_threads` cannot be used with `flavor = "current_thread"`, which runs every task on the thread of `main`; remove `worker_threads` or use `flavor = "multi_thread"`
/// error: `flavor` applies only to an `async fn main`: a plain `fn main` runs without a Tokio runtime of its own; make `main` async or remove `flavor`
/// error: `main` cannot take parameters; read command-line arguments with `std::env::args()`
/// error: `#[otel::main]` can only be applied to a function, such as `async fn main()`
/// ```
///
/// Errors in the body of `main` are reported as usual, also alongside errors in the arguments.
///
/// # Expansion
///
/// Your function is kept as written, nested inside a `main` with the same name, visibility and return type
/// that starts the pipeline and runs it:
///
/// ```text
/// fn main() -> Result<(), Error> {
///     async fn main() -> Result<(), Error> { /* your body */ }
///     ::otel::__private::block_on(::otel::__private::MainOptions { /* the arguments */ }, main())
/// }
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(config_file::apply(parser::parse(args.into(), item.into()))).into()
}

/// Runs a test with otel's `tracing` layers over an in-memory capture of its own: the test reads the spans, log
/// records and metrics it produced (see `otel::testing` for the capture and its isolation).
///
/// ```
/// #[otel::test]
/// fn the_lookup_is_a_child_of_the_request(otel: otel::testing::Capture) {
///     tracing::info_span!("request").in_scope(|| tracing::info_span!("lookup").in_scope(|| {}));
///     assert_eq!(otel.span("lookup").parent_span_id, Some(otel.span("request").span_id));
/// }
///
/// #[otel::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn spawned_tasks_are_captured(otel: otel::testing::Capture) {
///     tokio::spawn(async { tracing::info_span!("task").in_scope(|| {}) }).await.unwrap();
///     assert_eq!(otel.spans().len(), 1);
/// }
/// ```
///
/// (A doc test leaves `#[test]` functions out of its build: `tests/otel_test.rs` runs tests like these.)
///
/// The test may take one parameter, the capture (`otel: otel::testing::Capture`), or none; it may return what a
/// `#[test]` returns. A plain `fn` runs on the test's thread; an `async fn` on a Tokio runtime built for it, like
/// `#[tokio::test]` (current-thread unless `flavor = "multi_thread"`, with `worker_threads = N`) — do not add
/// `#[test]` or `#[tokio::test]` as well. `#[should_panic]`, `#[ignore]` and the like apply to the test; other
/// attributes, such as `#[tracing::instrument]`, to your function, inside the capture.
///
/// # Errors
///
/// ```text
/// error: unknown argument `flavour`; `#[otel::test]` takes `flavor` and `worker_threads`
/// error: `service` is an argument of `#[otel::main]`, not of `#[otel::test]`, which captures in memory and takes only `flavor` and `worker_threads`
/// error: the test `spans` takes at most one parameter, the capture: `otel: otel::testing::Capture`
/// error: `#[otel::test]` can only be applied to a function, such as `fn spans_nest(otel: otel::testing::Capture)`
/// error: `#[otel::test]` makes the function a test itself: remove `#[test]`
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    test_attr::expand(args.into(), item.into()).into()
}

#[cfg(test)]
mod tests;

/// The error samples in the documentation above are the macro's real messages (they had drifted once).
#[cfg(test)]
mod doc_samples {
    fn documented_errors() -> Vec<&'static str> {
        include_str!("lib.rs").lines().filter_map(|line| line.strip_prefix("/// error: ")).collect()
    }

    #[test]
    fn the_unknown_argument_sample_lists_every_argument() {
        let ident = proc_macro2::Ident::new("servce", proc_macro2::Span::call_site());
        let message = crate::attr::unknown_argument(&ident).to_string();
        assert!(documented_errors().contains(&message.as_str()), "{message} not in {:#?}", documented_errors());
    }

    #[test]
    fn the_configuration_sample_is_the_message_printed() {
        let err = otel_config::check_file("otel.toml", "[exporter]\nprotocol = \"gprc\"\n").unwrap_err();
        let message = err.to_string();
        assert!(documented_errors().contains(&message.as_str()), "{message} not in {:#?}", documented_errors());
    }
}
