//! The public API of `otel`, pinned: every item a user can name through the facade (and through `otel::config`,
//! the otel-config crate it re-exports), with its signature, compared with `tests/public-api.txt`. A change to the
//! API is then a deliberate diff of that file: `UPDATE_API_SNAPSHOT=1 cargo test -p otel-main --test public_api`
//! rewrites it.
//!
//! How: rustdoc's JSON output (`--output-format json`, unstable, enabled on the stable toolchain with
//! `RUSTC_BOOTSTRAP=1`; the format is the one the `rustdoc-types` crate documents) for otel, otel-runtime and
//! otel-config; then a walk from otel's root module through every public item and re-export (re-exports of
//! otel-runtime's and otel-config's items are followed into their crate's JSON). Doc-hidden items (`__private`)
//! are not in rustdoc's output, so they are not part of the snapshot. Paths in signatures are reduced to their
//! last segment, so moving a type between modules is not an API change; renaming or re-typing one is.
//!
//! Nothing to install: rustdoc comes with the toolchain and the walk is the code below (cargo-public-api does
//! the same, but is a large tool to build on every fresh machine). Warm, the three rustdoc runs take seconds
//! (in `target/public-api`; the first run checks the dependencies there once).

use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The format of rustdoc's JSON this walk was written for; a toolchain with another one fails with a clear
/// message instead of a wrong snapshot.
const FORMAT_VERSIONS: std::ops::RangeInclusive<u64> = 50..=60;

#[test]
fn public_api_matches_the_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = Docs {
        // (crate, package): the packages are named otel-main-… on crates.io, the crates keep their names.
        crates: [("otel", "otel-main"), ("otel_runtime", "otel-main-runtime"), ("otel_config", "otel-main-config")]
            .into_iter()
            .map(|(krate, package)| (krate.to_string(), rustdoc_json(root, package, krate)))
            .collect(),
    };
    let mut lines = BTreeSet::new();
    docs.walk_module("otel", docs.root("otel"), "otel", &mut lines);
    let actual: String = lines.iter().map(|line| format!("{line}\n")).collect();

    let snapshot = root.join("tests/public-api.txt");
    if std::env::var_os("UPDATE_API_SNAPSHOT").is_some() {
        std::fs::write(&snapshot, &actual).expect("write tests/public-api.txt");
        return;
    }
    let expected = std::fs::read_to_string(&snapshot).unwrap_or_default();
    if expected != actual {
        let expected: BTreeSet<&str> = expected.lines().collect();
        let actual: BTreeSet<&str> = actual.lines().collect();
        let mut diff = String::new();
        for line in expected.difference(&actual) {
            diff.push_str(&format!("- {line}\n"));
        }
        for line in actual.difference(&expected) {
            diff.push_str(&format!("+ {line}\n"));
        }
        panic!(
            "the public API of otel changed (- removed, + added):\n{diff}\nIf the change is deliberate, record it: \
             UPDATE_API_SNAPSHOT=1 cargo test -p otel-main --test public_api"
        );
    }
}

