//! Kurator's own rendering of a rollout (`Application.spec.syncPolicies[].rollout`, a
//! `RolloutConfig`) into the objects its fleet manager writes to a member, **defects included**:
//! this is what a real Kurator does, so that the plugin is checked against Kurator and not
//! against itself. Pure functions of JSON; every rule names the upstream function it restates
//! (kurator-dev/kurator `pkg/fleet-manager/application/rollout_helper.go` unless said otherwise).
//!
//! Go's nil-pointer dereferences, which crash (and, recovered by controller-runtime, fail) the
//! reconcile, are [`Panic`] errors here.

use serde_json::{Map, Value, json};

/// The marker Kurator puts on everything it writes (`RolloutIdentifier`).
pub const ROLLOUT_IDENTIFIER: &str = "kurator.dev/rollout";
/// Kurator's Ingress for nginx (`ingressName`), shared by every Canary of a namespace.
pub const INGRESS_NAME: &str = "nginx";
/// Hard-coded port in the kuma protocol annotation (`kumaAnnotation`) [quirk: not `port`].
pub const KUMA_PROTOCOL_ANNOTATION: &str = "9898.service.kuma.io/protocol";

/// A reconcile that Go would have ended with a nil-pointer panic (controller-runtime recovers it
/// and reports it as the reconcile's error).
#[derive(Debug, Clone, PartialEq)]
pub struct Panic(pub String);

impl std::fmt::Display for Panic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "panic: runtime error: invalid memory address or nil pointer dereference [recovered] ({})",
            self.0
        )
    }
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// A pointer field Go dereferences: absent or null is a panic.
fn deref<'a>(v: &'a Value, pointer: &str) -> Result<&'a Value, Panic> {
    match v.pointer(pointer) {
        None | Some(Value::Null) => Err(Panic(format!("nil {pointer}"))),
        Some(x) => Ok(x),
    }
}

/// Go's `fmt.Sprintf("%d", n) + "s"`.
fn seconds(v: &Value) -> String {
    format!("{}s", v.as_i64().unwrap_or(0))
}

/// Go's `omitempty`: drop zero values.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<&Value>) {
    let Some(v) = value else { return };
    let empty = match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(_) => false,
    };
    if !empty {
        map.insert(key.to_string(), v.clone());
    }
}

/// `generatePolicyName` (helper.go): the policy's name, or `<application>-<index>`.
pub fn policy_name(app: &Value, index: usize) -> String {
    let given = app
        .pointer(&format!("/spec/syncPolicies/{index}/name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if given.is_empty() {
        format!("{}-{index}", text(app, "/metadata/name"))
    } else {
        given.to_string()
    }
}

/// `generatePolicyResourceName` (helper.go): `<policy>-<kind>-<cluster>`, lower-cased, cut at
/// 63 bytes (no trimming of a trailing dash).
pub fn policy_resource_name(policy: &str, cluster_kind: &str, cluster: &str) -> String {
    let mut name = format!("{policy}-{cluster_kind}-{cluster}").to_lowercase();
    name.truncate(63);
    name
}

/// `plugin.ProviderNamespace` (pkg/fleet-manager/plugin/plugin.go).
pub fn provider_namespace(provider: &str) -> Option<&'static str> {
    match provider {
        "istio" => Some("istio-system"),
        "kuma" => Some("kuma-system"),
        "nginx" => Some("ingress-nginx"),
        _ => None,
    }
}

