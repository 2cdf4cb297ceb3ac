//! Kurator hub mode for `status` and the spec switches: rollout status is read from the hub
//! Application in one request; a switch goes into the Application's rollout policy.

use anyhow::Result;
use kube::api::{ListParams, Patch, PatchParams};
use serde_json::{Value, json};

use super::hub_client;
use crate::cli::GlobalArgs;
use crate::exit::{Exit, ExitError};
use crate::fleet::ClusterError;
use crate::fleet::conflict::redo_on_conflict;
use crate::model::canary::CanaryState;
use crate::output::print_rows;
use crate::view::canaries::status_table;
use crate::view::table;

use crate::fleet::kurator::applications;

/// Rows from an Application's `status.syncStatus[].rolloutStatus` (pure).
pub fn rows_of(app: &Value) -> Vec<CanaryState> {
    crate::engine::hub_watch::canaries_of(app)
        .iter()
        .map(|(cluster, canary)| CanaryState::from_canary(cluster, canary, &[]))
        .collect()
}

/// `status --fleet NAME [APP]`: every member's rollout, from the hub alone.
pub async fn status(global: &GlobalArgs, app: Option<&str>) -> Result<Exit> {
    let (client, hub) = hub_client(global).await?;
    let api = applications(&client, &global.fleet_namespace);
    let apps: Vec<Value> = match app {
        Some(name) => match api
            .get_opt(name)
            .await
            .map_err(|e| ExitError::usage(format!("hub {hub}: {}", ClusterError::from_kube(&e))))?
        {
            Some(a) => vec![serde_json::to_value(a)?],
            None => {
                return Err(ExitError {
                    exit: Exit::NothingMatched,
                    message: format!(
                        "Application {}/{name} not found on the hub {hub}",
                        global.fleet_namespace
                    ),
                }
                .into());
            }
        },
        None => api
            .list(&ListParams::default())
            .await
            .map_err(|e| ExitError::usage(format!("hub {hub}: {}", ClusterError::from_kube(&e))))?
            .items
            .into_iter()
            .map(|a| serde_json::to_value(a).unwrap_or_default())
            .collect(),
    };
    let mut rows: Vec<CanaryState> = apps.iter().flat_map(rows_of).collect();
    if global.output != crate::cli::OutputFormat::Table && !rows.is_empty() {
        // Images are not in the hub's status: read them from the members whose credentials the
        // hub holds; a member that cannot be reached keeps its row without images.
        let fleet_name = global.fleet.as_deref().unwrap_or_default();
        if let Ok(fleet) = super::kurator_members(global, &client, &hub, fleet_name).await {
            super::status::fill_images(&fleet, &mut rows, global.cluster_timeout).await;
        }
    }
    let now = jiff::Timestamp::now().as_second();
    print_rows(global.output, &rows, |wide| status_table(&rows, wide, false, now))?;
    Ok(if rows.is_empty() {
        Exit::NothingMatched
    } else if rows.iter().any(|r| r.phase == "Failed") {
        Exit::Failed
    } else {
        Exit::Success
    })
}

/// pause/resume/promote --full under Kurator: the switch goes into the hub Application's
/// rollout policy (a direct Canary patch would be reverted by Kurator within 30 s).
pub async fn set_policy_switch(global: &GlobalArgs, canary: &str, field: &str, value: bool) -> Result<Exit> {
    let (client, hub) = hub_client(global).await?;
    let api = applications(&client, &global.fleet_namespace);
    let apps = api
        .list(&ListParams::default())
        .await
        .map_err(|e| ExitError::usage(format!("hub {hub}: {}", ClusterError::from_kube(&e))))?;
    let mut changed = Vec::new();
    for app in apps.items {
        let name = app.metadata.name.clone().unwrap_or_default();
        let rows = redo_on_conflict(|_| switch_in_application(&api, &name, canary, field, value))
            .await
            .map_err(|e| ExitError::usage(format!("patching Application {name}: {e}")))?;
        changed.extend(
            rows.into_iter()
                .map(|(policy, change)| vec![format!("{}/{name}", global.fleet_namespace), policy, change]),
        );
    }
    if changed.is_empty() {
        return Err(ExitError {
            exit: Exit::NothingMatched,
            message: format!("no Application on the hub {hub} rolls out {canary}"),
        }
        .into());
    }
    crate::output::write_stdout(&table::render(&["application", "policy", "change"], &changed))?;
    eprintln!("changed on the hub: Kurator's fleet manager carries it to the members' Canaries");
    Ok(Exit::Success)
}

