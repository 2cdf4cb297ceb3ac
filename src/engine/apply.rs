//! One cluster's rollout policies: the facts rendering needs, and applying the rendered objects
//! with server-side apply, object by object, with a result per object; and the dry run that
//! diffs against the live objects. `engine::policies` runs this across the fleet.

use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::Client;
use kube::api::Api;
use kube::api::{Patch, PatchParams};
use serde_json::Value;

use crate::config::Policy;
use crate::fleet::ClusterError;
use crate::fleet::apply::{Change, api_for, apply_object_live, describe};
use crate::fleet::ownership::leftover_fields;
use crate::install::FIELD_MANAGER;
use crate::interrupt::{Interrupt, UNTOUCHED};
use crate::model::policy::{ObjectResult, content};
use crate::render::{ClusterFacts, RenderOptions, render};
use crate::view::diff::unified;

/// Renders and applies every policy; a policy whose facts or an object fail stops there (later
/// objects depend on earlier ones) and is reported, the other policies go on. Everything is read
/// and rendered before the first write, so an interrupt seen then leaves the cluster untouched;
/// once writing has begun it runs to the end.
pub async fn apply_policies(
    client: &Client,
    policies: &[Policy],
    cluster_name: &str,
    options: &RenderOptions,
    dry_run: bool,
    force_conflicts: bool,
    interrupt: &Interrupt,
) -> Vec<ObjectResult> {
    let mut prepared = Vec::new();
    for policy in policies {
        let objects = match read_facts(client, policy, cluster_name).await {
            Ok(facts) => render(policy, &facts, options).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        prepared.push((policy, objects));
    }
    let untouched = !dry_run && interrupt.is_set();
    let mut results = Vec::new();
    for (policy, objects) in prepared {
        match objects {
            Err(e) => results.push(ObjectResult::failed(&policy.name, format!("policy {}", policy.name), e)),
            Ok(_) if untouched => results.push(ObjectResult::done(
                &policy.name,
                format!("policy {}", policy.name),
                UNTOUCHED,
            )),
            Ok(objects) => {
                results.extend(write_objects(client, &policy.name, &objects, dry_run, force_conflicts).await)
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
