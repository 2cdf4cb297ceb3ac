//! Validation the API server applies to writes before they reach storage, beyond a CRD's
//! structural schema (`schema.rs`): object names per type, label and annotation keys, finalizers,
//! the update rules of `ValidateObjectMetaUpdate`, type-specific rules of the built-ins this tool
//! writes (Deployment, Service, ConfigMap, Secret, RBAC), and the unknown fields of built-in types
//! that `fieldValidation=Strict|Warn` reports.
//!
//! Messages follow `field.Error.Error()` (`path: Type: value: detail`); `error::invalid` turns
//! them into the 422 `Status` with `details.causes`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::FieldError;
use crate::resource::ResourceType;

// ---------------------------------------------------------------------------------------------
// Field errors, worded as k8s.io/apimachinery/pkg/util/validation/field/errors.go words them.

/// Go's `%q` for the strings we meet (JSON escaping is the same for printable ASCII).
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

fn err_invalid(field: &str, shown_value: &str, detail: &str) -> FieldError {
    FieldError {
        field: field.to_string(),
        reason: "FieldValueInvalid",
        message: format!("{field}: Invalid value: {shown_value}: {detail}"),
    }
}

fn err_required(field: &str, detail: &str) -> FieldError {
    let message = if detail.is_empty() {
        format!("{field}: Required value")
    } else {
        format!("{field}: Required value: {detail}")
    };
    FieldError {
        field: field.to_string(),
        reason: "FieldValueRequired",
        message,
    }
}

fn err_forbidden(field: &str, detail: &str) -> FieldError {
    FieldError {
        field: field.to_string(),
        reason: "FieldValueForbidden",
        message: format!("{field}: Forbidden: {detail}"),
    }
}

