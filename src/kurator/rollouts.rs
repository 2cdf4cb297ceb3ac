//! The rollouts a Kurator Application reports (pure): which member runs which Canary, with the
//! spec Kurator renders from the Application's rollout policy and the status Kurator mirrors
//! from the member.
//!
//! Kurator's `status.syncStatus[].rolloutStatus` carries only `clusterName`,
//! `rolloutNameInCluster` and the Canary's `status` (kurator-dev/kurator
//! pkg/apis/apps/v1alpha1/types.go, `RolloutStatus`): no weights, threshold, interval,
//! provider or suspension. Those come from the policy, which Kurator renders into every
//! member's Canary, replacing its whole spec on every reconcile (the Application's own change
//! triggers one at once, and one runs every 30 s) — so the policy is what the members' Canaries
//! carry, and nothing here falls back to a default Kurator or Flagger would not apply.

use serde_json::{Map, Value, json};

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// `generatePolicyName` (kurator pkg/fleet-manager/application/helper.go): the policy's name,
/// or `<application>-<index>`.
pub fn policy_name(app: &Value, index: usize) -> String {
    match text(app, &format!("/spec/syncPolicies/{index}/name")) {
        "" => format!("{}-{index}", text(app, "/metadata/name")),
        given => given.to_string(),
    }
}

/// `generatePolicyResourceName` (helper.go): `<policy>-<kind>-<cluster>`, lower-cased, cut at
/// 63 bytes; the name of the `syncStatus` entry that carries that member's rollout status.
pub fn policy_resource_name(policy: &str, cluster_kind: &str, cluster: &str) -> String {
    let mut name = format!("{policy}-{cluster_kind}-{cluster}").to_lowercase();
    name.truncate(63);
    name
}

/// The Fleet an Application goes to: `generateFleetKey` (helper.go) — the first policy's
/// destination fleet, else the Application's.
pub fn fleet_of(app: &Value) -> &str {
    match text(app, "/spec/syncPolicies/0/destination/fleet") {
        "" => text(app, "/spec/destination/fleet"),
        fleet => fleet,
    }
}

/// The policies that roll out, with their index.
fn rollout_policies(app: &Value) -> impl Iterator<Item = (usize, &Value)> {
    app.pointer("/spec/syncPolicies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, p)| p.get("rollout").filter(|r| !r.is_null()).map(|r| (i, r)))
}

/// The Canaries (namespace, name) an Application's policies roll out: Kurator names each after
/// its workload, in the workload's namespace (rollout_helper.go, `renderCanary`).
pub fn rolled_out_canaries(app: &Value) -> Vec<(String, String)> {
    rollout_policies(app)
        .map(|(_, r)| {
            (
                text(r, "/workload/namespace").to_string(),
                text(r, "/workload/name").to_string(),
            )
        })
        .collect()
}

/// The part of the Canary spec Kurator renders from a rollout policy that a status row shows:
/// `renderCanary` and `renderCanaryAnalysis` (rollout_helper.go). Kurator dereferences
/// `trafficRouting`, `trafficAnalysis`, `checkFailedTimes` and `checkIntervalSeconds` without a
/// nil check: a policy without them renders no Canary at all (the controller panics), so the
/// spec is unknown and the error says why.
pub fn rendered_canary_spec(rollout: &Value) -> Result<Value, String> {
    let policy = rollout.get("rolloutPolicy").cloned().unwrap_or(Value::Null);
    let required = |pointer: &str| {
        policy.pointer(pointer).filter(|v| !v.is_null()).ok_or_else(|| {
            format!(
                "its rolloutPolicy{} is missing (Kurator renders no Canary without it)",
                pointer.replace('/', ".")
            )
        })
    };
    let routing = required("/trafficRouting")?;
    let threshold = required("/trafficAnalysis/checkFailedTimes")?;
    let interval = required("/trafficAnalysis/checkIntervalSeconds")?
        .as_i64()
        .ok_or("its rolloutPolicy.trafficAnalysis.checkIntervalSeconds is not a number")?;
    let mut analysis = Map::new();
    analysis.insert("threshold".into(), threshold.clone());
    // Kurator writes `fmt.Sprintf("%d", seconds) + "s"`.
    analysis.insert("interval".into(), json!(format!("{interval}s")));
    for (from, to) in [("/analysisTimes", "iterations"), ("/match", "match")] {
        if let Some(v) = routing.pointer(from) {
            analysis.insert(to.into(), v.clone());
        }
    }
    for key in ["maxWeight", "stepWeight", "stepWeights", "stepWeightPromotion"] {
        if let Some(v) = routing.pointer(&format!("/canaryStrategy/{key}")) {
            analysis.insert(key.into(), v.clone());
        }
    }
    let switch = |key: &str| policy.get(key).and_then(Value::as_bool).unwrap_or(false);
    Ok(json!({
        "provider": text(rollout, "/trafficRoutingProvider"),
        "targetRef": {
            "apiVersion": text(rollout, "/workload/apiVersion"),
            "kind": text(rollout, "/workload/kind"),
            "name": text(rollout, "/workload/name"),
        },
        "skipAnalysis": switch("skipTrafficAnalysis"),
        "revertOnDeletion": switch("revertOnDeletion"),
        "suspend": switch("suspend"),
        "analysis": analysis,
    }))
}

/// One member's rollout as an Application reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRollout {
    /// Kurator's `clusterName`: the Fleet member.
    pub cluster: String,
    pub namespace: String,
    pub name: String,
    /// A Canary-shaped object (the policy's rendered spec, the mirrored status), or why the
    /// spec is unknown.
    pub canary: Result<Value, String>,
}

