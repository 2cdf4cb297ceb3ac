//! kube-rs against the emulator, in-process and over loopback.

mod support;

use std::time::Duration;

use fleet_sim::{SimCluster, User};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::json;

const TOKEN: &str = "test-token";

fn in_process() -> (SimCluster, kube::Client) {
    let cluster = SimCluster::new("test");
    cluster.add_user(TOKEN, User::admin("tester"));
    let client = kube::Client::new(cluster.service(TOKEN), "default");
    (cluster, client)
}

async fn loopback() -> (SimCluster, kube::Client) {
    let cluster = SimCluster::new("test");
    cluster.add_user(TOKEN, User::admin("tester"));
    let addr = cluster.serve().await.unwrap();
    let mut config = kube::Config::new(format!("http://{addr}").parse().unwrap());
    config.default_namespace = "default".into();
    config.auth_info.token = Some(TOKEN.to_string().into());
    (cluster, kube::Client::try_from(config).unwrap())
}

fn widget_crd() -> serde_json::Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "subresources": {"status": {}},
                "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}],
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {"size": {"type": "integer"}, "color": {"type": "string"}}},
                    "status": {"type": "object", "properties": {"phase": {"type": "string"}}}
                }}}
            }]
        }
    })
}

fn widgets(client: &kube::Client) -> Api<DynamicObject> {
    let ar = ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("example.com", "v1", "Widget"), "widgets");
    Api::namespaced_with(client.clone(), "default", &ar)
}

async fn crud_round_trip(client: kube::Client) {
    let cms: Api<ConfigMap> = Api::default_namespaced(client.clone());
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "a"}, "data": {"k": "v"}})).unwrap();
    let created = cms.create(&PostParams::default(), &cm).await.unwrap();
    assert!(created.metadata.uid.is_some() && created.metadata.creation_timestamp.is_some());
    assert_eq!(cms.get("a").await.unwrap().data.unwrap()["k"], "v");
    assert_eq!(cms.list(&ListParams::default()).await.unwrap().items.len(), 1);

    let merged = cms
        .patch("a", &PatchParams::default(), &Patch::Merge(json!({"data": {"m": "1"}})))
        .await
        .unwrap();
    assert_eq!(merged.data.as_ref().unwrap().len(), 2);
    let ops: json_patch_ops::Patch =
        serde_json::from_value(json!([{"op": "add", "path": "/data/j", "value": "2"}])).unwrap();
    let patched = cms
        .patch("a", &PatchParams::default(), &Patch::Json::<()>(ops))
        .await
        .unwrap();
    assert_eq!(patched.data.as_ref().unwrap()["j"], "2");
    let applied = cms
        .patch(
            "b",
            &PatchParams::apply("tester"),
            &Patch::Apply(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}, "data": {"x": "y"}}),
            ),
        )
        .await
        .unwrap();
    let rv = applied.metadata.resource_version.clone();
    let again = cms
        .patch(
            "b",
            &PatchParams::apply("tester"),
            &Patch::Apply(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}, "data": {"x": "y"}}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        again.metadata.resource_version, rv,
        "a no-op apply must not bump resourceVersion"
    );
    cms.delete("a", &DeleteParams::default()).await.unwrap();
    let err = cms.get("a").await.unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 404 && s.message.contains("configmaps \"a\" not found")),
        "{err:?}"
    );
    // Namespaces must exist.
    let missing: Api<ConfigMap> = Api::namespaced(client.clone(), "nope");
    let err = missing.create(&PostParams::default(), &cm).await.unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 404 && s.message.contains("namespaces \"nope\" not found")),
        "{err:?}"
    );
}

#[tokio::test]
async fn crud_in_process() {
    let (_c, client) = in_process();
    crud_round_trip(client).await;
}

#[tokio::test]
async fn crud_over_loopback() {
    let (_c, client) = loopback().await;
    crud_round_trip(client).await;
}

mod json_patch_ops {
    pub use json_patch::Patch;
}

