//! Golden rendering checks, field by field against reference/kurator-rollout.md §3, for every
//! provider and strategy; every rendered Canary passes the generated Flagger CRD schema.

use serde_json::{Value, json};

use super::*;
use crate::config::{Input, load_policies};

fn policy(yaml: &str) -> Policy {
    let (mut policies, diagnostics) = load_policies(
        &[Input {
            name: "p.yaml".into(),
            text: yaml.into(),
        }],
        Some("demo"),
    );
    assert!(
        !crate::config::diagnostics::has_errors(&diagnostics),
        "{diagnostics:#?}"
    );
    policies.remove(0)
}

fn block(provider: &str, routing: &str, extra_analysis: &str, top: &str) -> String {
    format!(
        "workload:\n  apiVersion: apps/v1\n  kind: Deployment\n  name: podinfo\n  namespace: test\nserviceName: podinfo\nport: 9898\n\
         trafficRoutingProvider: {provider}\n{top}rolloutPolicy:\n  trafficRouting:\n{routing}  trafficAnalysis:\n    checkIntervalSeconds: 30\n    checkFailedTimes: 3\n\
         {extra_analysis}"
    )
}

const WEIGHTS: &str = "    timeoutSeconds: 60\n    canaryStrategy:\n      maxWeight: 50\n      stepWeight: 10\n";

fn facts() -> ClusterFacts {
    ClusterFacts {
        cluster_name: "member1".into(),
        service: Some(json!({"spec": {"ports": [{"port": 9898, "targetPort": "http"}]}})),
        ..Default::default()
    }
}

fn canary(objects: &[Value]) -> &Value {
    objects.iter().find(|o| o["kind"] == "Canary").unwrap()
}

