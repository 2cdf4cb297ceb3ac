//! `list`: every canary across the targets; `-w` appends a line per change.

use anyhow::Result;

use crate::cli::{ListArgs, OutputFormat};
use crate::engine::live::{LiveFleet, read_once};
use crate::exit::Exit;
use crate::interrupt::Interrupt;
use crate::invocation::Invocation;
use crate::output::{print_canaries, refuse_with_watch, write_stdout};
use crate::view::canaries::status_table;
use crate::view::live::ListLines;

pub async fn run(inv: &Invocation, args: &ListArgs) -> Result<Exit> {
    if args.watch {
        refuse_with_watch(inv.output)?;
    }
    let source = inv.connect().await?;
    let scope = inv.scope(None, args.selector.as_deref(), &source.default_namespace());
    if args.watch {
        let watched = LiveFleet::watch(&source, &scope);
        return watch(&watched, inv.output).await;
    }
    let rows = read_once(&source, &scope, inv.cluster_timeout).await.rows();
    let now = jiff::Timestamp::now().as_second();
    print_canaries(inv.output, &rows, scope.namespace.as_deref(), |wide| {
        status_table(&rows, wide, false, now, None)
    })?;
    // The table has no message column: say on stderr what each failing cluster answered
    // (the server's own message, e.g. an RBAC refusal); machine formats carry it in the row.
    if inv.output.is_table() {
        for r in rows.iter().filter(|r| r.phase.is_empty()) {
            if let Some(error) = &r.error {
                eprintln!("{}: {error}", r.cluster);
            }
        }
    }
    // README "Exit codes": 0 every cluster answered, 1 none did, 5 in between.
    let clusters = source.member_names();
    let failed = clusters
        .iter()
        .filter(|c| rows.iter().any(|r| &r.cluster == *c && r.error.is_some()))
        .count();
    Ok(Exit::from_counts(clusters.len() - failed, clusters.len()))
}

/// A line per changed row until Ctrl-C.
async fn watch(watched: &LiveFleet, output: OutputFormat) -> Result<Exit> {
    let interrupt = Interrupt::on_ctrl_c_watching();
    let mut subscription = watched.subscribe();
    let mut lines = ListLines::new(output);
    loop {
        tokio::select! {
            changed = subscription.changed() => {
                if !changed {
                    return Ok(Exit::Failed);
                }
                write_stdout(&lines.text(subscription.rows())?)?;
            }
            _ = interrupt.raised() => return Ok(Exit::Interrupted),
        }
    }
}
