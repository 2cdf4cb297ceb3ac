//! `uninstall` and Canaries that carry Flagger's `finalizer.flagger.app` (revertOnDeletion):
//! once Flagger is gone nothing would remove it, so deleting such a Canary would hang.

use fleet_sim::patch::PatchKind;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

use crate::support::{Fleet, Output, kubectl, kubectl_available, plugin, run};

#[test]
fn uninstall_force_takes_flaggers_finalizer_off_the_canaries() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    assert_eq!(cmd(&["install", "--all-contexts", "--provider", "istio"]).code, 0);
    let member = &fleet.clusters[0];
    member
        .apply(
            "",
            "namespaces",
            None,
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}),
        )
        .unwrap();
    let mut canary: Value = serde_saphyr::from_str(include_str!("../../testdata/canary-every-field.yaml")).unwrap();
    canary["metadata"]["finalizers"] = json!(["finalizer.flagger.app", "example.com/keep"]);
    member.apply("flagger.app", "canaries", Some("test"), &canary).unwrap();

    let refused = cmd(&["uninstall", "--all-contexts", "--yes"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("refused: 1 Canary still exists (1 with finalizer.flagger.app, which only Flagger removes"),
        "{refused:?}"
    );

    let forced = cmd(&["uninstall", "--all-contexts", "--yes", "--force"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    assert!(
        forced
            .stderr
            .contains("releases finalizer.flagger.app on 1 Canary (test/podinfo) once Flagger's Deployment is gone"),
        "{forced:?}"
    );
    let left = member.get("flagger.app", "canaries", Some("test"), "podinfo").unwrap();
    assert_eq!(
        left["metadata"]["finalizers"],
        json!(["example.com/keep"]),
        "only Flagger's finalizer is taken off"
    );

    // Real kubectl sees the same.
    if kubectl_available("uninstall_force_takes_flaggers_finalizer_off_the_canaries") {
        let got = run(kubectl(home.path(), &kc).args([
            "get",
            "canary",
            "podinfo",
            "-n",
            "test",
            "-o",
            "jsonpath={.metadata.finalizers}",
        ]));
        assert_eq!(got.code, 0, "{got:?}");
        assert_eq!(got.stdout.trim(), r#"["example.com/keep"]"#, "{got:?}");
    }
}

/// A fleet of one with Flagger's CRDs, a namespace `test` and a Canary carrying Flagger's
/// finalizer (and another one), returning the kubeconfig and a runner for the plugin.
fn canary_with_finalizer(fleet: &Fleet, home: &Path) -> PathBuf {
    let kc = fleet.write_kubeconfig(home, |_| {});
    let installed = run(plugin(home)
        .args(["install", "--all-contexts", "--provider", "istio"])
        .env("KUBECONFIG", &kc));
    assert_eq!(installed.code, 0, "{installed:?}");
    let member = &fleet.clusters[0];
    member
        .apply(
            "",
            "namespaces",
            None,
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}),
        )
        .unwrap();
    let mut canary: Value = serde_saphyr::from_str(include_str!("../../testdata/canary-every-field.yaml")).unwrap();
    canary["metadata"]["finalizers"] = json!(["finalizer.flagger.app", "example.com/keep"]);
    member.apply("flagger.app", "canaries", Some("test"), &canary).unwrap();
    kc
}

fn finalizers(fleet: &Fleet) -> Value {
    fleet.clusters[0]
        .get("flagger.app", "canaries", Some("test"), "podinfo")
        .unwrap()["metadata"]["finalizers"]
        .clone()
}

fn uninstall(home: &Path, kc: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["uninstall", "--all-contexts", "--yes", "--force"];
    args.extend_from_slice(extra);
    run(plugin(home).args(&args).env("KUBECONFIG", kc))
}

#[test]
fn uninstall_force_leaves_the_finalizer_of_a_flagger_it_did_not_install() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = canary_with_finalizer(&fleet, home.path());
    // This tool's Flagger goes (CRDs stay); what is left stands for a Flagger installed by
    // Helm or Kurator: the finalizer is that Flagger's business.
    let first = uninstall(home.path(), &kc, &[]);
    assert_eq!(first.code, 0, "{first:?}");
    let finalized = json!({"metadata": {"finalizers": ["finalizer.flagger.app", "example.com/keep"]}});
    fleet.clusters[0]
        .patch(
            "flagger.app",
            "canaries",
            Some("test"),
            "podinfo",
            PatchKind::Merge,
            &finalized,
        )
        .unwrap();

    let again = uninstall(home.path(), &kc, &[]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again.stderr.contains(
            "none: nothing installed by this tool; leaves finalizer.flagger.app on 1 Canary: the Flagger that owns it was not installed by this tool"
        ),
        "{again:?}"
    );
    assert_eq!(finalizers(&fleet), json!(["finalizer.flagger.app", "example.com/keep"]));
}

#[test]
fn uninstall_force_releases_the_finalizer_only_after_flaggers_deployment_is_gone() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = canary_with_finalizer(&fleet, home.path());
    let member = &fleet.clusters[0];
    let flagger = member
        .list("apps", "deployments", None)
        .into_iter()
        .find(|d| d["metadata"]["labels"]["app.kubernetes.io/name"] == "flagger")
        .expect("install created Flagger's Deployment");
    let (ns, name) = (
        flagger["metadata"]["namespace"].as_str().unwrap().to_string(),
        flagger["metadata"]["name"].as_str().unwrap().to_string(),
    );
    // A finalizer holds the Deployment after its DELETE, as a Flagger still running would be.
    let hold = |list: Value| {
        member
            .patch(
                "apps",
                "deployments",
                Some(&ns),
                &name,
                PatchKind::Merge,
                &json!({"metadata": {"finalizers": list}}),
            )
            .unwrap();
    };
    hold(json!(["example.com/hold"]));

    let cut = uninstall(home.path(), &kc, &["--cluster-timeout", "3s"]);
    assert_eq!(cut.code, 1, "{cut:?}");
    assert!(
        cut.stdout
            .contains("(Flagger) still exists; finalizer.flagger.app was left on the Canaries"),
        "{cut:?}"
    );
    assert_eq!(
        finalizers(&fleet),
        json!(["finalizer.flagger.app", "example.com/keep"]),
        "not released while Flagger's Deployment exists"
    );

    // Once the Deployment is gone a re-run (which still finds this tool's other Flagger
    // objects) releases it.
    hold(json!([]));
    let again = uninstall(home.path(), &kc, &[]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again.stderr.contains("releases finalizer.flagger.app on 1 Canary"),
        "{again:?}"
    );
    assert_eq!(finalizers(&fleet), json!(["example.com/keep"]));
}
