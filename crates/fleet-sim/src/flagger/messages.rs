//! Flagger's texts that depend on the objects it reads (pure): readiness errors and the metrics
//! provider a canary's builtin checks query.

use serde_json::Value;

fn int(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

fn condition<'a>(deployment: &'a Value, kind: &str) -> Option<&'a Value> {
    deployment
        .pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| c["type"] == kind)
}

/// Flagger `pkg/canary/deployment_ready.go`, `isDeploymentReady`: the reason a Deployment is not
/// ready, in upstream's order of tests; None when none of them applies.
pub fn deployment_not_ready(deployment: &Value, ready_threshold: i64) -> Option<String> {
    let name = deployment
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let generation = int(deployment, "/metadata/generation").unwrap_or(0);
    let observed = int(deployment, "/status/observedGeneration").unwrap_or(0);
    if generation > observed {
        return Some(
            "waiting for rollout to finish: observed deployment generation less than desired generation".into(),
        );
    }
    let updated = int(deployment, "/status/updatedReplicas").unwrap_or(0);
    let replicas = int(deployment, "/status/replicas").unwrap_or(0);
    let available = int(deployment, "/status/availableReplicas").unwrap_or(0);
    // float32 arithmetic truncated to int32, as upstream computes it.
    let needed = (updated as f32 * (ready_threshold as f32 / 100.0)) as i64;
    if condition(deployment, "Progressing").is_some_and(|c| c["reason"] == "ProgressDeadlineExceeded") {
        return Some(format!("deployment {name:?} exceeded its progress deadline"));
    }
    if let Some(wanted) = int(deployment, "/spec/replicas")
        && updated < wanted
    {
        return Some(format!(
            "waiting for rollout to finish: {updated} out of {wanted} new replicas have been updated"
        ));
    }
    if replicas > updated {
        return Some(format!(
            "waiting for rollout to finish: {} old replicas are pending termination",
            replicas - updated
        ));
    }
    if available < needed {
        return Some(format!(
            "waiting for rollout to finish: {available} of {needed} (readyThreshold {ready_threshold}%) updated replicas are available"
        ));
    }
    None
}

/// Flagger `pkg/canary/deployment_ready.go`, `IsPrimaryReady` / `IsCanaryReady`: the error text
/// for the primary (`<target>-primary`) or the canary (the target) of a Canary.
pub fn readiness_error(
    deployment: Option<&Value>,
    target: &str,
    namespace: &str,
    primary: bool,
    ready_threshold: i64,
) -> String {
    let name = if primary {
        format!("{target}-primary")
    } else {
        target.to_string()
    };
    let Some(deployment) = deployment else {
        return format!("deployment {name}.{namespace} get query error: deployments.apps \"{name}\" not found");
    };
    let detail = deployment_not_ready(deployment, ready_threshold).unwrap_or_else(|| {
        "waiting for rollout to finish: observed deployment generation less than desired generation".into()
    });
    if primary {
        format!("{name}.{namespace} not ready: {detail}")
    } else {
        format!("canary deployment {name}.{namespace} not ready: {detail}")
    }
}

/// Flagger `pkg/controller/scheduler_metrics.go`, `runBuiltinMetricChecks`: which observer the
/// builtin metrics use, named in the "no values found" text.
pub fn metrics_provider(mesh_provider: &str, canary: &Value) -> String {
    let mut provider = if mesh_provider.contains("crossover") {
        "crossover".to_string()
    } else {
        mesh_provider.to_string()
    };
    let own = canary.pointer("/spec/provider").and_then(Value::as_str).unwrap_or("");
    if !own.is_empty() {
        provider = if mesh_provider.contains("linkerd") {
            "linkerd".into()
        } else {
            own.into()
        };
    }
    let kind = canary
        .pointer("/spec/targetRef/kind")
        .and_then(Value::as_str)
        .unwrap_or("");
    let api = canary
        .pointer("/spec/targetRef/apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if kind == "Service" && !api.starts_with("serving.knative.dev") {
        provider.push_str(":service");
    }
    provider
}