/// Every member rollout in an Application's status. Each `syncStatus` entry is tied to the
/// policy whose `generatePolicyResourceName` it carries (the first such policy, as Kurator's
/// `mergeMap` keeps the first claim); an entry no policy claims comes from a policy changed
/// since Kurator's last reconcile, so its spec is unknown.
pub fn member_rollouts(app: &Value) -> Vec<MemberRollout> {
    let policies: Vec<(String, &Value)> = rollout_policies(app).map(|(i, r)| (policy_name(app, i), r)).collect();
    let application = text(app, "/metadata/name");
    let entries = app.pointer("/status/syncStatus").and_then(Value::as_array);
    entries
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let status = entry.get("rolloutStatus")?;
            let cluster = text(status, "/clusterName").to_string();
            let name = text(status, "/rolloutNameInCluster").to_string();
            let entry_name = text(entry, "/name");
            let policy = policies.iter().find(|(policy, _)| {
                ["AttachedCluster", "Cluster"]
                    .iter()
                    .any(|kind| policy_resource_name(policy, kind, &cluster) == entry_name)
            });
            let Some((_, rollout)) = policy else {
                return Some(MemberRollout {
                    cluster,
                    namespace: String::new(),
                    name: name.clone(),
                    canary: Err(format!(
                        "no rollout policy of Application {application} matches its status entry {entry_name}: the policy changed since Kurator's last reconcile"
                    )),
                });
            };
            let namespace = text(rollout, "/workload/namespace").to_string();
            let canary = rendered_canary_spec(rollout)
                .map(|spec| {
                    json!({
                        "metadata": {"name": name, "namespace": namespace},
                        "spec": spec,
                        "status": status.get("rolloutStatusInCluster").cloned().unwrap_or(Value::Null),
                    })
                })
                .map_err(|e| format!("Application {application}, canary {namespace}/{name}: {e}"));
            Some(MemberRollout {
                cluster,
                namespace,
                name,
                canary,
            })
        })
        .collect()
}

/// What the positional NAME of `status` addresses: a Canary (as in every mode), or, in
/// kubectl's TYPE/NAME form, a Kurator Application or a Canary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressed {
    Canary(String),
    Application(String),
}

