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
    let exit = loop {
        // The state held when subscribing counts as the first change (a late subscriber to a
        // watch that already listed everything must not wait for the next write).
        if subscription.state().complete() {
            let rows = subscription.state().rows();
            on_change(&rows)?;
            if let Some(exit) = judge.judge(&rows) {
                break exit;
            }
        }
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
        rows: subscription.state().rows(),
        quit,
    })
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
