//! The scenarios, one file each. A scenario is a function that runs the workload programs (through
//! [`Context::bench`]) and adds rows, notes and raw values to the [`Report`]; [`ALL`] lists them in the order they
//! run and print. Adding one is a new file here and one entry in [`ALL`]; the command line learns its name from
//! there. `variants.rs` holds what the logs and metrics scenarios share (sides with extra arguments or environment,
//! and their many-column table).

use crate::child::Bench;
use crate::cli::Options;
use crate::report::Report;
use otel_testkit::Rotel;

mod burst;
mod cost;
mod exit;
mod first;
mod logs;
mod memory;
mod metrics;
mod peers;
mod sustained;
mod variants;

/// What a scenario runs with.
pub struct Context<'a> {
    /// Runs the workload programs.
    pub bench: &'a Bench,
    /// The real collector, started when a chosen scenario needs it.
    pub rotel: Option<&'a Rotel>,
    /// The command line.
    pub options: &'a Options,
}

impl Context<'_> {
    /// The collector; only called by scenarios whose entry says `needs_rotel` (the runner starts it for them).
    pub fn rotel(&self) -> &Rotel {
        self.rotel.expect("rotel is started for every scenario that needs it")
    }
}

/// One scenario: its name on the command line, whether it needs the real collector, and the function that runs it.
pub struct Scenario {
    /// Its name on the command line.
    pub name: &'static str,
    /// The runner starts rotel when a chosen scenario needs it.
    pub needs_rotel: bool,
    /// Runs it and adds its figures to the report.
    pub run: fn(&Context, &mut Report),
}

/// Every scenario, in the order they run (and their rows print).
pub const ALL: &[Scenario] = &[
    Scenario { name: "cost", needs_rotel: true, run: cost::run },
    Scenario { name: "burst", needs_rotel: true, run: burst::run },
    Scenario { name: "exit", needs_rotel: false, run: exit::run },
    Scenario { name: "sustained", needs_rotel: true, run: sustained::run },
    Scenario { name: "first", needs_rotel: true, run: first::run },
    Scenario { name: "memory", needs_rotel: false, run: memory::run },
    Scenario { name: "peers", needs_rotel: true, run: peers::run },
    Scenario { name: "logs", needs_rotel: true, run: logs::run },
    Scenario { name: "metrics", needs_rotel: true, run: metrics::run },
];

/// The scenarios' names, in order.
pub fn names() -> impl Iterator<Item = &'static str> {
    ALL.iter().map(|s| s.name)
}
