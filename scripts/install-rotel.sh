#!/usr/bin/env bash
# Installs the real collector the end-to-end tests and the demo use: rotel (PyPI) in .tools/rotel/venv.
# Idempotent. Prints the path of the rotel-agent binary.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.tools/rotel/venv"
version="0.0.1a15"
find_agent() { ls "$venv"/lib/python3*/site-packages/rotel/rotel-agent 2>/dev/null | head -n 1; }
agent="$(find_agent || true)"
if [ -z "$agent" ] || ! "$venv/bin/pip" show rotel 2>/dev/null | grep -q "^Version: $version$"; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet "rotel==$version" >&2
  agent="$(find_agent)"
fi
[ -x "$agent" ] || { echo "install-rotel: rotel-agent not found in $venv" >&2; exit 1; }
echo "$agent"
