//! `version`: the plugin's version, and with --server each cluster's Kubernetes and Flagger;
//! `-o json|yaml` print them as one document.

use anyhow::Result;

use crate::cli::VersionArgs;
use crate::engine::setup::server_versions;
use crate::exit::Exit;
use crate::invocation::Invocation;
use crate::model::setup::VersionDocument;
use crate::output::{print_document, write_stdout};
use crate::view::setup::server_table;

pub async fn run(inv: &Invocation, args: &VersionArgs) -> Result<Exit> {
    let client = format!("v{}", env!("CARGO_PKG_VERSION"));
    if args.short {
        write_stdout(&format!("{client}\n"))?;
        return Ok(Exit::Success);
    }
    let clusters = match args.server {
        true => Some(server_versions(&inv.connect().await?, inv.cluster_timeout).await),
        false => None,
    };
    let exit = clusters.as_ref().map_or(Exit::Success, |rows| {
        Exit::from_counts(rows.iter().filter(|r| r.error.is_none()).count(), rows.len())
    });
    let document = VersionDocument {
        client_version: client,
        clusters,
    };
    print_document(inv.output, &document, |_| match &document.clusters {
        Some(rows) => format!(
            "client: kubectl-kurator-rollout {}\n{}",
            document.client_version,
            server_table(rows)
        ),
        None => format!("kubectl-kurator-rollout {}\n", document.client_version),
    })?;
    Ok(exit)
}
