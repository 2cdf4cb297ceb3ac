//! The JSONPath subset printer columns use: `.a.b`, `.a[0]`, `.a[*].b` (first match) and
//! `.a[?(@.k=="v")].b`.

use serde_json::Value;

pub fn evaluate<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let path = path.trim().trim_start_matches('{').trim_end_matches('}');
    let path = path.strip_prefix('$').unwrap_or(path);
    let mut current = root;
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let key = &after[..end];
            if !key.is_empty() {
                current = current.get(key)?;
            }
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = find_closing(after)?;
            let inside = &after[..end];
            rest = &after[end + 1..];
            let items = current.as_array()?;
            current = if inside == "*" {
                items.first()?
            } else if let Some(filter) = inside.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
                let (lhs, rhs) = filter.split_once("==")?;
                let field = lhs.trim().strip_prefix("@.")?;
                let want = rhs.trim().trim_matches(|c| c == '"' || c == '\'');
                items.iter().find(|item| match evaluate(item, &format!(".{field}")) {
                    Some(Value::String(s)) => s == want,
                    Some(other) => *other == want,
                    None => false,
                })?
            } else {
                let index: usize = inside.parse().ok()?;
                items.get(index)?
            };
        } else {
            return None;
        }
    }
    Some(current)
}

fn find_closing(text: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ']' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        let obj = json!({"status": {"phase": "Progressing", "conditions": [
            {"type": "Ready", "status": "False"}, {"type": "Promoted", "status": "True"}]},
            "spec": {"containers": [{"image": "a"}]}});
        assert_eq!(evaluate(&obj, ".status.phase"), Some(&json!("Progressing")));
        assert_eq!(
            evaluate(&obj, ".status.conditions[?(@.type==\"Promoted\")].status"),
            Some(&json!("True"))
        );
        assert_eq!(evaluate(&obj, ".spec.containers[0].image"), Some(&json!("a")));
        assert_eq!(evaluate(&obj, ".spec.containers[*].image"), Some(&json!("a")));
        assert_eq!(evaluate(&obj, ".status.missing"), None);
    }
}
