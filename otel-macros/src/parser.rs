//! Validation of `#[otel::main]`: the item, its signature and the arguments, each mistake reported at its
//! own span and all of them reported together.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{FnArg, Item, ItemFn, Signature};

use crate::attr::{self, ArgName, Args, Flavor, RawArg, RawArgs};

/// The result of reading `#[otel::main(args)] item`.
pub(crate) enum Parsed {
    /// No mistake: wrap `func` with these arguments.
    Valid {
        /// The user's function.
        func: ItemFn,
        /// The checked arguments.
        args: Args,
    },
    /// At least one mistake. `errors` holds all of them; `fallback` is what to emit beside them.
    Invalid {
        /// Every error, combined.
        errors: syn::Error,
        /// The code emitted beside the errors.
        fallback: Fallback,
    },
}

/// What is emitted beside the errors, chosen so that the only errors the user sees are the ones about the
/// attribute (and those in the function's body), never consequences of the macro having failed such as
/// "`main` function not found" or "`main` function is not allowed to be `async`".
pub(crate) enum Fallback {
    /// The item is not a function: emit it unchanged.
    Original(TokenStream),
    /// A function whose signature can be wrapped but whose arguments are wrong: wrap it with default options
    /// (as tokio-macros does), so that `main` exists and its body is still type-checked.
    Defaults(ItemFn),
    /// A function whose signature cannot be wrapped (parameters, generics, ...): emit a `fn` of the same
    /// name and visibility with an empty body, so that `main` exists.
    Stub(ItemFn),
}

/// Collects errors, to report every one instead of stopping at the first.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds `error` (which may itself hold several).
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Every error pushed so far, combined, if any.
    pub fn into_error(self) -> Option<syn::Error> {
        self.0
    }
}

/// Reads the arguments and the item of `#[otel::main(args)] item`.
pub(crate) fn parse(args: TokenStream, item: TokenStream) -> Parsed {
    let mut item_errors = Errors::default();
    let mut func = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(func)) => Some(func),
        Ok(other) => {
            item_errors.push(not_a_function(&other));
            None
        }
        Err(err) => {
            item_errors.push(err);
            None
        }
    };

    let mut arg_errors = Errors::default();
    let args = parse_args(args, func.as_ref().map(|func| &func.sig), &mut arg_errors);
    let mut attr_errors = Errors::default();
    let mut signature_errors = Errors::default();
    if let Some(func) = &mut func {
        // The attributes in error are removed from `func`: it can still be wrapped without them.
        check_attrs(&mut func.attrs, &mut attr_errors);
        check_signature(&func.sig, &mut signature_errors);
    }
    let signature_is_usable = signature_errors.0.is_none();

    // In source order: the arguments, then the item.
    let mut errors = Errors::default();
    for err in [arg_errors, item_errors, attr_errors, signature_errors].into_iter().filter_map(Errors::into_error) {
        errors.push(err);
    }

    match (errors.into_error(), func) {
        (None, Some(func)) => Parsed::Valid { func, args },
        (Some(errors), Some(func)) if signature_is_usable => {
            Parsed::Invalid { errors, fallback: Fallback::Defaults(func) }
        }
        (Some(errors), Some(func)) => Parsed::Invalid { errors, fallback: Fallback::Stub(func) },
        (Some(errors), None) => Parsed::Invalid { errors, fallback: Fallback::Original(item) },
        (None, None) => unreachable!("an item that is not a function is always an error"),
    }
}

