//! `engine::setup` and `engine::policies` in process, against a simulated fleet served from
//! the same process (no binary, no socket): install then check, and apply — its dry run writes
//! nothing, a second apply changes nothing.

use std::time::Duration;

use fleet_sim::{Playground, PlaygroundOptions, SimCluster};
use kubectl_kurator_rollout::cli::InstallArgs;
use kubectl_kurator_rollout::config::{Input, Policy, load_policies};
use kubectl_kurator_rollout::engine::policies::{self, ApplyRequest};
use kubectl_kurator_rollout::engine::setup::{self, Installed};
use kubectl_kurator_rollout::exit::Exit;
use kubectl_kurator_rollout::fleet::apply::apply_object;
use kubectl_kurator_rollout::fleet::source::FleetSource;
use kubectl_kurator_rollout::fleet::{Fleet, Target};
use kubectl_kurator_rollout::install::FIELD_MANAGER;
use kubectl_kurator_rollout::install::manifests::{DEFAULT_FLAGGER_VERSION, InstallSpec, manifests};
use kubectl_kurator_rollout::install::provider::Provider;
use kubectl_kurator_rollout::model::policy::Applied;
use kubectl_kurator_rollout::model::setup::check_exit;
use kubectl_kurator_rollout::render::GateChoice;

const TIMEOUT: Duration = Duration::from_secs(90);

async fn playground(clusters: usize) -> Playground {
    Playground::start(&PlaygroundOptions {
        clusters,
        plain_http: true,
        speed: 100.0,
        ..Default::default()
    })
    .await
    .expect("the simulated fleet starts")
}

/// The members as the engine sees them in context mode, each reached in process.
fn source(playground: &Playground) -> FleetSource {
    let clients = playground
        .members
        .iter()
        .map(|m| {
            let target = Target {
                context: m.cluster.name().to_string(),
                cluster: m.cluster.name().to_string(),
                server: m.server.clone(),
                namespace: "default".into(),
            };
            (target, kube::Client::new(m.cluster.service(&m.token), "default"))
        })
        .collect();
    FleetSource::contexts(Fleet::from_clients(clients))
}