/// `renderCanary`: a Canary over the fetched one (its metadata kept), spec rebuilt from scratch.
/// [quirk] the name is `workload.name` although the caller looked it up as `serviceName`.
pub fn canary(rollout: &Value, existing: Option<&Value>) -> Result<Value, Panic> {
    let mut canary = existing.cloned().unwrap_or_else(|| json!({"metadata": {}}));
    canary["apiVersion"] = json!("flagger.app/v1beta1");
    canary["kind"] = json!("Canary");
    canary["metadata"]["namespace"] = json!(text(rollout, "/workload/namespace"));
    canary["metadata"]["name"] = json!(text(rollout, "/workload/name"));
    let policy = deref(rollout, "/rolloutPolicy")?;
    let mut spec = Map::new();
    put(&mut spec, "provider", rollout.get("trafficRoutingProvider"));
    spec.insert(
        "targetRef".into(),
        json!({"apiVersion": text(rollout, "/workload/apiVersion"), "kind": text(rollout, "/workload/kind"), "name": text(rollout, "/workload/name")}),
    );
    if let Some(t) = policy.get("rolloutTimeoutSeconds").filter(|v| !v.is_null()) {
        // A pointer: written when set, even 0.
        spec.insert("progressDeadlineSeconds".into(), t.clone());
    }
    put(&mut spec, "skipAnalysis", policy.get("skipTrafficAnalysis"));
    put(&mut spec, "revertOnDeletion", policy.get("revertOnDeletion"));
    put(&mut spec, "suspend", policy.get("suspend"));
    match text(rollout, "/trafficRoutingProvider") {
        "nginx" => {
            spec.insert(
                "ingressRef".into(),
                json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": INGRESS_NAME}),
            );
        }
        // [quirk] the sync replaces all annotations afterwards, so this never reaches a cluster.
        "kuma" => canary["metadata"]["annotations"] = json!({"kuma.io/mesh": "default"}),
        _ => {}
    }
    canary["spec"] = Value::Object(spec);
    Ok(canary)
}

/// `renderCanaryService`: the Canary's `spec.service`, with the target port read from the live
/// Service. [quirk] `timeout` is always written (`"0s"` when unset); `primary`/`preview`
/// metadata are dropped; kuma's protocol annotation hard-codes port 9898.
pub fn canary_service(rollout: &Value, service: &Value) -> Result<Value, Panic> {
    let tr = |field: &str| deref(rollout, "/rolloutPolicy/trafficRouting").map(|t| t.get(field));
    let port = rollout.get("port").cloned().unwrap_or(json!(0));
    let mut svc = Map::new();
    svc.insert("name".into(), json!(text(rollout, "/serviceName")));
    // Always present in Go's encoding (§3.10): port, portDiscovery, targetPort.
    svc.insert("port".into(), port.clone());
    svc.insert("portDiscovery".into(), json!(false));
    match text(rollout, "/trafficRoutingProvider") {
        "istio" => {
            for f in ["gateways", "hosts", "retries", "headers", "corsPolicy"] {
                put(&mut svc, f, tr(f)?);
            }
        }
        "kuma" => {
            // Kurator's admission webhook defaults an empty protocol to http
            // (pkg/webhooks/application_webhook.go, defaultSyncPolicies); the simulated hub has
            // no admission webhooks, so the default is applied here.
            let protocol = tr("protocol")?
                .filter(|p| p.as_str().is_some_and(|p| !p.is_empty()))
                .cloned()
                .unwrap_or(json!("http"));
            let meta = json!({"annotations": {KUMA_PROTOCOL_ANNOTATION: protocol}});
            for f in ["apex", "canary", "primary"] {
                svc.insert(f.into(), meta.clone());
            }
        }
        _ => {}
    }
    let timeout = tr("timeoutSeconds")?.cloned().unwrap_or(json!(0));
    svc.insert("timeout".into(), json!(seconds(&timeout)));
    let target = service
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .and_then(|ports| ports.iter().find(|p| p.get("port") == Some(&port)))
        .and_then(|p| p.get("targetPort").cloned())
        // An empty IntOrString encodes as 0.
        .unwrap_or(json!(0));
    svc.insert("targetPort".into(), target);
    Ok(Value::Object(svc))
}

