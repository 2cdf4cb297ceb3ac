//! Kurator hub mode: a Fleet on the hub as the target, members reached through hub Secrets.

use fleet_sim::PlaygroundOptions;

use crate::support::rollout::podinfo_phase;
use crate::support::{Fleet, MEMBERS, Running, every_row_has, plugin, row, run, wait_for, wait_until};

/// Three members behind a simulated hub running Kurator's (simulated) fleet manager.
pub(crate) fn hub_fleet() -> (Fleet, tempfile::TempDir, std::path::PathBuf) {
    // The playground's hub runs the simulated Kurator fleet manager (30 simulated seconds
    // between status refreshes: 0.3 s at speed 100).
    let fleet = Fleet::start_with(PlaygroundOptions {
        clusters: 3,
        kurator: true,
        speed: 100.0,
        ..Default::default()
    });
    let home = tempfile::tempdir().unwrap();
    let hub_entry = fleet.hub.as_ref().unwrap().1.clone();
    let path = home.path().join("kubeconfig");
    // Only the hub is in the user's kubeconfig: members are reached through the Fleet.
    std::fs::write(&path, fleet_sim::to_yaml(&fleet_sim::kubeconfig(&[hub_entry]))).unwrap();
    (fleet, home, path)
}

/// `install --fleet quickstart --provider istio [--testloader]`: Kurator's Fleet plugin installs
/// Flagger (and the public load tester) in every member; the command waits for it.
pub(crate) fn install_through_fleet(
    home: &std::path::Path,
    kc: &std::path::Path,
    testloader: bool,
) -> crate::support::Output {
    let mut args = vec![
        "install",
        "--fleet",
        "quickstart",
        "--provider",
        "istio",
        "--timeout",
        "60s",
    ];
    if testloader {
        args.push("--testloader");
    }
    let installed = run(plugin(home).args(&args).env("KUBECONFIG", kc));
    assert_eq!(installed.code, 0, "{installed:?}");
    installed
}

