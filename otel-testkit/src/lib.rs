//! Test support for `otel`: [`Receiver`], an in-process OTLP/gRPC receiver that records every request, and
//! [`Rotel`], a driver for the real `rotel` collector (installed by `scripts/install-rotel.sh`).

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A span as received, flattened for assertions.
#[derive(Clone, Debug)]
pub struct ReceivedSpan {
    /// Span name.
    pub name: String,
    /// Trace id, hex.
    pub trace_id: String,
    /// Span id, hex.
    pub span_id: String,
    /// Parent span id, hex (empty for a root span).
    pub parent_span_id: String,
    /// Span attributes, values as strings.
    pub attributes: BTreeMap<String, String>,
    /// Resource attributes of the batch it came in, values as strings.
    pub resource: BTreeMap<String, String>,
}

#[derive(Default)]
struct Recorder {
    spans: Mutex<Vec<ReceivedSpan>>,
    notify: tokio::sync::Notify,
}

struct Service(Arc<Recorder>);

#[tonic::async_trait]
impl TraceService for Service {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut received = Vec::new();
        for rs in request.into_inner().resource_spans {
            let resource = rs.resource.map(|r| attributes(&r.attributes)).unwrap_or_default();
            for ss in rs.scope_spans {
                for span in ss.spans {
                    received.push(ReceivedSpan {
                        name: span.name,
                        trace_id: hex(&span.trace_id),
                        span_id: hex(&span.span_id),
                        parent_span_id: hex(&span.parent_span_id),
                        attributes: attributes(&span.attributes),
                        resource: resource.clone(),
                    });
                }
            }
        }
        self.0.spans.lock().unwrap().extend(received);
        self.0.notify.notify_waiters();
        Ok(tonic::Response::new(ExportTraceServiceResponse { partial_success: None }))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn attributes(kvs: &[opentelemetry_proto::tonic::common::v1::KeyValue]) -> BTreeMap<String, String> {
    kvs.iter()
        .map(|kv| {
            let value = match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                Some(Value::StringValue(s)) => s.clone(),
                Some(Value::IntValue(i)) => i.to_string(),
                Some(Value::BoolValue(b)) => b.to_string(),
                Some(Value::DoubleValue(d)) => d.to_string(),
                other => format!("{other:?}"),
            };
            (kv.key.clone(), value)
        })
        .collect()
}

