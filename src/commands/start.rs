//! `start NAME`: a new release in every target cluster, in waves if asked, optionally followed.

use std::collections::HashMap;

use anyhow::Result;

use super::{connect_fleet, show_live};
use crate::cli::{GlobalArgs, OnFailure, PolicyFiles, StartArgs};
use crate::engine::apply::apply_policies;
use crate::engine::inputs::{load_or_report, render_options};
use crate::engine::live::LiveFleet;
use crate::engine::start::{StartPlan, get_canary, start_release, waves};
use crate::exit::{Exit, ExitError};
use crate::flagger::gates;
use crate::fleet::source::FleetSource;
use crate::fleet::{ClusterError, Fleet};
use crate::interrupt::{Interrupt, UNTOUCHED};
use crate::model::action_row::{self, ActionRow};
use crate::model::canary::is_running;
use crate::model::verdict::Condition;
use crate::output::{print_rows, write_stdout};
use crate::tui::follow::{FollowOptions, follow};

/// Starts the release in the clusters of one wave; returns rows and each started baseline.
async fn start_wave(
    fleet: &Fleet,
    ns: &str,
    name: &str,
    plan: &StartPlan,
    timeout: std::time::Duration,
    interrupt: &Interrupt,
) -> (Vec<ActionRow>, HashMap<(String, String), crate::model::canary::RunMark>) {
    let outcomes = fleet
        .fan_out(timeout, |client, _| async move {
            start_release(&client, ns, name, plan, Some(interrupt)).await
        })
        .await;
    let mut rows = Vec::new();
    let mut baseline = HashMap::new();
    for o in outcomes {
        let canary = format!("{ns}/{name}");
        match o.result {
            Ok(started) => {
                baseline.insert((o.target.context.clone(), canary.clone()), started.baseline);
                rows.push(ActionRow::new(
                    o.target.context,
                    canary,
                    started.action,
                    Ok("started".into()),
                ));
            }
            Err(e) => rows.push(ActionRow::new(o.target.context, canary, "-".into(), Err(e))),
        }
    }
    (rows, baseline)
}

/// Rolls back every running canary of these clusters through its rollback gate.
async fn abort_running(fleet: &Fleet, ns: &str, name: &str) {
    let outcomes = fleet
        .fan_out(std::time::Duration::from_secs(30), |client, _| async move {
            let canary = get_canary(&client, ns, name).await?;
            let phase = canary.pointer("/status/phase").and_then(|v| v.as_str()).unwrap_or("");
            if !is_running(phase) {
                return Ok(false);
            }
            let url = gates::hook_url(&canary, "rollback", "/rollback/check").ok_or_else(|| {
                ClusterError::Other("no rollback hook: apply renders one unless --no-abort-gate".into())
            })?;
            let tester = gates::LoadTester::from_hook(&url, ns)
                .ok_or_else(|| ClusterError::Other(format!("cannot read the hook URL {url}")))?;
            gates::post(&client, &tester, "/rollback/open", name, ns).await?;
            Ok(true)
        })
        .await;
    for o in outcomes {
        match o.result {
            Ok(true) => eprintln!("{}: rollback gate opened", o.target.context),
            Ok(false) => {}
            Err(e) => eprintln!("{}: could not abort: {e}", o.target.context),
        }
    }
}

/// The fleet with the `--order` contexts first, in that order.
fn ordered(fleet: Fleet, order: &[String]) -> Result<Fleet> {
    let mut indices: Vec<usize> = Vec::new();
    for name in order {
        let Some(i) = fleet.clusters.iter().position(|c| &c.target.context == name) else {
            return Err(ExitError::usage(format!("--order {name}: not one of the target contexts")).into());
        };
        if !indices.contains(&i) {
            indices.push(i);
        }
    }
    let rest: Vec<usize> = (0..fleet.len()).filter(|i| !indices.contains(i)).collect();
    indices.extend(rest);
    Ok(fleet.subset(&indices))
}