fn schema_ok(canary: &Value) {
    let schema = crate::flagger::crds::flagger_crds()[0]["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone();
    let checked = apimachinery::schema::check(canary, &schema);
    assert!(
        checked.errors.is_empty() && checked.unknown.is_empty(),
        "{:?} {:?}",
        checked.errors,
        checked.unknown
    );
}

#[test]
fn istio_canary_with_public_load_tester() {
    let routing = format!(
        "{WEIGHTS}    gateways: [istio-system/public-gateway]\n    hosts: [app.example.com]\n    retries: {{attempts: 3, perTryTimeout: 1s}}\n"
    );
    let metrics = "    metrics:\n    - name: request-success-rate\n      intervalSeconds: 60\n      thresholdRange: {min: 99}\n    - name: request-duration\n      thresholdRange: {max: 500}\n    webhooks:\n      timeoutSeconds: 60\n      command: [\"hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/\"]\n";
    let p = policy(&block("istio", &routing, metrics, ""));
    let objects = render(&p, &facts(), &RenderOptions::default()).unwrap();
    assert_eq!(
        objects[0],
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test", "labels": {"istio-injection": "enabled"}}})
    );
    let c = canary(&objects);
    assert_eq!(
        c["metadata"],
        json!({"name": "podinfo", "namespace": "test", "annotations": {
            "kurator.dev/rollout": "demo", "kubectl-kurator-rollout/gates": "abort-gate"}})
    );
    assert_eq!(c["spec"]["provider"], "istio");
    assert_eq!(
        c["spec"]["targetRef"],
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"})
    );
    assert_eq!(
        c["spec"]["service"],
        json!({
            "name": "podinfo", "port": 9898, "targetPort": "http", "timeout": "60s",
            "gateways": ["istio-system/public-gateway"], "hosts": ["app.example.com"],
            "retries": {"attempts": 3, "perTryTimeout": "1s"}
        })
    );
    let a = &c["spec"]["analysis"];
    assert_eq!(
        (
            a["interval"].as_str(),
            a["threshold"].as_i64(),
            a["maxWeight"].as_i64(),
            a["stepWeight"].as_i64()
        ),
        (Some("30s"), Some(3), Some(50), Some(10))
    );
    assert!(a.get("iterations").is_none());
    assert_eq!(
        a["metrics"],
        json!([
            {"name": "request-success-rate", "interval": "60s", "thresholdRange": {"min": 99}},
            {"name": "request-duration", "interval": "60s", "thresholdRange": {"max": 500}}
        ])
    );
    let url = "http://istio-system-testloader-member1-loadtester.istio-system/";
    assert_eq!(
        a["webhooks"],
        json!([
            {"name": "generated-testload-0", "url": url, "timeout": "60s", "metadata": {"type": "cmd", "cmd": "hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/"}},
            {"name": "abort-gate", "type": "rollback", "url": format!("{url}rollback/check")},
            {"name": "close-abort-gate", "type": "post-rollout", "url": format!("{url}rollback/close")}
        ])
    );
    assert!(c["spec"].get("progressDeadlineSeconds").is_none() && c["spec"].get("ingressRef").is_none());
    schema_ok(c);
}

#[test]
fn ladders_ab_and_blue_green() {
    let ladder = policy(&block(
        "istio",
        "    canaryStrategy:\n      stepWeights: [1, 10, 50]\n      stepWeightPromotion: 50\n",
        "",
        "",
    ));
    let c = render(&ladder, &facts(), &RenderOptions::default()).unwrap();
    let a = &canary(&c)["spec"]["analysis"];
    assert_eq!(
        (a["stepWeights"].clone(), a["stepWeightPromotion"].clone()),
        (json!([1, 10, 50]), json!(50))
    );
    assert!(a.get("stepWeight").is_none() && a.get("iterations").is_none());
    schema_ok(canary(&c));

    let ab = policy(&block(
        "istio",
        "    analysisTimes: 5\n    match:\n    - headers:\n        x-canary: {exact: insider}\n",
        "",
        "",
    ));
    let c = render(&ab, &facts(), &RenderOptions::default()).unwrap();
    let a = &canary(&c)["spec"]["analysis"];
    assert_eq!(a["iterations"], 5);
    assert_eq!(a["match"], json!([{"headers": {"x-canary": {"exact": "insider"}}}]));
    assert!(a.get("stepWeight").is_none());
    schema_ok(canary(&c));

    let bg = policy(&block("istio", "    analysisTimes: 3\n", "", ""));
    let c = render(&bg, &facts(), &RenderOptions::default()).unwrap();
    let a = &canary(&c)["spec"]["analysis"];
    assert_eq!(a["iterations"], 3);
    assert!(a.get("match").is_none() && a.get("maxWeight").is_none());
}

#[test]
fn custom_metrics_make_templates() {
    let metrics = "    metrics:\n    - name: error-rate\n      intervalSeconds: 30\n      thresholdRange: {max: 1}\n      customMetric:\n        provider: {type: prometheus, address: \"http://prometheus.istio-system:9090\"}\n        query: sum(rate(errors[{{ interval }}]))\n    - name: existing-template\n      thresholdRange: {max: 5}\n";
    let p = policy(&block("istio", WEIGHTS, metrics, ""));
    let objects = render(&p, &facts(), &RenderOptions::default()).unwrap();
    let templates: Vec<&Value> = objects.iter().filter(|o| o["kind"] == "MetricTemplate").collect();
    assert_eq!(templates.len(), 1, "only metrics with customMetric get a template");
    assert_eq!(
        templates[0]["metadata"],
        json!({"name": "error-rate", "namespace": "test", "annotations": {"kurator.dev/rollout": "demo"}})
    );
    assert_eq!(templates[0]["spec"]["provider"]["type"], "prometheus");
    let m = &canary(&objects)["spec"]["analysis"]["metrics"];
    assert_eq!(m[0]["templateRef"], json!({"name": "error-rate", "namespace": "test"}));
    assert_eq!(m[0]["interval"], "30s");
    assert_eq!(
        m[1]["templateRef"],
        json!({"name": "existing-template", "namespace": "test"})
    );
    assert_eq!(
        m[1]["interval"], "60s",
        "a missing interval defaults to 60s instead of crashing"
    );
    let template_schema =
        crate::flagger::crds::flagger_crds()[1]["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone();
    assert!(
        apimachinery::schema::check(templates[0], &template_schema)
            .errors
            .is_empty()
    );
}

#[test]
fn private_load_tester_uses_the_installed_name() {
    let text = block(
        "istio",
        WEIGHTS,
        "    webhooks:\n      command: [\"hey http://x\"]\n",
        "testLoader: true\n",
    )
    .replace("serviceName: podinfo", "serviceName: frontend");
    let p = policy(&text);
    let objects = render(&p, &facts(), &RenderOptions::default()).unwrap();
    let deploy = objects.iter().find(|o| o["kind"] == "Deployment").unwrap();
    assert_eq!(deploy["metadata"]["name"], "podinfo-testloader");
    assert_eq!(
        deploy["metadata"]["annotations"],
        json!({"kurator.dev/rollout": "demo"})
    );
    let svc = objects.iter().find(|o| o["kind"] == "Service").unwrap();
    assert_eq!(
        svc["spec"]["ports"][0],
        json!({"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"})
    );
    let c = canary(&objects);
    assert_eq!(
        c["metadata"]["name"], "podinfo",
        "the Canary is named after the workload"
    );
    assert_eq!(
        c["spec"]["service"]["name"], "frontend",
        "serviceName different from the workload is kept"
    );
    let hook = &c["spec"]["analysis"]["webhooks"][0];
    assert_eq!(hook["url"], "http://podinfo-testloader.test/");
    assert_eq!(hook["timeout"], "60s", "a missing webhook timeout defaults to 60s");
}

#[test]
fn manual_gates_in_order_and_no_abort_gate() {
    let p = policy(&block("istio", WEIGHTS, "", ""));
    let all = RenderOptions {
        abort_gate: true,
        manual_promotion: true,
        manual_start: true,
        manual_steps: true,
    };
    let objects = render(&p, &facts(), &all).unwrap();
    let hooks = &canary(&objects)["spec"]["analysis"]["webhooks"];
    let names: Vec<(&str, &str, &str)> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap(),
                h["type"].as_str().unwrap(),
                h["url"].as_str().unwrap().rsplit('/').take(2).collect::<Vec<_>>()[1],
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ("start-gate", "confirm-rollout", "gate"),
            ("step-gate", "confirm-traffic-increase", "gate"),
            ("promotion-gate", "confirm-promotion", "gate"),
            ("abort-gate", "rollback", "rollback"),
            ("close-gate", "post-rollout", "gate"),
            ("close-abort-gate", "post-rollout", "rollback"),
        ]
    );
    assert!(hooks[0]["url"].as_str().unwrap().ends_with("/gate/check"));
    assert!(hooks[4]["url"].as_str().unwrap().ends_with("/gate/close"));
    schema_ok(canary(&objects));
    let none = RenderOptions {
        abort_gate: false,
        ..Default::default()
    };
    let objects = render(&p, &facts(), &none).unwrap();
    assert!(canary(&objects)["spec"]["analysis"].get("webhooks").is_none());
}

