//! Round trips through each configured propagator, as the services on both sides of a call run them: a `tracing`
//! span injects, another service extracts and continues the trace (and passes it on), and headers written by
//! other implementations (the specifications' examples) are read. The spans are checked as exported.

use super::*;
use crate::sdk::propagator;
use crate::test_support::CollectSpans as Collect;
use opentelemetry::trace::{SpanId, TraceId, TracerProvider as _};
use opentelemetry::KeyValue;
use opentelemetry_sdk::trace::SdkTracerProvider;
use otel_config::Propagator;
use std::collections::HashMap;
use tracing_subscriber::layer::SubscriberExt as _;

/// Runs `f` under a subscriber like the one `start` installs (tracing-opentelemetry on an SDK provider, default
/// sampler `parentbased_always_on`); returns the spans exported.
fn traced(f: impl FnOnce()) -> Collect {
    let exporter = Collect::default();
    let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
    let subscriber =
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
    tracing::subscriber::with_default(subscriber, f);
    exporter
}

/// Every configuration the tests run: each propagator alone, with baggage, and all of them together.
fn configurations() -> Vec<Vec<Propagator>> {
    use Propagator::*;
    vec![
        vec![TraceContext],
        vec![B3],
        vec![B3Multi],
        vec![XRay],
        vec![TraceContext, Baggage],
        vec![B3, Baggage],
        vec![B3Multi, Baggage],
        vec![XRay, Baggage],
        vec![TraceContext, Baggage, B3, B3Multi, XRay],
    ]
}

/// Service A (span `a`, baggage `tenant=acme` attached before it) calls B over HTTP headers; B's span `b`
/// continues the trace, reads the baggage and calls C over a `HashMap` carrier; C's span `c` continues it again.
/// Returns the exported spans and the baggage each of B and C saw.
fn three_services(names: &[Propagator]) -> (Collect, [Option<String>; 2]) {
    let propagator = propagator(names);
    let mut seen = [None, None];
    let spans = traced(|| {
        // A: baggage attached in the current context, then the client span under it.
        let mut to_b = HeaderMap::new();
        {
            let _baggage = Context::current_with_baggage([KeyValue::new("tenant", "acme")]).attach();
            tracing::info_span!("a").in_scope(|| inject_with(&propagator, &mut HeaderInjector(&mut to_b)));
        }
        // B: the server span takes its parent from the headers, then calls C from inside it.
        let cx = extract_with(&propagator, &HeaderExtractor(&to_b));
        seen[0] = cx.baggage().get("tenant").map(|v| v.to_string());
        let b = tracing::info_span!("b");
        b.set_parent(cx).expect("b is not started yet");
        let mut to_c: HashMap<String, String> = HashMap::new();
        b.in_scope(|| inject_with(&propagator, &mut to_c));
        drop(b);
        // C.
        let cx = extract_with(&propagator, &to_c);
        seen[1] = cx.baggage().get("tenant").map(|v| v.to_string());
        let c = tracing::info_span!("c");
        c.set_parent(cx).expect("c is not started yet");
        c.in_scope(|| {});
    });
    (spans, seen)
}

#[test]
fn each_propagator_carries_the_trace_across_two_hops() {
    for names in configurations() {
        let (spans, seen) = three_services(&names);
        let (a, b, c) = (spans.ids("a"), spans.ids("b"), spans.ids("c"));
        assert_eq!(a.2, SpanId::INVALID, "{names:?}: a is a root");
        assert_eq!((b.0, b.2), (a.0, a.1), "{names:?}: b continues a's trace, a is its parent");
        assert_eq!((c.0, c.2), (a.0, b.1), "{names:?}: c continues the trace, b is its parent");
        let baggage = names.contains(&Propagator::Baggage).then(|| "acme".to_string());
        assert_eq!(seen, [baggage.clone(), baggage], "{names:?}: baggage at b and c");
    }
}

#[test]
fn without_a_propagator_nothing_crosses() {
    // The control for the test above: with no propagator (`propagators = ["none"]`), b starts its own trace.
    let (spans, seen) = three_services(&[]);
    let (a, b) = (spans.ids("a"), spans.ids("b"));
    assert_ne!(a.0, b.0);
    assert_eq!(b.2, SpanId::INVALID);
    assert_eq!(seen, [None, None]);
}

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT: &str = "00f067aa0ba902b7";