/// `field.NotSupported`: the value and the sorted list of supported values, each quoted.
fn err_not_supported(field: &str, value: &str, supported: &[&str]) -> FieldError {
    let list: Vec<String> = supported.iter().map(|s| quote(s)).collect();
    FieldError {
        field: field.to_string(),
        reason: "FieldValueNotSupported",
        message: format!(
            "{field}: Unsupported value: {}: supported values: {}",
            quote(value),
            list.join(", ")
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Name formats: k8s.io/apimachinery/pkg/util/validation/validation.go (v1.32 wording).

/// `validation.RegexError`: examples each followed by `', '`, joined by ` or ` (hence the
/// double space upstream prints).
fn regex_error(msg: &str, re: &str, examples: &[&str]) -> String {
    let mut out = format!("{msg} (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push_str(&format!("'{e}', "));
    }
    out.push_str(&format!("regex used for validation is '{re}')"));
    out
}

fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const CONFIG_KEY_FMT: &str = "[-._a-zA-Z0-9]+";

fn is_lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn matches_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| is_lower_alnum(c) || c == '-')
        && s.chars().next().is_some_and(is_lower_alnum)
        && s.chars().last().is_some_and(is_lower_alnum)
}

fn matches_dns1123_subdomain(s: &str) -> bool {
    s.split('.').all(matches_dns1123_label)
}

/// validation.IsDNS1123Label
pub fn is_dns1123_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !matches_dns1123_label(value) {
        if matches_dns1123_subdomain(value) {
            errs.push("must not contain dots".into());
        } else {
            errs.push(regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// validation.IsDNS1123Subdomain
pub fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push(max_len_error(253));
    }
    if !matches_dns1123_subdomain(value) {
        errs.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// validation.IsDNS1035Label (Service names)
pub fn is_dns1035_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    let ok = !value.is_empty()
        && value.chars().all(|c| is_lower_alnum(c) || c == '-')
        && value.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && value.chars().last().is_some_and(is_lower_alnum);
    if !ok {
        errs.push(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// path.IsValidPathSegmentName (RBAC names; also the generic check every create runs)
pub fn is_path_segment_name(value: &str) -> Vec<String> {
    if value == "." || value == ".." {
        return vec![format!("may not be '{value}'")];
    }
    let mut errs = Vec::new();
    for bad in ["/", "%"] {
        if value.contains(bad) {
            errs.push(format!("may not contain '{bad}'"));
        }
    }
    errs
}

fn matches_qualified_part(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    !s.is_empty()
        && s.chars().all(|c| alnum(c) || c == '-' || c == '_' || c == '.')
        && s.chars().next().is_some_and(alnum)
        && s.chars().last().is_some_and(alnum)
}

/// validation.IsQualifiedName (label keys, annotation keys lower-cased, finalizers)
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let msg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    let examples = ["MyName", "my.name", "123-abc"];
    let parts: Vec<&str> = value.split('/').collect();
    let mut errs = Vec::new();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                errs.extend(
                    is_dns1123_subdomain(prefix)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            *name
        }
        _ => {
            return vec![format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(msg, QUALIFIED_NAME_FMT, &examples)
            )];
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".into());
    } else if name.len() > 63 {
        errs.push(format!("name part {}", max_len_error(63)));
    }
    if !matches_qualified_part(name) {
        errs.push(format!("name part {}", regex_error(msg, QUALIFIED_NAME_FMT, &examples)));
    }
    errs
}

/// validation.IsValidLabelValue
pub fn is_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !value.is_empty() && !matches_qualified_part(value) {
        errs.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// validation.IsConfigMapKey
fn is_config_map_key(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push(max_len_error(253));
    }
    if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)) {
        errs.push(regex_error(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
            CONFIG_KEY_FMT,
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    if value == "." {
        errs.push("must not be '.'".into());
    } else if value == ".." {
        errs.push("must not be '..'".into());
    } else if value.starts_with("..") {
        errs.push("must not start with '..'".into());
    }
    errs
}

// ---------------------------------------------------------------------------------------------
// Which name rule each type's strategy applies (pkg/apis/*/validation: ValidateXName).

type NameCheck = fn(&str) -> Vec<String>;

fn name_check(t: &ResourceType) -> NameCheck {
    match (t.group.as_str(), t.plural.as_str()) {
        // pkg/apis/core/validation: ValidateNamespaceName = NameIsDNSLabel
        ("", "namespaces") => is_dns1123_label,
        // pkg/apis/core/validation: ValidateServiceName = NameIsDNS1035Label
        ("", "services") => is_dns1035_label,
        // pkg/apis/rbac/validation: ValidateRBACName = path.IsValidPathSegmentName
        ("rbac.authorization.k8s.io", _) => is_path_segment_name,
        // Everything else this simulator serves (Deployments, ConfigMaps, Secrets,
        // ServiceAccounts, Pods, Endpoints, Ingresses, Events, custom resources:
        // customresource/validator.go uses NameIsDNSSubdomain).
        _ => is_dns1123_subdomain,
    }
}

fn str_at<'a>(obj: &'a Value, pointer: &str) -> Option<&'a str> {
    obj.pointer(pointer).and_then(Value::as_str)
}

/// A string field that defaulting would fill when it is missing or empty (SetDefaults_* test
/// `== ""`): enum checks only see values a client really chose.
fn chosen<'a>(obj: &'a Value, pointer: &str) -> Option<&'a str> {
    str_at(obj, pointer).filter(|s| !s.is_empty())
}

fn string_map(obj: &Value, pointer: &str) -> BTreeMap<String, String> {
    obj.pointer(pointer)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn string_list(obj: &Value, pointer: &str) -> Vec<String> {
    obj.pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// Go's `%#v` of a `map[string]string` (fmt prints map keys sorted).
fn go_string_map(map: &BTreeMap<String, String>) -> String {
    if map.is_empty() {
        return "map[string]string(nil)".into();
    }
    let items: Vec<String> = map.iter().map(|(k, v)| format!("{}:{}", quote(k), quote(v))).collect();
    format!("map[string]string{{{}}}", items.join(", "))
}

fn go_string_slice(list: &[String]) -> String {
    if list.is_empty() {
        return "[]string(nil)".into();
    }
    let items: Vec<String> = list.iter().map(|s| quote(s)).collect();
    format!("[]string{{{}}}", items.join(", "))
}

/// Go's `%#v` of a `metav1.LabelSelector`, as immutability errors print it.
fn go_label_selector(selector: &Value) -> String {
    let labels = string_map(selector, "/matchLabels");
    let exprs = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let exprs = if exprs.is_empty() {
        "[]v1.LabelSelectorRequirement(nil)".to_string()
    } else {
        let items: Vec<String> = exprs
            .iter()
            .map(|e| {
                format!(
                    "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                    quote(str_at(e, "/key").unwrap_or("")),
                    quote(str_at(e, "/operator").unwrap_or("")),
                    go_string_slice(&string_list(e, "/values"))
                )
            })
            .collect();
        format!("[]v1.LabelSelectorRequirement{{{}}}", items.join(", "))
    };
    format!(
        "v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{exprs}}}",
        go_string_map(&labels)
    )
}

/// Whether a label selector (matchLabels and matchExpressions) selects a label set.
fn selector_matches(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    let by_labels = string_map(selector, "/matchLabels")
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v));
    let by_exprs = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .map(|exprs| {
            exprs.iter().all(|e| {
                let key = str_at(e, "/key").unwrap_or("");
                let values = string_list(e, "/values");
                match str_at(e, "/operator").unwrap_or("") {
                    "In" => labels.get(key).is_some_and(|v| values.contains(v)),
                    "NotIn" => labels.get(key).is_none_or(|v| !values.contains(v)),
                    "Exists" => labels.contains_key(key),
                    "DoesNotExist" => !labels.contains_key(key),
                    _ => false,
                }
            })
        })
        .unwrap_or(true);
    by_labels && by_exprs
}

// ---------------------------------------------------------------------------------------------
// Object metadata: k8s.io/apimachinery/pkg/api/validation/objectmeta.go

/// v1validation.ValidateLabels and ValidateAnnotations (keys sorted: Go's map order is random).
fn validate_labels_and_annotations(obj: &Value, errs: &mut Vec<FieldError>) {
    for (key, value) in string_map(obj, "/metadata/labels") {
        for msg in is_qualified_name(&key) {
            errs.push(err_invalid("metadata.labels", &quote(&key), &msg));
        }
        for msg in is_label_value(&value) {
            errs.push(err_invalid("metadata.labels", &quote(&value), &msg));
        }
    }
    let annotations = string_map(obj, "/metadata/annotations");
    for key in annotations.keys() {
        // The rule is QualifiedName, case-insensitively.
        for msg in is_qualified_name(&key.to_lowercase()) {
            errs.push(err_invalid("metadata.annotations", &quote(key), &msg));
        }
    }
    let total: usize = annotations.iter().map(|(k, v)| k.len() + v.len()).sum();
    if total > 256 * 1024 {
        errs.push(FieldError {
            field: "metadata.annotations".into(),
            reason: "FieldValueTooLong",
            message: format!(
                "metadata.annotations: Too long: may not be more than {} bytes",
                256 * 1024
            ),
        });
    }
}

/// objectmeta.go: ValidateFinalizers
fn validate_finalizers(obj: &Value, errs: &mut Vec<FieldError>) {
    for finalizer in string_list(obj, "/metadata/finalizers") {
        for msg in is_qualified_name(&finalizer) {
            errs.push(err_invalid("metadata.finalizers", &quote(&finalizer), &msg));
        }
    }
}

/// objectmeta.go: ValidateObjectMetaAccessor with the type's name function.
fn validate_object_meta(t: &ResourceType, obj: &Value, errs: &mut Vec<FieldError>) {
    let name = str_at(obj, "/metadata/name").unwrap_or("");
    if name.is_empty() {
        errs.push(err_required("metadata.name", "name or generateName is required"));
    } else {
        for msg in name_check(t)(name) {
            errs.push(err_invalid("metadata.name", &quote(name), &msg));
        }
    }
    if let Some(generation) = obj.pointer("/metadata/generation").and_then(Value::as_i64)
        && generation < 0
    {
        errs.push(err_invalid(
            "metadata.generation",
            &generation.to_string(),
            "must be greater than or equal to 0",
        ));
    }
    validate_labels_and_annotations(obj, errs);
    validate_finalizers(obj, errs);
}

/// The checks of a create, in the order upstream reports them: the type's strategy `Validate`
/// (its metadata first, then its spec). kube-apiserver:
/// staging/src/k8s.io/apiserver/pkg/registry/rest/create.go, func BeforeCreate.
pub fn validate_create(t: &ResourceType, obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_object_meta(t, obj, &mut errs);
    validate_type(t, obj, &mut errs);
    errs
}

/// The checks of an update: objectmeta.go `ValidateObjectMetaAccessorUpdate` (no new finalizers
/// on an object being deleted, labels, annotations), then the type's update rules
/// (immutable fields) and its spec rules. kube-apiserver:
/// staging/src/k8s.io/apiserver/pkg/registry/rest/update.go, func BeforeUpdate.
pub fn validate_update(t: &ResourceType, old: &Value, new: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if old.pointer("/metadata/deletionTimestamp").is_some() {
        let before = string_list(old, "/metadata/finalizers");
        let mut extra: Vec<String> = string_list(new, "/metadata/finalizers")
            .into_iter()
            .filter(|f| !before.contains(f))
            .collect();
        extra.sort();
        extra.dedup();
        if !extra.is_empty() {
            errs.push(err_forbidden(
                "metadata.finalizers",
                &format!(
                    "no new finalizers can be added if the object is being deleted, found new finalizers {}",
                    go_string_slice(&extra)
                ),
            ));
        }
    }
    validate_labels_and_annotations(new, &mut errs);
    validate_finalizers(new, &mut errs);
    validate_immutable(t, old, new, &mut errs);
    validate_type(t, new, &mut errs);
    errs
}

/// Fields a type's update strategy refuses to change.
fn validate_immutable(t: &ResourceType, old: &Value, new: &Value, errs: &mut Vec<FieldError>) {
    match (t.group.as_str(), t.plural.as_str()) {
        // pkg/apis/apps/validation: ValidateDeploymentUpdate — apps/v1 selectors are immutable.
        ("apps", "deployments") => {
            let (before, after) = (old.pointer("/spec/selector"), new.pointer("/spec/selector"));
            if let Some(after) = after
                && before.is_some_and(|b| selector_semantic(b) != selector_semantic(after))
            {
                errs.push(err_invalid(
                    "spec.selector",
                    &go_label_selector(after),
                    "field is immutable",
                ));
            }
        }
        // pkg/apis/core/validation: ValidateServiceUpdate, validateUpgradeDowngradeClusterIPs —
        // the primary cluster IP may not change (unless to or from ExternalName).
        ("", "services") => {
            let primary = |v: &Value| {
                chosen(v, "/spec/clusterIP")
                    .or_else(|| chosen(v, "/spec/clusterIPs/0"))
                    .map(str::to_string)
            };
            let external = |v: &Value| str_at(v, "/spec/type") == Some("ExternalName");
            if let (Some(before), Some(after)) = (primary(old), primary(new))
                && before != after
                && !external(old)
                && !external(new)
            {
                let shown = match string_list(new, "/spec/clusterIPs") {
                    list if !list.is_empty() && list[0] == after => list,
                    _ => vec![after],
                };
                errs.push(err_invalid(
                    "spec.clusterIPs[0]",
                    &go_string_slice(&shown),
                    "may not change once set",
                ));
            }
        }
        // pkg/apis/rbac/validation: ValidateRoleBindingUpdate / ValidateClusterRoleBindingUpdate.
        ("rbac.authorization.k8s.io", "rolebindings" | "clusterrolebindings") => {
            let role_ref = |v: &Value| {
                (
                    str_at(v, "/roleRef/apiGroup").unwrap_or("").to_string(),
                    str_at(v, "/roleRef/kind").unwrap_or("").to_string(),
                    str_at(v, "/roleRef/name").unwrap_or("").to_string(),
                )
            };
            let (before, after) = (role_ref(old), role_ref(new));
            if before != after {
                errs.push(err_invalid(
                    "roleRef",
                    &format!(
                        "rbac.RoleRef{{APIGroup:{}, Kind:{}, Name:{}}}",
                        quote(&after.0),
                        quote(&after.1),
                        quote(&after.2)
                    ),
                    "cannot change roleRef",
                ));
            }
        }
        _ => {}
    }
}

/// A selector as apiequality.Semantic compares it (empty and missing maps are equal).
fn selector_semantic(selector: &Value) -> (BTreeMap<String, String>, Vec<Value>) {
    (
        string_map(selector, "/matchLabels"),
        selector
            .get("matchExpressions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    )
}

// ---------------------------------------------------------------------------------------------
// Type-specific rules of the built-ins this tool and its users write.

fn validate_type(t: &ResourceType, obj: &Value, errs: &mut Vec<FieldError>) {
    match (t.group.as_str(), t.plural.as_str()) {
        ("apps", "deployments") => validate_deployment_spec(obj, errs),
        ("", "services") => validate_service_spec(obj, errs),
        ("", "configmaps") => {
            validate_data_keys(obj, "data", errs);
            validate_data_keys(obj, "binaryData", errs);
        }
        ("", "secrets") => {
            validate_data_keys(obj, "data", errs);
            validate_data_keys(obj, "stringData", errs);
        }
        ("", "pods") => {
            if let Some(spec) = obj.get("spec") {
                validate_pod_spec(spec, "spec", &["Always", "Never", "OnFailure"], errs);
            }
        }
        ("rbac.authorization.k8s.io", "roles" | "clusterroles") => {
            // pkg/apis/rbac/validation: ValidatePolicyRule
            if let Some(rules) = obj.get("rules").and_then(Value::as_array) {
                for (i, rule) in rules.iter().enumerate() {
                    if string_list(rule, "/verbs").is_empty() {
                        errs.push(err_required(
                            &format!("rules[{i}].verbs"),
                            "verbs must contain at least one value",
                        ));
                    }
                }
            }
        }
        _ => {}
    }
}

/// pkg/apis/core/validation: ValidateConfigMap / ValidateSecret data keys.
fn validate_data_keys(obj: &Value, field: &str, errs: &mut Vec<FieldError>) {
    if let Some(map) = obj.get(field).and_then(Value::as_object) {
        for key in map.keys() {
            for msg in is_config_map_key(key) {
                errs.push(err_invalid(&format!("{field}[{key}]"), &quote(key), &msg));
            }
        }
    }
}

/// pkg/apis/apps/validation: ValidateDeploymentSpec (the parts clients meet).
fn validate_deployment_spec(obj: &Value, errs: &mut Vec<FieldError>) {
    let Some(spec) = obj.get("spec") else {
        errs.push(err_required("spec.selector", ""));
        errs.push(err_required("spec.template.spec.containers", ""));
        return;
    };
    if let Some(replicas) = spec.get("replicas").and_then(Value::as_i64)
        && replicas < 0
    {
        errs.push(err_invalid(
            "spec.replicas",
            &replicas.to_string(),
            "must be greater than or equal to 0",
        ));
    }
    match spec.get("selector") {
        None | Some(Value::Null) => errs.push(err_required("spec.selector", "")),
        Some(selector) => {
            let empty = string_map(selector, "/matchLabels").is_empty()
                && selector
                    .get("matchExpressions")
                    .and_then(Value::as_array)
                    .is_none_or(Vec::is_empty);
            if empty {
                errs.push(err_invalid(
                    "spec.selector",
                    &go_label_selector(selector),
                    "empty selector is invalid for deployment",
                ));
            } else {
                // ValidatePodTemplateSpecForReplicaSet: the selector must select the template.
                let labels = string_map(spec, "/template/metadata/labels");
                if !selector_matches(selector, &labels) {
                    errs.push(err_invalid(
                        "spec.template.metadata.labels",
                        &go_string_map(&labels),
                        "`selector` does not match template `labels`",
                    ));
                }
            }
        }
    }
    if let Some(strategy) = chosen(spec, "/strategy/type") {
        // ValidateDeploymentStrategy
        if !["Recreate", "RollingUpdate"].contains(&strategy) {
            errs.push(err_not_supported(
                "spec.strategy.type",
                strategy,
                &["Recreate", "RollingUpdate"],
            ));
        } else if strategy == "Recreate" && spec.pointer("/strategy/rollingUpdate").is_some_and(|v| !v.is_null()) {
            errs.push(err_forbidden(
                "spec.strategy.rollingUpdate",
                "may not be specified when strategy `type` is 'Recreate'",
            ));
        }
    }
    match spec.pointer("/template/spec") {
        Some(pod) => validate_pod_spec(pod, "spec.template.spec", &["Always"], errs),
        None => errs.push(err_required("spec.template.spec.containers", "")),
    }
}

/// pkg/apis/core/validation: ValidatePodSpec (containers, ports, pull policy, restart policy).
fn validate_pod_spec(spec: &Value, path: &str, restart_policies: &[&str], errs: &mut Vec<FieldError>) {
    let containers = spec.get("containers").and_then(Value::as_array);
    match containers {
        None => errs.push(err_required(&format!("{path}.containers"), "")),
        Some(list) if list.is_empty() => errs.push(err_required(&format!("{path}.containers"), "")),
        Some(list) => {
            for (i, c) in list.iter().enumerate() {
                validate_container(c, &format!("{path}.containers[{i}]"), errs);
            }
        }
    }
    if let Some(list) = spec.get("initContainers").and_then(Value::as_array) {
        for (i, c) in list.iter().enumerate() {
            validate_container(c, &format!("{path}.initContainers[{i}]"), errs);
        }
    }
    if let Some(policy) = chosen(spec, "/restartPolicy")
        && !restart_policies.contains(&policy)
    {
        errs.push(err_not_supported(
            &format!("{path}.restartPolicy"),
            policy,
            restart_policies,
        ));
    }
    if let Some(policy) = chosen(spec, "/dnsPolicy") {
        let supported = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];
        if !supported.contains(&policy) {
            errs.push(err_not_supported(&format!("{path}.dnsPolicy"), policy, &supported));
        }
    }
}

fn validate_container(c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    match str_at(c, "/name") {
        None | Some("") => errs.push(err_required(&format!("{path}.name"), "")),
        Some(name) => {
            for msg in is_dns1123_label(name) {
                errs.push(err_invalid(&format!("{path}.name"), &quote(name), &msg));
            }
        }
    }
    if str_at(c, "/image").is_none_or(|i| i.trim().is_empty()) {
        errs.push(err_required(&format!("{path}.image"), ""));
    }
    if let Some(policy) = chosen(c, "/imagePullPolicy") {
        let supported = ["Always", "IfNotPresent", "Never"];
        if !supported.contains(&policy) {
            errs.push(err_not_supported(
                &format!("{path}.imagePullPolicy"),
                policy,
                &supported,
            ));
        }
    }
    if let Some(ports) = c.get("ports").and_then(Value::as_array) {
        for (i, p) in ports.iter().enumerate() {
            let port_path = format!("{path}.ports[{i}]");
            match p.get("containerPort").and_then(Value::as_i64) {
                Some(n) if (1..=65535).contains(&n) => {}
                Some(n) => errs.push(err_invalid(
                    &format!("{port_path}.containerPort"),
                    &n.to_string(),
                    "must be between 1 and 65535, inclusive",
                )),
                None => errs.push(err_required(&format!("{port_path}.containerPort"), "")),
            }
            validate_protocol(p, &port_path, errs);
        }
    }
}

fn validate_protocol(port: &Value, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(protocol) = chosen(port, "/protocol") {
        let supported = ["SCTP", "TCP", "UDP"];
        if !supported.contains(&protocol) {
            errs.push(err_not_supported(&format!("{path}.protocol"), protocol, &supported));
        }
    }
}

/// pkg/apis/core/validation: ValidateService (type, ports).
fn validate_service_spec(obj: &Value, errs: &mut Vec<FieldError>) {
    let spec = obj.get("spec").cloned().unwrap_or(Value::Null);
    let service_type = chosen(&spec, "/type").unwrap_or("ClusterIP");
    let types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    if !types.contains(&service_type) {
        errs.push(err_not_supported("spec.type", service_type, &types));
    }
    let ports = spec.get("ports").and_then(Value::as_array).cloned().unwrap_or_default();
    if ports.is_empty() && service_type != "ExternalName" && str_at(&spec, "/clusterIP") != Some("None") {
        errs.push(err_required("spec.ports", ""));
    }
    let several = ports.len() > 1;
    for (i, p) in ports.iter().enumerate() {
        let path = format!("spec.ports[{i}]");
        match str_at(p, "/name") {
            None | Some("") if several => errs.push(err_required(&format!("{path}.name"), "")),
            Some(name) if !name.is_empty() => {
                for msg in is_dns1123_label(name) {
                    errs.push(err_invalid(&format!("{path}.name"), &quote(name), &msg));
                }
            }
            _ => {}
        }
        match p.get("port").and_then(Value::as_i64) {
            Some(n) if (1..=65535).contains(&n) => {}
            Some(n) => errs.push(err_invalid(
                &format!("{path}.port"),
                &n.to_string(),
                "must be between 1 and 65535, inclusive",
            )),
            None => errs.push(err_invalid(
                &format!("{path}.port"),
                "0",
                "must be between 1 and 65535, inclusive",
            )),
        }
        validate_protocol(p, &path, errs);
    }
}

// ---------------------------------------------------------------------------------------------
// Known fields of built-in types: what strict decoding into the Go types accepts.
// kube-apiserver: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go (strict decoding
// with fieldValidation), sigs.k8s.io/json UnmarshalStrict for the paths it reports.

#[derive(Clone, Copy)]
enum Shape {
    /// A scalar, a list of scalars, or a map with free keys: not descended into.
    Leaf,
    Obj(&'static [(&'static str, Shape)]),
    List(&'static [(&'static str, Shape)]),
}

