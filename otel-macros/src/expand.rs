//! Code generation: the wrapper `main` that starts the pipeline and runs the user's function.
//!
//! ```text
//! // #[otel::main(service = "checkout")]
//! // async fn main() -> Result<(), Error> { body }
//! fn main() -> Result<(), Error> {
//!     async fn main() -> Result<(), Error> { body }
//!     ::otel::__private::block_on(
//!         ::otel::__private::MainOptions {
//!             config_path: ::core::option::Option::None,
//!             service_name: ::core::option::Option::Some("checkout"),
//!             crate_name: ::core::env!("CARGO_PKG_NAME"),
//!             service_version: ::core::env!("CARGO_PKG_VERSION"),
//!             flavor: ::otel::__private::Flavor::MultiThread,
//!             worker_threads: ::core::option::Option::None,
//!             on_failure: ::core::option::Option::None,
//!             handle_signals: true,
//!         },
//!         main(),
//!     )
//! }
//! ```
//!
//! The user's function is kept whole, under its own name, inside the wrapper (an item in a block shadows the
//! wrapper there). So every error in its body is reported against the user's code and its return type, and
//! anything that reads the function's name — `#[tracing::instrument]`'s span name, backtraces — sees
//! `main`, not a generated name.
//!
//! The expansion names only `::otel::...` and `::core::...` paths, so an application needs the `otel`
//! dependency alone.

use proc_macro2::{Literal, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Attribute, ItemFn};

use crate::attr::{Args, Flavor};
use crate::parser::{Fallback, Parsed};

/// The tokens `#[otel::main]` produces for `parsed`: the wrapper, or the errors together with the
/// [`Fallback`] that keeps them from causing others.
pub(crate) fn expand(parsed: Parsed) -> TokenStream {
    match parsed {
        Parsed::Valid { func, args } => wrap(func, &args),
        Parsed::Invalid { errors, fallback } => {
            let mut tokens = errors.to_compile_error();
            tokens.extend(match fallback {
                Fallback::Original(item) => item,
                Fallback::Defaults(func) => wrap(func, &Args::default()),
                Fallback::Stub(func) => stub(func),
            });
            tokens
        }
    }
}

/// The wrapper: the original attributes (split, see [`split_attrs`]), visibility, name and return type,
/// around the user's function and the call that runs it inside the pipeline.
pub(crate) fn wrap(func: ItemFn, args: &Args) -> TokenStream {
    let ItemFn { attrs, vis, sig, block } = func;
    let (outer_attrs, inner_attrs) = split_attrs(attrs);
    let ident = &sig.ident;
    let output = &sig.output;
    let fn_token = &sig.fn_token;
    let options = options(args);
    let track = track_config_file(args);
    let call = if sig.asyncness.is_some() {
        quote! { ::otel::__private::block_on(#options, #ident()) }
    } else {
        quote! { ::otel::__private::run_sync(#options, #ident) }
    };
    quote! {
        #(#outer_attrs)*
        #vis #fn_token #ident() #output {
            // The tracking const comes first: the attributes that follow belong to the user's function.
            #track
            #(#inner_attrs)*
            #sig #block
            #call
        }
    }
}

/// `const _: &[u8] = ::core::include_bytes!("/abs/otel.toml");` for the otel.toml checked at compile time:
/// Cargo then rebuilds the crate, and the macro checks the file again, whenever the file changes. The bytes
/// are not used: the program reads the file at start.
fn track_config_file(args: &Args) -> TokenStream {
    match args.config_file.as_ref().and_then(|file| file.absolute.as_deref()) {
        Some(path) => quote! { const _: &[u8] = ::core::include_bytes!(#path); },
        None => TokenStream::new(),
    }
}

/// What replaces a function whose signature cannot be wrapped: the same name and visibility, no
/// parameters, an empty body. It only exists so that no "`main` function not found" joins the errors.
fn stub(func: ItemFn) -> TokenStream {
    let ItemFn { attrs, vis, sig, .. } = func;
    let (outer_attrs, _) = split_attrs(attrs);
    let ident = &sig.ident;
    let fn_token = &sig.fn_token;
    quote! {
        #(#outer_attrs)*
        #vis #fn_token #ident() {}
    }
}

/// Attributes that describe the item `main` — documentation, `cfg`, lint levels, `deprecated`,
/// `must_use` — stay on the wrapper (lint levels reach the nested function from there). All others, such as
/// `#[tracing::instrument]` or `#[inline]`, transform the user's function and go on it, so that they act
/// inside the pipeline: a span `#[tracing::instrument]` opens is exported.
pub(crate) fn split_attrs(attrs: Vec<Attribute>) -> (Vec<Attribute>, Vec<Attribute>) {
    const OUTER: [&str; 10] =
        ["doc", "cfg", "cfg_attr", "allow", "warn", "deny", "forbid", "expect", "deprecated", "must_use"];
    attrs.into_iter().partition(|attr| OUTER.iter().any(|name| attr.path().is_ident(name)))
}

/// The `::otel::__private::MainOptions` struct literal for `args`. Every field is named, so that a field
/// added to `MainOptions` breaks the build here rather than being silently defaulted.
pub(crate) fn options(args: &Args) -> TokenStream {
    let none = quote!(::core::option::Option::None);
    let config_path =
        args.config.as_ref().map_or_else(|| none.clone(), |lit| quote!(::core::option::Option::Some(#lit)));
    let service_name =
        args.service.as_ref().map_or_else(|| none.clone(), |lit| quote!(::core::option::Option::Some(#lit)));
    let flavor = match args.flavor {
        Some((Flavor::CurrentThread, span)) => {
            quote_spanned!(span=> ::otel::__private::Flavor::CurrentThread)
        }
        Some((Flavor::MultiThread, span)) => {
            quote_spanned!(span=> ::otel::__private::Flavor::MultiThread)
        }
        None => quote!(::otel::__private::Flavor::MultiThread),
    };
    let worker_threads = match args.worker_threads {
        Some((threads, span)) => {
            let mut threads = Literal::usize_unsuffixed(threads);
            threads.set_span(span);
            quote!(::core::option::Option::Some(#threads))
        }
        None => none.clone(),
    };
    let on_failure = match &args.on_failure {
        // The cast is where the compiler checks the function's type; spanned at the path so that a wrong
        // signature is reported there.
        Some(path) => {
            let span = path.span();
            let path = path.to_token_stream();
            quote_spanned!(span=> ::core::option::Option::Some(#path as fn(&::otel::FailureEvent)))
        }
        None => none,
    };
    let handle_signals = args.signals.unwrap_or(true);
    quote! {
        ::otel::__private::MainOptions {
            config_path: #config_path,
            service_name: #service_name,
            crate_name: ::core::env!("CARGO_PKG_NAME"),
            service_version: ::core::env!("CARGO_PKG_VERSION"),
            flavor: #flavor,
            worker_threads: #worker_threads,
            on_failure: #on_failure,
            handle_signals: #handle_signals,
        }
    }
}
