//! Logs and metrics in the in-process receiver: recorded content over gRPC and HTTP (protobuf, JSON, gzip), and
//! the fault injection per signal.

use opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceResponse;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceResponse;
use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point};
use otel_testkit::client::{
    export_grpc, export_http, export_http_request, export_logs_grpc, export_metrics_grpc, post, sample_logs_request,
    sample_metrics_request, sample_request,
};
use otel_testkit::span::hex;
use otel_testkit::{
    Behavior, DataPointValue, MetricKind, Outcome, Protocol, Receiver, Signal, Temporality, GRPC_LOGS_EXPORT_PATH,
    GRPC_METRICS_EXPORT_PATH,
};
use std::time::Duration;
use tonic_types::StatusExt;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn grpc_logs_are_recorded_with_body_severity_ids_attributes_scope_and_resource() {
    let receiver = Receiver::start().await;
    let request = sample_logs_request("logs-svc", &["first line", "second line"]);
    let sent = &request.resource_logs[0].scope_logs[0].log_records[0];
    let (trace_id, span_id) = (hex(&sent.trace_id), hex(&sent.span_id));

    let mut grpc = LogsServiceClient::connect(receiver.grpc_endpoint())
        .await
        .unwrap()
        .send_compressed(tonic::codec::CompressionEncoding::Gzip);
    let mut call = tonic::Request::new(request.clone());
    call.metadata_mut().insert("x-tenant", "t1".parse().unwrap());
    assert_eq!(grpc.export(call).await.unwrap().into_inner().partial_success, None);

    let logs = receiver.wait_for_logs(2, WAIT).await.unwrap();
    assert_eq!(logs.len(), 2);
    let first = &logs[0];
    assert_eq!(first.body, "first line");
    assert_eq!(logs[1].body, "second line");
    assert_eq!(first.severity_number, 9);
    assert_eq!(first.severity_text, "INFO");
    assert_eq!(first.severity_name(), "SEVERITY_NUMBER_INFO");
    assert_eq!((first.trace_id.as_str(), first.span_id.as_str()), (trace_id.as_str(), span_id.as_str()));
    assert_eq!(first.trace_id.len(), 32);
    assert_eq!(first.span_id.len(), 16);
    assert_eq!(first.attribute("index"), Some("0"));
    assert_eq!(logs[1].attribute("index"), Some("1"));
    assert_eq!(first.attribute("test.kind"), Some("sample"));
    assert_eq!(first.resource_attribute("service.name"), Some("logs-svc"));
    assert_eq!(first.scope_name, "otel-testkit");
    assert_eq!(first.flags, 1);
    assert_eq!(first.time_unix_nano, sent.time_unix_nano);

    let requests = receiver.log_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].request, request, "the decoded request is the one sent");
    assert_eq!(requests[0].path, GRPC_LOGS_EXPORT_PATH);
    assert_eq!(requests[0].protocol, Protocol::Grpc);
    assert_eq!(requests[0].compression(), Some("gzip"));
    assert_eq!(requests[0].header("x-tenant"), Some("t1"));
    assert_eq!(requests[0].log_record_count(), 2);
    assert_eq!(receiver.log_record_count(), 2);
    assert_eq!(receiver.span_count(), 0, "logs are not spans");
    assert_eq!(receiver.signal_attempts(Signal::Logs), 1);
    assert_eq!(receiver.signal_attempts(Signal::Traces), 0);
    let attempt = &receiver.attempt_log()[0];
    assert_eq!((attempt.signal, attempt.item_count, attempt.span_count), (Some(Signal::Logs), 2, 0));
}

