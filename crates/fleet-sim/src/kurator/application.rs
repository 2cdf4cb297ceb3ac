//! Kurator's Application controller, as far as rollouts go (kurator-dev/kurator
//! `pkg/fleet-manager/application/{controller.go,helper.go,rollout_helper.go}`): for each policy
//! with a rollout and each destination member it prepares the namespace or Ingress, the private
//! load tester, the MetricTemplates and the Canary with Kurator's own rendering
//! ([`super::render`]), then mirrors every member's Canary status into `Application.status`.
//! Writes are Kurator's: Create, and on AlreadyExists or when found a full Update (PUT), never
//! server-side apply.

use serde_json::{Map, Value, json};

use super::render::{self, Panic, ROLLOUT_IDENTIFIER};
use crate::cluster::SimCluster;
use crate::core::WriteOptions;
use crate::error::ApiError;

/// `ApplicationFinalizer` (controller.go).
pub const APPLICATION_FINALIZER: &str = "apps.kurator.dev";
/// The field manager controller-runtime's client records (the binary's name).
const FIELD_MANAGER: &str = "fleet-manager";

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// A member as Kurator reaches it: through the kubeconfig in a hub Secret.
pub struct Destination<'a> {
    pub kind: String,
    pub name: String,
    pub cluster: &'a SimCluster,
}

/// Kurator's client calls against one member, with the API server's own errors.
struct Client<'a>(&'a SimCluster);

