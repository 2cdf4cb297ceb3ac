//! A unified line diff (pure), for `apply --dry-run`.

/// Longest-common-subsequence diff of two texts, with three lines of context per hunk.
pub fn unified(before: &str, after: &str, from: &str, to: &str) -> String {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // Removals before additions, as diff(1) prints a changed line.
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, (c, _))| *c != ' ')
        .map(|(k, _)| k)
        .collect();
    if changed.is_empty() {
        return String::new();
    }
    let mut out = format!("--- {from}\n+++ {to}\n");
    let mut shown_until = 0usize;
    for &k in &changed {
        let start = k.saturating_sub(3).max(shown_until);
        let end = (k + 4).min(ops.len());
        if start > shown_until && shown_until > 0 {
            out.push_str("@@\n");
        }
        for (c, line) in &ops[start..end.max(start)] {
            out.push_str(&format!("{c}{line}\n"));
        }
        shown_until = shown_until.max(end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_changes_with_context() {
        let d = unified("a\nb\nc\n", "a\nB\nc\nd\n", "old", "new");
        assert_eq!(d, "--- old\n+++ new\n a\n-b\n+B\n c\n+d\n");
        assert_eq!(unified("same\n", "same\n", "x", "y"), "");
    }
}
