//! The spec's endpoint rules for `traces_url`, with its examples, and endpoint validation.

use super::*;

#[test]
fn traces_url_table() {
    // (protocol, endpoint, traces_endpoint, insecure, expected)
    let rows: &[(Protocol, Option<&str>, Option<&str>, bool, &str)] = &[
        (Protocol::HttpProtobuf, None, None, false, "http://localhost:4318/v1/traces"),
        (Protocol::HttpJson, None, None, false, "http://localhost:4318/v1/traces"),
        (Protocol::Grpc, None, None, false, "http://localhost:4317"),
        // The spec's examples.
        (
            Protocol::HttpProtobuf,
            Some("http://c:4318/mycollector/"),
            None,
            false,
            "http://c:4318/mycollector/v1/traces",
        ),
        (Protocol::HttpProtobuf, None, Some("http://c:4318"), false, "http://c:4318/"),
        // Generic: one trailing slash, then v1/traces.
        (Protocol::HttpProtobuf, Some("http://c:4318"), None, false, "http://c:4318/v1/traces"),
        (Protocol::HttpProtobuf, Some("http://c:4318/"), None, false, "http://c:4318/v1/traces"),
        (Protocol::HttpProtobuf, Some("http://c:4318/base"), None, false, "http://c:4318/base/v1/traces"),
        // Per-signal: as is; wins over the generic one.
        (
            Protocol::HttpProtobuf,
            Some("http://g:4318"),
            Some("http://c:4318/custom/path"),
            false,
            "http://c:4318/custom/path",
        ),
        (Protocol::HttpProtobuf, None, Some("https://c/v1/traces"), false, "https://c/v1/traces"),
        (Protocol::HttpProtobuf, None, Some("http://c:4318?x=1"), false, "http://c:4318/?x=1"),
        // gRPC: no path; no scheme means https unless insecure.
        (Protocol::Grpc, Some("http://c:4317"), None, false, "http://c:4317"),
        (Protocol::Grpc, Some("http://c:4317/"), None, false, "http://c:4317/"),
        (Protocol::Grpc, Some("c:4317"), None, false, "https://c:4317"),
        (Protocol::Grpc, Some("c:4317"), None, true, "http://c:4317"),
        (Protocol::Grpc, Some("https://c:4317"), None, true, "https://c:4317"),
        (Protocol::Grpc, None, Some("c:4317"), false, "https://c:4317"),
    ];
    for (i, (protocol, endpoint, traces_endpoint, insecure, expected)) in rows.iter().enumerate() {
        let exporter = ExporterConfig {
            protocol: *protocol,
            endpoint: endpoint.map(Into::into),
            traces_endpoint: traces_endpoint.map(Into::into),
            insecure: *insecure,
            ..Default::default()
        };
        assert_eq!(exporter.traces_url(), *expected, "row {i}");
    }
}

#[test]
fn endpoint_validation() {
    use crate::endpoint::check_endpoint;
    // (url, protocol, valid)
    let rows = [
        ("http://localhost:4318", Protocol::HttpProtobuf, true),
        ("https://c.example.com/otlp", Protocol::HttpJson, true),
        ("http://[::1]:4318", Protocol::HttpProtobuf, true),
        ("localhost:4318", Protocol::HttpProtobuf, false),
        ("not a url", Protocol::HttpProtobuf, false),
        ("ftp://c", Protocol::HttpProtobuf, false),
        ("http://", Protocol::HttpProtobuf, false),
        ("localhost:4317", Protocol::Grpc, true),
        ("collector", Protocol::Grpc, true),
        ("http://c:4317", Protocol::Grpc, true),
        ("c:4317/path", Protocol::Grpc, false),
        ("c d:4317", Protocol::Grpc, false),
    ];
    for (url, protocol, valid) in rows {
        assert_eq!(check_endpoint(url, protocol).is_ok(), valid, "{url} {protocol}");
    }
}
