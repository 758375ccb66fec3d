#!/usr/bin/env bash
# The cargo-feature combinations an application gets from otel-main, checked (the main suite of scripts/test.sh
# builds and tests with --all-features, which the third combination is):
# - the default features (grpc, tls), no default features, and each default feature alone: clippy -D warnings of
#   the facade and the runtime, for the code behind a `cfg(feature)` that an --all-features build never compiles;
# - a build without `grpc` asked for gRPC (OTEL_EXPORTER_OTLP_PROTOCOL=grpc), through #[otel::main] in the
#   task_service example: the error names the feature and the Cargo.toml line that adds it, stops the app with
#   exporter.on_invalid = "exit", and with "warn" (the default) is a warning and the app runs to its end.
# Warm (after test.sh's builds), ~1.5 min: the four clippy runs and one build of the example with other features.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo clippy -p otel-main -p otel-main-runtime -- -D warnings
cargo clippy -p otel-main -p otel-main-runtime --no-default-features -- -D warnings
# Each default feature alone: gRPC over plain TCP only (the code under `cfg(feature = "grpc")` beside
# `cfg(not(feature = "tls"))`), and HTTPS without gRPC, which neither run above compiles.
cargo clippy -p otel-main -p otel-main-runtime --no-default-features --features grpc -- -D warnings
cargo clippy -p otel-main -p otel-main-runtime --no-default-features --features tls -- -D warnings

cargo build -p otel-main --no-default-features --example task_service
# Cargo's target directory (CARGO_TARGET_DIR or a config may move it), where the built examples are.
target_dir="$(scripts/target-dir.sh)"
app="$target_dir/debug/examples/task_service"
# The version in the hint is the crate's "major.minor".
version="$(sed -n 's/^version = "\([0-9]*\.[0-9]*\)\.[0-9]*".*/\1/p' Cargo.toml | head -n 1)"
expected="otel: exporter.protocol = \"grpc\" needs the \"grpc\" feature of otel-main, left out of this build: otel-main = { version = \"$version\", features = [\"grpc\"] }"
# An empty directory: no otel.toml but the variables'.
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
fail() {
  echo "check-features.sh: $1" >&2
  echo "--- stderr:" >&2
  echo "$2" >&2
  exit 1
}

status=0
stderr="$(cd "$dir" && OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_TOML_EXPORTER_ON_INVALID=exit "$app" 2>&1 >/dev/null)" \
  || status=$?
[ "$status" = 1 ] || fail "on_invalid = exit: exit status $status, expected 1" "$stderr"
[ "$stderr" = "$expected" ] || fail "on_invalid = exit: expected exactly: $expected" "$stderr"

status=0
stderr="$(cd "$dir" && TASKS=1 OTEL_EXPORTER_OTLP_PROTOCOL=grpc "$app" 2>&1 >/dev/null)" || status=$?
[ "$status" = 0 ] || fail "on_invalid = warn: exit status $status, expected 0" "$stderr"
[ "$(head -n 1 <<<"$stderr")" = "$expected; exporter.on_invalid = \"warn\": the application runs and every span is counted as failed (set it to \"exit\" to stop instead)" ] \
  || fail "on_invalid = warn: the first line is not the warning" "$stderr"
grep -q '^otel summary: ended=3 exported=0 failed=3 dropped=0$' <<<"$stderr" \
  || fail "on_invalid = warn: the spans are not counted as failed" "$stderr"
echo "check-features.sh: a build without \"grpc\" refuses protocol grpc, naming the feature" >&2

# Put back the example the end-to-end tests run (built with every feature; cargo only links it again).
cargo build -p otel-main --all-features --example task_service
