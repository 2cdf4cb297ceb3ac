//! What the live view's keys do to the fleet.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use crate::engine::control::{Verb, execute, plan};
use crate::engine::start::get_canary;
use crate::fleet::source::FleetSource;
use crate::tui::keys::TargetRow;

/// Runs a confirmed action from the live view in the background; its result line comes back
/// on `results` and shows in the view's event line.
pub fn run_action(source: &FleetSource, verb: Verb, targets: Vec<TargetRow>, results: UnboundedSender<String>) {
    for t in targets {
        let Some(client) = source
            .members
            .clusters
            .iter()
            .find(|c| c.target.context == t.cluster)
            .and_then(|c| c.client.clone().ok())
        else {
            let _ = results.send(format!("{}: no connection", t.cluster));
            continue;
        };
        let results = results.clone();
        tokio::spawn(async move {
            let outcome = async {
                let canary = get_canary(&client, &t.namespace, &t.name).await?;
                let step = plan(verb, &canary);
                execute(&client, &t.namespace, &t.name, &step, false, Duration::from_secs(300)).await
            }
            .await;
            let line = match outcome {
                Ok(done) => format!("{} {} {}/{}: {done}", verb.name(), t.cluster, t.namespace, t.name),
                Err(e) => format!("{} {} {}/{}: failed: {e}", verb.name(), t.cluster, t.namespace, t.name),
            };
            let _ = results.send(line);
        });
    }
}
