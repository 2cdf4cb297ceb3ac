//! Setting the fleet up: which clusters answer (`clusters`, `version --server`), installing
//! Flagger, checking that every member is ready, and uninstalling. Who installs is the fleet
//! source's [`FleetSource::install_destination`]: this tool's manifests in each member
//! (`install::run`, `install::check`, `install::remove` do one cluster), or Kurator's Fleet
//! plugin, set on the hub. A dry run changes nothing in either mode.

use std::time::Duration;

use anyhow::Result;
use kube::api::{ListParams, Patch, PatchParams};
use serde_json::Value;

use crate::cli::InstallArgs;
use crate::exit::Exit;
use crate::exit::ExitError;
use crate::fleet::apply::wait_deployments_available;
use crate::fleet::kurator::{applications, fleets};
use crate::fleet::source::{Destination, FleetSource, Hub};
use crate::fleet::targets::name_for;
use crate::fleet::{ClusterError, ClusterOutcome, Fleet, Target};
use crate::install::FIELD_MANAGER;
use crate::install::check::{CheckOptions, flagger_controllers, image_version, run_checks};
use crate::install::manifests::{InstallSpec, manifests};
use crate::install::remove::{RemovalPlan, execute, plan};
use crate::install::run::{InstallReport, install as install_one, preflight, second_flagger};
use crate::interrupt::Interrupt;
use crate::invocation::context_flag;
use crate::kurator::plugin::{FleetPluginReport, flagger_patch, flagger_removal, report};
use crate::model::setup::{
    CheckRow, ClusterRow, InstallRow, MemberReadyRow, PluginChange, PluginRemoval, ServerRow, UninstallRow,
    fleet_plugin_row, install_exit, removal_action,
};
use crate::model::words::counted;
use crate::view::progress::FleetProgress;

/// `clusters`: asks every cluster for its version and makes one authenticated call (the version
/// endpoint is public on real clusters, so it alone would not catch bad credentials).
pub async fn probe(members: &Fleet, timeout: Duration) -> Vec<ClusterRow> {
    let outcomes = members
        .fan_out(timeout, |client, _| async move {
            let (version, api) = tokio::join!(client.apiserver_version(), client.list_core_api_versions());
            let version = version.map_err(|e| ClusterError::from_kube(&e))?;
            api.map_err(|e| ClusterError::from_kube(&e))?;
            Ok(version.git_version)
        })
        .await;
    outcomes
        .into_iter()
        .map(|outcome| {
            let t = outcome.target;
            let (version, status, error) = match outcome.result {
                Ok(v) => (Some(v), "Ready".to_string(), None),
                Err(e) => (None, e.to_string(), Some(e.to_string())),
            };
            ClusterRow {
                context: Some(t.context.clone()),
                cluster: t.context,
                kubeconfig_cluster: t.cluster,
                server: t.server,
                namespace: t.namespace,
                version,
                status,
                error,
            }
        })
        .collect()
}

/// `version --server`: each cluster's Kubernetes and the Flagger controllers found in it.
pub async fn server_versions(source: &FleetSource, timeout: Duration) -> Vec<ServerRow> {
    let outcomes = source
        .members
        .fan_out(timeout, |client, _| async move {
            let k8s = client
                .apiserver_version()
                .await
                .map_err(|e| ClusterError::from_kube(&e))?;
            Ok((k8s.git_version, flagger_controllers(&client).await))
        })
        .await;
    outcomes
        .into_iter()
        .map(|o| {
            let mut row = ServerRow {
                context: source.member_context(&o.target),
                cluster: o.target.context,
                server_version: None,
                flagger_installed: None,
                flagger_version: None,
                error: None,
            };
            match o.result {
                Ok((k8s, Ok(controllers))) => {
                    row.server_version = Some(k8s);
                    row.flagger_installed = Some(!controllers.is_empty());
                    // Several controllers (a conflict `check` reports): every version, the
                    // Available ones first, rather than one picked.
                    let mut controllers = controllers;
                    controllers.sort_by_key(|d| !d.available);
                    let versions: Vec<String> = controllers.iter().map(|d| image_version(&d.image)).collect();
                    row.flagger_version = (!versions.is_empty()).then(|| versions.join(", "));
                }
                Ok((k8s, Err(e))) => {
                    row.server_version = Some(k8s);
                    row.error = Some(format!("Flagger unknown: listing Deployments: {e}"));
                }
                Err(e) => row.error = Some(e.to_string()),
            }
            row
        })
        .collect()
}

