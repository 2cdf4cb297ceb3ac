//! The simulated Kurator fleet manager driven pass by pass with explicit instants (no sleeps):
//! the 30-second status cadence in simulated time, the Canary name defect, and deletion.

use std::time::{Duration, Instant};

use fleet_sim::kurator::{FleetManager, HubMember, seed_hub};
use fleet_sim::{KubeconfigEntry, SimCluster};
use serde_json::{Value, json};

const SPEED: f64 = 10.0;

fn canary_crd() -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "canaries.flagger.app"},
        "spec": {"group": "flagger.app", "scope": "Namespaced",
                 "names": {"plural": "canaries", "singular": "canary", "kind": "Canary", "listKind": "CanaryList"},
                 "versions": [{"name": "v1beta1", "served": true, "storage": true, "subresources": {"status": {}},
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    })
}

/// A hub with the Fleet `quickstart` of one served member that has the Canary CRD and podinfo.
async fn hub_and_member() -> (SimCluster, SimCluster) {
    let member = SimCluster::new("kurator-member1");
    member.serve().await.unwrap();
    member
        .apply("apiextensions.k8s.io", "customresourcedefinitions", None, &canary_crd())
        .unwrap();
    fleet_sim::kurator::apply_all(&member, &fleet_sim::sample::podinfo("podinfo:1", 1));
    let hub = SimCluster::new("kurator-host");
    let entry = KubeconfigEntry {
        context: "kurator-member1".into(),
        server: member.url().unwrap(),
        token: "t".into(),
        namespace: "default".into(),
        ca_pem: None,
    };
    seed_hub(
        &hub,
        &[HubMember {
            cluster: &member,
            entry,
            labels: json!({}),
        }],
    )
    .unwrap();
    (hub, member)
}

fn application(service: &str) -> Value {
    json!({
        "apiVersion": "apps.kurator.dev/v1alpha1", "kind": "Application",
        "metadata": {"name": "demo", "namespace": "default"},
        "spec": {"destination": {"fleet": "quickstart"}, "syncPolicies": [{"rollout": {
            "trafficRoutingProvider": "istio",
            "workload": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo", "namespace": "test"},
            "serviceName": service, "port": 9898,
            "rolloutPolicy": {"trafficRouting": {"canaryStrategy": {"stepWeight": 10, "maxWeight": 50}},
                              "trafficAnalysis": {"checkIntervalSeconds": 30, "checkFailedTimes": 2}}}}]}
    })
}

fn hub_phase(hub: &SimCluster) -> Option<Value> {
    hub.get("apps.kurator.dev", "applications", Some("default"), "demo")?
        .pointer("/status/syncStatus/0/rolloutStatus/rolloutStatusInCluster/phase")
        .cloned()
}

fn set_phase(member: &SimCluster, phase: &str) {
    member
        .patch_status(
            "flagger.app",
            "canaries",
            Some("test"),
            "podinfo",
            &json!({"phase": phase}),
        )
        .unwrap();
}

#[tokio::test]
async fn status_reaches_the_hub_every_30_simulated_seconds() {
    let (hub, member) = hub_and_member().await;
    hub.apply(
        "apps.kurator.dev",
        "applications",
        Some("default"),
        &application("podinfo"),
    )
    .unwrap();
    let mut manager = FleetManager::new(hub.clone(), vec![member.clone()], SPEED);
    let t0 = Instant::now();
    manager.step(t0);
    manager.step(t0); // the Application changed (finalizer, status): reconciled at once again
    let canary = member.get("flagger.app", "canaries", Some("test"), "podinfo").unwrap();
    assert_eq!(
        canary["metadata"]["annotations"],
        json!({"kurator.dev/rollout": "demo-0"})
    );
    assert_eq!(canary["spec"]["service"]["timeout"], "0s");
    let app = hub
        .get("apps.kurator.dev", "applications", Some("default"), "demo")
        .unwrap();
    assert_eq!(app["metadata"]["finalizers"], json!(["apps.kurator.dev"]));
    assert_eq!(
        app["status"]["syncStatus"][0]["name"],
        "demo-0-attachedcluster-kurator-member1"
    );
    assert_eq!(hub_phase(&hub), Some(json!("")), "Flagger had written no status yet");

    set_phase(&member, "Progressing");
    let period = Duration::from_secs(30).div_f64(SPEED);
    manager.step(t0 + period - Duration::from_millis(10));
    assert_eq!(hub_phase(&hub), Some(json!("")), "not yet due");
    manager.step(t0 + period);
    assert_eq!(hub_phase(&hub), Some(json!("Progressing")));
}

#[tokio::test]
async fn a_service_named_otherwise_freezes_the_application_and_survives_its_deletion() {
    let (hub, member) = hub_and_member().await;
    let mut svc = member.get("", "services", Some("test"), "podinfo").unwrap();
    svc["metadata"] = json!({"name": "podinfo-svc", "namespace": "test"});
    svc["spec"].as_object_mut().unwrap().remove("clusterIP");
    svc["spec"].as_object_mut().unwrap().remove("clusterIPs");
    member.apply("", "services", Some("test"), &svc).unwrap();
    hub.apply(
        "apps.kurator.dev",
        "applications",
        Some("default"),
        &application("podinfo-svc"),
    )
    .unwrap();
    let mut manager = FleetManager::new(hub.clone(), vec![member.clone()], SPEED);
    let t0 = Instant::now();
    manager.step(t0);
    assert!(member.get("flagger.app", "canaries", Some("test"), "podinfo").is_some());
    manager.step(t0);
    let key = ("default".to_string(), "demo".to_string());
    let error = manager.errors.get(&key).cloned().unwrap_or_default();
    assert!(
        error.contains("failed to create rolloutPolicy") && error.contains("already exists"),
        "{error}"
    );

    // Deleting the Application: Kurator deletes Canary `podinfo-svc` (none), not `podinfo`.
    let t = hub
        .core()
        .type_of("apps.kurator.dev", "v1alpha1", "applications")
        .unwrap();
    hub.core()
        .delete(&t, Some("default"), "demo", &Default::default())
        .unwrap();
    manager.step(t0 + Duration::from_secs(1));
    assert!(
        hub.get("apps.kurator.dev", "applications", Some("default"), "demo")
            .is_none()
    );
    assert!(member.get("flagger.app", "canaries", Some("test"), "podinfo").is_some());
}

#[tokio::test]
async fn deleting_the_application_removes_its_canary() {
    let (hub, member) = hub_and_member().await;
    hub.apply(
        "apps.kurator.dev",
        "applications",
        Some("default"),
        &application("podinfo"),
    )
    .unwrap();
    let mut manager = FleetManager::new(hub.clone(), vec![member.clone()], SPEED);
    let t0 = Instant::now();
    manager.step(t0);
    assert!(member.get("flagger.app", "canaries", Some("test"), "podinfo").is_some());
    let t = hub
        .core()
        .type_of("apps.kurator.dev", "v1alpha1", "applications")
        .unwrap();
    hub.core()
        .delete(&t, Some("default"), "demo", &Default::default())
        .unwrap();
    assert!(
        hub.get("apps.kurator.dev", "applications", Some("default"), "demo")
            .is_some(),
        "held by Kurator's finalizer"
    );
    manager.step(t0);
    assert!(member.get("flagger.app", "canaries", Some("test"), "podinfo").is_none());
    assert!(
        hub.get("apps.kurator.dev", "applications", Some("default"), "demo")
            .is_none()
    );
}
