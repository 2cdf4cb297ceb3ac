//! The nginx Ingress shared by the rollouts of a namespace (§3.7). Kurator appends its rule on
//! every reconcile; here the rule for this host and Service replaces any earlier copy, and the
//! other rollouts' rules stay. Kurator keeps the set of Services in the `app` label joined with
//! ','; a label value may not hold ',' (the API server answers 422 as soon as a second rollout
//! shares the namespace), so this port joins with '.' and reads both.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{ClusterFacts, ROLLOUT_ANNOTATION, RenderError};
use crate::config::Policy;

pub fn render(policy: &Policy, facts: &ClusterFacts) -> Result<Value, RenderError> {
    let r = &policy.config;
    let host = r
        .rollout_policy
        .traffic_routing
        .as_ref()
        .and_then(|t| t.host.clone())
        .unwrap_or_default();
    let existing = facts.ingress.as_ref();
    if let Some(class) = existing
        .and_then(|i| i.pointer("/metadata/annotations/kubernetes.io~1ingress.class"))
        .and_then(Value::as_str)
        && class != "nginx"
    {
        return Err(RenderError {
            message: format!("Ingress {}/nginx has ingress class {class}", r.namespace()),
            fix: "rename that Ingress, or set its class to nginx".into(),
        });
    }
    let mut apps: BTreeSet<String> = existing
        .and_then(|i| i.pointer("/metadata/labels/app"))
        .and_then(Value::as_str)
        .map(|s| {
            // Kurator joins with ',' (which a real API server refuses in a label value); this
            // port joins with '.', which no Service name (a DNS-1035 label) contains.
            s.split([',', '.'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    apps.insert(r.service_name.clone());
    let ours = json!({
        "host": host,
        "http": {"paths": [{"path": "/", "pathType": "Prefix",
                            "backend": {"service": {"name": r.service_name, "port": {"number": r.port}}}}]}
    });
    let serves_us = |rule: &Value| {
        rule["host"] == host.as_str()
            && rule.pointer("/http/paths").and_then(Value::as_array).is_some_and(|ps| {
                ps.iter()
                    .any(|p| p.pointer("/backend/service/name") == Some(&json!(r.service_name)))
            })
    };
    let mut rules: Vec<Value> = existing
        .and_then(|i| i.pointer("/spec/rules"))
        .and_then(Value::as_array)
        .map(|rs| rs.iter().filter(|rule| !serves_us(rule)).cloned().collect())
        .unwrap_or_default();
    rules.push(ours);
    let app = apps.into_iter().collect::<Vec<_>>().join(".");
    if app.len() > 63 {
        return Err(RenderError {
            message: format!(
                "the Services sharing Ingress {}/nginx ({app}) do not fit in its app label (63 characters)",
                r.namespace()
            ),
            fix: "move some of these rollouts to another namespace".into(),
        });
    }
    Ok(json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {
            "name": "nginx", "namespace": r.namespace(),
            "labels": {"app": app},
            "annotations": {ROLLOUT_ANNOTATION: policy.name, "kubernetes.io/ingress.class": "nginx"},
        },
        "spec": {"rules": rules},
    }))
}
