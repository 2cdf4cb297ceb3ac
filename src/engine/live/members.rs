//! Watching the members: Canaries and their Flagger events in every cluster at once: one watch stream per
//! cluster and kind, scoped by namespace, name and labels ([`ListWatch`]: resumed from the last
//! resourceVersion after a dropped stream, relisted after 410, with backoff on errors).

use std::sync::Arc;

use kube::api::Api;
use kube::runtime::watcher::{self, Event};
use serde_json::Value;
use tokio::sync::mpsc;

use super::kept::Kept;
use super::list_watch::{ListWatch, Selectors};
use crate::flagger::routing::RouteKind;
use crate::fleet::apply::resource_of;
use crate::fleet::{ClusterError, Fleet};
use crate::model::update::{Scope, Update};

pub(super) fn api(client: kube::Client, api_version: &str, kind: &str, namespace: Option<&str>) -> Option<Api<Kept>> {
    let (resource, _) = resource_of(api_version, kind)?;
    Some(match namespace {
        Some(ns) => Api::namespaced_with(client, ns, &resource),
        None => Api::all_with(client, &resource),
    })
}

/// A routing kind's objects in `namespace`, or in every namespace when it is None or the kind
/// is cluster-scoped.
pub(super) fn route_api(client: kube::Client, kind: RouteKind, namespace: Option<&str>) -> Api<Kept> {
    let (resource, namespaced) = kind.resource();
    match (namespace, namespaced) {
        (Some(ns), true) => Api::namespaced_with(client, ns, &resource),
        _ => Api::all_with(client, &resource),
    }
}

/// Starts the watches; updates arrive on the returned channel until it is dropped.
pub fn watch(fleet: &Fleet, scope: &Scope) -> mpsc::Receiver<Update> {
    let (tx, rx) = mpsc::channel(1024);
    for (cluster, handle) in fleet.clusters.iter().enumerate() {
        let client = match &handle.client {
            Ok(c) => c.clone(),
            Err(e) => {
                let _ = tx.try_send(Update::Failed {
                    cluster,
                    error: e.clone(),
                });
                continue;
            }
        };
        let ns = scope.namespace.as_deref();
        let canary_selectors = Selectors {
            fields: scope.name.as_ref().map(|name| format!("metadata.name={name}")),
            labels: scope.labels.clone(),
        };
        let mut event_fields = "involvedObject.kind=Canary".to_string();
        if let Some(name) = &scope.name {
            event_fields.push_str(&format!(",involvedObject.name={name}"));
        }
        if let Some(canaries) = api(client.clone(), "flagger.app/v1beta1", "Canary", ns) {
            let routes = RouteWatches {
                client: client.clone(),
                namespace: scope.namespace.clone(),
                started: Vec::new(),
            };
            tokio::spawn(pump_canaries(
                cluster,
                ListWatch::new(canaries, canary_selectors),
                routes,
                tx.clone(),
            ));
        }
        if let Some(deployments) = api(client.clone(), "apps/v1", "Deployment", ns) {
            tokio::spawn(pump_workloads(cluster, deployments, tx.clone()));
        }
        if let Some(events) = api(client, "v1", "Event", ns) {
            tokio::spawn(pump_events(
                cluster,
                ListWatch::new(events, Selectors::fields(event_fields)),
                tx.clone(),
            ));
        }
    }
    rx
}

/// The routing-object watches of one cluster, started the first time a canary needs a kind
/// (so a cluster without a mesh is never asked for its objects).
struct RouteWatches {
    client: kube::Client,
    namespace: Option<String>,
    started: Vec<RouteKind>,
}

impl RouteWatches {
    fn need(&mut self, cluster: usize, canary: &Value, tx: &mpsc::Sender<Update>) {
        let Some(kind) = RouteKind::of(canary) else {
            return;
        };
        if self.started.contains(&kind) {
            return;
        }
        self.started.push(kind);
        let api = route_api(self.client.clone(), kind, self.namespace.as_deref());
        tokio::spawn(pump_routes(cluster, kind, api, tx.clone()));
    }
}

async fn pump_canaries(cluster: usize, mut watch: ListWatch<Kept>, mut routes: RouteWatches, tx: mpsc::Sender<Update>) {
    while let Some(item) = watch.next_unless_closed(&tx).await {
        let update = match item {
            Ok(Event::Apply(o)) | Ok(Event::InitApply(o)) => {
                let object = o.into_value();
                routes.need(cluster, &object, &tx);
                Update::Canary {
                    cluster,
                    object: object.into(),
                }
            }
            Ok(Event::Delete(o)) => Update::CanaryGone {
                cluster,
                namespace: o.namespace(),
                name: o.name(),
            },
            Ok(Event::InitDone) => Update::Listed { cluster },
            Ok(Event::Init) => continue,
            Err(e) => Update::Failed {
                cluster,
                error: watch_error(&e),
            },
        };
        if tx.send(update).await.is_err() {
            return;
        }
    }
}

