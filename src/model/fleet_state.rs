//! The state of a fleet's canaries assembled from watch updates or one-shot lists (pure): the
//! newest object and recent events per canary, and each cluster's health.
//!
//! Events arrive as client-go's recorder writes them: a repeat is the same Event MODIFIED with a
//! higher count, and similar events are merged into one Event whose message changes. The newest
//! version of each Event replaces the older one; a watch also keeps each message an Event has
//! carried, so a merged message does not erase the history a failure reason needs.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::Value;

use crate::flagger::routing::{RouteKind, routed};
use crate::model::canary::CanaryState;
use crate::model::event::Event;
use crate::model::pending::pending_between;
use crate::model::update::{Update, Workload};

/// Events kept per canary (the newest matter: they carry the failing metric values).
const EVENTS_KEPT: usize = 30;

type Key = (usize, String, String);

#[derive(Debug, Default, Clone)]
pub struct FleetState {
    pub clusters: Vec<String>,
    errors: HashMap<usize, String>,
    listed: Vec<bool>,
    canaries: BTreeMap<Key, HeldCanary>,
    /// Canaries known to exist whose state cannot be told, with why.
    unreadable: BTreeMap<Key, String>,
    events: HashMap<Key, Vec<Arc<Event>>>,
    /// Routing objects by (cluster, kind, namespace or "", name).
    routes: HashMap<(usize, &'static str, String, String), JsonText>,
    /// Per (cluster, routing kind): why that kind is not read (its list or watch failed).
    route_errors: HashMap<(usize, &'static str), String>,
    /// Per canary: every message its Events carried while watched, oldest first (an Event whose
    /// message changed contributes each version).
    history: HashMap<Key, Vec<(u64, Arc<Event>)>>,
    /// Arrival order of event versions (each new or newer version takes the next number).
    seq: u64,
    /// Per canary: the arrival number from which events belong to the run under way, when a
    /// watch saw the run start (a run seen only mid-way has none).
    run_start: HashMap<Key, u64>,
    /// Per canary: the failed checks of the last status seen while a run was under way (the
    /// Failed write resets them to 0; a row tells from them whether the threshold was the cause).
    running_failed_checks: HashMap<Key, i64>,
    /// What is kept of the Deployments by (cluster, namespace, name), when read (see
    /// [`FleetState::reading_workloads`]).
    workloads: HashMap<Key, Workload>,
    /// Per canary: the print of the target's pod template
    /// ([`crate::model::pending::TemplatePrint::template`]) when this state last saw its run
    /// under way. A finished run of that very template is not pending even while the primary's
    /// promoted copy has not arrived yet (the Deployments come on a stream of their own, which
    /// may lag).
    ran_template: HashMap<Key, u64>,
    reads_workloads: bool,
    workloads_listed: Vec<bool>,
    /// Only this canary (by name) is wanted; clusters without it get a "not found" row.
    pub wanted_name: Option<String>,
    pub wanted_namespace: Option<String>,
    /// The clusters are a Kurator Fleet's members (reached through the hub), not kubeconfig
    /// contexts: rows carry no `context`.
    pub kurator_members: bool,
}

/// An object kept as its JSON text and parsed when a row is made of it. As a `Value`, each of
/// its maps is a B-tree node of 600 bytes however few fields it holds: a Canary of 1.7 KB of
/// JSON took 10 KB, a thousand clusters' canaries and routing objects 15 MB of a watch's
/// 120. A row is remade only when its cluster changes, and parsing one object takes
/// microseconds. Shared: a subscriber's copy of the state shares the text.
#[derive(Debug, Clone)]
struct JsonText(Arc<str>);

impl JsonText {
    fn of(object: &Value) -> JsonText {
        JsonText(object.to_string().into())
    }

    /// The object again. The text is a `Value`'s own serialization, so it parses; were it
    /// somehow not to, the object is shown as unknown (null), never invented.
    fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

/// A canary as the state holds it: its text, and what every update compares with the one
/// before (whether a new run started) and matches Deployments by.
#[derive(Debug, Clone)]
struct HeldCanary {
    json: JsonText,
    phase: String,
    last_applied_spec: Option<Value>,
    target: String,
}

impl HeldCanary {
    fn of(canary: &Value) -> HeldCanary {
        let text = |p: &str| canary.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
        HeldCanary {
            json: JsonText::of(canary),
            phase: text("/status/phase"),
            last_applied_spec: canary.pointer("/status/lastAppliedSpec").cloned(),
            target: text("/spec/targetRef/name"),
        }
    }
}

fn key_of(cluster: usize, obj: &Value, ns_pointer: &str, name_pointer: &str) -> Key {
    let text = |p: &str| obj.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
    (cluster, text(ns_pointer), text(name_pointer))
}

/// One cluster's entries of a map keyed by (cluster, namespace, name): a range, not a scan, as
/// the rows of a thousand clusters are made after every change a watch brings.
fn of_cluster<V>(map: &BTreeMap<Key, V>, cluster: usize) -> impl Iterator<Item = (&Key, &V)> {
    map.range((cluster, String::new(), String::new())..(cluster + 1, String::new(), String::new()))
}

/// The row of a cluster that answered without the wanted canary.
pub fn missing_canary(cluster: &str, namespace: &str, name: &str) -> CanaryState {
    CanaryState::unavailable(cluster, namespace, name, missing_message(namespace, name))
}

/// Whether a row says its cluster answered without the canary (not that it did not answer):
/// README "Exit codes" 4 is for a canary missing where clusters answered.
pub fn is_missing(row: &CanaryState) -> bool {
    row.phase.is_empty() && row.error.as_deref() == Some(missing_message(&row.namespace, &row.name).as_str())
}

fn missing_message(namespace: &str, name: &str) -> String {
    format!("canary {namespace}/{name} not found")
}

impl FleetState {
    pub fn new(clusters: Vec<String>, wanted_namespace: Option<String>, wanted_name: Option<String>) -> FleetState {
        let n = clusters.len();
        FleetState {
            clusters,
            listed: vec![false; n],
            workloads_listed: vec![false; n],
            wanted_name,
            wanted_namespace,
            ..Default::default()
        }
    }

    /// The Deployments are read too: rows whose target has a revision Flagger has not picked up
    /// show it ([`crate::model::pending`]), and a cluster is complete only once they are listed
    /// (else a watch begun right after a release would judge the previous run's phase).
    pub fn reading_workloads(mut self) -> FleetState {
        self.reads_workloads = true;
        self
    }

    pub fn apply(&mut self, update: Update) {
        match update {
            Update::Workload {
                cluster,
                namespace,
                name,
                workload,
            } => {
                let key = (cluster, namespace, name);
                self.workloads.insert(key.clone(), workload);
                let targeting: Vec<Key> = of_cluster(&self.canaries, cluster)
                    .filter(|((_, ns, _), canary)| ns == &key.1 && canary.target == key.2)
                    .map(|(k, _)| k.clone())
                    .collect();
                for canary in targeting {
                    self.note_run_template(&canary);
                }
            }
            Update::WorkloadGone {
                cluster,
                namespace,
                name,
            } => {
                self.workloads.remove(&(cluster, namespace, name));
            }
            Update::WorkloadsListed { cluster } => {
                if let Some(l) = self.workloads_listed.get_mut(cluster) {
                    *l = true;
                }
            }
            Update::Canary { cluster, object } => {
                self.errors.remove(&cluster);
                let key = key_of(cluster, &object, "/metadata/namespace", "/metadata/name");
                let phase = object.pointer("/status/phase").and_then(Value::as_str).unwrap_or("");
                let applied = object.pointer("/status/lastAppliedSpec");
                let new_run = crate::model::canary::is_running(phase)
                    && match self.canaries.get(&key) {
                        Some(previous) => {
                            !crate::model::canary::is_running(&previous.phase)
                                || previous.last_applied_spec.as_ref() != applied
                        }
                        // First seen mid-run: what happens from now on is this run's; what was
                        // already there may be an older run's.
                        None => true,
                    };
                if new_run {
                    // Events from here on are this run's; older ones explain older runs.
                    self.run_start.insert(key.clone(), self.seq + 1);
                    self.running_failed_checks.remove(&key);
                }
                if crate::model::canary::is_running(phase)
                    && let Some(status) = object.get("status")
                {
                    let failed = status.get("failedChecks").and_then(Value::as_i64).unwrap_or(0);
                    self.running_failed_checks.insert(key.clone(), failed);
                }
                self.unreadable.remove(&key);
                self.canaries.insert(key.clone(), HeldCanary::of(&object));
                self.note_run_template(&key);
            }
            Update::CanaryUnreadable {
                cluster,
                namespace,
                name,
                error,
            } => {
                let key = (cluster, namespace, name);
                self.canaries.remove(&key);
                self.unreadable.insert(key, error);
            }
            Update::CanaryGone {
                cluster,
                namespace,
                name,
            } => {
                let key = (cluster, namespace, name);
                self.canaries.remove(&key);
                self.unreadable.remove(&key);
            }
            Update::Event { cluster, event } => self.event(cluster, event, false),
            Update::EventListed { cluster, event } => self.event(cluster, event, true),
            Update::Route { cluster, kind, object } => {
                let (_, ns, name) = key_of(cluster, &object, "/metadata/namespace", "/metadata/name");
                self.routes
                    .insert((cluster, kind.plural(), ns, name), JsonText::of(&object));
            }
            Update::RouteGone {
                cluster,
                kind,
                namespace,
                name,
            } => {
                self.routes.remove(&(cluster, kind.plural(), namespace, name));
            }
            Update::RoutesRelisting { cluster, kind } => {
                self.drop_routes(cluster, kind);
                self.route_errors.remove(&(cluster, kind.plural()));
            }
            Update::RoutesFailed { cluster, kind, error } => {
                self.drop_routes(cluster, kind);
                self.route_errors.insert((cluster, kind.plural()), error);
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

    /// One Event version. A listed one (initial list, relist, one-shot read) that is new to
    /// this state is older history: it does not count as happening in the run under way.
    fn event(&mut self, cluster: usize, object: Arc<Event>, listed: bool) {
        let involved = &object.involved_object;
        let text = |field: &Option<String>| field.clone().unwrap_or_default();
        let key = (cluster, text(&involved.namespace), text(&involved.name));
        let list = self.events.entry(key.clone()).or_default();
        let previous = object.id().and_then(|id| list.iter().position(|e| e.id() == Some(id)));
        // (message changed, a newer version)
        let (changed, newer) = match previous {
            // A repeat (higher count) or a merged message: the newer version wins.
            Some(i) if list[i].version() <= object.version() => {
                let message_changed = list[i].message != object.message;
                let newer = list[i].version() < object.version();
                list[i] = object.clone();
                (message_changed, newer)
            }
            Some(_) => return,
            None => {
                list.push(object.clone());
                (true, true)
            }
        };
        list.sort_by(|a, b| a.order().cmp(&b.order()));
        if list.len() > EVENTS_KEPT {
            let excess = list.len() - EVENTS_KEPT;
            list.drain(..excess);
        }
        if newer {
            self.seq += 1;
        }
        // Known before the watch began (seq 0): never part of a run the watch saw start.
        let seq = if listed && previous.is_none() { 0 } else { self.seq };
        let history = self.history.entry(key).or_default();
        if changed {
            history.push((seq, object));
        } else if let Some(last) = history.iter_mut().rev().find(|(_, e)| e.id() == object.id()) {
            // The same message again: it happened again now.
            if newer {
                last.0 = seq;
            }
            last.1 = object;
        }
        history.sort_by(|(_, a), (_, b)| a.order().cmp(&b.order()));
        if history.len() > EVENTS_KEPT * 4 {
            let excess = history.len() - EVENTS_KEPT * 4;
            history.drain(..excess);
        }
    }

    /// The canary as last read (parsed from what is kept: see [`JsonText`]).
    pub fn canary(&self, cluster: usize, namespace: &str, name: &str) -> Option<Value> {
        self.canaries
            .get(&(cluster, namespace.to_string(), name.to_string()))
            .map(|c| c.json.value())
    }

    /// Every message the canary's Events carried while watched (with a one-shot read: the
    /// Events as they are).
    pub fn history_of(&self, cluster: usize, namespace: &str, name: &str) -> Vec<Event> {
        self.run_history(&(cluster, namespace.to_string(), name.to_string()), false)
            .into_iter()
            .cloned()
            .collect()
    }

    /// The history, or only the run under way's part of it when a watch saw the run start.
    fn run_history(&self, key: &Key, this_run: bool) -> Vec<&Event> {
        let from = if this_run {
            self.run_start.get(key).copied().unwrap_or(0)
        } else {
            0
        };
        self.history
            .get(key)
            .into_iter()
            .flatten()
            .filter(|(seq, _)| *seq >= from)
            .map(|(_, e)| &**e)
            .collect()
    }

    pub fn events_of(&self, cluster: usize, namespace: &str, name: &str) -> &[Arc<Event>] {
        self.events
            .get(&(cluster, namespace.to_string(), name.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    fn drop_routes(&mut self, cluster: usize, kind: RouteKind) {
        self.routes
            .retain(|(c, k, _, _), _| !(*c == cluster && *k == kind.plural()));
    }

    /// The weights the canary's routing object carries, or why they are unknown.
    fn routed(&self, cluster: usize, canary: &Value) -> Result<crate::flagger::routing::Routed, String> {
        let provider = canary.pointer("/spec/provider").and_then(Value::as_str).unwrap_or("");
        let kind = RouteKind::of(canary).ok_or_else(|| format!("provider {provider:?}: no routing object is read"))?;
        if let Some(error) = self.route_errors.get(&(cluster, kind.plural())) {
            return Err(format!("{} not read: {error}", kind.plural()));
        }
        let (ns, name) = kind.object_of(canary);
        let shown = if ns.is_empty() {
            name.clone()
        } else {
            format!("{ns}/{name}")
        };
        let object = self
            .routes
            .get(&(cluster, kind.plural(), ns, name))
            .ok_or_else(|| format!("{} {shown} not read", kind.plural()))?
            .value();
        let object = &object;
        if matches!(kind, RouteKind::HttpRoute(_)) && !crate::flagger::routing::http_route_accepted(object) {
            return Err(format!(
                "httproutes {shown}: not accepted by its Gateway for this generation"
            ));
        }
        routed(kind, canary, object)
            .ok_or_else(|| format!("{} {shown} holds no weights for this canary", kind.plural()))
    }

    pub fn is_listed(&self, cluster: usize) -> bool {
        self.listed.get(cluster).copied().unwrap_or(false)
    }

    /// Every row: each canary, plus a row per unreachable cluster and per cluster lacking the
    /// wanted canary, cluster by cluster.
    pub fn rows(&self) -> Vec<CanaryState> {
        (0..self.clusters.len()).flat_map(|c| self.rows_of(c)).collect()
    }

    /// One cluster's part of [`FleetState::rows`]: a row depends on its own cluster's objects
    /// only, so a live surface remakes the rows of the clusters an update touched
    /// ([`crate::model::update::Update::cluster`]) and keeps the others.
    pub fn rows_of(&self, index: usize) -> Vec<CanaryState> {
        let mut rows = Vec::new();
        let Some(cluster) = self.clusters.get(index) else {
            return rows;
        };
        let mine: Vec<(&Key, Value)> = of_cluster(&self.canaries, index)
            .map(|(k, c)| (k, c.json.value()))
            .collect();
        let unreadable: Vec<(&Key, &String)> = of_cluster(&self.unreadable, index).collect();
        let has_rows = !mine.is_empty() || !unreadable.is_empty();
        if let Some(error) = self.errors.get(&index)
            && !has_rows
        {
            rows.push(CanaryState::unavailable(
                cluster,
                self.wanted_namespace.as_deref().unwrap_or(""),
                self.wanted_name.as_deref().unwrap_or(""),
                error.clone(),
            ));
            return self.seen_from_hub(rows);
        }
        for (key, canary) in &mine {
            // A failure is explained by its own run's events only; a run under way shows
            // the newest warning, which carries its own staleness test.
            let phase = canary.pointer("/status/phase").and_then(Value::as_str).unwrap_or("");
            let events = self.run_history(key, !crate::model::canary::is_running(phase));
            let running_failed_checks = self.running_failed_checks.get(*key).copied();
            let mut state = CanaryState::from_canary_with(cluster, canary, &events, running_failed_checks)
                .with_routes(self.routed(index, canary));
            if self.new_revision_waits(key, &state) {
                state = state.pending_new_revision();
            }
            if let Some(error) = self.errors.get(&index) {
                state.error = Some(format!("stale: {error}"));
            }
            self.fill_images(index, &mut state);
            rows.push(state);
        }
        for ((_, namespace, name), why) in unreadable {
            rows.push(CanaryState::unavailable(cluster, namespace, name, why.clone()));
        }
        if !has_rows
            && self.is_listed(index)
            && let Some(name) = &self.wanted_name
        {
            let ns = self.wanted_namespace.as_deref().unwrap_or("");
            rows.push(missing_canary(cluster, ns, name));
        }
        self.seen_from_hub(rows)
    }

    /// Rows of a Kurator Fleet's members carry no kubeconfig context.
    fn seen_from_hub(&self, mut rows: Vec<CanaryState>) -> Vec<CanaryState> {
        if self.kurator_members {
            for r in &mut rows {
                r.context = None;
            }
        }
        rows
    }

    /// Remembers the target's template while the canary's run is under way.
    fn note_run_template(&mut self, key: &Key) {
        let Some(canary) = self.canaries.get(key) else {
            return;
        };
        if crate::model::canary::is_running(&canary.phase)
            && let Some(print) = self
                .workloads
                .get(&(key.0, key.1.clone(), canary.target.clone()))
                .and_then(|w| w.print)
        {
            self.ran_template.insert(key.clone(), print.template);
        }
    }

    /// Whether the canary's target Deployment has a revision Flagger has not picked up (both
    /// the target and its `-primary` read, and not the template of a run this state saw).
    fn new_revision_waits(&self, key: &Key, state: &CanaryState) -> bool {
        let (cluster, namespace, _) = key;
        let print = |name: String| {
            self.workloads
                .get(&(*cluster, namespace.clone(), name))
                .and_then(|w| w.print)
        };
        match (print(state.target.clone()), print(format!("{}-primary", state.target))) {
            (Some(target), _) if self.ran_template.get(key) == Some(&target.template) => false,
            (Some(target), Some(primary)) => pending_between(&state.phase, &target, &primary),
            _ => false,
        }
    }

    /// Gives the row the images of its primary and target Deployments, as read with the
    /// canaries (the first container's, as `-o wide` shows them); a Deployment not read leaves
    /// its image unknown.
    fn fill_images(&self, cluster: usize, row: &mut CanaryState) {
        let image = |name: String| {
            self.workloads
                .get(&(cluster, row.namespace.clone(), name))
                .and_then(|w| w.image.clone())
        };
        if !row.target.is_empty() {
            row.primary_image = image(format!("{}-primary", row.target));
            row.canary_image = image(row.target.clone());
        }
    }

    /// Whether every cluster has answered (listed, with its Deployments when they are read, or
    /// failed).
    pub fn complete(&self) -> bool {
        (0..self.clusters.len()).all(|i| {
            let workloads = !self.reads_workloads || self.workloads_listed.get(i).copied().unwrap_or(false);
            (self.is_listed(i) && workloads) || self.errors.contains_key(&i)
        })
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

    fn deployment(name: &str, image: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": "test"},
               "spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}})
    }

    #[test]
    fn a_target_ahead_of_its_primary_shows_pending_once_deployments_are_listed() {
        let mut s = FleetState::new(vec!["a".into()], Some("test".into()), Some("podinfo".into())).reading_workloads();
        let mut succeeded = canary("podinfo", "Succeeded", "1");
        succeeded["spec"]["targetRef"] = json!({"name": "podinfo"});
        s.apply(Update::Canary {
            cluster: 0,
            object: succeeded.into(),
        });
        s.apply(Update::Listed { cluster: 0 });
        assert!(!s.complete(), "the Deployments are not listed yet");
        s.apply(Update::workload(0, &deployment("podinfo", "podinfo:2")));
        s.apply(Update::workload(0, &deployment("podinfo-primary", "podinfo:1")));
        s.apply(Update::WorkloadsListed { cluster: 0 });
        assert!(s.complete());
        let row = &s.rows()[0];
        assert_eq!(row.phase, "Pending");
        assert_eq!(
            row.message,
            "new revision not yet picked up by Flagger (Flagger's phase: Succeeded)"
        );
        assert_eq!(row.status["phase"], "Succeeded", "Flagger's own status is kept");
        // Flagger picks it up and promotes; the primary's copy arrives after the Succeeded
        // (another stream): the run this state saw was of this template, so it is not pending.
        let mut running = canary("podinfo", "Progressing", "2");
        running["spec"]["targetRef"] = json!({"name": "podinfo"});
        s.apply(Update::Canary {
            cluster: 0,
            object: running.clone().into(),
        });
        assert_eq!(s.rows()[0].phase, "Progressing");
        running["status"]["phase"] = json!("Succeeded");
        s.apply(Update::Canary {
            cluster: 0,
            object: running.into(),
        });
        assert_eq!(s.rows()[0].phase, "Succeeded");
        s.apply(Update::workload(0, &deployment("podinfo-primary", "podinfo:2")));
        assert_eq!(s.rows()[0].phase, "Succeeded");
        // The next release is pending again.
        s.apply(Update::workload(0, &deployment("podinfo", "podinfo:3")));
        assert_eq!(s.rows()[0].phase, "Pending");
    }

    #[test]
    fn images_come_from_the_deployments_listed_and_are_unknown_otherwise() {
        let mut s = FleetState::new(vec!["a".into()], Some("test".into()), None).reading_workloads();
        for name in ["podinfo", "backend"] {
            let mut c = canary(name, "Succeeded", "1");
            c["spec"]["targetRef"] = json!({"name": name});
            s.apply(Update::Canary {
                cluster: 0,
                object: c.into(),
            });
        }
        s.apply(Update::workload(0, &deployment("podinfo", "podinfo:2")));
        s.apply(Update::workload(0, &deployment("podinfo-primary", "podinfo:1")));
        let rows = s.rows();
        let images = |name: &str| {
            let r = rows.iter().find(|r| r.name == name).unwrap();
            (r.primary_image.clone(), r.canary_image.clone())
        };
        assert_eq!(images("podinfo"), (Some("podinfo:1".into()), Some("podinfo:2".into())));
        assert_eq!(images("backend"), (None, None));
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
            object: canary("podinfo", "Progressing", "1").into(),
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
            object: canary("podinfo", "Progressing", "1").into(),
        });
        for (uid, msg, t) in [
            ("2", "second", "2026-01-01T00:00:02Z"),
            ("1", "first", "2026-01-01T00:00:01Z"),
            ("2", "second", "2026-01-01T00:00:02Z"),
        ] {
            s.apply(Update::Event {
                cluster: 0,
                event: Event::of(json!({"metadata": {"uid": uid}, "lastTimestamp": t, "message": msg,
                "involvedObject": {"namespace": "test", "name": "podinfo"}}))
                .into(),
            });
        }
        assert_eq!(s.rows()[0].message, "second");
    }

    #[test]
    fn a_repeated_event_is_one_event_with_a_higher_count() {
        let mut s = FleetState::new(vec!["a".into()], None, None);
        s.apply(Update::Canary {
            cluster: 0,
            object: canary("podinfo", "Progressing", "1").into(),
        });
        let event = |rv: &str, count: i64, msg: &str, t: &str| {
            json!({"metadata": {"uid": "e1", "resourceVersion": rv}, "count": count, "lastTimestamp": t,
                   "message": msg, "type": "Warning", "involvedObject": {"namespace": "test", "name": "podinfo"}})
        };
        let halt = "Halt podinfo.test advancement waiting for traffic increase approval gate";
        s.apply(Update::Event {
            cluster: 0,
            event: Event::of(event("5", 1, halt, "2026-01-01T00:00:01Z")).into(),
        });
        s.apply(Update::Event {
            cluster: 0,
            event: Event::of(event("6", 2, halt, "2026-01-01T00:00:02Z")).into(),
        });
        // A stale version (a relist racing the watch) does not go back.
        s.apply(Update::Event {
            cluster: 0,
            event: Event::of(event("5", 1, halt, "2026-01-01T00:00:01Z")).into(),
        });
        let events = s.events_of(0, "test", "podinfo");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].count, Some(2));
        assert_eq!(s.history_of(0, "test", "podinfo").len(), 1);
        // A combined Event whose message changes keeps each message in the history.
        s.apply(Update::Event {
            cluster: 0,
            event: Event::of(event(
                "7",
                3,
                "(combined from similar events): Canary failed! Scaling down podinfo.test",
                "2026-01-01T00:00:03Z",
            ))
            .into(),
        });
        assert_eq!(s.events_of(0, "test", "podinfo").len(), 1);
        let all = s.history_of(0, "test", "podinfo");
        let history: Vec<&str> = all.iter().map(|e| e.message()).collect();
        assert_eq!(history.len(), 2, "{history:?}");
        assert_eq!(history[0], halt);
    }

    #[test]
    fn a_failure_is_explained_by_its_own_run_only() {
        let mut s = FleetState::new(vec!["a".into()], None, None);
        let status = |phase: &str, applied: &str, failed: i64| {
            json!({"metadata": {"name": "podinfo", "namespace": "test"},
                   "spec": {"analysis": {"threshold": 2, "metrics": [{"name": "a"}, {"name": "b"}]}},
                   "status": {"phase": phase, "lastAppliedSpec": applied, "failedChecks": failed,
                              "conditions": [{"message": "Canary analysis failed, Deployment scaled to zero."}]}})
        };
        let halt = |uid: &str, rate: &str| Update::Event {
            cluster: 0,
            event: Event::of(
                json!({"metadata": {"uid": uid, "resourceVersion": "1"}, "count": 1, "type": "Warning",
                           "lastTimestamp": "2026-01-01T00:00:01Z",
                           "message": format!("Halt podinfo.test advancement success rate {rate}% < 99%"),
                           "involvedObject": {"namespace": "test", "name": "podinfo"}}),
            )
            .into(),
        };
        s.apply(Update::Canary {
            cluster: 0,
            object: status("Succeeded", "r1", 0).into(),
        });
        s.apply(Update::Canary {
            cluster: 0,
            object: status("Progressing", "r2", 0).into(),
        });
        s.apply(halt("h1", "80.00"));
        s.apply(Update::Canary {
            cluster: 0,
            object: status("Progressing", "r2", 2).into(),
        });
        s.apply(Update::Canary {
            cluster: 0,
            object: status("Failed", "r2", 0).into(),
        });
        assert!(s.rows()[0].message.contains("80.00%"), "{}", s.rows()[0].message);
        // The next run fails with every event dropped: the old halt is not its reason.
        s.apply(Update::Canary {
            cluster: 0,
            object: status("Progressing", "r3", 0).into(),
        });
        s.apply(Update::Canary {
            cluster: 0,
            object: status("Progressing", "r3", 2).into(),
        });
        s.apply(Update::Canary {
            cluster: 0,
            object: status("Failed", "r3", 0).into(),
        });
        let message = s.rows()[0].message.clone();
        assert_eq!(
            message,
            "Rolling back podinfo.test failed checks threshold reached 2; no event of this run names the failed check (Flagger's event recorder merges and throttles events)"
        );
    }

    #[test]
    fn a_one_shot_read_still_shows_a_held_traffic_increase() {
        let mut s = FleetState::new(vec!["a".into()], None, None);
        s.apply(Update::Canary {
            cluster: 0,
            object: json!({"metadata": {"name": "podinfo", "namespace": "test"},
                "spec": {"analysis": {"stepWeight": 10, "webhooks": [{"name": "step-gate", "type": "confirm-traffic-increase", "url": "x"}]}},
                "status": {"phase": "Progressing", "canaryWeight": 20, "lastTransitionTime": "2026-01-01T00:00:00Z",
                           "conditions": [{"message": "New revision detected, progressing canary analysis."}]}}).into(),
        });
        s.apply(Update::EventListed {
            cluster: 0,
            event: Event::of(
                json!({"metadata": {"uid": "e"}, "type": "Warning", "count": 4, "lastTimestamp": "2026-01-01T00:00:40Z",
                "message": "Halt podinfo.test advancement waiting for traffic increase approval step-gate",
                "involvedObject": {"namespace": "test", "name": "podinfo"}}),
            )
            .into(),
        });
        let row = &s.rows()[0];
        assert_eq!(row.gate.as_deref(), Some("confirm-traffic-increase step-gate"));
        assert_eq!(
            row.message,
            "New revision detected, progressing canary analysis. Halt podinfo.test advancement waiting for traffic increase approval step-gate"
        );
    }

    fn vs(canary_weight: i64, name: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": "test"},
               "spec": {"http": [{"route": [
                   {"destination": {"host": "podinfo-primary"}, "weight": 100 - canary_weight},
                   {"destination": {"host": "podinfo-canary"}, "weight": canary_weight}]}]}})
    }

    fn istio_canary(status_weight: i64) -> Value {
        json!({"metadata": {"name": "podinfo", "namespace": "test", "resourceVersion": "1"},
               "spec": {"targetRef": {"name": "podinfo"}, "analysis": {"stepWeight": 10, "maxWeight": 50}},
               "status": {"phase": "Progressing", "canaryWeight": status_weight}})
    }

    #[test]
    fn a_refused_route_list_makes_the_routed_weight_unknown_with_its_reason() {
        let mut s = FleetState::new(vec!["a".into()], Some("test".into()), None);
        s.apply(Update::RoutesFailed {
            cluster: 0,
            kind: RouteKind::VirtualService,
            error: "forbidden: virtualservices is forbidden".into(),
        });
        s.apply(Update::Canary {
            cluster: 0,
            object: istio_canary(20).into(),
        });
        let row = &s.rows()[0];
        assert_eq!((row.routed, row.weight, row.status_weight), (None, Some(20), Some(20)));
        assert_eq!(
            row.routed_unknown.as_deref(),
            Some("virtualservices not read: forbidden: virtualservices is forbidden")
        );
        let json = serde_json::to_value(row).expect("a row serializes");
        assert_eq!(json["routed"], Value::Null, "unknown is shown as unknown, not omitted");
        // No routing object at all: unknown too, saying which one was not read.
        let mut s = FleetState::new(vec!["a".into()], Some("test".into()), None);
        s.apply(Update::Canary {
            cluster: 0,
            object: istio_canary(20).into(),
        });
        assert_eq!(
            s.rows()[0].routed_unknown.as_deref(),
            Some("virtualservices test/podinfo not read")
        );
    }

    #[test]
    fn a_relist_refills_routes_and_a_dropped_route_watch_forgets_them() {
        let mut s = FleetState::new(vec!["a".into()], Some("test".into()), None);
        s.apply(Update::Canary {
            cluster: 0,
            object: istio_canary(30).into(),
        });
        s.apply(Update::Route {
            cluster: 0,
            kind: RouteKind::VirtualService,
            object: vs(30, "podinfo").into(),
        });
        s.apply(Update::Route {
            cluster: 0,
            kind: RouteKind::VirtualService,
            object: vs(10, "other").into(),
        });
        assert_eq!(s.rows()[0].routed.map(|r| r.canary), Some(30));
        // The watch drops: the 30 read before may be stale, so it is no longer shown.
        s.apply(Update::RoutesFailed {
            cluster: 0,
            kind: RouteKind::VirtualService,
            error: "watch failed".into(),
        });
        s.apply(Update::Canary {
            cluster: 0,
            object: istio_canary(40).into(),
        });
        let row = &s.rows()[0];
        assert_eq!((row.routed, row.weight), (None, Some(40)));
        assert_eq!(
            row.routed_unknown.as_deref(),
            Some("virtualservices not read: watch failed")
        );
        assert!(s.routes.is_empty(), "every route of that kind and cluster is dropped");
        // The relist clears what remains and refills from the list: the error is gone.
        s.apply(Update::Route {
            cluster: 0,
            kind: RouteKind::VirtualService,
            object: vs(10, "gone-while-down").into(),
        });
        s.apply(Update::RoutesRelisting {
            cluster: 0,
            kind: RouteKind::VirtualService,
        });
        assert!(s.routes.is_empty(), "a relist drops objects it will not list again");
        s.apply(Update::Route {
            cluster: 0,
            kind: RouteKind::VirtualService,
            object: vs(40, "podinfo").into(),
        });
        let row = &s.rows()[0];
        assert_eq!(
            (row.routed.map(|r| r.canary), row.routed_unknown.as_deref()),
            (Some(40), None)
        );
    }

    #[test]
    fn routes_of_another_cluster_or_kind_survive_a_failure() {
        let mut s = FleetState::new(vec!["a".into(), "b".into()], None, None);
        for cluster in [0, 1] {
            s.apply(Update::Route {
                cluster,
                kind: RouteKind::VirtualService,
                object: vs(30, "podinfo").into(),
            });
        }
        s.apply(Update::RoutesFailed {
            cluster: 0,
            kind: RouteKind::HttpRoute("v1"),
            error: "watch failed".into(),
        });
        s.apply(Update::RoutesFailed {
            cluster: 1,
            kind: RouteKind::VirtualService,
            error: "watch failed".into(),
        });
        assert_eq!(s.routes.len(), 1);
        assert!(
            s.routes
                .contains_key(&(0, "virtualservices", "test".to_string(), "podinfo".to_string()))
        );
    }
}
