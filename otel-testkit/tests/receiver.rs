//! The in-process receiver, driven by the generated tonic client and by raw HTTP/1.1 POSTs.

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use otel_testkit::client::{self, export_grpc, export_http, post, sample_request};
use otel_testkit::span::hex;
use otel_testkit::{Behavior, Outcome, Protocol, Receiver, GRPC_EXPORT_PATH};
use std::net::TcpStream;
use std::time::Duration;
use tonic_types::StatusExt;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn grpc_request_is_recorded_with_metadata_compression_and_flattened_spans() {
    let receiver = Receiver::start().await;
    let request = sample_request("grpc-svc", &["root", "child"]);
    let sent_trace_id = hex(&request.resource_spans[0].scope_spans[0].spans[0].trace_id);

    let mut grpc = TraceServiceClient::connect(receiver.grpc_endpoint())
        .await
        .unwrap()
        .send_compressed(tonic::codec::CompressionEncoding::Gzip);
    let mut call = tonic::Request::new(request.clone());
    call.metadata_mut().insert("authorization", "Bearer secret".parse().unwrap());
    let response = grpc.export(call).await.unwrap().into_inner();
    assert_eq!(response.partial_success, None);

    let spans = receiver.wait_for_spans(2, WAIT).await.unwrap();
    assert_eq!(receiver.span_count(), 2);
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    let received = &requests[0];
    assert_eq!(received.protocol, Protocol::Grpc);
    assert_eq!(received.path, GRPC_EXPORT_PATH);
    assert_eq!(received.header("authorization"), Some("Bearer secret"));
    assert_eq!(received.compression(), Some("gzip"));
    assert_eq!(received.request, request, "the decoded request is the one sent");
    assert_eq!(received.span_count(), 2);

    let (root, child) = (&spans[0], &spans[1]);
    assert_eq!(root.name, "root");
    assert_eq!(root.trace_id, sent_trace_id);
    assert_eq!(root.trace_id.len(), 32);
    assert_eq!(root.span_id.len(), 16);
    assert!(root.is_root());
    assert!(child.is_child_of(root));
    assert_eq!(root.kind, "SPAN_KIND_SERVER");
    assert_eq!(child.kind, "SPAN_KIND_INTERNAL");
    assert_eq!(root.attribute("index"), Some("0"));
    assert_eq!(child.attribute("index"), Some("1"));
    assert_eq!(root.attribute("test.kind"), Some("sample"));
    assert_eq!(root.resource_attribute("service.name"), Some("grpc-svc"));
    assert_eq!(root.scope_name, "otel-testkit");
    assert_eq!(root.status_code, "STATUS_CODE_OK");
    assert_eq!(child.status_code, "STATUS_CODE_UNSET");
    assert_eq!(root.events.len(), 1);
    assert_eq!(root.events[0].name, "sample.event");
    assert_eq!(root.events[0].attributes.get("event.detail").map(String::as_str), Some("something happened"));
    assert_eq!(root.duration(), Duration::from_millis(1));
    assert_eq!(receiver.spans_named("child"), vec![child.clone()]);
    assert_eq!(receiver.attempts(), 1);
    assert_eq!(receiver.attempt_log()[0].outcome, Outcome::Accepted);
}

#[test]
fn http_protobuf_and_json_plain_and_gzip_are_decoded() {
    let receiver = Receiver::start_blocking();
    let url = receiver.http_traces_url();
    assert_eq!(url, format!("{}/v1/traces", receiver.http_endpoint()));
    let mut sent = Vec::new();
    for (protocol, gzip) in [
        (Protocol::HttpProtobuf, false),
        (Protocol::HttpProtobuf, true),
        (Protocol::HttpJson, false),
        (Protocol::HttpJson, true),
    ] {
        let request = sample_request(&format!("{protocol}-{gzip}"), &["a", "b", "c"]);
        let response = export_http(&url, protocol, gzip, &request).unwrap();
        assert_eq!(response.status, 200, "{protocol} gzip={gzip}: {}", response.text());
        assert_eq!(response.header("content-type"), Some(protocol.content_type()));
        assert_eq!(response.export_response().unwrap().partial_success, None);
        sent.push((protocol, gzip, request));
    }
    let spans = receiver.wait_for_spans_blocking(12, WAIT).unwrap();
    assert_eq!(spans.len(), 12);
    let requests = receiver.requests();
    assert_eq!(requests.len(), 4);
    for ((protocol, gzip, request), received) in sent.iter().zip(&requests) {
        assert_eq!(received.protocol, *protocol);
        assert_eq!(received.path, "/v1/traces");
        assert_eq!(received.compression(), gzip.then_some("gzip"));
        assert_eq!(received.header("content-type"), Some(protocol.content_type()));
        // JSON ids are hex in the OTLP JSON mapping: they must come back as the same bytes.
        assert_eq!(&received.request, request, "{protocol} gzip={gzip}");
    }
    assert_eq!(spans[9].resource_attribute("service.name"), Some("http/json-true"));
    assert!(spans[10].is_child_of(&spans[9]));
}

