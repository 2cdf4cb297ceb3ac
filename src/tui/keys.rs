//! Keys in the live view: select a row (↑/↓, j/k), act on it (p promote, P promote --full,
//! a abort, s pause/resume) or on all (A abort all), with the plan and a confirmation shown in
//! the view while it keeps updating; ? help, q quit.

use std::sync::{Mutex, OnceLock};

use console::Key;
use tokio::sync::mpsc;

use crate::invocation::ConfirmPolicy;
use crate::model::canary::{CanaryId, CanaryState};
use crate::model::plan::Verb;

/// Keys from the terminal, read by one thread for the whole process. A follow takes the
/// receiver and gives it back when it ends, so several follows in a row share the reader.
fn key_slot() -> &'static Mutex<Option<mpsc::UnboundedReceiver<Key>>> {
    static KEYS: OnceLock<Mutex<Option<mpsc::UnboundedReceiver<Key>>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            let term = console::Term::stdout();
            while let Ok(key) = term.read_key() {
                if tx.send(key).is_err() {
                    return;
                }
            }
        });
        Mutex::new(Some(rx))
    })
}

pub fn take_keys() -> Option<mpsc::UnboundedReceiver<Key>> {
    key_slot().lock().unwrap_or_else(|p| p.into_inner()).take()
}

pub fn return_keys(rx: mpsc::UnboundedReceiver<Key>) {
    *key_slot().lock().unwrap_or_else(|p| p.into_inner()) = Some(rx);
}

#[derive(Debug, Clone, PartialEq)]
struct Prompt {
    verb: Verb,
    targets: Vec<CanaryId>,
    /// What must be typed: "y", or the number of clusters.
    expected: String,
    typed: String,
}

#[derive(Debug)]
pub struct Interaction {
    pub selected: usize,
    prompt: Option<Prompt>,
    help: bool,
    pub event: String,
    /// The CLI's confirmation policy: a key action asks what the verb would ask.
    confirm: ConfirmPolicy,
    /// Under Kurator, the members a switch (pause, resume, promote --full) reaches: it goes
    /// into the hub Application, so it changes every member, not the selected row's alone.
    switch_reach: Option<Vec<String>>,
}

#[derive(Debug, PartialEq)]
pub enum Outcome {
    Nothing,
    Quit,
    Execute(Verb, Vec<CanaryId>),
}

impl Interaction {
    pub fn new(confirm: ConfirmPolicy) -> Interaction {
        Interaction {
            selected: 0,
            prompt: None,
            help: false,
            event: String::new(),
            confirm,
            switch_reach: None,
        }
    }

    /// Switch keys change these clusters whatever row is selected (the members of a Kurator
    /// Fleet, through the hub), and are confirmed as such.
    pub fn switches_reach(mut self, members: Vec<String>) -> Interaction {
        self.switch_reach = Some(members);
        self
    }

    /// Asks for `verb` on these canaries: `y`, or the typed number of clusters when more than
    /// one is touched or any matches `--protected` (the policy of the CLI verbs).
    fn ask(&mut self, verb: Verb, targets: Vec<CanaryId>) {
        let expected = match (&self.switch_reach, verb.switch()) {
            (Some(members), Some(_)) => self.confirm.expected_answer(members.iter().map(String::as_str)),
            _ => self.confirm.expected_answer(targets.iter().map(|t| t.cluster.as_str())),
        };
        self.prompt = Some(Prompt {
            verb,
            targets,
            expected,
            typed: String::new(),
        });
    }

    /// Handles one key against the rows on screen (pure apart from its own state).
    pub fn handle(&mut self, key: Key, rows: &[CanaryState]) -> Outcome {
        if let Some(prompt) = self.prompt.as_mut() {
            match key {
                Key::Escape => {
                    self.prompt = None;
                    self.event = "cancelled: nothing changed".into();
                }
                Key::Backspace => {
                    prompt.typed.pop();
                }
                Key::Char(c) if prompt.expected == "y" => {
                    let go = c == 'y' || c == 'Y';
                    let p = self.prompt.take();
                    if let (true, Some(p)) = (go, p) {
                        self.event = format!("{} running…", p.verb.name());
                        return Outcome::Execute(p.verb, p.targets);
                    }
                    self.event = "not confirmed: nothing changed".into();
                }
                Key::Char(c) => prompt.typed.push(c),
                Key::Enter => {
                    let p = self.prompt.take();
                    if let Some(p) = p.filter(|p| p.typed == p.expected) {
                        self.event = format!("{} running…", p.verb.name());
                        return Outcome::Execute(p.verb, p.targets);
                    }
                    self.event = "not confirmed: nothing changed".into();
                }
                _ => {}
            }
            return Outcome::Nothing;
        }
        let selectable = rows.len();
        match key {
            Key::ArrowUp | Key::Char('k') => self.selected = self.selected.saturating_sub(1),
            Key::ArrowDown | Key::Char('j') => self.selected = (self.selected + 1).min(selectable.saturating_sub(1)),
            Key::Char('?') => self.help = !self.help,
            Key::Char('q') | Key::Escape => return Outcome::Quit,
            Key::Char(c @ ('p' | 'P' | 'a' | 's')) => {
                let Some(row) = rows.get(self.selected) else {
                    return Outcome::Nothing;
                };
                let verb = match c {
                    'p' => Verb::Promote,
                    'P' => Verb::PromoteFull,
                    'a' => Verb::Abort,
                    _ if row.is_suspended() => Verb::Resume,
                    _ => Verb::Pause,
                };
                self.ask(verb, vec![CanaryId::of(row)]);
            }
            Key::Char('A') => {
                let targets: Vec<CanaryId> = rows.iter().filter(|r| r.error.is_none()).map(CanaryId::of).collect();
                self.ask(Verb::Abort, targets);
            }
            _ => {}
        }
        Outcome::Nothing
    }

