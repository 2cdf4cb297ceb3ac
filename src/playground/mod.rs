//! `playground`: simulated clusters on 127.0.0.1 until SIGINT/SIGTERM, with a kubeconfig, and
//! Flagger installed in each by the same code as `install`; and `demo`, a whole rollout on such
//! clusters. The only part of the plugin that links the simulator (`fleet-sim`): it exists with
//! the default-on cargo feature `playground`, so the plugin also builds without its simulator.

pub mod demo;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use fleet_sim::{Playground, PlaygroundOptions};
use kube::config::Kubeconfig;

use crate::cli::PlaygroundArgs;
use crate::exit::{Exit, ExitError};
use crate::fleet::{ClusterOutcome, ConnectOptions, Fleet, Target};
use crate::install::manifests::{DEFAULT_FLAGGER_VERSION, InstallSpec};
use crate::install::provider::Provider;
use crate::install::run::install;
use crate::interrupt::Interrupt;
use crate::output::write_stdout;
use crate::view::table;

pub async fn run(args: &PlaygroundArgs) -> Result<Exit> {
    let options = PlaygroundOptions {
        clusters: args.clusters as usize,
        latency: args.latency,
        unreachable: args.unreachable.clone(),
        plain_http: false,
        speed: args.speed,
        kurator: args.kurator,
        meshes: vec![args.provider.mesh_provider().to_string()],
        users: args
            .users
            .iter()
            .map(|u| match u.split_once('=') {
                Some((name, role)) => (name.to_string(), Some(role.to_string())),
                None => (u.clone(), None),
            })
            .collect(),
    };
    if let Some((bad, _)) = options.users.iter().find(|(name, _)| name.is_empty()) {
        return Err(ExitError::usage(format!("--user {bad:?}: a user needs a name")).into());
    }
    let known: Vec<String> = (1..=options.clusters).map(fleet_sim::member_name).collect();
    if let Some(bad) = options.unreachable.iter().find(|u| !known.contains(u)) {
        return Err(ExitError::usage(format!(
            "--unreachable {bad}: no such cluster; the playground's clusters are {}",
            known.join(", ")
        ))
        .into());
    }
    let playground = Playground::start(&options)
        .await
        .context("starting the simulated clusters")?;
    let (path, _temp_dir) = kubeconfig_path(args.kubeconfig_out.as_deref())?;
    let kubeconfig_yaml = playground.kubeconfig_yaml();
    write_private(&path, &kubeconfig_yaml).with_context(|| format!("writing the kubeconfig to {}", path.display()))?;

    let states = if args.no_flagger {
        vec!["serving (no Flagger)".to_string(); playground.members.len()]
    } else {
        let fleet = connect_members(&playground, "default").await?;
        install_everywhere(&fleet, args.provider, !args.no_testloader)
            .await
            .into_iter()
            .map(|o| match o.result {
                Ok(()) => format!(
                    "serving, Flagger {DEFAULT_FLAGGER_VERSION} ({}) ready",
                    args.provider.name()
                ),
                Err(e) => format!("serving, Flagger install failed: {e}"),
            })
            .collect()
    };
    let rows: Vec<Vec<String>> = playground
        .members
        .iter()
        .zip(states)
        .map(|(m, state)| {
            let state = if m.cluster.faults().is_unreachable() {
                "unreachable (simulated)".to_string()
            } else {
                state
            };
            vec![m.cluster.name().to_string(), m.server.clone(), state]
        })
        .collect();
    let mut rows = rows;
    if let Some(hub) = &playground.hub {
        rows.push(vec![
            hub.cluster.name().to_string(),
            hub.server.clone(),
            format!("Kurator hub: Fleet {} of the members", fleet_sim::kurator::FLEET_NAME),
        ]);
    }
    let mut text = table::render(&["cluster", "server", "state"], &rows);
    text.push_str(&format!("export KUBECONFIG={}\n", path.display()));
    write_stdout(&text)?;

    wait_for_shutdown().await?;
    drop(playground);
    Ok(Exit::Success)
}

/// Clients for every member of a playground (directly, also when it has a hub), with
/// `namespace` as each context's namespace.
async fn connect_members(playground: &Playground, namespace: &str) -> Result<Fleet> {
    let kubeconfig: Kubeconfig = serde_json::from_value(fleet_sim::kubeconfig(&playground.member_entries()))
        .context("reading back the playground kubeconfig")?;
    let targets: Vec<Target> = playground
        .members
        .iter()
        .map(|m| Target {
            context: m.cluster.name().to_string(),
            cluster: m.cluster.name().to_string(),
            server: m.server.clone(),
            namespace: namespace.into(),
        })
        .collect();
    Ok(Fleet::connect(&kubeconfig, targets, &ConnectOptions::default()).await)
}

/// Installs Flagger (and the load tester, if asked) into every member through the Kubernetes
/// API, with the code `install` runs.
async fn install_everywhere(fleet: &Fleet, provider: Provider, testloader: bool) -> Vec<ClusterOutcome<()>> {
    let timeout = Duration::from_secs(60);
    fleet
        .fan_out(timeout, |client, target| async move {
            let spec = InstallSpec {
                provider,
                cluster_name: target.context.clone(),
                flagger_version: DEFAULT_FLAGGER_VERSION.into(),
                metrics_server: None,
                testloader,
            };
            install(&client, &spec, timeout, &|_| {}, &Interrupt::manual(), false)
                .await
                .map(|_| ())
                .map_err(|(_, e)| e)
        })
        .await
}

/// The kubeconfig path, and the temporary directory holding it (removed when dropped).
fn kubeconfig_path(explicit: Option<&Path>) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    match explicit {
        Some(p) => Ok((p.to_path_buf(), None)),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("kurator-rollout-playground-")
                .tempdir()?;
            Ok((dir.path().join("kubeconfig"), Some(dir)))
        }
    }
}

/// Writes a file only the user can read: it holds bearer tokens.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

async fn wait_for_shutdown() -> Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}
