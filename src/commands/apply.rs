//! `apply`: render each policy for each member and server-side apply it, or, under a Kurator
//! Fleet, apply the Applications to the hub (`engine::policies` decides which). An apply that
//! changes a canary whose run is under way shows what it does to the run and asks first.

use anyhow::Result;

use crate::cli::ApplyArgs;
use crate::confirm::Decision;
use crate::engine::inputs::{gate_choice, policies_or_report, read_inputs};
use crate::engine::policies::{self, ApplyPlan, ApplyRequest};
use crate::exit::Exit;
use crate::invocation::Invocation;
use crate::model::policy::Applied;
use crate::output::{notice, print_rows, write_stdout};
use crate::view::policies::{apply_table, dry_run_diffs, hub_table, kurator_report, run_change_table};

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
        gates: gate_choice(&args.gates),
        cluster_names: &args.naming.cluster_name,
        dry_run: args.dry_run,
        force_conflicts: args.force_conflicts,
        timeout: inv.cluster_timeout * 3,
    };
    let plan = policies::plan(&source, &request).await?;
    if let Some(exit) = confirm_run_changes(inv, args, &plan)? {
        return Ok(exit);
    }
    let applied = policies::apply(&source, &request, plan).await?;
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

/// Canaries whose run is under way and that the apply changes: the plan rows (on stdout in a
/// dry run, which then goes on to show the rest), and a confirmation as `promote` asks it.
/// Some exit when the apply must not go on.
fn confirm_run_changes(inv: &Invocation, args: &ApplyArgs, plan: &ApplyPlan) -> Result<Option<Exit>> {
    // Ctrl-C while reading: nothing will be written (every cluster is reported untouched), so
    // there is nothing to ask about.
    if plan.run_changes.is_empty() || plan.interrupted() {
        return Ok(None);
    }
    let table = run_change_table(&plan.run_changes);
    if args.dry_run {
        // Machine output keeps stdout to its rows (members' rows carry `runChange`).
        if inv.output.is_table() {
            write_stdout(&table)?;
        } else {
            eprint!("{table}");
        }
        return Ok(None);
    }
    eprint!("{table}");
    let clusters = plan.run_changes.iter().map(|r| r.cluster.as_str());
    let question = format!(
        "Change {} run{} under way as shown?",
        plan.run_changes.len(),
        if plan.run_changes.len() == 1 { "" } else { "s" }
    );
    match inv.confirm.ask(&question, clusters) {
        Decision::Proceed => Ok(None),
        Decision::Declined => {
            notice(inv.output, "not confirmed: nothing changed\n")?;
            Ok(Some(Exit::Failed))
        }
        Decision::NeedsYes => Err(inv.confirm.needs_yes("apply over a run under way").into()),
    }
}
