//! Actions on canaries (promote, abort, pause, resume, retry), the one path for the CLI verbs,
//! the live view's keys and `start --on-failure abort-all`: [`plan`] (or [`plan_for`]) reads the
//! fleet once and decides a step per canary, [`confirm`] asks under the one confirmation policy,
//! [`execute`] carries the plan out exactly as planned and returns a row per canary.
//!
//! Where a step goes is the fleet source's decision ([`FleetSource::switch_destination`]): under
//! Kurator a spec switch (suspend, skip analysis) is planned and executed as a change of the hub
//! Application's rollout policy, since a direct Canary patch would be reverted by Kurator's next
//! reconcile; gates (promote, abort, retry) always go to the members' load testers.

use std::collections::HashMap;
use std::time::Duration;

use kube::Client;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use super::live::read::read_canaries;
use super::release::{StartPlan, get_canary, start_release};
use crate::confirm::Decision;
use crate::exit::ExitError;
use crate::flagger::gates::{LoadTester, post};
use crate::fleet::ClusterError;
use crate::fleet::apply::resource_of;
use crate::fleet::conflict::redo_on_conflict;
use crate::fleet::kurator::applications;
use crate::fleet::source::{Destination, FleetSource, Hub};
use crate::install::verb_manager;
use crate::interrupt::Interrupt;
use crate::invocation::ConfirmPolicy;
use crate::model::action_row::ActionRow;
use crate::model::canary::{CanaryId, CanaryState, RunMark, is_running};
use crate::model::plan::{Plan, PlanRow, Step, Switch, Verb, acting_clusters, policy_switch_rows, switched_policies};
use crate::model::update::Scope;
use crate::model::verdict::no_cluster_answered;

/// How a plan is carried out.
#[derive(Clone, Copy)]
pub struct ExecuteOptions<'a> {
    /// How long to wait for Flagger to act on a step, per canary.
    pub timeout: Duration,
    /// How long a cluster may take to answer at all (added to `timeout` per cluster).
    pub cluster_timeout: Duration,
    /// promote --full: leave `spec.skipAnalysis=true` afterwards.
    pub keep_skip: bool,
    /// Ctrl-C keeps the steps not yet begun from starting (a begun step runs to its end).
    pub interrupt: Option<&'a Interrupt>,
}

/// The hub, when this verb's steps go there: a switch verb under Kurator.
fn switch_hub(source: &FleetSource, verb: Verb) -> Option<&Hub> {
    match (verb.switch(), source.switch_destination()) {
        (Some(_), Destination::Hub(hub)) => Some(hub),
        _ => None,
    }
}

/// Plans `verb` for every canary in `scope`, from one read of the fleet's Canaries (or, for a
/// switch under Kurator, of the hub's Applications).
pub async fn plan(source: &FleetSource, scope: &Scope, verb: Verb, timeout: Duration) -> anyhow::Result<Plan> {
    if let Some(hub) = switch_hub(source, verb) {
        let Some(name) = scope.name.as_deref() else {
            return Err(ExitError::usage(format!(
                "{} under --fleet needs a canary NAME: Kurator's rollout policies name their workload",
                verb.name()
            ))
            .into());
        };
        // The CLI's namespace is each context's default unless -n was given, and Kurator
        // members have none of their own: a policy is found by its workload's name.
        return Ok(hub_plan(source, hub, verb, &[(None, name.to_string())]).await?);
    }
    let state = read_canaries(&source.members, scope, timeout).await;
    let read = state.rows();
    // Unmatched (exit 4) only where a cluster answered without it; unreachable everywhere is
    // a plan of impossible rows (exit 1).
    let nothing_matched = read.iter().all(|r| r.phase.is_empty()) && !no_cluster_answered(&read);
    let rows: Vec<PlanRow> = read
        .into_iter()
        .map(|r| {
            let target = CanaryId::of(&r);
            let index = state.clusters.iter().position(|c| c == &r.cluster).unwrap_or(0);
            match (state.canary(index, &r.namespace, &r.name), r.error) {
                (Some(canary), _) => PlanRow::of_canary(target, verb, &canary),
                (None, error) => PlanRow::unreadable(target, r.phase, error.unwrap_or_else(|| "not found".into())),
            }
        })
        .collect();
    let unmatched = nothing_matched.then(|| "no canary matched".to_string());
    Ok(Plan {
        verb,
        affected: acting_clusters(&rows),
        rows,
        unmatched,
    })
}

