//! One cluster's rollout policies: the facts rendering needs, the plan (render with the gates
//! kept from the live Canary, the load testers the hooks call, what the write does to a run
//! under way), and applying the rendered objects with server-side apply, with a result per
//! object; and the dry run that diffs against the live objects. A cluster is asked everything
//! the plan reads at once, then sent its writes at once (but for what must exist first), so an
//! unchanged apply is two round trips. `engine::policies` runs this across the fleet.

use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::Client;
use kube::api::Api;
use kube::api::{Patch, PatchParams};
use serde_json::Value;

use crate::config::Policy;
use crate::flagger::gates::LoadTester;
use crate::flagger::types::Canary;
use crate::fleet::ClusterError;
use crate::fleet::apply::{Change, api_for, apply_object_read, describe};
use crate::fleet::ownership::leftover_fields;
use crate::install::FIELD_MANAGER;
use crate::install::check::{
    FoundDeployment, labelled_load_testers, referenced_load_testers, unreachable_load_testers,
};
use crate::install::manifests::public_loadtester_name;
use crate::interrupt::{Interrupt, UNTOUCHED};
use crate::model::policy::{ObjectResult, content, run_under_way};
use crate::render::{ClusterFacts, GateChoice, RenderOptions, render};
use crate::view::diff::unified;

/// One policy made ready for one cluster, before anything is written there.
pub struct PlannedPolicy {
    pub policy: String,
    /// The objects to apply, in order, or why the policy cannot be applied in this cluster.
    pub objects: Result<Vec<Value>, String>,
    /// Each object's live state as the plan read it, in the order of `objects`: `None` when
    /// not read then (the write reads it on its way), `Some(None)` when it does not exist.
    pub live: Vec<Option<Option<Value>>>,
    /// The Canary's run under way and what writing the objects does to it (see
    /// [`run_change`]): empty when no run is under way or it stays as it is.
    pub run_change: Vec<String>,
    /// The run's phase, with a non-empty `run_change`.
    pub phase: String,
}

/// Reads what rendering needs, renders every policy with the gates asked for (absent ones kept
/// from the live Canary, see [`GateChoice::resolve`]), checks that the load testers its hooks
/// call exist, and says what the write would do to a run under way. Writes nothing.
pub async fn plan_policies(
    client: &Client,
    policies: &[Policy],
    naming: &ClusterNaming<'_>,
    gates: &GateChoice,
    force_conflicts: bool,
) -> Vec<PlannedPolicy> {
    let plans = policies
        .iter()
        .map(|policy| plan_policy(client, policy, naming, gates, force_conflicts));
    futures::future::join_all(plans)
        .await
        .into_iter()
        .zip(policies)
        .map(|(plan, policy)| match plan {
            Ok(p) => p,
            Err(e) => PlannedPolicy {
                policy: policy.name.clone(),
                objects: Err(e),
                live: Vec::new(),
                run_change: Vec::new(),
                phase: String::new(),
            },
        })
        .collect()
}

/// The cluster a plan is for: its context, and its name in load tester names.
pub struct ClusterNaming<'a> {
    pub context: &'a str,
    pub cluster_name: &'a str,
}

