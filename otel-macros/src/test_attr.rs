//! `#[otel::test]`: its arguments (the grammar is [`crate::attr`]'s, two of its arguments), the checks of the
//! item (every error collected, as [`crate::parser`] does for `main`) and the expansion.
//!
//! ```text
//! // #[otel::test]
//! // async fn spans(otel: otel::testing::Capture) { body }
//! #[::core::prelude::v1::test]
//! fn spans() {
//!     async fn spans(otel: otel::testing::Capture) { body }
//!     ::otel::__private::block_on_test(::otel::__private::Flavor::CurrentThread, ::core::option::Option::None,
//!         |__otel_capture| spans(__otel_capture))
//! }
//! ```
//!
//! On an error, the errors are emitted with the function kept as written (without the attributes in error and
//! without `#[test]`, `#[allow(dead_code)]`), so that its body is still checked and nothing else is reported.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::{Attribute, FnArg, Item, ItemFn, Signature};

use crate::attr::{self, Flavor, RawArgs};
use crate::parser::Errors;

/// The arguments of `#[otel::test]`.
const ARGUMENTS: &str = "`flavor` and `worker_threads`";

/// The checked arguments.
#[derive(Default)]
struct TestArgs {
    flavor: Option<Flavor>,
    worker_threads: Option<usize>,
}

/// `#[otel::test(args)] item`, expanded.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let mut func = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(func)) => Some(func),
        Ok(other) => {
            let head = other.to_token_stream().into_iter().take(2).collect::<TokenStream>();
            errors.push(syn::Error::new_spanned(
                head,
                "`#[otel::test]` can only be applied to a function, such as `fn spans_nest(otel: otel::testing::Capture)`",
            ));
            None
        }
        Err(err) => {
            errors.push(err);
            None
        }
    };
    let args = parse_args(args, func.as_ref().map(|func| &func.sig), &mut errors);
    if let Some(func) = &mut func {
        check_attrs(&mut func.attrs, &mut errors);
        check_signature(&func.sig, &mut errors);
    }
    match (errors.into_error(), func) {
        (None, Some(func)) => wrap(func, &args),
        (Some(errors), Some(func)) => {
            let mut tokens = errors.to_compile_error();
            tokens.extend(quote! { #[allow(dead_code)] #func });
            tokens
        }
        (Some(errors), None) => {
            let mut tokens = errors.to_compile_error();
            tokens.extend(item);
            tokens
        }
        (None, None) => unreachable!("an item that is not a function is always an error"),
    }
}

fn parse_args(tokens: TokenStream, sig: Option<&Signature>, errors: &mut Errors) -> TestArgs {
    let mut args = TestArgs::default();
    let raw = match syn::parse2::<RawArgs>(tokens) {
        Ok(raw) => raw,
        Err(err) if err.to_string().starts_with("expected an argument such as") => {
            errors.push(syn::Error::new(
                err.span(),
                format!(
                    "expected an argument such as `flavor = \"multi_thread\"`; the arguments of `#[otel::test]` \
                     are {ARGUMENTS}"
                ),
            ));
            return args;
        }
        Err(err) => {
            errors.push(err);
            return args;
        }
    };
    let mut flavor_arg = None;
    let mut worker_threads_arg = None;
    for arg in &raw.0 {
        let name = arg.name.unraw().to_string();
        let slot = match name.as_str() {
            "flavor" => &mut flavor_arg,
            "worker_threads" => &mut worker_threads_arg,
            "config" | "service" | "on_failure" | "signals" => {
                errors.push(syn::Error::new(
                    arg.name.span(),
                    format!(
                        "`{name}` is an argument of `#[otel::main]`, not of `#[otel::test]`, which captures in \
                         memory and takes only {ARGUMENTS}"
                    ),
                ));
                continue;
            }
            _ => {
                errors.push(syn::Error::new(
                    arg.name.span(),
                    format!("unknown argument `{name}`; `#[otel::test]` takes {ARGUMENTS}"),
                ));
                continue;
            }
        };
        if slot.is_some() {
            errors.push(syn::Error::new_spanned(arg, format!("duplicate argument `{name}`")));
            continue;
        }
        *slot = Some(arg);
        let Some(value) = &arg.value else {
            let example = if name == "flavor" { "flavor = \"multi_thread\"" } else { "worker_threads = 2" };
            errors.push(syn::Error::new_spanned(arg, format!("`{name}` expects a value, such as `{example}`")));
            continue;
        };
        let result = if name == "flavor" {
            attr::parse_flavor(value).map(|flavor| args.flavor = Some(flavor))
        } else {
            attr::parse_worker_threads(value).map(|threads| args.worker_threads = Some(threads))
        };
        if let Err(err) = result {
            errors.push(err);
        }
    }
    let Some(sig) = sig else { return args };
    if sig.asyncness.is_none() {
        for arg in [flavor_arg, worker_threads_arg].into_iter().flatten() {
            errors.push(syn::Error::new_spanned(
                arg,
                format!(
                    "`{}` applies only to an `async fn` test: a plain `fn` test runs on its own thread, without a \
                     Tokio runtime",
                    arg.name.unraw()
                ),
            ));
        }
    } else if let (Some(arg), true) = (worker_threads_arg, args.flavor != Some(Flavor::MultiThread)) {
        errors.push(syn::Error::new_spanned(
            arg,
            "`worker_threads` needs `flavor = \"multi_thread\"`: an `async fn` test runs on a current-thread \
             runtime by default, as with `#[tokio::test]`",
        ));
    }
    args
}

/// Reports (and removes) the attributes that cannot go with `#[otel::test]`: `#[test]` and `#[tokio::test]`,
/// which it replaces, and a second `#[otel::test]`.
fn check_attrs(attrs: &mut Vec<Attribute>, errors: &mut Errors) {
    attrs.retain(|attr| {
        let segments: Vec<String> = attr.path().segments.iter().map(|s| s.ident.to_string()).collect();
        let message = match segments.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["test"] | ["core", "prelude", "v1", "test"] | ["std", "prelude", "v1", "test"] => {
                "`#[otel::test]` makes the function a test itself: remove `#[test]`"
            }
            ["tokio", "test"] => {
                "`#[otel::test]` builds the Tokio runtime of an `async fn` test itself: remove `#[tokio::test]` (the \
                 `flavor` and `worker_threads` arguments of `#[otel::test]` configure the runtime)"
            }
            ["otel", "test"] => "duplicate `#[otel::test]`",
            _ => return true,
        };
        errors.push(syn::Error::new_spanned(attr, message));
        false
    });
}

