//! The sample workload the demo, the benchmark and the tests roll out: podinfo and its Service
//! in namespace `test`, as the policies in `examples/` expect.

use serde_json::{Value, json};

/// Namespace `test`, Deployment `podinfo` (container `podinfod` running `image`) and its Service.
pub fn podinfo(image: &str, replicas: u32) -> Vec<Value> {
    vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "podinfo", "namespace": "test"},
               "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "podinfo"}},
                        "template": {"metadata": {"labels": {"app": "podinfo"}},
                                     "spec": {"containers": [{"name": "podinfod", "image": image,
                                                              "ports": [{"name": "http", "containerPort": 9898}]}]}}}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "podinfo", "namespace": "test"},
               "spec": {"selector": {"app": "podinfo"}, "ports": [{"name": "http", "port": 9898, "targetPort": "http"}]}}),
    ]
}
