//! Writes that lost a race with another writer (409 Conflict) are redone from a fresh read.
//!
//! Every write here reads the object first and decides from what it read (created or
//! configured, images already current, field already set); writes that depend on that decision
//! carry the read's resourceVersion, so the API server refuses them if the object changed in
//! between. Redoing the read and the decision, a few times, is the API server's own advice
//! ("please apply your changes to the latest version and try again"). A server-side apply
//! refused for fields other managers own is not such a conflict (see
//! [`super::ClusterError::FieldConflicts`]) and is reported at once.

use std::future::Future;
use std::time::Duration;

use super::error::ClusterError;

/// Reads-and-writes attempted before a conflict is reported.
pub const CONFLICT_ATTEMPTS: u32 = 5;

/// Runs `read_and_write` (attempt numbers from 1) until it does not end in a conflict, at most
/// [`CONFLICT_ATTEMPTS`] times; the last conflict is reported with what to do.
pub async fn redo_on_conflict<T, F, Fut>(mut read_and_write: F) -> Result<T, ClusterError>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, ClusterError>>,
{
    let mut attempt = 1;
    loop {
        match read_and_write(attempt).await {
            Err(e) if e.is_conflict() && attempt < CONFLICT_ATTEMPTS => {
                // A short, growing pause lets the other writer finish before the next read.
                tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
                attempt += 1;
            }
            Err(e) if e.is_conflict() => return Err(e.after_conflicts(CONFLICT_ATTEMPTS)),
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflict() -> ClusterError {
        ClusterError::Api {
            code: 409,
            reason: "Conflict".into(),
            message: "the object has been modified".into(),
        }
    }

    #[tokio::test]
    async fn redoes_until_the_write_goes_through() {
        let result =
            redo_on_conflict(|attempt| async move { if attempt < 3 { Err(conflict()) } else { Ok(attempt) } }).await;
        assert_eq!(result, Ok(3));
    }

    #[tokio::test]
    async fn reports_a_conflict_that_does_not_go_away() {
        let mut calls = 0;
        let result: Result<(), _> = redo_on_conflict(|_| {
            calls += 1;
            async { Err(conflict()) }
        })
        .await;
        assert_eq!(calls, CONFLICT_ATTEMPTS);
        let message = result.unwrap_err().to_string();
        assert!(message.contains("after 5 fresh reads"), "{message}");
    }

    #[tokio::test]
    async fn a_field_manager_conflict_is_not_redone() {
        // Fields another manager owns stay its own however fresh the read: report at once.
        let mut calls = 0;
        let result: Result<(), _> = redo_on_conflict(|_| {
            calls += 1;
            async {
                Err(ClusterError::FieldConflicts {
                    object: "Canary test/podinfo".into(),
                    conflicts: vec![crate::fleet::ownership::FieldConflict {
                        manager: "\"kubectl-edit\" using flagger.app/v1beta1".into(),
                        field: ".spec.analysis.stepWeight".into(),
                    }],
                })
            }
        })
        .await;
        assert_eq!(calls, 1);
        assert!(result.unwrap_err().to_string().contains("--force-conflicts"));
    }

    #[tokio::test]
    async fn other_errors_are_not_redone() {
        let mut calls = 0;
        let result: Result<(), _> = redo_on_conflict(|_| {
            calls += 1;
            async { Err(ClusterError::Other("no".into())) }
        })
        .await;
        assert_eq!(calls, 1);
        assert!(result.is_err());
    }
}