    /// The lines under the rows: the prompt, the help, or the newest action result.
    pub fn footer(&self) -> String {
        if let Some(p) = &self.prompt {
            let whom: Vec<String> = p.targets.iter().map(|t| format!("{} {t}", t.cluster)).collect();
            return if p.expected == "y" {
                format!("{} {}? [y/N]", p.verb.name(), whom.join(", "))
            } else {
                format!(
                    "{} {}: type {} and Enter (Esc cancels): {}",
                    p.verb.name(),
                    whom.join(", "),
                    p.expected,
                    p.typed
                )
            };
        }
        if self.help {
            return "↑/↓ j/k select · p promote · P promote --full · a abort · s pause/resume · A abort all · ? help · q quit".into();
        }
        if self.event.is_empty() {
            "? help · q quit".into()
        } else {
            format!("{} · ? help · q quit", self.event)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows() -> Vec<CanaryState> {
        (1..=3)
            .map(|i| CanaryState::from_canary(&format!("m{i}"), &json!({"metadata": {"name": "podinfo", "namespace": "test"}, "status": {"phase": "WaitingPromotion"}}), &[]))
            .collect()
    }

    fn policy() -> ConfirmPolicy {
        ConfirmPolicy::new(false, "*prod*").unwrap()
    }

    fn row_in(cluster: &str) -> Vec<CanaryState> {
        vec![CanaryState::from_canary(
            cluster,
            &json!({"metadata": {"name": "podinfo", "namespace": "test"}, "status": {"phase": "Progressing"}}),
            &[],
        )]
    }

    #[test]
    fn a_protected_context_asks_for_the_typed_count() {
        let mut ui = Interaction::new(policy());
        let rows = row_in("eu-prod-1");
        ui.handle(Key::Char('s'), &rows);
        assert!(ui.footer().contains("type 1 and Enter"), "{}", ui.footer());
        // A `y` is not the count: it is typed, not taken as a yes.
        assert_eq!(ui.handle(Key::Char('y'), &rows), Outcome::Nothing);
        assert_eq!(ui.handle(Key::Enter, &rows), Outcome::Nothing);
        assert_eq!(ui.event, "not confirmed: nothing changed");
        ui.handle(Key::Char('s'), &rows);
        ui.handle(Key::Char('1'), &rows);
        assert_eq!(
            ui.handle(Key::Enter, &rows),
            Outcome::Execute(Verb::Pause, vec![CanaryId::new("eu-prod-1", "test", "podinfo")])
        );

        let mut ui = Interaction::new(policy());
        let rows = row_in("staging");
        ui.handle(Key::Char('s'), &rows);
        assert!(ui.footer().ends_with("[y/N]"), "{}", ui.footer());
        assert_eq!(
            ui.handle(Key::Char('y'), &rows),
            Outcome::Execute(Verb::Pause, vec![CanaryId::new("staging", "test", "podinfo")])
        );
    }

    #[test]
    fn a_switch_under_kurator_is_confirmed_for_every_member() {
        let members = vec!["m1".to_string(), "m2".to_string()];
        let mut ui = Interaction::new(policy()).switches_reach(members);
        let rows = row_in("m1");
        ui.handle(Key::Char('s'), &rows);
        assert!(ui.footer().contains("type 2 and Enter"), "{}", ui.footer());
        ui.handle(Key::Escape, &rows);
        // A gate stays with the selected member.
        ui.handle(Key::Char('p'), &rows);
        assert!(ui.footer().ends_with("[y/N]"), "{}", ui.footer());
    }

    #[test]
    fn select_and_promote_one() {
        let mut ui = Interaction::new(policy());
        let rows = rows();
        assert_eq!(ui.handle(Key::Char('j'), &rows), Outcome::Nothing);
        assert_eq!(ui.handle(Key::Char('p'), &rows), Outcome::Nothing);
        assert!(
            ui.footer().starts_with("promote m2 test/podinfo? [y/N]"),
            "{}",
            ui.footer()
        );
        match ui.handle(Key::Char('y'), &rows) {
            Outcome::Execute(Verb::Promote, targets) => assert_eq!(targets[0].cluster, "m2"),
            other => panic!("{other:?}"),
        }
        ui.handle(Key::Char('p'), &rows);
        assert_eq!(ui.handle(Key::Char('n'), &rows), Outcome::Nothing);
        assert_eq!(ui.event, "not confirmed: nothing changed");
    }

    #[test]
    fn abort_all_needs_the_count() {
        let mut ui = Interaction::new(policy());
        let rows = rows();
        ui.handle(Key::Char('A'), &rows);
        ui.handle(Key::Char('2'), &rows);
        assert_eq!(ui.handle(Key::Enter, &rows), Outcome::Nothing);
        ui.handle(Key::Char('A'), &rows);
        ui.handle(Key::Char('3'), &rows);
        assert!(matches!(ui.handle(Key::Enter, &rows), Outcome::Execute(Verb::Abort, t) if t.len() == 3));
        assert_eq!(ui.handle(Key::Char('q'), &rows), Outcome::Quit);
    }
}