#[tokio::test]
async fn status_and_spec_are_isolated_and_schema_prunes() {
    let (cluster, client) = in_process();
    let crds: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
            "customresourcedefinitions",
        ),
    );
    crds.patch(
        "widgets.example.com",
        &PatchParams::apply("tester"),
        &Patch::Apply(widget_crd()),
    )
    .await
    .unwrap();
    let api = widgets(&client);
    let w = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"size": 1, "unknown": true}, "status": {"phase": "ignored-on-create"}});
    let created = api
        .patch("w", &PatchParams::apply("tester"), &Patch::Apply(w))
        .await
        .unwrap();
    assert_eq!(created.data["spec"], json!({"size": 1}), "unknown fields are pruned");
    assert!(
        created.data.get("status").is_none(),
        "status is not set through the main resource"
    );
    assert_eq!(created.metadata.generation, Some(1));

    let st = api
        .patch_status(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"phase": "Ready"}, "spec": {"size": 99}})),
        )
        .await
        .unwrap();
    assert_eq!(st.data["status"]["phase"], "Ready");
    assert_eq!(st.data["spec"]["size"], 1, "a status write does not change spec");
    assert_eq!(st.metadata.generation, Some(1));

    let sp = api
        .patch(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"size": 2}, "status": {"phase": "Hacked"}})),
        )
        .await
        .unwrap();
    assert_eq!(
        sp.data["status"]["phase"], "Ready",
        "a spec write does not change status"
    );
    assert_eq!(sp.metadata.generation, Some(2));

    let bad = api
        .patch(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"size": "big"}})),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&bad, kube::Error::Api(s) if s.code == 422 && s.message.contains("spec.size")),
        "{bad:?}"
    );
    let strategic = api
        .patch(
            "w",
            &PatchParams::default(),
            &Patch::Strategic(json!({"spec": {"size": 3}})),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&strategic, kube::Error::Api(s) if s.code == 415),
        "{strategic:?}"
    );
    assert!(cluster.get("example.com", "widgets", Some("default"), "w").is_some());
}

#[tokio::test]
async fn strategic_merge_on_deployments() {
    let (_c, client) = in_process();
    let deploys: Api<Deployment> = Api::default_namespaced(client);
    let d: Deployment = serde_json::from_value(json!({"metadata": {"name": "web"}, "spec": {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
            {"name": "app", "image": "web:1"}, {"name": "proxy", "image": "envoy:1"}]}}}}))
    .unwrap();
    deploys.create(&PostParams::default(), &d).await.unwrap();
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "web:2"}]}}}});
    let out = deploys
        .patch("web", &PatchParams::default(), &Patch::Strategic(patch))
        .await
        .unwrap();
    let containers = out.spec.unwrap().template.spec.unwrap().containers;
    assert_eq!(
        (containers[0].image.as_deref(), containers[1].image.as_deref()),
        (Some("web:2"), Some("envoy:1"))
    );
}

async fn next_names(stream: &mut (impl futures::Stream<Item = Result<ConfigMap, watcher::Error>> + Unpin)) -> String {
    // The watcher reports a desync (410) as an error item, then relists by itself.
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("watch event in time")
        {
            Some(Ok(cm)) => return cm.metadata.name.unwrap(),
            Some(Err(watcher::Error::WatchError(status))) if status.code == 410 => continue,
            other => panic!("unexpected watch item: {other:?}"),
        }
    }
}

#[tokio::test]
async fn watch_sees_changes_and_recovers_from_410() {
    for (cluster, client) in [in_process(), loopback().await] {
        let cms: Api<ConfigMap> = Api::default_namespaced(client.clone());
        cms.create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "first"}})).unwrap(),
        )
        .await
        .unwrap();
        let mut stream = watcher(cms.clone(), watcher::Config::default())
            .applied_objects()
            .boxed();
        assert_eq!(next_names(&mut stream).await, "first");
        cms.create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "second"}})).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(next_names(&mut stream).await, "second");

        // Compact history and cut the stream: the re-watch from the old version gets 410 and the
        // watcher relists, seeing the change made meanwhile.
        cluster.compact();
        let before = cluster.resource_version();
        cluster.faults().drop_watches();
        cms.create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "third"}})).unwrap(),
        )
        .await
        .unwrap();
        cluster.compact();
        assert!(cluster.resource_version() > before);
        let mut seen = Vec::new();
        while !seen.contains(&"third".to_string()) {
            seen.push(next_names(&mut stream).await);
        }
    }
}