/// `renderCanaryAnalysis`: the Canary's `spec.analysis`, webhooks calling the private load
/// tester (`<serviceName>-testloader`, [quirk] not the installed `<workload.name>-testloader`)
/// or the cluster's public one.
pub fn canary_analysis(rollout: &Value, cluster_name: &str) -> Result<Value, Panic> {
    let tr = deref(rollout, "/rolloutPolicy/trafficRouting")?;
    let ta = deref(rollout, "/rolloutPolicy/trafficAnalysis")?;
    let mut a = Map::new();
    put(&mut a, "iterations", tr.get("analysisTimes"));
    a.insert("threshold".into(), deref(ta, "/checkFailedTimes")?.clone());
    put(&mut a, "match", tr.get("match"));
    put(&mut a, "sessionAffinity", ta.get("sessionAffinity"));
    if let Some(s) = tr.get("canaryStrategy").filter(|s| !s.is_null()) {
        for f in ["maxWeight", "stepWeight", "stepWeights", "stepWeightPromotion"] {
            put(&mut a, f, s.get(f));
        }
    }
    a.insert("interval".into(), json!(seconds(deref(ta, "/checkIntervalSeconds")?)));
    let namespace = text(rollout, "/workload/namespace");
    let mut metrics = Vec::new();
    for m in ta.get("metrics").and_then(Value::as_array).into_iter().flatten() {
        let name = text(m, "/name");
        let mut metric = Map::new();
        metric.insert("name".into(), json!(name));
        metric.insert("interval".into(), json!(seconds(deref(m, "/intervalSeconds")?)));
        if let Some(r) = m.get("thresholdRange").filter(|r| !r.is_null()) {
            metric.insert("thresholdRange".into(), r.clone());
        }
        if name != "request-success-rate" && name != "request-duration" {
            metric.insert("templateRef".into(), json!({"name": name, "namespace": namespace}));
        }
        metrics.push(Value::Object(metric));
    }
    put(&mut a, "metrics", Some(&Value::Array(metrics)));
    let commands: Vec<&Value> = ta
        .pointer("/webhooks/command")
        .and_then(Value::as_array)
        .map(|c| c.iter().collect())
        .unwrap_or_default();
    if !commands.is_empty() {
        let url = if rollout.get("testLoader") == Some(&json!(true)) {
            format!("http://{}-testloader.{namespace}/", text(rollout, "/serviceName"))
        } else if let Some(ns) = provider_namespace(text(rollout, "/trafficRoutingProvider")) {
            format!("http://{ns}-testloader-{cluster_name}-loadtester.{ns}/")
        } else {
            String::new()
        };
        let timeout = seconds(deref(ta, "/webhooks/timeoutSeconds")?);
        let hooks: Vec<Value> = commands
            .iter()
            .enumerate()
            .map(|(i, cmd)| {
                json!({"name": format!("generated-testload-{i}"), "type": "", "url": url, "timeout": timeout,
                       "muteAlert": false, "metadata": {"type": "cmd", "cmd": cmd}})
            })
            .collect();
        a.insert("webhooks".into(), Value::Array(hooks));
    }
    Ok(Value::Object(a))
}

/// `applyMetricTemplate`: the MetricTemplate for a metric with a `customMetric`; annotations
/// only at creation, the spec replaced on update.
pub fn metric_template(metric: &Value, namespace: &str, policy: &str, existing: Option<&Value>) -> Option<Value> {
    let spec = metric.get("customMetric").filter(|c| !c.is_null())?;
    let mut t = existing.cloned().unwrap_or_else(|| {
        json!({"apiVersion": "flagger.app/v1beta1", "kind": "MetricTemplate",
               "metadata": {"name": text(metric, "/name"), "namespace": namespace,
                            "annotations": {ROLLOUT_IDENTIFIER: policy}}})
    });
    t["spec"] = spec.clone();
    Some(t)
}

