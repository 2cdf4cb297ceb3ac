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
use crate::fleet::apply::{Change, api_for, apply_object_read, describe};
use crate::fleet::ownership::leftover_fields;
use crate::install::FIELD_MANAGER;
use crate::interrupt::{Interrupt, UNTOUCHED};
use crate::model::policy::{ObjectResult, content};
use crate::render::{ClusterFacts, RenderOptions, render};
use crate::view::diff::unified;

/// Renders and applies every policy; a policy whose facts fail is reported and the other
/// policies go on. Everything is read and rendered before the first write, so an interrupt seen
/// then leaves the cluster untouched; once writing has begun it runs to the end.
///
/// Round trips are what a WAN link makes slow, so each cluster is asked as few times in a row
/// as order allows: every policy's facts and the live objects it writes are read at once, then
/// the objects are written at once, except those another one may need in place first (see
/// [`must_precede`]).
pub async fn apply_policies(
    client: &Client,
    policies: &[Policy],
    cluster_name: &str,
    options: &RenderOptions,
    dry_run: bool,
    force_conflicts: bool,
    interrupt: &Interrupt,
) -> Vec<ObjectResult> {
    let prepared = futures::future::join_all(
        policies
            .iter()
            .map(|policy| prepare(client, policy, cluster_name, options)),
    )
    .await;
    let untouched = !dry_run && interrupt.is_set();
    let writes = policies.iter().zip(prepared).map(|(policy, prepared)| async move {
        match prepared {
            Err(e) => vec![ObjectResult::failed(&policy.name, format!("policy {}", policy.name), e)],
            Ok(_) if untouched => vec![ObjectResult::done(
                &policy.name,
                format!("policy {}", policy.name),
                UNTOUCHED,
            )],
            Ok(objects) => write_objects(client, &policy.name, &objects, dry_run, force_conflicts).await,
        }
    });
    futures::future::join_all(writes).await.into_iter().flatten().collect()
}

/// A rendered object and its live state as read before writing: `None` when not read then
/// (it is read on its way), `Some(None)` when it does not exist.
struct Prepared {
    object: Value,
    live: Option<Option<Value>>,
}

/// One policy's objects, rendered from the cluster's facts, with their live state, both read at
/// once. Which objects a policy writes, and their names, do not depend on the facts (only their
/// content does), so a rendering without them names the objects to read.
async fn prepare(
    client: &Client,
    policy: &Policy,
    cluster_name: &str,
    options: &RenderOptions,
) -> Result<Vec<Prepared>, String> {
    let unread = ClusterFacts {
        cluster_name: cluster_name.to_string(),
        ..Default::default()
    };
    let to_read: Vec<Value> = render(policy, &unread, options)
        .unwrap_or_default()
        .into_iter()
        .filter(|o| !read_as_fact(policy, o))
        .collect();
    let (facts, live) = futures::join!(
        read_facts(client, policy, cluster_name),
        futures::future::join_all(to_read.iter().map(|o| read_live(client, o))),
    );
    let facts = facts.map_err(|e| e.to_string())?;
    let objects = render(policy, &facts, options).map_err(|e| e.to_string())?;
    Ok(objects
        .into_iter()
        .map(|object| {
            let live = match kind(&object) {
                _ if !read_as_fact(policy, &object) => to_read
                    .iter()
                    .position(|o| same_object(o, &object))
                    .and_then(|i| live[i].clone()),
                "Namespace" => Some(facts.namespace.clone()),
                _ => Some(facts.ingress.clone()),
            };
            Prepared { object, live }
        })
        .collect())
}

/// The workload's Namespace and the nginx Ingress are facts of rendering too: read once, as facts.
fn read_as_fact(policy: &Policy, obj: &Value) -> bool {
    let r = &policy.config;
    let name = obj.pointer("/metadata/name").and_then(Value::as_str);
    match kind(obj) {
        "Namespace" => name == Some(r.namespace()),
        "Ingress" => r.traffic_routing_provider == "nginx" && name == Some("nginx"),
        _ => false,
    }
}

fn kind(obj: &Value) -> &str {
    obj.pointer("/kind").and_then(Value::as_str).unwrap_or("")
}

