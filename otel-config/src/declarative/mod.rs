//! The OpenTelemetry declarative configuration file (`OTEL_CONFIG_FILE`, file format 1.x): one YAML file that
//! configures the SDK the same way in every language.
//!
//! When `OTEL_CONFIG_FILE` is set (non-empty), that file is the whole configuration, with the spec's semantics:
//! - the other `OTEL_*` variables (and our `OTEL_TOML_*`) are ignored; values enter only through substitution in
//!   the file (`${VAR}`, `${env:VAR}`, `${VAR:-default}`, `$$`);
//! - otel.toml (the one `config = …`, `OTEL_TOML` or the working directory would give) is not read: one warning
//!   says so when it exists;
//! - below the file are only the built-in defaults and the macro's arguments (`service`, the crate's name and
//!   version: what names the service when the file's resource does not).
//!
//! The file is parsed with positions ([`yaml`]), its scalars substituted and typed ([`typed`], [`substitute`]),
//! mapped onto otel.toml's keys ([`map`]; what is out of scope is a warning, [`scope`]), and the result is
//! validated by exactly otel.toml's rules. The other way, [`to_declarative_yaml`] writes the file equivalent to a
//! configuration ([`emit`]). Every problem names the file, the node's path
//! (`tracer_provider.processors[0].batch.exporter.otlp_grpc.endpoint`) and its line and column.

mod emit;
mod map;
mod scope;
mod substitute;
mod typed;
mod yaml;

pub use emit::to_declarative_yaml;

use crate::env::Env;
use crate::error::{ConfigError, ConfigProblem, ProblemKind};
use crate::load::{LoadOptions, Loaded};
use crate::source::{Origin, Origins, ParsedFile};
use crate::warning::Warning;
use crate::{file, load};
use std::collections::HashMap;
use std::path::Path;
use typed::Values;

/// The variable that names the declarative configuration file.
pub(crate) const OTEL_CONFIG_FILE: &str = "OTEL_CONFIG_FILE";

