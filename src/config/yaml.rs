//! YAML (or JSON) documents parsed into JSON values, remembering where every value stood, so a
//! problem found later can name its line and column.

use std::collections::BTreeMap;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;

/// 1-based line and column.
pub type Position = (u32, u32);

/// One document: its value and the position of every path in it (`a.b[0].c`; "" is the root).
#[derive(Debug, Clone)]
pub struct Located {
    pub value: Value,
    pub positions: BTreeMap<String, Position>,
}

impl Located {
    /// The position of a path, or of its nearest ancestor that exists (for missing fields).
    pub fn position_of(&self, path: &str) -> Position {
        let mut current = path.to_string();
        loop {
            if let Some(p) = self.positions.get(&current) {
                return *p;
            }
            match current.rfind(['.', '[']) {
                Some(i) => current.truncate(i),
                None => return self.positions.get("").copied().unwrap_or((1, 1)),
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Node>>),
    /// Entries with the position of their key (where a reader looks for a field).
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(i64::try_from(v).map(Node::Int).unwrap_or(Node::Float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            entries.push((key, map.next_value::<Spanned<Node>>()?));
        }
        Ok(Node::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

fn convert(node: Spanned<Node>, path: String, positions: &mut BTreeMap<String, Position>) -> Value {
    positions.insert(
        path.clone(),
        (node.referenced.line() as u32, node.referenced.column() as u32),
    );
    match node.value {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(b),
        Node::Int(i) => Value::Number(i.into()),
        Node::Float(f) => Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null),
        Node::Str(s) => Value::String(s),
        Node::Seq(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| convert(item, format!("{path}[{i}]"), positions))
                .collect(),
        ),
        Node::Map(entries) => {
            let mut map = Map::new();
            for (key, item) in entries {
                let child = if path.is_empty() {
                    key.value.clone()
                } else {
                    format!("{path}.{}", key.value)
                };
                let value = convert(item, child.clone(), positions);
                positions.insert(child, (key.referenced.line() as u32, key.referenced.column() as u32));
                map.insert(key.value, value);
            }
            Value::Object(map)
        }
    }
}

/// Parses every document of a YAML stream (JSON is YAML too). Empty documents are skipped.
pub fn parse_documents(text: &str) -> Result<Vec<Located>, ParseError> {
    let docs: Vec<Spanned<Node>> = serde_saphyr::from_multiple(text).map_err(|e| {
        let message = e.to_string();
        let (line, column) = location_in(&message).unwrap_or((1, 1));
        let first = message.lines().next().unwrap_or("").to_string();
        ParseError {
            line,
            column,
            message: first.trim_start_matches("error: ").to_string(),
        }
    })?;
    Ok(docs
        .into_iter()
        .map(|doc| {
            let mut positions = BTreeMap::new();
            let value = convert(doc, String::new(), &mut positions);
            Located { value, positions }
        })
        .filter(|d| !d.value.is_null())
        .collect())
}

/// Reads "line L column C" from a serde-saphyr error message.
fn location_in(message: &str) -> Option<(u32, u32)> {
    let rest = &message[message.find("line ")? + 5..];
    let line: u32 = rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?;
    let rest = &rest[rest.find("column ")? + 7..];
    let column: u32 = rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?;
    Some((line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_across_documents() {
        let docs = parse_documents("a: 1\nb:\n  c: [x, {d: 2}]\n---\n---\nf: 3.5\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].value["b"]["c"][1]["d"], 2);
        assert_eq!(docs[0].positions["b.c[1].d"], (3, 11));
        assert_eq!(docs[0].positions["b"], (2, 1));
        assert_eq!(docs[1].positions["f"], (6, 1));
        assert_eq!(docs[0].position_of("b.c[1].missing"), (3, 10));
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = parse_documents("a: 1\nb: [1\n").unwrap_err();
        assert_eq!(err.line, 2, "{err:?}");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn json_is_accepted() {
        let docs = parse_documents(r#"{"workload": {"name": "x"}, "n": [1, 2.5, null, true]}"#).unwrap();
        assert_eq!(docs[0].value["n"], serde_json::json!([1, 2.5, null, true]));
    }
}