/// Plans `verb` for these canaries (the live view's selection), each read afresh.
pub async fn plan_for(source: &FleetSource, verb: Verb, targets: &[CanaryId], timeout: Duration) -> Plan {
    if let Some(hub) = switch_hub(source, verb) {
        let mut workloads: Vec<(Option<String>, String)> = Vec::new();
        for t in targets {
            let workload = (Some(t.namespace.clone()), t.name.clone());
            if !workloads.contains(&workload) {
                workloads.push(workload);
            }
        }
        return hub_plan(source, hub, verb, &workloads)
            .await
            .unwrap_or_else(|error| Plan {
                verb,
                rows: Vec::new(),
                affected: Vec::new(),
                unmatched: Some(error.to_string()),
            });
    }
    let indices: Vec<usize> = (0..source.members.len())
        .filter(|i| {
            targets
                .iter()
                .any(|t| t.cluster == source.members.clusters[*i].target.context)
        })
        .collect();
    let outcomes = source
        .members
        .subset(&indices)
        .fan_out(timeout, |client, target| async move {
            let mut rows = Vec::new();
            for t in targets.iter().filter(|t| t.cluster == target.context) {
                rows.push(match get_canary(&client, &t.namespace, &t.name).await {
                    Ok(canary) => PlanRow::of_canary(t.clone(), verb, &canary),
                    Err(e) => PlanRow::unreadable(t.clone(), String::new(), e.to_string()),
                });
            }
            Ok::<_, ClusterError>(rows)
        })
        .await;
    let mut rows = Vec::new();
    for o in outcomes {
        match o.result {
            Ok(planned) => rows.extend(planned),
            Err(e) => rows.extend(
                targets
                    .iter()
                    .filter(|t| t.cluster == o.target.context)
                    .map(|t| PlanRow::unreadable(t.clone(), String::new(), e.to_string())),
            ),
        }
    }
    let unmatched = rows.is_empty().then(|| "no canary selected".to_string());
    Plan {
        verb,
        affected: acting_clusters(&rows),
        rows,
        unmatched,
    }
}

/// The plan of a switch verb under Kurator: the policies of the hub's Applications that roll
/// out these workloads (namespace when known, name).
async fn hub_plan(
    source: &FleetSource,
    hub: &Hub,
    verb: Verb,
    workloads: &[(Option<String>, String)],
) -> Result<Plan, ExitError> {
    let Some((switch, value)) = verb.switch() else {
        return Err(ExitError::usage(format!("{} is not a switch", verb.name())));
    };
    // The Fleet's own Applications only: another Fleet's rollout of the same workload is not
    // this command's to switch.
    let apps = super::live::hub::read(hub, None)
        .await
        .map_err(|e| ExitError::usage(e.to_string()))?;
    let rows: Vec<PlanRow> = workloads
        .iter()
        .flat_map(|(namespace, name)| {
            policy_switch_rows(&apps, &hub.context, namespace.as_deref(), name, switch, value)
        })
        .collect();
    let names: Vec<&str> = workloads.iter().map(|(_, name)| name.as_str()).collect();
    let unmatched = rows.is_empty().then(|| {
        format!(
            "no Application in {} on the hub {} rolls out {}",
            hub.namespace,
            hub.context,
            names.join(", ")
        )
    });
    // A hub switch reaches every member of the Fleet: those are the clusters it changes.
    let affected = if rows.iter().any(|r| r.step.acts()) {
        source.member_names()
    } else {
        Vec::new()
    };
    Ok(Plan {
        verb,
        rows,
        affected,
        unmatched,
    })
}

/// Asks for the go-ahead under the one confirmation policy: `y`, or the typed number of
/// clusters when more than one changes or any is protected; without a terminal only `--yes`.
pub fn confirm(plan: &Plan, policy: &ConfirmPolicy) -> Decision {
    if plan.acting() == 0 {
        return Decision::Proceed;
    }
    policy.ask(&plan.question(), plan.affected.iter().map(String::as_str))
}

/// Carries out the plan as it was planned (and shown): each step where the plan put it.
pub async fn execute(source: &FleetSource, plan: &Plan, options: ExecuteOptions<'_>) -> Vec<ActionRow> {
    match switch_hub(source, plan.verb) {
        Some(hub) => execute_on_hub(source, hub, plan, options).await,
        None => execute_on_members(source, plan, options).await,
    }
}

