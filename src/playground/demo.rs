//! `demo`: a whole fleet rollout on built-in simulated clusters. Flagger is installed with
//! `install`'s code, a podinfo-style rollout applied with `apply`'s, a release started with
//! `start`'s in every cluster (one cluster's pods report an 80% success rate, so it must roll
//! back), and followed with the live view (or transition lines without a terminal). It exits 0
//! when the rollout went as designed (that cluster rolled back, the others promoted), else
//! non-zero.

use std::time::Duration;

use anyhow::{Context, Result};
use fleet_sim::{Playground, PlaygroundOptions};
use serde_json::Value;

use crate::cli::{DemoArgs, OnFailure};
use crate::config::{Input, load_policies};
use crate::engine::live::{FollowResult, LiveFleet};
use crate::engine::policies::{ApplyRequest, apply, plan};
use crate::engine::release::{Baseline, ReleaseOptions, StartPlan, WaveFollowed, release};
use crate::exit::Exit;
use crate::fleet::source::FleetSource;
use crate::install::provider::Provider;
use crate::interrupt::Interrupt;
use crate::invocation::{ConfirmPolicy, Invocation};
use crate::model::canary::CanaryState;
use crate::model::policy::Applied;
use crate::model::update::Scope;
use crate::model::verdict::Condition;
use crate::render::GateChoice;
use crate::tui::follow::{FollowOptions, follow};
use crate::view::release::event_text;

const POLICY: &str = include_str!("../../examples/demo-rollout.yaml");
const NEW_IMAGE: &str = "ghcr.io/stefanprodan/podinfo:6.0.1";

/// podinfo as the user deploys it; `failing` marks its pods to report an 80% success rate.
fn workload(failing: bool) -> Vec<Value> {
    let mut objects = fleet_sim::sample::podinfo("ghcr.io/stefanprodan/podinfo:6.0.0", 2);
    if failing {
        for object in objects.iter_mut().filter(|o| o["kind"] == "Deployment") {
            object["spec"]["template"]["metadata"]["annotations"][fleet_sim::flagger::metrics::SUCCESS_RATE] =
                Value::from("80");
        }
    }
    objects
}

fn step(message: &str) {
    eprintln!("» {message}");
}

/// The built-in policy, applied with `apply`'s engine.
async fn apply_policy(source: &FleetSource, timeout: Duration) -> Result<()> {
    let inputs = [Input {
        name: "demo-rollout.yaml".into(),
        text: POLICY.into(),
    }];
    let (policies, diagnostics) = load_policies(&inputs, Some("demo"));
    anyhow::ensure!(
        diagnostics.is_empty(),
        "the built-in policy is invalid: {diagnostics:?}"
    );
    let request = ApplyRequest {
        inputs: &inputs,
        policies: &policies,
        gates: GateChoice::default(),
        cluster_names: &[],
        dry_run: false,
        force_conflicts: false,
        timeout,
    };
    let planned = plan(source, &request).await?;
    let applied = apply(source, &request, planned).await?;
    if let Applied::Members(rows) = &applied
        && let Some(row) = rows.iter().find(|r| r.result.error.is_some())
    {
        anyhow::bail!(
            "apply failed in {}: {}",
            row.cluster,
            row.result.error.as_deref().unwrap_or_default()
        );
    }
    Ok(())
}

/// The release, started with `start`'s engine and followed as `start --watch` follows it;
/// returns how the follow ended and its final rows.
async fn release_and_follow(
    source: &FleetSource,
    output: crate::cli::OutputFormat,
    live: bool,
    confirm: ConfirmPolicy,
) -> Result<FollowResult> {
    let options = ReleaseOptions {
        name: "podinfo".into(),
        start: StartPlan {
            images: vec![("podinfod".into(), NEW_IMAGE.into())],
            ..Default::default()
        },
        wave_size: None,
        order: Vec::new(),
        on_failure: OnFailure::Continue,
        watch: true,
        cluster_timeout: Duration::from_secs(60),
        policies: None,
        confirmed: None,
    };
    let followed = std::cell::RefCell::new(None);
    let follow_wave = |wave: FleetSource, baseline: Baseline| {
        let options = FollowOptions {
            // The demo shows the whole rollout: every run to its end, also after the failing
            // cluster's failure decided the exit.
            condition: Condition {
                every_run_to_its_end: true,
                ..Condition::for_started(baseline)
            },
            timeout: Some(Duration::from_secs(300)),
            output,
            live,
            confirm: confirm.clone(),
            cluster_timeout: options.cluster_timeout,
            // The demo's one wave is its end: its follow says how it ended.
            wave: false,
        };
        let followed = &followed;
        async move {
            let watched = LiveFleet::watch(&wave, &podinfo());
            let result = follow(&wave, &watched, &options, "demo · Ctrl-C to stop").await?;
            let wave = WaveFollowed {
                exit: result.exit,
                quit: result.quit,
                succeeded: result.rows.iter().filter(|r| r.ended_well()).count(),
            };
            *followed.borrow_mut() = Some(result);
            Ok(wave)
        }
    };
    let interrupt = Interrupt::on_ctrl_c();
    release(source, &options, &interrupt, follow_wave, |event| {
        eprint!("{}", event_text(&event))
    })
    .await?;
    followed
        .into_inner()
        .ok_or_else(|| anyhow::anyhow!("the release did not start in any cluster"))
}

fn podinfo() -> Scope {
    Scope {
        namespace: Some("test".into()),
        name: Some("podinfo".into()),
        labels: None,
    }
}

