//! Unit tests of the argument grammar, the validation and the expansion, on `proc_macro2` tokens.

use proc_macro2::TokenStream;
use quote::quote;

use crate::attr::{self, Flavor, RawArgs};
use crate::expand;
use crate::parser::{self, Errors, Fallback, Parsed};

/// Every error message for `#[otel::main(args)] item`, in order; empty when valid.
fn errors(args: TokenStream, item: TokenStream) -> Vec<String> {
    match parser::parse(args, item) {
        Parsed::Valid { .. } => Vec::new(),
        Parsed::Invalid { errors, .. } => errors.into_iter().map(|err| err.to_string()).collect(),
    }
}

/// The single error for `args` on an `async fn main() {}`.
fn arg_error(args: TokenStream) -> String {
    let errors = errors(
        args,
        quote!(
            async fn main() {}
        ),
    );
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().unwrap()
}

/// The checked arguments of `args` on `item`, which must be valid.
fn valid(args: TokenStream, item: TokenStream) -> attr::Args {
    match parser::parse(args, item) {
        Parsed::Valid { args, .. } => args,
        Parsed::Invalid { errors, .. } => panic!("unexpected errors: {errors}"),
    }
}

/// The expansion as a string with whitespace normalised by a round trip through `syn`.
fn expansion(args: TokenStream, item: TokenStream) -> String {
    let tokens = expand::expand(parser::parse(args, item));
    let file: syn::File = syn::parse2(tokens).expect("the expansion parses as a file");
    quote!(#file).to_string()
}

fn normalize(tokens: TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens).unwrap();
    quote!(#file).to_string()
}

// ---- the grammar ----

#[test]
fn raw_args_accept_a_trailing_comma_and_keywords_as_names() {
    let args: RawArgs = syn::parse_str(r#"service = "x", crate = "y","#).unwrap();
    let names: Vec<String> = args.0.iter().map(|arg| arg.name.to_string()).collect();
    assert_eq!(names, ["service", "crate"]);
}

#[test]
fn raw_args_accept_a_name_without_a_value() {
    let args: RawArgs = syn::parse_str("service, flavor =").unwrap();
    assert!(args.0.iter().all(|arg| arg.value.is_none()));
}

#[test]
fn raw_args_reject_what_is_not_a_list_of_pairs() {
    let err = syn::parse_str::<RawArgs>("1 + 2").err().unwrap().to_string();
    assert!(err.starts_with("expected an argument such as `service = \"checkout\"`"), "{err}");
    let err = syn::parse_str::<RawArgs>("service(\"x\")").err().unwrap().to_string();
    assert_eq!(err, "expected `=` after `service`");
}

#[test]
fn each_argument_parses_its_value() {
    assert_eq!(attr::parse_config(&syn::parse_quote!("a/otel.toml")).unwrap().value(), "a/otel.toml");
    assert_eq!(attr::parse_service(&syn::parse_quote!(r"checkout")).unwrap().value(), "checkout");
    assert_eq!(attr::parse_flavor(&syn::parse_quote!("current_thread")).unwrap(), Flavor::CurrentThread);
    assert_eq!(attr::parse_flavor(&syn::parse_quote!("multi_thread")).unwrap(), Flavor::MultiThread);
    assert_eq!(attr::parse_worker_threads(&syn::parse_quote!(4)).unwrap(), 4);
    assert_eq!(attr::parse_worker_threads(&syn::parse_quote!(0x10usize)).unwrap(), 16);
    let path = attr::parse_on_failure(&syn::parse_quote!(crate::alerts::report)).unwrap();
    assert_eq!(quote!(#path).to_string(), "crate :: alerts :: report");
}

#[test]
fn valid_arguments_are_all_kept() {
    let args = valid(
        quote!(
            config = "otel.toml",
            service = "checkout",
            flavor = "multi_thread",
            worker_threads = 2,
            on_failure = report
        ),
        quote!(
            async fn main() {}
        ),
    );
    assert_eq!(args.config.unwrap().value(), "otel.toml");
    assert_eq!(args.service.unwrap().value(), "checkout");
    assert_eq!(args.flavor.unwrap().0, Flavor::MultiThread);
    assert_eq!(args.worker_threads.unwrap().0, 2);
    assert!(args.on_failure.unwrap().is_ident("report"));
}

#[test]
fn no_arguments_and_plain_fn_main_are_valid() {
    let args = valid(
        quote!(),
        quote!(
            fn main() {}
        ),
    );
    assert!(args.config.is_none() && args.service.is_none() && args.flavor.is_none());
    valid(
        quote!(service = "x", on_failure = report),
        quote!(
            fn main() -> Result<(), E> {
                Ok(())
            }
        ),
    );
    valid(
        quote!(),
        quote!(
            pub(crate) async fn main() -> impl std::process::Termination {}
        ),
    );
}

// ---- argument errors ----

#[test]
fn unknown_argument_names_it_and_lists_the_known_ones() {
    assert_eq!(
        arg_error(quote!(foo = 1)),
        "unknown argument `foo`; expected one of `config`, `service`, `flavor`, `worker_threads`, `on_failure`, `signals`"
    );
}

#[test]
fn unknown_argument_suggests_a_close_name() {
    assert!(arg_error(quote!(servce = "x")).ends_with("(did you mean `service`?)"));
    assert!(arg_error(quote!(service_name = "x")).ends_with("(did you mean `service`?)"));
    assert!(arg_error(quote!(worker_thread = 1)).ends_with("(did you mean `worker_threads`?)"));
    assert!(arg_error(quote!(threads = 1)).ends_with("(did you mean `worker_threads`?)"));
    assert!(arg_error(quote!(crate = "x")).starts_with("unknown argument `crate`; expected one of"));
}

#[test]
fn duplicate_argument() {
    assert_eq!(arg_error(quote!(service = "a", service = "b")), "duplicate argument `service`");
}

#[test]
fn missing_value() {
    assert_eq!(arg_error(quote!(service)), "`service` expects a value, such as `service = \"checkout\"`");
    assert_eq!(arg_error(quote!(worker_threads =)), "`worker_threads` expects a value, such as `worker_threads = 4`");
}

#[test]
fn wrong_value_types_say_what_is_expected_and_found() {
    assert_eq!(
        arg_error(quote!(service = 5)),
        "`service` expects a string literal, such as `service = \"checkout\"`; found an integer literal"
    );
    assert_eq!(
        arg_error(quote!(config = otel_toml)),
        "`config` expects a string literal with the path of an otel.toml, such as `config = \"config/otel.toml\"`; found a path"
    );
    assert_eq!(
        arg_error(quote!(worker_threads = "4")),
        "`worker_threads` expects an integer literal, such as `worker_threads = 4`; found a string literal (remove the quotes: `worker_threads = 4`)"
    );
    assert_eq!(
        arg_error(quote!(worker_threads = num_cpus())),
        "`worker_threads` expects an integer literal, such as `worker_threads = 4`; found a call"
    );
    assert_eq!(
        arg_error(quote!(flavor = 1)),
        "`flavor` expects a string literal, `\"current_thread\"` or `\"multi_thread\"`; found an integer literal"
    );
    assert_eq!(
        arg_error(quote!(flavor = current_thread)),
        "`flavor` expects a string literal: write `flavor = \"current_thread\"`"
    );
    assert_eq!(
        arg_error(quote!(on_failure = "alerts::report")),
        "`on_failure` expects the path of a function `fn(&otel::FailureEvent)`, such as `on_failure = report_failure`; found a string literal (remove the quotes: `on_failure = alerts::report`)"
    );
    assert!(arg_error(quote!(on_failure = |_| {})).contains("found a closure"));
    assert_eq!(
        arg_error(quote!(signals = "false")),
        "`signals` expects `true` or `false`, such as `signals = false`; found a string literal (remove the quotes: `signals = false`)"
    );
    assert_eq!(
        arg_error(quote!(signals = 0)),
        "`signals` expects `true` or `false`, such as `signals = false`; found an integer literal"
    );
}

#[test]
fn wrong_values() {
    assert!(arg_error(quote!(service = "")).starts_with("`service` must not be empty"));
    assert!(arg_error(quote!(config = " ")).starts_with("`config` must not be empty"));
    assert!(arg_error(quote!(worker_threads = 0)).starts_with("`worker_threads` must be at least 1"));
    assert_eq!(arg_error(quote!(worker_threads = -2)), "`worker_threads` must be at least 1");
    assert_eq!(arg_error(quote!(worker_threads = 4u8)), "`worker_threads` is a `usize`: write `4` rather than `4u8`");
    assert_eq!(
        arg_error(quote!(flavor = "local")),
        "unknown flavor `\"local\"`; expected `\"current_thread\"` or `\"multi_thread\"`"
    );
    assert_eq!(
        arg_error(quote!(flavor = "multi-thread")),
        "unknown flavor `\"multi-thread\"`; expected `\"current_thread\"` or `\"multi_thread\"` (did you mean `\"multi_thread\"`?)"
    );
}

#[test]
fn runtime_arguments_need_an_async_fn() {
    let errors = errors(
        quote!(flavor = "current_thread", worker_threads = 2),
        quote!(
            fn main() {}
        ),
    );
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].starts_with(
        "`flavor` applies only to an `async fn main`: a plain `fn main` runs without a Tokio runtime of its own"
    ));
    assert!(errors[1].starts_with("`worker_threads` applies only to an `async fn main`"));
}

#[test]
fn worker_threads_conflicts_with_current_thread() {
    let error = arg_error(quote!(flavor = "current_thread", worker_threads = 2));
    assert!(error.starts_with("`worker_threads` cannot be used with `flavor = \"current_thread\"`"), "{error}");
    // Either order.
    let error = arg_error(quote!(worker_threads = 2, flavor = "current_thread"));
    assert!(error.starts_with("`worker_threads` cannot be used with `flavor = \"current_thread\"`"), "{error}");
    valid(
        quote!(flavor = "multi_thread", worker_threads = 2),
        quote!(
            async fn main() {}
        ),
    );
}

// ---- item errors ----

#[test]
fn not_a_function() {
    let expected = ["`#[otel::main]` can only be applied to a function, such as `async fn main()`"];
    assert_eq!(
        errors(
            quote!(),
            quote!(
                struct Config {
                    a: u8,
                }
            )
        ),
        expected
    );
    assert_eq!(errors(quote!(), quote!(impl Foo {})), expected);
    assert_eq!(
        errors(
            quote!(),
            quote!(
                mod m {}
            )
        ),
        expected
    );
}

#[test]
fn signature_errors() {
    assert_eq!(
        errors(
            quote!(),
            quote!(
                async fn main(args: Vec<String>) {}
            )
        ),
        ["`main` cannot take parameters; read command-line arguments with `std::env::args()`"]
    );
    assert_eq!(
        errors(
            quote!(),
            quote!(
                fn main<T>() {}
            )
        ),
        ["`main` cannot have generic parameters"]
    );
    assert_eq!(
        errors(
            quote!(),
            quote!(
                fn main()
                where
                    (): Sized,
                {
                }
            )
        ),
        ["`main` cannot have a `where` clause"]
    );
    assert!(errors(
        quote!(),
        quote!(
            const fn main() {}
        )
    )[0]
    .starts_with("`main` cannot be a `const fn`"));
    assert!(errors(
        quote!(),
        quote!(
            unsafe fn main() {}
        )
    )[0]
    .starts_with("`main` cannot be `unsafe`"));
    assert_eq!(
        errors(
            quote!(),
            quote!(
                extern "C" fn main() {}
            )
        ),
        ["`main` cannot have an explicit ABI"]
    );
    assert!(errors(
        quote!(),
        quote!(
            fn run(&self) {}
        )
    )[0]
    .contains("cannot be applied to a method"));
}

#[test]
fn every_error_is_reported_together_in_source_order() {
    let errors = errors(
        quote!(servce = "x", flavor = "current_thread", flavor = "multi_thread", worker_threads = "4"),
        quote!(
            async fn main<T>(x: u8) {}
        ),
    );
    let starts: Vec<&str> = errors.iter().map(|e| e.split(';').next().unwrap()).collect();
    assert_eq!(
        starts,
        [
            "unknown argument `servce`",
            "duplicate argument `flavor`",
            "`worker_threads` expects an integer literal, such as `worker_threads = 4`",
            "`main` cannot have generic parameters",
            "`main` cannot take parameters",
        ]
    );
}

// ---- fallbacks ----

#[test]
fn fallbacks_avoid_cascades() {
    let fallback = |args, item| match parser::parse(args, item) {
        Parsed::Invalid { fallback, .. } => fallback,
        Parsed::Valid { .. } => panic!("expected errors"),
    };
    assert!(matches!(
        fallback(
            quote!(foo = 1),
            quote!(
                async fn main() {}
            )
        ),
        Fallback::Defaults(_)
    ));
    assert!(matches!(
        fallback(
            quote!(),
            quote!(
                async fn main(x: u8) {}
            )
        ),
        Fallback::Stub(_)
    ));
    assert!(matches!(
        fallback(
            quote!(),
            quote!(
                struct S;
            )
        ),
        Fallback::Original(_)
    ));

    // Wrong arguments: the errors, then the wrapper with default options.
    let tokens = expand::expand(parser::parse(
        quote!(foo = 1),
        quote!(
            async fn main() {}
        ),
    ));
    let text = tokens.to_string();
    assert!(text.starts_with(":: core :: compile_error !"), "{text}");
    assert!(text.contains("block_on"), "{text}");
    // A signature that cannot be wrapped: a stub that keeps the name.
    let tokens = expand::expand(parser::parse(
        quote!(),
        quote!(
            #[doc = "d"]
            #[inline]
            pub async fn main(x: u8) -> u8 {
                x
            }
        ),
    ));
    let text = tokens.to_string();
    assert!(text.ends_with("# [doc = \"d\"] pub fn main () { }"), "{text}");
    // Not a function: the item unchanged.
    let tokens = expand::expand(parser::parse(
        quote!(),
        quote!(
            struct S;
        ),
    ));
    assert!(tokens.to_string().ends_with("struct S ;"));
}

#[test]
fn errors_collects() {
    let mut errors = Errors::default();
    assert!(errors.into_error().is_none());
    errors = Errors::default();
    errors.push(syn::Error::new(proc_macro2::Span::call_site(), "a"));
    errors.push(syn::Error::new(proc_macro2::Span::call_site(), "b"));
    assert_eq!(errors.into_error().unwrap().into_iter().count(), 2);
}

// ---- the expansion ----

#[test]
fn expansion_of_async_main() {
    let expected = normalize(quote! {
        /// Docs.
        #[allow(unused_variables)]
        pub fn main() -> Result<(), Error> {
            #[tracing::instrument]
            async fn main() -> Result<(), Error> { let x = 1; Ok(()) }
            ::otel::__private::block_on(
                ::otel::__private::MainOptions {
                    config_path: ::core::option::Option::Some("otel.toml"),
                    service_name: ::core::option::Option::Some("checkout"),
                    crate_name: ::core::env!("CARGO_PKG_NAME"),
                    service_version: ::core::env!("CARGO_PKG_VERSION"),
                    flavor: ::otel::__private::Flavor::MultiThread,
                    worker_threads: ::core::option::Option::Some(4),
                    on_failure: ::core::option::Option::Some(alerts::report as fn(&::otel::FailureEvent)),
                    handle_signals: false,
                },
                main()
            )
        }
    });
    let actual = expansion(
        quote!(
            config = "otel.toml",
            service = "checkout",
            worker_threads = 4,
            on_failure = alerts::report,
            signals = false
        ),
        quote! {
            /// Docs.
            #[tracing::instrument]
            #[allow(unused_variables)]
            pub async fn main() -> Result<(), Error> { let x = 1; Ok(()) }
        },
    );
    assert_eq!(actual, expected);
}

#[test]
fn expansion_of_sync_main() {
    let expected = normalize(quote! {
        fn main() {
            fn main() {}
            ::otel::__private::run_sync(
                ::otel::__private::MainOptions {
                    config_path: ::core::option::Option::None,
                    service_name: ::core::option::Option::None,
                    crate_name: ::core::env!("CARGO_PKG_NAME"),
                    service_version: ::core::env!("CARGO_PKG_VERSION"),
                    flavor: ::otel::__private::Flavor::MultiThread,
                    worker_threads: ::core::option::Option::None,
                    on_failure: ::core::option::Option::None,
                    handle_signals: true,
                },
                main
            )
        }
    });
    assert_eq!(
        expansion(
            quote!(),
            quote!(
                fn main() {}
            )
        ),
        expected
    );
}

#[test]
fn expansion_of_current_thread() {
    let text = expansion(
        quote!(flavor = "current_thread"),
        quote!(
            async fn main() {}
        ),
    );
    assert!(text.contains("flavor : :: otel :: __private :: Flavor :: CurrentThread"), "{text}");
}

#[test]
fn expansion_names_no_other_crate() {
    let text = expansion(
        quote!(service = "s", flavor = "multi_thread", worker_threads = 1, on_failure = f),
        quote!(
            async fn main() {}
        ),
    );
    assert!(!text.contains("tokio") && !text.contains("otel_runtime"), "{text}");
}

#[test]
fn tokio_main_and_a_second_otel_main_are_rejected_and_removed() {
    let item = quote!(
        #[tokio::main]
        #[otel::main]
        #[inline]
        async fn main() {}
    );
    match parser::parse(quote!(), item) {
        Parsed::Invalid { errors, fallback: Fallback::Defaults(func) } => {
            let messages: Vec<String> = errors.into_iter().map(|err| err.to_string()).collect();
            assert!(messages[0].starts_with("`#[otel::main]` builds the Tokio runtime itself: remove `#[tokio::main]`"));
            assert_eq!(messages[1], "duplicate `#[otel::main]`");
            assert_eq!(func.attrs.len(), 1);
            assert!(func.attrs[0].path().is_ident("inline"));
        }
        _ => panic!("expected errors and a wrappable function"),
    }
}
