//! `get`'s text: one canary in depth per cluster, as `kubectl describe` shows an object (pure).

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::canary::{CanaryState, UNKNOWN, known};
use crate::model::event::Event;
use crate::model::fleet_state::FleetState;
use crate::view::canaries::{age, bar, fit, phase_cell, strategy_text};

/// Events shown per canary (the newest).
const EVENTS_SHOWN: usize = 10;

/// One canary in depth for machine formats: its row with the analysis (metrics and hooks) and
/// the newest events, the same the text shows.
#[derive(Debug, Serialize)]
pub struct CanaryDetail {
    #[serde(flatten)]
    pub row: CanaryState,
    /// `spec.analysis` as read (null when the canary was not).
    pub analysis: Value,
    /// The analysis's webhooks: name, type (`rollout` when unset, as Flagger defaults it) and URL.
    pub hooks: Vec<Value>,
    /// The newest events, oldest first, as the API server holds them (what is kept of them,
    /// [`Event`]).
    pub events: Vec<Event>,
}

/// Every row of `state` in depth (see [`CanaryDetail`]).
pub fn detail_rows(state: &FleetState) -> Vec<CanaryDetail> {
    (0..state.clusters.len())
        .flat_map(|cluster| details_of(state, cluster))
        .collect()
}

/// One cluster's rows in depth ([`FleetState::rows_of`]): a look at one canary makes its own
/// cluster's rows, not a thousand clusters'.
pub fn details_of(state: &FleetState, cluster: usize) -> impl Iterator<Item = CanaryDetail> + '_ {
    state.rows_of(cluster).into_iter().map(move |row| {
        let canary = state.canary(cluster, &row.namespace, &row.name);
        let analysis = canary
            .and_then(|mut c| c.pointer_mut("/spec/analysis").map(Value::take))
            .unwrap_or(Value::Null);
        let hooks = analysis
            .get("webhooks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|h| {
                json!({
                    "name": h["name"],
                    "type": h["type"].as_str().filter(|s| !s.is_empty()).unwrap_or("rollout"),
                    "url": h["url"],
                })
            })
            .collect();
        let all = state.events_of(cluster, &row.namespace, &row.name);
        let events = all[all.len().saturating_sub(EVENTS_SHOWN)..]
            .iter()
            .map(|e| (**e).clone())
            .collect();
        CanaryDetail {
            row,
            analysis,
            hooks,
            events,
        }
    })
}

/// Every row of `state` in depth, with its canary's analysis and its newest events; each
/// line at most `width` columns (a long message or event is cut with `…`).
pub fn details(state: &FleetState, now: i64, width: usize) -> String {
    let mut text = String::new();
    for cluster in 0..state.clusters.len() {
        for d in details_of(state, cluster) {
            let events: Vec<String> = d.events.iter().map(|e| event_line(e, now)).collect();
            text.push_str(&detail(&d.row, &d.analysis, &events, now));
        }
    }
    text.lines().map(|l| format!("{}\n", fit(l, width))).collect()
}

