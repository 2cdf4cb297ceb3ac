//! Removing what `install` created from one cluster: only objects carrying this tool's
//! `app.kubernetes.io/managed-by` label, never namespaces, and the CRDs only when asked.

use kube::Client;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::MANAGED_BY;
use crate::fleet::ClusterError;
use crate::fleet::apply::{api_for, describe, resource_of};

/// What removing Flagger from a cluster would delete, and what stands in the way.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
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
    /// Whether this plan removes the Flagger this tool installed (objects labelled
    /// `app.kubernetes.io/name=flagger` and managed by this tool). Only then is it this tool's
    /// business to take Flagger's finalizer off Canaries: a Flagger installed otherwise (Helm,
    /// Kurator) keeps running and keeps owning its finalizer.
    pub removes_flagger: bool,
    /// `(namespace, name)` of the Flagger Deployment this plan deletes, whose removal is waited
    /// for before any finalizer is released.
    pub flagger_deployment: Option<(String, String)>,
}

impl RemovalPlan {
    /// The Canaries whose Flagger finalizer executing this plan releases.
    pub fn releases(&self) -> &[String] {
        if self.removes_flagger { &self.finalized } else { &[] }
    }
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
    let mut removes_flagger = false;
    let mut flagger_deployment = None;
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
            let is_flagger = item
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("app.kubernetes.io/name"))
                .is_some_and(|n| n == "flagger");
            if is_flagger && kind != CRD_KIND.1 {
                removes_flagger = true;
                if kind == "Deployment" {
                    flagger_deployment = Some((
                        item.metadata.namespace.clone().unwrap_or_default(),
                        item.metadata.name.clone().unwrap_or_default(),
                    ));
                }
            }
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
        removes_flagger,
        flagger_deployment,
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

/// Deletes the planned objects; an object already gone counts as deleted. When the plan removes
/// this tool's Flagger, its Deployments go first; then, once Flagger's Deployment is gone
/// (watched, until `deadline`), Flagger's finalizer is taken off the Canaries, and read back;
/// only then go the rest (so a run cut off before the release still finds this tool's Flagger
/// objects, and a re-run releases the finalizers).
pub async fn execute(client: &Client, plan: &RemovalPlan, deadline: Instant) -> Result<usize, ClusterError> {
    let is_deployment = |obj: &&Value| obj["kind"] == "Deployment";
    let (first, rest): (Vec<&Value>, Vec<&Value>) = plan.handles.iter().partition(is_deployment);
    let mut deleted = delete_all(client, &first).await?;
    if plan.removes_flagger {
        if let Some((ns, name)) = &plan.flagger_deployment {
            wait_deployment_gone(client, ns, name, deadline).await?;
        }
        // Listed again: a Canary created since the plan was shown carries it too.
        let (_, finalized) = list_canaries(client).await?;
        for canary in &finalized {
            release_finalizer(client, canary).await?;
        }
        let held = still_finalized(client, &finalized).await?;
        if !held.is_empty() {
            return Err(ClusterError::Other(format!(
                "{FLAGGER_FINALIZER} is back on {} after it was taken off: another Flagger is running in this cluster; the objects other than Deployments were not deleted",
                held.join(", ")
            )));
        }
    }
    deleted += delete_all(client, &rest).await?;
    Ok(deleted)
}

async fn delete_all(client: &Client, objects: &[&Value]) -> Result<usize, ClusterError> {
    let mut deleted = 0;
    for obj in objects {
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

/// Waits (watching) until Flagger's Deployment no longer exists. A running Flagger puts the
/// finalizer back on every sync of a Canary with revertOnDeletion (fluxcd/flagger
/// pkg/controller/controller.go, syncHandler → addFinalizer), so releasing it earlier loses
/// the race. What can be observed is the Deployment's removal (a Deployment held by a
/// finalizer stays, with deletionTimestamp, until it is released).
async fn wait_deployment_gone(client: &Client, ns: &str, name: &str, deadline: Instant) -> Result<(), ClusterError> {
    let (resource, _) =
        resource_of("apps/v1", "Deployment").ok_or_else(|| ClusterError::Other("no Deployment kind".into()))?;
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &resource);
    let gone = |obj: Option<&DynamicObject>| obj.is_none();
    match tokio::time::timeout_at(deadline, kube::runtime::wait::await_condition(api, name, gone)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(ClusterError::Other(format!("watching Deployment {ns}/{name}: {e}"))),
        Err(_) => Err(ClusterError::NotReady(format!(
            "Deployment {ns}/{name} (Flagger) still exists; {FLAGGER_FINALIZER} was left on the Canaries: re-run uninstall once it is gone"
        ))),
    }
}

/// The Canaries of `canaries` that (still, or again) carry Flagger's finalizer.
async fn still_finalized(client: &Client, canaries: &[String]) -> Result<Vec<String>, ClusterError> {
    let Some((resource, _)) = resource_of("flagger.app/v1beta1", "Canary") else {
        return Ok(Vec::new());
    };
    let mut held = Vec::new();
    for canary in canaries {
        let (ns, name) = canary.split_once('/').unwrap_or(("", canary));
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &resource);
        let live = api
            .get_opt(name)
            .await
            .map_err(|e| ClusterError::from_kube(&e).with_object(&format!("Canary {canary}")))?;
        if live.is_some_and(|c| {
            c.metadata
                .finalizers
                .unwrap_or_default()
                .iter()
                .any(|f| f == FLAGGER_FINALIZER)
        }) {
            held.push(canary.clone());
        }
    }
    Ok(held)
}
