//! Writes that race another writer. An injected conflict changes the object just before a
//! write that carries the resourceVersion it read, so that write gets a real 409 Conflict; a
//! write without a version is not conditional and is never refused this way. So every injected
//! conflict being used up proves the write carried its version on every attempt.

use crate::support::rollout::{POLICY, RolloutFleet};

fn suspended(s: &RolloutFleet, n: usize) -> bool {
    s.canary(n)["spec"]["suspend"].as_bool().unwrap_or(false)
}

/// Whether the simulated concurrent writer really changed the Canary.
fn raced(s: &RolloutFleet, n: usize) -> bool {
    s.canary(n)["metadata"]["annotations"]
        .get(fleet_sim::faults::CONCURRENT_WRITE_ANNOTATION)
        .is_some()
}

#[test]
fn conflicting_writes_are_redone_from_a_fresh_read_then_reported() {
    let s = RolloutFleet::start(2, &[], &[]);
    let one = ["--context", "kurator-member1", "--yes"];

    // apply: server-side apply carries no resourceVersion, so a racing writer does not make it
    // fail (only field conflicts would), and no injected conflict is used up.
    s.cluster(1).faults().set_write_conflicts(4);
    let applied = s.run(&["apply", "-f", POLICY, "--all-contexts", "-o", "json"]);
    assert_eq!(applied.code, 0, "{applied:?}");
    assert!(!applied.stdout.contains("failed"), "{applied:?}");
    assert!(
        s.cluster(1).faults().take_write_conflict(),
        "apply's writes are not conditional: nothing raced them"
    );
    s.cluster(1).faults().set_write_conflicts(0);

    // pause/resume: the spec patch carries the resourceVersion read; each of the racing writes
    // made it stale (every injected conflict used up), and it was redone from a fresh read.
    s.cluster(1).faults().set_write_conflicts(3);
    let paused = s.run(&[&["pause", "podinfo", "-n", "test"][..], &one].concat());
    assert_eq!(paused.code, 0, "{paused:?}");
    assert!(suspended(&s, 1), "{paused:?}");
    assert!(
        !s.cluster(1).faults().take_write_conflict(),
        "pause's patch carried its version three times"
    );
    assert!(raced(&s, 1), "the concurrent writer really changed the Canary");
    s.cluster(1).faults().set_write_conflicts(2);
    let resumed = s.run(&[&["resume", "podinfo", "-n", "test"][..], &one].concat());
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert!(!suspended(&s, 1), "{resumed:?}");
    assert!(
        !s.cluster(1).faults().take_write_conflict(),
        "resume's patch carried its version twice"
    );

    // A conflict that never goes away is reported, naming the object, and nothing changed.
    s.cluster(2).faults().set_write_conflicts(100);
    let stuck = s.run(&[
        "pause",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member2",
        "--yes",
    ]);
    assert_eq!(stuck.code, 1, "{stuck:?}");
    assert!(
        stuck.stdout.contains("409 Conflict") && stuck.stdout.contains("still conflicting after 5 fresh reads"),
        "{stuck:?}"
    );
    assert!(stuck.stdout.contains("canaries.flagger.app \"podinfo\""), "{stuck:?}");
    assert!(!suspended(&s, 2));
    assert!(raced(&s, 2));
    s.cluster(2).faults().set_write_conflicts(0);

    // start: the image patch is conditional on the Deployment version it was decided from, in
    // the plan's server-side dry run (two conflicts, redone) and in the real patch (two more).
    s.cluster(2).faults().set_write_conflicts(4);
    let started = s.release("podinfo:2");
    assert_eq!(started.code, 0, "{started:?}");
    assert!(
        !s.cluster(2).faults().take_write_conflict(),
        "start's dry run and image patch carried the Deployment's version on every attempt"
    );
    assert_eq!(s.image(1), "podinfo:2");
    assert_eq!(s.image(2), "podinfo:2");
    s.wait(&[1, 2], "Succeeded");
}

/// `promote --full` switches spec.skipAnalysis on and back off, each switch carrying the
/// resourceVersion it was decided from: every racing write makes it a real 409, redone.
#[test]
fn promote_full_switches_carry_their_version() {
    let s = RolloutFleet::start(1, &["--manual-promotion"], &[]);
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1], "WaitingPromotion");
    s.cluster(1).faults().set_write_conflicts(3);
    let promoted = s.run(&[
        "promote",
        "podinfo",
        "-n",
        "test",
        "--full",
        "--context",
        "kurator-member1",
        "--yes",
    ]);
    assert_eq!(promoted.code, 0, "{promoted:?}");
    assert_eq!(s.phase(1), "Succeeded");
    assert!(
        !s.cluster(1).faults().take_write_conflict(),
        "promote --full's spec switches carried their version on every attempt"
    );
    assert!(raced(&s, 1));
    assert_eq!(s.canary(1)["spec"]["skipAnalysis"], false);
}
