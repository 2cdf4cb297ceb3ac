//! Rendering a validated rollout policy into the objects one cluster needs (pure): Kurator's
//! rules of reference/kurator-rollout.md §3, rule by rule, without its known defects, plus the
//! gate hooks manual control needs. Per-cluster differences come from [`ClusterFacts`].

pub mod canary;
pub mod ingress;
pub mod loadtester;
pub mod namespace;

use serde_json::{Map, Value, json};

use crate::config::Policy;
use crate::flagger::gates::hook_url;
use crate::install::FIELD_MANAGER;
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

/// The annotation on a rendered Canary that records its gate choices (the flags that are on,
/// comma-separated), so that a re-apply keeps them: the gates belong to the applied policy, not
/// to one invocation's flags.
pub const GATES_ANNOTATION: &str = "kubectl-kurator-rollout/gates";

/// Each gate with its flag name, the hook type it renders and its `/…/check` path.
const GATES: [(&str, &str, &str); 4] = [
    ("abort-gate", "rollback", "/rollback/check"),
    ("manual-promotion", "confirm-promotion", "/gate/check"),
    ("manual-start", "confirm-rollout", "/gate/check"),
    ("manual-steps", "confirm-traffic-increase", "/gate/check"),
];

impl RenderOptions {
    fn flags(&self) -> [bool; 4] {
        [
            self.abort_gate,
            self.manual_promotion,
            self.manual_start,
            self.manual_steps,
        ]
    }

    fn from_flags(on: impl Fn(&str, &str, &str) -> bool) -> RenderOptions {
        let [a, p, s, t] = GATES.map(|(flag, kind, path)| on(flag, kind, path));
        RenderOptions {
            abort_gate: a,
            manual_promotion: p,
            manual_start: s,
            manual_steps: t,
        }
    }

    /// The value of [`GATES_ANNOTATION`]: the flags that are on, in a fixed order.
    pub fn annotation_value(&self) -> String {
        GATES
            .iter()
            .zip(self.flags())
            .filter(|(_, on)| *on)
            .map(|((flag, _, _), _)| *flag)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The gate choices a live Canary was applied with: its [`GATES_ANNOTATION`], else (a Canary
    /// applied before the annotation existed) the gate hooks it has — all of them off when it
    /// has none, since this tool rendered every gate it chose as a hook: an abort gate left off
    /// stays off. None for a Canary this tool never applied and did not render gates into (no
    /// annotation, no gate hook, no field of [`FIELD_MANAGER`]'s): a new one to this tool, which
    /// gets the defaults.
    pub fn recorded(canary: &Value) -> Option<RenderOptions> {
        let key = format!("/metadata/annotations/{}", GATES_ANNOTATION.replace('/', "~1"));
        if let Some(value) = canary.pointer(&key).and_then(Value::as_str) {
            let on: Vec<&str> = value.split(',').map(str::trim).collect();
            return Some(RenderOptions::from_flags(|flag, _, _| on.contains(&flag)));
        }
        let hooks = RenderOptions::from_flags(|_, kind, path| hook_url(canary, kind, path).is_some());
        (hooks != RenderOptions::from_flags(|_, _, _| false) || applied_by_this_tool(canary)).then_some(hooks)
    }
}

/// Whether this tool has server-side applied the object: its field manager owns fields of it
/// (`metadata.managedFields`, an `Apply` entry of [`FIELD_MANAGER`]).
fn applied_by_this_tool(object: &Value) -> bool {
    object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|entry| entry["manager"] == FIELD_MANAGER && entry["operation"] == "Apply")
}

/// The gates one invocation asks for (`--manual-promotion[=false]`, …): `None` keeps what the
/// policy was applied with (see [`RenderOptions::recorded`]), or the default for a new one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GateChoice {
    pub abort_gate: Option<bool>,
    pub manual_promotion: Option<bool>,
    pub manual_start: Option<bool>,
    pub manual_steps: Option<bool>,
}

impl GateChoice {
    /// The gates to render: what was asked, else what was recorded, else the defaults.
    pub fn resolve(&self, recorded: Option<RenderOptions>) -> RenderOptions {
        let kept = recorded.unwrap_or_default();
        RenderOptions {
            abort_gate: self.abort_gate.unwrap_or(kept.abort_gate),
            manual_promotion: self.manual_promotion.unwrap_or(kept.manual_promotion),
            manual_start: self.manual_start.unwrap_or(kept.manual_start),
            manual_steps: self.manual_steps.unwrap_or(kept.manual_steps),
        }
    }

    /// Whether any gate was asked for explicitly.
    pub fn any_given(&self) -> bool {
        *self != GateChoice::default()
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
