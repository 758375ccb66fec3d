//! The compile-time check of otel.toml: the file `config = "…"` names (relative to the crate's directory,
//! `CARGO_MANIFEST_DIR`), else `otel.toml` beside the crate's `Cargo.toml` when it exists. It is parsed and
//! validated with `otel_config::check_file`, so a mistake is a compile error carrying the very message the
//! program would print at start; no file means no check. A `.yaml`/`.yml` file is the declarative
//! configuration file instead, checked in full except for what its `${…}` substitutions decide at start.
//!
//! The expansion includes the file (`::core::include_bytes!` of its absolute path), so that Cargo rebuilds
//! the crate, and checks the file again, whenever it is edited. The program still reads the file at start:
//! the compiled-in bytes are never used.

use std::path::{Path, PathBuf};

use otel_config::{Origin, ProblemKind};
use proc_macro2::Span;
use syn::LitStr;

use crate::parser::{Fallback, Parsed};

/// The file that was checked: its absolute path, for `include_bytes!`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CheckedFile {
    /// The absolute path, as UTF-8 (`None` when it is not UTF-8: checked, but not tracked for rebuilds).
    pub absolute: Option<String>,
}

/// Checks the otel.toml of a valid `#[otel::main]` for the crate being compiled (`CARGO_MANIFEST_DIR`): a
/// bad file turns it into an error, at the `config` argument or the attribute, beside the wrapper with default
/// arguments (so that no other error follows). Invalid attributes are returned unchanged: the file is checked
/// only once the arguments are right.
pub(crate) fn apply(parsed: Parsed) -> Parsed {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    apply_in(manifest_dir.as_deref(), parsed)
}

/// [`apply`] for the crate in `manifest_dir`.
pub(crate) fn apply_in(manifest_dir: Option<&Path>, parsed: Parsed) -> Parsed {
    match parsed {
        Parsed::Valid { func, mut args } => match check_in(manifest_dir, args.config.as_ref()) {
            Ok(file) => {
                args.config_file = file;
                Parsed::Valid { func, args }
            }
            Err(errors) => Parsed::Invalid { errors, fallback: Fallback::Defaults(func) },
        },
        invalid => invalid,
    }
}

/// [`check`] for the crate in `manifest_dir` (`None`: not built by Cargo, nothing is checked).
pub(crate) fn check_in(manifest_dir: Option<&Path>, config: Option<&LitStr>) -> syn::Result<Option<CheckedFile>> {
    let Some(dir) = manifest_dir else { return Ok(None) };
    let (path, shown, span) = match config {
        Some(lit) => {
            let written = lit.value();
            let path = dir.join(&written);
            if !path.exists() {
                let kind = ProblemKind::MissingFile { path: written.into() };
                let problem = otel_config::__private::problem(kind, None, Origin::MacroArgument("config"));
                let note = "(a relative path is resolved against the crate's directory, where its Cargo.toml is)";
                return Err(syn::Error::new(lit.span(), format!("{problem} {note}")));
            }
            (path, written, lit.span())
        }
        None => {
            let path = dir.join("otel.toml");
            if !path.is_file() {
                return Ok(None);
            }
            (path, "otel.toml".to_string(), Span::call_site())
        }
    };
    // Read (bounded, regular files only) and checked as the program does at start; messages name the path as
    // written.
    let shown = Path::new(&shown);
    let checked = match otel_config::__private::is_declarative(&path) {
        // A declarative file: what `${…}` substitution decides is left to the start (the variables are the
        // program's, not the compiler's).
        true => otel_config::__private::check_declarative_path(&path, shown),
        false => otel_config::__private::check_path(&path, shown).map(drop),
    };
    checked.map_err(|e| syn::Error::new(span, e.to_string()))?;
    Ok(Some(CheckedFile { absolute: path.to_str().map(str::to_string) }))
}

#[cfg(test)]
#[allow(clippy::type_complexity)]
mod tests {
    use super::*;

