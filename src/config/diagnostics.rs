//! Problems found in a rollout policy, each located and with a fix.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// Field path within the document (`spec.syncPolicies[0].rollout.port`).
    pub path: String,
    pub message: String,
    pub fix: String,
    /// Set when this is what Kurator's own rendering will do with the policy (a defect of
    /// Kurator, not of the policy): it applies only where Kurator renders (`--fleet`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kurator: Option<super::kurator::KuratorDefect>,
}

impl Diagnostic {
    /// `file:line:col: error: path: message` then the fix, as compilers print it.
    pub fn render(&self) -> String {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let path = if self.path.is_empty() {
            String::new()
        } else {
            format!("{}: ", self.path)
        };
        format!(
            "{}:{}:{}: {level}: {path}{}\n  fix: {}\n",
            self.file, self.line, self.column, self.message, self.fix
        )
    }
}

/// The diagnostics that apply when this tool renders the Canaries itself (not Kurator).
pub fn without_kurator(diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    diagnostics.iter().filter(|d| d.kurator.is_none()).cloned().collect()
}

pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}
