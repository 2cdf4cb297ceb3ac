//! Connections (issue 19, item 2): one TLS connection per cluster and process, HTTP/2 as
//! kubectl negotiates it, every request and watch multiplexed over it; `--request-timeout`
//! bounds each request but not a watch's stream (issue 17, item 7).

use fleet_sim::server::ConnectionCounts;

use crate::support::rollout::RolloutFleet;
use crate::support::{MEMBERS, kubectl, kubectl_available, row, run};

/// The connections each member accepted since `before`.
fn opened(s: &RolloutFleet, before: &[ConnectionCounts]) -> Vec<(u64, u64)> {
    s.fleet
        .clusters
        .iter()
        .zip(before)
        .map(|(c, b)| {
            let now = c.connections();
            (now.accepted - b.accepted, now.http2 - b.http2)
        })
        .collect()
}

fn counts(s: &RolloutFleet) -> Vec<ConnectionCounts> {
    s.fleet.clusters.iter().map(|c| c.connections()).collect()
}

/// A one-shot read, `check` (many reads and access reviews) and a follow with a release
/// started by another process: each process opens one HTTP/2 connection per cluster. The
/// clusters' users present tokens, so the handshake probe (`fleet::handshake`, for refused
/// client certificates) never runs.
#[test]
fn one_http2_connection_per_cluster_and_process() {
    let s = RolloutFleet::start(3, &[], &[]);
    let one_each = vec![(1, 1); 3];

    let before = counts(&s);
    let out = s.run(&["status", "podinfo", "-n", "test", "--all-contexts", "-o", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        opened(&s, &before),
        one_each,
        "status: (connections, of which HTTP/2) per cluster"
    );

    let before = counts(&s);
    let out = s.run(&["check", "--all-contexts", "-n", "test"]);
    assert!(out.code == 0 || out.code == 1, "{out:?}");
    assert_eq!(opened(&s, &before), one_each, "check: {out:?}");

    // The follow's watches and reads share its connection; the release is another process.
    let before = counts(&s);
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
    watch.wait_for_stdout("the follow's first state of every cluster", |o| {
        MEMBERS.iter().all(|m| o.contains(m))
    });
    assert_eq!(opened(&s, &before), one_each, "the follow");
    let started = s.release("podinfo:2");
    assert_eq!(started.code, 0, "{started:?}");
    assert_eq!(opened(&s, &before), vec![(2, 2); 3], "the follow and start");
    let out = watch.finish();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("exit 0: every required canary ended well"),
        "{out:?}"
    );
    assert_eq!(opened(&s, &before), vec![(2, 2); 3], "the follow and start, at the end");
}

/// Real kubectl negotiates HTTP/2 with the simulator, as with kube-apiserver, and still works.
#[test]
fn kubectl_speaks_http2_to_the_simulator() {
    if !kubectl_available("kubectl_speaks_http2_to_the_simulator") {
        return;
    }
    let s = RolloutFleet::start(1, &[], &[]);
    let before = counts(&s);
    let out = run(kubectl(s.home.path(), &s.kubeconfig).args(["get", "canary", "podinfo", "-n", "test"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("podinfo"), "{out:?}");
    let (accepted, http2) = opened(&s, &before)[0];
    assert!(
        accepted >= 1 && http2 == accepted,
        "kubectl: {accepted} connections, {http2} HTTP/2"
    );
}

/// `--request-timeout` ends a request the cluster does not answer in time (the row says
/// timeout, long before the cluster timeout), while the other clusters answer; and a follow
/// outlives it: its watches are bounded only until their answer starts.
#[test]
fn request_timeout_bounds_requests_not_watch_streams() {
    let s = RolloutFleet::start(2, &[], &[]);
    s.cluster(2).faults().set_latency(std::time::Duration::from_secs(30));
    let started = std::time::Instant::now();
    let out = s.run(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--request-timeout",
        "1s",
        "--cluster-timeout",
        "60s",
    ]);
    assert_eq!(out.code, 5, "{out:?}");
    assert!(
        row(&out.stdout, "kurator-member2").contains("timeout: no answer within 1s"),
        "{out:?}"
    );
    assert!(row(&out.stdout, "kurator-member1").contains("Initialized"), "{out:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    s.cluster(2).faults().set_latency(std::time::Duration::ZERO);

    // A follow with a 1 s request timeout idles longer than that on its watches, and `-v`'s
    // request lines show that none was cut and sent again; then it follows a rollout to the end.
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
        "--request-timeout",
        "1s",
        "-v",
    ]);
    watch.wait_for_stdout("the follow's first state of every cluster", |o| {
        o.contains("kurator-member1") && o.contains("kurator-member2")
    });
    // Not a synchronisation: the time that passes is what is tested.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let stderr = watch.stderr();
    let watches: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("watch=true"))
        .filter_map(|l| l.split(" GET ").nth(1)?.split("&resourceVersion=").next())
        .collect();
    let mut distinct = watches.clone();
    distinct.sort();
    distinct.dedup();
    assert!(distinct.len() >= 2, "a watch per cluster at least: {stderr}");
    assert_eq!(watches.len(), distinct.len(), "a watch was sent again: {stderr}");
    assert_eq!(s.release("podinfo:2").code, 0);
    let out = watch.finish();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("exit 0: every required canary ended well"),
        "{out:?}"
    );
}
