//! `install`, `check`, `uninstall` on simulated fleets.

use fleet_sim::User;
use serde_json::Value;

use crate::support::{
    Fleet, MEMBERS, check_section, check_summary, every_row_has, kubectl, kubectl_available, plugin, row, run,
};

fn kubeconfig_env(fleet: &Fleet, home: &std::path::Path) -> std::path::PathBuf {
    fleet.write_kubeconfig(home, |_| {})
}

#[test]
fn check_install_reinstall_check_on_a_bare_fleet() {
    let fleet = Fleet::start(3);
    let home = tempfile::tempdir().unwrap();
    let kc = kubeconfig_env(&fleet, home.path());
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));

    let before = cmd(&["check", "--all-contexts"]);
    assert_eq!(before.code, 1, "{before:?}");
    for n in 1..=3 {
        assert!(before.stdout.contains(&format!("kurator-member{n}")), "{before:?}");
    }
    for member in MEMBERS {
        let section = check_section(&before.stdout, member);
        assert!(
            section.contains("✖ Flagger CRDs: missing or not established: canaries.flagger.app")
                && section.contains("✖ Flagger: no Flagger Deployment found"),
            "{member}: {before:?}"
        );
    }
    assert!(
        before
            .stdout
            .contains("→ run: kubectl kurator-rollout install --context kurator-member2"),
        "{before:?}"
    );

    let first = cmd(&["install", "--all-contexts", "--provider", "istio", "--testloader"]);
    assert_eq!(first.code, 0, "{first:?}");
    for member in MEMBERS {
        let r = row(&first.stdout, member);
        assert!(r.contains("10 created") && r.ends_with("Ready"), "{member}: {first:?}");
    }

    let versions: Vec<u64> = fleet.clusters.iter().map(|c| c.resource_version()).collect();
    let second = cmd(&[
        "install",
        "--all-contexts",
        "--provider",
        "istio",
        "--testloader",
        "-o",
        "json",
    ]);
    assert_eq!(second.code, 0, "{second:?}");
    let rows: Value = serde_json::from_str(&second.stdout).unwrap();
    for row in rows.as_array().unwrap() {
        assert_eq!(
            row["changes"],
            serde_json::json!({"created": 0, "configured": 0, "unchanged": 10}),
            "{row}"
        );
        assert!(row["error"].is_null());
    }
    let after: Vec<u64> = fleet.clusters.iter().map(|c| c.resource_version()).collect();
    assert_eq!(versions, after, "a second install must not write anything");

    let deploy = fleet
        .cluster("kurator-member2")
        .get(
            "apps",
            "deployments",
            Some("istio-system"),
            "istio-system-flagger-kurator-member2",
        )
        .unwrap();
    let args = &deploy["spec"]["template"]["spec"]["containers"][0]["args"];
    assert!(
        args.as_array().unwrap().iter().any(|a| a == "-mesh-provider=istio"),
        "{args}"
    );
    assert!(
        fleet
            .cluster("kurator-member1")
            .get(
                "",
                "services",
                Some("istio-system"),
                "istio-system-testloader-kurator-member1-loadtester"
            )
            .is_some()
    );

    let after_check = cmd(&["check", "--all-contexts", "--testloader"]);
    assert_eq!(after_check.code, 0, "{after_check:?}");
    assert!(
        every_row_has(check_summary(&after_check.stdout), &MEMBERS, "Ready"),
        "{after_check:?}"
    );
}

#[test]
fn read_only_cluster_fails_alone_with_a_clear_403() {
    let fleet = Fleet::start(3);
    fleet
        .cluster("kurator-member2")
        .add_user("viewer-token", User::read_only("viewer"));
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |entries| entries[1].token = "viewer-token".into());
    let out = run(plugin(home.path())
        .args(["install", "--all-contexts", "--provider", "kuma", "--timeout", "20s"])
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 5, "{out:?}");
    let row = out.stdout.lines().find(|l| l.starts_with("kurator-member2")).unwrap();
    assert!(
        row.contains("403 Forbidden") && row.contains("User \"viewer\" cannot patch resource \"namespaces\""),
        "{row}"
    );
    assert!(
        out.stdout.lines().filter(|l| l.ends_with("Ready")).count() == 2,
        "{out:?}"
    );
    assert!(
        fleet
            .cluster("kurator-member1")
            .get(
                "apps",
                "deployments",
                Some("kuma-system"),
                "kuma-system-flagger-kurator-member1"
            )
            .is_some()
    );

    let check = run(plugin(home.path())
        .args(["check", "--context", "kurator-member2"])
        .env("KUBECONFIG", &kc));
    assert_eq!(check.code, 1, "{check:?}");
    assert!(check.stdout.contains("✖ Permissions: missing in namespace default: patch canaries.flagger.app, patch deployments.apps, create services/proxy"), "{check:?}");
}

