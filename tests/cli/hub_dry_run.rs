//! Dry runs change nothing: `apply`, `install` and `uninstall` under `--fleet` ask the hub for a
//! server-side dry run (nothing on the hub or in the members changes, and the output says what
//! the hub would change); `uninstall --dry-run` in context mode prints the plan alone.

use crate::kurator::hub_fleet;
use crate::support::snapshot::{self, EXAMPLE_APPLICATION, settled_hub_fleet, versions};
use crate::support::{plugin, run};

#[test]
fn a_dry_run_under_fleet_writes_nothing_to_the_hub() {
    let (fleet, home, kc) = hub_fleet();
    let hub = &fleet.hub.as_ref().unwrap().0;
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    let app = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml");
    let get = || hub.get("apps.kurator.dev", "applications", Some("default"), "rollout-demo");

    let dry = cmd(&["apply", "-f", app, "--fleet", "quickstart", "--dry-run"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(
        dry.stdout
            .lines()
            .any(|l| l.contains("default/rollout-demo") && l.contains("would create")),
        "{dry:?}"
    );
    assert!(get().is_none(), "a dry run created the Application on the hub");

    let applied = cmd(&["apply", "-f", app, "--fleet", "quickstart"]);
    assert!(applied.stdout.contains("created"), "{applied:?}");
    // Kurator's fleet manager writes the Application too (finalizer, status), so the spec, not
    // the resourceVersion, shows whether the dry run changed it.
    let before = get().unwrap()["spec"].clone();

    // A changed policy, previewed: the hub keeps the object it had.
    let text = std::fs::read_to_string(app).unwrap();
    let changed_text = text.replacen("maxWeight: 50", "maxWeight: 40", 1);
    assert_ne!(text, changed_text, "the example sets maxWeight: 50");
    let changed = home.path().join("changed.yaml");
    std::fs::write(&changed, changed_text).unwrap();
    let dry = cmd(&[
        "apply",
        "-f",
        changed.to_str().unwrap(),
        "--fleet",
        "quickstart",
        "--dry-run",
    ]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(dry.stdout.contains("would configure"), "{dry:?}");
    assert_eq!(get().unwrap()["spec"], before);
    assert!(before.to_string().contains("\"maxWeight\":50"), "{before}");
    let same = cmd(&["apply", "-f", app, "--fleet", "quickstart", "--dry-run"]);
    assert!(same.stdout.contains("unchanged"), "{same:?}");
}

#[test]
fn every_hub_dry_run_leaves_the_hub_and_the_members_as_they_were() {
    let (fleet, home, kc) = settled_hub_fleet();
    let hub = &fleet.hub.as_ref().unwrap().0;
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    let app = EXAMPLE_APPLICATION;
    snapshot::settle(&fleet);
    let before = versions(&fleet);
    assert_eq!(
        before.iter().filter(|v| v.contains(" canaries test/podinfo@")).count(),
        3,
        "{before:?}"
    );

    // apply: a changed policy, previewed.
    let text = std::fs::read_to_string(app).unwrap();
    let changed = home.path().join("changed.yaml");
    std::fs::write(&changed, text.replacen("maxWeight: 50", "maxWeight: 40", 1)).unwrap();
    let dry_apply = cmd(&[
        "apply",
        "-f",
        changed.to_str().unwrap(),
        "--fleet",
        "quickstart",
        "--dry-run",
    ]);
    assert_eq!(dry_apply.code, 0, "{dry_apply:?}");
    assert!(
        dry_apply
            .stdout
            .lines()
            .any(|l| l.contains("default/rollout-demo") && l.ends_with("would configure")),
        "{dry_apply:?}"
    );

    // install: the Fleet plugin patch is previewed (a diff of the field and its row), not the
    // manifests of the members.
    let same = cmd(&[
        "install",
        "--fleet",
        "quickstart",
        "--provider",
        "istio",
        "--testloader",
        "--dry-run",
    ]);
    assert_eq!(same.code, 0, "{same:?}");
    assert!(
        same.stdout
            .lines()
            .any(|l| l.starts_with("default/quickstart") && l.ends_with("unchanged")),
        "{same:?}"
    );
    // Another provider: the members run the plugin's istio Flagger, a second one is refused
    // (README "One Flagger per cluster"), as the install would be, and nothing is previewed.
    let other_provider = cmd(&["install", "--fleet", "quickstart", "--provider", "nginx", "--dry-run"]);
    assert_eq!(other_provider.code, 1, "{other_provider:?}");
    assert!(
        other_provider.stderr.contains(
            "Fleet default/quickstart was not changed: its Flagger plugin would add a second Flagger to 3 members:"
        ),
        "{other_provider:?}"
    );
    let dry_install = cmd(&["install", "--fleet", "quickstart", "--provider", "istio", "--dry-run"]);
    assert_eq!(dry_install.code, 0, "{dry_install:?}");
    assert!(!dry_install.stdout.contains("kind: Deployment"), "{dry_install:?}");
    assert!(
        dry_install.stdout.contains("-publicTestloader: true")
            && dry_install.stdout.contains("+publicTestloader: false"),
        "{dry_install:?}"
    );
    assert!(
        dry_install.stdout.lines().any(|l| l.starts_with("default/quickstart")
            && l.contains("spec.plugin.flagger")
            && l.ends_with("would configure")),
        "{dry_install:?}"
    );
    let as_json = cmd(&[
        "install",
        "--fleet",
        "quickstart",
        "--provider",
        "istio",
        "--dry-run",
        "-o",
        "json",
    ]);
    let rows: serde_json::Value = serde_json::from_str(&as_json.stdout).expect("JSON rows");
    assert_eq!(rows[0]["result"], "would configure", "{as_json:?}");
    assert_eq!(
        rows[0]["patch"]["spec"]["plugin"]["flagger"]["publicTestloader"], false,
        "{as_json:?}"
    );

    // uninstall: the Fleet plugin's removal is previewed, and refused while Canaries exist.
    let dry_uninstall = cmd(&["uninstall", "--fleet", "quickstart", "--dry-run"]);
    // A dry run exits as the run would (README "Exit codes"): refused is 1.
    assert_eq!(dry_uninstall.code, 1, "{dry_uninstall:?}");
    assert!(
        dry_uninstall.stdout.contains("-trafficRoutingProvider: istio")
            && dry_uninstall
                .stdout
                .lines()
                .any(|l| l.starts_with("default/quickstart") && l.ends_with("would configure"))
            && dry_uninstall.stdout.contains("refused: 3 Canaries still exist"),
        "{dry_uninstall:?}"
    );
    let forced = cmd(&["uninstall", "--fleet", "quickstart", "--dry-run", "--force"]);
    assert!(!forced.stdout.contains("refused"), "{forced:?}");
    assert_eq!(forced.code, 0, "{forced:?}");
    let refused = cmd(&["uninstall", "--fleet", "quickstart", "--yes"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.contains("refused: 3 Canaries"), "{refused:?}");

    let after = versions(&fleet);
    assert_eq!(
        snapshot::changed(&before, &after),
        Vec::<String>::new(),
        "a dry run changed the hub or a member"
    );
    let fleet_object = hub
        .get("fleet.kurator.dev", "fleets", Some("default"), "quickstart")
        .unwrap();
    assert_eq!(
        fleet_object["spec"]["plugin"]["flagger"]["trafficRoutingProvider"], "istio",
        "{fleet_object}"
    );

    // The real removal: Kurator's fleet manager takes Flagger out of every member.
    let flagger_in = |c: &fleet_sim::SimCluster| {
        c.list("apps", "deployments", Some("istio-system"))
            .iter()
            .any(|d| d["metadata"]["name"].as_str().unwrap_or("").contains("-flagger-"))
    };
    assert!(fleet.clusters.iter().all(flagger_in), "Kurator installed Flagger");
    let removed = cmd(&["uninstall", "--fleet", "quickstart", "--yes", "--force"]);
    assert_eq!(removed.code, 0, "{removed:?}");
    assert!(removed.stdout.contains("plugin.flagger removed"), "{removed:?}");
    let fleet_object = hub
        .get("fleet.kurator.dev", "fleets", Some("default"), "quickstart")
        .unwrap();
    assert!(fleet_object.pointer("/spec/plugin/flagger").is_none(), "{fleet_object}");
    crate::support::wait_until("Flagger to leave every member", || {
        !fleet.clusters.iter().any(flagger_in)
    });
}

#[test]
fn uninstall_dry_run_prints_the_plan_and_deletes_nothing() {
    let fleet = crate::support::Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    assert_eq!(cmd(&["install", "--all-contexts", "--provider", "istio"]).code, 0);
    let member = fleet.cluster("kurator-member1");
    let before = member.resource_version();
    let dry = cmd(&["uninstall", "--all-contexts", "--dry-run"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(
        dry.stdout
            .lines()
            .any(|l| l.starts_with("kurator-member1") && l.contains("delete") && l.contains("objects")),
        "{dry:?}"
    );
    assert_eq!(member.resource_version(), before, "a dry run deleted something");
}
