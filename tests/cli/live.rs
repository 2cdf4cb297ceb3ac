//! `start`, `status --watch`, waves and the live view against a simulated fleet running Flagger.

use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::rollout::{RolloutFleet, fail_release};
use crate::support::{BIN, MEMBERS, require_tool, row, wait_until};

/// (phase, weight) per line of one cluster, in order.
fn sequence(stdout: &str, cluster: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.split_whitespace().nth(1) == Some(cluster))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            format!("{} {}", cols[3], cols[4])
        })
        .collect()
}

/// A run's transitions without the `Pending` line a watch shows while Flagger has not picked
/// the release up yet (issue 17 item 1: a pending release is shown as pending; whether the
/// watch sees that moment depends on how soon Flagger's next tick comes).
fn without_pending(seq: Vec<String>) -> Vec<String> {
    seq.into_iter().filter(|step| !step.starts_with("Pending ")).collect()
}

const SUCCESS: [&str; 9] = [
    "Progressing weight=0",
    "Progressing weight=10",
    "Progressing weight=20",
    "Progressing weight=30",
    "Progressing weight=40",
    "Progressing weight=50",
    "Promoting weight=50",
    "Finalising weight=0",
    "Succeeded weight=0",
];

/// Whether a watch's output so far has a line for each of members 1..=n.
fn every_cluster(out: &str, n: usize) -> bool {
    (1..=n).all(|i| out.lines().any(|l| l.contains(&format!("kurator-member{i}"))))
}

#[test]
fn every_transition_in_order_and_waiting_for_a_new_run() {
    let s = RolloutFleet::start(3, &[], &[]);
    let watch = s.start_watched(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--watch",
        "--wait-for-start",
        "--timeout",
        "60s",
    ]);
    // --wait-for-start takes the state it first sees as the old run: release only after that.
    watch.wait_for_stdout("the watch's first state of every cluster", |o| every_cluster(o, 3));
    let started = s.release("podinfo:2");
    assert_eq!(started.code, 0, "{started:?}");
    for member in MEMBERS {
        let r = row(&started.stdout, member);
        assert!(
            r.contains("image podinfod=podinfo:2") && r.ends_with("started"),
            "{started:?}"
        );
    }
    let out = watch.finish();
    assert_eq!(out.code, 0, "{out:?}");
    for n in 1..=3 {
        let seq = without_pending(sequence(&out.stdout, &format!("kurator-member{n}")));
        assert_eq!(seq.first().map(String::as_str), Some("Initialized weight=0"), "{out:?}");
        assert_eq!(&seq[1..], SUCCESS, "member{n}: {out:?}");
    }
    assert!(
        out.stdout.contains("exit 0: every required canary ended well"),
        "{out:?}"
    );

    // After a Succeeded run, --wait-for-start ignores it and follows the next one.
    let watch = s.start_watched(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "-w",
        "--wait-for-start",
        "--timeout",
        "60s",
        "-o",
        "ndjson",
    ]);
    watch.wait_for_stdout("the watch's first state of every cluster", |o| every_cluster(o, 3));
    let refused_restart = s.release("podinfo:2");
    assert_eq!(
        refused_restart.code, 1,
        "the same image again starts nothing: {refused_restart:?}"
    );
    assert!(
        refused_restart.stdout.contains("nothing to start"),
        "{refused_restart:?}"
    );
    assert_eq!(
        s.run(&["start", "podinfo", "-n", "test", "--all-contexts", "--restart", "--yes"])
            .code,
        0
    );
    let out = watch.finish();
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<Value> = out.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        lines
            .iter()
            .filter(|l| l["phase"] == "Progressing" && l["weight"] == 10)
            .count(),
        3,
        "{out:?}"
    );
    assert!(lines.last().unwrap()["summary"]["succeeded"] == 3, "{out:?}");
}

