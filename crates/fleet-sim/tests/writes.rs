//! Writes a real API server refuses, and object lifecycles (deletion with finalizers, namespace
//! termination), through the HTTP router: status codes, reasons, messages and causes.

use fleet_sim::{SimCluster, User};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const TOKEN: &str = "test-token";

fn cluster() -> SimCluster {
    let cluster = SimCluster::new("test");
    cluster.add_user(TOKEN, User::admin("tester"));
    cluster
}

async fn call(cluster: &SimCluster, method: &str, path: &str, content_type: &str, body: Value) -> (u16, Value) {
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", content_type)
        .body(axum::body::Body::from(body))
        .unwrap();
    let response = cluster.router().oneshot(request).await.unwrap();
    let code = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (code, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn post(cluster: &SimCluster, path: &str, body: Value) -> (u16, Value) {
    call(cluster, "POST", path, "application/json", body).await
}

fn widget_crd() -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    })
}

const WIDGETS: &str = "/apis/example.com/v1/namespaces/default/widgets";
const CONFIGMAPS: &str = "/api/v1/namespaces/default/configmaps";
const DEPLOYMENTS: &str = "/apis/apps/v1/namespaces/default/deployments";

fn deployment(name: &str, selector: Value, labels: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
           "spec": {"selector": selector, "template": {"metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}})
}

#[tokio::test]
async fn create_with_a_resource_version_is_refused() {
    let c = cluster();
    let (code, body) = post(
        &c,
        CONFIGMAPS,
        json!({"metadata": {"name": "a", "resourceVersion": "12"}}),
    )
    .await;
    assert_eq!(code, 500, "{body}");
    assert_eq!(
        body["message"],
        "resourceVersion should not be set on objects to be created"
    );
    assert!(body.get("reason").is_none(), "{body}");
}

#[tokio::test]
async fn the_body_namespace_must_match_the_request() {
    let c = cluster();
    let (code, body) = post(
        &c,
        CONFIGMAPS,
        json!({"metadata": {"name": "a", "namespace": "kube-system"}}),
    )
    .await;
    assert_eq!(code, 400, "{body}");
    assert_eq!(
        body["message"],
        "the namespace of the provided object does not match the namespace sent on the request"
    );
    assert_eq!(
        post(
            &c,
            CONFIGMAPS,
            json!({"metadata": {"name": "a", "namespace": "default"}})
        )
        .await
        .0,
        201
    );
    let (code, body) = post(
        &c,
        "/api/v1/namespaces",
        json!({"metadata": {"name": "n", "namespace": "default"}}),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    assert!(body["metadata"].get("namespace").is_none());
}

#[tokio::test]
async fn put_of_a_custom_resource_needs_its_resource_version() {
    let c = cluster();
    let (code, _) = post(
        &c,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        widget_crd(),
    )
    .await;
    assert_eq!(code, 201);
    let widget =
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 1}});
    assert_eq!(post(&c, WIDGETS, widget.clone()).await.0, 201);
    let (code, body) = call(&c, "PUT", &format!("{WIDGETS}/w"), "application/json", widget).await;
    assert_eq!(code, 422, "{body}");
    assert_eq!(
        body["message"],
        "widgets.example.com \"w\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"
    );
    assert_eq!(body["details"]["kind"], "widgets");
    assert_eq!(
        body["details"]["causes"][0],
        json!({"reason": "FieldValueInvalid", "message": "Invalid value: 0x0: must be specified for an update", "field": "metadata.resourceVersion"})
    );
    // Built-ins allow an unconditional update.
    assert_eq!(post(&c, CONFIGMAPS, json!({"metadata": {"name": "c"}})).await.0, 201);
    let (code, _) = call(
        &c,
        "PUT",
        &format!("{CONFIGMAPS}/c"),
        "application/json",
        json!({"metadata": {"name": "c"}, "data": {"k": "v"}}),
    )
    .await;
    assert_eq!(code, 200);
}

