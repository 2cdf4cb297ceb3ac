//! `uninstall`: remove what `install` created, after showing the plan and asking.

use anyhow::Result;

use crate::cli::UninstallArgs;
use crate::confirm::{Decision, confirm};
use crate::engine::setup;
use crate::exit::Exit;
use crate::invocation::Invocation;
use crate::model::setup::{removal_action, uninstall_exit};
use crate::output::{print_rows, write_stdout};
use crate::view::setup::{uninstall_plan_table, uninstall_table};

pub async fn run(inv: &Invocation, args: &UninstallArgs) -> Result<Exit> {
    let source = inv.connect().await?;
    let plans = setup::removal_plans(&source, args.crds, inv.cluster_timeout).await?;
    eprint!("{}", uninstall_plan_table(&plans, args.force));
    let work: Vec<usize> = plans
        .iter()
        .filter_map(|o| o.result.as_ref().ok())
        .filter(|p| removal_action(p, args.force).is_ok() && !p.objects.is_empty())
        .map(|p| p.objects.len())
        .collect();
    if !work.is_empty() {
        let total: usize = work.iter().sum();
        let question = format!("Delete {total} objects from {} clusters?", work.len());
        match confirm(&question, inv.confirm.yes) {
            Decision::Proceed => {}
            Decision::Declined => {
                write_stdout("nothing changed\n")?;
                return Ok(Exit::Failed);
            }
            Decision::NeedsYes => return Err(inv.confirm.needs_yes("uninstall").into()),
        }
    }
    let rows = setup::remove(&source.members, &plans, args.force, inv.cluster_timeout).await;
    print_rows(inv.output, &rows, |_| uninstall_table(&rows))?;
    Ok(uninstall_exit(&rows))
}
