//! One cluster's rollout policies: the facts rendering needs, the plan (render with the gates
//! kept from the live Canary, the load testers the hooks call, what the write does to a run
//! under way), and applying the rendered objects with server-side apply, object by object, with
//! a result per object; and the dry run that diffs against the live objects. `engine::policies`
//! runs this across the fleet.

use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::Client;
use kube::api::Api;
use kube::api::{Patch, PatchParams};
use serde_json::Value;

use crate::config::Policy;
use crate::flagger::gates::LoadTester;
use crate::flagger::types::Canary;
use crate::fleet::ClusterError;
use crate::fleet::apply::{Change, api_for, apply_object_live, describe};
use crate::fleet::ownership::leftover_fields;
use crate::install::FIELD_MANAGER;
use crate::install::check::{
    FoundDeployment, labelled_load_testers, referenced_load_testers, unreachable_load_testers,
};
use crate::install::manifests::public_loadtester_name;
use crate::interrupt::{Interrupt, UNTOUCHED};
use crate::model::policy::{ObjectResult, content, run_under_way};
use crate::render::{ClusterFacts, GateChoice, RenderOptions, render};
use crate::view::diff::unified;

/// One policy made ready for one cluster, before anything is written there.
pub struct PlannedPolicy {
    pub policy: String,
    /// The objects to apply, in order, or why the policy cannot be applied in this cluster.
    pub objects: Result<Vec<Value>, String>,
    /// The Canary's run under way and what writing the objects does to it (see
    /// [`run_change`]): empty when no run is under way or it stays as it is.
    pub run_change: Vec<String>,
    /// The run's phase, with a non-empty `run_change`.
    pub phase: String,
}

/// Reads what rendering needs, renders every policy with the gates asked for (absent ones kept
/// from the live Canary, see [`GateChoice::resolve`]), checks that the load testers its hooks
/// call exist, and says what the write would do to a run under way. Writes nothing.
pub async fn plan_policies(
    client: &Client,
    policies: &[Policy],
    naming: &ClusterNaming<'_>,
    gates: &GateChoice,
    force_conflicts: bool,
) -> Vec<PlannedPolicy> {
    let mut planned = Vec::new();
    for policy in policies {
        planned.push(
            match plan_policy(client, policy, naming, gates, force_conflicts).await {
                Ok(p) => p,
                Err(e) => PlannedPolicy {
                    policy: policy.name.clone(),
                    objects: Err(e),
                    run_change: Vec::new(),
                    phase: String::new(),
                },
            },
        );
    }
    planned
}

/// The cluster a plan is for: its context, and its name in load tester names.
pub struct ClusterNaming<'a> {
    pub context: &'a str,
    pub cluster_name: &'a str,
}

async fn plan_policy(
    client: &Client,
    policy: &Policy,
    naming: &ClusterNaming<'_>,
    gates: &GateChoice,
    force_conflicts: bool,
) -> Result<PlannedPolicy, String> {
    let facts = read_facts(client, policy, naming.cluster_name)
        .await
        .map_err(|e| e.to_string())?;
    // The Canary's identity does not depend on the gates: render once to find it.
    let probe = render(policy, &facts, &RenderOptions::default()).map_err(|e| e.to_string())?;
    let canary = probe
        .iter()
        .find(|o| o["kind"] == "Canary")
        .cloned()
        .unwrap_or_default();
    let live = live_object(client, &canary).await.map_err(|e| e.to_string())?;
    let options = gates.resolve(live.as_ref().and_then(RenderOptions::recorded));
    let objects = render(policy, &facts, &options).map_err(|e| e.to_string())?;
    verify_load_testers(client, &objects, naming).await?;
    let (mut run_change, mut phase) = (Vec::new(), String::new());
    if let Some(live) = live.as_ref().filter(|l| run_under_way(l).is_some())
        && let Some(rendered) = objects.iter().find(|o| o["kind"] == "Canary")
    {
        // What the server would store, so the plan describes the write that will happen. A
        // dry run that fails (a conflict) will fail the same way when written, and say so then.
        if let Ok((_, _, would)) = dry_run_object(client, rendered, force_conflicts).await {
            run_change = crate::model::policy::run_change(live, &would);
            phase = run_under_way(live).unwrap_or_default().to_string();
        }
    }
    Ok(PlannedPolicy {
        policy: policy.name.clone(),
        objects: Ok(objects),
        run_change,
        phase,
    })
}

async fn live_object(client: &Client, obj: &Value) -> Result<Option<Value>, ClusterError> {
    let api = api_for(client, obj)?;
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let live = api
        .get_opt(name)
        .await
        .map_err(|e| ClusterError::from_kube(&e).with_object(&describe(obj)))?;
    Ok(live.and_then(|l| serde_json::to_value(l).ok()))
}

