//! Kurator hub mode for `status`: rollout status is read from the hub Application in one
//! request. (The spec switches go through `engine::actions`.)

use anyhow::Result;
use kube::api::ListParams;
use serde_json::Value;

use super::hub_client;
use crate::cli::GlobalArgs;
use crate::exit::{Exit, ExitError};
use crate::fleet::ClusterError;
use crate::model::canary::CanaryState;
use crate::output::print_rows;
use crate::view::canaries::status_table;

use crate::fleet::kurator::applications;

/// Rows from an Application's `status.syncStatus[].rolloutStatus` (pure).
pub fn rows_of(app: &Value) -> Vec<CanaryState> {
    crate::engine::hub_watch::canaries_of(app)
        .iter()
        .map(|(cluster, canary)| CanaryState::from_canary(cluster, canary, &[]))
        .collect()
}

/// `status --fleet NAME [APP]`: every member's rollout, from the hub alone.
pub async fn status(global: &GlobalArgs, app: Option<&str>) -> Result<Exit> {
    let (client, hub) = hub_client(global).await?;
    let api = applications(&client, &global.fleet_namespace);
    let apps: Vec<Value> = match app {
        Some(name) => match api
            .get_opt(name)
            .await
            .map_err(|e| ExitError::usage(format!("hub {hub}: {}", ClusterError::from_kube(&e))))?
        {
            Some(a) => vec![serde_json::to_value(a)?],
            None => {
                return Err(ExitError {
                    exit: Exit::NothingMatched,
                    message: format!(
                        "Application {}/{name} not found on the hub {hub}",
                        global.fleet_namespace
                    ),
                }
                .into());
            }
        },
        None => api
            .list(&ListParams::default())
            .await
            .map_err(|e| ExitError::usage(format!("hub {hub}: {}", ClusterError::from_kube(&e))))?
            .items
            .into_iter()
            .map(|a| serde_json::to_value(a).unwrap_or_default())
            .collect(),
    };
    let mut rows: Vec<CanaryState> = apps.iter().flat_map(rows_of).collect();
    if global.output != crate::cli::OutputFormat::Table && !rows.is_empty() {
        // Images are not in the hub's status: read them from the members whose credentials the
        // hub holds; a member that cannot be reached keeps its row without images.
        let fleet_name = global.fleet.as_deref().unwrap_or_default();
        if let Ok(fleet) = super::kurator_members(global, &client, &hub, fleet_name).await {
            super::status::fill_images(&fleet, &mut rows, global.cluster_timeout).await;
        }
    }
    let now = jiff::Timestamp::now().as_second();
    print_rows(global.output, &rows, |wide| status_table(&rows, wide, false, now))?;
    Ok(if rows.is_empty() {
        Exit::NothingMatched
    } else if rows.iter().any(|r| r.phase == "Failed") {
        Exit::Failed
    } else {
        Exit::Success
    })
}
