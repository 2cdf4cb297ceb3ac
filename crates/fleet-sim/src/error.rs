//! API errors as the Kubernetes API server reports them: a `Status` body whose `code` is the HTTP
//! status, with the reason and message clients print.

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
    /// `metadata.continue` of the Status: the token a 410 on an expired continue offers to go on
    /// with an inconsistent list (etcd3 store.go, func handleCompactedErrorForPaging).
    pub list_continue: Option<String>,
}

impl ApiError {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
            list_continue: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn not_found(qualified: &str, name: &str) -> Self {
        let (resource, group) = split_qualified(qualified);
        ApiError::new(404, "NotFound", format!("{qualified} \"{name}\" not found"))
            .with_details(json!({"name": name, "group": group, "kind": resource}))
    }

    pub fn namespace_not_found(ns: &str) -> Self {
        ApiError::new(404, "NotFound", format!("namespaces \"{ns}\" not found"))
            .with_details(json!({"name": ns, "kind": "namespaces"}))
    }

    pub fn no_route() -> Self {
        ApiError::new(404, "NotFound", "the server could not find the requested resource")
    }

    pub fn already_exists(qualified: &str, name: &str) -> Self {
        let (resource, group) = split_qualified(qualified);
        ApiError::new(409, "AlreadyExists", format!("{qualified} \"{name}\" already exists"))
            .with_details(json!({"name": name, "group": group, "kind": resource}))
    }

    pub fn conflict(qualified: &str, name: &str) -> Self {
        ApiError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {qualified} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
            ),
        )
    }

    /// apimachinery errors.NewForbidden: `resource "name" is forbidden: reason`.
    pub fn forbidden(qualified: &str, name: &str, reason: &str) -> Self {
        let (resource, group) = split_qualified(qualified);
        let message = if name.is_empty() {
            format!("{qualified} is forbidden: {reason}")
        } else {
            format!("{qualified} \"{name}\" is forbidden: {reason}")
        };
        ApiError::new(403, "Forbidden", message).with_details(json!({"name": name, "group": group, "kind": resource}))
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(400, "BadRequest", message)
    }

    pub fn unsupported_media(message: impl Into<String>) -> Self {
        ApiError::new(415, "UnsupportedMediaType", message)
    }

    pub fn method_not_allowed() -> Self {
        ApiError::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(500, "InternalError", message)
    }

    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        // metav1.Status omits an empty reason (StatusReasonUnknown).
        if self.reason.is_empty()
            && let Some(m) = status.as_object_mut()
        {
            m.remove("reason");
        }
        if let Some(details) = &self.details {
            let mut details = details.clone();
            // metav1.StatusDetails marks every field `omitempty`: a core type has no `group` key
            // (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go, StatusDetails).
            if let Some(d) = details.as_object_mut() {
                d.retain(|_, v| !(v.as_str() == Some("") || v.is_null()));
            }
            status["details"] = details;
        }
        if let Some(token) = &self.list_continue {
            status["metadata"]["continue"] = json!(token);
        }
        // metav1.Status omits an empty reason (StatusReasonUnknown).
        if self.reason.is_empty()
            && let Some(m) = status.as_object_mut()
        {
            m.remove("reason");
        }
        status
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.reason, self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            code,
            [(http::header::CONTENT_TYPE, "application/json")],
            self.to_status().to_string(),
        )
            .into_response()
    }
}

/// `canaries.flagger.app` → (`canaries`, `flagger.app`).
fn split_qualified(qualified: &str) -> (&str, &str) {
    qualified.split_once('.').unwrap_or((qualified, ""))
}

pub use apimachinery::FieldError;

/// The `Status` a registry answers a DELETE with when it does not return the deleted object.
/// kube-apiserver: staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go,
/// func finalizeDelete (`Kind` carries the resource, as upstream does).
pub fn delete_success(qualified: &str, name: &str, uid: &str) -> Value {
    let (resource, group) = split_qualified(qualified);
    let mut details = json!({"name": name, "kind": resource, "uid": uid});
    if !group.is_empty() {
        details["group"] = json!(group);
    }
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})
}

/// The 422 response for an object failing validation, worded as the API server words it.
pub fn invalid(kind: &str, group: &str, name: &str, errors: &[FieldError]) -> ApiError {
    let qualified_kind = if group.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}.{group}")
    };
    let list: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
    let joined = if list.len() == 1 {
        list[0].clone()
    } else {
        format!("[{}]", list.join(", "))
    };
    // apimachinery errors.NewInvalid: a cause carries the error body, without the field prefix.
    let causes: Vec<Value> = errors
        .iter()
        .map(|e| {
            let body = e.message.strip_prefix(&format!("{}: ", e.field)).unwrap_or(&e.message);
            json!({"reason": e.reason, "message": body, "field": e.field})
        })
        .collect();
    ApiError::new(
        422,
        "Invalid",
        format!("{qualified_kind} \"{name}\" is invalid: {joined}"),
    )
    .with_details(json!({"name": name, "group": group, "kind": kind, "causes": causes}))
}
