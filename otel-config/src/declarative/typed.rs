//! The parsed file with every scalar substituted and then typed (the data model: "node types MUST be
//! interpreted after environment variable substitution"). Every invalid reference is reported, with its node's
//! path and position, before anything is mapped.

use super::substitute::{substitute, substitute_by};
use super::yaml::{self, Key, Kind, Node, Pos, Scalar};
use crate::env::Env;

/// A node whose scalars are final.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Typed {
    pub(crate) pos: Pos,
    pub(crate) value: TypedKind,
}

/// What a typed node is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TypedKind {
    /// A scalar: its text after substitution and its core-schema value.
    Scalar { text: String, value: Scalar },
    /// A sequence.
    Seq(Vec<Typed>),
    /// A mapping, in file order.
    Map(Vec<(Key, Typed)>),
}

impl Typed {
    /// Whether the node is null (`key:`, `~`, or a reference to an unset variable): "not set".
    pub(crate) fn is_null(&self) -> bool {
        matches!(self.value, TypedKind::Scalar { value: Scalar::Null, .. })
    }

    /// What the node is, as messages say it; `secret` hides a scalar's value.
    pub(crate) fn describe(&self, secret: bool) -> String {
        match &self.value {
            TypedKind::Seq(_) => "a sequence".to_string(),
            TypedKind::Map(_) => "a mapping".to_string(),
            TypedKind::Scalar { value, .. } if secret => match value {
                Scalar::Null => "null".to_string(),
                Scalar::Bool(_) => "a boolean (value not shown)".to_string(),
                Scalar::Int(_) => "an integer (value not shown)".to_string(),
                Scalar::Float(_) => "a float (value not shown)".to_string(),
                Scalar::Str(_) => "a string (value not shown)".to_string(),
            },
            TypedKind::Scalar { value, text } => match value {
                Scalar::Null => "null".to_string(),
                Scalar::Bool(b) => format!("boolean {b}"),
                Scalar::Int(n) => format!("integer {n}"),
                Scalar::Float(_) => format!("float {text}"),
                Scalar::Str(s) => format!("string {:?}", crate::endpoint::redacted(s)),
            },
        }
    }
}

/// A reference that could not be substituted: the node's path, its position and why.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BadReference {
    pub(crate) path: String,
    pub(crate) pos: Pos,
    pub(crate) reference: String,
    pub(crate) reason: &'static str,
}

/// Where `${…}` references take their values.
pub(crate) enum Values<'e> {
    /// The program's environment.
    Env(&'e Env),
    /// None yet: the compile-time check, where the environment is the compiler's, not the program's. A scalar
    /// holding a valid reference is left unset (as a reference to an unset variable would be), and its path is
    /// noted here, so that no value it may take at run time is judged now.
    Deferred(Vec<String>),
}

/// Substitutes and types every scalar under `node` (whose path is `path`); the invalid references found are
/// added to `bad`.
pub(crate) fn typed(node: Node, path: &str, values: &mut Values<'_>, bad: &mut Vec<BadReference>) -> Typed {
    let value = match node.kind {
        Kind::Scalar { text, plain } => match substituted(&text, path, values) {
            Ok(Substituted::Deferred) => TypedKind::Scalar { text: String::new(), value: Scalar::Null },
            Ok(Substituted::AsWritten) => TypedKind::Scalar { value: yaml::resolve(&text, plain), text },
            Ok(Substituted::Text(text)) => TypedKind::Scalar { value: yaml::resolve(&text, plain), text },
            Err(e) => {
                bad.push(BadReference {
                    path: path.to_string(),
                    pos: node.pos,
                    reference: e.reference,
                    reason: e.reason,
                });
                TypedKind::Scalar { text: String::new(), value: Scalar::Null }
            }
        },
        Kind::Seq(items) => TypedKind::Seq(
            items.into_iter().enumerate().map(|(i, item)| typed(item, &format!("{path}[{i}]"), values, bad)).collect(),
        ),
        Kind::Map(entries) => TypedKind::Map(
            entries
                .into_iter()
                .map(|(key, value)| {
                    let child = child_path(path, &key.text);
                    let mut value = typed(value, &child, values, bad);
                    // A collection or an empty value is shown where its key is written (a block mapping starts on
                    // the next line); a scalar where its value is.
                    if value.is_null() || !matches!(value.value, TypedKind::Scalar { .. }) {
                        value.pos = key.pos;
                    }
                    (key, value)
                })
                .collect(),
        ),
    };
    Typed { pos: node.pos, value }
}

/// A scalar's text after substitution.
enum Substituted {
    /// No reference: the text as written.
    AsWritten,
    /// The text with its references replaced.
    Text(String),
    /// It holds a reference and the values are not known ([`Values::Deferred`]).
    Deferred,
}

fn substituted(
    text: &str,
    path: &str,
    values: &mut Values<'_>,
) -> Result<Substituted, super::substitute::InvalidReference> {
    match values {
        Values::Env(env) => Ok(substitute(text, env)?.map_or(Substituted::AsWritten, Substituted::Text)),
        Values::Deferred(paths) => {
            let mut referenced = false;
            let result = substitute_by(text, &mut |_| {
                referenced = true;
                None
            })?;
            if referenced {
                paths.push(path.to_string());
                return Ok(Substituted::Deferred);
            }
            Ok(result.map_or(Substituted::AsWritten, Substituted::Text))
        }
    }
}

/// `parent.key`, the key shown escaped (a control character in it must not break the message's line).
pub(crate) fn child_path(parent: &str, key: &str) -> String {
    let mut shown = String::with_capacity(key.len());
    for c in key.chars() {
        if c.is_control() {
            shown.extend(c.escape_debug());
        } else {
            shown.push(c);
        }
    }
    let key = shown;
    if parent.is_empty() {
        key
    } else {
        format!("{parent}.{key}")
    }
}
