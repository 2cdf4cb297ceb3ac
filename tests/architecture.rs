//! The layout rules of the README's "Code map", checked on the source text so a change that
//! breaks them fails here instead of in a review:
//! - `src/commands/` stays thin: under 1,800 lines, no function over 60 lines, no command file
//!   importing another;
//! - `Fleet::fan_out` is called only from `src/engine/`;
//! - `src/model/` is pure: no I/O crates, no clap, nothing from the layers above it;
//! - the top-level modules of `src/` import each other without a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("reading {}: {e}", d.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The file's text without its `#[cfg(test)]` module (unit tests may reach anywhere), and
/// `None` for files that are test modules as a whole.
fn product_text(path: &Path) -> Option<String> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let name = path.file_name()?.to_string_lossy().to_string();
    if name == "tests.rs" || name.ends_with("_tests.rs") || path.components().any(|c| c.as_os_str() == "tests") {
        return None;
    }
    Some(match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => text[..i].to_string(),
        None => text,
    })
}

/// (name, first line, length in lines) of every `fn` whose body is a brace block, found by
/// matching the closing brace at the `fn` line's indentation (rustfmt's layout).
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let is_fn = trimmed.starts_with("fn ")
            || trimmed.starts_with("pub fn ")
            || trimmed.starts_with("async fn ")
            || trimmed.starts_with("pub async fn ")
            || trimmed.starts_with("pub(crate) fn ")
            || trimmed.starts_with("pub(crate) async fn ")
            || trimmed.starts_with("pub(super) fn ")
            || trimmed.starts_with("pub(super) async fn ");
        if !is_fn || trimmed.ends_with(';') {
            continue;
        }
        let name = trimmed
            .split("fn ")
            .nth(1)
            .and_then(|rest| rest.split(['(', '<']).next())
            .unwrap_or("?")
            .to_string();
        let closing = " ".repeat(indent) + "}";
        if let Some(end) = (i..lines.len()).find(|&j| lines[j] == closing) {
            found.push((name, i + 1, end - i + 1));
        }
    }
    found
}

#[test]
fn commands_are_thin() {
    let dir = src().join("commands");
    let files = rust_files(&dir);
    let verbs: BTreeSet<String> = files
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().to_string()))
        .filter(|s| s != "mod")
        .collect();
    let mut total = 0;
    let mut problems = Vec::new();
    for path in &files {
        let text = fs::read_to_string(path).expect("readable");
        total += text.lines().count();
        let shown = path.strip_prefix(src()).unwrap_or(path).display().to_string();
        for (name, line, length) in functions(&text) {
            if length > 60 {
                problems.push(format!("{shown}:{line}: fn {name} is {length} lines (limit 60)"));
            }
        }
        if path.file_stem().is_some_and(|s| s != "mod") {
            for verb in &verbs {
                for import in [format!("super::{verb}"), format!("crate::commands::{verb}")] {
                    if text.contains(&format!("{import}::")) || text.contains(&format!("{import};")) {
                        problems.push(format!("{shown} imports the command file {verb}"));
                    }
                }
            }
        }
    }
    if total >= 1800 {
        problems.push(format!("src/commands/ has {total} lines (limit 1,800)"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn only_the_engine_fans_out() {
    let engine = src().join("engine");
    let callers: Vec<String> = rust_files(&src())
        .into_iter()
        .filter(|p| !p.starts_with(&engine))
        .filter(|p| product_text(p).is_some_and(|t| t.contains(".fan_out(")))
        .map(|p| p.display().to_string())
        .collect();
    assert!(callers.is_empty(), "fan_out called outside src/engine: {callers:?}");
}

#[test]
fn the_model_is_pure() {
    let forbidden = [
        "crate::engine",
        "crate::commands",
        "crate::view",
        "crate::tui",
        "crate::cli",
        "crate::output",
        "crate::invocation",
        "kube::",
        "tokio::",
        "std::fs",
        "std::io",
        "clap::",
    ];
    let mut problems = Vec::new();
    for path in rust_files(&src().join("model")) {
        let Some(text) = product_text(&path) else { continue };
        for word in forbidden {
            if text.contains(word) {
                problems.push(format!("{} uses {word}", path.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn top_level_modules_have_no_import_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in rust_files(&src()) {
        let Some(text) = product_text(&path) else { continue };
        let relative = path.strip_prefix(src()).expect("under src");
        let first = relative.components().next().expect("a component");
        let module = first.as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        for (i, _) in text.match_indices("crate::") {
            let used: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !used.is_empty() && used != module {
                graph.entry(module.clone()).or_default().insert(used);
            }
        }
    }
    // A cycle exists iff a depth-first search meets a module still on its stack.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|p| p == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if !done.insert(node.to_string()) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut Vec::new(), &mut done) {
            panic!("import cycle between top-level modules: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn the_rule_checks_can_fail() {
    // The function finder must see a long function, or `commands_are_thin` proves nothing.
    let long = format!("pub async fn big() {{\n{}}}\n", "    x();\n".repeat(70));
    assert_eq!(functions(&long), vec![("big".to_string(), 1, 72)]);
}
