//! Field ownership as the API server reports it: the conflicts of a refused server-side apply,
//! and fields another manager left in an object we apply that change what the object does.
//!
//! Pure functions over the server's `Status` and the object's `metadata.managedFields`.

use serde_json::Value;

/// One field another manager owns that our apply would change.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldConflict {
    /// The other manager as the server names it (`"kubectl-edit" using flagger.app/v1beta1`).
    pub manager: String,
    /// The field path as the server prints it (`.spec.analysis.stepWeights`).
    pub field: String,
}

/// The conflicts of a server-side apply the server refused (409 whose causes have reason
/// `FieldManagerConflict`: apiserver fieldmanager NewConflictError); None for any other error,
/// a resourceVersion conflict included.
pub fn apply_conflicts(status: &kube::core::Status) -> Option<Vec<FieldConflict>> {
    if status.code != 409 {
        return None;
    }
    let causes = status.details.as_ref().map(|d| d.causes.as_slice()).unwrap_or_default();
    let conflicts: Vec<FieldConflict> = causes
        .iter()
        .filter(|c| c.reason == "FieldManagerConflict")
        .map(|c| FieldConflict {
            manager: c
                .message
                .strip_prefix("conflict with ")
                .unwrap_or(&c.message)
                .to_string(),
            field: c.field.clone(),
        })
        .collect();
    if !conflicts.is_empty() {
        return Some(conflicts);
    }
    // A server that sends no causes still says so in its message.
    status
        .message
        .starts_with("Apply failed with ")
        .then(|| conflicts_from_message(&status.message))
}

/// Reads `Apply failed with 1 conflict: conflict with "M" using V: .path` and the multi-line
/// form (`conflicts with "M":` followed by `- .path` lines).
fn conflicts_from_message(message: &str) -> Vec<FieldConflict> {
    let mut out = Vec::new();
    let Some((_, body)) = message.split_once(": ") else {
        return out;
    };
    if let Some(rest) = body.strip_prefix("conflict with ")
        && let Some((manager, field)) = rest.rsplit_once(": ")
    {
        out.push(FieldConflict {
            manager: manager.to_string(),
            field: field.to_string(),
        });
        return out;
    }
    let mut manager = String::new();
    for line in body.lines() {
        if let Some(m) = line.strip_prefix("conflicts with ") {
            manager = m.trim_end_matches(':').to_string();
        } else if let Some(field) = line.strip_prefix("- ") {
            out.push(FieldConflict {
                manager: manager.clone(),
                field: field.to_string(),
            });
        }
    }
    out
}

/// A field of the live object owned by another manager, absent from what we render, that
/// changes the rollout (a Canary's spec drives Flagger: `stepWeight` next to our `stepWeights`
/// makes Flagger use both).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Leftover {
    pub manager: String,
    pub field: String,
}

/// Fields under a Canary's `spec` that other managers own and `rendered` does not set.
/// `live` is the object as the server returned it after our apply (with managedFields).
pub fn leftover_fields(live: &Value, rendered: &Value, our_manager: &str) -> Vec<Leftover> {
    if rendered["kind"] != "Canary" {
        return Vec::new();
    }
    let mut out = Vec::new();
    let entries = live
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for entry in entries {
        let manager = entry["manager"].as_str().unwrap_or("");
        if manager == our_manager || entry["subresource"].as_str().is_some_and(|s| !s.is_empty()) {
            continue;
        }
        let Some(spec) = entry.pointer("/fieldsV1/f:spec") else {
            continue;
        };
        let mut paths = Vec::new();
        leaf_fields(spec, &mut vec!["spec".to_string()], &mut paths);
        for path in paths {
            // Flagger reads a Go struct: a zero value (false, 0, "", empty) is no setting.
            if !sets(rendered, &path) && !is_zero(value_at(live, &path)) {
                out.push(Leftover {
                    manager: manager.to_string(),
                    field: format!(".{}", path.join(".")),
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.field, &a.manager).cmp(&(&b.field, &b.manager)));
    out.dedup();
    out
}

/// The `f:` paths a fieldsV1 trie owns, down to the first leaf or list item.
fn leaf_fields(node: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let Some(map) = node.as_object() else {
        return;
    };
    let fields: Vec<(&str, &Value)> = map
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("f:").map(|name| (name, v)))
        .collect();
    let owns_items = map
        .keys()
        .any(|k| k.starts_with("k:") || k.starts_with("v:") || k.starts_with("i:"));
    if (fields.is_empty() || map.contains_key(".") || owns_items) && !prefix.is_empty() {
        out.push(prefix.clone());
        if fields.is_empty() {
            return;
        }
    }
    for (name, child) in fields {
        prefix.push(name.to_string());
        leaf_fields(child, prefix, out);
        prefix.pop();
    }
}

fn value_at<'a>(obj: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(obj, |node, p| node.get(p))
}

fn is_zero(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => true,
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    }
}