async fn plan_policy(
    client: &Client,
    policy: &Policy,
    naming: &ClusterNaming<'_>,
    gates: &GateChoice,
    force_conflicts: bool,
) -> Result<PlannedPolicy, String> {
    // Round trips are what a WAN link makes slow, so everything the plan reads goes out at
    // once: the facts, the live objects and the load testers the hooks call. Which objects a
    // policy writes, their names and the load testers they call do not depend on the facts
    // (only their content does), so a rendering without facts, every gate on, names them; what
    // it did not name is read on its way.
    let unread = ClusterFacts {
        cluster_name: naming.cluster_name.to_string(),
        ..Default::default()
    };
    let every_gate = RenderOptions {
        abort_gate: true,
        manual_promotion: true,
        manual_start: true,
        manual_steps: true,
    };
    let guessed: Vec<Value> = render(policy, &unread, &every_gate)
        .unwrap_or_default()
        .into_iter()
        .filter(|o| !read_as_fact(policy, o))
        .collect();
    let testers_guessed = called_load_testers(&guessed);
    let (facts, live_read, testers_read) = futures::join!(
        read_facts(client, policy, naming.cluster_name),
        futures::future::join_all(guessed.iter().map(|o| live_object(client, o))),
        futures::future::join_all(
            testers_guessed
                .iter()
                .map(|t| unreachable_load_testers(client, std::slice::from_ref(t)))
        ),
    );
    let facts = facts.map_err(|e| e.to_string())?;
    let read_of = |object: &Value| {
        guessed
            .iter()
            .position(|o| same_object(o, object))
            .map(|i| &live_read[i])
    };
    // The Canary's identity does not depend on the gates: render once to find it.
    let probe = render(policy, &facts, &RenderOptions::default()).map_err(|e| e.to_string())?;
    let canary = probe
        .iter()
        .find(|o| o["kind"] == "Canary")
        .cloned()
        .unwrap_or_default();
    // Its gates are kept: a Canary that could not be read fails the plan.
    let live = match read_of(&canary) {
        Some(read) => read.clone(),
        None => live_object(client, &canary).await,
    }
    .map_err(|e| e.to_string())?;
    let options = gates.resolve(live.as_ref().and_then(RenderOptions::recorded));
    let objects = render(policy, &facts, &options).map_err(|e| e.to_string())?;
    let pre_read: Vec<(LoadTester, Vec<String>)> =
        testers_guessed.into_iter().map(|(t, _)| t).zip(testers_read).collect();
    verify_load_testers(client, &objects, naming, &pre_read).await?;
    let live_objects = objects
        .iter()
        .map(|object| match kind(object) {
            _ if !read_as_fact(policy, object) => read_of(object).and_then(|r| r.as_ref().ok().cloned()),
            "Namespace" => Some(facts.namespace.clone()),
            _ => Some(facts.ingress.clone()),
        })
        .collect();
    let (mut run_change, mut phase) = (Vec::new(), String::new());
    if let Some(live) = live.as_ref().filter(|l| run_under_way(l).is_some())
        && let Some(rendered) = objects.iter().find(|o| o["kind"] == "Canary")
    {
        // What the server would store, so the plan describes the write that will happen.
        run_change = match dry_run_object(client, rendered, Some(Some(live)), force_conflicts).await {
            Ok((_, _, would)) => crate::model::policy::run_change(live, &would),
            // A field-manager conflict or an invalid object: the write fails the same way,
            // changes nothing, and its row says why (see `ClusterError::repeats_on_write`).
            Err(e) if e.repeats_on_write() => Vec::new(),
            // A timeout, a 5xx, a lost connection…: what the write does to the run is not
            // known, and it is asked about like a known change.
            Err(e) => vec![unknown_run_change(&e)],
        };
        phase = run_under_way(live).unwrap_or_default().to_string();
    }
    Ok(PlannedPolicy {
        policy: policy.name.clone(),
        objects: Ok(objects),
        live: live_objects,
        run_change,
        phase,
    })
}

/// The run change of a canary under way whose dry run failed for a reason the write may not
/// share.
fn unknown_run_change(error: &ClusterError) -> String {
    format!("could not dry-run the change of this canary mid-run ({error}): its effect on the run is unknown")
}

async fn live_object(client: &Client, obj: &Value) -> Result<Option<Value>, ClusterError> {
    let api = api_for(client, obj)?;
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let live = api
        .get_opt(name)
        .await
        .map_err(|e| ClusterError::from_kube(&e).with_object(&describe(obj)))?;
    Ok(live.and_then(|l| serde_json::to_value(l).ok()))
}

fn rendered_canaries(objects: &[Value]) -> Vec<Canary> {
    objects
        .iter()
        .filter(|o| o["kind"] == "Canary")
        .filter_map(|o| serde_json::from_value(o.clone()).ok())
        .collect()
}

/// The load testers the rendered hooks call, but for one the policy renders itself (it comes
/// with it).
fn called_load_testers(objects: &[Value]) -> Vec<(LoadTester, Vec<String>)> {
    let rendered_service = |t: &LoadTester| {
        objects.iter().any(|o| {
            o["kind"] == "Service" && o["metadata"]["name"] == t.service && o["metadata"]["namespace"] == t.namespace
        })
    };
    referenced_load_testers(&rendered_canaries(objects))
        .into_iter()
        .filter(|(t, _)| !rendered_service(t))
        .collect()
}

