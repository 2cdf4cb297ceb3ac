//! `check` (alias `verify`): is every member ready for rollouts? Under a Kurator Fleet, the
//! Fleet's Flagger plugin is reported first.

use anyhow::Result;

use crate::cli::{CheckArgs, OutputFormat};
use crate::engine::setup;
use crate::exit::Exit;
use crate::invocation::Invocation;
use crate::model::setup::check_exit;
use crate::output::print_rows;
use crate::view::setup::{check_report, fleet_plugin_report};

pub async fn run(inv: &Invocation, args: &CheckArgs) -> Result<Exit> {
    let source = inv.connect().await?;
    let checked = setup::check(&source, args.testloader, inv.cluster_timeout).await?;
    let (plugin, rows) = (checked.plugin, checked.rows);
    print_rows(inv.output, &rows, |_| {
        let head = plugin.as_ref().map(fleet_plugin_report).unwrap_or_default();
        format!("{head}{}", check_report(&rows))
    })?;
    if !matches!(inv.output, OutputFormat::Table | OutputFormat::Wide)
        && let Some(p) = &plugin
    {
        // Machine output keeps its row shape; the Fleet's findings go to stderr.
        for w in &p.warnings {
            eprintln!("warning: Fleet {}: {w}", p.fleet);
        }
    }
    Ok(check_exit(&rows, plugin.as_ref().is_some_and(|p| !p.has_flagger())))
}
