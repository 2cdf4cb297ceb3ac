//! Following canaries until they end: the live view on a terminal, transition lines or ndjson
//! otherwise, and the exit-code contract pipelines rely on.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::json;

use crate::cli::OutputFormat;
use crate::engine::actions::{ExecuteOptions, execute, plan_for};
use crate::engine::watch::{Scope, watch_fleet};
use crate::exit::Exit;
use crate::fleet::source::{Destination, FleetSource};
use crate::invocation::ConfirmPolicy;
use crate::model::canary::{CanaryId, CanaryState, RunMark};
use crate::model::fleet_state::FleetState;
use crate::model::plan::Verb;
use crate::output::write_stdout;
use crate::tui::keys::{Interaction, Outcome, return_keys, take_keys};
use crate::view::canaries::{frame, status_table, transition_line};
use crate::view::terminal::{LiveScreen, size};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Require {
    All,
    Any,
    AtLeast(usize),
}

pub fn parse_require(text: &str) -> Result<Require, String> {
    match text {
        "all" => Ok(Require::All),
        "any" => Ok(Require::Any),
        n => n
            .parse::<usize>()
            .map(Require::AtLeast)
            .map_err(|_| format!("--require {text}: use all, any or a number")),
    }
}

#[derive(Debug, Clone)]
pub struct FollowOptions {
    pub scope: Scope,
    pub timeout: Option<Duration>,
    pub require: Require,
    pub until: Vec<String>,
    /// Wait for a new run: a canary counts only once it shows a run started after its mark
    /// (per cluster and `namespace/name`; a canary without one is marked when first seen).
    pub wait_for_start: bool,
    pub baseline: HashMap<(String, String), RunMark>,
    pub output: OutputFormat,
    pub live: bool,
    /// How the live view's keys ask before an action (the CLI verbs' policy).
    pub confirm: ConfirmPolicy,
}

type Signature = (String, i64, i64, i64, Option<String>);

fn signature(r: &CanaryState) -> Signature {
    // A transition is a status write: the routing object is updated just before it in the
    // same tick, on a stream of its own, and refines the weight shown without a line of its own.
    (
        r.phase.clone(),
        r.status_weight,
        r.failed_checks,
        r.iterations,
        r.error.clone(),
    )
}

fn now_rfc3339() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Pending,
    Success,
    Failed,
    Unavailable,
}

/// The exit of a fleet whose rows all have verdicts, or None while the condition is open (pure).
fn decide(verdicts: &[Verdict], require: Require, any_found: bool) -> Option<Exit> {
    let count = |v: Verdict| verdicts.iter().filter(|x| **x == v).count();
    let (pending, success, failed, unavailable) = (
        count(Verdict::Pending),
        count(Verdict::Success),
        count(Verdict::Failed),
        count(Verdict::Unavailable),
    );
    let needed = match require {
        Require::All => verdicts.len(),
        Require::Any => 1,
        Require::AtLeast(n) => n.min(verdicts.len()).max(1),
    };
    if success >= needed && require != Require::All {
        return Some(Exit::Success);
    }
    if pending > 0 {
        return None;
    }
    Some(if !any_found {
        Exit::NothingMatched
    } else if failed > 0 {
        Exit::Failed
    } else if success >= needed {
        Exit::Success
    } else if unavailable > 0 {
        Exit::Partial
    } else {
        Exit::Failed
    })
}

struct Judge<'a> {
    options: &'a FollowOptions,
    baseline: HashMap<(String, String), RunMark>,
    started: HashMap<(String, String), bool>,
}

impl Judge<'_> {
    fn verdict(&mut self, r: &CanaryState) -> Verdict {
        if r.error.is_some() && r.phase.is_empty() {
            return Verdict::Unavailable;
        }
        if r.error.is_some() {
            return Verdict::Pending; // a stale row: the watch is reconnecting
        }
        if self.options.until.iter().any(|p| p == &r.phase) {
            return Verdict::Success;
        }
        let key = (r.cluster.clone(), format!("{}/{}", r.namespace, r.name));
        if self.options.wait_for_start {
            let mark = self
                .baseline
                .entry(key.clone())
                .or_insert_with(|| RunMark {
                    applied: r.last_applied_spec.clone(),
                    promoted_transition: r.promoted_transition.clone(),
                })
                .clone();
            let started = self.started.entry(key).or_insert(false);
            if !*started && mark.new_run(r) {
                *started = true;
            }
            if !*started {
                return Verdict::Pending;
            }
        }
        match r.phase.as_str() {
            "Succeeded" | "Initialized" => Verdict::Success,
            "Failed" => Verdict::Failed,
            _ => Verdict::Pending,
        }
    }
}