#[test]
fn json_in_the_otlp_mapping_is_understood() {
    // The example of the OTLP specification's JSON encoding, as an exporter sends it: hex ids, camelCase,
    // 64-bit integers as strings, enums as numbers.
    let receiver = Receiver::start_blocking();
    let body = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-svc"}}]},
      "scopeSpans":[{"scope":{"name":"my.library","version":"1.0.0"},"spans":[{"traceId":"5b8efff798038103d269b633813fc60c",
      "spanId":"eee19b7ec3c1b174","parentSpanId":"eee19b7ec3c1b173","name":"I'm a server span","startTimeUnixNano":"1544712660000000000",
      "endTimeUnixNano":"1544712661000000000","kind":2,"attributes":[{"key":"my.span.attr","value":{"stringValue":"some value"}},
      {"key":"n","value":{"intValue":"42"}},{"key":"ok","value":{"boolValue":true}},{"key":"x","value":{"doubleValue":1.5}},
      {"key":"list","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"1"}]}}}],
      "status":{"code":2,"message":"boom"}}]}]}]}"#;
    let response =
        post(&receiver.http_traces_url(), &[("Content-Type", "application/json")], body.as_bytes(), WAIT).unwrap();
    assert_eq!(response.status, 200, "{}", response.text());
    let span = receiver.wait_for_spans_blocking(1, WAIT).unwrap().remove(0);
    assert_eq!(span.trace_id, "5b8efff798038103d269b633813fc60c");
    assert_eq!(span.span_id, "eee19b7ec3c1b174");
    assert_eq!(span.parent_span_id, "eee19b7ec3c1b173");
    assert_eq!(span.kind, "SPAN_KIND_SERVER");
    assert_eq!(span.start_time_unix_nano, 1544712660000000000);
    assert_eq!(span.attribute("my.span.attr"), Some("some value"));
    assert_eq!(span.attribute("n"), Some("42"));
    assert_eq!(span.attribute("ok"), Some("true"));
    assert_eq!(span.attribute("x"), Some("1.5"));
    assert_eq!(span.attribute("list"), Some("[a, 1]"));
    assert_eq!((span.status_code.as_str(), span.status_message.as_str()), ("STATUS_CODE_ERROR", "boom"));
    assert_eq!((span.scope_name.as_str(), span.scope_version.as_str()), ("my.library", "1.0.0"));
    assert_eq!(receiver.requests()[0].protocol, Protocol::HttpJson);
}

#[test]
fn custom_http_path_and_wrong_requests_are_answered_and_logged_as_invalid() {
    let receiver = Receiver::builder().http_path("/custom/traces").start_blocking();
    let base = receiver.http_endpoint();
    let body = sample_request("svc", &["a"]);
    let protobuf = [("Content-Type", "application/x-protobuf")];

    let wrong_path = export_http(&format!("{base}/v1/traces"), Protocol::HttpProtobuf, false, &body).unwrap();
    assert_eq!(wrong_path.status, 404);
    let wrong_type = post(&receiver.http_traces_url(), &[("Content-Type", "text/plain")], b"hello", WAIT).unwrap();
    assert_eq!(wrong_type.status, 415);
    let garbage = post(&receiver.http_traces_url(), &protobuf, b"\xff\xff\xff not protobuf", WAIT).unwrap();
    assert_eq!(garbage.status, 400);
    let bad_gzip =
        post(&receiver.http_traces_url(), &[protobuf[0], ("Content-Encoding", "gzip")], b"not gzip", WAIT).unwrap();
    assert_eq!(bad_gzip.status, 400);
    let right = export_http(&receiver.http_traces_url(), Protocol::HttpProtobuf, false, &body).unwrap();
    assert_eq!(right.status, 200);

    assert_eq!(receiver.span_count(), 1);
    assert_eq!(receiver.requests()[0].path, "/custom/traces");
    let log = receiver.attempt_log();
    assert_eq!(log.len(), 5);
    assert!(matches!(&log[0].outcome, Outcome::Invalid(why) if why.contains("/v1/traces")), "{:?}", log[0]);
    assert!(matches!(&log[1].outcome, Outcome::Invalid(why) if why.contains("text/plain")), "{:?}", log[1]);
    assert_eq!(log[1].protocol, None);
    assert!(matches!(&log[2].outcome, Outcome::Invalid(why) if why.contains("undecodable")), "{:?}", log[2]);
    assert!(matches!(&log[3].outcome, Outcome::Invalid(why) if why.contains("gzip")), "{:?}", log[3]);
    assert_eq!(log[4].outcome, Outcome::Accepted);
    assert_eq!(log[4].span_count, 1);
}

