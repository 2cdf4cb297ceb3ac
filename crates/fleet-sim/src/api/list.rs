//! LIST as kube-apiserver serves it: `limit`/`continue` paging over objects ordered by their
//! storage key, continue tokens that pin the first page's resourceVersion (a consistent snapshot),
//! `resourceVersion`/`resourceVersionMatch` semantics (watch cache vs. etcd reads), and the
//! errors a client sees when a token is garbage (400) or its snapshot was compacted (410).

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::core::ClusterCore;
use crate::error::{ApiError, FieldError, invalid};
use crate::meta::labels_of;
use crate::resource::{ResKey, ResourceType};
use crate::selector::{FieldSelector, LabelSelector};
use crate::store::ObjectKey;

// kube-apiserver: staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go (constants used by
// interpretListError / handleCompactedErrorForPaging).
const EXPIRED_LIST: &str = "The resourceVersion for the provided list is too old.";
const INCONSISTENT_CONTINUE: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/// One page of a list: the matching objects (stored form), the resourceVersion they were read
/// at, and the continuation when more keys follow.
pub struct Page {
    pub items: Vec<Arc<Value>>,
    pub resource_version: u64,
    pub continue_token: Option<String>,
    pub remaining: Option<i64>,
}

/// The selectors of a list or watch, checked against the type (400 on a malformed label
/// selector or a field the type cannot be selected on).
pub fn selectors(
    core: &ClusterCore,
    t: &ResourceType,
    query: &HashMap<String, String>,
) -> Result<(LabelSelector, FieldSelector), ApiError> {
    let labels = LabelSelector::parse(query.get("labelSelector").map(String::as_str).unwrap_or(""))
        .map_err(ApiError::bad_request)?;
    let fields = FieldSelector::parse(query.get("fieldSelector").map(String::as_str).unwrap_or(""))
        .map_err(ApiError::bad_request)?
        .for_type(t, &selectable_fields(core, t))
        .map_err(ApiError::bad_request)?;
    Ok((labels, fields))
}

