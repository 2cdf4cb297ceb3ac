//! Reads through real kubectl (issue 14, item 5): chunked lists, continue tokens, selector
//! errors, `get all`, the events.k8s.io view of core Events, `explain` from OpenAPI v3 — and the
//! plugin reading every page of a list larger than kube-rs's page size (item 9).

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;

use serde_json::{Value, json};

use crate::support::{Fleet, Output, kubectl, kubectl_available, plugin, run};

fn ok(out: Output) -> Output {
    assert_eq!(out.code, 0, "{out:?}");
    out
}

fn failed(out: Output) -> Output {
    assert_eq!(out.code, 1, "{out:?}");
    out
}

fn namespace(fleet: &Fleet, name: &str) {
    fleet
        .cluster("kurator-member1")
        .apply("", "namespaces", None, &json!({"metadata": {"name": name}}))
        .unwrap();
}

#[test]
fn kubectl_pages_lists_and_sees_the_server_s_read_errors() {
    if !kubectl_available("kubectl_pages_lists_and_sees_the_server_s_read_errors") {
        return;
    }
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let k = || kubectl(home.path(), &kc);
    namespace(&fleet, "reads");
    for name in ["c1", "c2", "c3", "c4", "c5"] {
        ok(run(k().args(["-n", "reads", "create", "configmap", name])));
    }

    // kubectl follows metadata.continue (Table pages of 2).
    let chunked = ok(run(k().args([
        "-n",
        "reads",
        "get",
        "configmaps",
        "--chunk-size=2",
        "-o",
        "name",
    ])));
    assert_eq!(
        chunked.stdout.lines().collect::<Vec<_>>(),
        [
            "configmap/c1",
            "configmap/c2",
            "configmap/c3",
            "configmap/c4",
            "configmap/c5"
        ],
        "{chunked:?}"
    );
    let chunked_table = ok(run(k().args(["-n", "reads", "get", "configmaps", "--chunk-size=2"])));
    assert_eq!(chunked_table.stdout.lines().count(), 6, "{chunked_table:?}");

    let page: Value = serde_json::from_str(
        &ok(run(k().args([
            "get",
            "--raw",
            "/api/v1/namespaces/reads/configmaps?limit=2",
        ])))
        .stdout,
    )
    .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["metadata"]["remainingItemCount"], 3);
    let token = page["metadata"]["continue"].as_str().unwrap();
    let next: Value = serde_json::from_str(
        &ok(run(k().args([
            "get",
            "--raw",
            &format!("/api/v1/namespaces/reads/configmaps?limit=2&continue={token}"),
        ])))
        .stdout,
    )
    .unwrap();
    assert_eq!(next["items"][0]["metadata"]["name"], "c3");

    let garbage = failed(run(k().args([
        "get",
        "--raw",
        "/api/v1/namespaces/reads/configmaps?limit=2&continue=garbage",
    ])));
    assert!(
        garbage.stderr.contains("(BadRequest)") && garbage.stderr.contains("continue key is not valid"),
        "{garbage:?}"
    );

    let field = failed(run(k().args(["get", "pods", "--field-selector", "spec.foo=x"])));
    assert!(
        field.stderr.contains("field label not supported: spec.foo"),
        "{field:?}"
    );
    let label = failed(run(k().args(["get", "configmaps", "-l", "app:web"])));
    assert!(label.stderr.contains("unable to parse requirement"), "{label:?}");
    let by_name = ok(run(k().args([
        "-n",
        "reads",
        "get",
        "cm",
        "--field-selector",
        "metadata.name=c2",
        "-o",
        "name",
    ])));
    assert_eq!(by_name.stdout.trim(), "configmap/c2");
}

#[test]
fn kubectl_get_all_and_events_through_both_apis() {
    if !kubectl_available("kubectl_get_all_and_events_through_both_apis") {
        return;
    }
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let k = || kubectl(home.path(), &kc);
    namespace(&fleet, "shop");
    ok(run(k().args([
        "-n",
        "shop",
        "create",
        "deployment",
        "web",
        "--image=nginx",
    ])));
    ok(run(k().args([
        "-n",
        "shop",
        "create",
        "service",
        "clusterip",
        "web",
        "--tcp=80:8080",
    ])));
    ok(run(k().args(["-n", "shop", "create", "configmap", "settings"])));
    let all = ok(run(k().args(["-n", "shop", "get", "all", "-o", "name"])));
    assert!(all.stdout.contains("deployment.apps/web"), "{all:?}");
    assert!(all.stdout.contains("service/web"), "{all:?}");
    assert!(
        !all.stdout.contains("configmap"),
        "configmaps are not in `all`: {all:?}"
    );

    let event = home.path().join("event.yaml");
    std::fs::write(
        &event,
        "apiVersion: v1\nkind: Event\nmetadata:\n  name: web.1\n  namespace: shop\ninvolvedObject:\n  kind: Deployment\n  name: web\n  namespace: shop\nreason: ScalingReplicaSet\nmessage: Scaled up to 1\ntype: Normal\nsource:\n  component: deployment-controller\ncount: 1\n",
    )
    .unwrap();
    ok(run(k().arg("create").arg("-f").arg(&event)));
    let new_api = ok(run(k().args([
        "-n",
        "shop",
        "get",
        "events.events.k8s.io",
        "web.1",
        "-o",
        "json",
    ])));
    let read: Value = serde_json::from_str(&new_api.stdout).unwrap();
    assert_eq!(read["apiVersion"], "events.k8s.io/v1");
    assert_eq!(read["regarding"]["name"], "web");
    assert_eq!(read["note"], "Scaled up to 1");
    assert_eq!(read["deprecatedSource"]["component"], "deployment-controller");
    let listed = ok(run(k().args(["-n", "shop", "get", "events.events.k8s.io"])));
    // Printed with the core Event columns, as both APIs are on a real server.
    assert!(
        listed.stdout.contains("ScalingReplicaSet") && listed.stdout.contains("deployment/web"),
        "{listed:?}"
    );
    let core = ok(run(k().args([
        "-n",
        "shop",
        "get",
        "events",
        "--field-selector",
        "involvedObject.kind=Deployment,reason=ScalingReplicaSet",
        "-o",
        "name",
    ])));
    assert_eq!(core.stdout.trim(), "event/web.1");
}

