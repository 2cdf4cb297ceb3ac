//! Patch semantics of the API server, as pure functions on JSON values: RFC 7386 merge,
//! RFC 6902 JSON patch, strategic merge for built-in types, and server-side apply.

use std::collections::BTreeMap;

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

/// What each field manager last applied to one object, kept beside the object (a simplified
/// `managedFields`): it lets an apply remove the fields its manager stopped applying, and report
/// conflicts with another manager's applied values.
#[derive(Debug, Clone, Default)]
pub struct AppliedConfigs {
    pub by_manager: BTreeMap<String, Value>,
}

pub struct ApplyResult {
    pub object: Value,
}

/// Server-side apply of `config` by `manager` onto `current` (None: create).
/// `structural_lists`: merge keyed lists of built-in types by key instead of replacing them.
pub fn apply(
    current: Option<&Value>,
    config: &Value,
    manager: &str,
    force: bool,
    applied: &mut AppliedConfigs,
    structural_lists: bool,
) -> Result<ApplyResult, ApiError> {
    let mut object = current.cloned().unwrap_or_else(|| Value::Object(Map::new()));
    if !force {
        let mut conflicts = Vec::new();
        for (other, other_config) in &applied.by_manager {
            if other == manager {
                continue;
            }
            collect_conflicts(other_config, config, &object, "", other, &mut conflicts);
        }
        if !conflicts.is_empty() {
            let n = conflicts.len();
            let causes: Vec<Value> = conflicts
                .iter()
                .map(|(field, other)| {
                    serde_json::json!({"type": "FieldManagerConflict", "message": format!("conflict with \"{other}\""), "field": field})
                })
                .collect();
            let lines: Vec<String> = conflicts
                .iter()
                .map(|(f, o)| format!("- conflict with \"{o}\": {f}"))
                .collect();
            return Err(ApiError::new(
                409,
                "Conflict",
                format!(
                    "Apply failed with {n} conflict{}: {}",
                    if n == 1 { "" } else { "s" },
                    lines.join("\n")
                ),
            )
            .with_details(serde_json::json!({"causes": causes})));
        }
    }
    if let Some(previous) = applied.by_manager.get(manager) {
        let others: Vec<&Value> = applied
            .by_manager
            .iter()
            .filter(|(m, _)| m.as_str() != manager)
            .map(|(_, v)| v)
            .collect();
        remove_dropped_fields(&mut object, previous, config, &others);
    }
    if structural_lists {
        strategic_merge(&mut object, config)?;
    } else {
        merge_apply(&mut object, config);
    }
    applied.by_manager.insert(manager.to_string(), config.clone());
    Ok(ApplyResult { object })
}

/// Apply merges maps and replaces lists (custom resources' lists are atomic by default).
fn merge_apply(target: &mut Value, config: &Value) {
    match (target.as_object_mut(), config) {
        (Some(target_map), Value::Object(config_map)) => {
            for (k, v) in config_map {
                match target_map.get_mut(k) {
                    Some(slot) if v.is_object() && slot.is_object() => merge_apply(slot, v),
                    _ => {
                        target_map.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        _ => *target = config.clone(),
    }
}

fn collect_conflicts(
    other_config: &Value,
    config: &Value,
    live: &Value,
    path: &str,
    other: &str,
    out: &mut Vec<(String, String)>,
) {
    match (other_config, config) {
        (Value::Object(theirs), Value::Object(ours)) => {
            for (k, v) in ours {
                if let Some(their_v) = theirs.get(k) {
                    let live_v = live.get(k).unwrap_or(&Value::Null);
                    collect_conflicts(their_v, v, live_v, &format!("{path}.{k}"), other, out);
                }
            }
        }
        (theirs, ours) => {
            // Only a value the other manager applied and that is still live counts as theirs.
            if theirs != ours && theirs == live {
                out.push((path.to_string(), other.to_string()));
            }
        }
    }
}

/// Removes fields present in `previous` but absent from `config`, unless another manager applies them.
fn remove_dropped_fields(object: &mut Value, previous: &Value, config: &Value, others: &[&Value]) {
    let (Some(obj_map), Some(prev_map)) = (object.as_object_mut(), previous.as_object()) else {
        return;
    };
    for (k, prev_v) in prev_map {
        let kept_by_others: Vec<&Value> = others.iter().filter_map(|o| o.get(k)).collect();
        match config.get(k) {
            None => {
                if kept_by_others.is_empty() && k != "apiVersion" && k != "kind" {
                    obj_map.remove(k);
                }
            }
            Some(new_v) if new_v.is_object() && prev_v.is_object() => {
                if let Some(child) = obj_map.get_mut(k) {
                    remove_dropped_fields(child, prev_v, new_v, &kept_by_others);
                }
            }
            Some(_) => {}
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
    fn apply_removes_fields_the_manager_dropped_and_keeps_others() {
        let mut applied = AppliedConfigs::default();
        let first = json!({"spec": {"a": 1, "b": 2}});
        let obj = apply(None, &first, "me", false, &mut applied, false).unwrap().object;
        let mut obj = obj;
        obj["spec"]["c"] = json!(3); // written by someone else with an update
        let second = json!({"spec": {"a": 1}});
        let obj = apply(Some(&obj), &second, "me", false, &mut applied, false)
            .unwrap()
            .object;
        assert_eq!(obj, json!({"spec": {"a": 1, "c": 3}}));
    }

    #[test]
    fn apply_conflicts_unless_forced() {
        let mut applied = AppliedConfigs::default();
        let obj = apply(None, &json!({"spec": {"x": 1}}), "one", false, &mut applied, false)
            .unwrap()
            .object;
        let err = apply(
            Some(&obj),
            &json!({"spec": {"x": 2}}),
            "two",
            false,
            &mut applied,
            false,
        )
        .err()
        .unwrap();
        assert_eq!(err.code, 409);
        assert!(err.message.contains(".spec.x"), "{}", err.message);
        let obj = apply(Some(&obj), &json!({"spec": {"x": 2}}), "two", true, &mut applied, false)
            .unwrap()
            .object;
        assert_eq!(obj["spec"]["x"], 2);
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
