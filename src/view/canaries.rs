//! Canary rows as text (pure): status and list tables, transition lines, the live view's frame
//! with progress bars, and glyphs.

use crate::model::canary::{CanaryState, Strategy, UNKNOWN, is_running, known};
use crate::model::words::counted;
use crate::view::table;

pub fn glyph(row: &CanaryState) -> &'static str {
    if !row.found() {
        return if row.error.as_deref().is_some_and(|e| e.contains("not found")) {
            "?"
        } else {
            "⚠"
        };
    }
    if row.is_suspended() {
        return "॥";
    }
    if row.gate.is_some() {
        return "⏸";
    }
    match row.phase.as_str() {
        "Succeeded" => "✔",
        "Failed" => "✖",
        "Initialized" => "•",
        "Waiting" | "WaitingPromotion" => "⏸",
        "Terminating" => "⤺",
        _ => "◌",
    }
}

/// The glyph and phase; a canary without a status yet is `initializing` (lower case: not a
/// phase Flagger wrote).
pub fn phase_cell(row: &CanaryState) -> String {
    if row.initializing() {
        format!("{} initializing", glyph(row))
    } else if row.phase.is_empty() {
        glyph(row).to_string()
    } else {
        format!("{} {}", glyph(row), row.phase)
    }
}

/// Seconds since an RFC 3339 time.
pub fn age_seconds(time: Option<&str>, now: i64) -> Option<i64> {
    let t: jiff::Timestamp = time?.parse().ok()?;
    Some((now - t.as_second()).max(0))
}

pub fn age(time: Option<&str>, now: i64) -> String {
    age_seconds(time, now)
        .map(apimachinery::human_duration)
        .unwrap_or_else(|| "-".into())
}

/// The status table; with `width`, the message column is cut to fit it.
pub fn status_table(rows: &[CanaryState], wide: bool, with_message: bool, now: i64, width: Option<usize>) -> String {
    let mut headers = vec![
        "cluster",
        "namespace",
        "name",
        "phase",
        "weight",
        "failed",
        "gate",
        "last transition",
    ];
    if wide {
        headers.extend(["provider", "interval", "strategy", "primary image", "canary image"]);
    }
    if with_message {
        headers.push("message");
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut c = vec![
                r.cluster.clone(),
                r.namespace.clone(),
                r.name.clone(),
                phase_cell(r),
                r.progress_text(),
                r.failed_text(),
                r.gate.clone().unwrap_or_else(|| "-".into()),
                // When the phase began (the Promoted condition), not the last status write.
                age(r.phase_since.as_deref().or(r.last_transition_time.as_deref()), now),
            ];
            if wide {
                c.push(known_text(&r.provider));
                c.push(r.interval.clone().unwrap_or_else(|| UNKNOWN.into()));
                c.push(strategy_text(r));
                c.push(r.primary_image.clone().unwrap_or_else(|| "-".into()));
                c.push(r.canary_image.clone().unwrap_or_else(|| "-".into()));
            }
            if with_message {
                c.push(r.error.clone().unwrap_or_else(|| r.message.clone()));
            }
            c
        })
        .collect();
    table::render_fitted(&headers, &cells, width)
}

/// A text that may be unknown (empty), as a cell.
fn known_text(text: &str) -> String {
    if text.is_empty() {
        UNKNOWN.into()
    } else {
        text.to_string()
    }
}

/// The strategy as a cell (`-` when not read).
pub fn strategy_text(r: &CanaryState) -> String {
    match r.strategy {
        Some(s) => format!("{s:?}").to_lowercase(),
        None => UNKNOWN.into(),
    }
}