#[tokio::test]
async fn raw_watch_of_too_old_version_is_expired() {
    let (cluster, client) = in_process();
    let cms: Api<ConfigMap> = Api::default_namespaced(client.clone());
    cms.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": "x"}})).unwrap(),
    )
    .await
    .unwrap();
    cluster.compact();
    let mut events = cms
        .watch(&kube::api::WatchParams::default(), "1")
        .await
        .unwrap()
        .boxed();
    let err = events.try_next().await;
    let text = format!("{err:?}");
    assert!(
        text.contains("410") && text.contains("too old resource version"),
        "{text}"
    );
}

#[tokio::test]
async fn unreachable_and_auth() {
    let (cluster, client) = loopback().await;
    cluster.add_user("ro", User::read_only("viewer"));
    let url = cluster.url().unwrap();
    let mut config = kube::Config::new(url.parse().unwrap());
    config.auth_info.token = Some("ro".to_string().into());
    let ro: Api<ConfigMap> = Api::namespaced(kube::Client::try_from(config.clone()).unwrap(), "default");
    assert!(ro.list(&ListParams::default()).await.is_ok());
    let err = ro
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "x"}})).unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 403 && s.message.contains("cannot create resource \"configmaps\"")),
        "{err:?}"
    );
    config.auth_info.token = Some("wrong".to_string().into());
    let bad: Api<Namespace> = Api::all(kube::Client::try_from(config).unwrap());
    let err = bad.list(&ListParams::default()).await.unwrap_err();
    assert!(matches!(&err, kube::Error::Api(s) if s.code == 401), "{err:?}");

    cluster.set_unreachable(true).unwrap();
    let cms: Api<ConfigMap> = Api::default_namespaced(client.clone());
    let err = cms.list(&ListParams::default()).await.unwrap_err();
    assert!(format!("{err:?}").to_lowercase().contains("connect"), "{err:?}");
    cluster.set_unreachable(false).unwrap();
    assert!(cms.list(&ListParams::default()).await.is_ok());
}

#[tokio::test]
async fn service_proxy_reaches_the_registered_handler() {
    use fleet_sim::{ProxyRequest, ProxyResponse};
    use k8s_openapi::api::core::v1::Service;
    let (cluster, client) = in_process();
    // Something listens on port 8080 of the load tester's Pods.
    cluster.register_proxy(
        "default",
        "loadtester",
        8080,
        std::sync::Arc::new(|req: ProxyRequest| {
            Box::pin(async move {
                let body = String::from_utf8_lossy(&req.body).into_owned();
                ProxyResponse::text(200, format!("{} {} {body}", req.method, req.path))
            })
        }),
    );
    let path = "/api/v1/namespaces/default/services/loadtester:80/proxy/gate/open";
    let request = || {
        http::Request::post(path)
            .body(br#"{"name":"podinfo"}"#.to_vec())
            .unwrap()
    };
    // No Service object yet: 404, as a real server answers.
    let err = client.request_text(request()).await.unwrap_err();
    assert!(matches!(&err, kube::Error::Api(s) if s.code == 404), "{err:?}");
    let services: Api<Service> = Api::default_namespaced(client.clone());
    let svc: Service = serde_json::from_value(json!({"metadata": {"name": "loadtester"},
        "spec": {"selector": {"app": "loadtester"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}))
    .unwrap();
    let created = services.create(&PostParams::default(), &svc).await.unwrap();
    let spec = created.spec.unwrap();
    assert!(spec.cluster_ip.is_some());
    assert_eq!(spec.ports.unwrap()[0].protocol.as_deref(), Some("TCP"));
    fleet_sim::controllers::settle(&cluster);
    // A Service whose selector matches no ready Pod has no endpoints.
    let err = client.request_text(request()).await.unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 503 && s.message == r#"no endpoints available for service "loadtester""#),
        "{err:?}"
    );
    cluster
        .apply(
            "apps",
            "deployments",
            Some("default"),
            &json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "loadtester"},
                "spec": {"selector": {"matchLabels": {"app": "loadtester"}}, "template": {"metadata": {"labels": {"app": "loadtester"}},
                "spec": {"containers": [{"name": "lt", "image": "lt:1", "ports": [{"name": "http", "containerPort": 8080}]}]}}}}),
        )
        .unwrap();
    fleet_sim::controllers::settle(&cluster);
    let answer = client.request_text(request()).await.unwrap();
    assert_eq!(answer, r#"POST /gate/open {"name":"podinfo"}"#);
    // Without a port, only an unnamed Service port would match: this one is named `http`.
    let err = client
        .request_text(
            http::Request::post("/api/v1/namespaces/default/services/loadtester/proxy/gate/open")
                .body(Vec::new())
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(&err, kube::Error::Api(s) if s.code == 503), "{err:?}");
    // A Service without a selector gets no Endpoints object: the proxy finds none.
    services
        .create(
            &PostParams::default(),
            // A real server refuses a Service without ports (spec.ports: Required value).
            &serde_json::from_value(json!({"metadata": {"name": "other"}, "spec": {"ports": [{"port": 80}]}})).unwrap(),
        )
        .await
        .unwrap();
    fleet_sim::controllers::settle(&cluster);
    let err = client
        .request_text(
            http::Request::get("/api/v1/namespaces/default/services/other/proxy/")
                .body(Vec::new())
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 404 && s.message == r#"endpoints "other" not found"#),
        "{err:?}"
    );
}

