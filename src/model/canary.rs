//! What a person (or a pipeline) needs to know about one Canary, derived from the object and
//! its Flagger events (pure): phase, progress, failed checks, the gate it waits on, a message.
//!
//! Status is truth, events are history: the phase and the message come from the Canary's status
//! and its `Promoted` condition. Events only add the detail a condition does not carry (the check
//! that failed, the readiness a tick waits for), because client-go's recorder merges repeats into
//! one Event with a count, combines similar ones (`(combined from similar events): `) and drops
//! a chatty object's events: an event may be old, merged or missing, never authoritative.

use serde::Serialize;
use serde_json::Value;

use crate::model::event::Event;

pub use crate::flagger::routing::Routed;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    Canary,
    AbTesting,
    BlueGreen,
}

/// One canary in one cluster, or a row explaining why there is none.
///
/// Unknown is never shown as a value: a row of a cluster that could not be read, or a canary
/// that was not found, carries `None` (JSON `null`, `-` in tables) for everything read from the
/// Canary, and a canary Flagger has not written a status for yet carries `None` for the
/// status fields. A default is used only where Flagger itself applies it to an unset spec
/// field (maxWeight 100, threshold 1, interval 60s: fluxcd/flagger pkg/apis/flagger/v1beta1
/// canary.go, `GetMaxWeight`, `GetAnalysisThreshold`, `GetAnalysisInterval`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CanaryState {
    /// The kubeconfig context, or under `--fleet` the Kurator member's name.
    pub cluster: String,
    /// The kubeconfig context the row was read through; null under `--fleet` (members are
    /// reached through the hub's Secrets, not a context).
    pub context: Option<String>,
    pub namespace: String,
    pub name: String,
    /// `status.phase`; empty (JSON null) when there is none: not read, or not written yet.
    #[serde(serialize_with = "empty_as_null")]
    pub phase: String,
    /// The canary's share of traffic: as the provider's routing object carries it when that
    /// was read, else `status.canaryWeight`.
    pub weight: Option<i64>,
    /// `status.canaryWeight`: what Flagger last recorded (0 at the promotion gate while the
    /// mesh still routes the last step).
    pub status_weight: Option<i64>,
    /// The weights read from the provider's routing object; null when not read (unknown).
    pub routed: Option<Routed>,
    /// Why `routed` is unknown (routing object not read, its read failed, or it holds no
    /// programmed weights for this canary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routed_unknown: Option<String>,
    pub max_weight: Option<i64>,
    pub step_weights: Option<Vec<i64>>,
    /// `analysis.stepWeight`, the linear step; null when the spec sets none (explicit
    /// `stepWeights`, or iterations) or the canary was not read.
    pub step_weight: Option<i64>,
    pub strategy: Option<Strategy>,
    pub iterations: Option<i64>,
    pub total_iterations: Option<i64>,
    pub failed_checks: Option<i64>,
    pub threshold: Option<i64>,
    pub interval: Option<String>,
    pub suspended: Option<bool>,
    pub skip_analysis: Option<bool>,
    pub last_transition_time: Option<String>,
    /// When the current phase began: the Promoted condition's `lastUpdateTime`, which Flagger
    /// moves only when the condition's status or reason (the phase) changes — unlike
    /// `status.lastTransitionTime`, rewritten on every status write.
    pub phase_since: Option<String>,
    /// The Promoted condition's `lastTransitionTime` (changes only with its status).
    pub promoted_transition: Option<String>,
    pub last_applied_spec: Option<String>,
    pub last_promoted_spec: Option<String>,
    /// The gate hook the canary waits on, if any.
    pub gate: Option<String>,
    pub message: String,
    /// `spec.provider`; empty (JSON null) when unset (Flagger's -mesh-provider applies) or
    /// not read.
    #[serde(serialize_with = "empty_as_null")]
    pub provider: String,
    /// The full status as Flagger wrote it.
    pub status: Value,
    /// Why there is no canary to show (unreachable cluster, not found).
    pub error: Option<String>,
    /// The target's name and, when read (`-o wide`), the images of the primary and the canary.
    #[serde(serialize_with = "empty_as_null")]
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary_image: Option<String>,
}

/// An empty text is "not known": JSON null.
fn empty_as_null<S: serde::Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    if text.is_empty() {
        serializer.serialize_none()
    } else {
        serializer.serialize_str(text)
    }
}

fn text(v: &Value, p: &str) -> String {
    v.pointer(p).and_then(Value::as_str).unwrap_or("").to_string()
}

/// What a canary showed before a new run was asked for, to tell that run's writes from the
/// previous run's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunMark {
    pub applied: Option<String>,
    /// The Promoted condition's lastTransitionTime.
    pub promoted_transition: Option<String>,
}

impl RunMark {
    pub fn of_canary(canary: &Value) -> RunMark {
        let state = CanaryState::from_canary("", canary, &[]);
        RunMark {
            applied: state.last_applied_spec,
            promoted_transition: state.promoted_transition,
        }
    }

