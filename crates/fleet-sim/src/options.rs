//! The options of a write (`CreateOptions`, `UpdateOptions`, `PatchOptions`, `DeleteOptions`)
//! as the API server validates them before it reads the object: a refused option is a 422 on
//! `<kind>.meta.k8s.io` listing every refused option.
//!
//! kube-apiserver: staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go
//! (ValidateCreateOptions, ValidateUpdateOptions, ValidatePatchOptions, ValidateDeleteOptions,
//! ValidateDryRun, ValidateFieldValidation), called by the handlers in
//! staging/src/k8s.io/apiserver/pkg/endpoints/handlers/ (create.go func createHandler, update.go
//! func UpdateResource, patch.go func PatchResource, delete.go funcs DeleteResource and
//! DeleteCollection), which answer `errors.NewInvalid(GroupKind{meta.k8s.io, <kind>}, "", errs)`.

use crate::error::{ApiError, FieldError, invalid};

/// Go's `%#v` of a `[]string`: `[]string{"All", "x"}`.
fn go_string_slice(values: &[String]) -> String {
    let quoted: Vec<String> = values
        .iter()
        .map(|v| serde_json::to_string(v).unwrap_or_else(|_| format!("\"{v}\"")))
        .collect();
    format!("[]string{{{}}}", quoted.join(", "))
}

/// `dryRun` holds only `All`, repeated or not (ValidateDryRun: `allowedDryRunValues.HasAll`).
/// Any other value, the empty one included, refuses the whole list.
pub fn dry_run_errors(values: &[String]) -> Vec<FieldError> {
    if values.iter().all(|v| v == "All") {
        return Vec::new();
    }
    vec![FieldError {
        field: "dryRun".into(),
        reason: "FieldValueNotSupported",
        message: format!(
            "dryRun: Unsupported value: {}: supported values: \"All\"",
            go_string_slice(values)
        ),
    }]
}

/// `fieldValidation` is empty, `Ignore`, `Strict` or `Warn` (ValidateFieldValidation).
pub fn field_validation_errors(value: Option<&str>) -> Vec<FieldError> {
    match value {
        None | Some("" | "Ignore" | "Strict" | "Warn") => Vec::new(),
        Some(other) => vec![FieldError {
            field: "fieldValidation".into(),
            reason: "FieldValueNotSupported",
            message: format!(
                "fieldValidation: Unsupported value: {}: supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"",
                serde_json::to_string(other).unwrap_or_default()
            ),
        }],
    }
}

/// `force` is for apply patches only: apimachinery pkg/apis/meta/v1/validation/validation.go,
/// `ValidatePatchOptions`, refuses it on any other patch when it is given at all
/// (`options.Force != nil`: `force=false` too). Create and update options have no `force`.
fn force_errors(options_kind: &str, apply: bool, force_given: bool) -> Vec<FieldError> {
    if options_kind != "PatchOptions" || apply || !force_given {
        return Vec::new();
    }
    vec![FieldError {
        field: "force".into(),
        reason: "FieldValueForbidden",
        message: "force: Forbidden: may not be specified for non-apply patch".into(),
    }]
}

/// The options of a create, update or patch (`options_kind` is `CreateOptions`,
/// `UpdateOptions` or `PatchOptions`; `apply` for an apply patch; `force_given` when the
/// query carries `force`), in upstream's order (`ValidatePatchOptions`): force, fieldManager,
/// dryRun, fieldValidation.
pub fn validate_write(
    options_kind: &str,
    field_manager: Option<&str>,
    apply: bool,
    force_given: bool,
    dry_run: &[String],
    field_validation: Option<&str>,
) -> Result<(), ApiError> {
    let mut errors = force_errors(options_kind, apply, force_given);
    errors.extend(crate::managed::field_manager_errors(field_manager, apply));
    errors.extend(dry_run_errors(dry_run));
    errors.extend(field_validation_errors(field_validation));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(invalid(options_kind, "meta.k8s.io", "", &errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_all_is_a_dry_run_value() {
        assert!(dry_run_errors(&[]).is_empty());
        assert!(dry_run_errors(&["All".into(), "All".into()]).is_empty());
        let refused = dry_run_errors(&["All".into(), "true".into()]);
        assert_eq!(
            refused[0].message,
            "dryRun: Unsupported value: []string{\"All\", \"true\"}: supported values: \"All\""
        );
        assert_eq!(
            dry_run_errors(&[String::new()])[0].message,
            "dryRun: Unsupported value: []string{\"\"}: supported values: \"All\""
        );
    }
}
