//! The rows of `apply`: one per object written into a member, or one per Application written
//! into the Kurator hub; what a write did, from the object before and the server's answer; and
//! the exit code of an apply. Pure.

use serde::Serialize;
use serde_json::{Value, json};

use crate::exit::Exit;
use crate::flagger::gates::hook_url;
use crate::interrupt::UNTOUCHED;
use crate::kurator::rollouts::{policy_name, rendered_canary_spec};

/// The objects one cluster gets, per policy (`render`).
#[derive(Debug)]
pub struct RenderedCluster {
    /// The cluster's name in object names (its context, unless renamed).
    pub name: String,
    pub policies: Vec<(String, Vec<Value>)>,
}

/// What applying one object did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectResult {
    pub policy: String,
    pub object: String,
    /// created, configured, unchanged, failed, skipped (dry run: would create/configure).
    pub result: String,
    pub error: Option<String>,
    /// Dry run only: the diff against the live object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// result `warning`: a field another manager left in the object that changes the rollout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    /// A Canary whose run is under way: what this write does (did) to the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_change: Option<String>,
}

impl ObjectResult {
    pub fn failed(policy: &str, object: String, error: String) -> ObjectResult {
        ObjectResult {
            policy: policy.into(),
            object,
            result: "failed".into(),
            error: Some(error),
            diff: None,
            warning: None,
            run_change: None,
        }
    }

    /// A row without error, diff or warning.
    pub fn done(policy: &str, object: String, result: &str) -> ObjectResult {
        ObjectResult {
            policy: policy.into(),
            object,
            result: result.into(),
            error: None,
            diff: None,
            warning: None,
            run_change: None,
        }
    }
}

/// One object in one member cluster.
#[derive(Debug, Serialize)]
pub struct ApplyRow {
    pub cluster: String,
    #[serde(flatten)]
    pub result: ObjectResult,
}

/// A canary whose run is under way and that an apply would change, for the plan shown (and
/// confirmed) before anything is written.
#[derive(Debug, Clone, Serialize)]
pub struct RunChangeRow {
    pub cluster: String,
    pub policy: String,
    /// `namespace/name` of the Canary.
    pub canary: String,
    pub phase: String,
    /// What happens to the run, in the words of [`run_change`].
    pub change: String,
}

/// The phase of a Canary whose run is under way, if it is (`canary::is_running`).
pub fn run_under_way(canary: &Value) -> Option<&str> {
    let phase = canary.pointer("/status/phase").and_then(Value::as_str)?;
    crate::model::canary::is_running(phase).then_some(phase)
}

/// The gate hooks, as this tool renders them: kind, check path, what it is called, the phase in
/// which a run waits at it, and what removing it there does.
const GATE_HOOKS: [(&str, &str, &str, &str, &str); 3] = [
    (
        "confirm-promotion",
        "/gate/check",
        "promotion gate",
        "WaitingPromotion",
        "it will promote now",
    ),
    (
        "confirm-rollout",
        "/gate/check",
        "start gate",
        "Waiting",
        "its analysis starts now",
    ),
    (
        "confirm-traffic-increase",
        "/gate/check",
        "step gate",
        "Progressing",
        "its traffic steps go on without approval",
    ),
];

/// Whether a webhook is one of the gate hooks (or the post-rollout hooks closing them), which
/// [`run_change`] describes one by one.
fn is_gate_hook(hook: &Value) -> bool {
    let url = hook["url"].as_str().unwrap_or("");
    ["/gate/check", "/gate/close", "/rollback/check", "/rollback/close"]
        .iter()
        .any(|path| url.ends_with(path))
}

