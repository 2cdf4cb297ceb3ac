//! Watching the members: Canaries and their Flagger events in every cluster at once: one watch stream per
//! cluster and kind, scoped by namespace, name and labels; kube's watcher resumes from the last
//! resourceVersion after a dropped stream and relists after 410, with backoff on errors.

use std::sync::Arc;

use futures::StreamExt;
use kube::api::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use serde_json::Value;
use tokio::sync::mpsc;

use super::kept::Kept;
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
        let mut canary_config = watcher::Config::default();
        if let Some(name) = &scope.name {
            canary_config = canary_config.fields(&format!("metadata.name={name}"));
        }
        if let Some(labels) = &scope.labels {
            canary_config = canary_config.labels(labels);
        }
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
            tokio::spawn(pump_canaries(cluster, canaries, canary_config, routes, tx.clone()));
        }
        if let Some(deployments) = api(client.clone(), "apps/v1", "Deployment", ns) {
            tokio::spawn(pump_workloads(cluster, deployments, tx.clone()));
        }
        if let Some(events) = api(client, "v1", "Event", ns) {
            tokio::spawn(pump_events(
                cluster,
                events,
                watcher::Config::default().fields(&event_fields),
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

async fn pump_canaries(
    cluster: usize,
    api: Api<Kept>,
    config: watcher::Config,
    mut routes: RouteWatches,
    tx: mpsc::Sender<Update>,
) {
    let mut stream = watcher::watcher(api, config).default_backoff().boxed();
    while let Some(item) = next_unless_closed(&mut stream, &tx).await {
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
    let mut stream = watcher::watcher(api, watcher::Config::default())
        .default_backoff()
        .boxed();
    while let Some(item) = next_unless_closed(&mut stream, &tx).await {
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
async fn pump_events(cluster: usize, api: Api<Kept>, config: watcher::Config, tx: mpsc::Sender<Update>) {
    let mut stream = watcher::watcher(api, config).default_backoff().boxed();
    while let Some(item) = next_unless_closed(&mut stream, &tx).await {
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
    // Pause before a restarted watch relists, doubled while restarts keep failing and reset
    // once a relist completes (a production retry delay, not synchronisation).
    let mut pause = std::time::Duration::from_millis(500);
    loop {
        let mut stream = watcher::watcher(api.clone(), watcher::Config::default())
            .default_backoff()
            .boxed();
        while let Some(item) = next_unless_closed(&mut stream, &tx).await {
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
                Ok(Event::InitDone) => {
                    pause = std::time::Duration::from_millis(500);
                    continue;
                }
                // A failed read: the weights held may be stale from now on, so they become
                // unknown until read again.
                Err(e) => {
                    let failed = Update::RoutesFailed {
                        cluster,
                        kind,
                        error: watch_error(&e).to_string(),
                    };
                    if tx.send(failed).await.is_err() {
                        return;
                    }
                    // A failed initial list is retried as a list (ending in Init). Any other
                    // error resumes the watch from its resourceVersion without a relist
                    // (kube-runtime watcher.rs, step_trampolined), which would never re-read
                    // the objects just dropped: restart the watcher so it relists.
                    if matches!(e, watcher::Error::InitialListFailed(_)) {
                        continue;
                    }
                    break;
                }
            };
            if tx.send(update).await.is_err() {
                return;
            }
        }
        if tx.is_closed() {
            return;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(std::time::Duration::from_secs(30));
    }
}

/// The stream's next item, or None once it ends or no one listens any more (the watch was
/// dropped: its connection closes now, not at the next change it would have carried).
pub(super) async fn next_unless_closed<S: futures::Stream + Unpin, T>(
    stream: &mut S,
    tx: &mpsc::Sender<T>,
) -> Option<S::Item> {
    tokio::select! {
        item = stream.next() => item,
        _ = tx.closed() => None,
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
