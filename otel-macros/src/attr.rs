//! The grammar of the arguments of `#[otel::main(...)]`.
//!
//! Parsing happens in two steps so that every mistake can be reported at once:
//!
//! 1. [`RawArgs`] reads the comma-separated list of `name = value` pairs without judging them. Only tokens
//!    that are not such a list at all (`#[otel::main(1 + 2)]`, `service = +`) stop the parse here.
//! 2. One parse function per argument ([`parse_config`], [`parse_service`], [`parse_flavor`],
//!    [`parse_worker_threads`], [`parse_on_failure`]) turns a value into its typed form, or into an error
//!    that says which type was expected and what was found. [`crate::parser`] calls them, collects their
//!    errors and checks the arguments against each other and against the function.

use std::fmt::Write as _;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Path, Token, UnOp};

/// One `name = value` pair as written, before its value is checked.
pub(crate) struct RawArg {
    /// The argument's name. Keywords are accepted here (`crate = ...`) so that they can be reported as
    /// unknown arguments rather than as a syntax error.
    pub name: Ident,
    /// The `=`, when present.
    pub eq_token: Option<Token![=]>,
    /// The value after `=`, when present.
    pub value: Option<Expr>,
}

impl Parse for RawArg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if !input.peek(Ident::peek_any) {
            return Err(input.error(
                "expected an argument such as `service = \"checkout\"`; the arguments of `#[otel::main]` \
                 are `config`, `service`, `flavor`, `worker_threads`, `on_failure` and `signals`",
            ));
        }
        let name = Ident::parse_any(input)?;
        if !input.peek(Token![=]) {
            if input.is_empty() || input.peek(Token![,]) {
                return Ok(RawArg { name, eq_token: None, value: None });
            }
            return Err(input.error(format!("expected `=` after `{}`", name.unraw())));
        }
        let eq_token: Token![=] = input.parse()?;
        if input.is_empty() || input.peek(Token![,]) {
            return Ok(RawArg { name, eq_token: Some(eq_token), value: None });
        }
        let value: Expr = input.parse()?;
        Ok(RawArg { name, eq_token: Some(eq_token), value: Some(value) })
    }
}

impl ToTokens for RawArg {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.name.to_tokens(tokens);
        self.eq_token.to_tokens(tokens);
        self.value.to_tokens(tokens);
    }
}

/// The whole argument list: `name = value` pairs separated by commas, with an optional trailing comma.
pub(crate) struct RawArgs(pub Punctuated<RawArg, Token![,]>);

impl Parse for RawArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Punctuated::parse_terminated(input).map(RawArgs)
    }
}

/// The arguments `#[otel::main]` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArgName {
    /// `config = "path/to/otel.toml"`
    Config,
    /// `service = "name"`
    Service,
    /// `flavor = "current_thread" | "multi_thread"`
    Flavor,
    /// `worker_threads = N`
    WorkerThreads,
    /// `on_failure = path::to::handler`
    OnFailure,
    /// `signals = false`
    Signals,
}

impl ArgName {
    /// Every argument, in the order the documentation and the error messages list them.
    pub const ALL: [ArgName; 6] = [
        ArgName::Config,
        ArgName::Service,
        ArgName::Flavor,
        ArgName::WorkerThreads,
        ArgName::OnFailure,
        ArgName::Signals,
    ];

    /// The argument's name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ArgName::Config => "config",
            ArgName::Service => "service",
            ArgName::Flavor => "flavor",
            ArgName::WorkerThreads => "worker_threads",
            ArgName::OnFailure => "on_failure",
            ArgName::Signals => "signals",
        }
    }

    /// An example of the argument, quoted in error messages.
    pub fn example(self) -> &'static str {
        match self {
            ArgName::Config => "config = \"config/otel.toml\"",
            ArgName::Service => "service = \"checkout\"",
            ArgName::Flavor => "flavor = \"current_thread\"",
            ArgName::WorkerThreads => "worker_threads = 4",
            ArgName::OnFailure => "on_failure = report_failure",
            ArgName::Signals => "signals = false",
        }
    }

    /// The known argument called `ident`, if any.
    pub fn from_ident(ident: &Ident) -> Option<ArgName> {
        let name = ident.unraw().to_string();
        ArgName::ALL.into_iter().find(|arg| arg.as_str() == name)
    }
}

/// The error for an argument name that is not one of [`ArgName::ALL`], with a suggestion when the name is
/// close to a known one.
pub(crate) fn unknown_argument(name: &Ident) -> syn::Error {
    let written = name.unraw().to_string();
    let known = ArgName::ALL.iter().map(|arg| format!("`{}`", arg.as_str())).collect::<Vec<_>>().join(", ");
    let mut message = format!("unknown argument `{written}`; expected one of {known}");
    if let Some(close) = closest_argument(&written) {
        let _ = write!(message, " (did you mean `{}`?)", close.as_str());
    }
    syn::Error::new(name.span(), message)
}

