//! Rollout policies across the fleet: render what each member gets, and apply — into each
//! member (server-side apply of the rendered objects, see [`super::apply`]) or, under a Kurator
//! Fleet, the Applications into the hub for Kurator's fleet manager to render. Where they go is
//! the fleet source's [`FleetSource::policy_destination`]; a dry run is a server-side dry run in
//! both modes, so nothing anywhere changes.

use std::time::Duration;

use anyhow::Result;
use kube::api::{Patch, PatchParams};
use serde_json::Value;

use super::apply::{apply_policies, read_facts};
use crate::config::kurator::FleetFacts;
use crate::config::{Input, Policy};
use crate::exit::ExitError;
use crate::fleet::kurator::{applications, fleets};
use crate::fleet::source::{Destination, FleetSource, Hub};
use crate::fleet::targets::name_for;
use crate::fleet::{ClusterError, ClusterOutcome, Fleet};
use crate::install::FIELD_MANAGER;
use crate::interrupt::Interrupt;
use crate::kurator::application::{applications_in, key};
use crate::model::policy::{Applied, ApplyRow, HubRow, ObjectResult, RenderedCluster, change_of};
use crate::render::{ClusterFacts, RenderOptions, render};

/// Renders for clusters known by name only (no cluster is read: no Service or Ingress facts).
pub fn render_offline(
    policies: &[Policy],
    names: &[String],
    options: &RenderOptions,
) -> Result<Vec<RenderedCluster>, String> {
    names
        .iter()
        .map(|name| {
            let facts = ClusterFacts {
                cluster_name: name.clone(),
                ..Default::default()
            };
            let mut rendered = Vec::new();
            for policy in policies {
                let objects = render(policy, &facts, options).map_err(|e| format!("policy {}: {e}", policy.name))?;
                rendered.push((policy.name.clone(), objects));
            }
            Ok(RenderedCluster {
                name: name.clone(),
                policies: rendered,
            })
        })
        .collect()
}

/// Renders for every member from its own facts (its Service, Namespace, Ingress). Under a
/// Kurator Fleet this is what this tool would render; Kurator's differences are
/// [`kurator_facts`]' report.
pub async fn render_members(
    members: &Fleet,
    policies: &[Policy],
    renames: &[(String, String)],
    options: &RenderOptions,
    timeout: Duration,
) -> Vec<ClusterOutcome<RenderedCluster>> {
    members
        .fan_out(timeout, |client, target| async move {
            let name = name_for(renames, &target.context);
            let mut policies_rendered = Vec::new();
            for policy in policies {
                let facts = read_facts(&client, policy, &name).await?;
                let objects = render(policy, &facts, options)
                    .map_err(|e| ClusterError::Other(format!("policy {}: {e}", policy.name)))?;
                policies_rendered.push((policy.name.clone(), objects));
            }
            Ok(RenderedCluster {
                name,
                policies: policies_rendered,
            })
        })
        .await
}

/// Under a Kurator Fleet, what Kurator's rendering depends on in the Fleet (unknown when it
/// cannot be read); None where this tool renders (context mode).
pub async fn kurator_facts(source: &FleetSource) -> Option<FleetFacts> {
    let Destination::Hub(hub) = source.policy_destination() else {
        return None;
    };
    let fleet = fleets(&hub.client, &hub.namespace)
        .get_opt(&hub.fleet)
        .await
        .ok()
        .flatten()
        .and_then(|f| serde_json::to_value(f).ok());
    Some(FleetFacts {
        public_testloader: fleet.map(|f| {
            f.pointer("/spec/plugin/flagger/publicTestloader")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        }),
    })
}

/// What `apply` writes and how.
pub struct ApplyRequest<'a> {
    /// The files as read: under Kurator their Applications go to the hub as written.
    pub inputs: &'a [Input],
    /// The rollouts in them, validated: rendered for each member in context mode.
    pub policies: &'a [Policy],
    pub options: RenderOptions,
    /// `--cluster-name CONTEXT=NAME`.
    pub cluster_names: &'a [(String, String)],
    pub dry_run: bool,
    pub force_conflicts: bool,
    /// Per member.
    pub timeout: Duration,
}

