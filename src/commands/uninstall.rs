//! `uninstall`: remove what `install` created, after showing the plan and asking — from each
//! member, or, under a Kurator Fleet, the Fleet's Flagger plugin (`engine::setup` decides).

use anyhow::Result;

use crate::cli::UninstallArgs;
use crate::confirm::Decision;
use crate::engine::setup::{self, Removal};
use crate::exit::Exit;
use crate::fleet::ClusterOutcome;
use crate::fleet::source::FleetSource;
use crate::install::remove::RemovalPlan;
use crate::invocation::Invocation;
use crate::model::setup::{PluginRemoval, RemovalPlanRow, removal_action, uninstall_exit};
use crate::model::words::counted;
use crate::output::{notice, print_rows};
use crate::view::setup::{plugin_removal, plugin_removed, uninstall_plan_table, uninstall_table};

pub async fn run(inv: &Invocation, args: &UninstallArgs) -> Result<Exit> {
    let source = inv.connect().await?;
    match setup::plan_removal(&source, args.crds, inv.cluster_timeout).await? {
        Removal::Members(plans) => from_members(inv, args, &source, &plans).await,
        Removal::Hub(removal) => from_fleet(inv, args, &source, &removal).await,
    }
}

/// Whether the person said yes, asked as every change is (`ConfirmPolicy`: the typed number of
/// clusters when several are touched or one is `--protected`); a no is reported here, no
/// terminal without `--yes` is an error.
fn confirmed<'a>(inv: &Invocation, question: &str, clusters: impl IntoIterator<Item = &'a str>) -> Result<bool> {
    match inv.confirm.ask(question, clusters) {
        Decision::Proceed => Ok(true),
        Decision::Declined => {
            notice(inv.output, "nothing changed\n")?;
            Ok(false)
        }
        Decision::NeedsYes => Err(inv.confirm.needs_yes("uninstall").into()),
    }
}

async fn from_members(
    inv: &Invocation,
    args: &UninstallArgs,
    source: &FleetSource,
    plans: &[ClusterOutcome<RemovalPlan>],
) -> Result<Exit> {
    let plan = uninstall_plan_table(plans, args.force);
    if args.dry_run {
        let rows: Vec<RemovalPlanRow> = plans.iter().map(|p| RemovalPlanRow::of(p, args.force)).collect();
        print_rows(inv.output, &rows, |_| plan.clone())?;
        // Exits as the run would (README "Exit codes"): a refused or unreachable cluster counts.
        let doable = plans
            .iter()
            .filter(|o| o.result.as_ref().is_ok_and(|p| removal_action(p, args.force).is_ok()))
            .count();
        return Ok(Exit::from_counts(doable, plans.len()));
    }
    eprint!("{plan}");
    let work: Vec<(&str, usize)> = plans
        .iter()
        .filter_map(|o| o.result.as_ref().ok().map(|p| (o.target.context.as_str(), p)))
        .filter(|(_, p)| removal_action(p, args.force).is_ok() && !p.objects.is_empty())
        .map(|(cluster, p)| (cluster, p.objects.len()))
        .collect();
    if !work.is_empty() {
        let total: usize = work.iter().map(|(_, n)| n).sum();
        let question = format!(
            "Delete {} from {}?",
            counted(total, "object", "objects"),
            counted(work.len(), "cluster", "clusters")
        );
        if !confirmed(inv, &question, work.iter().map(|(cluster, _)| *cluster))? {
            return Ok(Exit::Failed);
        }
    }
    let rows = setup::remove(&source.members, plans, args.force, inv.cluster_timeout).await;
    print_rows(inv.output, &rows, |_| uninstall_table(&rows))?;
    Ok(uninstall_exit(&rows))
}

async fn from_fleet(
    inv: &Invocation,
    args: &UninstallArgs,
    source: &FleetSource,
    removal: &PluginRemoval,
) -> Result<Exit> {
    let plan = plugin_removal(removal, args.force);
    let refused = removal.refusal(args.force).is_some();
    if args.dry_run {
        print_rows(inv.output, std::slice::from_ref(removal), |_| plan.clone())?;
        // Exits as the run would (README "Exit codes").
        return Ok(if refused { Exit::Failed } else { Exit::Success });
    }
    eprint!("{plan}");
    if refused {
        return Ok(Exit::Failed);
    }
    if removal.change.result == "unchanged" {
        notice(inv.output, "nothing changed: the Fleet has no Flagger plugin\n")?;
        return Ok(Exit::Success);
    }
    let question = format!(
        "Remove Flagger from Fleet {} ({})?",
        removal.change.fleet,
        counted(source.members.len(), "member", "members")
    );
    if !confirmed(inv, &question, source.member_names().iter().map(String::as_str))? {
        return Ok(Exit::Failed);
    }
    let change = setup::remove_plugin(source).await?;
    print_rows(inv.output, std::slice::from_ref(&change), |_| plugin_removed(&change))?;
    Ok(Exit::Success)
}
