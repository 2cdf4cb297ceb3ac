//! `get NAME`: one canary in depth, per cluster.

use anyhow::Result;

use crate::cli::{GetArgs, OutputFormat};
use crate::engine::live::read_once;
use crate::exit::Exit;
use crate::invocation::Invocation;
use crate::model::canary::CanaryState;
use crate::output::{print_rows, write_stdout};
use crate::view::detail::details;

pub async fn run(inv: &Invocation, args: &GetArgs) -> Result<Exit> {
    let source = inv.connect().await?;
    let scope = inv.scope(Some(&args.name), None, &source.default_namespace());
    let state = read_once(&source, &scope, inv.cluster_timeout).await;
    let rows = state.rows();
    if matches!(inv.output, OutputFormat::Table | OutputFormat::Wide) {
        write_stdout(&details(&state, jiff::Timestamp::now().as_second()))?;
    } else {
        print_rows(inv.output, &rows, |_| String::new())?;
    }
    Ok(if !rows.iter().any(CanaryState::found) {
        Exit::NothingMatched
    } else if rows.iter().any(|r| r.error.is_some()) {
        Exit::Partial
    } else {
        Exit::Success
    })
}
