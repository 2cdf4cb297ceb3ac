//! The Deployment controller, reduced to what clients observe: on every change a Deployment's
//! ReplicaSets follow its spec at once (the current template's one scaled to `spec.replicas`,
//! its new Pods not ready yet, the older ones still running; see [`super::replicasets`]); after
//! a short delay (the Pods starting) the new Pods are ready and the older ReplicaSets run none.
//! Each time the status is recomputed whole from the ReplicaSets for the current generation. A pod template annotated
//! `sim.kurator.dev/unavailable: "true"` never becomes ready, so tests can exercise timeouts.
//!
//! Simplified: no rolling steps in between (the new Pods are all ready, or all not, at once, and
//! the old ReplicaSets are scaled to zero then).

use std::time::Duration;

use serde_json::{Value, json};

use super::replicasets;
use crate::cluster::SimCluster;
use crate::meta::now_rfc3339;
use crate::store::{Change, EventType};

pub const UNAVAILABLE_ANNOTATION: &str = "sim.kurator.dev/unavailable";

/// Syncs every Deployment as observed now, scheduling the rest of unfinished rollouts.
pub fn resync(cluster: &SimCluster, delay: Duration) {
    for d in cluster.list("apps", "deployments", None) {
        observe(cluster, &d, delay);
    }
}

/// A Deployment changed: its ReplicaSets and status follow at once (the new Pods not ready
/// yet), the rest of the rollout after `delay`; a deleted one takes its ReplicaSets along (the
/// garbage collector's work on a real cluster).
pub fn on_change(cluster: &SimCluster, change: &Change, delay: Duration) {
    if change.kind == EventType::Deleted {
        replicasets::delete_owned(cluster, &change.object);
    } else {
        observe(cluster, &change.object, delay);
    }
}

/// Finishes every rollout now (tests drive time with this).
pub fn settle(cluster: &SimCluster) {
    for d in cluster.list("apps", "deployments", None) {
        if !settled(&d) {
            sync(cluster, &d, true);
        }
    }
}

fn observe(cluster: &SimCluster, deployment: &Value, delay: Duration) {
    if settled(deployment) {
        return;
    }
    if let Some(current) = sync(cluster, deployment, false)
        && !settled(&current)
    {
        schedule(cluster, &current, delay);
    }
}

/// Brings the ReplicaSets in line (`finish`: the new Pods have started, the old ones are gone),
/// then writes the status computed from them: whole, never merged, so counts that dropped to
/// zero disappear. Returns the Deployment as written.
fn sync(cluster: &SimCluster, deployment: &Value, finish: bool) -> Option<Value> {
    let outcome = replicasets::reconcile(cluster, deployment, finish)?;
    // Re-read: the revision annotation may have been written meanwhile.
    let ns = deployment.pointer("/metadata/namespace").and_then(Value::as_str);
    let name = deployment
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let current = cluster.get("apps", "deployments", ns, name)?;
    if generation(&current) != generation(deployment) {
        // It changed again; its own sync is on the way.
        return None;
    }
    let status = status_from(&current, &outcome);
    if current.get("status") == Some(&status) {
        return Some(current);
    }
    cluster.replace_status("apps", "deployments", &current, status).ok()
}

fn generation(obj: &Value) -> i64 {
    obj.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(0)
}

/// Nothing left to do for the controller: the generation observed and the rollout complete
/// (or, on Pods that never become ready, past its progress deadline: only a new template
/// changes that).
fn settled(obj: &Value) -> bool {
    let status = |k: &str| {
        obj.pointer(&format!("/status/{k}"))
            .and_then(Value::as_i64)
            .unwrap_or(0)
    };
    let replicas = obj.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    let never_ready = obj
        .pointer("/spec/template/metadata/annotations")
        .and_then(|a| a.get(UNAVAILABLE_ANNOTATION))
        .and_then(Value::as_str)
        == Some("true");
    obj.pointer("/status/observedGeneration").and_then(Value::as_i64) == Some(generation(obj))
        && status("updatedReplicas") == replicas
        && status("replicas") == replicas
        && (status("availableReplicas") == replicas || never_ready && deadline_exceeded(obj))
}

fn deadline_exceeded(obj: &Value) -> bool {
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded")
        })
}

