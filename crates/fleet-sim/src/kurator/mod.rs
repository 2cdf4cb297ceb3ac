//! A Kurator hub, simulated: the Fleet, AttachedCluster and Application CRDs, and a Fleet whose
//! members' kubeconfigs live in Secrets on the hub (the way Kurator users reach their clusters).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::cluster::SimCluster;
use crate::error::ApiError;
use crate::playground::{KubeconfigEntry, kubeconfig};
use apimachinery::to_yaml;

pub mod application;
pub mod flux;
pub mod render;

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
    for c in kurator_crds().into_iter().chain(flux::flux_crds()) {
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

/// Kurator's requeue after a successful Application reconcile (`StatusSyncInterval`,
/// rollout_helper.go): the Canary status reaches the hub at most this late, in simulated time.
pub const STATUS_SYNC_INTERVAL: Duration = Duration::from_secs(30);
/// `fleetmanager.RequeueAfter`: a Fleet or cluster object not found yet.
pub const REQUEUE_AFTER: Duration = Duration::from_secs(5);
/// controller-runtime's per-item exponential failure backoff (workqueue
/// `DefaultControllerRateLimiter`: 5 ms doubling up to 1000 s).
const BACKOFF_BASE: Duration = Duration::from_millis(5);
const BACKOFF_MAX: Duration = Duration::from_secs(1000);
/// How often the simulated fleet manager looks for work (real time).
const TICK: Duration = Duration::from_millis(50);

/// Kurator's fleet manager, simulated with code of its own (no renderer or installer of the
/// plugin): the Fleet plugin writes Flux HelmRepositories/HelmReleases on the hub and a
/// simulated Flux helm-controller installs them into the members ([`flux`]); the Application
/// controller renders rollouts by Kurator's rules ([`render`], [`application`]) and mirrors
/// member Canary status into `Application.status` every 30 simulated seconds (`speed` times
/// faster than real time, as the members' simulated Flagger).
pub fn start_fleet_manager(hub: SimCluster, members: Vec<SimCluster>, speed: f64) -> tokio::task::JoinHandle<()> {
    // Kurator's fleet manager writes into the hub and the members under its own manager.
    let hub = hub.as_manager("kurator");
    let members: Vec<SimCluster> = members.iter().map(|m| m.as_manager("kurator")).collect();
    tokio::spawn(async move {
        let mut manager = FleetManager::new(hub, members, speed);
        loop {
            manager.step(Instant::now());
            tokio::time::sleep(TICK).await;
        }
    })
}

struct AppState {
    seen_resource_version: String,
    due: Instant,
    backoff: Duration,
}

/// The fleet manager's state between passes (per Application: when it is due again).
pub struct FleetManager {
    hub: SimCluster,
    members: Vec<SimCluster>,
    speed: f64,
    apps: HashMap<(String, String), AppState>,
    /// The last error of each Application's reconcile (Kurator logs it), for tests.
    pub errors: HashMap<(String, String), String>,
}

/// Kurator's destination `clusterSelector.matchLabels`: every pair must be among the member's
/// labels; no selector selects every member.
pub fn selector_matches(match_labels: &Value, labels: &Value) -> bool {
    match match_labels.as_object() {
        None => true,
        Some(wanted) => wanted.iter().all(|(k, v)| labels.get(k) == Some(v)),
    }
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

impl FleetManager {
    pub fn new(hub: SimCluster, members: Vec<SimCluster>, speed: f64) -> FleetManager {
        FleetManager {
            hub,
            members,
            speed: speed.max(0.001),
            apps: HashMap::new(),
            errors: HashMap::new(),
        }
    }

    fn scaled(&self, d: Duration) -> Duration {
        d.div_f64(self.speed)
    }

    /// One pass: the Fleet plugin, Flux, then every Application that changed or is due
    /// (controller-runtime reconciles on every Application event, then after the requeue).
    pub fn step(&mut self, now: Instant) {
        for fleet in self.hub.list("fleet.kurator.dev", "fleets", None) {
            flux::fleet_plugin_pass(&self.hub, &fleet);
        }
        flux::helm_controller_pass(&self.hub, &self.members);
        let apps = self.hub.list("apps.kurator.dev", "applications", None);
        let keys: Vec<(String, String)> = apps
            .iter()
            .map(|a| {
                (
                    text(a, "/metadata/namespace").to_string(),
                    text(a, "/metadata/name").to_string(),
                )
            })
            .collect();
        self.apps.retain(|k, _| keys.contains(k));
        for (app, key) in apps.iter().zip(keys) {
            let rv = text(app, "/metadata/resourceVersion").to_string();
            let state = self.apps.entry(key.clone()).or_insert(AppState {
                seen_resource_version: String::new(),
                due: now,
                backoff: Duration::ZERO,
            });
            if state.seen_resource_version == rv && now < state.due {
                continue;
            }
            state.seen_resource_version = rv;
            match reconcile_application(&self.hub, &self.members, app) {
                Ok(requeue) => {
                    let due = now + requeue.div_f64(self.speed);
                    if let Some(s) = self.apps.get_mut(&key) {
                        s.due = due;
                        s.backoff = Duration::ZERO;
                    }
                    self.errors.remove(&key);
                }
                Err(e) => {
                    let backoff = match self.apps.get(&key).map(|s| s.backoff) {
                        Some(b) if !b.is_zero() => (b * 2).min(BACKOFF_MAX),
                        _ => BACKOFF_BASE,
                    };
                    let due = now + self.scaled(backoff);
                    if let Some(s) = self.apps.get_mut(&key) {
                        s.due = due;
                        s.backoff = backoff;
                    }
                    self.errors.insert(key, e);
                }
            }
        }
    }
}

/// `fetchRolloutClusters` / `fetchFleetClusterList` (helper.go): the Fleet's clusters whose
/// labels match the policy's (else the Application's) destination selector, each reached through
/// its kubeconfig Secret. [quirk] a cluster object not found yet yields no destinations at all
/// (a requeue that the caller drops), not an error.
fn destinations<'a>(
    hub: &SimCluster,
    members: &'a [SimCluster],
    app: &Value,
    policy: &Value,
    fleet: &Value,
) -> Result<Vec<application::Destination<'a>>, String> {
    let selector = policy
        .pointer("/destination")
        .filter(|d| !d.is_null())
        .or_else(|| app.pointer("/spec/destination"))
        .and_then(|d| d.pointer("/clusterSelector/matchLabels"))
        .cloned()
        .unwrap_or(Value::Null);
    let fleet_ns = text(fleet, "/metadata/namespace");
    let mut out = Vec::new();
    for c in fleet
        .pointer("/spec/clusters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kind = text(c, "/kind");
        let (plural, secret_path) = match kind {
            "AttachedCluster" => ("attachedclusters", "/spec/kubeconfig"),
            "Cluster" => ("clusters", "/spec/credential/secretRef"),
            _ => continue,
        };
        let Some(cluster) = hub.get("cluster.kurator.dev", plural, Some(fleet_ns), text(c, "/name")) else {
            return Ok(Vec::new());
        };
        let labels = cluster.pointer("/metadata/labels").cloned().unwrap_or(Value::Null);
        if !selector_matches(&selector, &labels) {
            continue;
        }
        let name = text(&cluster, "/metadata/name").to_string();
        let secret = match text(&cluster, &format!("{secret_path}/name")) {
            "" => name.clone(),
            s => s.to_string(),
        };
        let key = match text(&cluster, &format!("{secret_path}/key")) {
            "" => "value".to_string(),
            k => k.to_string(),
        };
        let member = flux::member_of(hub, members, fleet_ns, &secret, &key)?;
        out.push(application::Destination {
            kind: kind.to_string(),
            name,
            cluster: member,
        });
    }
    Ok(out)
}

