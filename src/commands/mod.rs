//! One module per verb: turn parsed arguments into calls of the layers below, print, and decide
//! the exit code.

pub mod apply;
pub mod check;
pub mod clusters;
pub mod complete;
pub mod control;
pub mod dashboard;
pub mod get;
pub mod install;
pub mod lint;
pub mod list;
pub mod render;
pub mod start;
pub mod status;
pub mod uninstall;
pub mod version;

use anyhow::Result;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::exit::{Exit, ExitError};
use crate::invocation::Invocation;
use crate::model::plan::Verb;

pub async fn run(cli: Cli) -> Result<Exit> {
    refuse_meaningless_flags(&cli.command, &cli.global)?;
    let inv = Invocation::from_global(&cli.global)?;
    crate::view::table::omit_headers(cli.global.no_headers);
    match cli.command {
        Command::Clusters => clusters::run(&inv).await,
        Command::Install(args) => install::run(&inv, &args).await,
        Command::Check(args) => check::run(&inv, &args).await,
        Command::Uninstall(args) => uninstall::run(&inv, &args).await,
        Command::Lint(args) => lint::run(&inv, &args),
        Command::Render(args) => render::run(&inv, &args).await,
        Command::Apply(args) => apply::run(&inv, &args).await,
        Command::Start(args) => start::run(&inv, &args).await,
        Command::Status(args) => status::run(&inv, &args).await,
        Command::List(args) => list::run(&inv, &args).await,
        Command::Get(args) => get::run(&inv, &args).await,
        Command::Dashboard(args) => dashboard::run(&inv, &args).await,
        #[cfg(feature = "playground")]
        Command::Demo(args) => crate::playground::demo::run(&inv, &args).await,
        Command::Promote(args) => {
            let verb = match (args.full, args.wait) {
                (true, _) => Verb::PromoteFull,
                (false, true) => Verb::PromoteWait,
                (false, false) => Verb::Promote,
            };
            control::run(&inv, &args.control, verb, args.keep_skip).await
        }
        Command::Abort(args) => control::run(&inv, &args, Verb::Abort, false).await,
        Command::Pause(args) => control::run(&inv, &args, Verb::Pause, false).await,
        Command::Resume(args) => control::run(&inv, &args, Verb::Resume, false).await,
        Command::Retry(args) => control::run(&inv, &args, Verb::Retry, false).await,
        #[cfg(feature = "playground")]
        Command::Playground(args) => crate::playground::run(&args).await,
        Command::Version(args) => version::run(&inv, &args).await,
        Command::Completion(args) => complete::completion(&args),
        Command::Man => complete::man_page(),
        Command::Complete(args) => complete::complete(&cli.global, &args).await,
    }
}

/// The global flags given on the command line (one with a default only when changed), as spelled.
fn given_flags(global: &GlobalArgs) -> Vec<&'static str> {
    [
        ("--kubeconfig", global.kubeconfig.is_some()),
        ("--context", !global.contexts.is_empty()),
        ("--all-contexts", global.all_contexts),
        ("--contexts-matching", global.contexts_matching.is_some()),
        ("--fleet", global.fleet.is_some()),
        ("--hub-context", global.hub_context.is_some()),
        ("--fleet-namespace", global.fleet_namespace != "default"),
        ("--cluster-selector", !global.cluster_selector.is_empty()),
        ("-n", global.namespace.is_some()),
        ("-A", global.all_namespaces),
        ("--as", global.impersonate.is_some()),
        ("--as-group", !global.impersonate_groups.is_empty()),
        ("-o", global.output != crate::cli::OutputFormat::Table),
    ]
    .into_iter()
    .filter_map(|(flag, given)| given.then_some(flag))
    .collect()
}

/// Every flag that says which clusters to read, where and as whom.
const CLUSTER_FLAGS: &[&str] = &[
    "--kubeconfig",
    "--context",
    "--all-contexts",
    "--contexts-matching",
    "--fleet",
    "--hub-context",
    "--fleet-namespace",
    "--cluster-selector",
    "-n",
    "-A",
    "--as",
    "--as-group",
];

