//! The workload that every benchmark program runs, unchanged, under its pipeline:
//!
//! - `bench-peer`: the seed's hand-written recipe on today's crates (registry + tracing-opentelemetry + OTLP/gRPC
//!   exporter + the SDK's `BatchSpanProcessor` with default settings, no fmt layer);
//! - `bench-otel`: `#[otel::main]` with fmt off;
//! - `bench-ito`, `bench-oxtel`: the peers users choose between (init-tracing-opentelemetry, oxtel), each set up as
//!   its README recommends for production (issue #10).
//!
//! A *request* is one `#[instrument]`ed parent span with two `#[instrument]`ed child spans and one `tracing::info!`
//! event: 3 spans and 1 event. The logs modes (issue #10) run a *logged request*: a parent span, one child span
//! and `--events` `tracing::info!` events inside the child (each one a log record, and a span event, where logs
//! are on); the counter mode adds to one counter of the global meter provider. The programs take the same arguments (see [`Settings::from_args`]), run one
//! [`Mode`], print `bench: work-done` on stderr the moment the workload ends (the runner times the exit from it)
//! and one JSON line of results on stdout.

use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

/// Spans per request: the parent and its two children.
pub const SPANS_PER_REQUEST: u64 = 3;

/// Spans per logged request (the logs modes): the parent and the child that writes the events.
pub const LOGGED_REQUEST_SPANS: u64 = 2;

/// The line printed on stderr when the workload is over (before the pipeline's shutdown).
pub const WORK_DONE_MARKER: &str = "bench: work-done";

/// The workload: what is timed in every mode.
pub mod workload {
    use tracing::instrument;

    /// One request: the parent span, its two children, one event.
    #[instrument]
    pub async fn handle_request(id: u64) -> u64 {
        let user = load_user(id).await;
        render_page(user).await
    }

    /// The first child span.
    #[instrument]
    pub async fn load_user(id: u64) -> u64 {
        std::hint::black_box(id.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// The second child span; it carries the request's event.
    #[instrument]
    pub async fn render_page(user: u64) -> u64 {
        tracing::info!(user, "page rendered");
        std::hint::black_box(user ^ 0x5555)
    }

    /// The same request without async, for the micro-benchmarks (which run without an executor).
    #[instrument]
    pub fn handle_request_sync(id: u64) -> u64 {
        let user = load_user_sync(id);
        render_page_sync(user)
    }

    /// See [`load_user`].
    #[instrument]
    pub fn load_user_sync(id: u64) -> u64 {
        std::hint::black_box(id.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// See [`render_page`].
    #[instrument]
    pub fn render_page_sync(user: u64) -> u64 {
        tracing::info!(user, "page rendered");
        std::hint::black_box(user ^ 0x5555)
    }

    /// A logged request: the parent span and the child that writes the log lines. Returns the wall time of the
    /// events alone (see [`write_log_lines`]).
    #[instrument]
    pub async fn logged_request(id: u64, events: u64) -> std::time::Duration {
        write_log_lines(id, events).await
    }

    /// The child span of a logged request: `events` events inside it, each with two numeric fields. Returns the
    /// wall time of the events alone (two clock reads per request, not per event, so that the clock's own cost,
    /// about 20 ns a read, stays a few ns per event).
    #[instrument]
    pub async fn write_log_lines(user: u64, events: u64) -> std::time::Duration {
        let start = std::time::Instant::now();
        for line in 0..events {
            tracing::info!(user, line, "log line written");
        }
        start.elapsed()
    }

    /// A single span, for the time-to-first-span mode.
    #[instrument]
    pub fn first_span() {}
}

/// What the program does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `requests` requests back to back, as fast as they go, then exit.
    Burst,
    /// Per-span cost on the application's thread: `warmup` untimed requests, then `requests` requests in chunks
    /// of `chunk`, with a `pause_ms` sleep between chunks (so the pipeline is measured in steady state, below its
    /// capacity, not while it drops); only the chunks are timed (wall clock and the thread's CPU clock).
    Cost,
    /// `rate` spans/s, steady (paced every millisecond), for `secs` seconds; samples the resident set size.
    Rate,
    /// End one span and exit at once.
    FirstExit,
    /// End one span and keep running for `secs` seconds (the runner kills it once the span has arrived).
    FirstLive,
    /// Per-event cost with logs on: like [`Mode::Cost`], over logged requests (`events` events each); the events
    /// alone are timed too (wall clock).
    LogCost,
    /// `requests` logged requests back to back, as fast as they go, then exit: `requests × events` log records.
    LogBurst,
    /// Per-`add` cost of a counter of the global meter provider: `warmup` untimed adds, then `requests` adds in
    /// chunks of `chunk` (wall clock and the thread's CPU clock), then exit (the final collection exports it).
    Counter,
}

impl Mode {
    /// Parses a mode name.
    pub fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "burst" => Mode::Burst,
            "cost" => Mode::Cost,
            "rate" => Mode::Rate,
            "first-exit" => Mode::FirstExit,
            "first-live" => Mode::FirstLive,
            "log-cost" => Mode::LogCost,
            "log-burst" => Mode::LogBurst,
            "counter" => Mode::Counter,
            _ => return None,
        })
    }

