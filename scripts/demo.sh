#!/usr/bin/env bash
# The demo: a real local collector (rotel, printing every span, log record and metric it receives) and
# examples/task_service, which reads ./otel.toml (gRPC) and sends the three signals. Prints what the collector
# received, then stops it.
#   scripts/demo.sh                  # collector on 4317/4318, or on free ports if those are busy
#   VERBOSITY=basic scripts/demo.sh  # one line per batch instead of every span's details
#   TASKS=20 scripts/demo.sh         # more tasks (3 spans, 2 log records and one counter increment each)
set -euo pipefail
cd "$(dirname "$0")/.."

agent="$(scripts/install-rotel.sh)"
verbosity="${VERBOSITY:-detailed}"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
grpc_port=4317
http_port=4318
if port_busy "$grpc_port" || port_busy "$http_port"; then
  grpc_port="$(free_port)"
  http_port="$(free_port)"
  echo "== 4317 or 4318 is busy: using $grpc_port (gRPC) and $http_port (HTTP)"
fi

echo "== building the example"
cargo build --quiet --example task_service

work="$(mktemp -d)"
log="$work/collector.log"
NO_COLOR=1 "$agent" start --exporter blackhole --debug-log traces --debug-log logs --debug-log metrics \
  --debug-log-verbosity "$verbosity" \
  --otlp-grpc-endpoint "127.0.0.1:$grpc_port" --otlp-http-endpoint "127.0.0.1:$http_port" \
  --pid-file "$work/rotel-agent.pid" --log-file "$work/rotel-agent.log" >"$log" 2>&1 &
collector=$!
cleanup() {
  kill "$collector" 2>/dev/null || true
  wait "$collector" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# rotel logs "Starting Rotel." once both ports are bound.
for _ in $(seq 1 100); do
  grep -q "Starting Rotel" "$log" && break
  kill -0 "$collector" 2>/dev/null || { echo "rotel-agent exited:"; cat "$log"; exit 1; }
  sleep 0.1
done
grep -q "Starting Rotel" "$log" || { echo "rotel-agent did not start within 10 s:"; cat "$log"; exit 1; }
echo "== collector (rotel) listening on 127.0.0.1:$grpc_port (gRPC) and 127.0.0.1:$http_port (HTTP)"

echo "== running task_service (configured by ./otel.toml; endpoint from OTEL_EXPORTER_OTLP_ENDPOINT)"
OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$grpc_port" cargo run --quiet --example task_service

# Items received: one "Span #N" / "LogRecord #N" entry each in detailed dumps, "spans=N" / "logs=N" per batch in
# basic lines.
count_items() { # $1: the detailed entry's name (Span, LogRecord); $2: the basic line's field (spans, logs)
  awk -v entry="^$1 #[0-9]+$" -v field="$2" '$0 ~ entry { n++ }
       /Received / { for (i = 1; i <= NF; i++) if ($i ~ ("^" field "=")) { sub(field "=", "", $i); n += $i } }
       END { print n + 0 }' "$log"
}
count_spans() { count_items Span spans; }
# The app has flushed before exiting; give the collector a moment to finish logging (until the count holds).
previous=-1
for _ in $(seq 1 20); do
  current="$(count_spans)"
  [ "$current" -gt 0 ] && [ "$current" = "$previous" ] && break
  previous="$current"
  sleep 0.2
done

echo "== what the collector received ($verbosity)"
cat "$log"
echo "== the collector received $(count_spans) spans and $(count_items LogRecord logs) log records"
if grep -q "Name: tasks.done" "$log"; then
  echo "== and the metric tasks.done (with otel's own otel.sdk.* counters)"
fi
