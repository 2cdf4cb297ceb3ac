//! Rollout policies across the fleet: render what each member gets, and apply — into each
//! member (server-side apply of the rendered objects, see [`super::apply`]) or, under a Kurator
//! Fleet, the Applications into the hub for Kurator's fleet manager to render. Where they go is
//! the fleet source's [`FleetSource::policy_destination`]; a dry run is a server-side dry run in
//! both modes, so nothing anywhere changes.

use std::time::Duration;

use anyhow::Result;
use kube::api::{Patch, PatchParams};
use serde_json::Value;

use super::apply::{ClusterNaming, PlannedPolicy, plan_policies, read_facts, write_planned};
use crate::config::kurator::FleetFacts;
use crate::config::{Input, Policy};
use crate::exit::ExitError;
use crate::fleet::kurator::{applications, fleets};
use crate::fleet::source::{Destination, FleetSource, Hub};
use crate::fleet::targets::name_for;
use crate::fleet::{ClusterError, ClusterOutcome, Fleet};
use crate::install::FIELD_MANAGER;
use crate::interrupt::{Interrupt, UNTOUCHED};
use crate::kurator::application::{applications_in, key};
use crate::model::policy::{
    Applied, ApplyRow, ChangedRollout, HubRow, ObjectResult, RenderedCluster, RunChangeRow, change_of,
    changed_rollouts, rerender_change, run_under_way,
};
use crate::render::{ClusterFacts, GateChoice, RenderOptions, render};

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
    /// The gates asked for; absent ones are kept from each live Canary.
    pub gates: GateChoice,
    /// `--cluster-name CONTEXT=NAME`.
    pub cluster_names: &'a [(String, String)],
    pub dry_run: bool,
    pub force_conflicts: bool,
    /// Per member.
    pub timeout: Duration,
}

/// What an apply will write, decided before anything is written: the plan, whose run changes
/// (canaries under way that the write changes) need a confirmation.
pub struct ApplyPlan {
    target: PlanTarget,
    /// Canaries whose run under way the apply changes, and how.
    pub run_changes: Vec<RunChangeRow>,
    /// Raised by Ctrl-C from the first member read on: a plan cut short writes nothing.
    interrupt: Interrupt,
}

enum PlanTarget {
    Members(Vec<ClusterOutcome<Vec<PlannedPolicy>>>),
    /// Ctrl-C cut the members' reads short: every member stays untouched.
    Interrupted,
    Hub(Vec<Value>),
}

/// Plans the apply where the fleet source says the policies go. A request that cannot be
/// carried out (an unknown `--cluster-name` context, a file without Applications under Kurator,
/// gate flags under Kurator) is a usage error before anything is written.
pub async fn plan(source: &FleetSource, request: &ApplyRequest<'_>) -> Result<ApplyPlan> {
    match source.policy_destination() {
        Destination::Members => {
            // Ctrl-C during the reads leaves every member untouched. A dry run writes nothing,
            // so there Ctrl-C simply ends it.
            let interrupt = if request.dry_run {
                Interrupt::manual()
            } else {
                Interrupt::on_ctrl_c_reading()
            };
            // Ctrl-C abandons the reads still in flight: nothing is written after it, so there
            // is nothing to wait for (and no question to ask about what they would have found).
            let planned = tokio::select! {
                planned = plan_members(&source.members, request) => planned?,
                () = interrupt.raised() => {
                    return Ok(ApplyPlan {
                        target: PlanTarget::Interrupted,
                        run_changes: Vec::new(),
                        interrupt,
                    });
                }
            };
            let run_changes = planned
                .iter()
                .flat_map(|o| {
                    o.result.iter().flatten().filter(|p| !p.run_change.is_empty()).map(|p| {
                        let canary = p
                            .objects
                            .iter()
                            .flatten()
                            .find(|o| o["kind"] == "Canary")
                            .map(key)
                            .unwrap_or_default();
                        RunChangeRow {
                            cluster: o.target.context.clone(),
                            policy: p.policy.clone(),
                            canary,
                            phase: p.phase.clone(),
                            change: p.run_change.join("; "),
                        }
                    })
                })
                .collect();
            Ok(ApplyPlan {
                target: PlanTarget::Members(planned),
                run_changes,
                interrupt,
            })
        }
        Destination::Hub(hub) => {
            if request.gates.any_given() {
                return Err(ExitError::usage(
                    "--abort-gate and --manual-*: under --fleet Kurator renders the Canaries, and its rollout policy has no field for gate hooks; apply without them",
                )
                .into());
            }
            let documents = applications_in(request.inputs, &hub.namespace).map_err(ExitError::usage)?;
            let run_changes = plan_hub(source, hub, &documents, request).await;
            Ok(ApplyPlan {
                target: PlanTarget::Hub(documents),
                run_changes,
                // One request per Application: Ctrl-C keeps its default meaning there.
                interrupt: Interrupt::manual(),
            })
        }
    }
}

impl ApplyPlan {
    /// Ctrl-C came while planning: nothing is to be asked or written.
    pub fn interrupted(&self) -> bool {
        self.interrupt.is_set()
    }
}