#[test]
fn a_failing_cluster_ends_the_follow_at_once_with_exit_1_and_names_the_metric() {
    let s = RolloutFleet::start(3, &[], &[]);
    fail_release(s.cluster(2));
    let out = s.run(&[
        "start",
        "--yes",
        "--force",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--image",
        "podinfod=podinfo:2",
        "--watch",
        "--timeout",
        "60s",
    ]);
    // README "Exit codes": a required canary that failed while the others still run ends the
    // follow at once with 1 (the simulated failure takes 2 failed checks, a promotion 5 steps).
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.ends_with("exit 1: a canary failed\n"), "{out:?}");
    let failed = out
        .stdout
        .lines()
        .find(|l| l.contains("kurator-member2") && l.split_whitespace().nth(3) == Some("Failed"))
        .expect("a Failed line");
    assert!(failed.contains("success rate 80.00% < 99%"), "{failed}");
    // The failure decided the exit at once (issue 17 item 5: a required canary that failed
    // ends the follow with 1), so member1's run was followed only until then.
    assert!(!sequence(&out.stdout, "kurator-member1").is_empty(), "{out:?}");
}

#[test]
fn unreachable_is_exit_5_and_timeouts_are_exit_3() {
    let s = RolloutFleet::start(3, &[], &["kurator-member3"]);
    let out = s.run(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--watch",
        "--require",
        "all",
        "--cluster-timeout",
        "2s",
    ]);
    assert_eq!(out.code, 5, "{out:?}");
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("kurator-member3") && l.contains("unreachable")),
        "{out:?}"
    );
    let any = s.run(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--watch",
        "--require",
        "any",
    ]);
    assert_eq!(any.code, 0, "{any:?}");
    // Nothing was released: the reachable canaries are Initialized, which README "Exit codes"
    // counts as done (Flagger marks it Promoted, as it does Succeeded).
    let mut phases: Vec<(&str, &str)> = any
        .stdout
        .lines()
        .filter(|l| l.split_whitespace().nth(2) == Some("test/podinfo"))
        .map(|l| {
            let mut fields = l.split_whitespace();
            (fields.nth(1).unwrap_or(""), fields.nth(1).unwrap_or(""))
        })
        .collect();
    phases.sort();
    assert_eq!(
        phases,
        [
            ("kurator-member1", "Initialized"),
            ("kurator-member2", "Initialized"),
            ("kurator-member3", "Unavailable")
        ],
        "{any:?}"
    );
    let waiting = s.run(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "--watch",
        "--wait-for-start",
        "--timeout",
        "2s",
    ]);
    assert_eq!(waiting.code, 3, "{waiting:?}");
    let missing = s.run(&[
        "status",
        "nope",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "--watch",
    ]);
    assert_eq!(missing.code, 4, "{missing:?}");
}

