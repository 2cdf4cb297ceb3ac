//! Reads as kube-apiserver serves them, over the raw HTTP API: paging with continue tokens,
//! resourceVersion semantics, selector errors, categories, the two Event APIs, OpenAPI v3.

use axum::body::Body;
use fleet_sim::{SimCluster, User};
use http::Request;
use serde_json::{Value, json};
use tower::ServiceExt;

const TOKEN: &str = "t";

fn cluster() -> SimCluster {
    let cluster = SimCluster::new("reads");
    cluster.add_user(TOKEN, User::admin("tester"));
    cluster
}

async fn call(cluster: &SimCluster, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("Authorization", format!("Bearer {TOKEN}"));
    if body.is_some() {
        request = request.header("Content-Type", "application/json");
    }
    let request = request
        .body(body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty))
        .unwrap();
    let response = cluster.router().oneshot(request).await.unwrap();
    let code = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (code, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn get(cluster: &SimCluster, path: &str) -> (u16, Value) {
    call(cluster, "GET", path, None).await
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

async fn configmaps(cluster: &SimCluster, ns: &str, names: &[&str]) {
    for name in names {
        let (code, _) = call(
            cluster,
            "POST",
            &format!("/api/v1/namespaces/{ns}/configmaps"),
            Some(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})),
        )
        .await;
        assert_eq!(code, 201);
    }
}

#[tokio::test]
async fn pages_follow_key_order_and_are_a_consistent_snapshot() {
    let c = cluster();
    configmaps(&c, "default", &["e", "a", "d", "b", "c"]).await;
    let (code, first) = get(&c, "/api/v1/namespaces/default/configmaps?limit=2").await;
    assert_eq!(code, 200);
    assert_eq!(names(&first), ["a", "b"]);
    assert_eq!(first["metadata"]["remainingItemCount"], 3);
    let token = first["metadata"]["continue"].as_str().unwrap().to_string();
    let snapshot_rv = first["metadata"]["resourceVersion"].clone();

    // Changes after the first page do not show up in later pages.
    configmaps(&c, "default", &["bb"]).await;
    call(&c, "DELETE", "/api/v1/namespaces/default/configmaps/d", None).await;
    let (_, second) = get(
        &c,
        &format!("/api/v1/namespaces/default/configmaps?limit=2&continue={token}"),
    )
    .await;
    assert_eq!(names(&second), ["c", "d"]);
    assert_eq!(second["metadata"]["resourceVersion"], snapshot_rv);
    let token = second["metadata"]["continue"].as_str().unwrap().to_string();
    let (_, last) = get(
        &c,
        &format!("/api/v1/namespaces/default/configmaps?limit=2&continue={token}"),
    )
    .await;
    assert_eq!(names(&last), ["e"]);
    assert!(last["metadata"].get("continue").is_none());
    assert!(last["metadata"].get("remainingItemCount").is_none());

    // A selector: counts are not given, pages may hold fewer matches.
    let (_, filtered) = get(
        &c,
        "/api/v1/namespaces/default/configmaps?limit=1&fieldSelector=metadata.name%21%3Da",
    )
    .await;
    assert_eq!(names(&filtered), ["b"]);
    assert!(filtered["metadata"].get("remainingItemCount").is_none());

    // Across namespaces, keys are `namespace/name` in byte order.
    c.apply("", "namespaces", None, &json!({"metadata": {"name": "a-b"}}))
        .unwrap();
    configmaps(&c, "a-b", &["z"]).await;
    let (_, all) = get(&c, "/api/v1/configmaps?limit=1").await;
    assert_eq!(all["items"][0]["metadata"]["namespace"], "a-b");
}