/// Whether `path` names a declarative configuration file rather than an otel.toml: by its extension, `.yaml` or
/// `.yml` (how `config = "…"` chooses; `OTEL_CONFIG_FILE` always names one).
pub(crate) fn is_declarative(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Loads the declarative file `named` (relative to `options.cwd`), which `named_by` names: `OTEL_CONFIG_FILE`,
/// or the macro's `config = "….yaml"`.
pub(crate) fn load_file(
    options: &LoadOptions,
    env: &Env,
    named: &Path,
    named_by: Origin,
) -> Result<Loaded, ConfigError> {
    let path = file::absolute(options, named);
    if !path.exists() {
        let kind = ProblemKind::MissingFile { path };
        return Err(ConfigProblem::new(kind, None, named_by).into());
    }
    let text = file::read_text(&path, &path)?;
    let (config, mut warnings, origins) = resolve(options, env, &path, &text)?;
    // An otel.toml that would have been read is not: say so, once. (A missing one named by `config = …` is no
    // error here: it is not used.)
    let toml_options = LoadOptions { file: options.file.clone().filter(|f| !is_declarative(f)), ..options.clone() };
    if let Ok(Some(toml)) = file::locate(&toml_options, env) {
        let reason = format!("not read: {} names the configuration file", named_by.as_namer());
        let instead = format!("using {} alone", path.display());
        warnings.insert(0, Warning::node(toml.display().to_string(), "", reason, instead));
    }
    Ok(Loaded { config, warnings, file: Some(path), file_format: Some(crate::FileFormat::Yaml), origins })
}

/// Loads a declarative configuration file given as text, as `OTEL_CONFIG_FILE` would: `path` names it in
/// messages (nothing is read from disk), `options.env` (or the process environment when `None`) is what `${…}`
/// substitutes, and the macro's arguments in `options` are the defaults below the file. Never panics.
///
/// ```
/// use std::path::Path;
/// let options = otel_config::LoadOptions::new()
///     .env([("COLLECTOR", "http://collector:4317")]);
/// let text = r#"
/// file_format: "1.0"
/// tracer_provider:
///   processors:
///     - batch:
///         exporter:
///           otlp_grpc:
///             endpoint: ${COLLECTOR}
/// "#;
/// let loaded = otel_config::load_declarative_text(&options, Path::new("otel.yaml"), text).unwrap();
/// let traces = loaded.config.exporter_for(otel_config::Signal::Traces);
/// assert_eq!(traces.protocol, otel_config::Protocol::Grpc);
/// assert_eq!(traces.url(otel_config::Signal::Traces), "http://collector:4317");
/// // No logger_provider or meter_provider: those signals are off, as the file format says.
/// assert!(!loaded.config.exports(otel_config::Signal::Logs));
/// ```
pub fn load_declarative_text(options: &LoadOptions, path: &Path, text: &str) -> Result<Loaded, ConfigError> {
    let env = Env::new(options.env.as_ref());
    let (config, warnings, origins) = resolve(options, &env, path, text)?;
    let file = Some(path.to_path_buf());
    Ok(Loaded { config, warnings, file, file_format: Some(crate::FileFormat::Yaml), origins })
}

/// The compile-time check of a declarative file (`#[otel::main(config = "otel.yaml")]`): everything but what
/// substitution decides. The variables are the program's, not the compiler's, so a scalar holding a `${…}`
/// reference is left unset, and a problem it could take part in is not reported now (the same problem, if the
/// value makes it one, stops the start): one about that node, or about any node of the same exporter block
/// (its endpoint, protocol, TLS files and headers are checked together), or a sibling elsewhere. Syntax, wrong
/// types, unknown keys and invalid values written in the file are errors, as at start.
///
/// (A problem a substituted node hides at an earlier step, its file being mapped, can hide later ones: those
/// then stop the start instead of the build.)
pub(crate) fn check_text(path: &Path, text: &str) -> Result<(), ConfigError> {
    let no_env = Env::new(Some(&HashMap::new()));
    let mut values = Values::Deferred(Vec::new());
    // A syntax error or an invalid reference is reported whatever the variables.
    let root = parse_typed(&mut values, path, text)?;
    let Values::Deferred(deferred) = values else { return Ok(()) };
    let Err(error) = resolve_typed(&LoadOptions::default(), &no_env, path, &root) else { return Ok(()) };
    // An unknown key or a written value of the wrong type is what it is, whatever the variables say.
    let exempt = |p: &ConfigProblem| {
        !matches!(p.kind(), ProblemKind::UnknownKey { .. } | ProblemKind::WrongType { .. })
            && p.key().is_some_and(|key| deferred.iter().any(|d| decided_by(key, d)))
    };
    let remaining: Vec<ConfigProblem> = error.into_iter().filter(|p| !exempt(p)).collect();
    if remaining.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::from_problems(remaining))
    }
}

/// Whether a problem at node `key` may depend on the substituted node `deferred`: it is under the same exporter
/// block (`….exporter.otlp_grpc`), or, elsewhere, under the same parent (a top-level node only itself).
fn decided_by(key: &str, deferred: &str) -> bool {
    let scope = match deferred.find(".exporter.") {
        Some(i) => {
            let after = i + ".exporter.".len();
            let end = deferred[after..].find(['.', '[']).map_or(deferred.len(), |j| after + j);
            &deferred[..end]
        }
        None => match deferred.rfind(['.', '[']) {
            Some(i) => &deferred[..i],
            None => deferred,
        },
    };
    key == scope || key.strip_prefix(scope).is_some_and(|rest| rest.starts_with(['.', '[']))
}

/// Parses, substitutes (from `env`), maps and validates.
fn resolve(
    options: &LoadOptions,
    env: &Env,
    path: &Path,
    text: &str,
) -> Result<(crate::Config, Vec<Warning>, Origins), ConfigError> {
    let root = parse_typed(&mut Values::Env(env), path, text)?;
    resolve_typed(options, env, path, &root)
}

