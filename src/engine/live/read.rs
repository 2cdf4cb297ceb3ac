//! One read of every cluster's canaries and their events (for `status`, `list`, `get`, and
//! the plans of actions), and of the images `-o wide` and machine formats add.

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, DynamicObject, ListParams};

use super::hub;
use crate::flagger::routing::RouteKind;
use crate::fleet::apply::resource_of;
use crate::fleet::source::{Destination, FleetSource};
use crate::fleet::{ClusterError, Fleet};
use crate::model::canary::CanaryState;
use crate::model::fleet_state::FleetState;
use crate::model::update::{Scope, Update};
use crate::model::verdict::{hub_read_exit, members_read_exit};

/// Every routing object of the kinds Flagger's routers use, in the scope's namespace, per kind;
/// a kind the cluster does not serve (no such mesh) or the user may not list carries its error,
/// so a canary of that provider shows its routed weight as unknown and why.
async fn list_routes(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Vec<(RouteKind, Result<Vec<serde_json::Value>, String>)> {
    let kinds = RouteKind::ALL;
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

/// One read of the members' canaries in `scope`; a cluster that fails (unreachable, refused,
/// too slow for `timeout`) becomes a row with its error and never stops the others.
pub async fn read_once(source: &FleetSource, scope: &Scope, timeout: Duration) -> FleetState {
    let mut state = read_members(&source.members, scope, timeout).await;
    state.kurator_members = source.hub().is_some();
    state
}

/// [`read_once`] of a bare fleet (a wave, a subset).
pub async fn read_members(fleet: &Fleet, scope: &Scope, timeout: Duration) -> FleetState {
    let clusters = fleet.clusters.iter().map(|c| c.target.context.clone()).collect();
    let mut state = FleetState::new(clusters, scope.namespace.clone(), scope.name.clone()).reading_workloads();
    let outcomes = fleet
        .fan_out(timeout, |client, _| async move { read_cluster(&client, scope).await })
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

/// One cluster's canaries, their events and the routing objects, as listed.
struct Listed {
    canaries: Vec<DynamicObject>,
    events: Vec<DynamicObject>,
    /// The namespace's Deployments (empty when they could not be listed).
    workloads: Vec<DynamicObject>,
    routes: Vec<(RouteKind, Result<Vec<serde_json::Value>, String>)>,
}

impl Listed {
    /// The updates a watch's initial list would give, routes first (a canary's row reads its
    /// routed weight from them), ending with the cluster listed.
    fn into_updates(self, cluster: usize) -> Vec<Update> {
        let mut updates = Vec::new();
        for (kind, list) in self.routes {
            match list {
                Ok(objects) => {
                    updates.extend(
                        objects
                            .into_iter()
                            .map(|object| Update::Route { cluster, kind, object }),
                    );
                }
                Err(error) => updates.push(Update::RoutesFailed { cluster, kind, error }),
            }
        }
        let value = |o: DynamicObject| serde_json::to_value(o).unwrap_or_default();
        updates.extend(self.canaries.into_iter().map(|c| Update::Canary {
            cluster,
            object: value(c),
        }));
        updates.extend(self.events.into_iter().map(|e| Update::EventListed {
            cluster,
            object: value(e),
        }));
        updates.extend(self.workloads.into_iter().map(|d| Update::Workload {
            cluster,
            object: value(d),
        }));
        updates.push(Update::WorkloadsListed { cluster });
        updates.push(Update::Listed { cluster });
        updates
    }
}

async fn read_cluster(client: &kube::Client, scope: &Scope) -> Result<Listed, ClusterError> {
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
    let workload_api = api("apps/v1", "Deployment")?;
    let event_params = ListParams::default().fields(&fields);
    // The canaries, their events and every provider's routing objects are read at once:
    // which provider a canary uses is known only after the list, and a second round trip
    // would double the command's latency.
    let all = ListParams::default();
    let (canaries, events, workloads, routes) = futures::join!(
        canary_api.list(&params),
        event_api.list(&event_params),
        workload_api.list(&all),
        list_routes(client, scope.namespace.as_deref()),
    );
    let canaries = match canaries {
        Ok(list) => list.items,
        Err(kube::Error::Api(s)) if s.code == 404 => {
            return Err(ClusterError::Other(super::NO_CANARY_CRD.into()));
        }
        Err(e) => return Err(ClusterError::from_kube(&e)),
    };
    Ok(Listed {
        canaries,
        // Events only add messages; a cluster that will not list them still has rows.
        events: events.map(|l| l.items).unwrap_or_default(),
        // Deployments only tell a pending revision; a cluster that will not list them still has
        // rows, shown as Flagger's status says.
        workloads: workloads.map(|l| l.items).unwrap_or_default(),
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
/// fills from every member. With `images`, each row gets its primary and canary images from the
/// members.
pub async fn read_status(
    source: &FleetSource,
    scope: &Scope,
    query: &hub::HubQuery,
    timeout: Duration,
    images: bool,
) -> anyhow::Result<Reading> {
    let mut reading = match source.status_origin() {
        Destination::Hub(hub) => {
            hub::refuse_labels(scope)?;
            Reading {
                rows: hub::read_applications(hub, query, &source.members, timeout).await?,
                from_members: false,
            }
        }
        Destination::Members => {
            super::only_under_a_fleet(query)?;
            Reading {
                rows: read_once(source, scope, timeout).await.rows(),
                from_members: true,
            }
        }
    };
    if images {
        fill_images(&source.members, &mut reading.rows, timeout).await;
    }
    Ok(reading)
}

/// Reads the images of each canary's primary and target Deployments; a cluster that cannot be
/// read keeps its rows without images.
pub async fn fill_images(fleet: &Fleet, rows: &mut [CanaryState], timeout: Duration) {
    let wanted: Vec<(String, String, String)> = rows
        .iter()
        .filter(|r| r.error.is_none())
        .map(|r| (r.cluster.clone(), r.namespace.clone(), r.target.clone()))
        .collect();
    if wanted.is_empty() {
        return;
    }
    let outcomes = fleet
        .fan_out(timeout, |client, target| {
            let wanted: Vec<(String, String)> = wanted
                .iter()
                .filter(|(c, _, _)| c == &target.context)
                .map(|(_, ns, t)| (ns.clone(), t.clone()))
                .collect();
            async move {
                let mut found = Vec::new();
                for (ns, t) in wanted {
                    let api: Api<Deployment> = Api::namespaced(client.clone(), &ns);
                    let image = |d: Option<Deployment>| {
                        d.and_then(|d| d.spec?.template.spec?.containers.first()?.image.clone())
                    };
                    let primary = image(api.get_opt(&format!("{t}-primary")).await.ok().flatten());
                    let canary = image(api.get_opt(&t).await.ok().flatten());
                    found.push((ns, t, primary, canary));
                }
                Ok::<_, ClusterError>(found)
            }
        })
        .await;
    for o in outcomes {
        for (ns, t, primary, canary) in o.result.unwrap_or_default() {
            for r in rows
                .iter_mut()
                .filter(|r| r.cluster == o.target.context && r.namespace == ns && r.target == t)
            {
                r.primary_image = primary.clone();
                r.canary_image = canary.clone();
            }
        }
    }
}
