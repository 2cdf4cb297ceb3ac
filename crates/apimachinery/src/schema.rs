//! Structural-schema validation and pruning of custom resources, as the API server does with a
//! CRD's `openAPIV3Schema`: type checks, `required`, `enum`, bounds, and pruning of unknown fields
//! unless `x-kubernetes-preserve-unknown-fields` is set.

use serde_json::{Map, Value};

use crate::field::FieldError;

/// The outcome of checking one object: the pruned object, field errors, and the paths of the
/// unknown fields that were pruned (for `fieldValidation=Strict|Warn`).
pub struct Checked {
    pub object: Value,
    pub errors: Vec<FieldError>,
    pub unknown: Vec<String>,
}

pub fn check(object: &Value, schema: &Value) -> Checked {
    let mut errors = Vec::new();
    let mut unknown = Vec::new();
    let mut pruned = Map::new();
    if let Some(map) = object.as_object() {
        for (key, value) in map {
            let path = key.clone();
            match key.as_str() {
                // The server owns these; the schema never prunes them.
                "apiVersion" | "kind" | "metadata" => {
                    pruned.insert(key.clone(), value.clone());
                }
                _ => match property_schema(schema, key) {
                    Some(sub) => {
                        if let Some(v) = check_value(value, sub, &path, &mut errors, &mut unknown) {
                            pruned.insert(key.clone(), v);
                        }
                    }
                    None if preserves_unknown(schema) => {
                        pruned.insert(key.clone(), value.clone());
                    }
                    None => unknown.push(path),
                },
            }
        }
    }
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if !pruned.contains_key(name) {
                errors.push(required_error(name));
            }
        }
    }
    Checked {
        object: Value::Object(pruned),
        errors,
        unknown,
    }
}

fn property_schema<'a>(schema: &'a Value, key: &str) -> Option<&'a Value> {
    if let Some(sub) = schema.get("properties").and_then(|p| p.get(key)) {
        return Some(sub);
    }
    match schema.get("additionalProperties") {
        Some(sub) if sub.is_object() => Some(sub),
        _ => None,
    }
}

fn preserves_unknown(schema: &Value) -> bool {
    schema
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true)
        || schema.get("additionalProperties").and_then(Value::as_bool) == Some(true)
}

fn required_error(path: &str) -> FieldError {
    FieldError {
        field: path.to_string(),
        reason: "FieldValueRequired",
        message: format!("{path}: Required value"),
    }
}

fn type_error(path: &str, expected: &str, value: &Value) -> FieldError {
    let got = json_type(value);
    FieldError {
        field: path.to_string(),
        reason: "FieldValueTypeInvalid",
        message: format!("{path}: Invalid value: \"{got}\": {path} in body must be of type {expected}: \"{got}\""),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_integer(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

/// Checks one value; returns the value to keep (None: pruned, as a null in a non-nullable field is).
fn check_value(
    value: &Value,
    schema: &Value,
    path: &str,
    errors: &mut Vec<FieldError>,
    unknown: &mut Vec<String>,
) -> Option<Value> {
    if value.is_null() {
        return if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
            Some(Value::Null)
        } else {
            None
        };
    }
    let int_or_string = schema.get("x-kubernetes-int-or-string").and_then(Value::as_bool) == Some(true);
    if int_or_string {
        if !(value.is_string() || is_integer(value)) {
            errors.push(type_error(path, "integer,string", value));
        }
        return Some(value.clone());
    }
    let type_ = schema.get("type").and_then(Value::as_str).unwrap_or("");
    let ok = match type_ {
        "" => true,
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => is_integer(value),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        _ => true,
    };
    if !ok {
        errors.push(type_error(path, type_, value));
        return Some(value.clone());
    }
    check_enum(value, schema, path, errors);
    check_bounds(value, schema, path, errors);
    match value {
        Value::Object(map) => {
            let has_structure = schema.get("properties").is_some() || schema.get("additionalProperties").is_some();
            if !has_structure && (type_.is_empty() || preserves_unknown(schema)) {
                return Some(value.clone());
            }
            let mut kept = Map::new();
            for (key, child) in map {
                let child_path = format!("{path}.{key}");
                match property_schema(schema, key) {
                    Some(sub) => {
                        if let Some(v) = check_value(child, sub, &child_path, errors, unknown) {
                            kept.insert(key.clone(), v);
                        }
                    }
                    None if preserves_unknown(schema) => {
                        kept.insert(key.clone(), child.clone());
                    }
                    None => unknown.push(child_path),
                }
            }
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    if !kept.contains_key(name) {
                        errors.push(required_error(&format!("{path}.{name}")));
                    }
                }
            }
            Some(Value::Object(kept))
        }
        Value::Array(items) => {
            let Some(item_schema) = schema.get("items") else {
                return Some(value.clone());
            };
            let kept = items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| check_value(item, item_schema, &format!("{path}[{i}]"), errors, unknown))
                .collect();
            Some(Value::Array(kept))
        }
        _ => Some(value.clone()),
    }
}

