//! What Kurator will really render for a rollout policy (pure): which of its known rendering
//! defects (reference/kurator-rollout.md §3.11, kurator-dev/kurator
//! `pkg/fleet-manager/application/rollout_helper.go`) a policy triggers, what Kurator writes
//! instead of what this tool renders, and what Flagger then does with it. Under `--fleet` the
//! hub's Kurator renders the Canaries, not this tool, so these are the differences a user meets.

use serde::Serialize;
use serde_json::{Value, json};

use super::model::RolloutConfig;

/// What is known about the Fleet the policy goes to (None: not known, e.g. in `lint`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FleetFacts {
    /// `spec.plugin.flagger.publicTestloader` of the destination Fleet.
    pub public_testloader: Option<bool>,
}

/// One defect a policy triggers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KuratorDefect {
    /// Stable identifier (`timeout-0s`, `canary-name-mismatch`, …).
    pub id: &'static str,
    /// The policy field that triggers it, relative to the rollout block.
    pub path: String,
    /// What Kurator renders instead of what this tool would.
    pub kurator_renders: String,
    /// What Flagger (or Kurator itself) then does.
    pub consequence: String,
    pub fix: String,
    /// Where in the Canary Kurator writes it (a JSON pointer) and the value it writes there,
    /// when the defect shows in the Canary (`None` value: the field is absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary_field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kurator_value: Option<Value>,
}

impl KuratorDefect {
    /// One line for humans: what Kurator renders, then what happens.
    pub fn summary(&self) -> String {
        format!("{}; {}", self.kurator_renders, self.consequence)
    }
}

