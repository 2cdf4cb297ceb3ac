//! README "Dry runs" (issue 18 item 1): every verb that has `--dry-run` — `start`, the control
//! verbs, `apply`, `install`, `uninstall` — writes nothing, in context mode and under
//! `--fleet`: every object's resourceVersion on every member and on the hub is the same after
//! each dry run as before, and each exits as its run would.

use crate::support::rollout::{POLICY, RolloutFleet};
use crate::support::snapshot::{EXAMPLE_APPLICATION, changed, settle, settled_hub_fleet, versions};
use crate::support::{Fleet, Output, plugin, run};

/// One dry run: its arguments, the exit its run would have, and a line its output must have.
struct DryRun {
    args: Vec<&'static str>,
    exit: i32,
    says: &'static str,
}

fn dry(args: &[&'static str], exit: i32, says: &'static str) -> DryRun {
    DryRun {
        args: args.to_vec(),
        exit,
        says,
    }
}

/// Runs every dry run against a settled fleet; fails naming each one that wrote anything or
/// did not exit or say as its run would.
fn sweep(fleet: &Fleet, cmd: impl Fn(&[&str]) -> Output, target: &[&'static str], runs: &[DryRun]) {
    settle(fleet);
    let before = versions(fleet);
    assert!(before.len() > 50, "a fleet with objects to watch: {before:?}");
    let mut failures = Vec::new();
    for run in runs {
        let args = [&run.args[..], target, &["--dry-run"]].concat();
        let out = cmd(&args);
        if out.code != run.exit || !out.stdout.contains(run.says) {
            failures.push(format!(
                "{args:?}: want exit {} saying {:?}: {out:?}",
                run.exit, run.says
            ));
        }
        let written = changed(&before, &versions(fleet));
        assert_eq!(written, Vec::<String>::new(), "{args:?} wrote");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The control verbs' dry runs on Initialized canaries: already done counts as success
/// (README "Promote, abort…"), an impossible row fails, and `pause` plans a spec switch.
fn control_verbs() -> Vec<DryRun> {
    vec![
        dry(&["promote", "podinfo", "-n", "test"], 0, "none: already promoted"),
        dry(&["promote", "podinfo", "-n", "test", "--full"], 0, "podinfo"),
        dry(&["abort", "podinfo", "-n", "test"], 0, "none: no run to abort"),
        dry(&["pause", "podinfo", "-n", "test"], 0, "suspend=true"),
        dry(&["resume", "podinfo", "-n", "test"], 0, "podinfo"),
        dry(&["retry", "podinfo", "-n", "test"], 1, "impossible"),
    ]
}

#[test]
fn no_dry_run_writes_in_context_mode() {
    let s = RolloutFleet::start(2, &[], &[]);
    let changed_policy = s.home.path().join("changed.yaml");
    let text = std::fs::read_to_string(POLICY).unwrap();
    std::fs::write(&changed_policy, text.replacen("maxWeight: 50", "maxWeight: 40", 1)).unwrap();
    let changed_policy: &'static str = Box::leak(changed_policy.display().to_string().into_boxed_str());
    let mut runs = vec![
        dry(
            &["start", "podinfo", "-n", "test", "--image", "podinfod=podinfo:2"],
            0,
            "would start",
        ),
        dry(
            &["start", "podinfo", "-n", "test", "--restart", "--wave-size", "1"],
            0,
            "wave 2/2: kurator-member2",
        ),
        dry(
            &["start", "podinfo", "-n", "test", "--restart", "-f", changed_policy],
            0,
            "would configure",
        ),
        dry(&["apply", "-f", changed_policy], 0, "would configure"),
        dry(
            &["install", "--provider", "istio", "--testloader"],
            0,
            "kurator-member1",
        ),
        dry(&["uninstall"], 1, "refused"),
        dry(&["uninstall", "--force"], 0, "kurator-member1"),
    ];
    runs.extend(control_verbs());
    sweep(&s.fleet, |args| s.run(args), &["--all-contexts"], &runs);
}

#[test]
fn no_dry_run_writes_under_fleet() {
    let (fleet, home, kc) = settled_hub_fleet();
    let changed_application = home.path().join("changed.yaml");
    let text = std::fs::read_to_string(EXAMPLE_APPLICATION).unwrap();
    std::fs::write(&changed_application, text.replacen("maxWeight: 50", "maxWeight: 40", 1)).unwrap();
    let changed_application: &'static str = Box::leak(changed_application.display().to_string().into_boxed_str());
    let mut runs = vec![
        dry(
            &["start", "podinfo", "-n", "test", "--image", "podinfod=podinfo:2"],
            0,
            "the release: each member's Deployment, written in the member",
        ),
        dry(
            &["start", "podinfo", "-n", "test", "--restart", "-f", changed_application],
            0,
            "-f: the Applications on the hub kurator-host",
        ),
        dry(&["apply", "-f", changed_application], 0, "would configure"),
        dry(&["install", "--provider", "istio"], 0, "would configure"),
        dry(&["install", "--provider", "nginx"], 1, ""),
        dry(&["uninstall"], 1, "refused"),
    ];
    runs.extend(control_verbs());
    sweep(
        &fleet,
        |args| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc)),
        &["--fleet", "quickstart"],
        &runs,
    );
}
