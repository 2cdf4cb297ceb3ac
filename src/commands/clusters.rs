//! `clusters`: one row per target cluster with its server version and reachability.

use anyhow::Result;

use crate::engine::setup::probe;
use crate::exit::Exit;
use crate::invocation::Invocation;
use crate::output::print_rows;
use crate::view::setup::clusters_table;

pub async fn run(inv: &Invocation) -> Result<Exit> {
    let source = inv.connect().await?;
    let mut rows = probe(&source.members, inv.cluster_timeout).await;
    if source.hub().is_some() {
        // Members are reached through the hub's Secrets: their names are no contexts.
        rows.iter_mut().for_each(|r| r.context = None);
    }
    print_rows(inv.output, &rows, |_| clusters_table(&rows))?;
    let ready = rows.iter().filter(|r| r.error.is_none()).count();
    Ok(Exit::from_counts(ready, rows.len()))
}
