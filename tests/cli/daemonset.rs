//! DaemonSet targets: Flagger supports them, but this tool's `start`, `status` images and its
//! simulator only handle Deployments, so `lint` (and every command that loads a policy) refuses
//! them with the reason instead of applying a rollout it cannot follow.

use crate::support::{plugin, run};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml");

#[test]
fn lint_and_render_refuse_daemonset_targets_with_the_reason() {
    let home = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    assert!(example.contains("kind: Deployment"));
    let path = home.path().join("daemonset.yaml");
    std::fs::write(&path, example.replace("kind: Deployment", "kind: DaemonSet")).unwrap();
    let file = path.display().to_string();

    let lint = run(plugin(home.path()).arg("lint").arg("-f").arg(&path));
    assert_eq!(lint.code, 1, "{lint:?}");
    assert!(
        lint.stdout.contains(&format!(
            "{file}:29:9: error: spec.syncPolicies[0].rollout.workload.kind: DaemonSet targets are not supported by this tool yet"
        )),
        "{}",
        lint.stdout
    );
    assert!(
        lint.stdout.contains("Flagger itself supports DaemonSet targets"),
        "{lint:?}"
    );
    assert!(lint.stdout.contains("fix: target a Deployment"), "{lint:?}");

    // Commands that load the policy refuse it too, before anything is rendered.
    let render = run(plugin(home.path())
        .arg("render")
        .arg("-f")
        .arg(&path)
        .args(["--cluster-name", "east"]));
    assert_ne!(render.code, 0, "{render:?}");
    assert!(!render.stdout.contains("kind: Canary"), "{render:?}");
    assert!(
        format!("{}{}", render.stdout, render.stderr).contains("DaemonSet targets are not supported by this tool yet"),
        "{render:?}"
    );
}
