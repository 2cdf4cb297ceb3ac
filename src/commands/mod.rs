//! One module per verb: turn parsed arguments into calls of the layers below, print, and decide
//! the exit code.

pub mod apply;
pub mod check;
pub mod clusters;
pub mod complete;
pub mod control;
pub mod demo;
pub mod get;
pub mod install;
pub mod lint;
pub mod list;
pub mod playground;
pub mod render;
pub mod start;
pub mod status;
pub mod uninstall;
pub mod version;

use anyhow::Result;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::exit::Exit;
use crate::fleet::kubeconfig;
use crate::fleet::{Fleet, Target};
use crate::invocation::Invocation;
use crate::model::plan::Verb;

pub async fn run(cli: Cli) -> Result<Exit> {
    let inv = Invocation::from_global(&cli.global)?;
    crate::view::table::omit_headers(cli.global.no_headers);
    match cli.command {
        Command::Clusters => clusters::run(&inv).await,
        Command::Install(args) => install::run(&inv, &args).await,
        Command::Check(args) => check::run(&inv, &args).await,
        Command::Uninstall(args) => uninstall::run(&inv, &args).await,
        Command::Lint(args) => lint::run(&cli.global, &args),
        Command::Render(args) => render::run(&inv, &args).await,
        Command::Apply(args) => apply::run(&inv, &args).await,
        Command::Start(args) => start::run(&inv, &args).await,
        Command::Status(args) => status::run(&inv, &args).await,
        Command::List(args) => list::run(&inv, &args).await,
        Command::Get(args) => get::run(&inv, &args).await,
        Command::Demo(args) => demo::run(&cli.global, &args).await,
        Command::Promote(args) => {
            let verb = if args.full { Verb::PromoteFull } else { Verb::Promote };
            control::run(&inv, &args.control, verb, args.keep_skip).await
        }
        Command::Abort(args) => control::run(&inv, &args, Verb::Abort, false).await,
        Command::Pause(args) => control::run(&inv, &args, Verb::Pause, false).await,
        Command::Resume(args) => control::run(&inv, &args, Verb::Resume, false).await,
        Command::Retry(args) => control::run(&inv, &args, Verb::Retry, false).await,
        Command::Playground(args) => playground::run(&args).await,
        Command::Version(args) => version::run(&inv, &args).await,
        Command::Completion(args) => complete::completion(&args),
        Command::Man => complete::man_page(),
        Command::Complete(args) => complete::complete(&cli.global, &args).await,
    }
}

// Transitional shims over the invocation, while verbs move to taking `&Invocation`.
pub use crate::invocation::{context_flag, show_progress};

fn invocation(global: &GlobalArgs) -> Result<Invocation> {
    Ok(Invocation::from_global(global)?)
}

pub async fn connect_fleet(global: &GlobalArgs) -> Result<Fleet> {
    Ok(invocation(global)?.connect().await?.members)
}

pub async fn hub_client(global: &GlobalArgs) -> Result<(kube::Client, String)> {
    let hub = invocation(global)?.connect_hub().await?;
    Ok((hub.client, hub.context))
}

pub async fn kurator_members(
    global: &GlobalArgs,
    client: &kube::Client,
    hub_context: &str,
    fleet_name: &str,
) -> Result<Fleet> {
    let hub = crate::fleet::source::Hub {
        client: client.clone(),
        context: hub_context.to_string(),
        fleet: fleet_name.to_string(),
        namespace: global.fleet_namespace.clone(),
    };
    invocation(global)?.kurator_members(&hub).await
}

pub fn select_targets(global: &GlobalArgs) -> Result<(kubeconfig::Loaded, Vec<Target>)> {
    Ok(invocation(global)?.select_targets()?)
}

pub fn targets_given(global: &GlobalArgs) -> bool {
    invocation(global).is_ok_and(|i| i.targets_given())
}

pub fn show_live(global: &GlobalArgs) -> bool {
    invocation(global).is_ok_and(|i| i.show_live())
}