fn spec_for(target: &Target, args: &InstallArgs) -> InstallSpec {
    InstallSpec {
        provider: args.provider,
        cluster_name: name_for(&args.cluster_name, &target.context),
        flagger_version: args.flagger_version.clone(),
        metrics_server: args.metrics_server.clone(),
        testloader: args.testloader,
    }
}

/// What `install` did.
pub enum Installed {
    /// This tool's manifests, member by member.
    Members { rows: Vec<InstallRow>, exit: Exit },
    /// Kurator's Fleet plugin set on the hub, then waited on in every member.
    Hub {
        change: PluginChange,
        rows: Vec<MemberReadyRow>,
        exit: Exit,
    },
}

/// What `install --dry-run` would do, changing nothing.
pub enum InstallPreview {
    /// The manifests each member the install would write to would get (context, cluster name,
    /// objects); the members it would not write to, with why (another Flagger runs there, the
    /// cluster does not answer); and the exit the install would end with.
    Manifests {
        members: Vec<(String, String, Vec<Value>)>,
        refused: Vec<(String, String)>,
        exit: Exit,
    },
    /// The change to the Fleet on the hub, as the hub answered a server-side dry run.
    Hub(PluginChange),
}

/// A `--cluster-name` for a context that is not a member: a usage error naming the members.
fn check_renames(source: &FleetSource, args: &InstallArgs) -> Result<(), ExitError> {
    let known = source.member_names();
    match args.cluster_name.iter().find(|(c, _)| !known.contains(c)) {
        Some((unknown, _)) => Err(ExitError::usage(format!(
            "--cluster-name {unknown}=…: {unknown} is not one of the target contexts ({})",
            known.join(", ")
        ))),
        None => Ok(()),
    }
}

/// Installs Flagger where the fleet source says, and waits until it is Available everywhere.
pub async fn install(source: &FleetSource, args: &InstallArgs, show_progress: bool) -> Result<Installed> {
    check_renames(source, args)?;
    match source.install_destination() {
        Destination::Members => {
            let (rows, exit) = install_members(&source.members, args, show_progress, &Interrupt::on_ctrl_c()).await;
            Ok(Installed::Members { rows, exit })
        }
        Destination::Hub(hub) => {
            refuse_second_flagger_in_members(hub, &source.members, args).await?;
            let change = set_plugin(hub, args, false).await?;
            let rows = wait_for_plugin(source, args).await;
            let ok = rows.iter().filter(|r| r.error.is_none()).count();
            let exit = Exit::from_counts(ok, rows.len());
            Ok(Installed::Hub { change, rows, exit })
        }
    }
}

/// What `install` would do: the manifests per member, or the Fleet patch the hub would take.
/// It reads what the install checks before writing ([`preflight`]), so it is refused, and
/// exits, as the install would.
pub async fn preview_install(source: &FleetSource, args: &InstallArgs) -> Result<InstallPreview> {
    check_renames(source, args)?;
    match source.install_destination() {
        Destination::Members => {
            let outcomes = source
                .members
                .fan_out(args.timeout, |client, target| {
                    let spec = spec_for(&target, args);
                    let flag = context_flag(&target.context);
                    async move { preflight(&client, &spec, Some(&flag)).await }
                })
                .await;
            let (mut members, mut refused, mut failures) = (Vec::new(), Vec::new(), Vec::new());
            for o in outcomes {
                let spec = spec_for(&o.target, args);
                match o.result {
                    Ok(()) => members.push((o.target.context, spec.cluster_name.clone(), manifests(&spec))),
                    Err(e) => {
                        failures.push(e.is_timeout());
                        refused.push((o.target.context, e.to_string()));
                    }
                }
            }
            let exit = install_exit(&failures, source.members.len(), false);
            Ok(InstallPreview::Manifests { members, refused, exit })
        }
        Destination::Hub(hub) => {
            refuse_second_flagger_in_members(hub, &source.members, args).await?;
            Ok(InstallPreview::Hub(set_plugin(hub, args, true).await?))
        }
    }
}

