//! `main` may return whatever a `main` may return. Compile-only, like `all_arguments.rs`.
#![deny(warnings)]

use std::process::{ExitCode, Termination};

mod exit_code {
    #[otel::main]
    pub async fn main() -> super::ExitCode {
        super::ExitCode::SUCCESS
    }
}

mod termination {
    #[otel::main(flavor = "current_thread")]
    pub async fn main() -> impl super::Termination {}
}

mod never {
    #[otel::main]
    pub fn main() -> ! {
        std::process::exit(0)
    }
}

mod boxed_error {
    #[otel::main]
    pub async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        Err("failed".into())
    }
}

fn main() {
    let _: fn() -> ExitCode = exit_code::main;
    let _ = termination::main;
    let _: fn() -> ! = never::main;
    let _: fn() -> Result<(), Box<dyn std::error::Error + Send + Sync>> = boxed_error::main;
}
