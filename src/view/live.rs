//! Text of a fleet followed over time (pure): a transition line (or an ndjson object) per
//! status write, `list -w`'s line per changed row, and the summary a follow ends with.

use std::collections::HashMap;

use serde_json::json;

use crate::cli::OutputFormat;
use crate::exit::Exit;
use crate::model::action_row::{KeyAction, user_abort};
use crate::model::canary::{CanaryId, CanaryState};
use crate::view::canaries::{phase_cell, status_table, transition_line};

type RowKey = (String, String, String);

fn key(r: &CanaryState) -> RowKey {
    (r.cluster.clone(), r.namespace.clone(), r.name.clone())
}

/// What makes a transition: a status write. The routing object is updated just before it in
/// the same tick, on a stream of its own, and refines the weight shown without a line of its own.
type Signature = (String, Option<i64>, Option<i64>, Option<i64>);

fn signature(r: &CanaryState) -> Signature {
    (r.phase.clone(), r.status_weight, r.failed_checks, r.iterations)
}

/// The transition lines of a follow without a live view: one per row whose status changed
/// since the last line it had, and one when its watch goes stale (with the error).
pub struct TransitionLines {
    output: OutputFormat,
    /// Per row: the last status printed, and the error of the stale line printed since, if any.
    emitted: HashMap<RowKey, (Signature, Option<String>)>,
}

impl TransitionLines {
    pub fn new(output: OutputFormat) -> TransitionLines {
        TransitionLines {
            output,
            emitted: HashMap::new(),
        }
    }

    /// The lines for the rows that changed, stamped `time` (RFC 3339); empty when none did.
    /// A watch that comes back from a stale spell (a relist after 410, a reconnect) to the
    /// status it had prints nothing: that status was printed already, and printing it again
    /// would read as a second transition.
    pub fn text(&mut self, rows: &[CanaryState], time: &str) -> String {
        let mut text = String::new();
        for r in rows {
            let now = (signature(r), r.error.clone());
            let changed = match self.emitted.get(&key(r)) {
                None => true,
                Some((status, error)) => match &now.1 {
                    Some(e) => error.as_ref() != Some(e) || *status != now.0,
                    None => *status != now.0,
                },
            };
            self.emitted.insert(key(r), now);
            if !changed {
                continue;
            }
            if self.output == OutputFormat::Ndjson {
                text.push_str(&transition_json(time, r).to_string());
            } else {
                text.push_str(&transition_line(time, r));
            }
            text.push('\n');
        }
        text
    }
}

/// A transition as ndjson. It records a status write: its weight is status.canaryWeight, with
/// the routing object's weights beside it as last read (that stream is separate, so they may
/// lag by the one write that programmed them).
pub fn transition_json(time: &str, r: &CanaryState) -> serde_json::Value {
    json!({
        "ts": time, "cluster": r.cluster, "namespace": r.namespace, "name": r.name, "phase": r.phase,
        "weight": r.status_weight, "routed": r.routed, "routedUnknown": r.routed_unknown,
        "iterations": r.iterations, "failedChecks": r.failed_checks,
        "message": r.message, "error": r.error,
    })
}

/// What a follow prints when it ends: the rows and why it ended (a summary object in machine
/// formats). A wave of a release has no exit of its own (`exit` None): its rows, then the
/// release goes on ([`release_end`] says how it ended). A canary the person aborted from the
/// live view (`key_actions`) says so as its message, as the `abort` verb reports it, not as a
/// rollback without a cause.
pub fn follow_summary(
    rows: &[CanaryState],
    key_actions: &[KeyAction],
    exit: Option<Exit>,
    quit: bool,
    output: OutputFormat,
    now: i64,
    width: Option<usize>,
) -> String {
    let mut rows = rows.to_vec();
    let mut aborted = Vec::new();
    for row in rows.iter_mut().filter(|r| r.phase == "Failed") {
        if let Some(cause) = user_abort(key_actions, &CanaryId::of(row)) {
            row.message = cause;
            aborted.push(format!("{} {}/{}", row.cluster, row.namespace, row.name));
        }
    }
    let rows = rows.as_slice();
    match output {
        // A follow in JSON or YAML is refused (`--watch` streams ndjson).
        OutputFormat::Ndjson => {
            let mut counts = json!({
                "succeeded": rows.iter().filter(|r| r.phase == "Succeeded").count(),
                "failed": rows.iter().filter(|r| r.phase == "Failed").count(),
                "unavailable": rows.iter().filter(|r| r.error.is_some()).count(),
                "canaries": rows,
            });
            let summary = match exit {
                Some(exit) => {
                    counts["exit"] = json!(exit as u8);
                    json!({ "summary": counts })
                }
                None => json!({ "wave": counts }),
            };
            format!("{summary}\n")
        }
        _ => {
            let mut t = status_table(rows, output == OutputFormat::Wide, true, now, width);
            if let Some(exit) = exit {
                let mut line = exit_line(exit, quit);
                if !aborted.is_empty() && matches!(exit, Exit::Failed | Exit::Partial) {
                    line = format!("{} (aborted by you: {})\n", line.trim_end(), aborted.join(", "));
                }
                t.push_str(&line);
            }
            t
        }
    }
}