/// Kurator's Fleet plugin installs Flagger in each member under the name this tool's manifests
/// use (Helm release `<namespace>-flagger-<member>`): a member already running any other
/// Flagger would get a second one, so the Fleet is not changed (see [`preflight`]). A member
/// that cannot be read is not refused here: the wait after the change reports it.
async fn refuse_second_flagger_in_members(hub: &Hub, members: &Fleet, args: &InstallArgs) -> Result<(), ExitError> {
    let outcomes = members
        .fan_out(args.timeout, |client, target| {
            // Kurator's plugin names its release after the member, whatever --cluster-name
            // says (as `wait_for_plugin` expects it): that one is the plugin's own, not a second.
            let spec = InstallSpec {
                cluster_name: target.context.clone(),
                ..spec_for(&target, args)
            };
            // Members reached through the hub have no context of the user's.
            async move { second_flagger(&client, &spec, None).await }
        })
        .await;
    let refusals: Vec<String> = outcomes
        .into_iter()
        .filter_map(|o| match o.result {
            Ok(Some(refusal)) => Some(format!("{}: {refusal}", o.target.context)),
            _ => None,
        })
        .collect();
    match refusals.is_empty() {
        true => Ok(()),
        false => Err(ExitError {
            exit: Exit::Failed,
            message: format!(
                "Fleet {}/{} was not changed: its Flagger plugin would add a second Flagger to {}:\n{}",
                hub.namespace,
                hub.fleet,
                counted(refusals.len(), "member", "members"),
                refusals.join("\n")
            ),
        }),
    }
}

/// Installs this tool's manifests into every member. `install` stops starting changes at the
/// first Ctrl-C; the playground, which installs into clusters it just made and owns Ctrl-C
/// itself, passes a manual interrupt.
pub async fn install_members(
    members: &Fleet,
    args: &InstallArgs,
    show_progress: bool,
    interrupt: &Interrupt,
) -> (Vec<InstallRow>, Exit) {
    let progress = FleetProgress::new(
        &members
            .clusters
            .iter()
            .map(|c| c.target.context.clone())
            .collect::<Vec<_>>(),
        show_progress,
    );
    let outcomes = members
        .fan_out(args.timeout + Duration::from_secs(30), |client, target| {
            let spec = spec_for(&target, args);
            let report = progress.reporter(&target.context);
            let progress = &progress;
            async move {
                let result = install_one(
                    &client,
                    &context_flag(&target.context),
                    &spec,
                    args.timeout,
                    &report,
                    interrupt,
                    args.force_conflicts,
                )
                .await;
                let message = match &result {
                    Ok(r) => format!("ready ({})", r.summary()),
                    Err((_, e)) => format!("failed: {e}"),
                };
                progress.finish(&target.context, message);
                Ok::<_, ClusterError>(result)
            }
        })
        .await;
    progress.clear();
    let mut failures = Vec::new();
    let rows: Vec<InstallRow> = outcomes
        .into_iter()
        .map(|o| {
            let spec = spec_for(&o.target, args);
            let (report, error) = match o.result {
                Ok(Ok(report)) => (report, None),
                Ok(Err((report, e))) => (report, Some(e)),
                Err(e) => (InstallReport::default(), Some(e)),
            };
            failures.extend(error.as_ref().map(ClusterError::is_timeout));
            InstallRow {
                // Members are installed into one by one only in context mode.
                context: Some(o.target.context.clone()),
                cluster: o.target.context,
                cluster_name: spec.cluster_name.clone(),
                namespace: spec.namespace().to_string(),
                flagger: spec.flagger_release(),
                status: error.as_ref().map_or_else(|| "Ready".into(), ToString::to_string),
                error: error.map(|e| e.to_string()),
                changes: report,
            }
        })
        .collect();
    let exit = install_exit(&failures, rows.len(), interrupt.is_set());
    (rows, exit)
}

/// Sets the Fleet's Flagger plugin (see [`patch_plugin`]).
async fn set_plugin(hub: &Hub, args: &InstallArgs, dry_run: bool) -> Result<PluginChange> {
    let patch = flagger_patch(
        args.provider.name(),
        args.testloader,
        &args.flagger_version,
        args.metrics_server.as_deref(),
    );
    patch_plugin(hub, patch, dry_run).await
}

/// Sends a merge patch of the Fleet's Flagger plugin (a server-side dry run, `dryRun=All`, when
/// `dry_run`: the hub answers what it would store and keeps what it has) and says what it
/// changed in the field.
async fn patch_plugin(hub: &Hub, patch: Value, dry_run: bool) -> Result<PluginChange> {
    let fleet = format!("{}/{}", hub.namespace, hub.fleet);
    let hub_error = |e: kube::Error| {
        ExitError::usage(format!(
            "patching Fleet {fleet} on the hub {}: {}",
            hub.context,
            ClusterError::from_kube(&e)
        ))
    };
    let api = fleets(&hub.client, &hub.namespace);
    let plugin_of = |fleet: Option<kube::api::DynamicObject>| {
        fleet
            .and_then(|f| serde_json::to_value(f).ok())
            .and_then(|f| f.pointer("/spec/plugin/flagger").cloned())
    };
    let before = plugin_of(api.get_opt(&hub.fleet).await.map_err(hub_error)?);
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        dry_run,
        ..Default::default()
    };
    let after = plugin_of(Some(
        api.patch(&hub.fleet, &params, &Patch::Merge(&patch))
            .await
            .map_err(hub_error)?,
    ));
    let result = match (before == after, dry_run) {
        (true, _) => "unchanged",
        (false, true) => "would configure",
        (false, false) => "configured",
    };
    Ok(PluginChange {
        fleet,
        hub: hub.context.clone(),
        field: "spec.plugin.flagger".into(),
        result: result.into(),
        patch,
        before,
        after,
    })
}

