//! Entry point: parse arguments, run the command, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use kubectl_kurator_rollout::cli::Cli;
use kubectl_kurator_rollout::commands;
use kubectl_kurator_rollout::exit::{Exit, ExitError};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Exit::Failed.into();
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(exit) => exit.into(),
        Err(error) => {
            eprintln!("error: {error:#}");
            match error.downcast_ref::<ExitError>() {
                Some(e) => e.exit.into(),
                None => Exit::Failed.into(),
            }
        }
    }
}
