//! The state of a fleet's canaries assembled from watch updates or one-shot lists (pure): the
//! newest object and recent events per canary, and each cluster's health.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::routing::{RouteKind, routed};
use super::state::CanaryState;
use crate::ops::watch::Update;

/// Events kept per canary (the newest matter: they carry the failing metric values).
const EVENTS_KEPT: usize = 30;

type Key = (usize, String, String);

#[derive(Debug, Default, Clone)]
pub struct FleetState {
    pub clusters: Vec<String>,
    errors: HashMap<usize, String>,
    listed: Vec<bool>,
    canaries: BTreeMap<Key, Value>,
    events: HashMap<Key, Vec<Value>>,
    /// Routing objects by (cluster, kind, namespace or "", name).
    routes: HashMap<(usize, &'static str, String, String), Value>,
    /// Only this canary (by name) is wanted; clusters without it get a "not found" row.
    pub wanted_name: Option<String>,
    pub wanted_namespace: Option<String>,
}

fn key_of(cluster: usize, obj: &Value, ns_pointer: &str, name_pointer: &str) -> Key {
    let text = |p: &str| obj.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
    (cluster, text(ns_pointer), text(name_pointer))
}

impl FleetState {
    pub fn new(clusters: Vec<String>, wanted_namespace: Option<String>, wanted_name: Option<String>) -> FleetState {
        let n = clusters.len();
        FleetState {
            clusters,
            listed: vec![false; n],
            wanted_name,
            wanted_namespace,
            ..Default::default()
        }
    }

    pub fn apply(&mut self, update: Update) {
        match update {
            Update::Canary { cluster, object } => {
                self.errors.remove(&cluster);
                let key = key_of(cluster, &object, "/metadata/namespace", "/metadata/name");
                self.canaries.insert(key, object);
            }
            Update::CanaryGone {
                cluster,
                namespace,
                name,
            } => {
                self.canaries.remove(&(cluster, namespace, name));
            }
            Update::Event { cluster, object } => {
                let key = key_of(cluster, &object, "/involvedObject/namespace", "/involvedObject/name");
                let list = self.events.entry(key).or_default();
                let uid = object.pointer("/metadata/uid").cloned();
                if uid.is_some() && list.iter().any(|e| e.pointer("/metadata/uid") == uid.as_ref()) {
                    return;
                }
                list.push(object);
                list.sort_by_key(|e| {
                    let time = e.get("lastTimestamp").and_then(Value::as_str).unwrap_or("").to_string();
                    let rv: u64 = e
                        .pointer("/metadata/resourceVersion")
                        .and_then(Value::as_str)
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0);
                    (time, rv)
                });
                if list.len() > EVENTS_KEPT {
                    let excess = list.len() - EVENTS_KEPT;
                    list.drain(..excess);
                }
            }
            Update::Route { cluster, kind, object } => {
                let (_, ns, name) = key_of(cluster, &object, "/metadata/namespace", "/metadata/name");
                self.routes.insert((cluster, kind.plural(), ns, name), object);
            }
            Update::RouteGone {
                cluster,
                kind,
                namespace,
                name,
            } => {
                self.routes.remove(&(cluster, kind.plural(), namespace, name));
            }
            Update::Listed { cluster } => {
                self.errors.remove(&cluster);
                if let Some(l) = self.listed.get_mut(cluster) {
                    *l = true;
                }
            }
            Update::Failed { cluster, error } => {
                self.errors.insert(cluster, error.to_string());
            }
        }
    }

    pub fn canary(&self, cluster: usize, namespace: &str, name: &str) -> Option<&Value> {
        self.canaries.get(&(cluster, namespace.to_string(), name.to_string()))
    }