fn same_object(a: &Value, b: &Value) -> bool {
    ["/apiVersion", "/kind", "/metadata/namespace", "/metadata/name"]
        .iter()
        .all(|p| a.pointer(p) == b.pointer(p))
}

/// The object as it is in the cluster (`None`: absent), or `None` when it could not be read:
/// the write then reads it again and reports what the cluster answers.
async fn read_live(client: &Client, obj: &Value) -> Option<Option<Value>> {
    let api = api_for(client, obj).ok()?;
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let live = api.get_opt(name).await.ok()?;
    Some(live.map(|l| serde_json::to_value(l).unwrap_or_default()))
}

/// Whether an object must be in place before the others are written: the Canary needs what it
/// refers to (its namespace's mesh injection, its MetricTemplates, Ingress and load tester) to
/// exist when Flagger first reads it. An object already there, as the rendering wants it for a
/// Namespace's injection label, can be written alongside; one not read is taken to be new.
fn must_precede(prepared: &Prepared) -> bool {
    match (kind(&prepared.object), &prepared.live) {
        ("Canary", _) => false,
        ("CustomResourceDefinition", _) | (_, None) | (_, Some(None)) => true,
        ("Namespace", Some(Some(live))) => !metadata_in_place(&prepared.object, live),
        _ => false,
    }
}

/// Whether every label and annotation the object sets already has that value live (pure).
fn metadata_in_place(object: &Value, live: &Value) -> bool {
    ["labels", "annotations"].iter().all(|field| {
        object
            .pointer(&format!("/metadata/{field}"))
            .and_then(Value::as_object)
            .is_none_or(|wanted| {
                wanted
                    .iter()
                    .all(|(k, v)| live.pointer(&format!("/metadata/{field}")).and_then(|m| m.get(k)) == Some(v))
            })
    })
}

/// Applies (or dry-runs) one policy's objects: first those the others need in place, one
/// after another, then the rest at once. After a failure among the first, the rest are skipped.
/// Fields other managers left in an object that change the rollout follow it as warning rows.
async fn write_objects(
    client: &Client,
    policy: &str,
    objects: &[Prepared],
    dry_run: bool,
    force_conflicts: bool,
) -> Vec<ObjectResult> {
    let mut results: Vec<Vec<ObjectResult>> = objects.iter().map(|_| Vec::new()).collect();
    let mut failed = false;
    for (i, prepared) in objects.iter().enumerate().filter(|(_, p)| must_precede(p)) {
        results[i] = if failed {
            vec![ObjectResult::done(policy, describe(&prepared.object), "skipped")]
        } else {
            write_object(client, policy, prepared, dry_run, force_conflicts).await
        };
        failed |= results[i].iter().any(|r| r.error.is_some());
    }
    let rest: Vec<usize> = (0..objects.len()).filter(|&i| !must_precede(&objects[i])).collect();
    let written = futures::future::join_all(rest.iter().map(|&i| async move {
        if failed {
            vec![ObjectResult::done(policy, describe(&objects[i].object), "skipped")]
        } else {
            write_object(client, policy, &objects[i], dry_run, force_conflicts).await
        }
    }))
    .await;
    for (i, rows) in rest.into_iter().zip(written) {
        results[i] = rows;
    }
    results.into_iter().flatten().collect()
}

