//! Field errors (k8s.io/apimachinery/pkg/util/validation/field: `Error`).

/// One field problem of a 422 Invalid response.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub reason: &'static str,
    pub message: String,
}
