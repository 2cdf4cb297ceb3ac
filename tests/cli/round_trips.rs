//! What each command costs one cluster: requests, and round trips on its critical path (the
//! requests that had to wait for an earlier answer). On a WAN link every round trip is the
//! link's latency, so these numbers are the command's speed; the README's performance table
//! quotes them. A count that grows fails here: lower the budget when a change lowers it.
//!
//! The simulated cluster records what it answers (`fleet_sim::audit`), with a latency injected
//! so that requests sent together overlap there and requests sent after an answer do not.

use std::time::Duration;

use fleet_sim::audit::{LoggedRequest, round_trips};

use crate::support::Output;
use crate::support::rollout::{POLICY, RolloutFleet};

/// Well above the time the plugin takes between requests it sends together, so that those
/// overlap in the server's record even on a loaded machine.
const LATENCY: Duration = Duration::from_millis(300);

/// A command's cost in the one cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cost {
    requests: usize,
    round_trips: usize,
}

fn cost_of(log: &[LoggedRequest]) -> Cost {
    Cost {
        requests: log.len(),
        round_trips: round_trips(log),
    }
}

/// Runs the command against cluster 1 with the latency injected; its exit code and cost.
fn measure(s: &RolloutFleet, args: &[&str]) -> (Output, Cost, Vec<LoggedRequest>) {
    let cluster = s.cluster(1);
    cluster.faults().set_latency(LATENCY);
    cluster.requests().start();
    let out = s.run(args);
    let log = cluster.requests().stop();
    cluster.faults().set_latency(Duration::ZERO);
    (out, cost_of(&log), log)
}

fn listing(log: &[LoggedRequest]) -> String {
    let mut sorted: Vec<&LoggedRequest> = log.iter().collect();
    sorted.sort_by_key(|r| r.received);
    let start = sorted.first().map(|r| r.received);
    sorted
        .iter()
        .map(|r| {
            let at = |t: std::time::Instant| start.map(|s| t.duration_since(s).as_millis()).unwrap_or(0);
            format!(
                "  {:>5}..{:<5} ms {} {} {}\n",
                at(r.received),
                at(r.answered),
                r.status,
                r.method,
                r.uri
            )
        })
        .collect()
}

/// Asserts the command exits `code` and costs at most `budget`; returns its output.
fn within(s: &RolloutFleet, name: &str, args: &[&str], code: i32, budget: Cost) -> Output {
    let (out, cost, log) = measure(s, args);
    assert_eq!(out.code, code, "{name}: {out:?}");
    eprintln!("{name}: {cost:?}\n{}", listing(&log));
    assert!(
        cost.requests <= budget.requests && cost.round_trips <= budget.round_trips,
        "{name} costs {cost:?}, more than its budget {budget:?}:\n{}",
        listing(&log)
    );
    out
}

const fn budget(requests: usize, round_trips: usize) -> Cost {
    Cost { requests, round_trips }
}

#[test]
fn each_command_costs_one_cluster_no_more_than_its_budget() {
    let s = RolloutFleet::start(1, &["--manual-promotion"], &[]);
    let one = ["--context", "kurator-member1"];
    let with = |args: &[&'static str]| -> Vec<&'static str> { args.iter().chain(one.iter()).copied().collect() };
    // Reads: everything a cluster is asked is asked at once (the canaries, their events, the
    // Deployments, the four kinds of routing objects): one round trip.
    let reads = [
        ("status NAME", with(&["status", "podinfo", "-n", "test"]), budget(7, 1)),
        (
            "status NAME -o json",
            with(&["status", "podinfo", "-n", "test", "-o", "json"]),
            budget(7, 1),
        ),
        ("list", with(&["list", "-A"]), budget(7, 1)),
        ("get NAME", with(&["get", "podinfo", "-n", "test"]), budget(7, 1)),
    ];
    for (name, args, limit) in &reads {
        within(&s, name, args, 0, *limit);
    }
    // apply, unchanged: the facts, the live objects (the Canary's gates are kept) and the load
    // testers its hooks call at once; then every object written at once, as each already exists
    // (engine::apply).
    let out = within(
        &s,
        "apply (unchanged)",
        &with(&["apply", "-f", POLICY, "--manual-promotion"]),
        0,
        budget(7, 2),
    );
    assert!(
        out.stdout.contains("unchanged") && !out.stdout.contains("configured"),
        "{out:?}"
    );
    // Every read and access review at once; then the load testers the Canaries name
    // (engine::setup::check).
    within(&s, "check", &with(&["check", "--testloader"]), 0, budget(19, 2));
    // promote plans from the canaries alone.
    within(
        &s,
        "promote --dry-run",
        &with(&["promote", "podinfo", "-n", "test", "--dry-run"]),
        0,
        budget(1, 1),
    );
    // The plan (the canary, its target, a dry-run patch), then the canary and its target read
    // again and the image patch (engine::release).
    within(
        &s,
        "start",
        &with(&[
            "start",
            "podinfo",
            "-n",
            "test",
            "--image",
            "podinfod=podinfo:2",
            "--yes",
        ]),
        0,
        budget(6, 6),
    );
    s.wait(&[1], "WaitingPromotion");
    // The plan's read, a fresh read of the canary right before its gate opens, the gate, a
    // wait for Flagger's next step (a list, and a watch when Flagger has not moved by then),
    // and the gate closed again.
    within(
        &s,
        "promote",
        &with(&["promote", "podinfo", "-n", "test", "--yes"]),
        0,
        budget(6, 6),
    );
}