/// Sets `field` in every rollout policy of one Application that rolls out `canary`, from a
/// fresh read: the new policy list carries the resourceVersion it was made from, so a change
/// in between (policies added, removed or reordered) is a 409, not a switch on the wrong one.
/// Returns (policy, change) rows; none when no policy rolls out `canary`.
async fn switch_in_application(
    api: &kube::Api<kube::api::DynamicObject>,
    name: &str,
    canary: &str,
    field: &str,
    value: bool,
) -> Result<Vec<(String, String)>, ClusterError> {
    let app = api.get(name).await.map_err(|e| ClusterError::from_kube(&e))?;
    let app = serde_json::to_value(app).unwrap_or_default();
    let (policies, rows) = switched_policies(&app, canary, field, value);
    if let Some(policies) = policies {
        let patch = json!({
            "metadata": {"resourceVersion": app.pointer("/metadata/resourceVersion")},
            "spec": {"syncPolicies": policies},
        });
        // Recorded under the verb's own manager, as in context mode (pause, resume, promote).
        let verb = match (field, value) {
            ("suspend", true) => "pause",
            ("suspend", false) => "resume",
            _ => "promote",
        };
        let params = PatchParams {
            field_manager: Some(crate::install::verb_manager(verb)),
            ..Default::default()
        };
        api.patch(name, &params, &Patch::Merge(&patch))
            .await
            .map_err(|e| ClusterError::from_kube(&e))?;
    }
    Ok(rows)
}

/// The Application's policy list with `field` set in the policies rolling out `canary` (None
/// when none needed it), and a (policy, change) row for each such policy (pure).
fn switched_policies(
    app: &Value,
    canary: &str,
    field: &str,
    value: bool,
) -> (Option<Vec<Value>>, Vec<(String, String)>) {
    let mut policies = app
        .pointer("/spec/syncPolicies")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut rows = Vec::new();
    let mut touched = false;
    for (i, p) in policies.iter_mut().enumerate() {
        if p.pointer("/rollout/workload/name").and_then(Value::as_str) != Some(canary) {
            continue;
        }
        // Kurator's switches default to false: absent is false.
        let current = p
            .pointer(&format!("/rollout/rolloutPolicy/{field}"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if current == value {
            rows.push((format!("syncPolicies[{i}]"), format!("none: {field} already {value}")));
            continue;
        }
        if value {
            p["rollout"]["rolloutPolicy"][field] = json!(true);
        } else if let Some(policy) = p.pointer_mut("/rollout/rolloutPolicy").and_then(Value::as_object_mut) {
            // Switching back removes the key, so the list is again what `apply --fleet` wrote:
            // the next apply of the same file changes nothing and meets no conflict with this
            // verb's Update (the list is one atomic field).
            policy.remove(field);
            if policy.is_empty()
                && let Some(rollout) = p.get_mut("rollout").and_then(Value::as_object_mut)
            {
                rollout.remove("rolloutPolicy");
            }
        }
        touched = true;
        rows.push((format!("syncPolicies[{i}]"), format!("{field}={value}")));
    }
    (touched.then_some(policies), rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_only_the_policies_of_that_canary() {
        let app = json!({"spec": {"syncPolicies": [
            {"rollout": {"workload": {"name": "podinfo"}}},
            {"rollout": {"workload": {"name": "other"}}},
            {"rollout": {"workload": {"name": "podinfo"}, "rolloutPolicy": {"suspend": true}}},
        ]}});
        let (policies, rows) = switched_policies(&app, "podinfo", "suspend", true);
        let policies = policies.expect("the first policy changes");
        assert_eq!(policies[0]["rollout"]["rolloutPolicy"]["suspend"], true);
        assert!(policies[1]["rollout"].get("rolloutPolicy").is_none());
        assert_eq!(
            rows,
            vec![
                ("syncPolicies[0]".to_string(), "suspend=true".to_string()),
                ("syncPolicies[2]".to_string(), "none: suspend already true".to_string()),
            ]
        );
        let (unchanged, rows) = switched_policies(
            &json!({"spec": {"syncPolicies": [policies[0].clone()]}}),
            "podinfo",
            "suspend",
            true,
        );
        assert!(unchanged.is_none());
        assert_eq!(rows.len(), 1);
        assert_eq!(switched_policies(&app, "nope", "suspend", true), (None, vec![]));
    }

    #[test]
    fn switching_back_restores_the_applied_policy() {
        let applied = json!({"rollout": {"workload": {"name": "podinfo"}, "rolloutPolicy": {"trafficRouting": {"timeoutSeconds": 60}}}});
        let app = json!({"spec": {"syncPolicies": [applied.clone()]}});
        let (paused, _) = switched_policies(&app, "podinfo", "suspend", true);
        let paused_app = json!({"spec": {"syncPolicies": paused.unwrap()}});
        let (resumed, rows) = switched_policies(&paused_app, "podinfo", "suspend", false);
        assert_eq!(resumed.unwrap(), vec![applied]);
        assert_eq!(rows[0].1, "suspend=false");
        let (nothing, rows) = switched_policies(&app, "podinfo", "suspend", false);
        assert!(nothing.is_none());
        assert_eq!(rows[0].1, "none: suspend already false");
    }
}