#[test]
fn waves_start_one_cluster_after_another_and_stop_on_failure() {
    let s = RolloutFleet::start(3, &[], &[]);
    let out = s.run(&[
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
    assert_eq!(out.code, 0, "{out:?}");
    let position = |cluster: &str, phase: &str| {
        out.stdout
            .lines()
            .position(|l| l.contains(cluster) && l.split_whitespace().nth(3) == Some(phase))
            .unwrap()
    };
    assert!(
        position("kurator-member1", "Succeeded") < position("kurator-member2", "Progressing"),
        "{out:?}"
    );
    assert!(
        position("kurator-member2", "Succeeded") < position("kurator-member3", "Progressing"),
        "{out:?}"
    );
    assert!(out.stderr.contains("wave 3/3: kurator-member3"), "{out:?}");
    // Only the release's end says how it ended, once, after the last wave: no wave's end is
    // shown as "ended well" while later waves still run.
    let exits: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("exit ")).collect();
    assert_eq!(exits, ["exit 0: every required canary ended well"], "{out:?}");
    assert!(
        out.stdout.ends_with("exit 0: every required canary ended well\n"),
        "{out:?}"
    );
    let reordered = s.run(&[
        "start",
        "--yes",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--restart",
        "--wave-size",
        "2",
        "--order",
        "kurator-member3",
        "--timeout",
        "60s",
    ]);
    assert_eq!(reordered.code, 0, "{reordered:?}");
    assert!(
        reordered.stderr.contains("wave 1/2: kurator-member3, kurator-member1"),
        "{reordered:?}"
    );

    fail_release(s.cluster(1));
    let out = s.run(&[
        "start",
        "--yes",
        "--force",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--image",
        "podinfod=podinfo:3",
        "--wave-size",
        "1",
        "--on-failure",
        "stop",
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("later waves not started (kurator-member2, kurator-member3)"),
        "{out:?}"
    );
    for n in [2, 3] {
        let d = s
            .cluster(n)
            .get("apps", "deployments", Some("test"), "podinfo")
            .unwrap();
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["image"], "podinfo:2",
            "member{n} was never started"
        );
    }
}

#[test]
fn dropped_watch_streams_lose_and_repeat_nothing() {
    let s = RolloutFleet::start(2, &[], &[]);
    let watch = s.start_watched(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--watch",
        "--wait-for-start",
        "--timeout",
        "60s",
    ]);
    watch.wait_for_stdout("the watch's first state of every cluster", |o| every_cluster(o, 2));
    assert_eq!(s.release("podinfo:2").code, 0);
    // Streams keep being dropped (every eighth look, about every 160 ms) until both rollouts
    // have ended in the clusters.
    let mut looks = 0u32;
    wait_until("both rollouts Succeeded while their watches were dropped", || {
        looks += 1;
        if looks.is_multiple_of(8) {
            for c in &s.fleet.clusters {
                c.faults().drop_watches();
            }
        }
        s.phase(1) == "Succeeded" && s.phase(2) == "Succeeded"
    });
    let out = watch.finish();
    assert_eq!(out.code, 0, "{out:?}");
    for n in 1..=2 {
        let seq = without_pending(sequence(&out.stdout, &format!("kurator-member{n}")));
        assert_eq!(&seq[1..], SUCCESS, "member{n}: {out:?}");
    }
}

/// README "Following a release": a dropped stream resumed from a resourceVersion the server
/// no longer has (410 Expired) is relisted: the watch follows the run to its end and never
/// prints a transition twice or out of order. (What changes while it relists can only be seen
/// as the state it relists; dropped_watch_streams_lose_and_repeat_nothing covers resumption
/// without loss.)
#[test]
fn a_relist_after_410_repeats_nothing_and_follows_to_the_end() {
    let s = RolloutFleet::start(2, &["--manual-steps"], &[]);
    let watch = s.start_watched(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--watch",
        "--wait-for-start",
        "--timeout",
        "60s",
    ]);
    watch.wait_for_stdout("the watch's first state of every cluster", |o| every_cluster(o, 2));
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1, 2], "Progressing");
    // Before each step the history is compacted and the streams dropped: the resume from the
    // last resourceVersion seen is answered 410. One step per promote (it opens the step gate,
    // waits for the next step, closes it).
    let mut promotes = 0;
    while s.phase(1) == "Progressing" || s.phase(2) == "Progressing" {
        promotes += 1;
        assert!(promotes <= 10, "more steps than the policy has");
        for c in &s.fleet.clusters {
            c.compact();
            c.faults().drop_watches();
        }
        let promoted = s.run(&["promote", "podinfo", "-n", "test", "--all-contexts", "--yes"]);
        assert_eq!(promoted.code, 0, "{promoted:?}");
    }
    s.wait(&[1, 2], "Succeeded");
    let out = watch.finish();
    assert_eq!(out.code, 0, "{out:?}");
    for n in 1..=2 {
        let seq: Vec<String> = without_pending(sequence(&out.stdout, &format!("kurator-member{n}")))
            .into_iter()
            .filter(|step| step.contains("weight="))
            .collect();
        let positions: Vec<Option<usize>> = seq[1..].iter().map(|t| SUCCESS.iter().position(|s| s == t)).collect();
        assert!(
            positions.iter().all(Option::is_some) && positions.windows(2).all(|w| w[0] < w[1]),
            "member{n}: each transition once, in order: {out:?}"
        );
        assert_eq!(seq.last().map(String::as_str), Some("Succeeded weight=0"), "{out:?}");
    }
}

