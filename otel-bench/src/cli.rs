//! The runner's command line: which scenarios, how many runs, how long each phase.

use crate::scenarios;
use std::path::PathBuf;

/// The command line, parsed.
pub struct Options {
    /// The scenarios to run (all by default).
    pub scenarios: Vec<String>,
    /// Runs per figure (medians are taken over them).
    pub runs: usize,
    /// `--quick`: fewer runs, shorter phases (for checking the harness).
    pub quick: bool,
    /// Length of the memory run, seconds.
    pub mem_secs: f64,
    /// Span rate of the memory run, spans/s.
    pub mem_rate: f64,
    /// Length of one sustained-rate trial, seconds.
    pub sustain_secs: f64,
    /// Bisection steps of the sustained-rate search after the first failing rate.
    pub bisect_steps: usize,
    /// Timed requests per cost run.
    pub cost_requests: u64,
    /// Pause between the cost run's chunks of 100 requests, ms.
    pub cost_pause_ms: u64,
    /// Where to write the raw per-run values (`--json`).
    pub json: Option<PathBuf>,
    /// Extra environment for the otel program (`--otel-env KEY=VALUE`, repeatable): to measure one of its settings
    /// against its defaults, e.g. `OTEL_TOML_TRACING_LOCATION=false`.
    pub otel_env: Vec<(String, String)>,
}

impl Options {
    /// Parses the process's arguments; `Err("")` for `--help`, `Err(message)` for a bad argument.
    pub fn parse() -> Result<Options, String> {
        Options::parse_from(std::env::args().skip(1))
    }

    /// Parses `args` (without the program's name); see [`Options::parse`].
    pub fn parse_from(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut args: Vec<String> = args.into_iter().collect();
        let quick = args.iter().any(|a| a == "--quick");
        args.retain(|a| a != "--quick");
        let mut o = Options {
            scenarios: scenarios::names().map(str::to_string).collect(),
            runs: if quick { 3 } else { 5 },
            quick,
            mem_secs: if quick { 10.0 } else { 60.0 },
            mem_rate: 10_000.0,
            sustain_secs: if quick { 3.0 } else { 6.0 },
            bisect_steps: if quick { 2 } else { 3 },
            cost_requests: if quick { 4_000 } else { 10_000 },
            cost_pause_ms: 10,
            json: None,
            otel_env: vec![],
        };
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
            match arg.as_str() {
                "all" => {}
                "--runs" => o.runs = value("--runs")?.parse().map_err(|_| "--runs: not a number")?,
                "--mem-secs" => o.mem_secs = value("--mem-secs")?.parse().map_err(|_| "--mem-secs: not a number")?,
                "--mem-rate" => o.mem_rate = value("--mem-rate")?.parse().map_err(|_| "--mem-rate: not a number")?,
                "--sustain-secs" => {
                    o.sustain_secs = value("--sustain-secs")?.parse().map_err(|_| "--sustain-secs: not a number")?
                }
                "--cost-requests" => {
                    o.cost_requests = value("--cost-requests")?.parse().map_err(|_| "--cost-requests: not a number")?
                }
                "--json" => o.json = Some(value("--json")?.into()),
                "--otel-env" => {
                    let pair = value("--otel-env")?;
                    let (k, v) = pair.split_once('=').ok_or("--otel-env: KEY=VALUE")?;
                    o.otel_env.push((k.to_string(), v.to_string()));
                }
                "-h" | "--help" => return Err(String::new()),
                list if !list.starts_with('-') => {
                    let chosen: Vec<String> = list.split(',').map(str::to_string).collect();
                    if let Some(bad) = chosen.iter().find(|s| !scenarios::names().any(|n| n == s.as_str())) {
                        return Err(format!("unknown scenario {bad}"));
                    }
                    o.scenarios = chosen;
                }
                other => return Err(format!("unknown argument {other}")),
            }
        }
        o.runs = o.runs.max(1);
        Ok(o)
    }

    /// Whether `scenario` was chosen.
    pub fn wants(&self, scenario: &str) -> bool {
        self.scenarios.iter().any(|s| s == scenario)
    }
}

/// The usage text, printed on `--help` and after a bad argument.
pub fn usage() -> String {
    let names: Vec<&str> = scenarios::names().collect();
    format!(
        "usage: otel-bench [all | SCENARIO[,SCENARIO...]] [--quick] [--runs N] [--mem-secs S] [--mem-rate SPANS_PER_S] \
         [--sustain-secs S] [--cost-requests N] [--json FILE] [--otel-env KEY=VALUE]\nscenarios: {}",
        names.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse_from(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_scenarios_runs_and_the_otel_environment() {
        let o = parse(&["peers,cost", "--runs", "3", "--otel-env", "OTEL_TOML_TRACING_LOCATION=false"]).unwrap();
        assert_eq!(o.scenarios, ["peers", "cost"]);
        assert!(o.wants("peers") && !o.wants("burst"));
        assert_eq!(o.runs, 3);
        assert_eq!(o.otel_env, [("OTEL_TOML_TRACING_LOCATION".to_string(), "false".to_string())]);
        // Every scenario by default, in the order they run.
        assert_eq!(
            parse(&[]).unwrap().scenarios,
            ["cost", "burst", "exit", "sustained", "first", "memory", "peers", "logs", "metrics"]
        );
        assert_eq!(parse(&["nope"]).err().unwrap(), "unknown scenario nope");
        assert!(parse(&["--otel-env", "NO_EQUALS_SIGN"]).is_err());
        assert!(parse(&["--runs"]).is_err());
        assert_eq!(parse(&["--help"]).err().unwrap(), "");
    }
}
