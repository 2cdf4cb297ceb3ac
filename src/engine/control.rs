//! Promote, abort, pause, resume and retry on one cluster: what the action would do given the
//! Canary's state (pure [`plan`]), and doing it (gates through the service proxy, spec patches),
//! waiting until Flagger has acted and closing the gates again.

use std::time::Duration;

use kube::Client;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde::Serialize;
use serde_json::{Value, json};

use super::start::{StartPlan, get_canary, start_release};
use crate::flagger::gates::{LoadTester, hook_url, post};
use crate::fleet::ClusterError;
use crate::fleet::apply::resource_of;
use crate::fleet::conflict::redo_on_conflict;
use crate::install::verb_manager;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Promote,
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
            Verb::PromoteFull => "promote --full",
            Verb::Abort => "abort",
            Verb::Pause => "pause",
            Verb::Resume => "resume",
            Verb::Retry => "retry",
        }
    }
}

/// What an action will do in one cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Step {
    /// Open the gate at the hook's load tester, wait for the canary to move on, close it.
    OpenGate {
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
            Step::OpenRollbackGate { .. } => "open rollback gate".into(),
            Step::SkipAnalysis => "skip analysis (promote now)".into(),
            Step::Suspend { suspend: true } => "set spec.suspend=true".into(),
            Step::Suspend { suspend: false } => "set spec.suspend=false".into(),
            Step::Retry { .. } => "start a new run".into(),
            Step::Nothing { reason } => format!("none: {reason}"),
            Step::Impossible { reason } => format!("impossible: {reason}"),
        }
    }

    /// Whether this step changes something.
    pub fn acts(&self) -> bool {
        !matches!(self, Step::Nothing { .. } | Step::Impossible { .. })
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

/// What `verb` would do to this Canary (pure).
pub fn plan(verb: Verb, canary: &Value) -> Step {
    let phase = text(canary, "/status/phase");
    let suspended = canary
        .pointer("/spec/suspend")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let nothing = |r: &str| Step::Nothing { reason: r.into() };
    let impossible = |r: String| Step::Impossible { reason: r };
    match verb {
        Verb::Promote => match phase {
            "Succeeded" | "Initialized" => nothing("already promoted"),
            "Promoting" | "Finalising" => nothing("already promoting"),
            "Failed" => impossible("the run failed; use retry".into()),
            "Waiting" | "WaitingPromotion" | "Progressing" => match held_gate(canary, phase) {
                Some(hook) => Step::OpenGate { hook },
                None if phase == "Progressing" => {
                    if hook_url(canary, "confirm-promotion", "/gate/check").is_some() {
                        nothing("not waiting at a gate yet; the promotion gate will hold it (or use --full)")
                    } else {
                        impossible(
                            "no gate hook holds this run: re-apply with --manual-promotion, or use promote --full"
                                .into(),
                        )
                    }
                }
                None => impossible(format!(
                    "{phase} but no /gate/check hook: re-apply with --manual-promotion"
                )),
            },
            other => impossible(format!("nothing to promote in phase {other:?}")),
        },
        Verb::PromoteFull => match phase {
            "Succeeded" | "Initialized" => nothing("already promoted"),
            "Failed" => impossible("the run failed; use retry".into()),
            "Waiting" => {
                impossible("skipAnalysis does not pass a closed confirm-rollout gate; use promote to open it".into())
            }
            _ if canary.pointer("/spec/skipAnalysis").and_then(Value::as_bool) == Some(true) => {
                nothing("analysis already skipped")
            }
            _ => Step::SkipAnalysis,
        },
        Verb::Abort => match phase {
            "Failed" => nothing("already failed"),
            "Succeeded" | "Initialized" => nothing("no run to abort"),
            "Waiting" => {
                impossible("Flagger does not evaluate rollback hooks while Waiting; the run has not started".into())
            }
            "Promoting" | "Finalising" => impossible(format!(
                "promotion is under way ({phase}); it can no longer be rolled back"
            )),
            _ => match hook_url(canary, "rollback", "/rollback/check") {
                Some(hook) => Step::OpenRollbackGate { hook },
                None => {
                    impossible("no rollback hook: apply adds one by default (re-apply without --no-abort-gate)".into())
                }
            },
        },
        Verb::Pause if suspended => nothing("already paused"),
        Verb::Pause => Step::Suspend { suspend: true },
        Verb::Resume if !suspended => nothing("not paused"),
        Verb::Resume => Step::Suspend { suspend: false },
        Verb::Retry => match phase {
            "Failed" => Step::Retry {
                rollback_hook: hook_url(canary, "rollback", "/rollback/check"),
            },
            other => impossible(format!(
                "only a Failed canary can be retried (it is {})",
                if other.is_empty() { "new" } else { other }
            )),
        },
    }
}

/// A warning when something else owns the Canary and may revert a spec change (pure).
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

fn canaries(client: &Client, ns: &str) -> Result<Api<DynamicObject>, ClusterError> {
    let (resource, _) =
        resource_of("flagger.app/v1beta1", "Canary").ok_or_else(|| ClusterError::Other("no Canary kind".into()))?;
    Ok(Api::namespaced_with(client.clone(), ns, &resource))
}

/// Sets spec fields of a Canary unless they already hold those values. The patch carries the
/// resourceVersion read, so Flagger's own writes in between make it a 409, redone from a fresh read.
async fn patch_spec(client: &Client, ns: &str, name: &str, spec: Value, verb: &str) -> Result<(), ClusterError> {
    let params = PatchParams {
        field_manager: Some(verb_manager(verb)),
        ..Default::default()
    };
    let api = canaries(client, ns)?;
    redo_on_conflict(|_| async {
        let canary = get_canary(client, ns, name).await?;
        if spec_holds(&canary, &spec) {
            return Ok(());
        }
        let version = canary
            .pointer("/metadata/resourceVersion")
            .cloned()
            .unwrap_or(Value::Null);
        api.patch(
            name,
            &params,
            &Patch::Merge(json!({"metadata": {"resourceVersion": version}, "spec": spec})),
        )
        .await
        .map_err(|e| ClusterError::from_kube(&e))?;
        Ok(())
    })
    .await
}

/// Whether every field of `spec` already has that value in the Canary (pure).
fn spec_holds(canary: &Value, spec: &Value) -> bool {
    spec.as_object().is_some_and(|fields| {
        fields
            .iter()
            .all(|(k, v)| canary.pointer(&format!("/spec/{k}")) == Some(v))
    })
}

/// Waits (watching) until `done` holds for the Canary.
async fn wait_for(
    client: &Client,
    ns: &str,
    name: &str,
    timeout: Duration,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Result<Value, ClusterError> {
    let api = canaries(client, ns)?;
    let condition = |obj: Option<&DynamicObject>| {
        obj.map(|o| serde_json::to_value(o).unwrap_or_default())
            .is_some_and(|v| done(&v))
    };
    match tokio::time::timeout(timeout, kube::runtime::wait::await_condition(api, name, condition)).await {
        Ok(Ok(Some(obj))) => Ok(serde_json::to_value(obj).unwrap_or_default()),
        Ok(Ok(None)) => Err(ClusterError::Other(format!("canary {ns}/{name} disappeared"))),
        Ok(Err(e)) => Err(ClusterError::Other(format!("watching {ns}/{name}: {e}"))),
        Err(_) => Err(ClusterError::Other(format!(
            "{what} did not happen within {}",
            humantime::format_duration(timeout)
        ))),
    }
}

async fn gate(client: &Client, hook: &str, ns: &str, name: &str, endpoint: &str) -> Result<(), ClusterError> {
    let tester = LoadTester::from_hook(hook, ns)
        .ok_or_else(|| ClusterError::Other(format!("cannot read the hook URL {hook}")))?;
    post(client, &tester, endpoint, name, ns).await
}

/// Carries out a planned step; returns what happened.
pub async fn execute(
    client: &Client,
    ns: &str,
    name: &str,
    step: &Step,
    keep_skip: bool,
    timeout: Duration,
) -> Result<String, ClusterError> {
    match step {
        Step::Nothing { reason } => Ok(reason.clone()),
        Step::Impossible { reason } => Err(ClusterError::Other(reason.clone())),
        Step::OpenGate { hook } => {
            let before = get_canary(client, ns, name).await?;
            let (phase, weight) = (
                text(&before, "/status/phase").to_string(),
                before.pointer("/status/canaryWeight").cloned(),
            );
            gate(client, hook, ns, name, "/gate/open").await?;
            let moved = wait_for(client, ns, name, timeout, "the next step", |c| {
                text(c, "/status/phase") != phase || c.pointer("/status/canaryWeight") != weight.as_ref()
            })
            .await;
            // Close it whatever happened, so later gates do not pass by themselves.
            let closed = gate(client, hook, ns, name, "/gate/close").await;
            let after = moved?;
            closed?;
            Ok(format!("gate opened and closed; now {}", text(&after, "/status/phase")))
        }
        Step::OpenRollbackGate { hook } => {
            gate(client, hook, ns, name, "/rollback/open").await?;
            let failed = wait_for(client, ns, name, timeout, "the rollback", |c| {
                text(c, "/status/phase") == "Failed"
            })
            .await;
            let closed = gate(client, hook, ns, name, "/rollback/close").await;
            failed?;
            closed?;
            Ok("rolled back (Failed); rollback gate closed".into())
        }
        Step::SkipAnalysis => {
            patch_spec(client, ns, name, json!({"skipAnalysis": true}), "promote").await?;
            wait_for(client, ns, name, timeout, "the promotion", |c| {
                text(c, "/status/phase") == "Succeeded"
            })
            .await?;
            if !keep_skip {
                patch_spec(client, ns, name, json!({"skipAnalysis": false}), "promote").await?;
                return Ok("promoted (Succeeded); skipAnalysis set back to false".into());
            }
            Ok("promoted (Succeeded); skipAnalysis left true".into())
        }
        Step::Suspend { suspend } => {
            let verb = if *suspend { "pause" } else { "resume" };
            patch_spec(client, ns, name, json!({"suspend": suspend}), verb).await?;
            Ok(if *suspend { "paused".into() } else { "resumed".into() })
        }
        Step::Retry { rollback_hook } => {
            if let Some(hook) = rollback_hook {
                gate(client, hook, ns, name, "/rollback/close").await?;
            }
            let plan = StartPlan {
                restart: true,
                force: true,
                ..Default::default()
            };
            // The step has begun (its gate is closed): the new run is started whatever Ctrl-C says.
            start_release(client, ns, name, &plan, None).await?;
            Ok("new run started".into())
        }
    }
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
        assert_eq!(
            plan(Verb::Abort, &canary("Progressing", gated.clone(), json!({}))),
            Step::OpenRollbackGate {
                hook: "http://lt.ns/rollback/check".into()
            }
        );
        assert!(
            matches!(plan(Verb::Abort, &canary("Progressing", json!([]), json!({}))), Step::Impossible { reason } if reason.contains("apply adds one by default"))
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
    fn owners() {
        let kurator = json!({"metadata": {"annotations": {"kurator.dev/rollout": "demo"}}});
        assert!(owner_warning(&kurator).unwrap().contains("policy demo"));
        let flux = json!({"metadata": {"labels": {"kustomize.toolkit.fluxcd.io/name": "apps"}}});
        assert!(owner_warning(&flux).unwrap().contains("Flux"));
        assert!(owner_warning(&json!({"metadata": {}})).is_none());
    }
}
