//! Sidecar injection on the workload namespace (§3.6): istio's label, kuma's annotation.

use serde_json::{Value, json};

use super::{ClusterFacts, RenderError};
use crate::config::Policy;

/// The Namespace object to apply, or None for providers that need no injection.
pub fn render(policy: &Policy, facts: &ClusterFacts) -> Result<Option<Value>, RenderError> {
    let ns = policy.config.namespace();
    let (field, key) = match policy.config.traffic_routing_provider.as_str() {
        "istio" => ("labels", "istio-injection"),
        "kuma" => ("annotations", "kuma.io/sidecar-injection"),
        _ => return Ok(None),
    };
    let existing = facts
        .namespace
        .as_ref()
        .and_then(|n| n.pointer(&format!("/metadata/{field}/{}", key.replace('/', "~1"))))
        .and_then(Value::as_str);
    if let Some(value) = existing.filter(|v| *v != "enabled") {
        return Err(RenderError {
            message: format!("namespace {ns} has {key}={value}, which conflicts with the rollout's {key}=enabled"),
            fix: format!(
                "remove or change it (kubectl label namespace {ns} {key}=enabled --overwrite) if the workload should join the mesh"
            ),
        });
    }
    Ok(Some(
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, field: {key: "enabled"}}}),
    ))
}
