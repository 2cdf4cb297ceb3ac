//! Deployments as kubectl sees them on a real cluster: status recomputed whole (nothing stale
//! after a scale to zero), the `scale` subresource (`kubectl scale`, also for a custom resource
//! that declares one), and ReplicaSets with revisions for `kubectl rollout history/undo`.

use std::path::Path;

use serde_json::Value;

use crate::support::{Fleet, Output, kubectl, kubectl_available, run};

const DEPLOYMENT: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "web:1"}]
"#;

const CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: pools.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: pools, singular: pool, kind: Pool, listKind: PoolList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.size, statusReplicasPath: .status.size, labelSelectorPath: .status.selector}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
          status: {type: object, properties: {size: {type: integer}, selector: {type: string}}}
"#;

fn ok(out: Output) -> Output {
    assert_eq!(out.code, 0, "{out:?}");
    out
}

fn json_of(home: &Path, kc: &Path, args: &[&str]) -> Value {
    let raw = args.contains(&"--raw");
    let out = ok(run(kubectl(home, kc).args(args).args(if raw {
        &[][..]
    } else {
        &["-o", "json"][..]
    })));
    serde_json::from_str(&out.stdout).unwrap()
}

/// Polls (short pauses, generous deadline) until `done` holds for the object.
fn until(home: &Path, kc: &Path, args: &[&str], what: &str, done: impl Fn(&Value) -> bool) -> Value {
    crate::support::wait_for(what, || {
        let v = json_of(home, kc, args);
        if done(&v) { Ok(v) } else { Err(format!("{v:#}")) }
    })
}

