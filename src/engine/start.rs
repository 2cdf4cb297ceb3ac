//! Triggering a new release of a canary in one cluster: a new image or a restart annotation on
//! the target's pod template, refused mid-run unless forced.

use crate::model::canary::RunMark;
use k8s_openapi::api::apps::v1::Deployment;
use kube::Client;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use crate::fleet::ClusterError;
use crate::fleet::apply::resource_of;
use crate::fleet::conflict::redo_on_conflict;
use crate::install::FIELD_MANAGER;
use crate::interrupt::Interrupt;
use crate::model::canary::is_running;

#[derive(Debug, Clone, Default)]
pub struct StartPlan {
    pub images: Vec<(String, String)>,
    pub restart: bool,
    pub force: bool,
    /// Extra pod-template annotations in the same change (the demo marks a release to fail).
    pub annotations: Vec<(String, String)>,
}

/// What was started, and how the canary looked before (to tell the new run from the old).
#[derive(Debug, Clone)]
pub struct Started {
    pub action: String,
    pub baseline: RunMark,
}

pub const RESTART_ANNOTATION: &str = "kubectl.kubernetes.io/restartedAt";

pub async fn get_canary(client: &Client, namespace: &str, name: &str) -> Result<Value, ClusterError> {
    let (resource, _) =
        resource_of("flagger.app/v1beta1", "Canary").ok_or_else(|| ClusterError::Other("no Canary kind".into()))?;
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
    match api.get_opt(name).await {
        Ok(Some(c)) => Ok(serde_json::to_value(c).unwrap_or_default()),
        Ok(None) => Err(ClusterError::Other(format!(
            "canary {namespace}/{name} not found: apply a rollout policy first (kubectl kurator-rollout apply -f …)"
        ))),
        Err(kube::Error::Api(s)) if s.code == 404 => Err(ClusterError::Other(
            "the Canary CRD is not installed: run kubectl kurator-rollout install".into(),
        )),
        Err(e) => Err(ClusterError::from_kube(&e)),
    }
}

/// Splits `count` clusters into waves of `size` (`N` or `P%`, at least one per wave) (pure).
pub fn waves(count: usize, size: Option<&str>) -> Result<Vec<Vec<usize>>, String> {
    let per_wave = match size {
        None => count.max(1),
        Some(text) => {
            let n = if let Some(p) = text.strip_suffix('%') {
                let percent: f64 = p.parse().map_err(|_| format!("--wave-size {text}: use N or P%"))?;
                if !(0.0..=100.0).contains(&percent) || percent == 0.0 {
                    return Err(format!("--wave-size {text}: a percentage between 1 and 100"));
                }
                ((count as f64) * percent / 100.0).ceil() as usize
            } else {
                text.parse::<usize>()
                    .map_err(|_| format!("--wave-size {text}: use N or P%"))?
            };
            if n == 0 {
                return Err("--wave-size must be at least 1".into());
            }
            n
        }
    };
    Ok((0..count)
        .collect::<Vec<_>>()
        .chunks(per_wave.max(1))
        .map(|c| c.to_vec())
        .collect())
}

/// The strategic merge patch that sets the images (pure). Errors name the containers there are.
pub fn image_patch(deployment: &Value, images: &[(String, String)]) -> Result<(Value, Vec<String>), String> {
    let spec = deployment.pointer("/spec/template/spec").cloned().unwrap_or(json!({}));
    let list = |field: &str| spec.get(field).and_then(Value::as_array).cloned().unwrap_or_default();
    let (containers, inits) = (list("containers"), list("initContainers"));
    let mut patch_containers = Vec::new();
    let mut patch_inits = Vec::new();
    let mut changes = Vec::new();
    for (container, image) in images {
        let mut matched = false;
        for (field, items, out) in [
            ("containers", &containers, &mut patch_containers),
            ("initContainers", &inits, &mut patch_inits),
        ] {
            for c in items.iter() {
                let name = c["name"].as_str().unwrap_or("");
                if container == "*" || container == name {
                    matched = true;
                    if c["image"].as_str() != Some(image) {
                        changes.push(format!("{name}={image}"));
                    }
                    out.push(json!({"name": name, "image": image}));
                }
            }
            let _ = field;
        }
        if !matched {
            let names: Vec<&str> = containers
                .iter()
                .chain(inits.iter())
                .filter_map(|c| c["name"].as_str())
                .collect();
            return Err(format!("no container {container} (containers: {})", names.join(", ")));
        }
    }
    let mut template_spec = json!({});
    if !patch_containers.is_empty() {
        template_spec["containers"] = json!(patch_containers);
    }
    if !patch_inits.is_empty() {
        template_spec["initContainers"] = json!(patch_inits);
    }
    Ok((json!({"spec": {"template": {"spec": template_spec}}}), changes))
}