use Shape::{Leaf, List, Obj};

type Fields = &'static [(&'static str, Shape)];

const OWNER_REFERENCE: Fields = &[
    ("apiVersion", Leaf),
    ("kind", Leaf),
    ("name", Leaf),
    ("uid", Leaf),
    ("controller", Leaf),
    ("blockOwnerDeletion", Leaf),
];

const OBJECT_META: Fields = &[
    ("name", Leaf),
    ("generateName", Leaf),
    ("namespace", Leaf),
    ("selfLink", Leaf),
    ("uid", Leaf),
    ("resourceVersion", Leaf),
    ("generation", Leaf),
    ("creationTimestamp", Leaf),
    ("deletionTimestamp", Leaf),
    ("deletionGracePeriodSeconds", Leaf),
    ("labels", Leaf),
    ("annotations", Leaf),
    ("ownerReferences", List(OWNER_REFERENCE)),
    ("finalizers", Leaf),
    ("managedFields", Leaf),
];

const LABEL_SELECTOR_REQUIREMENT: Fields = &[("key", Leaf), ("operator", Leaf), ("values", Leaf)];
const LABEL_SELECTOR: Fields = &[
    ("matchLabels", Leaf),
    ("matchExpressions", List(LABEL_SELECTOR_REQUIREMENT)),
];

