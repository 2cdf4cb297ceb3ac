//! What an action (promote, abort, pause, resume, retry) would do, decided from what was read
//! (pure): the step per canary, the plan of a whole invocation, and — under Kurator — the
//! switch in the hub Application's rollout policies that stands in for a Canary spec patch.

use serde::Serialize;
use serde::ser::SerializeStruct;
use serde_json::{Value, json};

use super::canary::CanaryId;
use crate::flagger::gates::hook_url;

/// A Canary spec switch an action may flip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Switch {
    /// `spec.suspend` (pause, resume); Kurator's `rolloutPolicy.suspend`.
    Suspend,
    /// `spec.skipAnalysis` (promote --full); Kurator's `rolloutPolicy.skipTrafficAnalysis`.
    SkipAnalysis,
}

impl Switch {
    /// The field in Kurator's `Application.spec.syncPolicies[].rollout.rolloutPolicy`
    /// (kurator: pkg/apis/apps/v1alpha1/types.go, `RolloutPolicy`).
    pub fn kurator_field(self) -> &'static str {
        match self {
            Switch::Suspend => "suspend",
            Switch::SkipAnalysis => "skipTrafficAnalysis",
        }
    }

    /// The field in the Canary spec (flagger: pkg/apis/flagger/v1beta1/canary.go).
    pub fn canary_field(self) -> &'static str {
        match self {
            Switch::Suspend => "suspend",
            Switch::SkipAnalysis => "skipAnalysis",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Promote,
    /// `promote --wait`: a run not yet held at a gate is promoted once its gate holds it.
    PromoteWait,
    PromoteFull,
    Abort,
    Pause,
    Resume,
    Retry,
}

impl Verb {
    pub fn name(self) -> &'static str {
        match self {
            Verb::Promote => "promote",
            Verb::PromoteWait => "promote --wait",
            Verb::PromoteFull => "promote --full",
            Verb::Abort => "abort",
            Verb::Pause => "pause",
            Verb::Resume => "resume",
            Verb::Retry => "retry",
        }
    }

    /// The spec switch this verb flips and the value it wants, if it is a switch verb (the
    /// others open or close gates at the load tester).
    pub fn switch(self) -> Option<(Switch, bool)> {
        match self {
            Verb::Pause => Some((Switch::Suspend, true)),
            Verb::Resume => Some((Switch::Suspend, false)),
            Verb::PromoteFull => Some((Switch::SkipAnalysis, true)),
            Verb::Promote | Verb::PromoteWait | Verb::Abort | Verb::Retry => None,
        }
    }
}

/// What an action will do to one canary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Step {
    /// Open the gate at the hook's load tester, wait for the canary to move on, close it.
    OpenGate {
        hook: String,
    },
    /// Wait until the run is held at this promotion gate, then as [`Step::OpenGate`].
    AwaitGate {
        hook: String,
    },
    /// Open the rollback gate, wait for Failed, close it.
    OpenRollbackGate {
        hook: String,
    },
    SkipAnalysis,
    Suspend {
        suspend: bool,
    },
    /// Under Kurator: set `rolloutPolicy.<switch>` in one policy of a hub Application, for
    /// Kurator's fleet manager to carry to the members' Canaries.
    PolicySwitch {
        /// `namespace/name` of the Application on the hub.
        application: String,
        /// The index in `spec.syncPolicies`.
        policy: usize,
        switch: Switch,
        value: bool,
    },
    /// Close the rollback gate (if any) and restart the run.
    Retry {
        rollback_hook: Option<String>,
    },
    /// Already in the wanted state: a success.
    Nothing {
        reason: String,
    },
    Impossible {
        reason: String,
    },
}

impl Step {
    pub fn describe(&self) -> String {
        match self {
            Step::OpenGate { .. } => "open gate".into(),
            Step::AwaitGate { .. } => "wait for the promotion gate, then open it".into(),
            Step::OpenRollbackGate { .. } => "open rollback gate".into(),
            Step::SkipAnalysis => "skip analysis (promote now)".into(),
            Step::Suspend { suspend } => format!("set spec.suspend={suspend}"),
            Step::PolicySwitch {
                application,
                policy,
                switch,
                value,
            } => format!(
                "set rolloutPolicy.{}={value} in Application {application} syncPolicies[{policy}]",
                switch.kurator_field()
            ),
            Step::Retry { .. } => "start a new run".into(),
            Step::Nothing { reason } => format!("none: {reason}"),
            Step::Impossible { reason } => format!("impossible: {reason}"),
        }
    }

