#!/usr/bin/env bash
# The demo: a real local collector (rotel) plus the task_service example, then what the collector received.
set -euo pipefail
cd "$(dirname "$0")/.."
agent="$(scripts/install-rotel.sh)"
grpc_port="${GRPC_PORT:-4317}"
http_port="${HTTP_PORT:-4318}"
work="$(mktemp -d)"
"$agent" start --exporter blackhole --debug-log traces --debug-log-verbosity "${VERBOSITY:-basic}" \
  --otlp-grpc-endpoint "127.0.0.1:$grpc_port" --otlp-http-endpoint "127.0.0.1:$http_port" \
  --pid-file "$work/rotel.pid" --log-file "$work/rotel.log" > "$work/collector.log" 2>&1 &
collector=$!
trap 'kill $collector 2>/dev/null || true' EXIT
until (exec 3<>"/dev/tcp/127.0.0.1/$grpc_port") 2>/dev/null; do
  kill -0 $collector 2>/dev/null || { cat "$work/collector.log"; exit 1; }
  sleep 0.1
done
echo "== collector listening on 127.0.0.1:$grpc_port (gRPC) and 127.0.0.1:$http_port (HTTP)"
echo "== running task_service (configured by ./otel.toml)"
OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$grpc_port" cargo run --quiet --example task_service
sleep 0.5 # let the collector finish writing its log before it is printed
echo "== what the collector received"
sed 's/\x1b\[[0-9;]*m//g' "$work/collector.log"
