//! Ctrl-C while clusters are being changed.
//!
//! Stopping a write half-way would leave a cluster in a state nobody planned, so the first
//! Ctrl-C only stops new changes from starting: each cluster's change either has not begun
//! (it is reported untouched) or runs to its end (reported as usual). A second Ctrl-C exits at
//! once for a user who would rather not wait; every write is idempotent, so re-running the
//! command finishes whatever that cut short.
//!
//! The handler is installed only when writing starts, after any confirmation prompt: Ctrl-C at
//! the prompt keeps its default meaning (quit, nothing changed).

use tokio::sync::watch;

/// Shared "stop starting new changes" flag; cloning shares it.
#[derive(Clone)]
pub struct Interrupt {
    flag: watch::Sender<bool>,
}

/// What the result rows say of a cluster (or canary) that Ctrl-C kept from being changed.
pub const UNTOUCHED: &str = "untouched (interrupted before any change)";

impl Interrupt {
    /// A flag only `set` raises (dry runs, tests, in-process callers).
    pub fn manual() -> Interrupt {
        Interrupt {
            flag: watch::Sender::new(false),
        }
    }

    /// A flag raised by the first Ctrl-C; the second one exits with 130.
    pub fn on_ctrl_c() -> Interrupt {
        let interrupt = Interrupt::manual();
        let raised = interrupt.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            raised.set();
            eprintln!("\ninterrupted: no new changes start; changes under way finish first (Ctrl-C again to exit now)");
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!(
                    "interrupted again: exiting; clusters being changed may be partly changed. Re-run the same command to finish: it is safe to repeat"
                );
                std::process::exit(crate::exit::Exit::Interrupted as i32);
            }
        });
        interrupt
    }

    pub fn set(&self) {
        self.flag.send_replace(true);
    }

    pub fn is_set(&self) -> bool {
        *self.flag.borrow()
    }

    /// Resolves once the flag is raised.
    pub async fn raised(&self) {
        let mut rx = self.flag.subscribe();
        let _ = rx.wait_for(|raised| *raised).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn clones_share_the_flag() {
        let a = Interrupt::manual();
        let b = a.clone();
        assert!(!b.is_set());
        let waiter = tokio::spawn({
            let b = b.clone();
            async move { b.raised().await }
        });
        a.set();
        assert!(b.is_set());
        waiter.await.unwrap();
    }
}