    /// Whether this step changes something.
    pub fn acts(&self) -> bool {
        !matches!(self, Step::Nothing { .. } | Step::Impossible { .. })
    }

    /// Whether this step changes a spec another owner may revert (a GitOps tool, Kurator).
    fn changes_spec(&self) -> bool {
        matches!(self, Step::SkipAnalysis | Step::Suspend { .. })
    }
}

fn text<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// The gate hook a held canary waits on, of those pointing at `/gate/check`.
fn held_gate(canary: &Value, phase: &str) -> Option<String> {
    let kind = match phase {
        "Waiting" => "confirm-rollout",
        "WaitingPromotion" => "confirm-promotion",
        "Progressing" => "confirm-traffic-increase",
        _ => return None,
    };
    hook_url(canary, kind, "/gate/check")
}

/// What `verb` would do to this Canary.
pub fn plan(verb: Verb, canary: &Value) -> Step {
    let phase = text(canary, "/status/phase");
    let suspended = canary
        .pointer("/spec/suspend")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let nothing = |r: &str| Step::Nothing { reason: r.into() };
    let step = match verb {
        Verb::Promote => plan_promote(canary, phase, false),
        Verb::PromoteWait => plan_promote(canary, phase, true),
        Verb::PromoteFull => match phase {
            "Succeeded" | "Initialized" => nothing("already promoted"),
            "Failed" => impossible("the run failed; use retry"),
            "Waiting" => impossible("skipAnalysis does not pass a closed confirm-rollout gate; use promote to open it"),
            _ if canary.pointer("/spec/skipAnalysis").and_then(Value::as_bool) == Some(true) => {
                nothing("analysis already skipped")
            }
            _ => Step::SkipAnalysis,
        },
        Verb::Abort => plan_abort(canary, phase),
        Verb::Pause if suspended => nothing("already paused"),
        Verb::Pause => Step::Suspend { suspend: true },
        Verb::Resume if !suspended => nothing("not paused"),
        Verb::Resume => Step::Suspend { suspend: false },
        Verb::Retry => match phase {
            "Failed" => Step::Retry {
                rollback_hook: hook_url(canary, "rollback", "/rollback/check"),
            },
            other => impossible(&format!(
                "only a Failed canary can be retried (it is {})",
                if other.is_empty() { "new" } else { other }
            )),
        },
    };
    match step {
        Step::OpenGate { .. } | Step::OpenRollbackGate { .. } | Step::SkipAnalysis if suspended => {
            impossible(&needs_resume(verb))
        }
        step => step,
    }
}

/// Why a step that waits for Flagger to act (a gate opened, skipAnalysis set) cannot take
/// effect on a paused canary. Flagger's scheduler returns at once for a suspended Canary,
/// before it asks any hook (fluxcd/flagger pkg/controller/scheduler.go, `advanceCanary`: `if
/// cd.Spec.Suspend { ... "skipping canary run as object is suspended"; return }`, ahead of
/// `runRollbackHooks` and the gate checks), so the step would only wait out `--timeout`.
/// Kurator's `rolloutPolicy.suspend` is rendered into the same field. (`promote --wait` still
/// waits: it waits for the gate, which a resume brings.)
fn needs_resume(verb: Verb) -> String {
    format!(
        "paused (spec.suspend): Flagger does not run a suspended canary's analysis, so the {} is never consulted; resume it first, then {}",
        match verb {
            Verb::Abort => "rollback gate",
            Verb::PromoteFull => "skipAnalysis switch",
            _ => "gate",
        },
        verb.name()
    )
}

fn impossible(reason: &str) -> Step {
    Step::Impossible { reason: reason.into() }
}