/// Headers as another implementation writes them, per propagator (from each format's specification).
fn foreign_headers(name: Propagator) -> Vec<(&'static str, String)> {
    match name {
        Propagator::TraceContext => vec![("traceparent", format!("00-{TRACE}-{PARENT}-01"))],
        Propagator::B3 => vec![("b3", format!("{TRACE}-{PARENT}-1"))],
        Propagator::B3Multi => vec![
            ("X-B3-TraceId", TRACE.to_string()),
            ("X-B3-SpanId", PARENT.to_string()),
            ("X-B3-Sampled", "1".to_string()),
        ],
        Propagator::XRay => {
            vec![("X-Amzn-Trace-Id", format!("Root=1-{}-{};Parent={PARENT};Sampled=1", &TRACE[..8], &TRACE[8..]))]
        }
        other => panic!("no foreign headers for {other:?}"),
    }
}

#[test]
fn headers_of_other_implementations_are_continued_and_ours_are_in_their_format() {
    use Propagator::*;
    for name in [TraceContext, B3, B3Multi, XRay] {
        let propagator = propagator(&[name, Baggage]);
        let mut incoming = HeaderMap::new();
        for (key, value) in foreign_headers(name) {
            incoming.insert(http::HeaderName::from_bytes(key.as_bytes()).unwrap(), value.parse().unwrap());
        }
        incoming.insert("baggage", "tenant=acme,plan=gold%20plus".parse().unwrap());
        let mut outgoing = HeaderMap::new();
        let spans = traced(|| {
            let server = tracing::info_span!("server");
            server.set_parent(extract_with(&propagator, &HeaderExtractor(&incoming))).unwrap();
            server.in_scope(|| inject_with(&propagator, &mut HeaderInjector(&mut outgoing)));
        });
        let server = spans.ids("server");
        assert_eq!(server.0.to_string(), TRACE, "{name:?}");
        assert_eq!(server.2.to_string(), PARENT, "{name:?}");
        // What we send on: the same trace, our span as the parent, in the format the other side reads.
        let expected = foreign_headers(name)
            .into_iter()
            .map(|(key, value)| (key.to_ascii_lowercase(), value.replace(PARENT, &server.1.to_string())))
            .collect::<Vec<_>>();
        for (key, value) in expected {
            assert_eq!(outgoing.get(&key).and_then(|v| v.to_str().ok()), Some(value.as_str()), "{name:?} {key}");
        }
        let baggage = outgoing.get("baggage").unwrap().to_str().unwrap();
        let mut entries: Vec<&str> = baggage.split(',').collect();
        entries.sort();
        assert_eq!(entries, ["plan=gold%20plus", "tenant=acme"], "{name:?}");
    }
}

#[test]
fn absent_or_malformed_context_starts_a_new_trace() {
    let propagator = propagator(&[Propagator::TraceContext, Propagator::Baggage, Propagator::B3, Propagator::XRay]);
    let mut malformed = HeaderMap::new();
    malformed.insert("traceparent", "00-not-a-trace-01".parse().unwrap());
    malformed.insert("b3", "zzz".parse().unwrap());
    malformed.insert("x-amzn-trace-id", "Root=garbage".parse().unwrap());
    let mut all_zero = HeaderMap::new();
    all_zero.insert("traceparent", format!("00-{}-{PARENT}-01", "0".repeat(32)).parse().unwrap());
    for (case, headers) in [("absent", HeaderMap::new()), ("malformed", malformed), ("zero trace id", all_zero)] {
        let spans = traced(|| {
            let server = tracing::info_span!("server");
            server.set_parent(extract_with(&propagator, &HeaderExtractor(&headers))).unwrap();
            server.in_scope(|| {});
        });
        let server = spans.ids("server");
        assert_eq!(server.2, SpanId::INVALID, "{case}: a root span");
        assert_ne!(server.0, TraceId::INVALID, "{case}: a new, valid trace id");
        assert_ne!(server.0.to_string(), TRACE, "{case}");
    }
}

#[test]
fn an_unsampled_caller_keeps_its_trace_unsampled_downstream() {
    // parentbased_always_on (the default sampler) follows the caller's decision: the span is not recorded, and
    // what it sends on says "not sampled" in the same trace, so the next service does not record it either.
    let propagator = propagator(&[Propagator::TraceContext]);
    let mut incoming = HeaderMap::new();
    incoming.insert("traceparent", format!("00-{TRACE}-{PARENT}-00").parse().unwrap());
    let mut outgoing = HeaderMap::new();
    let spans = traced(|| {
        let server = tracing::info_span!("server");
        server.set_parent(extract_with(&propagator, &HeaderExtractor(&incoming))).unwrap();
        server.in_scope(|| inject_with(&propagator, &mut HeaderInjector(&mut outgoing)));
    });
    assert_eq!(spans.find("server"), None, "an unsampled span is not exported");
    let sent = outgoing.get("traceparent").unwrap().to_str().unwrap();
    assert!(sent.starts_with(&format!("00-{TRACE}-")) && sent.ends_with("-00"), "{sent}");
}

