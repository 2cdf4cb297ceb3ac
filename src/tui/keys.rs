//! Keys in the live view: select a row (↑/↓, j/k), act on it (p promote, P promote --full,
//! a abort, s pause/resume, r retry) or on all (A abort all); ? help, q quit. A key acts as
//! its CLI verb does: the plan first (what will happen per canary, or why it cannot), then the
//! question for that plan, then that plan carried out. The view keeps updating meanwhile.

use std::sync::{Mutex, OnceLock};

use console::Key;
use tokio::sync::mpsc;

use crate::invocation::ConfirmPolicy;
use crate::model::canary::{CanaryId, CanaryState};
use crate::model::plan::{Plan, Verb};

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

/// A plan shown in the view, waiting for the person's answer.
#[derive(Debug, Clone, PartialEq)]
struct Prompt {
    plan: Plan,
    /// What must be typed: "y", or the number of clusters the plan changes.
    expected: String,
    typed: String,
}

#[derive(Debug)]
pub struct Interaction {
    pub selected: usize,
    /// The request whose plan is being made (read afresh from the fleet); its plan comes back
    /// through [`Interaction::planned`] with its id.
    planning: Option<(u64, Verb)>,
    /// The id of the last plan requested: a plan that comes back after Esc, or for an
    /// earlier request, is never the one asked about.
    requests: u64,
    prompt: Option<Prompt>,
    help: bool,
    pub event: String,
    /// The CLI's confirmation policy: a key asks what the verb would ask for the same plan.
    confirm: ConfirmPolicy,
}

/// A plan asked for: `verb` for these canaries, as the verb would plan it (engine::actions).
#[derive(Debug, PartialEq)]
pub struct PlanRequest {
    pub id: u64,
    pub verb: Verb,
    pub targets: Vec<CanaryId>,
}

#[derive(Debug, PartialEq)]
pub enum Outcome {
    Nothing,
    Quit,
    /// Make this plan; it comes back to [`Interaction::planned`].
    Plan(PlanRequest),
    /// Carry out this plan, the one shown and confirmed.
    Execute(Plan),
}

/// At most this many plan rows are shown above the question; the rest are counted.
const PLAN_LINES: usize = 6;

impl Interaction {
    pub fn new(confirm: ConfirmPolicy) -> Interaction {
        Interaction {
            selected: 0,
            planning: None,
            requests: 0,
            prompt: None,
            help: false,
            event: String::new(),
            confirm,
        }
    }

    /// The plan of the verb asked for has been made: a plan that changes nothing says why (an
    /// impossible step, already done) without asking; one that changes something is shown and
    /// asked for as the verb asks: `y`, or the typed number of the clusters it changes when
    /// more than one is or any matches `--protected`. A plan nobody waits for (Esc) is dropped.
    pub fn planned(&mut self, id: u64, plan: Plan) {
        if self.planning.map(|(waited, _)| waited) != Some(id) {
            return;
        }
        self.planning = None;
        if let Some(reason) = &plan.unmatched {
            self.event = format!("{}: {reason}: nothing changed", plan.verb.name());
            return;
        }
        if plan.acting() == 0 {
            let why: Vec<String> = plan
                .rows
                .iter()
                .map(|r| format!("{} {}: {}", r.target.cluster, r.target, r.step.describe()))
                .collect();
            self.event = format!("{} {}: nothing changed", plan.verb.name(), why.join("; "));
            return;
        }
        let expected = self.confirm.expected_answer(plan.affected.iter().map(String::as_str));
        self.prompt = Some(Prompt {
            plan,
            expected,
            typed: String::new(),
        });
    }

