//! Webhook answers as Flagger's retryable HTTP client reports them (Flagger `webhook.go`,
//! hashicorp go-retryablehttp 0.7.8): the body for a refusal, "giving up" after retried 5xx,
//! the DNS error for an unknown host.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use fleet_sim::flagger::controller::FlaggerSim;
use fleet_sim::{ProxyHandler, ProxyRequest, ProxyResponse, SimCluster};
use serde_json::json;

fn answering(status: u16, body: &'static str, calls: Arc<AtomicUsize>) -> ProxyHandler {
    Arc::new(move |_: ProxyRequest| {
        calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move { ProxyResponse::text(status, body) })
    })
}

/// A Deployment `name` whose Pods answer on port 8080 with `handler`, behind a Service `name`
/// (port 80, named `http`).
fn serve(cluster: &SimCluster, name: &str, handler: ProxyHandler) {
    cluster
        .apply("apps", "deployments", Some("test"), &json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "test"},
            "spec": {"selector": {"matchLabels": {"app": name}}, "template": {"metadata": {"labels": {"app": name}},
                     "spec": {"containers": [{"name": "c", "image": "x:1", "ports": [{"name": "http", "containerPort": 8080}]}]}}}}))
        .unwrap();
    cluster
        .apply(
            "",
            "services",
            Some("test"),
            &json!({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "test"},
            "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}),
        )
        .unwrap();
    cluster.register_proxy("test", name, 8080, handler);
}

#[tokio::test]
async fn webhook_errors_read_as_upstreams() {
    let cluster = SimCluster::new("c1");
    cluster
        .apply(
            "",
            "namespaces",
            None,
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}),
        )
        .unwrap();
    let sim = FlaggerSim::new(cluster.clone(), 1.0);
    let calls = Arc::new(AtomicUsize::new(0));
    serve(&cluster, "refuses", answering(403, "Forbidden", calls.clone()));
    serve(&cluster, "broken", answering(500, "boom", calls.clone()));
    serve(&cluster, "empty", answering(204, "", calls.clone()));
    serve(&cluster, "fine", answering(202, "", calls.clone()));
    fleet_sim::controllers::settle(&cluster);
    let payload = json!({"name": "podinfo", "namespace": "test"});

    assert_eq!(
        sim.call_webhook("http://refuses.test/gate/check", &payload, 0).await,
        Err("Forbidden".to_string())
    );
    assert_eq!(
        sim.call_webhook("http://empty.test/", &payload, 0).await,
        Err(String::new()),
        "204 is a failure with an empty body"
    );
    assert_eq!(sim.call_webhook("http://fine.test/", &payload, 0).await, Ok(()));

    calls.store(0, Ordering::SeqCst);
    assert_eq!(
        sim.call_webhook("http://broken.test/run", &payload, 2).await,
        Err("POST http://broken.test/run giving up after 3 attempt(s)".to_string())
    );
    assert_eq!(calls.load(Ordering::SeqCst), 3, "retried twice");
    calls.store(0, Ordering::SeqCst);
    let _ = sim.call_webhook("http://refuses.test/gate/check", &payload, 2).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1, "a 4xx is not retried");

    assert_eq!(
        sim.call_webhook("http://nowhere.test/", &payload, 0).await,
        Err(
            "POST http://nowhere.test/ giving up after 1 attempt(s): Post \"http://nowhere.test/\": dial tcp: lookup nowhere.test on 10.96.0.10:53: no such host"
                .to_string()
        )
    );
    // A Service whose Pods are gone refuses the connection, on every attempt.
    cluster
        .patch(
            "apps",
            "deployments",
            Some("test"),
            "fine",
            fleet_sim::patch::PatchKind::Merge,
            &json!({"spec": {"replicas": 0}}),
        )
        .unwrap();
    fleet_sim::controllers::settle(&cluster);
    let refused = sim.call_webhook("http://fine.test/", &payload, 1).await.unwrap_err();
    assert!(
        refused
            .starts_with("POST http://fine.test/ giving up after 2 attempt(s): Post \"http://fine.test/\": dial tcp ")
            && refused.ends_with(":80: connect: connection refused"),
        "{refused}"
    );
}
