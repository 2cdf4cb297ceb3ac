//! The review APIs, answered from the same RBAC evaluation that guards every request:
//! `SelfSubjectAccessReview` (`kubectl auth can-i`), `SubjectAccessReview`,
//! `LocalSubjectAccessReview`, `SelfSubjectRulesReview` (`kubectl auth can-i --list`) and
//! authentication.k8s.io `SelfSubjectReview` (`kubectl auth whoami`). None is stored: a create
//! answers 201 with the request and its status.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::core::ClusterCore;
use crate::error::{ApiError, FieldError, invalid};
use crate::rbac::{self, Attributes, Decision, UserInfo};

pub const AUTHORIZATION_GROUP: &str = "authorization.k8s.io";
pub const AUTHENTICATION_GROUP: &str = "authentication.k8s.io";

/// Whether `(group, plural)` is a review answered here rather than stored.
pub fn is_review(group: &str, plural: &str) -> bool {
    matches!(
        (group, plural),
        (
            AUTHORIZATION_GROUP,
            "selfsubjectaccessreviews"
                | "subjectaccessreviews"
                | "localsubjectaccessreviews"
                | "selfsubjectrulesreviews"
        ) | (AUTHENTICATION_GROUP, "selfsubjectreviews")
    )
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("").to_string()
}

/// The request echoed back with its type and the metadata a non-stored object has.
fn echo(body: &Value, group: &str, kind: &str) -> Value {
    let mut answer = if body.is_object() { body.clone() } else { json!({}) };
    answer["apiVersion"] = json!(format!("{group}/v1"));
    answer["kind"] = json!(kind);
    if !answer.get("metadata").is_some_and(Value::is_object) {
        answer["metadata"] = json!({});
    }
    if answer["metadata"].get("creationTimestamp").is_none() {
        answer["metadata"]["creationTimestamp"] = Value::Null;
    }
    answer
}

/// Answers a create of one of the review resources.
pub fn answer(
    core: &ClusterCore,
    user: &UserInfo,
    plural: &str,
    namespace: Option<&str>,
    body: &Value,
) -> Result<Value, ApiError> {
    match plural {
        "selfsubjectaccessreviews" => self_subject_access_review(core, user, body),
        "subjectaccessreviews" => subject_access_review(core, body, None),
        "localsubjectaccessreviews" => subject_access_review(core, body, Some(namespace.unwrap_or(""))),
        "selfsubjectrulesreviews" => self_subject_rules_review(core, user, body),
        "selfsubjectreviews" => Ok(self_subject_review(user)),
        _ => Err(ApiError::no_route()),
    }
}

/// kube-apiserver: pkg/apis/authorization/validation/validation.go,
/// ValidateSelfSubjectAccessReviewSpec / ValidateSubjectAccessReviewSpec.
fn validate_spec(spec: &Value, subject_required: bool) -> Vec<FieldError> {
    let has = |k: &str| spec.get(k).is_some_and(|v| !v.is_null());
    let mut errors = Vec::new();
    if has("resourceAttributes") && has("nonResourceAttributes") {
        errors.push(FieldError {
            field: "spec.nonResourceAttributes".into(),
            reason: "FieldValueInvalid",
            message: format!(
                "spec.nonResourceAttributes: Invalid value: {}: cannot be specified in combination with resourceAttributes",
                go_value(&spec["nonResourceAttributes"])
            ),
        });
    }
    if !has("resourceAttributes") && !has("nonResourceAttributes") {
        errors.push(FieldError {
            field: "spec.resourceAttributes".into(),
            reason: "FieldValueInvalid",
            message: "spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified".into(),
        });
    }
    let groups_empty = spec
        .get("groups")
        .and_then(Value::as_array)
        .is_none_or(|g| g.is_empty());
    if subject_required && text(spec, "/user").is_empty() && groups_empty {
        errors.push(FieldError {
            field: "spec.user".into(),
            reason: "FieldValueInvalid",
            message: "spec.user: Invalid value: \"\": at least one of user or group must be specified".into(),
        });
    }
    errors
}

/// How Go's field errors print a struct value (close enough for the message).
fn go_value(v: &Value) -> String {
    format!("\"{}\"", v.to_string().replace('"', "\\\""))
}

/// kube-apiserver: pkg/registry/authorization/util/helpers.go, ResourceAttributesFrom and
/// NonResourceAttributesFrom.
fn attributes_of(spec: &Value) -> Attributes {
    if let Some(r) = spec.get("resourceAttributes").filter(|v| v.is_object()) {
        let field = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        return Attributes {
            verb: field("verb"),
            resource_request: true,
            namespace: field("namespace"),
            group: field("group"),
            version: match field("version") {
                v if v.is_empty() => "*".into(),
                v => v,
            },
            resource: field("resource"),
            subresource: field("subresource"),
            name: field("name"),
            path: String::new(),
        };
    }
    let n = spec.get("nonResourceAttributes").cloned().unwrap_or(Value::Null);
    Attributes::non_resource(&text(&n, "/verb"), &text(&n, "/path"))
}

fn status_of(decision: Decision) -> Value {
    let (allowed, reason) = match decision {
        Decision::Allow(r) => (true, r),
        Decision::NoOpinion(r) => (false, r),
    };
    let mut status = json!({"allowed": allowed});
    if !reason.is_empty() {
        status["reason"] = json!(reason);
    }
    status
}