#[test]
fn kubectl_scale_rollout_history_and_undo() {
    if !kubectl_available("kubectl_scale_rollout_history_and_undo") {
        return;
    }
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let (h, k) = (home.path(), kc.as_path());
    let file = h.join("web.yaml");
    std::fs::write(&file, DEPLOYMENT).unwrap();
    ok(run(kubectl(h, k).args(["apply", "-f"]).arg(&file)));
    ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "rollout",
        "status",
        "deployment/web",
        "--timeout",
        "30s",
    ])));
    let d = json_of(h, k, &["-n", "shop", "get", "deployment", "web"]);
    assert_eq!(d["status"]["readyReplicas"], 2, "{d:#}");
    assert_eq!(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
    let conditions = d["status"]["conditions"].as_array().unwrap();
    assert!(
        conditions
            .iter()
            .any(|c| c["type"] == "Available" && c["reason"] == "MinimumReplicasAvailable")
    );
    assert!(
        conditions
            .iter()
            .any(|c| c["type"] == "Progressing" && c["reason"] == "NewReplicaSetAvailable")
    );

    // kubectl scale goes through deployments/scale; at zero, no count is left behind.
    let scale = json_of(
        h,
        k,
        &["get", "--raw", "/apis/apps/v1/namespaces/shop/deployments/web/scale"],
    );
    assert_eq!(scale["kind"], "Scale");
    assert_eq!(scale["apiVersion"], "autoscaling/v1");
    assert_eq!(scale["spec"]["replicas"], 2);
    assert_eq!(scale["status"]["selector"], "app=web");
    ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "scale",
        "deployment",
        "web",
        "--replicas",
        "0",
    ])));
    let zero = until(
        h,
        k,
        &["-n", "shop", "get", "deployment", "web"],
        "scaled to zero",
        |d| d["status"]["observedGeneration"] == d["metadata"]["generation"],
    );
    for field in [
        "replicas",
        "updatedReplicas",
        "readyReplicas",
        "availableReplicas",
        "unavailableReplicas",
    ] {
        assert!(zero["status"].get(field).is_none(), "{field} left in {zero:#}");
    }
    // kubectl's table shows the omitted counts as 0, as a real server's printer does.
    let table = ok(run(kubectl(h, k).args(["-n", "shop", "get", "deployment", "web"])));
    let row: Vec<&str> = table.stdout.lines().nth(1).unwrap_or("").split_whitespace().collect();
    assert_eq!(row[..4], ["web", "0/0", "0", "0"], "{table:?}");
    // A Scale PUT with a stale version is the Deployment's own 409; a negative count is 422.
    let scale_path = "/apis/apps/v1/namespaces/shop/deployments/web/scale";
    let put = |body: &str| {
        let f = h.join("scale.json");
        std::fs::write(&f, body).unwrap();
        run(kubectl(h, k).args(["replace", "--raw", scale_path, "-f"]).arg(&f))
    };
    let stale = put(
        r#"{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"web","namespace":"shop","resourceVersion":"1"},"spec":{"replicas":3}}"#,
    );
    assert!(
        stale
            .stderr
            .contains(r#"Operation cannot be fulfilled on deployments.apps "web": the object has been modified"#),
        "{stale:?}"
    );
    let negative = put(
        r#"{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"web","namespace":"shop"},"spec":{"replicas":-1}}"#,
    );
    assert!(
        negative.stderr.contains(
            r#"The Scale "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"#
        ),
        "{negative:?}"
    );
    ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "scale",
        "deployment",
        "web",
        "--replicas",
        "1",
    ])));

    // Two more revisions, then back to the previous one with rollout undo.
    ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "set",
        "image",
        "deployment/web",
        "web=web:2",
    ])));
    ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "rollout",
        "status",
        "deployment/web",
        "--timeout",
        "30s",
    ])));
    ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "set",
        "image",
        "deployment/web",
        "web=web:3",
    ])));
    ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "rollout",
        "status",
        "deployment/web",
        "--timeout",
        "30s",
    ])));
    let history = ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "rollout",
        "history",
        "deployment/web",
    ])));
    for revision in ["1 ", "2 ", "3 "] {
        assert!(history.stdout.lines().any(|l| l.starts_with(revision)), "{history:?}");
    }
    let rs = json_of(h, k, &["-n", "shop", "get", "replicasets", "-l", "app=web"]);
    let items = rs["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{rs:#}");
    for item in items {
        assert_eq!(item["metadata"]["ownerReferences"][0]["kind"], "Deployment");
        let hash = item["metadata"]["labels"]["pod-template-hash"].as_str().unwrap();
        assert!(item["metadata"]["name"].as_str().unwrap().ends_with(hash));
    }
    let v2 = ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "rollout",
        "history",
        "deployment/web",
        "--revision",
        "2",
    ])));
    assert!(v2.stdout.contains("web:2"), "{v2:?}");
    let described = ok(run(kubectl(h, k).args(["-n", "shop", "describe", "deployment", "web"])));
    assert!(described.stdout.contains("NewReplicaSet:"), "{described:?}");
    assert!(described.stdout.contains("(1/1 replicas created)"), "{described:?}");

    let undo = ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "rollout",
        "undo",
        "deployment/web",
    ])));
    assert!(undo.stdout.contains("rolled back"), "{undo:?}");
    ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "rollout",
        "status",
        "deployment/web",
        "--timeout",
        "30s",
    ])));
    let d = json_of(h, k, &["-n", "shop", "get", "deployment", "web"]);
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"], "web:2",
        "{d:#}"
    );
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "4",
        "{d:#}"
    );
    let history = ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "rollout",
        "history",
        "deployment/web",
    ])));
    assert!(
        !history.stdout.lines().any(|l| l.starts_with("2 ")),
        "revision 2 became 4: {history:?}"
    );
    assert!(history.stdout.lines().any(|l| l.starts_with("4 ")), "{history:?}");
    let to_first = ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "rollout",
        "undo",
        "deployment/web",
        "--to-revision",
        "1",
    ])));
    assert!(to_first.stdout.contains("rolled back"), "{to_first:?}");
    let d = until(
        h,
        k,
        &["-n", "shop", "get", "deployment", "web"],
        "undo to revision 1",
        |d| d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "5",
    );
    assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["image"], "web:1");

    // Paused, a new template rolls nothing out; resumed, it does.
    let replica_sets = |h: &Path, k: &Path| {
        json_of(h, k, &["-n", "shop", "get", "replicasets"])["items"]
            .as_array()
            .map_or(0, Vec::len)
    };
    let before = replica_sets(h, k);
    ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "rollout",
        "pause",
        "deployment/web",
    ])));
    ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "set",
        "image",
        "deployment/web",
        "web=web:9",
    ])));
    let paused = until(
        h,
        k,
        &["-n", "shop", "get", "deployment", "web"],
        "the paused change observed",
        |d| d["status"]["observedGeneration"] == d["metadata"]["generation"],
    );
    let progressing = paused["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Progressing")
        .cloned()
        .unwrap();
    assert_eq!(progressing["reason"], "DeploymentPaused", "{paused:#}");
    assert_eq!(progressing["status"], "Unknown");
    assert!(paused["status"].get("updatedReplicas").is_none(), "{paused:#}");
    assert_eq!(replica_sets(h, k), before, "no ReplicaSet for the paused template");
    ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "rollout",
        "resume",
        "deployment/web",
    ])));
    ok(run(kubectl(h, k).args([
        "-n",
        "shop",
        "rollout",
        "status",
        "deployment/web",
        "--timeout",
        "30s",
    ])));
    assert_eq!(replica_sets(h, k), before + 1);

    // Deleting the Deployment takes its ReplicaSets along.
    ok(run(kubectl(h, k).args(["-n", "shop", "delete", "deployment", "web"])));
    until(h, k, &["-n", "shop", "get", "replicasets"], "ReplicaSets gone", |l| {
        l["items"].as_array().is_some_and(|i| i.is_empty())
    });
}