/// What writing `would` (the server's dry-run answer) over `live` does to the run under way in
/// `live`, one sentence per effect; empty when no run is under way or its spec stays the same.
/// Flagger re-reads the Canary at every tick of a run (flagger: pkg/controller/scheduler.go, the
/// per-canary job; reference/flagger.md §3.1), so a changed analysis acts on the run from its
/// next check, and a removed gate no longer holds it.
pub fn run_change(live: &Value, would: &Value) -> Vec<String> {
    let Some(phase) = run_under_way(live) else {
        return Vec::new();
    };
    let (before, after) = (&live["spec"], &would["spec"]);
    if before == after {
        return Vec::new();
    }
    let mut effects = Vec::new();
    for (kind, path, name, waits_in, then) in GATE_HOOKS {
        match (
            hook_url(live, kind, path).is_some(),
            hook_url(would, kind, path).is_some(),
        ) {
            (true, false) if phase == waits_in => {
                effects.push(format!("removes the {name} of a canary waiting at it: {then}"))
            }
            (true, false) => effects.push(format!("removes the {name} of this run: it will not wait there")),
            (false, true) => effects.push(format!("adds a {name}: this run will wait there")),
            _ => {}
        }
    }
    match (
        hook_url(live, "rollback", "/rollback/check").is_some(),
        hook_url(would, "rollback", "/rollback/check").is_some(),
    ) {
        (true, false) => effects.push("removes the abort gate: abort can no longer stop this run".into()),
        (false, true) => effects.push("adds the abort gate".into()),
        _ => {}
    }
    let on = |v: &Value, field: &str| v[field].as_bool() == Some(true);
    if on(after, "skipAnalysis") && !on(before, "skipAnalysis") {
        effects.push("sets skipAnalysis: it will promote now, without analysis".into());
    }
    if on(after, "suspend") != on(before, "suspend") {
        effects.push(if on(after, "suspend") {
            "sets suspend: this run pauses".into()
        } else {
            "clears suspend: this paused run resumes".into()
        });
    }
    let other = changed_fields(before, after);
    if !other.is_empty() {
        effects.push(format!(
            "changes {} of this run: Flagger uses the new values from its next check",
            other.join(", ")
        ));
    }
    effects
}

/// The spec fields that differ, other than those [`run_change`] names on their own (the gate
/// hooks, skipAnalysis, suspend): `spec.x`, and `spec.analysis.y` inside the analysis.
fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    let keys = |a: &Value, b: &Value| -> Vec<String> {
        let mut keys: Vec<String> = [a, b]
            .iter()
            .filter_map(|v| v.as_object())
            .flat_map(|m| m.keys().cloned())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    };
    let other_hooks = |v: &Value| -> Vec<Value> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter(|h| !is_gate_hook(h))
            .cloned()
            .collect()
    };
    let mut fields = Vec::new();
    for key in keys(before, after) {
        match key.as_str() {
            "skipAnalysis" | "suspend" => {}
            "analysis" => {
                let (a, b) = (&before["analysis"], &after["analysis"]);
                for k in keys(a, b) {
                    let differs = if k == "webhooks" {
                        other_hooks(&a[&k]) != other_hooks(&b[&k])
                    } else {
                        a[&k] != b[&k]
                    };
                    if differs {
                        fields.push(format!("spec.analysis.{k}"));
                    }
                }
            }
            _ if before[&key] != after[&key] => fields.push(format!("spec.{key}")),
            _ => {}
        }
    }
    fields
}

/// A rollout policy of an Application that a write changes or adds.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedRollout {
    pub policy: String,
    /// Its new rollout block.
    pub rollout: Value,
    /// Its rollout block on the hub: `Ok(None)` when the hub has no policy of that name, `Err`
    /// (why) when what the hub has is unknown (its Application could not be read): then the
    /// policy counts as changed.
    pub before: Result<Option<Value>, String>,
}

/// The rollout policies of an Application that a write would change (or add): their names,
/// their new rollout blocks and the old ones, compared by name with what the hub has.
pub fn changed_rollouts(before: Option<&Value>, after: &Value) -> Vec<ChangedRollout> {
    let rollouts = |app: &Value| -> Vec<(String, Value)> {
        app.pointer("/spec/syncPolicies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, p)| {
                p.get("rollout")
                    .filter(|r| !r.is_null())
                    .map(|r| (policy_name(app, i), r.clone()))
            })
            .collect()
    };
    let old = before.map(rollouts).unwrap_or_default();
    rollouts(after)
        .into_iter()
        .filter(|(name, rollout)| !old.iter().any(|(n, r)| n == name && r == rollout))
        .map(|(policy, rollout)| ChangedRollout {
            before: Ok(old.iter().find(|(n, _)| *n == policy).map(|(_, r)| r.clone())),
            policy,
            rollout,
        })
        .collect()
}

