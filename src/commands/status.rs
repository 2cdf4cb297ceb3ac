//! `status`: every target cluster's canaries, once or followed (`--watch`).

use anyhow::Result;

use crate::cli::{OutputFormat, StatusArgs};
use crate::engine::live::{HubQuery, LiveFleet, read_status};
use crate::exit::{Exit, ExitError};
use crate::invocation::Invocation;
use crate::kurator::rollouts::Addressed;
use crate::model::verdict::{Condition, parse_require};
use crate::output::{print_canaries, refuse_with_watch};
use crate::tui::follow::{FollowOptions, follow};
use crate::view::canaries::status_table;
use crate::view::terminal::table_width;

pub async fn run(inv: &Invocation, args: &StatusArgs) -> Result<Exit> {
    let require = parse_require(&args.require).map_err(ExitError::usage)?;
    if args.watch {
        refuse_with_watch(inv.output)?;
    }
    let addressed = args
        .name
        .as_deref()
        .map(Addressed::parse)
        .transpose()
        .map_err(ExitError::usage)?;
    let source = inv.connect().await?;
    let require = require.within(source.member_names().len()).map_err(ExitError::usage)?;
    let (canary, application) = match addressed {
        Some(Addressed::Canary(name)) => (Some(name), None),
        Some(Addressed::Application(name)) => (None, Some(name)),
        None => (None, None),
    };
    let scope = inv.scope(canary.as_deref(), args.selector.as_deref(), &source.default_namespace());
    let query = HubQuery {
        application,
        canary,
        namespace: inv.namespace_given(),
    };
    if args.watch {
        let watched = LiveFleet::watch_status(&source, &scope, &query).await?;
        let options = FollowOptions {
            condition: Condition {
                require,
                until: args.until.clone(),
                wait_for_start: args.wait_for_start,
                ..Condition::all()
            },
            timeout: args.timeout,
            output: inv.output,
            live: inv.show_live(),
            confirm: inv.confirm.clone(),
            cluster_timeout: inv.cluster_timeout,
            wave: false,
        };
        let footer = match watched.seen_from() {
            Some(origin) => format!("{origin} · Ctrl-C to stop"),
            None => "Ctrl-C to stop".into(),
        };
        return Ok(follow(&source, &watched, &options, &footer).await?.exit);
    }
    let images = inv.output != OutputFormat::Table;
    let reading = read_status(&source, &scope, &query, inv.cluster_timeout, images).await?;
    let now = jiff::Timestamp::now().as_second();
    print_canaries(inv.output, &reading.rows, scope.namespace.as_deref(), |wide| {
        status_table(&reading.rows, wide, reading.from_members, now, table_width())
    })?;
    Ok(reading.exit(args.name.is_some()))
}
