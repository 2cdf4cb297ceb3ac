//! `engine::actions` and `engine::release` in process, against the simulated fleet: the plan a
//! dry run shows is what the run executes, a switch under Kurator goes into the hub
//! Application (not the member Canaries), abort rolls back, and `--on-failure abort-all` aborts
//! through the same path.

use std::time::{Duration, Instant};

use fleet_sim::playground::Member;
use fleet_sim::{Playground, PlaygroundOptions, SimCluster};
use kube::Client;
use kubectl_kurator_rollout::cli::OnFailure;
use kubectl_kurator_rollout::config::{Input, load_policies};
use kubectl_kurator_rollout::engine::actions::{self, ExecuteOptions};
use kubectl_kurator_rollout::engine::release::{
    Baseline, ReleaseOptions, StartPlan, WaveFollowed, release, start_release,
};
use kubectl_kurator_rollout::exit::Exit;
use kubectl_kurator_rollout::fleet::Fleet;
use kubectl_kurator_rollout::fleet::source::{FleetSource, Hub};
use kubectl_kurator_rollout::fleet::targets::Target;
use kubectl_kurator_rollout::install::manifests::{DEFAULT_FLAGGER_VERSION, InstallSpec, manifests};
use kubectl_kurator_rollout::install::provider::Provider;
use kubectl_kurator_rollout::install::verb_manager;
use kubectl_kurator_rollout::interrupt::Interrupt;
use kubectl_kurator_rollout::model::action_row;
use kubectl_kurator_rollout::model::canary::CanaryId;
use kubectl_kurator_rollout::model::plan::{Plan, Step, Verb};
use kubectl_kurator_rollout::model::release::{Halt, ReleaseEvent};
use kubectl_kurator_rollout::model::update::Scope;
use kubectl_kurator_rollout::render::{ClusterFacts, RenderOptions, render};
use serde_json::Value;

const APPLICATION: &str = include_str!("../examples/rollout-podinfo.yaml");
const POLICY: &str = include_str!("../examples/demo-rollout.yaml");
const TIMEOUT: Duration = Duration::from_secs(60);

fn client(member: &Member) -> Client {
    Client::new(member.cluster.service(&member.token), "default")
}

fn members(playground: &Playground) -> Fleet {
    Fleet::from_clients(
        playground
            .members
            .iter()
            .map(|m| {
                let name = m.cluster.name().to_string();
                let target = Target {
                    context: name.clone(),
                    cluster: name,
                    server: m.server.clone(),
                    namespace: "test".into(),
                };
                (target, client(m))
            })
            .collect(),
    )
}

/// Flagger, its load tester and podinfo in every member (what `install` and Flux would do).
fn install(playground: &Playground) {
    for m in &playground.members {
        let spec = InstallSpec {
            provider: Provider::Istio,
            cluster_name: m.cluster.name().into(),
            flagger_version: DEFAULT_FLAGGER_VERSION.into(),
            metrics_server: None,
            testloader: true,
        };
        let mut objects = manifests(&spec);
        objects.extend(fleet_sim::sample::podinfo("podinfo:1", 1));
        fleet_sim::kurator::apply_all(&m.cluster, &objects);
    }
}

fn canary(cluster: &SimCluster) -> Option<Value> {
    cluster.get("flagger.app", "canaries", Some("test"), "podinfo")
}

