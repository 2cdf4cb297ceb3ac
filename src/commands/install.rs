//! `install`: Flagger (and the load tester) into every target cluster, idempotently.

use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use super::{connect_fleet, select_targets, show_progress};
use crate::cli::{GlobalArgs, InstallArgs};
use crate::exit::{Exit, ExitError};
use crate::fleet::{ClusterError, Target};
use crate::install::manifests::{InstallSpec, manifests};
use crate::install::run::{InstallReport, install};
use crate::interrupt::Interrupt;
use crate::output::{print_rows, write_stdout};
use crate::view::progress::FleetProgress;
use crate::view::table;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallRow {
    pub context: String,
    pub cluster_name: String,
    pub namespace: String,
    pub flagger: String,
    pub changes: InstallReport,
    pub status: String,
    pub error: Option<String>,
}

fn spec_for(target: &Target, args: &InstallArgs) -> InstallSpec {
    let cluster_name = args
        .cluster_name
        .iter()
        .find(|(context, _)| context == &target.context)
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| target.context.clone());
    InstallSpec {
        provider: args.provider,
        cluster_name,
        flagger_version: args.flagger_version.clone(),
        metrics_server: args.metrics_server.clone(),
        testloader: args.testloader,
    }
}

pub async fn run(global: &GlobalArgs, args: &InstallArgs) -> Result<Exit> {
    if let (Some(fleet), false) = (&global.fleet, args.dry_run) {
        return super::hub::install(global, args, fleet).await;
    }
    let (_, targets) = select_targets(global)?;
    if let Some((unknown, _)) = args
        .cluster_name
        .iter()
        .find(|(c, _)| !targets.iter().any(|t| &t.context == c))
    {
        let known: Vec<&str> = targets.iter().map(|t| t.context.as_str()).collect();
        return Err(ExitError::usage(format!(
            "--cluster-name {unknown}=…: {unknown} is not one of the target contexts ({})",
            known.join(", ")
        ))
        .into());
    }
    if args.dry_run {
        return dry_run(&targets, args);
    }
    let fleet = connect_fleet(global).await?;
    let contexts: Vec<String> = fleet.clusters.iter().map(|c| c.target.context.clone()).collect();
    let progress = FleetProgress::new(&contexts, show_progress());
    let interrupt = Interrupt::on_ctrl_c();
    let outcomes = fleet
        .fan_out(args.timeout + Duration::from_secs(30), |client, target| {
            let spec = spec_for(&target, args);
            let report = progress.reporter(&target.context);
            let (progress, interrupt) = (&progress, &interrupt);
            async move {
                let result = install(&client, &spec, args.timeout, &report, interrupt, args.force_conflicts).await;
                let message = match &result {
                    Ok(r) => format!("ready ({})", r.summary()),
                    Err((_, e)) => format!("failed: {e}"),
                };
                progress.finish(&target.context, message);
                Ok::<_, ClusterError>((spec, result))
            }
        })
        .await;
    progress.clear();
    // README "Exit codes": a wait that ran out everywhere is a timeout (3), not a failure.
    let failures: Vec<bool> = outcomes
        .iter()
        .filter_map(|o| match &o.result {
            Ok((_, Ok(_))) => None,
            Ok((_, Err((_, e)))) | Err(e) => Some(e.is_timeout()),
        })
        .collect();
    let timed_out_everywhere = !failures.is_empty() && failures.len() == outcomes.len() && failures.iter().all(|t| *t);
    let rows: Vec<InstallRow> = outcomes
        .into_iter()
        .map(|o| {
            let spec = spec_for(&o.target, args);
            let (report, error) = match o.result {
                Ok((_, Ok(report))) => (report, None),
                Ok((_, Err((report, e)))) => (report, Some(e)),
                Err(e) => (InstallReport::default(), Some(e)),
            };
            InstallRow {
                context: o.target.context,
                cluster_name: spec.cluster_name.clone(),
                namespace: spec.namespace().to_string(),
                flagger: spec.flagger_release(),
                status: error.as_ref().map(|e| e.to_string()).unwrap_or_else(|| "Ready".into()),
                error: error.map(|e| e.to_string()),
                changes: report,
            }
        })
        .collect();
    print_rows(global.output, &rows, |_| render(&rows))?;
    let ok = rows.iter().filter(|r| r.error.is_none()).count();
    if interrupt.is_set() && ok < rows.len() {
        return Ok(Exit::Interrupted);
    }
    if timed_out_everywhere {
        return Ok(Exit::Timeout);
    }
    Ok(Exit::from_counts(ok, rows.len()))
}

fn render(rows: &[InstallRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.context.clone(),
                r.namespace.clone(),
                r.flagger.clone(),
                r.changes.summary(),
                r.status.clone(),
            ]
        })
        .collect();
    table::render(&["cluster", "namespace", "flagger", "changes", "status"], &cells)
}

/// The exact manifests per cluster, as a YAML stream that `kubectl apply` takes.
fn dry_run(targets: &[Target], args: &InstallArgs) -> Result<Exit> {
    let mut text = String::new();
    for target in targets {
        let spec = spec_for(target, args);
        for object in manifests(&spec) {
            text.push_str("---\n");
            text.push_str(&format!(
                "# cluster: {} (context {})\n",
                spec.cluster_name, target.context
            ));
            text.push_str(&apimachinery::to_yaml(&object));
        }
    }
    write_stdout(&text)?;
    Ok(Exit::Success)
}