fn check_enum(value: &Value, schema: &Value, path: &str, errors: &mut Vec<FieldError>) {
    let Some(allowed) = schema.get("enum").and_then(Value::as_array) else {
        return;
    };
    if allowed.contains(value) {
        return;
    }
    let list: Vec<String> = allowed.iter().map(|v| v.to_string()).collect();
    errors.push(FieldError {
        field: path.to_string(),
        reason: "FieldValueNotSupported",
        message: format!(
            "{path}: Unsupported value: {value}: supported values: {}",
            list.join(", ")
        ),
    });
}

fn check_bounds(value: &Value, schema: &Value, path: &str, errors: &mut Vec<FieldError>) {
    let Some(n) = value.as_f64() else { return };
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && n < min
    {
        errors.push(FieldError {
            field: path.to_string(),
            reason: "FieldValueInvalid",
            message: format!("{path}: Invalid value: {value}: {path} in body should be greater than or equal to {min}"),
        });
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
        && n > max
    {
        errors.push(FieldError {
            field: path.to_string(),
            reason: "FieldValueInvalid",
            message: format!("{path}: Invalid value: {value}: {path} in body should be less than or equal to {max}"),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({"type": "object", "properties": {
            "spec": {"type": "object", "required": ["targetRef"], "properties": {
                "targetRef": {"type": "object", "properties": {"name": {"type": "string"}}},
                "provider": {"type": "string", "enum": ["istio", "nginx"]},
                "port": {"x-kubernetes-int-or-string": true},
                "weight": {"type": "integer", "minimum": 0, "maximum": 100},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}}
            }},
            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
        }})
    }

    #[test]
    fn prunes_unknown_and_keeps_preserved() {
        let obj = json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "a"},
            "spec": {"targetRef": {"name": "t", "junk": 1}, "free": {"any": {"thing": 1}}, "labels": {"a": "b"}, "extra": true}});
        let c = check(&obj, &schema());
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(
            c.unknown,
            vec!["spec.extra".to_string(), "spec.targetRef.junk".to_string()]
        );
        assert_eq!(c.object["spec"]["free"]["any"]["thing"], 1);
        assert!(c.object["spec"].get("extra").is_none());
        assert_eq!(c.object["metadata"]["name"], "a");
    }

    #[test]
    fn reports_type_enum_required_and_bounds() {
        let obj = json!({"spec": {"provider": "bogus", "port": [1], "weight": 101, "labels": {"a": 1}}});
        let c = check(&obj, &schema());
        let messages: Vec<&str> = c.errors.iter().map(|e| e.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("spec.provider: Unsupported value: \"bogus\"")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("spec.port: Invalid value")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("less than or equal to 100")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m == &"spec.targetRef: Required value"),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("spec.labels.a: Invalid value: \"integer\"")),
            "{messages:?}"
        );
    }
}