fn pointer_key(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The defects `r` triggers under Kurator, in the order Kurator meets them.
pub fn kurator_defects(r: &RolloutConfig, fleet: &FleetFacts) -> Vec<KuratorDefect> {
    let mut out = Vec::new();
    let provider = r.traffic_routing_provider.as_str();
    let policy = &r.rollout_policy;
    let routing = policy.traffic_routing.as_ref();
    let analysis = policy.traffic_analysis.as_ref();
    let ns = r.namespace();

    // Nil pointers Go dereferences (renderCanaryAnalysis): the controller panics on every pass.
    // (Missing trafficRouting / trafficAnalysis / check fields are already errors of `validate`.)
    if let Some(a) = analysis {
        for (i, m) in a.metrics.iter().flatten().enumerate() {
            if m.interval_seconds.is_none() {
                out.push(KuratorDefect {
                    id: "nil-metric-interval",
                    path: format!("rolloutPolicy.trafficAnalysis.metrics[{i}].intervalSeconds"),
                    kurator_renders: "nothing: Kurator's controller dereferences the unset intervalSeconds and panics".into(),
                    consequence: "every reconcile of the Application fails, so none of its rollouts reach any member and its status is never refreshed (this tool would default it to 60s)".into(),
                    fix: "set intervalSeconds (e.g. 60)".into(),
                    canary_field: None,
                    kurator_value: None,
                });
            }
        }
        if let Some(w) = &a.webhooks
            && w.command.as_ref().is_some_and(|c| !c.is_empty())
            && w.timeout_seconds.is_none()
        {
            out.push(KuratorDefect {
                id: "nil-webhook-timeout",
                path: "rolloutPolicy.trafficAnalysis.webhooks.timeoutSeconds".into(),
                kurator_renders: "nothing: Kurator's controller dereferences the unset webhooks.timeoutSeconds and panics".into(),
                consequence: "every reconcile of the Application fails, so none of its rollouts reach any member and its status is never refreshed (this tool would default it to 60s)".into(),
                fix: "set webhooks.timeoutSeconds (e.g. 60)".into(),
                canary_field: None,
                kurator_value: None,
            });
        }
    }

    // renderCanary names the Canary after the workload; the sync looks it up by serviceName.
    if r.service_name != r.workload.name && !r.service_name.is_empty() {
        out.push(KuratorDefect {
            id: "canary-name-mismatch",
            path: "serviceName".into(),
            kurator_renders: format!(
                "Canary {ns}/{} (named after the workload), but Kurator looks it up as {ns}/{}",
                r.workload.name, r.service_name
            ),
            consequence: "from the second reconcile on Kurator's Create fails with AlreadyExists: later changes of this Application (pause, resume, new weights) never reach the members, Application.status keeps its first snapshot, and deleting the Application leaves the Canary behind; Flagger keeps running the Canary as first written".into(),
            fix: format!("rename the Service to {} or set serviceName to the workload's name", r.workload.name),
            canary_field: Some("/metadata/name".into()),
            kurator_value: Some(json!(r.workload.name)),
        });
    }

    // renderCanaryService: the timeout is always written. Flagger's Istio router copies
    // spec.service.timeout into every HTTP route (fluxcd/flagger pkg/router/istio.go,
    // reconcileVirtualService); no other provider Kurator supports reads it.
    if routing.is_some_and(|t| t.timeout_seconds.unwrap_or(0) == 0) {
        out.push(KuratorDefect {
            id: "timeout-0s",
            path: "rolloutPolicy.trafficRouting.timeoutSeconds".into(),
            kurator_renders: "spec.service.timeout \"0s\" (timeoutSeconds is unset; this tool leaves timeout out)".into(),
            consequence: if provider == "istio" {
                "Flagger copies it to the VirtualService routes as timeout: 0s, which Istio treats as no timeout: requests to primary and canary never time out at the mesh".into()
            } else {
                format!("Flagger ignores spec.service.timeout for {provider}, so nothing changes in routing")
            },
            fix: "set trafficRouting.timeoutSeconds (e.g. 60)".into(),
            canary_field: Some("/spec/service/timeout".into()),
            kurator_value: Some(json!("0s")),
        });
    }

    // renderCanaryService (kuma): the protocol annotation hard-codes podinfo's port.
    if provider == "kuma" && r.port != 9898 {
        out.push(KuratorDefect {
            id: "kuma-protocol-port",
            path: "port".into(),
            kurator_renders: format!(
                "the annotation 9898.service.kuma.io/protocol on the apex, primary and canary Services instead of {}.service.kuma.io/protocol",
                r.port
            ),
            consequence: format!(
                "Flagger copies it to the Services, where Kuma ignores it for port {}: the port is taken for plain TCP, so HTTP routing and HTTP metrics do not apply to it",
                r.port
            ),
            fix: "serve the workload on port 9898, or use a Kuma MeshService/appProtocol to set the protocol".into(),
            canary_field: Some(format!(
                "/spec/service/apex/annotations/{}",
                pointer_key("9898.service.kuma.io/protocol")
            )),
            kurator_value: Some(json!(
                routing.and_then(|t| t.protocol.clone()).unwrap_or_else(|| "http".into())
            )),
        });
    }

    // renderCanaryService never reads primary/preview.
    for (field, canary) in [("primary", &r.primary), ("preview", &r.preview)] {
        if canary.is_some() {
            let flagger = if field == "primary" { "primary" } else { "canary" };
            out.push(KuratorDefect {
                id: "metadata-dropped",
                path: field.into(),
                kurator_renders: format!("no spec.service.{flagger}: Kurator drops the {field} labels and annotations"),
                consequence: format!(
                    "Flagger creates the -{flagger} Service without them{}",
                    if provider == "kuma" {
                        " (only the kuma protocol annotation)"
                    } else {
                        ""
                    }
                ),
                fix: format!("label the -{flagger} Service yourself, or drop {field}"),
                canary_field: (provider != "kuma").then(|| format!("/spec/service/{flagger}")),
                kurator_value: None,
            });
        }
    }

    // renderCanaryAnalysis: the private load tester URL uses serviceName.
    let commands = analysis
        .and_then(|a| a.webhooks.as_ref())
        .and_then(|w| w.command.as_ref())
        .is_some_and(|c| !c.is_empty());
    if commands && r.test_loader == Some(true) && r.service_name != r.workload.name {
        let url = format!("http://{}-testloader.{ns}/", r.service_name);
        out.push(KuratorDefect {
            id: "private-testloader-url",
            path: "testLoader".into(),
            kurator_renders: format!(
                "webhook URLs {url}, but the load tester it installs is {}-testloader",
                r.workload.name
            ),
            consequence: "Flagger's rollout webhooks cannot reach it: every check fails and the canary rolls back after checkFailedTimes".into(),
            fix: "give the Service the workload's name".into(),
            canary_field: Some("/spec/analysis/webhooks/0/url".into()),
            kurator_value: Some(json!(url)),
        });
    }
    if commands && r.test_loader != Some(true) && fleet.public_testloader == Some(false) {
        out.push(KuratorDefect {
            id: "public-testloader-missing",
            path: "testLoader".into(),
            kurator_renders: "webhooks calling the Fleet's public load tester <namespace>-testloader-<cluster>-loadtester, which the Fleet does not install (plugin.flagger.publicTestloader is off)".into(),
            consequence: "Flagger's rollout webhooks fail: every check fails and the canary rolls back after checkFailedTimes".into(),
            fix: "set testLoader: true, or turn on the Fleet's public load tester (install --fleet … --testloader)".into(),
            canary_field: None,
            kurator_value: None,
        });
    }

    // The annotation map shared with the Ingress (nginx) and created namespaces (kuma).
    if provider == "nginx" {
        out.push(KuratorDefect {
            id: "nginx-rules-pile-up",
            path: "rolloutPolicy.trafficRouting.host".into(),
            kurator_renders: "one more identical rule for this host on Ingress nginx at every reconcile (every 30 s), and the annotation kubernetes.io/ingress.class: nginx on the Canary too".into(),
            consequence: "the Ingress grows without bound and Flagger copies every rule into nginx-canary; routing stays the same".into(),
            fix: "none in the policy: prune the duplicate rules now and then, or manage the Ingress yourself".into(),
            canary_field: Some(format!("/metadata/annotations/{}", pointer_key("kubernetes.io/ingress.class"))),
            kurator_value: Some(json!("nginx")),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::*;

    fn policy() -> RolloutConfig {
        RolloutConfig {
            test_loader: Some(false),
            traffic_routing_provider: "istio".into(),
            workload: Workload {
                api_version: Some("apps/v1".into()),
                kind: Some("Deployment".into()),
                name: "podinfo".into(),
                namespace: Some("test".into()),
            },
            service_name: "podinfo".into(),
            port: 9898,
            primary: None,
            preview: None,
            rollout_policy: RolloutPolicy {
                traffic_routing: Some(TrafficRouting {
                    timeout_seconds: Some(60),
                    canary_strategy: Some(CanaryStrategy {
                        max_weight: Some(50),
                        step_weight: Some(10),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                traffic_analysis: Some(TrafficAnalysis {
                    check_interval_seconds: Some(30),
                    check_failed_times: Some(2),
                    metrics: Some(vec![Metric {
                        name: "request-success-rate".into(),
                        interval_seconds: Some(60),
                        ..Default::default()
                    }]),
                    webhooks: Some(Webhooks {
                        timeout_seconds: Some(60),
                        command: Some(vec!["hey".into()]),
                    }),
                    session_affinity: None,
                }),
                ..Default::default()
            },
        }
    }

    fn ids(r: &RolloutConfig, fleet: &FleetFacts) -> Vec<&'static str> {
        kurator_defects(r, fleet).iter().map(|d| d.id).collect()
    }

    #[test]
    fn a_clean_policy_triggers_nothing() {
        assert!(ids(&policy(), &FleetFacts::default()).is_empty());
    }

    #[test]
    fn an_unset_timeout_becomes_0s() {
        let mut r = policy();
        r.rollout_policy.traffic_routing.as_mut().unwrap().timeout_seconds = None;
        let d = kurator_defects(&r, &FleetFacts::default());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].id, "timeout-0s");
        assert_eq!(d[0].canary_field.as_deref(), Some("/spec/service/timeout"));
        assert_eq!(d[0].kurator_value, Some(json!("0s")));
        assert!(d[0].consequence.contains("Istio treats as no timeout"), "{d:?}");
        r.traffic_routing_provider = "nginx".into();
        r.rollout_policy.traffic_routing.as_mut().unwrap().host = Some("a.example.com".into());
        let d = kurator_defects(&r, &FleetFacts::default());
        assert!(d[0].consequence.contains("ignores"), "{d:?}");
        assert_eq!(d[1].id, "nginx-rules-pile-up");
    }

    #[test]
    fn a_service_named_otherwise_than_the_workload() {
        let mut r = policy();
        r.service_name = "podinfo-svc".into();
        r.test_loader = Some(true);
        let d = kurator_defects(&r, &FleetFacts::default());
        let found: Vec<&str> = d.iter().map(|d| d.id).collect();
        assert_eq!(found, vec!["canary-name-mismatch", "private-testloader-url"]);
        assert_eq!(d[0].kurator_value, Some(json!("podinfo")));
        assert_eq!(d[1].kurator_value, Some(json!("http://podinfo-svc-testloader.test/")));
    }

    #[test]
    fn nil_durations_crash_kurator() {
        let mut r = policy();
        let a = r.rollout_policy.traffic_analysis.as_mut().unwrap();
        a.metrics.as_mut().unwrap()[0].interval_seconds = None;
        a.webhooks.as_mut().unwrap().timeout_seconds = None;
        assert_eq!(
            ids(&r, &FleetFacts::default()),
            vec!["nil-metric-interval", "nil-webhook-timeout"]
        );
    }

    #[test]
    fn kuma_metadata_and_the_public_load_tester() {
        let mut r = policy();
        r.traffic_routing_provider = "kuma".into();
        r.port = 8080;
        r.rollout_policy.traffic_routing.as_mut().unwrap().protocol = Some("http".into());
        r.primary = Some(CustomMetadata::default());
        let d = kurator_defects(
            &r,
            &FleetFacts {
                public_testloader: Some(false),
            },
        );
        let found: Vec<&str> = d.iter().map(|d| d.id).collect();
        assert_eq!(
            found,
            vec!["kuma-protocol-port", "metadata-dropped", "public-testloader-missing"]
        );
        assert_eq!(
            d[0].canary_field.as_deref(),
            Some("/spec/service/apex/annotations/9898.service.kuma.io~1protocol")
        );
        assert!(
            ids(
                &r,
                &FleetFacts {
                    public_testloader: Some(true)
                }
            )
            .iter()
            .all(|id| *id != "public-testloader-missing")
        );
    }
}
