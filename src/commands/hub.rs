//! Kurator hub mode for `apply` and `status`: Applications go to the hub, where Kurator's fleet
//! manager renders them into the members; rollout status is read from the hub Application in
//! one request.

use anyhow::Result;
use kube::api::{ListParams, Patch, PatchParams};
use serde::Serialize;
use serde_json::{Value, json};

use super::hub_client;
use crate::cli::{GlobalArgs, PolicyFiles};
use crate::engine::inputs::{load_or_report, read_inputs};
use crate::exit::{Exit, ExitError};
use crate::fleet::ClusterError;
use crate::install::FIELD_MANAGER;
use crate::model::canary::CanaryState;
use crate::output::print_rows;
use crate::view::canaries::status_table;
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
