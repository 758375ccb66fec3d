//! `otel-check`: the first thing to run when spans do not show up. `otel-check config` prints the configuration
//! an app built with `#[otel::main]` would use if started in the same directory with the same environment
//! (`--to-yaml`: as the equivalent declarative configuration file, for `OTEL_CONFIG_FILE`);
//! `otel-check ping` checks the collector endpoint of every exported signal (a test span for traces) and says how
//! that went. Install it with `cargo install otel-main-check`; `otel-check --help` lists its options and exit
//! statuses.
//!
//! # Not a public API
//!
//! This library is the binary's implementation, a library only so that its integration tests and doc tests can
//! drive it: `cli` reads the command line, `report` loads and renders the configuration, `ping` runs the ping,
//! `exit` names the exit statuses. Its modules are doc-hidden and carry no stability promise (their types are not
//! `#[non_exhaustive]`, and any of them may change in any release); what is stable is the command line, its
//! output formats (`config --json` keyed like otel.toml) and its exit statuses. Programs that need the
//! configuration use `otel::config` (the `otel-main-config` crate) instead.

#![warn(missing_docs)]

#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod exit;
#[doc(hidden)]
pub mod ping;
#[doc(hidden)]
pub mod report;