#[tokio::test]
async fn compacted_and_garbage_tokens() {
    let c = cluster();
    configmaps(&c, "default", &["a", "b", "c"]).await;
    let (_, first) = get(&c, "/api/v1/namespaces/default/configmaps?limit=1").await;
    let token = first["metadata"]["continue"].as_str().unwrap().to_string();
    configmaps(&c, "default", &["d"]).await;
    c.compact();
    let (code, status) = get(
        &c,
        &format!("/api/v1/namespaces/default/configmaps?limit=1&continue={token}"),
    )
    .await;
    assert_eq!(code, 410);
    assert_eq!(status["reason"], "Expired");
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .starts_with("The provided continue parameter is too old to display a consistent list result.")
    );
    // The offered token continues, inconsistently, at the latest state.
    let next = status["metadata"]["continue"].as_str().unwrap();
    let (code, rest) = get(&c, &format!("/api/v1/namespaces/default/configmaps?continue={next}")).await;
    assert_eq!(code, 200);
    assert_eq!(names(&rest), ["b", "c", "d"]);

    let (code, status) = get(&c, "/api/v1/namespaces/default/configmaps?limit=1&continue=garbage").await;
    assert_eq!(code, 400);
    assert_eq!(status["reason"], "BadRequest");
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid continue token: continue key is not valid:"),
        "{status}"
    );
    let (code, status) = get(
        &c,
        &format!("/api/v1/namespaces/default/configmaps?continue={next}&resourceVersion=5"),
    )
    .await;
    assert_eq!(code, 400);
    assert_eq!(
        status["message"],
        "specifying resource version is not allowed when using continue"
    );
}

#[tokio::test]
async fn resource_version_match_semantics() {
    let c = cluster();
    configmaps(&c, "default", &["a"]).await;
    let rv = c.resource_version();
    configmaps(&c, "default", &["b"]).await;

    let (code, status) = get(&c, "/api/v1/configmaps?resourceVersionMatch=NotOlderThan").await;
    assert_eq!(code, 422);
    assert_eq!(status["reason"], "Invalid");
    assert_eq!(
        status["message"],
        "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"
    );
    assert_eq!(status["details"]["causes"][0]["field"], "resourceVersionMatch");

    // Exact reads the past; NotOlderThan reads the present.
    let (_, exact) = get(
        &c,
        &format!("/api/v1/namespaces/default/configmaps?resourceVersion={rv}&resourceVersionMatch=Exact"),
    )
    .await;
    assert_eq!(names(&exact), ["a"]);
    assert_eq!(exact["metadata"]["resourceVersion"], rv.to_string());
    let (_, newer) = get(
        &c,
        &format!("/api/v1/namespaces/default/configmaps?resourceVersion={rv}&resourceVersionMatch=NotOlderThan"),
    )
    .await;
    assert_eq!(names(&newer), ["a", "b"]);
    // A legacy resourceVersion with a limit is an exact read too.
    let (_, legacy) = get(
        &c,
        &format!("/api/v1/namespaces/default/configmaps?resourceVersion={rv}&limit=5"),
    )
    .await;
    assert_eq!(names(&legacy), ["a"]);
    // resourceVersion=0 is served from the cache, which ignores limit.
    let (_, cached) = get(&c, "/api/v1/namespaces/default/configmaps?resourceVersion=0&limit=1").await;
    assert_eq!(names(&cached), ["a", "b"]);
    assert!(cached["metadata"].get("continue").is_none());

    let future = c.resource_version() + 100;
    let (code, status) = get(&c, &format!("/api/v1/configmaps?resourceVersion={future}")).await;
    assert_eq!(code, 504);
    assert_eq!(status["details"]["causes"][0]["reason"], "ResourceVersionTooLarge");
    let (code, _) = get(
        &c,
        &format!("/api/v1/configmaps?resourceVersion={future}&resourceVersionMatch=Exact"),
    )
    .await;
    assert_eq!(code, 500, "etcd cannot read a future revision");

    c.compact();
    let (code, status) = get(
        &c,
        &format!("/api/v1/namespaces/default/configmaps?resourceVersion={rv}&resourceVersionMatch=Exact"),
    )
    .await;
    assert_eq!(code, 410);
    assert_eq!(
        status["message"],
        "The resourceVersion for the provided list is too old."
    );
}

