//! `apply`: render each policy for each member and server-side apply it, or, under a Kurator
//! Fleet, apply the Applications to the hub (`engine::policies` decides which).

use anyhow::Result;

use crate::cli::ApplyArgs;
use crate::engine::inputs::{policies_or_report, read_inputs, render_options};
use crate::engine::policies::{self, ApplyRequest};
use crate::exit::Exit;
use crate::invocation::Invocation;
use crate::model::policy::Applied;
use crate::output::{print_rows, write_stdout};
use crate::view::policies::{apply_table, dry_run_diffs, hub_table, kurator_report};

pub async fn run(inv: &Invocation, args: &ApplyArgs) -> Result<Exit> {
    let inputs = read_inputs(&args.policies)?;
    let policies = match policies_or_report(&inputs, args.policies.policy_name.as_deref()) {
        Ok(p) => p,
        Err(exit) => return Ok(exit),
    };
    let source = inv.connect().await?;
    if let Some(facts) = policies::kurator_facts(&source).await {
        eprint!("{}", kurator_report(&policies, &facts));
    }
    let request = ApplyRequest {
        inputs: &inputs,
        policies: &policies,
        options: render_options(&args.gates),
        cluster_names: &args.cluster_name,
        dry_run: args.dry_run,
        force_conflicts: args.force_conflicts,
        timeout: inv.cluster_timeout * 3,
    };
    let applied = policies::apply(&source, &request).await?;
    match &applied {
        Applied::Members(rows) => {
            if args.dry_run && inv.output.is_table() {
                write_stdout(&dry_run_diffs(rows))?;
            }
            print_rows(inv.output, rows, |_| apply_table(rows))?;
        }
        Applied::Hub(rows) => print_rows(inv.output, rows, |_| hub_table(rows))?,
    }
    Ok(applied.exit())
}