/// Runs rustdoc's JSON output for `package`, whose library is `krate`, and returns the parsed file.
fn rustdoc_json(root: &Path, package: &str, krate: &str) -> Value {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // A target directory of its own: `RUSTC_BOOTSTRAP` changes what build scripts detect (proc-macro2's does),
    // so sharing the build's directory would rebuild half the dependencies on every alternation.
    let target = target_dir(root).join("public-api");
    let output = Command::new(cargo)
        .current_dir(root)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", &target)
        .args(["rustdoc", "--quiet", "--lib", "-p", package, "--", "-Z", "unstable-options"])
        .args(["--output-format", "json"])
        .output()
        .expect("run cargo rustdoc");
    assert!(output.status.success(), "cargo rustdoc -p {package} failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let file = target.join("doc").join(format!("{krate}.json"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
    let json: Value = serde_json::from_str(&text).expect("rustdoc JSON");
    let version = json["format_version"].as_u64().unwrap_or(0);
    assert!(
        FORMAT_VERSIONS.contains(&version),
        "rustdoc JSON format {version} is not one this test reads ({FORMAT_VERSIONS:?}): check the walk below \
         against the rustdoc-types changelog and widen the range"
    );
    json
}

fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// The JSON of each crate, by crate name.
struct Docs {
    crates: HashMap<String, Value>,
}

impl Docs {
    fn json(&self, krate: &str) -> &Value {
        &self.crates[krate]
    }

    fn root(&self, krate: &str) -> &Value {
        let json = self.json(krate);
        &json["index"][json["root"].to_string()]
    }

    fn item(&self, krate: &str, id: &Value) -> Option<&Value> {
        self.json(krate)["index"].get(id.to_string())
    }

    /// The item a `use` points at: in the same crate's index, or (for otel-runtime's and otel-config's items)
    /// in that crate's JSON, found by its path there.
    fn resolve(&self, krate: &str, id: &Value) -> (String, &Value) {
        // An item inlined from another crate may be in this index too, without its fields and impls: read it
        // from its own crate's JSON.
        if let Some(item) = self.item(krate, id).filter(|item| item["crate_id"] == 0) {
            return (krate.to_string(), item);
        }
        let summary = &self.json(krate)["paths"][id.to_string()];
        let path: Vec<&str> = summary["path"].as_array().expect("a path").iter().filter_map(Value::as_str).collect();
        let target = path[0].to_string();
        assert!(self.crates.contains_key(&target), "re-export of {path:?}: a crate this test does not read");
        if path.len() == 1 {
            return (target.clone(), self.root(&target));
        }
        let json = self.json(&target);
        let found: Vec<&Value> = json["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .filter(|(_, s)| {
                s["crate_id"] == 0
                    && s["path"]
                        .as_array()
                        .is_some_and(|p| p.len() == path.len() && p.iter().zip(&path).all(|(a, b)| a == b))
            })
            .filter_map(|(id, _)| json["index"].get(id))
            .collect();
        // Items of private modules are listed under their re-exported path or their definition's; fall back to
        // the name and kind, unique in our crates.
        let found = if found.len() == 1 {
            found
        } else {
            let name = path.last().copied();
            json["index"]
                .as_object()
                .expect("index")
                .values()
                .filter(|item| {
                    item["crate_id"] == 0
                        && item["name"].as_str() == name
                        && kind(item) == summary["kind"].as_str().unwrap_or("")
                })
                .collect()
        };
        assert_eq!(found.len(), 1, "cannot find {path:?} in {target}'s rustdoc JSON");
        (target, found[0])
    }

    fn walk_module(&self, krate: &str, module: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        for id in module["inner"]["module"]["items"].as_array().expect("module items") {
            let Some(item) = self.item(krate, id) else { continue };
            if item["visibility"] != "public" {
                continue;
            }
            if let Some(import) = item["inner"].get("use") {
                assert_eq!(
                    import["is_glob"], false,
                    "{prefix}: a glob re-export (`{}::*`); export items by name",
                    import["source"]
                );
                let name = import["name"].as_str().expect("a name");
                let summary = &self.json(krate)["paths"][import["id"].to_string()];
                let source_crate = summary["path"][0].as_str().unwrap_or("");
                if self.item(krate, &import["id"]).is_none() && source_crate == "otel_macros" {
                    // The proc-macro crate has nothing else to read: its kind is all there is.
                    out.insert(format!("{} {prefix}::{name}", summary["kind"].as_str().unwrap_or("?")));
                    continue;
                }
                if self.item(krate, &import["id"]).is_none() && !self.crates.contains_key(source_crate) {
                    // A type of a dependency (`opentelemetry::KeyValue`): its path is our promise, its API the
                    // dependency's (its version is pinned by Cargo.toml).
                    let source: Vec<&str> =
                        summary["path"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                    out.insert(format!("pub use {} as {prefix}::{name}", source.join("::")));
                    continue;
                }
                let (target_crate, target) = self.resolve(krate, &import["id"]);
                self.walk_item(&target_crate, target, &format!("{prefix}::{name}"), out);
            } else {
                let name = item["name"].as_str().expect("a name");
                self.walk_item(krate, item, &format!("{prefix}::{name}"), out);
            }
        }
    }

    fn walk_item(&self, krate: &str, item: &Value, path: &str, out: &mut BTreeSet<String>) {
        let inner = &item["inner"];
        let non_exhaustive = if item["attrs"].as_array().is_some_and(|a| a.iter().any(|a| a == "non_exhaustive")) {
            "#[non_exhaustive] "
        } else {
            ""
        };
        match kind(item) {
            "module" => {
                out.insert(format!("mod {path}"));
                self.walk_module(krate, item, path, out);
            }
            "function" => {
                out.insert(function(path, inner));
            }
            "struct" => {
                let def = &inner["struct"];
                out.insert(format!("{non_exhaustive}struct {path}{}", generics(&def["generics"])));
                let kind = &def["kind"];
                if let Some(plain) = kind.get("plain") {
                    for field in plain["fields"].as_array().into_iter().flatten() {
                        let field = self.item(krate, field).expect("a field");
                        if field["visibility"] == "public" {
                            let ty = ty(&field["inner"]["struct_field"]);
                            out.insert(format!("field {path}.{}: {ty}", field["name"].as_str().unwrap_or("?")));
                        }
                    }
                    if plain["has_stripped_fields"] == true {
                        out.insert(format!("struct {path} has private fields"));
                    }
                } else if let Some(fields) = kind.get("tuple") {
                    let fields: Vec<String> = fields
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|id| match self.item(krate, id) {
                            Some(field) if !id.is_null() => ty(&field["inner"]["struct_field"]),
                            _ => "_".to_string(),
                        })
                        .collect();
                    out.insert(format!("struct {path}({})", fields.join(", ")));
                }
                self.walk_impls(krate, &def["impls"], path, out);
            }
            "enum" => {
                let def = &inner["enum"];
                out.insert(format!("{non_exhaustive}enum {path}{}", generics(&def["generics"])));
                for id in def["variants"].as_array().into_iter().flatten() {
                    let variant = self.item(krate, id).expect("a variant");
                    let name = variant["name"].as_str().unwrap_or("?");
                    let vkind = &variant["inner"]["variant"]["kind"];
                    let shape = if let Some(fields) = vkind.get("tuple") {
                        let fields: Vec<String> = fields
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|id| self.item(krate, id).map_or("_".into(), |f| ty(&f["inner"]["struct_field"])))
                            .collect();
                        format!("({})", fields.join(", "))
                    } else if let Some(fields) = vkind.get("struct") {
                        let fields: Vec<String> = fields["fields"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|id| self.item(krate, id))
                            .map(|f| {
                                format!("{}: {}", f["name"].as_str().unwrap_or("?"), ty(&f["inner"]["struct_field"]))
                            })
                            .collect();
                        format!(" {{ {} }}", fields.join(", "))
                    } else {
                        String::new()
                    };
                    out.insert(format!("variant {path}::{name}{shape}"));
                }
                self.walk_impls(krate, &def["impls"], path, out);
            }
            "trait" => {
                out.insert(format!("trait {path}{}", generics(&item["inner"]["trait"]["generics"])));
                for id in inner["trait"]["items"].as_array().into_iter().flatten() {
                    if let Some(member) = self.item(krate, id) {
                        if kind(member) == "function" {
                            let name = member["name"].as_str().unwrap_or("?");
                            out.insert(function(&format!("{path}::{name}"), &member["inner"]));
                        }
                    }
                }
            }
            "constant" => {
                out.insert(format!("const {path}: {}", ty(&inner["constant"]["type"])));
            }
            "static" => {
                out.insert(format!("static {path}: {}", ty(&inner["static"]["type"])));
            }
            "type_alias" => {
                out.insert(format!("type {path} = {}", ty(&inner["type_alias"]["type"])));
            }
            "proc_macro" => {
                out.insert(format!("proc_macro {path} ({})", inner["proc_macro"]["kind"].as_str().unwrap_or("?")));
            }
            "macro" => {
                out.insert(format!("macro {path}!"));
            }
            other => {
                out.insert(format!("{other} {path}"));
            }
        }
    }

    /// Inherent methods (public ones) and trait implementations written in the source: the auto traits and
    /// blanket implementations rustdoc adds follow from the rest.
    fn walk_impls(&self, krate: &str, impls: &Value, path: &str, out: &mut BTreeSet<String>) {
        for id in impls.as_array().into_iter().flatten() {
            let Some(imp) = self.item(krate, id) else { continue };
            let imp_inner = &imp["inner"]["impl"];
            if imp_inner["is_synthetic"] == true || !imp_inner["blanket_impl"].is_null() {
                continue;
            }
            if let Some(trait_) = imp_inner.get("trait").filter(|t| !t.is_null()) {
                out.insert(format!("impl {} for {path}", path_type(trait_)));
                continue;
            }
            for id in imp_inner["items"].as_array().into_iter().flatten() {
                let Some(member) = self.item(krate, id) else { continue };
                if member["visibility"] == "public" && kind(member) == "function" {
                    let name = member["name"].as_str().unwrap_or("?");
                    out.insert(function(&format!("{path}::{name}"), &member["inner"]));
                }
            }
        }
    }
}

