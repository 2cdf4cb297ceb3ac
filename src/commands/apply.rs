//! `apply`: render each policy for each target cluster and server-side apply it.

use anyhow::Result;
use serde::Serialize;

use super::connect_fleet;
use crate::cli::{ApplyArgs, GlobalArgs, OutputFormat};
use crate::engine::apply::{ObjectResult, apply_policies};
use crate::engine::inputs::{load_or_report, render_options};
use crate::exit::{Exit, ExitError};
use crate::fleet::ClusterError;
use crate::interrupt::{Interrupt, UNTOUCHED};
use crate::output::{print_rows, write_stdout};
use crate::view::table;

#[derive(Debug, Serialize)]
pub struct ApplyRow {
    pub cluster: String,
    #[serde(flatten)]
    pub result: ObjectResult,
}

pub async fn run(global: &GlobalArgs, args: &ApplyArgs) -> Result<Exit> {
    if global.fleet.is_some() {
        return super::hub::apply(global, &args.policies, args.force_conflicts, args.dry_run).await;
    }
    let policies = match load_or_report(&args.policies)? {
        Ok(p) => p,
        Err(exit) => return Ok(exit),
    };
    let fleet = connect_fleet(global).await?;
    if let Some((unknown, _)) = args
        .cluster_name
        .iter()
        .find(|(c, _)| !fleet.clusters.iter().any(|h| &h.target.context == c))
    {
        return Err(ExitError::usage(format!("--cluster-name {unknown}=…: {unknown} is not a target context")).into());
    }
    let options = render_options(&args.gates);
    let interrupt = if args.dry_run {
        Interrupt::manual()
    } else {
        Interrupt::on_ctrl_c()
    };
    let outcomes = fleet
        .fan_out(global.cluster_timeout * 3, |client, target| {
            let name = args
                .cluster_name
                .iter()
                .find(|(c, _)| c == &target.context)
                .map(|(_, n)| n.clone())
                .unwrap_or(target.context.clone());
            let policies = &policies;
            let (options, interrupt) = (&options, &interrupt);
            async move {
                Ok::<_, ClusterError>(
                    apply_policies(
                        &client,
                        policies,
                        &name,
                        options,
                        args.dry_run,
                        args.force_conflicts,
                        interrupt,
                    )
                    .await,
                )
            }
        })
        .await;
    let mut rows = Vec::new();
    let mut clean_clusters = 0;
    let mut untouched_clusters = 0;
    for outcome in outcomes {
        match outcome.result {
            Ok(results) => {
                if results.iter().any(|r| r.result == UNTOUCHED) {
                    untouched_clusters += 1;
                } else if results.iter().all(|r| r.error.is_none()) {
                    clean_clusters += 1;
                }
                rows.extend(results.into_iter().map(|result| ApplyRow {
                    cluster: outcome.target.context.clone(),
                    result,
                }));
            }
            Err(e) => rows.push(ApplyRow {
                cluster: outcome.target.context.clone(),
                result: ObjectResult {
                    policy: String::new(),
                    object: "-".into(),
                    result: "failed".into(),
                    error: Some(match e {
                        // Cut off mid-way: say so, since some objects may already be written.
                        ClusterError::Timeout(_) if !args.dry_run => {
                            format!("{e}; some objects may be applied already: re-run apply (it is safe to repeat)")
                        }
                        e => e.to_string(),
                    }),
                    diff: None,
                    warning: None,
                },
            }),
        }
    }
    let total = fleet.len();
    if args.dry_run && matches!(global.output, OutputFormat::Table | OutputFormat::Wide) {
        let diffs: String = rows
            .iter()
            .filter_map(|r| r.result.diff.as_ref().map(|d| format!("# cluster {}\n{d}", r.cluster)))
            .collect();
        write_stdout(&diffs)?;
    }
    print_rows(global.output, &rows, |_| render(&rows))?;
    Ok(Exit::after_writes(clean_clusters, total, untouched_clusters))
}

fn render(rows: &[ApplyRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let result = match (&r.result.error, &r.result.warning) {
                (Some(e), _) if r.result.result == "conflict" => e.clone(),
                (Some(e), _) => format!("failed: {e}"),
                (None, Some(w)) => format!("warning: {w}"),
                (None, None) => r.result.result.clone(),
            };
            vec![
                r.cluster.clone(),
                r.result.policy.clone(),
                r.result.object.clone(),
                result,
            ]
        })
        .collect();
    table::render(&["cluster", "policy", "object", "result"], &cells)
}
