//! The report: the markdown table of both sides, its notes, the raw per-run values (`--json`), and the machine
//! it ran on.

use crate::cli::Options;
use serde_json::Value;
use std::time::Instant;

/// One row of the two-sided table.
pub struct Row {
    /// What is measured, and its unit.
    pub figure: String,
    /// The hand-written pipeline's value.
    pub peer: String,
    /// otel's value.
    pub otel: String,
    /// otel ÷ hand-written, or "–".
    pub ratio: String,
    /// The goal, or "–".
    pub goal: String,
    /// Whether otel met it.
    pub met: String,
}

impl Row {
    /// A row with no ratio and no goal.
    pub fn new(figure: impl Into<String>, peer: impl Into<String>, otel: impl Into<String>) -> Row {
        Row {
            figure: figure.into(),
            peer: peer.into(),
            otel: otel.into(),
            ratio: "–".into(),
            goal: "–".into(),
            met: "–".into(),
        }
    }
    /// Sets the ratio column.
    pub fn ratio(mut self, ratio: f64) -> Row {
        self.ratio = if ratio.is_finite() { format!("{ratio:.2}×") } else { "n/a".into() };
        self
    }
    /// Sets the goal and whether it was met (`None`: not measurable).
    pub fn goal(mut self, goal: impl Into<String>, met: Option<bool>) -> Row {
        self.goal = goal.into();
        self.met = match met {
            Some(true) => "yes".into(),
            Some(false) => "**no**".into(),
            None => "n/a".into(),
        };
        self
    }
}

/// A number with `decimals` decimals, "n/a" when not finite.
pub fn fmt_num(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        "n/a".into()
    }
}

/// A share as a percentage, "n/a" when not finite.
pub fn fmt_pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}%", x * 100.0)
    } else {
        "n/a".into()
    }
}

/// A table with one column per side (the comparison with the peers).
pub struct Table {
    /// Its heading.
    pub title: String,
    /// The column names: the figure, each side, then any summary columns.
    pub header: Vec<String>,
    /// Its rows, as many cells as `header`.
    pub rows: Vec<Vec<String>>,
}

/// What the run found: table rows, notes and raw per-run values.
pub struct Report {
    /// The two-sided table, in scenario order.
    pub rows: Vec<Row>,
    /// Notes printed under the tables (also echoed on stderr as they come).
    pub notes: Vec<String>,
    /// Tables of more than two sides (the comparison with the peers), printed after the two-sided one.
    pub tables: Vec<Table>,
    /// Raw per-run values by scenario (`--json`).
    pub raw: serde_json::Map<String, Value>,
}

impl Report {
    /// Adds a note (and prints it on stderr at once).
    pub fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        eprintln!("otel-bench: {note}");
        self.notes.push(note);
    }

    /// Records a scenario's raw per-run values.
    pub fn raw(&mut self, key: &str, value: Value) {
        self.raw.insert(key.to_string(), value);
    }

    /// Prints the report on stdout (markdown).
    pub fn print(&self, options: &Options, started: Instant, load_before: &str) {
        println!();
        println!(
            "## otel-bench results ({} run{} per figure{}, {:.0} s)",
            options.runs,
            if options.runs == 1 { "" } else { "s" },
            if options.quick { ", --quick" } else { "" },
            started.elapsed().as_secs_f64()
        );
        println!();
        println!("{}", machine());
        println!("load average (1, 5, 15 min) before: {load_before}; after: {}", load_average());
        if !options.otel_env.is_empty() {
            let env: Vec<String> = options.otel_env.iter().map(|(k, v)| format!("{k}={v}")).collect();
            println!("otel run with (--otel-env): {}", env.join(" "));
        }
        println!();
        // The two-sided table, unless only many-sided scenarios ran.
        if !self.rows.is_empty() || self.tables.is_empty() {
            println!("| figure | hand-written | otel | ratio (otel ÷ hand-written) | goal | met? |");
            println!("|---|---|---|---|---|---|");
            for r in &self.rows {
                println!("| {} | {} | {} | {} | {} | {} |", r.figure, r.peer, r.otel, r.ratio, r.goal, r.met);
            }
        }
        for table in &self.tables {
            println!();
            println!("### {}", table.title);
            println!();
            println!("| {} |", table.header.join(" | "));
            println!("|{}", "---|".repeat(table.header.len()));
            for row in &table.rows {
                println!("| {} |", row.join(" | "));
            }
        }
        if !self.notes.is_empty() {
            println!();
            for n in &self.notes {
                println!("- {n}");
            }
        }
    }
}

/// `/proc/loadavg`'s first three fields.
pub fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// CPUs, CPU model and RAM of this machine.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, m)| m.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let ram_kb: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:")?.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    format!("machine: {cpus} CPUs, {model}, {:.1} GiB RAM", ram_kb / 1024.0 / 1024.0)
}
