//! engine::live in process, against a simulated fleet (no binary spawned): the verdicts of a
//! follow, consumers of one watch, and a read with a cluster that does not answer.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use fleet_sim::patch::PatchKind;
use fleet_sim::{Playground, PlaygroundOptions, SimCluster};
use kubectl_kurator_rollout::config::{Input, load_policies};
use kubectl_kurator_rollout::engine::live::follow::Stops;
use kubectl_kurator_rollout::engine::live::{self, LiveFleet};
use kubectl_kurator_rollout::exit::Exit;
use kubectl_kurator_rollout::fleet::source::FleetSource;
use kubectl_kurator_rollout::fleet::{Fleet, Target};
use kubectl_kurator_rollout::install::manifests::{InstallSpec, manifests};
use kubectl_kurator_rollout::install::provider::Provider;
use kubectl_kurator_rollout::interrupt::Interrupt;
use kubectl_kurator_rollout::model::canary::RunMark;
use kubectl_kurator_rollout::model::fleet_state::FleetState;
use kubectl_kurator_rollout::model::update::Scope;
use kubectl_kurator_rollout::model::verdict::{Condition, Require};
use kubectl_kurator_rollout::render::{ClusterFacts, RenderOptions, render};
use serde_json::json;

const POLICY: &str = include_str!("../examples/demo-rollout.yaml");
const LIMIT: Duration = Duration::from_secs(120);

fn podinfo() -> Scope {
    Scope {
        namespace: Some("test".into()),
        name: Some("podinfo".into()),
        labels: None,
    }
}