#[test]
fn clusters_of_a_fleet_from_hub_secrets_only() {
    let (fleet, home, kc) = hub_fleet();
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    let out = cmd(&["clusters", "--fleet", "quickstart"]);
    assert_eq!(out.code, 0, "{out:?}");
    for n in 1..=3 {
        assert!(
            out.stdout.lines().any(|l| l.starts_with(&format!("kurator-member{n}"))
                && l.contains("AttachedCluster/")
                && l.ends_with("Ready")),
            "{out:?}"
        );
    }
    let narrowed = cmd(&["clusters", "--fleet", "quickstart", "--cluster-selector", "env=prod"]);
    assert_eq!(
        narrowed.stdout.lines().count(),
        2,
        "header and one member: {narrowed:?}"
    );
    assert!(
        row(&narrowed.stdout, "kurator-member1").ends_with("Ready"),
        "{narrowed:?}"
    );

    // Any command works through the Fleet: install into the members, then check them.
    assert_eq!(
        cmd(&[
            "install",
            "--fleet",
            "quickstart",
            "--provider",
            "istio",
            "--testloader"
        ])
        .code,
        0
    );
    let check = cmd(&["check", "--fleet", "quickstart", "--testloader"]);
    assert_eq!(check.code, 0, "{check:?}");

    // A member whose Secret is gone is a row with that error.
    let (hub, _) = fleet.hub.as_ref().unwrap();
    let t = hub.core().type_of("", "v1", "secrets").unwrap();
    hub.core()
        .delete(&t, Some("default"), "kurator-member2", &Default::default())
        .unwrap();
    let partial = cmd(&["clusters", "--fleet", "quickstart"]);
    assert_eq!(partial.code, 5, "{partial:?}");
    assert!(
        partial
            .stdout
            .contains("Secret default/kurator-member2 (the member's kubeconfig) not found on the hub"),
        "{partial:?}"
    );

    // No member credential in any output or file the tool wrote.
    for entry in &fleet.entries {
        for text in [
            &out.stdout,
            &out.stderr,
            &check.stdout,
            &check.stderr,
            &partial.stdout,
            &partial.stderr,
        ] {
            assert!(!text.contains(&entry.token), "a member token leaked");
        }
    }
    let mut files = vec![home.path().to_path_buf()];
    while let Some(dir) = files.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                files.push(p);
            } else if p != kc {
                let bytes = std::fs::read(&p).unwrap_or_default();
                let text = String::from_utf8_lossy(&bytes);
                assert!(
                    fleet.entries.iter().all(|en| !text.contains(&en.token)),
                    "{} holds a member token",
                    p.display()
                );
            }
        }
    }
    let missing = cmd(&["clusters", "--fleet", "nope"]);
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing.stderr.contains("Fleet default/nope not found on the hub"),
        "{missing:?}"
    );

    // --hub-context picks the hub among other contexts (the current one is a member here);
    // --fleet-namespace says where the Fleet lives.
    let hub_entry = &fleet.hub.as_ref().unwrap().1;
    let mixed_dir = home.path().join("mixed");
    std::fs::create_dir(&mixed_dir).unwrap();
    let mixed = fleet.write_kubeconfig(&mixed_dir, |entries| entries.push(hub_entry.clone()));
    let mixed_cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &mixed));
    let on_member = mixed_cmd(&["clusters", "--fleet", "quickstart"]);
    assert_eq!(on_member.code, 2, "the current context is no hub: {on_member:?}");
    let hub_name = hub_entry.context.as_str();
    let through_hub = mixed_cmd(&["clusters", "--fleet", "quickstart", "--hub-context", hub_name]);
    assert_eq!(through_hub.code, 5, "member2's Secret is still gone: {through_hub:?}");
    assert!(
        row(&through_hub.stdout, "kurator-member1").ends_with("Ready"),
        "{through_hub:?}"
    );
    let elsewhere = mixed_cmd(&[
        "clusters",
        "--fleet",
        "quickstart",
        "--hub-context",
        hub_name,
        "--fleet-namespace",
        "kurator-system",
    ]);
    assert_eq!(elsewhere.code, 2, "{elsewhere:?}");
    assert!(
        elsewhere
            .stderr
            .contains("Fleet kurator-system/quickstart not found on the hub"),
        "{elsewhere:?}"
    );
}