/// How a followed release ended, once its last wave did.
pub fn release_end(exit: Exit, quit: bool, output: OutputFormat) -> String {
    match output {
        OutputFormat::Ndjson | OutputFormat::Json => format!("{}\n", json!({"summary": {"exit": exit as u8}})),
        _ => exit_line(exit, quit),
    }
}

fn exit_line(exit: Exit, quit: bool) -> String {
    format!("exit {}: {}\n", exit as u8, reason(exit, quit))
}

fn reason(exit: Exit, quit: bool) -> &'static str {
    match exit {
        Exit::Success if quit => "left the live view (q); the rows show where each canary stands",
        Exit::Success => "every required canary ended well",
        Exit::Failed => "a canary failed",
        Exit::Timeout => "timed out",
        Exit::NothingMatched => "no canary matched",
        Exit::Partial => "some clusters ended well, others failed, are unreachable or lack the canary",
        Exit::Interrupted => "interrupted",
        Exit::Usage => "",
    }
}

/// `list -w`: a line per row whose cells changed (a tab-separated table with one header, or the
/// row as JSON in machine formats).
pub struct ListLines {
    json: bool,
    header: bool,
    shown: HashMap<RowKey, Vec<String>>,
}

impl ListLines {
    pub fn new(output: OutputFormat) -> ListLines {
        ListLines {
            json: output == OutputFormat::Ndjson,
            // --no-headers: as if the header was printed already.
            header: !crate::view::table::headers_shown(),
            shown: HashMap::new(),
        }
    }