/// Starts a release: reads the Canary and its target, decides, and patches the target with the
/// resourceVersion it was decided from; a conflict is redone from a fresh read.
/// With `interrupt`, a raised flag after the reads ends it untouched ([`ClusterError::Interrupted`]).
pub async fn start_release(
    client: &Client,
    namespace: &str,
    name: &str,
    plan: &StartPlan,
    interrupt: Option<&Interrupt>,
) -> Result<Started, ClusterError> {
    redo_on_conflict(|_| start_once(client, namespace, name, plan, interrupt)).await
}

async fn start_once(
    client: &Client,
    namespace: &str,
    name: &str,
    plan: &StartPlan,
    interrupt: Option<&Interrupt>,
) -> Result<Started, ClusterError> {
    let canary = get_canary(client, namespace, name).await?;
    let phase = canary.pointer("/status/phase").and_then(Value::as_str).unwrap_or("");
    if is_running(phase) && !plan.force {
        let weight = canary
            .pointer("/status/canaryWeight")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        return Err(ClusterError::Other(format!(
            "refused: a run is under way ({phase}, weight {weight}); a new revision would restart its analysis. Wait for it to end or pass --force"
        )));
    }
    let target = canary
        .pointer("/spec/targetRef/name")
        .and_then(Value::as_str)
        .unwrap_or(name)
        .to_string();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), namespace);
    let Some(deployment) = deployments
        .get_opt(&target)
        .await
        .map_err(|e| ClusterError::from_kube(&e))?
    else {
        return Err(ClusterError::Other(format!(
            "the canary's target Deployment {namespace}/{target} is missing"
        )));
    };
    let read_version = deployment.metadata.resource_version.clone();
    let deployment = serde_json::to_value(deployment).unwrap_or_default();
    let (mut patch, changes) = image_patch(&deployment, &plan.images)
        .map_err(|e| ClusterError::Other(format!("Deployment {namespace}/{target}: {e}")))?;
    let mut actions = Vec::new();
    if !changes.is_empty() {
        actions.push(format!("image {}", changes.join(",")));
    }
    for (key, value) in &plan.annotations {
        patch["spec"]["template"]["metadata"]["annotations"][key] = json!(value);
    }
    if plan.restart {
        let now = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        patch["spec"]["template"]["metadata"]["annotations"][RESTART_ANNOTATION] = json!(now);
        actions.push(format!("restart at {now}"));
    }
    if actions.is_empty() {
        return Err(ClusterError::Other(format!(
            "nothing to start: {namespace}/{target} already runs those images; pass --restart to run the same spec again"
        )));
    }
    // The decision above (which images change, whether anything does) holds only for the
    // version read: the API server refuses the patch with 409 if the Deployment moved on.
    patch["metadata"]["resourceVersion"] = json!(read_version);
    if interrupt.is_some_and(Interrupt::is_set) {
        return Err(ClusterError::Interrupted);
    }
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..Default::default()
    };
    deployments
        .patch(&target, &params, &Patch::Strategic(patch))
        .await
        .map_err(|e| ClusterError::from_kube(&e))?;
    let baseline = RunMark::of_canary(&canary);
    Ok(Started {
        action: actions.join(", "),
        baseline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wave_sizes() {
        assert_eq!(waves(3, None).unwrap(), vec![vec![0, 1, 2]]);
        assert_eq!(waves(3, Some("1")).unwrap(), vec![vec![0], vec![1], vec![2]]);
        assert_eq!(waves(5, Some("40%")).unwrap(), vec![vec![0, 1], vec![2, 3], vec![4]]);
        assert!(waves(3, Some("0")).is_err());
        assert!(waves(3, Some("x%")).is_err());
    }

    #[test]
    fn image_patches() {
        let d = json!({"spec": {"template": {"spec": {
            "containers": [{"name": "app", "image": "a:1"}, {"name": "proxy", "image": "p:1"}],
            "initContainers": [{"name": "init", "image": "i:1"}]}}}});
        let (patch, changes) = image_patch(&d, &[("app".into(), "a:2".into())]).unwrap();
        assert_eq!(
            patch,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "a:2"}]}}}})
        );
        assert_eq!(changes, vec!["app=a:2"]);
        let (patch, changes) = image_patch(&d, &[("*".into(), "x:9".into())]).unwrap();
        assert_eq!(changes.len(), 3);
        assert_eq!(patch["spec"]["template"]["spec"]["initContainers"][0]["image"], "x:9");
        let err = image_patch(&d, &[("nope".into(), "x".into())]).unwrap_err();
        assert_eq!(err, "no container nope (containers: app, proxy, init)");
        let (_, same) = image_patch(&d, &[("app".into(), "a:1".into())]).unwrap();
        assert!(same.is_empty());
    }
}