/// The fields of a rollout block that [`kurator_rerendered`] renders into the Canary (those
/// `rendered_canary_spec` reads into its analysis and switches). What Kurator renders from the
/// others (metrics, webhooks, routing, the load tester) is not modeled here.
const MODELED_ROLLOUT_FIELDS: [&str; 11] = [
    "/rolloutPolicy/trafficRouting/analysisTimes",
    "/rolloutPolicy/trafficRouting/match",
    "/rolloutPolicy/trafficRouting/canaryStrategy/maxWeight",
    "/rolloutPolicy/trafficRouting/canaryStrategy/stepWeight",
    "/rolloutPolicy/trafficRouting/canaryStrategy/stepWeights",
    "/rolloutPolicy/trafficRouting/canaryStrategy/stepWeightPromotion",
    "/rolloutPolicy/trafficAnalysis/checkFailedTimes",
    "/rolloutPolicy/trafficAnalysis/checkIntervalSeconds",
    "/rolloutPolicy/skipTrafficAnalysis",
    "/rolloutPolicy/revertOnDeletion",
    "/rolloutPolicy/suspend",
];

/// The fields of a rollout block that differ between `before` and `after` outside
/// [`MODELED_ROLLOUT_FIELDS`], dotted (`rolloutPolicy.trafficAnalysis.metrics`).
pub fn unmodeled_changes(before: &Value, after: &Value) -> Vec<String> {
    let without_modeled = |v: &Value| {
        let mut v = v.clone();
        for pointer in MODELED_ROLLOUT_FIELDS {
            let (parent, key) = pointer.rsplit_once('/').unwrap_or_default();
            if let Some(m) = v.pointer_mut(parent).and_then(Value::as_object_mut) {
                m.remove(key);
            }
        }
        v
    };
    let mut fields = Vec::new();
    differing(&without_modeled(before), &without_modeled(after), "", &mut fields);
    fields
}

/// The dotted paths at which two values differ (an absent field and an empty object are alike).
fn differing(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    let empty = serde_json::Map::new();
    let object = |v: &Value| v.as_object().or(v.is_null().then_some(&empty)).cloned();
    match (object(a), object(b)) {
        (Some(x), Some(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let at = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                differing(
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                    &at,
                    out,
                );
            }
        }
        _ if a != b => out.push(path.to_string()),
        _ => {}
    }
}

/// What Kurator's re-render of a changed policy does to a member Canary whose run is under
/// way, one sentence per effect: what [`run_change`] finds in the part [`kurator_rerendered`]
/// models, and the policy's other changes, whose effect is unknown. Empty when no run is under
/// way, or the re-render is known to leave it as it is.
pub fn rerender_change(live: &Value, changed: &ChangedRollout) -> Vec<String> {
    if run_under_way(live).is_none() {
        return Vec::new();
    }
    let mut effects = run_change(live, &kurator_rerendered(live, &changed.rollout));
    match &changed.before {
        Ok(Some(old)) => {
            let fields = unmodeled_changes(old, &changed.rollout);
            if !fields.is_empty() {
                effects.push(format!(
                    "changes {} of the policy: what Kurator renders from it into this run is not modeled, its effect on the run is unknown",
                    fields.join(", ")
                ));
            }
        }
        Ok(None) => effects.push(
            "the policy is new to the hub: what Kurator renders from its metrics, webhooks and routing into this run is unknown".into(),
        ),
        Err(why) => effects.insert(
            0,
            format!("{why}: the policy counts as changed, and its effect on this run beyond what is listed is unknown"),
        ),
    }
    if effects.is_empty() {
        return effects;
    }
    let at = usize::from(changed.before.is_err());
    effects.insert(
        at,
        "Kurator re-renders this Canary's spec from the changed policy".into(),
    );
    effects
}

