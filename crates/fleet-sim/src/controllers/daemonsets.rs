//! The DaemonSet controller, reduced to the status clients observe, for a simulated cluster of
//! [`NODES`] schedulable nodes (no Node objects are served; Pods of DaemonSets are not
//! materialised, so nothing routes to them yet).
//!
//! Two steps, like [`super::deployments`]: on every change the status follows at once (a new
//! DaemonSet's Pods are created on every eligible node, not ready yet; after a template change
//! the old Pods keep running, none updated yet); after the start-up delay every eligible node
//! runs an updated, ready and available Pod. A pod template annotated
//! `sim.kurator.dev/unavailable: "true"` never becomes ready.
//!
//! Eligible nodes are those whose labels match every entry of the template's
//! `spec.nodeSelector`: the simulated nodes carry only the well-known labels in [`node_labels`],
//! so a selector on any other label (Flagger's `flagger.app/scale-to-zero: "true"`, with which it
//! "scales a DaemonSet to zero") leaves the DaemonSet with no node and all counts at 0.
//! Not modelled: node affinity, taints and tolerations, `minReadySeconds`, maxUnavailable /
//! maxSurge steps (the whole update lands at once after the delay), conditions, collisionCount.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::deployments::UNAVAILABLE_ANNOTATION;
use crate::cluster::SimCluster;
use crate::store::{Change, EventType};

/// How many schedulable nodes a simulated cluster has.
pub const NODES: usize = 3;

/// The labels of simulated node `i` (0-based): the ones the kubelet sets on itself.
// kubelet: pkg/kubelet/kubelet_node_status.go, func (*Kubelet) initialNode (hostname, os, arch)
pub fn node_labels(i: usize) -> Map<String, Value> {
    let mut labels = Map::new();
    labels.insert("kubernetes.io/hostname".into(), json!(format!("sim-node-{}", i + 1)));
    labels.insert("kubernetes.io/os".into(), json!("linux"));
    labels.insert("kubernetes.io/arch".into(), json!("amd64"));
    labels.insert("beta.kubernetes.io/os".into(), json!("linux"));
    labels.insert("beta.kubernetes.io/arch".into(), json!("amd64"));
    labels
}

/// Nodes the DaemonSet's Pods should run on: every node whose labels satisfy the template's
/// nodeSelector (all entries equal).
// kube-controller-manager: pkg/controller/daemon/daemon_controller.go, func NodeShouldRunDaemonPod
// (the nodeSelector part of the scheduler predicates it evaluates)
pub fn eligible_nodes(ds: &Value) -> i64 {
    let selector = ds
        .pointer("/spec/template/spec/nodeSelector")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    (0..NODES)
        .filter(|&i| {
            let labels = node_labels(i);
            selector.iter().all(|(k, v)| labels.get(k) == Some(v))
        })
        .count() as i64
}

/// Syncs every DaemonSet as observed now, scheduling the rest of unfinished rollouts.
pub fn resync(cluster: &SimCluster, delay: Duration) {
    for ds in cluster.list("apps", "daemonsets", None) {
        observe(cluster, &ds, delay);
    }
}

pub fn on_change(cluster: &SimCluster, change: &Change, delay: Duration) {
    if change.kind != EventType::Deleted {
        observe(cluster, &change.object, delay);
    }
}

/// Finishes every rollout now (tests drive time with this).
pub fn settle(cluster: &SimCluster) {
    for ds in cluster.list("apps", "daemonsets", None) {
        if !settled(&ds) {
            write(cluster, &ds, true);
        }
    }
}

fn generation(obj: &Value) -> i64 {
    obj.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(0)
}