pub struct FollowResult {
    pub exit: Exit,
    pub rows: Vec<CanaryState>,
    /// The person left the live view with `q` before the condition was decided.
    pub quit: bool,
}

/// Follows until the condition is decided, the timeout passes or Ctrl-C.
pub async fn follow(source: &FleetSource, options: &FollowOptions, footer: &str) -> Result<FollowResult> {
    follow_updates(source, options, footer, watch_fleet(&source.members, &options.scope)).await
}

/// Follows the given updates (a member watch, or the hub Application's); `source` is what
/// actions from the live view act on.
pub async fn follow_updates(
    source: &FleetSource,
    options: &FollowOptions,
    footer: &str,
    mut updates: tokio::sync::mpsc::Receiver<crate::engine::watch::Update>,
) -> Result<FollowResult> {
    let clusters = source.member_names();
    let mut state = FleetState::new(clusters, options.scope.namespace.clone(), options.scope.name.clone());
    let mut judge = Judge {
        options,
        baseline: options.baseline.clone(),
        started: HashMap::new(),
    };
    let mut emitted: HashMap<(String, String, String), Signature> = HashMap::new();
    let mut screen = options.live.then(LiveScreen::new);
    // Keys only when a person is at a terminal on both ends.
    let mut keys = if screen.is_some() && std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        take_keys()
    } else {
        None
    };
    let mut ui = Interaction::new(options.confirm.clone());
    if let Destination::Hub(_) = source.switch_destination() {
        ui = ui.switches_reach(source.member_names());
    }
    let (results_tx, mut results) = tokio::sync::mpsc::unbounded_channel::<String>();
    let deadline = options.timeout.map(|t| Instant::now() + t);
    let mut redraw = tokio::time::interval(Duration::from_millis(100));
    let mut dirty = true;
    let mut last_draw = Instant::now() - Duration::from_secs(1);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut quit = false;
    let exit = loop {
        let sleep_for = deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
            .unwrap_or(Duration::from_secs(3600));
        tokio::select! {
            update = updates.recv() => {
                let Some(update) = update else { break Exit::Failed };
                state.apply(update);
                // The live view may take a burst as one frame; transition lines must not, or
                // a quick sequence of phases would lose its middle.
                if screen.is_some() {
                    while let Ok(more) = updates.try_recv() {
                        state.apply(more);
                    }
                }
                dirty = true;
                if !state.complete() {
                    continue;
                }
                let rows = state.rows();
                if screen.is_none() {
                    emit_transitions(&rows, &mut emitted, options.output)?;
                }
                let verdicts: Vec<Verdict> = rows.iter().map(|r| judge.verdict(r)).collect();
                let any_found = rows.iter().any(|r| !r.phase.is_empty());
                if let Some(exit) = decide(&verdicts, options.require, any_found) {
                    break exit;
                }
            }
            _ = redraw.tick() => {
                if let Some(screen) = screen.as_mut()
                    && (dirty || last_draw.elapsed() >= Duration::from_secs(1))
                {
                    let (w, h) = size();
                    let footer = if keys.is_some() { ui.footer() } else { footer.to_string() };
                    let selected = keys.is_some().then_some(ui.selected);
                    screen.draw(&frame(&state.rows(), w, h, jiff::Timestamp::now().as_second(), &footer, selected));
                    dirty = false;
                    last_draw = Instant::now();
                }
            }
            key = next_key(&mut keys) => {
                let Some(key) = key else { continue };
                dirty = true;
                match ui.handle(key, &state.rows()) {
                    // Leaving the view is a choice, not an interruption (130 is Ctrl-C's, README
                    // "Exit codes"): it ends with 0 and the final table shows where each canary
                    // stood.
                    Outcome::Quit => {
                        quit = true;
                        break Exit::Success;
                    }
                    Outcome::Execute(verb, targets) => run_action(source, verb, targets, results_tx.clone()),
                    Outcome::Nothing => {}
                }
            }
            Some(message) = results.recv() => {
                ui.event = message;
                dirty = true;
            }
            _ = tokio::time::sleep(sleep_for), if deadline.is_some() => break Exit::Timeout,
            _ = &mut ctrl_c => break Exit::Interrupted,
        }
    };
    if let Some(mut screen) = screen.take() {
        screen.finish();
    }
    if let Some(rx) = keys.take() {
        return_keys(rx);
    }
    let rows = state.rows();
    finish(&rows, exit, quit, options)?;
    Ok(FollowResult { exit, rows, quit })
}

