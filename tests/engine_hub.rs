//! engine::live::hub in process, against a simulated hub (no binary spawned, no fleet manager:
//! the Applications' statuses are written as Kurator writes them): what the rows show, how
//! NAME resolves to an Application, and the watch of one.

use fleet_sim::SimCluster;
use fleet_sim::auth::User;
use kubectl_kurator_rollout::engine::live::hub::{self, HubQuery};
use kubectl_kurator_rollout::exit::{Exit, ExitError};
use kubectl_kurator_rollout::fleet::source::Hub;
use kubectl_kurator_rollout::model::update::Update;
use serde_json::{Value, json};

/// A hub with Kurator's CRDs, seen by an administrator.
fn hub() -> (SimCluster, Hub) {
    let cluster = SimCluster::new("hub");
    for crd in fleet_sim::kurator::kurator_crds() {
        cluster
            .apply("apiextensions.k8s.io", "customresourcedefinitions", None, &crd)
            .unwrap();
    }
    cluster.add_user("admin-token", User::admin("admin"));
    let client = kube::Client::new(cluster.service("admin-token"), "default");
    let hub = Hub {
        client,
        context: "hub".into(),
        fleet: "quickstart".into(),
        namespace: "default".into(),
    };
    (cluster, hub)
}

/// An Application rolling out `workload` in `namespace` to `fleet`, with each member's status
/// entry as Kurator's fleet manager writes it.
fn application(cluster: &SimCluster, name: &str, fleet: &str, namespace: &str, members: &[(&str, &str)]) {
    let app = json!({
        "apiVersion": "apps.kurator.dev/v1alpha1", "kind": "Application",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"destination": {"fleet": fleet}, "syncPolicies": [{"rollout": {
            "trafficRoutingProvider": "istio",
            "workload": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo", "namespace": namespace},
            "rolloutPolicy": {"suspend": true,
                "trafficRouting": {"canaryStrategy": {"maxWeight": 50, "stepWeight": 25}},
                "trafficAnalysis": {"checkIntervalSeconds": 45, "checkFailedTimes": 2}}}}]},
    });
    cluster
        .apply("apps.kurator.dev", "applications", Some("default"), &app)
        .unwrap();
    let entries: Vec<Value> = members
        .iter()
        .map(|(member, phase)| {
            json!({"name": format!("{name}-0-attachedcluster-{member}"), "rolloutStatus": {
                "clusterName": member, "rolloutNameInCluster": "podinfo",
                "rolloutStatusInCluster": {"phase": phase, "canaryWeight": 25, "failedChecks": 1, "iterations": 0}}})
        })
        .collect();
    cluster
        .patch_status(
            "apps.kurator.dev",
            "applications",
            Some("default"),
            name,
            &json!({"syncStatus": entries}),
        )
        .unwrap();
}

fn exit_of(e: &anyhow::Error) -> Exit {
    e.downcast_ref::<ExitError>().map(|e| e.exit).unwrap_or(Exit::Success)
}

#[tokio::test]
async fn rows_carry_the_policy_and_the_mirrored_status() {
    let (cluster, hub) = hub();
    application(
        &cluster,
        "demo",
        "quickstart",
        "test",
        &[("m1", "Progressing"), ("m2", "Succeeded")],
    );
    application(&cluster, "elsewhere", "other", "test", &[("m3", "Progressing")]);
    let rows = hub::read_applications(&hub, &HubQuery::default()).await.unwrap();
    // Only the Fleet's Application.
    assert_eq!(
        rows.iter().map(|r| r.cluster.as_str()).collect::<Vec<_>>(),
        ["m1", "m2"]
    );
    let m1 = &rows[0];
    assert_eq!(
        (m1.phase.as_str(), m1.weight, m1.failed_checks),
        ("Progressing", Some(25), Some(1))
    );
    assert_eq!(
        (m1.max_weight, m1.step_weight, m1.threshold),
        (Some(50), Some(25), Some(2))
    );
    assert_eq!(
        (m1.interval.as_deref(), m1.provider.as_str(), m1.suspended),
        (Some("45s"), "istio", Some(true))
    );
    assert_eq!(m1.progress_text(), "25/50");
}

#[tokio::test]
async fn a_canary_name_resolves_to_one_application_or_says_why_not() {
    let (cluster, hub) = hub();
    application(&cluster, "demo", "quickstart", "test", &[("m1", "Succeeded")]);
    let canary = |name: &str, namespace: Option<&str>| HubQuery {
        canary: Some(name.into()),
        namespace: namespace.map(str::to_string),
        ..Default::default()
    };
    let found = hub::resolve_application(&hub, &canary("podinfo", None)).await.unwrap();
    assert_eq!(found.unwrap()["metadata"]["name"], "demo");
    let missing = hub::resolve_application(&hub, &canary("web", None)).await.unwrap_err();
    assert_eq!(exit_of(&missing), Exit::NothingMatched, "{missing}");
    application(&cluster, "staging", "quickstart", "staging", &[("m1", "Succeeded")]);
    let ambiguous = hub::resolve_application(&hub, &canary("podinfo", None))
        .await
        .unwrap_err();
    assert_eq!(exit_of(&ambiguous), Exit::Usage, "{ambiguous}");
    let text = ambiguous.to_string();
    assert!(
        text.contains("application/demo (canary test/podinfo)")
            && text.contains("application/staging (canary staging/podinfo)"),
        "{text}"
    );
    let narrowed = hub::resolve_application(&hub, &canary("podinfo", Some("staging")))
        .await
        .unwrap();
    assert_eq!(narrowed.unwrap()["metadata"]["name"], "staging");
    let named = HubQuery {
        application: Some("nope".into()),
        ..Default::default()
    };
    let err = hub::resolve_application(&hub, &named).await.unwrap_err();
    assert_eq!(exit_of(&err), Exit::NothingMatched, "{err}");
}

#[tokio::test]
async fn the_watch_of_an_application_gives_the_policys_numbers() {
    let (cluster, hub) = hub();
    application(&cluster, "demo", "quickstart", "test", &[("m2", "Progressing")]);
    let mut updates = hub::watch_application(&hub, "demo", HubQuery::default(), vec!["m1".into(), "m2".into()]);
    let object = loop {
        match updates.recv().await.expect("the watch ended") {
            Update::Canary { cluster: 1, object } => break object,
            Update::Canary { cluster, .. } => panic!("unexpected member {cluster}"),
            _ => continue,
        }
    };
    assert_eq!(object["spec"]["analysis"]["maxWeight"], 50);
    assert_eq!(object["spec"]["suspend"], true);
    assert_eq!(object["status"]["phase"], "Progressing");
}
