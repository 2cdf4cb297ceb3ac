//! `apply --fleet --dry-run` asks the hub for a server-side dry run: nothing on the hub changes,
//! and the rows say what the apply would do.

use crate::kurator::hub_fleet;
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