/// The hub rows one after the other: they write the same few Applications.
async fn execute_on_hub(source: &FleetSource, hub: &Hub, plan: &Plan, options: ExecuteOptions<'_>) -> Vec<ActionRow> {
    let mut rows = Vec::new();
    for row in &plan.rows {
        let outcome = match &row.step {
            _ if row.step.acts() && options.interrupt.is_some_and(Interrupt::is_set) => Err(ClusterError::Interrupted),
            Step::PolicySwitch {
                application,
                policy,
                switch: Switch::SkipAnalysis,
                value: true,
            } => {
                let policy = PolicyRef {
                    hub,
                    application,
                    index: *policy,
                    target: &row.target,
                };
                promote_full_on_hub(source, &policy, options).await
            }
            Step::PolicySwitch {
                application,
                policy,
                switch,
                value,
            } => switch_policy(hub, plan.verb, application, *policy, &row.target, *switch, *value).await,
            Step::Nothing { reason } => Ok(reason.clone()),
            other => Err(ClusterError::Other(other.describe())),
        };
        rows.push(action_row(row, outcome));
    }
    rows
}

/// One rollout policy of a hub Application: the one a hub switch step writes.
struct PolicyRef<'a> {
    hub: &'a Hub,
    /// `namespace/name` of the Application.
    application: &'a str,
    /// The index in `spec.syncPolicies`.
    index: usize,
    target: &'a CanaryId,
}

/// `promote --full` under Kurator, as in a member ([`Step::SkipAnalysis`]): the switch set,
/// the promotion awaited in every member the policy rolls out to, the switch taken back
/// unless `--keep-skip`. Kurator renders the member Canary's `skipAnalysis` from the policy at
/// every reconcile (kurator pkg/fleet-manager/application/rollout_helper.go, `renderCanary`:
/// `SkipAnalysis: rolloutPolicy.RolloutPolicy.SkipTrafficAnalysis`), so a switch left in the
/// Application skips the analysis of every later run.
async fn promote_full_on_hub(
    source: &FleetSource,
    policy: &PolicyRef<'_>,
    options: ExecuteOptions<'_>,
) -> Result<String, ClusterError> {
    let set = |value: bool| {
        switch_policy(
            policy.hub,
            Verb::PromoteFull,
            policy.application,
            policy.index,
            policy.target,
            Switch::SkipAnalysis,
            value,
        )
    };
    // Read before the switch: what "promoted since" is measured from.
    let before = canaries_before(source, policy.target, options.cluster_timeout).await?;
    set(true).await?;
    let promoted = await_promotions(source, policy.target, &before, options).await;
    let field = format!("rolloutPolicy.{}", Switch::SkipAnalysis.kurator_field());
    let reset = if options.keep_skip {
        None
    } else {
        Some(set(false).await.map(|_| ()))
    };
    after_skip(promoted, reset, &field)
}

/// The members' Canaries of `target` as they are now; a member where the policy renders none
/// (not a destination of the Application) has no entry.
async fn canaries_before(
    source: &FleetSource,
    target: &CanaryId,
    timeout: Duration,
) -> Result<HashMap<String, Value>, ClusterError> {
    if target.namespace.is_empty() {
        return Err(ClusterError::Other(format!(
            "the rollout policy of {} names no namespace: Kurator renders no Canary for it",
            target.name
        )));
    }
    let outcomes = source
        .members
        .fan_out(timeout, |client, _| async move {
            canaries(&client, &target.namespace)?
                .get_opt(&target.name)
                .await
                .map_err(|e| ClusterError::from_kube(&e))
        })
        .await;
    let mut before = HashMap::new();
    for o in outcomes {
        match o.result {
            Ok(Some(canary)) => {
                before.insert(o.target.context, serde_json::to_value(canary).unwrap_or_default());
            }
            Ok(None) => {}
            Err(e) => return Err(ClusterError::Other(format!("{}: {e}", o.target.context))),
        }
    }
    Ok(before)
}

