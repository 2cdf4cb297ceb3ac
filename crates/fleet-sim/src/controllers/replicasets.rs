//! ReplicaSets as the Deployment controller keeps them: one per distinct pod template, named
//! `<deployment>-<pod-template-hash>`, owned by the Deployment, with the
//! `deployment.kubernetes.io/revision` annotation `kubectl rollout history/undo` read.

use serde_json::{Map, Value, json};

use super::deployments::UNAVAILABLE_ANNOTATION;
use crate::cluster::SimCluster;
use crate::core::WriteOptions;

pub const REVISION: &str = "deployment.kubernetes.io/revision";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
pub const HASH_LABEL: &str = "pod-template-hash";
/// The manager a real cluster's controllers write as.
const MANAGER: &str = "kube-controller-manager";

/// Deployment annotations that are not copied to (and from) its ReplicaSets.
// kube-controller-manager: pkg/controller/deployment/util/deployment_util.go, annotationsToSkip
const SKIPPED_ANNOTATIONS: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
];

/// What a sync left: the current ReplicaSet's name and the Pod counts over all of them.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub new_name: String,
    pub total: i64,
    pub updated: i64,
    pub ready: i64,
    pub available: i64,
}

fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn revision(rs: &Value) -> i64 {
    rs.pointer("/metadata/annotations")
        .and_then(|a| a.get(REVISION))
        .and_then(Value::as_str)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// Whether the Deployment (by uid) is this ReplicaSet's controller.
fn owned_by(rs: &Value, uid: &str) -> bool {
    rs.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r["uid"] == uid && r["controller"] == true && r["kind"] == "Deployment")
        })
}

/// A ReplicaSet's template without the hash label, to compare with the Deployment's.
// kube-controller-manager: pkg/controller/deployment/util/deployment_util.go, func EqualIgnoreHash
fn template_without_hash(rs: &Value) -> Value {
    let mut t = rs.pointer("/spec/template").cloned().unwrap_or(json!({}));
    if let Some(labels) = t.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove(HASH_LABEL);
        if labels.is_empty()
            && let Some(meta) = t.get_mut("metadata").and_then(Value::as_object_mut)
        {
            meta.remove("labels");
        }
    }
    t
}

fn owned(cluster: &SimCluster, deployment: &Value) -> Vec<Value> {
    let uid = text(deployment, "/metadata/uid");
    cluster
        .list(
            "apps",
            "replicasets",
            deployment.pointer("/metadata/namespace").and_then(Value::as_str),
        )
        .into_iter()
        .filter(|rs| owned_by(rs, uid))
        .collect()
}

fn opts() -> WriteOptions {
    WriteOptions {
        field_manager: Some(MANAGER.into()),
        ..Default::default()
    }
}

/// Writes a ReplicaSet's spec side (create, or a PUT guarded by the version read), then its
/// status; returns the status written.
fn write(cluster: &SimCluster, existing: Option<&Value>, mut rs: Value, status: Value) -> Option<Value> {
    let core = cluster.core();
    let t = core.storage_type("apps", "replicasets")?;
    let ns = rs
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .map(str::to_string);
    let name = text(&rs, "/metadata/name").to_string();
    let written = match existing {
        Some(old) => {
            rs["metadata"]["resourceVersion"] =
                old.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null);
            for keep in ["uid", "creationTimestamp"] {
                if let Some(v) = old.pointer(&format!("/metadata/{keep}")) {
                    rs["metadata"][keep] = v.clone();
                }
            }
            core.replace(&t, ns.as_deref(), &name, rs, false, &opts()).ok()?
        }
        None => core.create(&t, ns.as_deref(), rs, &opts()).ok()?,
    };
    let mut with_status = (*written.object).clone();
    with_status["status"] = status.clone();
    core.replace(&t, ns.as_deref(), &name, with_status, true, &opts())
        .ok()?;
    Some(status)
}

/// `status` of a ReplicaSet with `replicas` Pods, `ready` of them ready. `replicas` is the one
/// count ReplicaSetStatus does not omit when zero.
fn rs_status(replicas: i64, ready: i64, generation: i64) -> Value {
    let mut status = json!({"replicas": replicas, "observedGeneration": generation});
    for (field, value) in [
        ("fullyLabeledReplicas", replicas),
        ("readyReplicas", ready),
        ("availableReplicas", ready),
    ] {
        if value > 0 {
            status[field] = json!(value);
        }
    }
    status
}

