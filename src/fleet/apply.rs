//! Writing JSON objects to one cluster with server-side apply, reporting what changed, and
//! waiting for Deployments to become Available.

use std::time::Duration;

use kube::Client;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

use super::conflict::redo_on_conflict;
use super::error::ClusterError;

/// What one apply did to an object (kubectl's words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Created,
    Configured,
    Unchanged,
}

/// Plural and scope of the kinds this tool writes (no discovery round trip needed).
pub fn resource_of(api_version: &str, kind: &str) -> Option<(ApiResource, bool)> {
    let (plural, namespaced) = match kind {
        "Namespace" => ("namespaces", false),
        "CustomResourceDefinition" => ("customresourcedefinitions", false),
        "ClusterRole" => ("clusterroles", false),
        "ClusterRoleBinding" => ("clusterrolebindings", false),
        "ServiceAccount" => ("serviceaccounts", true),
        "Deployment" => ("deployments", true),
        "Service" => ("services", true),
        "ConfigMap" => ("configmaps", true),
        "Secret" => ("secrets", true),
        "Event" => ("events", true),
        "Ingress" => ("ingresses", true),
        "Canary" => ("canaries", true),
        "MetricTemplate" => ("metrictemplates", true),
        "AlertProvider" => ("alertproviders", true),
        _ => return None,
    };
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let gvk = GroupVersionKind::gvk(group, version, kind);
    Some((ApiResource::from_gvk_with_plural(&gvk, plural), namespaced))
}

fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// `Kind namespace/name` for messages.
pub fn describe(obj: &Value) -> String {
    let ns = text(obj, "/metadata/namespace");
    let name = text(obj, "/metadata/name");
    if ns.is_empty() {
        format!("{} {name}", text(obj, "/kind"))
    } else {
        format!("{} {ns}/{name}", text(obj, "/kind"))
    }
}

pub fn api_for(client: &Client, obj: &Value) -> Result<Api<DynamicObject>, ClusterError> {
    let (resource, namespaced) = resource_of(text(obj, "/apiVersion"), text(obj, "/kind"))
        .ok_or_else(|| ClusterError::Other(format!("{}: this tool does not write that kind", describe(obj))))?;
    Ok(if namespaced {
        Api::namespaced_with(client.clone(), text(obj, "/metadata/namespace"), &resource)
    } else {
        Api::all_with(client.clone(), &resource)
    })
}

/// Server-side applies one object and says whether it was created, changed or already up to
/// date. Without `force`, fields another manager owns are a [`ClusterError::FieldConflicts`]
/// (never redone); with it, this tool takes them over (kubectl's `--force-conflicts`). A write
/// that lost a race (resourceVersion conflict) is redone from a fresh read.
pub async fn apply_object(
    client: &Client,
    obj: &Value,
    field_manager: &str,
    force: bool,
) -> Result<Change, ClusterError> {
    apply_object_live(client, obj, field_manager, force)
        .await
        .map(|(change, _)| change)
}

/// [`apply_object`], also returning the object as the server stored it (with managedFields).
pub async fn apply_object_live(
    client: &Client,
    obj: &Value,
    field_manager: &str,
    force: bool,
) -> Result<(Change, Value), ClusterError> {
    apply_object_read(client, obj, None, field_manager, force).await
}