/// `analysis` is the canary's `spec.analysis` (null when no canary was read: the CRD requires
/// it, so a read canary always has one).
fn detail(r: &CanaryState, analysis: &Value, events: &[String], now: i64) -> String {
    let mut t = format!("{} — {}/{}\n", r.cluster, r.namespace, r.name);
    if let Some(e) = r.error.as_ref().filter(|_| !r.found()) {
        t.push_str(&format!("  {:<16}{e}\n\n", "Error:"));
        return t;
    }
    let line =
        |t: &mut String, label: &str, value: String| t.push_str(&format!("  {:<16}{value}\n", format!("{label}:")));
    line(&mut t, "Status", phase_cell(r));
    line(&mut t, "Message", r.message.clone());
    line(&mut t, "Strategy", strategy_text(r));
    line(&mut t, "Progress", format!("{} {}", bar(r, 20), r.progress_text()));
    line(
        &mut t,
        "Weight",
        match r.routed {
            Some(routed) if Some(routed.canary) != r.status_weight => format!(
                "canary {} / primary {} (routed; status.canaryWeight {})",
                routed.canary,
                routed.primary,
                known(r.status_weight)
            ),
            Some(routed) => format!("canary {} / primary {}", routed.canary, routed.primary),
            // Nothing routed was read: only Flagger's record is known, and it is labelled so.
            None => format!(
                "status.canaryWeight {}; routed traffic unknown: {}",
                known(r.status_weight),
                r.routed_unknown.as_deref().unwrap_or("routing object not read")
            ),
        },
    );
    line(&mut t, "Failed checks", r.failed_text());
    let flag = |f: Option<bool>| f.map(|f| f.to_string()).unwrap_or_else(|| UNKNOWN.into());
    line(&mut t, "Suspended", flag(r.suspended));
    line(&mut t, "Skip analysis", flag(r.skip_analysis));
    line(&mut t, "Gate", r.gate.clone().unwrap_or_else(|| "-".into()));
    line(
        &mut t,
        "Last change",
        format!(
            "{} ago",
            age(r.phase_since.as_deref().or(r.last_transition_time.as_deref()), now)
        ),
    );
    if !analysis.is_null() {
        t.push_str("  Analysis:\n");
        for m in analysis.get("metrics").and_then(Value::as_array).into_iter().flatten() {
            let range = m
                .get("thresholdRange")
                .map(|r| r.to_string())
                .unwrap_or_else(|| "no threshold".into());
            t.push_str(&format!(
                "    metric  {} every {} {range}\n",
                m["name"].as_str().unwrap_or(""),
                m["interval"].as_str().unwrap_or("-")
            ));
        }
        for h in analysis.get("webhooks").and_then(Value::as_array).into_iter().flatten() {
            t.push_str(&format!(
                "    hook    {} ({}) {}\n",
                h["name"].as_str().unwrap_or(""),
                h["type"].as_str().filter(|s| !s.is_empty()).unwrap_or("rollout"),
                h["url"].as_str().unwrap_or("")
            ));
        }
    }
    t.push_str("  Events:\n");
    for e in events {
        t.push_str(&format!("    {e}\n"));
    }
    t.push('\n');
    t
}

/// One Event as `kubectl describe` lists it: type, age, and for a repeated event the count and
/// the age of its first occurrence (kubectl `describe.go`, `DescribeEvents`), then the message.
pub fn event_line(event: &Event, now: i64) -> String {
    let first = event.first_timestamp.as_deref();
    let last = event.last_timestamp.as_deref().or(first);
    let count = event.count.unwrap_or(1);
    let when = if count > 1 {
        format!("{} (x{count} over {})", age(last, now), age(first, now))
    } else {
        age(first.or(last), now)
    };
    format!(
        "{:<7} {:<18} {}",
        event.severity.as_deref().unwrap_or(""),
        when,
        event.message()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn repeats_are_grouped_like_kubectl_describe() {
        let now = "2026-01-01T00:01:00Z".parse::<jiff::Timestamp>().unwrap().as_second();
        let repeated = Event::of(
            json!({"type": "Warning", "count": 6, "firstTimestamp": "2026-01-01T00:00:00Z",
            "lastTimestamp": "2026-01-01T00:00:54Z", "message": "Halt podinfo.test advancement waiting for promotion approval gate"}),
        );
        assert_eq!(
            event_line(&repeated, now),
            "Warning 6s (x6 over 60s)   Halt podinfo.test advancement waiting for promotion approval gate"
        );
        let once = Event::of(
            json!({"type": "Normal", "count": 1, "firstTimestamp": "2026-01-01T00:00:30Z",
            "lastTimestamp": "2026-01-01T00:00:30Z", "message": "Initialization done! podinfo.test"}),
        );
        assert_eq!(
            event_line(&once, now),
            "Normal  30s                Initialization done! podinfo.test"
        );
    }

    #[test]
    fn an_unread_routing_object_shows_the_status_weight_as_such() {
        let canary = json!({"metadata": {"name": "podinfo", "namespace": "test"},
            "spec": {"targetRef": {"name": "podinfo"}, "analysis": {"stepWeight": 10, "maxWeight": 50}},
            "status": {"phase": "Progressing", "canaryWeight": 0}});
        let row =
            CanaryState::from_canary("m1", &canary, &[]).with_routes(Err("virtualservices not read: forbidden".into()));
        let text = detail(&row, &Value::Null, &[], 0);
        assert!(
            text.contains(
                "Weight:         status.canaryWeight 0; routed traffic unknown: virtualservices not read: forbidden"
            ),
            "{text}"
        );
        assert!(!text.contains("primary 100"), "{text}");
    }
}