/// A test function: no `const`, `unsafe`, ABI or generics; no parameter, or one (the capture).
fn check_signature(sig: &Signature, errors: &mut Errors) {
    let name = sig.ident.unraw().to_string();
    if let Some(constness) = &sig.constness {
        errors.push(syn::Error::new_spanned(constness, format!("the test `{name}` cannot be a `const fn`")));
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.push(syn::Error::new_spanned(
            unsafety,
            format!("the test `{name}` cannot be `unsafe`; use an `unsafe {{ ... }}` block inside it instead"),
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(abi, format!("the test `{name}` cannot have an explicit ABI")));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(&sig.generics, format!("the test `{name}` cannot be generic")));
    }
    if let Some(receiver) = sig.inputs.iter().find(|input| matches!(input, FnArg::Receiver(_))) {
        errors.push(syn::Error::new_spanned(receiver, "`#[otel::test]` cannot be applied to a method"));
    } else if sig.inputs.len() > 1 || sig.variadic.is_some() {
        let extra: TokenStream = sig.inputs.iter().skip(1).map(ToTokens::to_token_stream).collect();
        let extra = if extra.is_empty() { sig.variadic.to_token_stream() } else { extra };
        errors.push(syn::Error::new_spanned(
            extra,
            format!("the test `{name}` takes at most one parameter, the capture: `otel: otel::testing::Capture`"),
        ));
    }
}

/// Attributes that describe the test item itself stay on the wrapper (where libtest reads `should_panic` and
/// `ignore`); the others, such as `#[tracing::instrument]`, go on the user's function, inside the capture.
fn split_attrs(attrs: Vec<Attribute>) -> (Vec<Attribute>, Vec<Attribute>) {
    const OUTER: [&str; 12] = [
        "doc",
        "cfg",
        "cfg_attr",
        "allow",
        "warn",
        "deny",
        "forbid",
        "expect",
        "deprecated",
        "must_use",
        "should_panic",
        "ignore",
    ];
    attrs.into_iter().partition(|attr| OUTER.iter().any(|name| attr.path().is_ident(name)))
}

fn wrap(func: ItemFn, args: &TestArgs) -> TokenStream {
    let ItemFn { attrs, vis, sig, block } = func;
    let (outer_attrs, inner_attrs) = split_attrs(attrs);
    let ident = &sig.ident;
    let output = &sig.output;
    let fn_token = &sig.fn_token;
    let call =
        if sig.inputs.is_empty() { quote!(|_| #ident()) } else { quote!(|__otel_capture| #ident(__otel_capture)) };
    let run = if sig.asyncness.is_some() {
        let flavor = match args.flavor {
            Some(Flavor::MultiThread) => quote!(::otel::__private::Flavor::MultiThread),
            _ => quote!(::otel::__private::Flavor::CurrentThread),
        };
        let worker_threads = match args.worker_threads {
            Some(threads) => {
                let threads = proc_macro2::Literal::usize_unsuffixed(threads);
                quote!(::core::option::Option::Some(#threads))
            }
            None => quote!(::core::option::Option::None),
        };
        quote!(::otel::__private::block_on_test(#flavor, #worker_threads, #call))
    } else {
        quote!(::otel::__private::run_test(#call))
    };
    let test_attr = quote_spanned!(ident.span()=> #[::core::prelude::v1::test]);
    quote! {
        #(#outer_attrs)*
        #test_attr
        #vis #fn_token #ident() #output {
            #(#inner_attrs)*
            #sig #block
            #run
        }
    }
}
