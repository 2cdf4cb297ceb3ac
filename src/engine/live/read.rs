//! One read of every cluster's canaries and their events (for `status`, `list`, `get`, and
//! the plans of actions), and of the images `-o wide` and machine formats add.

use std::time::Duration;

use kube::api::{Api, ListParams};
use serde_json::Value;

use super::hub;
use super::kept::Kept;
use crate::flagger::routing::RouteKind;
use crate::fleet::source::{Destination, FleetSource};
use crate::fleet::{ClusterError, Fleet};
use crate::model::canary::CanaryState;
use crate::model::event::Event;
use crate::model::fleet_state::FleetState;
use crate::model::update::{NamedWorkload, Scope, Update};
use crate::model::verdict::{hub_read_exit, members_read_exit};

/// Every routing object of the kinds Flagger's routers use, in the scope's namespace, per kind;
/// a kind the cluster does not serve (no such mesh) or the user may not list carries its error,
/// so a canary of that provider shows its routed weight as unknown and why. Each object is
/// kept as [`crate::flagger::routing::kept_of`] keeps it, as it arrives.
async fn list_routes(client: &kube::Client, namespace: Option<&str>) -> Vec<(RouteKind, Result<Vec<Value>, String>)> {
    let kinds = RouteKind::ALL;
    let lists = futures::future::join_all(kinds.iter().map(|kind| {
        let api = super::members::route_api(client.clone(), *kind, namespace);
        async move { api.list(&ListParams::default()).await }
    }))
    .await;
    kinds
        .iter()
        .zip(lists)
        .map(|(kind, list)| {
            let list = list
                .map(|l| {
                    let kept = |object: Kept| crate::flagger::routing::kept_of(*kind, object.into_value());
                    l.items.into_iter().map(kept).collect()
                })
                .map_err(|e| ClusterError::from_kube(&e).to_string());
            (*kind, list)
        })
        .collect()
}

/// One read of the members' canaries in `scope`; a cluster that fails (unreachable, refused,
/// too slow for `timeout`) becomes a row with its error and never stops the others.
pub async fn read_once(source: &FleetSource, scope: &Scope, timeout: Duration) -> FleetState {
    let mut state = read_members(&source.members, scope, timeout, Wanted::Everything).await;
    state.kurator_members = source.hub().is_some();
    state
}

/// The canaries alone, each cluster asked once (a plan decides from the Canary objects, and
/// needs none of their events, Deployments or routing objects).
pub async fn read_canaries(fleet: &Fleet, scope: &Scope, timeout: Duration) -> FleetState {
    read_members(fleet, scope, timeout, Wanted::Canaries).await
}

/// What a read asks each cluster for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wanted {
    Canaries,
    /// The canaries, their events, the Deployments and the routing objects.
    Everything,
}

async fn read_members(fleet: &Fleet, scope: &Scope, timeout: Duration, wanted: Wanted) -> FleetState {
    let clusters = fleet.clusters.iter().map(|c| c.target.context.clone()).collect();
    let mut state = FleetState::new(clusters, scope.namespace.clone(), scope.name.clone());
    if wanted == Wanted::Everything {
        state = state.reading_workloads();
    }
    let outcomes = fleet
        .fan_out(timeout, |client, _| async move {
            read_cluster(&client, scope, wanted).await
        })
        .await;
    for (index, outcome) in outcomes.into_iter().enumerate() {
        match outcome.result {
            Ok(listed) => {
                for update in listed.into_updates(index) {
                    state.apply(update);
                }
            }
            Err(error) => state.apply(Update::Failed { cluster: index, error }),
        }
    }
    state
}

/// What rows need of one cluster's canaries, their events, its Deployments and its routing
/// objects, as listed. Made as each cluster answers, so a thousand clusters' lists are never
/// held whole at once: until every cluster had answered, their full Events and Deployments
/// (a quarter of a megabyte a cluster as JSON maps) made most of a one-shot read's memory and
/// a good part of its time.
struct Listed {
    canaries: Vec<Value>,
    events: Vec<Event>,
    /// The namespace's Deployments (empty when they could not be listed).
    workloads: Vec<NamedWorkload>,
    routes: Vec<(RouteKind, Result<Vec<Value>, String>)>,
}

