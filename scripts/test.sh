#!/usr/bin/env bash
# The project's test command. Installs the real collector (rotel) the end-to-end tests run against, builds
# everything (examples and benches included: the end-to-end tests run target/debug/examples/*), then runs every
# test of the workspace, doc tests included.
set -euo pipefail
cd "$(dirname "$0")/.."

ROTEL_AGENT="$(scripts/install-rotel.sh)"
export ROTEL_AGENT
echo "test.sh: rotel-agent at $ROTEL_AGENT"

# Style first: cheap, and a failure here says nothing about behaviour.
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

cargo build --workspace --all-targets
cargo test -p otel-main --test public_api # the public API against tests/public-api.txt, first: a change must be deliberate
cargo test --workspace --all-targets
cargo test --workspace --doc
# The five published crates package (metadata complete, every file they need inside, nothing else): the
# unpublished siblings they depend on are overlaid as a local registry. --allow-dirty: the command must also run
# on a work tree with uncommitted changes; --no-verify: see below.
cargo package --quiet --allow-dirty --no-verify \
  -p otel-main-config -p otel-main-macros -p otel-main-runtime -p otel-main -p otel-main-check
scripts/fuzz-smoke.sh  # each fuzz target replays its seeds, then fuzzes 10 s (installs cargo-fuzz on first use)