    pub fn events_of(&self, cluster: usize, namespace: &str, name: &str) -> &[Value] {
        self.events
            .get(&(cluster, namespace.to_string(), name.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The weights the canary's routing object carries, if it was read.
    fn routed(&self, cluster: usize, canary: &Value) -> Option<super::routing::Routed> {
        let kind = RouteKind::of(canary)?;
        let (ns, name) = kind.object_of(canary);
        let object = self.routes.get(&(cluster, kind.plural(), ns, name))?;
        routed(kind, canary, object)
    }

    pub fn is_listed(&self, cluster: usize) -> bool {
        self.listed.get(cluster).copied().unwrap_or(false)
    }

    pub fn cluster_error(&self, cluster: usize) -> Option<&String> {
        self.errors.get(&cluster)
    }

    /// Every row: each canary, plus a row per unreachable cluster and per cluster lacking the
    /// wanted canary.
    pub fn rows(&self) -> Vec<CanaryState> {
        let mut rows = Vec::new();
        for (index, cluster) in self.clusters.iter().enumerate() {
            let mine: Vec<(&Key, &Value)> = self.canaries.iter().filter(|((c, _, _), _)| *c == index).collect();
            if let Some(error) = self.errors.get(&index)
                && mine.is_empty()
            {
                rows.push(CanaryState::unavailable(
                    cluster,
                    self.wanted_namespace.as_deref().unwrap_or(""),
                    self.wanted_name.as_deref().unwrap_or(""),
                    error.clone(),
                ));
                continue;
            }
            for (key, canary) in &mine {
                let events = self.events.get(*key).map(Vec::as_slice).unwrap_or(&[]);
                let mut state =
                    CanaryState::from_canary(cluster, canary, events).with_routes(self.routed(index, canary));
                if let Some(error) = self.errors.get(&index) {
                    state.error = Some(format!("stale: {error}"));
                }
                rows.push(state);
            }
            if mine.is_empty()
                && self.is_listed(index)
                && let Some(name) = &self.wanted_name
            {
                let ns = self.wanted_namespace.as_deref().unwrap_or("");
                rows.push(CanaryState::unavailable(
                    cluster,
                    ns,
                    name,
                    format!("canary {ns}/{name} not found"),
                ));
            }
        }
        rows
    }

    /// Whether every cluster has answered (listed or failed).
    pub fn complete(&self) -> bool {
        (0..self.clusters.len()).all(|i| self.is_listed(i) || self.errors.contains_key(&i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::ClusterError;
    use serde_json::json;

    fn canary(name: &str, phase: &str, rv: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": "test", "resourceVersion": rv}, "spec": {"analysis": {"stepWeight": 10}},
               "status": {"phase": phase}})
    }

    #[test]
    fn rows_for_found_missing_and_unreachable() {
        let mut s = FleetState::new(
            vec!["a".into(), "b".into(), "c".into()],
            Some("test".into()),
            Some("podinfo".into()),
        );
        s.apply(Update::Canary {
            cluster: 0,
            object: canary("podinfo", "Progressing", "1"),
        });
        s.apply(Update::Listed { cluster: 0 });
        s.apply(Update::Listed { cluster: 1 });
        s.apply(Update::Failed {
            cluster: 2,
            error: ClusterError::Unreachable("connection refused".into()),
        });
        assert!(s.complete());
        let rows = s.rows();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].phase, "Progressing");
        assert_eq!(rows[1].error.as_deref(), Some("canary test/podinfo not found"));
        assert_eq!(rows[2].error.as_deref(), Some("unreachable: connection refused"));
        s.apply(Update::CanaryGone {
            cluster: 0,
            namespace: "test".into(),
            name: "podinfo".into(),
        });
        assert!(s.rows()[0].error.is_some());
    }

    #[test]
    fn events_are_kept_in_order_without_duplicates() {
        let mut s = FleetState::new(vec!["a".into()], None, None);
        s.apply(Update::Canary {
            cluster: 0,
            object: canary("podinfo", "Progressing", "1"),
        });
        for (uid, msg, t) in [
            ("2", "second", "2026-01-01T00:00:02Z"),
            ("1", "first", "2026-01-01T00:00:01Z"),
            ("2", "second", "2026-01-01T00:00:02Z"),
        ] {
            s.apply(Update::Event {
                cluster: 0,
                object: json!({"metadata": {"uid": uid}, "lastTimestamp": t, "message": msg,
                "involvedObject": {"namespace": "test", "name": "podinfo"}}),
            });
        }
        assert_eq!(s.rows()[0].message, "second");
    }
}
