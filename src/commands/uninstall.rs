//! `uninstall`: remove what `install` created, after showing the plan and asking.

use anyhow::Result;
use serde::Serialize;

use super::connect_fleet;
use crate::cli::{GlobalArgs, UninstallArgs};
use crate::confirm::{Decision, confirm};
use crate::exit::{Exit, ExitError};
use crate::fleet::ClusterError;
use crate::install::remove::{FLAGGER_FINALIZER, RemovalPlan, execute, plan};
use crate::interrupt::{Interrupt, UNTOUCHED};
use crate::output::{print_rows, write_stdout};
use crate::view::table;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UninstallRow {
    pub context: String,
    pub deleted: usize,
    pub status: String,
    pub error: Option<String>,
}

/// What will happen in one cluster.
fn action(plan: &RemovalPlan, force: bool) -> Result<String, String> {
    let finalized = plan.finalized.len();
    if plan.canaries > 0 && !force {
        let held = if finalized > 0 {
            format!(
                " ({finalized} with {FLAGGER_FINALIZER}, which only Flagger removes: without Flagger deleting them would hang)"
            )
        } else {
            String::new()
        };
        return Err(format!(
            "refused: {} Canaries still exist{held}; delete them first or pass --force",
            plan.canaries
        ));
    }
    let mut text = if plan.objects.is_empty() {
        "none: nothing installed by this tool".to_string()
    } else {
        format!("delete {} objects", plan.objects.len())
    };
    let releases = plan.releases();
    if !releases.is_empty() {
        text.push_str(&format!(
            "; releases {FLAGGER_FINALIZER} on {} Canaries ({}) once Flagger's Deployment is gone (their targets are not reverted on deletion after that)",
            releases.len(),
            releases.join(", ")
        ));
    } else if finalized > 0 {
        text.push_str(&format!(
            "; leaves {FLAGGER_FINALIZER} on {finalized} Canaries: the Flagger that owns it was not installed by this tool"
        ));
    }
    Ok(text)
}

pub async fn run(global: &GlobalArgs, args: &UninstallArgs) -> Result<Exit> {
    let fleet = connect_fleet(global).await?;
    let plans = fleet
        .fan_out(global.cluster_timeout, |client, _| async move {
            plan(&client, args.crds).await
        })
        .await;

    let mut plan_cells = Vec::new();
    for outcome in &plans {
        let (objects, canaries, what) = match &outcome.result {
            Ok(p) => (
                p.objects.len().to_string(),
                p.canaries.to_string(),
                action(p, args.force).unwrap_or_else(|e| e),
            ),
            Err(e) => ("-".into(), "-".into(), format!("skipped: {e}")),
        };
        plan_cells.push(vec![outcome.target.context.clone(), objects, canaries, what]);
    }
    eprint!(
        "{}",
        table::render(&["cluster", "objects", "canaries", "action"], &plan_cells)
    );

    let work: Vec<(usize, &RemovalPlan)> = plans
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            o.result
                .as_ref()
                .ok()
                .filter(|p| action(p, args.force).is_ok() && !p.objects.is_empty())
                .map(|p| (i, p))
        })
        .collect();
    if !work.is_empty() {
        let total: usize = work.iter().map(|(_, p)| p.objects.len()).sum();
        let question = format!("Delete {total} objects from {} clusters?", work.len());
        match confirm(&question, global.yes) {
            Decision::Proceed => {}
            Decision::Declined => {
                write_stdout("nothing changed\n")?;
                return Ok(Exit::Failed);
            }
            Decision::NeedsYes => {
                return Err(ExitError::usage(
                    "uninstall needs confirmation: run it in a terminal or pass --yes; nothing was changed",
                )
                .into());
            }
        }
    }

    // Deleting stops for nobody once begun (a half-removed Flagger is worse than either);
    // Ctrl-C only keeps clusters not yet begun untouched.
    let interrupt = Interrupt::on_ctrl_c();
    let results = fleet
        .fan_out(global.cluster_timeout, |client, target| {
            let planned = plans
                .iter()
                .find(|o| o.target.context == target.context)
                .map(|o| &o.result);
            let interrupt = &interrupt;
            // The wait for Flagger's Deployment to go ends a little before fan_out's own
            // timeout, so its message (what was left, what to do) is the one shown.
            let deadline = tokio::time::Instant::now() + global.cluster_timeout
                - (global.cluster_timeout / 10).min(std::time::Duration::from_secs(1));
            async move {
                if interrupt.is_set() {
                    return Err(ClusterError::Interrupted);
                }
                match planned {
                    Some(Ok(p)) if action(p, args.force).is_ok() => execute(&client, p, deadline).await.map(Some),
                    Some(Ok(p)) => Err(ClusterError::Other(action(p, args.force).err().unwrap_or_default())),
                    Some(Err(e)) => Err(e.clone()),
                    None => Ok(None),
                }
            }
        })
        .await;
    let rows: Vec<UninstallRow> = results
        .into_iter()
        .map(|o| match o.result {
            Ok(n) => UninstallRow {
                context: o.target.context,
                deleted: n.unwrap_or(0),
                status: "Done".into(),
                error: None,
            },
            Err(e) => {
                let message = match e {
                    // Cut off mid-way: some objects may be gone already.
                    ClusterError::Timeout(_) => {
                        format!("{e}; some objects may be deleted already: re-run uninstall (it is safe to repeat)")
                    }
                    e => e.to_string(),
                };
                UninstallRow {
                    context: o.target.context,
                    deleted: 0,
                    status: message.clone(),
                    error: Some(message),
                }
            }
        })
        .collect();
    print_rows(global.output, &rows, |_| {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| vec![r.context.clone(), r.deleted.to_string(), r.status.clone()])
            .collect();
        table::render(&["cluster", "deleted", "status"], &cells)
    })?;
    let ok = rows.iter().filter(|r| r.error.is_none()).count();
    let untouched = rows.iter().filter(|r| r.status == UNTOUCHED).count();
    Ok(Exit::after_writes(ok, rows.len(), untouched))
}
