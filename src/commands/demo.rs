//! `demo`: a whole fleet rollout on built-in simulated clusters. Flagger is installed with
//! `install`'s code, a podinfo-style rollout applied with `apply`'s, a release started with
//! `start`'s in every cluster (one of them annotated to fail its success rate), and followed with
//! the live view (or transition lines without a terminal). The exit code follows the status
//! contract: 1, since one cluster fails by design.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, Result};
use fleet_sim::{Playground, PlaygroundOptions};
use serde_json::Value;

use super::show_live;
use crate::cli::{DemoArgs, GlobalArgs};
use crate::config::{Input, load_policies};
use crate::engine::apply::apply_policies;
use crate::engine::live::LiveFleet;
use crate::engine::release::{StartPlan, start_release};
use crate::exit::Exit;
use crate::fleet::ClusterError;
use crate::fleet::apply::apply_object;
use crate::fleet::source::FleetSource;
use crate::install::FIELD_MANAGER;
use crate::install::provider::Provider;
use crate::interrupt::Interrupt;
use crate::model::canary::CanaryState;
use crate::model::update::Scope;
use crate::model::verdict::Condition;
use crate::render::RenderOptions;
use crate::tui::follow::{FollowOptions, follow};

const POLICY: &str = include_str!("../../examples/demo-rollout.yaml");
const NEW_IMAGE: &str = "ghcr.io/stefanprodan/podinfo:6.0.1";

fn workload() -> Vec<Value> {
    fleet_sim::sample::podinfo("ghcr.io/stefanprodan/podinfo:6.0.0", 2)
}

fn step(message: &str) {
    eprintln!("» {message}");
}

async fn check_all(results: Vec<crate::fleet::ClusterOutcome<()>>, what: &str) -> Result<()> {
    for r in results {
        if let Err(e) = r.result {
            anyhow::bail!("{what} failed in {}: {e}", r.target.context);
        }
    }
    Ok(())
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

pub async fn run(global: &GlobalArgs, args: &DemoArgs) -> Result<Exit> {
    // The demo follows its rollout: a streaming format or a table.
    crate::output::refuse_with_watch(global.output)?;
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
    super::playground::write_private(&kubeconfig_path, &yaml)?;
    eprintln!(
        "  to look from another terminal (while this runs): export KUBECONFIG={}",
        kubeconfig_path.display()
    );

    let source = FleetSource::contexts(super::playground::connect_members(&playground, "test").await?);
    let fleet = &source.members;
    let timeout = Duration::from_secs(60);

    step("installing Flagger and the load tester in every cluster (install)");
    let installed = super::playground::install_everywhere(fleet, Provider::Istio, true).await;
    check_all(installed, "install").await?;

    step("deploying podinfo and applying the rollout policy (apply)");
    let (policies, diagnostics) = load_policies(
        &[Input {
            name: "demo-rollout.yaml".into(),
            text: POLICY.into(),
        }],
        Some("demo"),
    );
    anyhow::ensure!(
        diagnostics.is_empty(),
        "the built-in policy is invalid: {diagnostics:?}"
    );
    let applied = fleet
        .fan_out(timeout, |client, target| {
            let policies = &policies;
            async move {
                for obj in workload() {
                    apply_object(&client, &obj, FIELD_MANAGER, false).await?;
                }
                let results = apply_policies(
                    &client,
                    policies,
                    &target.context,
                    &RenderOptions::default(),
                    false,
                    false,
                    &Interrupt::manual(),
                )
                .await;
                match results.into_iter().find_map(|r| r.error) {
                    Some(e) => Err(ClusterError::Other(e)),
                    None => Ok(()),
                }
            }
        })
        .await;
    check_all(applied, "apply").await?;
    wait_initialized(&source, timeout).await?;

    let failing = fleet
        .clusters
        .get(1)
        .map(|c| c.target.context.clone())
        .unwrap_or_default();
    step(&format!(
        "starting release {NEW_IMAGE} everywhere (start); {failing} is annotated to fail its success rate"
    ));
    let started = fleet
        .fan_out(timeout, |client, target| {
            let failing = failing.clone();
            async move {
                let mut plan = StartPlan {
                    images: vec![("podinfod".into(), NEW_IMAGE.into())],
                    ..Default::default()
                };
                if target.context == failing {
                    plan.annotations
                        .push(("sim.kurator.dev/success-rate".into(), "80".into()));
                }
                start_release(&client, "test", "podinfo", &plan, None).await
            }
        })
        .await;
    let mut baseline = HashMap::new();
    for s in started {
        let started = s
            .result
            .map_err(|e| anyhow::anyhow!("start failed in {}: {e}", s.target.context))?;
        baseline.insert((s.target.context.clone(), "test/podinfo".to_string()), started.baseline);
    }

    let follow_options = FollowOptions {
        condition: Condition {
            wait_for_start: true,
            baseline,
            ..Condition::all()
        },
        timeout: Some(Duration::from_secs(300)),
        output: global.output,
        live: show_live(global) && !global.yes,
        confirm: crate::invocation::ConfirmPolicy::new(global.yes, &global.protected)?,
    };
    let watched = LiveFleet::watch(&source, &podinfo());
    let outcome = follow(&source, &watched, &follow_options, "demo · Ctrl-C to stop").await?;
    let exit = if outcome.quit {
        outcome.exit
    } else if went_as_designed(&outcome.rows, &failing) {
        eprintln!(
            "{failing} rolled back by design (its release reports an 80% success rate); the others promoted {NEW_IMAGE}.\n\
             The demo went as designed; `status --watch` on this fleet would exit 1 (a canary failed)."
        );
        Exit::Success
    } else {
        if outcome.exit != Exit::Interrupted {
            eprintln!("the demo did not go as designed: {failing} should have rolled back and the others promoted");
        }
        if outcome.exit == Exit::Success {
            Exit::Failed
        } else {
            outcome.exit
        }
    };
    if args.keep {
        eprintln!(
            "the playground keeps serving until Ctrl-C:\nexport KUBECONFIG={}",
            kubeconfig_path.display()
        );
        tokio::signal::ctrl_c().await?;
    }
    drop(playground);
    Ok(exit)
}

/// The designed ending: `failing` rolled back, every other cluster promoted (pure).
fn went_as_designed(rows: &[CanaryState], failing: &str) -> bool {
    !rows.is_empty()
        && rows.iter().all(|r| {
            let wanted = if r.cluster == failing { "Failed" } else { "Succeeded" };
            r.phase == wanted
        })
}
