//! `get`'s text: one canary in depth per cluster, as `kubectl describe` shows an object (pure).

use serde_json::Value;

use crate::model::canary::{CanaryState, UNKNOWN};
use crate::model::fleet_state::FleetState;
use crate::view::canaries::{age, bar, phase_cell, strategy_text};

/// Every row of `state` in depth, with its canary's analysis and its newest events.
pub fn details(state: &FleetState, now: i64) -> String {
    let mut text = String::new();
    for (index, r) in state.rows().iter().enumerate() {
        let cluster = state.clusters.iter().position(|c| c == &r.cluster).unwrap_or(index);
        let canary = state.canary(cluster, &r.namespace, &r.name);
        let events: Vec<String> = state
            .events_of(cluster, &r.namespace, &r.name)
            .iter()
            .map(|e| event_line(e, now))
            .collect();
        text.push_str(&detail(r, canary, &events, now));
    }
    text
}

fn known(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| UNKNOWN.into())
}

fn detail(r: &CanaryState, canary: Option<&Value>, events: &[String], now: i64) -> String {
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
    if let Some(c) = canary {
        t.push_str("  Analysis:\n");
        for m in c
            .pointer("/spec/analysis/metrics")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
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
        for h in c
            .pointer("/spec/analysis/webhooks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            t.push_str(&format!(
                "    hook    {} ({}) {}\n",
                h["name"].as_str().unwrap_or(""),
                h["type"].as_str().filter(|s| !s.is_empty()).unwrap_or("rollout"),
                h["url"].as_str().unwrap_or("")
            ));
        }
    }
    t.push_str("  Events:\n");
    for e in events.iter().rev().take(10).collect::<Vec<_>>().into_iter().rev() {
        t.push_str(&format!("    {e}\n"));
    }
    t.push('\n');
    t
}

/// One Event as `kubectl describe` lists it: type, age, and for a repeated event the count and
/// the age of its first occurrence (kubectl `describe.go`, `DescribeEvents`), then the message.
pub fn event_line(event: &Value, now: i64) -> String {
    let first = event["firstTimestamp"].as_str();
    let last = event["lastTimestamp"].as_str().or(first);
    let count = event["count"].as_i64().unwrap_or(1);
    let when = if count > 1 {
        format!("{} (x{count} over {})", age(last, now), age(first, now))
    } else {
        age(first.or(last), now)
    };
    format!(
        "{:<7} {:<18} {}",
        event["type"].as_str().unwrap_or(""),
        when,
        event["message"].as_str().unwrap_or("")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn repeats_are_grouped_like_kubectl_describe() {
        let now = "2026-01-01T00:01:00Z".parse::<jiff::Timestamp>().unwrap().as_second();
        let repeated = json!({"type": "Warning", "count": 6, "firstTimestamp": "2026-01-01T00:00:00Z",
            "lastTimestamp": "2026-01-01T00:00:54Z", "message": "Halt podinfo.test advancement waiting for promotion approval gate"});
        assert_eq!(
            event_line(&repeated, now),
            "Warning 6s (x6 over 60s)   Halt podinfo.test advancement waiting for promotion approval gate"
        );
        let once = json!({"type": "Normal", "count": 1, "firstTimestamp": "2026-01-01T00:00:30Z",
            "lastTimestamp": "2026-01-01T00:00:30Z", "message": "Initialization done! podinfo.test"});
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
        let text = detail(&row, None, &[], 0);
        assert!(
            text.contains(
                "Weight:         status.canaryWeight 0; routed traffic unknown: virtualservices not read: forbidden"
            ),
            "{text}"
        );
        assert!(!text.contains("primary 100"), "{text}");
    }
}