#[tokio::test]
async fn grpc_metrics_are_recorded_with_kind_temporality_monotonic_and_points() {
    let receiver = Receiver::start().await;
    let request = sample_metrics_request("metrics-svc");
    let response = export_metrics_grpc(&receiver.grpc_endpoint(), request.clone(), false).await.unwrap();
    assert_eq!(response.partial_success, None);

    let metrics = receiver.wait_for_metrics(3, WAIT).await.unwrap();
    assert_eq!(
        metrics.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["sample.requests", "sample.temperature", "sample.latency"]
    );
    let requests = &metrics[0];
    assert_eq!(requests.kind, MetricKind::Sum);
    assert_eq!(requests.temporality, Some(Temporality::Cumulative));
    assert!(requests.monotonic);
    assert_eq!((requests.unit.as_str(), requests.description.as_str()), ("1", "requests served"));
    assert_eq!(requests.data_points.len(), 2);
    assert_eq!(requests.point_with("route", "/a").unwrap().as_i64(), Some(42));
    assert_eq!(requests.point_with("route", "/b").unwrap().as_f64(), Some(7.0));
    assert_eq!(requests.total(), 49.0);
    assert_eq!(requests.resource_attribute("service.name"), Some("metrics-svc"));
    assert_eq!(requests.scope_name, "otel-testkit");

    let temperature = &metrics[1];
    assert_eq!((temperature.kind, temperature.temporality, temperature.monotonic), (MetricKind::Gauge, None, false));
    assert_eq!(temperature.data_points[0].value, DataPointValue::Double(21.5));
    assert_eq!(temperature.data_points[0].as_i64(), None, "a double is not an integer");

    let latency = &metrics[2];
    assert_eq!((latency.kind, latency.temporality), (MetricKind::Histogram, Some(Temporality::Delta)));
    let point = &latency.data_points[0];
    assert_eq!((point.count(), point.sum()), (Some(3), Some(6.5)));
    assert_eq!(point.attribute("route"), Some("/a"));
    assert_eq!(
        point.value,
        DataPointValue::Histogram {
            count: 3,
            sum: Some(6.5),
            bucket_counts: vec![1, 2],
            explicit_bounds: vec![1.0],
            min: Some(0.5),
            max: Some(4.0)
        }
    );
    assert_eq!(point.as_f64(), None);

    assert_eq!(receiver.data_point_count(), 4);
    let received = &receiver.metric_requests()[0];
    assert_eq!(received.request, request);
    assert_eq!(received.path, GRPC_METRICS_EXPORT_PATH);
    assert_eq!(received.data_point_count(), 4);
    assert_eq!(receiver.metrics_named("sample.latency"), vec![latency.clone()]);
    assert_eq!(receiver.signal_attempts(Signal::Metrics), 1);
    assert_eq!(receiver.attempt_log()[0].item_count, 4);
}

#[test]
fn http_logs_and_metrics_protobuf_and_json_plain_and_gzip_are_decoded() {
    let receiver = Receiver::start_blocking();
    assert_eq!(receiver.http_logs_url(), format!("{}/v1/logs", receiver.http_endpoint()));
    assert_eq!(receiver.http_metrics_url(), format!("{}/v1/metrics", receiver.http_endpoint()));
    assert_eq!(receiver.http_url(Signal::Traces), receiver.http_traces_url());
    let combinations = [
        (Protocol::HttpProtobuf, false),
        (Protocol::HttpProtobuf, true),
        (Protocol::HttpJson, false),
        (Protocol::HttpJson, true),
    ];
    let (mut sent_logs, mut sent_metrics) = (Vec::new(), Vec::new());
    for (protocol, gzip) in combinations {
        let logs = sample_logs_request(&format!("{protocol}-{gzip}"), &["a", "b"]);
        let response = export_http_request(&receiver.http_logs_url(), protocol, gzip, &logs).unwrap();
        assert_eq!(response.status, 200, "logs {protocol} gzip={gzip}: {}", response.text());
        assert_eq!(response.header("content-type"), Some(protocol.content_type()));
        assert_eq!(response.decode::<ExportLogsServiceResponse>().unwrap().partial_success, None);
        sent_logs.push(logs);

        let metrics = sample_metrics_request(&format!("{protocol}-{gzip}"));
        let response = export_http_request(&receiver.http_metrics_url(), protocol, gzip, &metrics).unwrap();
        assert_eq!(response.status, 200, "metrics {protocol} gzip={gzip}: {}", response.text());
        assert_eq!(response.decode::<ExportMetricsServiceResponse>().unwrap().partial_success, None);
        sent_metrics.push(metrics);
    }
    assert_eq!(receiver.wait_for_logs_blocking(8, WAIT).unwrap().len(), 8);
    assert_eq!(receiver.wait_for_metrics_blocking(12, WAIT).unwrap().len(), 12);
    let (log_requests, metric_requests) = (receiver.log_requests(), receiver.metric_requests());
    for (i, (protocol, gzip)) in combinations.into_iter().enumerate() {
        // JSON ids are hex and 64-bit integers strings in the OTLP JSON mapping: the same request must come back.
        assert_eq!(log_requests[i].request, sent_logs[i], "logs {protocol} gzip={gzip}");
        assert_eq!(log_requests[i].path, "/v1/logs");
        assert_eq!(log_requests[i].protocol, protocol);
        assert_eq!(log_requests[i].compression(), gzip.then_some("gzip"));
        assert_eq!(metric_requests[i].request, sent_metrics[i], "metrics {protocol} gzip={gzip}");
        assert_eq!(metric_requests[i].path, "/v1/metrics");
        assert_eq!(metric_requests[i].protocol, protocol);
    }
    let json_counter = &receiver.metrics_named("sample.requests")[3];
    assert_eq!(json_counter.resource_attribute("service.name"), Some("http/json-true"));
    assert_eq!(json_counter.point_with("route", "/a").unwrap().as_i64(), Some(42));
    assert_eq!(receiver.signal_attempts(Signal::Logs), 4);
    assert_eq!(receiver.signal_attempts(Signal::Metrics), 4);
    assert_eq!(receiver.signal_attempts(Signal::Traces), 0);
    assert!(receiver.requests().is_empty(), "no trace request");
}

