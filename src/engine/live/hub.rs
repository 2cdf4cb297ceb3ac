//! A rollout seen from the Kurator hub: the `Application`, whose
//! `status.syncStatus[].rolloutStatus` Kurator's fleet manager fills from every member, read
//! once or watched. Each change becomes the same `Update`s a member watch gives, so the live
//! view, the transition lines and the exit-code contract stay one code path.

use std::collections::{BTreeSet, HashMap, HashSet};

use std::time::Duration;

use kube::api::ListParams;
use kube::runtime::watcher::Event;
use serde_json::Value;
use tokio::sync::mpsc;

use super::list_watch::{ListWatch, Selectors};
use crate::exit::{Exit, ExitError};
use crate::flagger::routing::RouteKind;
use crate::fleet::source::Hub;
use crate::fleet::{ClusterError, Fleet};
use crate::kurator::rollouts::{MemberRollout, fleet_of, member_rollouts, rolled_out_canaries};
use crate::model::canary::CanaryState;
use crate::model::fleet_state::FleetState;
use crate::model::update::{NamedWorkload, Update};

/// A label selector picks Canaries by their labels on the members; the hub's Applications carry
/// none of them, so under the hub it would select nothing true: a usage error.
pub fn refuse_labels(scope: &crate::model::update::Scope) -> Result<(), ExitError> {
    match &scope.labels {
        Some(labels) => Err(ExitError::usage(format!(
            "-l {labels}: the hub's Applications carry no Canary labels; name the canary, or use list --fleet -l, which reads the members"
        ))),
        None => Ok(()),
    }
}

/// What `status` asks of the hub: an Application (TYPE/NAME form), or a Canary (plain NAME)
/// resolved to the one Application of the Fleet that rolls it out; the namespace only when
/// given (`-n`), since every rollout names its own.
#[derive(Debug, Clone, Default)]
pub struct HubQuery {
    pub application: Option<String>,
    pub canary: Option<String>,
    pub namespace: Option<String>,
}

impl HubQuery {
    /// Whether the query keeps this member rollout.
    fn keeps(&self, rollout: &MemberRollout) -> bool {
        self.canary.as_ref().is_none_or(|c| *c == rollout.name)
            && self.namespace.as_ref().is_none_or(|ns| *ns == rollout.namespace)
    }
}

/// Why rows seen from the hub carry no routed weight.
const ROUTES_NOT_READ: &str =
    "the hub carries the Canary's status only (list --fleet reads the members' routing objects)";

/// The updates that start a state seen from the hub: no routing object is read, so every
/// routed weight is unknown, and why.
pub(super) fn routes_not_read(clusters: usize) -> Vec<Update> {
    (0..clusters)
        .flat_map(|cluster| {
            RouteKind::ALL.iter().map(move |kind| Update::RoutesFailed {
                cluster,
                kind: *kind,
                error: ROUTES_NOT_READ.into(),
            })
        })
        .collect()
}

/// The one namespace every rollout of `apps` is in, if there is one (the members' Deployments
/// are then read there only, else in every namespace).
fn only_namespace(apps: &[Value]) -> Option<String> {
    let namespaces: BTreeSet<String> = apps
        .iter()
        .flat_map(rolled_out_canaries)
        .map(|(namespace, _)| namespace)
        .collect();
    match namespaces.len() {
        1 => namespaces.into_iter().next(),
        _ => None,
    }
}

/// A state of `apps`' member rollouts that `query` keeps, as the hub shows them (pure; the
/// members' Deployments, when read, are folded in after).
fn state_of(apps: &[Value], query: &HubQuery, clusters: &[String]) -> FleetState {
    let mut state = FleetState::new(clusters.to_vec(), None, None);
    state.kurator_members = true;
    for update in routes_not_read(clusters.len()) {
        state.apply(update);
    }
    for app in apps {
        for update in application_updates(app, query, clusters).1 {
            state.apply(update);
        }
    }
    for cluster in 0..clusters.len() {
        state.apply(Update::Listed { cluster });
    }
    state
}

/// A member rollout's row key: (member index, namespace, canary name).
type RolloutKey = (usize, String, String);

