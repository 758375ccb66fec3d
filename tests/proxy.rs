//! Proxies end to end: the `driven` example exports to the in-process receiver with `HTTPS_PROXY` / `HTTP_PROXY` /
//! `ALL_PROXY` / `NO_PROXY` set in its environment, as a deployment sets them, through the testkit's `HttpProxy`.
//! Each test checks what the proxy saw (so that an app ignoring the variables and going straight to the receiver
//! fails it), what the receiver got, that the summary adds up, and that the proxy's password is never printed.

mod common;

use common::{app_dir, toml, App, Finished, Summary};
use otel_testkit::{basic_auth, HttpProxy, ProxyAuth, ProxyOutcome, ProxyRequest, Receiver};
use std::time::{Duration, Instant};

const ALWAYS_SUMMARY: (&str, &str) = ("OTEL_TOML_SHUTDOWN_SUMMARY", "always");
const LONG: Duration = Duration::from_secs(20);
/// Exports as soon as a batch of 10 is full or 50 ms passed, so that exports happen while the app runs.
const QUICK_BATCHES: &str = "[batch]\nmax_export_batch_size = 10\nschedule_delay = \"50ms\"\n";

const USER: &str = "proxy-user";
/// The password as written in the proxy URL (percent-encoded), and as the proxy must receive it (decoded).
const PASSWORD_IN_URL: &str = "secret%21pw";
const PASSWORD: &str = "secret!pw";
/// What must never appear in the app's output.
const NEVER_PRINTED: &str = "secret";

/// Every proxy variable, upper and lower case. The machine's own are blanked (an empty value counts as unset),
/// so that only the test's settings apply.
const PROXY_VARIABLES: [&str; 8] =
    ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"];

/// The app's environment: every proxy variable blank, then `set` (later entries win), and the summary always.
fn env<'a>(set: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut env: Vec<(&str, &str)> = PROXY_VARIABLES.iter().map(|name| (*name, "")).collect();
    env.extend_from_slice(set);
    env.push(ALWAYS_SUMMARY);
    env
}

/// The proxy URL with the test's credentials.
fn url_with_credentials(proxy: &HttpProxy) -> String {
    proxy.url(&format!("{USER}:{PASSWORD_IN_URL}"))
}

/// A proxy that requires the test's credentials.
fn proxy_with_credentials() -> HttpProxy {
    HttpProxy::builder().credentials(USER, PASSWORD).start_blocking()
}

/// The receiver's endpoint for `protocol` (the HTTP base URL: the exporter appends v1/traces).
fn endpoint(receiver: &Receiver, protocol: &str) -> String {
    if protocol == "grpc" {
        receiver.grpc_endpoint()
    } else {
        receiver.http_endpoint()
    }
}

/// Runs `driven` against `endpoint` with `env`: 10 tasks (30 spans) exported while it runs, then the end of input.
fn run(name: &str, protocol: &str, endpoint: &str, env: &[(&str, &str)]) -> Finished {
    let dir = app_dir(name, &toml(protocol, endpoint, QUICK_BATCHES));
    let mut app = App::spawn("driven", &dir, env);
    app.ask("tasks 10", "done 10");
    app.wait_exported(30, LONG);
    app.finish()
}

fn assert_never_printed(done: &Finished, context: &str) {
    assert!(!done.stdout.contains(NEVER_PRINTED), "{context}: stdout shows the proxy password:\n{}", done.stdout);
    assert!(!done.stderr.contains(NEVER_PRINTED), "{context}: stderr shows the proxy password:\n{}", done.stderr);
}

/// Every request the receiver got, none carrying the proxy's credentials.
fn assert_receiver_never_saw_proxy_credentials(receiver: &Receiver) {
    for request in receiver.requests() {
        assert_eq!(request.header("proxy-authorization"), None, "{:?}", request.headers);
    }
}

