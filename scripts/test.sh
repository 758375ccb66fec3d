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
# The main suite builds and tests with every cargo feature (gRPC, TLS, zstd, b3, xray: the transport and
# propagator tests need them all); the combinations an app gets are checked after the tests.
cargo clippy --workspace --all-targets --all-features -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features

cargo build --workspace --all-targets --all-features
cargo test -p otel-main --test public_api --all-features # the public API against tests/public-api.txt, first: a change must be deliberate
cargo test --workspace --all-targets --all-features
cargo test --workspace --doc --all-features
scripts/check-features.sh # the facade with its default features and with none: lint-clean, and a left-out feature refused
# The five published crates package and build from their packaged files alone (cargo overlays the unreleased
# siblings as a local registry): every file they need is inside. Cargo only warns about missing metadata
# (description, license, repository, …), so any warning fails, except the facade's tests, which stay in the
# repository (`include` in Cargo.toml). --allow-dirty: the command also runs on a work tree with uncommitted
# changes. The verification costs ~2 min on a fresh target/, ~40 s after (only the five crates rebuild).
# Cargo takes the packaged siblings it overlays for registry crates, which never change: it reuses its extraction
# ($CARGO_HOME/registry/src/-<id>/<name>-0.1.0) and its build of them while the version stays 0.1.0, so a copy
# from an earlier run would be verified instead of today's. Both are removed first; the verification builds in a
# target directory of its own, where only our five crates then rebuild.
verify_dir=target/package-verify
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/otel-main-* "$verify_dir"/debug/.fingerprint/otel-main-*
packaged="$(cargo package --allow-dirty --target-dir "$verify_dir" \
  -p otel-main-config -p otel-main-macros -p otel-main-runtime -p otel-main -p otel-main-check 2>&1)" \
  || { echo "$packaged" >&2; echo "test.sh: cargo package failed" >&2; exit 1; }
unexpected="$(grep '^warning:' <<<"$packaged" \
  | grep -v '^warning: ignoring test `[a-z0-9_]*` as `tests/[a-z0-9_]*\.rs` is not included in the published package$' \
  || true)"
if [ -n "$unexpected" ]; then
  echo "$unexpected" >&2
  echo "test.sh: cargo package warned (see above)" >&2
  exit 1
fi
grep -E '^ *(Packaging|Packaged) ' <<<"$packaged" >&2
scripts/fuzz-smoke.sh  # each fuzz target replays its seeds, then fuzzes 10 s (installs cargo-fuzz on first use)