/// The load testers the rendered hooks call must be reachable as `check` judges them
/// ([`unreachable_load_testers`]); the public one's name derives from the cluster name, so a
/// renamed context makes the hooks point nowhere. `pre_read` holds the testers judged (and their
/// problems) with the plan's first reads; the others are judged now.
async fn verify_load_testers(
    client: &Client,
    objects: &[Value],
    naming: &ClusterNaming<'_>,
    pre_read: &[(LoadTester, Vec<String>)],
) -> Result<(), String> {
    let canaries = rendered_canaries(objects);
    let referenced = called_load_testers(objects);
    let (judged, unread): (Vec<_>, Vec<_>) = referenced
        .into_iter()
        .partition(|(t, _)| pre_read.iter().any(|(read, _)| read == t));
    let mut problems: Vec<String> = pre_read
        .iter()
        .filter(|(read, _)| judged.iter().any(|(t, _)| t == read))
        .flat_map(|(_, problems)| problems.iter().cloned())
        .collect();
    problems.extend(unreachable_load_testers(client, &unread).await);
    if problems.is_empty() {
        return Ok(());
    }
    // The URLs (without their gate paths) of the hooks that call an unreachable load tester.
    let mut urls: Vec<String> = Vec::new();
    for canary in &canaries {
        let own_ns = canary.metadata.namespace.clone().unwrap_or_default();
        for hook in canary.spec.analysis.webhooks.iter().flatten() {
            let Some(t) = LoadTester::from_hook(&hook.url, &own_ns) else {
                continue;
            };
            let prefix = format!("{}/{}:", t.namespace, t.service);
            if problems.iter().any(|p| p.starts_with(&prefix))
                && let Some((scheme, rest)) = hook.url.split_once("://")
            {
                urls.push(format!("{scheme}://{}/", rest.split('/').next().unwrap_or_default()));
            }
        }
    }
    urls.sort();
    urls.dedup();
    let found = labelled_load_testers(client).await.unwrap_or_default();
    Err(missing_load_tester(naming, &urls, &problems, &found))
}

/// Why the hooks point nowhere, and the fix: the cluster name a labelled load tester was
/// installed under (`--cluster-name CONTEXT=NAME`), else installing one.
fn missing_load_tester(
    naming: &ClusterNaming<'_>,
    urls: &[String],
    problems: &[String],
    found: &[FoundDeployment],
) -> String {
    let ClusterNaming { context, cluster_name } = naming;
    let mut text = format!(
        "cluster {context} (cluster name {cluster_name}): the Canary's webhooks call {}, which cannot be reached ({}); nothing of this policy was applied there",
        urls.join(", "),
        problems.join("; ")
    );
    let named: Vec<(String, &FoundDeployment)> = found
        .iter()
        .filter_map(|d| installed_for(d).map(|name| (name, d)))
        .collect();
    match (named.as_slice(), found) {
        // The very load tester the hooks call, not ready yet: another name would not help.
        ([(name, d), ..], _) if name == cluster_name => text.push_str(&format!(
            "; that is the load tester the hooks call, {}/{}: wait until it is ready (kubectl rollout status deployment/{} -n {} --context {context}) and re-run",
            d.namespace, d.name, d.name, d.namespace
        )),
        ([(name, d), ..], _) => text.push_str(&format!(
            "; a load tester was found by its labels, {}/{}, installed for cluster name {name}: re-run with --cluster-name {context}={name}",
            d.namespace, d.name
        )),
        ([], [d, ..]) => text.push_str(&format!(
            "; a load tester was found by its labels, {}/{}, but its name does not follow the cluster-name pattern: set testLoader: true in the policy, or install one with kubectl kurator-rollout install --context {context} --provider … --testloader",
            d.namespace, d.name
        )),
        ([], []) => text.push_str(&format!(
            "; no load tester was found by its labels: install one (kubectl kurator-rollout install --context {context} --provider … --testloader), or, if its context was renamed, re-run with --cluster-name {context}=NAME (the name it was installed under)"
        )),
    }
    text
}

/// The cluster name a public load tester Deployment was installed under, when its name follows
/// [`public_loadtester_name`].
fn installed_for(d: &FoundDeployment) -> Option<String> {
    let prefix = format!("{}-testloader-", d.namespace);
    let name = d.name.strip_prefix(&prefix)?.strip_suffix("-loadtester")?;
    (public_loadtester_name(&d.namespace, name) == d.name).then(|| name.to_string())
}

