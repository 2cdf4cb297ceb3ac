//! The live view's event loop: the screen redrawn in place from its own subscription to the
//! watch, the keys turned into intents by [`Interaction`], and the actions' results shown in
//! its event line. It ends when the follow it shows is over.

use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use crate::engine::live::Subscription;
use crate::fleet::source::{Destination, FleetSource};
use crate::interrupt::Interrupt;
use crate::invocation::ConfirmPolicy;
use crate::tui::actions::run_action;
use crate::tui::keys::{Interaction, Outcome, return_keys, take_keys};
use crate::view::canaries::frame;
use crate::view::terminal::{LiveScreen, size};

/// Shows `subscription` until `over`; the keys ask as `confirm` says, and `q` raises `quit`
/// (the follow then ends, and so does this).
pub async fn run(
    mut subscription: Subscription,
    source: &FleetSource,
    footer: &str,
    confirm: &ConfirmPolicy,
    quit: &Interrupt,
    mut over: watch::Receiver<bool>,
) {
    let mut screen = LiveScreen::new();
    // Keys only when a person is at a terminal on both ends.
    let mut keys = if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        take_keys()
    } else {
        None
    };
    let mut ui = Interaction::new(confirm.clone());
    if let Destination::Hub(_) = source.switch_destination() {
        // A switch key writes the hub Application, which reaches every member.
        ui = ui.switches_reach(source.member_names());
    }
    let (results_tx, mut results) = mpsc::unbounded_channel::<String>();
    let mut redraw = tokio::time::interval(Duration::from_millis(100));
    let mut dirty = true;
    let mut watching = true;
    let mut last_draw = Instant::now() - Duration::from_secs(1);
    loop {
        tokio::select! {
            _ = over.wait_for(|over| *over) => break,
            changed = subscription.changed(), if watching => {
                watching = changed;
                subscription.catch_up();
                dirty = true;
            }
            _ = redraw.tick() => {
                // Redrawn each second also when nothing changed: ages and countdowns move.
                if dirty || last_draw.elapsed() >= Duration::from_secs(1) {
                    let (w, h) = size();
                    let footer = if keys.is_some() { ui.footer() } else { footer.to_string() };
                    let selected = keys.is_some().then_some(ui.selected);
                    let rows = subscription.state().rows();
                    screen.draw(&frame(&rows, w, h, jiff::Timestamp::now().as_second(), &footer, selected));
                    dirty = false;
                    last_draw = Instant::now();
                }
            }
            key = next_key(&mut keys) => {
                let Some(key) = key else { continue };
                dirty = true;
                match ui.handle(key, &subscription.state().rows()) {
                    Outcome::Quit => quit.set(),
                    Outcome::Execute(verb, targets) => run_action(source, verb, targets, results_tx.clone()),
                    Outcome::Nothing => {}
                }
            }
            Some(message) = results.recv() => {
                ui.event = message;
                dirty = true;
            }
        }
    }
    screen.finish();
    if let Some(rx) = keys.take() {
        return_keys(rx);
    }
}

async fn next_key(keys: &mut Option<mpsc::UnboundedReceiver<console::Key>>) -> Option<console::Key> {
    match keys {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}