/// Applies (or dry-runs) one object: its result row, and its warnings.
async fn write_object(
    client: &Client,
    policy: &str,
    prepared: &Prepared,
    dry_run: bool,
    force_conflicts: bool,
) -> Vec<ObjectResult> {
    let obj = &prepared.object;
    let live = prepared.live.as_ref().map(Option::as_ref);
    let outcome = if dry_run {
        dry_run_object(client, obj, live, force_conflicts).await
    } else {
        apply_object_read(client, obj, live, FIELD_MANAGER, force_conflicts)
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
            let mut rows = vec![ObjectResult {
                diff,
                ..ObjectResult::done(policy, describe(obj), word)
            }];
            rows.extend(leftover_warnings(policy, obj, &live));
            rows
        }
        Err(ClusterError::FieldConflicts { conflicts, .. }) => {
            // The object has its own column: the message names the fields and managers.
            let message = ClusterError::FieldConflicts {
                object: String::new(),
                conflicts,
            };
            vec![ObjectResult {
                result: "conflict".into(),
                ..ObjectResult::failed(policy, describe(obj), message.to_string())
            }]
        }
        Err(e) => vec![ObjectResult::failed(policy, describe(obj), e.to_string())],
    }
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
    read: Option<Option<&Value>>,
    force_conflicts: bool,
) -> Result<(Change, Option<String>, Value), ClusterError> {
    let api = api_for(client, obj)?;
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let context = |e: kube::Error| ClusterError::from_kube(&e).with_object(&describe(obj));
    let live = match read {
        Some(live) => live.cloned(),
        None => api
            .get_opt(name)
            .await
            .map_err(context)?
            .map(|l| serde_json::to_value(l).unwrap_or_default()),
    };
    let mut params = PatchParams::apply(FIELD_MANAGER).dry_run();
    params.force = force_conflicts;
    let would = api.patch(name, &params, &Patch::Apply(obj)).await.map_err(context)?;
    let before = live
        .as_ref()
        .map(|l| apimachinery::to_yaml(&content(l)))
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
/// shared nginx Ingress may. All three are read at once.
pub async fn read_facts(client: &Client, policy: &Policy, cluster_name: &str) -> Result<ClusterFacts, ClusterError> {
    let r = &policy.config;
    let ns = r.namespace();
    let kube_err = |e: kube::Error| ClusterError::from_kube(&e);
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let services: Api<Service> = Api::namespaced(client.clone(), ns);
    let ingresses: Api<Ingress> = Api::namespaced(client.clone(), ns);
    let nginx = r.traffic_routing_provider == "nginx";
    let (namespace, service, ingress) =
        futures::join!(namespaces.get_opt(ns), services.get_opt(&r.service_name), async {
            if nginx {
                ingresses.get_opt("nginx").await
            } else {
                Ok(None)
            }
        },);
    let Some(namespace) = namespace.map_err(kube_err)? else {
        return Err(ClusterError::Other(format!(
            "namespace {ns} not found (policy {}): create it and deploy {} there first",
            policy.name, r.workload.name
        )));
    };
    let Some(service) = service.map_err(kube_err)? else {
        return Err(ClusterError::Other(format!(
            "Service {ns}/{} not found (policy {}): deploy the workload and its Service before the rollout",
            r.service_name, policy.name
        )));
    };
    let ingress = ingress.map_err(kube_err)?.and_then(|i| serde_json::to_value(i).ok());
    Ok(ClusterFacts {
        cluster_name: cluster_name.to_string(),
        service: serde_json::to_value(service).ok(),
        namespace: serde_json::to_value(namespace).ok(),
        ingress,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn prepared(object: Value, live: Option<Option<Value>>) -> Prepared {
        Prepared { object, live }
    }

    #[test]
    fn only_what_the_canary_needs_in_place_goes_first() {
        let ns = json!({"kind": "Namespace", "metadata": {"name": "test", "labels": {"istio-injection": "enabled"}}});
        let labelled = json!({"kind": "Namespace", "metadata": {"name": "test", "labels": {"istio-injection": "enabled", "x": "y"}}});
        let bare = json!({"kind": "Namespace", "metadata": {"name": "test"}});
        let template = json!({"kind": "MetricTemplate", "metadata": {"name": "latency"}});
        let canary = json!({"kind": "Canary", "metadata": {"name": "podinfo"}});
        // A Namespace already injected is written alongside; one whose label is missing first.
        assert!(!must_precede(&prepared(ns.clone(), Some(Some(labelled)))));
        assert!(must_precede(&prepared(ns.clone(), Some(Some(bare)))));
        // What the Canary refers to goes first when new, or when not read (taken to be new).
        assert!(must_precede(&prepared(template.clone(), Some(None))));
        assert!(must_precede(&prepared(template.clone(), None)));
        assert!(!must_precede(&prepared(template.clone(), Some(Some(template)))));
        // The Canary never waits for itself.
        assert!(!must_precede(&prepared(canary, None)));
    }
}