fn sets(obj: &Value, path: &[String]) -> bool {
    let mut node = obj;
    for p in path {
        match node.get(p) {
            Some(next) => node = next,
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;
    use serde_json::json;

    fn status(code: u16, message: &str, causes: Vec<(&str, &str, &str)>) -> Status {
        let causes: Vec<Value> = causes
            .into_iter()
            .map(|(reason, message, field)| json!({"reason": reason, "message": message, "field": field}))
            .collect();
        serde_json::from_value(
            json!({"status": "Failure", "code": code, "message": message, "reason": "Conflict",
            "details": {"causes": causes}}),
        )
        .unwrap()
    }

    #[test]
    fn conflicts_come_from_the_causes() {
        let s = status(
            409,
            "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using flagger.app/v1beta1: .spec.analysis.stepWeights",
            vec![(
                "FieldManagerConflict",
                "conflict with \"kubectl-edit\" using flagger.app/v1beta1",
                ".spec.analysis.stepWeights",
            )],
        );
        assert_eq!(
            apply_conflicts(&s),
            Some(vec![FieldConflict {
                manager: "\"kubectl-edit\" using flagger.app/v1beta1".into(),
                field: ".spec.analysis.stepWeights".into()
            }])
        );
    }

    #[test]
    fn a_resource_version_conflict_is_not_a_field_conflict() {
        let s = status(
            409,
            "Operation cannot be fulfilled on canaries.flagger.app \"app\": the object has been modified; please apply your changes to the latest version and try again",
            vec![],
        );
        assert_eq!(apply_conflicts(&s), None);
    }

    #[test]
    fn conflicts_from_the_message_when_there_are_no_causes() {
        let s = status(
            409,
            "Apply failed with 3 conflicts: conflicts with \"a\":\n- .spec.x\n- .spec.y\nconflicts with \"b\" using v1:\n- .spec.z",
            vec![],
        );
        let fields: Vec<(String, String)> = apply_conflicts(&s)
            .unwrap()
            .into_iter()
            .map(|c| (c.manager, c.field))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("\"a\"".to_string(), ".spec.x".to_string()),
                ("\"a\"".to_string(), ".spec.y".to_string()),
                ("\"b\" using v1".to_string(), ".spec.z".to_string()),
            ]
        );
        let single = status(
            409,
            "Apply failed with 1 conflict: conflict with \"m\": .spec.x",
            vec![],
        );
        assert_eq!(apply_conflicts(&single).unwrap()[0].field, ".spec.x");
    }

    #[test]
    fn a_step_weight_left_by_someone_else_is_reported() {
        let live = json!({"kind": "Canary", "metadata": {"managedFields": [
            {"manager": "kubectl-kurator-rollout", "operation": "Apply", "fieldsV1": {"f:spec": {"f:analysis": {"f:stepWeights": {}}}}},
            {"manager": "kubectl-edit", "operation": "Update", "fieldsV1": {"f:spec": {"f:analysis": {"f:stepWeight": {}}}}},
            {"manager": "flagger", "operation": "Update", "subresource": "status", "fieldsV1": {"f:status": {"f:phase": {}}}}
        ]}, "spec": {"analysis": {"stepWeights": [10], "stepWeight": 5}}});
        let rendered = json!({"kind": "Canary", "spec": {"analysis": {"stepWeights": [10]}}});
        assert_eq!(
            leftover_fields(&live, &rendered, "kubectl-kurator-rollout"),
            vec![Leftover {
                manager: "kubectl-edit".into(),
                field: ".spec.analysis.stepWeight".into()
            }]
        );
        // A zero value is no setting for Flagger (skipAnalysis set back to false by promote).
        let mut reset = live.clone();
        reset["spec"]["analysis"]["stepWeight"] = json!(0);
        assert!(leftover_fields(&reset, &rendered, "kubectl-kurator-rollout").is_empty());
        // A field we render too (shared ownership) is not a leftover.
        let shared = json!({"kind": "Canary", "spec": {"analysis": {"stepWeights": [10], "stepWeight": 5}}});
        assert!(leftover_fields(&live, &shared, "kubectl-kurator-rollout").is_empty());
    }
}