/// The item's kind: the single key of its `inner`.
fn kind(item: &Value) -> &str {
    item["inner"].as_object().and_then(|o| o.keys().next()).map_or("?", String::as_str)
}

fn function(path: &str, inner: &Value) -> String {
    let f = &inner["function"];
    let header = &f["header"];
    let mut qualifiers = String::new();
    for (flag, word) in [("is_const", "const "), ("is_async", "async "), ("is_unsafe", "unsafe ")] {
        if header[flag] == true {
            qualifiers.push_str(word);
        }
    }
    let inputs: Vec<String> = f["sig"]["inputs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|pair| {
            let name = pair[0].as_str().unwrap_or("_");
            let t = ty(&pair[1]);
            match (name, t.as_str()) {
                ("self", "Self") => "self".to_string(),
                ("self", "&Self") => "&self".to_string(),
                ("self", "&mut Self") => "&mut self".to_string(),
                _ => format!("{name}: {t}"),
            }
        })
        .collect();
    let output = match &f["sig"]["output"] {
        Value::Null => String::new(),
        t => format!(" -> {}", ty(t)),
    };
    format!(
        "{qualifiers}fn {path}{}({}){output}{}",
        generics(&f["generics"]),
        inputs.join(", "),
        where_clause(&f["generics"])
    )
}

