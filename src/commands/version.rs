//! `version`: the plugin's version, and with --server each cluster's Kubernetes and Flagger.

use anyhow::Result;

use crate::cli::VersionArgs;
use crate::engine::setup::server_versions;
use crate::exit::Exit;
use crate::invocation::Invocation;
use crate::output::{print_rows, write_stdout};
use crate::view::setup::server_table;

pub async fn run(inv: &Invocation, args: &VersionArgs) -> Result<Exit> {
    let version = env!("CARGO_PKG_VERSION");
    if args.short {
        write_stdout(&format!("v{version}\n"))?;
        return Ok(Exit::Success);
    }
    if !args.server {
        write_stdout(&format!("kubectl-kurator-rollout v{version}\n"))?;
        return Ok(Exit::Success);
    }
    let source = inv.connect().await?;
    let rows = server_versions(&source.members, inv.cluster_timeout).await;
    write_stdout(&format!("client: kubectl-kurator-rollout v{version}\n"))?;
    print_rows(inv.output, &rows, |_| server_table(&rows))?;
    let ok = rows.iter().filter(|r| r.error.is_none()).count();
    Ok(Exit::from_counts(ok, rows.len()))
}
