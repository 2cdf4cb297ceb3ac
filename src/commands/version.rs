//! `version`: the plugin's version, and with --server each cluster's Kubernetes and Flagger.

use anyhow::Result;
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, ListParams};
use serde::Serialize;

use super::connect_fleet;
use crate::cli::{GlobalArgs, VersionArgs};
use crate::exit::Exit;
use crate::fleet::ClusterError;
use crate::install::check::image_version;
use crate::output::{print_rows, write_stdout};
use crate::view::table;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ServerRow {
    context: String,
    kubernetes: Option<String>,
    flagger: Option<String>,
    error: Option<String>,
}

pub async fn run(global: &GlobalArgs, args: &VersionArgs) -> Result<Exit> {
    let version = env!("CARGO_PKG_VERSION");
    if args.short {
        write_stdout(&format!("v{version}\n"))?;
        return Ok(Exit::Success);
    }
    if !args.server {
        write_stdout(&format!("kubectl-kurator-rollout v{version}\n"))?;
        return Ok(Exit::Success);
    }
    let fleet = connect_fleet(global).await?;
    let outcomes = fleet
        .fan_out(global.cluster_timeout, |client, _| async move {
            let k8s = client
                .apiserver_version()
                .await
                .map_err(|e| ClusterError::from_kube(&e))?;
            let deployments: Api<Deployment> = Api::all(client.clone());
            let flagger = deployments
                .list(&ListParams::default().labels("app.kubernetes.io/name=flagger"))
                .await
                .ok()
                .and_then(|l| l.items.into_iter().next())
                .and_then(|d| d.spec?.template.spec?.containers.first()?.image.clone())
                .map(|image| image_version(&image));
            Ok((k8s.git_version, flagger))
        })
        .await;
    let rows: Vec<ServerRow> = outcomes
        .into_iter()
        .map(|o| match o.result {
            Ok((k, f)) => ServerRow {
                context: o.target.context,
                kubernetes: Some(k),
                flagger: f,
                error: None,
            },
            Err(e) => ServerRow {
                context: o.target.context,
                kubernetes: None,
                flagger: None,
                error: Some(e.to_string()),
            },
        })
        .collect();
    write_stdout(&format!("client: kubectl-kurator-rollout v{version}\n"))?;
    print_rows(global.output, &rows, |_| {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.context.clone(),
                    r.kubernetes.clone().unwrap_or_else(|| "-".into()),
                    r.flagger.clone().unwrap_or_else(|| "not installed".into()),
                    r.error.clone().unwrap_or_default(),
                ]
            })
            .collect();
        table::render(&["context", "kubernetes", "flagger", "error"], &cells)
    })?;
    let ok = rows.iter().filter(|r| r.error.is_none()).count();
    Ok(Exit::from_counts(ok, rows.len()))
}
