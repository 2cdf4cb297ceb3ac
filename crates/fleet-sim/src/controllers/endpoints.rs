//! The endpoints controller: every Service with a selector gets an `Endpoints` object listing the
//! Pods of the ReplicaSets whose pod template matches the selector, ready Pods under
//! `addresses` and the others under `notReadyAddresses`, with each Service port resolved to the
//! Pods' target port under the Service port's name. The simulator has no Pod objects: a
//! ReplicaSet's Pods are its `status.replicas`, the first `status.readyReplicas` of them ready,
//! named `<replicaset>-<suffix>`.
//!
//! kube-controller-manager: pkg/controller/endpoint/endpoints_controller.go, func
//! (*Controller) syncService (selector-less Services are left alone; an Endpoints object the
//! controller wrote is deleted with its Service) and pkg/api/v1/endpoints/util.go, func
//! RepackSubsets (addresses grouped by identical port sets).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::replicasets::pod_name;
use crate::cluster::SimCluster;
use crate::core::{ClusterCore, WriteOptions};
use crate::meta::now_rfc3339;
use crate::resource::ResKey;
use crate::store::ObjectKey;

/// The manager a real cluster's endpoints controller writes as.
const MANAGER: &str = "kube-controller-manager";
/// The label that marks the Endpoints the controller owns (with the Service's own labels).
// kube-controller-manager: pkg/controller/endpoint/endpoints_controller.go, LabelManagedBy,
// ControllerName
const MANAGED_BY: &str = "endpoints.kubernetes.io/managed-by";
const CONTROLLER_NAME: &str = "endpoint-controller";
const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";

fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn selector_matches(selector: &Map<String, Value>, labels: Option<&Value>) -> bool {
    let labels = labels.and_then(Value::as_object);
    selector.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

/// The container port a Service port's `targetPort` names in a pod template (a number as is; a
/// name looked up among the containers' ports), or None when the Pods do not have it.
// kube-controller-manager: pkg/api/v1/pod/util.go, func FindPort
fn target_port(template: &Value, service_port: &Value) -> Option<i64> {
    let target = service_port.get("targetPort").or_else(|| service_port.get("port"))?;
    if let Some(n) = target.as_i64() {
        return Some(n);
    }
    let name = target.as_str()?;
    if let Ok(n) = name.parse::<i64>() {
        return Some(n);
    }
    let protocol = service_port.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
    template
        .pointer("/spec/containers")?
        .as_array()?
        .iter()
        .filter_map(|c| c.get("ports").and_then(Value::as_array))
        .flatten()
        .find(|p| {
            p.get("name").and_then(Value::as_str) == Some(name)
                && p.get("protocol").and_then(Value::as_str).unwrap_or("TCP") == protocol
        })
        .and_then(|p| p.get("containerPort"))
        .and_then(Value::as_i64)
}

/// A stable, made-up Pod IP in the cluster's Pod range.
fn pod_ip(pod: &str) -> String {
    let h = super::replicasets::fnv32a(pod.as_bytes());
    format!("10.244.{}.{}", (h >> 8) % 256, h % 254 + 1)
}

/// One subset being built: its ports, ready and not-ready addresses.
type Subset = (Vec<Value>, Vec<Value>, Vec<Value>);

/// The subsets of a Service's Endpoints, from the ReplicaSets of its namespace.
pub fn subsets(service: &Value, replicasets: &[Value]) -> Vec<Value> {
    let Some(selector) = service.pointer("/spec/selector").and_then(Value::as_object) else {
        return Vec::new();
    };
    let ports: Vec<&Value> = service
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .map(|p| p.iter().collect())
        .unwrap_or_default();
    let ns = text(service, "/metadata/namespace");
    // Port set (as JSON text, sorted) → (ports, ready, not ready).
    let mut groups: BTreeMap<String, Subset> = BTreeMap::new();
    for d in replicasets {
        let template = d.pointer("/spec/template").cloned().unwrap_or(json!({}));
        if !selector_matches(selector, template.pointer("/metadata/labels")) {
            continue;
        }
        let mut endpoint_ports: Vec<Value> = ports
            .iter()
            .filter_map(|p| {
                let number = target_port(&template, p)?;
                let mut port = json!({"port": number, "protocol": p.get("protocol").cloned().unwrap_or(json!("TCP"))});
                if let Some(name) = p.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()) {
                    port["name"] = json!(name);
                }
                if let Some(app) = p.get("appProtocol") {
                    port["appProtocol"] = app.clone();
                }
                Some(port)
            })
            .collect();
        if endpoint_ports.is_empty() {
            continue;
        }
        endpoint_ports.sort_by_key(|p| (text(p, "/name").to_string(), p["port"].as_i64()));
        let total = d
            .pointer("/status/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            .max(0);
        let ready = d
            .pointer("/status/readyReplicas")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            .clamp(0, total);
        let name = text(d, "/metadata/name");
        let group = groups
            .entry(Value::Array(endpoint_ports.clone()).to_string())
            .or_insert_with(|| (endpoint_ports, Vec::new(), Vec::new()));
        for i in 0..total {
            let pod = pod_name(name, i);
            let address = json!({"ip": pod_ip(&pod), "targetRef": {"kind": "Pod", "namespace": ns, "name": pod}});
            if i < ready {
                group.1.push(address);
            } else {
                group.2.push(address);
            }
        }
    }
    groups
        .into_values()
        .filter(|(_, ready, not_ready)| !(ready.is_empty() && not_ready.is_empty()))
        .map(|(ports, mut ready, mut not_ready)| {
            ready.sort_by(|a, b| text(a, "/ip").cmp(text(b, "/ip")));
            not_ready.sort_by(|a, b| text(a, "/ip").cmp(text(b, "/ip")));
            let mut subset = json!({"ports": ports});
            if !ready.is_empty() {
                subset["addresses"] = Value::Array(ready);
            }
            if !not_ready.is_empty() {
                subset["notReadyAddresses"] = Value::Array(not_ready);
            }
            subset
        })
        .collect()
}

/// Brings every Endpoints object of a namespace in line with its Services and Deployments.
pub fn reconcile_namespace(cluster: &SimCluster, ns: &str) {
    let core = cluster.core();
    let Some(t) = core.storage_type("", "endpoints") else {
        return;
    };
    let services = cluster.list("", "services", Some(ns));
    let replicasets = cluster.list("apps", "replicasets", Some(ns));
    let opts = WriteOptions {
        field_manager: Some(MANAGER.into()),
        ..Default::default()
    };
    for svc in &services {
        let name = text(svc, "/metadata/name");
        let has_selector = svc
            .pointer("/spec/selector")
            .and_then(Value::as_object)
            .is_some_and(|s| !s.is_empty());
        if !has_selector
            || text(svc, "/spec/type") == "ExternalName"
            || svc.pointer("/metadata/deletionTimestamp").is_some()
        {
            continue;
        }
        let subsets = subsets(svc, &replicasets);
        let mut labels = svc.pointer("/metadata/labels").cloned().unwrap_or(json!({}));
        labels[MANAGED_BY] = json!(CONTROLLER_NAME);
        let existing = core.get(&t, Some(ns), name).ok();
        if let Some(old) = &existing {
            let same_subsets = old.get("subsets").cloned().unwrap_or(json!([])) == json!(subsets);
            let same_labels = old.pointer("/metadata/labels").cloned().unwrap_or(json!({})) == labels;
            if same_subsets && same_labels {
                continue;
            }
        }
        let mut object = json!({
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": name, "namespace": ns, "annotations": {TRIGGER_TIME: now_rfc3339()}},
        });
        object["metadata"]["labels"] = labels;
        if !subsets.is_empty() {
            object["subsets"] = Value::Array(subsets);
        }
        // Losing a race with another writer is fine: the next change reconciles again.
        let _ = match existing {
            Some(old) => {
                object["metadata"]["resourceVersion"] =
                    old.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null);
                core.replace(&t, Some(ns), name, object, false, &opts).map(|_| ())
            }
            None => core.create(&t, Some(ns), object, &opts).map(|_| ()),
        };
    }
    // Endpoints the controller wrote whose Service is gone.
    for ep in cluster.list("", "endpoints", Some(ns)) {
        let name = text(&ep, "/metadata/name");
        let managed = ep
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(TRIGGER_TIME))
            .is_some();
        if managed && !services.iter().any(|s| text(s, "/metadata/name") == name) {
            let _ = core.delete(&t, Some(ns), name, &WriteOptions::default());
        }
    }
}

