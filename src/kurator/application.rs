//! The Kurator Applications in the user's policy files, as they go to the hub.

use serde_json::{Value, json};

use crate::config::Input;

/// Every document of the inputs, each an Application, with its namespace defaulted to
/// `default_namespace` (the Fleet's). Anything else has no destination under a Kurator Fleet: an
/// error naming the file.
pub fn applications_in(inputs: &[Input], default_namespace: &str) -> Result<Vec<Value>, String> {
    let mut applications = Vec::new();
    for input in inputs {
        let docs: Vec<Value> = serde_saphyr::from_multiple(&input.text).map_err(|e| format!("{}: {e}", input.name))?;
        for mut doc in docs.into_iter().filter(|d| !d.is_null()) {
            if doc["kind"] != "Application" {
                return Err(format!(
                    "{}: with --fleet only Kurator Applications are applied (to the hub); a bare rollout block has no destination",
                    input.name
                ));
            }
            if doc.pointer("/metadata/namespace").and_then(Value::as_str).is_none() {
                doc["metadata"]["namespace"] = json!(default_namespace);
            }
            applications.push(doc);
        }
    }
    Ok(applications)
}

/// `namespace/name` of an object.
pub fn key(obj: &Value) -> String {
    let text = |p: &str| obj.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
    format!("{}/{}", text("/metadata/namespace"), text("/metadata/name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> Input {
        Input {
            name: "app.yaml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn applications_get_the_fleet_namespace_and_nothing_else_passes() {
        let apps = applications_in(
            &[input(
                "kind: Application\nmetadata: {name: a}\n---\nkind: Application\nmetadata: {name: b, namespace: x}\n",
            )],
            "fleets",
        )
        .unwrap();
        assert_eq!(apps.iter().map(key).collect::<Vec<_>>(), ["fleets/a", "x/b"]);
        let bare = applications_in(&[input("rollout: {}\n")], "default").unwrap_err();
        assert!(
            bare.contains("app.yaml: with --fleet only Kurator Applications"),
            "{bare}"
        );
    }
}
