//! Kurator hub mode for `apply`: Applications go to the hub, where Kurator's fleet manager
//! renders them into the members.

use anyhow::Result;
use kube::api::{ListParams, Patch, PatchParams};
use serde::Serialize;
use serde_json::{Value, json};

use super::hub_client;
use crate::cli::{GlobalArgs, PolicyFiles};
use crate::engine::inputs::{load_or_report, read_inputs};
use crate::exit::{Exit, ExitError};
use crate::fleet::ClusterError;
use crate::fleet::conflict::redo_on_conflict;
use crate::install::FIELD_MANAGER;
use crate::output::print_rows;
use crate::view::table;

use crate::fleet::kurator::{applications, fleets};

#[derive(Debug, Serialize)]
struct HubRow {
    application: String,
    result: String,
    error: Option<String>,
}

/// `apply -f app.yaml --fleet NAME`: validates the rollouts, then applies each Application to
/// the hub (server-side apply) for Kurator's fleet manager to render.
/// With `dry_run` the hub answers a server-side dry run (`dryRun=All`): nothing is written, and
/// the rows say what the apply would do to each Application.
pub async fn apply(global: &GlobalArgs, files: &PolicyFiles, force_conflicts: bool, dry_run: bool) -> Result<Exit> {
    let policies = match load_or_report(files)? {
        Ok(p) => p,
        Err(exit) => return Ok(exit),
    };
    let (client, _) = hub_client(global).await?;
    let facts = fleet_facts(global, &client).await;
    eprint!("{}", crate::engine::inputs::kurator_report(&policies, &facts));
    let mut rows = Vec::new();
    for input in read_inputs(files)? {
        let docs: Vec<Value> =
            serde_saphyr::from_multiple(&input.text).map_err(|e| ExitError::usage(format!("{}: {e}", input.name)))?;
        for mut doc in docs.into_iter().filter(|d| !d.is_null()) {
            if doc["kind"] != "Application" {
                return Err(ExitError::usage(format!("{}: with --fleet only Kurator Applications are applied (to the hub); a bare rollout block has no destination", input.name)).into());
            }
            let ns = doc
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or(&global.fleet_namespace)
                .to_string();
            doc["metadata"]["namespace"] = json!(ns);
            let name = doc
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let api = applications(&client, &ns);
            let before = api
                .get_opt(&name)
                .await
                .ok()
                .flatten()
                .and_then(|o| serde_json::to_value(o).ok());
            let mut params = PatchParams::apply(FIELD_MANAGER);
            params.force = force_conflicts;
            params.dry_run = dry_run;
            let result = api.patch(&name, &params, &Patch::Apply(&doc)).await;
            rows.push(match result {
                Ok(after) => HubRow {
                    application: format!("{ns}/{name}"),
                    result: change_of(before.as_ref(), serde_json::to_value(&after).ok().as_ref(), dry_run).into(),
                    error: None,
                },
                Err(e) => {
                    let error = ClusterError::from_kube(&e);
                    HubRow {
                        application: format!("{ns}/{name}"),
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
    }
    print_rows(global.output, &rows, |_| {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.application.clone(),
                    // The same words as context mode's apply: a conflict is not "failed".
                    match &r.error {
                        Some(e) if r.result == "conflict" => format!("conflict: {e}"),
                        Some(e) => format!("failed: {e}"),
                        None => r.result.clone(),
                    },
                ]
            })
            .collect();
        table::render(&["application", "result"], &cells)
    })?;
    Ok(if rows.iter().all(|r| r.error.is_none()) {
        Exit::Success
    } else {
        Exit::Failed
    })
}

/// What an apply did (or, dry, would do) to an Application, from the object before and the
/// server's answer. Compared by content, not resourceVersion: a dry run's answer keeps the old
/// version even when it would change the object.
fn change_of(before: Option<&Value>, after: Option<&Value>, dry_run: bool) -> &'static str {
    let content = |v: &Value| {
        let mut v = v.clone();
        if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            for server_owned in ["resourceVersion", "managedFields", "generation"] {
                meta.remove(server_owned);
            }
        }
        if let Some(m) = v.as_object_mut() {
            m.remove("status");
        }
        v
    };
    match (before, dry_run) {
        (None, false) => "created",
        (None, true) => "would create",
        (Some(b), _) if after.is_some_and(|a| content(a) == content(b)) => "unchanged",
        (Some(_), false) => "configured",
        (Some(_), true) => "would configure",
    }
}