#[test]
fn install_timeout_names_the_deployment() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = kubeconfig_env(&fleet, home.path());
    // Pre-create the Flagger Deployment with a template the simulator never makes available;
    // install's apply keeps that annotation (it does not own it), so the wait must time out.
    let cluster = fleet.cluster("kurator-member1");
    fleet.block_on(async {
        cluster
            .apply(
                "",
                "namespaces",
                None,
                &serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "istio-system"}}),
            )
            .unwrap();
        cluster
            .apply(
                "apps",
                "deployments",
                Some("istio-system"),
                &serde_json::json!({
                    "apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": "istio-system-flagger-kurator-member1", "namespace": "istio-system"},
                    // A whole Deployment (a real server refuses one without selector and
                    // containers), with the selector the install renders (it is immutable).
                    "spec": {
                        "selector": {"matchLabels": {"app.kubernetes.io/name": "flagger", "app.kubernetes.io/instance": "istio-system-flagger-kurator-member1"}},
                        "template": {
                            "metadata": {
                                "labels": {"app.kubernetes.io/name": "flagger", "app.kubernetes.io/instance": "istio-system-flagger-kurator-member1"},
                                "annotations": {"sim.kurator.dev/unavailable": "true"},
                            },
                            "spec": {"containers": [{"name": "flagger", "image": "ghcr.io/fluxcd/flagger:1.44.0"}]},
                        },
                    }
                }),
            )
            .unwrap();
    });
    let out = run(plugin(home.path())
        .args(["install", "--provider", "istio", "--timeout", "2s"])
        .env("KUBECONFIG", &kc));
    // README "Exit codes": a timeout is 3 (this test used to lock in 1).
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stdout
            .contains("not ready: Deployment istio-system/istio-system-flagger-kurator-member1 not Available after 2s"),
        "{out:?}"
    );
}