/// A run not yet held at a gate is not promoted by `promote` (its row fails, README "Exit
/// codes"): the promotion gate would still hold it later. `--wait` waits for that gate.
fn plan_promote(canary: &Value, phase: &str, wait: bool) -> Step {
    let nothing = |r: &str| Step::Nothing { reason: r.into() };
    match phase {
        "Succeeded" | "Initialized" => nothing("already promoted"),
        "Promoting" | "Finalising" => nothing("already promoting"),
        "Failed" => impossible("the run failed; use retry"),
        "Waiting" | "WaitingPromotion" | "Progressing" => match held_gate(canary, phase) {
            Some(hook) => Step::OpenGate { hook },
            None if phase == "Progressing" => match hook_url(canary, "confirm-promotion", "/gate/check") {
                Some(hook) if wait => Step::AwaitGate { hook },
                Some(_) => impossible(
                    "not held at a gate yet (Progressing): promote --wait waits for its promotion gate, --full promotes now",
                ),
                None => {
                    impossible("no gate hook holds this run: re-apply with --manual-promotion, or use promote --full")
                }
            },
            None => impossible(&format!(
                "{phase} but no /gate/check hook: re-apply with --manual-promotion"
            )),
        },
        other => impossible(&format!("nothing to promote in phase {other:?}")),
    }
}

fn plan_abort(canary: &Value, phase: &str) -> Step {
    let nothing = |r: &str| Step::Nothing { reason: r.into() };
    match phase {
        "Failed" => nothing("already failed"),
        "Succeeded" | "Initialized" => nothing("no run to abort"),
        "Waiting" => impossible("Flagger does not evaluate rollback hooks while Waiting; the run has not started"),
        "Promoting" | "Finalising" => impossible(&format!(
            "promotion is under way ({phase}); it can no longer be rolled back"
        )),
        _ => match hook_url(canary, "rollback", "/rollback/check") {
            Some(hook) => Step::OpenRollbackGate { hook },
            None => impossible("no rollback hook: re-apply the policy with --abort-gate"),
        },
    }
}

/// A warning when something else owns the Canary and may revert a spec change.
pub fn owner_warning(canary: &Value) -> Option<String> {
    let annotations = canary.pointer("/metadata/annotations").cloned().unwrap_or(json!({}));
    let labels = canary.pointer("/metadata/labels").cloned().unwrap_or(json!({}));
    if let Some(policy) = annotations.get("kurator.dev/rollout").and_then(Value::as_str) {
        return Some(format!(
            "managed by Kurator or this tool (policy {policy}): a re-apply or Kurator's reconcile may revert spec changes"
        ));
    }
    if labels.get("kustomize.toolkit.fluxcd.io/name").is_some() || labels.get("helm.toolkit.fluxcd.io/name").is_some() {
        return Some("managed by Flux: it may revert spec changes at its next sync".into());
    }
    if annotations.get("argocd.argoproj.io/tracking-id").is_some()
        || labels.get("argocd.argoproj.io/instance").is_some()
    {
        return Some("managed by Argo CD: it may revert spec changes at its next sync".into());
    }
    None
}

/// One canary of a plan: where, how it stood, what will be done.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    /// Under Kurator, a switch row names the hub as its cluster and the policy's workload.
    pub target: CanaryId,
    pub phase: String,
    pub step: Step,
    pub warning: Option<String>,
}

impl PlanRow {
    /// The row of a Canary that was read: its step, and the owner warning when the step
    /// changes a spec another owner may revert.
    pub fn of_canary(target: CanaryId, verb: Verb, canary: &Value) -> PlanRow {
        let step = plan(verb, canary);
        let warning = owner_warning(canary).filter(|_| step.changes_spec());
        PlanRow {
            target,
            phase: text(canary, "/status/phase").to_string(),
            step,
            warning,
        }
    }

    /// The row of a canary that could not be read (not found, cluster unreachable).
    pub fn unreadable(target: CanaryId, phase: String, reason: String) -> PlanRow {
        PlanRow {
            target,
            phase,
            step: Step::Impossible { reason },
            warning: None,
        }
    }
}

// The machine formats keep the shape they had before the identity type: cluster and
// `namespace/name` side by side.
impl Serialize for PlanRow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut row = serializer.serialize_struct("PlanRow", 5)?;
        row.serialize_field("cluster", &self.target.cluster)?;
        row.serialize_field("canary", &self.target.to_string())?;
        row.serialize_field("phase", &self.phase)?;
        row.serialize_field("step", &self.step)?;
        row.serialize_field("warning", &self.warning)?;
        row.end()
    }
}

/// Everything one invocation of a verb would do, before it is confirmed.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub verb: Verb,
    pub rows: Vec<PlanRow>,
    /// The clusters the acting rows change. Under Kurator a hub switch reaches every member,
    /// so the members are named, not the hub: the confirmation counts what changes.
    pub affected: Vec<String>,
    /// Why nothing matched (exit 4), when nothing did.
    pub unmatched: Option<String>,
}