#[tokio::test]
async fn invalid_names_labels_and_deployments_are_422_with_causes() {
    let c = cluster();
    let (code, body) = post(
        &c,
        CONFIGMAPS,
        json!({"metadata": {"name": "Bad_Name", "labels": {"a b": "x"}}}),
    )
    .await;
    assert_eq!(code, 422, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("ConfigMap \"Bad_Name\" is invalid: [metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"),
        "{message}"
    );
    let causes = body["details"]["causes"].as_array().unwrap();
    assert_eq!(causes.len(), 2);
    assert_eq!(causes[1]["field"], "metadata.labels");
    let (code, body) = post(&c, "/api/v1/namespaces", json!({"metadata": {"name": "a.b"}})).await;
    assert_eq!(code, 422);
    assert_eq!(
        body["message"],
        "Namespace \"a.b\" is invalid: metadata.name: Invalid value: \"a.b\": must not contain dots"
    );
    let (code, body) = post(
        &c,
        DEPLOYMENTS,
        deployment("web", json!({"matchLabels": {"app": "web"}}), json!({"app": "api"})),
    )
    .await;
    assert_eq!(code, 422);
    assert_eq!(
        body["message"],
        "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"api\"}: `selector` does not match template `labels`"
    );
    let good = deployment(
        "web",
        json!({"matchLabels": {"app": "web"}}),
        json!({"app": "web", "v": "1"}),
    );
    assert_eq!(post(&c, DEPLOYMENTS, good).await.0, 201);
    let (code, body) = call(
        &c,
        "PATCH",
        &format!("{DEPLOYMENTS}/web"),
        "application/merge-patch+json",
        json!({"spec": {"selector": {"matchLabels": {"v": "1"}}}}),
    )
    .await;
    assert_eq!(code, 422, "{body}");
    assert!(
        body["message"].as_str().unwrap().ends_with(
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"v\":\"1\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
        ),
        "{body}"
    );
}

#[tokio::test]
async fn unknown_fields_of_builtins_follow_field_validation() {
    let c = cluster();
    let mut d = deployment("web", json!({"matchLabels": {"app": "web"}}), json!({"app": "web"}));
    d["spec"]["foo"] = json!(1);
    let (code, body) = post(&c, &format!("{DEPLOYMENTS}?fieldValidation=Strict"), d.clone()).await;
    assert_eq!(code, 400, "{body}");
    assert_eq!(
        body["message"],
        "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.foo\""
    );
    let request = http::Request::post(format!("{DEPLOYMENTS}?fieldValidation=Warn"))
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(d.to_string()))
        .unwrap();
    let response = c.router().oneshot(request).await.unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let warning = response.headers().get("warning").unwrap().to_str().unwrap().to_string();
    assert_eq!(warning, "299 - \"unknown field \\\"spec.foo\\\"\"");
    let stored = c.get("apps", "deployments", Some("default"), "web").unwrap();
    assert!(stored["spec"].get("foo").is_none(), "{stored}");
    let (code, body) = call(
        &c,
        "PATCH",
        &format!("{DEPLOYMENTS}/web?fieldValidation=Strict"),
        "application/strategic-merge-patch+json",
        json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "imagee": "x"}]}}}}),
    )
    .await;
    assert_eq!(code, 400);
    assert_eq!(
        body["message"],
        "strict decoding error: unknown field \"spec.template.spec.containers[0].imagee\""
    );
}

#[tokio::test]
async fn server_side_apply_refuses_fields_the_type_does_not_declare() {
    let c = cluster();
    let mut d = deployment("web", json!({"matchLabels": {"app": "web"}}), json!({"app": "web"}));
    d["metadata"]["namespace"] = json!("default");
    d["spec"]["foo"] = json!(1);
    let (code, body) = call(
        &c,
        "PATCH",
        &format!("{DEPLOYMENTS}/web?fieldManager=me&fieldValidation=Ignore"),
        "application/apply-patch+yaml",
        d,
    )
    .await;
    assert_eq!(code, 500, "{body}");
    assert_eq!(
        body["message"],
        "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.foo: field not declared in schema"
    );
}

