//! When a followed fleet is done, and how it ended (pure): the condition a follow waits for
//! (`--require`, `--until`, `--wait-for-start`), the verdict on each canary row, and the
//! exit-code contract pipelines rely on (README "Exit codes").

use std::collections::HashMap;

use crate::exit::Exit;
use crate::model::canary::{CanaryId, CanaryState, RunMark};
use crate::model::fleet_state::is_missing;

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

impl Require {
    /// A number of canaries the `targets` clusters can meet: `--require 0` asks for nothing,
    /// and more than the targets can never be met (a usage error, not a wait for the timeout).
    pub fn within(self, targets: usize) -> Result<Require, String> {
        match self {
            Require::AtLeast(0) => Err("--require 0: use all, any or a number from 1".into()),
            Require::AtLeast(n) if n > targets => Err(format!(
                "--require {n}: there {} only {targets} target cluster{}",
                if targets == 1 { "is" } else { "are" },
                if targets == 1 { "" } else { "s" }
            )),
            other => Ok(other),
        }
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
    // A failed canary that leaves too few to ever meet `--require` ends the follow at once
    // with 1 while others still run (README "Exit codes"), not when they end or the timeout
    // passes; `start --on-failure abort-all` relies on it to find the wave's other canaries
    // still running. Once nothing runs any more, the clusters are counted below (5 when some
    // succeeded).
    if failed > 0 && pending > 0 && success + pending < needed {
        return Some(Exit::Failed);
    }
    if pending > 0 {
        return None;
    }
    // README "Exit codes": 5 when some clusters succeeded and the others failed or did not
    // answer, 1 when none succeeded, as every verb counts its clusters (`Exit::from_counts`).
    Some(if !any_found {
        Exit::NothingMatched
    } else if success >= needed {
        Exit::Success
    } else if success > 0 || (unavailable > 0 && failed == 0) {
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
    /// Follow every canary until its run ends, even once a failure decided the exit (the demo
    /// shows the whole rollout).
    pub every_run_to_its_end: bool,
}

impl Condition {
    /// Every canary must end well; any run counts, also one that ended before the follow.
    pub fn all() -> Condition {
        Condition {
            require: Require::All,
            until: Vec::new(),
            wait_for_start: false,
            baseline: HashMap::new(),
            every_run_to_its_end: false,
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
        if self.condition.wait_for_start && !self.note_run(r) {
            return Verdict::Pending;
        }
        match r.phase.as_str() {
            "Succeeded" | "Initialized" => Verdict::Success,
            "Failed" => Verdict::Failed,
            _ => Verdict::Pending,
        }
    }

    /// Notes where the run of each canary in `rows` stands, before every cluster has answered
    /// (nothing is decided then). With `wait_for_start`, a canary without a mark is marked at
    /// its first sight in the watch, not when judging begins: across a thousand clusters the
    /// last may answer tens of seconds after the first, and a run that began and ended in
    /// between would otherwise be taken as the old run, waited past until the timeout.
    pub fn observe<'a>(&mut self, rows: impl IntoIterator<Item = &'a CanaryState>) {
        if !self.condition.wait_for_start {
            return;
        }
        for r in rows {
            if r.found() && r.error.is_none() {
                self.note_run(r);
            }
        }
    }

    /// Marks `r`'s canary when it has no mark yet, and says whether it has shown a run started
    /// after its mark (once it has, it stays started).
    fn note_run(&mut self, r: &CanaryState) -> bool {
        let key = (r.cluster.clone(), format!("{}/{}", r.namespace, r.name));
        let mark = self.condition.baseline.entry(key.clone()).or_insert_with(|| RunMark {
            applied: r.last_applied_spec.clone(),
            promoted_transition: r.promoted_transition.clone(),
        });
        let started = self.started.entry(key).or_insert(false);
        if !*started && mark.new_run(r) {
            *started = true;
        }
        *started
    }

    /// The exit once the condition is decided on these rows (every cluster answered), else None.
    pub fn judge(&mut self, rows: &[CanaryState]) -> Option<Exit> {
        let verdicts: Vec<Verdict> = rows.iter().map(|r| self.verdict(r)).collect();
        let any_found = rows.iter().any(CanaryState::found);
        if self.condition.every_run_to_its_end && verdicts.contains(&Verdict::Pending) {
            return None;
        }
        decide(&verdicts, self.condition.require, any_found).map(|exit| unanswered(exit, rows))
    }
}

/// Nothing matched (4) only where some cluster answered: when none did, nothing could be
/// looked at, and no cluster succeeded (1).
pub fn unanswered(exit: Exit, rows: &[CanaryState]) -> Exit {
    if exit == Exit::NothingMatched && no_cluster_answered(rows) {
        Exit::Failed
    } else {
        exit
    }
}

/// Every row is a cluster that did not answer (none, when there are no rows at all).
pub fn no_cluster_answered(rows: &[CanaryState]) -> bool {
    !rows.is_empty()
        && rows
            .iter()
            .all(|r| r.error.is_some() && r.phase.is_empty() && !is_missing(r))
}

/// The exit of one read of the members' canaries (`status` without `--watch`, `get`): 4 when a
/// named canary is in no cluster that answered, else as the rows count (a Failed canary or a
/// cluster that did not answer against the others: [`counted_exit`]).
pub fn members_read_exit(rows: &[CanaryState], named: bool) -> Exit {
    if named && !rows.iter().any(CanaryState::found) {
        return unanswered(Exit::NothingMatched, rows);
    }
    counted_exit(rows)
}

/// The exit of one read of the hub's Applications: 4 when they report no member, else as the
/// rows count.
pub fn hub_read_exit(rows: &[CanaryState]) -> Exit {
    if rows.is_empty() {
        Exit::NothingMatched
    } else {
        counted_exit(rows)
    }
}

/// 0 when no canary read is Failed or unreadable, 1 when all are, 5 in between (README "Exit
/// codes": some clusters fine, others failed or unreachable).
fn counted_exit(rows: &[CanaryState]) -> Exit {
    let fine = rows.iter().filter(|r| r.error.is_none() && r.phase != "Failed").count();
    Exit::from_counts(fine, rows.len())
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
        assert_eq!(decide(&[Success, Failed], Require::All, true), Some(Exit::Partial));
        assert_eq!(decide(&[Failed, Failed], Require::All, true), Some(Exit::Failed));
        assert_eq!(decide(&[Failed, Unavailable], Require::All, true), Some(Exit::Failed));
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
    fn a_required_canary_that_failed_decides_at_once() {
        assert_eq!(
            decide(&[Failed, Pending, Pending], Require::All, true),
            Some(Exit::Failed)
        );
        assert_eq!(
            decide(&[Failed, Failed, Pending], Require::AtLeast(2), true),
            Some(Exit::Failed)
        );
        // Enough may still end well: keep following.
        assert_eq!(decide(&[Failed, Pending, Pending], Require::AtLeast(2), true), None);
        assert_eq!(decide(&[Failed, Pending], Require::Any, true), None);
        // An unreachable cluster alone does not cut the others' runs short.
        assert_eq!(decide(&[Unavailable, Pending], Require::All, true), None);
    }

    #[test]
    fn require_parses_all_any_and_counts() {
        assert_eq!(parse_require("all"), Ok(Require::All));
        assert_eq!(parse_require("any"), Ok(Require::Any));
        assert_eq!(parse_require("2"), Ok(Require::AtLeast(2)));
        assert!(parse_require("most").is_err());
        assert_eq!(Require::AtLeast(2).within(3), Ok(Require::AtLeast(2)));
        assert!(
            Require::AtLeast(4)
                .within(3)
                .unwrap_err()
                .contains("only 3 target clusters")
        );
        assert!(Require::AtLeast(0).within(3).is_err());
        assert_eq!(Require::All.within(0), Ok(Require::All));
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
        let missing = crate::model::fleet_state::missing_canary("m1", "test", "podinfo");
        assert_eq!(
            members_read_exit(std::slice::from_ref(&missing), true),
            Exit::NothingMatched
        );
        // No cluster answered: nothing could be matched, and none succeeded.
        let unreachable = CanaryState::unavailable("m1", "test", "podinfo", "unreachable: refused".into());
        assert_eq!(members_read_exit(&[unreachable], true), Exit::Failed);
        assert_eq!(
            members_read_exit(&[missing, row("Succeeded", "a")], true),
            Exit::Partial
        );
        assert_eq!(members_read_exit(&[row("Failed", "a")], false), Exit::Failed);
        assert_eq!(
            members_read_exit(&[row("Failed", "a"), row("Succeeded", "a")], false),
            Exit::Partial
        );
        assert_eq!(hub_read_exit(&[]), Exit::NothingMatched);
        assert_eq!(hub_read_exit(&[row("Succeeded", "a")]), Exit::Success);
        let untold = CanaryState::unavailable("m2", "test", "podinfo", "no rollout policy".into());
        assert_eq!(hub_read_exit(&[row("Succeeded", "a"), untold]), Exit::Partial);
    }
}
