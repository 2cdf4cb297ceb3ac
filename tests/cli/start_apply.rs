//! `start`: its plan and confirmation, `--dry-run`; and `start -f`: the policy is applied
//! first, and a policy that did not apply starts no release (it would run the old analysis).

use crate::support::rollout::{POLICY, RolloutFleet};
use crate::support::terminal::{on_terminal, script_available};
use crate::support::{BIN, MEMBERS, Running, every_row_has, kubectl, kubectl_available, plugin, row, run};

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

/// README "Starting a release": `start` shows its plan and asks as `promote` does (`y` for one
/// cluster, the typed count for several or a `--protected` one; without a terminal only
/// `--yes`, else exit 2 and nothing changes); `--dry-run` prints the plan, writes nothing and
/// exits as the run would.
#[test]
fn start_plans_and_asks_before_it_writes() {
    let s = RolloutFleet::start(2, &["--manual-promotion"], &[]);
    let images = || (s.image(1), s.image(2));
    let before = images();
    let start = [
        "start",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--image",
        "podinfod=podinfo:2",
    ];

    let refused = s.run(&start);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("start needs confirmation: run it in a terminal or pass --yes"),
        "{refused:?}"
    );
    assert!(
        row(&refused.stderr, "kurator-member1").contains("image podinfod=podinfo:2 (Deployment test/podinfo)"),
        "the plan comes before the question: {refused:?}"
    );
    assert_eq!(images(), before, "nothing changed");

    let dry = s.run(&[&start[..], &["--dry-run", "--wave-size", "1"]].concat());
    assert_eq!(dry.code, 0, "{dry:?}");
    let table = &dry.stdout[dry.stdout.find("CLUSTER").expect("the plan's table")..];
    for member in MEMBERS.iter().take(2) {
        let line = row(table, member);
        assert!(line.contains("would start") && line.contains("test/podinfo"), "{dry:?}");
    }
    assert!(
        dry.stdout
            .contains("wave 1/2: kurator-member1\nwave 2/2: kurator-member2\n"),
        "{dry:?}"
    );
    assert_eq!(images(), before, "a dry run changed a Deployment");

    if script_available("start_plans_and_asks_before_it_writes") {
        let typed = |answer: &str, extra: &str| {
            let shell = format!("{BIN} {} {extra}", start.join(" "));
            let mut cmd = on_terminal(s.home.path(), &shell);
            let mut running = Running::spawn(cmd.env("KUBECONFIG", &s.kubeconfig));
            running.wait_for_stdout("the typed confirmation's question", |o| o.contains("Type 2 to confirm"));
            running.type_text(&format!("{answer}\n"));
            running.finish()
        };
        let declined = typed("y", "");
        assert_eq!(declined.code, 1, "README: 1 when nothing was done: {declined:?}");
        assert!(
            declined.stdout.contains("not confirmed: nothing changed"),
            "{declined:?}"
        );
        assert!(
            declined
                .stdout
                .contains("start a new release of podinfo in 2 clusters?"),
            "{declined:?}"
        );
        assert_eq!(images(), before, "a refusal leaves everything unchanged");
        let accepted = typed("2", "");
        assert_eq!(accepted.code, 0, "{accepted:?}");
    } else {
        assert_eq!(s.run(&[&start[..], &["--yes"]].concat()).code, 0);
    }
    s.wait(&[1, 2], "WaitingPromotion");
    assert_eq!(
        (s.image(1), s.image(2)),
        ("podinfo:2".to_string(), "podinfo:2".to_string())
    );

    // Mid-run, the plan shows the refusal the run would meet, and exits as it would.
    let again = s.run(&[
        "start",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--image",
        "podinfod=podinfo:3",
        "--dry-run",
    ]);
    assert_eq!(again.code, 1, "{again:?}");
    assert!(
        every_row_has(
            &again.stdout,
            &MEMBERS[..2],
            "refused: a run is under way (WaitingPromotion"
        ),
        "{again:?}"
    );
}

