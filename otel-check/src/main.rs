//! `otel-check config [--json | --to-yaml]` and `otel-check ping`: see `otel-check --help`, and the README's "When spans
//! do not show up" section.

use otel_check::{cli, exit, ping, report};

fn main() {
    std::process::exit(run());
}

fn run() -> i32 {
    let cli = match cli::parse(std::env::args().skip(1)) {
        Ok(cli) => cli,
        Err(cli::UsageError(message)) => {
            eprintln!("otel-check: {message}\n\n{}", cli::USAGE);
            return exit::USAGE;
        }
    };
    if cli.command == cli::Command::Help {
        print!("{}", cli::USAGE);
        return exit::OK;
    }
    let loaded = match report::load(&cli) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("{error}");
            return exit::CONFIG;
        }
    };
    match cli.command {
        cli::Command::Config { format: cli::Format::Json } => {
            println!("{}", serde_json::to_string_pretty(&report::json(&loaded)).expect("JSON"));
            exit::OK
        }
        cli::Command::Config { format: cli::Format::Text } => {
            print!("{}", report::text(&loaded));
            exit::OK
        }
        cli::Command::Config { format: cli::Format::DeclarativeYaml } => {
            // stdout is the file alone (to redirect into otel.yaml); the warnings go to stderr.
            for warning in report::warnings(&loaded) {
                eprintln!("{warning}");
            }
            print!("{}", report::declarative_yaml(&loaded));
            exit::OK
        }
        cli::Command::Ping => {
            for warning in report::warnings(&loaded) {
                eprintln!("{warning}");
            }
            let outcome = ping::run(&loaded.config);
            for line in outcome.lines {
                match line {
                    Ok(line) => println!("{line}"),
                    Err(lines) => eprintln!("{lines}"),
                }
            }
            outcome.code
        }
        cli::Command::Help => exit::OK,
    }
}
