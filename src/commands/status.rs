//! `status`: every target cluster's canaries, once or followed (`--watch`).

use std::collections::HashMap;

use anyhow::Result;

use super::follow::{FollowOptions, follow, parse_require};
use super::{connect_fleet, show_live};
use crate::cli::{GlobalArgs, OutputFormat, StatusArgs};
use crate::exit::{Exit, ExitError};
use crate::ops::snapshot::snapshot;
use crate::ops::watch::Scope;
use crate::output::print_rows;
use crate::view::canaries::status_table;

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

pub async fn run(global: &GlobalArgs, args: &StatusArgs) -> Result<Exit> {
    let require = parse_require(&args.require).map_err(ExitError::usage)?;
    let fleet = connect_fleet(global).await?;
    let default_ns = fleet
        .clusters
        .first()
        .map(|c| c.target.namespace.clone())
        .unwrap_or_else(|| "default".into());
    let scope = scope(global, args.name.as_deref(), args.selector.as_deref(), &default_ns);
    if args.watch {
        let options = FollowOptions {
            scope,
            timeout: args.timeout,
            require,
            until: args.until.clone(),
            wait_for_start: args.wait_for_start,
            baseline: HashMap::new(),
            output: global.output,
            live: show_live(global),
        };
        return Ok(follow(&fleet, &options, "Ctrl-C to stop").await?.exit);
    }
    let state = snapshot(&fleet, &scope, global.cluster_timeout).await;
    let rows = state.rows();
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

/// `-o ndjson` of one row per canary, used by list -w too.
pub fn is_machine(output: OutputFormat) -> bool {
    matches!(output, OutputFormat::Json | OutputFormat::Yaml | OutputFormat::Ndjson)
}