    /// The mode's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Burst => "burst",
            Mode::Cost => "cost",
            Mode::Rate => "rate",
            Mode::FirstExit => "first-exit",
            Mode::FirstLive => "first-live",
            Mode::LogCost => "log-cost",
            Mode::LogBurst => "log-burst",
            Mode::Counter => "counter",
        }
    }
}

/// The programs' arguments: `--mode M --requests N --warmup N --chunk N --pause-ms N --rate SPANS_PER_S --secs S
/// --events N --endpoint URL --protocol grpc|http/protobuf --logs on|off --metrics on|off` (the endpoint, protocol,
/// logs and metrics only matter to `bench-peer`; the others read `OTEL_EXPORTER_OTLP_ENDPOINT` and
/// `OTEL_EXPORTER_OTLP_PROTOCOL`, as their users configure them, and export the signals their setup exports).
#[derive(Clone, Debug)]
pub struct Settings {
    /// What to run.
    pub mode: Mode,
    /// Requests (burst, cost).
    pub requests: u64,
    /// Untimed requests before the timed ones (cost).
    pub warmup: u64,
    /// Requests per timed chunk (cost).
    pub chunk: u64,
    /// Pause between chunks (cost).
    pub pause: Duration,
    /// Spans per second (rate).
    pub rate: f64,
    /// Duration (rate, first-live).
    pub secs: f64,
    /// OTLP endpoint (peer): for gRPC the server's URL, for HTTP its base URL (`/v1/traces` is appended).
    pub endpoint: String,
    /// OTLP protocol (peer): `grpc` (the default) or `http/protobuf`.
    pub protocol: String,
    /// Events per logged request (log-cost, log-burst).
    pub events: u64,
    /// Logs on (peer): the appender-tracing recipe beside the traces one.
    pub logs: bool,
    /// Metrics on (peer): a global `SdkMeterProvider` with a periodic OTLP reader.
    pub metrics: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mode: Mode::Burst,
            requests: 10_000,
            warmup: 500,
            chunk: 100,
            pause: Duration::from_millis(20),
            rate: 10_000.0,
            secs: 10.0,
            endpoint: "http://127.0.0.1:4317".into(),
            protocol: "grpc".into(),
            events: 8,
            logs: false,
            metrics: false,
        }
    }
}

