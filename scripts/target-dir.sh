#!/usr/bin/env bash
# Prints Cargo's target directory, where the built binaries and examples are: `cargo metadata`'s, which follows
# CARGO_TARGET_DIR and Cargo's configuration (a build-dir set apart does not move it). The scripts that run what
# they built ask here instead of assuming ./target.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'
