//! kubectl's `-o jsonpath=…` and `-o custom-columns=…` over the rows a verb prints (pure).
//!
//! The subset kubectl users reach for first (k8s.io/client-go util/jsonpath, `Parser`): text
//! with `{…}` expressions, each a path of `.field`, `[n]` and `[*]` from the root (`$` or a
//! leading `.`). Several results are joined by a space and strings are printed bare, as
//! client-go's `JSONPath.PrintResults` does. `range`, filters (`?()`), recursive descent
//! (`..`) and slices are refused with a usage error naming what is supported. The root of a
//! template is the rows as kubectl's List: `{"kind": "List", "apiVersion": "v1", "items": […]}`,
//! so `{.items[*].name}` works as it does with kubectl; custom columns are evaluated per row.

use serde_json::Value;

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Index(usize),
    All,
}

/// A parsed template: literal text and paths, in order.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Path(Vec<Step>),
}

const SUPPORTED: &str = "supported: {.field}, {.list[0]}, {.list[*].field}";

fn parse_path(expr: &str) -> Result<Vec<Step>, String> {
    let expr = expr.trim();
    if expr.starts_with("range") || expr == "end" || expr.contains("..") || expr.contains("?(") {
        return Err(format!("jsonpath {{{expr}}} is not supported ({SUPPORTED})"));
    }
    let rooted = expr.strip_prefix('$').unwrap_or(expr);
    // kubectl's relaxed form for custom columns: `name` for `.name`.
    let relaxed = if rooted.is_empty() || rooted.starts_with(['.', '[']) {
        rooted.to_string()
    } else {
        format!(".{rooted}")
    };
    let mut rest = relaxed.as_str();
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..end];
            if !name.is_empty() {
                steps.push(Step::Field(name.to_string()));
            }
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after
                .find(']')
                .ok_or_else(|| format!("jsonpath {{{expr}}}: unclosed ["))?;
            let inside = after[..end].trim();
            let step = match inside {
                "*" => Step::All,
                quoted if quoted.starts_with('\'') && quoted.ends_with('\'') && quoted.len() >= 2 => {
                    Step::Field(quoted[1..quoted.len() - 1].to_string())
                }
                n => Step::Index(
                    n.parse()
                        .map_err(|_| format!("jsonpath {{{expr}}}: [{n}] is not supported ({SUPPORTED})"))?,
                ),
            };
            steps.push(step);
            rest = &after[end + 1..];
        } else {
            return Err(format!("jsonpath {{{expr}}}: unexpected {rest:?} ({SUPPORTED})"));
        }
    }
    Ok(steps)
}

fn parse_template(template: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_string()));
        }
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("jsonpath {template:?}: unclosed {{"))?;
        pieces.push(Piece::Path(parse_path(&rest[open + 1..open + close])?));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    Ok(pieces)
}

fn evaluate<'a>(root: &'a Value, steps: &[Step]) -> Vec<&'a Value> {
    let mut current = vec![root];
    for step in steps {
        current = current
            .into_iter()
            .flat_map(|v| -> Vec<&'a Value> {
                match step {
                    Step::Field(name) => v.get(name).into_iter().collect(),
                    Step::Index(i) => v.get(*i).into_iter().collect(),
                    Step::All => match v {
                        Value::Array(items) => items.iter().collect(),
                        Value::Object(map) => map.values().collect(),
                        _ => Vec::new(),
                    },
                }
            })
            .collect();
    }
    current
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Checks a `-o jsonpath=` template (for a usage error before anything is read).
pub fn check_template(template: &str) -> Result<(), String> {
    parse_template(template).map(|_| ())
}

/// Checks a `-o custom-columns=` spec.
pub fn check_columns(spec: &str) -> Result<(), String> {
    columns(spec).map(|_| ())
}

/// `template` applied to `root` (a verb's rows as a kubectl List, or one document); a path
/// that finds nothing prints nothing.
pub fn apply_template(template: &str, root: &Value) -> Result<String, String> {
    let mut out = String::new();
    for piece in parse_template(template)? {
        match piece {
            Piece::Text(t) => out.push_str(&t),
            Piece::Path(steps) => {
                let found: Vec<String> = evaluate(root, &steps).into_iter().map(shown).collect();
                out.push_str(&found.join(" "));
            }
        }
    }
    Ok(out)
}

fn columns(spec: &str) -> Result<Vec<(String, Vec<Step>)>, String> {
    spec.split(',')
        .map(|column| {
            let (header, path) = column
                .split_once(':')
                .ok_or_else(|| format!("custom-columns {column:?}: expected HEADER:.path (e.g. NAME:.name)"))?;
            let path = path.trim().trim_start_matches('{').trim_end_matches('}');
            Ok((header.to_string(), parse_path(path)?))
        })
        .collect()
}

/// The header and the cells of `-o custom-columns=HEADER:.path,…`, one row per item; a path
/// that finds nothing is `<none>`, as kubectl shows it.
pub fn custom_columns(spec: &str, rows: &[Value]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let columns = columns(spec)?;
    let headers = columns.iter().map(|(h, _)| h.clone()).collect();
    let cells = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|(_, steps)| {
                    let found: Vec<String> = evaluate(row, steps).into_iter().map(shown).collect();
                    if found.is_empty() || found.iter().all(String::is_empty) {
                        "<none>".to_string()
                    } else {
                        found.join(",")
                    }
                })
                .collect()
        })
        .collect();
    Ok((headers, cells))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn list() -> Value {
        json!({"kind": "List", "apiVersion": "v1", "items": rows()})
    }

    fn rows() -> Vec<Value> {
        vec![
            json!({"cluster": "m1", "name": "podinfo", "phase": "Succeeded", "weight": 0}),
            json!({"cluster": "m2", "name": "podinfo", "phase": null, "weight": null}),
        ]
    }

    #[test]
    fn templates_walk_the_list_like_kubectl() {
        assert_eq!(apply_template("{.items[*].cluster}", &list()).unwrap(), "m1 m2");
        assert_eq!(
            apply_template("first={.items[0].phase} w={.items[0].weight}\n", &list()).unwrap(),
            "first=Succeeded w=0\n"
        );
        assert_eq!(apply_template("{$.kind}", &list()).unwrap(), "List");
        assert_eq!(apply_template("{.items[1]['cluster']}", &list()).unwrap(), "m2");
        assert!(apply_template("{range .items[*]}{.name}{end}", &list()).is_err());
        assert!(check_template("{.items[?(@.x)]}").is_err());
        assert!(check_template("{.items").is_err());
    }

    #[test]
    fn custom_columns_per_row_with_none_for_missing() {
        let (headers, cells) = custom_columns("CLUSTER:.cluster,PHASE:.phase,W:weight", &rows()).unwrap();
        assert_eq!(headers, vec!["CLUSTER", "PHASE", "W"]);
        assert_eq!(cells[0], vec!["m1", "Succeeded", "0"]);
        assert_eq!(cells[1], vec!["m2", "<none>", "<none>"]);
        assert!(check_columns("CLUSTER").is_err());
    }
}
