//! The simulated Flagger's routing objects per provider, tick by tick: created when the primary
//! is ready, weights programmed and read back from them, and a provider whose CRDs the cluster
//! lacks stopping the canary where Flagger's router would.

use fleet_sim::SimCluster;
use fleet_sim::controllers::deployments::settle;
use fleet_sim::flagger::controller::FlaggerSim;
use fleet_sim::flagger::routing::install_provider;
use fleet_sim::patch::PatchKind;
use serde_json::{Value, json};

fn apply(cluster: &SimCluster, group: &str, plural: &str, ns: Option<&str>, obj: Value) {
    cluster.apply(group, plural, ns, &obj).unwrap();
}

/// Flagger (with `-mesh-provider=<mesh>`) Available, podinfo, and a Canary with `spec` merged in.
fn setup(mesh: Option<&str>, spec: Value) -> (SimCluster, std::sync::Arc<FlaggerSim>) {
    let cluster = SimCluster::new("c1");
    apply(
        &cluster,
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        None,
        json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "canaries.flagger.app"},
            "spec": {"group": "flagger.app", "scope": "Namespaced",
                     "names": {"plural": "canaries", "singular": "canary", "kind": "Canary", "listKind": "CanaryList"},
                     "versions": [{"name": "v1beta1", "served": true, "storage": true, "subresources": {"status": {}},
                                   "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
        }),
    );
    if let Some(mesh) = mesh {
        install_provider(&cluster, mesh).unwrap();
    }
    for ns in ["flagger-system", "test"] {
        apply(
            &cluster,
            "",
            "namespaces",
            None,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        );
    }
    let deployment = |ns: &str, name: &str, args: Value| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
               "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                        "template": {"metadata": {"labels": {"app": name}},
                                     "spec": {"containers": [{"name": "app", "image": format!("{name}:1"), "args": args}]}}}})
    };
    apply(
        &cluster,
        "apps",
        "deployments",
        Some("flagger-system"),
        deployment("flagger-system", "flagger", json!(["-mesh-provider=istio"])),
    );
    apply(
        &cluster,
        "apps",
        "deployments",
        Some("test"),
        deployment("test", "podinfo", json!([])),
    );
    let mut canary = json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "podinfo", "namespace": "test"},
        "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"}, "service": {"port": 9898},
                 "analysis": {"interval": "30s", "threshold": 2, "stepWeight": 25, "maxWeight": 50}}});
    for (k, v) in spec.as_object().unwrap() {
        canary["spec"][k] = v.clone();
    }
    apply(&cluster, "flagger.app", "canaries", Some("test"), canary);
    settle(&cluster);
    let sim = FlaggerSim::new(cluster.clone(), 1.0);
    (cluster, sim)
}

fn status(cluster: &SimCluster) -> Value {
    cluster.get("flagger.app", "canaries", Some("test"), "podinfo").unwrap()["status"].clone()
}

async fn step(cluster: &SimCluster, sim: &FlaggerSim) -> (String, i64) {
    sim.tick("test", "podinfo").await;
    settle(cluster);
    let s = status(cluster);
    (
        s["phase"].as_str().unwrap_or("").into(),
        s["canaryWeight"].as_i64().unwrap_or(-1),
    )
}

fn release(cluster: &SimCluster) {
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "podinfo:2"}]}}}});
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

fn warnings(cluster: &SimCluster) -> Vec<String> {
    cluster
        .list("", "events", Some("test"))
        .iter()
        .filter(|e| e["type"] == "Warning")
        .map(|e| e["message"].as_str().unwrap_or("").to_string())
        .collect()
}