/// The `selectableFields` JSONPaths the CRD declares for `t`'s version.
fn selectable_fields(core: &ClusterCore, t: &ResourceType) -> Vec<String> {
    if !t.custom {
        return Vec::new();
    }
    let key = ObjectKey::new(
        ResKey::new("apiextensions.k8s.io", "customresourcedefinitions"),
        None,
        &format!("{}.{}", t.plural, t.group),
    );
    let Some(crd) = core.store.get(&key) else {
        return Vec::new();
    };
    crd.pointer("/spec/versions")
        .and_then(Value::as_array)
        .and_then(|vs| vs.iter().find(|v| v["name"] == t.version.as_str()))
        .and_then(|v| v.get("selectableFields"))
        .and_then(Value::as_array)
        .map(|fs| {
            fs.iter()
                .filter_map(|f| f.get("jsonPath").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// kube-apiserver: staging/src/k8s.io/apimachinery/pkg/apis/meta/internalversion/validation/
/// validation.go, func ValidateListOptions (answered 422 on `ListOptions.meta.k8s.io` by
/// endpoints/handlers/get.go, func ListResource).
pub fn validate_list_options(query: &HashMap<String, String>, watch: bool) -> Result<(), ApiError> {
    let get = |k: &str| query.get(k).map(String::as_str).unwrap_or("");
    let matching = get("resourceVersionMatch");
    let rv = get("resourceVersion");
    let mut errors = Vec::new();
    let forbidden = |field: &str, message: &str| FieldError {
        field: field.to_string(),
        reason: "FieldValueForbidden",
        message: format!("{field}: Forbidden: {message}"),
    };
    if watch {
        // Watches: only the sendInitialEvents form takes a match (validateWatchOptions).
        if !matching.is_empty() {
            if !query.contains_key("sendInitialEvents") {
                errors.push(forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
                ));
            }
            if matching != "NotOlderThan" {
                errors.push(FieldError {
                    field: "resourceVersionMatch".into(),
                    reason: "FieldValueNotSupported",
                    message: format!(
                        "resourceVersionMatch: Unsupported value: \"{matching}\": supported values: \"NotOlderThan\""
                    ),
                });
            }
        }
    } else {
        if !matching.is_empty() {
            if rv.is_empty() {
                errors.push(forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden unless resourceVersion is provided",
                ));
            }
            if !get("continue").is_empty() {
                errors.push(forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden when continue is provided",
                ));
            }
            if matching != "Exact" && matching != "NotOlderThan" {
                errors.push(FieldError {
                    field: "resourceVersionMatch".into(),
                    reason: "FieldValueNotSupported",
                    message: format!(
                        "resourceVersionMatch: Unsupported value: \"{matching}\": supported values: \"Exact\", \"NotOlderThan\", \"\""
                    ),
                });
            }
            if matching == "Exact" && rv == "0" {
                errors.push(forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
                ));
            }
        }
        if query.contains_key("sendInitialEvents") {
            errors.push(forbidden(
                "sendInitialEvents",
                "sendInitialEvents is forbidden for list",
            ));
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    let mut err = invalid("ListOptions", "meta.k8s.io", "", &errors);
    // apimachinery errors.NewInvalid: a cause's message is the error body, without the field.
    let causes: Vec<Value> = errors
        .iter()
        .map(|e| {
            let body = e.message.split_once(": ").map(|(_, m)| m).unwrap_or(&e.message);
            json!({"reason": e.reason, "message": body, "field": e.field})
        })
        .collect();
    err.details = Some(json!({"group": "meta.k8s.io", "kind": "ListOptions", "causes": causes}));
    Err(err)
}

/// The storage key of an object relative to the list's key prefix, as etcd orders them:
/// `name` in one namespace (or cluster-scoped), `namespace/name` across namespaces.
fn relative_key(obj: &Value, across_namespaces: bool) -> String {
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    match obj.pointer("/metadata/namespace").and_then(Value::as_str) {
        Some(ns) if across_namespaces => format!("{ns}/{name}"),
        _ => name.to_string(),
    }
}

// kube-apiserver: staging/src/k8s.io/apiserver/pkg/storage/continue.go, func EncodeContinue
fn encode_continue(start: &str, rv: i64) -> String {
    let token = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": start});
    URL_SAFE_NO_PAD.encode(token.to_string())
}

/// Go's `path.Clean` for the absolute keys a continue token may carry.
fn clean_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Go's `base64.RawURLEncoding.DecodeString` error: the offset of the first byte it rejects.
fn base64_error(text: &str) -> Option<String> {
    let bad = text
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let offset = match bad {
        Some(i) => i,
        None if text.len() % 4 == 1 => text.len() - 1,
        None => return None,
    };
    Some(format!("illegal base64 data at input byte {offset}"))
}

/// kube-apiserver: staging/src/k8s.io/apiserver/pkg/storage/continue.go, func DecodeContinue:
/// the start key (relative to the key prefix) and the resourceVersion of the first page.
fn decode_continue(token: &str) -> Result<(String, i64), String> {
    const INVALID: &str = "continue key is not valid";
    if let Some(e) = base64_error(token) {
        return Err(format!("{INVALID}: {e}"));
    }
    // Go's decoder ignores the unused bits of a last partial quantum.
    let lenient = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireNone),
    );
    let data = lenient.decode(token).map_err(|e| format!("{INVALID}: {e}"))?;
    let parsed: Value = serde_json::from_slice(&data).map_err(|_| {
        let first = data.iter().find(|b| !b.is_ascii_whitespace()).copied().unwrap_or(b' ');
        if first.is_ascii_graphic() {
            format!(
                "{INVALID}: invalid character '{}' looking for beginning of value",
                first as char
            )
        } else {
            format!("{INVALID}: invalid character '\\x{first:02x}' looking for beginning of value")
        }
    })?;
    let version = parsed.get("v").and_then(Value::as_str).unwrap_or("");
    if version != "meta.k8s.io/v1" {
        return Err(format!(
            "{INVALID}: server does not recognize this encoded version \"{version}\""
        ));
    }
    let rv = parsed.get("rv").and_then(Value::as_i64).unwrap_or(0);
    if rv == 0 {
        return Err(format!(
            "{INVALID}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
        ));
    }
    let start = parsed.get("start").and_then(Value::as_str).unwrap_or("");
    if start.is_empty() {
        return Err(format!("{INVALID}: encoded start key empty (version meta.k8s.io/v1)"));
    }
    // Path traversal: a key that `path.Clean` changes could range outside the prefix.
    let key = if start.starts_with('/') {
        start.to_string()
    } else {
        format!("/{start}")
    };
    if clean_path(&key) != key {
        return Err(format!("{INVALID}: {start}"));
    }
    Ok((key[1..].to_string(), rv))
}