#[test]
fn uninstall_asks_refuses_under_canaries_and_removes_only_its_own() {
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kc = kubeconfig_env(&fleet, home.path());
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    assert_eq!(
        cmd(&["install", "--all-contexts", "--provider", "istio", "--testloader"]).code,
        0
    );
    let member2 = fleet.cluster("kurator-member2");
    member2
        .apply(
            "",
            "services",
            Some("default"),
            &serde_json::json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "not-ours"},
                                "spec": {"ports": [{"port": 80}]}}),
        )
        .unwrap();
    let canary: Value = serde_saphyr::from_str(include_str!("../../testdata/canary-every-field.yaml")).unwrap();
    member2
        .apply(
            "",
            "namespaces",
            None,
            &serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}),
        )
        .unwrap();
    member2.apply("flagger.app", "canaries", Some("test"), &canary).unwrap();

    // member2's simulated Flagger keeps writing the Canary's status, so there the snapshot is
    // of what uninstall would delete; member1 must not have changed at all.
    let snapshot = || {
        let flagger = member2
            .get(
                "apps",
                "deployments",
                Some("istio-system"),
                "istio-system-flagger-kurator-member2",
            )
            .map(|d| d["metadata"]["resourceVersion"].clone());
        (fleet.cluster("kurator-member1").resource_version(), flagger)
    };
    let before = snapshot();
    let unattended = cmd(&["uninstall", "--all-contexts"]);
    assert_eq!(unattended.code, 2, "{unattended:?}");
    assert!(
        unattended.stderr.contains("pass --yes; nothing was changed"),
        "{unattended:?}"
    );
    assert_eq!(before, snapshot());

    let refused = cmd(&["uninstall", "--all-contexts", "--yes"]);
    assert_eq!(refused.code, 5, "{refused:?}");
    assert!(refused.stderr.contains("refused: 1 Canary still exists"), "{refused:?}");
    assert!(
        fleet
            .cluster("kurator-member1")
            .get(
                "apps",
                "deployments",
                Some("istio-system"),
                "istio-system-flagger-kurator-member1"
            )
            .is_none()
    );
    assert!(
        member2
            .get(
                "apps",
                "deployments",
                Some("istio-system"),
                "istio-system-flagger-kurator-member2"
            )
            .is_some()
    );

    let forced = cmd(&["uninstall", "--context", "kurator-member2", "--yes", "--force"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    assert!(
        member2
            .get(
                "apps",
                "deployments",
                Some("istio-system"),
                "istio-system-flagger-kurator-member2"
            )
            .is_none()
    );
    assert!(
        member2.get("", "services", Some("default"), "not-ours").is_some(),
        "objects it did not install stay"
    );
    assert!(
        member2.get("", "namespaces", None, "istio-system").is_some(),
        "namespaces stay"
    );
    assert!(
        member2
            .get("flagger.app", "canaries", Some("test"), "podinfo")
            .is_some(),
        "CRDs and Canaries stay without --crds"
    );
}

#[test]
fn dry_run_prints_manifests_that_kubectl_accepts() {
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kc = kubeconfig_env(&fleet, home.path());
    let versions: Vec<u64> = fleet.clusters.iter().map(|c| c.resource_version()).collect();
    let out = run(plugin(home.path())
        .args([
            "install",
            "--all-contexts",
            "--provider",
            "nginx",
            "--testloader",
            "--dry-run",
            "--cluster-name",
            "kurator-member2=east",
        ])
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("name: ingress-nginx-flagger-east"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("ingress-nginx-testloader-kurator-member1-loadtester")
    );
    assert_eq!(
        versions,
        fleet.clusters.iter().map(|c| c.resource_version()).collect::<Vec<_>>(),
        "dry run changes nothing"
    );

    if !kubectl_available("dry_run_prints_manifests_that_kubectl_accepts") {
        return;
    }
    let member1_docs: Vec<&str> = out
        .stdout
        .split("---\n")
        .filter(|d| d.contains("context kurator-member1"))
        .collect();
    let file = home.path().join("member1.yaml");
    std::fs::write(
        &file,
        member1_docs.iter().map(|d| format!("---\n{d}")).collect::<String>(),
    )
    .unwrap();
    // A server-side dry run creates nothing, so namespaced objects need their namespace to exist
    // already, as ingress-nginx does wherever the nginx provider runs.
    assert_eq!(
        run(kubectl(home.path(), &kc).args(["create", "namespace", "ingress-nginx"])).code,
        0
    );
    let versions: Vec<u64> = fleet.clusters.iter().map(|c| c.resource_version()).collect();
    let applied = run(kubectl(home.path(), &kc)
        .args(["apply", "--server-side", "--dry-run=server", "-f"])
        .arg(&file));
    assert_eq!(applied.code, 0, "{applied:?}");
    assert!(
        applied
            .stdout
            .contains("deployment.apps/ingress-nginx-flagger-kurator-member1 serverside-applied (server dry run)"),
        "{applied:?}"
    );
    assert_eq!(
        versions,
        fleet.clusters.iter().map(|c| c.resource_version()).collect::<Vec<_>>(),
        "server dry run changes nothing"
    );
}

#[test]
fn kubectl_sees_the_install_and_round_trips_a_full_canary() {
    if !kubectl_available("kubectl_sees_the_install_and_round_trips_a_full_canary") {
        return;
    }
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = kubeconfig_env(&fleet, home.path());
    assert_eq!(
        run(plugin(home.path())
            .args(["install", "--provider", "istio", "--testloader"])
            .env("KUBECONFIG", &kc))
        .code,
        0
    );
    let k = || kubectl(home.path(), &kc);
    let crd = run(k().args(["get", "crd", "canaries.flagger.app"]));
    assert_eq!(crd.code, 0, "{crd:?}");
    let deploys = run(k().args(["-n", "istio-system", "get", "deploy"]));
    assert!(
        deploys.stdout.contains("istio-system-flagger-kurator-member1") && deploys.stdout.contains("1/1"),
        "{deploys:?}"
    );

    assert_eq!(run(k().args(["create", "namespace", "test"])).code, 0);
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/canary-every-field.yaml");
    let applied = run(k().args(["apply", "--server-side", "-f"]).arg(&file));
    assert_eq!(applied.code, 0, "{applied:?}");
    let back = run(k().args(["-n", "test", "get", "canary", "podinfo", "-o", "json"]));
    let read: Value = serde_json::from_str(&back.stdout).unwrap();
    let original: Value = serde_saphyr::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(read["spec"], original["spec"]);
    let listed = run(k().args(["-n", "test", "get", "canary", "-o", "wide"]));
    let header = listed.stdout.lines().next().unwrap();
    for column in [
        "STATUS",
        "WEIGHT",
        "SUSPENDED",
        "FAILEDCHECKS",
        "INTERVAL",
        "MIRROR",
        "STEPWEIGHT",
        "STEPWEIGHTS",
        "MAXWEIGHT",
        "LASTTRANSITIONTIME",
    ] {
        assert!(header.contains(column), "{column} missing: {listed:?}");
    }
}