/// The known argument `written` was probably meant to be (`servce` → `service`, `service_name` → `service`,
/// `threads` → `worker_threads`), by the rule every otel suggestion follows (otel-config's `closest`).
fn closest_argument(written: &str) -> Option<ArgName> {
    let close = otel_config::__private::closest(written, ArgName::ALL.iter().map(|arg| arg.as_str()))?;
    ArgName::ALL.into_iter().find(|arg| arg.as_str() == close)
}

/// The error for `name` written without a value (`#[otel::main(service)]` or `service = ,`).
pub(crate) fn missing_value(name: ArgName, arg: &RawArg) -> syn::Error {
    syn::Error::new_spanned(arg, format!("`{}` expects a value, such as `{}`", name.as_str(), name.example()))
}

/// The Tokio runtime flavor asked for with `flavor = "..."`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `flavor = "current_thread"`
    CurrentThread,
    /// `flavor = "multi_thread"`, the default.
    MultiThread,
}

impl Flavor {
    /// The value as written in the attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "current_thread",
            Flavor::MultiThread => "multi_thread",
        }
    }
}

/// The valid flavors, as error messages list them.
const FLAVORS: &str = "`\"current_thread\"` or `\"multi_thread\"`";

/// What kind of expression `expr` is, for "found ..." in error messages.
fn describe(expr: &Expr) -> &'static str {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => match lit {
            Lit::Str(_) => "a string literal",
            Lit::ByteStr(_) => "a byte string literal",
            Lit::CStr(_) => "a C string literal",
            Lit::Byte(_) => "a byte literal",
            Lit::Char(_) => "a character literal",
            Lit::Int(_) => "an integer literal",
            Lit::Float(_) => "a float literal",
            Lit::Bool(_) => "a boolean literal",
            _ => "a literal",
        },
        Expr::Unary(syn::ExprUnary { op: UnOp::Neg(_), expr, .. })
            if matches!(&**expr, Expr::Lit(ExprLit { lit: Lit::Int(_) | Lit::Float(_), .. })) =>
        {
            "a negative number"
        }
        Expr::Path(_) => "a path",
        Expr::Closure(_) => "a closure",
        Expr::Macro(_) => "a macro invocation",
        Expr::Call(_) | Expr::MethodCall(_) => "a call",
        Expr::Reference(_) => "a reference",
        _ => "an expression",
    }
}

/// The string literal in `expr`, or an error that says `expected` (such as "`service` expects a string
/// literal") and what was found instead.
fn string_literal(expr: &Expr, expected: &str) -> syn::Result<LitStr> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Str(lit), attrs }) if attrs.is_empty() => {
            if !lit.suffix().is_empty() {
                return Err(syn::Error::new(
                    lit.span(),
                    format!("unexpected suffix `{}` on a string literal", lit.suffix()),
                ));
            }
            Ok(lit.clone())
        }
        other => Err(syn::Error::new_spanned(other, format!("{expected}; found {}", describe(other)))),
    }
}

/// `config = "path/to/otel.toml"`: a non-empty string literal.
pub(crate) fn parse_config(value: &Expr) -> syn::Result<LitStr> {
    let lit = string_literal(
        value,
        "`config` expects a string literal with the path of an otel.toml, such as `config = \"config/otel.toml\"`",
    )?;
    if lit.value().trim().is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            "`config` must not be empty: give the path of an otel.toml, or remove `config` to use \
             ./otel.toml when it exists",
        ));
    }
    Ok(lit)
}

/// `service = "name"`: a non-empty string literal.
pub(crate) fn parse_service(value: &Expr) -> syn::Result<LitStr> {
    let lit = string_literal(value, "`service` expects a string literal, such as `service = \"checkout\"`")?;
    if lit.value().trim().is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            "`service` must not be empty: give the `service.name` to report, such as `service = \"checkout\"`",
        ));
    }
    Ok(lit)
}

/// `flavor = "current_thread" | "multi_thread"`.
pub(crate) fn parse_flavor(value: &Expr) -> syn::Result<Flavor> {
    let written_as_path = match value {
        Expr::Path(path) => path.path.get_ident().map(|ident| ident.unraw().to_string()),
        _ => None,
    };
    let lit = string_literal(value, &format!("`flavor` expects a string literal, {FLAVORS}")).map_err(|err| {
        match written_as_path.as_deref().and_then(flavor_from_str) {
            Some(flavor) => syn::Error::new_spanned(
                value,
                format!("`flavor` expects a string literal: write `flavor = \"{}\"`", flavor.as_str()),
            ),
            None => err,
        }
    })?;
    let written = lit.value();
    if let Some(flavor) = flavor_from_str(&written) {
        return Ok(flavor);
    }
    let mut message = format!("unknown flavor `{written:?}`; expected {FLAVORS}");
    let normalized: String =
        written.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    let close = match normalized.as_str() {
        "currentthread" | "current" | "singlethread" | "single" => Some(Flavor::CurrentThread),
        "multithread" | "multithreaded" | "multi" | "threaded" => Some(Flavor::MultiThread),
        _ => None,
    };
    if let Some(flavor) = close {
        let _ = write!(message, " (did you mean `\"{}\"`?)", flavor.as_str());
    }
    Err(syn::Error::new(lit.span(), message))
}

