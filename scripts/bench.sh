#!/usr/bin/env bash
# The benchmark command of issue #4: builds the workload programs and the runner (release), installs the real
# collector (rotel), runs every scenario for the hand-written pipeline and for #[otel::main], alternating them,
# and prints a markdown table of both sides, the ratios and the goals; the `peers` scenario adds a table of otel
# against init-tracing-opentelemetry and oxtel (issue #10), all over OTLP/HTTP; `logs` and `metrics` add tables of
# otel with logs and metrics on against the hand-written appender-tracing and SdkMeterProvider recipes (OTLP/gRPC).
# See BENCHMARKS.md.
#
#   scripts/bench.sh            # the full suite, 5 runs per figure (about 8 minutes on 2 cores)
#   scripts/bench.sh --quick    # 3 runs, shorter phases (about 3 minutes)
#   scripts/bench.sh cost,burst --runs 7 --json results.json
#   scripts/bench.sh peers --runs 3            # otel and its peers only (about 2 minutes)
#   scripts/bench.sh logs,metrics --runs 5     # logs on: event cost and a 30,000-record burst against the
#                                              # appender-tracing recipe; a counter add (about 1 minute)
#
# Every argument goes to the runner (`otel-bench --help`). The table goes to stdout, progress to stderr.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

ROTEL_AGENT="$(scripts/install-rotel.sh)"
export ROTEL_AGENT

echo "bench: building (cargo build --release -p otel-bench --bins)" >&2
cargo build --release --quiet -p otel-bench --bins

target_dir="$(scripts/target-dir.sh 2>/dev/null || echo "$root/target")"

echo "bench: $(nproc) CPUs, $(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1), \
$(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)" >&2
exec "$target_dir/release/otel-bench" "$@"
