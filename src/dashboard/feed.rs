//! What the page is sent about the fleet (pure): a row per cluster × canary (the live view's
//! `CanaryState`, unknown as `null`), a summary (canaries per phase, each cluster's health),
//! and, after the first snapshot, only what changed: rows by key, so the page updates those
//! rows in place instead of redrawing a thousand.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::canary::{CanaryId, CanaryState};
use crate::model::fleet_state::{FleetState, is_missing};
use crate::view::detail::{details_of, event_line};

/// Fields of a row the page has no use for, left out of every message (the full status is in
/// the detail).
const HEAVY: [&str; 3] = ["status", "lastAppliedSpec", "lastPromotedSpec"];

/// A row's key: cluster, namespace and name as a JSON array (any of them may hold any
/// character, so none is a safe separator).
pub fn key(row: &CanaryState) -> String {
    json!([row.cluster, row.namespace, row.name]).to_string()
}

/// The row as the page gets it: the live view's fields, its key and its cluster's place in
/// the fleet (the page orders rows by it, then by namespace and name).
fn page_row(row: &CanaryState, cluster_index: usize) -> Value {
    let mut value = serde_json::to_value(row).unwrap_or(Value::Null);
    if let Some(fields) = value.as_object_mut() {
        for heavy in HEAVY {
            fields.remove(heavy);
        }
        fields.insert("key".into(), key(row).into());
        fields.insert("clusterIndex".into(), cluster_index.into());
        // A row about a missing canary or a cluster that did not answer: no actions on it.
        fields.insert("found".into(), row.found().into());
    }
    value
}

/// One cluster's health, for the summary.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ClusterHealth {
    pub name: String,
    /// `listing` (no answer yet), `ready`, `unreachable` (no canary could be read) or `stale`
    /// (its watch failed: the rows show what was last read).
    pub state: &'static str,
    pub error: Option<String>,
    pub canaries: usize,
}

/// Counts per phase (`initializing` for a canary Flagger has not written a status for) and
/// every cluster's health.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub phases: BTreeMap<String, usize>,
    pub canaries: usize,
    pub clusters: Vec<ClusterHealth>,
}

pub fn summary(state: &FleetState, rows: &[CanaryState]) -> Summary {
    let found: Vec<&CanaryState> = rows.iter().filter(|r| r.found()).collect();
    let mut phases = BTreeMap::new();
    for r in &found {
        let phase = if r.initializing() {
            "initializing"
        } else {
            r.phase.as_str()
        };
        *phases.entry(phase.to_string()).or_insert(0) += 1;
    }
    let clusters = state
        .clusters
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let mine: Vec<&CanaryState> = rows.iter().filter(|r| &r.cluster == name).collect();
            let failed = mine.iter().find(|r| r.error.is_some() && !is_missing(r));
            let (state_name, error) = match failed {
                Some(r) if r.found() => ("stale", r.error.clone()),
                Some(r) => ("unreachable", r.error.clone()),
                None if state.is_listed(index) => ("ready", None),
                None => ("listing", None),
            };
            ClusterHealth {
                name: name.clone(),
                state: state_name,
                error,
                canaries: mine.iter().filter(|r| r.found()).count(),
            }
        })
        .collect();
    Summary {
        phases,
        canaries: found.len(),
        clusters,
    }
}

/// What one page has been sent, to send it only what changed next.
#[derive(Default)]
pub struct Feed {
    sent: HashMap<String, Value>,
    summary: Value,
}

impl Feed {
    /// Everything, for a page that (re)connects: every row, the summary. `rows` are the
    /// state's ([`FleetState::rows`]), as its subscription keeps them.
    pub fn snapshot(&mut self, state: &FleetState, rows: &[CanaryState]) -> Value {
        self.sent.clear();
        self.summary = Value::Null;
        let mut message = self
            .delta(state, rows)
            .unwrap_or_else(|| json!({"upsert": [], "remove": []}));
        if message.get("summary").is_none() {
            message["summary"] = self.summary.clone();
        }
        message
    }

    /// The rows that changed since the last message (`upsert`), the keys of rows gone
    /// (`remove`) and the summary when it changed; None when nothing did.
    pub fn delta(&mut self, state: &FleetState, rows: &[CanaryState]) -> Option<Value> {
        let index_of: HashMap<&str, usize> = state
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let mut now: HashMap<String, Value> = HashMap::with_capacity(rows.len());
        let mut upsert = Vec::new();
        for r in rows {
            let index = index_of.get(r.cluster.as_str()).copied().unwrap_or(0);
            let row = page_row(r, index);
            let k = key(r);
            if self.sent.get(&k) != Some(&row) {
                upsert.push(row.clone());
            }
            now.insert(k, row);
        }
        let mut remove: Vec<&String> = self.sent.keys().filter(|k| !now.contains_key(*k)).collect();
        remove.sort();
        let summary = serde_json::to_value(summary(state, rows)).unwrap_or(Value::Null);
        let summary_changed = summary != self.summary;
        if upsert.is_empty() && remove.is_empty() && !summary_changed {
            return None;
        }
        let mut message = json!({"upsert": upsert, "remove": remove});
        if summary_changed {
            message["summary"] = summary.clone();
            self.summary = summary;
        }
        self.sent = now;
        Some(message)
    }
}

