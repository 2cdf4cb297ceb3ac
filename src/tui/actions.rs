//! What the live view's keys do to the fleet.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use crate::engine::actions::{ExecuteOptions, execute, plan_for};
use crate::fleet::source::FleetSource;
use crate::model::canary::CanaryId;
use crate::model::plan::Verb;

/// Runs a confirmed action from the live view in the background, through the same plan and
/// execution as the CLI verbs (so under `--fleet` a pause goes into the hub Application, where
/// `resume --fleet` finds it); a result line per canary comes back on `results` and shows in
/// the view's event line.
pub fn run_action(source: &FleetSource, verb: Verb, targets: Vec<CanaryId>, results: UnboundedSender<String>) {
    const READ_TIMEOUT: Duration = Duration::from_secs(30);
    let source = source.clone();
    tokio::spawn(async move {
        let plan = plan_for(&source, verb, &targets, READ_TIMEOUT).await;
        if let Some(reason) = &plan.unmatched {
            let _ = results.send(format!("{}: {reason}", verb.name()));
            return;
        }
        let options = ExecuteOptions {
            timeout: Duration::from_secs(300),
            cluster_timeout: READ_TIMEOUT,
            keep_skip: false,
            interrupt: None,
        };
        for row in execute(&source, &plan, options).await {
            let outcome = match &row.error {
                Some(e) => format!("failed: {e}"),
                None => row.result.clone(),
            };
            let _ = results.send(format!("{} {} {}: {outcome}", verb.name(), row.cluster, row.canary));
        }
    });
}
