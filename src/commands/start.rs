//! `start NAME`: the release's plan, a confirmation, then a new release in every target
//! cluster, in waves if asked, optionally followed (`engine::release`; this file only shows
//! its plan and events). `--dry-run` prints the plan and exits as the run would.

use anyhow::Result;

use crate::cli::{PolicyFiles, StartArgs};
use crate::confirm::Decision;
use crate::engine::inputs::{gate_choice, policies_or_report, read_inputs};
use crate::engine::live::LiveFleet;
use crate::engine::release::{Baseline, PolicyApply, ReleaseOptions, StartPlan, WaveFollowed, plan_release, release};
use crate::exit::{Exit, ExitError};
use crate::fleet::source::FleetSource;
use crate::interrupt::Interrupt;
use crate::invocation::Invocation;
use crate::model::verdict::Condition;
use crate::output::{notice, print_rows, refuse_with_watch, write_stdout};
use crate::tui::follow::{FollowOptions, follow};
use crate::view::actions::action_table;
use crate::view::live::release_end;
use crate::view::release::{event_text, plan_text};

pub async fn run(inv: &Invocation, args: &StartArgs) -> Result<Exit> {
    if args.image.is_empty() && !args.restart {
        return Err(ExitError::usage("start needs --image CONTAINER=IMAGE or --restart").into());
    }
    if !args.naming.cluster_name.is_empty() && args.files.is_empty() {
        return Err(ExitError::usage("--cluster-name names clusters for -f's rollout policies: give -f FILE").into());
    }
    if args.watch {
        refuse_with_watch(inv.output)?;
    }
    let policies = match policies(args)? {
        Ok(p) => p,
        Err(exit) => return Ok(exit),
    };
    let source = inv.connect().await?;
    let options = release_options(inv, args, policies);
    let plan = plan_release(&source, &options).await?;
    if args.dry_run {
        print_rows(inv.output, &plan.rows, |_| plan_text(&plan))?;
        return Ok(plan.exit());
    }
    eprint!("{}", plan_text(&plan));
    // Nothing to ask about: the plan already says how the run would end, and nothing is
    // written. `-f` failing stops the release before any row (as in the run); else each
    // cluster's row says why it would not start, as the run would print it.
    if plan.policies_fail() {
        return Ok(plan.exit());
    }
    if plan.starting().is_empty() {
        print_rows(inv.output, &plan.rows, |_| action_table(&plan.rows))?;
        return Ok(plan.exit());
    }
    match inv.confirm.ask(&plan.question(&args.name), plan.touched()) {
        Decision::Proceed => {}
        Decision::Declined => {
            notice(inv.output, "not confirmed: nothing changed\n")?;
            return Ok(Exit::Failed);
        }
        Decision::NeedsYes => return Err(inv.confirm.needs_yes("start").into()),
    }
    // The release starts only where it was confirmed.
    let options = ReleaseOptions {
        confirmed: Some(plan.starting().iter().map(|c| c.to_string()).collect()),
        ..options
    };
    // Ctrl-C is taken over from the first write on (at the question it kept its default meaning).
    let interrupt = Interrupt::on_ctrl_c();
    run_release(inv, args, &source, &options, &interrupt).await
}

fn release_options(inv: &Invocation, args: &StartArgs, policies: Option<PolicyApply>) -> ReleaseOptions {
    ReleaseOptions {
        name: args.name.clone(),
        start: StartPlan {
            images: args.image.clone(),
            restart: args.restart,
            force: args.force,
            annotations: Vec::new(),
        },
        wave_size: args.wave_size.clone(),
        order: args.order.clone(),
        on_failure: args.on_failure,
        watch: args.watch,
        cluster_timeout: inv.cluster_timeout,
        policies,
        confirmed: None,
    }
}

/// The release itself, its waves followed when asked, and its result.
async fn run_release(
    inv: &Invocation,
    args: &StartArgs,
    source: &FleetSource,
    options: &ReleaseOptions,
    interrupt: &Interrupt,
) -> Result<Exit> {
    let scope = inv.scope(Some(&args.name), None, &source.default_namespace());
    let footer = format!("following {} · Ctrl-C to stop", args.name);
    let follow_wave = |wave: FleetSource, baseline: Baseline| {
        let options = wave_follow_options(inv, args, baseline);
        let (footer, scope) = (&footer, &scope);
        async move {
            let watched = LiveFleet::watch(&wave, scope);
            let result = follow(&wave, &watched, &options, footer).await?;
            Ok(WaveFollowed {
                exit: result.exit,
                quit: result.quit,
                // A decided wave's rows are its started canaries' new runs.
                succeeded: result.rows.iter().filter(|r| r.ended_well()).count(),
            })
        }
    };
    let outcome = release(source, options, interrupt, follow_wave, |event| {
        eprint!("{}", event_text(&event))
    })
    .await?;
    match &outcome.result_rows {
        Some(rows) => print_rows(inv.output, rows, |_| action_table(rows))?,
        None if outcome.followed => write_stdout(&release_end(outcome.exit, outcome.quit, inv.output))?,
        None => write_stdout("")?,
    }
    Ok(outcome.exit)
}

/// `-f`'s policies, loaded and checked (`Err` is the exit of files that do not validate).
fn policies(args: &StartArgs) -> Result<Result<Option<PolicyApply>, Exit>> {
    if args.files.is_empty() {
        return Ok(Ok(None));
    }
    let files = PolicyFiles {
        files: args.files.clone(),
        policy_name: None,
    };
    let inputs = read_inputs(&files)?;
    Ok(policies_or_report(&inputs, None).map(|policies| {
        Some(PolicyApply {
            inputs,
            policies,
            gates: gate_choice(&args.gates),
            force_conflicts: args.force_conflicts,
            cluster_names: args.naming.cluster_name.clone(),
        })
    }))
}

/// Following one wave: until every started canary's new run ends.
fn wave_follow_options(inv: &Invocation, args: &StartArgs, baseline: Baseline) -> FollowOptions {
    FollowOptions {
        condition: Condition::for_started(baseline),
        timeout: args.timeout,
        output: inv.output,
        live: inv.show_live(),
        confirm: inv.confirm.clone(),
        cluster_timeout: inv.cluster_timeout,
        wave: true,
    }
}
