//! The `scale` subresource (`…/deployments/NAME/scale`, and custom resources whose CRD declares
//! `subresources.scale`): an `autoscaling/v1` Scale read from and written to the parent object.
//!
//! kube-apiserver: pkg/registry/apps/deployment/storage/storage.go, type ScaleREST (Get,
//! Update, scaleFromDeployment) and staging/src/k8s.io/apiextensions-apiserver/pkg/registry/
//! customresource/etcd.go, type ScaleREST (scaleFromCustomResource, specReplicasPath…).

use serde_json::{Value, json};

use crate::core::{ClusterCore, WriteOptions};
use crate::error::{ApiError, FieldError, invalid};
use crate::patch::{self, PatchKind};
use crate::resource::{ResourceType, ScalePaths};

/// `.spec.replicas` → `/spec/replicas`.
fn pointer(path: &str) -> String {
    path.trim_start_matches('.')
        .split('.')
        .fold(String::new(), |mut p, seg| {
            p.push('/');
            p.push_str(seg);
            p
        })
}

/// A LabelSelector object as its string form (`app=web,tier in (a,b)`), requirements sorted by
/// key as upstream's `LabelSelectorAsSelector(…).String()` prints them.
pub fn selector_string(selector: &Value) -> String {
    let mut parts: Vec<(String, String)> = Vec::new();
    if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in labels {
            parts.push((k.clone(), format!("{k}={}", v.as_str().unwrap_or(""))));
        }
    }
    for e in selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = e.get("key").and_then(Value::as_str).unwrap_or("").to_string();
        let mut values: Vec<&str> = e
            .get("values")
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        values.sort_unstable();
        let text = match e.get("operator").and_then(Value::as_str).unwrap_or("") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            _ => continue,
        };
        parts.push((key, text));
    }
    parts.sort();
    parts.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(",")
}

/// The Scale an object shows.
fn scale_of(paths: &ScalePaths, obj: &Value) -> Value {
    let int = |path: &str| obj.pointer(&pointer(path)).and_then(Value::as_i64).unwrap_or(0);
    let mut status = json!({"replicas": int(&paths.status_replicas)});
    if let Some(path) = &paths.label_selector {
        let selector = match obj.pointer(&pointer(path)) {
            Some(v) if paths.selector_is_object => Some(selector_string(v)),
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        if let Some(s) = selector.filter(|s| !s.is_empty()) {
            status["selector"] = json!(s);
        }
    }
    let meta = |k: &str| obj.pointer(&format!("/metadata/{k}")).cloned().unwrap_or(Value::Null);
    let mut metadata = json!({"name": meta("name"), "uid": meta("uid"), "resourceVersion": meta("resourceVersion"),
                              "creationTimestamp": meta("creationTimestamp")});
    if let Some(ns) = obj.pointer("/metadata/namespace") {
        metadata["namespace"] = ns.clone();
    }
    let mut spec = json!({});
    let replicas = int(&paths.spec_replicas);
    // ScaleSpec.replicas is `omitempty`.
    if replicas != 0 {
        spec["replicas"] = json!(replicas);
    }
    json!({"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": metadata, "spec": spec, "status": status})
}

/// Answers GET, PUT and PATCH on `NAME/scale`.
#[allow(clippy::too_many_arguments)]
pub fn respond(
    core: &ClusterCore,
    t: &ResourceType,
    ns: Option<&str>,
    name: &str,
    method: &http::Method,
    patch_kind: Option<PatchKind>,
    body: &Value,
    opts: &WriteOptions,
) -> Result<Value, ApiError> {
    let paths = t.scale.as_ref().ok_or_else(ApiError::no_route)?;
    let current = core.get(t, ns, name)?;
    let scale = scale_of(paths, &current);
    let wanted = match *method {
        http::Method::GET => return Ok(scale),
        http::Method::PUT => body.clone(),
        http::Method::PATCH => {
            let mut patched = scale.clone();
            match patch_kind {
                Some(PatchKind::Merge) => patch::merge(&mut patched, body),
                Some(PatchKind::Json) => patch::json_patch(&mut patched, body)?,
                Some(PatchKind::Strategic) => patch::strategic_merge(&mut patched, body)?,
                _ => {
                    return Err(ApiError::unsupported_media(
                        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json",
                    ));
                }
            }
            patched
        }
        _ => return Err(ApiError::method_not_allowed()),
    };
    if let Some(given) = wanted.pointer("/metadata/name").and_then(Value::as_str)
        && given != name
    {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({given}) does not match the name on the URL ({name})"
        )));
    }
    let replicas = wanted.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(0);
    // kube-apiserver: pkg/apis/autoscaling/validation/validation.go, func ValidateScale
    if replicas < 0 {
        return Err(invalid(
            "Scale",
            "autoscaling",
            name,
            &[FieldError {
                field: "spec.replicas".into(),
                reason: "FieldValueInvalid",
                message: format!("spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"),
            }],
        ));
    }
    // The parent's spec replicas, conditional on the version the Scale carried (if any): a
    // stale one is the parent's own 409.
    let mut change = json!({});
    let segments: Vec<&str> = paths.spec_replicas.trim_start_matches('.').split('.').collect();
    let mut cursor = &mut change;
    for seg in &segments[..segments.len().saturating_sub(1)] {
        cursor = &mut cursor[*seg];
    }
    if let Some(last) = segments.last() {
        cursor[*last] = json!(replicas);
    }
    if let Some(rv) = wanted
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        change["metadata"] = json!({"resourceVersion": rv});
    }
    let written = core.patch(t, ns, name, PatchKind::Merge, &change, false, opts)?;
    Ok(scale_of(paths, &written.object))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_print_as_upstream() {
        let s = json!({"matchLabels": {"b": "2", "a": "1"},
                       "matchExpressions": [{"key": "c", "operator": "In", "values": ["y", "x"]}, {"key": "d", "operator": "DoesNotExist"}]});
        assert_eq!(selector_string(&s), "a=1,b=2,c in (x,y),!d");
        assert_eq!(pointer(".spec.replicas"), "/spec/replicas");
    }
}
