//! `otel-bench`: the benchmark command. Runs every scenario of issue #4 for the hand-written pipeline
//! (`bench-peer`) and for `#[otel::main]` (`bench-otel`), alternating the two, several runs each, against the real
//! collector (rotel) or a faulty one, and prints a markdown table of both sides, the ratios and the goals.
//!
//! It builds nothing: `scripts/bench.sh` builds the release binaries, installs rotel and runs this. The two
//! workload programs are looked up beside this executable (or in `$OTEL_BENCH_BIN_DIR`).
//!
//! ```text
//! otel-bench [all | SCENARIO[,SCENARIO…]] [--quick] [--runs N] [--mem-secs S] [--sustain-secs S] [--json FILE]
//!            [--otel-env KEY=VALUE]
//! scenarios: cost burst exit sustained first memory peers logs metrics
//! ```
//!
//! The files: `cli.rs` (the command line), `child.rs` (running one workload program and reading what it printed),
//! `stats.rs` (medians, per-run ratios), `report.rs` (the tables, notes, raw values, the machine), `wire.rs` (a
//! forwarder that counts the bytes a program sends to the collector), `scenarios/`
//! (one file per scenario, listed in `scenarios/mod.rs`), and this file, which starts the collector, runs the
//! chosen scenarios in order and prints the report.

mod child;
mod cli;
mod report;
mod scenarios;
mod stats;
mod wire;

use child::Bench;
use cli::{usage, Options};
use otel_testkit::{Rotel, RotelVerbosity};
use report::{load_average, Report};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let options = match Options::parse() {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("otel-bench: {e}");
            }
            eprintln!("{}", usage());
            std::process::exit(if e.is_empty() { 0 } else { 2 });
        }
    };
    let bin_dir = std::env::var_os("OTEL_BENCH_BIN_DIR").map(PathBuf::from).unwrap_or_else(|| {
        std::env::current_exe().ok().and_then(|p| p.parent().map(PathBuf::from)).unwrap_or_default()
    });
    let mut programs = vec!["bench-peer", "bench-otel"];
    if options.wants("peers") {
        programs.extend(["bench-ito", "bench-oxtel"]);
    }
    for program in programs {
        if !bin_dir.join(program).is_file() {
            eprintln!(
                "otel-bench: {} not found in {}: build with `cargo build --release -p otel-bench --bins` (scripts/bench.sh does)",
                program,
                bin_dir.display()
            );
            std::process::exit(2);
        }
    }
    let work_dir = std::env::temp_dir().join(format!("otel-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work_dir).expect("cannot create the work directory");
    let bench = Bench { bin_dir, work_dir: work_dir.clone(), otel_env: options.otel_env.clone() };

    let needs_rotel = scenarios::ALL.iter().any(|s| s.needs_rotel && options.wants(s.name));
    let rotel = if needs_rotel {
        match Rotel::start_with(RotelVerbosity::Basic) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("otel-bench: {e}");
                std::process::exit(2);
            }
        }
    } else {
        None
    };
    let load_before = load_average();
    if load_before.split_whitespace().next().and_then(|l| l.parse::<f64>().ok()).is_some_and(|l| l > 1.0) {
        eprintln!(
            "otel-bench: warning: load average {load_before} before the run: other work on this machine skews \
             every figure (the ratios less than the absolute times)"
        );
    }
    let started = Instant::now();
    let mut report = Report { rows: vec![], notes: vec![], tables: vec![], raw: serde_json::Map::new() };
    let cx = scenarios::Context { bench: &bench, rotel: rotel.as_ref(), options: &options };
    for scenario in scenarios::ALL {
        if !options.wants(scenario.name) {
            continue;
        }
        let t = Instant::now();
        eprintln!("otel-bench: scenario {}", scenario.name);
        (scenario.run)(&cx, &mut report);
        eprintln!("otel-bench: scenario {} took {:.1} s", scenario.name, t.elapsed().as_secs_f64());
    }
    report.print(&options, started, &load_before);
    if let Some(path) = &options.json {
        let doc = Value::Object(report.raw.clone());
        if let Err(e) = std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()) {
            eprintln!("otel-bench: cannot write {}: {e}", path.display());
        }
    }
    let _ = std::fs::remove_dir_all(&work_dir);
}
