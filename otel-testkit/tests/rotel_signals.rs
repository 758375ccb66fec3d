//! Logs and metrics through the real collector: the rotel driver counts and parses its debug dumps (installed by
//! scripts/install-rotel.sh; these tests fail, never skip, when it is missing).

use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point};
use otel_testkit::client::{
    export_http_request, export_logs_grpc, export_metrics_grpc, sample_logs_request, sample_metrics_request,
};
use otel_testkit::span::hex;
use otel_testkit::{MetricKind, Protocol, Rotel, RotelVerbosity, Temporality};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn counts_and_parses_logs_sent_over_grpc_and_http() {
    let rotel = Rotel::start().unwrap();
    assert_eq!(rotel.received_log_count(), 0);
    let grpc = sample_logs_request("grpc-svc", &["first: with a colon", "second"]);
    export_logs_grpc(&rotel.grpc_endpoint(), grpc.clone(), true).await.unwrap();
    assert_eq!(rotel.http_logs_url(), format!("{}/v1/logs", rotel.http_endpoint()));
    for (protocol, body) in [(Protocol::HttpProtobuf, "protobuf body"), (Protocol::HttpJson, "json body")] {
        let response =
            export_http_request(&rotel.http_logs_url(), protocol, false, &sample_logs_request("http-svc", &[body]))
                .unwrap();
        assert_eq!(response.status, 200, "{protocol}: {}", response.text());
    }
    assert_eq!(rotel.wait_for_logs(4, WAIT).unwrap(), 4);

    let logs = rotel.logs();
    assert_eq!(logs.len(), 4, "{}", rotel.output());
    let sent = &grpc.resource_logs[0].scope_logs[0].log_records[0];
    let first = &logs[0];
    assert_eq!(first.body, "first: with a colon");
    assert_eq!((first.severity_text.as_str(), first.severity.as_str()), ("INFO", "SEVERITY_NUMBER_INFO"));
    assert_eq!(first.severity_number, 9);
    assert_eq!(first.trace_id, hex(&sent.trace_id));
    assert_eq!(first.span_id, hex(&sent.span_id));
    assert_eq!(first.time_unix_nano, sent.time_unix_nano);
    assert_eq!(first.attribute("index"), Some("0"));
    assert_eq!(first.attribute("test.kind"), Some("sample"));
    assert_eq!(first.resource.get("service.name").map(String::as_str), Some("grpc-svc"));
    assert!(first.scope.starts_with("otel-testkit"), "{:?}", first.scope);
    assert_eq!(logs[1].body, "second");
    assert_eq!(logs[1].attribute("index"), Some("1"));
    assert_eq!(logs[2].body, "protobuf body");
    assert_eq!(logs[3].body, "json body");
    assert_eq!(logs[3].trace_id.len(), 32, "JSON hex ids are read");
    assert_eq!(logs[3].resource.get("service.name").map(String::as_str), Some("http-svc"));
    assert_eq!(rotel.received_span_count(), 0, "log records are not spans");
}

#[tokio::test]
async fn counts_and_parses_metrics_sent_over_grpc_and_http_protobuf() {
    let rotel = Rotel::start().unwrap();
    export_metrics_grpc(&rotel.grpc_endpoint(), sample_metrics_request("grpc-svc"), false).await.unwrap();
    let response =
        export_http_request(&rotel.http_metrics_url(), Protocol::HttpProtobuf, true, &sample_metrics_request("http"))
            .unwrap();
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(rotel.wait_for_data_points(8, WAIT).unwrap(), 8);

    let metrics = rotel.metrics();
    assert_eq!(metrics.len(), 6, "{}", rotel.output());
    for (i, service) in [(0, "grpc-svc"), (3, "http")] {
        let requests = &metrics[i];
        assert_eq!(requests.name, "sample.requests");
        assert_eq!((requests.description.as_str(), requests.unit.as_str()), ("requests served", "1"));
        assert_eq!(requests.kind(), Some(MetricKind::Sum));
        assert_eq!(requests.monotonic, Some(true));
        assert_eq!(requests.temporality, Some(Temporality::Cumulative));
        assert_eq!(requests.point_with("route", "/a").unwrap().value_f64(), Some(42.0));
        assert_eq!(requests.point_with("route", "/b").unwrap().value.as_deref(), Some("7"));
        assert_eq!(requests.resource.get("service.name").map(String::as_str), Some(service));
        assert!(requests.scope.starts_with("otel-testkit"), "{:?}", requests.scope);

        let temperature = &metrics[i + 1];
        assert_eq!((temperature.name.as_str(), temperature.kind()), ("sample.temperature", Some(MetricKind::Gauge)));
        assert_eq!((temperature.monotonic, temperature.temporality), (None, None));
        assert_eq!(temperature.data_points[0].value_f64(), Some(21.5));

        let latency = &metrics[i + 2];
        assert_eq!((latency.name.as_str(), latency.kind()), ("sample.latency", Some(MetricKind::Histogram)));
        assert_eq!(latency.temporality, Some(Temporality::Delta));
        let point = &latency.data_points[0];
        assert_eq!((point.count, point.sum, point.min, point.max), (Some(3), Some(6.5), Some(0.5), Some(4.0)));
        assert_eq!((point.explicit_bounds.as_slice(), point.bucket_counts.as_slice()), (&[1.0][..], &[1, 2][..]));
        assert_eq!(point.attributes.get("route").map(String::as_str), Some("/a"));
        assert_eq!(point.value, None);
    }
}