#[test]
fn kubectl_scale_on_a_custom_resource_with_a_scale_subresource() {
    if !kubectl_available("kubectl_scale_on_a_custom_resource_with_a_scale_subresource") {
        return;
    }
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let (h, k) = (home.path(), kc.as_path());
    let crd = h.join("crd.yaml");
    std::fs::write(&crd, CRD).unwrap();
    ok(run(kubectl(h, k).args(["apply", "-f"]).arg(&crd)));
    let pool = h.join("pool.yaml");
    std::fs::write(
        &pool,
        "apiVersion: example.com/v1\nkind: Pool\nmetadata: {name: p, namespace: default}\nspec: {size: 2}\n",
    )
    .unwrap();
    ok(run(kubectl(h, k).args(["apply", "-f"]).arg(&pool)));
    ok(run(kubectl(h, k).args(["scale", "pool", "p", "--replicas", "5"])));
    let p = json_of(h, k, &["get", "pool", "p"]);
    assert_eq!(p["spec"]["size"], 5, "{p:#}");
    let scale = json_of(
        h,
        k,
        &["get", "--raw", "/apis/example.com/v1/namespaces/default/pools/p/scale"],
    );
    assert_eq!(scale["spec"]["replicas"], 5);
    assert_eq!(scale["status"]["replicas"], 0);
    // A type without the subresource has no such path.
    let none = run(kubectl(h, k).args(["get", "--raw", "/api/v1/namespaces/default/configmaps/x/scale"]));
    assert_eq!(none.code, 1, "{none:?}");
}

/// Pods that never become ready: after `progressDeadlineSeconds` the Deployment says so, and
/// `kubectl rollout status` stops waiting with kubectl's own error.
#[test]
fn kubectl_rollout_status_reports_an_exceeded_progress_deadline() {
    if !kubectl_available("kubectl_rollout_status_reports_an_exceeded_progress_deadline") {
        return;
    }
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let (h, k) = (home.path(), kc.as_path());
    let file = h.join("stuck.yaml");
    std::fs::write(
        &file,
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck, namespace: default}
spec:
  progressDeadlineSeconds: 1
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}, annotations: {sim.kurator.dev/unavailable: "true"}}
    spec:
      containers: [{name: c, image: "stuck:1"}]
"#,
    )
    .unwrap();
    ok(run(kubectl(h, k).args(["apply", "-f"]).arg(&file)));
    let status = run(kubectl(h, k).args(["rollout", "status", "deployment/stuck", "--timeout", "30s"]));
    assert_eq!(status.code, 1, "{status:?}");
    assert!(
        status
            .stderr
            .contains(r#"deployment "stuck" exceeded its progress deadline"#),
        "{status:?}"
    );
    let d = json_of(h, k, &["get", "deployment", "stuck"]);
    let progressing = d["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Progressing")
        .cloned()
        .unwrap();
    assert_eq!(progressing["status"], "False", "{d:#}");
    assert_eq!(progressing["reason"], "ProgressDeadlineExceeded");
    assert!(
        progressing["message"]
            .as_str()
            .unwrap()
            .ends_with("has timed out progressing."),
        "{d:#}"
    );
}