    /// Asks for the plan of `verb` on these canaries.
    fn plan(&mut self, verb: Verb, targets: Vec<CanaryId>) -> Outcome {
        if let Some((_, busy)) = self.planning {
            self.event = format!("still planning {}…", busy.name());
            return Outcome::Nothing;
        }
        self.requests += 1;
        self.planning = Some((self.requests, verb));
        self.event = format!("planning {}…", verb.name());
        Outcome::Plan(PlanRequest {
            id: self.requests,
            verb,
            targets,
        })
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
                        self.event = format!("{} running…", p.plan.verb.name());
                        return Outcome::Execute(p.plan);
                    }
                    self.event = "not confirmed: nothing changed".into();
                }
                Key::Char(c) => prompt.typed.push(c),
                Key::Enter => {
                    let p = self.prompt.take();
                    if let Some(p) = p.filter(|p| p.typed == p.expected) {
                        self.event = format!("{} running…", p.plan.verb.name());
                        return Outcome::Execute(p.plan);
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
            Key::Escape if self.planning.is_some() => {
                self.planning = None;
                self.event = "cancelled: nothing changed".into();
            }
            Key::Char('q') | Key::Escape => return Outcome::Quit,
            Key::Char(c @ ('p' | 'P' | 'a' | 's' | 'r')) => {
                let Some(row) = rows.get(self.selected) else {
                    return Outcome::Nothing;
                };
                let verb = match c {
                    'p' => Verb::Promote,
                    'P' => Verb::PromoteFull,
                    'a' => Verb::Abort,
                    'r' => Verb::Retry,
                    _ if row.is_suspended() => Verb::Resume,
                    _ => Verb::Pause,
                };
                return self.plan(verb, vec![CanaryId::of(row)]);
            }
            Key::Char('A') => {
                let targets: Vec<CanaryId> = rows.iter().filter(|r| r.error.is_none()).map(CanaryId::of).collect();
                return self.plan(Verb::Abort, targets);
            }
            _ => {}
        }
        Outcome::Nothing
    }

    /// The lines under the rows: the plan and its question, the help, or the newest event.
    pub fn footer(&self) -> String {
        if let Some(p) = &self.prompt {
            let mut lines = plan_lines(&p.plan);
            lines.push(if p.expected == "y" {
                format!("{} [y/N]", p.plan.question())
            } else {
                format!(
                    "{} type {} and Enter (Esc cancels): {}",
                    p.plan.question(),
                    p.expected,
                    p.typed
                )
            });
            return lines.join("\n");
        }
        if self.help {
            return "↑/↓ j/k select · p promote · P promote --full · a abort · s pause/resume · r retry · A abort all · ? help · q quit".into();
        }
        if self.event.is_empty() {
            "? help · q quit".into()
        } else {
            format!("{} · ? help · q quit", self.event)
        }
    }
}

