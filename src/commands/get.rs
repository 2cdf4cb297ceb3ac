//! `get NAME`: one canary in depth, per cluster.

use anyhow::Result;

use crate::cli::{GetArgs, OutputFormat};
use crate::engine::live::read_once;
use crate::exit::Exit;
use crate::invocation::Invocation;
use crate::model::canary::CanaryState;
use crate::model::verdict::unanswered;
use crate::output::{print_canaries, print_rows, write_stdout};
use crate::view::detail::{detail_rows, details};
use crate::view::terminal::table_width;

pub async fn run(inv: &Invocation, args: &GetArgs) -> Result<Exit> {
    let source = inv.connect().await?;
    let scope = inv.scope(Some(&args.name), None, &source.default_namespace());
    let state = read_once(&source, &scope, inv.cluster_timeout).await;
    let rows = state.rows();
    if inv.output.is_table() {
        let width = table_width().unwrap_or(usize::MAX);
        write_stdout(&details(&state, jiff::Timestamp::now().as_second(), width))?;
    } else if inv.output == OutputFormat::Name {
        print_canaries(inv.output, &rows, scope.namespace.as_deref(), |_| String::new())?;
    } else {
        print_rows(inv.output, &detail_rows(&state), |_| String::new())?;
    }
    // A Failed canary was still read: unlike `status`, only clusters that did not answer count.
    Ok(if !rows.iter().any(CanaryState::found) {
        unanswered(Exit::NothingMatched, &rows)
    } else if rows.iter().any(|r| r.error.is_some()) {
        Exit::Partial
    } else {
        Exit::Success
    })
}