/// `<time> <cluster> <ns>/<name> <phase> weight=<w> failed=<k> <message>`, where `w` is
/// `status.canaryWeight` (the line records a status write), followed by ` routed=<r>` when the
/// routing object carries another weight (at the promotion gate, say).
pub fn transition_line(time: &str, row: &CanaryState) -> String {
    if let Some(error) = &row.error {
        return format!(
            "{time} {} {}/{} {} {}",
            row.cluster,
            row.namespace,
            row.name,
            if row.phase.is_empty() {
                "Unavailable"
            } else {
                &row.phase
            },
            error
        );
    }
    format!(
        "{time} {} {}/{} {} weight={} failed={} {}",
        row.cluster,
        row.namespace,
        row.name,
        if row.initializing() { "initializing" } else { &row.phase },
        match row.strategy {
            Some(Strategy::Canary) | None => match row.routed {
                Some(r) if Some(r.canary) != row.status_weight =>
                    format!("{} routed={}", known(row.status_weight), r.canary),
                _ => known(row.status_weight),
            },
            _ => format!(
                "{}/{}",
                known(row.iterations.map(|i| i.max(0))),
                known(row.total_iterations)
            ),
        },
        known(row.failed_checks),
        row.message
    )
    .trim_end()
    .to_string()
}

/// A progress bar of `width` cells: weight toward max with marks for ladder steps, or one block
/// per iteration.
pub fn bar(row: &CanaryState, width: usize) -> String {
    let total = row.total_iterations.unwrap_or(0);
    if matches!(row.strategy, Some(Strategy::AbTesting | Strategy::BlueGreen)) && total > 0 && (total as usize) <= width
    {
        let done = row.iterations.unwrap_or(0).clamp(0, total) as usize;
        let done = if row.fraction() >= 1.0 { total as usize } else { done };
        return format!("{}{}", "■".repeat(done), "□".repeat(total as usize - done));
    }
    let filled = (row.fraction() * width as f64).round() as usize;
    let mut cells: Vec<char> = (0..width).map(|i| if i < filled { '█' } else { '░' }).collect();
    for step in row.step_weights.iter().flatten() {
        let at = ((*step as f64 / row.max_weight.unwrap_or(100).max(1) as f64) * width as f64).round() as usize;
        if at > 0 && at <= width && at > filled {
            cells[at - 1] = '┊';
        }
    }
    cells.into_iter().collect()
}

/// `text` cut to `width` columns, the cut marked with `…`.
pub fn fit(text: &str, width: usize) -> String {
    if crate::view::color::visible_width(text) <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Seconds until the next analysis tick, for running canaries.
pub fn next_check(row: &CanaryState, now: i64) -> Option<i64> {
    if !is_running(&row.phase) || row.is_suspended() {
        return None;
    }
    let interval = crate::cli::parse_duration(row.interval.as_deref()?)
        .ok()?
        .as_secs()
        .max(10) as i64;
    let since = age_seconds(row.last_transition_time.as_deref(), now)?;
    Some((interval - since % interval).max(0))
}

/// The live view's summary line. A paused canary (spec.suspend, also Kurator's
/// `rolloutPolicy.suspend` rendered into it) counts as paused, not as progressing or waiting:
/// Flagger neither moves its run nor starts a new one until it is resumed. One that ended
/// (Succeeded, Failed) counts by how it ended.
pub fn summary(rows: &[CanaryState]) -> String {
    let count = |f: &dyn Fn(&CanaryState) -> bool| rows.iter().filter(|r| f(r)).count();
    let paused = |r: &CanaryState| r.found() && r.is_suspended() && !matches!(r.phase.as_str(), "Succeeded" | "Failed");
    let clusters: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.cluster.as_str()).collect();
    format!(
        "{} · {} ✔ Succeeded · {} ◌ Progressing · {} ⏸ Waiting · {} ॥ paused · {} ✖ Failed · {} unreachable",
        counted(clusters.len(), "cluster", "clusters"),
        count(&|r| r.phase == "Succeeded"),
        count(&|r| matches!(
            r.phase.as_str(),
            "Progressing" | "Promoting" | "Finalising" | "Initializing"
        ) && r.gate.is_none()
            && !paused(r)),
        count(&|r| (r.gate.is_some() || matches!(r.phase.as_str(), "Waiting" | "WaitingPromotion")) && !paused(r)),
        count(&paused),
        count(&|r| r.phase == "Failed"),
        count(&|r| !r.found()),
    )
}