/// (primary, canary) as the VirtualService routes them.
fn vs_weights(cluster: &SimCluster) -> (i64, i64) {
    let vs = cluster
        .core()
        .type_of("networking.istio.io", "v1beta1", "virtualservices")
        .and_then(|t| cluster.core().get(&t, Some("test"), "podinfo").ok())
        .expect("a VirtualService");
    let route = vs["spec"]["http"][0]["route"].as_array().unwrap();
    (
        route[0]["weight"].as_i64().unwrap(),
        route[1]["weight"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn istio_objects_carry_the_weights_the_canary_steps_through() {
    let (cluster, sim) = setup(
        Some("istio"),
        json!({"service": {"port": 9898, "gateways": ["public"], "hosts": ["app.example.com"]}}),
    );
    step(&cluster, &sim).await;
    assert_eq!(step(&cluster, &sim).await, ("Initialized".into(), 0));
    for dr in ["podinfo-canary", "podinfo-primary"] {
        let t = cluster
            .core()
            .type_of("networking.istio.io", "v1beta1", "destinationrules")
            .unwrap();
        let rule = cluster.core().get(&t, Some("test"), dr).expect("destination rule");
        assert_eq!(rule["spec"]["host"], dr);
    }
    let t = cluster
        .core()
        .type_of("networking.istio.io", "v1beta1", "virtualservices")
        .unwrap();
    let vs = cluster.core().get(&t, Some("test"), "podinfo").unwrap();
    assert_eq!(vs["spec"]["hosts"], json!(["app.example.com", "podinfo"]));
    assert_eq!(vs["spec"]["gateways"], json!(["public"]));
    assert_eq!(
        vs["metadata"]["annotations"]["helm.toolkit.fluxcd.io/driftDetection"],
        "disabled"
    );
    assert_eq!(vs_weights(&cluster), (100, 0));
    release(&cluster);
    let mut seen = Vec::new();
    for _ in 0..4 {
        let (phase, weight) = step(&cluster, &sim).await;
        seen.push((phase, weight, vs_weights(&cluster)));
    }
    let seen: Vec<(&str, i64, (i64, i64))> = seen.iter().map(|(p, w, r)| (p.as_str(), *w, *r)).collect();
    assert_eq!(
        seen,
        vec![
            ("Progressing", 0, (100, 0)),
            ("Progressing", 25, (75, 25)),
            ("Progressing", 50, (50, 50)),
            ("Promoting", 50, (50, 50)),
        ]
    );
    // The promotion tick routes everything back to the primary.
    assert_eq!(step(&cluster, &sim).await, ("Finalising".into(), 0));
    assert_eq!(vs_weights(&cluster), (100, 0));
    let s = status(&cluster);
    assert_eq!(
        s["trackedConfigs"],
        json!({}),
        "SyncStatus writes the (empty) tracked configs"
    );
}

#[tokio::test]
async fn without_the_mesh_the_canary_stays_initializing() {
    let (cluster, sim) = setup(None, json!({}));
    for _ in 0..3 {
        step(&cluster, &sim).await;
    }
    assert_eq!(status(&cluster)["phase"], "Initializing");
    let warnings = warnings(&cluster);
    assert!(
        warnings.iter().any(|w| w
            == "reconcileDestinationRule failed: DestinationRule podinfo-canary.test create error: the server could not find the requested resource"),
        "{warnings:#?}"
    );
    assert!(
        status(&cluster).get("lastPromotedSpec").is_none(),
        "omitted while empty"
    );
}

#[tokio::test]
async fn nginx_canary_ingress_carries_the_weight_annotation() {
    let (cluster, sim) = setup(
        None,
        json!({"provider": "nginx", "ingressRef": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "web"}}),
    );
    apply(
        &cluster,
        "networking.k8s.io",
        "ingresses",
        Some("test"),
        json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "test", "annotations": {"kubernetes.io/ingress.class": "nginx"}},
        "spec": {"rules": [{"host": "app.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                  "backend": {"service": {"name": "podinfo", "port": {"number": 9898}}}}]}}]}}),
    );
    step(&cluster, &sim).await;
    assert_eq!(step(&cluster, &sim).await, ("Initialized".into(), 0));
    let weight = |cluster: &SimCluster| {
        let ing = cluster
            .get("networking.k8s.io", "ingresses", Some("test"), "web-canary")
            .expect("canary ingress");
        assert_eq!(
            ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"],
            "podinfo-canary"
        );
        assert_eq!(
            ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/canary"],
            "true"
        );
        ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/canary-weight"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(weight(&cluster), "0");
    release(&cluster);
    step(&cluster, &sim).await;
    assert_eq!(step(&cluster, &sim).await, ("Progressing".into(), 25));
    assert_eq!(weight(&cluster), "25");
}

#[tokio::test]
async fn gateway_api_and_kuma_objects() {
    let (cluster, sim) = setup(
        Some("gatewayapi:v1"),
        json!({"provider": "gatewayapi:v1",
        "service": {"port": 9898, "gatewayRefs": [{"name": "gw", "namespace": "istio-system"}]}}),
    );
    step(&cluster, &sim).await;
    step(&cluster, &sim).await;
    release(&cluster);
    step(&cluster, &sim).await;
    assert_eq!(step(&cluster, &sim).await, ("Progressing".into(), 25));
    let route = cluster
        .get("gateway.networking.k8s.io", "httproutes", Some("test"), "podinfo")
        .unwrap();
    let refs = &route["spec"]["rules"][0]["backendRefs"];
    assert_eq!(
        (refs[0]["name"].clone(), refs[0]["weight"].clone()),
        (json!("podinfo-primary"), json!(75))
    );
    assert_eq!(refs[1]["weight"], 25);

    let (cluster, sim) = setup(Some("kuma"), json!({"provider": "kuma"}));
    step(&cluster, &sim).await;
    step(&cluster, &sim).await;
    release(&cluster);
    step(&cluster, &sim).await;
    assert_eq!(step(&cluster, &sim).await, ("Progressing".into(), 25));
    let route = cluster
        .get("kuma.io", "trafficroutes", None, "podinfo")
        .expect("cluster-scoped TrafficRoute");
    assert_eq!(route["mesh"], "default");
    assert_eq!(
        route["spec"]["conf"]["split"][1]["destination"]["kuma.io/service"],
        "podinfo-canary_test_svc_9898"
    );
    assert_eq!(route["spec"]["conf"]["split"][1]["weight"], 25);
}

/// `revertOnDeletion`: Flagger adds its finalizer; a deleted Canary goes Terminating, the target
/// gets its replicas back, and the finalizer goes so the API server can delete it.
#[tokio::test]
async fn revert_on_deletion_terminates_then_lets_go() {
    let (cluster, sim) = setup(Some("istio"), json!({"revertOnDeletion": true}));
    step(&cluster, &sim).await;
    assert_eq!(step(&cluster, &sim).await, ("Initialized".into(), 0));
    let canary = cluster.get("flagger.app", "canaries", Some("test"), "podinfo").unwrap();
    sim.sync_finalizer(&canary);
    let canary = cluster.get("flagger.app", "canaries", Some("test"), "podinfo").unwrap();
    assert_eq!(canary["metadata"]["finalizers"], json!(["finalizer.flagger.app"]));
    let target = cluster.get("apps", "deployments", Some("test"), "podinfo").unwrap();
    assert_eq!(target["spec"]["replicas"], 0, "scaled to zero while the primary serves");

    let t = cluster.core().storage_type("flagger.app", "canaries").unwrap();
    cluster
        .core()
        .delete(&t, Some("test"), "podinfo", &Default::default())
        .unwrap();
    let mut phases = Vec::new();
    for _ in 0..5 {
        let Some(canary) = cluster.get("flagger.app", "canaries", Some("test"), "podinfo") else {
            break;
        };
        phases.push(canary["status"]["phase"].as_str().unwrap_or("").to_string());
        sim.sync_finalizer(&canary);
        settle(&cluster);
    }
    assert!(
        cluster
            .get("flagger.app", "canaries", Some("test"), "podinfo")
            .is_none(),
        "deleted once the finalizer is gone: {phases:?}"
    );
    assert!(phases.iter().skip(1).any(|p| p == "Terminating"), "{phases:?}");
    let target = cluster.get("apps", "deployments", Some("test"), "podinfo").unwrap();
    assert_eq!(
        target["spec"]["replicas"], 1,
        "the primary's replicas, back on the target"
    );
    let events: Vec<String> = cluster
        .list("", "events", Some("test"))
        .iter()
        .map(|e| e["message"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        events.iter().any(|e| e == "Terminated canary podinfo.test"),
        "{events:#?}"
    );
}

/// A primary that breaks while promoting: Flagger routes everything to the canary, the only
/// healthy copy, and records Failed with weight 100 — the VirtualService says 0/100 too.
#[tokio::test]
async fn a_failed_promotion_routes_everything_to_the_canary() {
    let (cluster, sim) = setup(Some("istio"), json!({}));
    step(&cluster, &sim).await;
    step(&cluster, &sim).await;
    release(&cluster);
    for _ in 0..3 {
        step(&cluster, &sim).await;
    }
    assert_eq!(step(&cluster, &sim).await, ("Promoting".into(), 50));
    // The primary's rollout of the new template is stuck past its deadline.
    let primary = cluster
        .get("apps", "deployments", Some("test"), "podinfo-primary")
        .unwrap();
    let mut stuck = primary["status"].clone();
    stuck["conditions"] = json!([{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]);
    cluster
        .patch_status("apps", "deployments", Some("test"), "podinfo-primary", &stuck)
        .unwrap();
    sim.tick("test", "podinfo").await;
    let s = status(&cluster);
    assert_eq!(
        (s["phase"].clone(), s["canaryWeight"].clone()),
        (json!("Failed"), json!(100))
    );
    assert_eq!(vs_weights(&cluster), (0, 100));
}