/// Brings a Deployment's ReplicaSets in line with it: the one whose template is the
/// Deployment's (created if none, and given the next revision when it is not the newest: that
/// is how an undo shows) runs `spec.replicas` Pods, none of the new ones ready until `finish`,
/// when they are (unless the template says they never are) and the older ReplicaSets are
/// scaled to zero; beyond `revisionHistoryLimit` the oldest empty ones are deleted. The
/// Deployment's revision annotation follows the current ReplicaSet's.
// kube-controller-manager: pkg/controller/deployment/sync.go, funcs getNewReplicaSet,
// cleanupDeployment; util/deployment_util.go, func SetNewReplicaSetAnnotations
pub fn reconcile(cluster: &SimCluster, deployment: &Value, finish: bool) -> Option<Outcome> {
    let ns = text(deployment, "/metadata/namespace").to_string();
    let name = text(deployment, "/metadata/name").to_string();
    let uid = text(deployment, "/metadata/uid").to_string();
    let template = deployment.pointer("/spec/template").cloned().unwrap_or(json!({}));
    let replicas = deployment
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let hash = pod_template_hash(&template);
    let rs_name = format!("{name}-{hash}");
    let never_ready = template
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(UNAVAILABLE_ANNOTATION))
        .and_then(Value::as_str)
        == Some("true");
    let all = owned(cluster, deployment);
    let max_revision = all.iter().map(revision).max().unwrap_or(0);
    let current = all
        .iter()
        .find(|rs| normalized(&template_without_hash(rs)) == normalized(&template));
    let paused = deployment.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
    if paused && current.is_none() {
        return Some(scale_paused(cluster, &all, replicas, finish));
    }
    let new_revision = match current {
        Some(rs) if revision(rs) == max_revision && max_revision > 0 => max_revision,
        _ => max_revision + 1,
    };

    // The current ReplicaSet.
    let mut annotations: Map<String, Value> = deployment
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    annotations.retain(|k, _| !SKIPPED_ANNOTATIONS.contains(&k.as_str()));
    annotations.insert(REVISION.into(), json!(new_revision.to_string()));
    annotations.insert(DESIRED_REPLICAS.into(), json!(replicas.to_string()));
    annotations.insert(
        MAX_REPLICAS.into(),
        json!((replicas + max_surge(deployment, replicas)).to_string()),
    );
    if let Some(rs) = current {
        let old = revision(rs);
        let mut history: Vec<String> = rs
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(REVISION_HISTORY))
            .and_then(Value::as_str)
            .map(|h| h.split(',').map(str::to_string).collect())
            .unwrap_or_default();
        if old > 0 && old != new_revision {
            history.push(old.to_string());
        }
        if !history.is_empty() {
            annotations.insert(REVISION_HISTORY.into(), json!(history.join(",")));
        }
    }
    let current_name = current
        .map(|rs| text(rs, "/metadata/name").to_string())
        .unwrap_or(rs_name);
    let mut rs_template = template.clone();
    rs_template["metadata"]["labels"][HASH_LABEL] = json!(hash);
    let mut selector = deployment.pointer("/spec/selector").cloned().unwrap_or(json!({}));
    selector["matchLabels"][HASH_LABEL] = json!(hash);
    let mut labels = template.pointer("/metadata/labels").cloned().unwrap_or(json!({}));
    labels[HASH_LABEL] = json!(hash);
    let new_rs = json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": current_name, "namespace": ns, "labels": labels, "annotations": annotations,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": uid,
                                 "controller": true, "blockOwnerDeletion": true}],
        },
        "spec": {"replicas": replicas, "minReadySeconds": deployment.pointer("/spec/minReadySeconds").cloned().unwrap_or(json!(0)),
                 "selector": selector, "template": rs_template},
    });
    let was_ready = current
        .and_then(|rs| rs.pointer("/status/readyReplicas"))
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let ready = match (finish, never_ready) {
        (true, true) => 0,
        (true, false) => replicas,
        // Pods beyond the new count stop at once; new ones are not ready yet.
        (false, _) => was_ready.min(replicas),
    };
    let generation = current
        .and_then(|rs| rs.pointer("/metadata/generation"))
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let unchanged = current.is_some_and(|rs| {
        rs.pointer("/metadata/annotations") == new_rs.pointer("/metadata/annotations")
            && rs.get("spec") == new_rs.get("spec")
            && rs.pointer("/metadata/labels") == new_rs.pointer("/metadata/labels")
            && rs.get("status") == Some(&rs_status(replicas, ready, generation))
    });
    if !unchanged {
        // A spec change moves the ReplicaSet's generation; its status then observes the new one.
        let spec_changes = current.is_some_and(|rs| rs.get("spec") != new_rs.get("spec"));
        let generation = if spec_changes { generation + 1 } else { generation };
        write(cluster, current, new_rs, rs_status(replicas, ready, generation))?;
    }

    // The older ones keep their Pods until the new ones are up, then run nothing.
    let mut old: Vec<&Value> = all
        .iter()
        .filter(|rs| text(rs, "/metadata/name") != current_name)
        .collect();
    let (mut old_total, mut old_ready) = (0, 0);
    for rs in &old {
        let count = |k: &str| rs.pointer(&format!("/status/{k}")).and_then(Value::as_i64).unwrap_or(0);
        let empty = rs.pointer("/spec/replicas").and_then(Value::as_i64) == Some(0) && count("replicas") == 0;
        if finish && !empty {
            let mut scaled = (*rs).clone();
            scaled["spec"]["replicas"] = json!(0);
            let generation = rs.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(1) + 1;
            write(cluster, Some(rs), scaled, rs_status(0, 0, generation));
        } else if !finish {
            old_total += count("replicas");
            old_ready += count("readyReplicas");
        }
    }
    let limit = deployment
        .pointer("/spec/revisionHistoryLimit")
        .and_then(Value::as_i64)
        .unwrap_or(10)
        .max(0) as usize;
    old.sort_by_key(|rs| revision(rs));
    if old.len() > limit {
        let t = cluster.core().storage_type("apps", "replicasets")?;
        for rs in &old[..old.len() - limit] {
            let _ = cluster
                .core()
                .delete(&t, Some(&ns), text(rs, "/metadata/name"), &opts());
        }
    }

    // The Deployment's revision annotation.
    let revision_text = new_revision.to_string();
    let has = deployment
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(REVISION))
        .and_then(Value::as_str);
    if has != Some(revision_text.as_str()) {
        let patch = json!({"metadata": {"annotations": {REVISION: revision_text}}});
        let t = cluster.core().storage_type("apps", "deployments")?;
        cluster
            .core()
            .patch(
                &t,
                Some(&ns),
                &name,
                crate::patch::PatchKind::Merge,
                &patch,
                false,
                &opts(),
            )
            .ok()?;
    }
    Some(Outcome {
        new_name: current_name,
        total: replicas + old_total,
        updated: replicas,
        ready: ready + old_ready,
        available: ready + old_ready,
    })
}

