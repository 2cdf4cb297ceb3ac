//! `check` (alias `verify`): is every target cluster ready for rollouts?

use anyhow::Result;
use serde::Serialize;

use super::{connect_fleet, context_flag};
use crate::cli::{CheckArgs, GlobalArgs};
use crate::exit::Exit;
use crate::install::check::{Check, CheckOptions, run_checks};
use crate::output::print_rows;
use crate::view::table;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckRow {
    pub context: String,
    pub passed: bool,
    pub checks: Vec<Check>,
    /// Set when the cluster could not be checked at all (unreachable, credentials).
    pub error: Option<String>,
}

pub async fn run(global: &GlobalArgs, args: &CheckArgs) -> Result<Exit> {
    // Under Kurator the Fleet's plugin decides what gets installed: report it first.
    let (plugin, fleet) = match &global.fleet {
        Some(name) => {
            let (hub, hub_context) = super::hub_client(global).await?;
            let plugin = super::fleet_plugin::read(global, &hub, &hub_context, name, args.testloader).await?;
            let members = super::kurator_members(global, &hub, &hub_context, name).await?;
            (Some(plugin), members)
        }
        None => (None, connect_fleet(global).await?),
    };
    let outcomes = fleet
        .fan_out(global.cluster_timeout, |client, target| async move {
            let options = CheckOptions {
                testloader: args.testloader,
                namespace: target.namespace.clone(),
                install_hint: format!(
                    "kubectl kurator-rollout install {} --provider <istio|nginx|kuma|…>",
                    context_flag(&target.context)
                ),
            };
            run_checks(&client, &options).await
        })
        .await;
    let rows: Vec<CheckRow> = outcomes
        .into_iter()
        .map(|o| match o.result {
            Ok(checks) => CheckRow {
                context: o.target.context,
                passed: checks.iter().all(|c| c.ok),
                checks,
                error: None,
            },
            Err(e) => CheckRow {
                context: o.target.context,
                passed: false,
                checks: Vec::new(),
                error: Some(e.to_string()),
            },
        })
        .collect();
    print_rows(global.output, &rows, |_| {
        let head = plugin.as_ref().map(|p| p.render()).unwrap_or_default();
        format!("{head}{}", render(&rows))
    })?;
    use crate::cli::OutputFormat;
    if !matches!(global.output, OutputFormat::Table | OutputFormat::Wide)
        && let Some(p) = &plugin
    {
        // Machine output keeps its row shape; the Fleet's findings go to stderr.
        for w in &p.warnings {
            eprintln!("warning: Fleet {}: {w}", p.fleet);
        }
    }
    let unreachable = rows.iter().filter(|r| r.error.is_some()).count();
    let no_flagger_plugin = plugin.as_ref().is_some_and(|p| !p.has_flagger());
    let failed = rows.iter().filter(|r| !r.passed).count() + usize::from(no_flagger_plugin);
    Ok(match (unreachable, failed) {
        (0, 0) => Exit::Success,
        (u, _) if u > 0 && u < rows.len() => Exit::Partial,
        _ => Exit::Failed,
    })
}

pub fn render(rows: &[CheckRow]) -> String {
    let mut text = String::new();
    for row in rows {
        text.push_str(&format!("{}\n", row.context));
        if let Some(error) = &row.error {
            text.push_str(&format!("  ✖ cluster: {error}\n"));
        }
        for check in &row.checks {
            use crate::view::color::{Color, paint};
            let mark = if check.ok {
                paint("✔", Color::Green)
            } else {
                paint("✖", Color::Red)
            };
            text.push_str(&format!("  {mark} {}: {}\n", check.name, check.detail));
            if let Some(remedy) = &check.remedy {
                text.push_str(&format!("      → {remedy}\n"));
            }
        }
        text.push('\n');
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let passed = r.checks.iter().filter(|c| c.ok).count();
            let status = match (&r.error, r.passed) {
                (Some(e), _) => e.clone(),
                (None, true) => "Ready".into(),
                (None, false) => format!("{} failed", r.checks.len() - passed),
            };
            vec![r.context.clone(), format!("{passed}/{}", r.checks.len()), status]
        })
        .collect();
    text.push_str(&table::render(&["cluster", "checks", "status"], &cells));
    text
}