/// Every namespace that has Services or Endpoints.
pub fn reconcile_all(cluster: &SimCluster) {
    let mut namespaces: Vec<String> = cluster
        .list("", "services", None)
        .iter()
        .chain(cluster.list("", "endpoints", None).iter())
        .map(|o| text(o, "/metadata/namespace").to_string())
        .collect();
    namespaces.sort();
    namespaces.dedup();
    for ns in namespaces {
        reconcile_namespace(cluster, &ns);
    }
}

/// The workload whose Pod this is (`<replicaset>-<suffix>`, as [`pod_name`] names them): the
/// Deployment that controls the ReplicaSet, or the ReplicaSet itself.
pub fn workload_of_pod(core: &ClusterCore, ns: &str, pod: &str) -> Option<String> {
    let (replicaset, _suffix) = pod.rsplit_once('-')?;
    let rs = core.store.get(&ObjectKey::new(
        ResKey::new("apps", "replicasets"),
        Some(ns),
        replicaset,
    ))?;
    let owner = rs
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .and_then(|refs| {
            refs.iter()
                .find(|r| r["controller"] == true && r["kind"] == "Deployment")
        })
        .and_then(|r| r["name"].as_str());
    Some(owner.unwrap_or(replicaset).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replicaset(name: &str, labels: Value, ports: Value, replicas: i64, ready: i64) -> Value {
        json!({"metadata": {"name": name, "namespace": "t"},
               "spec": {"template": {"metadata": {"labels": labels},
                        "spec": {"containers": [{"name": "c", "ports": ports}]}}},
               "status": {"replicas": replicas, "readyReplicas": ready}})
    }

    #[test]
    fn endpoint_ports_carry_the_service_port_names_and_target_ports() {
        let svc = json!({"metadata": {"name": "lt", "namespace": "t"},
            "spec": {"selector": {"app": "lt"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}});
        let ds = [
            replicaset(
                "lt",
                json!({"app": "lt"}),
                json!([{"name": "http", "containerPort": 8080}]),
                2,
                1,
            ),
            replicaset("other-h", json!({"app": "other"}), json!([]), 1, 1),
        ];
        let s = subsets(&svc, &ds);
        assert_eq!(s.len(), 1);
        assert_eq!(
            s[0]["ports"],
            json!([{"name": "http", "port": 8080, "protocol": "TCP"}])
        );
        assert_eq!(s[0]["addresses"].as_array().unwrap().len(), 1);
        assert_eq!(s[0]["notReadyAddresses"].as_array().unwrap().len(), 1);
        // A named target port the Pods lack: no endpoints.
        let missing = json!({"metadata": {"name": "lt", "namespace": "t"},
            "spec": {"selector": {"app": "lt"}, "ports": [{"name": "grpc", "port": 81, "targetPort": "grpc"}]}});
        assert!(subsets(&missing, &ds).is_empty());
        // Scaled to zero: no subsets.
        let zero = [replicaset(
            "lt",
            json!({"app": "lt"}),
            json!([{"name": "http", "containerPort": 8080}]),
            0,
            0,
        )];
        assert!(subsets(&svc, &zero).is_empty());
    }
}
