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
    let result = if options.live {
        let (over_tx, over) = tokio::sync::watch::channel(false);
        let judged = async {
            let result = live::follow(watched.subscribe(), condition, stops(), |_| Ok(())).await;
            over_tx.send_replace(true);
            result
        };
        let shown = crate::tui::live_view::run(watched.subscribe(), source, footer, &options.confirm, &quit, over);
        tokio::join!(judged, shown).0?
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
        (!options.wave).then_some(result.exit),
        result.quit,
        options.output,
        now,
        crate::view::terminal::table_width(),
    ))?;
    Ok(result)
}
