//! Asking the person at the terminal before a change. Without a terminal the answer must come
//! from `--yes`; the command then changes nothing and exits 2.

use std::io::{BufRead, IsTerminal, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Proceed,
    Declined,
    /// No terminal to ask on and no `--yes`.
    NeedsYes,
}

pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks a yes/no question on stderr (default no).
pub fn confirm(question: &str, assume_yes: bool) -> Decision {
    if assume_yes {
        return Decision::Proceed;
    }
    if !interactive() {
        return Decision::NeedsYes;
    }
    eprint!("{question} [y/N]: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return Decision::Declined;
    }
    if matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
        Decision::Proceed
    } else {
        Decision::Declined
    }
}

/// Asks the person to type `expected` (the number of clusters affected) to go ahead.
pub fn confirm_typed(question: &str, expected: &str, assume_yes: bool) -> Decision {
    if assume_yes {
        return Decision::Proceed;
    }
    if !interactive() {
        return Decision::NeedsYes;
    }
    eprint!("{question}\nType {expected} to confirm: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return Decision::Declined;
    }
    if answer.trim() == expected {
        Decision::Proceed
    } else {
        Decision::Declined
    }
}