/// Only the Deployments of `namespace` (all when None) in every member, for a state whose
/// canaries come from elsewhere (the Kurator hub): whether a new revision waits for Flagger.
/// A member without a client adds nothing (its rows are then shown as the hub says).
pub(super) fn watch_workloads(fleet: &Fleet, namespace: Option<&str>, tx: &mpsc::Sender<Update>) {
    for (cluster, handle) in fleet.clusters.iter().enumerate() {
        match handle
            .client
            .as_ref()
            .ok()
            .and_then(|c| api(c.clone(), "apps/v1", "Deployment", namespace))
        {
            Some(deployments) => {
                tokio::spawn(pump_workloads(cluster, deployments, tx.clone()));
            }
            None => {
                let _ = tx.try_send(Update::WorkloadsListed { cluster });
            }
        }
    }
}

/// The Deployments of the watched namespace (targets and primaries: whether a new revision
/// waits for Flagger, `model::pending`). Every one is watched, since which are targets is known
/// only from the canaries. A cluster that will not list them (RBAC) still completes: its rows
/// are then shown as Flagger's status says.
async fn pump_workloads(cluster: usize, api: Api<Kept>, tx: mpsc::Sender<Update>) {
    let mut watch = ListWatch::new(api, Selectors::default());
    while let Some(item) = watch.next_unless_closed(&tx).await {
        let update = match item {
            Ok(Event::Apply(o)) | Ok(Event::InitApply(o)) => Update::workload(cluster, &o.into_value()),
            Ok(Event::Delete(o)) => Update::WorkloadGone {
                cluster,
                namespace: o.namespace(),
                name: o.name(),
            },
            Ok(Event::InitDone) | Err(_) => Update::WorkloadsListed { cluster },
            Ok(Event::Init) => continue,
        };
        if tx.send(update).await.is_err() {
            return;
        }
    }
}

/// Flagger's Events: ADDED and MODIFIED both arrive as `Apply` (client-go's recorder PATCHes a
/// repeated event into the same Event with a higher count, and rewrites a combined Event's
/// message); `FleetState` keeps the newest version of each and the messages it carried.
async fn pump_events(cluster: usize, mut watch: ListWatch<Kept>, tx: mpsc::Sender<Update>) {
    while let Some(item) = watch.next_unless_closed(&tx).await {
        let (object, listed) = match item {
            Ok(Event::Apply(o)) => (o, false),
            Ok(Event::InitApply(o)) => (o, true),
            // Event errors are not worth a row: the canary stream reports the cluster's state.
            _ => continue,
        };
        let Some(event) = object.into_event_or_warn().map(Arc::new) else {
            continue;
        };
        let update = if listed {
            Update::EventListed { cluster, event }
        } else {
            Update::Event { cluster, event }
        };
        if tx.send(update).await.is_err() {
            return;
        }
    }
}

async fn pump_routes(cluster: usize, kind: RouteKind, api: Api<Kept>, tx: mpsc::Sender<Update>) {
    let mut watch = ListWatch::new(api, Selectors::default());
    while let Some(item) = watch.next_unless_closed(&tx).await {
        let update = match item {
            Ok(Event::Apply(o)) | Ok(Event::InitApply(o)) => Update::route(cluster, kind, o.into_value()),
            Ok(Event::Delete(o)) => Update::RouteGone {
                cluster,
                kind,
                namespace: o.namespace(),
                name: o.name(),
            },
            // A relist: objects deleted while the watch was down are not in it, so the held
            // ones are dropped and refilled from the list.
            Ok(Event::Init) => Update::RoutesRelisting { cluster, kind },
            Ok(Event::InitDone) => continue,
            // A failed read: the weights held may be stale from now on, so they become
            // unknown until read again. A failed list is retried as a list anyway; a watch
            // would otherwise be resumed from its resourceVersion, which never re-reads the
            // objects just dropped: it relists instead.
            Err(e) => {
                if !matches!(e, watcher::Error::InitialListFailed(_)) {
                    watch.relist();
                }
                Update::RoutesFailed {
                    cluster,
                    kind,
                    error: watch_error(&e).to_string(),
                }
            }
        };
        if tx.send(update).await.is_err() {
            return;
        }
    }
}

fn watch_error(e: &watcher::Error) -> ClusterError {
    match e {
        watcher::Error::InitialListFailed(k) | watcher::Error::WatchStartFailed(k) | watcher::Error::WatchFailed(k) => {
            ClusterError::from_kube(k)
        }
        watcher::Error::WatchError(status) if status.code == 404 => ClusterError::Other(super::NO_CANARY_CRD.into()),
        other => ClusterError::Other(crate::fleet::error::chain(other)),
    }
}