/// A member's Canary as Kurator's next reconcile of a changed rollout policy leaves it: its
/// whole `spec.analysis` rendered from the policy, with only the policy's own webhooks (Kurator
/// has no field for gate hooks), and the switches the policy sets (kurator:
/// pkg/fleet-manager/application/rollout_helper.go, `renderCanary`, `renderCanaryAnalysis`).
pub fn kurator_rerendered(live: &Value, rollout: &Value) -> Value {
    let mut would = live.clone();
    let Ok(spec) = rendered_canary_spec(rollout) else {
        return would;
    };
    let hooks: Vec<Value> = live
        .pointer("/spec/analysis/webhooks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|h| !is_gate_hook(h))
        .cloned()
        .collect();
    let mut analysis = spec["analysis"].clone();
    if !hooks.is_empty() {
        analysis["webhooks"] = Value::Array(hooks);
    }
    if let Some(metrics) = live.pointer("/spec/analysis/metrics") {
        analysis["metrics"] = metrics.clone();
    }
    would["spec"]["analysis"] = analysis;
    // Flagger's CRD leaves an unset switch out; only a change is a change.
    for key in ["skipAnalysis", "suspend", "revertOnDeletion"] {
        if spec[key] == json!(true) || would["spec"].get(key).is_some() {
            would["spec"][key] = spec[key].clone();
        }
    }
    would
}

/// One Application on the Kurator hub.
#[derive(Debug, Serialize)]
pub struct HubRow {
    pub application: String,
    pub result: String,
    pub error: Option<String>,
}

/// The rows of an apply, by where the policies went.
#[derive(Debug)]
pub enum Applied {
    Members(Vec<ApplyRow>),
    Hub(Vec<HubRow>),
}

impl Applied {
    /// Members: 0 when every cluster took every object, 5 when some did, 1 when none did, 130
    /// when Ctrl-C kept a cluster untouched. Hub: 0 when every Application went in, else 1.
    pub fn exit(&self) -> Exit {
        match self {
            Applied::Hub(rows) if rows.iter().all(|r| r.error.is_none()) => Exit::Success,
            Applied::Hub(_) => Exit::Failed,
            Applied::Members(rows) => {
                let mut clusters: Vec<&str> = rows.iter().map(|r| r.cluster.as_str()).collect();
                clusters.dedup();
                let of = |c: &str| rows.iter().filter(|r| r.cluster == c).collect::<Vec<_>>();
                let untouched = clusters
                    .iter()
                    .filter(|c| of(c).iter().any(|r| r.result.result == UNTOUCHED))
                    .count();
                let clean = clusters
                    .iter()
                    .filter(|c| {
                        of(c)
                            .iter()
                            .all(|r| r.result.error.is_none() && r.result.result != UNTOUCHED)
                    })
                    .count();
                Exit::after_writes(clean, clusters.len(), untouched)
            }
        }
    }
}

/// What an apply did (or, dry, would do) to an object, from the object before and the server's
/// answer. Compared by content, not resourceVersion: a dry run's answer keeps the old version
/// even when it would change the object.
pub fn change_of(before: Option<&Value>, after: Option<&Value>, dry_run: bool) -> &'static str {
    match (before, dry_run) {
        (None, false) => "created",
        (None, true) => "would create",
        (Some(b), _) if after.is_some_and(|a| content(a) == content(b)) => "unchanged",
        (Some(_), false) => "configured",
        (Some(_), true) => "would configure",
    }
}

