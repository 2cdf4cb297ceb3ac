//! The result row of a per-canary action (start, promote, abort, pause, resume, retry): what was
//! done in which cluster and its exit code. Pure (the table is `view::actions`).

use serde::Serialize;

use crate::exit::Exit;
use crate::fleet::ClusterError;
use crate::interrupt::UNTOUCHED;
use crate::model::canary::CanaryId;
use crate::model::plan::Verb;

#[derive(Debug, Clone, Serialize)]
pub struct ActionRow {
    pub cluster: String,
    pub canary: String,
    pub action: String,
    /// What happened (e.g. started, paused), failed, or untouched (Ctrl-C came first).
    pub result: String,
    pub error: Option<String>,
}

impl ActionRow {
    /// `outcome` is what happened, or why it did not; Ctrl-C before the change makes an
    /// untouched row, not a failure.
    pub fn new(target: &CanaryId, action: String, outcome: Result<String, ClusterError>) -> ActionRow {
        let (result, error) = match outcome {
            Ok(done) => (done, None),
            Err(ClusterError::Interrupted) => (UNTOUCHED.to_string(), None),
            Err(e) => ("failed".to_string(), Some(e.to_string())),
        };
        ActionRow {
            cluster: target.cluster.clone(),
            canary: target.to_string(),
            action,
            result,
            error,
        }
    }

    /// A cluster that could not be acted on at all (unreachable, no client).
    pub fn cluster_failed(cluster: String, error: &ClusterError) -> ActionRow {
        ActionRow {
            cluster,
            canary: "-".into(),
            action: "-".into(),
            result: "failed".into(),
            error: Some(error.to_string()),
        }
    }
}

/// An action carried out from the live view's keys: the verb and its result row, kept for the
/// view's event line and its final table.
#[derive(Debug, Clone)]
pub struct KeyAction {
    pub verb: Verb,
    pub row: ActionRow,
}

impl KeyAction {
    /// The event line's text: `<verb> <cluster> <ns/name>: <what happened>`.
    pub fn text(&self) -> String {
        let outcome = match &self.row.error {
            Some(e) => format!("failed: {e}"),
            None => self.row.result.clone(),
        };
        format!(
            "{} {} {}: {outcome}",
            self.verb.name(),
            self.row.cluster,
            self.row.canary
        )
    }

    /// Whether this was the person's abort and it rolled the canary back (not a step that
    /// found nothing to abort, nor one that failed).
    fn aborted(&self) -> bool {
        self.verb == Verb::Abort && self.row.error.is_none() && !self.row.action.starts_with("none:")
    }
}

/// Why a canary ended Failed when the person aborted it from the live view: the cause the
/// final table shows instead of Flagger's rollback message alone, with the result the
/// `abort` verb reports (e.g. `rolled back (Failed); rollback gate closed`).
pub fn user_abort(actions: &[KeyAction], target: &CanaryId) -> Option<String> {
    let canary = target.to_string();
    actions
        .iter()
        .rev()
        .find(|a| a.aborted() && a.row.cluster == target.cluster && a.row.canary == canary)
        .map(|a| format!("aborted by you in the live view: {}", a.row.result))
}

/// 0/1/5 by how many succeeded, 130 when Ctrl-C left any untouched.
pub fn exit(rows: &[ActionRow]) -> Exit {
    let ok = rows.iter().filter(|r| r.error.is_none()).count();
    let untouched = rows.iter().filter(|r| r.result == UNTOUCHED).count();
    Exit::after_writes(ok, rows.len(), untouched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(outcome: Result<String, ClusterError>) -> ActionRow {
        ActionRow::new(&CanaryId::new("c", "ns", "p"), "a".into(), outcome)
    }

    #[test]
    fn outcomes_become_results() {
        let rows = [
            row(Ok("paused".into())),
            row(Err(ClusterError::Interrupted)),
            row(Err(ClusterError::Other("no".into()))),
        ];
        assert_eq!(rows[0].result, "paused");
        assert_eq!((rows[1].result.as_str(), rows[1].error.is_none()), (UNTOUCHED, true));
        assert_eq!(
            (rows[2].result.as_str(), rows[2].error.as_deref()),
            ("failed", Some("no"))
        );
        assert_eq!(exit(&rows), Exit::Interrupted);
        assert_eq!(exit(&rows[..1]), Exit::Success);
        assert_eq!(
            exit(&[row(Ok("x".into())), row(Err(ClusterError::Other("no".into())))]),
            Exit::Partial
        );
    }

    #[test]
    fn the_persons_abort_is_the_cause_of_the_failure() {
        let id = CanaryId::new("c", "ns", "p");
        let key = |verb: Verb, action: &str, outcome: Result<String, ClusterError>| KeyAction {
            verb,
            row: ActionRow::new(&id, action.into(), outcome),
        };
        let aborted = key(
            Verb::Abort,
            "open rollback gate",
            Ok("rolled back (Failed); rollback gate closed".into()),
        );
        assert_eq!(
            user_abort(std::slice::from_ref(&aborted), &id).as_deref(),
            Some("aborted by you in the live view: rolled back (Failed); rollback gate closed")
        );
        assert_eq!(
            aborted.text(),
            "abort c ns/p: rolled back (Failed); rollback gate closed"
        );
        assert_eq!(user_abort(&[aborted], &CanaryId::new("other", "ns", "p")), None);
        // Nothing aborted, or the abort failed, or another verb: no cause of the user's.
        let none = key(Verb::Abort, "none: already failed", Ok("already failed".into()));
        let failed = key(
            Verb::Abort,
            "open rollback gate",
            Err(ClusterError::Other("timeout".into())),
        );
        let paused = key(Verb::Pause, "set spec.suspend=true", Ok("paused".into()));
        assert_eq!(user_abort(&[none, failed, paused], &id), None);
    }
}