/// The live view: a summary line, then one line per canary, fitted to `width` × `height`.
pub fn frame(
    rows: &[CanaryState],
    width: usize,
    height: usize,
    now: i64,
    footer: &str,
    selected: Option<usize>,
) -> Vec<String> {
    let mut lines = vec![fit(&summary(rows), width)];
    let cluster_w = rows.iter().map(|r| r.cluster.chars().count()).max().unwrap_or(0);
    // One namespace for all rows: show names only, to save width.
    let one_namespace = rows
        .iter()
        .all(|r| rows.first().is_some_and(|f| f.namespace == r.namespace));
    let label = |r: &CanaryState| {
        if one_namespace {
            r.name.clone()
        } else {
            format!("{}/{}", r.namespace, r.name)
        }
    };
    let name_w = rows.iter().map(|r| label(r).chars().count()).max().unwrap_or(0);
    let paused_w = " paused".len();
    let phase_w = rows
        .iter()
        .map(|r| r.phase.len() + if r.is_suspended() { paused_w } else { 0 })
        .max()
        .unwrap_or(0);
    let progress_w = rows
        .iter()
        .map(|r| r.progress_text().chars().count())
        .max()
        .unwrap_or(0);
    let bar_w = if width >= 100 { 20 } else { 10 };
    // The footer may be several lines (a plan above its question).
    let footer_lines: Vec<&str> = footer.lines().collect();
    let room = height.saturating_sub(1 + footer_lines.len().max(1)).max(1);
    let shown = if rows.len() > room {
        room.saturating_sub(1)
    } else {
        rows.len()
    };
    for (i, r) in rows.iter().enumerate().take(shown) {
        let marker = if selected == Some(i) { "›" } else { " " };
        let head = format!(
            "{marker}{} {:<cw$}  {:<nw$}",
            glyph(r),
            r.cluster,
            label(r),
            cw = cluster_w,
            nw = name_w
        );
        let line = if let Some(e) = r.error.as_ref().filter(|_| !r.found()) {
            format!("{head}  {e}")
        } else {
            let next = next_check(r, now).map(|s| format!(" next {s}s")).unwrap_or_default();
            let gate = r
                .gate
                .as_ref()
                .map(|g| match gate_since(r) {
                    Some(since) => format!(" ⏸ {g} for {}", age(Some(since), now)),
                    None => format!(" ⏸ {g}"),
                })
                .unwrap_or_default();
            // A paused run says so beside its phase: the glyph alone is easy to miss.
            let phase = if r.is_suspended() {
                format!("{} paused", r.phase)
            } else {
                r.phase.clone()
            };
            format!(
                "{head}  {:<pw$} {} {:<gw$} fail {}{next}{gate}  {}",
                phase,
                bar(r, bar_w),
                r.progress_text(),
                r.failed_text(),
                r.message,
                pw = phase_w,
                gw = progress_w
            )
        };
        lines.push(fit(&line, width));
    }
    if shown < rows.len() {
        lines.push(format!("… {} more", rows.len() - shown));
    }
    for line in footer_lines {
        lines.push(fit(line, width));
    }
    lines
}

