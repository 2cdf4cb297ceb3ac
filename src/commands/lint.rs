//! `lint`: validate rollout policies, no cluster needed.

use anyhow::Result;

use crate::cli::{LintArgs, OutputFormat};
use crate::config::diagnostics::has_errors;
use crate::config::{Severity, load_policies};
use crate::engine::inputs::{read_inputs, render_diagnostics};
use crate::exit::Exit;
use crate::invocation::Invocation;
use crate::output::{print_rows, write_stdout};

pub fn run(inv: &Invocation, args: &LintArgs) -> Result<Exit> {
    let inputs = read_inputs(&args.policies)?;
    let (policies, diagnostics) = load_policies(&inputs, args.policies.policy_name.as_deref());
    match inv.output {
        OutputFormat::Table | OutputFormat::Wide => {
            let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
            let warnings = diagnostics.len() - errors;
            let mut text = render_diagnostics(&diagnostics);
            text.push_str(&format!(
                "{} polic{} checked in {} file{}: {errors} error{}, {warnings} warning{}\n",
                policies.len(),
                if policies.len() == 1 { "y" } else { "ies" },
                inputs.len(),
                if inputs.len() == 1 { "" } else { "s" },
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
            ));
            write_stdout(&text)?;
        }
        format => print_rows(format, &diagnostics, |_| String::new())?,
    }
    Ok(if has_errors(&diagnostics) {
        Exit::Failed
    } else {
        Exit::Success
    })
}
