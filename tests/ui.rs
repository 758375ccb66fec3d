//! Compile-time behaviour of `#[otel::main]`: what must compile (and run) and the exact errors for
//! what must not. Regenerate the expected errors with `TRYBUILD=overwrite cargo test -p otel-main --test ui`,
//! then read every changed `.stderr` file.
//!
//! The macro checks otel.toml at compile time, resolving `config = "…"` against the compiling crate's
//! `CARGO_MANIFEST_DIR`. trybuild compiles the cases as a crate of its own, in
//! `<target>/tests/trybuild/otel-main/` (the package's name), so the configuration files the cases name
//! (`tests/ui/config/`: otel.toml and declarative YAML files) are copied there first, under the same relative
//! paths.

mod common;

use std::path::{Path, PathBuf};

// The cases run as four tests, so that a failure names its kind: the pass cases (compiled and run), the
// configuration files the macro checks, rustc's own diagnostics after a valid expansion (the text is rustc's),
// and the macro's own errors. trybuild serialises the runs on its crate.

/// The compile-fail cases whose expected output is rustc's own diagnostic (a type error in the body, a wrong
/// `on_failure` signature, a `main` return type): valid arguments, expanded, then refused by the compiler.
const RUSTC_DIAGNOSTICS: &[&str] = &[
    "body_type_error.rs",
    "errors_keep_body_checked.rs",
    "invalid_return_type.rs",
    "on_failure_wrong_signature.rs",
    "test_errors_keep_body_checked.rs",
];

#[test]
fn ui_pass() {
    setup();
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    drop(cases); // runs the cases

    // The pass cases above are the proof that a user's `otel-main = "0.1"` (what `cargo add otel-main` writes)
    // is enough for `#[otel::main]`: the dependency key is the package name, the extern crate is the library's
    // name, `otel`, and the expansion names `::otel::…` only (otel-macros' expansion tests pin that). Check the
    // cases were compiled that way: no `package = …` rename that would hide a wrong library name.
    let manifest = std::fs::read_to_string(trybuild_crate_dir().join("Cargo.toml")).expect("trybuild's Cargo.toml");
    let facade = manifest
        .split("\n[")
        .find(|table| table.starts_with(&format!("dependencies.{}]", env!("CARGO_PKG_NAME"))))
        .unwrap_or_else(|| panic!("the cases do not depend on {} by its name:\n{manifest}", env!("CARGO_PKG_NAME")));
    assert!(!facade.contains("package ="), "the cases rename the facade:\n{facade}");
}

#[test]
fn ui_fail_config_files() {
    compile_fail(|name| name.starts_with("config_"));
}

#[test]
fn ui_fail_rustc_diagnostics() {
    compile_fail(|name| RUSTC_DIAGNOSTICS.contains(&name));
}

#[test]
fn ui_fail_macro_errors() {
    compile_fail(|name| !name.starts_with("config_") && !RUSTC_DIAGNOSTICS.contains(&name));
}

/// Runs the compile-fail cases of `tests/ui/fail/` whose file name `select` accepts.
fn compile_fail(select: impl Fn(&str) -> bool) {
    setup();
    let mut names: Vec<String> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/fail"))
        .expect("tests/ui/fail")
        .map(|entry| entry.expect("a directory entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".rs") && select(name))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no case selected");
    let cases = trybuild::TestCases::new();
    for name in &names {
        cases.compile_fail(format!("tests/ui/fail/{name}"));
    }
}

/// Once per test binary: the pass cases' environment and the configuration files (see [`copy_config_files`]).
fn setup() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The pass cases are run, too. The SDK is disabled so that they neither need a collector nor wait for
        // one; they test the expansion, not the export.
        std::env::set_var("OTEL_SDK_DISABLED", "true");
        copy_config_files();
    });
}

/// Copies `tests/ui/config/*.{toml,yaml}` into the crate trybuild generates (it is created there if need be; trybuild
/// only adds its own files to the directory), and `valid.toml` as the crate's own `otel.toml`, beside its
/// `Cargo.toml`, where most applications keep it: every case without `config = …` is then expanded with the
/// compile-time check of that file (and its tracking `include_bytes!`) in place.
fn copy_config_files() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/config");
    let crate_dir = trybuild_crate_dir();
    let destination = crate_dir.join("tests/ui/config");
    std::fs::create_dir_all(&destination).expect("create the trybuild crate's tests/ui/config");
    for entry in std::fs::read_dir(&source).expect("tests/ui/config") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "toml" || e == "yaml") {
            copy_if_changed(&path, &destination.join(path.file_name().expect("a file name")));
        }
    }
    copy_if_changed(&source.join("valid.toml"), &crate_dir.join("otel.toml"));
}

/// The crate trybuild generates: `<target>/tests/trybuild/<package name>/`, where `<target>` is what `cargo
/// metadata` calls the target directory, as trybuild asks. Not `CARGO_TARGET_TMPDIR`'s parent: under a Cargo
/// `build-dir` (`CARGO_BUILD_BUILD_DIR`, a CI's build cache) that is the build directory, elsewhere.
fn trybuild_crate_dir() -> PathBuf {
    common::target_dir().join("tests/trybuild").join(env!("CARGO_PKG_NAME"))
}

/// Only when changed: rewriting the file would make Cargo rebuild the cases that include it.
fn copy_if_changed(from: &Path, to: &Path) {
    let text = std::fs::read(from).expect("read a config file");
    if std::fs::read(to).ok().as_deref() != Some(&text[..]) {
        std::fs::write(to, text).expect("copy a config file");
    }
}
