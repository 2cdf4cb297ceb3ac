//! The Deployment controller's two steps: on every change the ReplicaSets and the whole status
//! follow at once (new Pods not ready yet, the old ones still serving); after the start-up delay
//! (here: `settle`) the new Pods are ready and the old ReplicaSets run nothing.

mod support;

use std::time::Duration;

use fleet_sim::SimCluster;
use fleet_sim::controllers::settle;
use fleet_sim::patch::PatchKind;
use serde_json::{Value, json};

async fn until(cluster: &SimCluster, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let web = || cluster.get("apps", "deployments", Some("default"), "web");
    support::wait_until(what, || async { web().is_some_and(|d| done(&d)) }).await;
    web().unwrap()
}

fn observed(d: &Value) -> bool {
    d["status"]["observedGeneration"] == d["metadata"]["generation"]
}

fn condition(d: &Value, kind: &str) -> (String, String) {
    let c = d["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == kind))
        .cloned()
        .unwrap_or_default();
    (
        c["status"].as_str().unwrap_or("").into(),
        c["reason"].as_str().unwrap_or("").into(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollout_is_observed_at_once_and_completes_after_the_delay() {
    let cluster = SimCluster::new("c");
    // Pods take an hour to start: only `settle` finishes a rollout here.
    let controllers = cluster.start_controllers(Duration::from_secs(3600));
    cluster
        .apply("apps", "deployments", Some("default"), &json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "web:1"}]}}}}))
        .unwrap();
    let d = until(&cluster, "the first generation observed", observed).await;
    assert_eq!(d["status"]["replicas"], 2, "{d:#}");
    assert_eq!(d["status"]["updatedReplicas"], 2);
    assert!(d["status"].get("readyReplicas").is_none(), "{d:#}");
    assert_eq!(d["status"]["unavailableReplicas"], 2);
    assert_eq!(
        condition(&d, "Available"),
        ("False".into(), "MinimumReplicasUnavailable".into())
    );
    assert_eq!(
        condition(&d, "Progressing"),
        ("True".into(), "ReplicaSetUpdated".into())
    );
    settle(&cluster);
    let d = cluster.get("apps", "deployments", Some("default"), "web").unwrap();
    assert_eq!(d["status"]["availableReplicas"], 2, "{d:#}");
    assert_eq!(
        condition(&d, "Progressing"),
        ("True".into(), "NewReplicaSetAvailable".into())
    );

    // A new template: the old Pods keep serving while the new ones start.
    cluster
        .patch(
            "apps",
            "deployments",
            Some("default"),
            "web",
            PatchKind::Strategic,
            &json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "web:2"}]}}}}),
        )
        .unwrap();
    let d = until(&cluster, "the second generation observed", observed).await;
    assert_eq!(d["status"]["replicas"], 4, "{d:#}");
    assert_eq!(d["status"]["updatedReplicas"], 2);
    assert_eq!(d["status"]["availableReplicas"], 2);
    assert_eq!(
        condition(&d, "Available"),
        ("True".into(), "MinimumReplicasAvailable".into())
    );
    assert_eq!(
        condition(&d, "Progressing"),
        ("True".into(), "ReplicaSetUpdated".into())
    );
    let sets = cluster.list("apps", "replicasets", Some("default"));
    assert_eq!(sets.len(), 2);
    settle(&cluster);
    let d = cluster.get("apps", "deployments", Some("default"), "web").unwrap();
    assert_eq!(d["status"]["replicas"], 2, "{d:#}");
    assert_eq!(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "2");
    let mut replicas: Vec<i64> = cluster
        .list("apps", "replicasets", Some("default"))
        .iter()
        .map(|rs| rs["status"]["replicas"].as_i64().unwrap())
        .collect();
    replicas.sort_unstable();
    assert_eq!(replicas, [0, 2]);
    controllers.abort();
}