/// Waits until Kurator's Flagger (and the public load tester) is Available in every member.
async fn wait_for_plugin(source: &FleetSource, args: &InstallArgs) -> Vec<MemberReadyRow> {
    let outcomes = source
        .members
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
            wait_deployments_available(&client, &deployments, args.timeout, args.timeout)
                .await
                .map(|_| spec.flagger_release())
        })
        .await;
    outcomes
        .into_iter()
        .map(|o| match o.result {
            Ok(release) => MemberReadyRow {
                context: source.member_context(&o.target),
                cluster: o.target.context,
                flagger: Some(release),
                status: "Ready".into(),
                error: None,
            },
            Err(e) => MemberReadyRow {
                context: source.member_context(&o.target),
                cluster: o.target.context,
                flagger: None,
                status: e.to_string(),
                error: Some(e.to_string()),
            },
        })
        .collect()
}

/// What `check` found.
pub struct Checked {
    /// Under Kurator: what the Fleet's plugin asks for and whether the rollouts agree, and the
    /// hub's row judging it (shown with the members').
    pub hub: Option<(FleetPluginReport, CheckRow)>,
    pub rows: Vec<CheckRow>,
}

/// Checks every member (and, under Kurator, the Fleet's Flagger plugin first: it decides what
/// gets installed).
pub async fn check(source: &FleetSource, testloader: bool, all_namespaces: bool, timeout: Duration) -> Result<Checked> {
    let hub = match source.install_destination() {
        Destination::Members => None,
        Destination::Hub(hub) => {
            let plugin = read_plugin(hub, testloader).await?;
            let row = fleet_plugin_row(&hub.context, &plugin);
            Some((plugin, row))
        }
    };
    let outcomes = source
        .members
        .fan_out(timeout, |client, target| async move {
            let options = CheckOptions {
                testloader,
                namespace: target.namespace.clone(),
                all_namespaces,
                install_hint: format!(
                    "kubectl kurator-rollout install {} --provider <istio|nginx|kuma|…>",
                    context_flag(&target.context)
                ),
                context_flag: context_flag(&target.context),
            };
            run_checks(&client, &options).await
        })
        .await;
    let rows = outcomes
        .into_iter()
        .map(|o| match o.result {
            Ok(checks) => CheckRow {
                context: source.member_context(&o.target),
                cluster: o.target.context,
                passed: checks.iter().all(|c| c.ok),
                checks,
                error: None,
            },
            Err(e) => CheckRow {
                context: source.member_context(&o.target),
                cluster: o.target.context,
                passed: false,
                checks: Vec::new(),
                error: Some(e.to_string()),
            },
        })
        .collect();
    Ok(Checked { hub, rows })
}

/// Reads the Fleet and the Applications from the hub and reports on the Fleet's plugin.
async fn read_plugin(hub: &Hub, want_testloader: bool) -> Result<FleetPluginReport> {
    let hub_error = |e: kube::Error| ExitError::usage(format!("hub {}: {}", hub.context, ClusterError::from_kube(&e)));
    let fleet = fleets(&hub.client, &hub.namespace)
        .get_opt(&hub.fleet)
        .await
        .map_err(hub_error)?
        .ok_or_else(|| {
            ExitError::usage(format!(
                "Fleet {}/{} not found on the hub {}; check --fleet and --fleet-namespace",
                hub.namespace, hub.fleet, hub.context
            ))
        })?;
    // No Application CRD (404) just means no Applications yet; anything else is an error.
    let applications: Vec<Value> = match applications(&hub.client, &hub.namespace)
        .list(&ListParams::default())
        .await
    {
        Ok(list) => list
            .items
            .into_iter()
            .filter_map(|a| serde_json::to_value(a).ok())
            .collect(),
        Err(kube::Error::Api(status)) if status.code == 404 => Vec::new(),
        Err(e) => return Err(hub_error(e).into()),
    };
    Ok(report(
        &hub.fleet,
        &serde_json::to_value(fleet)?,
        &applications,
        want_testloader,
    ))
}