/// The file parsed, its scalars substituted from `values` and typed; a syntax error or invalid references are
/// the error.
fn parse_typed(values: &mut Values<'_>, path: &Path, text: &str) -> Result<typed::Typed, ConfigError> {
    let origin = || Origin::File(path.to_path_buf());
    let root = match yaml::parse(text) {
        Ok(Some(root)) => root,
        Ok(None) => {
            let reason = "the file is empty; `file_format` is required (e.g. file_format: \"1.0\")".to_string();
            return Err(ConfigProblem::new(ProblemKind::InvalidValue { reason }, None, origin()).into());
        }
        Err(e) => {
            let kind = ProblemKind::Syntax {
                format: crate::FileFormat::Yaml,
                line: e.pos.map(|p| p.line),
                column: e.pos.map(|p| p.column),
                message: e.message,
            };
            return Err(ConfigProblem::new(kind, None, origin()).into());
        }
    };
    let mut bad = Vec::new();
    let root = typed::typed(root, "", values, &mut bad);
    if !bad.is_empty() {
        let problems = bad
            .into_iter()
            .map(|b| {
                // A reference under headers may hold a secret (a default value): not shown.
                let reference = match b.path.contains("headers") {
                    true => "(not shown)".to_string(),
                    false => format!("{:?}", b.reference.escape_debug().to_string()),
                };
                let reason = format!("invalid substitution {reference}: {}", b.reason);
                let at = Origin::FileAt { path: path.to_path_buf(), line: b.pos.line, column: b.pos.column };
                ConfigProblem::new(ProblemKind::InvalidValue { reason }, (!b.path.is_empty()).then_some(&b.path), at)
            })
            .collect();
        return Err(ConfigError::from_problems(problems));
    }
    Ok(root)
}

/// The typed file mapped onto otel.toml's keys and validated by its rules; `env` is read only by the `service`
/// resource detector.
fn resolve_typed(
    options: &LoadOptions,
    env: &Env,
    path: &Path,
    root: &typed::Typed,
) -> Result<(crate::Config, Vec<Warning>, Origins), ConfigError> {
    let mapped = map::map(root, path, env).map_err(ConfigError::from_problems)?;
    let parsed = ParsedFile { path: path.to_path_buf(), dict: mapped.dict };
    // Nothing from the environment below or above the file: only the defaults and the macro's arguments.
    let no_env = Env::new(Some(&HashMap::new()));
    match load::resolve(options, &no_env, Some(&parsed)) {
        Ok((config, warnings, origins)) => {
            // A key the file set comes from its node, with the node's position.
            let origins = origins.map(|key, origin| match node_of(key, &mapped.nodes) {
                Some((_, pos)) if origin == Origin::File(path.to_path_buf()) => {
                    Origin::FileAt { path: path.to_path_buf(), line: pos.line, column: pos.column }
                }
                _ => origin,
            });
            Ok((config, mapped.warnings.into_iter().chain(warnings).collect(), origins))
        }
        Err(error) => {
            Err(ConfigError::from_problems(error.into_iter().map(|p| relocate(p, path, &mapped.nodes)).collect()))
        }
    }
}

/// A problem found by otel.toml's rules, named by the file node behind its key (the longest key that is the
/// problem's or a parent of it) with that node's position.
fn relocate(problem: ConfigProblem, path: &Path, nodes: &[(String, String, yaml::Pos)]) -> ConfigProblem {
    if problem.origin() != &Origin::File(path.to_path_buf()) {
        return problem;
    }
    let Some(key) = problem.key().map(str::to_string) else { return problem };
    match node_of(&key, nodes) {
        Some((node_path, pos)) => {
            let origin = Origin::FileAt { path: path.to_path_buf(), line: pos.line, column: pos.column };
            problem.relocated(node_path, origin)
        }
        None => problem,
    }
}

/// The file node behind `key` (the node of the longest key that is `key` or a parent of it): its path in the
/// file and its position.
fn node_of<'n>(key: &str, nodes: &'n [(String, String, yaml::Pos)]) -> Option<(&'n str, &'n yaml::Pos)> {
    let within = |k: &str| key == k || key.strip_prefix(k).is_some_and(|rest| rest.starts_with(['.', '[']));
    let best = nodes.iter().filter(|(k, _, _)| within(k)).max_by_key(|(k, _, _)| k.len());
    best.map(|(_, node_path, pos)| (node_path.as_str(), pos))
}

#[cfg(test)]
mod tests;