/// Applies what [`plan`] decided, where it decided.
pub async fn apply(source: &FleetSource, request: &ApplyRequest<'_>, plan: ApplyPlan) -> Result<Applied> {
    match (plan.target, source.policy_destination()) {
        (PlanTarget::Members(planned), _) => {
            if !request.dry_run {
                // From here on Ctrl-C lets the writes under way finish (the same flag).
                Interrupt::on_ctrl_c();
            }
            Ok(Applied::Members(
                write_members(&source.members, request, &planned, &plan.interrupt).await,
            ))
        }
        (PlanTarget::Interrupted, _) => Ok(Applied::Members(untouched_members(&source.members, request))),
        (PlanTarget::Hub(documents), Destination::Hub(hub)) => {
            Ok(Applied::Hub(apply_to_hub(hub, &documents, request).await))
        }
        (PlanTarget::Hub(_), Destination::Members) => Err(anyhow::anyhow!("a hub plan without a hub")),
    }
}

/// The rows of an apply whose reads Ctrl-C cut short: each policy untouched in each member,
/// as [`write_planned`] reports a member the interrupt kept from being written.
fn untouched_members(members: &Fleet, request: &ApplyRequest<'_>) -> Vec<ApplyRow> {
    members
        .clusters
        .iter()
        .flat_map(|c| {
            request.policies.iter().map(|p| ApplyRow {
                cluster: c.target.context.clone(),
                result: ObjectResult::done(&p.name, format!("policy {}", p.name), UNTOUCHED),
            })
        })
        .collect()
}

async fn plan_members(members: &Fleet, request: &ApplyRequest<'_>) -> Result<Vec<ClusterOutcome<Vec<PlannedPolicy>>>> {
    if let Some((unknown, _)) = request
        .cluster_names
        .iter()
        .find(|(c, _)| !members.clusters.iter().any(|h| &h.target.context == c))
    {
        return Err(ExitError::usage(format!("--cluster-name {unknown}=…: {unknown} is not a target context")).into());
    }
    Ok(members
        .fan_out(request.timeout, |client, target| async move {
            let name = name_for(request.cluster_names, &target.context);
            let naming = ClusterNaming {
                context: &target.context,
                cluster_name: &name,
            };
            Ok::<_, ClusterError>(
                plan_policies(
                    &client,
                    request.policies,
                    &naming,
                    &request.gates,
                    request.force_conflicts,
                )
                .await,
            )
        })
        .await)
}

async fn write_members(
    members: &Fleet,
    request: &ApplyRequest<'_>,
    planned: &[ClusterOutcome<Vec<PlannedPolicy>>],
    interrupt: &Interrupt,
) -> Vec<ApplyRow> {
    let outcomes = members
        .fan_out(request.timeout, |client, target| async move {
            match planned
                .iter()
                .find(|o| o.target.context == target.context)
                .map(|o| &o.result)
            {
                Some(Ok(policies)) => {
                    Ok(write_planned(&client, policies, request.dry_run, request.force_conflicts, interrupt).await)
                }
                // Reported from the plan below.
                _ => Ok(Vec::new()),
            }
        })
        .await;
    let mut rows = Vec::new();
    for (plan, outcome) in planned.iter().zip(outcomes) {
        let cluster = outcome.target.context;
        let failed = |error: String| ApplyRow {
            cluster: cluster.clone(),
            result: ObjectResult::failed("", "-".into(), error),
        };
        match (&plan.result, outcome.result) {
            // Nothing was written where the plan failed.
            (Err(e), _) => rows.push(failed(e.to_string())),
            (Ok(_), Ok(results)) => rows.extend(results.into_iter().map(|result| ApplyRow {
                cluster: cluster.clone(),
                result,
            })),
            // Cut off mid-way: say so, since some objects may already be written.
            (Ok(_), Err(e @ ClusterError::Timeout(_))) if !request.dry_run => rows.push(failed(format!(
                "{e}; some objects may be applied already: re-run apply (it is safe to repeat)"
            ))),
            (Ok(_), Err(e)) => rows.push(failed(e.to_string())),
        }
    }
    rows
}