/// [`apply_object_live`] with the object's live state already read (`Some(None)`: it was not
/// there), so the write is the one request on its way; without it (`None`) the object is read
/// first. A write that lost a race is redone from a fresh read.
pub async fn apply_object_read(
    client: &Client,
    obj: &Value,
    read: Option<Option<&Value>>,
    field_manager: &str,
    force: bool,
) -> Result<(Change, Value), ClusterError> {
    let api = api_for(client, obj)?;
    let name = text(obj, "/metadata/name");
    let context = |e: kube::Error| ClusterError::from_kube(&e).with_object(&describe(obj));
    let mut params = PatchParams::apply(field_manager);
    params.force = force;
    let version_read = read.map(|live| live.map(|l| text(l, "/metadata/resourceVersion").to_string()));
    let (api, params, version_read) = (&api, &params, &version_read);
    redo_on_conflict(|attempt| async move {
        let before = match (version_read, attempt) {
            (Some(version), 1) => version.clone(),
            _ => api
                .get_opt(name)
                .await
                .map_err(context)?
                .map(|b| b.metadata.resource_version.unwrap_or_default()),
        };
        let after = api.patch(name, params, &Patch::Apply(obj)).await.map_err(context)?;
        let change = match before {
            None => Change::Created,
            Some(b) if after.metadata.resource_version.as_ref() == Some(&b) => Change::Unchanged,
            Some(_) => Change::Configured,
        };
        Ok((change, serde_json::to_value(&after).unwrap_or_default()))
    })
    .await
}

/// Is a Deployment rolled out and Available (the `kubectl rollout status` test)?
pub fn deployment_available(obj: &Value) -> bool {
    let generation = obj.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(0);
    let observed = obj
        .pointer("/status/observedGeneration")
        .and_then(Value::as_i64)
        .unwrap_or(-1);
    let available = obj
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Available" && c["status"] == "True"));
    observed >= generation && available
}

/// Waits (watching, not polling) until every named Deployment is Available, for at most
/// `timeout`: what is left of the user's `budget`, which the message names (the user set that
/// one; the remainder would read as a different limit).
pub async fn wait_deployments_available(
    client: &Client,
    deployments: &[(String, String)],
    timeout: Duration,
    budget: Duration,
) -> Result<(), ClusterError> {
    let (resource, _) =
        resource_of("apps/v1", "Deployment").ok_or_else(|| ClusterError::Other("no Deployment kind".into()))?;
    let waits = deployments.iter().map(|(ns, name)| {
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &resource);
        let name = name.clone();
        async move {
            let condition = |obj: Option<&DynamicObject>| {
                obj.and_then(|o| serde_json::to_value(o).ok())
                    .is_some_and(|v| deployment_available(&v))
            };
            kube::runtime::wait::await_condition(api, &name, condition)
                .await
                .map(|_| ())
        }
    });
    match tokio::time::timeout(timeout, futures::future::try_join_all(waits)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(ClusterError::Other(format!("watching Deployments: {e}"))),
        Err(_) => {
            let names: Vec<String> = deployments.iter().map(|(ns, n)| format!("{ns}/{n}")).collect();
            Err(ClusterError::NotReady(format!(
                "Deployment {} not Available after {}; check its pods with kubectl -n {} get pods",
                names.join(", "),
                humantime::format_duration(Duration::from_secs(budget.as_secs_f64().round() as u64)),
                deployments.first().map(|(ns, _)| ns.as_str()).unwrap_or("")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn availability() {
        let ready = json!({"metadata": {"generation": 2}, "status": {"observedGeneration": 2,
            "conditions": [{"type": "Available", "status": "True"}]}});
        assert!(deployment_available(&ready));
        let stale = json!({"metadata": {"generation": 3}, "status": {"observedGeneration": 2,
            "conditions": [{"type": "Available", "status": "True"}]}});
        assert!(!deployment_available(&stale));
        assert!(!deployment_available(&json!({"metadata": {"generation": 1}})));
    }

    #[test]
    fn kinds_resolve() {
        let (r, namespaced) = resource_of("apps/v1", "Deployment").unwrap();
        assert_eq!(
            (r.plural.as_str(), r.group.as_str(), namespaced),
            ("deployments", "apps", true)
        );
        let (r, namespaced) = resource_of("v1", "Namespace").unwrap();
        assert_eq!(
            (r.plural.as_str(), r.group.as_str(), namespaced),
            ("namespaces", "", false)
        );
        assert!(resource_of("v1", "Pod").is_none());
    }
}
