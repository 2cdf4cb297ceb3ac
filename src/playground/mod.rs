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

use crate::cli::{InstallArgs, PlaygroundArgs};
use crate::engine::setup;
use crate::exit::{Exit, ExitError};
use crate::fleet::{ConnectOptions, Fleet, Target};
use crate::install::manifests::DEFAULT_FLAGGER_VERSION;
use crate::install::provider::Provider;
use crate::interrupt::Interrupt;
use crate::model::setup::InstallRow;
use crate::output::write_stdout;
use crate::view::table;

pub async fn run(args: &PlaygroundArgs) -> Result<Exit> {
    let options = options(args)?;
    // Refused before anything starts; `write_private` keeps the rule at the write itself.
    if let Some(path) = &args.kubeconfig_out
        && !args.force
        && path.symlink_metadata().is_ok()
    {
        return Err(exists_error(path).into());
    }
    let playground = Playground::start(&options)
        .await
        .context("starting the simulated clusters")?;
    let (path, _temp_dir) = kubeconfig_path(args.kubeconfig_out.as_deref())?;
    let kubeconfig_yaml = playground.kubeconfig_yaml();
    match write_private(&path, &kubeconfig_yaml, args.force) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists_error(&path).into()),
        other => other.with_context(|| format!("writing the kubeconfig to {}", path.display()))?,
    }

    let states = if args.no_flagger {
        vec!["serving (no Flagger)".to_string(); playground.members.len()]
    } else {
        let fleet = connect_members(&playground, "default").await?;
        install_everywhere(&fleet, args.provider, !args.no_testloader)
            .await
            .into_iter()
            .map(|row| match row.error {
                None => format!(
                    "serving, Flagger {DEFAULT_FLAGGER_VERSION} ({}) ready",
                    args.provider.name()
                ),
                Some(e) => format!("serving, Flagger install failed: {e}"),
            })
            .collect()
    };
    let mut text = table::render(&["cluster", "server", "state"], &rows(&playground, states));
    text.push_str(&format!("export KUBECONFIG={}\n", path.display()));
    write_stdout(&text)?;

    crate::interrupt::until_stopped().await?;
    drop(playground);
    Ok(Exit::Success)
}

/// The simulator's options from the flags; a user without a name or an unknown
/// `--unreachable` cluster is a usage error.
fn options(args: &PlaygroundArgs) -> Result<PlaygroundOptions, ExitError> {
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
        return Err(ExitError::usage(format!("--user {bad:?}: a user needs a name")));
    }
    let known: Vec<String> = (1..=options.clusters).map(fleet_sim::member_name).collect();
    if let Some(bad) = options.unreachable.iter().find(|u| !known.contains(u)) {
        return Err(ExitError::usage(format!(
            "--unreachable {bad}: no such cluster; the playground's clusters are {}",
            known.join(", ")
        )));
    }
    Ok(options)
}

/// One row per member (cluster, server, state), then the hub's.
fn rows(playground: &Playground, states: Vec<String>) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = playground
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
    if let Some(hub) = &playground.hub {
        rows.push(vec![
            hub.cluster.name().to_string(),
            hub.server.clone(),
            format!("Kurator hub: Fleet {} of the members", fleet_sim::kurator::FLEET_NAME),
        ]);
    }
    rows
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

/// Installs Flagger (and the load tester, if asked) into every member with `install`'s engine;
/// one row per member, in order.
async fn install_everywhere(fleet: &Fleet, provider: Provider, testloader: bool) -> Vec<InstallRow> {
    // Every member installs at once on the same CPU: a thousand take minutes, not one.
    let timeout = Duration::from_secs(60) + Duration::from_millis(150) * fleet.len() as u32;
    let args = InstallArgs {
        provider,
        metrics_server: None,
        flagger_version: DEFAULT_FLAGGER_VERSION.into(),
        testloader,
        cluster_name: Vec::new(),
        timeout,
        dry_run: false,
        force_conflicts: false,
    };
    // The playground owns Ctrl-C (it ends the serving); nothing here may take it over.
    setup::install_members(fleet, &args, false, &Interrupt::manual())
        .await
        .0
}

/// An error naming the first member whose install failed.
fn installed_everywhere(rows: &[InstallRow]) -> Result<()> {
    match rows.iter().find_map(|r| r.error.as_ref().map(|e| (&r.cluster, e))) {
        Some((context, e)) => anyhow::bail!("install failed in {context}: {e}"),
        None => Ok(()),
    }
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

/// `--kubeconfig-out` names a file that exists: it may be the user's own kubeconfig.
fn exists_error(path: &Path) -> ExitError {
    ExitError::usage(format!(
        "--kubeconfig-out {}: the file exists (it may be a kubeconfig you use); pass --force to replace it, or name a new file",
        path.display()
    ))
}

/// Writes a file only the user can read: it holds bearer tokens. A new file only (an existing
/// one is `AlreadyExists`) unless `replace`; a replaced file is made 0600 before the tokens
/// go in, since opening an existing file keeps its mode.
fn write_private(path: &Path, contents: &str, replace: bool) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if replace {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path)?;
    #[cfg(unix)]
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn args(flags: &[&str]) -> PlaygroundArgs {
        let argv = ["kubectl-kurator_rollout", "playground"].iter().chain(flags);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Playground(args) => args,
            other => panic!("parsed {other:?}"),
        }
    }

    #[test]
    fn users_with_roles_and_the_clusters_made_unreachable() {
        let options = options(&args(&[
            "--clusters",
            "2",
            "--user",
            "dev=view",
            "--user",
            "ops",
            "--unreachable",
            "kurator-member2",
        ]))
        .unwrap();
        assert_eq!(
            options.users,
            vec![("dev".to_string(), Some("view".to_string())), ("ops".to_string(), None)]
        );
        assert_eq!(options.unreachable, vec!["kurator-member2"]);
        let unknown = options_error(&["--clusters", "2", "--unreachable", "kurator-member3"]);
        assert!(unknown.contains("kurator-member1, kurator-member2"), "{unknown}");
        assert!(options_error(&["--user", "=view"]).contains("needs a name"));
    }

    #[cfg(unix)]
    #[test]
    fn the_kubeconfig_is_private_and_replaced_only_when_asked() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, "mine").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let refused = write_private(&path, "tokens", false).unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
        write_private(&path, "tokens", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "tokens");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    fn options_error(flags: &[&str]) -> String {
        match options(&args(flags)) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{flags:?} was accepted"),
        }
    }
}