impl Client<'_> {
    fn reachable(&self) -> Result<(), String> {
        if self.0.faults().is_unreachable() {
            return Err(format!(
                "Get \"{}\": dial tcp: connect: connection refused",
                self.0.url().unwrap_or_default()
            ));
        }
        Ok(())
    }

    fn get(&self, group: &str, plural: &str, ns: Option<&str>, name: &str) -> Result<Option<Value>, String> {
        self.reachable()?;
        let Some(t) = self.0.core().storage_type(group, plural) else {
            // No such kind served: the RESTMapper's error.
            return Err(format!("no matches for kind in group \"{group}\" ({plural})"));
        };
        match self.0.core().get(&t, ns, name) {
            Ok(o) => Ok(Some(crate::core::ClusterCore::present(&t, &o))),
            Err(e) if e.code == 404 => Ok(None),
            Err(e) => Err(e.message),
        }
    }

    fn create(&self, group: &str, plural: &str, ns: Option<&str>, obj: Value) -> Result<(), ApiError> {
        let t = self
            .0
            .core()
            .storage_type(group, plural)
            .ok_or_else(ApiError::no_route)?;
        let opts = WriteOptions {
            field_manager: Some(FIELD_MANAGER.into()),
            ..Default::default()
        };
        self.0.core().create(&t, ns, obj, &opts).map(|_| ())
    }

    fn update(&self, group: &str, plural: &str, ns: Option<&str>, obj: Value) -> Result<(), ApiError> {
        let t = self
            .0
            .core()
            .storage_type(group, plural)
            .ok_or_else(ApiError::no_route)?;
        let name = text(&obj, "/metadata/name").to_string();
        let opts = WriteOptions {
            field_manager: Some(FIELD_MANAGER.into()),
            ..Default::default()
        };
        self.0.core().replace(&t, ns, &name, obj, false, &opts).map(|_| ())
    }

    fn delete(&self, group: &str, plural: &str, ns: Option<&str>, name: &str) -> Result<(), String> {
        let Some(t) = self.0.core().storage_type(group, plural) else {
            return Ok(());
        };
        match self.0.core().delete(&t, ns, name, &WriteOptions::default()) {
            Ok(_) => Ok(()),
            Err(e) if e.code == 404 => Ok(()),
            Err(e) => Err(e.message),
        }
    }

    /// `installPrivateTestloader`'s rule: Create; on AlreadyExists a full Update (the rendered
    /// object, no resourceVersion).
    fn create_or_put(&self, group: &str, plural: &str, obj: Value) -> Result<(), String> {
        let ns = text(&obj, "/metadata/namespace").to_string();
        match self.create(group, plural, Some(&ns), obj.clone()) {
            Ok(()) => Ok(()),
            Err(e) if e.code == 409 && e.reason == "AlreadyExists" => {
                self.update(group, plural, Some(&ns), obj).map_err(|e| e.message)
            }
            Err(e) => Err(e.message),
        }
    }

    /// `deleteResourceCreatedByKurator`: delete only what carries the marker key.
    fn delete_if_marked(&self, group: &str, plural: &str, ns: &str, name: &str) -> Result<(), String> {
        if let Some(obj) = self.get(group, plural, Some(ns), name)?
            && obj
                .pointer(&format!(
                    "/metadata/annotations/{}",
                    ROLLOUT_IDENTIFIER.replace('/', "~1")
                ))
                .is_some()
        {
            self.delete(group, plural, Some(ns), name)?;
        }
        Ok(())
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// `syncRolloutPolicyForCluster`: one policy into every destination, stopping at the first error.
/// The annotation map is shared by every object and cluster of the pass, and mutated on the way
/// ([quirk], reference §3.8); Go iterates the destinations in map order, here in Fleet order.
pub fn sync_rollout(rollout: &Value, policy: &str, destinations: &[Destination]) -> Result<(), String> {
    let ns = text(rollout, "/workload/namespace").to_string();
    let service_name = text(rollout, "/serviceName").to_string();
    let testloader = format!("{}-testloader", text(rollout, "/workload/name"));
    let provider = text(rollout, "/trafficRoutingProvider").to_string();
    let mut annotation = Map::new();
    annotation.insert(ROLLOUT_IDENTIFIER.into(), json!(policy));
    for dest in destinations {
        let c = Client(dest.cluster);
        c.reachable()?;
        match provider.as_str() {
            "istio" | "kuma" => enable_sidecar_injection(&c, &ns, &provider, &mut annotation)
                .map_err(|e| format!("failed to set namespace {ns} {provider}'s sidecar inject enable: {e}"))?,
            "nginx" => {
                let existing = c.get("networking.k8s.io", "ingresses", Some(&ns), render::INGRESS_NAME)?;
                // controllerutil.CreateOrUpdate: the mutation starts with SetAnnotations(annotation).
                let ingress = render::nginx_ingress(rollout, existing.as_ref(), &mut annotation)
                    .map_err(|e| format!("failed to operate ingress: {e}"))?;
                let written = if existing.is_some() {
                    c.update("networking.k8s.io", "ingresses", Some(&ns), ingress)
                } else {
                    c.create("networking.k8s.io", "ingresses", Some(&ns), ingress)
                };
                written.map_err(|e| format!("failed to operate ingress: {}", e.message))?;
            }
            other => return Err(format!("unknown provider type {other}")),
        }
        if rollout.get("testLoader") == Some(&json!(true)) {
            for obj in render::private_testloader(&testloader, &ns, policy) {
                let (group, plural) = if obj["kind"] == "Deployment" {
                    ("apps", "deployments")
                } else {
                    ("", "services")
                };
                c.create_or_put(group, plural, obj)
                    .map_err(|e| format!("failed to install private testloader for workload: {e}"))?;
            }
        } else {
            c.delete_if_marked("apps", "deployments", &ns, &testloader)?;
            c.delete_if_marked("", "services", &ns, &testloader)?;
        }
        let service = c
            .get("", "services", Some(&ns), &service_name)
            .map_err(|e| format!("failed to get service {service_name} in {ns}: {e}"))?
            .ok_or_else(|| {
                format!("not found service {service_name} in {ns}: services \"{service_name}\" not found")
            })?;
        // [quirk] looked up as serviceName, created as workload.name (reference §3.11 #1).
        let existing = c
            .get("flagger.app", "canaries", Some(&ns), &service_name)
            .map_err(|e| format!("failed to get canary {service_name} in {ns}: {e}"))?;
        let mut canary = render::canary(rollout, existing.as_ref()).map_err(err)?;
        canary["spec"]["service"] = render::canary_service(rollout, &service).map_err(err)?;
        let metrics = rollout
            .pointer("/rolloutPolicy/trafficAnalysis")
            .filter(|t| !t.is_null())
            .ok_or_else(|| Panic("nil /rolloutPolicy/trafficAnalysis".into()).to_string())?
            .get("metrics")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for metric in &metrics {
            let name = text(metric, "/name");
            let existing = c.get("flagger.app", "metrictemplates", Some(&ns), name)?;
            if let Some(t) = render::metric_template(metric, &ns, policy, existing.as_ref()) {
                let written = if existing.is_some() {
                    c.update("flagger.app", "metrictemplates", Some(&ns), t)
                } else {
                    c.create("flagger.app", "metrictemplates", Some(&ns), t)
                };
                written.map_err(|e| format!("error apply MetricTemplate {name} for canary: {}", e.message))?;
            }
        }
        canary["spec"]["analysis"] = render::canary_analysis(rollout, &dest.name).map_err(err)?;
        canary["metadata"]["annotations"] = Value::Object(annotation.clone());
        if existing.is_none() {
            c.create("flagger.app", "canaries", Some(&ns), canary)
                .map_err(|e| format!("failed to create rolloutPolicy: {}", e.message))?;
        } else {
            c.update("flagger.app", "canaries", Some(&ns), canary)
                .map_err(|e| format!("failed to update rolloutPolicy: {}", e.message))?;
        }
    }
    Ok(())
}

/// `enableSidecarInjection`: istio labels, kuma annotates; a different existing value fails;
/// a namespace Kurator creates gets the shared annotation map ([quirk] kuma's key goes into it).
fn enable_sidecar_injection(
    c: &Client,
    ns: &str,
    provider: &str,
    annotation: &mut Map<String, Value>,
) -> Result<(), String> {
    let (section, key) = if provider == "kuma" {
        ("annotations", "kuma.io/sidecar-injection")
    } else {
        ("labels", "istio-injection")
    };
    match c.get("", "namespaces", None, ns)? {
        None => {
            let mut obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            if provider == "kuma" {
                annotation.insert(key.into(), json!("enabled"));
            } else {
                obj["metadata"]["labels"] = json!({key: "enabled"});
            }
            obj["metadata"]["annotations"] = Value::Object(annotation.clone());
            c.create("", "namespaces", None, obj)
                .map_err(|e| format!("failed to create namespace {ns}: {}", e.message))
        }
        Some(mut obj) => {
            match obj
                .pointer(&format!("/metadata/{section}/{key}"))
                .and_then(Value::as_str)
            {
                Some("enabled") => {}
                Some(_) => {
                    return Err(if section == "labels" {
                        "label key conflict".into()
                    } else {
                        "annotation key conflict".into()
                    });
                }
                None => {
                    if !obj["metadata"][section].is_object() {
                        obj["metadata"][section] = json!({});
                    }
                    obj["metadata"][section][key] = json!("enabled");
                }
            }
            c.update("", "namespaces", None, obj)
                .map_err(|e| format!("failed to update namespace {ns}: {}", e.message))
        }
    }
}

/// The fields of Flagger's `CanaryStatus` (fluxcd/flagger v1.34.0, the version Kurator's go.mod
/// pins: pkg/apis/flagger/v1beta1/status.go) and of its `CanaryCondition`s. Kurator decodes the
/// member's Canary into that struct and encodes it again into the Application, so nothing else
/// reaches the hub.
const CANARY_STATUS_FIELDS: [&str; 11] = [
    "phase",
    "failedChecks",
    "canaryWeight",
    "iterations",
    "previousSessionAffinityCookie",
    "sessionAffinityCookie",
    "trackedConfigs",
    "lastAppliedSpec",
    "lastPromotedSpec",
    "lastTransitionTime",
    "conditions",
];
const CANARY_CONDITION_FIELDS: [&str; 6] = [
    "type",
    "status",
    "lastUpdateTime",
    "lastTransitionTime",
    "reason",
    "message",
];

/// A member Canary's `.status` as Kurator's typed round trip leaves it. The phase and counters
/// are always encoded (no omitempty); a zero lastTransitionTime encodes as null, which the
/// Application CRD's structural schema prunes.
fn canary_status(status: &Value) -> Value {
    let keep = |object: &Value, fields: &[&str]| -> Map<String, Value> {
        fields
            .iter()
            .filter_map(|f| Some((f.to_string(), object.get(*f)?.clone())))
            .collect()
    };
    let mut out = keep(status, &CANARY_STATUS_FIELDS);
    for (counter, zero) in [
        ("phase", json!("")),
        ("failedChecks", json!(0)),
        ("canaryWeight", json!(0)),
        ("iterations", json!(0)),
    ] {
        out.entry(counter).or_insert(zero);
    }
    if let Some(conditions) = status.get("conditions").and_then(Value::as_array) {
        let conditions: Vec<Value> = conditions
            .iter()
            .map(|c| Value::Object(keep(c, &CANARY_CONDITION_FIELDS)))
            .collect();
        out.insert("conditions".into(), Value::Array(conditions));
    }
    Value::Object(out)
}

/// `reconcileRolloutSyncStatus`: the Canary status of every destination, keyed by
/// `generatePolicyResourceName`. A Canary that cannot be read fails the whole refresh.
pub fn rollout_status(
    rollout: &Value,
    policy: &str,
    destinations: &[Destination],
) -> Result<Vec<(String, Value)>, String> {
    let ns = text(rollout, "/workload/namespace");
    let name = text(rollout, "/workload/name");
    let mut out = Vec::new();
    for dest in destinations {
        let c = Client(dest.cluster);
        let canary = c
            .get("flagger.app", "canaries", Some(ns), name)
            .map_err(|e| format!("failed to get canary {name} in {}: {e}", dest.name))?
            .ok_or_else(|| {
                format!(
                    "failed to get canary {name} in {}: canaries.flagger.app \"{name}\" not found",
                    dest.name
                )
            })?;
        let status = canary_status(canary.get("status").unwrap_or(&Value::Null));
        out.push((
            render::policy_resource_name(policy, &dest.kind, &dest.name),
            json!({"clusterName": dest.name, "rolloutNameInCluster": name, "rolloutStatusInCluster": status}),
        ));
    }
    Ok(out)
}

/// `deleteResourcesInMemberClusters`: Ingress, load tester, MetricTemplates, then the Canary
/// ([quirk] by `serviceName`), each only when marked.
pub fn delete_rollout(rollout: &Value, destinations: &[Destination]) -> Result<(), String> {
    let ns = text(rollout, "/workload/namespace");
    let service_name = text(rollout, "/serviceName");
    let testloader = format!("{}-testloader", text(rollout, "/workload/name"));
    for dest in destinations {
        let c = Client(dest.cluster);
        if let Some(mut ingress) = c.get("networking.k8s.io", "ingresses", Some(ns), render::INGRESS_NAME)?
            && ingress
                .pointer(&format!(
                    "/metadata/annotations/{}",
                    ROLLOUT_IDENTIFIER.replace('/', "~1")
                ))
                .is_some()
        {
            let set: Vec<String> = text(&ingress, "/metadata/labels/app")
                .split(',')
                .map(str::to_string)
                .collect();
            if set.iter().any(|s| s == service_name) {
                if set.len() == 1 {
                    c.delete("networking.k8s.io", "ingresses", Some(ns), render::INGRESS_NAME)?;
                } else {
                    let host = rollout
                        .pointer("/rolloutPolicy/trafficRouting/host")
                        .cloned()
                        .unwrap_or(json!(""));
                    let rules: Vec<Value> = ingress["spec"]["rules"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|r| r.get("host").cloned().unwrap_or(json!("")) != host)
                        .collect();
                    ingress["spec"]["rules"] = Value::Array(rules);
                    let rest: Vec<String> = set.into_iter().filter(|s| s != service_name).collect();
                    ingress["metadata"]["labels"]["app"] = json!(rest.join(","));
                    c.update("networking.k8s.io", "ingresses", Some(ns), ingress)
                        .map_err(|e| e.message)?;
                }
            }
        }
        c.delete_if_marked("apps", "deployments", ns, &testloader)?;
        c.delete_if_marked("", "services", ns, &testloader)?;
        for m in rollout
            .pointer("/rolloutPolicy/trafficAnalysis/metrics")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if m.get("customMetric").is_some_and(|c| !c.is_null()) {
                c.delete_if_marked("flagger.app", "metrictemplates", ns, text(m, "/name"))?;
            }
        }
        c.delete_if_marked("flagger.app", "canaries", ns, service_name)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hub_gets_flaggers_canary_status_fields_only() {
        let member = json!({
            "phase": "Progressing", "canaryWeight": 10, "observedGeneration": 3, "extra": true,
            "conditions": [{"type": "Promoted", "status": "Unknown", "reason": "Progressing", "observedGeneration": 3}],
        });
        assert_eq!(
            canary_status(&member),
            json!({
                "phase": "Progressing", "canaryWeight": 10, "failedChecks": 0, "iterations": 0,
                "conditions": [{"type": "Promoted", "status": "Unknown", "reason": "Progressing"}],
            })
        );
        assert_eq!(
            canary_status(&Value::Null),
            json!({"phase": "", "failedChecks": 0, "canaryWeight": 0, "iterations": 0})
        );
    }
}
