//! A driver for the real `rotel` collector (`rotel-agent`, from the PyPI package `rotel`), run with the blackhole
//! exporter and its debug log, which prints every export it receives (traces, logs and metrics); [`dump`] parses
//! the detailed dumps of logs and metrics.

mod dump;

pub use dump::{RotelDataPoint, RotelLogRecord, RotelMetric};

use crate::sync::unpoisoned;
use std::collections::BTreeMap;
use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How much rotel prints for each export it receives (`--debug-log-verbosity`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RotelVerbosity {
    /// One line per export: `INFO Received traces. data_type="traces" resource_spans=1 spans=3` (and `Received
    /// logs. ... logs=N`, `Received metrics. ... metrics=N` with N data points).
    Basic,
    /// A dump of every resource, scope and span (log record, metric) with their attributes (no `spans=N` line);
    /// parsed by [`Rotel::spans`], [`Rotel::logs`] and [`Rotel::metrics`].
    #[default]
    Detailed,
}

impl RotelVerbosity {
    fn as_arg(self) -> &'static str {
        match self {
            RotelVerbosity::Basic => "basic",
            RotelVerbosity::Detailed => "detailed",
        }
    }
}

/// A span as rotel's detailed debug log printed it (see [`Rotel::spans`]).
///
/// Attribute values are unwrapped from rotel's notation (`Str(demo)` → `demo`, `Int(5)` → `5`, `Bool(true)` →
/// `true`, `Double(1.5)` → `1.5`); other kinds (arrays, maps, bytes) are kept as printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RotelSpan {
    /// The span's name.
    pub name: String,
    /// Trace id, hex.
    pub trace_id: String,
    /// Span id, hex.
    pub span_id: String,
    /// Parent span id, hex (empty for a root span).
    pub parent_span_id: String,
    /// Kind, as printed: `SPAN_KIND_SERVER`, ...
    pub kind: String,
    /// Status code as printed (`STATUS_CODE_ERROR`, ...); empty when rotel printed none (unset).
    pub status_code: String,
    /// Status message; empty when none.
    pub status_message: String,
    /// The span's attributes.
    pub attributes: BTreeMap<String, String>,
    /// The attributes of the resource it came with.
    pub resource: BTreeMap<String, String>,
    /// The instrumentation scope line as printed after `InstrumentationScope` (name, then version if any).
    pub scope: String,
}

#[derive(Default)]
struct LogState {
    text: String,
    spans: usize,
    logs: usize,
    data_points: usize,
    started: bool,
    open_streams: usize,
}

#[derive(Default)]
struct Log {
    state: Mutex<LogState>,
    cond: Condvar,
}

impl Log {
    fn lock(&self) -> MutexGuard<'_, LogState> {
        unpoisoned(self.state.lock())
    }
}

/// The real collector, `rotel-agent start --exporter blackhole --debug-log traces --debug-log logs --debug-log
/// metrics`, on free ports of 127.0.0.1,
/// its output captured and parsed. Killed on drop.
///
/// ```no_run
/// use otel_testkit::{client, Rotel};
/// use std::time::Duration;
///
/// let rotel = Rotel::start().unwrap(); // an error says to run scripts/install-rotel.sh when it is missing
/// let request = client::sample_request("svc", &["a", "b"]);
/// client::export_http(&rotel.http_traces_url(), otel_testkit::Protocol::HttpJson, false, &request).unwrap();
/// assert_eq!(rotel.wait_for_spans(2, Duration::from_secs(10)).unwrap(), 2);
/// assert_eq!(rotel.spans()[0].resource.get("service.name").map(String::as_str), Some("svc"));
/// ```
pub struct Rotel {
    child: Child,
    grpc_addr: SocketAddr,
    http_addr: SocketAddr,
    verbosity: RotelVerbosity,
    log: Arc<Log>,
    readers: Vec<std::thread::JoinHandle<()>>,
    dir: PathBuf,
}

impl std::fmt::Debug for Rotel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rotel")
            .field("pid", &self.child.id())
            .field("grpc", &self.grpc_addr)
            .field("http", &self.http_addr)
            .field("verbosity", &self.verbosity)
            .finish_non_exhaustive()
    }
}

/// How long [`Rotel::start`] waits for the collector to listen.
const START_TIMEOUT: Duration = Duration::from_secs(30);

