#!/usr/bin/env bash
# Installs the real collector that the end-to-end tests and the demo use: rotel (the PyPI package `rotel`, which
# ships the `rotel-agent` binary) into .tools/rotel/venv of this workspace.
# Idempotent: does nothing when the pinned version is already there. Prints the path of rotel-agent on stdout
# (everything else goes to stderr), so: ROTEL_AGENT="$(scripts/install-rotel.sh)".
set -euo pipefail

version="0.0.1a15"
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.tools/rotel/venv"

find_agent() {
  local candidate
  for candidate in "$venv"/lib/python3*/site-packages/rotel/rotel-agent; do
    if [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

installed_version() {
  "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("rotel"))' 2>/dev/null || true
}

if [ "$(installed_version)" != "$version" ] || ! find_agent >/dev/null; then
  echo "install-rotel: installing rotel==$version into $venv" >&2
  command -v python3 >/dev/null || { echo "install-rotel: python3 is required" >&2; exit 1; }
  python3 -m venv "$venv" >&2 || {
    echo "install-rotel: 'python3 -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
    exit 1
  }
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "rotel==$version" >&2 || {
    echo "install-rotel: pip could not install rotel==$version" >&2
    exit 1
  }
fi

agent="$(find_agent)" || { echo "install-rotel: rotel-agent not found under $venv after installing" >&2; exit 1; }
"$agent" --version >/dev/null 2>&1 || { echo "install-rotel: $agent does not run on this machine" >&2; exit 1; }
echo "$agent"