/// The load testers the rendered hooks call must be reachable as `check` judges them
/// ([`unreachable_load_testers`]); the public one's name derives from the cluster name, so a
/// renamed context makes the hooks point nowhere. One the policy renders itself comes with it.
async fn verify_load_testers(client: &Client, objects: &[Value], naming: &ClusterNaming<'_>) -> Result<(), String> {
    let canaries: Vec<Canary> = objects
        .iter()
        .filter(|o| o["kind"] == "Canary")
        .filter_map(|o| serde_json::from_value(o.clone()).ok())
        .collect();
    let rendered_service = |t: &LoadTester| {
        objects.iter().any(|o| {
            o["kind"] == "Service" && o["metadata"]["name"] == t.service && o["metadata"]["namespace"] == t.namespace
        })
    };
    let referenced: Vec<_> = referenced_load_testers(&canaries)
        .into_iter()
        .filter(|(t, _)| !rendered_service(t))
        .collect();
    let problems = unreachable_load_testers(client, &referenced).await;
    if problems.is_empty() {
        return Ok(());
    }
    // The URLs (without their gate paths) of the hooks that call an unreachable load tester.
    let mut urls: Vec<String> = Vec::new();
    for canary in &canaries {
        let own_ns = canary.metadata.namespace.clone().unwrap_or_default();
        for hook in canary.spec.analysis.webhooks.iter().flatten() {
            let Some(t) = LoadTester::from_hook(&hook.url, &own_ns) else {
                continue;
            };
            let prefix = format!("{}/{}:", t.namespace, t.service);
            if problems.iter().any(|p| p.starts_with(&prefix))
                && let Some((scheme, rest)) = hook.url.split_once("://")
            {
                urls.push(format!("{scheme}://{}/", rest.split('/').next().unwrap_or_default()));
            }
        }
    }
    urls.sort();
    urls.dedup();
    let found = labelled_load_testers(client).await.unwrap_or_default();
    Err(missing_load_tester(naming, &urls, &problems, &found))
}

/// Why the hooks point nowhere, and the fix: the cluster name a labelled load tester was
/// installed under (`--cluster-name CONTEXT=NAME`), else installing one.
fn missing_load_tester(
    naming: &ClusterNaming<'_>,
    urls: &[String],
    problems: &[String],
    found: &[FoundDeployment],
) -> String {
    let ClusterNaming { context, cluster_name } = naming;
    let mut text = format!(
        "cluster {context} (cluster name {cluster_name}): the Canary's webhooks call {}, which cannot be reached ({}); nothing of this policy was applied there",
        urls.join(", "),
        problems.join("; ")
    );
    let named: Vec<(String, &FoundDeployment)> = found
        .iter()
        .filter_map(|d| installed_for(d).map(|name| (name, d)))
        .collect();
    match (named.as_slice(), found) {
        ([(name, d), ..], _) => text.push_str(&format!(
            "; a load tester was found by its labels, {}/{}, installed for cluster name {name}: re-run with --cluster-name {context}={name}",
            d.namespace, d.name
        )),
        ([], [d, ..]) => text.push_str(&format!(
            "; a load tester was found by its labels, {}/{}, but its name does not follow the cluster-name pattern: set testLoader: true in the policy, or install one with kubectl kurator-rollout install --context {context} --provider … --testloader",
            d.namespace, d.name
        )),
        ([], []) => text.push_str(&format!(
            "; no load tester was found by its labels: install one (kubectl kurator-rollout install --context {context} --provider … --testloader), or, if its context was renamed, re-run with --cluster-name {context}=NAME (the name it was installed under)"
        )),
    }
    text
}

/// The cluster name a public load tester Deployment was installed under, when its name follows
/// [`public_loadtester_name`].
fn installed_for(d: &FoundDeployment) -> Option<String> {
    let prefix = format!("{}-testloader-", d.namespace);
    let name = d.name.strip_prefix(&prefix)?.strip_suffix("-loadtester")?;
    (public_loadtester_name(&d.namespace, name) == d.name).then(|| name.to_string())
}

/// Writes what [`plan_policies`] made ready. A policy that could not be planned is reported
/// and not written; the other policies go on. An interrupt seen before the first write leaves
/// the cluster untouched; once writing has begun it runs to the end.
pub async fn write_planned(
    client: &Client,
    planned: &[PlannedPolicy],
    dry_run: bool,
    force_conflicts: bool,
    interrupt: &Interrupt,
) -> Vec<ObjectResult> {
    let untouched = !dry_run && interrupt.is_set();
    let mut results = Vec::new();
    for p in planned {
        match &p.objects {
            Err(e) => results.push(ObjectResult::failed(
                &p.policy,
                format!("policy {}", p.policy),
                e.clone(),
            )),
            Ok(_) if untouched => {
                results.push(ObjectResult::done(&p.policy, format!("policy {}", p.policy), UNTOUCHED))
            }
            Ok(objects) => {
                let mut rows = write_objects(client, &p.policy, objects, dry_run, force_conflicts).await;
                if !p.run_change.is_empty()
                    && let Some(row) = rows
                        .iter_mut()
                        .find(|r| r.object.starts_with("Canary ") && r.warning.is_none())
                {
                    row.run_change = Some(p.run_change.join("; "));
                }
                results.extend(rows);
            }
        }
    }
    results
}