#[tokio::test]
async fn self_subject_access_reviews_follow_the_rules() {
    use fleet_sim::Rule;
    use k8s_openapi::api::authorization::v1::SelfSubjectAccessReview;
    let cluster = SimCluster::new("test");
    cluster.add_user(
        "limited",
        User::with_rules(
            "limited",
            vec![Rule::new(
                &["get", "list", "watch", "patch"],
                &["flagger.app"],
                &["canaries"],
            )],
        ),
    );
    let client = kube::Client::new(cluster.service("limited"), "default");
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client);
    let ask = |verb: &str, group: &str, resource: &str| {
        serde_json::from_value::<SelfSubjectAccessReview>(json!({
            "spec": {"resourceAttributes": {"verb": verb, "group": group, "resource": resource, "namespace": "default"}}
        }))
        .unwrap()
    };
    let allowed = reviews
        .create(&PostParams::default(), &ask("patch", "flagger.app", "canaries"))
        .await
        .unwrap();
    assert!(allowed.status.unwrap().allowed);
    let denied = reviews
        .create(&PostParams::default(), &ask("patch", "apps", "deployments"))
        .await
        .unwrap();
    assert!(!denied.status.unwrap().allowed);
}

#[tokio::test]
async fn injected_failures_and_latency() {
    let (cluster, client) = in_process();
    let cms: Api<ConfigMap> = Api::default_namespaced(client);
    cluster.faults().set_failure_rate(1.0, 500);
    let err = cms.list(&ListParams::default()).await.unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 500 && s.message.contains("simulated failure")),
        "{err:?}"
    );
    cluster.faults().set_failure_rate(0.0, 500);
    // A request under injected latency is held (observed in flight), then answered.
    cluster.faults().set_latency(Duration::from_millis(200));
    let list = tokio::spawn(async move { cms.list(&ListParams::default()).await });
    let faults = cluster.faults();
    support::wait_until("the list to be held", || async { faults.held_reads() == 1 }).await;
    list.await.unwrap().unwrap();
    assert_eq!(cluster.faults().held_reads(), 0, "released once answered");
}

#[tokio::test]
async fn selectors_and_table_responses() {
    let (_c, client) = in_process();
    let cms: Api<ConfigMap> = Api::default_namespaced(client.clone());
    for (name, tier) in [("a", "front"), ("b", "back"), ("c", "front")] {
        let cm = serde_json::from_value(json!({"metadata": {"name": name, "labels": {"tier": tier}}})).unwrap();
        cms.create(&PostParams::default(), &cm).await.unwrap();
    }
    let front = cms.list(&ListParams::default().labels("tier=front")).await.unwrap();
    assert_eq!(front.items.len(), 2);
    let named = cms
        .list(&ListParams::default().fields("metadata.name=b"))
        .await
        .unwrap();
    assert_eq!(named.items[0].metadata.name.as_deref(), Some("b"));
    let table: serde_json::Value = serde_json::from_str(
        &client
            .request_text(
                http::Request::get("/api/v1/namespaces/default/configmaps")
                    .header(
                        "Accept",
                        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
                    )
                    .body(Vec::new())
                    .unwrap(),
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(table["kind"], "Table");
    assert_eq!(table["columnDefinitions"][0]["name"], "Name");
    assert_eq!(table["rows"].as_array().unwrap().len(), 3);
}
