//! `dashboard`: the target clusters' canaries as a live web page (`crate::dashboard`), until
//! Ctrl-C or SIGTERM.

use anyhow::Result;

use crate::cli::DashboardArgs;
use crate::dashboard::{Options, start};
use crate::exit::Exit;
use crate::invocation::Invocation;
use crate::output::write_stdout;

pub async fn run(inv: &Invocation, args: &DashboardArgs) -> Result<Exit> {
    let source = inv.connect().await?;
    let scope = inv.scope(
        args.name.as_deref(),
        args.selector.as_deref(),
        &source.default_namespace(),
    );
    let options = Options {
        address: args.address,
        port: args.port,
        read_only: args.read_only,
        confirm: inv.confirm.clone(),
        cluster_timeout: inv.cluster_timeout,
    };
    let dashboard = start(source, &scope, options).await?;
    if !args.address.is_loopback() {
        eprintln!(
            "warning: listening on {}: other machines can reach the page over plain HTTP, and anyone with the URL can act",
            dashboard.address
        );
    }
    if args.address.is_unspecified() {
        // The URL names the loopback address (`Guard::url`): said here, not chosen again.
        eprintln!(
            "from another machine, open the URL with one of this machine's IP addresses in place of its loopback address (host names other than localhost are refused, against DNS rebinding)"
        );
    }
    write_stdout(&format!("{}\n", dashboard.url))?;
    eprintln!("serving the dashboard until Ctrl-C");
    if args.open {
        crate::dashboard::open_browser(&dashboard.url);
    }
    crate::interrupt::until_stopped().await?;
    dashboard.finish_actions().await;
    Ok(Exit::Success)
}