const CONTAINER_PORT: Fields = &[
    ("name", Leaf),
    ("hostPort", Leaf),
    ("containerPort", Leaf),
    ("protocol", Leaf),
    ("hostIP", Leaf),
];
const ENV_VAR: Fields = &[("name", Leaf), ("value", Leaf), ("valueFrom", Leaf)];
const RESOURCES: Fields = &[("limits", Leaf), ("requests", Leaf), ("claims", Leaf)];
const VOLUME_MOUNT: Fields = &[
    ("name", Leaf),
    ("readOnly", Leaf),
    ("recursiveReadOnly", Leaf),
    ("mountPath", Leaf),
    ("subPath", Leaf),
    ("mountPropagation", Leaf),
    ("subPathExpr", Leaf),
];
const HTTP_GET: Fields = &[
    ("path", Leaf),
    ("port", Leaf),
    ("host", Leaf),
    ("scheme", Leaf),
    ("httpHeaders", Leaf),
];
const PROBE: Fields = &[
    ("exec", Leaf),
    ("httpGet", Obj(HTTP_GET)),
    ("tcpSocket", Leaf),
    ("grpc", Leaf),
    ("initialDelaySeconds", Leaf),
    ("timeoutSeconds", Leaf),
    ("periodSeconds", Leaf),
    ("successThreshold", Leaf),
    ("failureThreshold", Leaf),
    ("terminationGracePeriodSeconds", Leaf),
];
const CONTAINER: Fields = &[
    ("name", Leaf),
    ("image", Leaf),
    ("command", Leaf),
    ("args", Leaf),
    ("workingDir", Leaf),
    ("ports", List(CONTAINER_PORT)),
    ("envFrom", Leaf),
    ("env", List(ENV_VAR)),
    ("resources", Obj(RESOURCES)),
    ("resizePolicy", Leaf),
    ("restartPolicy", Leaf),
    ("volumeMounts", List(VOLUME_MOUNT)),
    ("volumeDevices", Leaf),
    ("livenessProbe", Obj(PROBE)),
    ("readinessProbe", Obj(PROBE)),
    ("startupProbe", Obj(PROBE)),
    ("lifecycle", Leaf),
    ("terminationMessagePath", Leaf),
    ("terminationMessagePolicy", Leaf),
    ("imagePullPolicy", Leaf),
    ("securityContext", Leaf),
    ("stdin", Leaf),
    ("stdinOnce", Leaf),
    ("tty", Leaf),
    // EphemeralContainer only; harmless on the others (the same Go struct is not shared, but
    // kubectl never sends it on a regular container).
    ("targetContainerName", Leaf),
];
const VOLUME: Fields = &[
    ("name", Leaf),
    ("hostPath", Leaf),
    ("emptyDir", Leaf),
    ("gcePersistentDisk", Leaf),
    ("awsElasticBlockStore", Leaf),
    ("gitRepo", Leaf),
    ("secret", Leaf),
    ("nfs", Leaf),
    ("iscsi", Leaf),
    ("glusterfs", Leaf),
    ("persistentVolumeClaim", Leaf),
    ("rbd", Leaf),
    ("flexVolume", Leaf),
    ("cinder", Leaf),
    ("cephfs", Leaf),
    ("flocker", Leaf),
    ("downwardAPI", Leaf),
    ("fc", Leaf),
    ("azureFile", Leaf),
    ("configMap", Leaf),
    ("vsphereVolume", Leaf),
    ("quobyte", Leaf),
    ("azureDisk", Leaf),
    ("photonPersistentDisk", Leaf),
    ("projected", Leaf),
    ("portworxVolume", Leaf),
    ("scaleIO", Leaf),
    ("storageos", Leaf),
    ("csi", Leaf),
    ("ephemeral", Leaf),
    ("image", Leaf),
];
const POD_SPEC: Fields = &[
    ("volumes", List(VOLUME)),
    ("initContainers", List(CONTAINER)),
    ("containers", List(CONTAINER)),
    ("ephemeralContainers", List(CONTAINER)),
    ("restartPolicy", Leaf),
    ("terminationGracePeriodSeconds", Leaf),
    ("activeDeadlineSeconds", Leaf),
    ("dnsPolicy", Leaf),
    ("nodeSelector", Leaf),
    ("serviceAccountName", Leaf),
    ("serviceAccount", Leaf),
    ("automountServiceAccountToken", Leaf),
    ("nodeName", Leaf),
    ("hostNetwork", Leaf),
    ("hostPID", Leaf),
    ("hostIPC", Leaf),
    ("shareProcessNamespace", Leaf),
    ("securityContext", Leaf),
    ("imagePullSecrets", Leaf),
    ("hostname", Leaf),
    ("subdomain", Leaf),
    ("affinity", Leaf),
    ("schedulerName", Leaf),
    ("tolerations", Leaf),
    ("hostAliases", Leaf),
    ("priorityClassName", Leaf),
    ("priority", Leaf),
    ("dnsConfig", Leaf),
    ("readinessGates", Leaf),
    ("runtimeClassName", Leaf),
    ("enableServiceLinks", Leaf),
    ("preemptionPolicy", Leaf),
    ("overhead", Leaf),
    ("topologySpreadConstraints", Leaf),
    ("setHostnameAsFQDN", Leaf),
    ("os", Leaf),
    ("hostUsers", Leaf),
    ("schedulingGates", Leaf),
    ("resourceClaims", Leaf),
    ("resources", Leaf),
];
const POD_TEMPLATE: Fields = &[("metadata", Obj(OBJECT_META)), ("spec", Obj(POD_SPEC))];
const ROLLING_UPDATE: Fields = &[("maxUnavailable", Leaf), ("maxSurge", Leaf)];
const DEPLOYMENT_STRATEGY: Fields = &[("type", Leaf), ("rollingUpdate", Obj(ROLLING_UPDATE))];
const DEPLOYMENT_SPEC: Fields = &[
    ("replicas", Leaf),
    ("selector", Obj(LABEL_SELECTOR)),
    ("template", Obj(POD_TEMPLATE)),
    ("strategy", Obj(DEPLOYMENT_STRATEGY)),
    ("minReadySeconds", Leaf),
    ("revisionHistoryLimit", Leaf),
    ("paused", Leaf),
    ("progressDeadlineSeconds", Leaf),
];
const SERVICE_PORT: Fields = &[
    ("name", Leaf),
    ("protocol", Leaf),
    ("appProtocol", Leaf),
    ("port", Leaf),
    ("targetPort", Leaf),
    ("nodePort", Leaf),
];
const SERVICE_SPEC: Fields = &[
    ("ports", List(SERVICE_PORT)),
    ("selector", Leaf),
    ("clusterIP", Leaf),
    ("clusterIPs", Leaf),
    ("type", Leaf),
    ("externalIPs", Leaf),
    ("sessionAffinity", Leaf),
    ("loadBalancerIP", Leaf),
    ("loadBalancerSourceRanges", Leaf),
    ("externalName", Leaf),
    ("externalTrafficPolicy", Leaf),
    ("healthCheckNodePort", Leaf),
    ("publishNotReadyAddresses", Leaf),
    ("sessionAffinityConfig", Leaf),
    ("ipFamilies", Leaf),
    ("ipFamilyPolicy", Leaf),
    ("allocateLoadBalancerNodePorts", Leaf),
    ("loadBalancerClass", Leaf),
    ("internalTrafficPolicy", Leaf),
    ("trafficDistribution", Leaf),
];
const POLICY_RULE: Fields = &[
    ("verbs", Leaf),
    ("apiGroups", Leaf),
    ("resources", Leaf),
    ("resourceNames", Leaf),
    ("nonResourceURLs", Leaf),
];
const SUBJECT: Fields = &[("kind", Leaf), ("apiGroup", Leaf), ("name", Leaf), ("namespace", Leaf)];
const ROLE_REF: Fields = &[("apiGroup", Leaf), ("kind", Leaf), ("name", Leaf)];
const NAMESPACE_SPEC: Fields = &[("finalizers", Leaf)];