    /// Whether `row` belongs to a run started after this mark. Running phases do. A stable
    /// phase does once the Promoted condition moved (a run sets it Unknown, then True or
    /// False). Not the write Flagger makes to a Failed canary before the new run: it carries
    /// the new lastAppliedSpec with phase and condition unchanged (fluxcd/flagger
    /// pkg/controller/scheduler.go, func shouldAdvance), so a new lastAppliedSpec counts only
    /// outside Failed.
    pub fn new_run(&self, row: &CanaryState) -> bool {
        is_running(&row.phase)
            || row.promoted_transition != self.promoted_transition
            || (row.phase != "Failed" && row.last_applied_spec != self.applied)
    }

    /// Whether `row` stands promoted (Succeeded) by the run under way at this mark
    /// (`was_running`) or by one begun since; not by a Succeeded left from before.
    pub fn promoted_since(&self, was_running: bool, row: &CanaryState) -> bool {
        row.phase == "Succeeded" && (was_running || self.new_run(row))
    }
}

/// Which canary: the cluster it runs in (kubeconfig context or Fleet member), its namespace
/// and name. Shown as `namespace/name` (the cluster has a column of its own).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CanaryId {
    pub cluster: String,
    pub namespace: String,
    pub name: String,
}

impl CanaryId {
    pub fn new(cluster: &str, namespace: &str, name: &str) -> CanaryId {
        CanaryId {
            cluster: cluster.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// The canary a row of the fleet state is about.
    pub fn of(row: &CanaryState) -> CanaryId {
        CanaryId::new(&row.cluster, &row.namespace, &row.name)
    }
}

impl std::fmt::Display for CanaryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// Phases after which a run is over (Initialized: no run yet, nothing to wait for).
pub fn is_terminal(phase: &str) -> bool {
    matches!(phase, "Succeeded" | "Failed" | "Initialized")
}

/// Phases in which a run is under way: between a new revision being detected and its end
/// (flagger: pkg/apis/flagger/v1beta1/status.go, the `CanaryPhase` constants).
pub fn is_running(phase: &str) -> bool {
    matches!(
        phase,
        "Progressing" | "Waiting" | "WaitingPromotion" | "Promoting" | "Finalising"
    )
}

impl CanaryState {
    /// A row without a canary: `error` says why (unreachable, not found); everything that
    /// would be read from the Canary is unknown.
    pub fn unavailable(cluster: &str, namespace: &str, name: &str, error: String) -> CanaryState {
        CanaryState {
            cluster: cluster.into(),
            context: Some(cluster.into()),
            namespace: namespace.into(),
            name: name.into(),
            phase: String::new(),
            weight: None,
            status_weight: None,
            routed: None,
            routed_unknown: None,
            max_weight: None,
            step_weights: None,
            step_weight: None,
            strategy: None,
            iterations: None,
            total_iterations: None,
            failed_checks: None,
            threshold: None,
            interval: None,
            suspended: None,
            skip_analysis: None,
            last_transition_time: None,
            phase_since: None,
            promoted_transition: None,
            last_applied_spec: None,
            last_promoted_spec: None,
            gate: None,
            message: error.clone(),
            provider: String::new(),
            status: Value::Null,
            error: Some(error),
            target: String::new(),
            primary_image: None,
            canary_image: None,
        }
    }

    /// From a Canary object and its events, newest last.
    pub fn from_canary(cluster: &str, canary: &Value, events: &[Event]) -> CanaryState {
        Self::from_canary_with(cluster, canary, &events.iter().collect::<Vec<_>>(), None)
    }

    /// Like `from_canary`, with the failed checks of the last status a watch saw while the run
    /// was under way (those that led to a rollback: the Failed write resets them to 0).
    pub fn from_canary_with(
        cluster: &str,
        canary: &Value,
        events: &[&Event],
        running_failed_checks: Option<i64>,
    ) -> CanaryState {
        let meaningful: Vec<&Event> = events.iter().copied().filter(|e| !is_routine(e)).collect();
        let events = meaningful.as_slice();
        let a = canary.pointer("/spec/analysis").cloned().unwrap_or(Value::Null);
        let step_weights: Vec<i64> = a
            .get("stepWeights")
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default();
        let total_iterations = a.get("iterations").and_then(Value::as_i64).unwrap_or(0);
        let has_match = a.get("match").and_then(Value::as_array).is_some_and(|m| !m.is_empty());
        let provider = text(canary, "/spec/provider");
        let strategy = if provider == "kubernetes" || (total_iterations > 0 && !has_match) {
            Strategy::BlueGreen
        } else if total_iterations > 0 {
            Strategy::AbTesting
        } else {
            Strategy::Canary
        };
        let max_weight = match step_weights.last() {
            Some(last) => (*last).min(100),
            None => a
                .get("maxWeight")
                .and_then(Value::as_i64)
                .filter(|m| *m > 0)
                .unwrap_or(100),
        };
        let phase = text(canary, "/status/phase");
        let opt = |p: &str| Some(text(canary, p)).filter(|s| !s.is_empty());
        // A status field Flagger has not written is unknown, not 0.
        let status_int = |p: &str| canary.pointer(p).and_then(Value::as_i64);
        let promoted = canary
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .and_then(|c| c.iter().find(|c| c["type"] == "Promoted"))
            .cloned()
            .unwrap_or(Value::Null);
        let condition_time = |key: &str| promoted.get(key).and_then(Value::as_str).map(str::to_string);
        let spec_flag = |p: &str| Some(canary.pointer(p).and_then(Value::as_bool).unwrap_or(false));
        let mut state = CanaryState {
            cluster: cluster.into(),
            context: Some(cluster.into()),
            namespace: text(canary, "/metadata/namespace"),
            name: text(canary, "/metadata/name"),
            phase: phase.clone(),
            weight: status_int("/status/canaryWeight"),
            status_weight: status_int("/status/canaryWeight"),
            routed: None,
            routed_unknown: None,
            max_weight: Some(max_weight),
            step_weights: Some(step_weights),
            step_weight: a.get("stepWeight").and_then(Value::as_i64).filter(|w| *w > 0),
            strategy: Some(strategy),
            iterations: status_int("/status/iterations"),
            total_iterations: Some(if provider == "kubernetes" && total_iterations < 1 {
                10
            } else {
                total_iterations
            }),
            failed_checks: status_int("/status/failedChecks"),
            threshold: Some(a.get("threshold").and_then(Value::as_i64).unwrap_or(1).max(1)),
            interval: Some(a.get("interval").and_then(Value::as_str).unwrap_or("60s").to_string()),
            // An unset boolean in a spec is false (Kubernetes' zero value), not unknown.
            suspended: spec_flag("/spec/suspend"),
            skip_analysis: spec_flag("/spec/skipAnalysis"),
            last_transition_time: opt("/status/lastTransitionTime"),
            phase_since: condition_time("lastUpdateTime").or_else(|| condition_time("lastTransitionTime")),
            promoted_transition: condition_time("lastTransitionTime"),
            last_applied_spec: opt("/status/lastAppliedSpec"),
            last_promoted_spec: opt("/status/lastPromotedSpec"),
            gate: None,
            message: String::new(),
            provider,
            status: canary.get("status").cloned().unwrap_or(Value::Null),
            error: None,
            target: text(canary, "/spec/targetRef/name"),
            primary_image: None,
            canary_image: None,
        };
        state.gate = waiting_gate(canary, &phase, events);
        state.message = message(canary, &phase, events, running_failed_checks);
        if state.message.is_empty() && phase.is_empty() {
            state.message = INITIALIZING.into();
        }
        state
    }

    /// Shows the traffic the routing object carries (read from it by the caller), or why it
    /// is unknown.
    pub fn with_routes(mut self, routed: Result<Routed, String>) -> CanaryState {
        match routed {
            Ok(r) => {
                self.routed = Some(r);
                self.weight = Some(r.canary);
            }
            Err(reason) => self.routed_unknown = Some(reason),
        }
        self
    }

    /// The canary was read, but Flagger has not written its status yet (it initializes it on
    /// its next sync): not "nothing matched", and nothing of a run to show.
    pub fn initializing(&self) -> bool {
        self.error.is_none() && self.phase.is_empty()
    }

    /// The canary was read (with or without a status): the row is not about its absence.
    pub fn found(&self) -> bool {
        !(self.error.is_some() && self.phase.is_empty())
    }

    /// Where routed traffic and `status.canaryWeight` differ: ` held` at the promotion gate
    /// (Flagger zeroes the status weight and keeps routing), else the status weight.
    fn status_note(&self) -> String {
        match (self.weight, self.status_weight) {
            (Some(w), Some(s)) if w != s && self.strategy == Some(Strategy::Canary) => {
                if self.phase == "WaitingPromotion" {
                    " held".into()
                } else {
                    format!(" (status {s})")
                }
            }
            _ => String::new(),
        }
    }

    /// `current/max`, the ladder step, or `iterations i/N`; `-` for what is unknown.
    pub fn progress_text(&self) -> String {
        let note = self.status_note();
        format!("{}{note}", self.progress_core())
    }

    fn progress_core(&self) -> String {
        let steps = self.step_weights.as_deref().unwrap_or(&[]);
        match self.strategy {
            None => UNKNOWN.into(),
            Some(Strategy::Canary) if !steps.is_empty() => {
                let step = self
                    .weight
                    .and_then(|w| steps.iter().position(|s| *s == w))
                    .map(|i| (i + 1).to_string())
                    .unwrap_or_else(|| {
                        if self.weight == Some(0) {
                            "0".into()
                        } else {
                            UNKNOWN.into()
                        }
                    });
                format!(
                    "{}/{} (step {step}/{})",
                    known(self.weight),
                    known(self.max_weight),
                    steps.len()
                )
            }
            Some(Strategy::Canary) => format!("{}/{}", known(self.weight), known(self.max_weight)),
            Some(_) => format!(
                "iterations {}/{}",
                known(self.iterations.map(|i| i.max(0))),
                known(self.total_iterations)
            ),
        }
    }

    /// Progress as a fraction 0.0–1.0 for bars (0 when unknown).
    pub fn fraction(&self) -> f64 {
        let f = match self.strategy {
            Some(Strategy::Canary) => self.weight.unwrap_or(0) as f64 / self.max_weight.unwrap_or(100).max(1) as f64,
            Some(_) => self.iterations.unwrap_or(0).max(0) as f64 / self.total_iterations.unwrap_or(1).max(1) as f64,
            None => 0.0,
        };
        if self.phase == "Succeeded" || self.phase == "Promoting" || self.phase == "Finalising" {
            1.0
        } else {
            f.clamp(0.0, 1.0)
        }
    }

    /// `failed/threshold`; `-` for what is unknown.
    pub fn failed_text(&self) -> String {
        match (self.failed_checks, self.threshold) {
            (None, None) => UNKNOWN.into(),
            (f, t) => format!("{}/{}", known(f), known(t)),
        }
    }

    /// Whether the canary is suspended (`spec.suspend`); false when that is unknown.
    pub fn is_suspended(&self) -> bool {
        self.suspended == Some(true)
    }

    /// Shows a canary whose target has a revision Flagger has not picked up yet
    /// ([`crate::model::pending`]): not the previous run's outcome, which `status.phase` (kept
    /// in `status`) still carries.
    pub fn pending_new_revision(mut self) -> CanaryState {
        self.message = format!(
            "{} (Flagger's phase: {})",
            crate::model::pending::PENDING_MESSAGE,
            self.phase
        );
        self.phase = crate::model::pending::PENDING_PHASE.into();
        self
    }

    /// Is a required canary done, and how?
    pub fn terminal(&self) -> bool {
        self.error.is_none() && is_terminal(&self.phase)
    }

    /// Whether the canary, read without error, stands promoted: its run Succeeded (or, never
    /// released, it is Initialized, which Flagger also marks Promoted).
    pub fn ended_well(&self) -> bool {
        self.error.is_none() && matches!(self.phase.as_str(), "Succeeded" | "Initialized")
    }
}

/// How tables show a value that is not known.
pub const UNKNOWN: &str = "-";

/// A number that may be unknown, as text: the number, or [`UNKNOWN`].
pub fn known(value: Option<i64>) -> String {
    value.map_or_else(|| UNKNOWN.into(), |v| v.to_string())
}

/// The message of a canary Flagger has not written a status for yet.
pub const INITIALIZING: &str = "initializing: Flagger has not written a status yet";

/// The hook a held canary waits on: Waiting (confirm-rollout), WaitingPromotion
/// (confirm-promotion), or a refused traffic increase named in the newest event.
fn waiting_gate(canary: &Value, phase: &str, events: &[&Event]) -> Option<String> {
    let hooks = canary
        .pointer("/spec/analysis/webhooks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let hook_of = |kind: &str| {
        hooks
            .iter()
            .find(|h| h["type"] == kind)
            .and_then(|h| h["name"].as_str())
            .map(|n| format!("{kind} {n}"))
    };
    match phase {
        "Waiting" => hook_of("confirm-rollout"),
        "WaitingPromotion" => hook_of("confirm-promotion"),
        "Progressing" => {
            let newest = events.last().map(|e| event_text(e)).unwrap_or("");
            newest
                .contains("waiting for traffic increase approval")
                .then(|| hook_of("confirm-traffic-increase"))
                .flatten()
        }
        _ => None,
    }
}

/// Said when a run failed its checks but none of its events survived to name one.
const NO_CHECK: &str =
    "no event of this run names the failed check (Flagger's event recorder merges and throttles events)";

/// The analysis's one check (metric or rollout webhook), when it has exactly one.
fn only_check(canary: &Value) -> Option<String> {
    let list = |p: &str| canary.pointer(p).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut checks: Vec<String> = list("/spec/analysis/metrics")
        .iter()
        .map(|m| format!("metric {}", m["name"].as_str().unwrap_or("")))
        .collect();
    checks.extend(
        list("/spec/analysis/webhooks")
            .iter()
            .filter(|h| matches!(h["type"].as_str().unwrap_or(""), "" | "rollout" | "pre-rollout"))
            .map(|h| format!("webhook {}", h["name"].as_str().unwrap_or(""))),
    );
    (checks.len() == 1).then(|| checks.remove(0))
}

/// Whether a warning explains the phase the status is in (and does not contradict it).
fn fits_phase(phase: &str, message: &str) -> bool {
    if message.contains(" not ready: ") {
        return true;
    }
    let halt = message.starts_with("Halt");
    match phase {
        "Waiting" => halt && message.contains("waiting for approval "),
        "Progressing" => {
            (halt || message.starts_with("Error checking"))
                && !message.contains("waiting for approval ")
                && !message.contains("waiting for promotion approval")
        }
        "WaitingPromotion" => {
            halt && !message.contains("waiting for approval ") && !message.contains("waiting for traffic increase")
        }
        _ => false,
    }
}

/// An event's message without client-go's aggregation prefix.
pub fn event_text(event: &Event) -> &str {
    let message = event.message();
    message.strip_prefix(COMBINED_PREFIX).unwrap_or(message)
}

/// Whether an event only repeats, every analysis tick, that nothing happened: the rollback
/// hook (the abort gate) asked and declining (fluxcd/flagger pkg/controller/scheduler_hooks.go,
/// `runRollbackHooks`: `Rollback hook %s not signaling a rollback`), and the analysis starting
/// again while the canary holds at weight 0 (pkg/controller/scheduler.go: `Starting canary
/// analysis for %s.%s`), both Normal events recorded before the tick's halt. They are never
/// the latest news: the gate, the message and the detail skip them.
pub fn is_routine(event: &Event) -> bool {
    let text = event_text(event);
    !event.is_warning()
        && (text.ends_with(" not signaling a rollback") || text.starts_with("Starting canary analysis for "))
}

/// client-go `tools/record/events_cache.go`, `EventAggregatorByReasonMessageFunc`.
pub const COMBINED_PREFIX: &str = "(combined from similar events): ";

/// The line a person reads: the Promoted condition's message (the status), with the detail the
/// events add: for a failure why it failed and the check that failed, while a run is under way
/// the newest warning about it (a halted check, a readiness wait).
fn message(canary: &Value, phase: &str, events: &[&Event], running_failed_checks: Option<i64>) -> String {
    let condition = text(canary, "/status/conditions/0/message");
    let texts: Vec<&str> = events.iter().map(|e| event_text(e)).collect();
    if phase == "Failed" {
        // Only this run's events explain its failure.
        let start = texts
            .iter()
            .rposition(|m| m.starts_with("New revision detected!"))
            .unwrap_or(0);
        let texts = &texts[start..];
        let halt = texts
            .iter()
            .rev()
            .find(|m| m.starts_with("Halt") && !m.contains("waiting for"))
            .map(|m| m.to_string());
        let rollback = texts
            .iter()
            .rev()
            .find(|m| m.starts_with("Rolling back") || m.starts_with("Promotion of "))
            .map(|m| m.to_string())
            .or_else(|| {
                // The rollback event was merged or dropped: the last running status still says
                // whether the threshold was the cause.
                let failed = running_failed_checks?;
                let threshold = canary
                    .pointer("/spec/analysis/threshold")
                    .and_then(Value::as_i64)
                    .unwrap_or(1)
                    .max(1);
                (failed >= threshold).then(|| {
                    format!(
                        "Rolling back {}.{} failed checks threshold reached {failed}",
                        text(canary, "/metadata/name"),
                        text(canary, "/metadata/namespace")
                    )
                })
            });
        // A readiness deadline rolls back without a threshold event.
        let not_ready = || {
            texts
                .iter()
                .rev()
                .find(|m| m.contains(" not ready: "))
                .map(|m| format!("{condition} {m}").trim().to_string())
        };
        return match (rollback, halt) {
            (Some(r), Some(h)) => format!("{r}; last failed check: {h}"),
            // The halt events were dropped: with a single check, it is the one that failed.
            (Some(r), None) if r.contains("threshold reached") => match only_check(canary) {
                Some(check) => format!("{r}; failed check: {check} (the canary's only check)"),
                None => format!("{r}; {NO_CHECK}"),
            },
            (Some(r), None) => r,
            (None, Some(h)) => h,
            (None, None) => not_ready().unwrap_or(if condition.is_empty() {
                "Canary analysis failed.".into()
            } else {
                condition
            }),
        };
    }
    let base = if condition.is_empty() {
        texts.last().map(|m| m.to_string()).unwrap_or_default()
    } else {
        condition
    };
    if !is_running(phase) {
        return base;
    }
    // The newest event, if it is a warning about this phase of the run written since the
    // status last changed (an older one may stand for events the recorder dropped since).
    let seconds = |t: Option<&str>| t.and_then(|t| t.parse::<jiff::Timestamp>().ok()).map(|t| t.as_second());
    let changed = seconds(canary.pointer("/status/lastTransitionTime").and_then(Value::as_str));
    let detail = events
        .last()
        .filter(|e| e.is_warning())
        .filter(|e| match (changed, seconds(e.last_timestamp.as_deref())) {
            (Some(changed), Some(at)) => at + 1 >= changed,
            _ => true,
        })
        .map(|e| event_text(e))
        .filter(|m| fits_phase(phase, m));
    match detail {
        Some(d) if !base.is_empty() => format!("{base} {d}"),
        Some(d) => d.to_string(),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canary(phase: &str, analysis: Value) -> Value {
        json!({"metadata": {"name": "podinfo", "namespace": "test"}, "spec": {"analysis": analysis},
               "status": {"phase": phase, "canaryWeight": 20, "failedChecks": 1, "iterations": 2,
                          "conditions": [{"message": "New revision detected, progressing canary analysis."}]}})
    }

    #[test]
    fn progress_per_strategy() {
        let c = CanaryState::from_canary(
            "m1",
            &canary(
                "Progressing",
                json!({"stepWeight": 10, "maxWeight": 50, "threshold": 2}),
            ),
            &[],
        );
        assert_eq!(
            (c.progress_text(), c.failed_text()),
            ("20/50".to_string(), "1/2".to_string())
        );
        assert!((c.fraction() - 0.4).abs() < 1e-9);
        let ladder = CanaryState::from_canary("m1", &canary("Progressing", json!({"stepWeights": [5, 20, 80]})), &[]);
        assert_eq!(ladder.progress_text(), "20/80 (step 2/3)");
        let bg = CanaryState::from_canary("m1", &canary("Progressing", json!({"iterations": 5})), &[]);
        assert_eq!(
            (bg.strategy, bg.progress_text()),
            (Some(Strategy::BlueGreen), "iterations 2/5".to_string())
        );
        let ab = CanaryState::from_canary(
            "m1",
            &canary("Progressing", json!({"iterations": 5, "match": [{}]})),
            &[],
        );
        assert_eq!(ab.strategy, Some(Strategy::AbTesting));
    }

    #[test]
    fn ended_well_is_promoted_and_read() {
        let state = |phase: &str| CanaryState::from_canary("m1", &canary(phase, json!({})), &[]);
        assert!(state("Succeeded").ended_well());
        assert!(state("Initialized").ended_well());
        assert!(!state("Failed").ended_well());
        assert!(!state("Progressing").ended_well());
        let mut unreadable = state("Succeeded");
        unreadable.error = Some("connection refused".into());
        assert!(!unreadable.ended_well(), "a stale row is not a success");
    }

    #[test]
    fn gates_and_messages() {
        let hooks = json!({"stepWeight": 10, "webhooks": [
            {"name": "promotion-gate", "type": "confirm-promotion", "url": "x"},
            {"name": "step-gate", "type": "confirm-traffic-increase", "url": "x"}]});
        let waiting = CanaryState::from_canary("m1", &canary("WaitingPromotion", hooks.clone()), &[]);
        assert_eq!(waiting.gate.as_deref(), Some("confirm-promotion promotion-gate"));
        let events = [Event::of(
            json!({"message": "Halt podinfo.test advancement waiting for traffic increase approval step-gate"}),
        )];
        let held = CanaryState::from_canary("m1", &canary("Progressing", hooks), &events);
        assert_eq!(held.gate.as_deref(), Some("confirm-traffic-increase step-gate"));
        let events = [
            Event::of(json!({"message": "Halt podinfo.test advancement success rate 80.00% < 99%"})),
            Event::of(json!({"message": "Rolling back podinfo.test failed checks threshold reached 2"})),
            Event::of(json!({"message": "Canary failed! Scaling down podinfo.test"})),
        ];
        let failed = CanaryState::from_canary("m1", &canary("Failed", json!({})), &events);
        assert_eq!(
            failed.message,
            "Rolling back podinfo.test failed checks threshold reached 2; last failed check: Halt podinfo.test advancement success rate 80.00% < 99%"
        );
        assert!(failed.terminal());
    }

    fn with_condition(phase: &str, applied: &str, transition: &str, updated: &str) -> Value {
        json!({"metadata": {"name": "podinfo", "namespace": "test"}, "spec": {"analysis": {"stepWeight": 10, "maxWeight": 50}},
               "status": {"phase": phase, "canaryWeight": 0, "lastAppliedSpec": applied,
                          "conditions": [{"type": "Promoted", "reason": phase, "lastTransitionTime": transition, "lastUpdateTime": updated}]}})
    }

    #[test]
    fn a_new_run_is_not_the_failed_resync() {
        let before = with_condition("Failed", "old", "t1", "t1");
        let mark = RunMark::of_canary(&before);
        let row = |c: &Value| CanaryState::from_canary("m1", c, &[]);
        // Flagger's re-sync of a Failed canary: the new revision, phase and condition unchanged.
        assert!(!mark.new_run(&row(&with_condition("Failed", "new", "t1", "t1"))));
        assert!(mark.new_run(&row(&with_condition("Progressing", "new", "t2", "t2"))));
        // The new run failed again: the condition moved (Unknown, then False).
        assert!(mark.new_run(&row(&with_condition("Failed", "new", "t3", "t3"))));
        // From Succeeded, a new revision that already ended well.
        let done = RunMark::of_canary(&with_condition("Succeeded", "a", "t1", "t1"));
        assert!(done.new_run(&row(&with_condition("Succeeded", "b", "t1", "t1"))));
    }

    #[test]
    fn promoted_since_is_not_the_succeeded_left_from_before() {
        let row = |c: &Value| CanaryState::from_canary("m1", c, &[]);
        // The switch met a Succeeded from the previous run: that is not this promotion.
        let stale = RunMark::of_canary(&with_condition("Succeeded", "a", "t1", "t1"));
        assert!(!stale.promoted_since(false, &row(&with_condition("Succeeded", "a", "t1", "t1"))));
        assert!(!stale.promoted_since(false, &row(&with_condition("Progressing", "b", "t2", "t2"))));
        assert!(stale.promoted_since(false, &row(&with_condition("Succeeded", "b", "t3", "t3"))));
        // A run under way when the switch was set: its Succeeded is the promotion.
        let running = RunMark::of_canary(&with_condition("Progressing", "b", "t2", "t2"));
        assert!(running.promoted_since(true, &row(&with_condition("Succeeded", "b", "t3", "t3"))));
        assert!(!running.promoted_since(true, &row(&with_condition("Failed", "b", "t3", "t3"))));
    }

    #[test]
    fn routed_weight_beside_the_status_weight() {
        let gate = with_condition("WaitingPromotion", "a", "t1", "t5");
        let routed = Routed {
            primary: 50,
            canary: 50,
            mirrored: false,
        };
        let row = CanaryState::from_canary("m1", &gate, &[]).with_routes(Ok(routed));
        assert_eq!((row.weight, row.status_weight), (Some(50), Some(0)));
        assert_eq!(row.progress_text(), "50/50 held");
        assert_eq!(
            row.phase_since.as_deref(),
            Some("t5"),
            "the condition's last update: the gate began"
        );
        let mut promoting = gate.clone();
        promoting["status"]["phase"] = json!("Progressing");
        promoting["status"]["canaryWeight"] = json!(40);
        let row = CanaryState::from_canary("m1", &promoting, &[]).with_routes(Ok(routed));
        assert_eq!(row.progress_text(), "50/50 (status 40)");
        let unread = CanaryState::from_canary("m1", &promoting, &[]);
        assert_eq!(unread.progress_text(), "40/50");
    }

    #[test]
    fn status_is_the_message_and_events_only_add_detail() {
        let mut c = canary("Progressing", json!({"stepWeight": 10, "threshold": 2}));
        let normal = Event::of(json!({"type": "Normal", "message": "Advance podinfo.test canary weight 20"}));
        let state = CanaryState::from_canary("m1", &c, std::slice::from_ref(&normal));
        assert_eq!(state.message, "New revision detected, progressing canary analysis.");
        let halt = Event::of(json!({"type": "Warning", "count": 3,
            "message": "(combined from similar events): Halt podinfo.test advancement success rate 80.00% < 99%"}));
        let state = CanaryState::from_canary("m1", &c, &[normal.clone(), halt.clone()]);
        assert_eq!(
            state.message,
            "New revision detected, progressing canary analysis. Halt podinfo.test advancement success rate 80.00% < 99%"
        );
        // A halt older than the last status write may stand for dropped events: not shown.
        let mut later = c.clone();
        later["status"]["lastTransitionTime"] = json!("2026-01-01T00:01:00Z");
        let mut old_halt = halt.clone();
        old_halt.last_timestamp = Some("2026-01-01T00:00:10Z".into());
        let state = CanaryState::from_canary("m1", &later, &[normal.clone(), old_halt]);
        assert_eq!(state.message, "New revision detected, progressing canary analysis.");
        // An old failure never speaks for a phase that contradicts it.
        c["status"]["phase"] = json!("Succeeded");
        c["status"]["conditions"][0]["message"] = json!("Canary analysis completed successfully, promotion finished.");
        let failed = Event::of(json!({"type": "Warning", "message": "Canary failed! Scaling down podinfo.test"}));
        let state = CanaryState::from_canary("m1", &c, &[halt, failed]);
        assert_eq!(
            state.message,
            "Canary analysis completed successfully, promotion finished."
        );
    }

    #[test]
    fn a_failure_is_explained_when_events_were_merged_or_dropped() {
        let mut c = canary("Failed", json!({"threshold": 2}));
        c["status"]["conditions"][0]["message"] = json!("Canary analysis failed, Deployment scaled to zero.");
        let events = [
            Event::of(
                json!({"type": "Normal", "message": "(combined from similar events): New revision detected! Scaling up podinfo.test"}),
            ),
            Event::of(
                json!({"type": "Warning", "count": 2, "message": "Halt podinfo.test advancement success rate 80.00% < 99%"}),
            ),
            // The rollback event was merged and its message overwritten by the next one.
            Event::of(
                json!({"type": "Warning", "message": "(combined from similar events): Canary failed! Scaling down podinfo.test"}),
            ),
        ];
        let running = Some(2);
        let state = CanaryState::from_canary_with("m1", &c, &events.iter().collect::<Vec<_>>(), running);
        assert_eq!(
            state.message,
            "Rolling back podinfo.test failed checks threshold reached 2; last failed check: Halt podinfo.test advancement success rate 80.00% < 99%"
        );
        // Every halt dropped, one check in the analysis: that check failed.
        let mut single = c.clone();
        single["spec"]["analysis"]["metrics"] =
            json!([{"name": "request-success-rate", "thresholdRange": {"min": 99}}]);
        let state = CanaryState::from_canary_with("m1", &single, &events[2..].iter().collect::<Vec<_>>(), running);
        assert_eq!(
            state.message,
            "Rolling back podinfo.test failed checks threshold reached 2; failed check: metric request-success-rate (the canary's only check)"
        );
        // Nothing in the events: the condition says what the status knows.
        let state = CanaryState::from_canary("m1", &c, &[]);
        assert_eq!(state.message, "Canary analysis failed, Deployment scaled to zero.");
        // A readiness deadline: the readiness error is the reason.
        let deadline = [Event::of(json!({"type": "Warning",
            "message": "canary deployment podinfo.test not ready: deployment \"podinfo\" exceeded its progress deadline"}))];
        let state = CanaryState::from_canary("m1", &c, &deadline);
        assert_eq!(
            state.message,
            "Canary analysis failed, Deployment scaled to zero. canary deployment podinfo.test not ready: deployment \"podinfo\" exceeded its progress deadline"
        );
        // A previous run's failure does not explain this one.
        let events = [
            Event::of(
                json!({"type": "Warning", "message": "Halt podinfo.test advancement request duration 1s > 500ms"}),
            ),
            Event::of(json!({"type": "Normal", "message": "New revision detected! Scaling up podinfo.test"})),
            Event::of(json!({"type": "Warning", "message": "Rolling back podinfo.test manual webhook invoked"})),
        ];
        let state = CanaryState::from_canary("m1", &c, &events);
        assert_eq!(state.message, "Rolling back podinfo.test manual webhook invoked");
    }

    #[test]
    fn unknown_is_null_and_no_status_is_initializing() {
        let gone = CanaryState::unavailable("m1", "test", "podinfo", "unreachable: connection refused".into());
        let json = serde_json::to_value(&gone).expect("a row serializes");
        for field in [
            "phase",
            "weight",
            "statusWeight",
            "maxWeight",
            "stepWeights",
            "strategy",
            "iterations",
            "totalIterations",
            "failedChecks",
            "threshold",
            "interval",
            "suspended",
            "skipAnalysis",
            "provider",
            "target",
        ] {
            assert_eq!(json[field], Value::Null, "{field} of an unreadable row is unknown");
        }
        assert_eq!(
            (gone.progress_text(), gone.failed_text()),
            ("-".to_string(), "-".to_string())
        );
        assert!(!gone.found() && !gone.initializing());
        let fresh = CanaryState::from_canary(
            "m1",
            &json!({"metadata": {"name": "podinfo", "namespace": "test"}, "spec": {"analysis": {"stepWeight": 10}}}),
            &[],
        );
        assert!(fresh.found() && fresh.initializing());
        assert_eq!(fresh.message, INITIALIZING);
        let json = serde_json::to_value(&fresh).expect("a row serializes");
        assert_eq!(
            (json["phase"].clone(), json["statusWeight"].clone()),
            (Value::Null, Value::Null)
        );
        assert_eq!(
            (json["suspended"].clone(), json["maxWeight"].clone()),
            (json!(false), json!(100))
        );
        assert_eq!(fresh.progress_text(), "-/100");
    }

    #[test]
    fn the_abort_gates_routine_event_hides_nothing() {
        let hooks = json!({"stepWeight": 10, "webhooks": [
            {"name": "step-gate", "type": "confirm-traffic-increase", "url": "x"},
            {"name": "abort-gate", "type": "rollback", "url": "x"}]});
        let halt = Event::of(
            json!({"type": "Warning", "message": "Halt podinfo.test advancement waiting for traffic increase approval step-gate"}),
        );
        let routine =
            Event::of(json!({"type": "Normal", "message": "Rollback hook abort-gate not signaling a rollback"}));
        let held = CanaryState::from_canary("m1", &canary("Progressing", hooks), &[halt, routine]);
        assert_eq!(held.gate.as_deref(), Some("confirm-traffic-increase step-gate"));
        assert!(
            held.message
                .ends_with("waiting for traffic increase approval step-gate"),
            "{}",
            held.message
        );
    }
}