#[test]
fn live_view_redraws_in_place_within_80_by_24() {
    let script = std::path::Path::new("/usr/bin/script");
    if !require_tool(
        "live_view_redraws_in_place_within_80_by_24",
        script.exists(),
        "script(1) is not installed (bsdutils)",
    ) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("tty.log");
    let command = format!("stty cols 80 rows 24; {BIN} demo --clusters 5 --speed 20");
    let status = Command::new(script)
        .args(["-qec", &command])
        .arg(&log)
        .env("HOME", home.path())
        .env_remove("KUBECONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "the demo ends as designed (one cluster rolled back)"
    );
    let raw = std::fs::read_to_string(&log).unwrap();
    assert!(
        raw.contains("\x1b[2K") && raw.contains("F\x1b[2K"),
        "frames are redrawn in place"
    );
    assert!(!raw.contains("\x1b[2J"), "no clear-screen flicker");
    for frame_line in raw.split("\x1b[2K").skip(1) {
        let line = frame_line.split(['\r', '\n']).next().unwrap_or("");
        assert!(line.chars().count() <= 80, "{line:?} is wider than 80 columns");
    }
    let frames: Vec<&str> = raw.split("F\x1b[2K").collect();
    assert!(frames.len() > 3, "several frames were drawn");
    let after = raw.rsplit("\x1b[?25h").next().unwrap_or("");
    assert!(
        // README "Exit codes": one cluster failed, the others succeeded: partial (5).
        after.contains("CLUSTER") && after.contains("✖ Failed") && after.contains("exit 5"),
        "the final table stays: {after}"
    );
}

/// kube-apiserver closes a connection idle for its idle timeout (90 s; here 300 ms). A watch
/// keeps its connection busy, so `status --watch` follows a release that starts well after
/// several idle timeouts went by, to its end.
#[test]
fn a_watch_follows_a_release_that_starts_after_the_servers_idle_timeout() {
    let s = RolloutFleet::start(1, &[], &[]);
    let cluster = s.fleet.clusters[0].clone();
    cluster.set_idle_timeout(std::time::Duration::from_millis(300));
    let watch = s.start_watched(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--watch",
        "--wait-for-start",
        "--timeout",
        "60s",
    ]);
    watch.wait_for_stdout("the watch's first state", |o| every_cluster(o, 1));
    // A witness connection, opened after the watch's, that goes idle: once the server closed
    // it, an idle timeout has passed for the watch's connection too.
    let before = cluster.connections();
    let _witness = s.fleet.block_on(async {
        let kubeconfig = kube::config::Kubeconfig::read_from(&s.kubeconfig).unwrap();
        let options = kube::config::KubeConfigOptions {
            context: Some("kurator-member1".into()),
            ..Default::default()
        };
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .unwrap();
        let client = kube::Client::try_from(config).unwrap();
        client.apiserver_version().await.unwrap();
        client
    });
    wait_until("the server closed the witness's idle connection", || {
        cluster.connections().idle_closed > before.idle_closed
    });
    let started = s.release("podinfo:2");
    assert_eq!(started.code, 0, "{started:?}");
    let out = watch.finish();
    assert_eq!(out.code, 0, "{out:?}");
    let seq = without_pending(sequence(&out.stdout, "kurator-member1"));
    assert_eq!(&seq[1..], SUCCESS, "{out:?}");
}