/// README "Kurator hub mode": a Fleet's `Cluster` members (Cluster API clusters, next to
/// `AttachedCluster`s) are reached with the kubeconfig of their credential Secret.
#[test]
fn cluster_members_are_reached_through_their_credential_secret() {
    use base64::Engine;
    use serde_json::json;

    let (fleet, home, kc) = hub_fleet();
    let hub = fleet.hub.as_ref().unwrap().0.clone();
    // Kurator's Cluster CRD (schema left open, as the playground's other Kurator CRDs).
    hub.apply(
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        None,
        &json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "clusters.cluster.kurator.dev"},
            "spec": {"group": "cluster.kurator.dev", "scope": "Namespaced",
                "names": {"plural": "clusters", "singular": "cluster", "kind": "Cluster", "listKind": "ClusterList"},
                "versions": [{"name": "v1alpha1", "served": true, "storage": true, "subresources": {"status": {}},
                    "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                        "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}]}}),
    )
    .unwrap();
    wait_until("the Cluster CRD served", || {
        hub.serves("cluster.kurator.dev", "clusters")
    });
    // member3, reached as a Cluster: its kubeconfig under the Secret's `value` key.
    let entry = fleet.entries.iter().find(|e| e.context == "kurator-member3").unwrap();
    let config = fleet_sim::to_yaml(&fleet_sim::kubeconfig(std::slice::from_ref(entry)));
    let value = base64::engine::general_purpose::STANDARD.encode(config);
    hub.apply(
        "",
        "secrets",
        Some("default"),
        &json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "capi-member3-kubeconfig", "namespace": "default"}, "data": {"value": value}}),
    )
    .unwrap();
    hub.apply(
        "cluster.kurator.dev",
        "clusters",
        Some("default"),
        &json!({"apiVersion": "cluster.kurator.dev/v1alpha1", "kind": "Cluster",
            "metadata": {"name": "capi-member3", "namespace": "default", "labels": {"env": "capi"}},
            "spec": {"credential": {"secretRef": "capi-member3-kubeconfig"}}}),
    )
    .unwrap();
    hub.patch_status(
        "cluster.kurator.dev",
        "clusters",
        Some("default"),
        "capi-member3",
        &json!({"phase": "Ready"}),
    )
    .unwrap();
    let mut quickstart = hub
        .get("fleet.kurator.dev", "fleets", Some("default"), "quickstart")
        .unwrap();
    quickstart["spec"]["clusters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"kind": "Cluster", "name": "capi-member3"}));
    hub.patch(
        "fleet.kurator.dev",
        "fleets",
        Some("default"),
        "quickstart",
        fleet_sim::patch::PatchKind::Merge,
        &json!({"spec": {"clusters": quickstart["spec"]["clusters"]}}),
    )
    .unwrap();

    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    let out = cmd(&["clusters", "--fleet", "quickstart"]);
    assert_eq!(out.code, 0, "{out:?}");
    let capi = row(&out.stdout, "capi-member3");
    assert!(
        capi.contains("Cluster/capi-member3") && capi.contains("v1.32") && capi.ends_with("Ready"),
        "{out:?}"
    );
    let only = cmd(&["clusters", "--fleet", "quickstart", "--cluster-selector", "env=capi"]);
    assert_eq!(only.code, 0, "{only:?}");
    assert_eq!(only.stdout.lines().count(), 2, "header and the Cluster: {only:?}");
    assert!(row(&only.stdout, "capi-member3").ends_with("Ready"), "{only:?}");
    assert!(!only.stdout.contains(&entry.token) && !out.stdout.contains(&entry.token));
}

/// README "Kurator hub mode": under `--fleet`, `promote` and `abort` open the gates on the
/// members' load testers (here the members' Canaries carry gates, applied by this tool).
#[test]
fn promote_and_abort_under_fleet_open_the_members_gates() {
    let (fleet, home, hub_kc) = hub_fleet();
    let members_dir = home.path().join("members");
    std::fs::create_dir(&members_dir).unwrap();
    let members_kc = fleet.write_kubeconfig(&members_dir, |_| {});
    let direct = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &members_kc));
    let through_hub = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &hub_kc));
    let installed = direct(&["install", "--all-contexts", "--provider", "istio", "--testloader"]);
    assert_eq!(installed.code, 0, "{installed:?}");
    for c in &fleet.clusters {
        fleet_sim::kurator::apply_all(c, &fleet_sim::sample::podinfo("podinfo:1", 1));
    }
    let policy = crate::support::rollout::POLICY;
    let applied = direct(&["apply", "-f", policy, "--all-contexts", "--manual-promotion"]);
    assert_eq!(applied.code, 0, "{applied:?}");
    wait_until("every member Initialized", || {
        fleet.clusters.iter().all(|c| podinfo_phase(c) == "Initialized")
    });
    let started = through_hub(&[
        "start",
        "--yes",
        "podinfo",
        "-n",
        "test",
        "--fleet",
        "quickstart",
        "--image",
        "podinfod=podinfo:2",
    ]);
    assert_eq!(started.code, 0, "{started:?}");
    wait_until("every member at the promotion gate", || {
        fleet.clusters.iter().all(|c| podinfo_phase(c) == "WaitingPromotion")
    });
    let fleet_args = ["podinfo", "-n", "test", "--fleet", "quickstart", "--yes"];
    let promoted = through_hub(&[&["promote"][..], &fleet_args, &["--cluster-selector", "env=prod"]].concat());
    assert_eq!(promoted.code, 0, "{promoted:?}");
    assert!(
        row(&promoted.stdout, "kurator-member1").contains("gate opened and closed"),
        "{promoted:?}"
    );
    wait_until("member1 Succeeded", || podinfo_phase(&fleet.clusters[0]) == "Succeeded");
    let aborted = through_hub(&[&["abort"][..], &fleet_args, &["--cluster-selector", "env=staging"]].concat());
    assert_eq!(aborted.code, 0, "{aborted:?}");
    wait_until("the staging members rolled back", || {
        fleet.clusters[1..].iter().all(|c| podinfo_phase(c) == "Failed")
    });
    assert_eq!(podinfo_phase(&fleet.clusters[0]), "Succeeded");
}