#[test]
fn json_logs_and_metrics_in_the_otlp_mapping_are_understood() {
    // As an exporter writes them: hex ids, camelCase, 64-bit integers as strings, enums as numbers.
    let receiver = Receiver::start_blocking();
    let logs = r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-svc"}}]},
      "scopeLogs":[{"scope":{"name":"my.target"},"logRecords":[{"timeUnixNano":"1544712660300000000",
      "severityNumber":17,"severityText":"ERROR","body":{"stringValue":"disk full"},
      "attributes":[{"key":"bytes","value":{"intValue":"4096"}},{"key":"retry","value":{"boolValue":false}}],
      "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}]}"#;
    let json = [("Content-Type", "application/json")];
    let response = post(&receiver.http_logs_url(), &json, logs.as_bytes(), WAIT).unwrap();
    assert_eq!(response.status, 200, "{}", response.text());
    let record = receiver.wait_for_logs_blocking(1, WAIT).unwrap().remove(0);
    assert_eq!(record.body, "disk full");
    assert_eq!((record.severity_number, record.severity_text.as_str()), (17, "ERROR"));
    assert_eq!(record.severity_name(), "SEVERITY_NUMBER_ERROR");
    assert_eq!(record.trace_id, "5b8efff798038103d269b633813fc60c");
    assert_eq!(record.span_id, "eee19b7ec3c1b174");
    assert_eq!(record.attribute("bytes"), Some("4096"));
    assert_eq!(record.attribute("retry"), Some("false"));
    assert_eq!(record.scope_name, "my.target");
    assert_eq!(record.time_unix_nano, 1544712660300000000);

    let metrics = r#"{"resourceMetrics":[{"resource":{"attributes":[]},"scopeMetrics":[{"scope":{"name":"m"},
      "metrics":[{"name":"queue.size","sum":{"aggregationTemporality":1,"isMonotonic":false,
      "dataPoints":[{"asInt":"-3","timeUnixNano":"1544712660300000000"}]}}]}]}]}"#;
    let response = post(&receiver.http_metrics_url(), &json, metrics.as_bytes(), WAIT).unwrap();
    assert_eq!(response.status, 200, "{}", response.text());
    let metric = receiver.wait_for_metrics_blocking(1, WAIT).unwrap().remove(0);
    assert_eq!((metric.kind, metric.temporality, metric.monotonic), (MetricKind::Sum, Some(Temporality::Delta), false));
    assert_eq!(metric.data_points[0].value, DataPointValue::Int(-3));
    assert_eq!(metric.data_points[0].time_unix_nano, 1544712660300000000);
}