/// The updates one version of an Application gives for the rollouts `query` keeps, and the keys
/// of the rows it shows (pure). `clusters` are the member names in row order; a rollout on a
/// member outside them (another selector) gives nothing.
fn application_updates(app: &Value, query: &HubQuery, clusters: &[String]) -> (BTreeSet<RolloutKey>, Vec<Update>) {
    let mut keys = BTreeSet::new();
    let mut updates = Vec::new();
    for r in member_rollouts(app).into_iter().filter(|r| query.keeps(r)) {
        let Some(cluster) = clusters.iter().position(|c| *c == r.cluster) else {
            continue;
        };
        keys.insert((cluster, r.namespace.clone(), r.name.clone()));
        updates.push(match r.canary {
            Ok(object) => Update::Canary {
                cluster,
                object: object.into(),
            },
            // One rollout that cannot be told is its own row, as in the one-shot read
            // (`state_of`): the member's other rollouts are still known.
            Err(error) => Update::CanaryUnreadable {
                cluster,
                namespace: r.namespace,
                name: r.name,
                error,
            },
        });
    }
    (keys, updates)
}

/// The rows shown before and no longer there: gone.
fn gone(before: &BTreeSet<RolloutKey>, now: &BTreeSet<RolloutKey>) -> Vec<Update> {
    before
        .difference(now)
        .map(|(cluster, namespace, name)| Update::CanaryGone {
            cluster: *cluster,
            namespace: namespace.clone(),
            name: name.clone(),
        })
        .collect()
}

/// Watches the Application `name`, or every Application of the Fleet when None, and sends on
/// `tx` the updates of the rollouts `query` keeps; `clusters` are the member names in row order.
/// Members the hub does not report on yet stay empty rows until it does. A rollout that leaves
/// its Application, an Application that is deleted or leaves the Fleet, and one deleted while
/// the watch was down (found missing at the relist) take their rows with them.
pub fn watch_applications(
    hub: &Hub,
    name: Option<&str>,
    query: HubQuery,
    clusters: Vec<String>,
    tx: mpsc::Sender<Update>,
) {
    let api = crate::fleet::kurator::applications(&hub.client, &hub.namespace);
    let selectors = match name {
        Some(name) => Selectors::fields(format!("metadata.name={name}")),
        None => Selectors::default(),
    };
    let fleet = hub.fleet.clone();
    tokio::spawn(async move {
        let mut watch = ListWatch::new(api, selectors);
        // The rows each Application shows, and during a relist the Applications seen again.
        let mut shown: HashMap<String, BTreeSet<RolloutKey>> = HashMap::new();
        let mut relisted: Option<HashSet<String>> = None;
        while let Some(item) = watch.next_unless_closed(&tx).await {
            let updates: Vec<Update> = match item {
                Ok(Event::Apply(o)) | Ok(Event::InitApply(o)) => {
                    let app = serde_json::to_value(o).unwrap_or(Value::Null);
                    let app_name = app
                        .pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    if let Some(seen) = &mut relisted {
                        seen.insert(app_name.clone());
                    }
                    let (keys, mut updates) = if fleet_of(&app) == fleet {
                        application_updates(&app, &query, &clusters)
                    } else {
                        (BTreeSet::new(), Vec::new())
                    };
                    updates.extend(gone(&shown.remove(&app_name).unwrap_or_default(), &keys));
                    shown.insert(app_name, keys);
                    updates
                }
                Ok(Event::Delete(o)) => {
                    let app_name = o.metadata.name.clone().unwrap_or_default();
                    gone(&shown.remove(&app_name).unwrap_or_default(), &BTreeSet::new())
                }
                Ok(Event::Init) => {
                    relisted = Some(HashSet::new());
                    continue;
                }
                Ok(Event::InitDone) => {
                    let seen = relisted.take().unwrap_or_default();
                    let vanished: Vec<String> = shown.keys().filter(|a| !seen.contains(*a)).cloned().collect();
                    let mut updates: Vec<Update> = vanished
                        .iter()
                        .flat_map(|a| gone(&shown.remove(a).unwrap_or_default(), &BTreeSet::new()))
                        .collect();
                    updates.extend((0..clusters.len()).map(|cluster| Update::Listed { cluster }));
                    updates
                }
                Err(e) => {
                    let error = ClusterError::Other(format!("hub: {}", crate::fleet::error::chain(&e)));
                    (0..clusters.len())
                        .map(|cluster| Update::Failed {
                            cluster,
                            error: error.clone(),
                        })
                        .collect()
                }
            };
            for update in updates {
                if tx.send(update).await.is_err() {
                    return;
                }
            }
        }
    });
}