fn count(obj: &Value, field: &str) -> i64 {
    obj.pointer(&format!("/status/{field}"))
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

fn never_ready(ds: &Value) -> bool {
    ds.pointer("/spec/template/metadata/annotations")
        .and_then(|a| a.get(UNAVAILABLE_ANNOTATION))
        .and_then(Value::as_str)
        == Some("true")
}

/// Nothing left to do: the generation observed and every eligible node runs an updated Pod that
/// is available (or never will be).
fn settled(ds: &Value) -> bool {
    let desired = eligible_nodes(ds);
    ds.pointer("/status/observedGeneration").and_then(Value::as_i64) == Some(generation(ds))
        && count(ds, "desiredNumberScheduled") == desired
        && count(ds, "updatedNumberScheduled") == desired
        && (count(ds, "numberAvailable") == desired || never_ready(ds))
}

fn observe(cluster: &SimCluster, ds: &Value, delay: Duration) {
    if settled(ds) {
        return;
    }
    if let Some(current) = write(cluster, ds, false)
        && !settled(&current)
    {
        schedule(cluster, &current, delay);
    }
}

/// The DaemonSet's whole status: `finish` = the Pods of the current template have started.
/// Counts per node; fields that are `omitempty` upstream are left out at 0.
// kube-controller-manager: pkg/controller/daemon/daemon_controller.go, func
// (*DaemonSetsController) updateDaemonSetStatus (the counts) and func storeDaemonSetStatus
// (observedGeneration written with them); k8s.io/api/apps/v1/types.go, type DaemonSetStatus
// (currentNumberScheduled, numberMisscheduled, desiredNumberScheduled, numberReady always
// serialised; observedGeneration, updatedNumberScheduled, numberAvailable, numberUnavailable
// omitempty).
pub fn status_for(ds: &Value, finish: bool) -> Value {
    let desired = eligible_nodes(ds);
    let fresh = ds.pointer("/status/observedGeneration").is_none();
    let (updated, ready) = if finish {
        (desired, if never_ready(ds) { 0 } else { desired })
    } else if fresh {
        // Pods just created on every eligible node, none ready yet.
        (desired, 0)
    } else {
        // A new template observed: the old Pods keep running (those still on eligible nodes).
        (0, count(ds, "numberReady").min(desired))
    };
    let current = desired;
    let available = ready;
    let mut status = Map::new();
    status.insert("currentNumberScheduled".into(), json!(current));
    status.insert("numberMisscheduled".into(), json!(0));
    status.insert("desiredNumberScheduled".into(), json!(desired));
    status.insert("numberReady".into(), json!(ready));
    status.insert("observedGeneration".into(), json!(generation(ds)));
    for (field, n) in [
        ("updatedNumberScheduled", updated),
        ("numberAvailable", available),
        ("numberUnavailable", desired - available),
    ] {
        if n != 0 {
            status.insert(field.into(), json!(n));
        }
    }
    Value::Object(status)
}

/// Writes the status through the status subresource; returns the DaemonSet as written (or as
/// it is when nothing changed), `None` when it changed or went meanwhile.
fn write(cluster: &SimCluster, ds: &Value, finish: bool) -> Option<Value> {
    let ns = ds.pointer("/metadata/namespace").and_then(Value::as_str);
    let name = ds.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let current = cluster.get("apps", "daemonsets", ns, name)?;
    if generation(&current) != generation(ds) {
        return None;
    }
    let status = status_for(&current, finish);
    if current.get("status") == Some(&status) {
        return Some(current);
    }
    cluster.replace_status("apps", "daemonsets", &current, status).ok()
}

fn schedule(cluster: &SimCluster, ds: &Value, delay: Duration) {
    let cluster = cluster.clone();
    let ns = ds
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = ds
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let seen = generation(ds);
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        // Re-read: it may have changed (then its own finish is scheduled) or gone.
        if let Some(current) = cluster.get("apps", "daemonsets", Some(&ns), &name)
            && generation(&current) == seen
            && !settled(&current)
        {
            write(&cluster, &current, true);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(generation: i64, status: Option<Value>, annotations: Value) -> Value {
        let mut ds = json!({"metadata": {"name": "a", "generation": generation},
            "spec": {"template": {"metadata": {"annotations": annotations}, "spec": {}}}});
        if let Some(s) = status {
            ds["status"] = s;
        }
        ds
    }

    #[test]
    fn counts_through_a_create_an_update_and_pods_that_never_start() {
        let fresh = status_for(&ds(1, None, json!({})), false);
        assert_eq!(
            fresh,
            json!({"currentNumberScheduled": 3, "numberMisscheduled": 0, "desiredNumberScheduled": 3,
                   "numberReady": 0, "observedGeneration": 1, "updatedNumberScheduled": 3,
                   "numberUnavailable": 3})
        );
        let done = status_for(&ds(1, Some(fresh), json!({})), true);
        assert_eq!(done["numberAvailable"], 3);
        assert!(done.get("numberUnavailable").is_none());
        // A new template: the old Pods still serve, none updated yet.
        let updating = status_for(&ds(2, Some(done), json!({})), false);
        assert_eq!(updating["numberReady"], 3);
        assert!(updating.get("updatedNumberScheduled").is_none(), "{updating}");
        assert_eq!(updating["observedGeneration"], 2);
        let stuck = status_for(&ds(3, Some(updating), json!({UNAVAILABLE_ANNOTATION: "true"})), true);
        assert_eq!(stuck["updatedNumberScheduled"], 3);
        assert_eq!(stuck["numberReady"], 0);
        assert_eq!(stuck["numberUnavailable"], 3);
    }

    #[test]
    fn node_selectors_pick_among_the_simulated_nodes() {
        let mut d = ds(1, None, json!({}));
        d["spec"]["template"]["spec"]["nodeSelector"] = json!({"kubernetes.io/hostname": "sim-node-2"});
        assert_eq!(eligible_nodes(&d), 1);
        d["spec"]["template"]["spec"]["nodeSelector"] = json!({"kubernetes.io/os": "linux"});
        assert_eq!(eligible_nodes(&d), 3);
        d["spec"]["template"]["spec"]["nodeSelector"] = json!({"flagger.app/scale-to-zero": "true"});
        assert_eq!(eligible_nodes(&d), 0);
    }
}