/// The error for an item that is not a function, at its head (`struct Config`, `impl App`, ...).
fn not_a_function(item: &Item) -> syn::Error {
    let head: TokenStream = match item {
        Item::Struct(it) => {
            let (kw, ident) = (&it.struct_token, &it.ident);
            quote!(#kw #ident)
        }
        Item::Enum(it) => {
            let (kw, ident) = (&it.enum_token, &it.ident);
            quote!(#kw #ident)
        }
        Item::Union(it) => {
            let (kw, ident) = (&it.union_token, &it.ident);
            quote!(#kw #ident)
        }
        Item::Const(it) => {
            let (kw, ident) = (&it.const_token, &it.ident);
            quote!(#kw #ident)
        }
        Item::Static(it) => {
            let (kw, ident) = (&it.static_token, &it.ident);
            quote!(#kw #ident)
        }
        Item::Mod(it) => {
            let (kw, ident) = (&it.mod_token, &it.ident);
            quote!(#kw #ident)
        }
        Item::Trait(it) => {
            let (kw, ident) = (&it.trait_token, &it.ident);
            quote!(#kw #ident)
        }
        Item::Type(it) => {
            let (kw, ident) = (&it.type_token, &it.ident);
            quote!(#kw #ident)
        }
        Item::Impl(it) => {
            let (kw, ty) = (&it.impl_token, &it.self_ty);
            quote!(#kw #ty)
        }
        Item::Use(it) => it.use_token.to_token_stream(),
        Item::ExternCrate(it) => {
            let (kw, ident) = (&it.extern_token, &it.ident);
            quote!(#kw #ident)
        }
        Item::ForeignMod(it) => it.abi.to_token_stream(),
        Item::Macro(it) => it.mac.path.to_token_stream(),
        other => other.to_token_stream(),
    };
    syn::Error::new_spanned(head, "`#[otel::main]` can only be applied to a function, such as `async fn main()`")
}

/// Reports (and removes) the attributes that cannot go with `#[otel::main]`: `#[tokio::main]`, which would
/// build a second runtime inside the one `#[otel::main]` builds, and a second `#[otel::main]`.
fn check_attrs(attrs: &mut Vec<syn::Attribute>, errors: &mut Errors) {
    attrs.retain(|attr| {
        let segments = &attr.path().segments;
        let is = |krate: &str| segments.len() == 2 && segments[0].ident == krate && segments[1].ident == "main";
        let message = if is("tokio") {
            "`#[otel::main]` builds the Tokio runtime itself: remove `#[tokio::main]` (the `flavor` and \
             `worker_threads` arguments of `#[otel::main]` configure the runtime)"
        } else if is("otel") {
            "duplicate `#[otel::main]`"
        } else {
            return true;
        };
        errors.push(syn::Error::new_spanned(attr, message));
        false
    });
}

/// Checks that `sig` is a signature that can be wrapped: no parameters, no generics, no `const`, `unsafe`
/// or `extern "ABI"`.
fn check_signature(sig: &Signature, errors: &mut Errors) {
    let name = sig.ident.unraw_string();
    if let Some(constness) = &sig.constness {
        errors.push(syn::Error::new_spanned(
            constness,
            format!("`{name}` cannot be a `const fn`: `#[otel::main]` starts the pipeline at run time"),
        ));
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.push(syn::Error::new_spanned(
            unsafety,
            format!("`{name}` cannot be `unsafe`; use an `unsafe {{ ... }}` block inside it instead"),
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(abi, format!("`{name}` cannot have an explicit ABI")));
    }
    if !sig.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(&sig.generics, format!("`{name}` cannot have generic parameters")));
    }
    if let Some(where_clause) = &sig.generics.where_clause {
        errors.push(syn::Error::new_spanned(where_clause, format!("`{name}` cannot have a `where` clause")));
    }
    if !sig.inputs.is_empty() || sig.variadic.is_some() {
        let parameters = if sig.inputs.is_empty() {
            sig.variadic.to_token_stream()
        } else {
            let inputs = &sig.inputs;
            let variadic = &sig.variadic;
            quote!(#inputs #variadic)
        };
        let message = if sig.inputs.iter().any(|input| matches!(input, FnArg::Receiver(_))) {
            format!("`{name}` cannot take parameters, and `#[otel::main]` cannot be applied to a method")
        } else {
            format!("`{name}` cannot take parameters; read command-line arguments with `std::env::args()`")
        };
        errors.push(syn::Error::new_spanned(parameters, message));
    }
}

/// Parses and checks the arguments. `sig` is the signature of the function they apply to, when the item is
/// a function. Every error goes to `errors`; the returned [`Args`] holds the arguments that are valid.
pub(crate) fn parse_args(tokens: TokenStream, sig: Option<&Signature>, errors: &mut Errors) -> Args {
    let mut args = Args::default();
    let raw = match syn::parse2::<RawArgs>(tokens) {
        Ok(raw) => raw,
        Err(err) => {
            errors.push(err);
            return args;
        }
    };
    let mut seen: Vec<ArgName> = Vec::new();
    // The whole `flavor = ...` and `worker_threads = ...`, to point at them in the errors about the
    // arguments themselves rather than their values.
    let mut flavor_arg: Option<&RawArg> = None;
    let mut worker_threads_arg: Option<&RawArg> = None;
    for arg in &raw.0 {
        let Some(name) = ArgName::from_ident(&arg.name) else {
            errors.push(attr::unknown_argument(&arg.name));
            continue;
        };
        if seen.contains(&name) {
            errors.push(syn::Error::new_spanned(arg, format!("duplicate argument `{}`", name.as_str())));
            continue;
        }
        seen.push(name);
        let Some(value) = &arg.value else {
            errors.push(attr::missing_value(name, arg));
            continue;
        };
        let result = match name {
            ArgName::Config => attr::parse_config(value).map(|lit| args.config = Some(lit)),
            ArgName::Service => attr::parse_service(value).map(|lit| args.service = Some(lit)),
            ArgName::Flavor => {
                flavor_arg = Some(arg);
                attr::parse_flavor(value).map(|flavor| args.flavor = Some((flavor, value_span(value))))
            }
            ArgName::WorkerThreads => {
                worker_threads_arg = Some(arg);
                attr::parse_worker_threads(value)
                    .map(|threads| args.worker_threads = Some((threads, value_span(value))))
            }
            ArgName::OnFailure => attr::parse_on_failure(value).map(|path| args.on_failure = Some(path)),
            ArgName::Signals => attr::parse_signals(value).map(|on| args.signals = Some(on)),
        };
        if let Err(err) = result {
            errors.push(err);
        }
    }

    // The arguments against the function and against each other.
    let Some(sig) = sig else { return args };
    if sig.asyncness.is_none() {
        let name = sig.ident.unraw_string();
        for (arg, arg_name) in [(flavor_arg, ArgName::Flavor), (worker_threads_arg, ArgName::WorkerThreads)] {
            if let Some(arg) = arg {
                errors.push(syn::Error::new_spanned(
                    arg,
                    format!(
                        "`{arg}` applies only to an `async fn {name}`: a plain `fn {name}` runs without a \
                         Tokio runtime of its own; make `{name}` async or remove `{arg}`",
                        arg = arg_name.as_str()
                    ),
                ));
            }
        }
        args.flavor = None;
        args.worker_threads = None;
    } else if let (Some((Flavor::CurrentThread, _)), Some(_), Some(arg)) =
        (args.flavor, args.worker_threads, worker_threads_arg)
    {
        errors.push(syn::Error::new_spanned(
            arg,
            "`worker_threads` cannot be used with `flavor = \"current_thread\"`, which runs every task on \
             the thread of `main`; remove `worker_threads` or use `flavor = \"multi_thread\"`",
        ));
        args.worker_threads = None;
    }
    args
}

fn value_span(value: &syn::Expr) -> proc_macro2::Span {
    value.to_token_stream().into_iter().next().map_or_else(proc_macro2::Span::call_site, |t| t.span())
}

/// `unraw().to_string()` for identifiers, so `r#main` reads as `main` in messages.
trait UnrawString {
    fn unraw_string(&self) -> String;
}

impl UnrawString for syn::Ident {
    fn unraw_string(&self) -> String {
        use syn::ext::IdentExt;
        self.unraw().to_string()
    }
}
