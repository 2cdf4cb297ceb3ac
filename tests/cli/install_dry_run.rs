//! `install --dry-run` and `uninstall --dry-run` in context mode write nothing (every object's
//! resourceVersion in every cluster is as it was) and exit as the real run would. Hub mode:
//! `hub_dry_run.rs`.

use crate::support::{Fleet, every_object_version, plugin, run};

#[test]
fn setup_dry_runs_in_context_mode_change_no_object_and_exit_as_the_run_would() {
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    let snapshot = || -> Vec<String> { fleet.clusters.iter().flat_map(every_object_version).collect() };

    // A bare fleet: the manifests of both, nothing created.
    let bare = snapshot();
    let dry = cmd(&[
        "install",
        "--all-contexts",
        "--provider",
        "istio",
        "--testloader",
        "--dry-run",
    ]);
    assert_eq!(dry.code, 0, "{dry:?}");
    for member in ["kurator-member1", "kurator-member2"] {
        assert!(
            dry.stdout.contains(&format!("# cluster: {member} (context {member})")),
            "{dry:?}"
        );
    }
    assert_eq!(snapshot(), bare, "install --dry-run wrote something");
    // Nothing to remove yet: uninstall's plan says so, and exits 0 as the run would.
    let nothing = cmd(&["uninstall", "--all-contexts", "--dry-run"]);
    assert_eq!(nothing.code, 0, "{nothing:?}");
    assert_eq!(snapshot(), bare);

    let installed = cmd(&["install", "--all-contexts", "--provider", "istio", "--testloader"]);
    assert_eq!(installed.code, 0, "{installed:?}");
    let settled = snapshot();
    // Installed: the same dry run again, another provider's (refused: one Flagger per cluster),
    // and the removal's.
    assert_eq!(
        cmd(&[
            "install",
            "--all-contexts",
            "--provider",
            "istio",
            "--testloader",
            "--dry-run"
        ])
        .code,
        0
    );
    let other = cmd(&["install", "--all-contexts", "--provider", "kuma", "--dry-run"]);
    assert_eq!(other.code, 1, "{other:?}");
    let removal = cmd(&["uninstall", "--all-contexts", "--dry-run", "-o", "json"]);
    assert_eq!(removal.code, 0, "{removal:?}");
    let rows: serde_json::Value = serde_json::from_str(&removal.stdout).unwrap();
    assert_eq!(rows[0]["action"], "delete 6 objects", "{rows}");
    assert_eq!(snapshot(), settled, "a dry run wrote something");

    // An unreachable cluster: 5 (some clusters failed), as the install and the removal would.
    fleet.cluster("kurator-member2").set_unreachable(true).unwrap();
    let partial = cmd(&[
        "install",
        "--all-contexts",
        "--provider",
        "istio",
        "--testloader",
        "--dry-run",
    ]);
    assert_eq!(partial.code, 5, "{partial:?}");
    assert!(
        partial.stderr.starts_with("error: kurator-member2: unreachable: "),
        "{partial:?}"
    );
    let partial_removal = cmd(&["uninstall", "--all-contexts", "--dry-run"]);
    assert_eq!(partial_removal.code, 5, "{partial_removal:?}");
    fleet.cluster("kurator-member2").set_unreachable(false).unwrap();
    assert_eq!(snapshot(), settled, "a dry run wrote something");
}