/// An OTLP/gRPC receiver on 127.0.0.1, running on a runtime of its own so tests need not be async.
///
/// ```no_run
/// let receiver = otel_testkit::Receiver::start();
/// println!("send to {}", receiver.grpc_endpoint());
/// let spans = receiver.wait_for_spans(3, std::time::Duration::from_secs(10)).unwrap();
/// assert_eq!(spans.len(), 3);
/// ```
pub struct Receiver {
    recorder: Arc<Recorder>,
    port: u16,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Receiver {
    /// Starts the receiver on an ephemeral port.
    pub fn start() -> Receiver {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let recorder = Arc::new(Recorder::default());
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        let service = TraceServiceServer::new(Service(recorder.clone()));
        runtime.spawn(async move {
            let incoming = tonic::transport::server::TcpIncoming::from(listener);
            let _ = tonic::transport::Server::builder().add_service(service).serve_with_incoming(incoming).await;
        });
        Receiver { recorder, port, runtime: Some(runtime) }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn grpc_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        self.recorder.spans.lock().unwrap().clone()
    }

    /// Waits until at least `n` spans arrived (woken by each request, not by polling), or fails at `timeout`.
    pub fn wait_for_spans(&self, n: usize, timeout: Duration) -> Result<Vec<ReceivedSpan>, String> {
        let recorder = self.recorder.clone();
        let runtime = self.runtime.as_ref().unwrap();
        runtime.block_on(async move {
            let wait = async {
                loop {
                    let notified = recorder.notify.notified();
                    if recorder.spans.lock().unwrap().len() >= n {
                        return;
                    }
                    notified.await;
                }
            };
            tokio::time::timeout(timeout, wait).await.map_err(|_| {
                format!("received {} spans, expected {n}", recorder.spans.lock().unwrap().len())
            })
        })?;
        Ok(self.spans())
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A port on 127.0.0.1 that nothing listens on (at the time of the call).
pub fn unused_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The real collector: `rotel-agent` with the blackhole exporter, logging every batch it receives.
pub struct Rotel {
    child: Child,
    grpc_port: u16,
    http_port: u16,
    out_path: PathBuf,
}

impl Rotel {
    /// Where `rotel-agent` is: `$ROTEL_AGENT`, else what `scripts/install-rotel.sh` installed.
    pub fn binary() -> Result<PathBuf, String> {
        if let Ok(path) = std::env::var("ROTEL_AGENT") {
            return Ok(PathBuf::from(path));
        }
        let lib = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/rotel/venv/lib");
        let found = std::fs::read_dir(&lib).ok().into_iter().flatten().flatten().find_map(|entry| {
            let candidate = entry.path().join("site-packages/rotel/rotel-agent");
            candidate.is_file().then_some(candidate)
        });
        found.ok_or_else(|| "rotel-agent not found: run scripts/install-rotel.sh (or set ROTEL_AGENT)".to_string())
    }

    /// Starts the collector on free ports and waits until it accepts connections.
    pub fn start() -> Result<Rotel, String> {
        let binary = Self::binary()?;
        let (grpc_port, http_port) = (unused_port(), unused_port());
        let dir = std::env::temp_dir().join(format!("otel-rotel-{}-{grpc_port}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let out_path = dir.join("out.log");
        let out = std::fs::File::create(&out_path).map_err(|e| e.to_string())?;
        let child = Command::new(&binary)
            .args(["start", "--exporter", "blackhole", "--debug-log", "traces", "--log-format", "text"])
            .arg("--otlp-grpc-endpoint")
            .arg(format!("127.0.0.1:{grpc_port}"))
            .arg("--otlp-http-endpoint")
            .arg(format!("127.0.0.1:{http_port}"))
            .arg("--pid-file")
            .arg(dir.join("rotel.pid"))
            .arg("--log-file")
            .arg(dir.join("rotel.log"))
            .env("NO_COLOR", "1")
            .stdout(out.try_clone().map_err(|e| e.to_string())?)
            .stderr(out)
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let rotel = Rotel { child, grpc_port, http_port, out_path };
        let deadline = Instant::now() + Duration::from_secs(20);
        for port in [grpc_port, http_port] {
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                if Instant::now() > deadline {
                    return Err(format!("rotel did not listen on {port}: {}", rotel.output()));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(rotel)
    }

    /// `http://127.0.0.1:PORT` of its OTLP/gRPC receiver.
    pub fn grpc_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.grpc_port)
    }

    /// `http://127.0.0.1:PORT` of its OTLP/HTTP receiver (a base URL: exporters append `/v1/traces`).
    pub fn http_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// Everything it printed, without colour codes.
    pub fn output(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.out_path) {
            let _ = f.read_to_string(&mut text);
        }
        strip_ansi(&text)
    }

    /// The sum of `spans=N` over every batch it logged.
    pub fn received_span_count(&self) -> usize {
        self.output()
            .lines()
            .filter(|l| l.contains("Received traces"))
            .filter_map(|l| l.split(" spans=").nth(1))
            .filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse::<usize>().ok())
            .sum()
    }

    /// Waits until it logged at least `n` spans, reading its log until `timeout`.
    pub fn wait_for_spans(&self, n: usize, timeout: Duration) -> Result<usize, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let count = self.received_span_count();
            if count >= n {
                return Ok(count);
            }
            if Instant::now() > deadline {
                return Err(format!("rotel logged {count} spans, expected {n}; its output:\n{}", self.output()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl Drop for Rotel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
