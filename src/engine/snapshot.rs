//! One read of every cluster's canaries and their events (for `status`, `list`, `get`).

use kube::api::{Api, DynamicObject, ListParams};

use super::watch::{Scope, Update};
use crate::flagger::routing::RouteKind;
use crate::fleet::apply::resource_of;
use crate::fleet::{ClusterError, Fleet};
use crate::model::fleet_state::FleetState;

/// Every routing object of the kinds Flagger's routers use, in the scope's namespace, per kind;
/// a kind the cluster does not serve (no such mesh) or the user may not list carries its error,
/// so a canary of that provider shows its routed weight as unknown and why.
async fn list_routes(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Vec<(RouteKind, Result<Vec<serde_json::Value>, String>)> {
    let kinds = [
        RouteKind::VirtualService,
        RouteKind::CanaryIngress,
        RouteKind::HttpRoute("v1"),
        RouteKind::TrafficRoute,
    ];
    let lists = futures::future::join_all(kinds.iter().map(|kind| {
        let (resource, namespaced) = kind.resource();
        let api: Api<DynamicObject> = match (namespace, namespaced) {
            (Some(ns), true) => Api::namespaced_with(client.clone(), ns, &resource),
            _ => Api::all_with(client.clone(), &resource),
        };
        async move { api.list(&ListParams::default()).await }
    }))
    .await;
    kinds
        .iter()
        .zip(lists)
        .map(|(kind, list)| {
            let list = list
                .map(|l| {
                    l.items
                        .into_iter()
                        .map(|o| serde_json::to_value(o).unwrap_or_default())
                        .collect()
                })
                .map_err(|e| ClusterError::from_kube(&e).to_string());
            (*kind, list)
        })
        .collect()
}

pub async fn snapshot(fleet: &Fleet, scope: &Scope, timeout: std::time::Duration) -> FleetState {
    let clusters = fleet.clusters.iter().map(|c| c.target.context.clone()).collect();
    let mut state = FleetState::new(clusters, scope.namespace.clone(), scope.name.clone());
    let outcomes = fleet
        .fan_out(timeout, |client, _| async move {
            let api = |version: &str, kind: &str| -> Result<Api<DynamicObject>, ClusterError> {
                let (resource, _) =
                    resource_of(version, kind).ok_or_else(|| ClusterError::Other(format!("unknown kind {kind}")))?;
                Ok(match &scope.namespace {
                    Some(ns) => Api::namespaced_with(client.clone(), ns, &resource),
                    None => Api::all_with(client.clone(), &resource),
                })
            };
            let mut params = ListParams::default();
            if let Some(name) = &scope.name {
                params = params.fields(&format!("metadata.name={name}"));
            }
            if let Some(labels) = &scope.labels {
                params = params.labels(labels);
            }
            let mut fields = "involvedObject.kind=Canary".to_string();
            if let Some(name) = &scope.name {
                fields.push_str(&format!(",involvedObject.name={name}"));
            }
            let canary_api = api("flagger.app/v1beta1", "Canary")?;
            let event_api = api("v1", "Event")?;
            let event_params = ListParams::default().fields(&fields);
            // The canaries, their events and every provider's routing objects are read at
            // once: which provider a canary uses is known only after the list, and a second
            // round trip would double the command's latency.
            let (canaries, events, routes) = futures::join!(
                canary_api.list(&params),
                event_api.list(&event_params),
                list_routes(&client, scope.namespace.as_deref()),
            );
            let canaries = match canaries {
                Ok(list) => list.items,
                Err(kube::Error::Api(s)) if s.code == 404 => {
                    return Err(ClusterError::Other(
                        "the Canary CRD is not installed; run kubectl kurator-rollout install".into(),
                    ));
                }
                Err(e) => return Err(ClusterError::from_kube(&e)),
            };
            // Events only add messages; a cluster that will not list them still has rows.
            let events = events.map(|l| l.items).unwrap_or_default();
            Ok((canaries, events, routes))
        })
        .await;
    for (index, outcome) in outcomes.into_iter().enumerate() {
        match outcome.result {
            Ok((canaries, events, routes)) => {
                for (kind, list) in routes {
                    match list {
                        Ok(objects) => {
                            for object in objects {
                                state.apply(Update::Route {
                                    cluster: index,
                                    kind,
                                    object,
                                });
                            }
                        }
                        Err(error) => state.apply(Update::RoutesFailed {
                            cluster: index,
                            kind,
                            error,
                        }),
                    }
                }
                for c in canaries {
                    state.apply(Update::Canary {
                        cluster: index,
                        object: serde_json::to_value(c).unwrap_or_default(),
                    });
                }
                for e in events {
                    state.apply(Update::EventListed {
                        cluster: index,
                        object: serde_json::to_value(e).unwrap_or_default(),
                    });
                }
                state.apply(Update::Listed { cluster: index });
            }
            Err(error) => state.apply(Update::Failed { cluster: index, error }),
        }
    }
    state
}
