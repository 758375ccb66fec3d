//! The declarative file's nodes mapped onto otel's configuration: an otel.toml-shaped table (one figment layer,
//! validated by the same rules as otel.toml), the file node behind each key it sets (so that a later problem
//! names the node and its position), and a [`Warning`] for every node this framework does not implement, naming
//! what is used instead (the list of those is [`super::scope`]).
//!
//! The file format's semantics, where they differ from otel.toml's defaults: a provider that is absent is a
//! no-op (its signal is off), an absent `propagator` propagates nothing, and resource detection runs only when
//! `resource.detection/development` lists detectors.

use super::scope;
use super::typed::{child_path, Typed, TypedKind};
use super::yaml::{Pos, Scalar};
use crate::enums::{Propagator, SamplerName, Signal};
use crate::env::Env;
use crate::error::{ConfigProblem, ProblemKind};
use crate::headers::Headers;
use crate::keys::{self, key};
use crate::pairs::parse_pairs;
use crate::source::Origin;
use crate::suggest::closest;
use crate::warning::Warning;
use figment::value::{Dict, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file's configuration as otel.toml keys, where each came from, and the warnings.
pub(crate) struct Mapped {
    /// The otel.toml-shaped table.
    pub(crate) dict: Dict,
    /// For each otel.toml key set: the file node's path and position.
    pub(crate) nodes: Vec<(String, String, Pos)>,
    /// What is not implemented, or implemented otherwise.
    pub(crate) warnings: Vec<Warning>,
}

/// The keys at the top of the file (file format 1.x).
const TOP: &[&str] = &[
    "file_format",
    "disabled",
    "log_level",
    "attribute_limits",
    "logger_provider",
    "meter_provider",
    "propagator",
    "tracer_provider",
    "resource",
    "instrumentation/development",
    "distribution",
];

/// Maps the typed root node of the file at `file`; `env` is read only for the `service` resource detector
/// (`OTEL_SERVICE_NAME`, as the schema defines that detector).
pub(crate) fn map(root: &Typed, file: &Path, env: &Env) -> Result<Mapped, Vec<ConfigProblem>> {
    let mut m = Mapper {
        file: file.to_path_buf(),
        dict: Dict::new(),
        nodes: Vec::new(),
        warnings: Vec::new(),
        problems: Vec::new(),
    };
    m.top(root, env);
    if m.problems.is_empty() {
        Ok(Mapped { dict: m.dict, nodes: m.nodes, warnings: m.warnings })
    } else {
        Err(m.problems)
    }
}

/// One single-key entry of a plugin-style mapping (`{batch: {…}}`): the key, the child's path and the child.
type Entry<'n> = (&'n str, String, &'n Typed);

struct Mapper {
    file: PathBuf,
    dict: Dict,
    nodes: Vec<(String, String, Pos)>,
    warnings: Vec<Warning>,
    problems: Vec<ConfigProblem>,
}

/// A sampler otel can build at the root of `parent_based` or alone.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Simple {
    On,
    Off,
    Ratio(f64),
}

impl Mapper {
    // ---- reporting ----

    fn origin(&self, pos: Pos) -> Origin {
        Origin::FileAt { path: self.file.clone(), line: pos.line, column: pos.column }
    }

    fn fail(&mut self, path: &str, pos: Pos, kind: ProblemKind) {
        let origin = self.origin(pos);
        self.problems.push(ConfigProblem::new(kind, (!path.is_empty()).then_some(path), origin));
    }

    fn wrong_type(&mut self, node: &Typed, path: &str, expected: &str) {
        let found = node.describe(path.contains("headers"));
        self.fail(path, node.pos, ProblemKind::WrongType { expected: expected.to_string(), found });
    }

    fn warn(&mut self, path: &str, pos: Pos, reason: impl Into<String>, instead: impl Into<String>) {
        let at = self.origin(pos).to_string();
        self.warnings.push(Warning::node(at, path, reason, instead));
    }

    /// Sets the otel.toml key `key` (dotted), remembering the node behind it.
    fn set(&mut self, key: &str, value: Value, path: &str, pos: Pos) {
        let parts: Vec<&str> = key.split('.').collect();
        insert(&mut self.dict, &parts, value);
        self.nodes.push((key.to_string(), path.to_string(), pos));
    }

    // ---- shapes ----

