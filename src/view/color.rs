//! Colour, decided once: `--color always|never`, or with `auto` only on a terminal, without
//! `NO_COLOR` and without `TERM=dumb`.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::cli::ColorChoice;

static ENABLED: AtomicBool = AtomicBool::new(false);

pub fn init(choice: ColorChoice) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::IsTerminal::is_terminal(&std::io::stdout())
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    };
    ENABLED.store(on, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

#[derive(Debug, Clone, Copy)]
pub enum Color {
    Green,
    Red,
    Yellow,
    Blue,
}

pub fn paint(text: &str, color: Color) -> String {
    if !enabled() {
        return text.to_string();
    }
    let code = match color {
        Color::Green => 32,
        Color::Red => 31,
        Color::Yellow => 33,
        Color::Blue => 34,
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// Display width without escape sequences.
pub fn visible_width(text: &str) -> usize {
    let mut width = 0;
    let mut in_escape = false;
    for c in text.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => width += 1,
        }
    }
    width
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_ignore_escapes() {
        assert_eq!(visible_width("\x1b[32m✔\x1b[0m ok"), 4);
        assert_eq!(visible_width("plain"), 5);
    }
}