/// Waits in every member of `before` until its Canary stands promoted by a run that was under
/// way before the switch or began since (`start` just before may not have reached Flagger).
async fn await_promotions(
    source: &FleetSource,
    target: &CanaryId,
    before: &HashMap<String, Value>,
    options: ExecuteOptions<'_>,
) -> Result<String, ClusterError> {
    let (ns, name) = (target.namespace.as_str(), target.name.as_str());
    let members: Vec<usize> = (0..source.members.len())
        .filter(|i| before.contains_key(&source.members.clusters[*i].target.context))
        .collect();
    let outcomes = source
        .members
        .subset(&members)
        .fan_out(options.timeout + options.cluster_timeout, |client, member| async move {
            let was = before.get(&member.context).cloned().unwrap_or_default();
            let (mark, was_running) = (RunMark::of_canary(&was), is_running(text(&was, "/status/phase")));
            wait_for(&client, ns, name, options.timeout, "the promotion", |now| {
                mark.promoted_since(was_running, &CanaryState::from_canary(&member.context, now, &[]))
            })
            .await
        })
        .await;
    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().err().map(|e| format!("{}: {e}", o.target.context)))
        .collect();
    if !failures.is_empty() {
        return Err(ClusterError::Other(failures.join("; ")));
    }
    Ok(format!(
        "promoted (Succeeded) in {} member{}",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" }
    ))
}

/// promote --full's outcome: the promotion's, and what became of the switch `field` (`reset`
/// is None with `--keep-skip`). The switch is taken back whether or not the promotion was seen
/// to end, as a gate is closed whatever happened: left on, it would skip later runs' analysis.
fn after_skip(
    promoted: Result<String, ClusterError>,
    reset: Option<Result<(), ClusterError>>,
    field: &str,
) -> Result<String, ClusterError> {
    match (promoted, reset) {
        (Ok(done), None) => Ok(format!("{done}; {field} left true")),
        (Err(e), None) => Err(ClusterError::Other(format!("{e}; {field} left true"))),
        (Ok(done), Some(Ok(()))) => Ok(format!("{done}; {field} set back to false")),
        (Err(e), Some(Ok(()))) => Err(ClusterError::Other(format!("{e}; {field} set back to false"))),
        (done, Some(Err(e))) => {
            let promotion = match done {
                Ok(done) => done,
                Err(error) => error.to_string(),
            };
            Err(ClusterError::Other(format!(
                "{promotion}; {field} is still true (setting it back failed: {e}); run promote --full again or set it to false"
            )))
        }
    }
}

fn action_row(row: &PlanRow, outcome: Result<String, ClusterError>) -> ActionRow {
    ActionRow::new(&row.target, row.step.describe(), outcome)
}

/// Sets the switch in one policy of one Application, from a fresh read: the new policy list
/// carries the resourceVersion it was made from, so a change in between (policies added,
/// removed or reordered) is a 409, redone from a fresh read, never a switch on the wrong policy.
async fn switch_policy(
    hub: &Hub,
    verb: Verb,
    application: &str,
    index: usize,
    target: &CanaryId,
    switch: Switch,
    value: bool,
) -> Result<String, ClusterError> {
    let (namespace, name) = application.split_once('/').unwrap_or((&hub.namespace, application));
    let api = applications(&hub.client, namespace);
    // Recorded under the verb's own manager, as in context mode (pause, resume, promote).
    let params = PatchParams {
        field_manager: Some(verb_manager(manager_verb(verb))),
        ..Default::default()
    };
    redo_on_conflict(|_| async {
        let app = api.get(name).await.map_err(|e| ClusterError::from_kube(&e))?;
        let app = serde_json::to_value(app).unwrap_or_default();
        let Some(policies) = switched_policies(&app, index, target, switch, value).map_err(ClusterError::Other)? else {
            return Ok(format!("rolloutPolicy.{} already {value}", switch.kurator_field()));
        };
        let patch = json!({
            "metadata": {"resourceVersion": app.pointer("/metadata/resourceVersion")},
            "spec": {"syncPolicies": policies},
        });
        api.patch(name, &params, &Patch::Merge(&patch))
            .await
            .map_err(|e| ClusterError::from_kube(&e))?;
        Ok("changed on the hub; Kurator's fleet manager carries it to the members' Canaries".to_string())
    })
    .await
}

/// The field manager's verb: `promote --full` writes as `promote`.
fn manager_verb(verb: Verb) -> &'static str {
    match verb {
        Verb::PromoteFull => "promote",
        other => other.name(),
    }
}