impl Addressed {
    /// Reads NAME or TYPE/NAME; TYPE as kubectl accepts it for these two kinds (singular,
    /// plural, or qualified by the group).
    pub fn parse(arg: &str) -> Result<Addressed, String> {
        let Some((kind, name)) = arg.split_once('/') else {
            return Ok(Addressed::Canary(arg.to_string()));
        };
        if name.is_empty() || name.contains('/') {
            return Err(format!("{arg}: expected NAME or TYPE/NAME"));
        }
        match kind.to_lowercase().as_str() {
            "application" | "applications" | "application.apps.kurator.dev" | "applications.apps.kurator.dev" => {
                Ok(Addressed::Application(name.to_string()))
            }
            "canary" | "canaries" | "canary.flagger.app" | "canaries.flagger.app" => {
                Ok(Addressed::Canary(name.to_string()))
            }
            _ => Err(format!(
                "{arg}: unknown type {kind}; name a Canary (NAME or canary/NAME) or, with --fleet, a Kurator Application (application/NAME)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> Value {
        json!({
            "metadata": {"name": "rollout-demo", "namespace": "default"},
            "spec": {"destination": {"fleet": "quickstart"}, "syncPolicies": [
                {"kustomization": {}},
                {"rollout": {"trafficRoutingProvider": "istio",
                    "workload": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo", "namespace": "test"},
                    "rolloutPolicy": {"suspend": true,
                        "trafficRouting": {"canaryStrategy": {"maxWeight": 50, "stepWeight": 10}},
                        "trafficAnalysis": {"checkIntervalSeconds": 90, "checkFailedTimes": 2}}}},
                {"name": "other", "rollout": {"workload": {"name": "web", "namespace": "shop"},
                    "rolloutPolicy": {"trafficRouting": {"analysisTimes": 5}}}},
            ]},
            "status": {"syncStatus": [
                {"name": "rollout-demo-kustomization"},
                {"name": "rollout-demo-1-attachedcluster-m1", "rolloutStatus": {"clusterName": "m1",
                    "rolloutNameInCluster": "podinfo", "rolloutStatusInCluster": {"phase": "Progressing", "canaryWeight": 20}}},
                {"name": "other-attachedcluster-m1", "rolloutStatus": {"clusterName": "m1",
                    "rolloutNameInCluster": "web", "rolloutStatusInCluster": {"phase": "Succeeded"}}},
                {"name": "gone-attachedcluster-m2", "rolloutStatus": {"clusterName": "m2",
                    "rolloutNameInCluster": "podinfo", "rolloutStatusInCluster": {"phase": "Succeeded"}}},
            ]},
        })
    }

    #[test]
    fn each_status_entry_gets_its_own_policys_spec() {
        let rollouts = member_rollouts(&app());
        assert_eq!(rollouts.len(), 3);
        let podinfo = rollouts[0].canary.as_ref().unwrap();
        assert_eq!(podinfo["metadata"], json!({"name": "podinfo", "namespace": "test"}));
        assert_eq!(podinfo["spec"]["provider"], "istio");
        assert_eq!(podinfo["spec"]["suspend"], true);
        assert_eq!(
            podinfo["spec"]["analysis"],
            json!({"maxWeight": 50, "stepWeight": 10, "threshold": 2, "interval": "90s"})
        );
        assert_eq!(podinfo["status"]["canaryWeight"], 20);
        // The second policy lacks trafficAnalysis: Kurator renders nothing, the spec is unknown.
        let web = &rollouts[1];
        assert_eq!((web.namespace.as_str(), web.name.as_str()), ("shop", "web"));
        let err = web.canary.as_ref().unwrap_err();
        assert!(
            err.contains("rolloutPolicy.trafficAnalysis.checkFailedTimes is missing"),
            "{err}"
        );
        // An entry no policy claims any more.
        assert!(
            rollouts[2]
                .canary
                .as_ref()
                .unwrap_err()
                .contains("gone-attachedcluster-m2")
        );
    }

    #[test]
    fn names_and_fleet_as_kurator_makes_them() {
        let a = app();
        assert_eq!(policy_name(&a, 1), "rollout-demo-1");
        assert_eq!(policy_name(&a, 2), "other");
        assert_eq!(fleet_of(&a), "quickstart");
        assert_eq!(policy_resource_name(&"p".repeat(70), "AttachedCluster", "m1").len(), 63);
        assert_eq!(
            rolled_out_canaries(&a),
            [
                ("test".to_string(), "podinfo".to_string()),
                ("shop".into(), "web".into())
            ]
        );
    }

    #[test]
    fn name_or_type_slash_name() {
        assert_eq!(Addressed::parse("podinfo"), Ok(Addressed::Canary("podinfo".into())));
        assert_eq!(
            Addressed::parse("application/rollout-demo"),
            Ok(Addressed::Application("rollout-demo".into()))
        );
        assert_eq!(
            Addressed::parse("Applications.apps.kurator.dev/x"),
            Ok(Addressed::Application("x".into()))
        );
        assert_eq!(
            Addressed::parse("canary/podinfo"),
            Ok(Addressed::Canary("podinfo".into()))
        );
        assert!(Addressed::parse("deployment/podinfo").is_err());
        assert!(Addressed::parse("application/").is_err());
    }
}
