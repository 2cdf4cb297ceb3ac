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

/// Ctrl-C at a question keeps its default meaning: quit, nothing changed (exit 130), whether
/// or not a command's Ctrl-C listener is installed yet (`apply` installs it while it reads, so
/// that reads cut short report every cluster untouched). console restores the terminal's mode
/// before it raises SIGINT for the ^C it read (console unix_term.rs, `read_single_key`), and
/// dialoguer hands the read's `Interrupted` error back. Any other failure to ask is a no. Called
/// inside [`crate::interrupt::asking`]: the listener handles the same SIGINT on its own thread,
/// and must still see the question asked when it does, or it would also announce changes under
/// way that never started.
fn quit_if_interrupted(e: dialoguer::Error) -> Decision {
    let dialoguer::Error::IO(io) = e;
    if io.kind() == std::io::ErrorKind::Interrupted {
        eprintln!("\ninterrupted at the question: nothing changed");
        std::process::exit(crate::exit::Exit::Interrupted as i32);
    }
    Decision::Declined
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
    let answer = crate::interrupt::asking(|| {
        Confirm::with_theme(&SimpleTheme)
            .with_prompt(question)
            .default(false)
            .wait_for_newline(true)
            .interact_on(&console::Term::stderr())
            .map_err(quit_if_interrupted)
    });
    match answer {
        Ok(true) => Decision::Proceed,
        Ok(false) => Decision::Declined,
        Err(decision) => decision,
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
    let answer = crate::interrupt::asking(|| {
        Input::<String>::with_theme(&SimpleTheme)
            .with_prompt(format!("Type {expected} to confirm"))
            // An empty answer is a refusal, not a reason to ask again.
            .allow_empty(true)
            .interact_text_on(&term)
            .map_err(quit_if_interrupted)
    });
    match answer {
        Ok(typed) if typed.trim() == expected => Decision::Proceed,
        Ok(_) => Decision::Declined,
        Err(decision) => decision,
    }
}
