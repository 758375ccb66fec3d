//! Drives the example apps as child processes: an otel.toml in a fresh directory, commands on stdin, and every
//! line of stdout and stderr collected as it comes, so that tests wait for what the app says, not for time.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// An example's binary (built by `cargo build --examples`, which scripts/test.sh runs first): beside the test's
/// own directory (`target/debug/deps/TEST-HASH` → `target/debug/examples/NAME`), or, when Cargo builds in a
/// `build-dir` of its own, where it puts the final binaries, under `cargo metadata`'s target directory.
pub fn example(name: &str) -> PathBuf {
    let deps = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
    let beside = deps.parent().unwrap().join("examples").join(name);
    if beside.is_file() {
        return beside;
    }
    let bin = target_dir().join("debug/examples").join(name);
    assert!(bin.is_file(), "{} is missing: run `cargo build --examples` (scripts/test.sh does)", bin.display());
    bin
}

/// `cargo metadata`'s target directory: where the final binaries are, whatever the build directory, and where
/// trybuild makes its crate.
pub fn target_dir() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version=1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(output.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("cargo metadata's JSON");
    PathBuf::from(metadata["target_directory"].as_str().expect("target_directory in cargo metadata"))
}

/// A fresh working directory holding `otel.toml` with these contents.
pub fn app_dir(name: &str, toml: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("otel-test-{}-{name}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("otel.toml"), toml).unwrap();
    dir
}

/// otel.toml for gRPC to `endpoint`, fmt off, plus `extra` lines (TOML tables).
pub fn toml(protocol: &str, endpoint: &str, extra: &str) -> String {
    format!(
        "[service]\nname = \"test-app\"\n[exporter]\nprotocol = \"{protocol}\"\nendpoint = \"{endpoint}\"\n[fmt]\nformat = \"off\"\n{extra}"
    )
}

#[derive(Default)]
struct Lines {
    stdout: Vec<String>,
    stderr: Vec<String>,
    open: usize,
}

/// A running example.
pub struct App {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Arc<(Mutex<Lines>, Condvar)>,
    started: Instant,
}

/// Variables of the test environment that would change the app's configuration.
const CLEARED: &[&str] = &[
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_TOML",
    "RUST_LOG",
    "OTEL_SDK_DISABLED",
    "OTEL_TRACES_EXPORTER",
    // A proxy of the developer's machine would reroute the apps' exports (tests/proxy.rs sets its own).
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

impl App {
    /// Starts example `name` in `dir` with these extra variables.
    pub fn spawn(name: &str, dir: &PathBuf, env: &[(&str, &str)]) -> App {
        let mut command = Command::new(example(name));
        command.current_dir(dir).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        for var in CLEARED {
            command.env_remove(var);
        }
        command.envs(env.iter().copied());
        let started = Instant::now();
        let mut child = command.spawn().unwrap();
        let lines = Arc::new((Mutex::new(Lines { open: 2, ..Lines::default() }), Condvar::new()));
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        for (stream, is_err) in [(Box::new(out) as Box<dyn std::io::Read + Send>, false), (Box::new(err), true)] {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut state = lines.0.lock().unwrap();
                    if is_err {
                        state.stderr.push(line)
                    } else {
                        state.stdout.push(line)
                    }
                    lines.1.notify_all();
                }
                lines.0.lock().unwrap().open -= 1;
                lines.1.notify_all();
            });
        }
        App { stdin: child.stdin.take(), child, lines, started }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends one command line.
    pub fn send(&mut self, command: &str) {
        let stdin = self.stdin.as_mut().expect("stdin already closed");
        writeln!(stdin, "{command}").unwrap();
        stdin.flush().unwrap();
    }

    /// Waits for a line of stdout (`err = false`) or stderr containing `needle`; panics with everything the app
    /// said after `timeout`.
    pub fn wait_for(&self, err: bool, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let mut state = self.lines.0.lock().unwrap();
        loop {
            let lines = if err { &state.stderr } else { &state.stdout };
            if let Some(line) = lines.iter().find(|l| l.contains(needle)) {
                return line.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || state.open == 0 {
                panic!(
                    "the app never said {needle:?} on {}; stdout:\n{}\nstderr:\n{}",
                    if err { "stderr" } else { "stdout" },
                    state.stdout.join("\n"),
                    state.stderr.join("\n")
                );
            }
            state = self.lines.1.wait_timeout(state, left).unwrap().0;
        }
    }

    /// How many lines the app printed so far on stdout (`err = false`) or stderr: a mark for
    /// [`App::wait_for_after`] and [`App::lines_from`].
    pub fn line_count(&self, err: bool) -> usize {
        let state = self.lines.0.lock().unwrap();
        if err {
            state.stderr.len()
        } else {
            state.stdout.len()
        }
    }

    /// The lines of stdout (`err = false`) or stderr from index `from` on.
    pub fn lines_from(&self, err: bool, from: usize) -> Vec<String> {
        let state = self.lines.0.lock().unwrap();
        let lines = if err { &state.stderr } else { &state.stdout };
        lines.get(from..).unwrap_or_default().to_vec()
    }

    /// Like [`App::wait_for`], but only lines from index `from` on count (a mark from [`App::line_count`]), so a
    /// message the app prints again and again is waited for anew. Returns the line's index and the line.
    pub fn wait_for_after(&self, err: bool, from: usize, needle: &str, timeout: Duration) -> (usize, String) {
        let deadline = Instant::now() + timeout;
        let mut state = self.lines.0.lock().unwrap();
        loop {
            let lines = if err { &state.stderr } else { &state.stdout };
            if let Some((i, line)) = lines.iter().enumerate().skip(from).find(|(_, l)| l.contains(needle)) {
                return (i, line.clone());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || state.open == 0 {
                panic!(
                    "the app never said {needle:?} on {} after line {from} (within {timeout:?}); stdout:\n{}\nstderr:\n{}",
                    if err { "stderr" } else { "stdout" },
                    tail(&state.stdout),
                    tail(&state.stderr)
                );
            }
            state = self.lines.1.wait_timeout(state, left).unwrap().0;
        }
    }

    /// Sends `command` and waits for the stdout line it answers with (containing `reply`).
    pub fn ask(&mut self, command: &str, reply: &str) -> String {
        let before = self.lines.0.lock().unwrap().stdout.len();
        self.send(command);
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut state = self.lines.0.lock().unwrap();
        loop {
            if let Some(line) = state.stdout[before..].iter().find(|l| l.contains(reply)) {
                return line.clone();
            }
            assert!(
                Instant::now() < deadline && state.open > 0,
                "no reply {reply:?} to {command:?}: {:?}",
                state.stderr
            );
            state = self.lines.1.wait_timeout(state, Duration::from_secs(1)).unwrap().0;
        }
    }

    /// Asks `health` until the pipeline counts `exported` spans as exported, i.e. until their exports were answered
    /// (a collector logs a batch before it answers, so "the collector has them" is not "the app knows"). Panics at
    /// `timeout`.
    pub fn wait_exported(&mut self, exported: u64, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let needle = format!(" exported={exported} ");
        loop {
            let line = self.ask("health", "health ");
            if line.contains(&needle) {
                return;
            }
            assert!(Instant::now() < deadline, "the app never counted exported={exported}: {line}");
        }
    }

    /// Closes stdin (the app returns from `main`) and waits for the exit: status, time since spawn, stderr.
    pub fn finish(mut self) -> Finished {
        self.stdin.take();
        self.wait()
    }

    /// Waits for the exit without closing stdin (after `exit`, `panic` or a signal).
    pub fn wait(mut self) -> Finished {
        let status = self.child.wait().unwrap();
        let elapsed = self.started.elapsed();
        let state = self.lines.0.lock().unwrap();
        let state = self.lines.1.wait_timeout_while(state, Duration::from_secs(10), |s| s.open > 0).unwrap().0;
        Finished { status, elapsed, stdout: state.stdout.join("\n"), stderr: state.stderr.join("\n") }
    }

    /// Sends a signal (`TERM`, `INT`) with kill(1).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill").arg(format!("-{name}")).arg(self.pid().to_string()).status().unwrap();
        assert!(status.success());
    }

    /// The time since the app was spawned.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// The last 60 lines, for failure messages of long runs.
fn tail(lines: &[String]) -> String {
    lines[lines.len().saturating_sub(60)..].join("\n")
}

/// How an app ended.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub elapsed: Duration,
    pub stdout: String,
    pub stderr: String,
}

/// The figures of an `otel summary:` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub ended: u64,
    pub exported: u64,
    pub failed: u64,
    pub dropped: u64,
}

impl Finished {
    /// The shutdown summary line's figures (panics when there is none); checks that they add up.
    pub fn summary(&self) -> Summary {
        let line = self
            .stderr
            .lines()
            .find(|l| l.starts_with("otel summary: "))
            .unwrap_or_else(|| panic!("no summary line in stderr:\n{}", self.stderr));
        let field = |name: &str| -> u64 {
            let start = line.find(&format!("{name}=")).unwrap() + name.len() + 1;
            line[start..].split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
        };
        let summary = Summary {
            ended: field("ended"),
            exported: field("exported"),
            failed: field("failed"),
            dropped: field("dropped"),
        };
        assert_eq!(summary.ended, summary.exported + summary.failed + summary.dropped, "{line}");
        summary
    }
}