#[tokio::test]
async fn selectors_are_checked_as_upstream() {
    let c = cluster();
    let (code, status) = get(&c, "/api/v1/pods?fieldSelector=spec.foo%3Dx").await;
    assert_eq!(
        (code, status["message"].as_str().unwrap()),
        (400, "field label not supported: spec.foo")
    );
    let (code, _) = get(
        &c,
        "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1,status.phase%21%3DRunning",
    )
    .await;
    assert_eq!(code, 200);
    let (code, status) = get(&c, "/apis/apps/v1/deployments?fieldSelector=spec.replicas%3D1").await;
    assert_eq!(code, 400);
    assert_eq!(
        status["message"],
        "\"spec.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
    );
    let (code, status) = get(&c, "/api/v1/configmaps?labelSelector=app%3Amonolith").await;
    assert_eq!(code, 400);
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .starts_with("unable to parse requirement: <nil>: Invalid value: \"app:monolith\"")
    );
    // Watches check them too.
    let (code, _) = get(&c, "/api/v1/events?watch=true&fieldSelector=bogus%3Dx").await;
    assert_eq!(code, 400);
}

#[tokio::test]
async fn all_category_and_events_in_both_apis() {
    let c = cluster();
    let (_, core) = get(&c, "/api/v1").await;
    let pods = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "pods")
        .unwrap();
    assert_eq!(pods["categories"], json!(["all"]));
    let (_, apps) = get(&c, "/apis/apps/v1").await;
    let with_all: Vec<&str> = apps["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["categories"] == json!(["all"]))
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for want in ["deployments", "replicasets", "statefulsets", "daemonsets"] {
        assert!(with_all.contains(&want), "{with_all:?}");
    }

    let (code, _) = call(
        &c,
        "POST",
        "/api/v1/namespaces/default/events",
        Some(json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1"},
                    "involvedObject": {"kind": "Canary", "name": "podinfo", "namespace": "default"},
                    "reason": "Synced", "message": "core says hi", "type": "Normal",
                    "source": {"component": "flagger"}, "count": 2})),
    )
    .await;
    assert_eq!(code, 201);
    let (code, ev) = get(&c, "/apis/events.k8s.io/v1/namespaces/default/events/e1").await;
    assert_eq!(code, 200);
    assert_eq!(ev["apiVersion"], "events.k8s.io/v1");
    assert_eq!(ev["regarding"]["name"], "podinfo");
    assert_eq!(ev["note"], "core says hi");
    assert_eq!(ev["deprecatedSource"]["component"], "flagger");
    assert_eq!(ev["deprecatedCount"], 2);

    let (code, _) = call(
        &c,
        "POST",
        "/apis/events.k8s.io/v1/namespaces/default/events",
        Some(
            json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e2"},
                    "regarding": {"kind": "Deployment", "name": "web"}, "note": "new API", "reason": "Scaled",
                    "type": "Normal", "action": "Scale", "reportingController": "sim", "reportingInstance": "sim-1",
                    "eventTime": "2024-01-01T00:00:00.000000Z"}),
        ),
    )
    .await;
    assert_eq!(code, 201);
    let (_, list) = get(
        &c,
        "/api/v1/namespaces/default/events?fieldSelector=involvedObject.kind%3DDeployment",
    )
    .await;
    assert_eq!(names(&list), ["e2"]);
    assert_eq!(list["items"][0]["message"], "new API");
    assert_eq!(list["items"][0]["reportingComponent"], "sim");
    assert!(list["items"][0].get("note").is_none());
    let (_, both) = get(&c, "/apis/events.k8s.io/v1/events").await;
    assert_eq!(names(&both), ["e1", "e2"]);

    // A merge patch through events.k8s.io edits the events.k8s.io fields.
    let request = Request::builder()
        .method("PATCH")
        .uri("/apis/events.k8s.io/v1/namespaces/default/events/e1")
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("Content-Type", "application/merge-patch+json")
        .body(Body::from(json!({"note": "patched"}).to_string()))
        .unwrap();
    assert_eq!(c.router().oneshot(request).await.unwrap().status(), 200);
    let (_, core_view) = get(&c, "/api/v1/namespaces/default/events/e1").await;
    assert_eq!(core_view["message"], "patched");
    assert!(core_view.get("note").is_none());
}

