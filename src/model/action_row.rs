//! The result row of a per-canary action (start, promote, abort, pause, resume, retry): what was
//! done in which cluster and its exit code. Pure (the table is `view::actions`).

use serde::Serialize;

use crate::exit::Exit;
use crate::fleet::ClusterError;
use crate::interrupt::UNTOUCHED;
use crate::model::canary::CanaryId;

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
}