async fn next_key(keys: &mut Option<tokio::sync::mpsc::UnboundedReceiver<console::Key>>) -> Option<console::Key> {
    match keys {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Runs a confirmed action from the live view in the background, through the same plan and
/// execution as the CLI verbs (so under `--fleet` a pause goes into the hub Application, where
/// `resume --fleet` finds it); a result line per canary comes back on `results` and shows in
/// the view's event line.
fn run_action(
    source: &FleetSource,
    verb: Verb,
    targets: Vec<CanaryId>,
    results: tokio::sync::mpsc::UnboundedSender<String>,
) {
    const READ_TIMEOUT: Duration = Duration::from_secs(30);
    let source = source.clone();
    tokio::spawn(async move {
        let plan = plan_for(&source, verb, &targets, READ_TIMEOUT).await;
        if let Some(reason) = &plan.unmatched {
            let _ = results.send(format!("{}: {reason}", verb.name()));
            return;
        }
        let options = ExecuteOptions {
            timeout: Duration::from_secs(300),
            cluster_timeout: READ_TIMEOUT,
            keep_skip: false,
            interrupt: None,
        };
        for row in execute(&source, &plan, options).await {
            let outcome = match &row.error {
                Some(e) => format!("failed: {e}"),
                None => row.result.clone(),
            };
            let _ = results.send(format!("{} {} {}: {outcome}", verb.name(), row.cluster, row.canary));
        }
    });
}

fn emit_transitions(
    rows: &[CanaryState],
    emitted: &mut HashMap<(String, String, String), Signature>,
    output: OutputFormat,
) -> Result<()> {
    let mut text = String::new();
    for r in rows {
        let key = (r.cluster.clone(), r.namespace.clone(), r.name.clone());
        let sig = signature(r);
        if emitted.get(&key) == Some(&sig) {
            continue;
        }
        emitted.insert(key, sig);
        let time = now_rfc3339();
        // A transition records a status write: its weight is status.canaryWeight, with the
        // routing object's weights beside it as last read (that stream is separate, so they
        // may lag by the one write that programmed them).
        if output == OutputFormat::Ndjson {
            let line = json!({
                "ts": time, "cluster": r.cluster, "namespace": r.namespace, "name": r.name, "phase": r.phase,
                "weight": r.status_weight, "routed": r.routed, "routedUnknown": r.routed_unknown, "iterations": r.iterations, "failedChecks": r.failed_checks,
                "message": r.message, "error": r.error,
            });
            text.push_str(&line.to_string());
        } else {
            text.push_str(&transition_line(&time, r));
        }
        text.push('\n');
    }
    if !text.is_empty() {
        write_stdout(&text)?;
    }
    Ok(())
}

fn finish(rows: &[CanaryState], exit: Exit, quit: bool, options: &FollowOptions) -> Result<()> {
    let text = match options.output {
        OutputFormat::Ndjson | OutputFormat::Json => {
            let summary = json!({"summary": {
                "exit": exit as u8,
                "succeeded": rows.iter().filter(|r| r.phase == "Succeeded").count(),
                "failed": rows.iter().filter(|r| r.phase == "Failed").count(),
                "unavailable": rows.iter().filter(|r| r.error.is_some()).count(),
                "canaries": rows,
            }});
            format!("{summary}\n")
        }
        _ => {
            let mut t = status_table(
                rows,
                options.output == OutputFormat::Wide,
                true,
                jiff::Timestamp::now().as_second(),
            );
            let reason = match exit {
                Exit::Success if quit => "left the live view (q); the rows show where each canary stands",
                Exit::Success => "every required canary ended well",
                Exit::Failed => "a canary failed",
                Exit::Timeout => "timed out",
                Exit::NothingMatched => "no canary matched",
                Exit::Partial => "some clusters are unreachable or lack the canary",
                Exit::Interrupted => "interrupted",
                Exit::Usage => "",
            };
            t.push_str(&format!("exit {}: {reason}\n", exit as u8));
            t
        }
    };
    write_stdout(&text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::*;

    #[test]
    fn exit_contract() {
        assert_eq!(decide(&[Success, Success], Require::All, true), Some(Exit::Success));
        assert_eq!(decide(&[Success, Pending], Require::All, true), None);
        assert_eq!(decide(&[Success, Failed], Require::All, true), Some(Exit::Failed));
        assert_eq!(decide(&[Success, Unavailable], Require::All, true), Some(Exit::Partial));
        assert_eq!(decide(&[Success, Pending], Require::Any, true), Some(Exit::Success));
        assert_eq!(
            decide(&[Unavailable, Unavailable], Require::All, false),
            Some(Exit::NothingMatched)
        );
        assert_eq!(
            decide(&[Success, Success, Pending], Require::AtLeast(2), true),
            Some(Exit::Success)
        );
        assert_eq!(
            decide(&[Success, Unavailable, Unavailable], Require::AtLeast(2), true),
            Some(Exit::Partial)
        );
    }
}