#[tokio::test]
async fn grpc_unavailable_carries_retry_info_then_accepts() {
    let receiver = Receiver::builder()
        .behavior(Behavior::Unavailable { times: 2, retry_after: Some(Duration::from_secs(3)) })
        .start()
        .await;
    for _ in 0..2 {
        let status = export_grpc(&receiver.grpc_endpoint(), sample_request("svc", &["x"]), false).await.unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unavailable);
        let retry = status.get_details_retry_info().expect("a google.rpc.RetryInfo detail");
        assert_eq!(retry.retry_delay, Some(Duration::from_secs(3)));
    }
    assert_eq!(receiver.span_count(), 0, "failed requests record no span");
    export_grpc(&receiver.grpc_endpoint(), sample_request("svc", &["x", "y"]), true).await.unwrap();
    assert_eq!(receiver.span_count(), 2);
    assert_eq!(receiver.attempts(), 3);
    let outcomes: Vec<Outcome> = receiver.attempt_log().into_iter().map(|a| a.outcome).collect();
    assert_eq!(outcomes, vec![Outcome::Unavailable, Outcome::Unavailable, Outcome::Accepted]);

    // Without a delay: a bare UNAVAILABLE, no details.
    receiver.set_behavior(Behavior::Unavailable { times: 1, retry_after: None });
    let status = export_grpc(&receiver.grpc_endpoint(), sample_request("svc", &["x"]), false).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unavailable);
    assert!(status.get_details_retry_info().is_none());
    export_grpc(&receiver.grpc_endpoint(), sample_request("svc", &["x"]), false).await.unwrap();
    assert_eq!(receiver.span_count(), 3);
    assert_eq!(receiver.attempts(), 5);
}

#[test]
fn http_unavailable_is_503_with_retry_after_then_accepts() {
    let receiver = Receiver::start_blocking();
    receiver.set_behavior(Behavior::Unavailable { times: 1, retry_after: Some(Duration::from_millis(1500)) });
    let url = receiver.http_traces_url();
    let request = sample_request("svc", &["x"]);

    let failed = export_http(&url, Protocol::HttpJson, false, &request).unwrap();
    assert_eq!(failed.status, 503);
    assert_eq!(failed.header("retry-after"), Some("2"), "rounded up to whole seconds");
    let status: serde_json::Value = serde_json::from_slice(&failed.body).unwrap();
    assert_eq!(status["code"], 14);
    assert_eq!(export_http(&url, Protocol::HttpJson, false, &request).unwrap().status, 200);

    receiver.set_behavior(Behavior::Unavailable { times: 1, retry_after: None });
    let failed = export_http(&url, Protocol::HttpProtobuf, false, &request).unwrap();
    assert_eq!(failed.status, 503);
    assert_eq!(failed.header("retry-after"), None);
    assert_eq!(export_http(&url, Protocol::HttpProtobuf, false, &request).unwrap().status, 200);

    assert_eq!(receiver.span_count(), 2);
    assert_eq!(receiver.attempts(), 4);
}

#[tokio::test]
async fn reject_is_invalid_argument_and_400_and_records_nothing() {
    let receiver = Receiver::builder().behavior(Behavior::Reject).start().await;
    let status = export_grpc(&receiver.grpc_endpoint(), sample_request("svc", &["x"]), false).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    let response =
        export_http(&receiver.http_traces_url(), Protocol::HttpProtobuf, false, &sample_request("svc", &["x"]))
            .unwrap();
    assert_eq!(response.status, 400);
    assert_eq!(receiver.span_count(), 0);
    assert!(receiver.requests().is_empty());
    assert_eq!(receiver.attempts(), 2);
    assert!(receiver.attempt_log().iter().all(|a| a.outcome == Outcome::Rejected));
}

