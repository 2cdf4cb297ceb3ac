//! Drawing the live view in place on a terminal: each frame overwrites the previous one line by
//! line (cursor up, clear line, write), so nothing flickers and the last frame stays in the
//! scrollback.

use std::io::Write;

pub struct LiveScreen {
    drawn: usize,
}

/// The width tables must fit: `COLUMNS` when set (as kubectl and shells honour it), else the
/// terminal's when stdout is one; None when stdout is a pipe or file (nothing is cut).
pub fn table_width() -> Option<usize> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
    {
        return Some(columns).filter(|c| *c > 0);
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return None;
    }
    Some(size().0)
}

/// Terminal size (columns, rows), with a conventional fallback.
pub fn size() -> (usize, usize) {
    let (rows, cols) = console::Term::stdout().size();
    if rows == 0 || cols == 0 {
        (80, 24)
    } else {
        (cols as usize, rows as usize)
    }
}

impl LiveScreen {
    pub fn new() -> LiveScreen {
        print!("\x1b[?25l");
        LiveScreen { drawn: 0 }
    }

    pub fn draw(&mut self, lines: &[String]) {
        let mut out = String::new();
        if self.drawn > 0 {
            out.push_str(&format!("\x1b[{}F", self.drawn));
        }
        for line in lines {
            out.push_str("\x1b[2K");
            out.push_str(line);
            out.push('\n');
        }
        if lines.len() < self.drawn {
            out.push_str("\x1b[J");
        }
        self.drawn = lines.len();
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(out.as_bytes());
        let _ = stdout.flush();
    }

    /// Removes the live frame (the final table is printed after it).
    pub fn finish(&mut self) {
        let mut out = String::new();
        if self.drawn > 0 {
            out.push_str(&format!("\x1b[{}F\x1b[J", self.drawn));
        }
        out.push_str("\x1b[?25h");
        self.drawn = 0;
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(out.as_bytes());
        let _ = stdout.flush();
    }
}

impl Default for LiveScreen {
    fn default() -> Self {
        LiveScreen::new()
    }
}

impl Drop for LiveScreen {
    fn drop(&mut self) {
        print!("\x1b[?25h");
        let _ = std::io::stdout().flush();
    }
}
