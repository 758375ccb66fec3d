//! The rotel driver against the real collector (installed by scripts/install-rotel.sh; these tests fail, never
//! skip, when it is missing).

use otel_testkit::client::{export_grpc, export_http, sample_request};
use otel_testkit::span::hex;
use otel_testkit::{Protocol, Rotel, RotelVerbosity};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn counts_and_parses_spans_sent_over_grpc_and_http() {
    let rotel = Rotel::start().unwrap();
    assert_eq!(rotel.verbosity(), RotelVerbosity::Detailed);
    assert_eq!(rotel.received_span_count(), 0);

    let grpc = sample_request("grpc-svc", &["g-root", "g-child", "g-child2"]);
    export_grpc(&rotel.grpc_endpoint(), grpc.clone(), false).await.unwrap();
    export_grpc(&rotel.grpc_endpoint(), sample_request("grpc-gzip-svc", &["gz-root", "gz-child"]), true).await.unwrap();
    assert_eq!(rotel.wait_for_spans(5, WAIT).unwrap(), 5);

    let url = rotel.http_traces_url();
    assert_eq!(url, format!("{}/v1/traces", rotel.http_endpoint()));
    for (protocol, gzip, names) in [
        (Protocol::HttpProtobuf, false, vec!["p-root", "p-child"]),
        (Protocol::HttpProtobuf, true, vec!["pz-root"]),
        (Protocol::HttpJson, false, vec!["j-root", "j-child"]),
        (Protocol::HttpJson, true, vec!["jz-root", "jz-child", "jz-child2"]),
    ] {
        let request = sample_request(&format!("{protocol}-svc"), &names);
        let response = export_http(&url, protocol, gzip, &request).unwrap();
        assert_eq!(response.status, 200, "{protocol} gzip={gzip}: {}", response.text());
    }
    assert_eq!(rotel.wait_for_spans(13, WAIT).unwrap(), 13);
    assert_eq!(rotel.received_span_count(), 13);

    let spans = rotel.spans();
    assert_eq!(spans.len(), 13, "{}", rotel.output());
    let root = spans.iter().find(|s| s.name == "g-root").unwrap();
    let child = spans.iter().find(|s| s.name == "g-child").unwrap();
    let sent = &grpc.resource_spans[0].scope_spans[0].spans;
    assert_eq!(root.trace_id, hex(&sent[0].trace_id));
    assert_eq!(root.span_id, hex(&sent[0].span_id));
    assert_eq!(root.parent_span_id, "");
    assert_eq!(child.parent_span_id, root.span_id);
    assert_eq!(root.kind, "SPAN_KIND_SERVER");
    assert_eq!(root.status_code, "STATUS_CODE_OK");
    assert_eq!(root.resource.get("service.name").map(String::as_str), Some("grpc-svc"));
    assert_eq!(child.attributes.get("index").map(String::as_str), Some("1"));
    assert_eq!(child.attributes.get("test.kind").map(String::as_str), Some("sample"));
    assert!(root.scope.starts_with("otel-testkit"), "{:?}", root.scope);
    let json = spans.iter().find(|s| s.name == "jz-child2").unwrap();
    assert_eq!(json.resource.get("service.name").map(String::as_str), Some("http/json-svc"));
    assert_eq!(json.attributes.get("index").map(String::as_str), Some("2"));
    assert!(rotel.output().contains("Str(http/json-svc)"));
}

#[test]
fn basic_verbosity_counts_the_spans_lines() {
    let rotel = Rotel::start_with(RotelVerbosity::Basic).unwrap();
    for _ in 0..2 {
        let request = sample_request("basic-svc", &["a", "b", "c"]);
        assert_eq!(export_http(&rotel.http_traces_url(), Protocol::HttpProtobuf, false, &request).unwrap().status, 200);
    }
    assert_eq!(rotel.wait_for_spans(6, WAIT).unwrap(), 6);
    let output = rotel.output();
    assert_eq!(
        output.lines().filter(|l| l.contains("Received traces.") && l.contains("spans=3")).count(),
        2,
        "{output}"
    );
    assert!(rotel.spans().is_empty(), "basic verbosity dumps no span");
}

#[test]
fn stop_ends_the_process_and_frees_its_ports() {
    let rotel = Rotel::start().unwrap();
    let endpoint = rotel.grpc_endpoint();
    let addr = endpoint.trim_start_matches("http://").to_string();
    let pid = rotel.pid();
    assert!(std::net::TcpStream::connect(&addr).is_ok());
    rotel.stop();
    assert!(std::net::TcpStream::connect(&addr).is_err(), "port still open after stop");
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "process {pid} still there");
}

#[test]
fn wait_for_spans_reports_the_output_on_timeout() {
    let rotel = Rotel::start().unwrap();
    let err = rotel.wait_for_spans(1, Duration::from_millis(200)).unwrap_err();
    assert!(err.contains("rotel logged 0 spans, expected 1") && err.contains("Starting Rotel"), "{err}");
}

#[test]
fn a_large_export_is_counted_with_all_its_attributes() {
    // ~1000 spans make a dump of several hundred KiB: once counted, every span's attributes must be there too.
    let rotel = Rotel::start().unwrap();
    let names: Vec<String> = (0..1000).map(|i| format!("span-{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let request = sample_request("large-svc", &names);
    assert_eq!(export_http(&rotel.http_traces_url(), Protocol::HttpProtobuf, false, &request).unwrap().status, 200);
    assert_eq!(rotel.wait_for_spans(1000, WAIT).unwrap(), 1000);
    let spans = rotel.spans();
    assert_eq!(spans.len(), 1000);
    let last = spans.iter().find(|s| s.name == "span-999").unwrap();
    assert_eq!(last.attributes.get("index").map(String::as_str), Some("999"));
    assert_eq!(last.attributes.get("test.kind").map(String::as_str), Some("sample"));
}