#[tokio::test]
async fn partial_success_records_spans_and_reports_rejected_count() {
    let receiver = Receiver::builder().behavior(Behavior::PartialSuccess { rejected_per_request: 1 }).start().await;
    let grpc = export_grpc(&receiver.grpc_endpoint(), sample_request("svc", &["a", "b"]), false).await.unwrap();
    let partial = grpc.partial_success.expect("partial_success set");
    assert_eq!(partial.rejected_spans, 1);
    assert!(!partial.error_message.is_empty());

    for protocol in [Protocol::HttpProtobuf, Protocol::HttpJson] {
        let response =
            export_http(&receiver.http_traces_url(), protocol, false, &sample_request("svc", &["a", "b"])).unwrap();
        assert_eq!(response.status, 200);
        let partial = response.export_response().unwrap().partial_success.expect("partial_success set");
        assert_eq!(partial.rejected_spans, 1, "{protocol}");
    }
    assert_eq!(receiver.span_count(), 6);
    assert_eq!(receiver.attempt_log()[0].outcome, Outcome::PartiallyAccepted { rejected: 1 });
}

#[tokio::test]
async fn stalled_grpc_request_is_answered_when_the_behavior_changes() {
    let receiver = Receiver::builder().behavior(Behavior::Stall).start().await;
    let endpoint = receiver.grpc_endpoint();
    let call = tokio::spawn(async move { export_grpc(&endpoint, sample_request("svc", &["late"]), false).await });
    let log = receiver.wait_for_attempts(1, WAIT).await.unwrap();
    assert_eq!(log[0].outcome, Outcome::Pending);
    assert_eq!(receiver.span_count(), 0);
    let mut call = call;
    assert!(
        tokio::time::timeout(Duration::from_millis(300), &mut call).await.is_err(),
        "a stalled request has no answer"
    );

    receiver.set_behavior(Behavior::Accept);
    let response = tokio::time::timeout(WAIT, call).await.expect("answered once accepting").unwrap();
    assert!(response.is_ok(), "{response:?}");
    assert_eq!(receiver.wait_for_spans(1, WAIT).await.unwrap()[0].name, "late");
    assert_eq!(receiver.attempt_log()[0].outcome, Outcome::Accepted);
}

#[test]
fn stalled_http_request_sees_its_connection_closed_when_the_receiver_stops() {
    let receiver = Receiver::builder().behavior(Behavior::Stall).start_blocking();
    let (url, grpc, http) = (receiver.http_traces_url(), receiver.grpc_addr(), receiver.http_addr());
    let call = std::thread::spawn(move || {
        let started = std::time::Instant::now();
        (export_http(&url, Protocol::HttpProtobuf, false, &sample_request("svc", &["x"])), started.elapsed())
    });
    receiver.wait_for_attempts_blocking(1, WAIT).unwrap();
    receiver.stop();
    let (result, elapsed) = call.join().unwrap();
    assert!(result.is_err(), "no answer, the connection closed: {result:?}");
    assert!(elapsed < Duration::from_secs(9), "closed by stop, not by the client's timeout: {elapsed:?}");
    assert!(TcpStream::connect(grpc).is_err(), "gRPC port closed");
    assert!(TcpStream::connect(http).is_err(), "HTTP port closed");
}

#[test]
fn dropping_the_receiver_closes_both_ports() {
    let receiver = Receiver::start_blocking();
    let (grpc, http) = (receiver.grpc_addr(), receiver.http_addr());
    assert!(TcpStream::connect(grpc).is_ok() && TcpStream::connect(http).is_ok());
    drop(receiver);
    assert!(TcpStream::connect(grpc).is_err());
    assert!(TcpStream::connect(http).is_err());
}

#[tokio::test]
async fn waits_time_out_with_what_did_arrive() {
    let receiver = Receiver::start().await;
    client::export_http(&receiver.http_traces_url(), Protocol::HttpJson, false, &sample_request("svc", &["only"]))
        .unwrap();
    let err = receiver.wait_for_spans(2, Duration::from_millis(200)).await.unwrap_err();
    assert!(err.contains("2 spans") && err.contains("received 1 spans") && err.contains("\"only\""), "{err}");
    let err = receiver.wait_for_spans_blocking(2, Duration::from_millis(200)).unwrap_err();
    assert!(err.contains("received 1 spans"), "{err}");
    assert!(receiver.wait_for_attempts(1, Duration::from_millis(200)).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiter_is_woken_by_a_request_sent_later() {
    let receiver = Receiver::start().await;
    let endpoint = receiver.grpc_endpoint();
    let sender = tokio::spawn(async move {
        for i in 0..5 {
            export_grpc(&endpoint, sample_request("svc", &[&format!("s{i}")]), false).await.unwrap();
        }
    });
    let spans = receiver.wait_for_spans(5, WAIT).await.unwrap();
    assert_eq!(spans.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["s0", "s1", "s2", "s3", "s4"]);
    sender.await.unwrap();
}

#[test]
fn unused_port_refuses_connections() {
    let port = otel_testkit::unused_port();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}
