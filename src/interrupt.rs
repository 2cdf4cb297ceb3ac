//! Ctrl-C: one listener per process run, for the writes and the follows alike.
//!
//! Stopping a write half-way would leave a cluster in a state nobody planned, so the first
//! Ctrl-C only stops new changes from starting: each cluster's change either has not begun
//! (it is reported untouched) or runs to its end (reported as usual). A second Ctrl-C exits at
//! once for a user who would rather not wait; every write is idempotent, so re-running the
//! command finishes whatever that cut short.
//!
//! The handler is installed when writing (or following) starts, or earlier where reads cut
//! short must be reported (`apply` abandons its reads, asks nothing and reports every cluster
//! untouched). Ctrl-C at a confirmation question keeps its default meaning either way (quit
//! with 130, nothing changed): `confirm` exits on it, and the listener stays quiet while a
//! question is asked ([`asking`]).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

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

    /// The process's flag, raised by the first Ctrl-C, for a run that is writing: the first
    /// Ctrl-C says that no new change starts, the second exits with 130.
    pub fn on_ctrl_c() -> Interrupt {
        let listener = listener();
        listener.writing.store(true, Ordering::SeqCst);
        listener.interrupt.clone()
    }

    /// The process's flag for a run that reads before it writes (`apply`'s plan): Ctrl-C
    /// abandons the reads and nothing is changed, which is what the first Ctrl-C then says.
    /// The run calls [`Interrupt::on_ctrl_c`] when its writes begin.
    pub fn on_ctrl_c_reading() -> Interrupt {
        let listener = listener();
        listener.reading.store(true, Ordering::SeqCst);
        listener.interrupt.clone()
    }

    /// The process's flag, raised by the first Ctrl-C, for a run that only watches (a follow
    /// ends with 130 when it is raised). Shared with [`Interrupt::on_ctrl_c`]: `start --watch`
    /// writes, then follows, and one Ctrl-C must end both.
    pub fn on_ctrl_c_watching() -> Interrupt {
        listener().interrupt.clone()
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

/// Whether a confirmation question is being asked: a Ctrl-C then quits from the question
/// (`confirm`), so the listener says nothing about changes under way.
static ASKING: AtomicBool = AtomicBool::new(false);

/// Runs `ask` (a question at the terminal) with the listener told so.
pub fn asking<T>(ask: impl FnOnce() -> T) -> T {
    ASKING.store(true, Ordering::SeqCst);
    let answer = ask();
    ASKING.store(false, Ordering::SeqCst);
    answer
}

/// Resolves on Ctrl-C or SIGTERM: how a server run (`playground`, `dashboard`) is told to stop
/// (exit 0: stopped on purpose, not interrupted mid-work).
pub async fn until_stopped() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// The one Ctrl-C listener of the process, installed the first time a run asks for it.
struct Listener {
    interrupt: Interrupt,
    /// Whether changes are being written: then Ctrl-C explains itself and a second one exits.
    writing: AtomicBool,
    /// Whether reads that precede any change are under way: Ctrl-C abandons them.
    reading: AtomicBool,
}

fn listener() -> &'static Listener {
    static LISTENER: OnceLock<Listener> = OnceLock::new();
    LISTENER.get_or_init(|| {
        let listener = Listener {
            interrupt: Interrupt::manual(),
            writing: AtomicBool::new(false),
            reading: AtomicBool::new(false),
        };
        let raised = listener.interrupt.clone();
        let (installed_tx, installed) = std::sync::mpsc::channel();
        // A thread with a runtime of its own: the listener outlives whichever runtime asked
        // first, and the handler is in place before this returns (a Ctrl-C a moment later
        // must not kill the process with the default handler).
        let spawned = std::thread::Builder::new()
            .name("ctrl-c".into())
            .spawn(move || listen(raised, installed_tx));
        if spawned.is_ok() {
            let _ = installed.recv();
        }
        listener
    })
}

fn listen(raised: Interrupt, installed: std::sync::mpsc::Sender<()>) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        let _ = installed.send(());
        return;
    };
    runtime.block_on(async move {
        let mut presses = match Presses::install() {
            Ok(p) => p,
            Err(_) => {
                let _ = installed.send(());
                return;
            }
        };
        let _ = installed.send(());
        if !presses.next().await {
            return;
        }
        raised.set();
        let writing = || listener().writing.load(Ordering::SeqCst) && !ASKING.load(Ordering::SeqCst);
        let reading = listener().reading.load(Ordering::SeqCst) && !ASKING.load(Ordering::SeqCst);
        if writing() {
            eprintln!("\ninterrupted: no new changes start; changes under way finish first (Ctrl-C again to exit now)");
        } else if reading {
            eprintln!("\ninterrupted: no new changes start; nothing was changed (the reads are abandoned)");
        }
        while presses.next().await {
            if writing() {
                eprintln!(
                    "interrupted again: exiting; clusters being changed may be partly changed. Re-run the same command to finish: it is safe to repeat"
                );
                std::process::exit(crate::exit::Exit::Interrupted as i32);
            }
        }
    });
}

/// SIGINT (Ctrl-C), registered when installed.
#[cfg(unix)]
struct Presses(tokio::signal::unix::Signal);

#[cfg(unix)]
impl Presses {
    fn install() -> std::io::Result<Presses> {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).map(Presses)
    }

    async fn next(&mut self) -> bool {
        self.0.recv().await.is_some()
    }
}

#[cfg(not(unix))]
struct Presses;

#[cfg(not(unix))]
impl Presses {
    fn install() -> std::io::Result<Presses> {
        Ok(Presses)
    }

    async fn next(&mut self) -> bool {
        tokio::signal::ctrl_c().await.is_ok()
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