#[test]
fn kuma_protocol_on_the_real_port_with_custom_metadata() {
    let text = block(
        "kuma",
        "    canaryStrategy:\n      stepWeight: 20\n",
        "",
        "primary:\n  labels: {track: stable}\n  annotations: {team: a}\npreview:\n  labels: {track: canary}\n",
    )
    .replace("port: 9898", "port: 8080");
    let p = policy(&text);
    let objects = render(&p, &facts(), &RenderOptions::default()).unwrap();
    assert_eq!(
        objects[0]["metadata"]["annotations"],
        json!({"kuma.io/sidecar-injection": "enabled"})
    );
    let s = &canary(&objects)["spec"]["service"];
    assert!(s.get("timeout").is_none(), "no 0s timeout");
    assert!(s.get("targetPort").is_none(), "no Service port 8080 in the facts");
    assert_eq!(
        s["apex"],
        json!({"annotations": {"8080.service.kuma.io/protocol": "http"}})
    );
    assert_eq!(
        s["primary"],
        json!({"annotations": {"8080.service.kuma.io/protocol": "http", "team": "a"}, "labels": {"track": "stable"}})
    );
    assert_eq!(
        s["canary"],
        json!({"annotations": {"8080.service.kuma.io/protocol": "http"}, "labels": {"track": "canary"}})
    );
    let url = canary(&objects)["spec"]["analysis"]["webhooks"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        url.starts_with("http://kuma-system-testloader-member1-loadtester.kuma-system/"),
        "{url}"
    );
    schema_ok(canary(&objects));
}