const NAMESPACE: Fields = &[("spec", Obj(NAMESPACE_SPEC)), ("status", Leaf)];
const SERVICE: Fields = &[("spec", Obj(SERVICE_SPEC)), ("status", Leaf)];
const DEPLOYMENT: Fields = &[("spec", Obj(DEPLOYMENT_SPEC)), ("status", Leaf)];
const POD: Fields = &[("spec", Obj(POD_SPEC)), ("status", Leaf)];
const CONFIG_MAP: Fields = &[("data", Leaf), ("binaryData", Leaf), ("immutable", Leaf)];
const SECRET: Fields = &[
    ("data", Leaf),
    ("stringData", Leaf),
    ("type", Leaf),
    ("immutable", Leaf),
];
const SERVICE_ACCOUNT: Fields = &[
    ("secrets", Leaf),
    ("imagePullSecrets", Leaf),
    ("automountServiceAccountToken", Leaf),
];
const ROLE: Fields = &[("rules", List(POLICY_RULE))];
const CLUSTER_ROLE: Fields = &[("rules", List(POLICY_RULE)), ("aggregationRule", Leaf)];
const BINDING: Fields = &[("subjects", List(SUBJECT)), ("roleRef", Obj(ROLE_REF))];
const ENDPOINTS: Fields = &[("subsets", Leaf)];