impl Listed {
    /// The updates a watch's initial list would give, routes first (a canary's row reads its
    /// routed weight from them), ending with the cluster listed.
    fn into_updates(self, cluster: usize) -> Vec<Update> {
        let mut updates = Vec::new();
        for (kind, list) in self.routes {
            match list {
                Ok(objects) => {
                    // Already what is kept of them (`list_routes`).
                    updates.extend(objects.into_iter().map(|object| Update::Route {
                        cluster,
                        kind,
                        object: object.into(),
                    }));
                }
                Err(error) => updates.push(Update::RoutesFailed { cluster, kind, error }),
            }
        }
        updates.extend(self.canaries.into_iter().map(|c| Update::Canary {
            cluster,
            object: c.into(),
        }));
        updates.extend(self.events.into_iter().map(|e| Update::EventListed {
            cluster,
            event: e.into(),
        }));
        updates.extend(self.workloads.into_iter().map(|w| w.into_update(cluster)));
        updates.push(Update::WorkloadsListed { cluster });
        updates.push(Update::Listed { cluster });
        updates
    }
}

async fn read_cluster(client: &kube::Client, scope: &Scope, wanted: Wanted) -> Result<Listed, ClusterError> {
    let api = |version: &str, kind: &str| -> Result<Api<Kept>, ClusterError> {
        super::members::api(client.clone(), version, kind, scope.namespace.as_deref())
            .ok_or_else(|| ClusterError::Other(format!("unknown kind {kind}")))
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
    let workload_api = api("apps/v1", "Deployment")?;
    let event_params = ListParams::default().fields(&fields);
    // The canaries, their events, the Deployments and every provider's routing objects are
    // read at once: which provider a canary uses, and which Deployments are its target and
    // primary, are known only after the list, and a second round trip would double the
    // command's latency.
    let all = ListParams::default();
    let everything = wanted == Wanted::Everything;
    let (canaries, events, workloads, routes) = futures::join!(
        canary_api.list(&params),
        async {
            if everything {
                Some(event_api.list(&event_params).await)
            } else {
                None
            }
        },
        async {
            if everything {
                Some(workload_api.list(&all).await)
            } else {
                None
            }
        },
        async {
            if everything {
                list_routes(client, scope.namespace.as_deref()).await
            } else {
                Vec::new()
            }
        },
    );
    let canaries = match canaries {
        Ok(list) => list.items,
        Err(kube::Error::Api(s)) if s.code == 404 => {
            return Err(ClusterError::Other(super::NO_CANARY_CRD.into()));
        }
        Err(e) => return Err(ClusterError::from_kube(&e)),
    };
    let events = events.and_then(Result::ok).map(|l| l.items).unwrap_or_default();
    let workloads = workloads.and_then(Result::ok).map(|l| l.items).unwrap_or_default();
    Ok(Listed {
        canaries: canaries.into_iter().map(Kept::into_value).collect(),
        // Events only add messages; a cluster that will not list them still has rows.
        events: events.into_iter().filter_map(Kept::into_event_or_warn).collect(),
        // Deployments only tell a pending revision and the images; a cluster that will not list
        // them still has rows, shown as Flagger's status says.
        workloads: workloads
            .into_iter()
            .map(|d| NamedWorkload::of(&d.into_value()))
            .collect(),
        routes,
    })
}

/// What `status` (without `--watch`) read, and where from.
pub struct Reading {
    pub rows: Vec<CanaryState>,
    /// The rows come from the members' Canaries (messages and errors per cluster), not from
    /// the hub's summary of them.
    pub from_members: bool,
}

impl Reading {
    /// The exit code of this reading (see [`members_read_exit`], [`hub_read_exit`]).
    pub fn exit(&self, named: bool) -> crate::exit::Exit {
        if self.from_members {
            members_read_exit(&self.rows, named)
        } else {
            hub_read_exit(&self.rows)
        }
    }
}

/// What `status [NAME]` shows once: the members' canaries in `scope`, or under a Kurator Fleet
/// the rollouts of the hub's Applications that `query` addresses, which Kurator's fleet manager
/// fills from every member. Each row carries its primary and canary images, from the
/// Deployments read with it (`-o wide` and the machine formats show them).
pub async fn read_status(
    source: &FleetSource,
    scope: &Scope,
    query: &hub::HubQuery,
    timeout: Duration,
) -> anyhow::Result<Reading> {
    match source.status_origin() {
        Destination::Hub(hub) => {
            hub::refuse_labels(scope)?;
            Ok(Reading {
                rows: hub::read_applications(hub, query, &source.members, timeout).await?,
                from_members: false,
            })
        }
        Destination::Members => {
            super::only_under_a_fleet(query)?;
            let state = read_once(source, scope, timeout).await;
            Ok(Reading {
                rows: state.rows(),
                from_members: true,
            })
        }
    }
}