fn install_args() -> InstallArgs {
    InstallArgs {
        provider: Provider::Istio,
        metrics_server: None,
        flagger_version: DEFAULT_FLAGGER_VERSION.into(),
        testloader: true,
        cluster_name: Vec::new(),
        timeout: TIMEOUT,
        dry_run: false,
        force_conflicts: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn install_on_two_clusters_then_check_passes() {
    let playground = playground(2).await;
    let source = source(&playground);
    let before = setup::check(&source, true, false, TIMEOUT).await.unwrap();
    assert_eq!(check_exit(&before.rows, None), Exit::Failed, "{:?}", before.rows);
    assert!(before.hub.is_none(), "no Fleet plugin in context mode");

    let Installed::Members { rows, exit } = setup::install(&source, &install_args(), false).await.unwrap() else {
        panic!("context mode installs into the members");
    };
    assert_eq!(exit, Exit::Success, "{rows:?}");
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter().all(|r| r.status == "Ready" && r.changes.created > 0),
        "{rows:?}"
    );

    let after = setup::check(&source, true, false, TIMEOUT).await.unwrap();
    assert_eq!(check_exit(&after.rows, None), Exit::Success, "{:?}", after.rows);

    // Again: nothing to create.
    let Installed::Members { rows, exit } = setup::install(&source, &install_args(), false).await.unwrap() else {
        panic!("context mode installs into the members");
    };
    assert_eq!(exit, Exit::Success);
    assert!(rows.iter().all(|r| r.changes.created == 0), "{rows:?}");
}

/// The example with its own (private) load tester: apply refuses hooks calling a public one
/// that is not installed, and these clusters have no Flagger install.
fn podinfo_policy(max_weight: u32) -> Vec<Policy> {
    let text = include_str!("../examples/rollout-podinfo.yaml")
        .replacen("maxWeight: 50", &format!("maxWeight: {max_weight}"), 1)
        .replacen("testLoader: false", "testLoader: true", 1);
    let inputs = [Input {
        name: "rollout-podinfo.yaml".into(),
        text,
    }];
    let (policies, diagnostics) = load_policies(&inputs, None);
    assert_eq!(policies.len(), 1, "{diagnostics:?}");
    policies
}

async fn apply(source: &FleetSource, policies: &[Policy], dry_run: bool) -> (Vec<String>, Exit) {
    let request = ApplyRequest {
        inputs: &[],
        policies,
        gates: GateChoice::default(),
        cluster_names: &[],
        dry_run,
        force_conflicts: false,
        timeout: TIMEOUT,
    };
    let plan = policies::plan(source, &request).await.unwrap();
    let applied = policies::apply(source, &request, plan).await.unwrap();
    let Applied::Members(rows) = &applied else {
        panic!("context mode applies to the members");
    };
    let results = rows
        .iter()
        .map(|r| format!("{} {}", r.result.object, r.result.result))
        .collect();
    (results, applied.exit())
}

/// `kind namespace/name@resourceVersion` of every object a policy writes: Flagger's, and the
/// workload's Namespace (the policy labels it).
fn policy_objects(cluster: &SimCluster) -> Vec<String> {
    let mut versions = Vec::new();
    for (group, plural) in [
        ("flagger.app", "canaries"),
        ("flagger.app", "metrictemplates"),
        ("flagger.app", "alertproviders"),
        ("", "namespaces"),
    ] {
        for o in cluster.list(group, plural, None) {
            let m = &o["metadata"];
            versions.push(format!(
                "{plural} {}/{}@{}",
                m["namespace"].as_str().unwrap_or(""),
                m["name"].as_str().unwrap_or(""),
                m["resourceVersion"].as_str().unwrap_or("")
            ));
        }
    }
    versions
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_dry_run_writes_nothing_and_a_second_apply_changes_nothing() {
    let playground = playground(2).await;
    let source = source(&playground);
    // The workload, and Flagger's CRDs without Flagger: nothing but this test writes the
    // Canaries, so their resourceVersions move only with its applies.
    let spec = InstallSpec {
        provider: Provider::Istio,
        cluster_name: String::new(),
        flagger_version: DEFAULT_FLAGGER_VERSION.into(),
        metrics_server: None,
        testloader: false,
    };
    let crds: Vec<_> = manifests(&spec)
        .into_iter()
        .filter(|o| o["kind"] == "CustomResourceDefinition")
        .collect();
    for handle in &source.members.clusters {
        let client = handle.client.as_ref().unwrap();
        for obj in crds.iter().chain(&fleet_sim::sample::podinfo("podinfo:1", 1)) {
            apply_object(client, obj, FIELD_MANAGER, false).await.unwrap();
        }
    }
    let members: Vec<&SimCluster> = playground.members.iter().map(|m| &m.cluster).collect();
    let versions = || members.iter().map(|c| policy_objects(c)).collect::<Vec<_>>();

    let (dry, exit) = apply(&source, &podinfo_policy(50), true).await;
    assert_eq!(exit, Exit::Success, "{dry:?}");
    assert!(
        dry.iter().filter(|r| *r == "Canary test/podinfo would create").count() == 2,
        "{dry:?}"
    );
    let settled = versions();
    assert!(
        settled.iter().all(|v| !v.iter().any(|o| o.starts_with("canaries"))),
        "{settled:?}"
    );

    let (dry, _) = apply(&source, &podinfo_policy(50), true).await;
    assert_eq!(versions(), settled, "a dry run changed a resourceVersion");
    assert!(dry.iter().any(|r| r.ends_with("would configure")), "{dry:?}");

    let (applied, exit) = apply(&source, &podinfo_policy(50), false).await;
    assert_eq!(exit, Exit::Success, "{applied:?}");
    assert!(
        applied
            .iter()
            .all(|r| r.ends_with("created") || r.ends_with("configured")),
        "{applied:?}"
    );
    let written = versions();
    assert!(
        written
            .iter()
            .all(|v| v.iter().any(|o| o.starts_with("canaries test/podinfo@"))),
        "{written:?}"
    );

    let (dry, _) = apply(&source, &podinfo_policy(40), true).await;
    assert!(
        dry.iter()
            .any(|r| r.contains("Canary") && r.ends_with("would configure")),
        "{dry:?}"
    );
    assert_eq!(versions(), written, "a dry run changed a resourceVersion");

    let (again, exit) = apply(&source, &podinfo_policy(50), false).await;
    assert_eq!(exit, Exit::Success, "{again:?}");
    assert!(again.iter().all(|r| r.ends_with("unchanged")), "{again:?}");
    assert_eq!(versions(), written, "an unchanged apply wrote");
}

/// The Kurator hub of an in-process playground as the engine sees it under `--fleet quickstart`:
/// the hub reached in process, the members through the kubeconfigs in its Secrets.
async fn kurator_source(playground: &Playground) -> FleetSource {
    use kubectl_kurator_rollout::fleet::kurator::{FleetSelector, members};
    use kubectl_kurator_rollout::fleet::source::Hub;
    let hub = playground.hub.as_ref().expect("a Kurator hub");
    let client = kube::Client::new(hub.cluster.service(&hub.token), "default");
    let selector = FleetSelector {
        name: "quickstart".into(),
        namespace: "default".into(),
        labels: Vec::new(),
        member_namespace: None,
    };
    let clusters = members(&client, &selector).await.expect("the Fleet's members");
    let hub = Hub {
        client,
        context: hub.cluster.name().to_string(),
        fleet: "quickstart".into(),
        namespace: "default".into(),
    };
    FleetSource::kurator(Fleet { clusters }, hub)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_kurator_dry_runs_go_to_the_hub_and_change_nothing() {
    use kubectl_kurator_rollout::engine::setup::{InstallPreview, Removal};
    let playground = Playground::start(&PlaygroundOptions {
        clusters: 2,
        kurator: true,
        plain_http: true,
        speed: 100.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let source = kurator_source(&playground).await;
    let hub = &playground.hub.as_ref().unwrap().cluster;
    let fleet_version = || {
        hub.get("fleet.kurator.dev", "fleets", Some("default"), "quickstart")
            .unwrap()["metadata"]["resourceVersion"]
            .clone()
    };
    let before = fleet_version();

    let InstallPreview::Hub(change) = setup::preview_install(&source, &install_args()).await.unwrap() else {
        panic!("under Kurator an install goes through the Fleet plugin");
    };
    assert_eq!(change.result, "would configure");
    assert_eq!(change.after.as_ref().unwrap()["trafficRoutingProvider"], "istio");
    let Removal::Hub(removal) = setup::plan_removal(&source, false, TIMEOUT).await.unwrap() else {
        panic!("under Kurator uninstall removes the Fleet plugin");
    };
    assert_eq!(removal.change.result, "unchanged", "no plugin to remove yet");

    let inputs = [Input {
        name: "rollout-podinfo.yaml".into(),
        text: include_str!("../examples/rollout-podinfo.yaml").into(),
    }];
    let request = ApplyRequest {
        inputs: &inputs,
        policies: &podinfo_policy(50),
        gates: GateChoice::default(),
        cluster_names: &[],
        dry_run: true,
        force_conflicts: false,
        timeout: TIMEOUT,
    };
    let plan = policies::plan(&source, &request).await.unwrap();
    let Applied::Hub(rows) = policies::apply(&source, &request, plan).await.unwrap() else {
        panic!("under Kurator the Applications go to the hub");
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].application.as_str(), rows[0].result.as_str()),
        ("default/rollout-demo", "would create")
    );

    assert_eq!(fleet_version(), before, "a dry run changed the Fleet");
    assert!(
        hub.get("apps.kurator.dev", "applications", Some("default"), "rollout-demo")
            .is_none()
    );
    assert!(hub.list("helm.toolkit.fluxcd.io", "helmreleases", None).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_versions_tell_not_installed_from_unknown() {
    let playground = playground(2).await;
    let source = source(&playground);
    let bare = setup::server_versions(&source, TIMEOUT).await;
    assert!(
        bare.iter()
            .all(|r| r.server_version.is_some() && r.flagger_installed == Some(false) && r.error.is_none()),
        "{bare:?}"
    );

    // In process the member's faults refuse every request, as its port would.
    playground.members[1].cluster.set_unreachable(true).unwrap();
    let rows = setup::server_versions(&source, TIMEOUT).await;
    let down = &rows[1];
    assert_eq!(
        (&down.server_version, down.flagger_installed, &down.flagger_version),
        (&None, None, &None),
        "{rows:?}"
    );
    assert!(down.error.is_some(), "{rows:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_fails_a_missing_namespace_and_the_hub_has_its_row() {
    let playground = Playground::start(&PlaygroundOptions {
        clusters: 1,
        kurator: true,
        plain_http: true,
        speed: 100.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut source = kurator_source(&playground).await;
    for cluster in &mut source.members.clusters {
        cluster.target.namespace = "shop".into();
    }
    let checked = setup::check(&source, false, false, TIMEOUT).await.unwrap();
    let (_, hub) = checked.hub.as_ref().expect("under Kurator the hub has a row");
    assert_eq!(hub.failed_checks(), ["plugin.flagger"], "no Fleet plugin yet");
    let member = &checked.rows[0];
    assert!(member.failed_checks().contains(&"Namespace"), "{member:?}");
    assert_eq!(check_exit(&checked.rows, Some(hub)), Exit::Failed);

    // -A: no namespace must exist.
    let all = setup::check(&source, false, true, TIMEOUT).await.unwrap();
    assert!(
        all.rows[0].checks.iter().all(|c| c.name != "Namespace"),
        "{:?}",
        all.rows
    );
}

/// A transport that counts the requests and answers each only after `delay`, as a far-away
/// API server would: the time a command takes then says how many round trips one after the
/// other it needed.
#[derive(Clone)]
struct FarAway<S> {
    inner: S,
    delay: Duration,
    requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl<S, B> tower::Service<http::Request<B>> for FarAway<S>
where
    S: tower::Service<http::Request<B>> + Send,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = futures::future::BoxFuture<'static, Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        self.requests.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let answer = self.inner.call(request);
        let delay = self.delay;
        Box::pin(async move {
            tokio::time::sleep(delay).await;
            answer.await
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_sends_a_clusters_requests_at_once_in_two_round_trips() {
    let playground = playground(1).await;
    let member = &playground.members[0];
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let delay = Duration::from_millis(500);
    let far_away = FarAway {
        inner: member.cluster.service(&member.token),
        delay,
        requests: requests.clone(),
    };
    let target = Target {
        context: member.cluster.name().to_string(),
        cluster: member.cluster.name().to_string(),
        server: member.server.clone(),
        namespace: "default".into(),
    };
    let source = FleetSource::contexts(Fleet::from_clients(vec![(
        target,
        kube::Client::new(far_away, "default"),
    )]));
    let started = std::time::Instant::now();
    let checked = setup::check(&source, false, false, TIMEOUT).await.unwrap();
    let took = started.elapsed();
    let names: Vec<&str> = checked.rows[0].checks.iter().map(|c| c.name.as_str()).collect();
    // The rows in their order, whatever answered first.
    assert_eq!(
        names,
        ["API server", "Flagger CRDs", "Namespace", "Flagger", "Permissions"]
    );
    // version, 3 CRDs, the namespace, every Deployment, the Canaries, 8 access reviews in the
    // namespace and 2 for the load tester's gates: this fails if a request is added.
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 17);
    // Everything at once but the gate reviews, which wait for the Canaries (which name the
    // load testers): two round trips (one after the other, 17 took 8.5 s).
    assert!(took >= 2 * delay && took < 3 * delay, "{took:?}");
}