/// Every member at once, each running its own rows in plan order.
async fn execute_on_members(source: &FleetSource, plan: &Plan, options: ExecuteOptions<'_>) -> Vec<ActionRow> {
    let outcomes = source
        .members
        .fan_out(options.timeout + options.cluster_timeout, |client, target| {
            let mine: Vec<&PlanRow> = plan
                .rows
                .iter()
                .filter(|r| r.target.cluster == target.context)
                .collect();
            async move {
                let mut results = Vec::new();
                for row in mine {
                    // A step under way (gate opened, waiting for Flagger) runs to its end;
                    // Ctrl-C only keeps the next ones from starting.
                    let outcome = if options.interrupt.is_some_and(Interrupt::is_set) && row.step.acts() {
                        Err(ClusterError::Interrupted)
                    } else {
                        execute_step(&client, &row.target, &row.step, options).await
                    };
                    results.push(action_row(row, outcome));
                }
                Ok::<_, ClusterError>(results)
            }
        })
        .await;
    let mut rows = Vec::new();
    for o in outcomes {
        match o.result {
            // A cluster the plan does not touch has no rows: nothing to report there.
            Ok(list) => rows.extend(list),
            Err(_) if !plan.rows.iter().any(|r| r.target.cluster == o.target.context) => {}
            Err(e) => rows.push(ActionRow::cluster_failed(o.target.context, &e)),
        }
    }
    rows
}

fn text<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
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

/// Opens the gate the canary is held at, waits for Flagger to take the next step, and closes
/// the gate again.
async fn open_gate(client: &Client, target: &CanaryId, hook: &str, timeout: Duration) -> Result<String, ClusterError> {
    let (ns, name) = (target.namespace.as_str(), target.name.as_str());
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

/// Carries out a planned step in a member; returns what happened.
async fn execute_step(
    client: &Client,
    target: &CanaryId,
    step: &Step,
    options: ExecuteOptions<'_>,
) -> Result<String, ClusterError> {
    let (ns, name, timeout) = (target.namespace.as_str(), target.name.as_str(), options.timeout);
    match step {
        Step::Nothing { reason } => Ok(reason.clone()),
        Step::Impossible { reason } => Err(ClusterError::Other(reason.clone())),
        Step::OpenGate { hook } => open_gate(client, target, hook, timeout).await,
        Step::AwaitGate { hook } => {
            // One --timeout for both waits: for the gate, then for Flagger to pass it.
            let deadline = tokio::time::Instant::now() + timeout;
            let held = wait_for(client, ns, name, timeout, "the promotion gate", |c| {
                matches!(text(c, "/status/phase"), "WaitingPromotion" | "Failed" | "Succeeded")
            })
            .await?;
            match text(&held, "/status/phase") {
                "WaitingPromotion" => {
                    let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                    open_gate(client, target, hook, left).await
                }
                other => Err(ClusterError::Other(format!(
                    "the run ended {other} before its promotion gate held it"
                ))),
            }
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
            let promoted = wait_for(client, ns, name, timeout, "the promotion", |c| {
                text(c, "/status/phase") == "Succeeded"
            })
            .await
            .map(|_| "promoted (Succeeded)".to_string());
            let reset = if options.keep_skip {
                None
            } else {
                Some(patch_spec(client, ns, name, json!({"skipAnalysis": false}), "promote").await)
            };
            after_skip(promoted, reset, "skipAnalysis")
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
        Step::PolicySwitch { .. } => Err(ClusterError::Other(
            "a hub Application switch cannot be carried out in a member".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promote_full_says_what_became_of_its_switch() {
        let field = "skipAnalysis";
        let promoted = || Ok("promoted (Succeeded)".to_string());
        let timed_out = || Err(ClusterError::Other("the promotion did not happen within 5m".into()));
        assert_eq!(
            after_skip(promoted(), Some(Ok(())), field).unwrap(),
            "promoted (Succeeded); skipAnalysis set back to false"
        );
        assert_eq!(
            after_skip(promoted(), None, field).unwrap(),
            "promoted (Succeeded); skipAnalysis left true"
        );
        // Taken back also when the promotion was not seen to end, and the row still fails.
        let error = after_skip(timed_out(), Some(Ok(())), field).unwrap_err().to_string();
        assert!(
            error.contains("within 5m") && error.contains("set back to false"),
            "{error}"
        );
        // A failed reset fails the row even after a promotion, and says the switch is still on.
        let error = after_skip(promoted(), Some(Err(ClusterError::Other("409".into()))), field)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("skipAnalysis is still true") && error.contains("409"),
            "{error}"
        );
    }
}
