#!/usr/bin/env bash
# Fuzzes every target in fuzz/ (cargo-fuzz, libFuzzer) for a while: `scripts/fuzz.sh [seconds per target]`
# (default 300). Each target first replays its committed seeds (fuzz/corpus/<target>/), then fuzzes; what it
# discovers is kept in fuzz/target/corpus/<target>/ (not committed) and carried over to the next run.
#
# `scripts/fuzz.sh --smoke [seconds]` is the short run of the test command (scripts/fuzz-smoke.sh): the
# discoveries go to a temporary directory, so every run starts from the committed seeds alone.
#
# Stable toolchain only: cargo-fuzz passes nightly flags (e.g. -Zsanitizer=address), which RUSTC_BOOTSTRAP=1
# allows on stable. No sanitizer by default: the code fuzzed is safe Rust, and AddressSanitizer made these targets
# 7-10x slower per input (figment allocates a lot); FUZZ_SANITIZER=address works too, on stable, with its own build.
# A crash fails the run (after every target has had its turn): the input is in fuzz/artifacts/<target>/,
# and `cargo fuzz run <target> <file>` (with the same environment) replays it.
# A discovery worth keeping as a seed: copy the (small) file from fuzz/target/corpus/<target>/ to fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=false
if [ "${1:-}" = "--smoke" ]; then
  smoke=true
  shift
fi
seconds="${1:-300}"
case "$seconds" in '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [--smoke] [seconds per target]" >&2; exit 2 ;; esac

cargo_fuzz="$(scripts/install-fuzz.sh)"
PATH="$(dirname "$cargo_fuzz"):$PATH"
export PATH RUSTC_BOOTSTRAP=1
sanitizer="${FUZZ_SANITIZER:-none}"

# One build for every target; `cargo fuzz run` then finds it up to date.
cargo fuzz build --sanitizer "$sanitizer" >&2
targets=$(cargo fuzz list)

if $smoke; then
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
else
  scratch="fuzz/target/corpus"
fi

failed=()
summary=()
for target in $targets; do
  mkdir -p "$scratch/$target" "fuzz/corpus/$target"
  log="$scratch/$target.log"
  # The first directory receives new inputs; the committed seeds are only read. -timeout: an input that takes
  # over 10 s is a hang; -max_len: the seeds are small, and longer inputs only slow the search.
  if cargo fuzz run --sanitizer "$sanitizer" "$target" "$scratch/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -max_len=4096 -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    failed+=("$target")
    grep -E "panicked at|^(thread|SUMMARY|==[0-9]+== ERROR)|Test unit written" "$log" >&2 || tail -n 30 "$log" >&2
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  summary+=("$(printf '%-22s %-6s %10s executions in %ss' "$target" "$result" "${runs:-?}" "$seconds")")
done

printf 'fuzz: %s\n' "${summary[@]}" >&2
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]} (inputs in fuzz/artifacts/<target>/)" >&2
  exit 1
fi
