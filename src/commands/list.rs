//! `list`: every canary across the targets; `-w` appends a line per change.

use anyhow::Result;

use super::connect_fleet;
use super::status::scope;
use crate::cli::{GlobalArgs, ListArgs, OutputFormat};
use crate::engine::snapshot::snapshot;
use crate::engine::watch::watch_fleet;
use crate::exit::Exit;
use crate::model::fleet_state::FleetState;
use crate::output::{print_rows, write_stdout};
use crate::view::canaries::{phase_cell, status_table};

pub async fn run(global: &GlobalArgs, args: &ListArgs) -> Result<Exit> {
    let fleet = connect_fleet(global).await?;
    let default_ns = super::status::default_namespace(&fleet);
    let scope = scope(global, None, args.selector.as_deref(), &default_ns);
    if !args.watch {
        let rows = snapshot(&fleet, &scope, global.cluster_timeout).await.rows();
        let now = jiff::Timestamp::now().as_second();
        print_rows(global.output, &rows, |wide| status_table(&rows, wide, false, now))?;
        // The table has no message column: say on stderr what each failing cluster answered
        // (the server's own message, e.g. an RBAC refusal); machine formats carry it in the row.
        if matches!(global.output, OutputFormat::Table | OutputFormat::Wide) {
            for r in rows.iter().filter(|r| r.phase.is_empty()) {
                if let Some(error) = &r.error {
                    eprintln!("{}: {error}", r.cluster);
                }
            }
        }
        let unavailable = rows.iter().filter(|r| r.error.is_some()).count();
        return Ok(if unavailable > 0 { Exit::Partial } else { Exit::Success });
    }
    let clusters = fleet.clusters.iter().map(|c| c.target.context.clone()).collect();
    let mut state = FleetState::new(clusters, scope.namespace.clone(), None);
    let mut updates = watch_fleet(&fleet, &scope);
    let mut shown = std::collections::HashMap::new();
    let mut header = false;
    loop {
        tokio::select! {
            update = updates.recv() => {
                let Some(update) = update else { return Ok(Exit::Failed) };
                state.apply(update);
                let mut text = String::new();
                for r in state.rows() {
                    let cells = vec![r.cluster.clone(), r.namespace.clone(), r.name.clone(), phase_cell(&r), r.progress_text(), r.failed_text(), r.gate.clone().unwrap_or_else(|| "-".into()), r.error.clone().unwrap_or_default()];
                    let key = (r.cluster.clone(), r.namespace.clone(), r.name.clone());
                    if shown.get(&key) == Some(&cells) {
                        continue;
                    }
                    shown.insert(key, cells.clone());
                    if global.output == OutputFormat::Ndjson || global.output == OutputFormat::Json {
                        text.push_str(&serde_json::to_string(&r)?);
                        text.push('\n');
                    } else {
                        if !header {
                            text.push_str("CLUSTER\tNAMESPACE\tNAME\tPHASE\tWEIGHT\tFAILED\tGATE\tERROR\n");
                            header = true;
                        }
                        text.push_str(cells.join("\t").trim_end());
                        text.push('\n');
                    }
                }
                write_stdout(&text)?;
            }
            _ = tokio::signal::ctrl_c() => return Ok(Exit::Interrupted),
        }
    }
}