/// The plan as the verb prints it, a line per canary: where, its phase, what will be done
/// (or why it cannot be), and the owner warning.
fn plan_lines(plan: &Plan) -> Vec<String> {
    let mut lines: Vec<String> = plan
        .rows
        .iter()
        .take(PLAN_LINES)
        .map(|r| {
            let warning = r.warning.as_ref().map(|w| format!(" ({w})")).unwrap_or_default();
            let phase = if r.phase.is_empty() { "-" } else { &r.phase };
            format!(
                "  {} {} {phase}: {}{warning}",
                r.target.cluster,
                r.target,
                r.step.describe()
            )
        })
        .collect();
    if plan.rows.len() > PLAN_LINES {
        lines.push(format!("  … {} more", plan.rows.len() - PLAN_LINES));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plan::{PlanRow, Step, Switch, acting_clusters};
    use serde_json::{Value, json};

    /// A Canary in `phase` with the gates `apply --manual-promotion` adds.
    fn canary(phase: &str, spec: Value) -> Value {
        let mut c = json!({"metadata": {"name": "podinfo", "namespace": "test"},
            "spec": {"analysis": {"webhooks": [
                {"name": "promotion-gate", "type": "confirm-promotion", "url": "http://lt.test/gate/check"},
                {"name": "abort-gate", "type": "rollback", "url": "http://lt.test/rollback/check"}]}},
            "status": {"phase": phase}});
        if let Some(fields) = spec.as_object() {
            for (k, v) in fields {
                c["spec"][k] = v.clone();
            }
        }
        c
    }

    fn rows_of(clusters: &[&str], canary: &Value) -> Vec<CanaryState> {
        clusters
            .iter()
            .map(|c| CanaryState::from_canary(c, canary, &[]))
            .collect()
    }

    /// The plan the engine makes for an intent, from the same Canaries (`plan_for` reads them
    /// afresh and decides each row with [`PlanRow::of_canary`]).
    fn plan_of(outcome: Outcome, canary: &Value) -> (u64, Plan) {
        let Outcome::Plan(PlanRequest { id, verb, targets }) = outcome else {
            panic!("a key first asks for a plan: {outcome:?}");
        };
        let rows: Vec<PlanRow> = targets
            .into_iter()
            .map(|t| PlanRow::of_canary(t, verb, canary))
            .collect();
        let plan = Plan {
            verb,
            affected: acting_clusters(&rows),
            rows,
            unmatched: None,
        };
        (id, plan)
    }

    fn policy() -> ConfirmPolicy {
        ConfirmPolicy::new(false, "*prod*").unwrap()
    }

    #[test]
    fn a_key_shows_the_plan_and_asks_for_what_it_changes() {
        let progressing = canary("Progressing", json!({}));
        let rows = rows_of(&["eu-prod-1"], &progressing);
        let mut ui = Interaction::new(policy());
        let intent = ui.handle(Key::Char('s'), &rows);
        assert_eq!(
            intent,
            Outcome::Plan(PlanRequest {
                id: 1,
                verb: Verb::Pause,
                targets: vec![CanaryId::new("eu-prod-1", "test", "podinfo")]
            })
        );
        assert!(ui.footer().starts_with("planning pause…"), "{}", ui.footer());
        let (id, plan) = plan_of(intent, &progressing);
        ui.planned(id, plan.clone());
        // The plan, then the question for it: a protected context needs the typed count.
        assert_eq!(
            ui.footer(),
            "  eu-prod-1 test/podinfo Progressing: set spec.suspend=true\n\
             pause eu-prod-1 test/podinfo? type 1 and Enter (Esc cancels): "
        );
        // A `y` is not the count: it is typed, not taken as a yes.
        assert_eq!(ui.handle(Key::Char('y'), &rows), Outcome::Nothing);
        assert_eq!(ui.handle(Key::Enter, &rows), Outcome::Nothing);
        assert_eq!(ui.event, "not confirmed: nothing changed");
        let intent = ui.handle(Key::Char('s'), &rows);
        let (id, again) = plan_of(intent, &progressing);
        assert_eq!(id, 2, "a request of its own");
        ui.planned(id, again);
        ui.handle(Key::Char('1'), &rows);
        // The plan shown is the plan carried out.
        assert_eq!(ui.handle(Key::Enter, &rows), Outcome::Execute(plan));

        let rows = rows_of(&["staging"], &progressing);
        let mut ui = Interaction::new(policy());
        let (id, plan) = plan_of(ui.handle(Key::Char('s'), &rows), &progressing);
        ui.planned(id, plan.clone());
        assert!(
            ui.footer().ends_with("pause staging test/podinfo? [y/N]"),
            "{}",
            ui.footer()
        );
        assert_eq!(ui.handle(Key::Char('y'), &rows), Outcome::Execute(plan));
    }

    #[test]
    fn an_impossible_plan_says_why_and_asks_nothing() {
        let failed = canary("Failed", json!({}));
        let rows = rows_of(&["m1"], &failed);
        let mut ui = Interaction::new(policy());
        let (id, plan) = plan_of(ui.handle(Key::Char('p'), &rows), &failed);
        ui.planned(id, plan);
        assert_eq!(
            ui.footer(),
            "promote m1 test/podinfo: impossible: the run failed; use retry: nothing changed · ? help · q quit"
        );
        // No question is open: y is no answer to anything.
        assert_eq!(ui.handle(Key::Char('y'), &rows), Outcome::Nothing);

        // An abort of a paused run cannot take effect until it is resumed (model::plan).
        let paused = canary("Progressing", json!({"suspend": true}));
        let rows = rows_of(&["m1"], &paused);
        let (id, plan) = plan_of(ui.handle(Key::Char('a'), &rows), &paused);
        ui.planned(id, plan);
        assert!(
            ui.event.contains("impossible: paused (spec.suspend)") && ui.event.contains("resume it first, then abort"),
            "{}",
            ui.event
        );
    }

    #[test]
    fn r_retries_a_failed_canary() {
        let failed = canary("Failed", json!({}));
        let rows = rows_of(&["m1"], &failed);
        let mut ui = Interaction::new(policy());
        let (id, plan) = plan_of(ui.handle(Key::Char('r'), &rows), &failed);
        assert!(
            matches!(plan.rows[0].step, Step::Retry { rollback_hook: Some(_) }),
            "{plan:?}"
        );
        ui.planned(id, plan.clone());
        assert_eq!(
            ui.footer(),
            "  m1 test/podinfo Failed: start a new run\nretry m1 test/podinfo? [y/N]"
        );
        assert_eq!(ui.handle(Key::Char('y'), &rows), Outcome::Execute(plan));
    }

    #[test]
    fn a_hub_switch_is_confirmed_for_every_member_it_reaches() {
        let rows = rows_of(&["m1"], &canary("Progressing", json!({})));
        let mut ui = Interaction::new(policy());
        let Outcome::Plan(PlanRequest { id, verb, .. }) = ui.handle(Key::Char('s'), &rows) else {
            panic!("a plan first");
        };
        // Under --fleet the plan changes the hub Application, which reaches every member.
        let plan = Plan {
            verb,
            rows: vec![PlanRow {
                target: CanaryId::new("hub", "test", "podinfo"),
                phase: String::new(),
                step: Step::PolicySwitch {
                    application: "default/podinfo".into(),
                    policy: 0,
                    switch: Switch::Suspend,
                    value: true,
                },
                warning: None,
            }],
            affected: vec!["m1".into(), "m2".into()],
            unmatched: None,
        };
        ui.planned(id, plan);
        let footer = ui.footer();
        assert!(
            footer.contains("hub test/podinfo -: set rolloutPolicy.suspend=true in Application default/podinfo")
                && footer.ends_with("pause 1 canary in 2 clusters? type 2 and Enter (Esc cancels): "),
            "{footer}"
        );
    }

    #[test]
    fn escape_while_planning_drops_the_plan() {
        let waiting = canary("WaitingPromotion", json!({}));
        let rows = rows_of(&["m1", "m2"], &waiting);
        let mut ui = Interaction::new(policy());
        let intent = ui.handle(Key::Char('p'), &rows);
        // One plan at a time.
        assert_eq!(ui.handle(Key::Char('a'), &rows), Outcome::Nothing);
        assert_eq!(ui.event, "still planning promote…");
        assert_eq!(ui.handle(Key::Escape, &rows), Outcome::Nothing);
        // The next request is another row's: the cancelled plan, coming back late, is not it.
        ui.handle(Key::Char('j'), &rows);
        let next = ui.handle(Key::Char('p'), &rows);
        let (id, plan) = plan_of(intent, &waiting);
        ui.planned(id, plan);
        assert!(!ui.footer().contains("[y/N]"), "{}", ui.footer());
        assert_eq!(ui.event, "planning promote…");
        let (id, plan) = plan_of(next, &waiting);
        ui.planned(id, plan);
        assert!(
            ui.footer().ends_with("promote m2 test/podinfo? [y/N]"),
            "{}",
            ui.footer()
        );
    }

    #[test]
    fn select_and_abort_all() {
        let waiting = canary("WaitingPromotion", json!({}));
        let rows = rows_of(&["m1", "m2", "m3"], &waiting);
        let mut ui = Interaction::new(policy());
        assert_eq!(ui.handle(Key::Char('j'), &rows), Outcome::Nothing);
        let Outcome::Plan(PlanRequest {
            verb: Verb::Promote,
            targets,
            ..
        }) = ui.handle(Key::Char('p'), &rows)
        else {
            panic!("a promote plan");
        };
        assert_eq!(targets, [CanaryId::new("m2", "test", "podinfo")]);
        ui.handle(Key::Escape, &rows);
        let (id, plan) = plan_of(ui.handle(Key::Char('A'), &rows), &waiting);
        ui.planned(id, plan.clone());
        assert!(
            ui.footer()
                .ends_with("abort 3 canaries in 3 clusters? type 3 and Enter (Esc cancels): ")
        );
        ui.handle(Key::Char('2'), &rows);
        assert_eq!(ui.handle(Key::Enter, &rows), Outcome::Nothing);
        let (again_id, again) = plan_of(ui.handle(Key::Char('A'), &rows), &waiting);
        ui.planned(again_id, again);
        ui.handle(Key::Char('3'), &rows);
        assert_eq!(ui.handle(Key::Enter, &rows), Outcome::Execute(plan));
        assert_eq!(ui.handle(Key::Char('q'), &rows), Outcome::Quit);
    }
}
