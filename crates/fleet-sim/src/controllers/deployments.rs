//! The Deployment controller, reduced to what clients observe: after a short delay a Deployment's
//! status reports its replicas ready and the `Available` condition, for the current generation.
//! A pod template annotated `sim.kurator.dev/unavailable: "true"` never becomes available, so
//! tests can exercise timeouts.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use crate::cluster::SimCluster;
use crate::meta::now_rfc3339;
use crate::resource::ResKey;
use crate::store::EventType;

pub const UNAVAILABLE_ANNOTATION: &str = "sim.kurator.dev/unavailable";

/// Starts the controller on the current tokio runtime.
pub fn start(cluster: SimCluster, delay: Duration) -> JoinHandle<()> {
    // The Deployment controller writes as kube-controller-manager does.
    tokio::spawn(run(cluster.as_manager("kube-controller-manager"), delay))
}

async fn run(cluster: SimCluster, delay: Duration) {
    let key = ResKey::new("apps", "deployments");
    let Ok(sub) = cluster.core().store.subscribe(None) else {
        return;
    };
    let mut live = sub.live;
    for d in cluster.list("apps", "deployments", None) {
        schedule(&cluster, &d, delay);
    }
    loop {
        match live.recv().await {
            Ok(change) if change.res == key && change.kind != EventType::Deleted => {
                schedule(&cluster, &change.object, delay)
            }
            Ok(_) => {}
            Err(RecvError::Lagged(_)) => {
                for d in cluster.list("apps", "deployments", None) {
                    schedule(&cluster, &d, delay);
                }
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// Writes the status of every Deployment that needs one, now (tests drive time with this).
pub fn settle(cluster: &SimCluster) {
    for d in cluster.list("apps", "deployments", None) {
        if needs_status(&d) {
            let ns = d.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("");
            let name = d.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
            let _ = cluster.patch_status("apps", "deployments", Some(ns), name, &status_for(&d));
        }
    }
}

fn generation(obj: &Value) -> i64 {
    obj.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(0)
}

fn needs_status(obj: &Value) -> bool {
    obj.pointer("/status/observedGeneration").and_then(Value::as_i64) != Some(generation(obj))
}

fn schedule(cluster: &SimCluster, obj: &Value, delay: Duration) {
    if !needs_status(obj) {
        return;
    }
    let cluster = cluster.clone();
    let ns = obj
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        // Re-read: the Deployment may have changed or gone meanwhile.
        let Some(current) = cluster.get("apps", "deployments", Some(&ns), &name) else {
            return;
        };
        if needs_status(&current) {
            let _ = cluster.patch_status("apps", "deployments", Some(&ns), &name, &status_for(&current));
        }
    });
}

/// The status a Deployment controller reports once the Deployment's pods are (or are not) ready.
pub fn status_for(obj: &Value) -> Value {
    let replicas = obj.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    let unavailable = obj
        .pointer("/spec/template/metadata/annotations")
        .and_then(|a| a.get(UNAVAILABLE_ANNOTATION))
        .and_then(Value::as_str)
        == Some("true");
    let now = now_rfc3339();
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let ready = if unavailable { 0 } else { replicas };
    let available = if unavailable && replicas > 0 {
        json!({"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
               "message": "Deployment does not have minimum availability.", "lastUpdateTime": now, "lastTransitionTime": now})
    } else {
        json!({"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
               "message": "Deployment has minimum availability.", "lastUpdateTime": now, "lastTransitionTime": now})
    };
    let mut status = json!({
        "observedGeneration": generation(obj),
        "conditions": [
            available,
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
             "message": format!("ReplicaSet \"{name}-{:x}\" has successfully progressed.", generation(obj) * 7919 + 0x5d9b),
             "lastUpdateTime": now, "lastTransitionTime": now}
        ],
    });
    // Like the API server's JSON, zero counts are left out.
    for (field, value) in [
        ("replicas", replicas),
        ("updatedReplicas", replicas),
        ("readyReplicas", ready),
        ("availableReplicas", ready),
    ] {
        if value > 0 {
            status[field] = json!(value);
        }
    }
    if unavailable && replicas > 0 {
        status["unavailableReplicas"] = json!(replicas);
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_reports_ready_replicas_for_the_generation() {
        let d = json!({"metadata": {"name": "web", "generation": 3}, "spec": {"replicas": 2}});
        let s = status_for(&d);
        assert_eq!(s["observedGeneration"], 3);
        assert_eq!(s["readyReplicas"], 2);
        assert_eq!(s["conditions"][0]["status"], "True");
        let zero = status_for(&json!({"metadata": {"name": "web", "generation": 1}, "spec": {"replicas": 0}}));
        assert!(zero["readyReplicas"].is_null());
        assert_eq!(zero["conditions"][0]["status"], "True");
        let stuck = status_for(
            &json!({"metadata": {"name": "w", "generation": 1}, "spec": {"replicas": 1,
            "template": {"metadata": {"annotations": {UNAVAILABLE_ANNOTATION: "true"}}}}}),
        );
        assert_eq!(stuck["conditions"][0]["status"], "False");
    }
}
