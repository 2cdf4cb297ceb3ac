//! `meta.k8s.io/v1` Table responses (what `kubectl get` asks for first), built from a type's
//! printer columns.

use serde_json::{Value, json};

use crate::builtin::{COLUMN_DEPLOYMENT_READY, COLUMN_ENDPOINTS, COLUMN_EVENT_OBJECT, COLUMN_SERVICE_PORTS};
use crate::jsonpath;
use crate::meta::age_seconds;
use crate::resource::ResourceType;
use apimachinery::human_duration;

/// Does the Accept header ask for a Table before anything else?
pub fn wants_table(accept: &str) -> bool {
    let first = accept.split(',').next().unwrap_or("");
    first.contains("as=Table")
}

pub fn column_definitions(t: &ResourceType) -> Vec<Value> {
    let mut columns = vec![json!({
        "name": "Name", "type": "string", "format": "name", "priority": 0,
        "description": "Name must be unique within a namespace."
    })];
    columns.extend(t.printer_columns.iter().map(|c| {
        json!({"name": c.name, "type": c.type_, "format": c.format, "priority": c.priority, "description": c.description})
    }));
    columns
}

pub fn row(t: &ResourceType, obj: &Value) -> Value {
    let mut cells = vec![obj.pointer("/metadata/name").cloned().unwrap_or(Value::Null)];
    cells.extend(
        t.printer_columns
            .iter()
            .map(|c| match cell(obj, &c.json_path, &c.type_) {
                // Built-in printers read typed fields, so a count the JSON omits (zero) prints as 0
                // (kube-apiserver: pkg/printers/internalversion/printers.go, func printDeployment);
                // a CRD's column for a missing field stays empty (<none>).
                Value::Null if !t.custom && c.type_ == "integer" => json!(0),
                v => v,
            }),
    );
    json!({"cells": cells, "object": partial_metadata(obj)})
}

pub fn table(t: &ResourceType, objects: &[&Value], resource_version: u64, with_columns: bool) -> Value {
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version.to_string()},
        "columnDefinitions": if with_columns { column_definitions(t) } else { Vec::new() },
        "rows": objects.iter().map(|o| row(t, o)).collect::<Vec<_>>(),
    })
}

fn partial_metadata(obj: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata").cloned().unwrap_or(json!({})),
    })
}

fn cell(obj: &Value, path: &str, type_: &str) -> Value {
    match path {
        COLUMN_DEPLOYMENT_READY => {
            let ready = obj
                .pointer("/status/readyReplicas")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let want = obj.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(0);
            json!(format!("{ready}/{want}"))
        }
        COLUMN_ENDPOINTS => json!(endpoints_cell(obj)),
        COLUMN_EVENT_OBJECT => {
            let kind = obj
                .pointer("/involvedObject/kind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_lowercase();
            let name = obj
                .pointer("/involvedObject/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            json!(format!("{kind}/{name}"))
        }
        COLUMN_SERVICE_PORTS => {
            let ports: Vec<String> = obj
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            let port = p.get("port").map(|v| v.to_string()).unwrap_or_default();
                            let proto = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
                            format!("{port}/{proto}")
                        })
                        .collect()
                })
                .unwrap_or_default();
            json!(if ports.is_empty() {
                "<none>".to_string()
            } else {
                ports.join(",")
            })
        }
        _ if path.starts_with(crate::rbac::COLUMN_PREFIX) => crate::rbac::binding_cell(obj, path),
        _ => match jsonpath::evaluate(obj, path) {
            None => Value::Null,
            Some(Value::String(s)) if type_ == "date" => {
                age_seconds(s).map(|a| json!(human_duration(a))).unwrap_or(json!(s))
            }
            Some(v) => v.clone(),
        },
    }
}

/// The ENDPOINTS column: the first three ready `ip:port`s and how many more.
// kube-apiserver: pkg/printers/internalversion/printers.go, func formatEndpoints
fn endpoints_cell(obj: &Value) -> String {
    let Some(subsets) = obj.get("subsets").and_then(Value::as_array).filter(|s| !s.is_empty()) else {
        return "<none>".into();
    };
    let mut list = Vec::new();
    let mut count = 0;
    for subset in subsets {
        let addresses: Vec<&str> = subset
            .get("addresses")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|a| a.get("ip").and_then(Value::as_str)).collect())
            .unwrap_or_default();
        for port in subset.get("ports").and_then(Value::as_array).into_iter().flatten() {
            let number = port.get("port").and_then(Value::as_i64).unwrap_or(0);
            for ip in &addresses {
                count += 1;
                if list.len() < 3 {
                    list.push(format!("{ip}:{number}"));
                }
            }
        }
    }
    let shown = list.join(",");
    if count > 3 {
        format!("{shown} + {} more...", count - 3)
    } else {
        shown
    }
}