    /// The entries of a mapping whose keys are `valid`: an unknown key is a problem with "did you mean"; an
    /// experimental (`…/development`) key this framework does not implement is a warning. Null is empty.
    fn entries<'n>(&mut self, node: &'n Typed, path: &str, valid: &'static [&'static str]) -> Vec<Entry<'n>> {
        let entries = match &node.value {
            TypedKind::Map(entries) => entries,
            TypedKind::Scalar { value: Scalar::Null, .. } => return Vec::new(),
            _ => {
                self.wrong_type(node, path, "a mapping");
                return Vec::new();
            }
        };
        let mut known = Vec::new();
        for (key, child) in entries {
            let child_path = child_path(path, &key.text);
            if valid.contains(&key.text.as_str()) {
                known.push((key.text.as_str(), child_path, child));
            } else if key.text.ends_with("/development") {
                let (reason, instead) = scope::experimental(&key.text);
                self.warn(&child_path, key.pos, reason, instead);
            } else {
                self.unknown_key(path, &key.text, key.pos, valid);
            }
        }
        known
    }

    fn unknown_key(&mut self, parent: &str, key: &str, pos: Pos, valid: &'static [&'static str]) {
        let suggestion = closest(key, valid.iter().copied()).map(|close| child_path(parent, close));
        let table = (!parent.is_empty()).then(|| parent.to_string());
        let kind = ProblemKind::UnknownKey { suggestion, table, valid };
        self.fail(&child_path(parent, key), pos, kind);
    }

    /// The one entry of a plugin-style mapping (`{otlp_http: {…}}`), whatever its key (the caller decides what
    /// it implements); none or several is a problem.
    fn one<'n>(&mut self, node: &'n Typed, path: &str, what: &str) -> Option<Entry<'n>> {
        match &node.value {
            TypedKind::Map(entries) if entries.len() == 1 => {
                let (key, child) = &entries[0];
                Some((key.text.as_str(), child_path(path, &key.text), child))
            }
            TypedKind::Map(entries) => {
                let reason = format!("expected exactly one {what}, found {}", entries.len());
                self.fail(path, node.pos, ProblemKind::InvalidValue { reason });
                None
            }
            _ => {
                self.wrong_type(node, path, &format!("a mapping with one {what}"));
                None
            }
        }
    }

    /// The items of a sequence with their paths; null is empty.
    fn items<'n>(&mut self, node: &'n Typed, path: &str) -> Vec<(String, &'n Typed)> {
        match &node.value {
            TypedKind::Seq(items) => items.iter().enumerate().map(|(i, item)| (format!("{path}[{i}]"), item)).collect(),
            TypedKind::Scalar { value: Scalar::Null, .. } => Vec::new(),
            _ => {
                self.wrong_type(node, path, "a sequence");
                Vec::new()
            }
        }
    }

    // ---- scalars (null is "not set": `None`) ----

    fn string(&mut self, node: &Typed, path: &str) -> Option<String> {
        match &node.value {
            TypedKind::Scalar { value: Scalar::Null, .. } => None,
            // A plain `1234` where a string is expected is read as written (headers, versions, names).
            TypedKind::Scalar { text, .. } => Some(text.clone()),
            _ => {
                self.wrong_type(node, path, "a string");
                None
            }
        }
    }

    fn boolean(&mut self, node: &Typed, path: &str) -> Option<bool> {
        match &node.value {
            TypedKind::Scalar { value: Scalar::Null, .. } => None,
            TypedKind::Scalar { value: Scalar::Bool(b), .. } => Some(*b),
            _ => {
                self.wrong_type(node, path, "a boolean (true or false)");
                None
            }
        }
    }

    /// A non-negative integer (`minimum` 0 or 1).
    fn uint(&mut self, node: &Typed, path: &str, minimum: u64) -> Option<u64> {
        match &node.value {
            TypedKind::Scalar { value: Scalar::Null, .. } => None,
            TypedKind::Scalar { value: Scalar::Int(n), .. } if *n >= 0 => {
                let n = *n as u64;
                if n < minimum {
                    self.fail(path, node.pos, ProblemKind::BelowMinimum { minimum });
                    return None;
                }
                Some(n)
            }
            _ => {
                self.wrong_type(node, path, "a non-negative integer");
                None
            }
        }
    }

    /// A `u32` limit.
    fn limit(&mut self, node: &Typed, path: &str) -> Option<u64> {
        let n = self.uint(node, path, 0)?;
        if n > u64::from(u32::MAX) {
            self.fail(path, node.pos, ProblemKind::AboveMaximum { value: n, maximum: u64::from(u32::MAX) });
            return None;
        }
        Some(n)
    }

    fn ratio(&mut self, node: &Typed, path: &str) -> Option<f64> {
        let value = match &node.value {
            TypedKind::Scalar { value: Scalar::Null, .. } => return None,
            TypedKind::Scalar { value: Scalar::Int(n), .. } => *n as f64,
            TypedKind::Scalar { value: Scalar::Float(f), .. } => *f,
            _ => {
                self.wrong_type(node, path, "a number from 0 to 1");
                return None;
            }
        };
        if !(0.0..=1.0).contains(&value) {
            self.fail(path, node.pos, ProblemKind::NotARatio { value });
            return None;
        }
        Some(value)
    }

    /// One of `valid`, exactly.
    fn choice(&mut self, node: &Typed, path: &str, valid: &'static [&'static str]) -> Option<&'static str> {
        let text = self.string(node, path)?;
        match valid.iter().find(|v| **v == text) {
            Some(v) => Some(v),
            None => {
                self.fail(path, node.pos, ProblemKind::UnknownValue { found: crate::endpoint::redacted(&text), valid });
                None
            }
        }
    }

    /// Sets `key` to the integer milliseconds at `node` (otel.toml reads integers as milliseconds).
    fn millis(&mut self, node: &Typed, path: &str, key: &str) {
        if let Some(ms) = self.uint(node, path, 0) {
            self.set(key, Value::from(ms), path, node.pos);
        }
    }

    // ---- the file ----

    fn top(&mut self, root: &Typed, env: &Env) {
        let TypedKind::Map(entries) = &root.value else {
            self.wrong_type(root, "", "a mapping at the top of the file");
            return;
        };
        let seen = |name: &str| entries.iter().find(|(k, _)| k.text == name);
        match seen("file_format") {
            Some((_, node)) => self.file_format(node),
            None => {
                let reason = "`file_format` is required (e.g. file_format: \"1.0\")".to_string();
                self.fail("", root.pos, ProblemKind::InvalidValue { reason });
            }
        }
        // Signals without a provider are no-ops, as the file format says.
        for (name, signal) in [
            ("tracer_provider", Signal::Traces),
            ("logger_provider", Signal::Logs),
            ("meter_provider", Signal::Metrics),
        ] {
            if seen(name).is_none_or(|(_, node)| node.is_null()) {
                self.set(keys::signal_enabled(signal), Value::from(false), name, root.pos);
            }
        }
        if seen("propagator").is_none_or(|(_, node)| node.is_null()) {
            self.set(key::PROPAGATORS, Value::from(Vec::<Value>::new()), "propagator", root.pos);
        }
        if seen("resource").is_none() {
            self.set(key::RESOURCE_DETECTORS, Value::from(Vec::<Value>::new()), "resource", root.pos);
        }

        // attribute_limits first: tracer_provider.limits wins over it.
        if let Some((_, node)) = seen("attribute_limits") {
            self.attribute_limits(node, "attribute_limits");
        }
        for (key, node) in entries {
            let path = child_path("", &key.text);
            match key.text.as_str() {
                "file_format" | "attribute_limits" => {}
                "disabled" => {
                    if let Some(b) = self.boolean(node, &path) {
                        self.set(key::DISABLED, Value::from(b), &path, node.pos);
                    }
                }
                "log_level" => {
                    if let Some(level) = self.string(node, &path) {
                        if level != "info" {
                            self.warn(&path, node.pos, "otel's own messages are not filtered by level", "ignored");
                        }
                    }
                }
                "resource" => self.resource(node, &path, env),
                "propagator" => self.propagator(node, &path),
                "tracer_provider" if !node.is_null() => self.tracer_provider(node, &path),
                "logger_provider" if !node.is_null() => self.logger_provider(node, &path),
                "meter_provider" if !node.is_null() => self.meter_provider(node, &path),
                "tracer_provider" | "logger_provider" | "meter_provider" => {}
                "instrumentation/development" | "distribution" => {
                    let (reason, instead) = scope::experimental(&key.text);
                    self.warn(&path, key.pos, reason, instead);
                }
                // The top level admits other properties (the schema's `additionalProperties: true`); one that is
                // a near miss of a known key is a typo.
                other => match closest(other, TOP.iter().copied()) {
                    Some(_) => self.unknown_key("", other, key.pos, TOP),
                    None => self.warn(&path, key.pos, "not a property of file format 1.x", "ignored"),
                },
            }
        }
    }

    fn file_format(&mut self, node: &Typed) {
        let path = "file_format";
        let Some(text) = self.string(node, path) else {
            if node.is_null() {
                self.fail(path, node.pos, ProblemKind::Empty);
            }
            return;
        };
        let major = text.split(['.', '-']).next().unwrap_or_default();
        if major != "1" {
            let reason = format!(
                "file format {:?} is not supported; otel reads file format 1.x (e.g. \"1.0\", \"1.1\")",
                text.escape_debug().to_string()
            );
            self.fail(path, node.pos, ProblemKind::InvalidValue { reason });
        }
    }

    fn attribute_limits(&mut self, node: &Typed, path: &str) {
        const VALID: &[&str] =
            &["attribute_value_length_limit", "attribute_value_depth_limit", "attribute_count_limit"];
        for (name, p, child) in self.entries(node, path, VALID) {
            match name {
                "attribute_count_limit" => {
                    if let Some(n) = self.limit(child, &p) {
                        self.set(key::LIMITS_ATTRIBUTE_COUNT, Value::from(n), &p, child.pos);
                    }
                }
                _ => self.value_limits(name, child, &p),
            }
        }
    }

    /// `attribute_value_length_limit` and `attribute_value_depth_limit`, which otel does not enforce.
    fn value_limits(&mut self, name: &str, node: &Typed, path: &str) {
        let Some(n) = self.uint(node, path, 0) else { return };
        match name {
            "attribute_value_length_limit" => {
                self.warn(path, node.pos, "otel does not truncate attribute values", "values are not truncated")
            }
            // 64 is the spec's default and what the SDK does for nested values already.
            _ if n == 64 => {}
            _ => self.warn(path, node.pos, "otel does not limit the depth of attribute values", "ignored"),
        }
    }

    // ---- resource ----

    fn resource(&mut self, node: &Typed, path: &str, env: &Env) {
        const VALID: &[&str] = &["attributes", "attributes_list", "detection/development", "schema_url"];
        let mut attributes: BTreeMap<String, (Value, String, Pos)> = BTreeMap::new();
        let mut from_list: BTreeMap<String, (Value, String, Pos)> = BTreeMap::new();
        let mut detectors: Vec<Value> = Vec::new();
        let mut service_detector = None;
        for (name, p, child) in self.entries(node, path, VALID) {
            match name {
                "attributes" => {
                    for (item_path, item) in self.items(child, &p) {
                        if let Some((k, v)) = self.attribute(item, &item_path) {
                            attributes.insert(k, (v, item_path, item.pos));
                        }
                    }
                }
                "attributes_list" => {
                    let Some(text) = self.string(child, &p) else { continue };
                    match parse_pairs(&text) {
                        Ok(pairs) => {
                            for (k, v) in pairs {
                                from_list.insert(k, (Value::from(v), p.clone(), child.pos));
                            }
                        }
                        Err(reason) => self.fail(&p, child.pos, ProblemKind::InvalidValue { reason }),
                    }
                }
                "detection/development" => {
                    for (detector, pos) in self.detection(child, &p) {
                        if detector == "service" {
                            service_detector = Some(pos);
                        }
                        for d in scope::detectors(detector) {
                            detectors.push(Value::from(d.as_str()));
                        }
                    }
                }
                _ => self.warn(&p, child.pos, "otel does not set a resource schema URL", "ignored"),
            }
        }
        self.set(key::RESOURCE_DETECTORS, Value::from(detectors), &format!("{path}.detection/development"), node.pos);

        // `attributes` wins over `attributes_list`, which wins over what the `service` detector reads.
        let mut merged = from_list;
        merged.extend(attributes);
        if let Some(pos) = service_detector {
            if let Some(name) = env.get("OTEL_SERVICE_NAME") {
                merged.entry("service.name".to_string()).or_insert((Value::from(name.to_string()), path.into(), pos));
            }
        }
        let mut resource = Dict::new();
        for (name, (value, p, pos)) in merged {
            match name.as_str() {
                "service.name" => self.set(key::SERVICE_NAME, value, &p, pos),
                "service.version" => self.set(key::SERVICE_VERSION, value, &p, pos),
                _ => {
                    resource.insert(name, value);
                }
            }
        }
        if !resource.is_empty() {
            self.nodes.push((key::RESOURCE.to_string(), path.to_string(), node.pos));
            insert(&mut self.dict, &[key::RESOURCE], Value::from(resource));
        }
    }

    /// One `{name, value, type}` resource attribute; arrays are not supported (a warning).
    fn attribute(&mut self, node: &Typed, path: &str) -> Option<(String, Value)> {
        const VALID: &[&str] = &["name", "value", "type"];
        const TYPES: &[&str] =
            &["string", "bool", "int", "double", "string_array", "bool_array", "int_array", "double_array"];
        let (mut name, mut value, mut kind) = (None, None, "string");
        for (field, p, child) in self.entries(node, path, VALID) {
            match field {
                "name" => name = self.string(child, &p).map(|n| (n, p, child.pos)),
                "value" => value = Some((p, child)),
                _ => kind = self.choice(child, &p, TYPES).unwrap_or(kind),
            }
        }
        let Some((name, _, _)) = name else {
            self.fail(path, node.pos, ProblemKind::InvalidValue { reason: "an attribute needs a `name`".into() });
            return None;
        };
        let (value_path, value) = value?;
        if kind.ends_with("_array") {
            self.warn(&value_path, value.pos, "otel's resource attributes are scalars", "this attribute is not set");
            return None;
        }
        let TypedKind::Scalar { text, value: scalar } = &value.value else {
            self.wrong_type(value, &value_path, &format!("a {kind}"));
            return None;
        };
        let converted = match (kind, scalar) {
            (_, Scalar::Null) => return None,
            ("string", _) => Value::from(text.clone()),
            ("bool", Scalar::Bool(b)) => Value::from(*b),
            ("int", Scalar::Int(n)) => Value::from(*n),
            ("double", Scalar::Float(f)) => Value::from(*f),
            ("double", Scalar::Int(n)) => Value::from(*n as f64),
            _ => {
                self.wrong_type(value, &value_path, &format!("a {kind}"));
                return None;
            }
        };
        Some((name, converted))
    }

    /// The detectors listed (by name, with their position); `attributes` filters are a warning.
    fn detection<'n>(&mut self, node: &'n Typed, path: &str) -> Vec<(&'n str, Pos)> {
        let mut found = Vec::new();
        for (name, p, child) in self.entries(node, path, &["detectors", "attributes"]) {
            if name == "attributes" {
                self.warn(
                    &p,
                    child.pos,
                    "otel does not filter detected attributes",
                    "every detected attribute is kept",
                );
                continue;
            }
            for (item_path, item) in self.items(child, &p) {
                let Some((detector, dp, _)) = self.one(item, &item_path, "detector") else { continue };
                if scope::detectors(detector).is_empty() {
                    let shown = detector.escape_debug();
                    self.warn(&dp, item.pos, format!("otel has no `{shown}` resource detector"), "ignored");
                } else {
                    found.push((detector, item.pos));
                }
            }
        }
        found
    }

    // ---- propagators ----

    fn propagator(&mut self, node: &Typed, path: &str) {
        let mut names: Vec<(String, String, Pos)> = Vec::new();
        for (name, p, child) in self.entries(node, path, &["composite", "composite_list"]) {
            if name == "composite" {
                for (item_path, item) in self.items(child, &p) {
                    if let Some((propagator, pp, _)) = self.one(item, &item_path, "propagator") {
                        names.push((propagator.to_string(), pp, item.pos));
                    }
                }
            } else if let Some(list) = self.string(child, &p) {
                for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                    names.push((entry.to_string(), p.clone(), child.pos));
                }
            }
        }
        let mut list: Vec<Value> = Vec::new();
        for (name, p, pos) in names {
            match Propagator::ALL.iter().find(|known| known.as_str() == name) {
                Some(known) if !list.iter().any(|v| v.as_str() == Some(known.as_str())) => {
                    list.push(Value::from(known.as_str()))
                }
                Some(_) => {}
                None => self.warn(&p, pos, format!("otel has no `{}` propagator", name.escape_debug()), "left out"),
            }
        }
        self.set(key::PROPAGATORS, Value::from(list), path, node.pos);
    }

    // ---- traces ----

    fn tracer_provider(&mut self, node: &Typed, path: &str) {
        const VALID: &[&str] = &["processors", "limits", "sampler", "id_generator"];
        let (mut processors, before) = (false, self.problems.len());
        for (name, p, child) in self.entries(node, path, VALID) {
            match name {
                "processors" => processors = self.processors(child, &p, Signal::Traces),
                "limits" => self.span_limits(child, &p),
                "sampler" => self.sampler(child, &p),
                _ => self.warn(&p, child.pos, "otel generates random trace and span ids", "ignored"),
            }
        }
        // A misspelt `processors` is reported once, as an unknown key.
        if !processors && self.problems.len() == before {
            self.fail(&child_path(path, "processors"), node.pos, ProblemKind::Empty);
        }
    }

    /// The first processor of a provider (otel runs one per signal); false when there is none.
    fn processors(&mut self, node: &Typed, path: &str, signal: Signal) -> bool {
        let items = self.items(node, path);
        for (i, (item_path, item)) in items.iter().enumerate() {
            if i == 0 {
                self.processor(item, item_path, signal);
            } else {
                self.warn(item_path, item.pos, "otel runs one processor per signal", "only processors[0] is used");
            }
        }
        !items.is_empty()
    }

    fn processor(&mut self, node: &Typed, path: &str, signal: Signal) {
        const BATCH: &[&str] =
            &["schedule_delay", "export_timeout", "max_queue_size", "max_export_batch_size", "exporter"];
        let Some((kind, p, child)) = self.one(node, path, "processor") else { return };
        let batch_keys = if signal == Signal::Logs { keys::LOG_BATCH } else { keys::SPAN_BATCH };
        let fields = match kind {
            "batch" => self.entries(child, &p, BATCH),
            "simple" => {
                let (reason, instead) = scope::SIMPLE_PROCESSOR;
                self.warn(&p, child.pos, reason, instead);
                self.entries(child, &p, &["exporter"])
            }
            other => {
                let reason = format!("otel has no `{}` processor", other.escape_debug());
                self.warn(&p, child.pos, reason, "the signal is not exported");
                self.set(keys::signal_enabled(signal), Value::from(false), &p, child.pos);
                return;
            }
        };
        let mut exporter = false;
        for (name, fp, field) in fields {
            match name {
                "schedule_delay" => self.millis(field, &fp, batch_keys.schedule_delay),
                "export_timeout" => self.millis(field, &fp, batch_keys.export_timeout),
                "max_queue_size" | "max_export_batch_size" => {
                    if let Some(n) = self.uint(field, &fp, 1) {
                        let key = if name == "max_queue_size" {
                            batch_keys.max_queue_size
                        } else {
                            batch_keys.max_export_batch_size
                        };
                        self.set(key, Value::from(n), &fp, field.pos);
                    }
                }
                _ => {
                    exporter = true;
                    self.exporter(field, &fp, signal);
                }
            }
        }
        if !exporter {
            self.fail(&child_path(&p, "exporter"), child.pos, ProblemKind::Empty);
        }
    }

    fn span_limits(&mut self, node: &Typed, path: &str) {
        const VALID: &[&str] = &[
            "attribute_value_length_limit",
            "attribute_value_depth_limit",
            "attribute_count_limit",
            "event_count_limit",
            "link_count_limit",
            "event_attribute_count_limit",
            "link_attribute_count_limit",
        ];
        for (name, p, child) in self.entries(node, path, VALID) {
            let key = match name {
                "attribute_count_limit" => key::LIMITS_ATTRIBUTE_COUNT,
                "event_count_limit" => key::LIMITS_EVENT_COUNT,
                "link_count_limit" => key::LIMITS_LINK_COUNT,
                "event_attribute_count_limit" => key::LIMITS_ATTRIBUTE_PER_EVENT,
                "link_attribute_count_limit" => key::LIMITS_ATTRIBUTE_PER_LINK,
                _ => {
                    self.value_limits(name, child, &p);
                    continue;
                }
            };
            if let Some(n) = self.limit(child, &p) {
                self.set(key, Value::from(n), &p, child.pos);
            }
        }
    }

    /// A sampler tree, mapped onto `sampler.name` and `sampler.arg` where otel has it; otherwise a warning naming
    /// the node and what is used instead.
    fn sampler(&mut self, node: &Typed, path: &str) {
        let Some((kind, p, child)) = self.one(node, path, "sampler") else { return };
        let (name, ratio) = if kind == "parent_based" {
            self.parent_based(child, &p)
        } else {
            match self.simple_sampler(kind, child, &p) {
                Some(Simple::On) => (SamplerName::AlwaysOn, None),
                Some(Simple::Off) => (SamplerName::AlwaysOff, None),
                Some(Simple::Ratio(r)) => (SamplerName::TraceIdRatio, Some(r)),
                None => (SamplerName::ParentBasedAlwaysOn, None),
            }
        };
        self.set(key::SAMPLER_NAME, Value::from(name.as_str()), &p, child.pos);
        if let Some(ratio) = ratio {
            self.set(key::SAMPLER_ARG, Value::from(ratio), &p, child.pos);
        }
    }

    /// `always_on`, `always_off`, `trace_id_ratio_based`; anything else is a warning (`None`: the caller's
    /// default is used).
    fn simple_sampler(&mut self, kind: &str, node: &Typed, path: &str) -> Option<Simple> {
        match kind {
            "always_on" | "always_off" => {
                self.entries(node, path, &[]);
                Some(if kind == "always_on" { Simple::On } else { Simple::Off })
            }
            "trace_id_ratio_based" => {
                let mut ratio = 1.0;
                for (_, p, child) in self.entries(node, path, &["ratio"]) {
                    ratio = self.ratio(child, &p).unwrap_or(ratio);
                }
                Some(Simple::Ratio(ratio))
            }
            other => {
                let reason = format!("otel has no `{}` sampler here", other.escape_debug());
                self.warn(path, node.pos, reason, "using parentbased_always_on");
                None
            }
        }
    }

    /// `parent_based`: its root, and its four branches, which otel's parent-based samplers fix to the spec's
    /// defaults (follow the parent's decision): another branch is a warning.
    fn parent_based(&mut self, node: &Typed, path: &str) -> (SamplerName, Option<f64>) {
        const VALID: &[&str] = &[
            "root",
            "remote_parent_sampled",
            "remote_parent_not_sampled",
            "local_parent_sampled",
            "local_parent_not_sampled",
        ];
        let mut root = Simple::On;
        for (name, p, child) in self.entries(node, path, VALID) {
            if child.is_null() {
                continue;
            }
            let Some((kind, sp, sampler)) = self.one(child, &p, "sampler") else { continue };
            if name == "root" {
                root = self.simple_sampler(kind, sampler, &sp).unwrap_or(Simple::On);
                continue;
            }
            let default = if name.ends_with("_not_sampled") { "always_off" } else { "always_on" };
            if kind != default {
                let reason = "otel's parent-based samplers follow the parent's decision";
                self.warn(&sp, sampler.pos, reason, format!("using {default} for this branch"));
            } else {
                self.entries(sampler, &sp, &[]);
            }
        }
        match root {
            Simple::On => (SamplerName::ParentBasedAlwaysOn, None),
            Simple::Off => (SamplerName::ParentBasedAlwaysOff, None),
            Simple::Ratio(r) => (SamplerName::ParentBasedTraceIdRatio, Some(r)),
        }
    }

    // ---- exporters ----

    /// A push exporter of `signal`: `otlp_http`, `otlp_grpc`, `console`; another is a warning (not exported).
    fn exporter(&mut self, node: &Typed, path: &str, signal: Signal) {
        const HTTP: &[&str] = &[
            "endpoint",
            "tls",
            "headers",
            "headers_list",
            "compression",
            "max_request_size",
            "max_response_size",
            "timeout",
            "encoding",
        ];
        const HTTP_METRICS: &[&str] = &[
            "endpoint",
            "tls",
            "headers",
            "headers_list",
            "compression",
            "max_request_size",
            "max_response_size",
            "timeout",
            "encoding",
            "temporality_preference",
            "default_histogram_aggregation",
        ];
        const GRPC: &[&str] = &[
            "endpoint",
            "tls",
            "headers",
            "headers_list",
            "compression",
            "max_request_size",
            "max_response_size",
            "timeout",
        ];
        const GRPC_METRICS: &[&str] = &[
            "endpoint",
            "tls",
            "headers",
            "headers_list",
            "compression",
            "max_request_size",
            "max_response_size",
            "timeout",
            "temporality_preference",
            "default_histogram_aggregation",
        ];
        const CONSOLE_METRICS: &[&str] = &["temporality_preference", "default_histogram_aggregation"];
        let Some((kind, p, child)) = self.one(node, path, "exporter") else { return };
        let metrics = signal == Signal::Metrics;
        let keys = keys::signal_exporter(signal);
        let (protocol, valid): (&str, &'static [&'static str]) = match kind {
            "otlp_http" => ("http/protobuf", if metrics { HTTP_METRICS } else { HTTP }),
            "otlp_grpc" => ("grpc", if metrics { GRPC_METRICS } else { GRPC }),
            "console" => ("console", if metrics { CONSOLE_METRICS } else { &[] }),
            other => {
                let (reason, instead) = scope::exporter(other);
                self.warn(&p, child.pos, reason, instead);
                self.set(keys.protocol, Value::from("none"), &p, child.pos);
                return;
            }
        };
        let mut protocol = protocol;
        let mut headers = Headers::default();
        let mut listed = Headers::default();
        let mut headers_at = None;
        for (name, fp, field) in self.entries(child, &p, valid) {
            match name {
                "endpoint" => {
                    if let Some(url) = self.string(field, &fp) {
                        self.set(keys.endpoint, Value::from(url), &fp, field.pos);
                    }
                }
                "timeout" => self.millis(field, &fp, keys.timeout),
                "compression" => {
                    if let Some(c) = self.choice(field, &fp, &["gzip", "none", "zstd"]) {
                        self.set(keys.compression, Value::from(c), &fp, field.pos);
                    }
                }
                "encoding" => {
                    if self.choice(field, &fp, &["protobuf", "json"]) == Some("json") {
                        protocol = "http/json";
                    }
                }
                "tls" => self.tls(field, &fp, kind == "otlp_grpc", &keys),
                "headers" => {
                    headers_at.get_or_insert((fp.clone(), field.pos));
                    for (item_path, item) in self.items(field, &fp) {
                        if let Some((k, v)) = self.header(item, &item_path) {
                            headers.insert(k, v);
                        }
                    }
                }
                "headers_list" => {
                    let Some(text) = self.string(field, &fp) else { continue };
                    headers_at.get_or_insert((fp.clone(), field.pos));
                    match parse_pairs(&text) {
                        Ok(pairs) => listed = crate::headers::last_wins(pairs).into_iter().collect(),
                        Err(reason) => self.fail(&fp, field.pos, ProblemKind::InvalidValue { reason }),
                    }
                }
                "temporality_preference" => match self.choice(field, &fp, &["cumulative", "delta", "low_memory"]) {
                    Some("low_memory") => self.set(key::METRICS_TEMPORALITY, Value::from("lowmemory"), &fp, field.pos),
                    Some(t) => self.set(key::METRICS_TEMPORALITY, Value::from(t), &fp, field.pos),
                    None => {}
                },
                "default_histogram_aggregation" => {
                    let valid = &["explicit_bucket_histogram", "base2_exponential_bucket_histogram"];
                    if self.choice(field, &fp, valid) == Some("base2_exponential_bucket_histogram") {
                        let reason = "otel exports explicit-bucket histograms";
                        self.warn(&fp, field.pos, reason, "using explicit_bucket_histogram");
                    }
                }
                // max_request_size, max_response_size
                _ => {
                    if self.uint(field, &fp, 1).is_some() {
                        self.warn(&fp, field.pos, "otel does not limit message sizes", "ignored");
                    }
                }
            }
        }
        self.set(keys.protocol, Value::from(protocol), &p, child.pos);
        if let Some((hp, pos)) = headers_at {
            // `headers` wins over `headers_list` (the schema's rule), names compared case-insensitively.
            for (k, v) in headers.iter() {
                listed.insert(k, v);
            }
            let dict: Dict = listed.iter().map(|(k, v)| (k.to_string(), Value::from(v.to_string()))).collect();
            self.set(keys.headers, Value::from(dict), &hp, pos);
        }
    }

    /// One `{name, value}` header; the value is a secret, never shown.
    fn header(&mut self, node: &Typed, path: &str) -> Option<(String, String)> {
        let (mut name, mut value) = (None, None);
        for (field, p, child) in self.entries(node, path, &["name", "value"]) {
            if field == "name" {
                name = self.string(child, &p);
            } else {
                value = self.string(child, &p);
            }
        }
        match (name, value) {
            (Some(name), value) => Some((name, value.unwrap_or_default())),
            (None, _) => {
                self.fail(path, node.pos, ProblemKind::InvalidValue { reason: "a header needs a `name`".into() });
                None
            }
        }
    }

    fn tls(&mut self, node: &Typed, path: &str, grpc: bool, keys: &keys::ExporterKeys) {
        const HTTP: &[&str] = &["ca_file", "cert_file", "key_file"];
        const GRPC: &[&str] = &["ca_file", "cert_file", "key_file", "insecure"];
        for (name, p, child) in self.entries(node, path, if grpc { GRPC } else { HTTP }) {
            let key = match name {
                "ca_file" => keys.certificate,
                "cert_file" => keys.client_certificate,
                "key_file" => keys.client_key,
                _ => {
                    if let Some(b) = self.boolean(child, &p) {
                        self.set(keys.insecure, Value::from(b), &p, child.pos);
                    }
                    continue;
                }
            };
            if let Some(file) = self.string(child, &p) {
                self.set(key, Value::from(file), &p, child.pos);
            }
        }
    }

    // ---- logs and metrics ----

    fn logger_provider(&mut self, node: &Typed, path: &str) {
        let (mut processors, before) = (false, self.problems.len());
        for (name, p, child) in self.entries(node, path, &["processors", "limits"]) {
            if name == "processors" {
                processors = self.processors(child, &p, Signal::Logs);
                continue;
            }
            const LIMITS: &[&str] =
                &["attribute_value_length_limit", "attribute_value_depth_limit", "attribute_count_limit"];
            for (limit, lp, value) in self.entries(child, &p, LIMITS) {
                // The spec's defaults (no length limit, depth 64, 128 attributes) are what otel does.
                let default = match limit {
                    "attribute_value_length_limit" => None,
                    "attribute_value_depth_limit" => Some(64),
                    _ => Some(128),
                };
                if let Some(n) = self.uint(value, &lp, 0) {
                    if Some(n) != default {
                        self.warn(&lp, value.pos, "otel does not limit log record attributes", "ignored");
                    }
                }
            }
        }
        if !processors && self.problems.len() == before {
            self.fail(&child_path(path, "processors"), node.pos, ProblemKind::Empty);
        }
    }

    fn meter_provider(&mut self, node: &Typed, path: &str) {
        let (mut readers, before) = (false, self.problems.len());
        for (name, p, child) in self.entries(node, path, &["readers", "views", "exemplar_filter"]) {
            match name {
                "readers" => {
                    let items = self.items(child, &p);
                    readers = !items.is_empty();
                    for (i, (item_path, item)) in items.iter().enumerate() {
                        if i == 0 {
                            self.reader(item, item_path);
                        } else {
                            self.warn(item_path, item.pos, "otel runs one metric reader", "only readers[0] is used");
                        }
                    }
                }
                "views" if !child.is_null() => {
                    let reason = "otel does not implement views";
                    self.warn(&p, child.pos, reason, "every instrument keeps its default aggregation");
                }
                "exemplar_filter" => {
                    let valid = &["always_on", "always_off", "trace_based"];
                    if self.choice(child, &p, valid).is_some_and(|f| f != "trace_based") {
                        self.warn(&p, child.pos, "otel uses the SDK's exemplar filter", "using trace_based");
                    }
                }
                _ => {}
            }
        }
        if !readers && self.problems.len() == before {
            self.fail(&child_path(path, "readers"), node.pos, ProblemKind::Empty);
        }
    }

    fn reader(&mut self, node: &Typed, path: &str) {
        const PERIODIC: &[&str] = &["interval", "timeout", "exporter", "producers", "cardinality_limits"];
        let Some((kind, p, child)) = self.one(node, path, "reader") else { return };
        if kind != "periodic" {
            let (reason, instead) = scope::reader(kind);
            self.warn(&p, child.pos, reason, instead);
            self.set(key::METRICS_ENABLED, Value::from(false), &p, child.pos);
            return;
        }
        let mut exporter = false;
        for (name, fp, field) in self.entries(child, &p, PERIODIC) {
            match name {
                "interval" => self.millis(field, &fp, key::METRICS_INTERVAL),
                "timeout" => self.millis(field, &fp, key::METRICS_TIMEOUT),
                "exporter" => {
                    exporter = true;
                    self.exporter(field, &fp, Signal::Metrics);
                }
                "producers" if !field.is_null() => {
                    self.warn(&fp, field.pos, "otel has no metric producers to add", "ignored")
                }
                "cardinality_limits" if !field.is_null() => {
                    self.warn(&fp, field.pos, "otel uses the SDK's cardinality limit", "ignored")
                }
                _ => {}
            }
        }
        if !exporter {
            self.fail(&child_path(&p, "exporter"), child.pos, ProblemKind::Empty);
        }
    }
}

/// Inserts `value` at the nested `parts` of `dict`.
fn insert(dict: &mut Dict, parts: &[&str], value: Value) {
    let Some((last, parents)) = parts.split_last() else { return };
    let mut table = dict;
    for part in parents {
        let entry = table.entry(part.to_string()).or_insert_with(|| Value::from(Dict::new()));
        if entry.as_dict().is_none() {
            *entry = Value::from(Dict::new());
        }
        let Value::Dict(_, inner) = entry else { return };
        table = inner;
    }
    table.insert(last.to_string(), value);
}