#[test]
fn basic_auth_of_the_test_credentials_is_what_curl_sends() {
    // `curl -x http://proxy-user:secret%21pw@p` sends this header: the proxy's expectation is right.
    assert_eq!(basic_auth(USER, PASSWORD), "Basic cHJveHktdXNlcjpzZWNyZXQhcHc=");
}

/// gRPC to an `http://` endpoint: `HTTP_PROXY` applies (the scheme of the endpoint picks the variable), and gRPC
/// tunnels through it with CONNECT. Upper and lower case; with both set, the UPPER case wins (the lower one points
/// at a closed port: used, it would fail every export).
#[test]
fn grpc_tunnels_through_the_proxy_of_http_proxy_with_its_credentials() {
    let closed = format!("http://{USER}:{PASSWORD_IN_URL}@127.0.0.1:{}", otel_testkit::unused_port());
    for variant in ["HTTP_PROXY", "http_proxy", "both"] {
        let receiver = Receiver::start_blocking();
        let proxy = proxy_with_credentials();
        let url = url_with_credentials(&proxy);
        let set = match variant {
            "both" => vec![("HTTP_PROXY", url.as_str()), ("http_proxy", closed.as_str())],
            name => vec![(name, url.as_str())],
        };
        let done = run("grpc-proxy", "grpc", &receiver.grpc_endpoint(), &env(&set));
        assert!(done.status.success(), "{variant}: {}", done.stderr);
        assert_eq!(done.summary(), Summary { ended: 30, exported: 30, failed: 0, dropped: 0 }, "{variant}");
        assert_eq!(receiver.span_count(), 30, "{variant}");
        let seen = proxy.requests();
        assert!(!seen.is_empty(), "{variant}: the proxy saw nothing: the app went around it");
        let expected = ProxyRequest {
            method: "CONNECT".into(),
            target: format!("127.0.0.1:{}", receiver.grpc_addr().port()),
            auth: ProxyAuth::Valid,
            outcome: ProxyOutcome::Tunnelled,
        };
        assert!(seen.iter().all(|r| *r == expected), "{variant}: {seen:?}");
        assert_receiver_never_saw_proxy_credentials(&receiver);
        assert_never_printed(&done, variant);
    }
}

/// `HTTPS_PROXY` is for `https://` endpoints only: an `http://` gRPC endpoint goes straight to the receiver, an
/// `https://` one through a CONNECT tunnel with the credentials (upper and lower case). The receiver speaks plain
/// text, so the TLS handshake through the tunnel fails and every span is counted as failed — what this test proves
/// is the variable's wiring; spans delivered over TLS through a tunnel are `https_goes_through_a_connect_tunnel` in
/// otel-runtime's transport tests.
#[test]
fn https_proxy_is_used_for_https_endpoints_only() {
    let receiver = Receiver::start_blocking();
    let proxy = proxy_with_credentials();
    let url = url_with_credentials(&proxy);
    let done = run("https-proxy-plain", "grpc", &receiver.grpc_endpoint(), &env(&[("HTTPS_PROXY", &url)]));
    assert_eq!(done.summary(), Summary { ended: 30, exported: 30, failed: 0, dropped: 0 });
    assert_eq!(proxy.requests(), vec![], "HTTPS_PROXY used for an http:// endpoint");

    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/otel-runtime/src/transport/testdata/ca.pem");
    let https = format!("https://127.0.0.1:{}", receiver.grpc_addr().port());
    for variable in ["HTTPS_PROXY", "https_proxy"] {
        let proxy = proxy_with_credentials();
        let url = url_with_credentials(&proxy);
        let dir = app_dir("https-proxy", &toml("grpc", &https, QUICK_BATCHES));
        let mut app = App::spawn("driven", &dir, &env(&[(variable, &url), ("OTEL_EXPORTER_OTLP_CERTIFICATE", ca)]));
        app.ask("tasks 10", "done 10");
        app.wait_for(true, "is failing", LONG);
        let done = app.finish();
        assert!(done.status.success(), "{variable}: {}", done.stderr);
        assert_eq!(done.summary(), Summary { ended: 30, exported: 0, failed: 30, dropped: 0 }, "{variable}");
        let seen = proxy.requests();
        assert!(!seen.is_empty(), "{variable}: the proxy saw nothing: the app went around it");
        let expected = ProxyRequest {
            method: "CONNECT".into(),
            target: format!("127.0.0.1:{}", receiver.grpc_addr().port()),
            auth: ProxyAuth::Valid,
            outcome: ProxyOutcome::Tunnelled,
        };
        assert!(seen.iter().all(|r| *r == expected), "{variable}: {seen:?}");
        assert_never_printed(&done, variable);
    }
    assert_eq!(receiver.span_count(), 30, "only the http:// run's spans");
}

