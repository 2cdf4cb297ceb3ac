//! When a followed fleet is done, and how it ended (pure): the condition a follow waits for
//! (`--require`, `--until`, `--wait-for-start`), the verdict on each canary row, and the
//! exit-code contract pipelines rely on (README "Exit codes").

use std::collections::HashMap;

use crate::exit::Exit;
use crate::model::canary::{CanaryId, CanaryState, RunMark};

/// How many canaries must end well (`--require`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Require {
    All,
    Any,
    AtLeast(usize),
}

pub fn parse_require(text: &str) -> Result<Require, String> {
    match text {
        "all" => Ok(Require::All),
        "any" => Ok(Require::Any),
        n => n
            .parse::<usize>()
            .map(Require::AtLeast)
            .map_err(|_| format!("--require {text}: use all, any or a number")),
    }
}

/// Where one canary row stands against the condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pending,
    Success,
    Failed,
    Unavailable,
}

/// The exit of a fleet whose rows all have verdicts, or None while the condition is open.
pub fn decide(verdicts: &[Verdict], require: Require, any_found: bool) -> Option<Exit> {
    let count = |v: Verdict| verdicts.iter().filter(|x| **x == v).count();
    let (pending, success, failed, unavailable) = (
        count(Verdict::Pending),
        count(Verdict::Success),
        count(Verdict::Failed),
        count(Verdict::Unavailable),
    );
    let needed = match require {
        Require::All => verdicts.len(),
        Require::Any => 1,
        Require::AtLeast(n) => n.min(verdicts.len()).max(1),
    };
    if success >= needed && require != Require::All {
        return Some(Exit::Success);
    }
    if pending > 0 {
        return None;
    }
    Some(if !any_found {
        Exit::NothingMatched
    } else if failed > 0 {
        Exit::Failed
    } else if success >= needed {
        Exit::Success
    } else if unavailable > 0 {
        Exit::Partial
    } else {
        Exit::Failed
    })
}

/// What a follow waits for.
#[derive(Debug, Clone)]
pub struct Condition {
    pub require: Require,
    /// Phases that also count as ended well (`--until`).
    pub until: Vec<String>,
    /// Wait for a new run: a canary counts only once it shows a run started after its mark
    /// (per cluster and `namespace/name`; a canary without one is marked when first seen).
    pub wait_for_start: bool,
    pub baseline: HashMap<(String, String), RunMark>,
}

impl Condition {
    /// Every canary must end well; any run counts, also one that ended before the follow.
    pub fn all() -> Condition {
        Condition {
            require: Require::All,
            until: Vec::new(),
            wait_for_start: false,
            baseline: HashMap::new(),
        }
    }

    /// Every canary must end well, each in a run started after its mark (what a release
    /// started: its baseline).
    pub fn for_started(baseline: impl IntoIterator<Item = (CanaryId, RunMark)>) -> Condition {
        Condition {
            wait_for_start: true,
            // The judge keys its marks by (cluster, `namespace/name`).
            baseline: baseline
                .into_iter()
                .map(|(id, mark)| ((id.cluster.clone(), id.to_string()), mark))
                .collect(),
            ..Condition::all()
        }
    }
}

/// Judges the rows of a followed fleet, one state after another; it remembers which canaries
/// have started a new run.
pub struct Judge {
    condition: Condition,
    started: HashMap<(String, String), bool>,
}

impl Judge {
    pub fn new(condition: Condition) -> Judge {
        Judge {
            condition,
            started: HashMap::new(),
        }
    }

    pub fn verdict(&mut self, r: &CanaryState) -> Verdict {
        if !r.found() {
            return Verdict::Unavailable;
        }
        if r.error.is_some() {
            return Verdict::Pending; // a stale row: the watch is reconnecting
        }
        if self.condition.until.iter().any(|p| p == &r.phase) {
            return Verdict::Success;
        }
        let key = (r.cluster.clone(), format!("{}/{}", r.namespace, r.name));
        if self.condition.wait_for_start {
            let mark = self
                .condition
                .baseline
                .entry(key.clone())
                .or_insert_with(|| RunMark {
                    applied: r.last_applied_spec.clone(),
                    promoted_transition: r.promoted_transition.clone(),
                })
                .clone();
            let started = self.started.entry(key).or_insert(false);
            if !*started && mark.new_run(r) {
                *started = true;
            }
            if !*started {
                return Verdict::Pending;
            }
        }
        match r.phase.as_str() {
            "Succeeded" | "Initialized" => Verdict::Success,
            "Failed" => Verdict::Failed,
            _ => Verdict::Pending,
        }
    }

