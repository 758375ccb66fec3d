#!/usr/bin/env bash
# The demo: a real local collector (rotel, printing every span, log record and metric it receives) and two
# services, each its own process under #[otel::main] with its own service.name: examples/front_service calls
# examples/back_service over gRPC and HTTP, carrying the trace. Prints what the collector received, then each
# trace whose spans come from both services, with the parent links across the process boundary; fails if a trace
# holds the spans of one service only.
#   scripts/demo.sh            # collector on 4317/4318, or on free ports if those are busy
#   ORDERS=3 scripts/demo.sh   # more orders (default 1): one trace each, 6 spans (3 per service)
set -euo pipefail
cd "$(dirname "$0")/.."

agent="$(scripts/install-rotel.sh)"
orders="${ORDERS:-1}"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
grpc_port=4317
http_port=4318
if port_busy "$grpc_port" || port_busy "$http_port"; then
  grpc_port="$(free_port)"
  http_port="$(free_port)"
  echo "== 4317 or 4318 is busy: using $grpc_port (gRPC) and $http_port (HTTP)"
fi

echo "== building the examples"
cargo build --quiet --example front_service --example back_service
# Cargo's target directory (CARGO_TARGET_DIR or a config may move it), where the built examples are.
target_dir="$(scripts/target-dir.sh)"
bin="$target_dir/debug/examples"

work="$(mktemp -d)"
log="$work/collector.log"
# Detailed: the summary below reads each span's ids and its resource's service.name from these dumps.
NO_COLOR=1 "$agent" start --exporter blackhole --debug-log traces --debug-log logs --debug-log metrics \
  --debug-log-verbosity detailed \
  --otlp-grpc-endpoint "127.0.0.1:$grpc_port" --otlp-http-endpoint "127.0.0.1:$http_port" \
  --pid-file "$work/rotel-agent.pid" --log-file "$work/rotel-agent.log" >"$log" 2>&1 &
collector=$!
back=""
cleanup() {
  if [ -n "$back" ]; then kill "$back" 2>/dev/null || true; fi
  kill "$collector" 2>/dev/null || true
  wait 2>/dev/null || true
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

# Both services read this otel.toml (no service name in it: each has its own, from #[otel::main(service = …)]).
printf '[exporter]\nprotocol = "grpc"\nendpoint = "http://127.0.0.1:%s"\n[fmt]\nformat = "compact"\n' "$grpc_port" \
  >"$work/otel.toml"

echo "== starting back-service (axum and tonic, behind axum-/tonic-tracing-opentelemetry)"
(cd "$work" && NO_COLOR=1 exec "$bin/back_service") >"$work/back.out" 2>&1 &
back=$!
for _ in $(seq 1 100); do
  grep -q "back-service listening:" "$work/back.out" && break
  kill -0 "$back" 2>/dev/null || { echo "back_service exited:"; cat "$work/back.out"; exit 1; }
  sleep 0.1
done
listening="$(grep -m1 "back-service listening:" "$work/back.out")" || { cat "$work/back.out"; exit 1; }
echo "   $listening"
back_http="$(sed 's/.* http=\([^ ]*\).*/\1/' <<<"$listening")"
back_grpc="$(sed 's/.* grpc=\([^ ]*\).*/\1/' <<<"$listening")"

echo "== running front-service: $orders order(s), each a gRPC health check and an HTTP GET of back-service"
(cd "$work" && BACK_HTTP="$back_http" BACK_GRPC="$back_grpc" ORDERS="$orders" "$bin/front_service")

# back-service handles SIGTERM itself: it drains, returns from main, and otel flushes.
kill -TERM "$back"
wait "$back" || { echo "back_service failed:"; cat "$work/back.out"; exit 1; }
back=""
echo "== back-service said"
sed 's/^/   /' "$work/back.out"

# One line per span: trace id, service.name, kind, span id, parent id ("-" for a root), name; read from rotel's
# detailed dumps (the resource's attributes come before its spans).
spans_table() {
  awk '/-> service.name: Str\(/ { s = $0; sub(/.*Str\(/, "", s); sub(/\)$/, "", s); service = s }
       /^Span #[0-9]+$/ { inspan = 1; trace = parent = id = name = "" }
       inspan && /^ +Trace ID +:/ { trace = $NF }
       inspan && /^ +Parent ID +:/ { parent = ($NF == ":") ? "-" : $NF }
       inspan && /^ +ID +:/ { id = $NF }
       inspan && /^ +Name +:/ { name = $0; sub(/^ +Name +: /, "", name) }
       inspan && /^ +Kind +:/ { kind = $NF; sub(/SPAN_KIND_/, "", kind)
                                print trace, service, kind, id, parent, name; inspan = 0 }' "$log"
}
# Both processes flushed before exiting; give the collector a moment to finish logging (until the count holds).
expected=$((6 * orders))
previous=-1
for _ in $(seq 1 25); do
  current="$(spans_table | wc -l)"
  [ "$current" -ge "$expected" ] && [ "$current" = "$previous" ] && break
  previous="$current"
  sleep 0.2
done

echo "== what the collector received"
cat "$log"
echo "== the spans by trace (trace id, service.name, kind, span id, parent id, name)"
spans_table | sort -s -k1,1 | sed 's/^/   /'
echo "== the collector received $(spans_table | wc -l) spans and $(grep -cE '^LogRecord #[0-9]+$' "$log") log records"
# The verdict, per trace: spans of both services, and how many of back-service's server spans have a client span
# of front-service as their parent (the link across the process boundary).
spans_table | awk '
  { trace[$1] = 1; seen[$1, $2] = 1; service[$4] = $2; kind[$4] = $3; parent[$4] = $5; trace_of[$4] = $1 }
  END {
    for (t in trace) {
      if (!((t, "front-service") in seen) || !((t, "back-service") in seen)) {
        print "== trace " t " has the spans of one service only"; failed = 1; continue
      }
      links = 0
      for (id in service)
        if (trace_of[id] == t && service[id] == "back-service" && kind[id] == "SERVER" &&
            service[parent[id]] == "front-service" && kind[parent[id]] == "CLIENT") links++
      print "== one trace " t " with spans of front-service and back-service: " links \
        " server spans of back-service whose parent is a client span of front-service"
    }
    exit failed
  }'
