//! promote, abort, pause, resume, retry on a simulated fleet running Flagger.

use serde_json::Value;

use crate::support::rollout::{POLICY, RolloutFleet};
use crate::support::terminal::{Tmux, on_terminal, script_available};
use crate::support::{BIN, MEMBERS, Running, every_row_has, wait_until};

/// What a verb could change: each Canary's spec generation, each target's resourceVersion,
/// and the gates (Flagger's own status writes move the cluster's resourceVersion meanwhile).
fn versions(s: &RolloutFleet) -> Vec<(Value, Value, bool, bool)> {
    (1..=3)
        .map(|n| {
            let target = s
                .cluster(n)
                .get("apps", "deployments", Some("test"), "podinfo")
                .unwrap();
            (
                s.canary(n)["metadata"]["generation"].clone(),
                target["metadata"]["resourceVersion"].clone(),
                gate_open(s, n, "podinfo.test"),
                gate_open(s, n, "rollback.podinfo.test"),
            )
        })
        .collect()
}

fn release(s: &RolloutFleet, image: &str) {
    let out = s.release(image);
    assert_eq!(out.code, 0, "{out:?}");
}

fn gate_open(s: &RolloutFleet, n: usize, key: &str) -> bool {
    let member = format!("kurator-member{n}");
    let lt = s
        .fleet
        .playground_flagger(&member)
        .load_tester("istio-system", &format!("istio-system-testloader-{member}-loadtester"))
        .unwrap();
    lt.is_open(key)
}