#[tokio::test]
async fn a_fault_on_metrics_only_leaves_traces_and_logs_alone() {
    let receiver = Receiver::builder()
        .signal_behavior(
            Signal::Metrics,
            Behavior::Unavailable { times: usize::MAX, retry_after: Some(Duration::from_secs(2)) },
        )
        .start()
        .await;
    assert_eq!(receiver.behavior(), Behavior::Accept, "traces unchanged");
    assert_eq!(receiver.signal_behavior(Signal::Logs), Behavior::Accept);

    let status =
        export_metrics_grpc(&receiver.grpc_endpoint(), sample_metrics_request("svc"), false).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unavailable);
    assert_eq!(status.get_details_retry_info().unwrap().retry_delay, Some(Duration::from_secs(2)));
    let http = export_http_request(
        &receiver.http_metrics_url(),
        Protocol::HttpProtobuf,
        false,
        &sample_metrics_request("svc"),
    )
    .unwrap();
    assert_eq!((http.status, http.header("retry-after")), (503, Some("2")));

    export_grpc(&receiver.grpc_endpoint(), sample_request("svc", &["ok"]), false).await.unwrap();
    export_logs_grpc(&receiver.grpc_endpoint(), sample_logs_request("svc", &["ok"]), false).await.unwrap();
    let ok =
        export_http(&receiver.http_traces_url(), Protocol::HttpJson, false, &sample_request("svc", &["ok2"])).unwrap();
    assert_eq!(ok.status, 200);
    let ok =
        export_http_request(&receiver.http_logs_url(), Protocol::HttpJson, true, &sample_logs_request("s", &["ok2"]))
            .unwrap();
    assert_eq!(ok.status, 200);

    assert_eq!((receiver.span_count(), receiver.log_record_count(), receiver.metrics().len()), (2, 2, 0));
    assert_eq!(receiver.signal_attempts(Signal::Metrics), 2);
    assert_eq!(receiver.signal_attempts(Signal::Traces), 2);
    assert_eq!(receiver.signal_attempts(Signal::Logs), 2);
    let metric_attempts = receiver.wait_for_signal_attempts(Signal::Metrics, 2, WAIT).await.unwrap();
    assert!(metric_attempts.iter().all(|a| a.outcome == Outcome::Unavailable && a.item_count == 4));

    // Metrics recover alone; the other signals kept their behavior.
    receiver.set_signal_behavior(Signal::Metrics, Behavior::Accept);
    export_metrics_grpc(&receiver.grpc_endpoint(), sample_metrics_request("svc"), false).await.unwrap();
    assert_eq!(receiver.metrics().len(), 3);
}

#[tokio::test]
async fn faults_for_all_signals_count_per_signal() {
    // `times: 1` for every signal: the first request of each signal fails, the next succeeds.
    let receiver = Receiver::start().await;
    receiver.set_behavior(Behavior::Unavailable { times: 1, retry_after: None });
    let endpoint = receiver.grpc_endpoint();
    assert!(export_grpc(&endpoint, sample_request("svc", &["x"]), false).await.is_err());
    assert!(export_logs_grpc(&endpoint, sample_logs_request("svc", &["x"]), false).await.is_err());
    let failed =
        export_http_request(&receiver.http_metrics_url(), Protocol::HttpJson, false, &sample_metrics_request("s"))
            .unwrap();
    assert_eq!((failed.status, failed.header("retry-after")), (503, None));
    assert!(export_grpc(&endpoint, sample_request("svc", &["x"]), false).await.is_ok());
    assert!(export_logs_grpc(&endpoint, sample_logs_request("svc", &["x"]), false).await.is_ok());
    assert!(export_metrics_grpc(&endpoint, sample_metrics_request("svc"), false).await.is_ok());
    let outcomes: Vec<(Option<Signal>, Outcome)> =
        receiver.attempt_log().into_iter().map(|a| (a.signal, a.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            (Some(Signal::Traces), Outcome::Unavailable),
            (Some(Signal::Logs), Outcome::Unavailable),
            (Some(Signal::Metrics), Outcome::Unavailable),
            (Some(Signal::Traces), Outcome::Accepted),
            (Some(Signal::Logs), Outcome::Accepted),
            (Some(Signal::Metrics), Outcome::Accepted),
        ]
    );

    // Reject: INVALID_ARGUMENT and 400, nothing recorded.
    receiver.set_behavior(Behavior::Reject);
    let status = export_logs_grpc(&endpoint, sample_logs_request("svc", &["no"]), false).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    let status = export_metrics_grpc(&endpoint, sample_metrics_request("svc"), false).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    let response = export_http_request(
        &receiver.http_logs_url(),
        Protocol::HttpProtobuf,
        false,
        &sample_logs_request("s", &["no"]),
    )
    .unwrap();
    assert_eq!(response.status, 400);
    assert_eq!((receiver.log_record_count(), receiver.metrics().len()), (1, 3));
}