/// An object without what the server owns (status, versions, managed fields, identity), to
/// compare what a user wrote.
pub fn content(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for server_owned in [
            "resourceVersion",
            "managedFields",
            "generation",
            "uid",
            "creationTimestamp",
        ] {
            meta.remove(server_owned);
        }
    }
    if let Some(m) = v.as_object_mut() {
        m.remove("status");
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_change_is_judged_by_content_not_version() {
        let before = json!({"metadata": {"name": "a", "resourceVersion": "1"}, "spec": {"x": 1}});
        let same = json!({"metadata": {"name": "a", "resourceVersion": "2"}, "spec": {"x": 1}, "status": {}});
        let other = json!({"metadata": {"name": "a", "resourceVersion": "1"}, "spec": {"x": 2}});
        assert_eq!(change_of(None, Some(&same), true), "would create");
        assert_eq!(change_of(None, Some(&same), false), "created");
        assert_eq!(change_of(Some(&before), Some(&same), true), "unchanged");
        assert_eq!(change_of(Some(&before), Some(&other), true), "would configure");
        assert_eq!(change_of(Some(&before), Some(&other), false), "configured");
    }

    fn canary(phase: &str, hooks: Value, extra: Value) -> Value {
        let mut spec = json!({"analysis": {"interval": "10s", "webhooks": hooks}});
        for (k, v) in extra.as_object().into_iter().flatten() {
            spec[k] = v.clone();
        }
        json!({"spec": spec, "status": {"phase": phase}})
    }

    fn gate(kind: &str, path: &str) -> Value {
        json!({"name": kind, "type": kind, "url": format!("http://lt.ns/{path}")})
    }

    #[test]
    fn a_run_under_way_is_told_what_a_write_does_to_it() {
        let gated = json!([
            gate("confirm-promotion", "gate/check"),
            gate("rollback", "rollback/check")
        ]);
        let abort_only = json!([gate("rollback", "rollback/check")]);
        assert_eq!(
            run_change(
                &canary("WaitingPromotion", gated.clone(), json!({})),
                &canary("WaitingPromotion", abort_only.clone(), json!({}))
            ),
            vec!["removes the promotion gate of a canary waiting at it: it will promote now"]
        );
        assert_eq!(
            run_change(
                &canary("Progressing", gated.clone(), json!({})),
                &canary("Progressing", json!([]), json!({"skipAnalysis": true}))
            ),
            vec![
                "removes the promotion gate of this run: it will not wait there",
                "removes the abort gate: abort can no longer stop this run",
                "sets skipAnalysis: it will promote now, without analysis",
            ]
        );
        let mut wider = canary("Progressing", abort_only.clone(), json!({}));
        wider["spec"]["analysis"]["stepWeight"] = json!(20);
        assert_eq!(
            run_change(&canary("Progressing", abort_only.clone(), json!({})), &wider),
            vec!["changes spec.analysis.stepWeight of this run: Flagger uses the new values from its next check"]
        );
        // No run under way, or nothing changes: nothing to say.
        assert!(run_change(&canary("Succeeded", gated.clone(), json!({})), &wider).is_empty());
        assert!(
            run_change(
                &canary("Waiting", gated.clone(), json!({})),
                &canary("Waiting", gated, json!({}))
            )
            .is_empty()
        );
    }

    #[test]
    fn member_exit_counts_clusters_not_rows() {
        let row = |cluster: &str, result: &str, error: Option<&str>| ApplyRow {
            cluster: cluster.into(),
            result: ObjectResult {
                error: error.map(str::to_string),
                ..ObjectResult::done("p", "o".into(), result)
            },
        };
        let rows = vec![
            row("a", "created", None),
            row("a", "created", None),
            row("b", "failed", Some("x")),
        ];
        assert_eq!(Applied::Members(rows).exit(), Exit::Partial);
        assert_eq!(
            Applied::Members(vec![row("a", UNTOUCHED, None), row("b", "created", None)]).exit(),
            Exit::Interrupted
        );
        assert_eq!(
            Applied::Members(vec![row("a", "unchanged", None)]).exit(),
            Exit::Success
        );
        let hub = |error: Option<&str>| HubRow {
            application: "a".into(),
            result: "created".into(),
            error: error.map(str::to_string),
        };
        assert_eq!(Applied::Hub(vec![hub(None)]).exit(), Exit::Success);
        assert_eq!(Applied::Hub(vec![hub(None), hub(Some("x"))]).exit(), Exit::Failed);
    }

    fn rollout(max_weight: i64, min_success: i64) -> Value {
        json!({
            "trafficRoutingProvider": "istio",
            "workload": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo", "namespace": "test"},
            "serviceName": "podinfo", "port": 9898,
            "rolloutPolicy": {
                "trafficRouting": {"timeoutSeconds": 60, "canaryStrategy": {"maxWeight": max_weight, "stepWeight": 10}},
                "trafficAnalysis": {
                    "checkIntervalSeconds": 30, "checkFailedTimes": 2,
                    "metrics": [{"name": "request-success-rate", "intervalSeconds": 60, "thresholdRange": {"min": min_success}}]
                }
            }
        })
    }

    #[test]
    fn a_kurator_rerender_is_a_row_only_when_it_changes_the_run_or_cannot_be_known() {
        let policy = |before: Result<Option<Value>, String>, after: Value| ChangedRollout {
            policy: "p".into(),
            rollout: after,
            before,
        };
        // The member's Canary as Kurator rendered it from maxWeight 50, mid-run.
        let mut live = kurator_rerendered(
            &json!({"spec": {}, "status": {"phase": "Progressing"}}),
            &rollout(50, 99),
        );
        live["status"] = json!({"phase": "Progressing"});
        // Only what Kurator renders into the analysis changes: named, no unknown.
        assert_eq!(
            rerender_change(&live, &policy(Ok(Some(rollout(50, 99))), rollout(40, 99))),
            vec![
                "Kurator re-renders this Canary's spec from the changed policy",
                "changes spec.analysis.maxWeight of this run: Flagger uses the new values from its next check"
            ]
        );
        // A change the Canary already has (its analysis re-rendered as it is): nothing to show
        // or confirm.
        let mut narrowed = kurator_rerendered(&live, &rollout(40, 99));
        narrowed["status"] = json!({"phase": "Progressing"});
        assert!(rerender_change(&narrowed, &policy(Ok(Some(rollout(50, 99))), rollout(40, 99))).is_empty());
        // Metrics are not modeled: their change is a row whose effect is unknown.
        let metrics = rerender_change(&live, &policy(Ok(Some(rollout(50, 99))), rollout(50, 95)));
        assert_eq!(metrics.len(), 2, "{metrics:?}");
        assert!(
            metrics[1].starts_with("changes rolloutPolicy.trafficAnalysis.metrics of the policy:")
                && metrics[1].ends_with("its effect on the run is unknown"),
            "{metrics:?}"
        );
        // What the hub had unknown: the policy counts as changed, and the row says why.
        let unread = rerender_change(
            &live,
            &policy(
                Err("the hub's Application x could not be read (boom)".into()),
                rollout(50, 99),
            ),
        );
        assert_eq!(
            unread[0],
            "the hub's Application x could not be read (boom): the policy counts as changed, and its effect on this run beyond what is listed is unknown"
        );
        assert_eq!(
            unread[1],
            "Kurator re-renders this Canary's spec from the changed policy"
        );
        // No run under way: nothing to change, whatever is unknown.
        live["status"]["phase"] = json!("Succeeded");
        assert!(rerender_change(&live, &policy(Err("x".into()), rollout(40, 99))).is_empty());
    }

    #[test]
    fn unmodeled_changes_name_the_fields_outside_the_rendered_analysis() {
        assert!(unmodeled_changes(&rollout(50, 99), &rollout(10, 99)).is_empty());
        assert_eq!(
            unmodeled_changes(&rollout(50, 99), &rollout(10, 90)),
            vec!["rolloutPolicy.trafficAnalysis.metrics"]
        );
        let mut port = rollout(50, 99);
        port["port"] = json!(80);
        port["rolloutPolicy"]["trafficRouting"]["canaryStrategy"] = json!({"maxWeight": 30});
        assert_eq!(unmodeled_changes(&rollout(50, 99), &port), vec!["port"]);
    }
}