/// What `uninstall` would remove.
pub enum Removal {
    /// This tool's objects, member by member.
    Members(Vec<ClusterOutcome<RemovalPlan>>),
    /// The Fleet's Flagger plugin: Kurator's fleet manager then uninstalls Flagger from every
    /// member (a delete in the members would be undone by its next reconcile).
    Hub(Box<PluginRemoval>),
}

/// Plans `uninstall` where the fleet source says Flagger came from; changes nothing.
pub async fn plan_removal(source: &FleetSource, include_crds: bool, timeout: Duration) -> Result<Removal> {
    let hub = match source.install_destination() {
        Destination::Hub(_) if include_crds => {
            return Err(ExitError::usage(
                "--crds under --fleet: Kurator's Flagger chart keeps its CRDs when the plugin goes (Helm never deletes CRDs); \
                 uninstall without --crds, then delete the CRDs in each member",
            )
            .into());
        }
        Destination::Hub(hub) => Some(hub),
        Destination::Members => None,
    };
    let plans = source
        .members
        .fan_out(timeout, |client, _| async move { plan(&client, include_crds).await })
        .await;
    let Some(hub) = hub else {
        return Ok(Removal::Members(plans));
    };
    let change = patch_plugin(hub, flagger_removal(), true).await?;
    let (mut canaries, mut unreadable) = (Vec::new(), Vec::new());
    for o in plans {
        match o.result {
            Ok(p) => canaries.push((o.target.context, p.canaries)),
            Err(e) => unreadable.push((o.target.context, e.to_string())),
        }
    }
    Ok(Removal::Hub(Box::new(PluginRemoval {
        change,
        canaries,
        unreadable,
    })))
}

/// Removes the Fleet's Flagger plugin, for Kurator to uninstall Flagger from the members.
pub async fn remove_plugin(source: &FleetSource) -> Result<PluginChange> {
    match source.install_destination() {
        Destination::Hub(hub) => patch_plugin(hub, flagger_removal(), false).await,
        Destination::Members => Err(ExitError::usage("the Fleet plugin is removed only under --fleet").into()),
    }
}

/// Carries out the plans (members whose plan was refused or failed get that as their error).
/// Deleting stops for nobody once begun (a half-removed Flagger is worse than either); Ctrl-C
/// only keeps members not yet begun untouched.
pub async fn remove(
    members: &Fleet,
    plans: &[ClusterOutcome<RemovalPlan>],
    force: bool,
    timeout: Duration,
) -> Vec<UninstallRow> {
    let interrupt = Interrupt::on_ctrl_c();
    let results = members
        .fan_out(timeout, |client, target| {
            let planned = plans
                .iter()
                .find(|o| o.target.context == target.context)
                .map(|o| &o.result);
            let interrupt = &interrupt;
            // The wait for Flagger's Deployment to go ends a little before fan_out's own
            // timeout, so its message (what was left, what to do) is the one shown.
            let deadline = tokio::time::Instant::now() + timeout - (timeout / 10).min(Duration::from_secs(1));
            async move {
                if interrupt.is_set() {
                    return Err(ClusterError::Interrupted);
                }
                match planned {
                    Some(Ok(p)) => match removal_action(p, force) {
                        Ok(_) => execute(&client, p, deadline).await.map(Some),
                        Err(refused) => Err(ClusterError::Other(refused)),
                    },
                    Some(Err(e)) => Err(e.clone()),
                    None => Ok(None),
                }
            }
        })
        .await;
    results
        .into_iter()
        .map(|o| match o.result {
            Ok(n) => UninstallRow {
                // Members are uninstalled from one by one only in context mode.
                context: Some(o.target.context.clone()),
                cluster: o.target.context,
                deleted: n.unwrap_or(0),
                status: "Done".into(),
                error: None,
            },
            Err(e) => {
                let message = match e {
                    // Cut off mid-way: some objects may be gone already.
                    ClusterError::Timeout(_) => {
                        format!("{e}; some objects may be deleted already: re-run uninstall (it is safe to repeat)")
                    }
                    e => e.to_string(),
                };
                UninstallRow {
                    context: Some(o.target.context.clone()),
                    cluster: o.target.context,
                    deleted: 0,
                    status: message.clone(),
                    error: Some(message),
                }
            }
        })
        .collect()
}
