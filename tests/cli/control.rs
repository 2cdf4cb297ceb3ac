//! promote, abort, pause, resume, retry on a simulated fleet running Flagger.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::rollout::{POLICY, RolloutFleet};
use crate::support::{BIN, require_tool};

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
    assert_eq!(
        status.stdout.matches("confirm-promotion promotion-gate").count(),
        3,
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
    assert_eq!(dry.stdout.matches("open gate").count(), 3, "{dry:?}");

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
    // Without the step gate, a retried run goes through.
    assert_eq!(s.run(&["apply", "-f", POLICY, "--all-contexts"]).code, 0);
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
    let deadline = Instant::now() + Duration::from_secs(20);
    while s.canary(1)["status"]["canaryWeight"].as_i64().unwrap_or(0) < 10 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
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
    std::thread::sleep(Duration::from_millis(300));
    let frozen = (s.phase(1), s.canary(1)["status"]["canaryWeight"].clone());
    std::thread::sleep(Duration::from_millis(1000));
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
    let script = std::path::Path::new("/usr/bin/script");
    if !require_tool(
        "typed confirmation",
        script.exists(),
        "script(1) is not installed (bsdutils)",
    ) {
        return;
    }
    let typed = |answer: &str| {
        let cmd = format!("{BIN} pause podinfo -n test --all-contexts");
        let mut child = Command::new(script)
            .args(["-qec", &cmd, "/dev/null"])
            .env("KUBECONFIG", &s.kubeconfig)
            .env("HOME", s.home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        use std::io::Write;
        child
            .stdin
            .as_mut()
            .unwrap()
            .write_all(format!("{answer}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let declined = typed("2");
    assert!(declined.contains("Type 3 to confirm"), "{declined}");
    assert!(declined.contains("nothing changed"), "{declined}");
    assert_eq!(before, versions(&s), "a refusal leaves everything unchanged");
    let accepted = typed("3");
    assert!(accepted.contains("paused"), "{accepted}");
    assert!((1..=3).all(|n| s.canary(n)["spec"]["suspend"] == true));
}

#[test]
fn p_in_the_live_view_promotes_only_the_selected_cluster() {
    let tmux = Command::new("tmux").arg("-V").output().is_ok();
    if !require_tool(
        "p_in_the_live_view_promotes_only_the_selected_cluster",
        tmux,
        "tmux is not installed",
    ) {
        return;
    }
    let s = RolloutFleet::start(3, &["--manual-promotion"], &[]);
    release(&s, "podinfo:2");
    s.wait(&[1, 2, 3], "WaitingPromotion");
    let session = format!("kr-live-{}", std::process::id());
    let cmd = format!(
        "env HOME={} KUBECONFIG={} NO_COLOR=1 {BIN} status podinfo -n test --all-contexts --watch; sleep 30",
        s.home.path().display(),
        s.kubeconfig.display()
    );
    let tmux = |args: &[&str]| Command::new("tmux").args(args).output().unwrap();
    assert!(
        tmux(&["new-session", "-d", "-s", &session, "-x", "120", "-y", "30", &cmd])
            .status
            .success()
    );
    let pane = || String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", &session]).stdout).to_string();
    let wait_pane = |needle: &str| {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = pane();
            if text.contains(needle) {
                return text;
            }
            assert!(Instant::now() < deadline, "{needle:?} never shown:\n{text}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait_pane("3 clusters");
    tmux(&["send-keys", "-t", &session, "j"]);
    tmux(&["send-keys", "-t", &session, "p"]);
    let prompt = wait_pane("promote kurator-member2 test/podinfo? [y/N]");
    assert!(
        prompt
            .lines()
            .any(|l| l.starts_with("›") && l.contains("kurator-member2")),
        "{prompt}"
    );
    tmux(&["send-keys", "-t", &session, "y"]);
    wait_pane("promote kurator-member2 test/podinfo: gate opened and closed");
    s.wait(&[2], "Succeeded");
    assert_eq!(
        (s.phase(1), s.phase(3)),
        ("WaitingPromotion".to_string(), "WaitingPromotion".to_string())
    );
    tmux(&["send-keys", "-t", &session, "q"]);
    let after = wait_pane("exit 0: left the live view (q)");
    assert!(after.contains("CLUSTER"), "the final table stays: {after}");
    tmux(&["kill-session", "-t", &session]);
}