/// `renderNginxIngress` (run inside `CreateOrUpdate` after `SetAnnotations(annotation)`): the
/// Ingress takes the shared annotation map, then Kurator adds the ingress class **into that same
/// map** ([quirk]: the Canary annotations then carry it too), and appends a rule ([quirk]: on
/// every reconcile, so identical rules pile up).
pub fn nginx_ingress(
    rollout: &Value,
    existing: Option<&Value>,
    shared: &mut Map<String, Value>,
) -> Result<Value, String> {
    let namespace = text(rollout, "/workload/namespace");
    let service = text(rollout, "/serviceName");
    let mut ingress = existing.cloned().unwrap_or_else(|| {
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": INGRESS_NAME, "namespace": namespace}})
    });
    let labels = ingress
        .pointer("/metadata/labels/app")
        .and_then(Value::as_str)
        .unwrap_or("");
    let app = if labels.is_empty() {
        ingress["metadata"]["labels"] = json!({});
        service.to_string()
    } else {
        let mut set: Vec<&str> = labels.split(',').collect();
        if !set.contains(&service) {
            set.push(service);
        }
        set.join(",")
    };
    ingress["metadata"]["labels"]["app"] = json!(app);
    // addAnnotations: a different existing value is a conflict.
    match shared.get("kubernetes.io/ingress.class") {
        Some(v) if v != "nginx" => return Err("annotation key conflict".into()),
        _ => {
            shared.insert("kubernetes.io/ingress.class".into(), json!("nginx"));
        }
    }
    ingress["metadata"]["annotations"] = Value::Object(shared.clone());
    let tr = deref(rollout, "/rolloutPolicy/trafficRouting").map_err(|p| p.to_string())?;
    let mut rule = json!({"http": {"paths": [{"path": "/", "pathType": "Prefix",
        "backend": {"service": {"name": service, "port": {"number": rollout.get("port").cloned().unwrap_or(json!(0))}}}}]}});
    if let Some(host) = tr.get("host").filter(|h| h.as_str().is_some_and(|h| !h.is_empty())) {
        rule["host"] = host.clone();
    }
    let rules = ingress["spec"]["rules"].as_array().cloned().unwrap_or_default();
    let mut rules = rules;
    rules.push(rule);
    ingress["spec"]["rules"] = Value::Array(rules);
    Ok(ingress)
}