fn schedule(cluster: &SimCluster, obj: &Value, delay: Duration) {
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
    let seen = generation(obj);
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        // Re-read: the Deployment may have changed (then its own finish is scheduled) or gone.
        let Some(current) = cluster.get("apps", "deployments", Some(&ns), &name) else {
            return;
        };
        if generation(&current) != seen || settled(&current) {
            return;
        }
        let Some(after) = sync(&cluster, &current, true) else {
            return;
        };
        // Still not done (Pods that never become ready): the deadline is checked once it is due.
        if !settled(&after) && after.pointer("/spec/paused").and_then(Value::as_bool) != Some(true) {
            tokio::time::sleep(progress_deadline(&after) + Duration::from_secs(1)).await;
            if let Some(current) = cluster.get("apps", "deployments", Some(&ns), &name)
                && generation(&current) == seen
            {
                sync(&cluster, &current, true);
            }
        }
    });
}

/// Pods that may be unavailable during an update: `maxUnavailable` of a RollingUpdate strategy
/// (default 25%, a percentage rounded down), none for Recreate.
// kube-controller-manager: pkg/controller/deployment/util/deployment_util.go, func MaxUnavailable
fn max_unavailable(deployment: &Value, replicas: i64) -> i64 {
    if deployment.pointer("/spec/strategy/type").and_then(Value::as_str) == Some("Recreate") || replicas == 0 {
        return 0;
    }
    let value = deployment
        .pointer("/spec/strategy/rollingUpdate/maxUnavailable")
        .cloned()
        .unwrap_or(json!("25%"));
    let n = match &value {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => s
            .strip_suffix('%')
            .and_then(|p| p.parse::<i64>().ok())
            .map(|p| p * replicas / 100)
            .unwrap_or(0),
        _ => 0,
    };
    n.clamp(0, replicas)
}

/// A condition, keeping the previous one's times when nothing about it changed (and its
/// transition time when only the reason or message did).
// kube-controller-manager: pkg/controller/deployment/util/deployment_util.go, func
// SetDeploymentCondition
fn condition(previous: Option<&Value>, kind: &str, status: &str, reason: &str, message: String, now: &str) -> Value {
    if let Some(p) = previous
        && p["status"] == status
        && p["reason"] == reason
        && p["message"] == message.as_str()
    {
        return p.clone();
    }
    let transition = match previous {
        Some(p) if p["status"] == status => p["lastTransitionTime"].clone(),
        _ => json!(now),
    };
    json!({"type": kind, "status": status, "reason": reason, "message": message,
           "lastUpdateTime": now, "lastTransitionTime": transition})
}