/// A paused Deployment whose template has no ReplicaSet yet: no rollout, only scaling of the
/// newest ReplicaSet that runs Pods (none is created).
// kube-controller-manager: pkg/controller/deployment/sync.go, func (*DeploymentController) sync
// (getAllReplicaSetsAndSyncRevision with createIfNotExisted false, then scale)
fn scale_paused(cluster: &SimCluster, all: &[Value], replicas: i64, finish: bool) -> Outcome {
    let count = |rs: &Value, k: &str| rs.pointer(&format!("/status/{k}")).and_then(Value::as_i64).unwrap_or(0);
    let active = all
        .iter()
        .filter(|rs| count(rs, "replicas") > 0)
        .max_by_key(|rs| revision(rs))
        .or_else(|| all.iter().max_by_key(|rs| revision(rs)));
    let mut outcome = Outcome::default();
    for rs in all {
        let is_active = active.is_some_and(|a| a["metadata"]["name"] == rs["metadata"]["name"]);
        let (mut pods, mut ready) = (count(rs, "replicas"), count(rs, "readyReplicas"));
        if is_active && rs.pointer("/spec/replicas").and_then(Value::as_i64) != Some(replicas) {
            let mut scaled = rs.clone();
            scaled["spec"]["replicas"] = json!(replicas);
            let generation = rs.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(1) + 1;
            pods = replicas;
            ready = if finish { replicas } else { ready.min(replicas) };
            write(cluster, Some(rs), scaled, rs_status(pods, ready, generation));
        } else if is_active && finish && ready < pods {
            let generation = rs.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(1);
            ready = pods;
            write(cluster, Some(rs), rs.clone(), rs_status(pods, ready, generation));
        }
        outcome.total += pods;
        outcome.ready += ready;
        outcome.available += ready;
    }
    outcome
}