/// One Application reconcile (controller.go `Reconcile` → `reconcile` → `reconcileStatus`), as
/// far as rollouts go: sync every rollout policy, then, only if all of that succeeded, the
/// status of every member's Canary. Returns the requeue delay (simulated time).
pub fn reconcile_application(hub: &SimCluster, members: &[SimCluster], app: &Value) -> Result<Duration, String> {
    let ns = text(app, "/metadata/namespace").to_string();
    let name = text(app, "/metadata/name").to_string();
    let finalizers: Vec<Value> = app
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let has_finalizer = finalizers.iter().any(|f| f == application::APPLICATION_FINALIZER);
    let set_finalizers = |f: Vec<Value>| {
        hub.patch(
            "apps.kurator.dev",
            "applications",
            Some(&ns),
            &name,
            crate::patch::PatchKind::Merge,
            &json!({"metadata": {"finalizers": f}}),
        )
        .map(|_| ())
        .map_err(|e| e.message)
    };
    let fleet_name = text(app, "/spec/destination/fleet");
    let fleet = if fleet_name.is_empty() {
        None
    } else {
        match hub.get("fleet.kurator.dev", "fleets", Some(&ns), fleet_name) {
            Some(f) => Some(f),
            None => return Ok(REQUEUE_AFTER),
        }
    };
    let policies = app
        .pointer("/spec/syncPolicies")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if app.pointer("/metadata/deletionTimestamp").is_some() {
        if let Some(fleet) = &fleet {
            for policy in &policies {
                let Some(rollout) = policy.get("rollout").filter(|r| !r.is_null()) else {
                    continue;
                };
                let dests = destinations(hub, members, app, policy, fleet)
                    .map_err(|e| format!("failed to fetch destination clusters when delete rollout resource: {e}"))?;
                application::delete_rollout(rollout, &dests)?;
            }
        }
        let rest: Vec<Value> = finalizers
            .into_iter()
            .filter(|f| f != application::APPLICATION_FINALIZER)
            .collect();
        set_finalizers(rest)?;
        return Ok(Duration::ZERO);
    }
    if !has_finalizer {
        let mut f = finalizers.clone();
        f.push(json!(application::APPLICATION_FINALIZER));
        set_finalizers(f)?;
    }
    // Without a fleet Kurator targets the host cluster itself, which is not simulated.
    let Some(fleet) = fleet else {
        return Ok(STATUS_SYNC_INTERVAL);
    };
    for (index, policy) in policies.iter().enumerate() {
        let Some(rollout) = policy.get("rollout").filter(|r| !r.is_null()) else {
            continue;
        };
        let policy_name = render::policy_name(app, index);
        let dests = destinations(hub, members, app, policy, &fleet)?;
        application::sync_rollout(rollout, &policy_name, &dests)
            .map_err(|e| format!("failed to syncRolloutPolicy: {e}"))?;
    }
    let mut sync_status: Vec<(String, Value)> = Vec::new();
    for (index, policy) in policies.iter().enumerate() {
        let Some(rollout) = policy.get("rollout").filter(|r| !r.is_null()) else {
            continue;
        };
        let policy_name = render::policy_name(app, index);
        let dests = destinations(hub, members, app, policy, &fleet)?;
        let statuses = application::rollout_status(rollout, &policy_name, &dests)
            .map_err(|e| format!("failed to reconcil rollout status: {e}"))?;
        for (key, status) in statuses {
            // mergeMap: the first policy to claim a name keeps it.
            if !sync_status.iter().any(|(k, _)| k == &key) {
                sync_status.push((key, status));
            }
        }
    }
    // One entry per Flux Kustomization of the policies (listed by name), carrying the rollout
    // status of the same name. The Kustomizations themselves are not simulated.
    sync_status.sort_by(|a, b| a.0.cmp(&b.0));
    let entries: Vec<Value> = sync_status
        .into_iter()
        .map(|(k, s)| json!({"name": k, "rolloutStatus": s}))
        .collect();
    if app.pointer("/status/syncStatus") != Some(&Value::Array(entries.clone())) {
        hub.patch_status(
            "apps.kurator.dev",
            "applications",
            Some(&ns),
            &name,
            &json!({"syncStatus": entries}),
        )
        .map_err(|e| format!("failed to patch application {ns}/{name}: {}", e.message))?;
    }
    Ok(STATUS_SYNC_INTERVAL)
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
