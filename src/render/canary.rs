//! The Canary (§3.1–§3.3) and its MetricTemplates (§3.4), with Kurator's [port] corrections: no
//! `0s` timeouts, the kuma protocol annotation on the real port, `primary`/`preview` metadata
//! rendered, metric and webhook durations defaulted to 60s, and only the rollout annotation.

use serde_json::{Map, Value, json};

use super::{ClusterFacts, GATES_ANNOTATION, RenderOptions, annotations, load_tester_url, merge_maps};
use crate::config::Policy;
use crate::config::model::{BUILTIN_METRICS, CustomMetadata};

const DEFAULT_SECONDS: i64 = 60;

fn seconds(n: i64) -> String {
    format!("{n}s")
}

fn metadata_map(m: &Option<CustomMetadata>, field: &str) -> Option<Map<String, Value>> {
    let m = m.as_ref()?;
    let source = if field == "labels" {
        m.labels.as_ref()
    } else {
        m.annotations.as_ref()
    };
    source.map(|s| s.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
}

fn service(policy: &Policy, facts: &ClusterFacts) -> Value {
    let r = &policy.config;
    let routing = r.rollout_policy.traffic_routing.clone().unwrap_or_default();
    let mut svc = json!({"name": r.service_name, "port": r.port});
    if let Some(target) = facts
        .service
        .as_ref()
        .and_then(|s| s.pointer("/spec/ports"))
        .and_then(Value::as_array)
        .and_then(|ports| ports.iter().find(|p| p["port"] == r.port))
        .and_then(|p| p.get("targetPort"))
    {
        svc["targetPort"] = target.clone();
    }
    if let Some(t) = routing.timeout_seconds.filter(|t| *t > 0) {
        svc["timeout"] = json!(seconds(t));
    }
    if r.traffic_routing_provider == "istio" {
        for (key, value) in [
            ("gateways", routing.gateways.map(|v| json!(v))),
            ("hosts", routing.hosts.map(|v| json!(v))),
            ("retries", routing.retries),
            ("headers", routing.headers),
            ("corsPolicy", routing.cors_policy),
        ] {
            if let Some(v) = value {
                svc[key] = v;
            }
        }
    }
    let kuma = (r.traffic_routing_provider == "kuma").then(|| {
        let protocol = routing.protocol.clone().unwrap_or_else(|| "http".into());
        let mut m = Map::new();
        m.insert(format!("{}.service.kuma.io/protocol", r.port), json!(protocol));
        m
    });
    let primary_annotations = metadata_map(&r.primary, "annotations");
    let preview_annotations = metadata_map(&r.preview, "annotations");
    for (key, labels, extra) in [
        ("apex", None, None),
        (
            "primary",
            metadata_map(&r.primary, "labels"),
            primary_annotations.as_ref(),
        ),
        (
            "canary",
            metadata_map(&r.preview, "labels"),
            preview_annotations.as_ref(),
        ),
    ] {
        let mut meta = Map::new();
        if let Some(a) = merge_maps(&[kuma.as_ref(), extra]) {
            meta.insert("annotations".into(), a);
        }
        if let Some(l) = labels {
            meta.insert("labels".into(), Value::Object(l));
        }
        if !meta.is_empty() {
            svc[key] = Value::Object(meta);
        }
    }
    svc
}

fn analysis(policy: &Policy, facts: &ClusterFacts, options: &RenderOptions) -> Value {
    let r = &policy.config;
    let routing = r.rollout_policy.traffic_routing.clone().unwrap_or_default();
    let ta = r.rollout_policy.traffic_analysis.clone().unwrap_or_default();
    let mut a = json!({
        "interval": seconds(ta.check_interval_seconds.unwrap_or(DEFAULT_SECONDS)),
        "threshold": ta.check_failed_times.unwrap_or(0),
    });
    if let Some(n) = routing.analysis_times.filter(|n| *n > 0) {
        a["iterations"] = json!(n);
    }
    if let Some(m) = routing.match_.filter(|m| !m.is_empty()) {
        a["match"] = json!(m);
    }
    if let Some(s) = ta.session_affinity {
        a["sessionAffinity"] = s;
    }
    if let Some(s) = &routing.canary_strategy {
        for (key, value) in [
            ("maxWeight", s.max_weight.map(|v| json!(v))),
            ("stepWeight", s.step_weight.map(|v| json!(v))),
            ("stepWeights", s.step_weights.clone().map(|v| json!(v))),
            ("stepWeightPromotion", s.step_weight_promotion.map(|v| json!(v))),
        ] {
            if let Some(v) = value {
                a[key] = v;
            }
        }
    }
    let metrics: Vec<Value> = ta
        .metrics
        .iter()
        .flatten()
        .map(|m| {
            let mut out = json!({"name": m.name, "interval": seconds(m.interval_seconds.unwrap_or(DEFAULT_SECONDS))});
            if let Some(range) = &m.threshold_range {
                let mut tr = Map::new();
                if let Some(min) = &range.min {
                    tr.insert("min".into(), json!(min));
                }
                if let Some(max) = &range.max {
                    tr.insert("max".into(), json!(max));
                }
                out["thresholdRange"] = Value::Object(tr);
            }
            if !BUILTIN_METRICS.contains(&m.name.as_str()) {
                out["templateRef"] = json!({"name": m.name, "namespace": r.namespace()});
            }
            out
        })
        .collect();
    if !metrics.is_empty() {
        a["metrics"] = json!(metrics);
    }
    let base = load_tester_url(policy, facts);
    let mut hooks: Vec<Value> = Vec::new();
    if let Some(w) = &ta.webhooks {
        for (i, cmd) in w.command.iter().flatten().enumerate() {
            hooks.push(json!({
                "name": format!("generated-testload-{i}"),
                "url": base,
                "timeout": seconds(w.timeout_seconds.unwrap_or(DEFAULT_SECONDS)),
                "metadata": {"type": "cmd", "cmd": cmd},
            }));
        }
    }
    hooks.extend(gate_hooks(&base, options));
    if !hooks.is_empty() {
        a["webhooks"] = json!(hooks);
    }
    a
}

/// Gate hooks on the load tester, and post-rollout hooks that close the gates again so each
/// run starts closed.
pub fn gate_hooks(base: &str, options: &RenderOptions) -> Vec<Value> {
    let gate = format!("{base}gate/check");
    let mut hooks = Vec::new();
    for (on, name, kind) in [
        (options.manual_start, "start-gate", "confirm-rollout"),
        (options.manual_steps, "step-gate", "confirm-traffic-increase"),
        (options.manual_promotion, "promotion-gate", "confirm-promotion"),
    ] {
        if on {
            hooks.push(json!({"name": name, "type": kind, "url": gate}));
        }
    }
    let gated = !hooks.is_empty();
    if options.abort_gate {
        hooks.push(json!({"name": "abort-gate", "type": "rollback", "url": format!("{base}rollback/check")}));
    }
    if gated {
        hooks.push(json!({"name": "close-gate", "type": "post-rollout", "url": format!("{base}gate/close")}));
    }
    if options.abort_gate {
        hooks.push(json!({"name": "close-abort-gate", "type": "post-rollout", "url": format!("{base}rollback/close")}));
    }
    hooks
}

pub fn render(policy: &Policy, facts: &ClusterFacts, options: &RenderOptions) -> Value {
    let r = &policy.config;
    let p = &r.rollout_policy;
    let mut spec = json!({
        "provider": r.traffic_routing_provider,
        "targetRef": {
            "apiVersion": r.workload.api_version.clone().unwrap_or_else(|| "apps/v1".into()),
            "kind": r.workload.kind.clone().unwrap_or_else(|| "Deployment".into()),
            "name": r.workload.name,
        },
        "service": service(policy, facts),
        "analysis": analysis(policy, facts, options),
    });
    if r.traffic_routing_provider == "nginx" {
        spec["ingressRef"] = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "nginx"});
    }
    if let Some(t) = p.rollout_timeout_seconds {
        spec["progressDeadlineSeconds"] = json!(t);
    }
    for (key, on) in [
        ("skipAnalysis", p.skip_traffic_analysis),
        ("revertOnDeletion", p.revert_on_deletion),
        ("suspend", p.suspend),
    ] {
        if on == Some(true) {
            spec[key] = json!(true);
        }
    }
    let mut annotations = annotations(policy);
    annotations[GATES_ANNOTATION] = json!(options.annotation_value());
    json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": {"name": r.workload.name, "namespace": r.namespace(), "annotations": annotations},
        "spec": spec,
    })
}

pub fn metric_templates(policy: &Policy) -> Vec<Value> {
    let r = &policy.config;
    let ta = r.rollout_policy.traffic_analysis.clone().unwrap_or_default();
    ta.metrics
        .iter()
        .flatten()
        .filter_map(|m| {
            let custom = m.custom_metric.clone()?;
            Some(json!({
                "apiVersion": "flagger.app/v1beta1", "kind": "MetricTemplate",
                "metadata": {"name": m.name, "namespace": r.namespace(), "annotations": annotations(policy)},
                "spec": custom,
            }))
        })
        .collect()
}