#[tokio::test]
async fn openapi_v3_documents_carry_schemas() {
    let c = cluster();
    let (_, index) = get(&c, "/openapi/v3").await;
    assert!(index["paths"]["apis/apps/v1"]["serverRelativeURL"].is_string());
    let (_, apps) = get(&c, "/openapi/v3/apis/apps/v1").await;
    let deployment = &apps["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"];
    assert_eq!(deployment["x-kubernetes-group-version-kind"][0]["kind"], "Deployment");
    let spec_ref = deployment["properties"]["spec"]["allOf"][0]["$ref"].as_str().unwrap();
    let spec = &apps["components"]["schemas"][spec_ref.trim_start_matches("#/components/schemas/")];
    assert!(spec["properties"]["selector"].is_object());
    assert!(apps["components"]["schemas"]["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"].is_object());
}

#[tokio::test]
async fn watches_on_either_event_api_see_both() {
    let c = cluster();
    let before = c.resource_version();
    call(
        &c,
        "POST",
        "/api/v1/namespaces/default/events",
        Some(json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1"},
                    "involvedObject": {"kind": "Canary", "name": "podinfo"}, "message": "from core"})),
    )
    .await;
    let request = Request::builder()
        .uri(format!(
            "/apis/events.k8s.io/v1/namespaces/default/events?watch=true&resourceVersion={before}&timeoutSeconds=1"
        ))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap();
    let response = c.router().oneshot(request).await.unwrap();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let first: Value = serde_json::from_slice(bytes.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["type"], "ADDED");
    assert_eq!(first["object"]["apiVersion"], "events.k8s.io/v1");
    assert_eq!(first["object"]["note"], "from core");
}

#[tokio::test]
async fn crd_categories_are_served_in_discovery() {
    let c = cluster();
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "kind": "Widget", "categories": ["all", "shop"]},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    });
    c.apply("apiextensions.k8s.io", "customresourcedefinitions", None, &crd)
        .unwrap();
    let (_, legacy) = get(&c, "/apis/example.com/v1").await;
    assert_eq!(legacy["resources"][0]["categories"], json!(["all", "shop"]));
    let request = Request::builder()
        .uri("/apis")
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header(
            "Accept",
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        )
        .body(Body::empty())
        .unwrap();
    let response = c.router().oneshot(request).await.unwrap();
    let doc: Value =
        serde_json::from_slice(&axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap()).unwrap();
    let group = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["metadata"]["name"] == "example.com")
        .unwrap();
    assert_eq!(
        group["versions"][0]["resources"][0]["categories"],
        json!(["all", "shop"])
    );
    let (_, apps) = call(&c, "GET", "/apis/apps/v1", None).await;
    assert!(
        apps["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "deployments" && r["categories"] == json!(["all"]))
    );
}

#[tokio::test]
async fn kube_rs_pages_through_lists_and_the_watcher_reads_every_page() {
    use futures::StreamExt;
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::api::{Api, ListParams};
    use kube::runtime::watcher;

    let c = cluster();
    configmaps(&c, "default", &["a", "b", "c", "d", "e"]).await;
    let client = kube::Client::new(c.service(TOKEN), "default");
    let api: Api<ConfigMap> = Api::default_namespaced(client);
    let mut seen = Vec::new();
    let mut params = ListParams::default().limit(2);
    loop {
        let page = api.list(&params).await.unwrap();
        seen.extend(page.items.iter().filter_map(|cm| cm.metadata.name.clone()));
        match page.metadata.continue_.filter(|t| !t.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => break,
        }
    }
    assert_eq!(seen, ["a", "b", "c", "d", "e"]);

    let mut stream = watcher::watcher(api, watcher::Config::default().page_size(2)).boxed();
    let mut initial = Vec::new();
    while let Some(event) = stream.next().await {
        match event.unwrap() {
            watcher::Event::InitApply(cm) => initial.push(cm.metadata.name.unwrap_or_default()),
            watcher::Event::InitDone => break,
            _ => {}
        }
    }
    assert_eq!(initial, ["a", "b", "c", "d", "e"]);
}
