#!/usr/bin/env bash
# The fuzzing part of the test command: every fuzz target replays its committed seeds, then fuzzes for a few
# seconds (FUZZ_SMOKE_SECONDS, default 10). Installs cargo-fuzz on first use (scripts/install-fuzz.sh).
# The long run is scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/fuzz.sh --smoke "${FUZZ_SMOKE_SECONDS:-10}"