fn too_large(requested: u64, current: u64) -> ApiError {
    // kube-apiserver: staging/src/k8s.io/apiserver/pkg/storage/errors.go, func
    // NewTooLargeResourceVersionError (a Timeout the client retries).
    ApiError::new(
        504,
        "Timeout",
        format!("Timeout: Too large resource version: {requested}, current: {current}"),
    )
    .with_details(json!({
        "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
        "retryAfterSeconds": 1
    }))
}

fn expired(message: &str) -> ApiError {
    ApiError::new(410, "Expired", message)
}

/// Where a read is served from (kube-apiserver: staging/src/k8s.io/apiserver/pkg/storage/cacher/
/// cacher.go, func GetList / shouldDelegateList, and etcd3/store.go, func GetList).
enum ReadAt {
    /// The current state.
    Latest,
    /// Exactly this resourceVersion (an etcd range read at a revision).
    Exact(u64),
}

/// Serves one LIST request (the selectors already checked).
pub fn read(
    core: &ClusterCore,
    t: &ResourceType,
    ns: Option<&str>,
    query: &HashMap<String, String>,
    labels: &LabelSelector,
    fields: &FieldSelector,
) -> Result<Page, ApiError> {
    validate_list_options(query, false)?;
    let get = |k: &str| query.get(k).map(String::as_str).unwrap_or("");
    let limit = match get("limit") {
        "" => 0,
        // The query decoder's own error (Go strconv), answered 400 by ListResource.
        text => text
            .parse::<i64>()
            .map_err(|_| ApiError::bad_request(format!("strconv.ParseInt: parsing \"{text}\": invalid syntax")))?,
    };
    let rv_text = get("resourceVersion");
    let rv = match rv_text {
        "" => None,
        // storage.APIObjectVersioner.ParseResourceVersion returns a storage InvalidError that no
        // layer turns into a Status, so the handler answers it as a 500 with its text.
        text => Some(text.parse::<u64>().map_err(|_| {
            ApiError::new(
                500,
                "",
                format!(
                    "resourceVersion: Invalid value: \"{text}\": strconv.ParseUint: parsing \"{text}\": invalid syntax"
                ),
            )
        })?),
    };
    let matching = get("resourceVersionMatch");
    let continue_text = get("continue");
    let current = core.store.current_rv();
    let res = t.key();
    let namespace = if t.namespaced { ns } else { None };
    let across = t.namespaced && namespace.is_none();

    let mut start: Option<String> = None;
    let mut paging = limit > 0;
    let at = if !continue_text.is_empty() {
        let (key, token_rv) = decode_continue(continue_text)
            .map_err(|e| ApiError::bad_request(format!("invalid continue token: {e}")))?;
        if rv.is_some_and(|v| v != 0) {
            return Err(ApiError::bad_request(
                "specifying resource version is not allowed when using continue",
            ));
        }
        start = Some(key);
        // A negative resourceVersion continues at the latest state (handleCompactedErrorForPaging).
        if token_rv > 0 {
            ReadAt::Exact(token_rv as u64)
        } else {
            ReadAt::Latest
        }
    } else if limit > 0 && rv_text != "0" {
        // Served by etcd: a legacy resourceVersion (no match) with a limit is an exact read.
        match (rv, matching) {
            (None, _) => ReadAt::Latest,
            (Some(v), "NotOlderThan") => {
                if v > current {
                    return Err(too_large(v, current));
                }
                ReadAt::Latest
            }
            (Some(v), _) => ReadAt::Exact(v),
        }
    } else {
        // The watch cache: it ignores `limit`, and serves anything at least as new as asked.
        paging = false;
        match (rv, matching) {
            (Some(v), "Exact") => ReadAt::Exact(v),
            (Some(v), _) if v > current => return Err(too_large(v, current)),
            _ => ReadAt::Latest,
        }
    };
    let (objects, read_rv) = match at {
        ReadAt::Latest => (core.store.list(&res, namespace).0, current),
        // etcd refuses a range read at a future revision; etcd3 store.go, func
        // interpretListError, passes that error on untranslated, so the client sees a 500.
        ReadAt::Exact(v) if v > current => {
            return Err(ApiError::new(
                500,
                "",
                "etcdserver: mvcc: required revision is a future revision",
            ));
        }
        ReadAt::Exact(v) => match core.store.list_at(&res, namespace, v) {
            Ok(objects) => (objects, v),
            Err(_) => {
                return Err(match &start {
                    // etcd3/store.go, func handleCompactedErrorForPaging: 410 with a token that
                    // continues at the latest state.
                    Some(key) => {
                        let mut e = expired(INCONSISTENT_CONTINUE);
                        e.list_continue = Some(encode_continue(key, -1));
                        e
                    }
                    None => expired(EXPIRED_LIST),
                });
            }
        },
    };
    let mut keyed: Vec<(String, Arc<Value>)> = objects
        .into_iter()
        .map(|o| (relative_key(&o, across), o))
        .filter(|(k, _)| start.as_ref().is_none_or(|s| k >= s))
        .collect();
    // etcd returns keys in byte order (`ns/name`, which is not (ns, name) order).
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let total = keyed.len() as i64;
    let matches = |o: &Value| labels.matches(&labels_of(o)) && fields.matches(o);
    let mut items = Vec::new();
    let mut last_key: Option<&str> = None;
    let mut has_more = false;
    for (key, obj) in &keyed {
        if paging && items.len() as i64 >= limit {
            has_more = true;
            break;
        }
        last_key = Some(key);
        if matches(obj) {
            items.push(obj.clone());
        }
    }
    let (continue_token, remaining) = match (has_more, last_key) {
        (true, Some(last)) => {
            let token = encode_continue(&format!("{last}\u{0}"), read_rv as i64);
            // Counted only when nothing filters the keys (etcd3 store.go: pred.Empty()).
            let remaining = (labels.is_empty() && fields.is_empty()).then_some(total - limit);
            (Some(token), remaining)
        }
        _ => (None, None),
    };
    Ok(Page {
        items,
        resource_version: read_rv,
        continue_token,
        remaining,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_round_trip_and_reject_garbage() {
        let token = encode_continue("default/b\u{0}", 42);
        assert_eq!(decode_continue(&token).unwrap(), ("default/b\u{0}".to_string(), 42));
        assert_eq!(
            decode_continue("not!base64").unwrap_err(),
            "continue key is not valid: illegal base64 data at input byte 3"
        );
        assert!(
            decode_continue("garbage")
                .unwrap_err()
                .starts_with("continue key is not valid: invalid character")
        );
        let zero = URL_SAFE_NO_PAD.encode(r#"{"v":"meta.k8s.io/v1","rv":0,"start":"a"}"#);
        assert_eq!(
            decode_continue(&zero).unwrap_err(),
            "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
        );
        let traversal = URL_SAFE_NO_PAD.encode(r#"{"v":"meta.k8s.io/v1","rv":3,"start":"../secrets/x"}"#);
        assert_eq!(
            decode_continue(&traversal).unwrap_err(),
            "continue key is not valid: ../secrets/x"
        );
        let other = URL_SAFE_NO_PAD.encode(r#"{"v":"v2","rv":3,"start":"a"}"#);
        assert_eq!(
            decode_continue(&other).unwrap_err(),
            "continue key is not valid: server does not recognize this encoded version \"v2\""
        );
    }
}
