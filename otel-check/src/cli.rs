//! The command line: `otel-check config [--json | --to-yaml]`, `otel-check ping`, `--help`, and the options that
//! stand in for `#[otel::main]`'s arguments (`--config`, `--service`).

use std::path::PathBuf;

/// What to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Print the effective configuration and every warning.
    Config {
        /// How: text, JSON or the declarative file.
        format: Format,
    },
    /// Check the collector endpoint of every exported signal (a test span for traces).
    Ping,
    /// Print the usage.
    Help,
}

/// What `otel-check config` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `key = value` lines, then the resource and the warnings (no option).
    Text,
    /// One JSON object (`--json`).
    Json,
    /// The equivalent declarative configuration file, file format 1.x (`--to-yaml`); the warnings go to stderr,
    /// so that stdout is the file alone.
    DeclarativeYaml,
}

/// A parsed command line.
///
/// ```
/// use otel_check::cli::{Command, Format};
/// let cli = otel_check::cli::parse(["config", "--json", "--config", "deploy/otel.toml"]).unwrap();
/// assert_eq!(cli.command, Command::Config { format: Format::Json });
/// assert_eq!(cli.config_file, Some("deploy/otel.toml".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cli {
    /// The command.
    pub command: Command,
    /// `--config PATH`: what the app's `#[otel::main(config = "PATH")]` names (relative to the working
    /// directory, as at run time).
    pub config_file: Option<PathBuf>,
    /// `--service NAME`: the app's `#[otel::main(service = "NAME")]`.
    pub service: Option<String>,
}

/// The usage text, printed by `--help` and after a usage error.
pub const USAGE: &str = "\
otel-check: checks the configuration of an app built with #[otel::main], and its collector.

Usage:
  otel-check config [--json | --to-yaml] [--config PATH] [--service NAME]
      Loads the configuration exactly as the app would if started here, in this directory with this
      environment (otel.toml, OTEL_* and OTEL_TOML_* variables; or, when OTEL_CONFIG_FILE is set, the
      declarative file it names alone), and prints the effective values and every warning. --json prints one
      JSON object keyed like otel.toml; durations are milliseconds, header values are redacted,
      signals.<traces|logs|metrics> says whether each signal is exported, its protocol and the exact URL it is
      sent to, resource is every attribute sent, file_format says what file was read.
      --to-yaml prints the equivalent OpenTelemetry declarative configuration file (file format 1.0, for
      OTEL_CONFIG_FILE); secrets become ${VAR} references its first lines list; warnings go to stderr.
  otel-check ping [--config PATH] [--service NAME]
      Checks the endpoint of every signal sent to a collector: one test span (named \"otel-check ping\") for
      traces, one export request for logs and metrics; reports each round trip, or exactly why it failed.
  otel-check --help

Options standing in for the app's #[otel::main] arguments:
  --config PATH    the app's `config = \"PATH\"` (relative to this directory, as at run time)
                   (a .yaml or .yml PATH is a declarative configuration file, as OTEL_CONFIG_FILE's)
  --service NAME   the app's `service = \"NAME\"` (the default service.name, below otel.toml and OTEL_*)
  The app also sends its crate version as service.version and falls back to its crate name for service.name:
  otel-check cannot know them, so it shows service.version only when otel.toml or the environment sets it.

Exit status:
  0 ok · 1 invalid configuration · 2 usage error · 3 connection refused · 4 DNS lookup failed
  5 TLS error · 6 timeout · 7 HTTP error status · 8 gRPC error status · 9 other failure (rejected, transport)
";

/// A usage error: the message (the caller prints [`USAGE`] after it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

/// Parses the arguments after the program name.
///
/// ```
/// use otel_check::cli::{parse, Command, Format};
/// assert_eq!(parse(["ping"]).unwrap().command, Command::Ping);
/// assert_eq!(parse(["--help"]).unwrap().command, Command::Help);
/// assert_eq!(parse(["config", "--to-yaml"]).unwrap().command, Command::Config { format: Format::DeclarativeYaml });
/// assert!(parse(["config", "--yaml"]).is_err());
/// assert!(parse(["config", "--json", "--to-yaml"]).is_err());
/// assert!(parse(["ping", "--to-yaml"]).is_err());
/// assert!(parse(Vec::<String>::new()).is_err());
/// ```
pub fn parse<I, S>(args: I) -> Result<Cli, UsageError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut args = args.into_iter().map(Into::into);
    let mut command = None;
    let mut json = false;
    let mut to_yaml = false;
    let mut cli = Cli { command: Command::Help, config_file: None, service: None };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next().filter(|v| !v.is_empty()).ok_or_else(|| UsageError(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "-h" | "--help" | "help" => return Ok(Cli { command: Command::Help, ..cli }),
            "--json" => json = true,
            "--to-yaml" => to_yaml = true,
            "--config" => cli.config_file = Some(value("--config")?.into()),
            "--service" => cli.service = Some(value("--service")?),
            "config" | "ping" if command.is_none() => command = Some(arg),
            other if other.starts_with('-') => return Err(UsageError(format!("unknown option `{other}`"))),
            other => return Err(UsageError(format!("unknown command `{other}`; expected `config` or `ping`"))),
        }
    }
    cli.command = match command.as_deref() {
        Some("config") => match (json, to_yaml) {
            (true, true) => return Err(UsageError("--json and --to-yaml exclude each other".into())),
            (true, false) => Command::Config { format: Format::Json },
            (false, true) => Command::Config { format: Format::DeclarativeYaml },
            (false, false) => Command::Config { format: Format::Text },
        },
        Some(_) if json => return Err(UsageError("--json applies to `config` only".into())),
        Some(_) if to_yaml => return Err(UsageError("--to-yaml applies to `config` only".into())),
        Some(_) => Command::Ping,
        None => return Err(UsageError("no command; expected `config` or `ping`".into())),
    };
    Ok(cli)
}
