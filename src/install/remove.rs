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
    /// `namespace/name` of the Canaries carrying Flagger's finalizer (`revertOnDeletion`): with
    /// Flagger gone nothing would ever remove it, so deleting them (or their CRD) would hang.
    pub finalized: Vec<String>,
}

/// The finalizer Flagger puts on a Canary with `revertOnDeletion` (fluxcd/flagger
/// pkg/controller/finalizer.go, `finalizer`), and removes itself after reverting the target.
pub const FLAGGER_FINALIZER: &str = "finalizer.flagger.app";

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
    let (canaries, finalized) = list_canaries(client).await?;
    Ok(RemovalPlan {
        objects: handles.iter().map(describe).collect(),
        handles,
        canaries,
        finalized,
    })
}

/// How many Canaries exist, and which of them carry Flagger's finalizer.
async fn list_canaries(client: &Client) -> Result<(usize, Vec<String>), ClusterError> {
    let Some((resource, _)) = resource_of("flagger.app/v1beta1", "Canary") else {
        return Ok((0, Vec::new()));
    };
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    match api.list(&ListParams::default()).await {
        Ok(list) => {
            let finalized = list
                .items
                .iter()
                .filter(|c| {
                    c.metadata
                        .finalizers
                        .as_ref()
                        .is_some_and(|f| f.iter().any(|f| f == FLAGGER_FINALIZER))
                })
                .map(|c| {
                    format!(
                        "{}/{}",
                        c.metadata.namespace.as_deref().unwrap_or(""),
                        c.metadata.name.as_deref().unwrap_or("")
                    )
                })
                .collect();
            Ok((list.items.len(), finalized))
        }
        // No Canary CRD: no Canaries.
        Err(kube::Error::Api(s)) if s.code == 404 => Ok((0, Vec::new())),
        Err(e) => Err(ClusterError::from_kube(&e)),
    }
}

/// Takes Flagger's finalizer off a Canary before Flagger goes (with the read resourceVersion, so
/// a concurrent change is a conflict, not a lost write).
async fn release_finalizer(client: &Client, canary: &str) -> Result<(), ClusterError> {
    let Some((resource, _)) = resource_of("flagger.app/v1beta1", "Canary") else {
        return Ok(());
    };
    let (ns, name) = canary.split_once('/').unwrap_or(("", canary));
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &resource);
    let object = format!("Canary {canary}");
    let live = match api.get_opt(name).await {
        Ok(Some(live)) => live,
        Ok(None) => return Ok(()),
        Err(e) => return Err(ClusterError::from_kube(&e).with_object(&object)),
    };
    let rest: Vec<String> = live
        .metadata
        .finalizers
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f != FLAGGER_FINALIZER)
        .collect();
    let patch = json!({"metadata": {"finalizers": rest, "resourceVersion": live.metadata.resource_version}});
    api.patch(
        name,
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(&patch),
    )
    .await
    .map(|_| ())
    .map_err(|e| ClusterError::from_kube(&e).with_object(&object))
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
    // After Flagger's Deployment is gone: a running Flagger puts the finalizer back on every
    // sync of a Canary with revertOnDeletion (fluxcd/flagger pkg/controller/controller.go,
    // syncHandler → addFinalizer).
    for canary in &plan.finalized {
        release_finalizer(client, canary).await?;
    }
    Ok(deleted)
}