/// The Application `query` addresses, read from the hub: the one it names, else the one of
/// the Fleet that rolls out its canary; None when it names neither (every Application of the
/// Fleet is then read). A hub that does not answer is a usage error (nothing else can be read);
/// an Application or canary that is not there is exit 4; a canary rolled out by several
/// Applications is a usage error listing them.
pub async fn resolve_application(hub: &Hub, query: &HubQuery) -> anyhow::Result<Option<Value>> {
    if let Some(name) = &query.application {
        let app = read(hub, Some(name)).await?.pop();
        if let Some(app) = &app
            && fleet_of(app) != hub.fleet
        {
            return Err(ExitError::usage(format!(
                "Application {}/{name} rolls out to Fleet {:?}, not {}",
                hub.namespace,
                fleet_of(app),
                hub.fleet
            ))
            .into());
        }
        return Ok(app);
    }
    let Some(canary) = &query.canary else {
        return Ok(None);
    };
    let apps = read(hub, None).await?;
    let mut candidates: Vec<(String, &Value)> = Vec::new();
    for app in &apps {
        for (namespace, name) in rolled_out_canaries(app) {
            if name == *canary && query.namespace.as_ref().is_none_or(|ns| *ns == namespace) {
                let app_name = app.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
                candidates.push((format!("application/{app_name} (canary {namespace}/{name})"), app));
            }
        }
    }
    let in_namespace = query
        .namespace
        .as_ref()
        .map(|ns| format!(" in namespace {ns}"))
        .unwrap_or_default();
    match candidates.as_slice() {
        [] => Err(ExitError {
            exit: Exit::NothingMatched,
            message: format!(
                "no Application of Fleet {} on the hub {} rolls out canary {canary}{in_namespace}",
                hub.fleet, hub.context
            ),
        }
        .into()),
        [(_, app)] => Ok(Some((*app).clone())),
        many => Err(ExitError::usage(format!(
            "canary {canary}{in_namespace} is rolled out by more than one Application of Fleet {}: {}; name one (application/NAME) or the namespace (-n)",
            hub.fleet,
            many.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", ")
        ))
        .into()),
    }
}

/// What a `status` under a Fleet reads from the hub, once or to watch: the Applications `query`
/// addresses and the namespace of the members' Deployments that go with them.
pub(super) struct Addressed {
    pub apps: Vec<Value>,
    /// The one Application addressed (by name or by its canary); None: every one of the Fleet.
    pub name: Option<String>,
    /// The query's namespace, else the one namespace every rollout of `apps` is in; None: the
    /// members' Deployments are read in every namespace.
    pub namespace: Option<String>,
}

/// The Application `query` addresses ([`resolve_application`]), else every Application of the
/// Fleet.
pub(super) async fn addressed(hub: &Hub, query: &HubQuery) -> anyhow::Result<Addressed> {
    let (apps, name) = match resolve_application(hub, query).await? {
        Some(app) => {
            let name = app
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .map(str::to_string);
            (vec![app], name)
        }
        None => (read(hub, None).await?, None),
    };
    let namespace = query.namespace.clone().or_else(|| only_namespace(&apps));
    Ok(Addressed { apps, name, namespace })
}

/// The Application `name`, else every Application of the Fleet (`generateFleetKey`), from the
/// hub; a missing `name` is exit 4.
pub(crate) async fn read(hub: &Hub, name: Option<&str>) -> anyhow::Result<Vec<Value>> {
    let api = crate::fleet::kurator::applications(&hub.client, &hub.namespace);
    let unreachable =
        |e: kube::Error| ExitError::usage(format!("hub {}: {}", hub.context, ClusterError::from_kube(&e)));
    Ok(match name {
        Some(name) => match api.get_opt(name).await.map_err(unreachable)? {
            Some(a) => vec![serde_json::to_value(a)?],
            None => {
                return Err(ExitError {
                    exit: Exit::NothingMatched,
                    message: format!(
                        "Application {}/{name} not found on the hub {}",
                        hub.namespace, hub.context
                    ),
                }
                .into());
            }
        },
        None => api
            .list(&ListParams::default())
            .await
            .map_err(unreachable)?
            .items
            .into_iter()
            .map(|a| serde_json::to_value(a).unwrap_or_default())
            .filter(|a| fleet_of(a) == hub.fleet)
            .collect(),
    })
}

