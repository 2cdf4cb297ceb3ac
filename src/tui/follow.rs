//! A follow on the terminal: the live view when stdout is a terminal, transition lines (or
//! ndjson) otherwise, then the rows and why it ended.

use std::time::Duration;

use anyhow::Result;

use crate::cli::OutputFormat;
use crate::engine::live::follow::Stops;
use crate::engine::live::{self, FollowResult, LiveFleet};
use crate::fleet::source::FleetSource;
use crate::interrupt::Interrupt;
use crate::invocation::ConfirmPolicy;
use crate::model::verdict::Condition;
use crate::output::write_stdout;
use crate::tui::actions::{ActionTimeouts, VERB_TIMEOUT};
use crate::tui::live_view::KeyOptions;
use crate::view::live::{TransitionLines, follow_summary};

#[derive(Debug, Clone)]
pub struct FollowOptions {
    pub condition: Condition,
    pub timeout: Option<Duration>,
    pub output: OutputFormat,
    /// The live view (redrawn in place) instead of transition lines.
    pub live: bool,
    /// How the live view's keys ask before an action (the CLI verbs' policy).
    pub confirm: ConfirmPolicy,
    /// `--cluster-timeout`: how long a cluster may take to answer the keys' plans and actions.
    pub cluster_timeout: Duration,
    /// One wave of a release: its end prints no exit, later waves may still run.
    pub wave: bool,
}

/// Follows `watched` until its condition is decided, the timeout passes, Ctrl-C or `q`; the
/// live view's keys act on `source`.
pub async fn follow(
    source: &FleetSource,
    watched: &LiveFleet,
    options: &FollowOptions,
    footer: &str,
) -> Result<FollowResult> {
    let interrupt = Interrupt::on_ctrl_c_watching();
    let quit = Interrupt::manual();
    let stops = || Stops {
        timeout: options.timeout,
        interrupt: &interrupt,
        quit: &quit,
    };
    let condition = options.condition.clone();
    let mut key_actions = Vec::new();
    let result = if options.live {
        let (over_tx, over) = tokio::sync::watch::channel(false);
        let judged = async {
            let result = live::follow(watched.subscribe(), condition, stops(), |_| Ok(())).await;
            over_tx.send_replace(true);
            result
        };
        let keys = KeyOptions {
            confirm: &options.confirm,
            timeouts: ActionTimeouts {
                // A key waits for Flagger as its verb does: up to the follow's --timeout, else
                // the verbs' default.
                timeout: options.timeout.unwrap_or(VERB_TIMEOUT),
                cluster_timeout: options.cluster_timeout,
            },
        };
        let shown = crate::tui::live_view::run(watched.subscribe(), source, footer, keys, &quit, over);
        let (result, actions) = tokio::join!(judged, shown);
        key_actions = actions;
        result?
    } else {
        let mut lines = TransitionLines::new(options.output);
        live::follow(watched.subscribe(), condition, stops(), |rows| {
            let time = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
            let text = lines.text(rows, &time);
            if !text.is_empty() {
                write_stdout(&text)?;
            }
            Ok(())
        })
        .await?
    };
    let now = jiff::Timestamp::now().as_second();
    write_stdout(&follow_summary(
        &result.rows,
        &key_actions,
        (!options.wave).then_some(result.exit),
        result.quit,
        options.output,
        now,
        crate::view::terminal::table_width(),
    ))?;
    Ok(result)
}