/// OTLP/HTTP to an `http://` endpoint: `HTTP_PROXY` as a forward proxy, each request in absolute form with the
/// credentials; the proxy passes it on in origin form, without them.
#[test]
fn http_exports_go_through_the_forward_proxy_of_http_proxy() {
    for (protocol, variable) in [("http/protobuf", "HTTP_PROXY"), ("http/json", "http_proxy")] {
        let receiver = Receiver::start_blocking();
        let proxy = proxy_with_credentials();
        let url = url_with_credentials(&proxy);
        let done = run("http-proxy", protocol, &receiver.http_endpoint(), &env(&[(variable, &url)]));
        assert!(done.status.success(), "{protocol}: {}", done.stderr);
        assert_eq!(done.summary(), Summary { ended: 30, exported: 30, failed: 0, dropped: 0 }, "{protocol}");
        assert_eq!(receiver.span_count(), 30, "{protocol}");
        let seen = proxy.requests();
        // The three signals' requests, each to its own path, all through the proxy.
        let expected = |target: String| ProxyRequest {
            method: "POST".into(),
            target,
            auth: ProxyAuth::Valid,
            outcome: ProxyOutcome::Forwarded,
        };
        let targets = [receiver.http_traces_url(), receiver.http_logs_url(), receiver.http_metrics_url()];
        assert!(seen.contains(&expected(targets[0].clone())), "{protocol}: {seen:?}");
        assert!(seen.iter().all(|r| targets.iter().any(|t| *r == expected(t.clone()))), "{protocol}: {seen:?}");
        // Every export request went through the proxy (it closes each forwarded connection after one request).
        assert_eq!(seen.len(), receiver.attempts(), "{protocol}: {seen:?}");
        assert!(receiver.requests().iter().all(|r| r.path == "/v1/traces"), "{protocol}");
        assert!(receiver.log_record_count() > 0, "{protocol}: log records went through the proxy too");
        assert_receiver_never_saw_proxy_credentials(&receiver);
        assert_never_printed(&done, protocol);
    }
}

/// `NO_PROXY` by address, by `host:port`, or `*`: straight to the receiver. The proxy refuses everything, so a
/// request through it would also fail the spans.
#[test]
fn no_proxy_sends_straight_to_the_collector() {
    let receiver = Receiver::start_blocking();
    let proxy = HttpProxy::builder().refuse(403).start_blocking();
    let url = proxy.url("");
    let http_port = format!("127.0.0.1:{}", receiver.http_addr().port());
    // (protocol, proxy variable, NO_PROXY variable, its value)
    let rows = [
        ("grpc", "HTTP_PROXY", "NO_PROXY", "127.0.0.1"),
        ("grpc", "ALL_PROXY", "no_proxy", "localhost,127.0.0.0/8"),
        ("http/protobuf", "HTTP_PROXY", "NO_PROXY", http_port.as_str()),
        ("http/protobuf", "all_proxy", "NO_PROXY", "*"),
    ];
    for (i, (protocol, variable, no_variable, no_proxy)) in rows.into_iter().enumerate() {
        let before = receiver.span_count();
        let done = run(
            "no-proxy",
            protocol,
            &endpoint(&receiver, protocol),
            &env(&[(variable, &url), (no_variable, no_proxy)]),
        );
        assert_eq!(done.summary(), Summary { ended: 30, exported: 30, failed: 0, dropped: 0 }, "row {i}");
        assert_eq!(receiver.span_count() - before, 30, "row {i}");
        assert_eq!(proxy.requests(), vec![], "row {i}: NO_PROXY={no_proxy} ignored");
    }
    // A `host:port` entry bypasses the proxy for that port only: the gRPC port still goes through it (refused).
    let dir = app_dir("no-proxy-port", &toml("grpc", &receiver.grpc_endpoint(), QUICK_BATCHES));
    let mut app = App::spawn("driven", &dir, &env(&[("HTTP_PROXY", &url), ("NO_PROXY", &http_port)]));
    app.ask("tasks 10", "done 10");
    app.wait_for(true, "is failing", LONG);
    let done = app.finish();
    assert_eq!(done.summary(), Summary { ended: 30, exported: 0, failed: 30, dropped: 0 }, "{}", done.stderr);
    assert!(!proxy.requests().is_empty());
}

