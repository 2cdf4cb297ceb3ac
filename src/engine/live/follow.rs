//! Following a watched fleet until its condition is decided: the judge is one more consumer
//! of the [`LiveFleet`](super::LiveFleet), and the surfaces that show each change (transition
//! lines, ndjson) hear of every state it judges, in order.

use std::time::Duration;

use anyhow::Result;

use super::Subscription;
use crate::exit::Exit;
use crate::interrupt::Interrupt;
use crate::model::canary::CanaryState;
use crate::model::verdict::{Condition, Judge};

pub struct FollowResult {
    pub exit: Exit,
    pub rows: Vec<CanaryState>,
    /// The person left the live view with `q` before the condition was decided.
    pub quit: bool,
}

/// What ends a follow before its condition is decided.
pub struct Stops<'a> {
    /// Exit 3 when it passes.
    pub timeout: Option<Duration>,
    /// Ctrl-C: exit 130.
    pub interrupt: &'a Interrupt,
    /// The person left the live view: exit 0, marked `quit`.
    pub quit: &'a Interrupt,
}

/// Judges every state of `subscription` once each cluster has answered, after handing its rows
/// to `on_change`, until the condition is decided or a stop comes.
pub async fn follow(
    mut subscription: Subscription,
    condition: Condition,
    stops: Stops<'_>,
    mut on_change: impl FnMut(&[CanaryState]) -> Result<()>,
) -> Result<FollowResult> {
    let mut judge = Judge::new(condition);
    let deadline = stops.timeout.map(|t| tokio::time::Instant::now() + t);
    let mut quit = false;
    let mut first = true;
    let exit = loop {
        // The state held when subscribing counts as the first change (a late subscriber to a
        // watch that already listed everything must not wait for the next write).
        if subscription.state().complete() {
            let rows = subscription.rows();
            on_change(rows)?;
            if let Some(exit) = judge.judge(rows) {
                break exit;
            }
        } else if first {
            judge.observe(subscription.rows());
        } else {
            // Until every cluster has answered, each change's rows are seen (see
            // `Judge::observe`), not judged.
            judge.observe(subscription.rows_last_changed());
        }
        first = false;
        tokio::select! {
            changed = subscription.changed() => if !changed { break Exit::Failed },
            _ = sleep_until(deadline) => break Exit::Timeout,
            _ = stops.interrupt.raised() => break Exit::Interrupted,
            // Leaving the view is a choice, not an interruption (130 is Ctrl-C's, README
            // "Exit codes"): it ends with 0 and the final table shows where each canary stood.
            _ = stops.quit.raised() => {
                quit = true;
                break Exit::Success;
            }
        }
    };
    Ok(FollowResult {
        exit,
        rows: subscription.rows().to_vec(),
        quit,
    })
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tokio::sync::mpsc;

    use super::*;
    use crate::engine::live::LiveFleet;
    use crate::model::fleet_state::FleetState;
    use crate::model::update::Update;

    fn canary(phase: &str) -> Update {
        Update::Canary {
            cluster: 0,
            object: json!({"metadata": {"name": "podinfo", "namespace": "test"}, "status": {"phase": phase}}).into(),
        }
    }

    /// A watch of one cluster fed by hand.
    fn fed() -> (mpsc::Sender<Update>, LiveFleet) {
        let (tx, rx) = mpsc::channel(16);
        let state = FleetState::new(vec!["m1".into()], Some("test".into()), Some("podinfo".into()));
        (tx, LiveFleet::start(state, rx))
    }

    async fn follow_with(
        watched: &LiveFleet,
        timeout: Option<Duration>,
        interrupt: &Interrupt,
        quit: &Interrupt,
    ) -> FollowResult {
        let stops = Stops {
            timeout,
            interrupt,
            quit,
        };
        follow(watched.subscribe(), Condition::all(), stops, |_| Ok(()))
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn judged_once_every_cluster_answered() {
        let (tx, watched) = fed();
        let (interrupt, quit) = (Interrupt::manual(), Interrupt::manual());
        // The rows are judged only once the cluster has been listed.
        tx.send(canary("Progressing")).await.unwrap();
        tx.send(canary("Succeeded")).await.unwrap();
        tx.send(Update::Listed { cluster: 0 }).await.unwrap();
        let result = follow_with(&watched, None, &interrupt, &quit).await;
        assert_eq!(result.exit, Exit::Success);
        assert_eq!(result.rows[0].phase, "Succeeded");
    }

    #[tokio::test]
    async fn ctrl_c_q_a_timeout_and_a_lost_watch_each_end_it() {
        let (tx, watched) = fed();
        tx.send(canary("Progressing")).await.unwrap();
        tx.send(Update::Listed { cluster: 0 }).await.unwrap();
        let (interrupt, quit) = (Interrupt::manual(), Interrupt::manual());
        interrupt.set();
        assert_eq!(
            follow_with(&watched, None, &interrupt, &quit).await.exit,
            Exit::Interrupted
        );
        let (interrupt, quit) = (Interrupt::manual(), Interrupt::manual());
        quit.set();
        let left = follow_with(&watched, None, &interrupt, &quit).await;
        assert_eq!((left.exit, left.quit), (Exit::Success, true));
        let quit = Interrupt::manual();
        let timed_out = follow_with(&watched, Some(Duration::from_millis(1)), &interrupt, &quit).await;
        assert_eq!(timed_out.exit, Exit::Timeout);
        drop(tx);
        assert_eq!(follow_with(&watched, None, &interrupt, &quit).await.exit, Exit::Failed);
    }

    /// A canary of cluster `cluster` at `phase`, last applied `spec`, promoted (or not) at `at`.
    fn run(cluster: usize, phase: &str, spec: &str, at: &str) -> Update {
        Update::Canary {
            cluster,
            object: json!({"metadata": {"name": "podinfo", "namespace": "test"}, "status": {
                "phase": phase, "lastAppliedSpec": spec,
                "conditions": [{"type": "Promoted", "status": "True", "lastTransitionTime": at}]}})
            .into(),
        }
    }

    #[tokio::test]
    async fn wait_for_start_marks_a_canary_where_the_watch_first_saw_it() {
        // Cluster 0 answers at once, and its whole new run goes by before cluster 1 answers
        // (a thousand clusters' watch takes tens of seconds to list them all).
        let (tx, rx) = mpsc::channel(16);
        let state = FleetState::new(
            vec!["m1".into(), "m2".into()],
            Some("test".into()),
            Some("podinfo".into()),
        );
        let watched = LiveFleet::start(state, rx);
        let subscription = watched.subscribe();
        let (interrupt, quit) = (Interrupt::manual(), Interrupt::manual());
        let stops = Stops {
            timeout: Some(Duration::from_secs(5)),
            interrupt: &interrupt,
            quit: &quit,
        };
        let followed = follow(subscription, Condition::for_started(std::iter::empty()), stops, |_| {
            Ok(())
        });
        let feed = async {
            for update in [
                run(0, "Succeeded", "old", "t0"),
                Update::Listed { cluster: 0 },
                run(0, "Progressing", "new", "t0"),
                run(0, "Succeeded", "new", "t1"),
                run(1, "Progressing", "new", "t0"),
                Update::Listed { cluster: 1 },
                run(1, "Succeeded", "new", "t1"),
            ] {
                tx.send(update).await.unwrap();
                // One change each: the judge sees every state, as over a network.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        let (followed, ()) = tokio::join!(followed, feed);
        // Before, cluster 0 was marked at its Succeeded of the new run, and waited past.
        assert_eq!(followed.unwrap().exit, Exit::Success);
    }

    #[tokio::test]
    async fn a_late_subscriber_starts_from_the_state_so_far() {
        let (tx, watched) = fed();
        let mut early = watched.subscribe();
        tx.send(canary("Progressing")).await.unwrap();
        tx.send(Update::Listed { cluster: 0 }).await.unwrap();
        assert!(early.changed().await && early.changed().await);
        let late = watched.subscribe();
        assert!(late.state().complete());
        assert_eq!(late.state().rows()[0].phase, "Progressing");
    }
}
