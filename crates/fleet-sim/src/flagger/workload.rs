//! What the simulated Flagger creates and changes around a Canary's target Deployment (§3.11):
//! the `-primary` Deployment, the apex / `-primary` / `-canary` Services, promotion, and the
//! readiness rules of §3.8. Pure functions on JSON objects.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::machine::Readiness;

/// Flagger's default `-selector-labels`, in order.
const SELECTOR_LABELS: &[&str] = &["app", "name", "app.kubernetes.io/name"];

/// The selector label of the target and its value.
pub fn selector_label(target: &Value) -> Option<(String, String)> {
    let labels = target.pointer("/spec/selector/matchLabels")?.as_object()?;
    SELECTOR_LABELS.iter().find_map(|k| {
        labels
            .get(*k)
            .and_then(Value::as_str)
            .map(|v| (k.to_string(), v.to_string()))
    })
}

fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

pub fn owner_reference(canary: &Value) -> Value {
    json!([{
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "name": text(canary, "/metadata/name"), "uid": text(canary, "/metadata/uid"),
        "controller": true, "blockOwnerDeletion": true,
    }])
}

/// The target's pod template as the primary runs it: selector label renamed, a new `flagger-id`,
/// tracked ConfigMaps and Secrets replaced by their `-primary` copies.
pub fn primary_template(target: &Value, label: &(String, String), tracked: &BTreeMap<String, String>) -> Value {
    let mut template = target.pointer("/spec/template").cloned().unwrap_or(json!({}));
    super::configs::apply_primary_configs(&mut template, tracked);
    template["metadata"]["labels"][&label.0] = json!(format!("{}-primary", label.1));
    template["metadata"]["annotations"]["flagger-id"] = json!(uuid::Uuid::new_v4().to_string());
    template
}

pub fn primary_deployment(
    canary: &Value,
    target: &Value,
    label: &(String, String),
    tracked: &BTreeMap<String, String>,
) -> Value {
    let name = format!("{}-primary", text(target, "/metadata/name"));
    let replicas = target
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1)
        .max(1);
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {
            "name": name, "namespace": text(target, "/metadata/namespace"),
            "labels": {&label.0: format!("{}-primary", label.1)},
            "ownerReferences": owner_reference(canary),
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {&label.0: format!("{}-primary", label.1)}},
            "template": primary_template(target, label, tracked),
        },
    })
}

/// The three ClusterIP Services (§3.11); `apex_exists_unowned` leaves the apex's metadata alone.
pub fn services(canary: &Value, label: &(String, String)) -> Vec<Value> {
    let apex = canary
        .pointer("/spec/service/name")
        .and_then(Value::as_str)
        .unwrap_or_else(|| text(canary, "/spec/targetRef/name"))
        .to_string();
    let port = canary.pointer("/spec/service/port").cloned().unwrap_or(json!(80));
    let target_port = canary
        .pointer("/spec/service/targetPort")
        .cloned()
        .unwrap_or(port.clone());
    let port_name = canary
        .pointer("/spec/service/portName")
        .and_then(Value::as_str)
        .unwrap_or("http");
    let ns = text(canary, "/metadata/namespace");
    let service = |name: String, selector: String| {
        json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "labels": {&label.0: name}, "ownerReferences": owner_reference(canary)},
            "spec": {
                "type": "ClusterIP",
                "selector": {&label.0: selector},
                "ports": [{"name": port_name, "protocol": "TCP", "port": port, "targetPort": target_port}],
            },
        })
    };
    vec![
        service(apex.clone(), format!("{}-primary", label.1)),
        service(format!("{apex}-primary"), format!("{}-primary", label.1)),
        service(format!("{apex}-canary"), label.1.clone()),
    ]
}

/// Deployment readiness as Flagger judges it (§3.8); `deadline` is the progress deadline in
/// simulated time, `now` seconds since the epoch.
// Flagger: pkg/canary/deployment_ready.go, func (*DeploymentController) isDeploymentReady
pub fn readiness(deployment: &Value, deadline: Duration, now: i64) -> Readiness {
    readiness_detail(deployment, deadline, now, 100).0
}