/// A proxy that refuses the credentials (407), or one that is not there (a closed port): the app runs on, the
/// alert names the proxy with its credentials redacted, every span is counted as failed, and the exit is prompt.
#[test]
fn a_refusing_or_absent_proxy_fails_every_span_names_the_proxy_redacted_and_exits_promptly() {
    let receiver = Receiver::start_blocking();
    let proxy = proxy_with_credentials();
    let wrong = proxy.url(&format!("{USER}:wrong-{PASSWORD_IN_URL}"));
    let closed_port = otel_testkit::unused_port();
    let closed = format!("http://{USER}:{PASSWORD_IN_URL}@127.0.0.1:{closed_port}");
    let shown = format!("http://***@127.0.0.1:{}", proxy.addr().port());
    let closed_shown = format!("http://***@127.0.0.1:{closed_port}");
    let grpc_target = format!("127.0.0.1:{}", receiver.grpc_addr().port());
    // (protocol, proxy URL, what the alert says)
    let rows = [
        (
            "grpc",
            &wrong,
            format!("proxy {shown} refused CONNECT {grpc_target}: HTTP 407 Proxy Authentication Required"),
        ),
        ("http/protobuf", &wrong, format!("proxy {shown}: HTTP 407")),
        ("grpc", &closed, format!("cannot connect to proxy {closed_shown}")),
        ("http/protobuf", &closed, format!("cannot connect to proxy {closed_shown}")),
    ];
    for (i, (protocol, url, alert)) in rows.into_iter().enumerate() {
        let dir = app_dir("refusing-proxy", &toml(protocol, &endpoint(&receiver, protocol), QUICK_BATCHES));
        let mut app = App::spawn("driven", &dir, &env(&[("HTTP_PROXY", url)]));
        app.ask("tasks 10", "done 10");
        let line = app.wait_for(true, "is failing", LONG);
        assert!(line.contains(&alert), "row {i}: {line:?} lacks {alert:?}");
        // Still running, and saying so.
        let health = app.ask("health", "health ");
        assert!(health.starts_with("health failing "), "row {i}: {health}");
        let asked_to_exit = Instant::now();
        let done = app.finish();
        let exit_took = asked_to_exit.elapsed();
        assert!(done.status.success(), "row {i}: {}", done.stderr);
        assert!(exit_took < Duration::from_secs(1), "row {i}: exit took {exit_took:?}");
        assert_eq!(done.summary(), Summary { ended: 30, exported: 0, failed: 30, dropped: 0 }, "row {i}");
        assert!(done.stderr.contains("kind=proxy"), "row {i}: {}", done.stderr);
        assert_never_printed(&done, &format!("row {i}"));
    }
    assert_eq!(receiver.attempts(), 0, "nothing reached the collector");
    let seen = proxy.requests();
    assert!(!seen.is_empty() && seen.iter().all(|r| r.auth == ProxyAuth::Invalid), "{seen:?}");
    assert!(seen.iter().all(|r| r.outcome == ProxyOutcome::Refused(407)), "{seen:?}");
}