/// When the gate the canary waits on began, when that is known: for `Waiting` and
/// `WaitingPromotion` the gate is the phase, so it began with the phase (the Promoted
/// condition's update time). A confirm-traffic-increase gate is held inside `Progressing`,
/// whose start says nothing about when the gate began: unknown, so no duration is shown.
fn gate_since(r: &CanaryState) -> Option<&str> {
    matches!(r.phase.as_str(), "Waiting" | "WaitingPromotion")
        .then_some(r.phase_since.as_deref())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event::Event;
    use serde_json::json;

    fn row(cluster: &str, phase: &str, weight: i64) -> CanaryState {
        let c = json!({"metadata": {"name": "podinfo", "namespace": "test"},
            "spec": {"analysis": {"stepWeight": 10, "maxWeight": 50, "threshold": 2, "interval": "30s"}},
            "status": {"phase": phase, "canaryWeight": weight, "failedChecks": 1, "lastTransitionTime": "2026-01-01T00:00:00Z"}});
        CanaryState::from_canary(
            cluster,
            &c,
            &[Event::of(
                json!({"message": format!("Advance podinfo.test canary weight {weight}")}),
            )],
        )
    }

    #[test]
    fn transition_lines() {
        let r = row("kurator-member1", "Progressing", 20);
        assert_eq!(
            transition_line("T", &r),
            "T kurator-member1 test/podinfo Progressing weight=20 failed=1 Advance podinfo.test canary weight 20"
        );
    }

    #[test]
    fn bars() {
        assert_eq!(bar(&row("a", "Progressing", 20), 10), "████░░░░░░");
        assert_eq!(bar(&row("a", "Succeeded", 0), 10), "██████████");
    }

    #[test]
    fn frame_fits_80_by_24_with_many_clusters() {
        let rows: Vec<CanaryState> = (1..=30)
            .map(|i| row(&format!("kurator-member{i}"), "Progressing", 30))
            .collect();
        let now = "2026-01-01T00:00:10Z".parse::<jiff::Timestamp>().unwrap().as_second();
        let lines = frame(&rows, 80, 24, now, "q quit", Some(0));
        assert!(lines.len() <= 24, "{}", lines.len());
        assert!(lines.iter().all(|l| l.chars().count() <= 80), "{lines:#?}");
        assert!(lines.iter().any(|l| l.starts_with("… ") && l.ends_with("more")));
        assert!(lines[1].contains("next 20s"), "{}", lines[1]);
        assert!(lines[1].starts_with('›') && lines[2].starts_with(' '));
        let table = status_table(&rows[..2], false, true, now, None);
        assert!(table.starts_with("CLUSTER"), "{table}");
    }

    #[test]
    fn a_paused_row_is_marked_and_counted_paused() {
        let mut paused = row("m1", "Progressing", 20);
        paused.suspended = Some(true);
        let rows = [paused, row("m2", "Progressing", 20)];
        let lines = frame(&rows, 200, 24, 0, "a\nb", None);
        assert_eq!(
            lines[0],
            "2 clusters · 0 ✔ Succeeded · 1 ◌ Progressing · 0 ⏸ Waiting · 1 ॥ paused · 0 ✖ Failed · 0 unreachable"
        );
        assert!(
            lines[1].starts_with(" ॥ m1") && lines[1].contains("Progressing paused"),
            "{}",
            lines[1]
        );
        assert!(!lines[2].contains("paused"), "{}", lines[2]);
        assert!(
            !lines[1].contains(" next "),
            "a paused run has no next check: {}",
            lines[1]
        );
        // A footer of several lines is several screen lines.
        assert_eq!(lines[3..], ["a", "b"]);
        // Paused before a run (no new run starts) counts as paused; an ended run by its end.
        let mut initialized = row("m3", "Initialized", 0);
        initialized.suspended = Some(true);
        let mut succeeded = row("m4", "Succeeded", 0);
        succeeded.suspended = Some(true);
        assert!(
            summary(&[initialized, succeeded]).contains("1 ✔ Succeeded · 0 ◌ Progressing · 0 ⏸ Waiting · 1 ॥ paused"),
            "paused before a run, succeeded after one"
        );
    }

    #[test]
    fn a_gate_duration_is_shown_only_when_it_is_the_gates() {
        let now = "2026-01-01T00:12:00Z".parse::<jiff::Timestamp>().unwrap().as_second();
        let mut inside = row("a", "Progressing", 20);
        inside.gate = Some("confirm-traffic-increase step-gate".into());
        inside.phase_since = Some("2026-01-01T00:00:00Z".into());
        let line = frame(&[inside], 200, 24, now, "", None).join("\n");
        assert!(line.contains("⏸ confirm-traffic-increase step-gate"), "{line}");
        assert!(
            !line.contains("step-gate for"),
            "Progressing began then, not the gate: {line}"
        );
        let mut promotion = row("a", "WaitingPromotion", 0);
        promotion.gate = Some("confirm-promotion gate".into());
        promotion.phase_since = Some("2026-01-01T00:00:00Z".into());
        let line = frame(&[promotion], 200, 24, now, "", None).join("\n");
        assert!(line.contains("⏸ confirm-promotion gate for 12m"), "{line}");
    }
}