/// Writes what [`plan_policies`] made ready. A policy that could not be planned is reported
/// and not written; the other policies go on, all at once. An interrupt seen before the first
/// write leaves the cluster untouched; once writing has begun it runs to the end.
pub async fn write_planned(
    client: &Client,
    planned: &[PlannedPolicy],
    dry_run: bool,
    force_conflicts: bool,
    interrupt: &Interrupt,
) -> Vec<ObjectResult> {
    let untouched = !dry_run && interrupt.is_set();
    let writes = planned.iter().map(|p| async move {
        match &p.objects {
            Err(e) => vec![ObjectResult::failed(
                &p.policy,
                format!("policy {}", p.policy),
                e.clone(),
            )],
            Ok(_) if untouched => vec![ObjectResult::done(&p.policy, format!("policy {}", p.policy), UNTOUCHED)],
            Ok(objects) => {
                let objects: Vec<ToWrite> = objects
                    .iter()
                    .enumerate()
                    .map(|(i, object)| ToWrite {
                        object,
                        live: p.live.get(i).cloned().flatten(),
                    })
                    .collect();
                let mut rows = write_objects(client, &p.policy, &objects, dry_run, force_conflicts).await;
                if !p.run_change.is_empty()
                    && let Some(row) = rows
                        .iter_mut()
                        // A write that changed nothing did nothing to the run, whatever the
                        // plan could (not) tell.
                        .find(|r| r.object.starts_with("Canary ") && r.warning.is_none() && r.result != "unchanged")
                {
                    row.run_change = Some(p.run_change.join("; "));
                }
                rows
            }
        }
    });
    futures::future::join_all(writes).await.into_iter().flatten().collect()
}

/// A rendered object and its live state as the plan read it: `None` when not read then (it is
/// read on its way), `Some(None)` when it does not exist.
struct ToWrite<'a> {
    object: &'a Value,
    live: Option<Option<Value>>,
}

/// The workload's Namespace and the nginx Ingress are facts of rendering too: read once, as facts.
fn read_as_fact(policy: &Policy, obj: &Value) -> bool {
    let r = &policy.config;
    let name = obj.pointer("/metadata/name").and_then(Value::as_str);
    match kind(obj) {
        "Namespace" => name == Some(r.namespace()),
        "Ingress" => r.traffic_routing_provider == "nginx" && name == Some("nginx"),
        _ => false,
    }
}

fn kind(obj: &Value) -> &str {
    obj.pointer("/kind").and_then(Value::as_str).unwrap_or("")
}

fn same_object(a: &Value, b: &Value) -> bool {
    ["/apiVersion", "/kind", "/metadata/namespace", "/metadata/name"]
        .iter()
        .all(|p| a.pointer(p) == b.pointer(p))
}

/// Whether an object must be in place before the others are written: the Canary needs what it
/// refers to (its namespace's mesh injection, its MetricTemplates, Ingress and load tester) to
/// exist when Flagger first reads it. An object already there, as the rendering wants it for a
/// Namespace's labels, can be written alongside; one not read is taken to be new.
fn must_precede(to_write: &ToWrite<'_>) -> bool {
    match (kind(to_write.object), &to_write.live) {
        ("Canary", _) => false,
        ("CustomResourceDefinition", _) | (_, None) | (_, Some(None)) => true,
        ("Namespace", Some(Some(live))) => !metadata_in_place(to_write.object, live),
        _ => false,
    }
}

/// Whether every label and annotation the object sets already has that value live (pure).
fn metadata_in_place(object: &Value, live: &Value) -> bool {
    ["labels", "annotations"].iter().all(|field| {
        object
            .pointer(&format!("/metadata/{field}"))
            .and_then(Value::as_object)
            .is_none_or(|wanted| {
                wanted
                    .iter()
                    .all(|(k, v)| live.pointer(&format!("/metadata/{field}")).and_then(|m| m.get(k)) == Some(v))
            })
    })
}