/// The `-mesh-provider` flag of a Flagger Deployment (Flagger's default: istio).
pub fn mesh_provider_of(flagger: &Value) -> String {
    let containers = flagger
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for container in &containers {
        let words = ["command", "args"]
            .iter()
            .filter_map(|k| container.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str);
        for word in words {
            let flag = word.trim_start_matches('-');
            if let Some(value) = flag.strip_prefix("mesh-provider=") {
                return value.to_string();
            }
        }
    }
    "istio".into()
}

/// Flagger's global event webhook (`cmd/flagger/main.go`: `EVENT_WEBHOOK_URL` wins over
/// `-event-webhook`).
pub fn event_webhook_of(flagger: &Value) -> Option<String> {
    let containers = flagger
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let env = containers
        .iter()
        .filter_map(|c| c.get("env").and_then(Value::as_array))
        .flatten()
        .find(|e| e["name"] == "EVENT_WEBHOOK_URL")
        .and_then(|e| e["value"].as_str())
        .filter(|v| !v.is_empty());
    if let Some(url) = env {
        return Some(url.to_string());
    }
    containers
        .iter()
        .flat_map(|c| {
            ["command", "args"]
                .iter()
                .filter_map(|k| c.get(*k).and_then(Value::as_array))
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
        })
        .find_map(|w| {
            w.trim_start_matches('-')
                .strip_prefix("event-webhook=")
                .map(str::to_string)
        })
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn readiness_texts_follow_upstream_order() {
        let d = |status: Value| json!({"metadata": {"name": "web", "generation": 2}, "spec": {"replicas": 2}, "status": status});
        assert_eq!(
            readiness_error(Some(&d(json!({"observedGeneration": 1}))), "web", "test", false, 100),
            "canary deployment web.test not ready: waiting for rollout to finish: observed deployment generation less than desired generation"
        );
        assert_eq!(
            readiness_error(
                Some(&d(
                    json!({"observedGeneration": 2, "updatedReplicas": 1, "replicas": 1})
                )),
                "web",
                "test",
                true,
                100
            ),
            "web-primary.test not ready: waiting for rollout to finish: 1 out of 2 new replicas have been updated"
        );
        assert_eq!(
            deployment_not_ready(
                &d(json!({"observedGeneration": 2, "updatedReplicas": 2, "replicas": 3})),
                100
            )
            .unwrap(),
            "waiting for rollout to finish: 1 old replicas are pending termination"
        );
        assert_eq!(
            deployment_not_ready(
                &d(json!({"observedGeneration": 2, "updatedReplicas": 2, "replicas": 2, "availableReplicas": 0})),
                100
            )
            .unwrap(),
            "waiting for rollout to finish: 0 of 2 (readyThreshold 100%) updated replicas are available"
        );
        assert_eq!(
            deployment_not_ready(
                &d(json!({"observedGeneration": 2, "conditions": [{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}]})),
                100
            )
            .unwrap(),
            "deployment \"web\" exceeded its progress deadline"
        );
        assert_eq!(
            readiness_error(None, "web", "test", true, 100),
            "deployment web-primary.test get query error: deployments.apps \"web-primary\" not found"
        );
    }

    #[test]
    fn metrics_provider_names() {
        let c = |p: &str, kind: &str| json!({"spec": {"provider": p, "targetRef": {"kind": kind, "apiVersion": "v1"}}});
        assert_eq!(metrics_provider("istio", &c("", "Deployment")), "istio");
        assert_eq!(metrics_provider("istio", &c("nginx", "Deployment")), "nginx");
        assert_eq!(metrics_provider("linkerd", &c("nginx", "Deployment")), "linkerd");
        assert_eq!(metrics_provider("kubernetes", &c("", "Service")), "kubernetes:service");
        let flagger = json!({"spec": {"template": {"spec": {"containers": [{"args": ["-log-level=info", "-mesh-provider=nginx"]}]}}}});
        assert_eq!(mesh_provider_of(&flagger), "nginx");
        assert_eq!(event_webhook_of(&flagger), None);
        let flagger = json!({"spec": {"template": {"spec": {"containers": [{"args": ["-event-webhook=http://a.b/"],
            "env": [{"name": "EVENT_WEBHOOK_URL", "value": "http://env.b/"}]}]}}}});
        assert_eq!(event_webhook_of(&flagger).as_deref(), Some("http://env.b/"));
    }
}