/// Applies the policies where the fleet source says they go. A request that cannot be carried
/// out (an unknown `--cluster-name` context, a file without Applications under Kurator) is a
/// usage error before anything is written.
pub async fn apply(source: &FleetSource, request: &ApplyRequest<'_>) -> Result<Applied> {
    match source.policy_destination() {
        Destination::Members => Ok(Applied::Members(apply_to_members(&source.members, request).await?)),
        Destination::Hub(hub) => Ok(Applied::Hub(apply_to_hub(hub, request).await?)),
    }
}

async fn apply_to_members(members: &Fleet, request: &ApplyRequest<'_>) -> Result<Vec<ApplyRow>> {
    if let Some((unknown, _)) = request
        .cluster_names
        .iter()
        .find(|(c, _)| !members.clusters.iter().any(|h| &h.target.context == c))
    {
        return Err(ExitError::usage(format!("--cluster-name {unknown}=…: {unknown} is not a target context")).into());
    }
    // A dry run writes nothing, so Ctrl-C simply ends it.
    let interrupt = if request.dry_run {
        Interrupt::manual()
    } else {
        Interrupt::on_ctrl_c()
    };
    let outcomes = members
        .fan_out(request.timeout, |client, target| {
            let name = name_for(request.cluster_names, &target.context);
            let interrupt = &interrupt;
            async move {
                Ok::<_, ClusterError>(
                    apply_policies(
                        &client,
                        request.policies,
                        &name,
                        &request.options,
                        request.dry_run,
                        request.force_conflicts,
                        interrupt,
                    )
                    .await,
                )
            }
        })
        .await;
    let mut rows = Vec::new();
    for outcome in outcomes {
        let cluster = outcome.target.context;
        match outcome.result {
            Ok(results) => rows.extend(results.into_iter().map(|result| ApplyRow {
                cluster: cluster.clone(),
                result,
            })),
            Err(e) => {
                let error = match e {
                    // Cut off mid-way: say so, since some objects may already be written.
                    ClusterError::Timeout(_) if !request.dry_run => {
                        format!("{e}; some objects may be applied already: re-run apply (it is safe to repeat)")
                    }
                    e => e.to_string(),
                };
                rows.push(ApplyRow {
                    cluster,
                    result: ObjectResult::failed("", "-".into(), error),
                });
            }
        }
    }
    Ok(rows)
}

/// Server-side applies each Application to the hub (a server-side dry run, `dryRun=All`, when
/// asked: the hub answers what it would store and keeps what it has).
async fn apply_to_hub(hub: &Hub, request: &ApplyRequest<'_>) -> Result<Vec<HubRow>> {
    let documents = applications_in(request.inputs, &hub.namespace).map_err(ExitError::usage)?;
    let mut rows = Vec::new();
    for doc in documents {
        let application = key(&doc);
        let text = |p: &str| doc.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
        let (ns, name) = (text("/metadata/namespace"), text("/metadata/name"));
        let api = applications(&hub.client, &ns);
        let before = api
            .get_opt(&name)
            .await
            .ok()
            .flatten()
            .and_then(|o| serde_json::to_value(o).ok());
        let mut params = PatchParams::apply(FIELD_MANAGER);
        params.force = request.force_conflicts;
        params.dry_run = request.dry_run;
        rows.push(match api.patch(&name, &params, &Patch::Apply(&doc)).await {
            Ok(after) => HubRow {
                result: change_of(
                    before.as_ref(),
                    serde_json::to_value(&after).ok().as_ref(),
                    request.dry_run,
                )
                .into(),
                application,
                error: None,
            },
            Err(e) => {
                let error = ClusterError::from_kube(&e);
                HubRow {
                    application,
                    result: if matches!(error, ClusterError::FieldConflicts { .. }) {
                        "conflict".into()
                    } else {
                        "failed".into()
                    },
                    error: Some(error.to_string()),
                }
            }
        });
    }
    Ok(rows)
}