impl Rotel {
    /// Where `rotel-agent` is: `$ROTEL_AGENT` if set (it must exist), else
    /// `<workspace>/.tools/rotel/venv/lib/python*/site-packages/rotel/rotel-agent`, as `scripts/install-rotel.sh`
    /// installs it. The error tells how to install it.
    pub fn binary() -> Result<PathBuf, String> {
        if let Some(path) = std::env::var_os("ROTEL_AGENT").filter(|p| !p.is_empty()) {
            let path = PathBuf::from(path);
            return if path.is_file() {
                Ok(path)
            } else {
                Err(format!(
                    "ROTEL_AGENT={} does not exist: run scripts/install-rotel.sh, which prints the path",
                    path.display()
                ))
            };
        }
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new(".")).to_path_buf();
        let lib = workspace.join(".tools/rotel/venv/lib");
        let mut found: Vec<PathBuf> = std::fs::read_dir(&lib)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("python"))
            .map(|e| e.path().join("site-packages/rotel/rotel-agent"))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        found.pop().ok_or_else(|| {
            format!(
                "the rotel collector is not installed (no rotel-agent under {}): run scripts/install-rotel.sh \
                 (or set ROTEL_AGENT to a rotel-agent binary)",
                lib.display()
            )
        })
    }

    /// Starts the collector with the detailed debug log (see [`Rotel::start_with`]).
    pub fn start() -> Result<Rotel, String> {
        Self::start_with(RotelVerbosity::Detailed)
    }

    /// Starts the collector on free ports of 127.0.0.1 with the given debug-log verbosity, and returns once both its
    /// OTLP ports take connections (bounded: an error with its output after 30 s, or as soon as it exits). If it
    /// loses a race for a port, it is started again on others. `ROTEL_*` and `RUST_LOG` variables of the
    /// environment are not passed on, so the tests' collector is the same everywhere.
    pub fn start_with(verbosity: RotelVerbosity) -> Result<Rotel, String> {
        let binary = Self::binary()?;
        let mut last_error = String::new();
        for _ in 0..5 {
            match Self::launch(&binary, verbosity, None)? {
                Ok(rotel) => return Ok(rotel),
                Err(port_taken) => last_error = port_taken,
            }
        }
        Err(last_error)
    }

    /// Starts the collector on these ports (e.g. those of one that was stopped, to test a collector restart).
    ///
    /// ```no_run
    /// let first = otel_testkit::Rotel::start().unwrap();
    /// let (grpc, http) = (first.grpc_port(), first.http_port());
    /// first.stop();
    /// let again = otel_testkit::Rotel::start_on(otel_testkit::RotelVerbosity::Basic, grpc, http).unwrap();
    /// assert_eq!(again.grpc_port(), grpc);
    /// ```
    pub fn start_on(verbosity: RotelVerbosity, grpc_port: u16, http_port: u16) -> Result<Rotel, String> {
        let binary = Self::binary()?;
        Self::launch(&binary, verbosity, Some((grpc_port, http_port)))?
    }

    /// The OTLP/gRPC port.
    pub fn grpc_port(&self) -> u16 {
        self.grpc_addr.port()
    }

    /// The OTLP/HTTP port.
    pub fn http_port(&self) -> u16 {
        self.http_addr.port()
    }

    /// One start: the outer `Err` is fatal, the inner `Err` means "a port was taken, try again".
    fn launch(
        binary: &Path,
        verbosity: RotelVerbosity,
        ports: Option<(u16, u16)>,
    ) -> Result<Result<Rotel, String>, String> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let (grpc_port, http_port) = ports.unwrap_or_else(|| (crate::unused_port(), crate::unused_port()));
        let grpc_addr = SocketAddr::from(([127, 0, 0, 1], grpc_port));
        let http_addr = SocketAddr::from(([127, 0, 0, 1], http_port));
        let dir = std::env::temp_dir().join(format!(
            "otel-testkit-rotel-{}-{}-{grpc_port}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let mut command = Command::new(binary);
        command
            .arg("start")
            .args(["--exporter", "blackhole", "--log-format", "text"])
            .args(["--debug-log", "traces", "--debug-log", "logs", "--debug-log", "metrics"])
            .args(["--debug-log-verbosity", verbosity.as_arg()])
            .arg("--otlp-grpc-endpoint")
            .arg(grpc_addr.to_string())
            .arg("--otlp-http-endpoint")
            .arg(http_addr.to_string())
            .arg("--pid-file")
            .arg(dir.join("rotel-agent.pid"))
            .arg("--log-file")
            .arg(dir.join("rotel-agent.log"))
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("ROTEL_") {
                command.env_remove(name);
            }
        }
        let mut child = command.spawn().map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
        let log = Arc::new(Log::default());
        log.lock().open_streams = 2;
        let stdout = child.stdout.take().expect("piped stdout");
        enlarge_pipe(&stdout);
        let readers = vec![
            spawn_reader(stdout, log.clone()),
            spawn_reader(child.stderr.take().expect("piped stderr"), log.clone()),
        ];
        let mut rotel = Rotel { child, grpc_addr, http_addr, verbosity, log, readers, dir };

        // Ready when it logged that it started and both ports take connections; failed when its output streams
        // close (it exited) or at the deadline. Woken by its output, not by polling.
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let (started, exited) = {
                let state = rotel.log.lock();
                let state = unpoisoned(rotel.log.cond.wait_timeout_while(
                    state,
                    deadline.saturating_duration_since(Instant::now()),
                    |s| !s.started && s.open_streams > 0,
                ))
                .0;
                (state.started, state.open_streams == 0)
            };
            if exited {
                rotel.reap();
                let output = rotel.output();
                return if output.contains("Address already in use") {
                    Ok(Err(format!("rotel could not bind its ports: {output}")))
                } else {
                    Err(format!("rotel-agent exited at start ({}); its output:\n{output}", binary.display()))
                };
            }
            // rotel logs "Starting Rotel." only once it has bound both ports, so a connection then reaches it (and
            // not whatever else might hold a port it lost in a race).
            if started && rotel.ports_open(Duration::from_secs(2)) {
                return Ok(Ok(rotel));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "rotel-agent did not listen on {grpc_addr} and {http_addr} within {START_TIMEOUT:?}; its output:\n{}",
                    rotel.output()
                ));
            }
        }
    }

    fn ports_open(&self, timeout: Duration) -> bool {
        [self.grpc_addr, self.http_addr].iter().all(|addr| TcpStream::connect_timeout(addr, timeout).is_ok())
    }

    /// The OTLP/gRPC endpoint, `http://127.0.0.1:PORT`.
    pub fn grpc_endpoint(&self) -> String {
        format!("http://{}", self.grpc_addr)
    }

    /// The OTLP/HTTP base endpoint, `http://127.0.0.1:PORT` (exporters append `/v1/traces`).
    pub fn http_endpoint(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    /// The full OTLP/HTTP traces URL, `http://127.0.0.1:PORT/v1/traces`.
    pub fn http_traces_url(&self) -> String {
        format!("http://{}/v1/traces", self.http_addr)
    }

    /// The full OTLP/HTTP logs URL, `http://127.0.0.1:PORT/v1/logs`.
    pub fn http_logs_url(&self) -> String {
        format!("http://{}/v1/logs", self.http_addr)
    }

    /// The full OTLP/HTTP metrics URL, `http://127.0.0.1:PORT/v1/metrics`.
    pub fn http_metrics_url(&self) -> String {
        format!("http://{}/v1/metrics", self.http_addr)
    }

    /// The verbosity it runs with.
    pub fn verbosity(&self) -> RotelVerbosity {
        self.verbosity
    }

    /// The collector's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The spans it logged so far: the sum of `spans=N` of its `Received traces.` lines (basic verbosity), or the
    /// number of `Span #N` entries of its dumps (detailed verbosity; rotel writes each dump in one piece).
    pub fn received_span_count(&self) -> usize {
        self.log.lock().spans
    }

    /// Waits until it logged at least `n` spans (woken by its output, no polling) and returns the count. Fails at
    /// `timeout`, or at once if it exited, with its output in the error.
    pub fn wait_for_spans(&self, n: usize, timeout: Duration) -> Result<usize, String> {
        self.wait_for_count(n, "spans", timeout, |s| s.spans)
    }

    /// The log records it logged so far: the sum of `logs=N` of its `Received logs.` lines (basic verbosity), or
    /// the number of `LogRecord #N` entries of its dumps (detailed verbosity).
    pub fn received_log_count(&self) -> usize {
        self.log.lock().logs
    }

    /// Waits until it logged at least `n` log records (woken by its output, no polling) and returns the count.
    /// Fails at `timeout`, or at once if it exited, with its output in the error.
    pub fn wait_for_logs(&self, n: usize, timeout: Duration) -> Result<usize, String> {
        self.wait_for_count(n, "log records", timeout, |s| s.logs)
    }

    /// The metric data points it logged so far: the sum of `metrics=N` of its `Received metrics.` lines (basic
    /// verbosity; rotel counts data points there), or the number of `...DataPoints #N` entries of its dumps
    /// (detailed verbosity).
    pub fn received_data_point_count(&self) -> usize {
        self.log.lock().data_points
    }

    /// Waits until it logged at least `n` metric data points (woken by its output, no polling) and returns the
    /// count. Fails at `timeout`, or at once if it exited, with its output in the error.
    pub fn wait_for_data_points(&self, n: usize, timeout: Duration) -> Result<usize, String> {
        self.wait_for_count(n, "data points", timeout, |s| s.data_points)
    }

    fn wait_for_count(
        &self,
        n: usize,
        what: &str,
        timeout: Duration,
        count: impl Fn(&LogState) -> usize,
    ) -> Result<usize, String> {
        let state = self.log.lock();
        let (state, _) =
            unpoisoned(self.log.cond.wait_timeout_while(state, timeout, |s| count(s) < n && s.open_streams > 0));
        if count(&state) >= n {
            return Ok(count(&state));
        }
        let why =
            if state.open_streams == 0 { "it exited".to_string() } else { format!("timed out after {timeout:?}") };
        Err(format!("rotel logged {} {what}, expected {n} ({why}); its output:\n{}", count(&state), state.text))
    }

    /// Waits until its detailed dumps hold a log record satisfying `accept` (woken by its output, no polling; the
    /// output is parsed again at each wake) and returns the first such. Fails at `timeout`, or at once if it
    /// exited, with its output in the error.
    pub fn wait_for_log(
        &self,
        timeout: Duration,
        accept: impl Fn(&RotelLogRecord) -> bool,
    ) -> Result<RotelLogRecord, String> {
        self.wait_for_parsed("log record matching the condition", timeout, |text| {
            dump::parse_logs(text).into_iter().find(|l| accept(l))
        })
    }

    /// Waits until its detailed dumps hold a metric satisfying `accept` (e.g. a counter that reached a value) and
    /// returns the latest such. Woken by its output, no polling. Fails at `timeout`, or at once if it exited.
    pub fn wait_for_metric(
        &self,
        timeout: Duration,
        accept: impl Fn(&RotelMetric) -> bool,
    ) -> Result<RotelMetric, String> {
        self.wait_for_parsed("metric matching the condition", timeout, |text| {
            dump::parse_metrics(text).into_iter().rev().find(|m| accept(m))
        })
    }

    fn wait_for_parsed<T>(&self, what: &str, timeout: Duration, find: impl Fn(&str) -> Option<T>) -> Result<T, String> {
        let deadline = Instant::now() + timeout;
        let mut state = self.log.lock();
        loop {
            if let Some(found) = find(&state.text) {
                return Ok(found);
            }
            let now = Instant::now();
            if state.open_streams == 0 || now >= deadline {
                let why = if state.open_streams == 0 {
                    "it exited".to_string()
                } else {
                    format!("timed out after {timeout:?}")
                };
                return Err(format!("rotel logged no {what} ({why}); its output:\n{}", state.text));
            }
            state = unpoisoned(self.log.cond.wait_timeout(state, deadline - now)).0;
        }
    }

    /// Everything it printed so far (stdout and stderr, lines in arrival order, colour codes removed).
    pub fn output(&self) -> String {
        self.log.lock().text.clone()
    }

    /// The spans of its detailed dumps (empty with [`RotelVerbosity::Basic`]), in the order logged.
    pub fn spans(&self) -> Vec<RotelSpan> {
        parse_detailed(&self.output())
    }

    /// The log records of its detailed dumps (empty with [`RotelVerbosity::Basic`]), in the order logged: body,
    /// severity, trace and span ids, attributes, resource and scope.
    pub fn logs(&self) -> Vec<RotelLogRecord> {
        dump::parse_logs(&self.output())
    }

    /// The metrics of its detailed dumps (empty with [`RotelVerbosity::Basic`]), one per metric per export, in the
    /// order logged: name, data type, temporality, monotonic flag and data points with their values.
    ///
    /// rotel 0.0.1-alpha10 reads OTLP/JSON 64-bit integers only as JSON numbers, while the OTLP JSON mapping (and
    /// every exporter) writes them as strings: over `http/json` an integer point comes out without a value and a
    /// histogram as `DataType: Empty`, though rotel answers 200. Doubles are read; gRPC and `http/protobuf` are
    /// exact.
    pub fn metrics(&self) -> Vec<RotelMetric> {
        dump::parse_metrics(&self.output())
    }

    /// Stops the collector (kills it) and waits for it; its ports are then free. Dropping it does the same.
    pub fn stop(mut self) {
        self.shutdown();
    }

    /// Kills the collector with SIGKILL, as a crash would (no chance to flush or answer what it holds), waits for
    /// it and for the last of its output. Unlike [`Rotel::stop`] it keeps what it logged: [`Rotel::output`],
    /// [`Rotel::spans`], [`Rotel::logs`], [`Rotel::metrics`] and the counts are final afterwards. Its ports are free, for
    /// [`Rotel::restart`]. Killing it again does nothing.
    ///
    /// rotel answers an export once the batch is in its pipeline's queue, and logs it when the pipeline takes it
    /// from there: a batch answered in that short window and not yet logged is gone with the process, so a test
    /// that kills it mid-stream may find fewer spans in its log than it acknowledged.
    pub fn kill(&mut self) {
        self.reap();
    }

    /// Pauses the collector with SIGSTOP: it keeps its ports, the kernel still accepts connections and buffers
    /// requests for it, but nothing is answered until [`Rotel::resume`] — a hung collector. Killing or dropping
    /// a paused collector works (SIGKILL needs no cooperation).
    pub fn pause(&self) -> Result<(), String> {
        self.signal("STOP")
    }

    /// Resumes a collector paused by [`Rotel::pause`] (SIGCONT); it then handles what was buffered meanwhile.
    pub fn resume(&self) -> Result<(), String> {
        self.signal("CONT")
    }

    /// Starts a new collector on the ports of this one, after [`Rotel::kill`] (or while it is still running, when
    /// the new one then fails to bind: an error). Same verbosity; its log starts empty.
    ///
    /// ```no_run
    /// let mut first = otel_testkit::Rotel::start().unwrap();
    /// first.kill();
    /// let second = first.restart().unwrap();
    /// assert_eq!(second.grpc_port(), first.grpc_port());
    /// ```
    pub fn restart(&self) -> Result<Rotel, String> {
        Self::start_on(self.verbosity, self.grpc_port(), self.http_port())
    }

    /// Sends a signal by name with kill(1), which every Unix has (no libc binding needed off Linux).
    fn signal(&self, name: &str) -> Result<(), String> {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(&pid)
            .status()
            .map_err(|e| format!("cannot run kill -{name} {pid}: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("kill -{name} {pid} failed ({status}): has rotel exited?"))
        }
    }

    fn reap(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }

    fn shutdown(&mut self) {
        self.reap();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Rotel {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// rotel writes each detailed dump with one `write`; with room for it in the pipe, the kernel copies it in one piece
/// and one `read` (of a buffer as large) gets it whole, so a dump's spans are counted together with their
/// attributes. Linux's default pipe holds 64 KiB (about 100 spans); this asks for 1 MiB (best effort).
#[cfg(target_os = "linux")]
fn enlarge_pipe(pipe: &std::process::ChildStdout) {
    use std::os::fd::AsRawFd;
    // SAFETY: fcntl on a file descriptor we own; F_SETPIPE_SZ takes an int and changes nothing else.
    unsafe {
        libc::fcntl(pipe.as_raw_fd(), libc::F_SETPIPE_SZ, PIPE_SIZE as libc::c_int);
    }
}

#[cfg(not(target_os = "linux"))]
fn enlarge_pipe(_pipe: &std::process::ChildStdout) {}

const PIPE_SIZE: usize = 1024 * 1024;

fn spawn_reader(mut stream: impl Read + Send + 'static, log: Arc<Log>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = vec![0u8; PIPE_SIZE];
        let mut pending = Vec::new();
        loop {
            let n = match stream.read(&mut buf) {
                Ok(0) | Err(_) => 0,
                Ok(n) => n,
            };
            if n == 0 {
                if !pending.is_empty() {
                    pending.push(b'\n');
                }
            } else {
                pending.extend_from_slice(&buf[..n]);
            }
            // Whole lines only; a chunk is handled at once so that one dump's lines are counted together.
            if let Some(last) = pending.iter().rposition(|b| *b == b'\n') {
                let chunk: Vec<u8> = pending.drain(..=last).collect();
                let mut state = log.lock();
                for line in String::from_utf8_lossy(&chunk).lines() {
                    let line = strip_ansi(line);
                    state.spans += spans_in_line(&line);
                    let (logs, points) = dump::logs_and_points_in_line(&line);
                    state.logs += logs;
                    state.data_points += points;
                    if line.contains("Starting Rotel") {
                        state.started = true;
                    }
                    state.text.push_str(&line);
                    state.text.push('\n');
                }
            }
            if n == 0 {
                log.lock().open_streams -= 1;
                log.cond.notify_all();
                return;
            }
            log.cond.notify_all();
        }
    })
}

/// How many spans one output line reports: `N` for a basic `Received traces. ... spans=N` line, 1 for a detailed
/// `Span #K` header, 0 otherwise.
fn spans_in_line(line: &str) -> usize {
    if line.starts_with("Span #") {
        return 1;
    }
    if line.contains("Received traces") {
        return line
            .split_whitespace()
            .find_map(|word| word.strip_prefix("spans="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
    }
    0
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

/// Unwraps rotel's `Str(x)`, `Int(x)`, `Bool(x)`, `Double(x)` notation.
fn unwrap_value(value: &str) -> String {
    for tag in ["Str(", "Int(", "Bool(", "Double("] {
        if let Some(inner) = value.strip_prefix(tag).and_then(|v| v.strip_suffix(')')) {
            return inner.to_string();
        }
    }
    value.to_string()
}

fn parse_detailed(output: &str) -> Vec<RotelSpan> {
    #[derive(PartialEq)]
    enum Section {
        Other,
        ResourceAttributes,
        Span,
        SpanAttributes,
    }
    let mut spans: Vec<RotelSpan> = Vec::new();
    let mut resource = BTreeMap::new();
    let mut scope = String::new();
    let mut section = Section::Other;
    for line in output.lines() {
        let trimmed = line.trim();
        if line.starts_with("ResourceSpans #") {
            resource = BTreeMap::new();
            scope.clear();
            section = Section::Other;
        } else if line.starts_with("Resource attributes:") {
            section = Section::ResourceAttributes;
        } else if line.starts_with("ScopeSpans #") {
            scope.clear();
            section = Section::Other;
        } else if let Some(rest) = line.strip_prefix("InstrumentationScope") {
            scope = rest.trim().to_string();
        } else if line.starts_with("Span #") {
            spans.push(RotelSpan { resource: resource.clone(), scope: scope.clone(), ..RotelSpan::default() });
            section = Section::Span;
        } else if line.starts_with("Attributes:") && matches!(section, Section::Span) {
            section = Section::SpanAttributes;
        } else if let Some(kv) = trimmed.strip_prefix("-> ") {
            let Some((key, value)) = kv.split_once(": ") else { continue };
            match section {
                Section::ResourceAttributes => {
                    resource.insert(key.to_string(), unwrap_value(value));
                }
                Section::SpanAttributes => {
                    if let Some(span) = spans.last_mut() {
                        span.attributes.insert(key.to_string(), unwrap_value(value));
                    }
                }
                _ => {}
            }
        } else if line.starts_with("    ") && matches!(section, Section::Span | Section::SpanAttributes) {
            let Some((key, value)) = line.split_once(':') else { continue };
            let value = value.strip_prefix(' ').unwrap_or(value).to_string();
            let Some(span) = spans.last_mut() else { continue };
            match key.trim() {
                "Trace ID" => span.trace_id = value,
                "Parent ID" => span.parent_span_id = value,
                "ID" => span.span_id = value,
                "Name" => span.name = value,
                "Kind" => span.kind = value,
                "Status code" => span.status_code = value,
                "Status message" => span.status_message = value,
                _ => {}
            }
        } else if !line.starts_with(' ') && !line.starts_with("Start time") && !line.starts_with("End time") {
            // Any other unindented line (Events:, Links:, SchemaURL lines, a log line) ends the attribute lists.
            section = Section::Other;
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_basic_and_detailed_lines() {
        assert_eq!(
            spans_in_line(
                r#"2026-11-25T08:49:26.540110Z  INFO Received traces. data_type="traces" resource_spans=1 spans=7"#
            ),
            7
        );
        assert_eq!(spans_in_line("Span #12"), 1);
        assert_eq!(spans_in_line("    Name           : Span #3"), 0);
        assert_eq!(spans_in_line("2026-11-25T08:49:26Z  INFO Starting Rotel."), 0);
    }

    #[test]
    fn strips_colour_codes() {
        assert_eq!(strip_ansi("\u{1b}[2mtime\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m x"), "time  INFO x");
    }
}
