//! One Flagger per cluster: `install` finds any Flagger controller already running (by its
//! image, in any namespace, whoever installed it) and adds no second one; its dry run is
//! refused, and exits, the same way; `check` fails on two, found by the image too.

use std::path::Path;

use fleet_sim::SimCluster;
use serde_json::Value;

use crate::support::{Fleet, check_section, every_object_version, kubectl, kubectl_available, plugin, run};

/// `namespace/name` of every Deployment in the cluster running Flagger's image, wherever it
/// was pulled from (the last path element of the repository is `flagger`).
fn flagger_controllers(cluster: &SimCluster) -> Vec<String> {
    let mut found: Vec<String> = cluster
        .list("apps", "deployments", None)
        .iter()
        .filter(|d| {
            d.pointer("/spec/template/spec/containers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| c["image"].as_str())
                .any(|image| {
                    let repository = image.split(['@', ':']).next().unwrap_or(image);
                    repository.ends_with("/flagger") || repository == "flagger"
                })
        })
        .map(|d| {
            format!(
                "{}/{}",
                d["metadata"]["namespace"].as_str().unwrap(),
                d["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn install_of_another_provider_is_refused_where_an_istio_flagger_runs_and_one_flagger_stays() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    let member = &fleet.clusters[0];
    let istio = cmd(&["install", "--context", "kurator-member1", "--provider", "istio"]);
    assert_eq!(istio.code, 0, "{istio:?}");
    let one = vec!["istio-system/istio-system-flagger-kurator-member1".to_string()];
    assert_eq!(flagger_controllers(member), one);
    let before = every_object_version(member);

    // The dry run is refused as the install is, and exits as it would.
    let dry = cmd(&[
        "install",
        "--context",
        "kurator-member1",
        "--provider",
        "nginx",
        "--dry-run",
    ]);
    assert_eq!(dry.code, 1, "{dry:?}");
    assert_eq!(dry.stdout, "", "no manifests for a refused cluster: {dry:?}");
    let refusal = "refused: Flagger already runs in this cluster and a second one would reconcile the same Canaries: \
         istio-system/istio-system-flagger-kurator-member1 (Available, version 1.44.0, mesh provider istio, watching all namespaces), \
         installed by this tool (--provider istio, cluster name kurator-member1): keep it: run install with --provider istio \
         and the same --cluster-name; or replace it: kubectl kurator-rollout uninstall --context kurator-member1, then install";
    assert_eq!(
        dry.stderr.trim_end(),
        format!("error: kurator-member1: {refusal}"),
        "{dry:?}"
    );

    let nginx = cmd(&[
        "install",
        "--context",
        "kurator-member1",
        "--provider",
        "nginx",
        "-o",
        "json",
    ]);
    assert_eq!(nginx.code, 1, "{nginx:?}");
    let rows: Value = serde_json::from_str(&nginx.stdout).unwrap();
    assert_eq!(rows[0]["error"], refusal, "{rows}");
    assert_eq!(
        rows[0]["changes"],
        serde_json::json!({"created": 0, "configured": 0, "unchanged": 0})
    );
    assert_eq!(flagger_controllers(member), one, "still one Flagger");
    assert_eq!(
        every_object_version(member),
        before,
        "a refused install wrote something"
    );

    // A renamed cluster is a second Flagger too (its objects are named after the cluster).
    let renamed = cmd(&[
        "install",
        "--context",
        "kurator-member1",
        "--provider",
        "istio",
        "--cluster-name",
        "kurator-member1=eu-1",
    ]);
    assert_eq!(renamed.code, 1, "{renamed:?}");
    assert_eq!(flagger_controllers(member), one);
    // The same install again is no second Flagger: it is the one there.
    assert_eq!(
        cmd(&["install", "--context", "kurator-member1", "--provider", "istio"]).code,
        0
    );
}

/// A Flagger controller as someone might `kubectl apply` it: pulled from a registry mirror,
/// with none of the labels Flagger's chart or kustomize base set, in a namespace of its own.
fn apply_foreign_flagger(home: &Path, kc: &Path, context: &str) {
    let manifest = home.join(format!("foreign-flagger-{context}.yaml"));
    std::fs::write(
        &manifest,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ops\n---\n\
         apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: canary-controller\n  namespace: ops\n\
         spec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: canary-controller\n  template:\n\
         \x20   metadata:\n      labels:\n        app: canary-controller\n    spec:\n      containers:\n\
         \x20     - name: controller\n        image: registry.example.com/mirror/fluxcd/flagger:1.38.0\n\
         \x20       args: [\"-mesh-provider=kubernetes\"]\n",
    )
    .unwrap();
    let applied = run(kubectl(home, kc)
        .args(["--context", context, "apply", "-f"])
        .arg(&manifest));
    assert_eq!(applied.code, 0, "{applied:?}");
    // Rolled out, so the cluster's own controllers stop writing before anything is compared.
    let rolled_out = run(kubectl(home, kc).args([
        "--context",
        context,
        "-n",
        "ops",
        "rollout",
        "status",
        "deployment/canary-controller",
        "--timeout=60s",
    ]));
    assert_eq!(rolled_out.code, 0, "{rolled_out:?}");
}

#[test]
fn a_flagger_someone_else_applied_is_found_by_its_image_in_any_namespace() {
    if !kubectl_available("a_flagger_someone_else_applied_is_found_by_its_image_in_any_namespace") {
        return;
    }
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    apply_foreign_flagger(home.path(), &kc, "kurator-member1");
    let member1 = fleet.cluster("kurator-member1");
    let foreign = vec!["ops/canary-controller".to_string()];
    assert_eq!(flagger_controllers(member1), foreign);
    let snapshot = || -> Vec<String> { fleet.clusters.iter().flat_map(every_object_version).collect() };
    let before = snapshot();

    let dry = cmd(&["install", "--all-contexts", "--provider", "istio", "--dry-run"]);
    // member1 refused, member2 would install: the install's own exit (README "Exit codes").
    assert_eq!(dry.code, 5, "{dry:?}");
    assert!(
        dry.stderr.starts_with("error: kurator-member1: refused: Flagger already runs in this cluster")
            && dry.stderr.contains("ops/canary-controller (")
            && dry.stderr.contains(
                "version 1.38.0, mesh provider kubernetes, watching all namespaces), \
                 installed by another tool (no installer's labels: kubectl apply, kustomize, an operator): \
                 replace it: kubectl --context kurator-member1 -n ops delete deployment canary-controller (with the RBAC it came with), then install"
            ),
        "{dry:?}"
    );
    assert!(
        dry.stdout
            .contains("# cluster: kurator-member2 (context kurator-member2)")
            && !dry.stdout.contains("# cluster: kurator-member1"),
        "{dry:?}"
    );
    assert_eq!(snapshot(), before, "a dry run wrote something");

    let real = cmd(&["install", "--all-contexts", "--provider", "istio"]);
    assert_eq!(real.code, 5, "{real:?}");
    assert_eq!(flagger_controllers(member1), foreign, "no second Flagger in member1");
    assert_eq!(
        flagger_controllers(fleet.cluster("kurator-member2")),
        ["istio-system/istio-system-flagger-kurator-member2"]
    );

    // check finds it by the image too: in member2, next to the one install made, it is a
    // second controller on the same Canaries.
    apply_foreign_flagger(home.path(), &kc, "kurator-member2");
    let two = cmd(&["check", "--context", "kurator-member2"]);
    assert_eq!(two.code, 1, "{two:?}");
    let section = check_section(&two.stdout, "kurator-member2");
    assert!(
        section.contains("✖ Flagger: two Flagger controllers reconcile the same Canaries: ")
            && section.contains("ops/canary-controller (")
            && section.contains("istio-system/istio-system-flagger-kurator-member2 ("),
        "{two:?}"
    );
}
