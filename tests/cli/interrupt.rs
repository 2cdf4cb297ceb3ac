//! Ctrl-C while clusters are being changed: every cluster ends untouched or fully done for the
//! step, and the results say which.

use std::time::Duration;

use serde_json::Value;

use crate::support::rollout::{POLICY, RolloutFleet};
use crate::support::terminal::{on_terminal, script_available};
use crate::support::{BIN, Fleet, Running, plugin, run, wait_until};

#[test]
fn ctrl_c_while_apply_reads_leaves_every_cluster_untouched() {
    let s = RolloutFleet::start(2, &[], &[]);
    let generations: Vec<Value> = (1..=2).map(|n| s.canary(n)["metadata"]["generation"].clone()).collect();
    for n in 1..=2 {
        s.cluster(n).faults().set_latency(Duration::from_millis(1500));
    }
    // --manual-promotion changes every Canary, so a finished apply would show.
    let apply = Running::spawn(&mut s.cmd(&[
        "apply",
        "-f",
        POLICY,
        "--all-contexts",
        "--manual-promotion",
        "-o",
        "json",
    ]));
    // Ctrl-C when both clusters hold a read of the plugin's in flight.
    wait_until("a read in flight in both clusters", || {
        (1..=2).all(|n| s.cluster(n).faults().held_reads() > 0)
    });
    apply.interrupt();
    let out = apply.finish();
    assert_eq!(out.code, 130, "{out:?}");
    let rows: Value = serde_json::from_str(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{out:?}");
    for row in rows {
        assert_eq!(row["result"], "untouched (interrupted before any change)", "{out:?}");
    }
    assert!(
        out.stderr
            .contains("interrupted: no new changes start; nothing was changed"),
        "{out:?}"
    );
    assert!(!out.stderr.contains("changes under way finish first"), "{out:?}");
    for n in 1..=2 {
        s.cluster(n).faults().set_latency(Duration::ZERO);
        assert_eq!(
            s.canary(n)["metadata"]["generation"],
            generations[n - 1],
            "member{n} was changed"
        );
    }
}

/// On a terminal, where `apply` would ask before changing a run under way: Ctrl-C while it is
/// still reading abandons the reads (it does not wait for them), asks nothing, reports every
/// cluster untouched and exits 130.
#[test]
fn ctrl_c_while_apply_reads_on_a_terminal_asks_nothing() {
    if !script_available("ctrl_c_while_apply_reads_on_a_terminal_asks_nothing") {
        return;
    }
    // Both canaries wait at their promotion gate: dropping the gate changes their runs, so a
    // finished plan would ask.
    let s = RolloutFleet::start(2, &["--manual-promotion"], &[]);
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1, 2], "WaitingPromotion");
    let generations: Vec<Value> = (1..=2).map(|n| s.canary(n)["metadata"]["generation"].clone()).collect();
    // Every read takes 10s: reads that were waited for would hold the exit that long.
    let latency = Duration::from_secs(10);
    for n in 1..=2 {
        s.cluster(n).faults().set_latency(latency);
    }
    let shell = format!("{BIN} apply -f {POLICY} --all-contexts --manual-promotion=false --cluster-timeout 120s");
    let mut cmd = on_terminal(s.home.path(), &shell);
    let mut apply = Running::spawn(cmd.env("KUBECONFIG", &s.kubeconfig));
    wait_until("a read in flight in both clusters", || {
        (1..=2).all(|n| s.cluster(n).faults().held_reads() > 0)
    });
    let pressed = std::time::Instant::now();
    // ^C typed at the terminal: SIGINT to its foreground process group, as a person's Ctrl-C.
    apply.type_text("\x03");
    let out = apply.finish();
    let took = pressed.elapsed();
    for n in 1..=2 {
        s.cluster(n).faults().set_latency(Duration::ZERO);
    }
    assert_eq!(out.code, 130, "{out:?}");
    assert!(
        took < latency / 2,
        "the reads in flight were waited for ({took:?}): {out:?}"
    );
    assert!(
        !out.stdout.contains("to confirm") && !out.stdout.contains("[y/N]"),
        "a question after Ctrl-C: {out:?}"
    );
    for member in ["kurator-member1", "kurator-member2"] {
        let rows: Vec<&str> = out
            .stdout
            .lines()
            .filter(|l| l.split_whitespace().next() == Some(member))
            .collect();
        assert!(
            !rows.is_empty()
                && rows
                    .iter()
                    .all(|r| r.contains("untouched (interrupted before any change)")),
            "{member}: {out:?}"
        );
    }
    for n in 1..=2 {
        assert_eq!(
            s.canary(n)["metadata"]["generation"],
            generations[n - 1],
            "member{n} was changed"
        );
    }
    s.wait_for_status_writes(1, 2);
    assert_eq!(s.phase(1), "WaitingPromotion", "still held at its gate");
}

#[test]
fn ctrl_c_during_a_wave_stops_later_waves() {
    let s = RolloutFleet::start(3, &[], &[]);
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
        "-o",
        "json",
    ]);
    wait_until("wave 1 started", || s.image(1) == "podinfo:2");
    start.interrupt();
    let out = start.finish();
    assert_eq!(out.code, 130, "{out:?}");
    assert!(
        out.stderr
            .contains("waves not started, clusters untouched: kurator-member2, kurator-member3"),
        "{out:?}"
    );
    assert_eq!(s.image(1), "podinfo:2");
    assert_eq!(s.image(2), "podinfo:1");
    assert_eq!(s.image(3), "podinfo:1");
}