#[test]
fn over_http_json_rotel_reads_doubles_but_loses_integers_and_histograms() {
    // What `Rotel::metrics` documents: the OTLP JSON mapping writes 64-bit integers as strings, which this rotel
    // does not read; it still answers 200. A test of ours over http/json must not expect integer values.
    let rotel = Rotel::start().unwrap();
    let response =
        export_http_request(&rotel.http_metrics_url(), Protocol::HttpJson, false, &sample_metrics_request("json"))
            .unwrap();
    assert_eq!(response.status, 200, "{}", response.text());
    let gauge = rotel.wait_for_metric(WAIT, |m| m.name == "sample.temperature").unwrap();
    assert_eq!(gauge.data_points[0].value_f64(), Some(21.5));
    let metrics = rotel.metrics();
    assert_eq!(metrics.len(), 3, "{}", rotel.output());
    assert_eq!(metrics[0].data_points.len(), 2);
    assert!(metrics[0].data_points.iter().all(|p| p.value.is_none()), "{:?}", metrics[0]);
    assert_eq!((metrics[2].name.as_str(), metrics[2].kind()), ("sample.latency", Some(MetricKind::Empty)));
}

#[tokio::test]
async fn basic_verbosity_counts_logs_and_data_points() {
    let rotel = Rotel::start_with(RotelVerbosity::Basic).unwrap();
    export_logs_grpc(&rotel.grpc_endpoint(), sample_logs_request("svc", &["a", "b", "c"]), false).await.unwrap();
    export_metrics_grpc(&rotel.grpc_endpoint(), sample_metrics_request("svc"), false).await.unwrap();
    assert_eq!(rotel.wait_for_logs(3, WAIT).unwrap(), 3);
    assert_eq!(rotel.wait_for_data_points(4, WAIT).unwrap(), 4);
    assert!(rotel.output().contains("Received logs."), "{}", rotel.output());
    assert!(rotel.logs().is_empty() && rotel.metrics().is_empty(), "no dump at basic verbosity");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waits_are_woken_by_later_exports_and_fail_with_the_output() {
    let rotel = Rotel::start().unwrap();
    let endpoint = rotel.grpc_endpoint();
    let sender = tokio::spawn(async move {
        for i in 0..3 {
            // A counter exported periodically: cumulative values 42+i for route /a.
            let mut metrics = sample_metrics_request("svc");
            let Some(metric::Data::Sum(sum)) = &mut metrics.resource_metrics[0].scope_metrics[0].metrics[0].data else {
                unreachable!()
            };
            sum.data_points[0].value = Some(number_data_point::Value::AsInt(42 + i));
            export_metrics_grpc(&endpoint, metrics, false).await.unwrap();
            export_logs_grpc(&endpoint, sample_logs_request("svc", &[&format!("line {i}")]), false).await.unwrap();
        }
    });
    let counter = tokio::task::block_in_place(|| {
        rotel.wait_for_metric(WAIT, |m| {
            m.name == "sample.requests" && m.point_with("route", "/a").and_then(|p| p.value_f64()) == Some(44.0)
        })
    })
    .unwrap();
    assert_eq!(counter.point_with("route", "/b").unwrap().value_f64(), Some(7.0));
    let log = tokio::task::block_in_place(|| rotel.wait_for_log(WAIT, |l| l.body == "line 2")).unwrap();
    assert_eq!(log.severity_number, 9);
    sender.await.unwrap();

    let err = rotel.wait_for_logs(4, Duration::from_millis(200)).unwrap_err();
    assert!(err.contains("3 log records, expected 4") && err.contains("line 2"), "{err}");
    let err = rotel.wait_for_metric(Duration::from_millis(200), |m| m.name == "absent").unwrap_err();
    assert!(err.contains("no metric matching the condition") && err.contains("sample.requests"), "{err}");
}
