//! Rendering a validated rollout policy into the objects one cluster needs (pure): Kurator's
//! rules of reference/kurator-rollout.md §3, rule by rule, without its known defects, plus the
//! gate hooks manual control needs. Per-cluster differences come from [`ClusterFacts`].

pub mod canary;
pub mod ingress;
pub mod loadtester;
pub mod namespace;

use serde_json::{Map, Value, json};

use crate::config::Policy;
use crate::install::manifests::public_loadtester_name;

/// The annotation Kurator (and this tool) marks rollout objects with.
pub const ROLLOUT_ANNOTATION: &str = "kurator.dev/rollout";

/// What rendering needs to know about one cluster.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClusterFacts {
    /// The cluster's name in load tester names (the context name unless overridden).
    pub cluster_name: String,
    /// The live Service `<serviceName>`, when read from the cluster.
    pub service: Option<Value>,
    /// The live workload Namespace, when read from the cluster.
    pub namespace: Option<Value>,
    /// The live Ingress `nginx` of the workload namespace (nginx provider).
    pub ingress: Option<Value>,
}

/// Gate hooks added beyond Kurator's rendering, for manual control.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderOptions {
    pub abort_gate: bool,
    pub manual_promotion: bool,
    pub manual_start: bool,
    pub manual_steps: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            abort_gate: true,
            manual_promotion: false,
            manual_start: false,
            manual_steps: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}; {fix}")]
pub struct RenderError {
    pub message: String,
    pub fix: String,
}

/// Provider install namespaces (where the public load tester runs).
pub fn provider_namespace(provider: &str) -> &'static str {
    match provider {
        "kuma" => "kuma-system",
        "nginx" => "ingress-nginx",
        _ => "istio-system",
    }
}

/// The load tester the Canary's webhooks call: the private one of the rollout, or the cluster's
/// public one (Kurator's defect 2 corrected: the private URL uses the installed name).
pub fn load_tester_url(policy: &Policy, facts: &ClusterFacts) -> String {
    let r = &policy.config;
    if r.test_loader == Some(true) {
        format!("http://{}.{}/", loadtester::name(policy), r.namespace())
    } else {
        let ns = provider_namespace(&r.traffic_routing_provider);
        format!("http://{}.{ns}/", public_loadtester_name(ns, &facts.cluster_name))
    }
}

pub fn annotations(policy: &Policy) -> Value {
    json!({ROLLOUT_ANNOTATION: policy.name})
}

/// Every object for one policy in one cluster, in the order they are applied.
pub fn render(policy: &Policy, facts: &ClusterFacts, options: &RenderOptions) -> Result<Vec<Value>, RenderError> {
    let mut objects = Vec::new();
    if let Some(ns) = namespace::render(policy, facts)? {
        objects.push(ns);
    }
    if policy.config.traffic_routing_provider == "nginx" {
        objects.push(ingress::render(policy, facts)?);
    }
    if policy.config.test_loader == Some(true) {
        objects.extend(loadtester::render(policy));
    }
    objects.extend(canary::metric_templates(policy));
    objects.push(canary::render(policy, facts, options));
    Ok(objects)
}

/// Merges string maps (later wins), dropping empty results.
pub fn merge_maps(maps: &[Option<&Map<String, Value>>]) -> Option<Value> {
    let mut out = Map::new();
    for m in maps.iter().flatten() {
        out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

#[cfg(test)]
mod tests;