pub async fn run(global: &GlobalArgs, args: &StartArgs) -> Result<Exit> {
    if args.image.is_empty() && !args.restart {
        return Err(ExitError::usage("start needs --image CONTAINER=IMAGE or --restart").into());
    }
    let fleet = connect_fleet(global).await?;
    let fleet = ordered(fleet, &args.order)?;
    let plan_waves = waves(fleet.len(), args.wave_size.as_deref()).map_err(ExitError::usage)?;
    let ns = global.namespace.clone().unwrap_or_else(|| {
        fleet
            .clusters
            .first()
            .map(|c| c.target.namespace.clone())
            .unwrap_or_else(|| "default".into())
    });
    // Nothing here asks for confirmation, so Ctrl-C is taken over from the first write on.
    let interrupt = Interrupt::on_ctrl_c();
    if !args.files.is_empty() {
        let files = PolicyFiles {
            files: args.files.clone(),
            policy_name: None,
        };
        let policies = match load_or_report(&files)? {
            Ok(p) => p,
            Err(exit) => return Ok(exit),
        };
        let options = render_options(&args.gates);
        let outcomes = fleet
            .fan_out(global.cluster_timeout * 3, |client, target| {
                let (policies, options, interrupt) = (&policies, &options, &interrupt);
                async move {
                    Ok::<_, ClusterError>(
                        apply_policies(
                            &client,
                            policies,
                            &target.context,
                            options,
                            false,
                            args.force_conflicts,
                            interrupt,
                        )
                        .await,
                    )
                }
            })
            .await;
        if interrupt.is_set() {
            let untouched: Vec<&str> = outcomes
                .iter()
                .filter(|o| {
                    o.result
                        .as_ref()
                        .is_ok_and(|rs| rs.iter().any(|r| r.result == UNTOUCHED))
                })
                .map(|o| o.target.context.as_str())
                .collect();
            if untouched.is_empty() {
                eprintln!("interrupted after applying -f everywhere: no release started");
            } else {
                eprintln!(
                    "interrupted while applying -f: no release started; policies not applied in: {}",
                    untouched.join(", ")
                );
            }
            return Ok(Exit::Interrupted);
        }
        // A release on a policy that did not apply would run the old analysis: any failed object
        // or unreachable cluster stops the command before anything is released.
        let mut failed = false;
        for o in outcomes {
            match o.result {
                Err(e) => {
                    failed = true;
                    eprintln!("{}: applying -f: {e}", o.target.context);
                }
                Ok(rows) => {
                    for r in rows {
                        // Warning rows (a field another manager left) are printed, not fatal.
                        let Some(text) = r.error.as_ref().or(r.warning.as_ref()) else {
                            continue;
                        };
                        failed |= r.error.is_some();
                        eprintln!("{}: {} {}: {} {text}", o.target.context, r.policy, r.object, r.result);
                    }
                }
            }
        }
        if failed {
            eprintln!("no release started: fix what -f could not apply (see above) and run start again");
            return Ok(Exit::Failed);
        }
    }
    let plan = StartPlan {
        images: args.image.clone(),
        restart: args.restart,
        force: args.force,
        annotations: Vec::new(),
    };
    let follow_each_wave = plan_waves.len() > 1 || args.watch;
    let mut all_rows = Vec::new();
    let mut exit = Exit::Success;
    // The clusters of the waves from `number` on.
    let waves_from = |number: usize| -> Vec<String> {
        plan_waves[number..]
            .iter()
            .flatten()
            .filter_map(|i| fleet.clusters.get(*i))
            .map(|c| c.target.context.clone())
            .collect()
    };
    let interrupted_before = |number: usize| {
        let untouched = waves_from(number);
        if !untouched.is_empty() {
            eprintln!(
                "interrupted: waves not started, clusters untouched: {}",
                untouched.join(", ")
            );
        }
        Exit::Interrupted
    };
    for (number, wave) in plan_waves.iter().enumerate() {
        if interrupt.is_set() {
            return Ok(interrupted_before(number));
        }
        let wave_fleet = fleet.subset(wave);
        if plan_waves.len() > 1 {
            let names: Vec<&str> = wave_fleet.clusters.iter().map(|c| c.target.context.as_str()).collect();
            eprintln!("wave {}/{}: {}", number + 1, plan_waves.len(), names.join(", "));
        }
        let (rows, baseline) =
            start_wave(&wave_fleet, &ns, &args.name, &plan, global.cluster_timeout, &interrupt).await;
        let failed_to_start = rows.iter().filter(|r| r.error.is_some()).count();
        if follow_each_wave {
            eprint!("{}", action_row::table(&rows));
        }
        all_rows.extend(rows);
        if !follow_each_wave {
            continue;
        }
        if interrupt.is_set() {
            return Ok(interrupted_before(number + 1));
        }
        let started_indices: Vec<usize> = wave_fleet
            .clusters
            .iter()
            .enumerate()
            .filter(|(_, c)| baseline.contains_key(&(c.target.context.clone(), format!("{ns}/{}", args.name))))
            .map(|(i, _)| i)
            .collect();
        let followed = FleetSource::contexts(wave_fleet.subset(&started_indices));
        let outcome = if followed.members.is_empty() {
            Exit::Failed
        } else {
            let scope = crate::invocation::Invocation::from_global(global)?.scope(Some(&args.name), None, &ns);
            let watched = LiveFleet::watch(&followed, &scope);
            let options = FollowOptions {
                condition: Condition {
                    wait_for_start: true,
                    baseline,
                    ..Condition::all()
                },
                timeout: args.timeout,
                output: global.output,
                live: show_live(global),
            };
            let result = follow(
                &followed,
                &watched,
                &options,
                &format!("following {} · Ctrl-C to stop", args.name),
            )
            .await?;
            if result.quit {
                // The person stopped following: later waves must not start behind their back.
                let later = waves_from(number + 1);
                if !later.is_empty() {
                    eprintln!("left the live view: later waves not started ({})", later.join(", "));
                }
                return Ok(exit);
            }
            result.exit
        };
        let outcome = if failed_to_start > 0 && outcome == Exit::Success {
            Exit::Partial
        } else {
            outcome
        };
        if outcome != Exit::Success {
            exit = outcome;
            match outcome {
                Exit::Interrupted => return Ok(interrupted_before(number + 1)),
                Exit::Timeout => return Ok(outcome),
                _ => {}
            }
            let later = waves_from(number + 1);
            match args.on_failure {
                OnFailure::Stop if !later.is_empty() => {
                    eprintln!(
                        "wave {} did not succeed: later waves not started ({})",
                        number + 1,
                        later.join(", ")
                    );
                    return Ok(exit);
                }
                OnFailure::AbortAll => {
                    let so_far: Vec<usize> = plan_waves[..=number].iter().flatten().copied().collect();
                    abort_running(&fleet.subset(&so_far), &ns, &args.name).await;
                    if !later.is_empty() {
                        eprintln!("aborted: later waves not started ({})", later.join(", "));
                    }
                    return Ok(exit);
                }
                _ => {}
            }
        }
    }
    if !follow_each_wave {
        print_rows(global.output, &all_rows, |_| action_row::table(&all_rows))?;
        return Ok(action_row::exit(&all_rows));
    }
    write_stdout("")?;
    Ok(exit)
}
