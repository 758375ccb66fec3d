//! `otel-check`: the first thing to run when spans do not show up. `otel-check config` prints the configuration
//! an app built with `#[otel::main]` would use if started in the same directory with the same environment
//! (`--to-yaml`: as the equivalent declarative configuration file, for `OTEL_CONFIG_FILE`);
//! `otel-check ping` checks the collector endpoint of every exported signal (a test span for traces) and says how
//! that went.
//!
//! The binary is a thin shell around this library: [`cli`] reads the command line, [`report`] loads and
//! renders the configuration, [`ping`] runs the ping, [`exit`] names the exit statuses.

pub mod cli;
pub mod exit;
pub mod ping;
pub mod report;
