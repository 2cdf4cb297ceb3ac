//! The simulated Flagger controller driven tick by tick (no sleeps): objects it creates, the
//! status it writes, events, and gates reached through the load tester.

use fleet_sim::SimCluster;
use fleet_sim::controllers::settle;
use fleet_sim::flagger::controller::FlaggerSim;
use fleet_sim::patch::PatchKind;
use serde_json::{Value, json};

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

fn deployment(ns: &str, name: &str, labels: Value, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns, "labels": labels},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "app", "image": image}]}}}})
}

fn ns(cluster: &SimCluster, name: &str) {
    cluster
        .apply(
            "",
            "namespaces",
            None,
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
        )
        .unwrap();
}

/// A cluster with Flagger installed and Available, a load tester (Deployment and Service), and
/// podinfo.
fn cluster_with_flagger(webhooks: Value) -> (SimCluster, std::sync::Arc<FlaggerSim>) {
    let cluster = SimCluster::new("c1");
    cluster
        .apply("apiextensions.k8s.io", "customresourcedefinitions", None, &canary_crd())
        .unwrap();
    ns(&cluster, "flagger-system");
    ns(&cluster, "test");
    // Flagger's default provider routes with Istio's objects: the mesh is installed first.
    fleet_sim::flagger::routing::install_provider(&cluster, "istio").unwrap();
    cluster
        .apply(
            "apps",
            "deployments",
            Some("flagger-system"),
            &deployment("flagger-system", "flagger", json!({"app": "flagger"}), "flagger:1.44.0"),
        )
        .unwrap();
    cluster
        .apply(
            "",
            "services",
            Some("test"),
            &json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "loadtester", "namespace": "test"},
                    "spec": {"selector": {"app": "loadtester"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}),
        )
        .unwrap();
    let mut tester = deployment(
        "test",
        "loadtester",
        json!({}),
        "ghcr.io/fluxcd/flagger-loadtester:0.38.0",
    );
    tester["spec"]["template"]["spec"]["containers"][0]["ports"] = json!([{"name": "http", "containerPort": 8080}]);
    cluster.apply("apps", "deployments", Some("test"), &tester).unwrap();
    cluster
        .apply(
            "apps",
            "deployments",
            Some("test"),
            &deployment("test", "podinfo", json!({}), "podinfo:1"),
        )
        .unwrap();
    cluster.apply("flagger.app", "canaries", Some("test"), &json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "podinfo", "namespace": "test"},
        "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"}, "service": {"port": 9898},
                 "analysis": {"interval": "30s", "threshold": 2, "stepWeight": 25, "maxWeight": 50, "webhooks": webhooks,
                              "metrics": [{"name": "request-success-rate", "thresholdRange": {"min": 99}}]}}
    })).unwrap();
    settle(&cluster);
    let sim = FlaggerSim::new(cluster.clone(), 1.0);
    assert!(sim.active());
    (cluster, sim)
}

fn phase(cluster: &SimCluster) -> (String, i64) {
    let c = cluster.get("flagger.app", "canaries", Some("test"), "podinfo").unwrap();
    (
        c["status"]["phase"].as_str().unwrap_or("").to_string(),
        c["status"]["canaryWeight"].as_i64().unwrap_or(-1),
    )
}

async fn step(cluster: &SimCluster, sim: &FlaggerSim) -> (String, i64) {
    sim.tick("test", "podinfo").await;
    settle(cluster);
    phase(cluster)
}

fn set_image(cluster: &SimCluster, image: &str) {
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}});
    cluster
        .patch(
            "apps",
            "deployments",
            Some("test"),
            "podinfo",
            PatchKind::Strategic,
            &patch,
        )
        .unwrap();
    settle(cluster);
}

