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
        "ownerReferences" => Some("uid"),
        "ports" => Some(if item.get("containerPort").is_some() {
            "containerPort"
        } else {
            "port"
        }),
        _ => None,
    }
}

/// Strategic merge patch for what kubectl sends (`set image`, `scale`, `annotate`,
/// `rollout restart`, `apply`, `patch --type strategic`): maps merge, lists of keyed objects
/// merge by key, `$patch: delete` removes an element or a map, `$patch: replace` replaces a map,
/// `null` deletes a key, `metadata.finalizers` merges as a set (patchStrategy merge) and
/// `$deleteFromPrimitiveList/<list>` removes entries from it; other lists are replaced.
/// `$retainKeys` clears the fields it does not list; `$setElementOrder/<list>` is accepted but
/// the order it asks for is not applied (new elements go last). sigs.k8s.io/structured-merge-diff is not involved: this is
/// k8s.io/apimachinery/pkg/util/strategicpatch/patch.go, func mergeMap / mergeSlice.
pub fn strategic_merge(target: &mut Value, patch: &Value) -> Result<(), ApiError> {
    strategic_merge_field(target, patch, "")
}

/// mergepatch.ErrBadPatchFormatForPrimitiveList, answered 400 by the patch handler
/// (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go, interpretStrategicMergePatchError).
fn bad_primitive_list() -> ApiError {
    ApiError::bad_request("invalid patch format of primitive list")
}

/// Lists of scalars whose Go field carries `patchStrategy:"merge"`: merged as sets.
fn merges_primitives(parent: &str, key: &str) -> bool {
    parent == "metadata" && key == "finalizers"
}

fn strategic_merge_field(target: &mut Value, patch: &Value, field: &str) -> Result<(), ApiError> {
    match patch {
        Value::Object(patch_map) => {
            if patch_map.get("$patch").and_then(Value::as_str) == Some("replace") {
                let mut replacement = patch.clone();
                if let Some(m) = replacement.as_object_mut() {
                    m.remove("$patch");
                }
                *target = replacement;
                return Ok(());
            }
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let Some(target_map) = target.as_object_mut() else {
                return Ok(());
            };
            for (key, value) in patch_map {
                if let Some(list) = key.strip_prefix("$deleteFromPrimitiveList/") {
                    let Value::Array(remove) = value else {
                        return Err(bad_primitive_list());
                    };
                    if let Some(Value::Array(items)) = target_map.get_mut(list) {
                        items.retain(|i| !remove.contains(i));
                    }
                }
            }
            for (key, value) in patch_map {
                if key.starts_with('$') {
                    continue;
                }
                if value.is_null() || value.get("$patch").and_then(Value::as_str) == Some("delete") {
                    target_map.remove(key);
                    continue;
                }
                if merges_primitives(field, key) {
                    let Value::Array(additions) = value else {
                        return Err(bad_primitive_list());
                    };
                    let slot = target_map
                        .entry(key.clone())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if !slot.is_array() {
                        *slot = Value::Array(Vec::new());
                    }
                    if let Value::Array(items) = slot {
                        for a in additions {
                            if !items.contains(a) {
                                items.push(a.clone());
                            }
                        }
                    }
                    continue;
                }
                let slot = target_map.entry(key.clone()).or_insert(Value::Null);
                strategic_merge_field(slot, value, key)?;
            }
            // `$retainKeys` (patchStrategy retainKeys, e.g. a Deployment's strategy): fields not
            // listed are cleared, so `type: Recreate` drops `rollingUpdate`.
            if let Some(retain) = patch_map.get("$retainKeys") {
                let keep: Vec<&str> = retain
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .filter(|k: &Vec<&str>| Some(k.len()) == retain.as_array().map(Vec::len))
                    .ok_or_else(|| ApiError::bad_request("invalid patch format of retainKeys"))?;
                target_map.retain(|k, _| keep.contains(&k.as_str()));
            }
        }
        Value::Array(patch_items) => {
            let keyed = patch_items.first().and_then(|first| merge_key(field, first));
            match (keyed, target.as_array_mut()) {
                (Some(key), Some(items)) => merge_keyed_list(items, patch_items, key, field)?,
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
    Ok(())
}

fn merge_keyed_list(items: &mut Vec<Value>, patch_items: &[Value], key: &str, field: &str) -> Result<(), ApiError> {
    for patch_item in patch_items {
        let Some(id) = patch_item.get(key) else { continue };
        let position = items.iter().position(|i| i.get(key) == Some(id));
        let delete = patch_item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (position, delete) {
            (Some(i), true) => {
                items.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => strategic_merge_field(&mut items[i], patch_item, field)?,
            (None, false) => {
                let mut fresh = Value::Object(Map::new());
                strategic_merge_field(&mut fresh, patch_item, field)?;
                items.push(fresh);
            }
        }
    }
    Ok(())
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
        strategic_merge(&mut deploy, &patch).unwrap();
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
        )
        .unwrap();
        assert_eq!(
            obj,
            json!({"metadata": {"annotations": {"b": "2"}}, "env": [{"name": "Y"}]})
        );
    }

    #[test]
    fn strategic_merge_of_finalizers_and_directives() {
        let mut obj = json!({"metadata": {"finalizers": ["a.io/x", "b.io/y"]},
            "spec": {"containers": [{"name": "app", "image": "a:1"}]}});
        strategic_merge(
            &mut obj,
            &json!({"metadata": {"finalizers": ["c.io/z", "a.io/x"], "$deleteFromPrimitiveList/finalizers": ["b.io/y"],
                "$setElementOrder/finalizers": ["c.io/z", "a.io/x"]},
                "spec": {"$setElementOrder/containers": [{"name": "app"}], "containers": [{"name": "app", "image": "a:2"}]}}),
        )
        .unwrap();
        assert_eq!(obj["metadata"]["finalizers"], json!(["a.io/x", "c.io/z"]));
        assert_eq!(obj["spec"]["containers"][0]["image"], "a:2");
        let mut obj = json!({"metadata": {"finalizers": ["a.io/x"]}});
        strategic_merge(
            &mut obj,
            &json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a.io/x"]}}),
        )
        .unwrap();
        assert_eq!(obj["metadata"]["finalizers"], json!([]));
        let err = strategic_merge(
            &mut obj,
            &json!({"metadata": {"$deleteFromPrimitiveList/finalizers": "x"}}),
        )
        .err()
        .unwrap();
        assert_eq!(err.code, 400);
        let mut deploy = json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}});
        strategic_merge(
            &mut deploy,
            &json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": null}}}),
        )
        .unwrap();
        assert_eq!(deploy, json!({"spec": {"strategy": {"type": "Recreate"}}}));
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
