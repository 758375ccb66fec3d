//! A trace across two processes: `examples/front_service` (its own `service.name`) calls `examples/back_service`
//! over gRPC (tonic-tracing-opentelemetry's client and server layers) and over HTTP (a hyper client carrying the
//! trace with `otel::propagation::inject`, axum-tracing-opentelemetry's server layer), both under `#[otel::main]`
//! with nothing else, exporting to the in-process receiver. The examples are built by `scripts/test.sh` (or
//! `cargo build --all-features --examples -p otel-main`: the b3 case needs the `b3` feature) before the tests run.

mod common;

use common::{app_dir, App};
use otel_testkit::{ReceivedSpan, Receiver};
use std::collections::BTreeSet;
use std::time::Duration;

const ORDERS: usize = 3;
/// Per order: front's `checkout`, its gRPC and HTTP client spans; back's gRPC and HTTP server spans and `price`.
const SPANS_PER_ORDER: usize = 6;

/// Runs the back service, then the front service against it (`ORDERS` orders), both with `propagators` set by
/// `OTEL_PROPAGATORS` (the deployment's way), then stops the back service with SIGTERM (it drains and flushes).
/// Returns every span the receiver got.
fn run_both(name: &str, propagators: &str) -> Vec<ReceivedSpan> {
    let receiver = Receiver::start_blocking();
    // No [service] name: each example's own (`#[otel::main(service = …)]`) applies.
    let toml = format!(
        "[exporter]\nprotocol = \"grpc\"\nendpoint = \"{}\"\n[fmt]\nformat = \"off\"\n",
        receiver.grpc_endpoint()
    );
    let dir = app_dir(name, &toml);
    let env = [("OTEL_PROPAGATORS", propagators)];
    let back = App::spawn("back_service", &dir, &env);
    let listening = back.wait_for(false, "back-service listening:", Duration::from_secs(20));
    let url = |scheme: &str| {
        let start = listening.find(&format!("{scheme}=")).unwrap() + scheme.len() + 1;
        listening[start..].split_whitespace().next().unwrap().to_string()
    };
    let (http, grpc) = (url("http"), url("grpc"));
    let orders = ORDERS.to_string();
    let front = App::spawn(
        "front_service",
        &dir,
        &[("OTEL_PROPAGATORS", propagators), ("BACK_HTTP", &http), ("BACK_GRPC", &grpc), ("ORDERS", &orders)],
    );
    let front = front.finish();
    assert!(front.status.success(), "front: {front:?}");
    back.signal("TERM");
    let back = back.wait();
    assert!(back.status.success(), "back: {back:?}");
    for finished in [&front, &back] {
        // The examples run as they were last built: one built without a feature these propagators need (e.g. by
        // `scripts/demo.sh`, default features) warns and falls back, which would read as broken propagation.
        assert!(
            !finished.stderr.contains("left out of this build"),
            "the examples were built without a feature this test needs; run `cargo build --all-features --examples \
             -p otel-main` first: {}",
            finished.stderr
        );
        assert!(!finished.stderr.contains("otel summary"), "spans were lost: {}", finished.stderr);
    }
    let spans = receiver.wait_for_spans_blocking(ORDERS * SPANS_PER_ORDER, Duration::from_secs(20)).unwrap();
    assert_eq!(spans.len(), ORDERS * SPANS_PER_ORDER, "{:#?}", names(&spans));
    spans
}

fn service(span: &ReceivedSpan) -> &str {
    span.resource.get("service.name").map(String::as_str).unwrap_or("")
}

fn names(spans: &[ReceivedSpan]) -> Vec<String> {
    spans.iter().map(|s| format!("{}: {} ({})", service(s), s.name, s.kind)).collect()
}

/// The one span of `service` with this name and kind in `trace`.
fn one<'a>(trace: &[&'a ReceivedSpan], service_name: &str, name: &str, kind: &str) -> &'a ReceivedSpan {
    let found: Vec<_> =
        trace.iter().copied().filter(|s| service(s) == service_name && s.name == name && s.kind == kind).collect();
    assert_eq!(
        found.len(),
        1,
        "{service_name}: {name} ({kind}) in {:#?}",
        names(&trace.iter().map(|s| (*s).clone()).collect::<Vec<_>>())
    );
    found[0]
}

/// Each order is one trace holding the spans of both services, the client spans of front-service the parents of
/// the server spans of back-service.
fn assert_one_trace_per_order(spans: &[ReceivedSpan]) {
    let traces: BTreeSet<&str> = spans.iter().map(|s| s.trace_id.as_str()).collect();
    assert_eq!(traces.len(), ORDERS, "one trace per order: {traces:?}");
    for trace_id in traces {
        let trace: Vec<&ReceivedSpan> = spans.iter().filter(|s| s.trace_id == trace_id).collect();
        let services: BTreeSet<&str> = trace.iter().map(|s| service(s)).collect();
        assert_eq!(services, BTreeSet::from(["back-service", "front-service"]), "trace {trace_id}");

        let checkout = one(&trace, "front-service", "checkout", "SPAN_KIND_INTERNAL");
        assert!(checkout.parent_span_id.is_empty(), "checkout is the root");
        // HTTP: our helper on the client side, axum-tracing-opentelemetry on the server side.
        let http_client = one(&trace, "front-service", "GET /orders/{order}", "SPAN_KIND_CLIENT");
        let http_server = one(&trace, "back-service", "GET /orders/{order}", "SPAN_KIND_SERVER");
        let price = one(&trace, "back-service", "price", "SPAN_KIND_INTERNAL");
        assert_eq!(http_client.parent_span_id, checkout.span_id);
        assert_eq!(http_server.parent_span_id, http_client.span_id, "the server span continues the client's");
        assert_eq!(price.parent_span_id, http_server.span_id);
        // gRPC: tonic-tracing-opentelemetry on both sides.
        let grpc_client = one(&trace, "front-service", "grpc.health.v1.Health/Check", "SPAN_KIND_CLIENT");
        let grpc_server = one(&trace, "back-service", "grpc.health.v1.Health/Check", "SPAN_KIND_SERVER");
        assert_eq!(grpc_client.parent_span_id, checkout.span_id);
        assert_eq!(grpc_server.parent_span_id, grpc_client.span_id, "the server span continues the client's");
    }
}

#[test]
fn one_trace_crosses_both_services_over_http_and_grpc() {
    assert_one_trace_per_order(&run_both("tracecontext", "tracecontext,baggage"));
}

#[test]
fn the_middleware_uses_the_propagators_otel_configured() {
    // B3 (multi-header) alone: the middleware and the helper read and write what otel installed, not a default
    // of their own.
    assert_one_trace_per_order(&run_both("b3multi", "b3multi"));
}

#[test]
fn without_propagators_the_back_service_starts_its_own_traces() {
    // The control: with `none`, nothing crosses, so each of back-service's server spans is a root.
    let spans = run_both("none", "none");
    let back: Vec<_> = spans.iter().filter(|s| service(s) == "back-service" && s.kind == "SPAN_KIND_SERVER").collect();
    assert_eq!(back.len(), 2 * ORDERS);
    assert!(back.iter().all(|s| s.parent_span_id.is_empty()), "{:#?}", names(&spans));
    let front: BTreeSet<&str> =
        spans.iter().filter(|s| service(s) == "front-service").map(|s| s.trace_id.as_str()).collect();
    assert!(back.iter().all(|s| !front.contains(s.trace_id.as_str())));
}
