//! `start -f`: the policy is applied first, and a policy that did not apply starts no release
//! (it would run the old analysis).

use crate::support::rollout::{POLICY, RolloutFleet};
use crate::support::{kubectl, kubectl_available, run};

#[test]
fn start_with_a_policy_that_conflicts_releases_nothing_until_forced() {
    if !kubectl_available("start_with_a_policy_that_conflicts_releases_nothing_until_forced") {
        return;
    }
    let s = RolloutFleet::start(2, &[], &[]);
    let patched = run(kubectl(s.home.path(), &s.kubeconfig).args([
        "--context",
        "kurator-member1",
        "-n",
        "test",
        "patch",
        "canary",
        "podinfo",
        "--type",
        "merge",
        "-p",
        r#"{"spec":{"analysis":{"stepWeight":20}}}"#,
    ]));
    assert_eq!(patched.code, 0, "{patched:?}");
    let images = || (s.image(1), s.image(2));
    let before = images();
    let start = |extra: &[&str]| {
        let mut args = vec![
            "start",
            "--yes",
            "podinfo",
            "-n",
            "test",
            "--all-contexts",
            "-f",
            POLICY,
            "--image",
            "podinfod=podinfo:2",
        ];
        args.extend_from_slice(extra);
        s.run(&args)
    };

    let refused = start(&[]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.lines().any(|l| l.starts_with("kurator-member1:")
            && l.contains("conflict")
            && l.contains(".spec.analysis.stepWeight")
            && l.contains("kubectl-patch")),
        "{refused:?}"
    );
    assert!(refused.stderr.contains("no release started"), "{refused:?}");
    assert_eq!(images(), before, "no cluster was released");

    let forced = start(&["--force-conflicts"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    assert_eq!(
        s.canary(1)["spec"]["analysis"]["stepWeight"],
        10,
        "the policy's value took over"
    );
    assert!(
        s.image(1).ends_with("podinfo:2") && s.image(2).ends_with("podinfo:2"),
        "{forced:?}"
    );
}