impl Plan {
    pub fn acting(&self) -> usize {
        self.rows.iter().filter(|r| r.step.acts()).count()
    }

    /// The exit of a dry run: as the run would end, an impossible step is a failed row
    /// (README "Exit codes").
    pub fn dry_run_exit(&self) -> crate::exit::Exit {
        let possible = self
            .rows
            .iter()
            .filter(|r| !matches!(r.step, Step::Impossible { .. }))
            .count();
        crate::exit::Exit::from_counts(possible, self.rows.len())
    }

    /// The confirmation question: the canary by name when the plan changes one canary in its
    /// own cluster, else the counts (a hub switch changes every member of the Fleet).
    pub fn question(&self) -> String {
        let acting: Vec<&PlanRow> = self.rows.iter().filter(|r| r.step.acts()).collect();
        if let ([row], [cluster]) = (acting.as_slice(), self.affected.as_slice())
            && row.target.cluster == *cluster
        {
            return format!("{} {cluster} {}?", self.verb.name(), row.target);
        }
        let (canaries, clusters) = (acting.len(), self.affected.len());
        format!(
            "{} {canaries} canar{} in {clusters} cluster{}?",
            self.verb.name(),
            if canaries == 1 { "y" } else { "ies" },
            if clusters == 1 { "" } else { "s" }
        )
    }
}

/// The clusters of the acting rows, each once, in plan order.
pub fn acting_clusters(rows: &[PlanRow]) -> Vec<String> {
    let mut clusters: Vec<String> = Vec::new();
    for row in rows.iter().filter(|r| r.step.acts()) {
        if !clusters.contains(&row.target.cluster) {
            clusters.push(row.target.cluster.clone());
        }
    }
    clusters
}

/// The workload a Kurator rollout policy rolls out, as (namespace, name); the namespace is
/// empty when the policy leaves it to the destination.
fn workload_of(policy: &Value) -> (&str, &str) {
    (
        text(policy, "/rollout/workload/namespace"),
        text(policy, "/rollout/workload/name"),
    )
}

/// Whether a switch has this value in a policy; Kurator's switches default to false, so absent
/// is false.
fn switch_holds(policy: &Value, switch: Switch, value: bool) -> bool {
    let current = policy
        .pointer(&format!("/rollout/rolloutPolicy/{}", switch.kurator_field()))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    current == value
}

/// Whether a policy rolls out the canary `name`, in `namespace` when one is known (Kurator
/// names the Canary after the workload: kurator pkg/fleet-manager/application/rollout_helper.go,
/// `renderCanary`).
fn rolls_out(policy: &Value, namespace: Option<&str>, name: &str) -> bool {
    let (policy_namespace, policy_name) = workload_of(policy);
    policy_name == name && (policy_namespace.is_empty() || namespace.is_none_or(|ns| ns == policy_namespace))
}

/// The hub plan of a switch verb: one row per policy of these Applications that rolls out the
/// canary `name` (in `namespace` when known). `hub` names the hub context for the rows.
pub fn policy_switch_rows(
    apps: &[Value],
    hub: &str,
    namespace: Option<&str>,
    name: &str,
    switch: Switch,
    value: bool,
) -> Vec<PlanRow> {
    let mut rows = Vec::new();
    for app in apps {
        let application = format!("{}/{}", text(app, "/metadata/namespace"), text(app, "/metadata/name"));
        let policies = app.pointer("/spec/syncPolicies").and_then(Value::as_array);
        for (index, policy) in policies.into_iter().flatten().enumerate() {
            if !rolls_out(policy, namespace, name) {
                continue;
            }
            let (policy_namespace, _) = workload_of(policy);
            let step = if switch_holds(policy, switch, value) {
                Step::Nothing {
                    reason: format!(
                        "rolloutPolicy.{} already {value} in Application {application} syncPolicies[{index}]",
                        switch.kurator_field()
                    ),
                }
            } else {
                Step::PolicySwitch {
                    application: application.clone(),
                    policy: index,
                    switch,
                    value,
                }
            };
            rows.push(PlanRow {
                target: CanaryId::new(hub, namespace.unwrap_or(policy_namespace), name),
                phase: String::new(),
                step,
                warning: None,
            });
        }
    }
    rows
}