#[test]
fn outside_any_span_only_attached_baggage_is_sent() {
    let propagator = propagator(&[Propagator::TraceContext, Propagator::Baggage]);
    let mut nothing = HashMap::new();
    let mut baggage = HashMap::new();
    traced(|| {
        inject_with(&propagator, &mut nothing);
        let _attached = Context::current_with_baggage([KeyValue::new("tenant", "acme")]).attach();
        inject_with(&propagator, &mut baggage);
    });
    assert!(nothing.is_empty(), "{nothing:?}");
    assert_eq!(baggage, HashMap::from([("baggage".to_string(), "tenant=acme".to_string())]));
}

#[test]
fn without_a_recorded_span_the_attached_context_is_passed_on() {
    // A service whose spans are not recorded (`OTEL_SDK_DISABLED`, or a span below the filter) still passes on
    // the caller's context that middleware attached (axum- and tonic-tracing-opentelemetry do when their span is
    // disabled), so the trace goes on through it.
    let propagator = propagator(&[Propagator::TraceContext]);
    let mut incoming = HeaderMap::new();
    incoming.insert("traceparent", format!("00-{TRACE}-{PARENT}-01").parse().unwrap());
    let mut outgoing = HeaderMap::new();
    tracing::subscriber::with_default(tracing_subscriber::registry(), || {
        let _attached = extract_with(&propagator, &HeaderExtractor(&incoming)).attach();
        tracing::info_span!("not recorded").in_scope(|| inject_with(&propagator, &mut HeaderInjector(&mut outgoing)));
    });
    assert_eq!(outgoing.get("traceparent").unwrap(), &format!("00-{TRACE}-{PARENT}-01"));
}

#[test]
fn baggage_attached_inside_the_span_travels_with_it() {
    let propagator = propagator(&[Propagator::TraceContext, Propagator::Baggage]);
    let mut headers = HashMap::new();
    let spans = traced(|| {
        tracing::info_span!("a").in_scope(|| {
            let _attached = Context::current_with_baggage([KeyValue::new("tenant", "acme")]).attach();
            inject_with(&propagator, &mut headers);
        })
    });
    let a = spans.ids("a");
    assert_eq!(headers.get("baggage").map(String::as_str), Some("tenant=acme"));
    assert_eq!(headers.get("traceparent"), Some(&format!("00-{}-{}-01", a.0, a.1)));
}

#[test]
fn a_started_span_refuses_a_parent() {
    let propagator = propagator(&[Propagator::TraceContext]);
    let mut incoming = HeaderMap::new();
    incoming.insert("traceparent", format!("00-{TRACE}-{PARENT}-01").parse().unwrap());
    let mut result = None;
    traced(|| {
        let span = tracing::info_span!("entered first");
        span.in_scope(|| {
            result = Some(span.set_parent(extract_with(&propagator, &HeaderExtractor(&incoming))));
        });
    });
    assert!(matches!(result, Some(Err(SetParentError::AlreadyStarted))), "{result:?}");
}

/// The public functions, through the global propagator `start` installs. The only test of this binary that
/// sets the global propagator (the others pass theirs).
#[test]
fn the_public_functions_use_the_global_propagators() {
    opentelemetry::global::set_text_map_propagator(propagator(&[
        Propagator::TraceContext,
        Propagator::Baggage,
        Propagator::B3,
    ]));
    let mut headers = HeaderMap::new();
    let mut fields = HashMap::new();
    let mut baggage = None;
    let spans = traced(|| {
        let _attached = Context::current_with_baggage([KeyValue::new("tenant", "acme")]).attach();
        tracing::info_span!("client").in_scope(|| {
            inject(&mut headers);
            inject_carrier(&mut fields);
        });
        let server = tracing::info_span!("server");
        set_parent(&server, &headers).unwrap();
        server.in_scope(|| {});
        let consumer = tracing::info_span!("consumer");
        set_parent_carrier(&consumer, &fields).unwrap();
        consumer.in_scope(|| {});
        baggage = extract(&headers).baggage().get("tenant").map(|v| v.to_string());
        assert_eq!(extract_carrier(&fields).span().span_context(), extract(&headers).span().span_context());
    });
    let client = spans.ids("client");
    assert!(headers.contains_key("b3") && headers.contains_key("traceparent"), "{headers:?}");
    assert_eq!(baggage.as_deref(), Some("acme"));
    for name in ["server", "consumer"] {
        let span = spans.ids(name);
        assert_eq!((span.0, span.2), (client.0, client.1), "{name}");
    }
}
