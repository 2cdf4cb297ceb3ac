//! Reading policy files for lint, render and apply, and reporting their diagnostics.

use std::io::Read;

use anyhow::Result;

use crate::cli::{GateArgs, PolicyFiles};
use crate::config::diagnostics::{has_errors, without_kurator};
use crate::config::{Diagnostic, Input, Policy, load_policies};
use crate::exit::{Exit, ExitError};
use crate::render::GateChoice;

/// Reads every file (`-` is standard input, once). An unreadable file is a usage error.
pub fn read_inputs(files: &PolicyFiles) -> Result<Vec<Input>> {
    let mut inputs = Vec::new();
    let mut stdin_used = false;
    for path in &files.files {
        if path.as_os_str() == "-" {
            if stdin_used {
                return Err(ExitError::usage("-f - (standard input) can be given only once").into());
            }
            stdin_used = true;
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| ExitError::usage(format!("reading standard input: {e}")))?;
            inputs.push(Input {
                name: "<stdin>".into(),
                text,
            });
        } else {
            let text = std::fs::read_to_string(path)
                .map_err(|e| ExitError::usage(format!("cannot read {}: {e}; check the -f path", path.display())))?;
            inputs.push(Input {
                name: path.display().to_string(),
                text,
            });
        }
    }
    Ok(inputs)
}

/// Loads policies; on errors prints every diagnostic to stderr and returns the exit to end with.
pub fn load_or_report(files: &PolicyFiles) -> Result<Result<Vec<Policy>, Exit>> {
    Ok(policies_or_report(&read_inputs(files)?, files.policy_name.as_deref()))
}

/// The policies in files already read; on errors prints every diagnostic to stderr and returns
/// the exit to end with.
pub fn policies_or_report(inputs: &[Input], policy_name: Option<&str>) -> Result<Vec<Policy>, Exit> {
    let (policies, diagnostics) = load_policies(inputs, policy_name);
    // Kurator's rendering defects apply only where Kurator renders: see
    // `view::policies::kurator_report`.
    let diagnostics = without_kurator(&diagnostics);
    eprint!("{}", render_diagnostics(&diagnostics));
    if has_errors(&diagnostics) {
        eprintln!(
            "nothing was applied or rendered: fix the errors above (kubectl kurator-rollout lint -f … shows them alone)"
        );
        return Err(Exit::Failed);
    }
    if policies.is_empty() {
        eprintln!("no rollout found in the given files");
        return Err(Exit::NothingMatched);
    }
    Ok(policies)
}

pub fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(Diagnostic::render).collect()
}

/// The gates the flags ask for; absent flags keep what each Canary was applied with.
pub fn gate_choice(gates: &GateArgs) -> GateChoice {
    GateChoice {
        abort_gate: gates.abort_gate,
        manual_promotion: gates.manual_promotion,
        manual_start: gates.manual_start,
        manual_steps: gates.manual_steps,
    }
}
