//! One module per verb: turn parsed arguments into calls of the layers below, print, and decide
//! the exit code.

pub mod action_row;
pub mod apply;
pub mod check;
pub mod clusters;
pub mod complete;
pub mod control;
pub mod demo;
pub mod fleet_plugin;
pub mod follow;
pub mod get;
pub mod hub;
pub mod install;
pub mod keys;
pub mod lint;
pub mod list;
pub mod playground;
pub mod policies;
pub mod render;
pub mod start;
pub mod status;
pub mod uninstall;
pub mod version;

use anyhow::Result;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::exit::{Exit, ExitError};
use crate::fleet::kubeconfig;
use crate::fleet::targets::{self, Selection};
use crate::fleet::{ConnectOptions, Fleet, Target};

pub async fn run(cli: Cli) -> Result<Exit> {
    match cli.command {
        Command::Clusters => clusters::run(&cli.global).await,
        Command::Install(args) => install::run(&cli.global, &args).await,
        Command::Check(args) => check::run(&cli.global, &args).await,
        Command::Uninstall(args) => uninstall::run(&cli.global, &args).await,
        Command::Lint(args) => lint::run(&cli.global, &args),
        Command::Render(args) => render::run(&cli.global, &args).await,
        Command::Apply(args) => apply::run(&cli.global, &args).await,
        Command::Start(args) => start::run(&cli.global, &args).await,
        Command::Status(args) => status::run(&cli.global, &args).await,
        Command::List(args) => list::run(&cli.global, &args).await,
        Command::Get(args) => get::run(&cli.global, &args).await,
        Command::Demo(args) => demo::run(&cli.global, &args).await,
        Command::Promote(args) => {
            let verb = if args.full {
                crate::ops::control::Verb::PromoteFull
            } else {
                crate::ops::control::Verb::Promote
            };
            control::run(&cli.global, &args.control, verb, args.keep_skip).await
        }
        Command::Abort(args) => control::run(&cli.global, &args, crate::ops::control::Verb::Abort, false).await,
        Command::Pause(args) => control::run(&cli.global, &args, crate::ops::control::Verb::Pause, false).await,
        Command::Resume(args) => control::run(&cli.global, &args, crate::ops::control::Verb::Resume, false).await,
        Command::Retry(args) => control::run(&cli.global, &args, crate::ops::control::Verb::Retry, false).await,
        Command::Playground(args) => playground::run(&args).await,
        Command::Version(args) => version::run(&cli.global, &args).await,
        Command::Completion(args) => complete::completion(&args),
        Command::Man => complete::man_page(),
        Command::Complete(args) => complete::complete(&cli.global, &args).await,
    }
}

/// Loads the kubeconfig, selects the targets and builds their clients (sequentially, before any
/// progress output). Configuration problems are usage errors (exit 2).
pub async fn connect_fleet(global: &GlobalArgs) -> Result<Fleet> {
    if let Some(fleet_name) = &global.fleet {
        return connect_kurator_fleet(global, fleet_name).await;
    }
    let (loaded, targets) = select_targets(global)?;
    let options = ConnectOptions {
        namespace: global.namespace.clone(),
        connect_timeout: global.request_timeout,
        impersonate: global.impersonate.clone(),
        impersonate_groups: global.impersonate_groups.clone(),
    };
    Ok(Fleet::connect(&loaded.config, targets, &options).await)
}

/// A client for the Kurator hub (`--hub-context`, else the current context) and its context name.
pub async fn hub_client(global: &GlobalArgs) -> Result<(kube::Client, String)> {
    let loaded = kubeconfig::load(global.kubeconfig.as_deref()).map_err(|e| ExitError::usage(e.to_string()))?;
    let selection = Selection {
        contexts: global.hub_context.iter().cloned().collect(),
        all: false,
        matching: None,
    };
    let hub_target = targets::select(&loaded.config, &selection, None, &loaded.source.describe())
        .map_err(|e| ExitError::usage(e.to_string()))?;
    let options = ConnectOptions {
        namespace: None,
        connect_timeout: global.request_timeout,
        impersonate: global.impersonate.clone(),
        impersonate_groups: global.impersonate_groups.clone(),
    };
    let hub = Fleet::connect(&loaded.config, hub_target, &options).await;
    let hub_handle = hub
        .clusters
        .into_iter()
        .next()
        .ok_or_else(|| ExitError::usage("no hub context"))?;
    let client = hub_handle
        .client
        .map_err(|e| ExitError::usage(format!("hub {}: {e}", hub_handle.target.context)))?;
    Ok((client, hub_handle.target.context))
}

/// The members of a Kurator Fleet, through the hub context.
async fn connect_kurator_fleet(global: &GlobalArgs, fleet_name: &str) -> Result<Fleet> {
    let (client, hub_context) = hub_client(global).await?;
    kurator_members(global, &client, &hub_context, fleet_name).await
}

/// The members of a Kurator Fleet, through a hub client the caller already has.
pub async fn kurator_members(
    global: &GlobalArgs,
    client: &kube::Client,
    hub_context: &str,
    fleet_name: &str,
) -> Result<Fleet> {
    let selector = crate::fleet::kurator::FleetSelector {
        name: fleet_name.to_string(),
        namespace: global.fleet_namespace.clone(),
        labels: global.cluster_selector.clone(),
        member_namespace: global.namespace.clone(),
    };
    let members = tokio::time::timeout(
        global.cluster_timeout,
        crate::fleet::kurator::members(client, &selector),
    )
    .await
    .map_err(|_| {
        ExitError::usage(format!(
            "the hub {hub_context} did not answer within {:?}",
            global.cluster_timeout
        ))
    })?
    .map_err(ExitError::usage)?;
    if members.is_empty() {
        return Err(ExitError::usage(format!("Fleet {fleet_name} has no member matching the selector")).into());
    }
    Ok(Fleet { clusters: members })
}

/// Loads the kubeconfig and resolves the targets, without connecting.
pub fn select_targets(global: &GlobalArgs) -> Result<(kubeconfig::Loaded, Vec<Target>)> {
    let loaded = kubeconfig::load(global.kubeconfig.as_deref()).map_err(|e| ExitError::usage(e.to_string()))?;
    let selection = Selection {
        contexts: global.contexts.clone(),
        all: global.all_contexts,
        matching: global.contexts_matching.clone(),
    };
    let targets = targets::select(
        &loaded.config,
        &selection,
        global.namespace.as_deref(),
        &loaded.source.describe(),
    )
    .map_err(|e| ExitError::usage(e.to_string()))?;
    Ok((loaded, targets))
}

/// Whether the user named target clusters explicitly (otherwise some commands work offline).
pub fn targets_given(global: &GlobalArgs) -> bool {
    !global.contexts.is_empty() || global.all_contexts || global.contexts_matching.is_some() || global.fleet.is_some()
}

/// Whether progress output belongs on this stderr.
pub fn show_progress() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// Whether the live view (redrawn in place) belongs on this stdout: a terminal, a human format.
pub fn show_live(global: &GlobalArgs) -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stdout())
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        && matches!(
            global.output,
            crate::cli::OutputFormat::Table | crate::cli::OutputFormat::Wide
        )
}

/// How to re-run something for one context, for remedies in messages.
pub fn context_flag(context: &str) -> String {
    if context
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.:@/".contains(c))
    {
        format!("--context {context}")
    } else {
        format!("--context '{}'", context.replace('\'', "'\\''"))
    }
}