/// `install --fleet NAME`: asks Kurator for Flagger through the Fleet's `plugin.flagger`, then
/// waits until Flagger (and the public load tester) is Available in every member.
pub async fn install(global: &GlobalArgs, args: &crate::cli::InstallArgs, fleet_name: &str) -> Result<Exit> {
    use crate::install::manifests::InstallSpec;
    let (client, hub) = hub_client(global).await?;
    let fleets = fleets(&client, &global.fleet_namespace);
    let mut plugin = json!({"trafficRoutingProvider": args.provider.name(), "publicTestloader": args.testloader});
    if args.flagger_version != crate::install::manifests::DEFAULT_FLAGGER_VERSION {
        plugin["chart"] =
            json!({"repository": "oci://ghcr.io/fluxcd/charts", "name": "flagger", "version": args.flagger_version});
    }
    if let Some(server) = &args.metrics_server {
        plugin["extraArgs"] = json!({"metricsServer": server});
    }
    let patch = json!({"spec": {"plugin": {"flagger": plugin}}});
    fleets
        .patch(
            fleet_name,
            &PatchParams {
                field_manager: Some(FIELD_MANAGER.into()),
                ..Default::default()
            },
            &Patch::Merge(&patch),
        )
        .await
        .map_err(|e| {
            ExitError::usage(format!(
                "patching Fleet {}/{fleet_name} on the hub {hub}: {}",
                global.fleet_namespace,
                ClusterError::from_kube(&e)
            ))
        })?;
    eprintln!(
        "Fleet {}/{fleet_name}: plugin.flagger set ({}); Kurator installs Flagger in the members",
        global.fleet_namespace, plugin
    );
    let fleet = super::kurator_members(global, &client, &hub, fleet_name).await?;
    let outcomes = fleet
        .fan_out(args.timeout, |client, target| async move {
            let spec = InstallSpec {
                provider: args.provider,
                cluster_name: target.context.clone(),
                flagger_version: args.flagger_version.clone(),
                metrics_server: None,
                testloader: args.testloader,
            };
            let mut deployments = vec![(spec.namespace().to_string(), spec.flagger_release())];
            if args.testloader {
                deployments.push((spec.namespace().to_string(), spec.loadtester_name()));
            }
            crate::fleet::apply::wait_deployments_available(&client, &deployments, args.timeout, args.timeout)
                .await
                .map(|_| spec.flagger_release())
        })
        .await;
    let rows: Vec<Vec<String>> = outcomes
        .iter()
        .map(|o| match &o.result {
            Ok(release) => vec![o.target.context.clone(), release.clone(), "Ready".into()],
            Err(e) => vec![o.target.context.clone(), "-".into(), e.to_string()],
        })
        .collect();
    crate::output::write_stdout(&table::render(&["cluster", "flagger", "status"], &rows))?;
    let ok = outcomes.iter().filter(|o| o.result.is_ok()).count();
    Ok(Exit::from_counts(ok, outcomes.len()))
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

/// What the Kurator report needs to know of the `--fleet` Fleet (unknown if it cannot be read).
pub async fn fleet_facts(global: &GlobalArgs, client: &kube::Client) -> crate::config::kurator::FleetFacts {
    let Some(name) = &global.fleet else {
        return Default::default();
    };
    let fleet = fleets(client, &global.fleet_namespace)
        .get_opt(name)
        .await
        .ok()
        .flatten();
    let fleet = fleet.and_then(|f| serde_json::to_value(f).ok());
    crate::config::kurator::FleetFacts {
        public_testloader: fleet.map(|f| {
            f.pointer("/spec/plugin/flagger/publicTestloader")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        }),
    }
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
