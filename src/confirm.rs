//! Asking the person at the terminal before a change, with `dialoguer` (the prompts outside the
//! live view; the live view asks on its own footer). Without a terminal the answer must come
//! from `--yes`; the command then changes nothing and exits 2. The prompts go to stderr and
//! read the terminal, so stdout stays the command's result.

use std::io::IsTerminal;

use dialoguer::theme::SimpleTheme;
use dialoguer::{Confirm, Input};

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

/// Asks a yes/no question on stderr (default no; `y` or `n`, then Enter).
pub fn confirm(question: &str, assume_yes: bool) -> Decision {
    if assume_yes {
        return Decision::Proceed;
    }
    if !interactive() {
        return Decision::NeedsYes;
    }
    // Ctrl-C at the question keeps its default meaning (quit, nothing changed): dialoguer
    // raises SIGINT when it reads ^C in raw mode, as the terminal would in cooked mode.
    let answer = Confirm::with_theme(&SimpleTheme)
        .with_prompt(question)
        .default(false)
        .wait_for_newline(true)
        .interact_on(&console::Term::stderr());
    match answer {
        Ok(true) => Decision::Proceed,
        Ok(false) | Err(_) => Decision::Declined,
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
    let term = console::Term::stderr();
    if term.write_line(question).is_err() {
        return Decision::Declined;
    }
    let answer = Input::<String>::with_theme(&SimpleTheme)
        .with_prompt(format!("Type {expected} to confirm"))
        // An empty answer is a refusal, not a reason to ask again.
        .allow_empty(true)
        .interact_text_on(&term);
    match answer {
        Ok(typed) if typed.trim() == expected => Decision::Proceed,
        _ => Decision::Declined,
    }
}
