//! One module per verb: turn parsed arguments into calls of the layers below, print, and decide
//! the exit code.

pub mod clusters;
pub mod playground;
pub mod version;

use anyhow::Result;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::exit::{Exit, ExitError};
use crate::fleet::kubeconfig;
use crate::fleet::targets::{self, Selection};
use crate::fleet::{ConnectOptions, Fleet};

pub async fn run(cli: Cli) -> Result<Exit> {
    match cli.command {
        Command::Clusters => clusters::run(&cli.global).await,
        Command::Playground(args) => playground::run(&args).await,
        Command::Version(args) => version::run(&args),
    }
}

/// Loads the kubeconfig, selects the targets and builds their clients (sequentially, before any
/// progress output). Configuration problems are usage errors (exit 2).
pub async fn connect_fleet(global: &GlobalArgs) -> Result<Fleet> {
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
    let options = ConnectOptions {
        namespace: global.namespace.clone(),
        connect_timeout: global.request_timeout,
    };
    Ok(Fleet::connect(&loaded.config, targets, &options).await)
}