/// `n` simulated clusters with Flagger, the load tester, podinfo and the demo rollout, every
/// canary Initialized; and the fleet source of their in-process clients.
async fn initialized_fleet(n: usize) -> (Playground, FleetSource) {
    let playground = Playground::start(&PlaygroundOptions {
        clusters: n,
        speed: 100.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let (policies, diagnostics) = load_policies(
        &[Input {
            name: "demo-rollout.yaml".into(),
            text: POLICY.into(),
        }],
        Some("demo"),
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let mut clients = Vec::new();
    for m in &playground.members {
        let c = &m.cluster;
        let spec = InstallSpec {
            provider: Provider::Istio,
            cluster_name: c.name().into(),
            flagger_version: "1.44.0".into(),
            metrics_server: None,
            testloader: true,
        };
        fleet_sim::kurator::apply_all(c, &manifests(&spec));
        fleet_sim::kurator::apply_all(c, &fleet_sim::sample::podinfo("podinfo:1", 1));
        let facts = ClusterFacts {
            cluster_name: c.name().into(),
            ..Default::default()
        };
        fleet_sim::kurator::apply_all(c, &render(&policies[0], &facts, &RenderOptions::default()).unwrap());
        let target = Target {
            context: c.name().into(),
            cluster: c.name().into(),
            server: m.server.clone(),
            namespace: "test".into(),
        };
        clients.push((target, kube::Client::new(c.service(&m.token), "test")));
    }
    let source = FleetSource::contexts(Fleet::from_clients(clients));
    let watched = LiveFleet::watch(&source, &podinfo());
    let initialized = |state: &FleetState| state.complete() && state.rows().iter().all(|r| r.phase == "Initialized");
    assert!(
        watched.subscribe().wait_for(LIMIT, initialized).await,
        "the canaries did not initialise"
    );
    (playground, source)
}

fn member(playground: &Playground, index: usize) -> &SimCluster {
    &playground.members[index].cluster
}

/// A new podinfo image in every cluster (those in `failing` report an 80% success rate, below
/// the policy's 99%); returns each canary's mark from before, to tell the new run from the old.
fn release(playground: &Playground, failing: &[usize]) -> HashMap<(String, String), RunMark> {
    let mut baseline = HashMap::new();
    for (index, m) in playground.members.iter().enumerate() {
        let c = &m.cluster;
        let canary = c.get("flagger.app", "canaries", Some("test"), "podinfo").unwrap();
        baseline.insert(
            (c.name().to_string(), "test/podinfo".to_string()),
            RunMark::of_canary(&canary),
        );
        let rate = if failing.contains(&index) { "80" } else { "100" };
        let patch = json!({"spec": {"template": {
            "metadata": {"annotations": {"sim.kurator.dev/success-rate": rate}},
            "spec": {"containers": [{"name": "podinfod", "image": "podinfo:2"}]},
        }}});
        c.patch(
            "apps",
            "deployments",
            Some("test"),
            "podinfo",
            PatchKind::Strategic,
            &patch,
        )
        .unwrap();
    }
    baseline
}

async fn follow_release(source: &FleetSource, condition: Condition) -> live::FollowResult {
    let watched = LiveFleet::watch(source, &podinfo());
    let (interrupt, quit) = (Interrupt::manual(), Interrupt::manual());
    let stops = Stops {
        timeout: Some(LIMIT),
        interrupt: &interrupt,
        quit: &quit,
    };
    live::follow(watched.subscribe(), condition, stops, |_| Ok(()))
        .await
        .unwrap()
}

fn waiting_for_the_new_run(require: Require, baseline: HashMap<(String, String), RunMark>) -> Condition {
    Condition {
        require,
        wait_for_start: true,
        baseline,
        ..Condition::all()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_that_succeeds_everywhere_is_success() {
    let (playground, source) = initialized_fleet(2).await;
    let baseline = release(&playground, &[]);
    let result = follow_release(&source, waiting_for_the_new_run(Require::All, baseline)).await;
    assert_eq!(result.exit, Exit::Success);
    assert!(!result.quit);
    assert!(result.rows.iter().all(|r| r.phase == "Succeeded"), "{:?}", result.rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_that_fails_in_one_cluster_is_failed_at_once_and_any_is_success() {
    let (playground, source) = initialized_fleet(3).await;
    let baseline = release(&playground, &[1]);
    // The two followers run side by side on the same release: `any` is decided by the first
    // cluster that succeeds, `all` as soon as the failing one has rolled back (a required
    // canary that failed decides at once, issue 17 item 5: the others may still be running).
    let (any, all) = tokio::join!(
        follow_release(&source, waiting_for_the_new_run(Require::Any, baseline.clone())),
        follow_release(&source, waiting_for_the_new_run(Require::All, baseline)),
    );
    assert_eq!(any.exit, Exit::Success);
    assert!(any.rows.iter().any(|r| r.phase == "Succeeded"), "{:?}", any.rows);
    // README "Exit codes": the failure came while the others still ran (2 failed checks
    // against 5 steps to promote): the follow ends at once with 1.
    assert_eq!(all.exit, Exit::Failed);
    let failing = member(&playground, 1).name();
    for r in &all.rows {
        assert_eq!(r.phase == "Failed", r.cluster == failing, "{:?}", all.rows);
    }
}

/// The phase and weight of every row after every update, until the release has succeeded
/// everywhere.
async fn record(subscription: &mut live::Subscription) -> Vec<Vec<(String, String, Option<i64>)>> {
    let mut seen = Vec::new();
    let done = |state: &FleetState| state.complete() && state.rows().iter().all(|r| r.phase == "Succeeded");
    while !done(subscription.state()) {
        assert!(
            tokio::time::timeout(LIMIT, subscription.changed()).await.unwrap(),
            "the watch ended"
        );
        let rows = subscription
            .rows()
            .iter()
            .map(|r| (r.cluster.clone(), r.phase.clone(), r.status_weight))
            .collect();
        seen.push(rows);
    }
    seen
}

/// Each cluster's row as it went through its states (a state seen in several changes in a row
/// counted once).
fn states_per_row(seen: &[Vec<(String, String, Option<i64>)>]) -> BTreeMap<String, Vec<(String, Option<i64>)>> {
    let mut rows: BTreeMap<String, Vec<(String, Option<i64>)>> = BTreeMap::new();
    for change in seen {
        for (cluster, phase, weight) in change {
            let states = rows.entry(cluster.clone()).or_default();
            if states.last() != Some(&(phase.clone(), *weight)) {
                states.push((phase.clone(), *weight));
            }
        }
    }
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consumers_of_one_watch_see_every_row_go_through_the_same_states() {
    let (playground, source) = initialized_fleet(2).await;
    let watched = LiveFleet::watch(&source, &podinfo());
    let (mut first, mut second) = (watched.subscribe(), watched.subscribe());
    release(&playground, &[]);
    let (a, b) = tokio::join!(record(&mut first), record(&mut second));
    assert!(a.len() > 3, "several states: {a:?}");
    assert!(
        a.iter()
            .any(|rows| rows.iter().any(|(_, phase, _)| phase == "Progressing"))
    );
    // A change may fold a burst of updates about different clusters (`Subscription::changed`),
    // so two consumers may see the clusters' states combined differently, but never a row's
    // state skipped.
    assert_eq!(states_per_row(&a), states_per_row(&b));
    assert_eq!(a.last(), b.last());
    // A consumer that joins late starts from the state folded so far.
    let mut late = watched.subscribe();
    assert!(late.state().rows().iter().all(|r| r.phase == "Succeeded"));
    // Dropping the watch ends every subscription: what was already sent may still be read
    // (Events that came after the last status write), then the subscription ends.
    drop(watched);
    let ended = tokio::time::timeout(LIMIT, async { while late.changed().await {} }).await;
    assert!(
        ended.is_ok(),
        "the subscription did not end after the watch was dropped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_with_an_unreachable_cluster_gives_its_row_an_error_and_reads_the_others() {
    let (playground, source) = initialized_fleet(3).await;
    member(&playground, 2).set_unreachable(true).unwrap();
    let state = live::read_once(&source, &podinfo(), Duration::from_secs(5)).await;
    let rows = state.rows();
    assert_eq!(rows.len(), 3, "{rows:?}");
    let unreachable = member(&playground, 2).name();
    for r in &rows {
        if r.cluster == unreachable {
            assert!(r.error.is_some() && r.phase.is_empty(), "{r:?}");
        } else {
            assert_eq!((r.phase.as_str(), r.error.as_deref()), ("Initialized", None), "{r:?}");
        }
    }
}

/// Scales `member`'s Flagger to `replicas` and waits until it stops (or resumes) its ticks.
async fn set_flagger(member: &fleet_sim::playground::Member, replicas: i64) {
    let flagger = member
        .cluster
        .list("apps", "deployments", None)
        .into_iter()
        .find(|d| d.pointer("/metadata/labels/app.kubernetes.io~1name") == Some(&json!("flagger")))
        .expect("a Flagger Deployment");
    let text = |p: &str| {
        flagger
            .pointer(p)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    member
        .cluster
        .patch(
            "apps",
            "deployments",
            Some(&text("/metadata/namespace")),
            &text("/metadata/name"),
            PatchKind::Merge,
            &json!({"spec": {"replicas": replicas}}),
        )
        .unwrap();
    let deadline = tokio::time::Instant::now() + LIMIT;
    while member.flagger.active() != (replicas > 0) {
        assert!(tokio::time::Instant::now() < deadline, "Flagger at {replicas} replicas");
        // A poll of the simulator's state, not synchronisation by time.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Issue 17 item 1: a release Flagger has not picked up yet (here: Flagger stopped) reads as
/// Pending, and a follow without --wait-for-start waits for that new run instead of ending on
/// the previous Initialized.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_not_picked_up_yet_is_pending_and_followed_to_its_end() {
    let (playground, source) = initialized_fleet(2).await;
    for m in &playground.members {
        set_flagger(m, 0).await;
    }
    release(&playground, &[]);
    let read = live::read_once(&source, &podinfo(), Duration::from_secs(5)).await;
    let rows = read.rows();
    assert!(rows.iter().all(|r| r.phase == "Pending"), "{rows:?}");
    let watched = LiveFleet::watch(&source, &podinfo());
    let pending = |state: &FleetState| state.complete() && state.rows().iter().all(|r| r.phase == "Pending");
    assert!(watched.subscribe().wait_for(LIMIT, pending).await);
    let following = tokio::spawn({
        let source = source.clone();
        async move { follow_release(&source, Condition::all()).await }
    });
    for m in &playground.members {
        set_flagger(m, 1).await;
    }
    let result = following.await.unwrap();
    assert_eq!(result.exit, Exit::Success);
    for m in &playground.members {
        let primary = m
            .cluster
            .get("apps", "deployments", Some("test"), "podinfo-primary")
            .unwrap();
        assert_eq!(
            primary["spec"]["template"]["spec"]["containers"][0]["image"], "podinfo:2",
            "promoted before the follow ended"
        );
    }
}