/// kube-apiserver: pkg/registry/authorization/selfsubjectaccessreview/rest.go, func Create.
fn self_subject_access_review(core: &ClusterCore, user: &UserInfo, body: &Value) -> Result<Value, ApiError> {
    let spec = body.get("spec").cloned().unwrap_or(json!({}));
    let errors = validate_spec(&spec, false);
    if !errors.is_empty() {
        return Err(invalid("SelfSubjectAccessReview", AUTHORIZATION_GROUP, "", &errors));
    }
    let mut answer = echo(body, AUTHORIZATION_GROUP, "SelfSubjectAccessReview");
    answer["status"] = status_of(rbac::authorize(core, user, &attributes_of(&spec)));
    Ok(answer)
}

/// kube-apiserver: pkg/registry/authorization/subjectaccessreview/rest.go and
/// localsubjectaccessreview/rest.go, func Create: the subject is the spec's user, groups, uid
/// and extra, exactly (no `system:authenticated` is added).
fn subject_access_review(core: &ClusterCore, body: &Value, local: Option<&str>) -> Result<Value, ApiError> {
    let mut spec = body.get("spec").cloned().unwrap_or(json!({}));
    let kind = if local.is_some() {
        "LocalSubjectAccessReview"
    } else {
        "SubjectAccessReview"
    };
    let mut errors = validate_spec(&spec, true);
    if let Some(ns) = local {
        if spec.get("nonResourceAttributes").is_some_and(|v| !v.is_null()) {
            errors.push(FieldError {
                field: "spec.nonResourceAttributes".into(),
                reason: "FieldValueInvalid",
                message: format!(
                    "spec.nonResourceAttributes: Invalid value: {}: disallowed on this kind of request",
                    go_value(&spec["nonResourceAttributes"])
                ),
            });
        }
        if let Some(r) = spec.get_mut("resourceAttributes").filter(|v| v.is_object()) {
            match r.get("namespace").and_then(Value::as_str).unwrap_or("") {
                "" => r["namespace"] = json!(ns),
                given if given != ns => {
                    return Err(ApiError::bad_request(format!(
                        "spec.resourceAttributes.namespace must match namespace: {ns}"
                    )));
                }
                _ => {}
            }
        }
    }
    if !errors.is_empty() {
        return Err(invalid(kind, AUTHORIZATION_GROUP, "", &errors));
    }
    let extra: BTreeMap<String, Vec<String>> = spec
        .get("extra")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let values = v
                        .as_array()
                        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
                        .unwrap_or_default();
                    (k.clone(), values)
                })
                .collect()
        })
        .unwrap_or_default();
    let subject = UserInfo {
        name: text(&spec, "/user"),
        uid: text(&spec, "/uid"),
        groups: spec
            .get("groups")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
        extra,
    };
    let mut answer = echo(body, AUTHORIZATION_GROUP, kind);
    answer["spec"] = spec.clone();
    answer["status"] = status_of(rbac::authorize(core, &subject, &attributes_of(&spec)));
    Ok(answer)
}

/// kube-apiserver: pkg/registry/authorization/selfsubjectrulesreview/rest.go, func Create, with
/// the RBAC authorizer's RulesFor (plugin/pkg/auth/authorizer/rbac/rbac.go): every rule the
/// user's bindings give in the namespace, resource rules and non-resource rules apart; the
/// resolution errors become `evaluationError`. RBAC enumerates its rules completely, so
/// `incomplete` is false.
fn self_subject_rules_review(core: &ClusterCore, user: &UserInfo, body: &Value) -> Result<Value, ApiError> {
    let namespace = text(body, "/spec/namespace");
    if namespace.is_empty() {
        return Err(ApiError::bad_request("no namespace on request"));
    }
    let (rules, errors) = rbac::rules_for(core, user, &namespace);
    let mut resource_rules = Vec::new();
    let mut non_resource_rules = Vec::new();
    for rule in &rules {
        if !rule.resources.is_empty() {
            let mut r = json!({"verbs": rule.verbs});
            for (key, list) in [
                ("apiGroups", &rule.api_groups),
                ("resources", &rule.resources),
                ("resourceNames", &rule.resource_names),
            ] {
                if !list.is_empty() {
                    r[key] = json!(list);
                }
            }
            resource_rules.push(r);
        }
        if !rule.non_resource_urls.is_empty() {
            non_resource_rules.push(json!({"verbs": rule.verbs, "nonResourceURLs": rule.non_resource_urls}));
        }
    }
    // The answer is a new object: the request's spec is not echoed.
    let mut answer = echo(&json!({"spec": {}}), AUTHORIZATION_GROUP, "SelfSubjectRulesReview");
    answer["status"] = json!({
        "resourceRules": resource_rules,
        "nonResourceRules": non_resource_rules,
        "incomplete": false,
    });
    if !errors.is_empty() {
        answer["status"]["evaluationError"] = json!(match errors.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        });
    }
    Ok(answer)
}

/// kube-apiserver: pkg/registry/authentication/selfsubjectreview/rest.go, func Create: the
/// caller's user info as the server sees it (after impersonation), in a new object.
fn self_subject_review(user: &UserInfo) -> Value {
    let mut answer = echo(&json!({}), AUTHENTICATION_GROUP, "SelfSubjectReview");
    answer["metadata"]["creationTimestamp"] = json!(crate::meta::now_rfc3339());
    answer["status"] = json!({"userInfo": user.to_json()});
    answer
}