    /// The exit once the condition is decided on these rows (every cluster answered), else None.
    pub fn judge(&mut self, rows: &[CanaryState]) -> Option<Exit> {
        let verdicts: Vec<Verdict> = rows.iter().map(|r| self.verdict(r)).collect();
        let any_found = rows.iter().any(CanaryState::found);
        decide(&verdicts, self.condition.require, any_found)
    }
}

/// The exit of one read of the members' canaries (`status` without `--watch`): 4 when a named
/// canary is nowhere, 1 when one failed, 5 when a cluster did not answer.
pub fn members_read_exit(rows: &[CanaryState], named: bool) -> Exit {
    if named && !rows.iter().any(CanaryState::found) {
        return Exit::NothingMatched;
    }
    if rows.iter().any(|r| r.phase == "Failed") {
        Exit::Failed
    } else if rows.iter().any(|r| r.error.is_some()) {
        Exit::Partial
    } else {
        Exit::Success
    }
}

/// The exit of one read of the hub's Applications: 4 when they report no member, 1 when a
/// member's canary failed, 5 when a member's rollout could not be told (its row's error).
pub fn hub_read_exit(rows: &[CanaryState]) -> Exit {
    if rows.is_empty() {
        Exit::NothingMatched
    } else if rows.iter().any(|r| r.phase == "Failed") {
        Exit::Failed
    } else if rows.iter().any(|r| r.error.is_some()) {
        Exit::Partial
    } else {
        Exit::Success
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::*;
    use serde_json::json;

    #[test]
    fn exit_contract() {
        assert_eq!(decide(&[Success, Success], Require::All, true), Some(Exit::Success));
        assert_eq!(decide(&[Success, Pending], Require::All, true), None);
        assert_eq!(decide(&[Success, Failed], Require::All, true), Some(Exit::Failed));
        assert_eq!(decide(&[Success, Unavailable], Require::All, true), Some(Exit::Partial));
        assert_eq!(decide(&[Success, Pending], Require::Any, true), Some(Exit::Success));
        assert_eq!(
            decide(&[Unavailable, Unavailable], Require::All, false),
            Some(Exit::NothingMatched)
        );
        assert_eq!(
            decide(&[Success, Success, Pending], Require::AtLeast(2), true),
            Some(Exit::Success)
        );
        assert_eq!(
            decide(&[Success, Unavailable, Unavailable], Require::AtLeast(2), true),
            Some(Exit::Partial)
        );
    }

    #[test]
    fn require_parses_all_any_and_counts() {
        assert_eq!(parse_require("all"), Ok(Require::All));
        assert_eq!(parse_require("any"), Ok(Require::Any));
        assert_eq!(parse_require("2"), Ok(Require::AtLeast(2)));
        assert!(parse_require("most").is_err());
    }

    fn row(phase: &str, applied: &str) -> CanaryState {
        CanaryState::from_canary(
            "m1",
            &json!({"metadata": {"name": "podinfo", "namespace": "test"},
                "status": {"phase": phase, "lastAppliedSpec": applied}}),
            &[],
        )
    }

    #[test]
    fn waiting_for_start_ignores_the_run_that_ended_before() {
        let mut judge = Judge::new(Condition {
            wait_for_start: true,
            ..Condition::all()
        });
        assert_eq!(judge.judge(&[row("Succeeded", "a")]), None);
        assert_eq!(judge.judge(&[row("Progressing", "b")]), None);
        assert_eq!(judge.judge(&[row("Succeeded", "b")]), Some(Exit::Success));
        let mut judge = Judge::new(Condition::all());
        assert_eq!(judge.judge(&[row("Succeeded", "a")]), Some(Exit::Success));
    }

    #[test]
    fn until_a_phase_counts_as_ended_well() {
        let mut judge = Judge::new(Condition {
            until: vec!["WaitingPromotion".into()],
            ..Condition::all()
        });
        assert_eq!(judge.judge(&[row("WaitingPromotion", "a")]), Some(Exit::Success));
    }

    #[test]
    fn one_read_exits() {
        let missing = CanaryState::unavailable("m1", "test", "podinfo", "canary test/podinfo not found".into());
        assert_eq!(
            members_read_exit(std::slice::from_ref(&missing), true),
            Exit::NothingMatched
        );
        assert_eq!(
            members_read_exit(&[missing, row("Succeeded", "a")], true),
            Exit::Partial
        );
        assert_eq!(members_read_exit(&[row("Failed", "a")], false), Exit::Failed);
        assert_eq!(hub_read_exit(&[]), Exit::NothingMatched);
        assert_eq!(hub_read_exit(&[row("Succeeded", "a")]), Exit::Success);
        let untold = CanaryState::unavailable("m2", "test", "podinfo", "no rollout policy".into());
        assert_eq!(hub_read_exit(&[row("Succeeded", "a"), untold]), Exit::Partial);
    }
}
