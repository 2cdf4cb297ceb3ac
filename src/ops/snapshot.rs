//! One read of every cluster's canaries and their events (for `status`, `list`, `get`).

use kube::api::{Api, DynamicObject, ListParams};

use super::watch::{Scope, Update};
use crate::flagger::fleet_state::FleetState;
use crate::fleet::apply::resource_of;
use crate::fleet::{ClusterError, Fleet};

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
            let canaries = match api("flagger.app/v1beta1", "Canary")?.list(&params).await {
                Ok(list) => list.items,
                Err(kube::Error::Api(s)) if s.code == 404 => {
                    return Err(ClusterError::Other(
                        "the Canary CRD is not installed; run kubectl kurator-rollout install".into(),
                    ));
                }
                Err(e) => return Err(ClusterError::from_kube(&e)),
            };
            let mut fields = "involvedObject.kind=Canary".to_string();
            if let Some(name) = &scope.name {
                fields.push_str(&format!(",involvedObject.name={name}"));
            }
            // Events only add messages; a cluster that will not list them still has rows.
            let events = api("v1", "Event")?
                .list(&ListParams::default().fields(&fields))
                .await
                .map(|l| l.items)
                .unwrap_or_default();
            Ok((canaries, events))
        })
        .await;
    for (index, outcome) in outcomes.into_iter().enumerate() {
        match outcome.result {
            Ok((canaries, events)) => {
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