/// `start` plans every wave before it asks, and starts only the clusters it planned and was
/// confirmed for: a cluster unreachable when the release was planned, reachable again by the
/// time its wave comes, is not started (nobody was asked about it). Its row says so and how to
/// start it; the release exits 5, as README "Exit codes" says for `start` when some clusters
/// started and others did not.
#[test]
fn start_leaves_a_cluster_it_could_not_plan_unstarted_when_its_wave_comes() {
    let s = RolloutFleet::start(2, &[], &["kurator-member2"]);
    let deployment = |n: usize| {
        s.cluster(n)
            .get("apps", "deployments", Some("test"), "podinfo")
            .unwrap()
    };
    let before = deployment(2);
    let start = s.start_watched(&[
        "start",
        "--yes",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--image",
        "podinfod=podinfo:2",
        "--wave-size",
        "1",
        "--timeout",
        "60s",
    ]);
    // The plan (printed before the first write) found member2 unreachable; it answers again
    // while wave 1 still runs, before wave 2 starts.
    start.wait_for_stderr("the plan", |e| e.contains("wave 2/2: kurator-member2"));
    s.cluster(2).set_unreachable(false).unwrap();
    assert_ne!(
        s.phase(1),
        "Succeeded",
        "wave 1 still runs, so wave 2 has not started yet"
    );
    let out = start.finish();

    assert_eq!(out.code, 5, "README: some clusters started, others not; {out:?}");
    let not_started: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("not started: it could not start when the release was planned and confirmed"))
        .collect();
    assert!(
        not_started.len() == 1
            && not_started[0].contains("kurator-member2")
            && not_started[0].contains("run start again for it"),
        "{out:?}"
    );
    assert_eq!(s.phase(1), "Succeeded", "{out:?}");
    assert_eq!(s.image(1), "podinfo:2");
    let after = deployment(2);
    assert_eq!(s.image(2), "podinfo:1", "member2 was started: {out:?}");
    // Its spec, not its resourceVersion: the cluster's own controllers may write its status.
    assert_eq!(
        (&after["metadata"]["generation"], &after["spec"]),
        (&before["metadata"]["generation"], &before["spec"]),
        "member2's Deployment was changed: {out:?}"
    );
}

/// README "Starting a release": one cluster matching `--protected` needs the typed count; one
/// that does not needs `y`.
#[test]
fn start_in_a_protected_context_asks_for_the_typed_count() {
    if !script_available("start_in_a_protected_context_asks_for_the_typed_count") {
        return;
    }
    let s = RolloutFleet::start(1, &[], &[]);
    let start = |protected: &str, prompt: &str, answer: &str| {
        let shell =
            format!("{BIN} start podinfo -n test --context kurator-member1 --restart --protected '{protected}'");
        let mut cmd = on_terminal(s.home.path(), &shell);
        let mut running = Running::spawn(cmd.env("KUBECONFIG", &s.kubeconfig));
        running.wait_for_stdout("the question", |o| o.contains(prompt));
        running.type_text(&format!("{answer}\n"));
        running.finish()
    };
    let restarted = || {
        s.cluster(1)
            .get("apps", "deployments", Some("test"), "podinfo")
            .unwrap()
            .pointer("/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt")
            .is_some()
    };
    let declined = start("*member1", "Type 1 to confirm", "y");
    assert_eq!(declined.code, 1, "{declined:?}");
    assert!(!restarted(), "y is not the typed count: {declined:?}");
    let plain = start("*prod*", "start a new release of podinfo in 1 cluster? [y/N]", "y");
    assert_eq!(plain.code, 0, "{plain:?}");
    assert!(restarted(), "{plain:?}");
}

/// `start -f` applies as `apply` does, so a renamed context's hooks would call no load tester:
/// the release starts nowhere, and the fix named (`--cluster-name CONTEXT=NAME`) is a flag
/// `start` takes, with `apply`'s meaning.
#[test]
fn start_with_a_policy_for_a_renamed_context_names_a_cluster_name_fix_it_takes() {
    let s = RolloutFleet::start(2, &[], &[]);
    let renamed = s
        .fleet
        .write_kubeconfig(s.home.path(), |entries| entries[0].context = "prod-eu".into());
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
        run(plugin(s.home.path()).args(&args).env("KUBECONFIG", &renamed))
    };
    let images = || (s.image(1), s.image(2));
    let before = images();

    let refused = start(&[]);
    assert_eq!(
        refused.code, 1,
        "README \"Exit codes\": start exits 1 when -f failed and nothing started; {refused:?}"
    );
    let fix = "re-run with --cluster-name prod-eu=kurator-member1";
    assert!(
        refused.stdout.contains(fix) || refused.stderr.contains(fix),
        "{refused:?}"
    );
    assert_eq!(images(), before, "no cluster was released");

    // Without -f the flag has nothing to name.
    let alone = run(plugin(s.home.path())
        .args([
            "start",
            "--yes",
            "podinfo",
            "-n",
            "test",
            "--all-contexts",
            "--image",
            "podinfod=podinfo:2",
            "--cluster-name",
            "prod-eu=kurator-member1",
        ])
        .env("KUBECONFIG", &renamed));
    assert_eq!(alone.code, 2, "{alone:?}");
    assert!(
        alone
            .stderr
            .contains("--cluster-name names clusters for -f's rollout policies"),
        "{alone:?}"
    );
    assert_eq!(images(), before);

    let fixed = start(&["--cluster-name", "prod-eu=kurator-member1"]);
    assert_eq!(fixed.code, 0, "{fixed:?}");
    assert!(
        s.image(1).ends_with("podinfo:2") && s.image(2).ends_with("podinfo:2"),
        "{fixed:?}"
    );
    let url = s.canary(1)["spec"]["analysis"]["webhooks"][0]["url"].clone();
    assert!(
        url.as_str()
            .unwrap()
            .contains("istio-system-testloader-kurator-member1-loadtester"),
        "{url}"
    );
}