/// One canary in depth, as `get` shows it (its row, the analysis, the hooks, the newest events
/// as `kubectl describe` lists them), or None when the state holds no such row.
pub fn detail(state: &FleetState, id: &CanaryId, now: i64) -> Option<Value> {
    let cluster = state.clusters.iter().position(|c| *c == id.cluster)?;
    let found = details_of(state, cluster).find(|d| CanaryId::of(&d.row) == *id)?;
    let lines: Vec<String> = found.events.iter().map(|e| event_line(e, now)).collect();
    let mut value = serde_json::to_value(&found).ok()?;
    value["eventLines"] = lines.into();
    value["key"] = key(&found.row).into();
    // Whether the canary was found is read, as in the rows: the page shows nothing of a
    // canary no longer there.
    value["found"] = found.row.found().into();
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::ClusterError;
    use crate::model::update::Update;

    fn canary(name: &str, phase: &str, weight: i64) -> Update {
        Update::Canary {
            cluster: 0,
            object: json!({"metadata": {"name": name, "namespace": "test"},
                "spec": {"analysis": {"stepWeights": [10, 50]}},
                "status": {"phase": phase, "canaryWeight": weight, "lastAppliedSpec": "abc"}})
            .into(),
        }
    }

    fn fleet() -> FleetState {
        let mut state = FleetState::new(vec!["m1".into(), "m2".into()], Some("test".into()), None);
        state.apply(canary("a", "Progressing", 10));
        state.apply(canary("b", "Succeeded", 0));
        state.apply(Update::Listed { cluster: 0 });
        state
    }

    #[test]
    fn a_snapshot_then_only_what_changed() {
        let mut state = fleet();
        let mut feed = Feed::default();
        let first = feed.snapshot(&state, &state.rows());
        assert_eq!(first["upsert"].as_array().unwrap().len(), 2);
        assert_eq!(first["summary"]["phases"], json!({"Progressing": 1, "Succeeded": 1}));
        // The heavy status stays in the detail; unknown stays null.
        let row = &first["upsert"][0];
        assert_eq!(row["key"], r#"["m1","test","a"]"#);
        assert!(row.get("status").is_none() && row.get("lastAppliedSpec").is_none());
        assert_eq!(row["failedChecks"], Value::Null);
        assert_eq!(row["stepWeights"], json!([10, 50]));
        assert_eq!(feed.delta(&state, &state.rows()), None, "nothing changed, nothing sent");

        state.apply(canary("a", "Progressing", 50));
        let next = feed.delta(&state, &state.rows()).unwrap();
        let upsert = next["upsert"].as_array().unwrap();
        assert_eq!((upsert.len(), upsert[0]["weight"].clone()), (1, json!(50)));
        assert!(next.get("summary").is_none(), "the counts did not change");

        state.apply(Update::CanaryGone {
            cluster: 0,
            namespace: "test".into(),
            name: "b".into(),
        });
        let gone = feed.delta(&state, &state.rows()).unwrap();
        assert_eq!(gone["remove"], json!([r#"["m1","test","b"]"#]));
        assert_eq!(gone["summary"]["phases"], json!({"Progressing": 1}));
    }

    #[test]
    fn every_clusters_health_is_in_the_summary() {
        let mut state = fleet();
        let rows = state.rows();
        let s = summary(&state, &rows);
        assert_eq!(
            (s.clusters[0].state, s.clusters[0].canaries, s.clusters[1].state),
            ("ready", 2, "listing")
        );
        state.apply(Update::Failed {
            cluster: 1,
            error: ClusterError::Other("connection refused".into()),
        });
        state.apply(Update::Failed {
            cluster: 0,
            error: ClusterError::Other("watch dropped".into()),
        });
        let rows = state.rows();
        let s = summary(&state, &rows);
        assert_eq!(s.clusters[1].state, "unreachable");
        assert_eq!(s.clusters[1].error.as_deref(), Some("connection refused"));
        assert_eq!(s.clusters[0].state, "stale");
        assert_eq!(s.canaries, 2, "a stale cluster's canaries still count");
    }

    #[test]
    fn the_detail_is_gets() {
        let state = fleet();
        let d = detail(&state, &CanaryId::new("m1", "test", "a"), 0).unwrap();
        assert_eq!(d["phase"], "Progressing");
        assert_eq!(d["analysis"]["stepWeights"], json!([10, 50]));
        assert_eq!(d["eventLines"], json!([]));
        assert!(detail(&state, &CanaryId::new("m2", "test", "a"), 0).is_none());
    }
}