#[test]
fn nginx_ingress_reads_kurators_comma_set_and_writes_a_valid_label() {
    let p = policy(&block(
        "nginx",
        &format!("{WEIGHTS}    host: app.example.com\n"),
        "",
        "",
    ));
    let mut f = facts();
    f.ingress = Some(json!({"metadata": {"labels": {"app": "b,a.c"}}, "spec": {"rules": []}}));
    let objects = render(&p, &f, &RenderOptions::default()).unwrap();
    let ingress = objects.iter().find(|o| o["kind"] == "Ingress").unwrap();
    assert_eq!(ingress["metadata"]["labels"]["app"], "a.b.c.podinfo");
    f.ingress = Some(json!({"metadata": {"labels": {"app": "x".repeat(60)}}, "spec": {"rules": []}}));
    let err = render(&p, &f, &RenderOptions::default()).unwrap_err();
    assert!(err.to_string().contains("63 characters"), "{err}");
}

#[test]
fn nginx_ingress_is_shared_and_deduplicated() {
    let p = policy(&block(
        "nginx",
        &format!("{WEIGHTS}    host: app.example.com\n"),
        "",
        "",
    ));
    let ours = json!({"host": "app.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "podinfo", "port": {"number": 9898}}}}]}});
    let theirs = json!({"host": "other.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "other", "port": {"number": 80}}}}]}});
    let mut f = facts();
    f.ingress = Some(
        json!({"metadata": {"labels": {"app": "other"}, "annotations": {"kubernetes.io/ingress.class": "nginx"}},
                            "spec": {"rules": [ours.clone(), theirs.clone(), ours.clone()]}}),
    );
    let objects = render(&p, &f, &RenderOptions::default()).unwrap();
    assert!(
        objects.iter().all(|o| o["kind"] != "Namespace"),
        "nginx needs no injection"
    );
    let ingress = objects.iter().find(|o| o["kind"] == "Ingress").unwrap();
    // A valid label value (Kurator's "other,podinfo" is refused by a real API server).
    assert_eq!(ingress["metadata"]["labels"]["app"], "other.podinfo");
    assert_eq!(
        ingress["metadata"]["annotations"],
        json!({"kurator.dev/rollout": "demo", "kubernetes.io/ingress.class": "nginx"})
    );
    assert_eq!(
        ingress["spec"]["rules"],
        json!([theirs, ours]),
        "our rule once, others kept"
    );
    let c = canary(&objects);
    assert_eq!(
        c["spec"]["ingressRef"],
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "nginx"})
    );
    assert!(
        c["spec"]["analysis"]["webhooks"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("http://ingress-nginx-testloader-member1-loadtester.ingress-nginx/")
    );
    schema_ok(c);
    f.ingress = Some(json!({"metadata": {"annotations": {"kubernetes.io/ingress.class": "traefik"}}}));
    assert!(render(&p, &f, &RenderOptions::default()).is_err());
}

#[test]
fn policy_switches_and_conflicts() {
    let top = "";
    let text = block("istio", WEIGHTS, "", top).replace("rolloutPolicy:\n", "rolloutPolicy:\n  rolloutTimeoutSeconds: 120\n  suspend: true\n  revertOnDeletion: true\n  skipTrafficAnalysis: false\n");
    let p = policy(&text);
    let c = render(&p, &facts(), &RenderOptions::default()).unwrap();
    let spec = &canary(&c)["spec"];
    assert_eq!(
        (
            spec["progressDeadlineSeconds"].clone(),
            spec["suspend"].clone(),
            spec["revertOnDeletion"].clone()
        ),
        (json!(120), json!(true), json!(true))
    );
    assert!(spec.get("skipAnalysis").is_none());
    let mut f = facts();
    f.namespace = Some(json!({"metadata": {"labels": {"istio-injection": "disabled"}}}));
    let err = render(&p, &f, &RenderOptions::default()).unwrap_err();
    assert!(err.message.contains("istio-injection=disabled"), "{err}");
}

#[test]
fn the_gates_are_recorded_on_the_canary_and_kept_unless_asked() {
    let p = policy(&block("istio", WEIGHTS, "", ""));
    let gated = RenderOptions {
        manual_promotion: true,
        ..Default::default()
    };
    let live = canary(&render(&p, &facts(), &gated).unwrap()).clone();
    assert_eq!(
        live["metadata"]["annotations"][GATES_ANNOTATION],
        "abort-gate,manual-promotion"
    );
    assert_eq!(RenderOptions::recorded(&live), Some(gated.clone()));
    // No flag: what the Canary was applied with. A flag: what it asks, the rest kept.
    assert_eq!(GateChoice::default().resolve(RenderOptions::recorded(&live)), gated);
    let dropped = GateChoice {
        manual_promotion: Some(false),
        ..Default::default()
    };
    assert_eq!(
        dropped.resolve(RenderOptions::recorded(&live)),
        RenderOptions::default()
    );
    let no_abort = GateChoice {
        abort_gate: Some(false),
        ..Default::default()
    };
    assert_eq!(
        no_abort.resolve(RenderOptions::recorded(&live)),
        RenderOptions {
            abort_gate: false,
            ..gated.clone()
        }
    );
    // Every gate off is recorded too (an empty list), not forgotten.
    let none = RenderOptions {
        abort_gate: false,
        ..Default::default()
    };
    let bare = canary(&render(&p, &facts(), &none).unwrap()).clone();
    assert_eq!(bare["metadata"]["annotations"][GATES_ANNOTATION], "");
    assert_eq!(RenderOptions::recorded(&bare), Some(none.clone()));
    // A Canary applied before the annotation: its gate hooks say what it has.
    let mut older = live.clone();
    older["metadata"]["annotations"] = json!({"kurator.dev/rollout": "demo"});
    assert_eq!(RenderOptions::recorded(&older), Some(gated));
    // One applied by this tool before the annotation with every gate off has no gate hook:
    // its fields of this tool's manager say it was applied with them off, and they stay off.
    let mut older_bare = bare.clone();
    older_bare["metadata"]["annotations"] = json!({"kurator.dev/rollout": "demo"});
    assert_eq!(RenderOptions::recorded(&older_bare), None, "never applied by this tool");
    older_bare["metadata"]["managedFields"] = json!([
        {"manager": "flagger", "operation": "Update", "subresource": "status"},
        {"manager": "kubectl-kurator-rollout", "operation": "Apply"}
    ]);
    assert_eq!(RenderOptions::recorded(&older_bare), Some(none.clone()));
    assert_eq!(
        GateChoice::default().resolve(RenderOptions::recorded(&older_bare)),
        none
    );
    // A new Canary: the defaults.
    assert_eq!(GateChoice::default().resolve(None), RenderOptions::default());
}
