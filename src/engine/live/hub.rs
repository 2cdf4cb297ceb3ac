//! A rollout seen from the Kurator hub: the `Application`, whose
//! `status.syncStatus[].rolloutStatus` Kurator's fleet manager fills from every member, read
//! once or watched. Each change becomes the same `Update`s a member watch gives, so the live
//! view, the transition lines and the exit-code contract stay one code path.

use futures::StreamExt;
use kube::api::ListParams;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::exit::{Exit, ExitError};
use crate::fleet::ClusterError;
use crate::fleet::source::Hub;
use crate::model::canary::CanaryState;
use crate::model::update::Update;

/// Canary-shaped objects, one per member, from an Application's status (pure). The cluster is
/// Kurator's `clusterName`; the namespace is the rollout workload's.
pub fn canaries_of(app: &Value) -> Vec<(String, Value)> {
    let workload = |field: &str| {
        app.pointer("/spec/syncPolicies")
            .and_then(Value::as_array)
            .and_then(|ps| {
                ps.iter()
                    .find_map(|p| p.pointer(&format!("/rollout/workload/{field}")).and_then(Value::as_str))
            })
            .unwrap_or_default()
    };
    let (namespace, target) = (workload("namespace"), workload("name"));
    let entries = app.pointer("/status/syncStatus").and_then(Value::as_array);
    entries
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("rolloutStatus"))
        .map(|rs| {
            let cluster = rs["clusterName"].as_str().unwrap_or("").to_string();
            let canary = json!({
                "metadata": {"name": rs["rolloutNameInCluster"].as_str().unwrap_or(""), "namespace": namespace},
                "spec": {"targetRef": {"name": target}}, "status": rs["rolloutStatusInCluster"],
            });
            (cluster, canary)
        })
        .collect()
}

/// Rows from an Application's `status.syncStatus[].rolloutStatus` (pure).
pub fn rows_of(app: &Value) -> Vec<CanaryState> {
    canaries_of(app)
        .iter()
        .map(|(cluster, canary)| CanaryState {
            // A member's name, not a kubeconfig context.
            context: None,
            ..CanaryState::from_canary(cluster, canary, &[])
        })
        .collect()
}

/// Updates for one Application: `clusters` are the member names in row order; members the hub
/// does not report on yet stay empty rows until it does.
pub fn watch_application(hub: &Hub, app: &str, clusters: Vec<String>) -> mpsc::Receiver<Update> {
    let (tx, rx) = mpsc::channel(1024);
    let api = crate::fleet::kurator::applications(&hub.client, &hub.namespace);
    let config = watcher::Config::default().fields(&format!("metadata.name={app}"));
    tokio::spawn(async move {
        let mut stream = watcher::watcher(api, config).default_backoff().boxed();
        while let Some(item) = super::members::next_unless_closed(&mut stream, &tx).await {
            let updates: Vec<Update> = match item {
                Ok(Event::Apply(o)) | Ok(Event::InitApply(o)) => {
                    let app = serde_json::to_value(o).unwrap_or(Value::Null);
                    canaries_of(&app)
                        .into_iter()
                        .filter_map(|(name, object)| {
                            let cluster = clusters.iter().position(|c| *c == name)?;
                            Some(Update::Canary { cluster, object })
                        })
                        .collect()
                }
                Ok(Event::InitDone) => (0..clusters.len()).map(|cluster| Update::Listed { cluster }).collect(),
                Ok(Event::Init) | Ok(Event::Delete(_)) => continue,
                Err(e) => {
                    let error = ClusterError::Other(format!("hub: {}", crate::fleet::error::chain(&e)));
                    (0..clusters.len())
                        .map(|cluster| Update::Failed {
                            cluster,
                            error: error.clone(),
                        })
                        .collect()
                }
            };
            for update in updates {
                if tx.send(update).await.is_err() {
                    return;
                }
            }
        }
    });
    rx
}

/// Every member's rollout from the hub in one request: the Application `app`, else every
/// Application in the Fleet's namespace. A hub that does not answer is a usage error (nothing
/// else can be read); a missing Application is exit 4.
pub async fn read_applications(hub: &Hub, app: Option<&str>) -> anyhow::Result<Vec<CanaryState>> {
    let api = crate::fleet::kurator::applications(&hub.client, &hub.namespace);
    let unreachable =
        |e: kube::Error| ExitError::usage(format!("hub {}: {}", hub.context, ClusterError::from_kube(&e)));
    let apps: Vec<Value> = match app {
        Some(name) => match api.get_opt(name).await.map_err(unreachable)? {
            Some(a) => vec![serde_json::to_value(a)?],
            None => {
                return Err(ExitError {
                    exit: Exit::NothingMatched,
                    message: format!(
                        "Application {}/{name} not found on the hub {}",
                        hub.namespace, hub.context
                    ),
                }
                .into());
            }
        },
        None => api
            .list(&ListParams::default())
            .await
            .map_err(unreachable)?
            .items
            .into_iter()
            .map(|a| serde_json::to_value(a).unwrap_or_default())
            .collect(),
    };
    Ok(apps.iter().flat_map(rows_of).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_canary_per_member_in_the_workload_namespace() {
        let app = json!({
            "spec": {"syncPolicies": [{"kustomization": {}}, {"rollout": {"workload": {"namespace": "test", "name": "podinfo"}}}]},
            "status": {"syncStatus": [
                {"name": "kustomization"},
                {"rolloutStatus": {"clusterName": "m1", "rolloutNameInCluster": "podinfo",
                    "rolloutStatusInCluster": {"phase": "Progressing", "canaryWeight": 20}}},
                {"rolloutStatus": {"clusterName": "m2", "rolloutNameInCluster": "podinfo",
                    "rolloutStatusInCluster": {"phase": "Succeeded"}}},
            ]},
        });
        let canaries = canaries_of(&app);
        assert_eq!(canaries.len(), 2);
        assert_eq!(canaries[0].0, "m1");
        assert_eq!(
            canaries[0].1["metadata"],
            json!({"name": "podinfo", "namespace": "test"})
        );
        assert_eq!(canaries[0].1["status"]["canaryWeight"], 20);
        assert_eq!(canaries[0].1["spec"]["targetRef"]["name"], "podinfo");
        assert_eq!(canaries[1].1["status"]["phase"], "Succeeded");
    }
}
