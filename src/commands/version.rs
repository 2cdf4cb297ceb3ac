//! `version`: the plugin's version.

use anyhow::Result;

use crate::cli::VersionArgs;
use crate::exit::Exit;
use crate::output::write_stdout;

pub fn run(args: &VersionArgs) -> Result<Exit> {
    let version = env!("CARGO_PKG_VERSION");
    if args.short {
        write_stdout(&format!("v{version}\n"))?;
    } else {
        write_stdout(&format!("kubectl-kurator-rollout v{version}\n"))?;
    }
    Ok(Exit::Success)
}
