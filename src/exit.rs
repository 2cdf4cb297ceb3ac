//! The exit-code contract (stable across releases; documented in the README).

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done everywhere.
    Success = 0,
    /// A canary failed, a required condition failed, or no cluster succeeded.
    Failed = 1,
    /// Usage error, or a confirmation was needed without a terminal and without `--yes`.
    Usage = 2,
    Timeout = 3,
    NothingMatched = 4,
    /// Some clusters succeeded, others failed or were unreachable.
    Partial = 5,
    Interrupted = 130,
}

impl Exit {
    /// 0 when every cluster succeeded, 1 when none did, 5 in between.
    pub fn from_counts(succeeded: usize, total: usize) -> Exit {
        match (succeeded, total) {
            (s, t) if s == t => Exit::Success,
            (0, _) => Exit::Failed,
            _ => Exit::Partial,
        }
    }

    /// 130 when Ctrl-C kept some clusters from being changed, otherwise as [`Exit::from_counts`].
    pub fn after_writes(succeeded: usize, total: usize, untouched: usize) -> Exit {
        if untouched > 0 {
            Exit::Interrupted
        } else {
            Exit::from_counts(succeeded, total)
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// An error that ends the command with a specific exit code (usage errors, mostly); any other
/// error ends it with 1.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ExitError {
    pub exit: Exit,
    pub message: String,
}

impl ExitError {
    pub fn usage(message: impl Into<String>) -> Self {
        ExitError {
            exit: Exit::Usage,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(Exit::from_counts(3, 3), Exit::Success);
        assert_eq!(Exit::from_counts(0, 3), Exit::Failed);
        assert_eq!(Exit::from_counts(2, 3), Exit::Partial);
        assert_eq!(Exit::from_counts(0, 0), Exit::Success);
        assert_eq!(Exit::after_writes(2, 3, 1), Exit::Interrupted);
        assert_eq!(Exit::after_writes(3, 3, 0), Exit::Success);
    }
}
