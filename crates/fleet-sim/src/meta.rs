//! Small helpers on object metadata and time.

use serde_json::{Map, Value};

/// RFC 3339 with second precision, as Kubernetes writes timestamps.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn name_of(obj: &Value) -> Option<&str> {
    obj.pointer("/metadata/name").and_then(Value::as_str)
}

pub fn labels_of(obj: &Value) -> Map<String, Value> {
    obj.pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Ensures `obj.metadata` is an object and returns it.
pub fn metadata_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.is_object() {
        *obj = Value::Object(Map::new());
    }
    let meta = obj
        .as_object_mut()
        .map(|o| o.entry("metadata").or_insert_with(|| Value::Object(Map::new())));
    match meta {
        Some(m) => {
            if !m.is_object() {
                *m = Value::Object(Map::new());
            }
            m.as_object_mut().expect("metadata was just made an object")
        }
        None => unreachable!("obj was just made an object"),
    }
}

/// Seconds since an RFC 3339 timestamp, or None when it does not parse.
pub fn age_seconds(timestamp: &str) -> Option<i64> {
    let t: jiff::Timestamp = timestamp.parse().ok()?;
    Some(jiff::Timestamp::now().as_second() - t.as_second())
}