/// `spec.progressDeadlineSeconds` (600 by default).
fn progress_deadline(deployment: &Value) -> Duration {
    let seconds = deployment
        .pointer("/spec/progressDeadlineSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(600);
    Duration::from_secs(seconds.max(0) as u64)
}

/// Whether the rollout of ReplicaSet `rs` made no progress within the deadline: the Progressing
/// condition about it has not moved since (or already says it timed out).
fn timed_out(previous: Option<&Value>, rs: &str, deadline: Duration) -> bool {
    let Some(p) = previous else {
        return false;
    };
    let about_rs = p["message"].as_str().is_some_and(|m| m.contains(&format!("\"{rs}\"")));
    if !about_rs {
        return false;
    }
    if p["reason"] == "ProgressDeadlineExceeded" {
        return true;
    }
    p["reason"] == "ReplicaSetUpdated"
        && p["lastUpdateTime"]
            .as_str()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .is_some_and(|since| jiff::Timestamp::now().as_second() - since.as_second() > deadline.as_secs() as i64)
}

/// The Deployment's whole status, from its ReplicaSets after a sync.
// kube-controller-manager: pkg/controller/deployment/sync.go, func calculateStatus (counts) and
// pkg/controller/deployment/progress.go, func syncRolloutStatus (Progressing reasons).
pub fn status_from(deployment: &Value, rs: &replicasets::Outcome) -> Value {
    let replicas = deployment
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let now = now_rfc3339();
    let previous = deployment
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let prev = |kind: &str| previous.iter().find(|c| c["type"] == kind);
    let minimum = rs.available >= replicas - max_unavailable(deployment, replicas);
    let available = if minimum {
        condition(
            prev("Available"),
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.".into(),
            &now,
        )
    } else {
        condition(
            prev("Available"),
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.".into(),
            &now,
        )
    };
    let complete = rs.updated == replicas && rs.total == replicas && rs.available == replicas;
    let paused = deployment.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
    // kube-controller-manager: pkg/controller/deployment/progress.go, func checkPausedConditions
    let progressing = if paused {
        condition(
            prev("Progressing"),
            "Progressing",
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused".into(),
            &now,
        )
    } else if complete {
        condition(
            prev("Progressing"),
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            format!("ReplicaSet \"{}\" has successfully progressed.", rs.new_name),
            &now,
        )
    } else if timed_out(prev("Progressing"), &rs.new_name, progress_deadline(deployment)) {
        // kube-controller-manager: pkg/controller/deployment/util/deployment_util.go, func
        // DeploymentTimedOut (no progress since the condition's lastUpdateTime)
        condition(
            prev("Progressing"),
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            format!("ReplicaSet \"{}\" has timed out progressing.", rs.new_name),
            &now,
        )
    } else {
        condition(
            prev("Progressing"),
            "Progressing",
            "True",
            "ReplicaSetUpdated",
            format!("ReplicaSet \"{}\" is progressing.", rs.new_name),
            &now,
        )
    };
    let mut status = json!({
        "observedGeneration": generation(deployment),
        "conditions": [available, progressing],
    });
    // DeploymentStatus's counts are all `omitempty`: zero is left out, as the server's JSON does.
    for (field, value) in [
        ("replicas", rs.total),
        ("updatedReplicas", rs.updated),
        ("readyReplicas", rs.ready),
        ("availableReplicas", rs.available),
        ("unavailableReplicas", (replicas - rs.available).max(0)),
    ] {
        if value > 0 {
            status[field] = json!(value);
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(total: i64, updated: i64, ready: i64) -> replicasets::Outcome {
        replicasets::Outcome {
            new_name: "web-abc".into(),
            total,
            updated,
            ready,
            available: ready,
        }
    }

    #[test]
    fn status_is_computed_whole_from_the_replica_sets() {
        let d = json!({"metadata": {"name": "web", "generation": 3}, "spec": {"replicas": 2}});
        let s = status_from(&d, &outcome(2, 2, 2));
        assert_eq!(s["observedGeneration"], 3);
        assert_eq!(s["readyReplicas"], 2);
        assert!(s.get("unavailableReplicas").is_none());
        assert_eq!(s["conditions"][0]["reason"], "MinimumReplicasAvailable");
        assert_eq!(s["conditions"][1]["reason"], "NewReplicaSetAvailable");
        // Scaled to zero: no counts at all, still Available.
        let zero = json!({"metadata": {"name": "web", "generation": 4}, "spec": {"replicas": 0},
                          "status": s.clone()});
        let z = status_from(&zero, &outcome(0, 0, 0));
        for field in [
            "replicas",
            "updatedReplicas",
            "readyReplicas",
            "availableReplicas",
            "unavailableReplicas",
        ] {
            assert!(z.get(field).is_none(), "{field} in {z}");
        }
        assert_eq!(z["conditions"][0]["status"], "True");
        // The Available condition kept its times: nothing about it changed.
        assert_eq!(z["conditions"][0], s["conditions"][0]);
        // Pods that never become ready.
        let stuck = status_from(&d, &outcome(2, 2, 0));
        assert_eq!(stuck["conditions"][0]["status"], "False");
        assert_eq!(stuck["conditions"][0]["reason"], "MinimumReplicasUnavailable");
        assert_eq!(stuck["conditions"][1]["reason"], "ReplicaSetUpdated");
        assert_eq!(stuck["unavailableReplicas"], 2);
        // 25% of 4 may be unavailable.
        let four = json!({"metadata": {"generation": 1}, "spec": {"replicas": 4}});
        assert_eq!(status_from(&four, &outcome(4, 4, 3))["conditions"][0]["status"], "True");
        assert_eq!(
            status_from(&four, &outcome(4, 4, 2))["conditions"][0]["status"],
            "False"
        );
    }
}