impl Settings {
    /// Reads the command line; exits with status 2 and a message on a bad argument.
    pub fn from_args() -> Settings {
        match Self::parse(std::env::args().skip(1)) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("bench: {e}");
                std::process::exit(2);
            }
        }
    }

    /// Parses `--key value` pairs.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Settings, String> {
        let mut s = Settings::default();
        let mut args = args.into_iter();
        while let Some(key) = args.next() {
            let value = args.next().ok_or_else(|| format!("{key} needs a value"))?;
            let num = |v: &str| v.parse::<f64>().map_err(|_| format!("{key}: not a number: {v}"));
            match key.as_str() {
                "--mode" => s.mode = Mode::parse(&value).ok_or_else(|| format!("unknown mode {value}"))?,
                "--requests" => s.requests = num(&value)? as u64,
                "--warmup" => s.warmup = num(&value)? as u64,
                "--chunk" => s.chunk = (num(&value)? as u64).max(1),
                "--pause-ms" => s.pause = Duration::from_secs_f64(num(&value)? / 1000.0),
                "--rate" => s.rate = num(&value)?.max(1.0),
                "--secs" => s.secs = num(&value)?,
                "--endpoint" => s.endpoint = value,
                "--events" => s.events = num(&value)? as u64,
                "--logs" | "--metrics" => {
                    let on = match value.as_str() {
                        "on" => true,
                        "off" => false,
                        _ => return Err(format!("{key}: on or off, not {value}")),
                    };
                    if key == "--logs" {
                        s.logs = on;
                    } else {
                        s.metrics = on;
                    }
                }
                "--protocol" => match value.as_str() {
                    "grpc" | "http/protobuf" => s.protocol = value,
                    _ => return Err(format!("--protocol: grpc or http/protobuf, not {value}")),
                },
                _ => return Err(format!("unknown argument {key}")),
            }
        }
        Ok(s)
    }
}

/// CPU time of the calling thread.
pub fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec that we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// A `kB` field of /proc/self/status (`VmRSS`, `VmHWM`), 0 where unreadable.
pub fn proc_status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Tells the runner that the workload is over (it times the exit from this line).
pub fn work_done() {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{WORK_DONE_MARKER}");
    let _ = err.flush();
}

/// Runs the mode and returns its results (the `side` and the peer's shutdown fields are added by the caller).
/// Prints [`WORK_DONE_MARKER`] when the workload is over. The counter mode's meter comes from
/// `opentelemetry::global::meter`; see [`run_with_meter`].
pub async fn run(settings: &Settings) -> Map<String, Value> {
    run_with_meter(settings, opentelemetry::global::meter).await
}

