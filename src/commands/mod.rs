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

use crate::cli::{Cli, Command};
use crate::exit::Exit;
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
