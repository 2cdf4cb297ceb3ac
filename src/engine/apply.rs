//! Applying rendered policies to one cluster with server-side apply, object by object, with a
//! result per object; and the dry run that diffs against the live objects.

use kube::Client;
use kube::api::{Patch, PatchParams};
use serde::Serialize;
use serde_json::Value;

use super::facts::read_facts;
use crate::config::Policy;
use crate::fleet::ClusterError;
use crate::fleet::apply::{Change, api_for, apply_object_live, describe};
use crate::fleet::ownership::leftover_fields;
use crate::install::FIELD_MANAGER;
use crate::interrupt::{Interrupt, UNTOUCHED};
use crate::render::{RenderOptions, render};
use crate::view::diff::unified;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectResult {
    pub policy: String,
    pub object: String,
    /// created, configured, unchanged, failed, skipped (dry run: would create/configure).
    pub result: String,
    pub error: Option<String>,
    /// Dry run only: the diff against the live object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// result `warning`: a field another manager left in the object that changes the rollout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

impl ObjectResult {
    fn failed(policy: &str, object: String, error: String) -> ObjectResult {
        ObjectResult {
            policy: policy.into(),
            object,
            result: "failed".into(),
            error: Some(error),
            diff: None,
            warning: None,
        }
    }
}

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
            Ok(_) if untouched => results.push(ObjectResult {
                policy: policy.name.clone(),
                object: format!("policy {}", policy.name),
                result: UNTOUCHED.into(),
                error: None,
                diff: None,
                warning: None,
            }),
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
            results.push(ObjectResult {
                policy: policy.into(),
                object: describe(obj),
                result: "skipped".into(),
                error: None,
                diff: None,
                warning: None,
            });
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
                    policy: policy.into(),
                    object: describe(obj),
                    result: word.into(),
                    error: None,
                    diff,
                    warning: None,
                });
                results.extend(
                    leftover_fields(&live, obj, FIELD_MANAGER)
                        .into_iter()
                        .map(|l| ObjectResult {
                            policy: policy.into(),
                            object: describe(obj),
                            result: "warning".into(),
                            error: None,
                            diff: None,
                            warning: Some(format!(
                                "{} is set by {} and not by this policy, and Flagger uses it too: {}",
                                l.field,
                                l.manager,
                                crate::install::leftover_remedy(&l.manager)
                            )),
                        }),
                );
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

/// Fields the server owns, left out of a diff.
fn comparable(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in [
            "managedFields",
            "resourceVersion",
            "uid",
            "creationTimestamp",
            "generation",
        ] {
            m.remove(key);
        }
    }
    if let Some(m) = v.as_object_mut() {
        m.remove("status");
    }
    v
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
        .map(|l| apimachinery::to_yaml(&comparable(&serde_json::to_value(l).unwrap_or_default())))
        .unwrap_or_default();
    let after = apimachinery::to_yaml(&comparable(&serde_json::to_value(&would).unwrap_or_default()));
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