#[tokio::test]
async fn deletion_waits_for_finalizers_and_answers_like_the_registry() {
    let c = cluster();
    // ConfigMaps answer a Status; Services the deleted object.
    assert_eq!(
        post(&c, CONFIGMAPS, json!({"metadata": {"name": "plain"}})).await.0,
        201
    );
    let (code, body) = call(
        &c,
        "DELETE",
        &format!("{CONFIGMAPS}/plain"),
        "application/json",
        Value::Null,
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(body["kind"], "Status");
    assert_eq!(body["status"], "Success");
    assert_eq!(body["details"]["kind"], "configmaps");
    assert_eq!(body["details"]["name"], "plain");
    let svc = json!({"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}});
    assert_eq!(post(&c, "/api/v1/namespaces/default/services", svc).await.0, 201);
    let (_, body) = call(
        &c,
        "DELETE",
        "/api/v1/namespaces/default/services/s",
        "application/json",
        Value::Null,
    )
    .await;
    assert_eq!(body["kind"], "Service");

    // A finalizer holds the object: deletionTimestamp, deletionGracePeriodSeconds 0, object answered.
    let held = json!({"metadata": {"name": "held", "finalizers": ["example.com/hold"]}});
    assert_eq!(post(&c, CONFIGMAPS, held).await.0, 201);
    let (code, body) = call(
        &c,
        "DELETE",
        &format!("{CONFIGMAPS}/held"),
        "application/json",
        Value::Null,
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(body["kind"], "ConfigMap");
    assert!(body["metadata"]["deletionTimestamp"].is_string(), "{body}");
    assert_eq!(body["metadata"]["deletionGracePeriodSeconds"], 0);
    // No new finalizers now.
    let (code, body) = call(
        &c,
        "PATCH",
        &format!("{CONFIGMAPS}/held"),
        "application/strategic-merge-patch+json",
        json!({"metadata": {"finalizers": ["example.com/more"]}}),
    )
    .await;
    assert_eq!(code, 422, "{body}");
    assert_eq!(
        body["message"],
        "ConfigMap \"held\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/more\"}"
    );
    // Releasing the finalizer with $deleteFromPrimitiveList lets it go.
    let (code, body) = call(
        &c,
        "PATCH",
        &format!("{CONFIGMAPS}/held"),
        "application/strategic-merge-patch+json",
        json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["example.com/hold"]}}),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert!(c.get("", "configmaps", Some("default"), "held").is_none());
}

#[tokio::test]
async fn a_namespace_terminates_after_its_content() {
    let c = cluster();
    assert_eq!(
        post(&c, "/api/v1/namespaces", json!({"metadata": {"name": "doomed"}}))
            .await
            .0,
        201
    );
    let cms = "/api/v1/namespaces/doomed/configmaps";
    assert_eq!(post(&c, cms, json!({"metadata": {"name": "free"}})).await.0, 201);
    let held = json!({"metadata": {"name": "held", "finalizers": ["example.com/hold"]}});
    assert_eq!(post(&c, cms, held).await.0, 201);
    let (code, body) = call(
        &c,
        "DELETE",
        "/api/v1/namespaces/doomed",
        "application/json",
        Value::Null,
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(body["status"]["phase"], "Terminating", "{body}");
    assert!(body["metadata"]["deletionTimestamp"].is_string());
    assert!(c.get("", "configmaps", Some("doomed"), "free").is_none());
    let ns = c.get("", "namespaces", None, "doomed").unwrap();
    assert_eq!(ns["status"]["phase"], "Terminating");
    assert_eq!(ns["status"]["conditions"][1]["type"], "NamespaceFinalizersRemaining");
    // No new content while terminating.
    let (code, body) = post(&c, cms, json!({"metadata": {"name": "late"}})).await;
    assert_eq!(code, 403, "{body}");
    assert_eq!(
        body["message"],
        "configmaps \"late\" is forbidden: unable to create new content in namespace doomed because it is being terminated"
    );
    assert_eq!(body["details"]["causes"][0]["reason"], "NamespaceTerminating");
    // Removing the last finalizer lets the namespace go.
    let (code, _) = call(
        &c,
        "PATCH",
        &format!("{cms}/held"),
        "application/merge-patch+json",
        json!({"metadata": {"finalizers": null}}),
    )
    .await;
    assert_eq!(code, 200);
    assert!(c.get("", "configmaps", Some("doomed"), "held").is_none());
    assert!(c.get("", "namespaces", None, "doomed").is_none());
    // Some namespaces may not be deleted at all.
    let (code, body) = call(
        &c,
        "DELETE",
        "/api/v1/namespaces/default",
        "application/json",
        Value::Null,
    )
    .await;
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "namespaces \"default\" is forbidden: this namespace may not be deleted"
    );
}

#[tokio::test]
async fn foreground_and_orphan_deletion_pass_through_the_gc_finalizer() {
    let c = cluster();
    assert_eq!(post(&c, CONFIGMAPS, json!({"metadata": {"name": "fg"}})).await.0, 201);
    let (code, body) = call(
        &c,
        "DELETE",
        &format!("{CONFIGMAPS}/fg"),
        "application/json",
        json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"}),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(body["metadata"]["finalizers"], json!(["foregroundDeletion"]));
    assert!(c.get("", "configmaps", Some("default"), "fg").is_none());
    let (code, body) = call(
        &c,
        "DELETE",
        &format!("{CONFIGMAPS}/none?propagationPolicy=Sideways"),
        "application/json",
        Value::Null,
    )
    .await;
    assert_eq!(code, 422, "{body}");
}

#[tokio::test]
async fn a_crd_terminates_after_its_instances() {
    let c = cluster();
    let crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    assert_eq!(post(&c, crds, widget_crd()).await.0, 201);
    let held = json!({"apiVersion": "example.com/v1", "kind": "Widget",
                      "metadata": {"name": "held", "finalizers": ["example.com/hold"]}});
    assert_eq!(post(&c, WIDGETS, held).await.0, 201);
    let free = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "free"}});
    assert_eq!(post(&c, WIDGETS, free).await.0, 201);
    // A custom resource answers its DELETE with a Status.
    let (code, body) = call(
        &c,
        "DELETE",
        &format!("{WIDGETS}/free"),
        "application/json",
        Value::Null,
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(
        body["details"],
        json!({"name": "free", "group": "example.com", "kind": "widgets", "uid": body["details"]["uid"]})
    );
    let free = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "free"}});
    assert_eq!(post(&c, WIDGETS, free).await.0, 201);

    let (code, body) = call(
        &c,
        "DELETE",
        &format!("{crds}/widgets.example.com"),
        "application/json",
        Value::Null,
    )
    .await;
    assert_eq!(code, 200);
    assert!(body["metadata"]["deletionTimestamp"].is_string(), "{body}");
    assert_eq!(
        body["metadata"]["finalizers"],
        json!(["customresourcecleanup.apiextensions.k8s.io"])
    );
    let crd = c
        .get(
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            None,
            "widgets.example.com",
        )
        .unwrap();
    let terminating = crd["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Terminating")
        .unwrap()
        .clone();
    assert_eq!(terminating["reason"], "InstanceDeletionInProgress");
    assert!(c.get("example.com", "widgets", Some("default"), "free").is_none());
    let late = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "late"}});
    let (code, body) = post(&c, WIDGETS, late).await;
    assert_eq!(code, 405, "{body}");
    assert_eq!(
        body["message"],
        "create not allowed while custom resource definition is terminating"
    );
    // Releasing the last instance's finalizer lets the CRD go, and its type with it.
    let (code, _) = call(
        &c,
        "PATCH",
        &format!("{WIDGETS}/held"),
        "application/merge-patch+json",
        json!({"metadata": {"finalizers": null}}),
    )
    .await;
    assert_eq!(code, 200);
    assert!(
        c.get(
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            None,
            "widgets.example.com"
        )
        .is_none()
    );
    assert_eq!(call(&c, "GET", WIDGETS, "application/json", Value::Null).await.0, 404);
}
