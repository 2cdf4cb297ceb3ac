//! Turning a CustomResourceDefinition into served resource types, and the status a real API
//! server writes on it once its names are accepted.

use serde_json::{Value, json};

use crate::error::FieldError;
use crate::resource::{ALL_VERBS, PrinterColumn, ResourceType};

/// Validates a CRD and returns the resource types it serves (one per served version).
pub fn served_types(crd: &Value) -> Result<Vec<ResourceType>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut require = |path: &str| -> String {
        match crd
            .pointer(&format!("/{}", path.replace('.', "/")))
            .and_then(Value::as_str)
        {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => {
                errors.push(FieldError {
                    field: path.to_string(),
                    reason: "FieldValueRequired",
                    message: format!("{path}: Required value"),
                });
                String::new()
            }
        }
    };
    let group = require("spec.group");
    let plural = require("spec.names.plural");
    let kind = require("spec.names.kind");
    let scope = require("spec.scope");
    let name = crd.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    if !group.is_empty() && !plural.is_empty() && name != format!("{plural}.{group}") {
        errors.push(FieldError {
            field: "metadata.name".into(),
            reason: "FieldValueInvalid",
            message: format!("metadata.name: Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"),
        });
    }
    if !scope.is_empty() && scope != "Namespaced" && scope != "Cluster" {
        errors.push(FieldError {
            field: "spec.scope".into(),
            reason: "FieldValueNotSupported",
            message: format!(
                "spec.scope: Unsupported value: \"{scope}\": supported values: \"Cluster\", \"Namespaced\""
            ),
        });
    }
    let versions = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if versions.is_empty() {
        errors.push(FieldError {
            field: "spec.versions".into(),
            reason: "FieldValueInvalid",
            message: "spec.versions: Invalid value: null: must have exactly one version marked as storage version"
                .into(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let names = &crd["spec"]["names"];
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let singular = names
        .get("singular")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or(kind.to_lowercase());
    let list_kind = names
        .get("listKind")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or(format!("{kind}List"));
    let types = versions
        .iter()
        .filter(|v| v.get("served").and_then(Value::as_bool).unwrap_or(true))
        .map(|v| ResourceType {
            group: group.clone(),
            version: v.get("name").and_then(Value::as_str).unwrap_or("v1").to_string(),
            plural: plural.clone(),
            singular: singular.clone(),
            kind: kind.clone(),
            list_kind: list_kind.clone(),
            namespaced: scope == "Namespaced",
            short_names: strings(&names["shortNames"]),
            categories: strings(&names["categories"]),
            verbs: ALL_VERBS.iter().map(|s| s.to_string()).collect(),
            status_subresource: v.pointer("/subresources/status").is_some(),
            schema: v.pointer("/schema/openAPIV3Schema").cloned(),
            printer_columns: printer_columns(v),
            custom: true,
            storage: v.get("storage").and_then(Value::as_bool).unwrap_or(false),
            scale: v.pointer("/subresources/scale").map(|s| crate::resource::ScalePaths {
                spec_replicas: s
                    .get("specReplicasPath")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                status_replicas: s
                    .get("statusReplicasPath")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                label_selector: s.get("labelSelectorPath").and_then(Value::as_str).map(str::to_string),
                selector_is_object: false,
            }),
        })
        .collect();
    Ok(types)
}

fn printer_columns(version: &Value) -> Vec<PrinterColumn> {
    let Some(columns) = version.get("additionalPrinterColumns").and_then(Value::as_array) else {
        // No columns declared: the server shows only NAME and AGE.
        return vec![PrinterColumn::new("Age", "date", ".metadata.creationTimestamp")];
    };
    columns
        .iter()
        .map(|c| {
            let text = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            PrinterColumn {
                name: text("name"),
                type_: text("type"),
                format: text("format"),
                json_path: text("jsonPath"),
                priority: c.get("priority").and_then(Value::as_i64).unwrap_or(0),
                description: text("description"),
            }
        })
        .collect()
}

/// The status the apiextensions controller writes once a CRD is served.
pub fn established_status(crd: &Value, now: &str) -> Value {
    let names = crd.pointer("/spec/names").cloned().unwrap_or(json!({}));
    let stored: Vec<Value> = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter(|v| v["storage"] == true)
                .map(|v| v["name"].clone())
                .collect()
        })
        .unwrap_or_default();
    json!({
        "acceptedNames": names,
        "storedVersions": stored,
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
             "message": "no conflicts found", "lastTransitionTime": now},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
             "message": "the initial names have been accepted", "lastTransitionTime": now}
        ]
    })
}
