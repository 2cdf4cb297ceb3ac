//! Simulated controllers that run inside a simulated cluster and write through the same API
//! server rules as any client (status only through the status subresource).

pub mod deployments;
pub mod endpoints;
pub mod replicasets;

use std::time::Duration;

use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use crate::cluster::SimCluster;
use crate::resource::ResKey;

/// Starts the controllers on the current tokio runtime: Deployments (after `delay`) and the
/// endpoints of Services.
pub fn start(cluster: SimCluster, delay: Duration) -> JoinHandle<()> {
    // The Deployment and endpoints controllers write as kube-controller-manager does.
    tokio::spawn(run(cluster.as_manager("kube-controller-manager"), delay))
}

async fn run(cluster: SimCluster, delay: Duration) {
    let deployments = ResKey::new("apps", "deployments");
    let services = ResKey::new("", "services");
    let endpoints = ResKey::new("", "endpoints");
    let replicasets = ResKey::new("apps", "replicasets");
    let Ok(sub) = cluster.core().store.subscribe(None) else {
        return;
    };
    let mut live = sub.live;
    deployments::resync(&cluster, delay);
    endpoints::reconcile_all(&cluster);
    loop {
        match live.recv().await {
            Ok(change) => {
                let ns = change
                    .object
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                if change.res == deployments {
                    deployments::on_change(&cluster, &change, delay);
                }
                // The controller's own Endpoints writes come back here too; they reconcile to
                // no change.
                if change.res == replicasets || change.res == services || change.res == endpoints {
                    endpoints::reconcile_namespace(&cluster, &ns);
                }
            }
            Err(RecvError::Lagged(_)) => {
                deployments::resync(&cluster, delay);
                endpoints::reconcile_all(&cluster);
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// Every controller catches up now (tests drive time with this).
pub fn settle(cluster: &SimCluster) {
    deployments::settle(cluster);
    endpoints::reconcile_all(cluster);
}
