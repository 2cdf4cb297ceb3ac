//! Whether a canary has a new revision Flagger has not picked up yet (pure), decided from the
//! cluster's own objects so that any process sees it — after a restart, and for releases
//! started by `kubectl set image`, a GitOps sync or this tool alike.
//!
//! Flagger notices a new revision only at its next analysis tick (fluxcd/flagger
//! pkg/controller/scheduler.go, `scheduleCanaries` runs `advanceCanary` every analysis
//! interval): until then the Canary still shows the previous run's phase. Its own test,
//! `HasTargetChanged` (pkg/canary/deployment_controller.go), compares a hash of the target's pod
//! template with `status.lastAppliedSpec`; that hash cannot be recomputed outside Go (it hashes
//! spew-printed structs), so this uses another sound signal: on promotion Flagger copies the
//! target's pod template into the `<target>-primary` Deployment (`DeploymentController.Promote`;
//! at initialisation `createPrimaryDeployment` does the same). While the phase is `Succeeded`
//! or `Initialized` the two templates therefore agree, up to what Flagger rewrites in the copy:
//!
//! - labels: the selector label's value gets `-primary` (`makePrimaryLabels`), and labels and
//!   annotations containing `toolkit.fluxcd.io` are dropped;
//! - annotations: `flagger-id` is a fresh UUID on every promotion (`makeAnnotations`);
//! - tracked ConfigMaps and Secrets are referenced as `<name>-primary`
//!   (`ConfigTracker.ApplyPrimaryConfigs`, pkg/canary/config_tracker.go);
//! - the affinity's and topology spread constraints' label selectors get `-primary`
//!   (`getPrimaryDeploymentTemplateSpec`).
//!
//! Everything else of the pod template is compared as it is. A target that differs from its
//! primary in a `Succeeded`/`Initialized` canary is a revision Flagger has not started yet.
//! Not seen this way: a new revision of a `Failed` canary (its primary keeps the old template
//! by design) and a changed ConfigMap or Secret alone (`HaveDependenciesChanged`); for those,
//! `status --watch --wait-for-start` waits for the run to begin.

use serde_json::{Map, Value};

/// The phase a row shows while its new revision waits for Flagger.
pub const PENDING_PHASE: &str = "Pending";

/// What such a row says.
pub const PENDING_MESSAGE: &str = "new revision not yet picked up by Flagger";

/// Flagger's marker of its own toolkit labels and annotations (pkg/canary/util.go,
/// `toolkitMarker`), which it leaves out of the primary.
const TOOLKIT_MARKER: &str = "toolkit.fluxcd.io";

/// What the pending test needs of a Deployment's pod template, kept in place of the Deployment by a
/// watch of a thousand clusters (a template as a `Value` is tens of kilobytes): a print of the
/// template as it is, and one of its [`comparable`] form. A print is a 64-bit hash of the
/// value's JSON text, which is canonical (serde_json's map keeps its keys sorted); two templates
/// with one print are taken as equal, wrong once in 2^64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplatePrint {
    pub template: u64,
    pub comparable: u64,
}

/// The prints of the Deployment's `spec.template`; None without one.
pub fn template_print(deployment: &Value) -> Option<TemplatePrint> {
    let template = deployment.pointer("/spec/template")?;
    Some(TemplatePrint {
        template: print(template),
        comparable: print(&comparable(template)),
    })
}

fn print(value: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    value.to_string().hash(&mut hasher);
    hasher.finish()
}

/// Whether a canary in `phase`, whose target Deployment's template has the prints `target`
/// and whose primary's has `primary`, has a revision Flagger has not picked up. Without both
/// templates nothing can be said (the caller has no prints): not pending.
pub fn pending_between(phase: &str, target: &TemplatePrint, primary: &TemplatePrint) -> bool {
    matches!(phase, "Succeeded" | "Initialized") && target.comparable != primary.comparable
}

