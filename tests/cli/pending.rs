//! README "Following a release": a release Flagger has not picked up yet is shown as pending,
//! and `status --watch` started right after it follows the new run to its end — whoever
//! started it (`start`, or `kubectl set image`) and in whichever process.
//!
//! Flagger notices a new revision at its next analysis tick; on the playground that is a
//! fraction of a second, too short to observe reliably. These tests stop each cluster's
//! Flagger (its Deployment scaled to zero: no tick at all) before the release and start it
//! again once the watch has shown the pending state: the same window, made as long as needed.

use serde_json::{Value, json};

use crate::support::rollout::{RolloutFleet, fail_release};
use crate::support::{MEMBERS, kubectl, kubectl_available, run, wait_until};

/// Scales cluster `n`'s Flagger to `replicas` and waits until it runs (or stops) ticking.
fn set_flagger(s: &RolloutFleet, n: usize, replicas: i64) {
    let cluster = s.cluster(n);
    let flagger = cluster
        .list("apps", "deployments", None)
        .into_iter()
        .find(|d| d.pointer("/metadata/labels/app.kubernetes.io~1name") == Some(&json!("flagger")))
        .unwrap_or_else(|| panic!("no Flagger Deployment in member{n}"));
    let text = |p: &str| {
        flagger
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    cluster
        .patch(
            "apps",
            "deployments",
            Some(&text("/metadata/namespace")),
            &text("/metadata/name"),
            fleet_sim::patch::PatchKind::Merge,
            &json!({"spec": {"replicas": replicas}}),
        )
        .unwrap();
    let sim = s.fleet.playground_flagger(cluster.name());
    wait_until(&format!("Flagger in member{n} at {replicas} replicas"), || {
        sim.active() == (replicas > 0)
    });
}

fn watch_status(s: &RolloutFleet) -> crate::support::Running {
    s.start_watched(&["status", "podinfo", "-n", "test", "--all-contexts", "--watch"])
}

/// Every cluster's transition lines reached `phase`.
fn each_cluster_shows(stdout: &str, phase: &str) -> bool {
    MEMBERS.iter().all(|m| {
        stdout
            .lines()
            .any(|l| l.split_whitespace().any(|f| f == *m) && l.contains(&format!(" {phase} ")))
    })
}

fn primary_image(s: &RolloutFleet, n: usize) -> String {
    s.cluster(n)
        .get("apps", "deployments", Some("test"), "podinfo-primary")
        .and_then(|d| {
            d.pointer("/spec/template/spec/containers/0/image")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default()
}

/// `start`, then at once `status -o json` and `status --watch` in other processes: the json
/// says pending (Flagger's own phase still the previous one, as kubectl reads it), the watch
/// shows the new run and exits 1 because one cluster's run fails.
#[test]
fn start_then_status_watch_follows_the_new_run_to_its_failure() {
    let s = RolloutFleet::start(3, &[], &[]);
    for n in 1..=3 {
        set_flagger(&s, n, 0);
    }
    fail_release(s.cluster(3));
    let started = s.release("podinfo:2");
    assert_eq!(started.code, 0, "{started:?}");

    let read = s.run(&["status", "podinfo", "-n", "test", "--all-contexts", "-o", "json"]);
    let rows: Vec<Value> = serde_json::from_str(&read.stdout).unwrap_or_else(|e| panic!("{e}: {read:?}"));
    assert_eq!(rows.len(), 3, "{read:?}");
    for (n, r) in (1..=3).zip(&rows) {
        assert_eq!(r["phase"], "Pending", "{r:#}");
        assert!(
            r["message"]
                .as_str()
                .unwrap_or_default()
                .contains("new revision not yet picked up by Flagger"),
            "{r:#}"
        );
        // What kubectl reads: Flagger has not written anything since the release.
        assert_eq!(r["status"]["phase"], s.canary(n)["status"]["phase"], "{r:#}");
        assert_eq!(s.phase(n), "Initialized");
    }
    let table = s.run(&["status", "podinfo", "-n", "test", "--all-contexts"]);
    for m in MEMBERS {
        assert!(crate::support::row(&table.stdout, m).contains("Pending"), "{table:?}");
    }

    let watch = watch_status(&s);
    watch.wait_for_stdout("every cluster pending", |o| each_cluster_shows(o, "Pending"));
    for n in 1..=3 {
        set_flagger(&s, n, 1);
    }
    let out = watch.finish();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(each_cluster_shows(&out.stdout, "Progressing"), "{out:?}");
    assert!(
        out.stdout
            .lines()
            .any(|l| l.split_whitespace().any(|f| f == MEMBERS[2]) && l.contains(" Failed ")),
        "{out:?}"
    );
    assert_eq!(s.phase(3), "Failed", "the exit is the new run's failure");
}

/// `kubectl set image` in every cluster (no tool of ours involved), then `status --watch`:
/// pending first, then the new run, exit 0 once every cluster promoted the new image.
#[test]
fn kubectl_set_image_then_status_watch_waits_for_every_promotion() {
    if !kubectl_available("kubectl_set_image_then_status_watch_waits_for_every_promotion") {
        return;
    }
    let s = RolloutFleet::start(3, &[], &[]);
    for n in 1..=3 {
        set_flagger(&s, n, 0);
    }
    for m in MEMBERS {
        let out = run(kubectl(s.home.path(), &s.kubeconfig).args([
            "set",
            "image",
            "deployment/podinfo",
            "podinfod=podinfo:3",
            "-n",
            "test",
            "--context",
            m,
        ]));
        assert_eq!(out.code, 0, "{out:?}");
    }
    let watch = watch_status(&s);
    watch.wait_for_stdout("every cluster pending", |o| each_cluster_shows(o, "Pending"));
    for n in 1..=3 {
        set_flagger(&s, n, 1);
    }
    let out = watch.finish();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(each_cluster_shows(&out.stdout, "Progressing"), "{out:?}");
    assert!(each_cluster_shows(&out.stdout, "Succeeded"), "{out:?}");
    for n in 1..=3 {
        assert_eq!(primary_image(&s, n), "podinfo:3", "member{n} promoted before the exit");
        assert_eq!(s.phase(n), "Succeeded");
    }
}