/// The global flags a verb has no use for, and why (README "Global flags").
fn unused_flags(command: &Command) -> (Vec<&'static str>, &'static str) {
    // `-o` too, for a verb whose output has one form.
    let cluster_and_output = || [CLUSTER_FLAGS, &["-o"]].concat();
    let (flags, why) = match command {
        #[cfg(feature = "playground")]
        Command::Playground(_) => (
            cluster_and_output(),
            "playground serves simulated clusters of its own and writes their kubeconfig (--kubeconfig-out)",
        ),
        #[cfg(feature = "playground")]
        Command::Demo(_) => (CLUSTER_FLAGS.to_vec(), "demo runs on simulated clusters of its own"),
        Command::Lint(_) => (CLUSTER_FLAGS.to_vec(), "lint checks files without a cluster"),
        Command::Completion(_) | Command::Man => (cluster_and_output(), "it prints text without a cluster"),
        Command::Version(args) if !args.server => (CLUSTER_FLAGS.to_vec(), "version reads clusters only with --server"),
        Command::Dashboard(_) => (vec!["-o"], "dashboard prints its URL and serves the page"),
        Command::Clusters => (
            vec!["-A"],
            "clusters shows each target's namespace, it lists no namespaced objects",
        ),
        _ => (Vec::new(), ""),
    };
    (flags, why)
}

/// Flags that mean nothing for the verb are a usage error, not silently ignored: a user who
/// passed `--kubeconfig` to `playground` or `--fleet` to `demo` expected something to happen.
fn refuse_meaningless_flags(command: &Command, global: &GlobalArgs) -> Result<(), ExitError> {
    let (unused, why) = unused_flags(command);
    let given: Vec<&str> = given_flags(global)
        .into_iter()
        .filter(|flag| unused.contains(flag))
        .collect();
    if given.is_empty() {
        return Ok(());
    }
    Err(ExitError::usage(format!(
        "{} mean{} nothing here: {why}; remove {}",
        given.join(", "),
        if given.len() == 1 { "s" } else { "" },
        if given.len() == 1 { "it" } else { "them" }
    )))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn refusal(argv: &[&str]) -> Option<String> {
        let cli = Cli::try_parse_from(["kubectl-kurator_rollout"].iter().chain(argv)).unwrap();
        refuse_meaningless_flags(&cli.command, &cli.global)
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn flags_a_verb_has_no_use_for_are_refused() {
        assert_eq!(
            refusal(&["demo", "--fleet", "quickstart"]).as_deref(),
            Some("--fleet means nothing here: demo runs on simulated clusters of its own; remove it")
        );
        let playground = refusal(&["playground", "--kubeconfig", "k", "--context", "a"]).unwrap();
        assert!(
            playground.starts_with("--kubeconfig, --context mean nothing here: playground"),
            "{playground}"
        );
        assert!(refusal(&["lint", "-f", "x.yaml", "-n", "test"]).is_some());
        assert!(refusal(&["version", "--context", "a"]).is_some());
        assert!(refusal(&["clusters", "-A"]).is_some());
        assert_eq!(refusal(&["clusters", "-n", "test", "--all-contexts"]), None);
        assert_eq!(refusal(&["version", "--server", "--context", "a"]), None);
        assert_eq!(refusal(&["render", "-f", "x.yaml", "--fleet", "quickstart"]), None);
        assert_eq!(refusal(&["demo", "--yes", "-o", "ndjson"]), None);
        assert!(
            refusal(&["playground", "-o", "json"])
                .unwrap()
                .starts_with("-o means nothing here")
        );
        assert_eq!(refusal(&["lint", "-f", "x.yaml", "-o", "json"]), None);
        assert!(refusal(&["dashboard", "-o", "json"]).is_some());
        assert_eq!(refusal(&["dashboard", "--all-contexts", "-A"]), None);
    }
}
