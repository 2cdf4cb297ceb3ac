//! kubectl-style tables: upper-case headers, columns padded and separated by three spaces, no
//! borders, no trailing spaces.

use std::sync::atomic::{AtomicBool, Ordering};

/// `--no-headers`: one setting for the process, as kubectl's printer flag applies to every
/// table it prints; kept here so no view has to thread it through.
static NO_HEADERS: AtomicBool = AtomicBool::new(false);

/// Drops the header line of every table printed from now on (`--no-headers`).
pub fn omit_headers(omit: bool) {
    NO_HEADERS.store(omit, Ordering::Relaxed);
}

/// Whether tables print their header line.
pub fn headers_shown() -> bool {
    !NO_HEADERS.load(Ordering::Relaxed)
}

/// Display width of a cell (characters; the glyphs used here are all one column wide).
fn width(text: &str) -> usize {
    super::color::visible_width(text)
}

/// Like [`render`], with the last column (a free-text message) cut with `…` so that every line
/// fits `width` columns; the other columns are never cut, and the last keeps at least
/// [`MIN_LAST`] columns.
pub fn render_fitted(headers: &[&str], rows: &[Vec<String>], width: Option<usize>) -> String {
    let Some(width) = width else {
        return render(headers, rows);
    };
    let columns = headers.len();
    if columns == 0 {
        return render(headers, rows);
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| self::width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(self::width(cell));
        }
    }
    let before: usize = widths[..columns - 1].iter().map(|w| w + 3).sum();
    let room = width.saturating_sub(before).max(MIN_LAST);
    let fitted: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut row = row.clone();
            if let Some(last) = row.get_mut(columns - 1) {
                *last = crate::view::canaries::fit(last, room);
            }
            row
        })
        .collect();
    render(headers, &fitted)
}

/// The narrowest a cut last column gets.
pub const MIN_LAST: usize = 12;

pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let columns = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let mut out = String::new();
    let header_cells: Vec<String> = headers.iter().map(|h| h.to_uppercase()).collect();
    let header = headers_shown().then_some(&header_cells);
    for line in header.into_iter().chain(rows.iter()) {
        let mut text = String::new();
        for (i, cell) in line.iter().enumerate().take(columns) {
            if i > 0 {
                text.push_str("   ");
            }
            text.push_str(cell);
            if i + 1 < columns {
                text.push_str(&" ".repeat(widths[i] - width(cell)));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_like_kubectl() {
        let out = render(
            &["context", "status"],
            &[
                vec!["a".into(), "Ready".into()],
                vec!["longer-name".into(), "unreachable: connection refused".into()],
            ],
        );
        assert_eq!(
            out,
            "CONTEXT       STATUS\na             Ready\nlonger-name   unreachable: connection refused\n"
        );
    }

    #[test]
    fn empty_last_cells_leave_no_trailing_space() {
        let out = render(&["a", "b"], &[vec!["x".into(), "".into()]]);
        assert_eq!(out, "A   B\nx\n");
    }
}
