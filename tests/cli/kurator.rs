//! Kurator hub mode: a Fleet on the hub as the target, members reached through hub Secrets.

use fleet_sim::PlaygroundOptions;

use crate::support::{Fleet, plugin, run};

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
}

#[test]
fn applications_go_to_the_hub_and_status_comes_from_it() {
    use serde_json::json;
    use std::time::{Duration, Instant};

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
    assert_eq!(installed.stdout.matches("Ready").count(), 3, "{installed:?}");
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

    // The fleet manager renders the Canaries into the members and mirrors their status.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = cmd(&["status", "rollout-demo", "--fleet", "quickstart"]);
        if status.code == 0 && status.stdout.matches("Initialized").count() == 3 {
            assert!(
                status.stdout.contains("kurator-member1") && status.stdout.contains("podinfo"),
                "{status:?}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "status never showed 3 Initialized members: {status:?}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
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
    let deadline = Instant::now() + Duration::from_secs(20);
    while !fleet
        .clusters
        .iter()
        .all(|c| c.get("flagger.app", "canaries", Some("test"), "podinfo").unwrap()["spec"]["suspend"] == true)
    {
        assert!(Instant::now() < deadline, "the members' Canaries were not suspended");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(cmd(&["resume", "podinfo", "--fleet", "quickstart", "--yes"]).code, 0);

    // A release through the Fleet runs to Succeeded on every member, seen from the hub:
    // `status --fleet --watch APP` follows the hub Application, not the members.
    let watch = crate::support::plugin(home.path())
        .args([
            "status",
            "rollout-demo",
            "--fleet",
            "quickstart",
            "--watch",
            "--wait-for-start",
            "--timeout",
            "90s",
            "-o",
            "ndjson",
        ])
        .env("KUBECONFIG", &kc)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let started = cmd(&[
        "start",
        "podinfo",
        "-n",
        "test",
        "--fleet",
        "quickstart",
        "--image",
        "podinfod=podinfo:2",
    ]);
    assert_eq!(started.code, 0, "{started:?}");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let status = cmd(&["status", "rollout-demo", "--fleet", "quickstart"]);
        if status.stdout.matches("Succeeded").count() == 3 {
            assert_eq!(status.code, 0, "{status:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the release did not succeed on every member: {status:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    // -o wide adds the images, which the hub does not carry, read from the members.
    let wide = cmd(&["status", "rollout-demo", "--fleet", "quickstart", "-o", "wide"]);
    assert_eq!(wide.code, 0, "{wide:?}");
    assert_eq!(
        wide.stdout.matches("podinfo:2").count(),
        6,
        "primary and canary per member: {wide:?}"
    );
    let watched = crate::support::rollout::output_of(watch);
    assert_eq!(watched.code, 0, "{watched:?}");
    for n in 1..=3 {
        let member = format!("\"kurator-member{n}\"");
        let phases: Vec<&str> = watched.stdout.lines().filter(|l| l.contains(&member)).collect();
        assert!(
            phases.iter().any(|l| l.contains("Progressing")) && phases.last().unwrap().contains("Succeeded"),
            "member {n} from the hub: {watched:?}"
        );
    }
}

#[test]
fn the_destination_cluster_selector_limits_which_members_get_the_rollout() {
    use serde_json::json;
    use std::time::{Duration, Instant};

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
    let deadline = Instant::now() + Duration::from_secs(20);
    while canary_in(0).is_none() {
        assert!(Instant::now() < deadline, "the prod member never got its Canary");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(600)); // three more fleet-manager passes
    assert!(
        canary_in(1).is_none() && canary_in(2).is_none(),
        "staging members were left alone"
    );
}
