//! `check` (alias `verify`): is every member ready for rollouts? Under a Kurator Fleet, the
//! Fleet's Flagger plugin is reported first, and judged in the hub's row.

use anyhow::Result;

use crate::cli::CheckArgs;
use crate::engine::setup;
use crate::exit::Exit;
use crate::invocation::Invocation;
use crate::model::setup::{CheckRow, check_exit};
use crate::output::print_rows;
use crate::view::setup::check_report;

pub async fn run(inv: &Invocation, args: &CheckArgs) -> Result<Exit> {
    let source = inv.connect().await?;
    let checked = setup::check(&source, args.testloader, inv.all_namespaces, inv.cluster_timeout).await?;
    let hub_row = checked.hub.as_ref().map(|(_, row)| row);
    // Machine output: the hub's row (under --fleet) first, then the members'.
    let rows: Vec<&CheckRow> = hub_row.into_iter().chain(&checked.rows).collect();
    print_rows(inv.output, &rows, |_| {
        check_report(checked.hub.as_ref().map(|(p, r)| (p, r)), &checked.rows)
    })?;
    if !inv.output.is_table()
        && let Some((p, _)) = &checked.hub
    {
        // The Fleet's findings are not checks of a row: machine output has them on stderr.
        for w in &p.warnings {
            eprintln!("warning: Fleet {}: {w}", p.fleet);
        }
    }
    Ok(check_exit(&checked.rows, hub_row))
}
