//! Removing what `install` created from one cluster: only objects carrying this tool's
//! `app.kubernetes.io/managed-by` label, never namespaces, and the CRDs only when asked.

use kube::Client;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams};
use serde_json::{Value, json};

use super::MANAGED_BY;
use crate::fleet::ClusterError;
use crate::fleet::apply::{api_for, describe, resource_of};

/// What removing Flagger from a cluster would delete, and what stands in the way.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RemovalPlan {
    /// `Kind namespace/name` of each object, in deletion order.
    pub objects: Vec<String>,
    #[serde(skip)]
    pub handles: Vec<Value>,
    /// Canaries in the cluster (all namespaces); uninstalling under them strands them.
    pub canaries: usize,
}

/// Kinds install creates, in the order to delete them (workloads first, CRDs last).
const KINDS: &[(&str, &str)] = &[
    ("apps/v1", "Deployment"),
    ("v1", "Service"),
    ("v1", "ServiceAccount"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
];
const CRD_KIND: (&str, &str) = ("apiextensions.k8s.io/v1", "CustomResourceDefinition");

pub async fn plan(client: &Client, include_crds: bool) -> Result<RemovalPlan, ClusterError> {
    let selector = format!("app.kubernetes.io/managed-by={MANAGED_BY}");
    let mut kinds: Vec<(&str, &str)> = KINDS.to_vec();
    if include_crds {
        kinds.push(CRD_KIND);
    }
    let mut handles = Vec::new();
    for (api_version, kind) in kinds {
        let Some((resource, _)) = resource_of(api_version, kind) else {
            continue;
        };
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
        let list = api
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(|e| ClusterError::from_kube(&e))?;
        for item in list.items {
            handles.push(json!({
                "apiVersion": api_version, "kind": kind,
                "metadata": {"name": item.metadata.name, "namespace": item.metadata.namespace},
            }));
        }
    }
    let canaries = count_canaries(client).await?;
    Ok(RemovalPlan {
        objects: handles.iter().map(describe).collect(),
        handles,
        canaries,
    })
}

async fn count_canaries(client: &Client) -> Result<usize, ClusterError> {
    let Some((resource, _)) = resource_of("flagger.app/v1beta1", "Canary") else {
        return Ok(0);
    };
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    match api.list(&ListParams::default()).await {
        Ok(list) => Ok(list.items.len()),
        // No Canary CRD: no Canaries.
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(0),
        Err(e) => Err(ClusterError::from_kube(&e)),
    }
}

/// Deletes the planned objects; an object already gone counts as deleted.
pub async fn execute(client: &Client, plan: &RemovalPlan) -> Result<usize, ClusterError> {
    let mut deleted = 0;
    for obj in &plan.handles {
        let api = api_for(client, obj)?;
        let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
        match api.delete(name, &DeleteParams::background()).await {
            Ok(_) => deleted += 1,
            Err(kube::Error::Api(s)) if s.code == 404 => deleted += 1,
            Err(e) => return Err(ClusterError::from_kube(&e).with_object(&describe(obj))),
        }
    }
    Ok(deleted)
}