/// The Application's policy list with `switch` set to `value` in policy `index`, from the
/// Application as read now; `Ok(None)` when it already has that value. An error when the
/// policy no longer rolls out the planned canary (the list changed since the plan).
pub fn switched_policies(
    app: &Value,
    index: usize,
    target: &CanaryId,
    switch: Switch,
    value: bool,
) -> Result<Option<Vec<Value>>, String> {
    let mut policies = app
        .pointer("/spec/syncPolicies")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let namespace = Some(target.namespace.as_str()).filter(|ns| !ns.is_empty());
    let Some(policy) = policies
        .get_mut(index)
        .filter(|p| rolls_out(p, namespace, &target.name))
    else {
        return Err(format!(
            "syncPolicies[{index}] no longer rolls out {}: the Application changed since the plan; run the verb again",
            target.name
        ));
    };
    if switch_holds(policy, switch, value) {
        return Ok(None);
    }
    let field = switch.kurator_field();
    if value {
        policy["rollout"]["rolloutPolicy"][field] = json!(true);
    } else if let Some(rollout_policy) = policy
        .pointer_mut("/rollout/rolloutPolicy")
        .and_then(Value::as_object_mut)
    {
        // Switching back removes the key, so the list is again what `apply --fleet` wrote: the
        // next apply of the same file changes nothing and meets no conflict with this verb's
        // Update (the list is one atomic field).
        rollout_policy.remove(field);
        if rollout_policy.is_empty()
            && let Some(rollout) = policy.get_mut("rollout").and_then(Value::as_object_mut)
        {
            rollout.remove("rolloutPolicy");
        }
    }
    Ok(Some(policies))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canary(phase: &str, hooks: Value, spec: Value) -> Value {
        let mut c = json!({"metadata": {"name": "p", "namespace": "t"}, "spec": {"analysis": {"webhooks": hooks}}, "status": {"phase": phase}});
        if let Some(m) = spec.as_object() {
            for (k, v) in m {
                c["spec"][k] = v.clone();
            }
        }
        c
    }

    #[test]
    fn plans() {
        let gated = json!([
            {"name": "promotion-gate", "type": "confirm-promotion", "url": "http://lt.ns/gate/check"},
            {"name": "abort-gate", "type": "rollback", "url": "http://lt.ns/rollback/check"}]);
        assert_eq!(
            plan(Verb::Promote, &canary("WaitingPromotion", gated.clone(), json!({}))),
            Step::OpenGate {
                hook: "http://lt.ns/gate/check".into()
            }
        );
        assert!(matches!(
            plan(Verb::Promote, &canary("Succeeded", gated.clone(), json!({}))),
            Step::Nothing { .. }
        ));
        assert!(
            matches!(plan(Verb::Promote, &canary("WaitingPromotion", json!([]), json!({}))), Step::Impossible { reason } if reason.contains("--manual-promotion"))
        );
        // Not at its gate yet: promote fails the row, promote --wait waits for the gate.
        assert!(
            matches!(plan(Verb::Promote, &canary("Progressing", gated.clone(), json!({}))), Step::Impossible { reason } if reason.contains("promote --wait"))
        );
        assert_eq!(
            plan(Verb::PromoteWait, &canary("Progressing", gated.clone(), json!({}))),
            Step::AwaitGate {
                hook: "http://lt.ns/gate/check".into()
            }
        );
        assert_eq!(
            plan(Verb::PromoteWait, &canary("WaitingPromotion", gated.clone(), json!({}))),
            plan(Verb::Promote, &canary("WaitingPromotion", gated.clone(), json!({})))
        );
        assert_eq!(
            plan(Verb::Abort, &canary("Progressing", gated.clone(), json!({}))),
            Step::OpenRollbackGate {
                hook: "http://lt.ns/rollback/check".into()
            }
        );
        assert!(
            matches!(plan(Verb::Abort, &canary("Progressing", json!([]), json!({}))), Step::Impossible { reason } if reason.contains("re-apply the policy with --abort-gate"))
        );
        assert!(matches!(
            plan(Verb::Abort, &canary("Failed", gated.clone(), json!({}))),
            Step::Nothing { .. }
        ));
        assert_eq!(
            plan(Verb::Pause, &canary("Progressing", json!([]), json!({}))),
            Step::Suspend { suspend: true }
        );
        assert!(matches!(
            plan(Verb::Pause, &canary("Progressing", json!([]), json!({"suspend": true}))),
            Step::Nothing { .. }
        ));
        assert!(matches!(
            plan(Verb::Resume, &canary("Progressing", json!([]), json!({}))),
            Step::Nothing { .. }
        ));
        assert!(matches!(
            plan(Verb::Retry, &canary("Failed", gated.clone(), json!({}))),
            Step::Retry { rollback_hook: Some(_) }
        ));
        assert!(matches!(
            plan(Verb::Retry, &canary("Succeeded", gated, json!({}))),
            Step::Impossible { .. }
        ));
        assert_eq!(
            plan(Verb::PromoteFull, &canary("Progressing", json!([]), json!({}))),
            Step::SkipAnalysis
        );
    }

    #[test]
    fn a_paused_run_cannot_be_aborted_or_promoted_until_resumed() {
        let gated = json!([
            {"name": "promotion-gate", "type": "confirm-promotion", "url": "http://lt.ns/gate/check"},
            {"name": "abort-gate", "type": "rollback", "url": "http://lt.ns/rollback/check"}]);
        let paused = json!({"suspend": true});
        for (verb, phase) in [
            (Verb::Abort, "Progressing"),
            (Verb::Abort, "WaitingPromotion"),
            (Verb::Promote, "WaitingPromotion"),
            (Verb::PromoteWait, "WaitingPromotion"),
            (Verb::PromoteFull, "Progressing"),
        ] {
            let step = plan(verb, &canary(phase, gated.clone(), paused.clone()));
            assert!(
                matches!(&step, Step::Impossible { reason } if reason.starts_with("paused (spec.suspend)") && reason.ends_with(&format!("resume it first, then {}", verb.name()))),
                "{verb:?} {phase}: {step:?}"
            );
        }
        let abort = plan(Verb::Abort, &canary("Progressing", gated.clone(), paused.clone()));
        assert!(
            abort.describe().contains("the rollback gate is never consulted"),
            "{abort:?}"
        );
        // Nothing to do stays nothing to do, and the switches and retry are not held back.
        assert!(matches!(
            plan(Verb::Abort, &canary("Failed", gated.clone(), paused.clone())),
            Step::Nothing { .. }
        ));
        assert!(matches!(
            plan(Verb::Promote, &canary("Succeeded", gated.clone(), paused.clone())),
            Step::Nothing { .. }
        ));
        assert_eq!(
            plan(Verb::Resume, &canary("Progressing", gated.clone(), paused.clone())),
            Step::Suspend { suspend: false }
        );
        assert!(matches!(
            plan(Verb::Retry, &canary("Failed", gated.clone(), paused.clone())),
            Step::Retry { .. }
        ));
        // Not at a gate yet, promote keeps its own answer, and promote --wait waits for the
        // gate (a resume brings it).
        assert!(
            matches!(plan(Verb::Promote, &canary("Progressing", gated.clone(), paused.clone())), Step::Impossible { reason } if reason.contains("promote --wait"))
        );
        assert!(matches!(
            plan(Verb::PromoteWait, &canary("Progressing", gated, paused)),
            Step::AwaitGate { .. }
        ));
    }

    #[test]
    fn owners() {
        let kurator = json!({"metadata": {"annotations": {"kurator.dev/rollout": "demo"}}});
        assert!(owner_warning(&kurator).unwrap().contains("policy demo"));
        let flux = json!({"metadata": {"labels": {"kustomize.toolkit.fluxcd.io/name": "apps"}}});
        assert!(owner_warning(&flux).unwrap().contains("Flux"));
        assert!(owner_warning(&json!({"metadata": {}})).is_none());
        // Only a spec change carries the warning: a gate is not reverted by a reconcile.
        let gated = canary("Progressing", json!([]), json!({}));
        let mut owned = gated.clone();
        owned["metadata"]["annotations"] = json!({"kurator.dev/rollout": "demo"});
        let id = CanaryId::new("c", "t", "p");
        assert!(PlanRow::of_canary(id.clone(), Verb::Pause, &owned).warning.is_some());
        assert!(PlanRow::of_canary(id, Verb::Abort, &owned).warning.is_none());
    }

    fn app() -> Value {
        json!({"metadata": {"namespace": "default", "name": "app"}, "spec": {"syncPolicies": [
            {"rollout": {"workload": {"name": "podinfo", "namespace": "test"}}},
            {"rollout": {"workload": {"name": "other"}}},
            {"rollout": {"workload": {"name": "podinfo"}, "rolloutPolicy": {"suspend": true}}},
        ]}})
    }

    #[test]
    fn a_hub_plan_names_the_application_policy_and_field() {
        let rows = policy_switch_rows(&[app()], "hub", None, "podinfo", Switch::Suspend, true);
        let steps: Vec<String> = rows.iter().map(|r| r.step.describe()).collect();
        assert_eq!(
            steps,
            [
                "set rolloutPolicy.suspend=true in Application default/app syncPolicies[0]",
                "none: rolloutPolicy.suspend already true in Application default/app syncPolicies[2]",
            ]
        );
        assert_eq!(rows[0].target, CanaryId::new("hub", "test", "podinfo"));
        assert_eq!(acting_clusters(&rows), ["hub"]);
        // A namespace that is known narrows the policies to those of that namespace.
        let other_ns = policy_switch_rows(&[app()], "hub", Some("prod"), "podinfo", Switch::Suspend, true);
        assert_eq!(other_ns.len(), 1, "only the policy without a namespace");
        assert!(policy_switch_rows(&[app()], "hub", None, "nope", Switch::Suspend, true).is_empty());
    }

    #[test]
    fn switches_only_the_planned_policy() {
        let target = CanaryId::new("hub", "test", "podinfo");
        let policies = switched_policies(&app(), 0, &target, Switch::Suspend, true)
            .unwrap()
            .expect("the first policy changes");
        assert_eq!(policies[0]["rollout"]["rolloutPolicy"]["suspend"], true);
        assert!(policies[1]["rollout"].get("rolloutPolicy").is_none());
        assert_eq!(switched_policies(&app(), 2, &target, Switch::Suspend, true), Ok(None));
        let moved = switched_policies(&app(), 1, &target, Switch::Suspend, true).unwrap_err();
        assert!(moved.contains("changed since the plan"), "{moved}");
    }

    #[test]
    fn switching_back_restores_the_applied_policy() {
        let applied = json!({"rollout": {"workload": {"name": "podinfo"}, "rolloutPolicy": {"trafficRouting": {"timeoutSeconds": 60}}}});
        let app = json!({"spec": {"syncPolicies": [applied.clone()]}});
        let target = CanaryId::new("hub", "", "podinfo");
        let paused = switched_policies(&app, 0, &target, Switch::Suspend, true)
            .unwrap()
            .unwrap();
        let paused_app = json!({"spec": {"syncPolicies": paused}});
        let resumed = switched_policies(&paused_app, 0, &target, Switch::Suspend, false);
        assert_eq!(resumed, Ok(Some(vec![applied])));
        assert_eq!(switched_policies(&app, 0, &target, Switch::Suspend, false), Ok(None));
        let bare = json!({"spec": {"syncPolicies": [{"rollout": {"workload": {"name": "podinfo"}, "rolloutPolicy": {"suspend": true}}}]}});
        let resumed = switched_policies(&bare, 0, &target, Switch::Suspend, false)
            .unwrap()
            .unwrap();
        assert!(resumed[0]["rollout"].get("rolloutPolicy").is_none());
    }

    #[test]
    fn plan_question_counts_canaries_and_clusters() {
        let row = |cluster: &str, step: Step| PlanRow {
            target: CanaryId::new(cluster, "t", "p"),
            phase: "Progressing".into(),
            step,
            warning: None,
        };
        let rows = vec![
            row("a", Step::Suspend { suspend: true }),
            row("b", Step::Suspend { suspend: true }),
            row("c", Step::Nothing { reason: "x".into() }),
        ];
        let plan = Plan {
            verb: Verb::Pause,
            affected: acting_clusters(&rows),
            rows,
            unmatched: None,
        };
        assert_eq!(plan.question(), "pause 2 canaries in 2 clusters?");
        let one = Plan {
            rows: plan.rows[1..].to_vec(),
            affected: acting_clusters(&plan.rows[1..]),
            ..plan.clone()
        };
        assert_eq!(one.question(), "pause b t/p?");
        // A hub switch names what it reaches: every member.
        let hub = Plan {
            rows: vec![row("hub", Step::Suspend { suspend: true })],
            affected: vec!["m1".into()],
            ..plan.clone()
        };
        assert_eq!(hub.question(), "pause 1 canary in 1 cluster?");
        let json = serde_json::to_value(&plan.rows[0]).unwrap();
        assert_eq!(json["cluster"], "a");
        assert_eq!(json["canary"], "t/p");
        assert_eq!(json["step"]["kind"], "suspend");
    }
}