#[test]
fn kubectl_explain_reads_openapi_v3() {
    if !kubectl_available("kubectl_explain_reads_openapi_v3") {
        return;
    }
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    ok(run(plugin(home.path())
        .args(["install", "--provider", "istio", "--testloader"])
        .env("KUBECONFIG", &kc)));
    let k = || kubectl(home.path(), &kc);
    let analysis = ok(run(k().args(["explain", "canary.spec.analysis"])));
    assert!(analysis.stdout.contains("GROUP:      flagger.app"), "{analysis:?}");
    assert!(analysis.stdout.contains("KIND:       Canary"), "{analysis:?}");
    assert!(analysis.stdout.contains("FIELD: analysis <Object>"), "{analysis:?}");
    for field in ["interval", "threshold", "metrics", "webhooks"] {
        assert!(analysis.stdout.contains(field), "{field} missing: {analysis:?}");
    }
    let deployment = ok(run(k().args(["explain", "deployment.spec"])));
    for line in [
        "KIND:       Deployment",
        "selector\t<LabelSelector> -required-",
        "template\t<PodTemplateSpec> -required-",
    ] {
        assert!(deployment.stdout.contains(line), "{line} missing: {deployment:?}");
    }
    let strategy = ok(run(k().args(["explain", "deployment.spec.strategy.type"])));
    assert!(
        strategy.stdout.contains("Recreate") && strategy.stdout.contains("RollingUpdate"),
        "{strategy:?}"
    );
    let missing = failed(run(k().args(["explain", "deployment.spec.nope"])));
    assert!(missing.stderr.contains("field \"nope\" does not exist"), "{missing:?}");
}

const CANARY_CRD: &str = r#"{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
 "metadata": {"name": "canaries.flagger.app"},
 "spec": {"group": "flagger.app", "scope": "Namespaced",
  "names": {"plural": "canaries", "singular": "canary", "kind": "Canary", "listKind": "CanaryList"},
  "versions": [{"name": "v1beta1", "served": true, "storage": true, "subresources": {"status": {}},
   "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}}"#;

/// kube-rs's watcher lists in pages of 500 (and `list` reads without a limit): with more
/// canaries than one page, the plugin still shows every one of them.
#[test]
fn the_plugin_reads_every_page_of_a_large_list() {
    const COUNT: usize = 520;
    let fleet = Fleet::start(1);
    let cluster = fleet.cluster("kurator-member1");
    cluster
        .apply(
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            None,
            &serde_json::from_str(CANARY_CRD).unwrap(),
        )
        .unwrap();
    namespace(&fleet, "many");
    for i in 0..COUNT {
        cluster
            .create(
                "flagger.app",
                "canaries",
                Some("many"),
                json!({"apiVersion": "flagger.app/v1beta1", "kind": "Canary",
                       "metadata": {"name": format!("app-{i:04}"), "namespace": "many"},
                       "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": format!("app-{i:04}")}}}),
            )
            .unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});

    let listed = run(plugin(home.path())
        .args(["list", "-n", "many", "-o", "json"])
        .env("KUBECONFIG", &kc));
    let rows: Value = serde_json::from_str(&listed.stdout).unwrap_or_else(|e| panic!("{e}: {listed:?}"));
    assert_eq!(rows.as_array().map(Vec::len), Some(COUNT), "{listed:?}");

    // `list -w`: the watcher's initial list comes in pages of 500.
    let mut child = plugin(home.path())
        .args(["list", "-n", "many", "-w", "-o", "ndjson"])
        .env("KUBECONFIG", &kc)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen = std::collections::HashSet::new();
    // Each row must come within the patience: a missed page fails instead of hanging.
    while seen.len() < COUNT {
        let Ok(line) = rx.recv_timeout(crate::support::PATIENCE) else {
            break;
        };
        let row: Value = serde_json::from_str(&line).unwrap();
        seen.insert(row["name"].as_str().unwrap_or_default().to_string());
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(seen.len(), COUNT, "the watcher missed a page");
}
