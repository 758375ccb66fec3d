//! Environment variable substitution in scalar values, exactly as the configuration data model defines it:
//! `${VAR}`, `${env:VAR}`, `${VAR:-default}` (the default also when `VAR` is empty), `$$` for a literal `$`.
//!
//! It runs on each scalar's text after the YAML is parsed, so a value can never inject structure (`"a\n  b: c"`
//! stays one string), mapping keys are never substituted, and a substituted value is never substituted again.
//! The input is read left to right: each `$$` is an escape, and only the text between two escapes is matched
//! against `${…}`, so `$${A}` is the literal `${A}`.

use crate::env::Env;

/// A reference that does not follow the grammar (`${1A}`, `${A:?x}`, `${sys:x}`): what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InvalidReference {
    /// The reference as written (a variable name and a default, never a variable's value).
    pub(crate) reference: String,
    /// Why it is not valid.
    pub(crate) reason: &'static str,
}

/// Substitutes every reference in `text`; `None` when there is none (the scalar is kept as written).
pub(crate) fn substitute(text: &str, env: &Env) -> Result<Option<String>, InvalidReference> {
    substitute_by(text, &mut |name| env.raw(name))
}

/// [`substitute`] with the variables' values given by `lookup` (the compile-time check only notes that a
/// reference is there: its value is the program's environment, not the compiler's).
pub(crate) fn substitute_by<'e>(
    text: &str,
    lookup: &mut dyn FnMut(&str) -> Option<&'e str>,
) -> Result<Option<String>, InvalidReference> {
    if !text.contains('$') {
        return Ok(None);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        match rest.find("$$") {
            Some(i) => {
                references(&rest[..i], lookup, &mut out)?;
                out.push('$');
                rest = &rest[i + 2..];
            }
            None => {
                references(rest, lookup, &mut out)?;
                return Ok(Some(out));
            }
        }
    }
}

/// Substitutes the references in a segment that holds no `$$`.
fn references<'e>(
    segment: &str,
    lookup: &mut dyn FnMut(&str) -> Option<&'e str>,
    out: &mut String,
) -> Result<(), InvalidReference> {
    let mut rest = segment;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        // `[^}]+` then `}`: text without a closing brace, or `${}`, is not a reference and stays as written.
        match after.find('}') {
            Some(end) if end > 0 => {
                let content = &after[..end];
                out.push_str(&resolve(content, lookup)?);
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(())
}

/// The value of one reference's content (between `${` and `}`).
fn resolve<'e>(content: &str, lookup: &mut dyn FnMut(&str) -> Option<&'e str>) -> Result<String, InvalidReference> {
    let invalid = |reason| InvalidReference { reference: format!("${{{content}}}"), reason };
    let substitution = content.strip_prefix("env:").unwrap_or(content);
    let name_end = substitution.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(substitution.len());
    let (name, tail) = substitution.split_at(name_end);
    let name_ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let default = match tail {
        "" => None,
        t => t.strip_prefix(":-"),
    };
    if name_ok && (tail.is_empty() || default.is_some()) {
        if default.is_some_and(|d| d.contains('\n')) {
            return Err(invalid("a default value cannot span lines"));
        }
        let value = lookup(name).filter(|v| !v.is_empty());
        return Ok(match (value, default) {
            (Some(value), _) => value.to_string(),
            (None, Some(default)) => default.to_string(),
            (None, None) => String::new(),
        });
    }
    // `PREFIX:` other than `env:` (a language-specific source), which otel does not have.
    let prefix_end = content.find(':').unwrap_or(0);
    let is_prefix = prefix_end > 0
        && content[..prefix_end].chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && content[..prefix_end].chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !content.starts_with("env:");
    if is_prefix && content[prefix_end + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return Err(invalid("only the `env:` prefix is supported (or none)"));
    }
    if !name_ok {
        return Err(invalid("a variable name starts with a letter or `_` and holds only letters, digits and `_`"));
    }
    Err(invalid("expected `${NAME}`, `${env:NAME}` or `${NAME:-default}`"))
}
