//! The private load tester of a rollout with `testLoader: true` (§3.5).

use serde_json::{Value, json};

use super::annotations;
use crate::config::Policy;
use crate::install::manifests::{LOADTESTER_IMAGE, LOADTESTER_VERSION};

/// `<workload>-testloader`, the name Kurator installs it under.
pub fn name(policy: &Policy) -> String {
    format!("{}-testloader", policy.config.workload.name)
}

pub fn render(policy: &Policy) -> Vec<Value> {
    let name = name(policy);
    let ns = policy.config.namespace();
    let probe = json!({
        "exec": {"command": ["wget", "--quiet", "--tries=1", "--timeout=4", "--spider", "http://localhost:8080/healthz"]},
        "timeoutSeconds": 5,
    });
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
                    "spec": {"containers": [{
                        "name": "loadtester",
                        "image": format!("{LOADTESTER_IMAGE}:{LOADTESTER_VERSION}"),
                        "imagePullPolicy": "IfNotPresent",
                        "ports": [{"name": "http", "containerPort": 8080}],
                        "command": ["./loadtester", "-port=8080", "-log-level=info", "-timeout=1h"],
                        "livenessProbe": probe, "readinessProbe": probe,
                        "resources": {"limits": {"memory": "512Mi", "cpu": "1000m"}, "requests": {"memory": "32Mi", "cpu": "10m"}},
                        "securityContext": {"readOnlyRootFilesystem": true, "runAsUser": 10001},
                    }]},
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