#[tokio::test]
async fn partial_success_reports_rejected_log_records_and_data_points() {
    let receiver = Receiver::builder().behavior(Behavior::PartialSuccess { rejected_per_request: 2 }).start().await;
    let endpoint = receiver.grpc_endpoint();
    let logs = export_logs_grpc(&endpoint, sample_logs_request("svc", &["a", "b", "c"]), false).await.unwrap();
    let partial = logs.partial_success.expect("partial_success set");
    assert_eq!(partial.rejected_log_records, 2);
    assert!(partial.error_message.contains("log records"), "{}", partial.error_message);
    let metrics = export_metrics_grpc(&endpoint, sample_metrics_request("svc"), false).await.unwrap();
    let partial = metrics.partial_success.expect("partial_success set");
    assert_eq!(partial.rejected_data_points, 2);
    assert!(partial.error_message.contains("data points"), "{}", partial.error_message);

    for protocol in [Protocol::HttpProtobuf, Protocol::HttpJson] {
        let response =
            export_http_request(&receiver.http_logs_url(), protocol, false, &sample_logs_request("svc", &["a"]))
                .unwrap();
        let partial = response.decode::<ExportLogsServiceResponse>().unwrap().partial_success.unwrap();
        assert_eq!(partial.rejected_log_records, 2, "{protocol}");
        let response =
            export_http_request(&receiver.http_metrics_url(), protocol, false, &sample_metrics_request("svc")).unwrap();
        let partial = response.decode::<ExportMetricsServiceResponse>().unwrap().partial_success.unwrap();
        assert_eq!(partial.rejected_data_points, 2, "{protocol}");
    }
    assert_eq!(receiver.log_record_count(), 5, "partially accepted records are recorded");
    assert_eq!(receiver.metrics().len(), 9);
    assert_eq!(receiver.attempt_log()[0].outcome, Outcome::PartiallyAccepted { rejected: 2 });
}

#[tokio::test]
async fn a_stalled_log_request_is_answered_when_its_signal_behavior_changes() {
    let receiver = Receiver::builder().signal_behavior(Signal::Logs, Behavior::Stall).start().await;
    let endpoint = receiver.grpc_endpoint();
    let stalled = endpoint.clone();
    let mut call =
        tokio::spawn(async move { export_logs_grpc(&stalled, sample_logs_request("svc", &["late"]), false).await });
    let attempts = receiver.wait_for_signal_attempts(Signal::Logs, 1, WAIT).await.unwrap();
    assert_eq!(attempts[0].outcome, Outcome::Pending);
    // Traces go through while logs stall.
    export_grpc(&endpoint, sample_request("svc", &["meanwhile"]), false).await.unwrap();
    assert_eq!(receiver.span_count(), 1);
    assert!(tokio::time::timeout(Duration::from_millis(300), &mut call).await.is_err(), "still stalled");

    receiver.set_signal_behavior(Signal::Logs, Behavior::Accept);
    let response = tokio::time::timeout(WAIT, call).await.expect("answered once accepting").unwrap();
    assert!(response.is_ok(), "{response:?}");
    assert_eq!(receiver.wait_for_logs(1, WAIT).await.unwrap()[0].body, "late");
}

