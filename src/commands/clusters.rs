//! `clusters`: one row per target cluster with its server version and reachability.

use anyhow::Result;
use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::exit::Exit;
use crate::fleet::{ClusterError, ClusterOutcome, Fleet};
use crate::output::print_rows;
use crate::view::table;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterRow {
    pub context: String,
    pub cluster: String,
    pub server: String,
    pub namespace: String,
    pub version: Option<String>,
    pub status: String,
    pub error: Option<String>,
}

pub async fn run(global: &GlobalArgs) -> Result<Exit> {
    let fleet = super::connect_fleet(global).await?;
    let rows = probe(&fleet, global.cluster_timeout).await;
    print_rows(global.output, &rows, |wide| render(&rows, wide))?;
    let ready = rows.iter().filter(|r| r.error.is_none()).count();
    Ok(Exit::from_counts(ready, rows.len()))
}

/// Asks every cluster for its version and makes one authenticated call (the version endpoint is
/// public on real clusters, so it alone would not catch bad credentials).
pub async fn probe(fleet: &Fleet, timeout: std::time::Duration) -> Vec<ClusterRow> {
    let outcomes = fleet
        .fan_out(timeout, |client, _| async move {
            let (version, api) = tokio::join!(client.apiserver_version(), client.list_core_api_versions());
            let version = version.map_err(|e| ClusterError::from_kube(&e))?;
            api.map_err(|e| ClusterError::from_kube(&e))?;
            Ok(version.git_version)
        })
        .await;
    outcomes.into_iter().map(row).collect()
}

fn row(outcome: ClusterOutcome<String>) -> ClusterRow {
    let t = outcome.target;
    let (version, status, error) = match outcome.result {
        Ok(v) => (Some(v), "Ready".to_string(), None),
        Err(e) => (None, e.to_string(), Some(e.to_string())),
    };
    ClusterRow {
        context: t.context,
        cluster: t.cluster,
        server: t.server,
        namespace: t.namespace,
        version,
        status,
        error,
    }
}

pub fn render(rows: &[ClusterRow], _wide: bool) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.context.clone(),
                r.cluster.clone(),
                r.server.clone(),
                r.namespace.clone(),
                r.version.clone().unwrap_or_else(|| "-".into()),
                r.status.clone(),
            ]
        })
        .collect();
    table::render(
        &["context", "cluster", "server", "namespace", "version", "status"],
        &cells,
    )
}
