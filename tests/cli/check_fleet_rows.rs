//! The setup verbs' rows name the cluster and the context apart (README "Machine output"):
//! `cluster` is the member (a context, or a Kurator member's name), `context` the kubeconfig
//! context it was reached through, null under `--fleet`. And under `--fleet` too, `install`
//! adds no second Flagger to a member.

use serde_json::{Value, json};

use crate::kurator::hub_fleet;
use crate::support::{Fleet, plugin, run, versions_of};

fn json_of(out: &crate::support::Output) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

/// (cluster, context) of each row.
fn names(rows: &Value) -> Vec<(Value, Value)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["cluster"].clone(), r["context"].clone()))
        .collect()
}

fn members_through_the_hub() -> Vec<(Value, Value)> {
    (1..=3)
        .map(|n| (json!(format!("kurator-member{n}")), Value::Null))
        .collect()
}

#[test]
fn under_fleet_setup_rows_carry_the_member_as_cluster_and_no_context() {
    let (fleet, home, kc) = hub_fleet();
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));

    // A member already running a Flagger of its own (applied there, not by Kurator): the Fleet
    // is not changed, the run and its dry run say which member and why.
    let member3 = &fleet.clusters[2];
    member3
        .create(
            "",
            "namespaces",
            None,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ops"}}),
        )
        .unwrap();
    let labels = json!({"app": "canary-controller"});
    let foreign = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "canary-controller", "namespace": "ops"},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "c", "image": "ghcr.io/fluxcd/flagger:1.38.0"}]}}}});
    member3.apply("apps", "deployments", Some("ops"), &foreign).unwrap();
    let hub = &fleet.hub.as_ref().unwrap().0;
    let fleets = || versions_of(hub, "fleet.kurator.dev", "fleets");
    let before = fleets();
    for extra in [&["--dry-run"][..], &[]] {
        let mut args = vec!["install", "--fleet", "quickstart", "--provider", "istio"];
        args.extend(extra);
        let refused = cmd(&args);
        assert_eq!(refused.code, 1, "{refused:?}");
        assert!(
            refused.stderr.contains(
                "Fleet default/quickstart was not changed: its Flagger plugin would add a second Flagger to 1 member:\nkurator-member3: refused: Flagger already runs in this cluster"
            ) && refused.stderr.contains("ops/canary-controller (")
                // Members are reached through the hub: no context of the user's to name.
                && refused
                    .stderr
                    .contains("replace it: kubectl --context <its context> -n ops delete deployment canary-controller"),
            "{refused:?}"
        );
        assert_eq!(fleets(), before, "the Fleet was changed");
    }
    member3
        .core()
        .delete(
            &member3.core().type_of("apps", "v1", "deployments").unwrap(),
            Some("ops"),
            "canary-controller",
            &Default::default(),
        )
        .unwrap();

    let installed = cmd(&[
        "install",
        "--fleet",
        "quickstart",
        "--provider",
        "istio",
        "--timeout",
        "60s",
        "-o",
        "json",
    ]);
    assert_eq!(installed.code, 0, "{installed:?}");
    assert_eq!(names(&json_of(&installed)), members_through_the_hub());

    let check = cmd(&["check", "--fleet", "quickstart", "-o", "json"]);
    let rows = json_of(&check);
    let mut expected = vec![(json!("kurator-host"), json!("kurator-host"))];
    expected.extend(members_through_the_hub());
    assert_eq!(names(&rows), expected, "{check:?}");

    let version = cmd(&["version", "--server", "--fleet", "quickstart", "-o", "json"]);
    assert_eq!(version.code, 0, "{version:?}");
    assert_eq!(names(&json_of(&version)["clusters"]), members_through_the_hub());
}

#[test]
fn in_context_mode_setup_rows_carry_the_context_as_both() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    let both = vec![(json!("kurator-member1"), json!("kurator-member1"))];
    let installed = cmd(&["install", "--all-contexts", "--provider", "istio", "-o", "json"]);
    assert_eq!(names(&json_of(&installed)), both, "{installed:?}");
    assert_eq!(names(&json_of(&cmd(&["check", "--all-contexts", "-o", "json"]))), both);
    let version = cmd(&["version", "--server", "--all-contexts", "-o", "json"]);
    assert_eq!(names(&json_of(&version)["clusters"]), both);
    let plan = cmd(&["uninstall", "--all-contexts", "--dry-run", "-o", "json"]);
    assert_eq!(names(&json_of(&plan)), both);
    let removed = cmd(&["uninstall", "--all-contexts", "--yes", "-o", "json"]);
    assert_eq!(names(&json_of(&removed)), both, "{removed:?}");
}