fn flavor_from_str(written: &str) -> Option<Flavor> {
    match written {
        "current_thread" => Some(Flavor::CurrentThread),
        "multi_thread" => Some(Flavor::MultiThread),
        _ => None,
    }
}

/// `worker_threads = N`: an integer literal of at least 1, unsuffixed or suffixed `usize`.
pub(crate) fn parse_worker_threads(value: &Expr) -> syn::Result<usize> {
    const EXPECTED: &str = "`worker_threads` expects an integer literal, such as `worker_threads = 4`";
    match value {
        Expr::Lit(ExprLit { lit: Lit::Int(lit), attrs }) if attrs.is_empty() => {
            if !matches!(lit.suffix(), "" | "usize") {
                return Err(syn::Error::new(
                    lit.span(),
                    format!("`worker_threads` is a `usize`: write `{}` rather than `{lit}`", lit.base10_digits()),
                ));
            }
            let threads: usize = lit.base10_parse()?;
            if threads == 0 {
                return Err(syn::Error::new(
                    lit.span(),
                    "`worker_threads` must be at least 1; leave it out to get one worker per CPU core",
                ));
            }
            Ok(threads)
        }
        Expr::Unary(syn::ExprUnary { op: UnOp::Neg(_), expr, .. })
            if matches!(&**expr, Expr::Lit(ExprLit { lit: Lit::Int(_), .. })) =>
        {
            Err(syn::Error::new_spanned(value, "`worker_threads` must be at least 1"))
        }
        Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) if lit.value().trim().parse::<usize>().is_ok() => {
            Err(syn::Error::new(
                lit.span(),
                format!(
                    "{EXPECTED}; found a string literal (remove the quotes: `worker_threads = {}`)",
                    lit.value().trim()
                ),
            ))
        }
        other => Err(syn::Error::new_spanned(other, format!("{EXPECTED}; found {}", describe(other)))),
    }
}

/// `on_failure = path::to::handler`: a path to a `fn(&otel::FailureEvent)`. Whether the function has
/// that type is checked by the compiler, at the path, when the expansion casts it.
pub(crate) fn parse_on_failure(value: &Expr) -> syn::Result<Path> {
    const EXPECTED: &str = "`on_failure` expects the path of a function `fn(&otel::FailureEvent)`, \
                            such as `on_failure = report_failure`";
    match value {
        Expr::Path(expr) if expr.attrs.is_empty() && expr.qself.is_none() => Ok(expr.path.clone()),
        Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) if lit.parse::<Path>().is_ok() => Err(syn::Error::new(
            lit.span(),
            format!("{EXPECTED}; found a string literal (remove the quotes: `on_failure = {}`)", lit.value()),
        )),
        Expr::Closure(_) => Err(syn::Error::new_spanned(
            value,
            format!(
                "{EXPECTED}; found a closure (define `fn report_failure(event: &otel::FailureEvent)` \
                 and name it)"
            ),
        )),
        other => Err(syn::Error::new_spanned(other, format!("{EXPECTED}; found {}", describe(other)))),
    }
}

/// `signals = true | false`: a boolean literal.
pub(crate) fn parse_signals(value: &Expr) -> syn::Result<bool> {
    const EXPECTED: &str = "`signals` expects `true` or `false`, such as `signals = false`";
    match value {
        Expr::Lit(ExprLit { lit: Lit::Bool(lit), attrs }) if attrs.is_empty() => Ok(lit.value),
        Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) if matches!(lit.value().as_str(), "true" | "false") => {
            Err(syn::Error::new(
                lit.span(),
                format!("{EXPECTED}; found a string literal (remove the quotes: `signals = {}`)", lit.value()),
            ))
        }
        other => Err(syn::Error::new_spanned(other, format!("{EXPECTED}; found {}", describe(other)))),
    }
}

/// The arguments of one `#[otel::main(...)]`, checked. Every field is `None` when the argument is absent.
#[derive(Clone, Default)]
pub(crate) struct Args {
    /// `config = "..."`
    pub config: Option<LitStr>,
    /// `service = "..."`
    pub service: Option<LitStr>,
    /// `flavor = "..."`, with the span of its value.
    pub flavor: Option<(Flavor, Span)>,
    /// `worker_threads = N`, with the span of `N`.
    pub worker_threads: Option<(usize, Span)>,
    /// `on_failure = path`
    pub on_failure: Option<Path>,
    /// `signals = …`
    pub signals: Option<bool>,
    /// The otel.toml checked at compile time, if any (see [`crate::config_file`]).
    pub config_file: Option<crate::config_file::CheckedFile>,
}
