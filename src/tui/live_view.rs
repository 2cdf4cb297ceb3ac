//! The live view's event loop: the screen redrawn in place from its own subscription to the
//! watch, the keys turned into intents by [`Interaction`], and the actions' results shown in
//! its event line. It ends when the follow it shows is over.

use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use crate::engine::live::Subscription;
use crate::fleet::source::FleetSource;
use crate::interrupt::Interrupt;
use crate::invocation::ConfirmPolicy;
use crate::model::action_row::KeyAction;
use crate::tui::actions::{ActionTimeouts, KeyActions, Report};
use crate::tui::keys::{Interaction, Outcome, return_keys, take_keys};
use crate::view::canaries::frame;
use crate::view::terminal::{LiveScreen, size};

/// How the keys act: the verbs' confirmation policy and timeouts.
pub struct KeyOptions<'a> {
    pub confirm: &'a ConfirmPolicy,
    pub timeouts: ActionTimeouts,
}

/// Shows `subscription` until `over`; the keys plan, ask and act as the verbs do, and `q`
/// raises `quit` (the follow then ends, and so does this). Returns what the keys did, for the
/// final table.
pub async fn run(
    mut subscription: Subscription,
    source: &FleetSource,
    footer: &str,
    key_options: KeyOptions<'_>,
    quit: &Interrupt,
    mut over: watch::Receiver<bool>,
) -> Vec<KeyAction> {
    let mut screen = LiveScreen::new();
    // Keys only when a person is at a terminal on both ends.
    let mut keys = if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        take_keys()
    } else {
        None
    };
    let mut ui = Interaction::new(key_options.confirm.clone());
    let mut actions = KeyActions::new(source, key_options.timeouts);
    let mut done: Vec<KeyAction> = Vec::new();
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
                    let rows = subscription.rows();
                    screen.draw(&frame(rows, w, h, jiff::Timestamp::now().as_second(), &footer, selected));
                    dirty = false;
                    last_draw = Instant::now();
                }
            }
            key = next_key(&mut keys) => {
                let Some(key) = key else { continue };
                dirty = true;
                match ui.handle(key, subscription.rows()) {
                    Outcome::Quit => quit.set(),
                    Outcome::Plan(request) => actions.plan(request),
                    Outcome::Execute(plan) => actions.execute(plan),
                    Outcome::Nothing => {}
                }
            }
            report = actions.next() => {
                match report {
                    Report::Planned(id, plan) => ui.planned(id, plan),
                    Report::Done(rows) => {
                        let texts: Vec<String> = rows.iter().map(KeyAction::text).collect();
                        ui.event = texts.join("; ");
                        done.extend(rows);
                    }
                }
                dirty = true;
            }
        }
    }
    screen.finish();
    if let Some(rx) = keys.take() {
        return_keys(rx);
    }
    // An action under way when the follow ended (the abort whose rollback ended it, closing
    // its gate) is given a cluster's time to finish.
    let (finished, unfinished) = actions.finish(key_options.timeouts.cluster_timeout).await;
    done.extend(finished);
    for what in unfinished {
        eprintln!(
            "{what}: stopped before it finished when the live view ended (an abort may have left its rollback gate open: run it again)"
        );
    }
    done
}

async fn next_key(keys: &mut Option<mpsc::UnboundedReceiver<console::Key>>) -> Option<console::Key> {
    match keys {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}
