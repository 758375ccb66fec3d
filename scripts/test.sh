#!/usr/bin/env bash
# The project's test command: installs the real collector, builds everything (examples included, since the
# end-to-end tests run them), then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
ROTEL_AGENT="$(scripts/install-rotel.sh)"
export ROTEL_AGENT
cargo build --workspace --all-targets
cargo test --workspace --all-targets
cargo test --workspace --doc
