//! A Kurator hub, simulated: the Fleet, AttachedCluster and Application CRDs, and a Fleet whose
//! members' kubeconfigs live in Secrets on the hub (the way Kurator users reach their clusters).

use serde_json::{Value, json};

use crate::cluster::SimCluster;
use crate::error::ApiError;
use crate::playground::{KubeconfigEntry, kubeconfig, to_yaml};

pub const HUB_NAME: &str = "kurator-host";
pub const FLEET_NAME: &str = "quickstart";

fn crd(group: &str, plural: &str, kind: &str, columns: Value) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{plural}.{group}")},
        "spec": {"group": group, "scope": "Namespaced",
                 "names": {"plural": plural, "singular": kind.to_lowercase(), "kind": kind, "listKind": format!("{kind}List")},
                 "versions": [{"name": "v1alpha1", "served": true, "storage": true, "subresources": {"status": {}},
                               "additionalPrinterColumns": columns,
                               "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                   "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                                   "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}]}
    })
}

/// Kurator's CRDs as far as this tool reads them (schemas left open).
pub fn kurator_crds() -> Vec<Value> {
    vec![
        crd(
            "fleet.kurator.dev",
            "fleets",
            "Fleet",
            json!([{"name": "Phase", "type": "string", "jsonPath": ".status.phase"}]),
        ),
        crd(
            "cluster.kurator.dev",
            "attachedclusters",
            "AttachedCluster",
            json!([{"name": "Ready", "type": "boolean", "jsonPath": ".status.ready"}]),
        ),
        crd("apps.kurator.dev", "applications", "Application", json!([])),
    ]
}

/// One member as the hub knows it.
pub struct HubMember<'a> {
    pub cluster: &'a SimCluster,
    pub entry: KubeconfigEntry,
    pub labels: Value,
}

/// Sets up the hub: the CRDs, a Secret with each member's kubeconfig (key
/// `<member>.config`), an AttachedCluster per member, and the Fleet `quickstart` in `default`.
pub fn seed_hub(hub: &SimCluster, members: &[HubMember]) -> Result<(), ApiError> {
    for c in kurator_crds() {
        hub.apply("apiextensions.k8s.io", "customresourcedefinitions", None, &c)?;
    }
    let mut refs = Vec::new();
    for m in members {
        let name = m.cluster.name();
        let key = format!("{name}.config");
        let config = to_yaml(&kubeconfig(std::slice::from_ref(&m.entry)));
        use base64::Engine;
        let data = base64::engine::general_purpose::STANDARD.encode(config);
        hub.apply(
            "",
            "secrets",
            Some("default"),
            &json!({
                "apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "default"},
                "type": "Opaque", "data": {key.clone(): data}
            }),
        )?;
        hub.apply(
            "cluster.kurator.dev",
            "attachedclusters",
            Some("default"),
            &json!({
                "apiVersion": "cluster.kurator.dev/v1alpha1", "kind": "AttachedCluster",
                "metadata": {"name": name, "namespace": "default", "labels": m.labels},
                "spec": {"kubeconfig": {"name": name, "key": key}}
            }),
        )?;
        hub.patch_status(
            "cluster.kurator.dev",
            "attachedclusters",
            Some("default"),
            name,
            &json!({"ready": true}),
        )?;
        refs.push(json!({"kind": "AttachedCluster", "name": name}));
    }
    hub.apply(
        "fleet.kurator.dev",
        "fleets",
        Some("default"),
        &json!({
            "apiVersion": "fleet.kurator.dev/v1alpha1", "kind": "Fleet",
            "metadata": {"name": FLEET_NAME, "namespace": "default"},
            "spec": {"clusters": refs}
        }),
    )?;
    hub.patch_status(
        "fleet.kurator.dev",
        "fleets",
        Some("default"),
        FLEET_NAME,
        &json!({"phase": "Ready"}),
    )?;
    Ok(())
}
