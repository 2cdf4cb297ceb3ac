//! `uninstall` and Canaries that carry Flagger's `finalizer.flagger.app` (revertOnDeletion):
//! once Flagger is gone nothing would remove it, so deleting such a Canary would hang.

use serde_json::{Value, json};

use crate::support::{Fleet, kubectl, kubectl_available, plugin, run};

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
            .contains("refused: 1 Canaries still exist (1 with finalizer.flagger.app, which only Flagger removes"),
        "{refused:?}"
    );

    let forced = cmd(&["uninstall", "--all-contexts", "--yes", "--force"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    assert!(
        forced
            .stderr
            .contains("first take finalizer.flagger.app off test/podinfo"),
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
