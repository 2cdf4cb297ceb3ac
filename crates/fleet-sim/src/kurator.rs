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

/// Where an object of a kind is stored (the kinds a rollout and a Flagger install write).
pub fn storage_of(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "Namespace" => ("", "namespaces"),
        "CustomResourceDefinition" => ("apiextensions.k8s.io", "customresourcedefinitions"),
        "ServiceAccount" => ("", "serviceaccounts"),
        "ClusterRole" => ("rbac.authorization.k8s.io", "clusterroles"),
        "ClusterRoleBinding" => ("rbac.authorization.k8s.io", "clusterrolebindings"),
        "Deployment" => ("apps", "deployments"),
        "Service" => ("", "services"),
        "Ingress" => ("networking.k8s.io", "ingresses"),
        "Canary" => ("flagger.app", "canaries"),
        "MetricTemplate" => ("flagger.app", "metrictemplates"),
        _ => return None,
    })
}

/// Applies objects as a controller in the cluster would (errors are the manager's to log).
pub fn apply_all(cluster: &SimCluster, objects: &[Value]) {
    for obj in objects {
        let Some((group, plural)) = storage_of(obj["kind"].as_str().unwrap_or("")) else {
            continue;
        };
        let _ = cluster.apply(
            group,
            plural,
            obj.pointer("/metadata/namespace").and_then(Value::as_str),
            obj,
        );
    }
}

/// Renders an Application for one member: (policy resource name, objects) per rollout policy.
pub type Renderer = std::sync::Arc<dyn Fn(&Value, &SimCluster) -> Vec<(String, Vec<Value>)> + Send + Sync>;
/// The objects that install Flagger as a Fleet's `plugin.flagger` asks, for one member.
pub type Installer = std::sync::Arc<dyn Fn(&Value, &SimCluster) -> Vec<Value> + Send + Sync>;

/// Kurator's fleet manager, simulated: installs Flagger into the members when the Fleet's
/// plugin asks, renders every Application's rollouts into the members, and mirrors each
/// member's Canary status into `Application.status.syncStatus[].rolloutStatus`, every `period`.
pub fn start_fleet_manager(
    hub: SimCluster,
    members: Vec<SimCluster>,
    render: Renderer,
    install: Installer,
    period: std::time::Duration,
) {
    // Kurator's fleet manager writes into the hub and the members under its own manager.
    let hub = hub.as_manager("kurator");
    let members: Vec<SimCluster> = members.iter().map(|m| m.as_manager("kurator")).collect();
    tokio::spawn(async move {
        loop {
            reconcile(&hub, &members, &render, &install);
            tokio::time::sleep(period).await;
        }
    });
}

/// Kurator's destination `clusterSelector.matchLabels`: every pair must be among the member's
/// labels; no selector selects every member.
pub fn selector_matches(match_labels: &Value, labels: &Value) -> bool {
    match match_labels.as_object() {
        None => true,
        Some(wanted) => wanted.iter().all(|(k, v)| labels.get(k) == Some(v)),
    }
}

/// One pass of the simulated fleet manager (tests call it directly).
pub fn reconcile(hub: &SimCluster, members: &[SimCluster], render: &Renderer, install: &Installer) {
    if let Some(plugin) = hub
        .get("fleet.kurator.dev", "fleets", Some("default"), FLEET_NAME)
        .and_then(|f| f.pointer("/spec/plugin/flagger").cloned())
    {
        for m in members {
            apply_all(m, &install(&plugin, m));
        }
    }
    for app in hub.list("apps.kurator.dev", "applications", None) {
        let mut statuses = Vec::new();
        let selector = app
            .pointer("/spec/destination/clusterSelector/matchLabels")
            .cloned()
            .unwrap_or(Value::Null);
        for m in members {
            let labels = hub
                .get("cluster.kurator.dev", "attachedclusters", Some("default"), m.name())
                .and_then(|c| c.pointer("/metadata/labels").cloned())
                .unwrap_or(Value::Null);
            if !selector_matches(&selector, &labels) {
                continue;
            }
            for (key, objects) in render(&app, m) {
                apply_all(m, &objects);
                let Some(canary) = objects.iter().find(|o| o["kind"] == "Canary") else {
                    continue;
                };
                let ns = canary
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("default");
                let name = canary.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
                let status = m
                    .get("flagger.app", "canaries", Some(ns), name)
                    .and_then(|c| c.get("status").cloned())
                    .unwrap_or(Value::Null);
                statuses.push(json!({"name": key, "rolloutStatus": {"clusterName": m.name(), "rolloutNameInCluster": name, "rolloutStatusInCluster": status}}));
            }
        }
        let ns = app
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("default");
        let name = app.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
        if app.pointer("/status/syncStatus") != Some(&Value::Array(statuses.clone())) {
            let _ = hub.patch_status(
                "apps.kurator.dev",
                "applications",
                Some(ns),
                name,
                &json!({"syncStatus": statuses}),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_selector_matches_labels() {
        let labels = json!({"env": "prod", "region": "eu"});
        assert!(selector_matches(&Value::Null, &labels));
        assert!(selector_matches(&json!({"env": "prod"}), &labels));
        assert!(!selector_matches(&json!({"env": "prod", "region": "us"}), &labels));
        assert!(!selector_matches(&json!({"env": "prod"}), &Value::Null));
    }
}
