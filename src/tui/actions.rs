//! What the live view's keys do to the fleet: the plan and the execution of the CLI verbs
//! (engine::actions), run in the background while the view keeps updating.

use std::collections::HashMap;
use std::time::Duration;

use tokio::task::{Id, JoinSet};

use crate::engine::actions::{ExecuteOptions, execute, plan_for};
use crate::fleet::source::FleetSource;
use crate::model::action_row::KeyAction;
use crate::model::plan::Plan;
use crate::tui::keys::PlanRequest;

/// The action verbs' `--timeout` default (cli `ControlArgs`), for a follow without one.
pub const VERB_TIMEOUT: Duration = Duration::from_secs(300);

/// The invocation's timeouts, as the verbs use them: `--timeout` for Flagger to act on a step,
/// `--cluster-timeout` for a cluster to answer (the plan's read, and added per cluster).
#[derive(Debug, Clone, Copy)]
pub struct ActionTimeouts {
    pub timeout: Duration,
    pub cluster_timeout: Duration,
}

/// The plans being made and the plans being carried out. Under `--fleet` a switch (pause,
/// resume, promote --full) is planned and written into the hub Application exactly as the
/// verb does, so `resume --fleet` undoes a pause made by a key.
pub struct KeyActions {
    source: FleetSource,
    timeouts: ActionTimeouts,
    planning: JoinSet<(u64, Plan)>,
    running: JoinSet<Vec<KeyAction>>,
    /// What each running action is, for the notice when the view ends before it does.
    under_way: HashMap<Id, String>,
}

impl KeyActions {
    pub fn new(source: &FleetSource, timeouts: ActionTimeouts) -> KeyActions {
        KeyActions {
            source: source.clone(),
            timeouts,
            planning: JoinSet::new(),
            running: JoinSet::new(),
            under_way: HashMap::new(),
        }
    }

    /// Plans the verb for the canaries of `request`, each read afresh.
    pub fn plan(&mut self, request: PlanRequest) {
        let (source, timeout) = (self.source.clone(), self.timeouts.cluster_timeout);
        self.planning.spawn(async move {
            let plan = plan_for(&source, request.verb, &request.targets, timeout).await;
            (request.id, plan)
        });
    }

    /// Carries out the plan that was shown and confirmed, as the verb would.
    pub fn execute(&mut self, plan: Plan) {
        let (source, timeouts) = (self.source.clone(), self.timeouts);
        let what: Vec<String> = plan
            .rows
            .iter()
            .filter(|r| r.step.acts())
            .map(|r| format!("{} {}", r.target.cluster, r.target))
            .collect();
        let what = format!("{} {}", plan.verb.name(), what.join(", "));
        let handle = self.running.spawn(async move {
            let options = ExecuteOptions {
                timeout: timeouts.timeout,
                cluster_timeout: timeouts.cluster_timeout,
                keep_skip: false,
                interrupt: None,
            };
            execute(&source, &plan, options)
                .await
                .into_iter()
                .map(|row| KeyAction { verb: plan.verb, row })
                .collect()
        });
        self.under_way.insert(handle.id(), what);
    }

    /// The next plan made or action carried out (pending while there is none).
    pub async fn next(&mut self) -> Report {
        tokio::select! {
            (id, plan) = next_plan(&mut self.planning) => Report::Planned(id, plan),
            rows = next_done(&mut self.running, &mut self.under_way) => Report::Done(rows),
        }
    }

    /// When the view ends: the actions still running are awaited up to `grace` (an abort
    /// that failed the canary, say, still closes its rollback gate: left open, the gate would
    /// roll back the next run); what they did, and what was still under way after it.
    pub async fn finish(mut self, grace: Duration) -> (Vec<KeyAction>, Vec<String>) {
        self.planning.abort_all();
        let mut done = Vec::new();
        let _ = tokio::time::timeout(grace, async {
            while !self.running.is_empty() {
                done.extend(next_done(&mut self.running, &mut self.under_way).await);
            }
        })
        .await;
        (done, self.under_way.into_values().collect())
    }
}

/// What came back from the background.
pub enum Report {
    /// The plan of the request with this id.
    Planned(u64, Plan),
    Done(Vec<KeyAction>),
}

async fn next_plan(planning: &mut JoinSet<(u64, Plan)>) -> (u64, Plan) {
    loop {
        match planning.join_next().await {
            Some(Ok(plan)) => return plan,
            // A plan task ends otherwise only by a panic, reported on stderr already.
            Some(Err(_)) => continue,
            None => std::future::pending::<()>().await,
        }
    }
}

async fn next_done(running: &mut JoinSet<Vec<KeyAction>>, under_way: &mut HashMap<Id, String>) -> Vec<KeyAction> {
    loop {
        match running.join_next_with_id().await {
            Some(Ok((id, rows))) => {
                under_way.remove(&id);
                return rows;
            }
            Some(Err(e)) => {
                under_way.remove(&e.id());
            }
            None => std::future::pending::<()>().await,
        }
    }
}