// Flagger: pkg/canary/deployment_ready.go, func isDeploymentReady. Not ready while the
// controller has not observed the spec, fewer replicas are updated than wanted, old replicas
// are still running, or fewer than `ready_threshold`% of the updated ones are available;
// `ProgressDeadlineExceeded` is final, and so is `MinimumReplicasUnavailable` for longer than
// the canary's progress deadline. The detail is Flagger's error text.
pub fn readiness_detail(
    deployment: &Value,
    deadline: Duration,
    now: i64,
    ready_threshold: i64,
) -> (Readiness, Option<String>) {
    let int = |p: &str| deployment.pointer(p).and_then(Value::as_i64).unwrap_or(0);
    let generation = int("/metadata/generation");
    let observed = int("/status/observedGeneration");
    if generation > observed {
        return (
            Readiness::Wait,
            Some("waiting for rollout to finish: observed deployment generation less than desired generation".into()),
        );
    }
    let conditions = deployment
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let condition = |kind: &str| conditions.iter().find(|c| c["type"] == kind);
    let progress = condition("Progressing");
    let mut retriable = true;
    if progress.is_some()
        && let Some(available) = condition("Available")
        && available["status"] == "False"
        && available["reason"] == "MinimumReplicasUnavailable"
    {
        let since = available["lastUpdateTime"]
            .as_str()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map(|t| t.as_second());
        retriable = since.is_none_or(|since| now - since <= deadline.as_secs() as i64);
    }
    let wait = if retriable { Readiness::Wait } else { Readiness::Dead };
    let updated = int("/status/updatedReplicas");
    // Go: int32(float32(updated) * ratio), truncated.
    let threshold = (updated as f64 * ready_threshold as f64 / 100.0) as i64;
    let name = deployment
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if progress.is_some_and(|p| p["reason"] == "ProgressDeadlineExceeded") {
        return (
            Readiness::Dead,
            Some(format!("deployment {name:?} exceeded its progress deadline")),
        );
    }
    if let Some(wanted) = deployment.pointer("/spec/replicas").and_then(Value::as_i64)
        && updated < wanted
    {
        return (
            wait,
            Some(format!(
                "waiting for rollout to finish: {updated} out of {wanted} new replicas have been updated"
            )),
        );
    }
    let replicas = int("/status/replicas");
    if replicas > updated {
        return (
            wait,
            Some(format!(
                "waiting for rollout to finish: {} old replicas are pending termination",
                replicas - updated
            )),
        );
    }
    let available = int("/status/availableReplicas");
    if available < threshold {
        return (
            wait,
            Some(format!(
                "waiting for rollout to finish: {available} of {threshold} (readyThreshold {ready_threshold}%) updated replicas are available"
            )),
        );
    }
    (Readiness::Ready, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Value {
        json!({"metadata": {"name": "podinfo", "namespace": "test"},
               "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "podinfo"}},
                        "template": {"metadata": {"labels": {"app": "podinfo"}}, "spec": {"containers": [{"name": "c", "image": "i:1"}]}}}})
    }

    #[test]
    fn primary_and_services() {
        let canary = json!({"metadata": {"name": "podinfo", "namespace": "test", "uid": "u"},
                            "spec": {"targetRef": {"name": "podinfo"}, "service": {"port": 9898}}});
        let label = selector_label(&target()).unwrap();
        assert_eq!(label, ("app".to_string(), "podinfo".to_string()));
        let primary = primary_deployment(&canary, &target(), &label, &BTreeMap::new());
        assert_eq!(primary["metadata"]["name"], "podinfo-primary");
        assert_eq!(primary["spec"]["replicas"], 2);
        assert_eq!(
            primary["spec"]["template"]["metadata"]["labels"]["app"],
            "podinfo-primary"
        );
        let svcs = services(&canary, &label);
        let names: Vec<&str> = svcs.iter().map(|s| s["metadata"]["name"].as_str().unwrap()).collect();
        assert_eq!(names, vec!["podinfo", "podinfo-primary", "podinfo-canary"]);
        assert_eq!(svcs[2]["spec"]["selector"]["app"], "podinfo");
        assert_eq!(svcs[0]["spec"]["ports"][0]["targetPort"], 9898);
    }

    #[test]
    fn readiness_rules() {
        let d = |observed: i64, status: &str, reason: &str, updated: &str, counts: (i64, i64, i64)| {
            json!({"metadata": {"name": "podinfo", "generation": 2}, "spec": {"replicas": 2},
                   "status": {"observedGeneration": observed, "replicas": counts.0, "updatedReplicas": counts.1, "availableReplicas": counts.2,
                   "conditions": [{"type": "Available", "status": status, "reason": reason, "lastUpdateTime": updated},
                                  {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated"}]}})
        };
        let now = "2026-01-01T00:10:00Z".parse::<jiff::Timestamp>().unwrap().as_second();
        let deadline = Duration::from_secs(60);
        let full = (2, 2, 2);
        assert_eq!(readiness(&d(1, "True", "", "", full), deadline, now), Readiness::Wait);
        assert_eq!(readiness(&d(2, "True", "", "", full), deadline, now), Readiness::Ready);
        let starved = (2, 2, 0);
        assert_eq!(
            readiness(
                &d(
                    2,
                    "False",
                    "MinimumReplicasUnavailable",
                    "2026-01-01T00:09:30Z",
                    starved
                ),
                deadline,
                now
            ),
            Readiness::Wait
        );
        assert_eq!(
            readiness(
                &d(
                    2,
                    "False",
                    "MinimumReplicasUnavailable",
                    "2026-01-01T00:00:00Z",
                    starved
                ),
                deadline,
                now
            ),
            Readiness::Dead
        );
        let (state, detail) = readiness_detail(&d(2, "True", "", "", (3, 2, 2)), deadline, now, 100);
        assert_eq!(state, Readiness::Wait);
        assert_eq!(
            detail.as_deref(),
            Some("waiting for rollout to finish: 1 old replicas are pending termination")
        );
        let (_, detail) = readiness_detail(&d(2, "True", "", "", (2, 1, 1)), deadline, now, 100);
        assert_eq!(
            detail.as_deref(),
            Some("waiting for rollout to finish: 1 out of 2 new replicas have been updated")
        );
        // readyThreshold 50: one of two updated replicas available is enough.
        assert_eq!(
            readiness_detail(&d(2, "True", "", "", (2, 2, 1)), deadline, now, 50).0,
            Readiness::Ready
        );
        let mut stuck = d(2, "True", "", "", full);
        stuck["status"]["conditions"][1]["reason"] = json!("ProgressDeadlineExceeded");
        assert_eq!(
            readiness_detail(&stuck, deadline, now, 100),
            (
                Readiness::Dead,
                Some("deployment \"podinfo\" exceeded its progress deadline".into())
            )
        );
    }
}
