//! The YAML file as a tree of nodes, each with its line and column, and each scalar with its raw text and
//! whether it was written plain (its type is resolved only after substitution, as the data model requires).
//!
//! Why `saphyr-parser`: it is a maintained YAML 1.2 parser (the successor of yaml-rust, which `serde_yaml`'s
//! deprecation left as the ecosystem's choice) that gives every event a position and every scalar its style
//! (plain or quoted) and raw text, which substitution needs; it brings only `arraydeque` and `thiserror`, which
//! the workspace already has, so `cargo tree -d` gains nothing. Its event stream is turned into nodes here, so
//! that the limits below are ours: nesting depth, node count (aliases are expanded, and a "billion laughs"
//! document must not allocate without bound), one document, no duplicate keys.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

/// The deepest nesting read: the schema is a few levels deep (a sampler tree perhaps ten); more is a mistake
/// or an attack.
const MAX_DEPTH: usize = 64;

/// The most nodes one document may hold once its aliases are expanded: far beyond any real file (the spec's
/// kitchen-sink example has a few hundred), small enough that the worst case costs milliseconds.
const MAX_NODES: usize = 100_000;

/// A place in the file: line and column, both from 1 (the column in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl Pos {
    fn of(span: &Span) -> Pos {
        Pos { line: span.start.line(), column: span.start.col() + 1 }
    }
}

/// One node of the document.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub(crate) pos: Pos,
    pub(crate) kind: Kind,
}

/// What a node is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    /// A scalar as written (escapes resolved, no type yet). `plain` is false for quoted and block scalars and
    /// for `!!str`: those stay strings whatever they hold.
    Scalar { text: String, plain: bool },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order; keys are scalars (never substituted, per the data model).
    Map(Vec<(Key, Node)>),
}

/// A mapping key and where it is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Key {
    pub(crate) text: String,
    pub(crate) pos: Pos,
}

/// Why the text is not a document we read, and where.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SyntaxError {
    pub(crate) pos: Option<Pos>,
    pub(crate) message: String,
}

/// A collection being built.
enum Open {
    Seq { pos: Pos, anchor: usize, items: Vec<Node> },
    Map { pos: Pos, anchor: usize, entries: Vec<(Key, Node)>, key: Option<Key> },
}

/// Parses `text` into the root node of its single document; `None` for an empty document.
pub(crate) fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut nodes = 0usize;
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| SyntaxError {
            pos: Some(Pos { line: e.marker().line(), column: e.marker().col() + 1 }),
            message: e.info().to_string(),
        })?;
        let pos = Pos::of(&span);
        let error = |message: &str| SyntaxError { pos: Some(pos), message: message.to_string() };
        let node = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(error("a second document; the configuration file holds exactly one"));
                }
                continue;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => continue,
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(error(&format!("nested deeper than {MAX_DEPTH} levels")));
                }
                stack.push(match event {
                    Event::SequenceStart(..) => Open::Seq { pos, anchor, items: Vec::new() },
                    _ => Open::Map { pos, anchor, entries: Vec::new(), key: None },
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match stack.pop() {
                    Some(Open::Seq { pos, anchor, items }) => (Node { pos, kind: Kind::Seq(items) }, anchor),
                    Some(Open::Map { pos, anchor, entries, .. }) => (Node { pos, kind: Kind::Map(entries) }, anchor),
                    None => return Err(error("unbalanced collection")),
                };
                remember(&mut anchors, anchor, &node);
                node
            }
            Event::Scalar(text, style, anchor, tag) => {
                let forced_string = tag.as_ref().is_some_and(|t| t.handle == "tag:yaml.org,2002:" && t.suffix == "str")
                    || tag.as_ref().is_some_and(|t| t.handle == "!!" && t.suffix == "str");
                let plain = style == ScalarStyle::Plain && !forced_string;
                let node = Node { pos, kind: Kind::Scalar { text: text.into_owned(), plain } };
                remember(&mut anchors, anchor, &node);
                node
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(node) => {
                    // Aliases nest anchored trees into each other: the depth is checked here too, so that no
                    // tree (walked recursively later) is deeper than MAX_DEPTH.
                    if stack.len() + depth(node) > MAX_DEPTH + 1 {
                        return Err(error(&format!("nested deeper than {MAX_DEPTH} levels once aliases are expanded")));
                    }
                    nodes += count(node);
                    if nodes > MAX_NODES {
                        return Err(error(&format!("more than {MAX_NODES} nodes once aliases are expanded")));
                    }
                    Node { pos, ..node.clone() }
                }
                None => return Err(error("an alias to an unknown anchor")),
            },
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(error(&format!("more than {MAX_NODES} nodes")));
        }
        match stack.last_mut() {
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map { entries, key, .. }) => match key.take() {
                None => {
                    let Kind::Scalar { text, .. } = node.kind else {
                        return Err(SyntaxError {
                            pos: Some(node.pos),
                            message: "a mapping key must be a scalar".to_string(),
                        });
                    };
                    if entries.iter().any(|(k, _)| k.text == text) {
                        return Err(SyntaxError {
                            pos: Some(node.pos),
                            message: format!("duplicate key `{}`", text.escape_debug()),
                        });
                    }
                    *key = Some(Key { text, pos: node.pos });
                }
                Some(k) => entries.push((k, node)),
            },
            None => root = Some(node),
        }
    }
    Ok(root)
}

/// Keeps an anchored node for its aliases.
fn remember(anchors: &mut HashMap<usize, Node>, anchor: usize, node: &Node) {
    if anchor != 0 {
        anchors.insert(anchor, node.clone());
    }
}

/// The levels of a tree (a scalar is 1).
fn depth(node: &Node) -> usize {
    match &node.kind {
        Kind::Scalar { .. } => 1,
        Kind::Seq(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Kind::Map(entries) => 1 + entries.iter().map(|(_, v)| depth(v)).max().unwrap_or(0),
    }
}

/// The nodes in a tree (what an alias to it costs).
fn count(node: &Node) -> usize {
    match &node.kind {
        Kind::Scalar { .. } => 1,
        Kind::Seq(items) => 1 + items.iter().map(count).sum::<usize>(),
        Kind::Map(entries) => 1 + entries.iter().map(|(_, v)| 1 + count(v)).sum::<usize>(),
    }
}

/// A scalar's value once typed by the YAML 1.2 core schema.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

/// Types `text` by the core schema when it was written plain; a quoted scalar is always a string.
pub(crate) fn resolve(text: &str, plain: bool) -> Scalar {
    if !plain {
        return Scalar::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    let int = |digits: &str, radix| i64::from_str_radix(digits, radix).ok();
    if let Some(hex) = text.strip_prefix("0x").filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_hexdigit())) {
        if let Some(n) = int(hex, 16) {
            return Scalar::Int(n);
        }
    }
    if let Some(oct) =
        text.strip_prefix("0o").filter(|d| !d.is_empty() && d.bytes().all(|b| (b'0'..=b'7').contains(&b)))
    {
        if let Some(n) = int(oct, 8) {
            return Scalar::Int(n);
        }
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(n) = int(text.strip_prefix('+').unwrap_or(text), 10) {
            return Scalar::Int(n);
        }
        // Too large for an i64: still a number, kept as a float so that a range check names it.
        return text.parse().map(Scalar::Float).unwrap_or_else(|_| Scalar::Str(text.to_string()));
    }
    if is_core_float(unsigned) {
        if let Ok(f) = text.parse() {
            return Scalar::Float(f);
        }
    }
    Scalar::Str(text.to_string())
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` without its sign.
fn is_core_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}