/// The private load tester (`pkg/fleet-manager/application/manifests/rollout_testloader.go`,
/// `RenderTestloaderConfig` over `testdata/testloader-{deploy,svc}.yaml`), named
/// `<workload.name>-testloader`.
pub fn private_testloader(name: &str, namespace: &str, policy: &str) -> Vec<Value> {
    let probe = json!({"exec": {"command": ["wget", "--quiet", "--tries=1", "--timeout=4", "--spider", "http://localhost:8080/healthz"]},
                       "timeoutSeconds": 5});
    let meta = json!({"name": name, "namespace": namespace, "labels": {"app": name},
                      "annotations": {ROLLOUT_IDENTIFIER: policy}});
    vec![
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
            "spec": {"selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}, "annotations": {
                        "prometheus.io/scrape": "true", "prometheus.io/port": "8080",
                        "openservicemesh.io/inbound-port-exclusion-list": "80, 8080"}},
                    "spec": {"containers": [{"name": "loadtester",
                        "image": "ghcr.io/fluxcd/flagger-loadtester:0.29.0", "imagePullPolicy": "IfNotPresent",
                        "ports": [{"name": "http", "containerPort": 8080}],
                        "command": ["./loadtester", "-port=8080", "-log-level=info", "-timeout=1h"],
                        "livenessProbe": probe, "readinessProbe": probe,
                        "resources": {"limits": {"memory": "512Mi", "cpu": "1000m"}, "requests": {"memory": "32Mi", "cpu": "10m"}},
                        "securityContext": {"readOnlyRootFilesystem": true, "runAsUser": 10001}}]}}}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": meta,
            "spec": {"type": "ClusterIP", "selector": {"app": name},
                     "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}]}}),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rollout() -> Value {
        json!({
            "testLoader": false, "trafficRoutingProvider": "istio",
            "workload": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo", "namespace": "test"},
            "serviceName": "podinfo", "port": 9898,
            "rolloutPolicy": {
                "trafficRouting": {"canaryStrategy": {"maxWeight": 50, "stepWeight": 10}},
                "trafficAnalysis": {"checkIntervalSeconds": 30, "checkFailedTimes": 2,
                    "metrics": [{"name": "request-success-rate", "intervalSeconds": 60, "thresholdRange": {"min": 99}},
                                {"name": "error-rate", "intervalSeconds": 60}],
                    "webhooks": {"timeoutSeconds": 60, "command": ["hey -z 1m http://podinfo-canary.test:9898/"]}}}
        })
    }

    #[test]
    fn an_unset_timeout_is_rendered_as_zero_seconds() {
        let service = json!({"spec": {"ports": [{"port": 9898, "targetPort": "http"}]}});
        let svc = canary_service(&rollout(), &service).unwrap();
        assert_eq!(svc["timeout"], "0s");
        assert_eq!(svc["targetPort"], "http");
        assert_eq!(svc["portDiscovery"], false);
        let no_match = canary_service(&rollout(), &json!({"spec": {"ports": [{"port": 80}]}})).unwrap();
        assert_eq!(no_match["targetPort"], 0);
    }

    #[test]
    fn analysis_as_kurator_renders_it() {
        let a = canary_analysis(&rollout(), "kurator-member1").unwrap();
        assert_eq!(a["interval"], "30s");
        assert_eq!(a["threshold"], 2);
        assert!(a.get("iterations").is_none());
        assert_eq!(
            a["metrics"][1]["templateRef"],
            json!({"name": "error-rate", "namespace": "test"})
        );
        assert!(a["metrics"][1].get("thresholdRange").is_none());
        assert_eq!(
            a["webhooks"][0]["url"],
            "http://istio-system-testloader-kurator-member1-loadtester.istio-system/"
        );
        assert_eq!(a["webhooks"][0]["name"], "generated-testload-0");
        assert_eq!(a["webhooks"][0]["type"], "");
    }

    #[test]
    fn the_private_load_tester_url_uses_the_service_name() {
        let mut r = rollout();
        r["testLoader"] = json!(true);
        r["serviceName"] = json!("podinfo-svc");
        let a = canary_analysis(&r, "m").unwrap();
        assert_eq!(a["webhooks"][0]["url"], "http://podinfo-svc-testloader.test/");
        let c = canary(&r, None).unwrap();
        assert_eq!(c["metadata"]["name"], "podinfo", "named after the workload");
    }

    #[test]
    fn nil_pointers_panic_as_in_go() {
        let mut r = rollout();
        r["rolloutPolicy"]["trafficAnalysis"]["metrics"][0]
            .as_object_mut()
            .unwrap()
            .remove("intervalSeconds");
        assert!(canary_analysis(&r, "m").is_err());
        let mut r = rollout();
        r["rolloutPolicy"]["trafficAnalysis"]["webhooks"]
            .as_object_mut()
            .unwrap()
            .remove("timeoutSeconds");
        assert!(canary_analysis(&r, "m").is_err());
        let mut r = rollout();
        r["rolloutPolicy"].as_object_mut().unwrap().remove("trafficRouting");
        assert!(canary_service(&r, &json!({})).is_err());
    }

    #[test]
    fn kuma_annotations_hard_code_port_9898_and_nginx_leaks_its_class() {
        let mut r = rollout();
        r["trafficRoutingProvider"] = json!("kuma");
        r["port"] = json!(8080);
        r["rolloutPolicy"]["trafficRouting"]["protocol"] = json!("http");
        let svc = canary_service(&r, &json!({})).unwrap();
        assert_eq!(svc["apex"]["annotations"][KUMA_PROTOCOL_ANNOTATION], "http");
        let mut shared = Map::new();
        shared.insert(ROLLOUT_IDENTIFIER.into(), json!("p"));
        r["trafficRoutingProvider"] = json!("nginx");
        r["rolloutPolicy"]["trafficRouting"]["host"] = json!("app.example.com");
        let first = nginx_ingress(&r, None, &mut shared).unwrap();
        assert!(shared.contains_key("kubernetes.io/ingress.class"));
        let second = nginx_ingress(&r, Some(&first), &mut shared).unwrap();
        assert_eq!(second["spec"]["rules"].as_array().unwrap().len(), 2, "rules pile up");
    }

    #[test]
    fn names() {
        let app = json!({"metadata": {"name": "rollout-demo"}, "spec": {"syncPolicies": [{}, {"name": "Named"}]}});
        assert_eq!(policy_name(&app, 0), "rollout-demo-0");
        assert_eq!(policy_name(&app, 1), "Named");
        assert_eq!(
            policy_resource_name("Named", "AttachedCluster", "m1"),
            "named-attachedcluster-m1"
        );
    }
}
