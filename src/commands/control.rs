//! `promote`, `abort`, `pause`, `resume`, `retry`: a plan per cluster, a confirmation, then the
//! action everywhere at once, with a result per cluster.

use anyhow::Result;
use serde::Serialize;

use super::connect_fleet;
use crate::cli::{ControlArgs, GlobalArgs};
use crate::confirm::{Decision, confirm};
use crate::engine::control::{Step, Verb, execute, owner_warning, plan};
use crate::engine::live::read::read_members;
use crate::exit::{Exit, ExitError};
use crate::fleet::ClusterError;
use crate::interrupt::Interrupt;
use crate::model::action_row::{self, ActionRow};
use crate::output::{print_rows, write_stdout};
use crate::view::table;

#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    pub cluster: String,
    pub canary: String,
    pub phase: String,
    pub step: Step,
    pub warning: Option<String>,
    #[serde(skip)]
    pub cluster_index: usize,
}

fn plan_table(rows: &[PlanRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.cluster.clone(),
                r.canary.clone(),
                r.phase.clone(),
                r.step.describe(),
                r.warning.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table::render(&["cluster", "canary", "phase", "action", "warning"], &cells)
}

/// Reads the canaries and plans the verb in every cluster.
pub async fn make_plan(
    global: &GlobalArgs,
    args: &ControlArgs,
    verb: Verb,
    fleet: &crate::fleet::Fleet,
) -> Result<Vec<PlanRow>> {
    if args.name.is_none() && args.selector.is_none() {
        return Err(ExitError::usage(format!("{} needs a canary NAME or -l SELECTOR", verb.name())).into());
    }
    let default_ns = fleet
        .clusters
        .first()
        .map(|c| c.target.namespace.clone())
        .unwrap_or_else(|| "default".into());
    let scope = crate::invocation::Invocation::from_global(global)?.scope(
        args.name.as_deref(),
        args.selector.as_deref(),
        &default_ns,
    );
    let state = read_members(fleet, &scope, global.cluster_timeout).await;
    let mut rows = Vec::new();
    for r in state.rows() {
        let index = state.clusters.iter().position(|c| c == &r.cluster).unwrap_or(0);
        let canary = format!("{}/{}", r.namespace, r.name);
        let (step, warning) = match (state.canary(index, &r.namespace, &r.name), &r.error) {
            (Some(c), _) => {
                let step = plan(verb, c);
                let spec_change = matches!(step, Step::SkipAnalysis | Step::Suspend { .. });
                (step, owner_warning(c).filter(|_| spec_change))
            }
            (None, Some(e)) => (Step::Impossible { reason: e.clone() }, None),
            (None, None) => (
                Step::Impossible {
                    reason: "not found".into(),
                },
                None,
            ),
        };
        rows.push(PlanRow {
            cluster: r.cluster.clone(),
            canary,
            phase: r.phase.clone(),
            step,
            warning,
            cluster_index: index,
        });
    }
    Ok(rows)
}

pub async fn run(global: &GlobalArgs, args: &ControlArgs, verb: Verb, keep_skip: bool) -> Result<Exit> {
    // Under Kurator the spec switches live in the hub Application; gates stay per member.
    if let (Some(_), Some(name), false) = (&global.fleet, &args.name, args.dry_run) {
        let switch = match verb {
            Verb::Pause => Some(("suspend", true)),
            Verb::Resume => Some(("suspend", false)),
            Verb::PromoteFull => Some(("skipTrafficAnalysis", true)),
            _ => None,
        };
        if let Some((field, value)) = switch {
            if !global.yes && !crate::confirm::interactive() {
                return Err(ExitError::usage(format!(
                    "{} needs confirmation: run it in a terminal or pass --yes; nothing was changed",
                    verb.name()
                ))
                .into());
            }
            if let Decision::Declined = confirm(
                &format!("{} {name} through the hub Application?", verb.name()),
                global.yes,
            ) {
                write_stdout("not confirmed: nothing changed\n")?;
                return Ok(Exit::Failed);
            }
            let _ = keep_skip;
            return super::hub::set_policy_switch(global, name, field, value).await;
        }
    }
    let fleet = connect_fleet(global).await?;
    let rows = make_plan(global, args, verb, &fleet).await?;
    if rows.iter().all(|r| r.phase.is_empty()) {
        eprint!("{}", plan_table(&rows));
        return Ok(Exit::NothingMatched);
    }
    if args.dry_run {
        print_rows(global.output, &rows, |_| plan_table(&rows))?;
        return Ok(Exit::Success);
    }
    eprint!("{}", plan_table(&rows));
    let acting: Vec<&PlanRow> = rows.iter().filter(|r| r.step.acts()).collect();
    if !acting.is_empty() {
        let clusters: std::collections::BTreeSet<&str> = acting.iter().map(|r| r.cluster.as_str()).collect();
        let question = format!(
            "{} {} canar{} in {} cluster{}?",
            verb.name(),
            acting.len(),
            if acting.len() == 1 { "y" } else { "ies" },
            clusters.len(),
            if clusters.len() == 1 { "" } else { "s" }
        );
        let decision = crate::invocation::Invocation::from_global(global)?
            .confirm
            .ask(&question, clusters.iter().copied());
        match decision {
            Decision::Proceed => {}
            Decision::Declined => {
                write_stdout("not confirmed: nothing changed\n")?;
                return Ok(Exit::Failed);
            }
            Decision::NeedsYes => {
                return Err(ExitError::usage(format!(
                    "{} needs confirmation: run it in a terminal or pass --yes; nothing was changed",
                    verb.name()
                ))
                .into());
            }
        }
    }
    let interrupt = Interrupt::on_ctrl_c();
    let outcomes = fleet
        .fan_out(args.timeout + global.cluster_timeout, |client, target| {
            let mine: Vec<PlanRow> = rows.iter().filter(|r| r.cluster == target.context).cloned().collect();
            let interrupt = &interrupt;
            async move {
                let mut results = Vec::new();
                for row in mine {
                    // A step under way (gate opened, waiting for Flagger) runs to its end;
                    // Ctrl-C only keeps the next ones from starting.
                    if interrupt.is_set() && row.step.acts() {
                        results.push((row, Err(ClusterError::Interrupted)));
                        continue;
                    }
                    let (ns, name) = row.canary.split_once('/').unwrap_or(("default", &row.canary));
                    let result = execute(&client, ns, name, &row.step, keep_skip, args.timeout).await;
                    results.push((row, result));
                }
                Ok::<_, ClusterError>(results)
            }
        })
        .await;
    let mut results = Vec::new();
    for o in outcomes {
        match o.result {
            Ok(list) => results.extend(
                list.into_iter()
                    .map(|(row, r)| ActionRow::new(row.cluster, row.canary, row.step.describe(), r)),
            ),
            Err(e) => results.push(ActionRow::new(o.target.context, "-".into(), "-".into(), Err(e))),
        }
    }
    print_rows(global.output, &results, |_| action_row::table(&results))?;
    Ok(action_row::exit(&results))
}
