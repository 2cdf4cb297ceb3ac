//! Patch semantics of the API server, as pure functions on JSON values: RFC 7386 merge,
//! RFC 6902 JSON patch and strategic merge for built-in types (server-side apply: crate::managed).

use serde_json::{Map, Value};

use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    Merge,
    Json,
    Strategic,
    Apply,
}

impl PatchKind {
    pub fn from_content_type(content_type: &str) -> Option<PatchKind> {
        let base = content_type.split(';').next().unwrap_or("").trim();
        match base {
            "application/merge-patch+json" => Some(PatchKind::Merge),
            "application/json-patch+json" => Some(PatchKind::Json),
            "application/strategic-merge-patch+json" => Some(PatchKind::Strategic),
            "application/apply-patch+yaml" | "application/apply-patch+cbor" => Some(PatchKind::Apply),
            _ => None,
        }
    }
}

pub fn merge(target: &mut Value, patch: &Value) {
    json_patch::merge(target, patch);
}

pub fn json_patch(target: &mut Value, patch: &Value) -> Result<(), ApiError> {
    let ops: json_patch::Patch = serde_json::from_value(patch.clone())
        .map_err(|e| ApiError::bad_request(format!("json: cannot unmarshal patch: {e}")))?;
    json_patch::patch(target, &ops).map_err(|e| {
        ApiError::new(
            422,
            "Invalid",
            format!("the server rejected our request due to an error in our request: {e}"),
        )
    })
}

/// The key a list of built-in objects is merged by, named by the list's field.
fn merge_key(field: &str, item: &Value) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "hostAliases" => Some(if field == "hostAliases" { "ip" } else { "name" }),
        "volumeMounts" => Some("mountPath"),
        "volumeDevices" => Some("devicePath"),
        "conditions" => Some("type"),
        "ports" => Some(if item.get("containerPort").is_some() {
            "containerPort"
        } else {
            "port"
        }),
        _ => None,
    }
}

/// Strategic merge patch for the common cases kubectl sends (`set image`, `scale`, `annotate`,
/// `rollout restart`): maps merge, lists of keyed objects merge by key, `$patch: delete` removes
/// an element or map, `null` deletes a key, other lists are replaced.
pub fn strategic_merge(target: &mut Value, patch: &Value) {
    strategic_merge_field(target, patch, "");
}

fn strategic_merge_field(target: &mut Value, patch: &Value, field: &str) {
    match patch {
        Value::Object(patch_map) => {
            if patch_map.get("$patch").and_then(Value::as_str) == Some("replace") {
                let mut replacement = patch.clone();
                if let Some(m) = replacement.as_object_mut() {
                    m.remove("$patch");
                }
                *target = replacement;
                return;
            }
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let Some(target_map) = target.as_object_mut() else {
                return;
            };
            for (key, value) in patch_map {
                if key.starts_with('$') {
                    continue;
                }
                if value.is_null() {
                    target_map.remove(key);
                    continue;
                }
                let slot = target_map.entry(key.clone()).or_insert(Value::Null);
                strategic_merge_field(slot, value, key);
            }
        }
        Value::Array(patch_items) => {
            let keyed = patch_items.first().and_then(|first| merge_key(field, first));
            match (keyed, target.as_array_mut()) {
                (Some(key), Some(items)) => merge_keyed_list(items, patch_items, key, field),
                _ => {
                    let cleaned: Vec<Value> = patch_items
                        .iter()
                        .filter(|i| i.get("$patch").is_none())
                        .cloned()
                        .collect();
                    *target = Value::Array(cleaned);
                }
            }
        }
        other => *target = other.clone(),
    }
}

fn merge_keyed_list(items: &mut Vec<Value>, patch_items: &[Value], key: &str, field: &str) {
    for patch_item in patch_items {
        let Some(id) = patch_item.get(key) else { continue };
        let position = items.iter().position(|i| i.get(key) == Some(id));
        let delete = patch_item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (position, delete) {
            (Some(i), true) => {
                items.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => strategic_merge_field(&mut items[i], patch_item, field),
            (None, false) => {
                let mut fresh = Value::Object(Map::new());
                strategic_merge_field(&mut fresh, patch_item, field);
                items.push(fresh);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merge_sets_one_container_image() {
        let mut deploy = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "a:1", "ports": [{"containerPort": 80}]},
            {"name": "sidecar", "image": "s:1"}
        ]}}}});
        let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "a:2"}]}}}});
        strategic_merge(&mut deploy, &patch);
        let containers = &deploy["spec"]["template"]["spec"]["containers"];
        assert_eq!(containers[0]["image"], "a:2");
        assert_eq!(containers[0]["ports"][0]["containerPort"], 80);
        assert_eq!(containers[1]["image"], "s:1");
    }

    #[test]
    fn strategic_merge_delete_directive_and_null() {
        let mut obj = json!({"metadata": {"annotations": {"a": "1", "b": "2"}}, "env": [{"name": "X"}, {"name": "Y"}]});
        strategic_merge(
            &mut obj,
            &json!({"metadata": {"annotations": {"a": null}}, "env": [{"name": "X", "$patch": "delete"}]}),
        );
        assert_eq!(
            obj,
            json!({"metadata": {"annotations": {"b": "2"}}, "env": [{"name": "Y"}]})
        );
    }

    #[test]
    fn content_types() {
        assert_eq!(
            PatchKind::from_content_type("application/apply-patch+yaml; charset=utf-8"),
            Some(PatchKind::Apply)
        );
        assert_eq!(PatchKind::from_content_type("text/plain"), None);
    }
}
