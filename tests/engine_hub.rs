//! engine::live::hub in process, against a simulated hub (no binary spawned, no fleet manager:
//! the Applications' statuses are written as Kurator writes them): what the rows show, how
//! NAME resolves to an Application, and the watch of one.

use fleet_sim::SimCluster;
use fleet_sim::auth::User;
use std::time::Duration;

use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind};
use kubectl_kurator_rollout::engine::live::LiveFleet;
use kubectl_kurator_rollout::engine::live::hub::{self, HubQuery};
use kubectl_kurator_rollout::exit::{Exit, ExitError};
use kubectl_kurator_rollout::fleet::source::{FleetSource, Hub};
use kubectl_kurator_rollout::fleet::{Fleet, Target};
use kubectl_kurator_rollout::model::fleet_state::FleetState;
use kubectl_kurator_rollout::model::update::{Scope, Update};
use serde_json::{Value, json};
use tokio::sync::mpsc;

const LIMIT: Duration = Duration::from_secs(30);

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
    let (_m1, t1, c1) = member("m1", "podinfo:1", "podinfo:1");
    let (_m2, t2, c2) = member("m2", "podinfo:1", "podinfo:1");
    let members = Fleet::from_clients(vec![(t1, c1), (t2, c2)]);
    let rows = hub::read_applications(&hub, &HubQuery::default(), &members, LIMIT)
        .await
        .unwrap();
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

/// The watch's updates, on a channel of their own.
fn watch(hub: &Hub, name: Option<&str>, members: &[&str]) -> mpsc::Receiver<Update> {
    let (tx, rx) = mpsc::channel(1024);
    let clusters = members.iter().map(|m| m.to_string()).collect();
    hub::watch_applications(hub, name, HubQuery::default(), clusters, tx);
    rx
}

#[tokio::test]
async fn the_watch_of_an_application_gives_the_policys_numbers() {
    let (cluster, hub) = hub();
    application(&cluster, "demo", "quickstart", "test", &[("m2", "Progressing")]);
    let mut updates = watch(&hub, Some("demo"), &["m1", "m2"]);
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

/// A member with podinfo's target and primary Deployments, reachable in process.
fn member(name: &str, target_image: &str, primary_image: &str) -> (SimCluster, Target, kube::Client) {
    let cluster = SimCluster::new(name);
    cluster.add_user("admin-token", User::admin("admin"));
    cluster
        .apply(
            "",
            "namespaces",
            None,
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}),
        )
        .unwrap();
    for (deployment, image, app) in [
        ("podinfo", target_image, "podinfo"),
        ("podinfo-primary", primary_image, "podinfo-primary"),
    ] {
        let object = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": deployment, "namespace": "test"},
            "spec": {"selector": {"matchLabels": {"app": app}}, "template": {
                "metadata": {"labels": {"app": app}},
                "spec": {"containers": [{"name": "podinfod", "image": image}]}}}});
        cluster.apply("apps", "deployments", Some("test"), &object).unwrap();
    }
    let target = Target {
        context: name.into(),
        cluster: name.into(),
        server: String::new(),
        namespace: "test".into(),
    };
    let client = kube::Client::new(cluster.service("admin-token"), "test");
    (cluster, target, client)
}

fn phases(watched: &LiveFleet) -> Vec<(String, String, String)> {
    watched
        .subscribe()
        .state()
        .rows()
        .into_iter()
        .map(|r| (r.cluster, r.name, r.phase))
        .collect()
}

#[tokio::test]
async fn the_hub_read_and_watch_show_a_revision_flagger_has_not_picked_up_as_pending() {
    let (cluster, hub) = hub();
    application(
        &cluster,
        "demo",
        "quickstart",
        "test",
        &[("m1", "Succeeded"), ("m2", "Succeeded")],
    );
    // m1's target has a new image its primary lacks (a release Flagger has not noticed yet);
    // m2's target is what its primary runs.
    let (_m1, t1, c1) = member("m1", "podinfo:2", "podinfo:1");
    let (_m2, t2, c2) = member("m2", "podinfo:1", "podinfo:1");
    let source = FleetSource::kurator(Fleet::from_clients(vec![(t1, c1), (t2, c2)]), hub.clone());
    let query = HubQuery {
        canary: Some("podinfo".into()),
        ..Default::default()
    };
    let once = hub::read_applications(&hub, &query, &source.members, LIMIT)
        .await
        .unwrap();
    let once: Vec<(String, String)> = once.into_iter().map(|r| (r.cluster, r.phase)).collect();
    assert_eq!(
        once,
        vec![("m1".into(), "Pending".into()), ("m2".into(), "Succeeded".into())]
    );
    let watched = LiveFleet::watch_status(&source, &Scope::default(), &query)
        .await
        .unwrap();
    let mut sub = watched.subscribe();
    assert!(sub.wait_for(LIMIT, |s| s.complete()).await, "the watch never completed");
    let rows: Vec<(String, String)> = sub.state().rows().into_iter().map(|r| (r.cluster, r.phase)).collect();
    assert_eq!(
        rows,
        vec![("m1".into(), "Pending".into()), ("m2".into(), "Succeeded".into())]
    );
}

#[tokio::test]
async fn the_hub_watch_drops_the_rows_of_a_deleted_application_and_keeps_an_unreadable_rollout_apart() {
    let (cluster, hub) = hub();
    application(&cluster, "demo", "quickstart", "test", &[("m1", "Progressing")]);
    application(&cluster, "other", "quickstart", "staging", &[("m1", "Progressing")]);
    // A status entry no policy of the Application claims (its policy changed since Kurator's
    // last reconcile): that rollout's spec is unknown, the member's other rollouts are not.
    let mut entries = cluster
        .get("apps.kurator.dev", "applications", Some("default"), "demo")
        .unwrap()["status"]["syncStatus"]
        .clone();
    entries
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "demo-9-attachedcluster-m1", "rolloutStatus": {
        "clusterName": "m1", "rolloutNameInCluster": "web", "rolloutStatusInCluster": {"phase": "Progressing"}}}));
    cluster
        .patch_status(
            "apps.kurator.dev",
            "applications",
            Some("default"),
            "demo",
            &json!({"syncStatus": entries}),
        )
        .unwrap();
    let (_m1, t1, c1) = member("m1", "podinfo:1", "podinfo:1");
    let source = FleetSource::kurator(Fleet::from_clients(vec![(t1, c1)]), hub.clone());
    let watched = LiveFleet::watch_status(&source, &Scope::default(), &HubQuery::default())
        .await
        .unwrap();
    let mut sub = watched.subscribe();
    let wanted = |s: &FleetState| s.complete() && s.rows().len() == 3;
    assert!(sub.wait_for(LIMIT, wanted).await, "{:?}", phases(&watched));
    let rows = sub.state().rows();
    let web = rows.iter().find(|r| r.name == "web").unwrap();
    assert!(
        web.phase.is_empty() && web.error.as_deref().unwrap_or("").contains("no rollout policy"),
        "{web:?}"
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r.name == "podinfo" && r.phase == "Progressing")
            .count(),
        2
    );
    let applications: Api<DynamicObject> = Api::namespaced_with(
        hub.client.clone(),
        "default",
        &ApiResource::from_gvk(&GroupVersionKind::gvk("apps.kurator.dev", "v1alpha1", "Application")),
    );
    applications.delete("demo", &DeleteParams::default()).await.unwrap();
    let only_other = |s: &FleetState| {
        let rows = s.rows();
        rows.len() == 1 && rows[0].namespace == "staging"
    };
    assert!(sub.wait_for(LIMIT, only_other).await, "{:?}", phases(&watched));
}