/// Waits (watching) until every cluster's canary is Initialized.
async fn wait_initialized(fleet: &FleetSource, limit: Duration) -> Result<()> {
    let watched = LiveFleet::watch(fleet, &podinfo());
    let initialized = |state: &crate::model::fleet_state::FleetState| {
        let rows = state.rows();
        state.complete() && rows.len() == fleet.members.len() && rows.iter().all(|r| r.phase == "Initialized")
    };
    let mut subscription = watched.subscribe();
    if !subscription.wait_for(limit, initialized).await {
        let phases: Vec<(String, String)> = subscription
            .state()
            .rows()
            .into_iter()
            .map(|r| (r.cluster, r.phase))
            .collect();
        anyhow::bail!("the canaries did not initialise in time: {phases:?}");
    }
    Ok(())
}

pub async fn run(inv: &Invocation, args: &DemoArgs) -> Result<Exit> {
    // The demo follows its rollout: a streaming format or a table.
    crate::output::refuse_with_watch(inv.output)?;
    step(&format!(
        "starting {} simulated clusters (time runs {}× faster)",
        args.clusters, args.speed
    ));
    let options = PlaygroundOptions {
        clusters: args.clusters as usize,
        speed: args.speed,
        ..Default::default()
    };
    let playground = Playground::start(&options)
        .await
        .context("starting the simulated clusters")?;
    let dir = tempfile::Builder::new().prefix("kurator-rollout-demo-").tempdir()?;
    let kubeconfig_path = dir.path().join("kubeconfig");
    let yaml = playground.kubeconfig_yaml();
    // A new file in a new directory.
    super::write_private(&kubeconfig_path, &yaml, false)?;
    eprintln!(
        "  to look from another terminal (while this runs): export KUBECONFIG={}",
        kubeconfig_path.display()
    );

    let source = FleetSource::contexts(super::connect_members(&playground, "test").await?);
    let fleet = &source.members;
    let timeout = Duration::from_secs(60);

    step("installing Flagger and the load tester in every cluster (install)");
    let installed = super::install_everywhere(fleet, Provider::Istio, true).await;
    super::installed_everywhere(&installed)?;

    let failing = fleet
        .clusters
        .get(1)
        .map(|c| c.target.context.clone())
        .unwrap_or_default();
    step("deploying podinfo and applying the rollout policy (apply)");
    // The workload is the user's own (their CI or GitOps deploys it), so it goes in through the
    // simulator; the failing cluster's pods report an 80% success rate to its metrics, which
    // the next revision keeps.
    for (member, handle) in playground.members.iter().zip(&fleet.clusters) {
        fleet_sim::kurator::apply_all(&member.cluster, &workload(handle.target.context == failing));
    }
    apply_policy(&source, timeout).await?;
    wait_initialized(&source, timeout).await?;
    // Held to the end (and through --keep): the page watches the whole release.
    let _dashboard = match args.dashboard {
        true => Some(serve_dashboard(&source, inv).await?),
        false => None,
    };

    step(&format!(
        "starting release {NEW_IMAGE} everywhere (start); {failing}'s pods report an 80% success rate, so it must roll back"
    ));
    // `--yes` runs the demo unattended: transition lines instead of the live view.
    let live = inv.show_live() && !inv.confirm.yes;
    let outcome = release_and_follow(&source, inv.output, live, inv.confirm.clone()).await?;
    let exit = demo_exit(&outcome, &failing);
    if args.keep {
        eprintln!(
            "the playground keeps serving until Ctrl-C:\nexport KUBECONFIG={}",
            kubeconfig_path.display()
        );
        Interrupt::on_ctrl_c_watching().raised().await;
    }
    drop(playground);
    Ok(exit)
}

/// The `dashboard` verb's page over the demo's fleet, on 127.0.0.1 and any free port.
async fn serve_dashboard(source: &FleetSource, inv: &Invocation) -> Result<crate::dashboard::Dashboard> {
    let options = crate::dashboard::Options {
        address: std::net::Ipv4Addr::LOCALHOST.into(),
        port: 0,
        read_only: false,
        confirm: inv.confirm.clone(),
        cluster_timeout: inv.cluster_timeout,
    };
    let dashboard = crate::dashboard::start(source.clone(), &podinfo(), options).await?;
    step(&format!("the rollout in a browser (dashboard): {}", dashboard.url));
    Ok(dashboard)
}

/// The demo's exit: 0 when it went as designed (one cluster rolled back, the others promoted),
/// else how the follow ended (1 where that was a success), said on stderr.
fn demo_exit(outcome: &FollowResult, failing: &str) -> Exit {
    if outcome.quit {
        return outcome.exit;
    }
    if went_as_designed(&outcome.rows, failing) {
        eprintln!(
            "{failing} rolled back by design (its pods report an 80% success rate); the others promoted {NEW_IMAGE}.\n\
             The demo went as designed; `status --watch` on this fleet would exit 5 (some clusters failed, the others succeeded)."
        );
        return Exit::Success;
    }
    if outcome.exit != Exit::Interrupted {
        eprintln!("the demo did not go as designed: {failing} should have rolled back and the others promoted");
    }
    if outcome.exit == Exit::Success {
        Exit::Failed
    } else {
        outcome.exit
    }
}

/// The designed ending: `failing` rolled back, every other cluster promoted (pure).
fn went_as_designed(rows: &[CanaryState], failing: &str) -> bool {
    !rows.is_empty()
        && rows.iter().all(|r| {
            let wanted = if r.cluster == failing { "Failed" } else { "Succeeded" };
            r.phase == wanted
        })
}