/// A pod template with what Flagger rewrites in the primary's copy taken out or undone.
fn comparable(template: &Value) -> Value {
    let mut spec = template.get("spec").cloned().unwrap_or(Value::Null);
    if let Some(spec) = spec.as_object_mut() {
        spec.remove("affinity");
        spec.remove("topologySpreadConstraints");
    }
    strip_config_suffix(&mut spec);
    let annotations: Map<String, Value> = template
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "flagger-id" && !k.contains(TOOLKIT_MARKER))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // The labels' values lose `-primary` (the selector label's is rewritten; which one that
    // is depends on Flagger's `-selector-labels`).
    let labels: Map<String, Value> = template
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(k, _)| !k.contains(TOOLKIT_MARKER))
        .map(|(k, v)| (k.clone(), Value::from(without_primary(v.as_str().unwrap_or("")))))
        .collect();
    serde_json::json!({"spec": spec, "annotations": annotations, "labels": labels})
}

fn without_primary(name: &str) -> &str {
    name.strip_suffix("-primary").unwrap_or(name)
}

/// Undoes `ApplyPrimaryConfigs`: every ConfigMap or Secret reference loses a `-primary` suffix.
fn strip_config_suffix(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let reference = matches!(
                    key.as_str(),
                    "configMap" | "secret" | "configMapRef" | "secretRef" | "configMapKeyRef" | "secretKeyRef"
                );
                if reference && let Value::Object(r) = child {
                    for field in ["name", "secretName"] {
                        if let Some(Value::String(name)) = r.get_mut(field) {
                            *name = without_primary(name).to_string();
                        }
                    }
                }
                strip_config_suffix(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_config_suffix),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The test on whole Deployments, as `FleetState` makes it from what it keeps of them.
    fn pending_revision(phase: &str, target: &Value, primary: &Value) -> bool {
        match (template_print(target), template_print(primary)) {
            (Some(t), Some(p)) => pending_between(phase, &t, &p),
            _ => false,
        }
    }

    fn deployment(image: &str, app: &str, extra_annotations: Value) -> Value {
        let mut annotations = json!({"kubectl.kubernetes.io/restartedAt": "t1"});
        if let (Some(a), Some(extra)) = (annotations.as_object_mut(), extra_annotations.as_object()) {
            a.extend(extra.clone());
        }
        json!({"spec": {"template": {
            "metadata": {"labels": {"app": app}, "annotations": annotations},
            "spec": {"containers": [{"name": "podinfod", "image": image,
                "envFrom": [{"configMapRef": {"name": if app.ends_with("-primary") { "env-primary" } else { "env" }}}]}],
                "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": {"app": app}}}]}}}}}})
    }

    #[test]
    fn a_promoted_copy_is_not_pending() {
        let target = deployment("podinfo:1", "podinfo", json!({"fluxcd.io/x": "y"}));
        let primary = deployment(
            "podinfo:1",
            "podinfo-primary",
            json!({"flagger-id": "9c1f", "fluxcd.io/x": "y"}),
        );
        assert!(!pending_revision("Succeeded", &target, &primary));
        assert!(!pending_revision("Initialized", &target, &primary));
    }

    #[test]
    fn a_new_image_or_restart_is_pending_after_a_finished_run() {
        let primary = deployment("podinfo:1", "podinfo-primary", json!({"flagger-id": "9c1f"}));
        let new_image = deployment("podinfo:2", "podinfo", json!({}));
        assert!(pending_revision("Succeeded", &new_image, &primary));
        assert!(pending_revision("Initialized", &new_image, &primary));
        let restarted = deployment(
            "podinfo:1",
            "podinfo",
            json!({"kubectl.kubernetes.io/restartedAt": "t2"}),
        );
        assert!(pending_revision("Succeeded", &restarted, &primary));
    }

    #[test]
    fn only_a_finished_run_with_both_templates_can_be_pending() {
        let primary = deployment("podinfo:1", "podinfo-primary", json!({}));
        let target = deployment("podinfo:2", "podinfo", json!({}));
        // A run under way has picked it up; a Failed canary's primary keeps the old template.
        for phase in ["Progressing", "WaitingPromotion", "Failed", "Initializing", ""] {
            assert!(!pending_revision(phase, &target, &primary), "{phase}");
        }
        assert!(!pending_revision("Succeeded", &target, &Value::Null));
        assert!(!pending_revision("Succeeded", &Value::Null, &primary));
    }
}
