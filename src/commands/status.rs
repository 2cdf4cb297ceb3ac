//! `status`: every target cluster's canaries, once or followed (`--watch`).

use std::collections::HashMap;

use anyhow::Result;

use super::follow::{FollowOptions, Require, follow, follow_updates, parse_require};
use super::{connect_fleet, show_live};
use crate::cli::{GlobalArgs, OutputFormat, StatusArgs};
use crate::engine::snapshot::snapshot;
use crate::engine::watch::Scope;
use crate::exit::{Exit, ExitError};
use crate::output::print_rows;
use crate::view::canaries::status_table;

/// The namespace commands use without -n: the first target context's.
pub fn default_namespace(fleet: &crate::fleet::Fleet) -> String {
    fleet
        .clusters
        .first()
        .map(|c| c.target.namespace.clone())
        .unwrap_or_else(|| "default".into())
}

pub fn scope(global: &GlobalArgs, name: Option<&str>, selector: Option<&str>, default_namespace: &str) -> Scope {
    Scope {
        namespace: if global.all_namespaces {
            None
        } else {
            Some(
                global
                    .namespace
                    .clone()
                    .unwrap_or_else(|| default_namespace.to_string()),
            )
        },
        name: name.map(str::to_string),
        labels: selector.map(str::to_string),
    }
}

fn watch_options(global: &GlobalArgs, args: &StatusArgs, scope: Scope, require: Require) -> Result<FollowOptions> {
    Ok(FollowOptions {
        scope,
        timeout: args.timeout,
        require,
        until: args.until.clone(),
        wait_for_start: args.wait_for_start,
        baseline: HashMap::new(),
        output: global.output,
        live: show_live(global),
        confirm: crate::invocation::ConfirmPolicy::new(global.yes, &global.protected)?,
    })
}

pub async fn run(global: &GlobalArgs, args: &StatusArgs) -> Result<Exit> {
    let require = parse_require(&args.require).map_err(ExitError::usage)?;
    if global.fleet.is_some() && !args.watch {
        // One request to the hub: NAME is the Application.
        return super::hub::status(global, args.name.as_deref()).await;
    }
    if let (Some(fleet_name), Some(app), true) = (&global.fleet, &args.name, args.watch) {
        // Under Kurator, NAME is the Application: watch it on the hub, which carries every
        // member's rollout status (as often as Kurator's fleet manager mirrors it).
        let (hub, hub_context) = super::hub_client(global).await?;
        let fleet = super::kurator_members(global, &hub, &hub_context, fleet_name).await?;
        let members: Vec<String> = fleet.clusters.iter().map(|c| c.target.context.clone()).collect();
        let updates = crate::engine::hub_watch::watch_application(hub.clone(), &global.fleet_namespace, app, members);
        let options = watch_options(global, args, Scope::default(), require)?;
        let footer = format!(
            "Application {}/{app} on the hub · Ctrl-C to stop",
            global.fleet_namespace
        );
        // The keys act through the hub, as `pause --fleet` does.
        let hub = crate::fleet::source::Hub {
            client: hub,
            context: hub_context,
            fleet: fleet_name.clone(),
            namespace: global.fleet_namespace.clone(),
        };
        let source = crate::fleet::source::FleetSource::kurator(fleet, hub);
        return Ok(follow_updates(&source, &options, &footer, updates).await?.exit);
    }
    let fleet = connect_fleet(global).await?;
    let default_ns = default_namespace(&fleet);
    let scope = scope(global, args.name.as_deref(), args.selector.as_deref(), &default_ns);
    if args.watch {
        let options = watch_options(global, args, scope, require)?;
        let source = crate::fleet::source::FleetSource::contexts(fleet);
        return Ok(follow(&source, &options, "Ctrl-C to stop").await?.exit);
    }
    let state = snapshot(&fleet, &scope, global.cluster_timeout).await;
    let mut rows = state.rows();
    if global.output != OutputFormat::Table {
        fill_images(&fleet, &mut rows, global.cluster_timeout).await;
    }
    let now = jiff::Timestamp::now().as_second();
    print_rows(global.output, &rows, |wide| status_table(&rows, wide, true, now))?;
    if rows.iter().all(|r| r.phase.is_empty()) && args.name.is_some() {
        return Ok(Exit::NothingMatched);
    }
    let unavailable = rows.iter().filter(|r| r.error.is_some()).count();
    Ok(if rows.iter().any(|r| r.phase == "Failed") {
        Exit::Failed
    } else if unavailable > 0 {
        Exit::Partial
    } else {
        Exit::Success
    })
}

/// Reads the images of each canary's primary and target Deployments (wide and machine output).
pub(super) async fn fill_images(
    fleet: &crate::fleet::Fleet,
    rows: &mut [crate::model::canary::CanaryState],
    timeout: std::time::Duration,
) {
    use k8s_openapi::api::apps::v1::Deployment;
    let wanted: Vec<(String, String, String)> = rows
        .iter()
        .filter(|r| r.error.is_none())
        .map(|r| (r.cluster.clone(), r.namespace.clone(), r.target.clone()))
        .collect();
    let outcomes = fleet
        .fan_out(timeout, |client, target| {
            let wanted: Vec<(String, String)> = wanted
                .iter()
                .filter(|(c, _, _)| c == &target.context)
                .map(|(_, ns, t)| (ns.clone(), t.clone()))
                .collect();
            async move {
                let mut found = Vec::new();
                for (ns, t) in wanted {
                    let api: kube::Api<Deployment> = kube::Api::namespaced(client.clone(), &ns);
                    let image = |d: Option<Deployment>| {
                        d.and_then(|d| d.spec?.template.spec?.containers.first()?.image.clone())
                    };
                    let primary = image(api.get_opt(&format!("{t}-primary")).await.ok().flatten());
                    let canary = image(api.get_opt(&t).await.ok().flatten());
                    found.push((ns, t, primary, canary));
                }
                Ok::<_, crate::fleet::ClusterError>(found)
            }
        })
        .await;
    for o in outcomes {
        for (ns, t, primary, canary) in o.result.unwrap_or_default() {
            for r in rows
                .iter_mut()
                .filter(|r| r.cluster == o.target.context && r.namespace == ns && r.target == t)
            {
                r.primary_image = primary.clone();
                r.canary_image = canary.clone();
            }
        }
    }
}
