//! Injected write conflicts behave like a real concurrent writer: only a write conditional on a
//! resourceVersion fails, with the API server's own 409, and the object really changed.

use fleet_sim::{SimCluster, User};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;

#[tokio::test]
async fn only_writes_that_carry_a_resource_version_conflict() {
    let cluster = SimCluster::new("c");
    cluster.add_user("t", User::admin("tester"));
    let client = kube::Client::new(cluster.service("t"), "default");
    let cms: Api<ConfigMap> = Api::default_namespaced(client);
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "x"}, "data": {"k": "1"}})).unwrap();
    let created = cms.create(&PostParams::default(), &cm).await.unwrap();
    let read_version = created.metadata.resource_version.clone().unwrap();

    cluster.faults().set_write_conflicts(1);
    // Unconditional writes go through and use nothing up.
    cms.patch("x", &PatchParams::default(), &Patch::Merge(json!({"data": {"k": "2"}})))
        .await
        .unwrap();
    let apply = PatchParams::apply("tester").force();
    cms.patch(
        "x",
        &apply,
        &Patch::Apply(json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "3"}})),
    )
    .await
    .unwrap();
    let current = cms.get("x").await.unwrap();
    assert!(current.metadata.annotations.is_none(), "nothing raced: {current:?}");

    // A write carrying the version it read meets the other writer: a real 409.
    let version = current.metadata.resource_version.clone().unwrap();
    assert_ne!(version, read_version);
    let conditional = json!({"metadata": {"resourceVersion": version}, "data": {"k": "4"}});
    let err = cms
        .patch("x", &PatchParams::default(), &Patch::Merge(conditional.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 409 && s.reason == "Conflict"),
        "{err:?}"
    );
    let after = cms.get("x").await.unwrap();
    assert_ne!(after.metadata.resource_version.as_deref(), Some(version.as_str()));
    assert!(
        after
            .metadata
            .annotations
            .unwrap_or_default()
            .contains_key(fleet_sim::faults::CONCURRENT_WRITE_ANNOTATION)
    );
    // Redone from a fresh read, it goes through; the conflict was used up.
    let fresh = json!({"metadata": {"resourceVersion": after.metadata.resource_version}, "data": {"k": "4"}});
    cms.patch("x", &PatchParams::default(), &Patch::Merge(fresh))
        .await
        .unwrap();
    assert!(!cluster.faults().take_write_conflict());
    // A PUT with a version is conditional too.
    cluster.faults().set_write_conflicts(1);
    let mut whole = cms.get("x").await.unwrap();
    whole.data = Some([("k".to_string(), "5".to_string())].into());
    let err = cms.replace("x", &PostParams::default(), &whole).await.unwrap_err();
    assert!(matches!(&err, kube::Error::Api(s) if s.code == 409), "{err:?}");
}
