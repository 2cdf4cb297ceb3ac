//! `promote`, `abort`, `pause`, `resume`, `retry`: the plan, a confirmation, then the action
//! everywhere at once, with a result per canary (`engine::actions`).

use anyhow::Result;

use crate::cli::ControlArgs;
use crate::confirm::Decision;
use crate::engine::actions::{self, ExecuteOptions};
use crate::exit::{Exit, ExitError};
use crate::interrupt::Interrupt;
use crate::invocation::Invocation;
use crate::model::action_row;
use crate::model::plan::Verb;
use crate::output::{notice, print_rows};
use crate::view::actions::{action_table, plan_table};

pub async fn run(inv: &Invocation, args: &ControlArgs, verb: Verb, keep_skip: bool) -> Result<Exit> {
    if args.name.is_none() && args.selector.is_none() {
        return Err(ExitError::usage(format!("{} needs a canary NAME or -l SELECTOR", verb.name())).into());
    }
    let source = inv.connect().await?;
    let scope = inv.scope(
        args.name.as_deref(),
        args.selector.as_deref(),
        &source.default_namespace(),
    );
    let plan = actions::plan(&source, &scope, verb, inv.cluster_timeout).await?;
    if let Some(reason) = &plan.unmatched {
        if plan.rows.is_empty() {
            eprintln!("{reason}");
        }
        eprint!("{}", plan_table(&plan.rows));
        return Ok(Exit::NothingMatched);
    }
    if args.dry_run {
        print_rows(inv.output, &plan.rows, |_| plan_table(&plan.rows))?;
        return Ok(plan.dry_run_exit());
    }
    eprint!("{}", plan_table(&plan.rows));
    match actions::confirm(&plan, &inv.confirm) {
        Decision::Proceed => {}
        Decision::Declined => {
            notice(inv.output, "not confirmed: nothing changed\n")?;
            return Ok(Exit::Failed);
        }
        Decision::NeedsYes => return Err(inv.confirm.needs_yes(verb.name()).into()),
    }
    let interrupt = Interrupt::on_ctrl_c();
    let options = ExecuteOptions {
        timeout: args.timeout,
        cluster_timeout: inv.cluster_timeout,
        keep_skip,
        interrupt: Some(&interrupt),
    };
    let rows = actions::execute(&source, &plan, options).await;
    print_rows(inv.output, &rows, |_| action_table(&rows))?;
    Ok(action_row::exit(&rows))
}