/// The known top-level fields (besides apiVersion, kind, metadata) of a built-in type, or None
/// for types not described here (their unknown fields go unreported).
fn known_fields(t: &ResourceType) -> Option<Fields> {
    if t.custom {
        return None;
    }
    Some(match (t.group.as_str(), t.plural.as_str()) {
        ("", "namespaces") => NAMESPACE,
        ("", "services") => SERVICE,
        ("", "pods") => POD,
        ("", "configmaps") => CONFIG_MAP,
        ("", "secrets") => SECRET,
        ("", "serviceaccounts") => SERVICE_ACCOUNT,
        ("", "endpoints") => ENDPOINTS,
        ("apps", "deployments") => DEPLOYMENT,
        ("rbac.authorization.k8s.io", "roles") => ROLE,
        ("rbac.authorization.k8s.io", "clusterroles") => CLUSTER_ROLE,
        ("rbac.authorization.k8s.io", "rolebindings" | "clusterrolebindings") => BINDING,
        _ => return None,
    })
}

/// Drops the fields a built-in type does not have (as decoding into its Go struct does) and
/// returns their paths (`spec.template.spec.containers[0].foo`) for Strict/Warn.
pub fn prune_unknown(t: &ResourceType, obj: &mut Value) -> Vec<String> {
    let Some(fields) = known_fields(t) else {
        return Vec::new();
    };
    let mut unknown = Vec::new();
    if let Some(map) = obj.as_object_mut() {
        let top: Vec<String> = map.keys().cloned().collect();
        for key in top {
            let shape = match key.as_str() {
                "apiVersion" | "kind" => Some(Leaf),
                "metadata" => Some(Obj(OBJECT_META)),
                _ => lookup(fields, &key),
            };
            match shape {
                Some(shape) => {
                    if let Some(v) = map.get_mut(&key) {
                        walk(v, shape, &key, &mut unknown);
                    }
                }
                None => {
                    map.remove(&key);
                    unknown.push(key);
                }
            }
        }
    }
    unknown
}