    pub fn text(&mut self, rows: &[CanaryState]) -> Result<String, serde_json::Error> {
        let mut text = String::new();
        for r in rows {
            let cells = vec![
                r.cluster.clone(),
                r.namespace.clone(),
                r.name.clone(),
                phase_cell(r),
                r.progress_text(),
                r.failed_text(),
                r.gate.clone().unwrap_or_else(|| "-".into()),
                r.error.clone().unwrap_or_default(),
            ];
            if self.shown.get(&key(r)) == Some(&cells) {
                continue;
            }
            self.shown.insert(key(r), cells.clone());
            if self.json {
                text.push_str(&serde_json::to_string(r)?);
            } else {
                if !self.header {
                    text.push_str("CLUSTER\tNAMESPACE\tNAME\tPHASE\tWEIGHT\tFAILED\tGATE\tERROR\n");
                    self.header = true;
                }
                text.push_str(cells.join("\t").trim_end());
            }
            text.push('\n');
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(phase: &str, weight: i64) -> CanaryState {
        CanaryState::from_canary(
            "m1",
            &json!({"metadata": {"name": "podinfo", "namespace": "test"},
                "status": {"phase": phase, "canaryWeight": weight}}),
            &[],
        )
    }

    #[test]
    fn a_watch_back_from_stale_to_the_same_status_prints_nothing() {
        let mut lines = TransitionLines::new(OutputFormat::Table);
        let mut stale = row("Progressing", 20);
        stale.error = Some("too old resource version: Expired".into());
        assert!(!lines.text(&[row("Progressing", 20)], "t1").is_empty());
        assert!(lines.text(&[stale.clone()], "t2").contains("Expired"));
        assert_eq!(lines.text(&[stale], "t3"), "");
        assert_eq!(lines.text(&[row("Progressing", 20)], "t4"), "");
        assert!(lines.text(&[row("Progressing", 30)], "t5").contains("weight=30"));
    }

    #[test]
    fn a_line_per_status_write_and_none_for_a_repeat() {
        let mut lines = TransitionLines::new(OutputFormat::Table);
        let first = lines.text(&[row("Progressing", 10)], "2026-01-01T00:00:00Z");
        assert!(
            first.starts_with("2026-01-01T00:00:00Z m1 test/podinfo Progressing"),
            "{first}"
        );
        assert_eq!(lines.text(&[row("Progressing", 10)], "2026-01-01T00:00:01Z"), "");
        assert_eq!(lines.text(&[row("Progressing", 20)], "t").lines().count(), 1);
    }

    #[test]
    fn ndjson_lines_carry_the_status_weight() {
        let mut lines = TransitionLines::new(OutputFormat::Ndjson);
        let text = lines.text(&[row("Progressing", 30)], "t");
        let line: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(line["weight"], 30);
        assert_eq!(line["phase"], "Progressing");
        assert_eq!(line["ts"], "t");
    }

    #[test]
    fn the_summary_says_why_the_follow_ended() {
        let rows = [row("Succeeded", 0)];
        let text = follow_summary(&rows, &[], Some(Exit::Success), true, OutputFormat::Table, 0, None);
        assert!(text.ends_with("exit 0: left the live view (q); the rows show where each canary stands\n"));
        let json: serde_json::Value = serde_json::from_str(&follow_summary(
            &rows,
            &[],
            Some(Exit::Failed),
            false,
            OutputFormat::Ndjson,
            0,
            None,
        ))
        .unwrap();
        assert_eq!(json["summary"]["exit"], 1);
        assert_eq!(json["summary"]["succeeded"], 1);
        // A wave's end is not the release's: no exit line while later waves may still run.
        let wave = follow_summary(&rows, &[], None, false, OutputFormat::Table, 0, None);
        assert!(!wave.contains("exit") && wave.contains("Succeeded"), "{wave}");
        let json: serde_json::Value =
            serde_json::from_str(&follow_summary(&rows, &[], None, false, OutputFormat::Ndjson, 0, None)).unwrap();
        assert_eq!(
            (json["wave"]["succeeded"].clone(), json.get("summary")),
            (1.into(), None)
        );
        assert_eq!(
            release_end(Exit::Partial, false, OutputFormat::Table),
            "exit 5: some clusters ended well, others failed, are unreachable or lack the canary\n"
        );
    }

    #[test]
    fn an_abort_from_the_live_view_is_the_persons_in_the_final_table() {
        use crate::fleet::ClusterError;
        use crate::model::action_row::ActionRow;
        use crate::model::plan::Verb;
        let id = CanaryId::new("m1", "test", "podinfo");
        let abort = KeyAction {
            verb: Verb::Abort,
            row: ActionRow::new(
                &id,
                "open rollback gate".into(),
                Ok("rolled back (Failed); rollback gate closed".into()),
            ),
        };
        let mut failed = row("Failed", 0);
        failed.message = "Canary analysis failed".into();
        let rows = [failed, row("Progressing", 10)];
        let text = follow_summary(
            &rows,
            std::slice::from_ref(&abort),
            Some(Exit::Failed),
            false,
            OutputFormat::Table,
            0,
            None,
        );
        assert!(
            text.contains("aborted by you in the live view: rolled back (Failed); rollback gate closed"),
            "{text}"
        );
        assert!(
            text.ends_with("exit 1: a canary failed (aborted by you: m1 test/podinfo)\n"),
            "{text}"
        );
        let json: serde_json::Value = serde_json::from_str(&follow_summary(
            &rows,
            &[abort],
            Some(Exit::Failed),
            false,
            OutputFormat::Ndjson,
            0,
            None,
        ))
        .unwrap();
        assert_eq!(
            json["summary"]["canaries"][0]["message"],
            "aborted by you in the live view: rolled back (Failed); rollback gate closed"
        );
        // A failed abort is not the cause of a failure.
        let failed_abort = KeyAction {
            verb: Verb::Abort,
            row: ActionRow::new(&id, "open rollback gate".into(), Err(ClusterError::Other("x".into()))),
        };
        let text = follow_summary(
            &rows,
            &[failed_abort],
            Some(Exit::Failed),
            false,
            OutputFormat::Table,
            0,
            None,
        );
        assert!(!text.contains("aborted by you"), "{text}");
    }

    #[test]
    fn list_lines_print_the_header_once_and_changed_rows_only() {
        let mut lines = ListLines::new(OutputFormat::Table);
        let first = lines.text(&[row("Progressing", 10)]).unwrap();
        assert!(first.starts_with("CLUSTER\tNAMESPACE"), "{first}");
        assert_eq!(lines.text(&[row("Progressing", 10)]).unwrap(), "");
        let next = lines.text(&[row("Succeeded", 0)]).unwrap();
        assert!(!next.contains("CLUSTER") && next.contains("Succeeded"), "{next}");
    }
}