/// `maxSurge` of a RollingUpdate strategy (default 25%, a percentage rounded up), none for
/// Recreate.
// kube-controller-manager: pkg/controller/deployment/util/deployment_util.go, func ResolveFenceposts
fn max_surge(deployment: &Value, replicas: i64) -> i64 {
    if deployment.pointer("/spec/strategy/type").and_then(Value::as_str) == Some("Recreate") {
        return 0;
    }
    match deployment
        .pointer("/spec/strategy/rollingUpdate/maxSurge")
        .cloned()
        .unwrap_or(json!("25%"))
    {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => s
            .strip_suffix('%')
            .and_then(|p| p.parse::<i64>().ok())
            .map(|p| (p * replicas + 99) / 100)
            .unwrap_or(0),
        _ => 0,
    }
}

/// Deletes the ReplicaSets a deleted Deployment controlled.
pub fn delete_owned(cluster: &SimCluster, deployment: &Value) {
    let Some(t) = cluster.core().storage_type("apps", "replicasets") else {
        return;
    };
    for rs in owned(cluster, deployment) {
        let _ = cluster.core().delete(
            &t,
            rs.pointer("/metadata/namespace").and_then(Value::as_str),
            text(&rs, "/metadata/name"),
            &opts(),
        );
    }
}

/// FNV-1a, 32 bits (what upstream's pod-template-hash starts from).
pub fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Upstream's alphabet for generated names: no vowels, no look-alikes.
// apimachinery: staging/src/k8s.io/apimachinery/pkg/util/rand/rand.go, func SafeEncodeString
const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn safe_encode(text: &str) -> String {
    text.bytes()
        .map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char)
        .collect()
}

/// The `pod-template-hash` of a pod template: FNV-1a of the template, its decimal form
/// safe-encoded. Upstream hashes the Go struct's dump, so the value differs from a real cluster's
/// for the same template; its shape and stability are the same.
// kube-controller-manager: pkg/controller/controller_utils.go, func ComputeHash
pub fn pod_template_hash(template: &Value) -> String {
    let mut template = normalized(template);
    // The label the controller adds itself must not change the hash.
    if let Some(labels) = template.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove("pod-template-hash");
    }
    safe_encode(&fnv32a(template.to_string().as_bytes()).to_string())
}

/// A pod template as a typed client round-trips it and the API server stores it: without the
/// `null`s (`metadata.creationTimestamp: null`) and empty `resources: {}` that Go clients such as
/// `kubectl rollout undo` write, which the real server's defaulting makes equal to absence.
pub fn normalized(template: &Value) -> Value {
    let empty = |v: &Value| v.as_object().is_some_and(|o| o.is_empty());
    match template {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, v)| !v.is_null() && (k.as_str() != "resources" || !empty(v)))
                .map(|(k, v)| (k.clone(), normalized(v)))
                .filter(|(k, v)| k.as_str() != "metadata" || !empty(v))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        other => other.clone(),
    }
}

/// The name of the `index`th Pod of a ReplicaSet (`<replicaset>-<5 chars>`).
pub fn pod_name(replicaset: &str, index: i64) -> String {
    let seed = fnv32a(format!("{replicaset}/{index}").as_bytes());
    let suffix: String = (0..5)
        .map(|i| ALPHANUMS[((seed >> (i * 5)) as usize) % ALPHANUMS.len()] as char)
        .collect();
    format!("{replicaset}-{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hashes_are_stable_and_safe() {
        let t =
            json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "a:1"}]}});
        let h = pod_template_hash(&t);
        assert_eq!(h, pod_template_hash(&t));
        assert!(h.bytes().all(|b| ALPHANUMS.contains(&b)), "{h}");
        let mut labelled = t.clone();
        labelled["metadata"]["labels"]["pod-template-hash"] = json!(h);
        assert_eq!(pod_template_hash(&labelled), h);
        let other =
            json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "a:2"}]}});
        assert_ne!(pod_template_hash(&other), h);
        let pod = pod_name(&format!("web-{h}"), 0);
        assert!(
            pod.starts_with(&format!("web-{h}-")) && pod.len() == 4 + h.len() + 1 + 5,
            "{pod}"
        );
    }
}