/// Every member's rollout that `query` addresses, from the hub in one or two requests, then the
/// members' Deployments (whether a release waits for Flagger: the hub cannot tell; and the
/// images), each member within `timeout`; a member whose Deployments cannot be read shows the hub's phase as it is.
pub async fn read_applications(
    hub: &Hub,
    query: &HubQuery,
    members: &Fleet,
    timeout: Duration,
) -> anyhow::Result<Vec<CanaryState>> {
    let Addressed { apps, namespace, .. } = addressed(hub, query).await?;
    let clusters: Vec<String> = members.clusters.iter().map(|c| c.target.context.clone()).collect();
    let mut state = state_of(&apps, query, &clusters).reading_workloads();
    let lists = members
        .fan_out(timeout, |client, _| {
            let namespace = namespace.clone();
            async move {
                let Some(api) = super::members::api(client, "apps/v1", "Deployment", namespace.as_deref()) else {
                    return Ok(Vec::new());
                };
                // What rows need of each Deployment, as each member answers (as `read::Listed`).
                api.list(&ListParams::default())
                    .await
                    .map(|l| {
                        l.items
                            .into_iter()
                            .map(|d| NamedWorkload::of(&d.into_value()))
                            .collect()
                    })
                    .map_err(|e| ClusterError::from_kube(&e))
            }
        })
        .await;
    for (cluster, outcome) in lists.into_iter().enumerate() {
        for workload in outcome.result.unwrap_or_default() {
            state.apply(workload.into_update(cluster));
        }
        state.apply(Update::WorkloadsListed { cluster });
    }
    Ok(state.rows())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rows_carry_the_policys_numbers_and_only_the_addressed_canary() {
        let app = json!({
            "metadata": {"name": "demo"},
            "spec": {"syncPolicies": [
                {"rollout": {"trafficRoutingProvider": "kuma", "workload": {"namespace": "test", "name": "podinfo"},
                    "rolloutPolicy": {"trafficRouting": {"canaryStrategy": {"stepWeights": [5, 25]}},
                        "trafficAnalysis": {"checkIntervalSeconds": 30, "checkFailedTimes": 3}}}},
                {"rollout": {"workload": {"namespace": "test", "name": "web"},
                    "rolloutPolicy": {"trafficRouting": {}, "trafficAnalysis": {"checkIntervalSeconds": 30, "checkFailedTimes": 1}}}},
            ]},
            "status": {"syncStatus": [
                {"name": "demo-0-attachedcluster-m1", "rolloutStatus": {"clusterName": "m1", "rolloutNameInCluster": "podinfo",
                    "rolloutStatusInCluster": {"phase": "Progressing", "canaryWeight": 5}}},
                {"name": "demo-1-attachedcluster-m1", "rolloutStatus": {"clusterName": "m1", "rolloutNameInCluster": "web",
                    "rolloutStatusInCluster": {"phase": "Succeeded"}}},
            ]},
        });
        let clusters = ["m1".to_string()];
        let rows_of = |query: &HubQuery| state_of(std::slice::from_ref(&app), query, &clusters).rows();
        let all = rows_of(&HubQuery::default());
        assert_eq!(all.len(), 2);
        let podinfo = &all[0];
        assert_eq!(
            (podinfo.max_weight, podinfo.step_weights.clone(), podinfo.threshold),
            (Some(25), Some(vec![5, 25]), Some(3))
        );
        assert_eq!(
            (podinfo.interval.as_deref(), podinfo.provider.as_str()),
            (Some("30s"), "kuma")
        );
        assert_eq!(podinfo.progress_text(), "5/25 (step 1/2)");
        let query = HubQuery {
            canary: Some("web".into()),
            ..Default::default()
        };
        let web = rows_of(&query);
        assert_eq!(web.len(), 1);
        assert_eq!((web[0].name.as_str(), web[0].phase.as_str()), ("web", "Succeeded"));
        let elsewhere = HubQuery {
            namespace: Some("prod".into()),
            ..Default::default()
        };
        assert!(rows_of(&elsewhere).is_empty());
    }
}