fn phase(cluster: &SimCluster) -> String {
    canary(cluster)
        .and_then(|c| c.pointer("/status/phase").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}

/// Waits (polling the simulator's store) until `done` holds.
async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while !done() {
        assert!(Instant::now() < deadline, "{what} did not happen within {TIMEOUT:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn scope() -> Scope {
    Scope {
        namespace: Some("test".into()),
        name: Some("podinfo".into()),
        labels: None,
    }
}

fn options() -> ExecuteOptions<'static> {
    ExecuteOptions {
        timeout: TIMEOUT,
        cluster_timeout: Duration::from_secs(10),
        keep_skip: false,
        interrupt: None,
    }
}

/// A Kurator fleet: the members' Canaries rendered by the (simulated) fleet manager from the
/// example Application on the hub.
async fn kurator() -> (Playground, FleetSource) {
    let playground = Playground::start(&PlaygroundOptions {
        clusters: 2,
        kurator: true,
        speed: 100.0,
        ..Default::default()
    })
    .await
    .unwrap();
    install(&playground);
    let hub_member = playground.hub.as_ref().unwrap();
    let app: Value = serde_saphyr::from_str(APPLICATION).unwrap();
    hub_member
        .cluster
        .apply("apps.kurator.dev", "applications", Some("default"), &app)
        .unwrap();
    until("the fleet manager rendering the Canaries", || {
        playground.members.iter().all(|m| phase(&m.cluster) == "Initialized")
    })
    .await;
    let hub = Hub {
        client: client(hub_member),
        context: hub_member.cluster.name().to_string(),
        fleet: "quickstart".into(),
        namespace: "default".into(),
    };
    let source = FleetSource::kurator(members(&playground), hub);
    (playground, source)
}

fn application(playground: &Playground) -> Value {
    let hub = &playground.hub.as_ref().unwrap().cluster;
    hub.get("apps.kurator.dev", "applications", Some("default"), "rollout-demo")
        .unwrap()
}

/// Whether a member Canary carries a field written by this verb's own manager.
fn written_by(canary: &Value, verb: &str) -> bool {
    let manager = verb_manager(verb);
    canary
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .is_some_and(|fields| fields.iter().any(|f| f["manager"] == manager.as_str()))
}

/// What execute did, as (cluster, canary, action): it must be what the plan showed.
fn planned(plan: &Plan) -> Vec<(String, String, String)> {
    plan.rows
        .iter()
        .map(|r| (r.target.cluster.clone(), r.target.to_string(), r.step.describe()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_under_kurator_writes_the_hub_application_and_resume_removes_it() {
    let (playground, source) = kurator().await;
    let spec_before = application(&playground)["spec"].clone();

    // The dry run: the plan names the Application, the policy and the field, and changes nothing.
    let plan = actions::plan(&source, &scope(), Verb::Pause, TIMEOUT).await.unwrap();
    assert_eq!(
        application(&playground)["spec"],
        spec_before,
        "planning wrote to the hub"
    );
    assert_eq!(
        planned(&plan),
        [(
            "kurator-host".to_string(),
            "test/podinfo".to_string(),
            "set rolloutPolicy.suspend=true in Application default/rollout-demo syncPolicies[0]".to_string()
        )]
    );
    assert_eq!(
        plan.affected,
        ["kurator-member1", "kurator-member2"],
        "the switch reaches every member"
    );

    // The run executes exactly that plan.
    let rows = actions::execute(&source, &plan, options()).await;
    let done: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r.cluster.clone(), r.canary.clone(), r.action.clone()))
        .collect();
    assert_eq!(done, planned(&plan));
    assert!(rows.iter().all(|r| r.error.is_none()), "{rows:?}");
    let app = application(&playground);
    assert_eq!(
        app["spec"]["syncPolicies"][0]["rollout"]["rolloutPolicy"]["suspend"],
        true
    );
    for m in &playground.members {
        let canary = canary(&m.cluster).unwrap();
        assert!(!written_by(&canary, "pause"), "a member Canary was patched directly");
    }

    // Planned again, it is already done.
    let again = actions::plan(&source, &scope(), Verb::Pause, TIMEOUT).await.unwrap();
    assert!(matches!(&again.rows[0].step, Step::Nothing { .. }), "{again:?}");
    assert_eq!(again.acting(), 0);

    // resume removes the key, leaving the policy as `apply --fleet` wrote it.
    let plan = actions::plan(&source, &scope(), Verb::Resume, TIMEOUT).await.unwrap();
    let rows = actions::execute(&source, &plan, options()).await;
    assert!(rows.iter().all(|r| r.error.is_none()), "{rows:?}");
    assert_eq!(application(&playground)["spec"], spec_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_views_pause_under_kurator_is_undone_by_resume() {
    let (playground, source) = kurator().await;
    let spec_before = application(&playground)["spec"].clone();
    // The key on one member's row plans the hub change too (a member patch would be reverted).
    let selected = [CanaryId::new("kurator-member2", "test", "podinfo")];
    let plan = actions::plan_for(&source, Verb::Pause, &selected, TIMEOUT).await;
    assert_eq!(plan.rows.len(), 1, "{plan:?}");
    assert!(
        matches!(plan.rows[0].step, Step::PolicySwitch { value: true, .. }),
        "{plan:?}"
    );
    let rows = actions::execute(&source, &plan, options()).await;
    assert!(rows.iter().all(|r| r.error.is_none()), "{rows:?}");
    assert_eq!(
        application(&playground)["spec"]["syncPolicies"][0]["rollout"]["rolloutPolicy"]["suspend"],
        true
    );
    // The fleet manager carries it to the members' Canaries, under its own name.
    until("the members' Canaries suspended by Kurator", || {
        playground
            .members
            .iter()
            .all(|m| canary(&m.cluster).is_some_and(|c| c["spec"]["suspend"] == true))
    })
    .await;
    let resume = actions::plan(&source, &scope(), Verb::Resume, TIMEOUT).await.unwrap();
    actions::execute(&source, &resume, options()).await;
    assert_eq!(application(&playground)["spec"], spec_before);
}

/// Two members with Flagger and the demo rollout holding every step at a gate
/// (`--manual-steps`), so a started run stays Progressing until something acts.
async fn gated_fleet() -> (Playground, FleetSource) {
    let render_options = RenderOptions {
        manual_steps: true,
        ..Default::default()
    };
    fleet_with(100.0, &render_options).await
}

/// Two members with Flagger and the demo rollout rendered with `render_options`, every canary
/// Initialized; simulated time runs `speed` times faster.
async fn fleet_with(speed: f64, render_options: &RenderOptions) -> (Playground, FleetSource) {
    let playground = Playground::start(&PlaygroundOptions {
        clusters: 2,
        speed,
        ..Default::default()
    })
    .await
    .unwrap();
    install(&playground);
    let (policies, diagnostics) = load_policies(
        &[Input {
            name: "demo".into(),
            text: POLICY.into(),
        }],
        None,
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    for m in &playground.members {
        let facts = ClusterFacts {
            cluster_name: m.cluster.name().into(),
            ..Default::default()
        };
        fleet_sim::kurator::apply_all(&m.cluster, &render(&policies[0], &facts, render_options).unwrap());
    }
    until("every canary Initialized", || {
        playground.members.iter().all(|m| phase(&m.cluster) == "Initialized")
    })
    .await;
    let source = FleetSource::contexts(members(&playground));
    (playground, source)
}

fn release_options(on_failure: OnFailure, wave_size: Option<&str>) -> ReleaseOptions {
    ReleaseOptions {
        name: "podinfo".into(),
        start: StartPlan {
            images: vec![("podinfod".into(), "podinfo:2".into())],
            ..Default::default()
        },
        wave_size: wave_size.map(str::to_string),
        order: Vec::new(),
        on_failure,
        watch: false,
        cluster_timeout: Duration::from_secs(10),
        policies: None,
        confirmed: None,
    }
}

/// A wave follower that never runs: for releases that are not followed.
async fn no_follow(_: FleetSource, _: Baseline) -> anyhow::Result<WaveFollowed> {
    unreachable!("an unfollowed release follows nothing")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_plans_the_rollback_gate_and_executes_it() {
    let (playground, source) = gated_fleet().await;
    let mut events = Vec::new();
    let outcome = release(
        &source,
        &release_options(OnFailure::Stop, None),
        &Interrupt::manual(),
        no_follow,
        |e| events.push(e),
    )
    .await
    .unwrap();
    assert_eq!(outcome.exit, Exit::Success);
    let rows = outcome.result_rows.expect("an unfollowed release returns its rows");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.result == "started"), "{rows:?}");
    assert!(events.is_empty(), "one unfollowed wave tells nothing: {events:?}");
    until("every canary Progressing", || {
        playground.members.iter().all(|m| phase(&m.cluster) == "Progressing")
    })
    .await;

    let plan = actions::plan(&source, &scope(), Verb::Abort, TIMEOUT).await.unwrap();
    assert_eq!(plan.affected, ["kurator-member1", "kurator-member2"]);
    assert!(
        plan.rows
            .iter()
            .all(|r| matches!(r.step, Step::OpenRollbackGate { .. })),
        "{plan:?}"
    );
    let rows = actions::execute(&source, &plan, options()).await;
    let done: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r.cluster.clone(), r.canary.clone(), r.action.clone()))
        .collect();
    assert_eq!(done, planned(&plan));
    assert!(
        rows.iter().all(|r| r.result.starts_with("rolled back (Failed)")),
        "{rows:?}"
    );
    assert!(playground.members.iter().all(|m| phase(&m.cluster) == "Failed"));
    let again = actions::plan(&source, &scope(), Verb::Abort, TIMEOUT).await.unwrap();
    assert_eq!(again.acting(), 0, "a Failed canary has nothing to abort: {again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_all_aborts_the_started_waves_through_the_abort_plan() {
    let (playground, source) = gated_fleet().await;
    let first = playground.members[0].cluster.clone();
    // The first wave "fails" once its run is under way: abort-all must roll it back and leave
    // the second wave's cluster untouched.
    let follow_wave = |wave: FleetSource, _| {
        let first = first.clone();
        async move {
            assert_eq!(wave.member_names(), ["kurator-member1"]);
            until("the first wave Progressing", || phase(&first) == "Progressing").await;
            Ok(WaveFollowed {
                exit: Exit::Failed,
                quit: false,
                succeeded: 0,
            })
        }
    };
    let mut events = Vec::new();
    let outcome = release(
        &source,
        &release_options(OnFailure::AbortAll, Some("1")),
        &Interrupt::manual(),
        follow_wave,
        |e| events.push(e),
    )
    .await
    .unwrap();
    assert_eq!(outcome.exit, Exit::Failed);
    assert!(
        outcome.result_rows.is_none(),
        "followed waves tell their rows as events"
    );
    let aborted = events
        .iter()
        .find_map(|e| match e {
            ReleaseEvent::Aborted { rows } => Some(rows),
            _ => None,
        })
        .expect("an Aborted event");
    assert_eq!(aborted.len(), 1, "{aborted:?}");
    assert_eq!(aborted[0].cluster, "kurator-member1");
    assert_eq!(aborted[0].action, "open rollback gate");
    assert!(aborted[0].result.starts_with("rolled back"), "{aborted:?}");
    assert!(
        matches!(
            events.last(),
            Some(ReleaseEvent::Halted { halt: Halt::Aborted, untouched }) if untouched == &["kurator-member2"]
        ),
        "{events:?}"
    );
    assert_eq!(phase(&playground.members[0].cluster), "Failed");
    assert_eq!(
        phase(&playground.members[1].cluster),
        "Initialized",
        "the second wave never started"
    );
}

/// A follower that says each wave (in start order) ended with this exit and this many of its
/// clusters succeeded, after checking the wave's run was started.
fn scripted(
    playground: &Playground,
    waves: &'static [(Exit, usize)],
) -> impl FnMut(
    FleetSource,
    Baseline,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<WaveFollowed>> + Send>> {
    let clusters: Vec<SimCluster> = playground.members.iter().map(|m| m.cluster.clone()).collect();
    let mut wave = 0;
    move |source: FleetSource, baseline: Baseline| {
        let (exit, succeeded) = waves[wave];
        wave += 1;
        let clusters = clusters.clone();
        Box::pin(async move {
            assert_eq!(baseline.len(), source.members.len(), "the wave started everywhere");
            for name in source.member_names() {
                let cluster = clusters.iter().find(|c| c.name() == name).unwrap();
                until("the wave's run under way", || phase(cluster) == "Progressing").await;
            }
            Ok(WaveFollowed {
                exit,
                quit: false,
                succeeded,
            })
        })
    }
}

/// README "Exit codes": 5 when some clusters succeeded and others failed, whichever wave
/// failed and whatever the on-failure policy let run after it; a failed canary fails its wave.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_exits_by_the_clusters_of_all_its_waves() {
    let (playground, source) = gated_fleet().await;
    let mut events = Vec::new();
    // continue: the first wave failed, the second succeeded.
    let outcome = release(
        &source,
        &release_options(OnFailure::Continue, Some("1")),
        &Interrupt::manual(),
        scripted(&playground, &[(Exit::Failed, 0), (Exit::Success, 1)]),
        |e| events.push(e),
    )
    .await
    .unwrap();
    assert_eq!(outcome.exit, Exit::Partial, "{events:?}");

    // stop, with the failure in the last wave: the first wave's cluster still succeeded.
    let (playground, source) = gated_fleet().await;
    let outcome = release(
        &source,
        &release_options(OnFailure::Stop, Some("1")),
        &Interrupt::manual(),
        scripted(&playground, &[(Exit::Success, 1), (Exit::Failed, 0)]),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(outcome.exit, Exit::Partial);

    // stop after a first wave where nothing succeeded: 1, the second wave never started.
    let (playground, source) = gated_fleet().await;
    let outcome = release(
        &source,
        &release_options(OnFailure::Stop, Some("1")),
        &Interrupt::manual(),
        scripted(&playground, &[(Exit::Failed, 0)]),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(outcome.exit, Exit::Failed);
    assert_eq!(phase(&playground.members[1].cluster), "Initialized");

    // One wave counts its clusters too: one failed, the other succeeded is 5 (README "Exit
    // codes"), as `status --watch` decides the same fleet.
    let (playground, source) = gated_fleet().await;
    let mut one_wave = release_options(OnFailure::Continue, None);
    one_wave.watch = true;
    let outcome = release(
        &source,
        &one_wave,
        &Interrupt::manual(),
        scripted(&playground, &[(Exit::Partial, 1)]),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(outcome.exit, Exit::Partial);
}

/// `promote --full` under Kurator: the switch in the hub Application until the promotion ended
/// in every member, then taken back (kept with `--keep-skip`), as `spec.skipAnalysis` in a member.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_full_under_kurator_takes_the_hub_switch_back_once_promoted() {
    let (playground, source) = kurator().await;
    let spec_before = application(&playground)["spec"].clone();
    for (image, keep_skip) in [("podinfo:2", false), ("podinfo:3", true)] {
        let mut release_options = release_options(OnFailure::Stop, None);
        release_options.start.images = vec![("podinfod".into(), image.into())];
        let started = release(&source, &release_options, &Interrupt::manual(), no_follow, |_| {})
            .await
            .unwrap();
        assert_eq!(started.exit, Exit::Success, "{:?}", started.result_rows);
        let plan = actions::plan(&source, &scope(), Verb::PromoteFull, TIMEOUT)
            .await
            .unwrap();
        assert!(
            matches!(plan.rows[..], [ref r] if matches!(r.step, Step::PolicySwitch { value: true, .. })),
            "{plan:?}"
        );
        let options = ExecuteOptions { keep_skip, ..options() };
        let rows = actions::execute(&source, &plan, options).await;
        assert!(rows.iter().all(|r| r.error.is_none()), "{rows:?}");
        assert!(
            rows[0].result.starts_with("promoted (Succeeded) in 2 members"),
            "{rows:?}"
        );
        for m in &playground.members {
            let primary = m
                .cluster
                .get("apps", "deployments", Some("test"), "podinfo-primary")
                .unwrap();
            assert_eq!(primary["spec"]["template"]["spec"]["containers"][0]["image"], image);
            assert_eq!(phase(&m.cluster), "Succeeded");
        }
        let switch = application(&playground)["spec"]["syncPolicies"][0]["rollout"]["rolloutPolicy"]
            .get("skipTrafficAnalysis")
            .cloned();
        if keep_skip {
            assert_eq!(switch, Some(Value::Bool(true)), "--keep-skip leaves it");
        } else {
            assert_eq!(application(&playground)["spec"], spec_before, "taken back: {switch:?}");
        }
    }
}

/// Sets podinfo's `spec.suspend` in `cluster` (Flagger leaves a suspended canary where it is).
fn suspend(cluster: &SimCluster, suspend: bool) {
    let patch = serde_json::json!({"spec": {"suspend": suspend}});
    cluster
        .patch(
            "flagger.app",
            "canaries",
            Some("test"),
            "podinfo",
            fleet_sim::patch::PatchKind::Merge,
            &patch,
        )
        .unwrap();
}

/// README "Exit codes": `promote` of a run not yet held at its promotion gate is no success
/// (the row fails: exit 1), and `promote --wait` waits for the gate, then promotes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_before_the_gate_fails_and_promote_wait_waits_for_it() {
    let render_options = RenderOptions {
        manual_promotion: true,
        ..Default::default()
    };
    // Slow enough (1s ticks) to freeze the run between two of its five steps.
    let (playground, source) = fleet_with(10.0, &render_options).await;
    let member = &playground.members[0];
    let one = source.with_members(source.members.subset(&[0]));
    let plan = StartPlan {
        images: vec![("podinfod".into(), "podinfo:2".into())],
        ..Default::default()
    };
    start_release(&client(member), "test", "podinfo", &plan, None)
        .await
        .unwrap();
    until("member1 Progressing", || phase(&member.cluster) == "Progressing").await;
    suspend(&member.cluster, true);

    let promote = actions::plan(&one, &scope(), Verb::Promote, TIMEOUT).await.unwrap();
    assert!(
        matches!(&promote.rows[0].step, Step::Impossible { reason } if reason.contains("promote --wait")),
        "{promote:?}"
    );
    let rows = actions::execute(&one, &promote, options()).await;
    assert_eq!(action_row::exit(&rows), Exit::Failed, "{rows:?}");
    assert_eq!(phase(&member.cluster), "Progressing", "nothing was promoted");

    let wait = actions::plan(&one, &scope(), Verb::PromoteWait, TIMEOUT).await.unwrap();
    assert!(matches!(wait.rows[0].step, Step::AwaitGate { .. }), "{wait:?}");
    suspend(&member.cluster, false);
    let rows = actions::execute(&one, &wait, options()).await;
    assert_eq!(action_row::exit(&rows), Exit::Success, "{rows:?}");
    assert!(rows[0].result.contains("gate opened and closed"), "{rows:?}");
    until("member1 Succeeded", || phase(&member.cluster) == "Succeeded").await;
}

/// README "Promote, abort, …": the abort of a paused run cannot take effect (Flagger skips a
/// suspended canary's analysis, rollback gate included), so its plan says so and the row
/// fails at once instead of waiting out the timeout; resumed, the same abort is planned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_abort_of_a_paused_run_says_resume_first_and_waits_for_nothing() {
    let (playground, source) = gated_fleet().await;
    let member = &playground.members[0];
    let one = source.with_members(source.members.subset(&[0]));
    let plan = StartPlan {
        images: vec![("podinfod".into(), "podinfo:2".into())],
        ..Default::default()
    };
    start_release(&client(member), "test", "podinfo", &plan, None)
        .await
        .unwrap();
    until("member1 Progressing", || phase(&member.cluster) == "Progressing").await;
    suspend(&member.cluster, true);

    let abort = actions::plan(&one, &scope(), Verb::Abort, TIMEOUT).await.unwrap();
    assert!(
        matches!(&abort.rows[0].step, Step::Impossible { reason }
            if reason.contains("the rollback gate is never consulted; resume it first, then abort")),
        "{abort:?}"
    );
    assert_eq!(abort.acting(), 0, "nothing to confirm");
    let began = Instant::now();
    let rows = actions::execute(&one, &abort, options()).await;
    assert_eq!(action_row::exit(&rows), Exit::Failed, "{rows:?}");
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "no waiting: {:?}",
        began.elapsed()
    );
    assert_eq!(phase(&member.cluster), "Progressing", "nothing was rolled back");

    suspend(&member.cluster, false);
    let abort = actions::plan(&one, &scope(), Verb::Abort, TIMEOUT).await.unwrap();
    assert!(matches!(abort.rows[0].step, Step::OpenRollbackGate { .. }), "{abort:?}");
    let rows = actions::execute(&one, &abort, options()).await;
    assert_eq!(action_row::exit(&rows), Exit::Success, "{rows:?}");
    assert_eq!(phase(&member.cluster), "Failed");
}
