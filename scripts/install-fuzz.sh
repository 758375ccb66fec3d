#!/usr/bin/env bash
# Installs cargo-fuzz (pinned) into .tools/cargo-fuzz of this workspace, from crates.io with `cargo install
# --locked`, on the stable toolchain. Idempotent: does nothing when the pinned version is already there.
# Prints the path of the cargo-fuzz binary on stdout (everything else goes to stderr), so:
# CARGO_FUZZ="$(scripts/install-fuzz.sh)".
set -euo pipefail

version="0.13.2"
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools/cargo-fuzz"
bin="$tools/bin/cargo-fuzz"

installed_version() {
  # `cargo-fuzz --version` prints "cargo-fuzz 0.13.2".
  "$bin" --version 2>/dev/null | awk '{print $2}' || true
}

if [ "$(installed_version)" != "$version" ]; then
  echo "install-fuzz: installing cargo-fuzz $version into $tools" >&2
  # Its own target dir: the workspace's target/ is not disturbed, and a failed build leaves no half install.
  cargo install cargo-fuzz --version "=$version" --locked --root "$tools" \
    --target-dir "$tools/build" >&2 || {
    echo "install-fuzz: cargo install cargo-fuzz $version failed" >&2
    exit 1
  }
  rm -rf "$tools/build"
fi

[ "$(installed_version)" = "$version" ] || { echo "install-fuzz: $bin does not run" >&2; exit 1; }
echo "$bin"