    /// A fresh directory standing for a crate, with the given files.
    fn crate_dir(files: &[(&str, &str)]) -> PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "otel-macros-config-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn lit(text: &str) -> LitStr {
        LitStr::new(text, Span::call_site())
    }

    #[test]
    fn which_file_is_checked() {
        // (files, config argument, Ok(checked file relative to the dir) or Err(message))
        let rows: Vec<(Vec<(&str, &str)>, Option<&str>, Result<Option<&str>, &str>)> = vec![
            (vec![], None, Ok(None)),
            (vec![("otel.toml", "[service]\nname = \"x\"")], None, Ok(Some("otel.toml"))),
            (vec![("conf/a.toml", "")], Some("conf/a.toml"), Ok(Some("conf/a.toml"))),
            // `config` wins over ./otel.toml, which is not checked then.
            (vec![("otel.toml", "bad = 1"), ("a.toml", "")], Some("a.toml"), Ok(Some("a.toml"))),
            (
                vec![],
                Some("missing.toml"),
                Err("otel: the configuration file `missing.toml` named by `config = …` does not exist (a relative \
                     path is resolved against the crate's directory, where its Cargo.toml is)"),
            ),
            (
                vec![("otel.toml", "[exporter]\nprotocol = \"gprc\"")],
                None,
                Err("otel: invalid configuration in otel.toml: key `exporter.protocol`: unknown value \"gprc\"; \
                     expected one of \"grpc\", \"http/protobuf\", \"http/json\", \"console\", \"none\""),
            ),
            (
                vec![("c/o.toml", "[exporter]\nendpointt = \"http://x\"")],
                Some("c/o.toml"),
                Err("otel: invalid configuration in c/o.toml: unknown key `exporter.endpointt`; did you mean \
                     `exporter.endpoint`? (valid keys in [exporter]: protocol, endpoint, traces_endpoint, \
                     logs_endpoint, metrics_endpoint, timeout, headers, compression, insecure, certificate, \
                     client_certificate, client_key, on_invalid)"),
            ),
            // A `.yaml` file is the declarative configuration file: checked, substitutions left to the start.
            (
                vec![("otel.yaml", "file_format: \"1.0\"\ndisabled: ${OFF:-false}\ntracer_provider:\n")],
                Some("otel.yaml"),
                Ok(Some("otel.yaml")),
            ),
            (
                vec![("d/o.yml", "file_format: \"1.0\"\ntracer_provider:\n  samplr:\n")],
                Some("d/o.yml"),
                Err("otel: invalid configuration in d/o.yml, line 3, column 3: unknown key `tracer_provider.samplr`; \
                     did you mean `tracer_provider.sampler`? (valid keys under `tracer_provider`: processors, \
                     limits, sampler, id_generator)"),
            ),
            // A directory is not read (nor a FIFO, which would block the compiler): the message the program gives.
            (
                vec![("conf/x", "")],
                Some("conf"),
                Err("otel: cannot read the configuration file `conf`: not a regular file"),
            ),
        ];
        for (i, (files, config, expected)) in rows.into_iter().enumerate() {
            let dir = crate_dir(&files);
            let config = config.map(lit);
            let result = check_in(Some(&dir), config.as_ref());
            match (result, expected) {
                (Ok(file), Ok(expected)) => {
                    let expected = expected.map(|name| dir.join(name).to_str().unwrap().to_string());
                    assert_eq!(file.and_then(|f| f.absolute), expected, "row {i}");
                }
                (Err(err), Err(expected)) => assert_eq!(err.to_string(), expected, "row {i}"),
                (result, expected) => panic!("row {i}: got {result:?}, expected {expected:?}"),
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
        assert_eq!(check_in(None, Some(&lit("anything.toml"))).unwrap(), None);
    }

    #[test]
    fn apply_tracks_the_file_or_reports_it() {
        let item = quote::quote!(
            async fn main() {}
        );
        let dir = crate_dir(&[("otel.toml", "[service]\nname = \"x\"")]);
        let expanded = crate::expand::expand(apply_in(Some(&dir), crate::parser::parse(quote::quote!(), item.clone())))
            .to_string();
        let include = format!("const _ : & [u8] = :: core :: include_bytes ! ({:?})", dir.join("otel.toml"));
        assert!(expanded.contains(&include), "{expanded}");

        std::fs::write(dir.join("otel.toml"), "[batch]\nmax_queue_size = \"lots\"").unwrap();
        let expanded =
            crate::expand::expand(apply_in(Some(&dir), crate::parser::parse(quote::quote!(), item))).to_string();
        assert!(expanded.starts_with(":: core :: compile_error !"), "{expanded}");
        assert!(expanded.contains("key `batch.max_queue_size`: expected a non-negative integer"), "{expanded}");
        // The wrapper is still there, without the file: no "`main` function not found".
        assert!(expanded.contains("pub fn main") || expanded.contains("fn main ()"), "{expanded}");
        assert!(!expanded.contains("include_bytes"), "{expanded}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