/// Applies (or dry-runs) one policy's objects in order; after a failure the rest are skipped.
/// Fields other managers left in an object that change the rollout follow it as warning rows.
async fn write_objects(
    client: &Client,
    policy: &str,
    objects: &[Value],
    dry_run: bool,
    force_conflicts: bool,
) -> Vec<ObjectResult> {
    let mut results = Vec::new();
    let mut failed = false;
    for obj in objects {
        if failed {
            results.push(ObjectResult::done(policy, describe(obj), "skipped"));
            continue;
        }
        let outcome = if dry_run {
            dry_run_object(client, obj, force_conflicts).await
        } else {
            apply_object_live(client, obj, FIELD_MANAGER, force_conflicts)
                .await
                .map(|(c, live)| (c, None, live))
        };
        match outcome {
            Ok((change, diff, live)) => {
                let word = match (change, dry_run) {
                    (Change::Created, false) => "created",
                    (Change::Configured, false) => "configured",
                    (Change::Created, true) => "would create",
                    (Change::Configured, true) => "would configure",
                    (Change::Unchanged, _) => "unchanged",
                };
                results.push(ObjectResult {
                    diff,
                    ..ObjectResult::done(policy, describe(obj), word)
                });
                results.extend(leftover_warnings(policy, obj, &live));
            }
            Err(ClusterError::FieldConflicts { conflicts, .. }) => {
                failed = true;
                // The object has its own column: the message names the fields and managers.
                let message = ClusterError::FieldConflicts {
                    object: String::new(),
                    conflicts,
                };
                results.push(ObjectResult {
                    result: "conflict".into(),
                    ..ObjectResult::failed(policy, describe(obj), message.to_string())
                });
            }
            Err(e) => {
                failed = true;
                results.push(ObjectResult::failed(policy, describe(obj), e.to_string()));
            }
        }
    }
    results
}

/// Fields other managers left in the applied object that change the rollout, as warning rows.
fn leftover_warnings(policy: &str, obj: &Value, live: &Value) -> Vec<ObjectResult> {
    leftover_fields(live, obj, FIELD_MANAGER)
        .into_iter()
        .map(|l| ObjectResult {
            warning: Some(format!(
                "{} is set by {} and not by this policy, and Flagger uses it too: {}",
                l.field,
                l.manager,
                crate::install::leftover_remedy(&l.manager)
            )),
            ..ObjectResult::done(policy, describe(obj), "warning")
        })
        .collect()
}

async fn dry_run_object(
    client: &Client,
    obj: &Value,
    force_conflicts: bool,
) -> Result<(Change, Option<String>, Value), ClusterError> {
    let api = api_for(client, obj)?;
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let context = |e: kube::Error| ClusterError::from_kube(&e).with_object(&describe(obj));
    let live = api.get_opt(name).await.map_err(context)?;
    let mut params = PatchParams::apply(FIELD_MANAGER).dry_run();
    params.force = force_conflicts;
    let would = api.patch(name, &params, &Patch::Apply(obj)).await.map_err(context)?;
    let before = live
        .as_ref()
        .map(|l| apimachinery::to_yaml(&content(&serde_json::to_value(l).unwrap_or_default())))
        .unwrap_or_default();
    let after = apimachinery::to_yaml(&content(&serde_json::to_value(&would).unwrap_or_default()));
    let change = match &live {
        None => Change::Created,
        Some(_) if before == after => Change::Unchanged,
        Some(_) => Change::Configured,
    };
    let diff = (change != Change::Unchanged).then(|| {
        unified(
            &before,
            &after,
            &format!("{} (live)", describe(obj)),
            &format!("{} (applied)", describe(obj)),
        )
    });
    Ok((change, diff, serde_json::to_value(&would).unwrap_or_default()))
}

/// What rendering needs of one cluster: the workload's Service and Namespace must exist; the
/// shared nginx Ingress may.
pub async fn read_facts(client: &Client, policy: &Policy, cluster_name: &str) -> Result<ClusterFacts, ClusterError> {
    let r = &policy.config;
    let ns = r.namespace();
    let kube_err = |e: kube::Error| ClusterError::from_kube(&e);
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let Some(namespace) = namespaces.get_opt(ns).await.map_err(kube_err)? else {
        return Err(ClusterError::Other(format!(
            "namespace {ns} not found (policy {}): create it and deploy {} there first",
            policy.name, r.workload.name
        )));
    };
    let services: Api<Service> = Api::namespaced(client.clone(), ns);
    let Some(service) = services.get_opt(&r.service_name).await.map_err(kube_err)? else {
        return Err(ClusterError::Other(format!(
            "Service {ns}/{} not found (policy {}): deploy the workload and its Service before the rollout",
            r.service_name, policy.name
        )));
    };
    let ingress = if r.traffic_routing_provider == "nginx" {
        let ingresses: Api<Ingress> = Api::namespaced(client.clone(), ns);
        ingresses
            .get_opt("nginx")
            .await
            .map_err(kube_err)?
            .and_then(|i| serde_json::to_value(i).ok())
    } else {
        None
    };
    Ok(ClusterFacts {
        cluster_name: cluster_name.to_string(),
        service: serde_json::to_value(service).ok(),
        namespace: serde_json::to_value(namespace).ok(),
        ingress,
    })
}
