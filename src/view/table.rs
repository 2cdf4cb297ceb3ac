//! kubectl-style tables: upper-case headers, columns padded and separated by three spaces, no
//! borders, no trailing spaces.

/// Display width of a cell (characters; the glyphs used here are all one column wide).
fn width(text: &str) -> usize {
    super::color::visible_width(text)
}

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
    for line in std::iter::once(&header_cells).chain(rows.iter()) {
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