fn lookup(fields: Fields, key: &str) -> Option<Shape> {
    fields.iter().find(|(k, _)| *k == key).map(|(_, s)| *s)
}

fn walk(value: &mut Value, shape: Shape, path: &str, unknown: &mut Vec<String>) {
    match (shape, value) {
        (Leaf, _) => {}
        (Obj(fields), Value::Object(map)) => walk_map(map, fields, path, unknown),
        (List(fields), Value::Array(items)) => {
            for (i, item) in items.iter_mut().enumerate() {
                if let Value::Object(map) = item {
                    walk_map(map, fields, &format!("{path}[{i}]"), unknown);
                }
            }
        }
        _ => {}
    }
}

fn walk_map(map: &mut Map<String, Value>, fields: Fields, path: &str, unknown: &mut Vec<String>) {
    let keys: Vec<String> = map.keys().cloned().collect();
    for key in keys {
        let child = format!("{path}.{key}");
        match lookup(fields, &key) {
            Some(shape) => {
                if let Some(v) = map.get_mut(&key) {
                    walk(v, shape, &child, unknown);
                }
            }
            None => {
                map.remove(&key);
                unknown.push(child);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn builtin(group: &str, plural: &str, kind: &str) -> ResourceType {
        ResourceType::builtin(group, "v1", plural, kind, true)
    }

    fn deployment(selector: Value, labels: Value) -> Value {
        json!({"metadata": {"name": "web"}, "spec": {"selector": selector, "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}})
    }

    #[test]
    fn names_follow_the_type_rule() {
        let subdomain = is_dns1123_subdomain("Bad_Name");
        assert_eq!(
            subdomain,
            vec![
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            ]
        );
        assert_eq!(is_dns1123_label("a.b"), vec!["must not contain dots"]);
        assert!(is_dns1123_label("my-ns").is_empty());
        assert!(is_dns1035_label("1abc")[0].contains("'my-name',  or 'abc-123'"));
        assert!(is_dns1123_subdomain(&"a".repeat(254))[0].contains("no more than 253"));
        let svc = builtin("", "services", "Service");
        let errs = validate_create(
            &svc,
            &json!({"metadata": {"name": "9lives"}, "spec": {"ports": [{"port": 80}]}}),
        );
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0]
                .message
                .starts_with("metadata.name: Invalid value: \"9lives\": a DNS-1035 label")
        );
    }

    #[test]
    fn label_keys_and_values_are_qualified() {
        assert!(is_qualified_name("app.kubernetes.io/name").is_empty());
        assert!(is_qualified_name("bad key")[0].starts_with("name part must consist of"));
        assert!(is_qualified_name("a/b/c")[0].starts_with("a qualified name must consist"));
        assert!(is_qualified_name("/x")[0].starts_with("prefix part must be non-empty"));
        assert!(is_label_value("").is_empty());
        assert!(is_label_value("-x")[0].starts_with("a valid label must be an empty string"));
        let cm = builtin("", "configmaps", "ConfigMap");
        let errs = validate_create(
            &cm,
            &json!({"metadata": {"name": "c", "labels": {"ok": "bad value"}, "annotations": {"Has Space": "x"}}}),
        );
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs[0]
                .message
                .starts_with("metadata.labels: Invalid value: \"bad value\"")
        );
        assert!(
            errs[1]
                .message
                .starts_with("metadata.annotations: Invalid value: \"Has Space\"")
        );
    }

    #[test]
    fn deployment_selector_must_match_and_stay() {
        let t = builtin("apps", "deployments", "Deployment");
        let errs = validate_create(
            &t,
            &deployment(json!({"matchLabels": {"app": "web"}}), json!({"app": "api"})),
        );
        assert_eq!(
            errs[0].message,
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"api\"}: `selector` does not match template `labels`"
        );
        let old = deployment(json!({"matchLabels": {"app": "web"}}), json!({"app": "web", "v": "1"}));
        let new = deployment(
            json!({"matchLabels": {"app": "web", "v": "1"}}),
            json!({"app": "web", "v": "1"}),
        );
        let errs = validate_update(&t, &old, &new);
        assert_eq!(
            errs[0].message,
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"v\":\"1\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
        );
        assert!(validate_update(&t, &old, &old).is_empty());
    }

    #[test]
    fn enums_report_the_supported_values() {
        let t = builtin("apps", "deployments", "Deployment");
        let mut d = deployment(json!({"matchLabels": {"app": "web"}}), json!({"app": "web"}));
        d["spec"]["strategy"] = json!({"type": "Foo"});
        d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!("Sometimes");
        let messages: Vec<String> = validate_create(&t, &d).into_iter().map(|e| e.message).collect();
        assert_eq!(
            messages,
            vec![
                "spec.strategy.type: Unsupported value: \"Foo\": supported values: \"Recreate\", \"RollingUpdate\"",
                "spec.template.spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"",
            ]
        );
        let svc = builtin("", "services", "Service");
        let errs = validate_create(
            &svc,
            &json!({"metadata": {"name": "s"}, "spec": {"type": "Foo", "ports": [{"port": 80}]}}),
        );
        assert_eq!(
            errs[0].message,
            "spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""
        );
    }

    #[test]
    fn a_service_keeps_its_cluster_ip() {
        let t = builtin("", "services", "Service");
        let old = json!({"metadata": {"name": "s"}, "spec": {"clusterIP": "10.96.0.5", "clusterIPs": ["10.96.0.5"], "ports": [{"port": 80}]}});
        let new = json!({"metadata": {"name": "s"}, "spec": {"clusterIP": "10.96.0.9", "ports": [{"port": 80}]}});
        assert_eq!(
            validate_update(&t, &old, &new)[0].message,
            "spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.9\"}: may not change once set"
        );
        assert!(validate_update(&t, &old, &old).is_empty());
    }

    #[test]
    fn no_new_finalizers_while_deleting() {
        let t = builtin("", "configmaps", "ConfigMap");
        let old =
            json!({"metadata": {"name": "c", "deletionTimestamp": "2025-01-01T00:00:00Z", "finalizers": ["a.io/x"]}});
        let new = json!({"metadata": {"name": "c", "finalizers": ["a.io/x", "b.io/y"]}});
        let errs = validate_update(&t, &old, &new);
        assert_eq!(
            errs[0].message,
            "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"b.io/y\"}"
        );
        assert_eq!(errs[0].reason, "FieldValueForbidden");
    }

    #[test]
    fn unknown_fields_of_builtins_are_pruned_and_reported() {
        let t = builtin("apps", "deployments", "Deployment");
        let mut d = deployment(json!({"matchLabels": {"app": "web"}}), json!({"app": "web"}));
        d["spec"]["foo"] = json!(1);
        d["spec"]["template"]["spec"]["containers"][0]["imagee"] = json!("x");
        d["metadata"]["labelz"] = json!({});
        let unknown = prune_unknown(&t, &mut d);
        assert_eq!(
            unknown,
            vec!["metadata.labelz", "spec.foo", "spec.template.spec.containers[0].imagee"]
        );
        assert!(d["spec"].get("foo").is_none());
        let cm = builtin("", "configmaps", "ConfigMap");
        let mut c = json!({"metadata": {"name": "c"}, "data": {"any key": "v"}, "spec": {}});
        assert_eq!(prune_unknown(&cm, &mut c), vec!["spec"]);
    }
}
