//! The Fleet's Flagger plugin (`Fleet.spec.plugin.flagger`, kurator:
//! pkg/apis/fleet/v1alpha1/types.go, `FlaggerConfig`): the patch that asks Kurator to install
//! Flagger, what a Fleet asks for, and whether the rollouts aimed at the Fleet agree with it.
//! Kurator installs one provider per Fleet; a rollout with another provider renders Canaries
//! that Flagger in the members will never route.

use serde::Serialize;
use serde_json::{Value, json};

use crate::install::manifests::DEFAULT_FLAGGER_VERSION;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetPluginReport {
    pub fleet: String,
    /// `spec.plugin.flagger.trafficRoutingProvider`; None when the Fleet has no Flagger plugin.
    pub provider: Option<String>,
    pub public_testloader: bool,
    pub warnings: Vec<String>,
}

impl FleetPluginReport {
    pub fn has_flagger(&self) -> bool {
        self.provider.is_some()
    }
}

/// The merge patch that sets the Fleet's Flagger plugin: the provider, the public load tester,
/// the chart when not the default version (Kurator pins its own), Flagger's metrics server.
pub fn flagger_patch(provider: &str, testloader: bool, flagger_version: &str, metrics_server: Option<&str>) -> Value {
    let mut plugin = json!({"trafficRoutingProvider": provider, "publicTestloader": testloader});
    if flagger_version != DEFAULT_FLAGGER_VERSION {
        plugin["chart"] =
            json!({"repository": "oci://ghcr.io/fluxcd/charts", "name": "flagger", "version": flagger_version});
    }
    if let Some(server) = metrics_server {
        plugin["extraArgs"] = json!({"metricsServer": server});
    }
    json!({"spec": {"plugin": {"flagger": plugin}}})
}

/// The merge patch that removes the Fleet's Flagger plugin: Kurator's fleet manager then deletes
/// the plugin's Flux HelmReleases, which uninstalls Flagger from the members (kurator:
/// pkg/fleet-manager/fleet_plugin.go, `reconcilePluginResources`).
pub fn flagger_removal() -> Value {
    json!({"spec": {"plugin": {"flagger": null}}})
}

/// The report for a Fleet object and the Applications on the hub.
pub fn report(fleet_name: &str, fleet: &Value, applications: &[Value], want_testloader: bool) -> FleetPluginReport {
    let plugin = fleet.pointer("/spec/plugin/flagger");
    let provider = plugin.map(|p| {
        p.get("trafficRoutingProvider")
            .and_then(Value::as_str)
            .unwrap_or("istio")
            .to_string()
    });
    let public_testloader = plugin
        .and_then(|p| p.get("publicTestloader"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut warnings = Vec::new();
    if want_testloader && plugin.is_some() && !public_testloader {
        warnings.push(format!(
            "plugin.flagger.publicTestloader is off: Kurator deploys no shared load tester; set it with install --fleet {fleet_name} --testloader"
        ));
    }
    for app in applications {
        if app.pointer("/spec/destination/fleet").and_then(Value::as_str) != Some(fleet_name) {
            continue;
        }
        let app_name = app.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("?");
        let policies = app.pointer("/spec/syncPolicies").and_then(Value::as_array);
        for (i, policy) in policies.into_iter().flatten().enumerate() {
            let Some(rollout) = policy.get("rollout") else { continue };
            let wanted = rollout
                .get("trafficRoutingProvider")
                .and_then(Value::as_str)
                .unwrap_or("istio");
            match &provider {
                Some(p) if p != wanted => warnings.push(format!(
                    "Application {app_name} spec.syncPolicies[{i}].rollout uses provider {wanted}, but the Fleet's Flagger routes with {p}: change one of them"
                )),
                None => warnings.push(format!(
                    "Application {app_name} spec.syncPolicies[{i}] has a rollout, but the Fleet has no Flagger plugin"
                )),
                _ => {}
            }
        }
    }
    FleetPluginReport {
        fleet: fleet_name.to_string(),
        provider,
        public_testloader,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app(name: &str, fleet: &str, provider: &str) -> Value {
        json!({"metadata": {"name": name}, "spec": {"destination": {"fleet": fleet},
            "syncPolicies": [{"kustomization": {}}, {"rollout": {"trafficRoutingProvider": provider}}]}})
    }

    #[test]
    fn reports_the_plugin_and_warns_on_provider_mismatch() {
        let fleet =
            json!({"spec": {"plugin": {"flagger": {"trafficRoutingProvider": "istio", "publicTestloader": true}}}});
        let apps = [
            app("same", "quickstart", "istio"),
            app("other", "quickstart", "nginx"),
            app("elsewhere", "prod", "nginx"),
        ];
        let r = report("quickstart", &fleet, &apps, true);
        assert_eq!(r.provider.as_deref(), Some("istio"));
        assert!(r.public_testloader);
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("Application other spec.syncPolicies[1].rollout uses provider nginx"));
    }

    #[test]
    fn a_fleet_without_flagger_fails_and_rollouts_aimed_at_it_are_named() {
        let r = report(
            "quickstart",
            &json!({"spec": {}}),
            &[app("a", "quickstart", "istio")],
            false,
        );
        assert!(!r.has_flagger());
        assert!(r.warnings[0].contains("has no Flagger plugin"));
        let no_loader = json!({"spec": {"plugin": {"flagger": {"trafficRoutingProvider": "kuma"}}}});
        let r = report("quickstart", &no_loader, &[], true);
        assert!(r.warnings[0].contains("publicTestloader is off"));
    }
}