#[test]
fn applications_go_to_the_hub_and_status_comes_from_it() {
    use serde_json::json;

    let (fleet, home, kc) = hub_fleet();
    let hub = fleet.hub.as_ref().unwrap().0.clone();
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    // install --fleet asks Kurator (its Fleet plugin) and waits for Flagger in every member.
    let installed = install_through_fleet(home.path(), &kc, true);
    let plugin = hub
        .get("fleet.kurator.dev", "fleets", Some("default"), "quickstart")
        .unwrap()["spec"]["plugin"]["flagger"]
        .clone();
    assert_eq!(
        plugin,
        json!({"trafficRoutingProvider": "istio", "publicTestloader": true})
    );
    assert!(every_row_has(&installed.stdout, &MEMBERS, "Ready"), "{installed:?}");
    // Flux would deploy the workload; here it is done by hand.
    for c in &fleet.clusters {
        fleet_sim::kurator::apply_all(c, &fleet_sim::sample::podinfo("podinfo:1", 1));
    }
    let app = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml");
    let applied = cmd(&["apply", "-f", app, "--fleet", "quickstart"]);
    assert_eq!(applied.code, 0, "{applied:?}");
    assert!(
        applied.stdout.contains("default/rollout-demo") && applied.stdout.contains("created"),
        "{applied:?}"
    );
    assert!(
        hub.get("apps.kurator.dev", "applications", Some("default"), "rollout-demo")
            .is_some(),
        "the Application is on the hub"
    );

    // The fleet manager renders the Canaries into the members and mirrors their status. NAME is
    // a Canary in every mode: under --fleet, the one Application rolling out podinfo is found.
    let status = wait_for("status to show 3 Initialized members", || {
        let status = cmd(&["status", "podinfo", "--fleet", "quickstart"]);
        if status.code == 0 && every_row_has(&status.stdout, &MEMBERS, "Initialized") {
            Ok(status)
        } else {
            Err(format!("{status:?}"))
        }
    });
    assert!(every_row_has(&status.stdout, &MEMBERS, "podinfo"), "{status:?}");
    let canary = fleet.clusters[0]
        .get("flagger.app", "canaries", Some("test"), "podinfo")
        .unwrap();
    assert_eq!(
        canary["metadata"]["annotations"]["kurator.dev/rollout"],
        "rollout-demo-0"
    );
    let again = cmd(&["apply", "-f", app, "--fleet", "quickstart"]);
    assert!(again.stdout.contains("unchanged"), "{again:?}");

    // check --fleet reports the Fleet's plugin, and warns when a rollout's provider differs.
    let check = cmd(&["check", "--fleet", "quickstart"]);
    assert_eq!(check.code, 0, "{check:?}");
    assert!(
        check
            .stdout
            .contains("plugin.flagger: provider istio, public load tester on"),
        "{check:?}"
    );
    assert!(!check.stdout.contains("uses provider"), "{check:?}");
    hub.patch(
        "fleet.kurator.dev",
        "fleets",
        Some("default"),
        "quickstart",
        fleet_sim::patch::PatchKind::Merge,
        &json!({"spec": {"plugin": {"flagger": {"trafficRoutingProvider": "nginx"}}}}),
    )
    .unwrap();
    let check = cmd(&["check", "--fleet", "quickstart", "-o", "json"]);
    assert!(
        check.stderr.contains(
            "Application rollout-demo spec.syncPolicies[0].rollout uses provider istio, but the Fleet's Flagger routes with nginx"
        ),
        "{check:?}"
    );
    serde_json::from_str::<serde_json::Value>(&check.stdout).expect("JSON rows stay JSON");
    hub.patch(
        "fleet.kurator.dev",
        "fleets",
        Some("default"),
        "quickstart",
        fleet_sim::patch::PatchKind::Merge,
        &json!({"spec": {"plugin": {"flagger": {"trafficRoutingProvider": "istio"}}}}),
    )
    .unwrap();

    // pause goes into the hub Application; the fleet manager carries it to every member. The
    // dry run prints that hub change (not a member Canary patch) and makes none.
    let app_spec = || {
        hub.get("apps.kurator.dev", "applications", Some("default"), "rollout-demo")
            .unwrap()["spec"]
            .clone()
    };
    let spec_before = app_spec();
    let dry = cmd(&["pause", "podinfo", "--fleet", "quickstart", "--dry-run"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(
        dry.stdout
            .contains("set rolloutPolicy.suspend=true in Application default/rollout-demo syncPolicies[0]")
            && !dry.stdout.contains("spec.suspend"),
        "{dry:?}"
    );
    assert_eq!(app_spec(), spec_before, "the dry run changed the hub");
    let unattended = cmd(&["pause", "podinfo", "--fleet", "quickstart"]);
    assert_eq!(unattended.code, 2, "{unattended:?}");
    // Two writes to the hub race another writer first: the switch carries the Application's
    // resourceVersion, so each is a real 409 (both injected conflicts used up), redone from a
    // fresh read.
    hub.faults().set_write_conflicts(2);
    let paused = cmd(&["pause", "podinfo", "--fleet", "quickstart", "--yes"]);
    assert_eq!(paused.code, 0, "{paused:?}");
    assert!(paused.stdout.contains("suspend=true"), "{paused:?}");
    assert!(!hub.faults().take_write_conflict(), "both conflicts were met");
    let app_obj = hub
        .get("apps.kurator.dev", "applications", Some("default"), "rollout-demo")
        .unwrap();
    assert_eq!(
        app_obj["spec"]["syncPolicies"][0]["rollout"]["rolloutPolicy"]["suspend"],
        true
    );
    wait_until("the members' Canaries suspended", || {
        fleet
            .clusters
            .iter()
            .all(|c| c.get("flagger.app", "canaries", Some("test"), "podinfo").unwrap()["spec"]["suspend"] == true)
    });
    assert_eq!(cmd(&["resume", "podinfo", "--fleet", "quickstart", "--yes"]).code, 0);

    // A release through the Fleet runs to Succeeded on every member, seen from the hub:
    // `status --fleet --watch application/APP` follows the hub Application, not the members.
    let watch = Running::spawn(
        crate::support::plugin(home.path())
            .args([
                "status",
                "application/rollout-demo",
                "--fleet",
                "quickstart",
                "--watch",
                "--wait-for-start",
                "--timeout",
                "90s",
                "-o",
                "ndjson",
            ])
            .env("KUBECONFIG", &kc),
    );
    // Without an Application, `status --fleet --watch` follows the members' Canaries directly.
    let members_watch = Running::spawn(
        crate::support::plugin(home.path())
            .args([
                "status",
                "-n",
                "test",
                "--fleet",
                "quickstart",
                "--watch",
                "--wait-for-start",
                "--timeout",
                "90s",
            ])
            .env("KUBECONFIG", &kc),
    );
    // --wait-for-start takes the state it first sees as the old run: release only after that.
    watch.wait_for_stdout("the watch's first state of every member", |o| {
        (1..=3).all(|n| o.contains(&format!("\"kurator-member{n}\"")))
    });
    members_watch.wait_for_stdout("the members watch's first state", |o| {
        MEMBERS.iter().all(|m| o.contains(m))
    });
    let started = cmd(&[
        "start",
        "--yes",
        "podinfo",
        "-n",
        "test",
        "--fleet",
        "quickstart",
        "--image",
        "podinfod=podinfo:2",
    ]);
    assert_eq!(started.code, 0, "{started:?}");
    let status = wait_for("the release to succeed on every member, seen from the hub", || {
        let status = cmd(&["status", "application/rollout-demo", "--fleet", "quickstart"]);
        if every_row_has(&status.stdout, &MEMBERS, "Succeeded") {
            Ok(status)
        } else {
            Err(format!("{status:?}"))
        }
    });
    assert_eq!(status.code, 0, "{status:?}");
    // -o wide adds the images, which the hub does not carry, read from the members.
    let wide = cmd(&["status", "podinfo", "-n", "test", "--fleet", "quickstart", "-o", "wide"]);
    assert_eq!(wide.code, 0, "{wide:?}");
    for member in MEMBERS {
        assert_eq!(
            row(&wide.stdout, member).matches("podinfo:2").count(),
            2,
            "primary and canary of {member}: {wide:?}"
        );
    }
    let watched = watch.finish();
    let members_watched = members_watch.finish();
    assert_eq!(members_watched.code, 0, "{members_watched:?}");
    for member in MEMBERS {
        let last = members_watched
            .stdout
            .lines()
            .rfind(|l| l.split_whitespace().nth(1) == Some(member))
            .unwrap_or_default();
        assert_eq!(
            last.split_whitespace().nth(3),
            Some("Succeeded"),
            "{member}: {members_watched:?}"
        );
        assert!(
            members_watched
                .stdout
                .lines()
                .any(|l| l.split_whitespace().nth(1) == Some(member) && l.contains("Progressing")),
            "{member} followed through its run: {members_watched:?}"
        );
    }
    assert_eq!(watched.code, 0, "{watched:?}");
    for n in 1..=3 {
        let member = format!("\"kurator-member{n}\"");
        let phases: Vec<&str> = watched.stdout.lines().filter(|l| l.contains(&member)).collect();
        assert!(
            phases.iter().any(|l| l.contains("Progressing")) && phases.last().unwrap().contains("Succeeded"),
            "member {n} from the hub: {watched:?}"
        );
    }

    // promote --full under --fleet: skipTrafficAnalysis in the hub Application, carried to the
    // members by Kurator; the run ends promoted everywhere. (Taking the switch back is
    // promote_full_under_fleet_takes_its_switch_back.)
    let started = cmd(&[
        "start",
        "--yes",
        "podinfo",
        "-n",
        "test",
        "--fleet",
        "quickstart",
        "--image",
        "podinfod=podinfo:3",
    ]);
    assert_eq!(started.code, 0, "{started:?}");
    let full = cmd(&["promote", "podinfo", "--full", "--fleet", "quickstart", "--yes"]);
    assert_eq!(full.code, 0, "{full:?}");
    assert!(
        full.stdout
            .lines()
            .any(|l| l.contains("skipTrafficAnalysis=true") && l.contains("default/rollout-demo")),
        "the switch is set in the hub Application: {full:?}"
    );
    let primary = |c: &fleet_sim::SimCluster| {
        c.get("apps", "deployments", Some("test"), "podinfo-primary").unwrap()["spec"]["template"]["spec"]["containers"]
            [0]["image"]
            .clone()
    };
    wait_until("podinfo:3 promoted in every member", || {
        fleet
            .clusters
            .iter()
            .all(|c| primary(c) == "podinfo:3" && podinfo_phase(c) == "Succeeded")
    });
}

/// README "Reliability": promote's reset under `--fleet` removes the key it added.
#[test]
fn promote_full_under_fleet_takes_its_switch_back() {
    let (fleet, home, kc) = hub_fleet();
    let hub = fleet.hub.as_ref().unwrap().0.clone();
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    install_through_fleet(home.path(), &kc, true);
    for c in &fleet.clusters {
        fleet_sim::kurator::apply_all(c, &fleet_sim::sample::podinfo("podinfo:1", 1));
    }
    let app = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml");
    assert_eq!(cmd(&["apply", "-f", app, "--fleet", "quickstart"]).code, 0);
    wait_until("every member Initialized", || {
        fleet.clusters.iter().all(|c| podinfo_phase(c) == "Initialized")
    });
    assert_eq!(
        cmd(&[
            "start",
            "--yes",
            "podinfo",
            "-n",
            "test",
            "--fleet",
            "quickstart",
            "--image",
            "podinfod=podinfo:2"
        ])
        .code,
        0
    );
    let full = cmd(&["promote", "podinfo", "--full", "--fleet", "quickstart", "--yes"]);
    assert_eq!(full.code, 0, "{full:?}");
    assert!(
        fleet.clusters.iter().all(|c| podinfo_phase(c) == "Succeeded"),
        "{full:?}"
    );
    let app_obj = hub
        .get("apps.kurator.dev", "applications", Some("default"), "rollout-demo")
        .unwrap();
    assert_eq!(
        app_obj["spec"]["syncPolicies"][0]["rollout"]["rolloutPolicy"].get("skipTrafficAnalysis"),
        None,
        "{app_obj:#}"
    );
}

#[test]
fn the_destination_cluster_selector_limits_which_members_get_the_rollout() {
    use serde_json::json;

    let (fleet, home, kc) = hub_fleet();
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    install_through_fleet(home.path(), &kc, false);
    for c in &fleet.clusters {
        c.apply(
            "",
            "namespaces",
            None,
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}),
        )
        .unwrap();
        c.apply(
            "",
            "services",
            Some("test"),
            &json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "podinfo", "namespace": "test"}, "spec": {"ports": [{"port": 9898}]}}),
        )
        .unwrap();
    }
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml")).unwrap();
    let narrowed = example.replace(
        "    fleet: quickstart\n",
        "    fleet: quickstart\n    clusterSelector:\n      matchLabels:\n        env: prod\n",
    );
    assert_ne!(narrowed, example);
    let path = home.path().join("prod-only.yaml");
    std::fs::write(&path, narrowed).unwrap();
    let applied = cmd(&["apply", "-f", path.to_str().unwrap(), "--fleet", "quickstart"]);
    assert_eq!(applied.code, 0, "{applied:?}");

    // Only kurator-member1 carries env=prod (the playground's labels).
    let canary_in = |n: usize| fleet.clusters[n].get("flagger.app", "canaries", Some("test"), "podinfo");
    // The fleet manager mirrors the status of every destination it rendered to once a pass is
    // done: that list is the selector's outcome.
    let hub = fleet.hub.as_ref().unwrap().0.clone();
    let destinations = wait_for("the Application's status mirror", || {
        let app = hub.get("apps.kurator.dev", "applications", Some("default"), "rollout-demo");
        let names: Vec<String> = app
            .as_ref()
            .and_then(|a| a.pointer("/status/syncStatus"))
            .and_then(|s| s.as_array())
            .into_iter()
            .flatten()
            .filter_map(|s| s.pointer("/rolloutStatus/clusterName").and_then(|n| n.as_str()))
            .map(str::to_string)
            .collect();
        if names.is_empty() {
            Err(format!("{app:?}"))
        } else {
            Ok(names)
        }
    });
    assert_eq!(destinations, ["kurator-member1"]);
    assert!(canary_in(0).is_some(), "the prod member got its Canary");
    assert!(
        canary_in(1).is_none() && canary_in(2).is_none(),
        "staging members were left alone"
    );
}