/// `<T: Bound, 'a>`, leaving out the parameters `impl Trait` arguments stand for.
fn generics(generics: &Value) -> String {
    let params: Vec<String> = generics["params"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let name = p["name"].as_str()?;
            let kind = &p["kind"];
            if let Some(t) = kind.get("type") {
                if t["is_synthetic"] == true {
                    return None;
                }
                let bounds = bounds(&t["bounds"]);
                return Some(if bounds.is_empty() { name.to_string() } else { format!("{name}: {bounds}") });
            }
            if let Some(c) = kind.get("const") {
                return Some(format!("const {name}: {}", ty(&c["type"])));
            }
            Some(name.to_string())
        })
        .collect();
    if params.is_empty() {
        String::new()
    } else {
        format!("<{}>", params.join(", "))
    }
}

fn where_clause(generics: &Value) -> String {
    let predicates: Vec<String> = generics["where_predicates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let b = p.get("bound_predicate")?;
            Some(format!("{}: {}", ty(&b["type"]), bounds(&b["bounds"])))
        })
        .collect();
    if predicates.is_empty() {
        String::new()
    } else {
        format!(" where {}", predicates.join(", "))
    }
}

fn bounds(bounds: &Value) -> String {
    bounds
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| {
            if let Some(t) = b.get("trait_bound") {
                let prefix = if t["modifier"] == "maybe" { "?" } else { "" };
                format!("{prefix}{}", path_type(&t["trait"]))
            } else if let Some(l) = b.get("outlives") {
                l.as_str().unwrap_or("'?").to_string()
            } else {
                "?".to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A path with its generic arguments, reduced to the last segment (`std::fmt::Formatter<'_>` → `Formatter<'_>`).
fn path_type(p: &Value) -> String {
    let full = p["path"].as_str().unwrap_or("?");
    let name = full.rsplit("::").next().unwrap_or(full);
    format!("{name}{}", generic_args(&p["args"]))
}

fn generic_args(args: &Value) -> String {
    if let Some(angle) = args.get("angle_bracketed") {
        let mut parts: Vec<String> = angle["args"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                if let Some(t) = a.get("type") {
                    ty(t)
                } else if let Some(l) = a.get("lifetime") {
                    l.as_str().unwrap_or("'?").to_string()
                } else if let Some(c) = a.get("const") {
                    c["expr"].as_str().unwrap_or("?").to_string()
                } else {
                    "_".to_string()
                }
            })
            .collect();
        for c in angle["constraints"].as_array().into_iter().flatten() {
            let name = c["name"].as_str().unwrap_or("?");
            if let Some(t) = c["binding"].get("equality").and_then(|e| e.get("type")) {
                parts.push(format!("{name} = {}", ty(t)));
            } else if let Some(b) = c["binding"].get("constraint") {
                parts.push(format!("{name}: {}", bounds(b)));
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("<{}>", parts.join(", "))
        }
    } else if let Some(paren) = args.get("parenthesized") {
        let inputs: Vec<String> = paren["inputs"].as_array().into_iter().flatten().map(ty).collect();
        let output = match &paren["output"] {
            Value::Null => String::new(),
            t => format!(" -> {}", ty(t)),
        };
        format!("({}){output}", inputs.join(", "))
    } else {
        String::new()
    }
}

fn ty(t: &Value) -> String {
    let Some((kind, v)) = t.as_object().and_then(|o| o.iter().next()) else { return "?".into() };
    match kind.as_str() {
        "resolved_path" => path_type(v),
        "generic" | "primitive" => v.as_str().unwrap_or("?").to_string(),
        "borrowed_ref" => {
            let lifetime = v["lifetime"].as_str().map_or(String::new(), |l| format!("{l} "));
            let mutability = if v["is_mutable"] == true { "mut " } else { "" };
            format!("&{lifetime}{mutability}{}", ty(&v["type"]))
        }
        "raw_pointer" => format!("*{} {}", if v["is_mutable"] == true { "mut" } else { "const" }, ty(&v["type"])),
        "tuple" => format!("({})", v.as_array().into_iter().flatten().map(ty).collect::<Vec<_>>().join(", ")),
        "slice" => format!("[{}]", ty(v)),
        "array" => format!("[{}; {}]", ty(&v["type"]), v["len"].as_str().unwrap_or("?")),
        "impl_trait" => format!("impl {}", bounds(v)),
        "dyn_trait" => {
            let traits: Vec<String> =
                v["traits"].as_array().into_iter().flatten().map(|p| path_type(&p["trait"])).collect();
            let lifetime = v["lifetime"].as_str().map_or(String::new(), |l| format!(" + {l}"));
            format!("dyn {}{lifetime}", traits.join(" + "))
        }
        "function_pointer" => {
            let inputs: Vec<String> = v["sig"]["inputs"].as_array().into_iter().flatten().map(|p| ty(&p[1])).collect();
            let output = match &v["sig"]["output"] {
                Value::Null => String::new(),
                t => format!(" -> {}", ty(t)),
            };
            format!("fn({}){output}", inputs.join(", "))
        }
        "qualified_path" => {
            let trait_ =
                v.get("trait").filter(|t| !t.is_null()).map_or(String::new(), |t| format!(" as {}", path_type(t)));
            format!("<{}{trait_}>::{}", ty(&v["self_type"]), v["name"].as_str().unwrap_or("?"))
        }
        "infer" => "_".to_string(),
        other => format!("?{other}"),
    }
}