#[test]
fn promote_two_of_three_at_the_promotion_gate() {
    let s = RolloutFleet::start(3, &["--manual-promotion"], &[]);
    release(&s, "podinfo:2");
    s.wait(&[1, 2, 3], "WaitingPromotion");
    let status = s.run(&["status", "podinfo", "-n", "test", "--all-contexts"]);
    assert!(
        every_row_has(&status.stdout, &MEMBERS, "confirm-promotion promotion-gate"),
        "{status:?}"
    );

    let before = versions(&s);
    let refused = s.run(&[
        "promote",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1,kurator-member2",
    ]);
    assert_eq!(refused.code, 2, "no terminal and no --yes: {refused:?}");
    assert!(refused.stderr.contains("open gate"), "the plan is shown: {refused:?}");
    assert_eq!(before, versions(&s), "nothing changed");

    let dry = s.run(&["promote", "podinfo", "-n", "test", "--all-contexts", "--dry-run"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(every_row_has(&dry.stdout, &MEMBERS, "open gate"), "{dry:?}");

    let promoted = s.run(&[
        "promote",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1,kurator-member2",
        "--yes",
    ]);
    assert_eq!(promoted.code, 0, "{promoted:?}");
    s.wait(&[1, 2], "Succeeded");
    assert_eq!(s.phase(3), "WaitingPromotion", "the third cluster still waits");
    for n in [1, 2] {
        assert!(!gate_open(&s, n, "podinfo.test"), "gate of member{n} closed again");
        let primary = s
            .cluster(n)
            .get("apps", "deployments", Some("test"), "podinfo-primary")
            .unwrap();
        assert_eq!(
            primary["spec"]["template"]["spec"]["containers"][0]["image"],
            "podinfo:2"
        );
    }
    let again = s.run(&[
        "promote",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "--yes",
    ]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("already promoted"), "{again:?}");
}

#[test]
fn abort_everywhere_then_retry() {
    let s = RolloutFleet::start(3, &["--manual-steps"], &[]);
    release(&s, "podinfo:2");
    s.wait(&[1, 2, 3], "Progressing");
    let aborted = s.run(&["abort", "podinfo", "-n", "test", "--all-contexts", "--yes"]);
    assert_eq!(aborted.code, 0, "{aborted:?}");
    s.wait(&[1, 2, 3], "Failed");
    for n in 1..=3 {
        let primary = s
            .cluster(n)
            .get("apps", "deployments", Some("test"), "podinfo-primary")
            .unwrap();
        assert_eq!(
            primary["spec"]["template"]["spec"]["containers"][0]["image"], "podinfo:1",
            "primary unchanged"
        );
        assert!(!gate_open(&s, n, "rollback.podinfo.test"), "rollback gate closed again");
    }
    let retry_wrong = s.run(&[
        "retry",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "--dry-run",
    ]);
    assert!(retry_wrong.stdout.contains("start a new run"), "{retry_wrong:?}");
    // Without the step gate (dropped explicitly: a re-apply keeps the gates), a retried run goes through.
    assert_eq!(
        s.run(&["apply", "-f", POLICY, "--all-contexts", "--manual-steps=false"])
            .code,
        0
    );
    let retried = s.run(&["retry", "podinfo", "-n", "test", "--all-contexts", "--yes"]);
    assert_eq!(retried.code, 0, "{retried:?}");
    s.wait(&[1, 2, 3], "Succeeded");
    let again = s.run(&[
        "retry",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "--yes",
    ]);
    assert_eq!(again.code, 1, "only a Failed canary can be retried: {again:?}");
}

#[test]
fn pause_freezes_and_resume_continues() {
    let s = RolloutFleet::start(3, &[], &[]);
    // A failing check every tick slows nothing but keeps the weight readable; plain progress here.
    release(&s, "podinfo:2");
    wait_until("member1's canary weight at 10 or more", || {
        s.canary(1)["status"]["canaryWeight"].as_i64().unwrap_or(0) >= 10
    });
    let paused = s.run(&[
        "pause",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "--yes",
    ]);
    assert_eq!(paused.code, 0, "{paused:?}");
    assert!(
        paused.stderr.contains("(policy podinfo)"),
        "Kurator/apply ownership is warned about: {paused:?}"
    );
    // Flagger records the suspension on every tick: once it has twice, a whole tick has gone by
    // with the suspension seen; two more ticks must leave the canary where it was.
    let suspended = "skipping canary run as object is suspended";
    s.wait_for_ticks(1, suspended, 2);
    let frozen = (s.phase(1), s.canary(1)["status"]["canaryWeight"].clone());
    s.wait_for_ticks(1, suspended, 2);
    assert_eq!(
        (s.phase(1), s.canary(1)["status"]["canaryWeight"].clone()),
        frozen,
        "no progress while paused"
    );
    let again = s.run(&[
        "pause",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "--yes",
    ]);
    assert!(again.stdout.contains("already paused"), "{again:?}");
    let resumed = s.run(&[
        "resume",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "--yes",
    ]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    s.wait(&[1], "Succeeded");
}

#[test]
fn every_mutating_verb_needs_yes_without_a_terminal() {
    let s = RolloutFleet::start(3, &["--manual-promotion"], &[]);
    release(&s, "podinfo:2");
    s.wait(&[1, 2, 3], "WaitingPromotion");
    let before = versions(&s);
    for verb in [vec!["promote"], vec!["promote", "--full"], vec!["abort"], vec!["pause"]] {
        let mut args = verb.clone();
        args.extend(["podinfo", "-n", "test", "--all-contexts"]);
        let out = s.run(&args);
        assert_eq!(out.code, 2, "{verb:?}: {out:?}");
    }
    assert_eq!(before, versions(&s), "nothing changed");
    // resume/retry have nothing to do here, so they need no confirmation and change nothing.
    assert_eq!(s.run(&["resume", "podinfo", "-n", "test", "--all-contexts"]).code, 0);
    assert_eq!(before, versions(&s));

    // In a terminal the person types the number of clusters; a wrong answer changes nothing.
    if !script_available("every_mutating_verb_needs_yes_without_a_terminal") {
        return;
    }
    let typed = |answer: &str| {
        let mut cmd = on_terminal(s.home.path(), &format!("{BIN} pause podinfo -n test --all-contexts"));
        let mut pause = Running::spawn(cmd.env("KUBECONFIG", &s.kubeconfig));
        pause.wait_for_stdout("the typed confirmation's question", |o| o.contains("Type 3 to confirm"));
        pause.type_text(&format!("{answer}\n"));
        pause.finish()
    };
    let declined = typed("2");
    assert_eq!(declined.code, 1, "README: 1 when nothing was done: {declined:?}");
    assert!(declined.stdout.contains("nothing changed"), "{declined:?}");
    assert_eq!(before, versions(&s), "a refusal leaves everything unchanged");
    let accepted = typed("3");
    assert_eq!(accepted.code, 0, "{accepted:?}");
    assert!(accepted.stdout.contains("paused"), "{accepted:?}");
    assert!((1..=3).all(|n| s.canary(n)["spec"]["suspend"] == true));
}

#[test]
fn p_in_the_live_view_promotes_only_the_selected_cluster() {
    if !Tmux::available("p_in_the_live_view_promotes_only_the_selected_cluster") {
        return;
    }
    let s = RolloutFleet::start(3, &["--manual-promotion"], &[]);
    release(&s, "podinfo:2");
    s.wait(&[1, 2, 3], "WaitingPromotion");
    let cmd = format!(
        "env HOME={} KUBECONFIG={} NO_COLOR=1 {BIN} status podinfo -n test --all-contexts --watch",
        s.home.path().display(),
        s.kubeconfig.display()
    );
    let screen = Tmux::start("live-p", &cmd, 120, 30);
    screen.wait_for_screen("3 clusters");
    screen.keys(&["j"]);
    screen.keys(&["p"]);
    let prompt = screen.wait_for_screen("promote kurator-member2 test/podinfo? [y/N]");
    assert!(
        prompt
            .lines()
            .any(|l| l.starts_with("›") && l.contains("kurator-member2")),
        "{prompt}"
    );
    screen.keys(&["y"]);
    screen.wait_for_screen("promote kurator-member2 test/podinfo: gate opened and closed");
    s.wait(&[2], "Succeeded");
    assert_eq!(
        (s.phase(1), s.phase(3)),
        ("WaitingPromotion".to_string(), "WaitingPromotion".to_string())
    );
    screen.keys(&["q"]);
    let after = screen.wait_for_screen("[exit status 0]");
    assert!(after.contains("exit 0: left the live view (q)"), "{after}");
    assert!(after.contains("CLUSTER"), "the final table stays: {after}");
}