#[tokio::test]
async fn a_release_runs_to_success_tick_by_tick() {
    let (cluster, sim) = cluster_with_flagger(json!([]));
    // The first tick creates the primary, which is not ready yet (trace A, tick 1).
    assert_eq!(step(&cluster, &sim).await, ("Initializing".into(), 0));
    assert_eq!(step(&cluster, &sim).await, ("Initialized".into(), 0));
    let primary = cluster
        .get("apps", "deployments", Some("test"), "podinfo-primary")
        .expect("primary created");
    assert_eq!(
        primary["spec"]["template"]["metadata"]["labels"]["app"],
        "podinfo-primary"
    );
    for svc in ["podinfo", "podinfo-primary", "podinfo-canary"] {
        assert!(cluster.get("", "services", Some("test"), svc).is_some(), "{svc}");
    }
    assert_eq!(
        cluster.get("apps", "deployments", Some("test"), "podinfo").unwrap()["spec"]["replicas"],
        0,
        "target scaled to zero"
    );
    assert_eq!(step(&cluster, &sim).await, ("Initialized".into(), 0));

    set_image(&cluster, "podinfo:2");
    let mut seen = Vec::new();
    for _ in 0..8 {
        seen.push(step(&cluster, &sim).await);
    }
    let seen: Vec<(&str, i64)> = seen.iter().map(|(p, w)| (p.as_str(), *w)).collect();
    assert_eq!(
        seen,
        vec![
            ("Progressing", 0),
            ("Progressing", 25),
            ("Progressing", 50),
            ("Promoting", 50),
            ("Finalising", 0),
            ("Succeeded", 0),
            ("Succeeded", 0),
            ("Succeeded", 0)
        ]
    );
    let primary = cluster
        .get("apps", "deployments", Some("test"), "podinfo-primary")
        .unwrap();
    assert_eq!(
        primary["spec"]["template"]["spec"]["containers"][0]["image"],
        "podinfo:2"
    );
    let canary = cluster.get("flagger.app", "canaries", Some("test"), "podinfo").unwrap();
    assert_eq!(canary["status"]["conditions"][0]["reason"], "Succeeded");
    assert_eq!(canary["status"]["conditions"][0]["status"], "True");
    assert_eq!(
        canary["status"]["lastAppliedSpec"],
        canary["status"]["lastPromotedSpec"]
    );
    let events: Vec<String> = cluster
        .list("", "events", Some("test"))
        .iter()
        .map(|e| e["message"].as_str().unwrap_or("").to_string())
        .collect();
    for expected in [
        "Initialization done! podinfo.test",
        "New revision detected! Scaling up podinfo.test",
        "Advance podinfo.test canary weight 25",
        "Promotion completed! Scaling down podinfo.test",
    ] {
        assert!(
            events.iter().any(|e| e == expected),
            "{expected} missing from {events:#?}"
        );
    }
}

#[tokio::test]
async fn gates_and_failed_metrics() {
    let hooks = json!([
        {"name": "promotion-gate", "type": "confirm-promotion", "url": "http://loadtester.test/gate/check"},
        {"name": "not-a-service", "type": "post-rollout", "url": "http://nowhere.test/"}
    ]);
    let (cluster, sim) = cluster_with_flagger(hooks);
    step(&cluster, &sim).await;
    assert_eq!(step(&cluster, &sim).await, ("Initialized".into(), 0));
    set_image(&cluster, "podinfo:2");
    for _ in 0..3 {
        step(&cluster, &sim).await;
    }
    assert_eq!(step(&cluster, &sim).await, ("WaitingPromotion".into(), 0));
    assert_eq!(step(&cluster, &sim).await, ("WaitingPromotion".into(), 0));
    let tester = sim.load_tester("test", "loadtester").expect("a simulated load tester");
    let open = fleet_sim::ProxyRequest {
        method: http::Method::POST,
        path: "/gate/open".into(),
        query: String::new(),
        body: br#"{"name":"podinfo","namespace":"test"}"#.to_vec().into(),
    };
    assert_eq!(tester.handle(&open).status, 202);
    assert_eq!(step(&cluster, &sim).await, ("Promoting".into(), 0));

    // Next release fails its success rate twice and rolls back on the tick after.
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {"sim.kurator.dev/success-rate": "80"}}}}});
    cluster
        .patch("apps", "deployments", Some("test"), "podinfo", PatchKind::Merge, &patch)
        .unwrap();
    for _ in 0..3 {
        step(&cluster, &sim).await;
    }
    let mut phases = Vec::new();
    for _ in 0..6 {
        phases.push(step(&cluster, &sim).await.0);
    }
    assert!(phases.contains(&"Failed".to_string()), "{phases:?}");
    let warnings: Vec<String> = cluster
        .list("", "events", Some("test"))
        .iter()
        .filter(|e| e["type"] == "Warning")
        .map(|e| e["message"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w == "Halt podinfo.test advancement success rate 80.00% < 99%"),
        "{warnings:#?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("Rolling back podinfo.test failed checks threshold reached 2")),
        "{warnings:#?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("Post-rollout hook not-a-service failed") && w.contains("no such host")),
        "{warnings:#?}"
    );
}

#[tokio::test]
async fn nothing_happens_without_an_available_flagger() {
    let (cluster, sim) = cluster_with_flagger(json!([]));
    cluster
        .patch(
            "apps",
            "deployments",
            Some("flagger-system"),
            "flagger",
            PatchKind::Merge,
            &json!({"spec": {"template": {"metadata": {"annotations": {"sim.kurator.dev/unavailable": "true"}}}}}),
        )
        .unwrap();
    settle(&cluster);
    assert!(!sim.active());
}