#[test]
fn wrong_paths_and_methods_are_logged_with_their_signal() {
    let receiver = Receiver::builder().signal_http_path(Signal::Logs, "custom/logs").start_blocking();
    assert!(receiver.http_logs_url().ends_with("/custom/logs"));
    let body = sample_logs_request("svc", &["x"]);
    let old = export_http_request(&format!("{}/v1/logs", receiver.http_endpoint()), Protocol::HttpJson, false, &body)
        .unwrap();
    assert_eq!(old.status, 404);
    let garbage =
        post(&receiver.http_metrics_url(), &[("Content-Type", "application/x-protobuf")], b"\xff\xff\xff", WAIT)
            .unwrap();
    assert_eq!(garbage.status, 400);
    assert_eq!(export_http_request(&receiver.http_logs_url(), Protocol::HttpJson, false, &body).unwrap().status, 200);
    let log = receiver.attempt_log();
    assert_eq!(log[0].signal, None);
    assert!(matches!(&log[0].outcome, Outcome::Invalid(why) if why.contains("/v1/logs")), "{:?}", log[0]);
    assert_eq!(log[1].signal, Some(Signal::Metrics));
    assert!(matches!(&log[1].outcome, Outcome::Invalid(why) if why.contains("undecodable")), "{:?}", log[1]);
    assert_eq!((log[2].signal, &log[2].outcome), (Some(Signal::Logs), &Outcome::Accepted));
    assert_eq!(receiver.log_requests()[0].path, "/custom/logs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_and_metric_waits_are_woken_by_later_requests_and_time_out_with_what_arrived() {
    let receiver = Receiver::start().await;
    let endpoint = receiver.grpc_endpoint();
    let sender = tokio::spawn(async move {
        for i in 0..3 {
            export_logs_grpc(&endpoint, sample_logs_request("svc", &[&format!("l{i}")]), false).await.unwrap();
            // A counter exported periodically: cumulative values 42+i.
            let mut metrics = sample_metrics_request("svc");
            let Some(metric::Data::Sum(sum)) = &mut metrics.resource_metrics[0].scope_metrics[0].metrics[0].data else {
                unreachable!()
            };
            sum.data_points[0].value = Some(number_data_point::Value::AsInt(42 + i));
            export_metrics_grpc(&endpoint, metrics, false).await.unwrap();
        }
    });
    let logs = receiver.wait_for_logs(3, WAIT).await.unwrap();
    assert_eq!(logs.iter().map(|l| l.body.as_str()).collect::<Vec<_>>(), ["l0", "l1", "l2"]);
    let found = receiver.wait_for_log(WAIT, |l| l.body == "l1").await.unwrap();
    assert_eq!(found.attribute("index"), Some("0"));
    let counter = receiver
        .wait_for_metric(WAIT, |m| {
            m.name == "sample.requests" && m.point_with("route", "/a").and_then(|p| p.as_i64()) == Some(44)
        })
        .await
        .unwrap();
    assert_eq!(counter.total(), 51.0);
    sender.await.unwrap();
    assert_eq!(receiver.metrics_named("sample.requests").len(), 3);

    let err = receiver.wait_for_logs(4, Duration::from_millis(200)).await.unwrap_err();
    assert!(err.contains("4 log records") && err.contains("3 log records") && err.contains("\"l2\""), "{err}");
    let err = receiver.wait_for_metric_blocking(Duration::from_millis(200), |m| m.name == "absent").unwrap_err();
    assert!(err.contains("a matching metric") && err.contains("sample.latency"), "{err}");
    assert!(receiver.wait_for_log_blocking(Duration::from_millis(200), |l| l.body == "l0").is_ok());
    assert_eq!(receiver.wait_for_metrics_blocking(9, WAIT).unwrap().len(), 9);
    assert_eq!(receiver.wait_for_signal_attempts_blocking(Signal::Logs, 3, WAIT).unwrap().len(), 3);
}

#[tokio::test]
async fn garbage_answers_do_not_decode_and_the_contents_are_recorded() {
    let receiver = Receiver::builder().behavior(Behavior::Garbage).start().await;
    let endpoint = receiver.grpc_endpoint();
    let status = export_grpc(&endpoint, sample_request("svc", &["g"]), false).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Internal, "the message does not decode: {status:?}");
    let status = export_metrics_grpc(&endpoint, sample_metrics_request("svc"), true).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Internal, "{status:?}");
    for protocol in [Protocol::HttpProtobuf, Protocol::HttpJson] {
        let response =
            export_http_request(&receiver.http_logs_url(), protocol, false, &sample_logs_request("svc", &["g"]))
                .unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.header("content-type"), Some(protocol.content_type()));
        assert!(response.decode::<ExportLogsServiceResponse>().is_err(), "{protocol}: {:?}", response.body);
        assert!(!response.body.is_empty());
    }
    assert_eq!((receiver.span_count(), receiver.metrics().len(), receiver.log_record_count()), (1, 3, 2));
    assert!(receiver.attempt_log().iter().all(|a| a.outcome == Outcome::Garbage));

    // On one signal only: logs garbled, traces answered properly.
    receiver.set_behavior(Behavior::Accept);
    receiver.set_signal_behavior(Signal::Logs, Behavior::Garbage);
    assert!(export_logs_grpc(&endpoint, sample_logs_request("svc", &["g"]), false).await.is_err());
    assert_eq!(export_grpc(&endpoint, sample_request("svc", &["ok"]), false).await.unwrap().partial_success, None);
}