/// Under Kurator a changed rollout policy is re-rendered into every member's Canary at once:
/// each member Canary of a changed policy whose run is under way, and what Kurator's re-render
/// does to it (see [`rerender_change`]); a row too for each member whose Canary could not be
/// read, since whether it runs is unknown. The hub is asked for a server-side dry run of each
/// Application, so the comparison is with what it would store; an Application that could not be
/// read, or not dry-run for a reason the write may not share, has every rollout policy in it
/// counted as changed, and the rows say why.
async fn plan_hub(
    source: &FleetSource,
    hub: &Hub,
    documents: &[Value],
    request: &ApplyRequest<'_>,
) -> Vec<RunChangeRow> {
    let mut changed: Vec<ChangedRollout> = Vec::new();
    for doc in documents {
        let name = text(doc, "/metadata/name");
        let api = applications(&hub.client, &text(doc, "/metadata/namespace"));
        let before = application_before(&api, &name).await;
        let mut params = PatchParams::apply(FIELD_MANAGER).dry_run();
        params.force = request.force_conflicts;
        let after = api
            .patch(&name, &params, &Patch::Apply(doc))
            .await
            .map_err(|e| ClusterError::from_kube(&e))
            .and_then(|a| serde_json::to_value(a).map_err(|e| ClusterError::Other(e.to_string())));
        // Every rollout policy of `app`, counted as changed since what the hub has is unknown.
        let every = |app: &Value, why: String| {
            changed_rollouts(None, app).into_iter().map(move |c| ChangedRollout {
                before: Err(why.clone()),
                ..c
            })
        };
        match (before, after) {
            (Ok(before), Ok(after)) => changed.extend(changed_rollouts(before.as_ref(), &after)),
            (Err(e), Ok(after)) => changed.extend(every(
                &after,
                format!("the hub's Application {} could not be read ({e})", key(doc)),
            )),
            // A write the hub refuses the same way is reported when written; it changes no canary.
            (_, Err(e)) if e.repeats_on_write() => {}
            (_, Err(e)) => changed.extend(every(
                doc,
                format!("could not dry-run the hub's Application {} ({e})", key(doc)),
            )),
        }
    }
    if changed.is_empty() {
        return Vec::new();
    }
    let changed = &changed;
    let canary_of = |c: &ChangedRollout| {
        (
            text(&c.rollout, "/workload/namespace"),
            text(&c.rollout, "/workload/name"),
        )
    };
    let unread = |cluster: &str, c: &ChangedRollout, e: &ClusterError| {
        let (ns, name) = canary_of(c);
        RunChangeRow {
            cluster: cluster.to_string(),
            policy: c.policy.clone(),
            canary: format!("{ns}/{name}"),
            phase: "?".into(),
            change: format!(
                "could not read this Canary ({e}): whether a run is under way, and what Kurator's re-render of the changed policy does to it, is unknown"
            ),
        }
    };
    let outcomes = source
        .members
        .fan_out(request.timeout, |client, target| async move {
            let mut rows = Vec::new();
            for c in changed {
                let (ns, name) = canary_of(c);
                let canaries: kube::Api<crate::flagger::Canary> = kube::Api::namespaced(client.clone(), &ns);
                let live = match canaries.get_opt(&name).await {
                    // No Canary: no run to change.
                    Ok(None) => continue,
                    Ok(Some(live)) => serde_json::to_value(live).unwrap_or_default(),
                    Err(e) => {
                        rows.push(unread(&target.context, c, &ClusterError::from_kube(&e)));
                        continue;
                    }
                };
                let change = rerender_change(&live, c);
                // A re-render known to leave the run as it is needs no row.
                if let (Some(phase), false) = (run_under_way(&live), change.is_empty()) {
                    rows.push(RunChangeRow {
                        cluster: target.context.clone(),
                        policy: c.policy.clone(),
                        canary: format!("{ns}/{name}"),
                        phase: phase.to_string(),
                        change: change.join("; "),
                    });
                }
            }
            Ok::<_, ClusterError>(rows)
        })
        .await;
    outcomes
        .into_iter()
        .flat_map(|o| match o.result {
            Ok(rows) => rows,
            // A member not reached: each changed policy's Canary there is unknown.
            Err(e) => changed.iter().map(|c| unread(&o.target.context, c, &e)).collect(),
        })
        .collect()
}

/// An Application on the hub before a write: `Ok(None)` when there is none yet, `Err` when it
/// could not be read (not the same: a failed read is no "new Application").
async fn application_before(
    api: &kube::Api<kube::api::DynamicObject>,
    name: &str,
) -> Result<Option<Value>, ClusterError> {
    api.get_opt(name)
        .await
        .map(|o| o.and_then(|o| serde_json::to_value(o).ok()))
        .map_err(|e| ClusterError::from_kube(&e))
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("").to_string()
}

/// Server-side applies each Application to the hub (a server-side dry run, `dryRun=All`, when
/// asked: the hub answers what it would store and keeps what it has).
async fn apply_to_hub(hub: &Hub, documents: &[Value], request: &ApplyRequest<'_>) -> Vec<HubRow> {
    let mut rows = Vec::new();
    for doc in documents {
        let application = key(doc);
        let (ns, name) = (text(doc, "/metadata/namespace"), text(doc, "/metadata/name"));
        let api = applications(&hub.client, &ns);
        let before = application_before(&api, &name).await;
        let mut params = PatchParams::apply(FIELD_MANAGER);
        params.force = request.force_conflicts;
        params.dry_run = request.dry_run;
        rows.push(match api.patch(&name, &params, &Patch::Apply(doc)).await {
            Ok(after) => HubRow {
                result: match &before {
                    Ok(before) => change_of(
                        before.as_ref(),
                        serde_json::to_value(&after).ok().as_ref(),
                        request.dry_run,
                    )
                    .to_string(),
                    // Whether it was created, changed or left as it was is unknown.
                    Err(e) => format!(
                        "{} (what the hub had could not be read: {e})",
                        if request.dry_run { "would apply" } else { "applied" }
                    ),
                },
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
    rows
}
