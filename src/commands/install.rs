//! `install`: Flagger (and the load tester) into every member, idempotently — or, under a
//! Kurator Fleet, through the Fleet's plugin (`engine::setup` decides which).

use anyhow::Result;

use crate::cli::InstallArgs;
use crate::engine::setup::{self, InstallPreview, Installed};
use crate::exit::Exit;
use crate::invocation::{Invocation, show_progress};
use crate::output::{print_objects, print_rows};
use crate::view::setup::{install_table, manifests_stream, member_ready_table, plugin_change, plugin_set};

pub async fn run(inv: &Invocation, args: &InstallArgs) -> Result<Exit> {
    let source = inv.connect().await?;
    if args.dry_run {
        // Exits as the install would (README "Exit codes"): a refused or unreachable cluster
        // counts, and is said on stderr; stdout has the manifests of the others.
        return match setup::preview_install(&source, args).await? {
            InstallPreview::Manifests { members, refused, exit } => {
                for (context, why) in &refused {
                    eprintln!("error: {context}: {why}");
                }
                let objects: Vec<_> = members.iter().flat_map(|(_, _, o)| o.iter().cloned()).collect();
                print_objects(inv.output, &objects, || manifests_stream(&members))?;
                Ok(exit)
            }
            InstallPreview::Hub(change) => {
                print_rows(inv.output, std::slice::from_ref(&change), |_| plugin_change(&change))?;
                Ok(Exit::Success)
            }
        };
    }
    match setup::install(&source, args, show_progress()).await? {
        Installed::Members { rows, exit } => {
            print_rows(inv.output, &rows, |_| install_table(&rows))?;
            Ok(exit)
        }
        Installed::Hub { change, rows, exit } => {
            eprint!("{}", plugin_set(&change));
            print_rows(inv.output, &rows, |_| member_ready_table(&rows))?;
            Ok(exit)
        }
    }
}
