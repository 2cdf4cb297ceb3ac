//! Writes that race another writer: the simulated API server answers the next writes with 409
//! Conflict, as it does when an object changed between a client's read and its write.

use crate::support::rollout::{POLICY, RolloutFleet};

fn suspended(s: &RolloutFleet, n: usize) -> bool {
    s.canary(n)["spec"]["suspend"].as_bool().unwrap_or(false)
}

#[test]
fn conflicting_writes_are_redone_from_a_fresh_read_then_reported() {
    let s = RolloutFleet::start(2, &[], &[]);
    let one = ["--context", "kurator-member1", "--yes"];

    // apply: member1's first write conflicts four times, then goes through.
    s.cluster(1).faults().set_write_conflicts(4);
    let applied = s.run(&["apply", "-f", POLICY, "--all-contexts", "-o", "json"]);
    assert_eq!(applied.code, 0, "{applied:?}");
    assert!(!applied.stdout.contains("failed"), "{applied:?}");
    assert!(
        !s.cluster(1).faults().take_write_conflict(),
        "all four conflicts were met"
    );

    // pause/resume: the spec patch carries the resourceVersion read; conflicts are redone.
    s.cluster(1).faults().set_write_conflicts(3);
    let paused = s.run(&[&["pause", "podinfo", "-n", "test"][..], &one].concat());
    assert_eq!(paused.code, 0, "{paused:?}");
    assert!(suspended(&s, 1), "{paused:?}");
    s.cluster(1).faults().set_write_conflicts(2);
    let resumed = s.run(&[&["resume", "podinfo", "-n", "test"][..], &one].concat());
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert!(!suspended(&s, 1), "{resumed:?}");

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
    s.cluster(2).faults().set_write_conflicts(0);

    // start: the image patch is conditional on the Deployment version it was decided from.
    s.cluster(2).faults().set_write_conflicts(2);
    let started = s.release("podinfo:2");
    assert_eq!(started.code, 0, "{started:?}");
    assert_eq!(s.image(1), "podinfo:2");
    assert_eq!(s.image(2), "podinfo:2");
    s.wait(&[1, 2], "Succeeded");
}