#[test]
fn ctrl_c_lets_a_fleet_action_under_way_finish() {
    let s = RolloutFleet::start(2, &[], &[]);
    // member2's write is held in flight while Ctrl-C arrives.
    s.cluster(2).faults().set_write_latency(Duration::from_millis(1500));
    let pause = s.start_watched(&[
        "pause",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--yes",
        "-o",
        "json",
    ]);
    let suspended = |n: usize| s.canary(n)["spec"]["suspend"].as_bool().unwrap_or(false);
    wait_until("member1 paused and member2's write in flight", || {
        suspended(1) && s.cluster(2).faults().held_writes() > 0
    });
    assert!(!suspended(2), "member2's write is still in flight");
    pause.interrupt();
    let out = pause.finish();
    assert!(out.stderr.contains("changes under way finish first"), "{out:?}");
    assert_eq!(out.code, 0, "both finished: {out:?}");
    assert!(suspended(2), "{out:?}");
    let rows: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(
        rows.as_array().unwrap().iter().all(|r| r["result"] == "paused"),
        "{out:?}"
    );
}

#[test]
fn ctrl_c_during_install_applies_every_object_and_cuts_only_the_wait() {
    let fleet = Fleet::start(2);
    // member2 answers slowly, so Ctrl-C lands while its objects are being applied.
    fleet
        .cluster("kurator-member2")
        .faults()
        .set_latency(Duration::from_millis(150));
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = fleet.write_kubeconfig(home.path(), |_| {});
    let install = |extra: &[&str]| {
        let mut cmd = plugin(home.path());
        cmd.args(["install", "--provider", "istio", "--testloader", "-o", "json"])
            .args(extra)
            .env("KUBECONFIG", &kubeconfig);
        cmd
    };
    let running = Running::spawn(&mut install(&["--all-contexts"]));
    // Ctrl-C while one of member2's objects is being applied.
    wait_until("a write to member2 in flight", || {
        fleet.cluster("kurator-member2").faults().held_writes() > 0
    });
    running.interrupt();
    let out = running.finish();
    assert_eq!(out.code, 130, "{out:?}");
    let rows: Value = serde_json::from_str(&out.stdout).unwrap();
    let error = rows[1]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("interrupted while waiting") && error.contains("every object is applied"),
        "{out:?}"
    );

    // Fully done: installing again changes nothing on member2.
    fleet.cluster("kurator-member2").faults().set_latency(Duration::ZERO);
    let again = run(&mut install(&["--context", "kurator-member2"]));
    assert_eq!(again.code, 0, "{again:?}");
    let rows: Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(rows[0]["changes"]["created"], 0, "{again:?}");
    assert_eq!(rows[0]["changes"]["configured"], 0, "{again:?}");
}

#[test]
fn ctrl_c_during_uninstall_lets_the_deletions_under_way_finish() {
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |args: &[&str]| {
        let mut c = plugin(home.path());
        c.args(args).env("KUBECONFIG", &kubeconfig);
        c
    };
    let installed = run(&mut cmd(&[
        "install",
        "--all-contexts",
        "--provider",
        "istio",
        "--testloader",
    ]));
    assert_eq!(installed.code, 0, "{installed:?}");
    // member2's deletions are slow, so Ctrl-C lands among them.
    fleet
        .cluster("kurator-member2")
        .faults()
        .set_write_latency(Duration::from_millis(300));
    let flagger_left = |name: &str| {
        fleet
            .cluster(name)
            .list("apps", "deployments", Some("istio-system"))
            .len()
    };
    let before = flagger_left("kurator-member1");
    let running = Running::spawn(&mut cmd(&["uninstall", "--all-contexts", "--yes", "-o", "json"]));
    // Ctrl-C once member1 has deleted something and a deletion on member2 is in flight.
    wait_until("member1 deleting and a deletion on member2 in flight", || {
        flagger_left("kurator-member1") < before && fleet.cluster("kurator-member2").faults().held_writes() > 0
    });
    running.interrupt();
    let out = running.finish();
    assert!(out.stderr.contains("changes under way finish first"), "{out:?}");
    assert_eq!(
        out.code, 0,
        "every cluster had begun, so every cluster finished: {out:?}"
    );
    let flaggers = fleet
        .cluster("kurator-member2")
        .list("apps", "deployments", Some("istio-system"));
    assert!(flaggers.is_empty(), "member2 is fully uninstalled: {flaggers:?}");
}

/// README "Reliability": a second Ctrl-C exits at once, without waiting for the changes under
/// way (re-running the command finishes the job).
#[test]
fn a_second_ctrl_c_exits_at_once() {
    let s = RolloutFleet::start(1, &[], &[]);
    // The write is held until well after the test (it measures nothing: it only must not end
    // before the plugin has exited).
    s.cluster(1).faults().set_write_latency(Duration::from_secs(3600));
    let pause = s.start_watched(&["pause", "podinfo", "-n", "test", "--all-contexts", "--yes"]);
    wait_until("the pause write in flight", || s.cluster(1).faults().held_writes() > 0);
    pause.interrupt();
    pause.wait_for_stderr("the first Ctrl-C acknowledged", |e| {
        e.contains("changes under way finish first")
    });
    pause.interrupt();
    let out = pause.finish();
    // Ended within the patience although the write is held for an hour: it did not wait.
    assert_eq!(out.code, 130, "{out:?}");
    assert_eq!(
        s.canary(1)["spec"]["suspend"],
        Value::Null,
        "the held write never landed"
    );
    s.cluster(1).faults().set_write_latency(Duration::ZERO);
    let again = s.run(&["pause", "podinfo", "-n", "test", "--all-contexts", "--yes"]);
    assert_eq!(again.code, 0, "re-running finishes the job: {again:?}");
    assert_eq!(s.canary(1)["spec"]["suspend"], true);
}
