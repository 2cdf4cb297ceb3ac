//! The private load tester of a rollout with `testLoader: true` (§3.5).

use serde_json::{Value, json};

use super::annotations;
use crate::config::Policy;
use crate::install::manifests::loadtester_container;

/// `<workload>-testloader`, the name Kurator installs it under.
pub fn name(policy: &Policy) -> String {
    format!("{}-testloader", policy.config.workload.name)
}

pub fn render(policy: &Policy) -> Vec<Value> {
    let name = name(policy);
    let ns = policy.config.namespace();
    vec![
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name}, "annotations": annotations(policy)},
            "spec": {
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}, "annotations": {
                        "prometheus.io/scrape": "true", "prometheus.io/port": "8080",
                        "openservicemesh.io/inbound-port-exclusion-list": "80, 8080"
                    }},
                    "spec": {"containers": [loadtester_container(json!(
                        {"limits": {"memory": "512Mi", "cpu": "1000m"}, "requests": {"memory": "32Mi", "cpu": "10m"}}
                    ))]},
                },
            },
        }),
        json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name}, "annotations": annotations(policy)},
            "spec": {"type": "ClusterIP", "selector": {"app": name},
                     "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}]},
        }),
    ]
}