/// Applies (or dry-runs) one policy's objects: first those the others need in place, one after
/// another in the rendered order, then the rest at once. After a failure among the first, the
/// rest are skipped. Fields other managers left in an object that change the rollout follow it
/// as warning rows.
async fn write_objects(
    client: &Client,
    policy: &str,
    objects: &[ToWrite<'_>],
    dry_run: bool,
    force_conflicts: bool,
) -> Vec<ObjectResult> {
    let mut results: Vec<Vec<ObjectResult>> = objects.iter().map(|_| Vec::new()).collect();
    let mut failed = false;
    for (i, to_write) in objects.iter().enumerate().filter(|(_, o)| must_precede(o)) {
        results[i] = if failed {
            vec![ObjectResult::done(policy, describe(to_write.object), "skipped")]
        } else {
            write_object(client, policy, to_write, dry_run, force_conflicts).await
        };
        failed |= results[i].iter().any(|r| r.error.is_some());
    }
    let rest: Vec<usize> = (0..objects.len()).filter(|&i| !must_precede(&objects[i])).collect();
    let written = futures::future::join_all(rest.iter().map(|&i| async move {
        if failed {
            vec![ObjectResult::done(policy, describe(objects[i].object), "skipped")]
        } else {
            write_object(client, policy, &objects[i], dry_run, force_conflicts).await
        }
    }))
    .await;
    for (i, rows) in rest.into_iter().zip(written) {
        results[i] = rows;
    }
    results.into_iter().flatten().collect()
}

/// Applies (or dry-runs) one object: its result row, and its warnings.
async fn write_object(
    client: &Client,
    policy: &str,
    to_write: &ToWrite<'_>,
    dry_run: bool,
    force_conflicts: bool,
) -> Vec<ObjectResult> {
    let obj = to_write.object;
    let live = to_write.live.as_ref().map(Option::as_ref);
    let outcome = if dry_run {
        dry_run_object(client, obj, live, force_conflicts).await
    } else {
        apply_object_read(client, obj, live, FIELD_MANAGER, force_conflicts)
            .await
            .map(|(c, live)| (c, None, live))
    };
    match outcome {
        Ok((change, diff, live)) => {
            let word = match (change, dry_run) {
                (Change::Created, false) => "created",
                (Change::Configured, false) => "configured",
                (Change::Created, true) => "would create",
                (Change::Configured, true) => "would configure",
                (Change::Unchanged, _) => "unchanged",
            };
            let mut rows = vec![ObjectResult {
                diff,
                ..ObjectResult::done(policy, describe(obj), word)
            }];
            rows.extend(leftover_warnings(policy, obj, &live));
            rows
        }
        Err(ClusterError::FieldConflicts { conflicts, .. }) => {
            // The object has its own column: the message names the fields and managers.
            let message = ClusterError::FieldConflicts {
                object: String::new(),
                conflicts,
            };
            vec![ObjectResult {
                result: "conflict".into(),
                ..ObjectResult::failed(policy, describe(obj), message.to_string())
            }]
        }
        Err(e) => vec![ObjectResult::failed(policy, describe(obj), e.to_string())],
    }
}

/// Fields other managers left in the applied object that change the rollout, as warning rows.
fn leftover_warnings(policy: &str, obj: &Value, live: &Value) -> Vec<ObjectResult> {
    leftover_fields(live, obj, FIELD_MANAGER)
        .into_iter()
        .map(|l| ObjectResult {
            warning: Some(format!(
                "{} is set by {} and not by this policy, and Flagger uses it too: {}",
                l.field,
                l.manager,
                crate::install::leftover_remedy(&l.manager)
            )),
            ..ObjectResult::done(policy, describe(obj), "warning")
        })
        .collect()
}

async fn dry_run_object(
    client: &Client,
    obj: &Value,
    read: Option<Option<&Value>>,
    force_conflicts: bool,
) -> Result<(Change, Option<String>, Value), ClusterError> {
    let api = api_for(client, obj)?;
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let context = |e: kube::Error| ClusterError::from_kube(&e).with_object(&describe(obj));
    let live = match read {
        Some(live) => live.cloned(),
        None => api
            .get_opt(name)
            .await
            .map_err(context)?
            .map(|l| serde_json::to_value(l).unwrap_or_default()),
    };
    let mut params = PatchParams::apply(FIELD_MANAGER).dry_run();
    params.force = force_conflicts;
    let would = api.patch(name, &params, &Patch::Apply(obj)).await.map_err(context)?;
    let before = live
        .as_ref()
        .map(|l| apimachinery::to_yaml(&content(l)))
        .unwrap_or_default();
    let after = apimachinery::to_yaml(&content(&serde_json::to_value(&would).unwrap_or_default()));
    let change = match &live {
        None => Change::Created,
        Some(_) if before == after => Change::Unchanged,
        Some(_) => Change::Configured,
    };
    let diff = (change != Change::Unchanged).then(|| {
        unified(
            &before,
            &after,
            &format!("{} (live)", describe(obj)),
            &format!("{} (applied)", describe(obj)),
        )
    });
    Ok((change, diff, serde_json::to_value(&would).unwrap_or_default()))
}

/// What rendering needs of one cluster: the workload's Service and Namespace must exist; the
/// shared nginx Ingress may. All three are read at once (a round trip each would add up on a
/// WAN link).
pub async fn read_facts(client: &Client, policy: &Policy, cluster_name: &str) -> Result<ClusterFacts, ClusterError> {
    let r = &policy.config;
    let ns = r.namespace();
    let kube_err = |e: kube::Error| ClusterError::from_kube(&e);
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let services: Api<Service> = Api::namespaced(client.clone(), ns);
    let ingresses: Api<Ingress> = Api::namespaced(client.clone(), ns);
    let nginx = r.traffic_routing_provider == "nginx";
    let (namespace, service, ingress) =
        futures::join!(namespaces.get_opt(ns), services.get_opt(&r.service_name), async {
            if nginx {
                ingresses.get_opt("nginx").await
            } else {
                Ok(None)
            }
        },);
    let Some(namespace) = namespace.map_err(kube_err)? else {
        return Err(ClusterError::Other(format!(
            "namespace {ns} not found (policy {}): create it and deploy {} there first",
            policy.name, r.workload.name
        )));
    };
    let Some(service) = service.map_err(kube_err)? else {
        return Err(ClusterError::Other(format!(
            "Service {ns}/{} not found (policy {}): deploy the workload and its Service before the rollout",
            r.service_name, policy.name
        )));
    };
    let ingress = ingress.map_err(kube_err)?.and_then(|i| serde_json::to_value(i).ok());
    Ok(ClusterFacts {
        cluster_name: cluster_name.to_string(),
        service: serde_json::to_value(service).ok(),
        namespace: serde_json::to_value(namespace).ok(),
        ingress,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{ClusterNaming, ToWrite, missing_load_tester, must_precede};
    use crate::install::check::{FoundDeployment, Installer};

    #[test]
    fn a_load_tester_not_ready_yet_is_waited_for_and_one_of_another_name_is_named() {
        let naming = ClusterNaming {
            context: "prod-eu",
            cluster_name: "member1",
        };
        let tester = |cluster: &str| FoundDeployment {
            namespace: "istio-system".into(),
            name: format!("istio-system-testloader-{cluster}-loadtester"),
            available: false,
            image: "ghcr.io/fluxcd/flagger-loadtester:0.34.0".into(),
            args: Vec::new(),
            installer: Installer::ThisTool,
        };
        let urls = ["http://istio-system-testloader-member1-loadtester.istio-system/".to_string()];
        let problems = ["istio-system/istio-system-testloader-member1-loadtester: no ready endpoint".to_string()];
        let same = missing_load_tester(&naming, &urls, &problems, &[tester("member1")]);
        assert!(same.contains("wait until it is ready"), "{same}");
        assert!(!same.contains("--cluster-name"), "{same}");
        let other = missing_load_tester(&naming, &urls, &problems, &[tester("old-name")]);
        assert!(other.contains("re-run with --cluster-name prod-eu=old-name"), "{other}");
    }

    fn to_write(object: &serde_json::Value, live: Option<Option<serde_json::Value>>) -> bool {
        must_precede(&ToWrite { object, live })
    }

    #[test]
    fn what_the_canary_needs_goes_first_only_when_it_is_not_in_place() {
        let canary = json!({"kind": "Canary", "metadata": {"name": "podinfo"}});
        let template = json!({"kind": "MetricTemplate", "metadata": {"name": "latency"}});
        let crd = json!({"kind": "CustomResourceDefinition", "metadata": {"name": "canaries.flagger.app"}});
        let namespace =
            json!({"kind": "Namespace", "metadata": {"name": "test", "labels": {"istio-injection": "enabled"}}});
        // The Canary never waits: it is what the others are written for.
        assert!(!to_write(&canary, None));
        assert!(!to_write(&canary, Some(None)));
        // A new object, or one whose state was not read, is written before the Canary.
        assert!(to_write(&template, Some(None)));
        assert!(to_write(&template, None));
        assert!(!to_write(&template, Some(Some(template.clone()))));
        // CRDs always come first.
        assert!(to_write(&crd, Some(Some(crd.clone()))));
        // A Namespace goes first until it carries the labels the rendering wants.
        let unlabelled = json!({"kind": "Namespace", "metadata": {"name": "test", "labels": {"a": "b"}}});
        assert!(to_write(&namespace, Some(Some(unlabelled))));
        let labelled = json!({"kind": "Namespace", "metadata": {"name": "test", "labels": {"a": "b", "istio-injection": "enabled"}}});
        assert!(!to_write(&namespace, Some(Some(labelled))));
    }
}