/// [`run`], with the counter mode's meter from `meter` (`otel::meter` in `bench-otel`: what its users call).
pub async fn run_with_meter(
    settings: &Settings,
    meter: fn(&'static str) -> opentelemetry::metrics::Meter,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("mode".into(), json!(settings.mode.as_str()));
    match settings.mode {
        Mode::Burst => {
            let start = Instant::now();
            for id in 0..settings.requests {
                workload::handle_request(id).await;
            }
            let elapsed = start.elapsed();
            let spans = settings.requests * SPANS_PER_REQUEST;
            out.insert("requests".into(), json!(settings.requests));
            out.insert("spans".into(), json!(spans));
            out.insert("elapsed_ms".into(), json!(ms(elapsed)));
            out.insert("app_ns_per_span".into(), json!(elapsed.as_nanos() as f64 / spans as f64));
        }
        Mode::Cost => {
            for id in 0..settings.warmup {
                workload::handle_request(id).await;
            }
            tokio::time::sleep(settings.pause).await;
            let (mut wall, mut cpu) = (Duration::ZERO, Duration::ZERO);
            let mut id = settings.warmup;
            let end = settings.warmup + settings.requests;
            while id < end {
                let chunk_end = (id + settings.chunk).min(end);
                let (t, c) = (Instant::now(), thread_cpu_time());
                while id < chunk_end {
                    workload::handle_request(id).await;
                    id += 1;
                }
                wall += t.elapsed();
                cpu += thread_cpu_time().saturating_sub(c);
                tokio::time::sleep(settings.pause).await;
            }
            let spans = settings.requests * SPANS_PER_REQUEST;
            out.insert("requests".into(), json!(settings.requests + settings.warmup));
            out.insert("timed_requests".into(), json!(settings.requests));
            out.insert("spans".into(), json!((settings.requests + settings.warmup) * SPANS_PER_REQUEST));
            out.insert("app_ns_per_span".into(), json!(wall.as_nanos() as f64 / spans as f64));
            out.insert("cpu_ns_per_span".into(), json!(cpu.as_nanos() as f64 / spans as f64));
        }
        Mode::Rate => {
            let per_request = settings.rate / SPANS_PER_REQUEST as f64;
            let total = (per_request * settings.secs).round().max(1.0) as u64;
            let start = Instant::now();
            let mut next_sample = Duration::from_secs(1);
            let mut rss_samples: Vec<u64> = Vec::new();
            let mut done = 0u64;
            while done < total {
                let due = ((start.elapsed().as_secs_f64() * per_request) as u64).min(total);
                while done < due {
                    workload::handle_request(done).await;
                    done += 1;
                }
                if start.elapsed() >= next_sample {
                    rss_samples.push(proc_status_kb("VmRSS"));
                    next_sample += Duration::from_secs(1);
                }
                if done < total {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            let elapsed = start.elapsed();
            let spans = total * SPANS_PER_REQUEST;
            rss_samples.push(proc_status_kb("VmRSS"));
            let half = rss_samples[rss_samples.len() / 2];
            out.insert("requests".into(), json!(total));
            out.insert("spans".into(), json!(spans));
            out.insert("target_rate".into(), json!(settings.rate));
            out.insert("achieved_rate".into(), json!(spans as f64 / elapsed.as_secs_f64()));
            out.insert("elapsed_ms".into(), json!(ms(elapsed)));
            out.insert("rss_mid_kb".into(), json!(half));
            out.insert("rss_end_kb".into(), json!(rss_samples.last().copied().unwrap_or(0)));
            out.insert("rss_max_kb".into(), json!(rss_samples.iter().copied().max().unwrap_or(0)));
        }
        Mode::LogCost => {
            for id in 0..settings.warmup {
                workload::logged_request(id, settings.events).await;
            }
            tokio::time::sleep(settings.pause).await;
            let (mut wall, mut cpu, mut events_wall) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
            let mut id = settings.warmup;
            let end = settings.warmup + settings.requests;
            while id < end {
                let chunk_end = (id + settings.chunk).min(end);
                let (t, c) = (Instant::now(), thread_cpu_time());
                while id < chunk_end {
                    events_wall += workload::logged_request(id, settings.events).await;
                    id += 1;
                }
                wall += t.elapsed();
                cpu += thread_cpu_time().saturating_sub(c);
                tokio::time::sleep(settings.pause).await;
            }
            let all = settings.requests + settings.warmup;
            let timed_events = (settings.requests * settings.events).max(1) as f64;
            out.insert("requests".into(), json!(all));
            out.insert("timed_requests".into(), json!(settings.requests));
            out.insert("spans".into(), json!(all * LOGGED_REQUEST_SPANS));
            out.insert("events".into(), json!(all * settings.events));
            out.insert("app_ns_per_request".into(), json!(wall.as_nanos() as f64 / settings.requests.max(1) as f64));
            out.insert("cpu_ns_per_request".into(), json!(cpu.as_nanos() as f64 / settings.requests.max(1) as f64));
            out.insert("event_ns".into(), json!(events_wall.as_nanos() as f64 / timed_events));
        }
        Mode::LogBurst => {
            let start = Instant::now();
            for id in 0..settings.requests {
                workload::logged_request(id, settings.events).await;
            }
            let elapsed = start.elapsed();
            let events = settings.requests * settings.events;
            out.insert("requests".into(), json!(settings.requests));
            out.insert("spans".into(), json!(settings.requests * LOGGED_REQUEST_SPANS));
            out.insert("events".into(), json!(events));
            out.insert("elapsed_ms".into(), json!(ms(elapsed)));
            out.insert("app_ns_per_event".into(), json!(elapsed.as_nanos() as f64 / events.max(1) as f64));
        }
        Mode::Counter => {
            let counter = meter("otel-bench").u64_counter("bench.adds").build();
            for _ in 0..settings.warmup {
                counter.add(1, &[opentelemetry::KeyValue::new("route", "/checkout")]);
            }
            let (mut wall, mut cpu) = (Duration::ZERO, Duration::ZERO);
            let mut done = 0;
            while done < settings.requests {
                let chunk_end = (done + settings.chunk).min(settings.requests);
                let (t, c) = (Instant::now(), thread_cpu_time());
                while done < chunk_end {
                    // The attribute built at each call, as application code writes it.
                    counter.add(1, &[opentelemetry::KeyValue::new("route", "/checkout")]);
                    done += 1;
                }
                wall += t.elapsed();
                cpu += thread_cpu_time().saturating_sub(c);
            }
            out.insert("adds".into(), json!(settings.requests + settings.warmup));
            out.insert("ns_per_add".into(), json!(wall.as_nanos() as f64 / settings.requests.max(1) as f64));
            out.insert("cpu_ns_per_add".into(), json!(cpu.as_nanos() as f64 / settings.requests.max(1) as f64));
        }
        Mode::FirstExit | Mode::FirstLive => {
            workload::first_span();
            out.insert("spans".into(), json!(1));
            if settings.mode == Mode::FirstLive {
                work_done();
                tokio::time::sleep(Duration::from_secs_f64(settings.secs)).await;
            }
        }
    }
    out.insert("peak_rss_kb".into(), json!(proc_status_kb("VmHWM")));
    if settings.mode != Mode::FirstLive {
        work_done();
    }
    out
}

/// Milliseconds, as a float.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Prints the result line on stdout.
pub fn print_result(side: &str, mut fields: Map<String, Value>) {
    let mut line = Map::new();
    line.insert("side".into(), json!(side));
    line.append(&mut fields);
    println!("{}", Value::Object(line));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_arguments() {
        let args = ["--mode", "rate", "--rate", "3000", "--secs", "2", "--endpoint", "http://x:1"];
        let s = Settings::parse(args.iter().map(|s| s.to_string())).unwrap();
        assert_eq!(s.mode, Mode::Rate);
        assert_eq!(s.rate, 3000.0);
        assert_eq!(s.secs, 2.0);
        assert_eq!(s.endpoint, "http://x:1");
        assert_eq!(s.protocol, "grpc");
        let http = ["--protocol", "http/protobuf"].iter().map(|s| s.to_string());
        assert_eq!(Settings::parse(http).unwrap().protocol, "http/protobuf");
        assert!(Settings::parse(["--protocol".to_string(), "http/json".to_string()]).is_err());
        assert!(Settings::parse(["--bogus".to_string(), "1".to_string()]).is_err());
        assert!(Settings::parse(["--mode".to_string()]).is_err());
        let logs = ["--mode", "log-cost", "--events", "4", "--logs", "on", "--metrics", "off"];
        let s = Settings::parse(logs.iter().map(|s| s.to_string())).unwrap();
        assert_eq!((s.mode, s.events, s.logs, s.metrics), (Mode::LogCost, 4, true, false));
        assert!(Settings::parse(["--logs".to_string(), "yes".to_string()]).is_err());
        for mode in [Mode::LogCost, Mode::LogBurst, Mode::Counter] {
            assert_eq!(Mode::parse(mode.as_str()), Some(mode));
        }
    }

    #[test]
    fn reads_proc_status() {
        assert!(proc_status_kb("VmRSS") > 0);
        assert_eq!(proc_status_kb("NoSuchField"), 0);
    }
}
