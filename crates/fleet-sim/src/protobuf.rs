//! Decoding the Kubernetes protobuf encoding kubectl uses for typed built-in writes (`kubectl
//! create deployment|namespace|configmap|secret|serviceaccount|service|role|rolebinding|…`,
//! `kubectl auth can-i|whoami`), into the JSON the rest
//! of the emulator works on. Only the fields those generators set are described; others are
//! skipped, as an older server skips fields it does not know.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};

#[derive(Clone, Copy)]
enum Kind {
    Str,
    Int,
    Bool,
    Msg(&'static [Field]),
    MapStr,
    MapBytes,
    MapQuantity,
    Time,
    IntOrString,
}

#[derive(Clone, Copy)]
struct Field {
    num: u64,
    name: &'static str,
    kind: Kind,
    repeated: bool,
}

const fn f(num: u64, name: &'static str, kind: Kind) -> Field {
    Field {
        num,
        name,
        kind,
        repeated: false,
    }
}

const fn list(num: u64, name: &'static str, kind: Kind) -> Field {
    Field {
        num,
        name,
        kind,
        repeated: true,
    }
}

const OBJECT_META: &[Field] = &[
    f(1, "name", Kind::Str),
    f(2, "generateName", Kind::Str),
    f(3, "namespace", Kind::Str),
    f(6, "resourceVersion", Kind::Str),
    f(8, "creationTimestamp", Kind::Time),
    f(11, "labels", Kind::MapStr),
    f(12, "annotations", Kind::MapStr),
    list(14, "finalizers", Kind::Str),
];
const LABEL_SELECTOR_REQUIREMENT: &[Field] = &[
    f(1, "key", Kind::Str),
    f(2, "operator", Kind::Str),
    list(3, "values", Kind::Str),
];
const LABEL_SELECTOR: &[Field] = &[
    f(1, "matchLabels", Kind::MapStr),
    list(2, "matchExpressions", Kind::Msg(LABEL_SELECTOR_REQUIREMENT)),
];
const CONTAINER_PORT: &[Field] = &[
    f(1, "name", Kind::Str),
    f(2, "hostPort", Kind::Int),
    f(3, "containerPort", Kind::Int),
    f(4, "protocol", Kind::Str),
];
const ENV_VAR: &[Field] = &[f(1, "name", Kind::Str), f(2, "value", Kind::Str)];
const RESOURCES: &[Field] = &[f(1, "limits", Kind::MapQuantity), f(2, "requests", Kind::MapQuantity)];
const CONTAINER: &[Field] = &[
    f(1, "name", Kind::Str),
    f(2, "image", Kind::Str),
    list(3, "command", Kind::Str),
    list(4, "args", Kind::Str),
    f(5, "workingDir", Kind::Str),
    list(6, "ports", Kind::Msg(CONTAINER_PORT)),
    list(7, "env", Kind::Msg(ENV_VAR)),
    f(8, "resources", Kind::Msg(RESOURCES)),
    f(13, "terminationMessagePath", Kind::Str),
    f(14, "imagePullPolicy", Kind::Str),
    f(20, "terminationMessagePolicy", Kind::Str),
];
const POD_SPEC: &[Field] = &[
    list(2, "containers", Kind::Msg(CONTAINER)),
    f(3, "restartPolicy", Kind::Str),
    f(4, "terminationGracePeriodSeconds", Kind::Int),
    f(6, "dnsPolicy", Kind::Str),
    f(7, "nodeSelector", Kind::MapStr),
    f(8, "serviceAccountName", Kind::Str),
    f(19, "schedulerName", Kind::Str),
    list(20, "initContainers", Kind::Msg(CONTAINER)),
];
const POD_TEMPLATE: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(2, "spec", Kind::Msg(POD_SPEC)),
];
const STRATEGY: &[Field] = &[f(1, "type", Kind::Str)];
const DEPLOYMENT_SPEC: &[Field] = &[
    f(1, "replicas", Kind::Int),
    f(2, "selector", Kind::Msg(LABEL_SELECTOR)),
    f(3, "template", Kind::Msg(POD_TEMPLATE)),
    f(4, "strategy", Kind::Msg(STRATEGY)),
    f(5, "minReadySeconds", Kind::Int),
    f(6, "revisionHistoryLimit", Kind::Int),
    f(7, "paused", Kind::Bool),
    f(9, "progressDeadlineSeconds", Kind::Int),
];
const EMPTY: &[Field] = &[];
const DEPLOYMENT: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(2, "spec", Kind::Msg(DEPLOYMENT_SPEC)),
    f(3, "status", Kind::Msg(EMPTY)),
];
const NAMESPACE_SPEC: &[Field] = &[list(1, "finalizers", Kind::Str)];
const NAMESPACE: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(2, "spec", Kind::Msg(NAMESPACE_SPEC)),
];
const CONFIG_MAP: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(2, "data", Kind::MapStr),
    f(3, "binaryData", Kind::MapBytes),
    f(4, "immutable", Kind::Bool),
];
const SECRET: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(2, "data", Kind::MapBytes),
    f(3, "type", Kind::Str),
    f(4, "stringData", Kind::MapStr),
    f(5, "immutable", Kind::Bool),
];
const SERVICE_ACCOUNT: &[Field] = &[f(1, "metadata", Kind::Msg(OBJECT_META))];
const SERVICE_PORT: &[Field] = &[
    f(1, "name", Kind::Str),
    f(2, "protocol", Kind::Str),
    f(3, "port", Kind::Int),
    f(4, "targetPort", Kind::IntOrString),
    f(5, "nodePort", Kind::Int),
];
const SERVICE_SPEC: &[Field] = &[
    list(1, "ports", Kind::Msg(SERVICE_PORT)),
    f(2, "selector", Kind::MapStr),
    f(3, "clusterIP", Kind::Str),
    f(4, "type", Kind::Str),
];
const SERVICE: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(2, "spec", Kind::Msg(SERVICE_SPEC)),
];

// authorization.k8s.io/v1 (staging/src/k8s.io/api/authorization/v1/generated.proto): what
// `kubectl auth can-i` sends.
const RESOURCE_ATTRIBUTES: &[Field] = &[
    f(1, "namespace", Kind::Str),
    f(2, "verb", Kind::Str),
    f(3, "group", Kind::Str),
    f(4, "version", Kind::Str),
    f(5, "resource", Kind::Str),
    f(6, "subresource", Kind::Str),
    f(7, "name", Kind::Str),
];
const NON_RESOURCE_ATTRIBUTES: &[Field] = &[f(1, "path", Kind::Str), f(2, "verb", Kind::Str)];
const SELF_SUBJECT_ACCESS_REVIEW_SPEC: &[Field] = &[
    f(1, "resourceAttributes", Kind::Msg(RESOURCE_ATTRIBUTES)),
    f(2, "nonResourceAttributes", Kind::Msg(NON_RESOURCE_ATTRIBUTES)),
];
const SELF_SUBJECT_ACCESS_REVIEW: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(2, "spec", Kind::Msg(SELF_SUBJECT_ACCESS_REVIEW_SPEC)),
];
const SUBJECT_ACCESS_REVIEW_SPEC: &[Field] = &[
    f(1, "resourceAttributes", Kind::Msg(RESOURCE_ATTRIBUTES)),
    f(2, "nonResourceAttributes", Kind::Msg(NON_RESOURCE_ATTRIBUTES)),
    f(3, "user", Kind::Str),
    list(4, "groups", Kind::Str),
    f(6, "uid", Kind::Str),
];
const SUBJECT_ACCESS_REVIEW: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(2, "spec", Kind::Msg(SUBJECT_ACCESS_REVIEW_SPEC)),
];
const SELF_SUBJECT_RULES_REVIEW_SPEC: &[Field] = &[f(1, "namespace", Kind::Str)];
const SELF_SUBJECT_RULES_REVIEW: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(2, "spec", Kind::Msg(SELF_SUBJECT_RULES_REVIEW_SPEC)),
];
// authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`): metadata only.
const SELF_SUBJECT_REVIEW: &[Field] = &[f(1, "metadata", Kind::Msg(OBJECT_META))];
// authentication.k8s.io/v1 TokenRequest (`kubectl create token`).
const BOUND_OBJECT_REFERENCE: &[Field] = &[
    f(1, "kind", Kind::Str),
    f(2, "apiVersion", Kind::Str),
    f(3, "name", Kind::Str),
    f(4, "uid", Kind::Str),
];
const TOKEN_REQUEST_SPEC: &[Field] = &[
    list(1, "audiences", Kind::Str),
    f(3, "boundObjectRef", Kind::Msg(BOUND_OBJECT_REFERENCE)),
    f(4, "expirationSeconds", Kind::Int),
];
const TOKEN_REQUEST: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(2, "spec", Kind::Msg(TOKEN_REQUEST_SPEC)),
];
// rbac.authorization.k8s.io/v1 (staging/src/k8s.io/api/rbac/v1/generated.proto): what
// `kubectl create role|clusterrole|rolebinding|clusterrolebinding` sends.
const POLICY_RULE: &[Field] = &[
    list(1, "verbs", Kind::Str),
    list(2, "apiGroups", Kind::Str),
    list(3, "resources", Kind::Str),
    list(4, "resourceNames", Kind::Str),
    list(5, "nonResourceURLs", Kind::Str),
];
const AGGREGATION_RULE: &[Field] = &[list(1, "clusterRoleSelectors", Kind::Msg(LABEL_SELECTOR))];
const ROLE: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    list(2, "rules", Kind::Msg(POLICY_RULE)),
    f(3, "aggregationRule", Kind::Msg(AGGREGATION_RULE)),
];
const SUBJECT: &[Field] = &[
    f(1, "kind", Kind::Str),
    f(2, "apiGroup", Kind::Str),
    f(3, "name", Kind::Str),
    f(4, "namespace", Kind::Str),
];
const ROLE_REF: &[Field] = &[
    f(1, "apiGroup", Kind::Str),
    f(2, "kind", Kind::Str),
    f(3, "name", Kind::Str),
];
const ROLE_BINDING: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    list(2, "subjects", Kind::Msg(SUBJECT)),
    f(3, "roleRef", Kind::Msg(ROLE_REF)),
];

fn schema_for(kind: &str) -> Option<&'static [Field]> {
    Some(match kind {
        "Deployment" => DEPLOYMENT,
        "Namespace" => NAMESPACE,
        "ConfigMap" => CONFIG_MAP,
        "Secret" => SECRET,
        "ServiceAccount" => SERVICE_ACCOUNT,
        "Service" => SERVICE,
        "SelfSubjectAccessReview" => SELF_SUBJECT_ACCESS_REVIEW,
        "SubjectAccessReview" | "LocalSubjectAccessReview" => SUBJECT_ACCESS_REVIEW,
        "SelfSubjectRulesReview" => SELF_SUBJECT_RULES_REVIEW,
        "SelfSubjectReview" => SELF_SUBJECT_REVIEW,
        "TokenRequest" => TOKEN_REQUEST,
        // A Role has no field 3, so one schema serves both.
        "Role" | "ClusterRole" => ROLE,
        "RoleBinding" | "ClusterRoleBinding" => ROLE_BINDING,
        _ => return None,
    })
}

const MAGIC: &[u8] = b"k8s\x00";

/// Decodes a `application/vnd.kubernetes.protobuf` body into a JSON object.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let envelope = body
        .strip_prefix(MAGIC)
        .ok_or("the body does not start with the Kubernetes protobuf magic")?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for (num, value) in fields(envelope)? {
        match (num, value) {
            (1, Wire::Bytes(type_meta)) => {
                for (n, v) in fields(type_meta)? {
                    match (n, v) {
                        (1, Wire::Bytes(b)) => api_version = String::from_utf8_lossy(b).into_owned(),
                        (2, Wire::Bytes(b)) => kind = String::from_utf8_lossy(b).into_owned(),
                        _ => {}
                    }
                }
            }
            (2, Wire::Bytes(b)) => raw = b,
            _ => {}
        }
    }
    let schema =
        schema_for(&kind).ok_or_else(|| format!("protobuf bodies of kind {kind:?} are not supported; send JSON"))?;
    let mut object = message(raw, schema)?;
    object["apiVersion"] = json!(api_version);
    object["kind"] = json!(kind);
    Ok(object)
}

enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *buf.get(*pos).ok_or("truncated varint")?;
        *pos += 1;
        value |= ((byte & 0x7f) as u64) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint too long".into())
}

fn fields(buf: &[u8]) -> Result<Vec<(u64, Wire<'_>)>, String> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let key = varint(buf, &mut pos)?;
        let value = match key & 7 {
            0 => Wire::Varint(varint(buf, &mut pos)?),
            1 => {
                pos += 8;
                Wire::Fixed
            }
            2 => {
                let len = varint(buf, &mut pos)? as usize;
                let end = pos
                    .checked_add(len)
                    .filter(|e| *e <= buf.len())
                    .ok_or("truncated field")?;
                let bytes = &buf[pos..end];
                pos = end;
                Wire::Bytes(bytes)
            }
            5 => {
                pos += 4;
                Wire::Fixed
            }
            other => return Err(format!("unsupported wire type {other}")),
        };
        if pos > buf.len() {
            return Err("truncated field".into());
        }
        out.push((key >> 3, value));
    }
    Ok(out)
}

fn message(buf: &[u8], schema: &[Field]) -> Result<Value, String> {
    let mut object = Map::new();
    for (num, wire) in fields(buf)? {
        let Some(field) = schema.iter().find(|f| f.num == num) else {
            continue;
        };
        let Some(value) = scalar(field.kind, &wire)? else {
            continue;
        };
        match field.kind {
            Kind::MapStr | Kind::MapBytes | Kind::MapQuantity => {
                let entry = object.entry(field.name).or_insert_with(|| json!({}));
                if let (Some(map), Value::Object(pair)) = (entry.as_object_mut(), value) {
                    map.extend(pair);
                }
            }
            _ if field.repeated => {
                let entry = object.entry(field.name).or_insert_with(|| json!([]));
                if let Some(items) = entry.as_array_mut() {
                    items.push(value);
                }
            }
            // Go writes every string field to protobuf, empty or not, but its JSON form leaves
            // the empty optional ones out (`omitempty`); a JSON client would not send them.
            Kind::Str if value.as_str() == Some("") => {}
            _ => {
                object.insert(field.name.to_string(), value);
            }
        }
    }
    Ok(Value::Object(object))
}

fn text(wire: &Wire) -> Option<String> {
    match wire {
        Wire::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

/// Decodes one field value; None for values the JSON form leaves out (a zero time).
fn scalar(kind: Kind, wire: &Wire) -> Result<Option<Value>, String> {
    Ok(match (kind, wire) {
        (Kind::Str, w) => text(w).map(Value::String),
        (Kind::Int, Wire::Varint(v)) => Some(json!(*v as i64)),
        (Kind::Bool, Wire::Varint(v)) => Some(json!(*v != 0)),
        (Kind::Msg(schema), Wire::Bytes(b)) => Some(message(b, schema)?),
        (Kind::Time, Wire::Bytes(b)) => {
            let seconds = fields(b)?.iter().find_map(|(n, w)| match (n, w) {
                (1, Wire::Varint(s)) => Some(*s as i64),
                _ => None,
            });
            seconds
                .filter(|s| *s != 0)
                .and_then(|s| jiff::Timestamp::from_second(s).ok())
                .map(|t| json!(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()))
        }
        (Kind::IntOrString, Wire::Bytes(b)) => {
            let parts = fields(b)?;
            let is_string = parts.iter().any(|(n, w)| *n == 1 && matches!(w, Wire::Varint(1)));
            parts.iter().find_map(|(n, w)| match (n, w) {
                (2, Wire::Varint(i)) if !is_string => Some(json!(*i as i64)),
                (3, w) if is_string => text(w).map(Value::String),
                _ => None,
            })
        }
        (Kind::MapStr | Kind::MapBytes | Kind::MapQuantity, Wire::Bytes(b)) => {
            let mut key = String::new();
            let mut value = Value::Null;
            for (n, w) in fields(b)? {
                match n {
                    1 => key = text(&w).unwrap_or_default(),
                    2 => {
                        value = match (kind, &w) {
                            (Kind::MapBytes, Wire::Bytes(v)) => json!(BASE64.encode(v)),
                            // resource.Quantity is a message whose field 1 is the string form.
                            (Kind::MapQuantity, Wire::Bytes(q)) => message(q, &[f(1, "string", Kind::Str)])?
                                .get("string")
                                .cloned()
                                .unwrap_or(Value::Null),
                            (_, w) => text(w).map(Value::String).unwrap_or(Value::Null),
                        }
                    }
                    _ => {}
                }
            }
            Some(json!({ key: value }))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(num: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![((num << 3) | 2) as u8, payload.len() as u8];
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn decodes_a_minimal_deployment() {
        let labels = [field(1, b"app"), field(2, b"web")].concat();
        let meta = [field(1, b"web"), field(11, &labels)].concat();
        let container = [field(1, b"nginx"), field(2, b"nginx:1"), field(8, b"")].concat();
        let pod_spec = field(2, &container);
        let template = field(2, &pod_spec);
        let spec = [vec![(1 << 3), 2], field(3, &template)].concat();
        let deployment = [field(1, &meta), field(2, &spec)].concat();
        let type_meta = [field(1, b"apps/v1"), field(2, b"Deployment")].concat();
        let body = [MAGIC.to_vec(), field(1, &type_meta), field(2, &deployment)].concat();
        let obj = decode(&body).unwrap();
        assert_eq!(obj["kind"], "Deployment");
        assert_eq!(obj["metadata"]["labels"]["app"], "web");
        assert_eq!(obj["spec"]["replicas"], 2);
        assert_eq!(obj["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1");
        assert_eq!(obj["spec"]["template"]["spec"]["containers"][0]["resources"], json!({}));
    }

    fn envelope(api_version: &[u8], kind: &[u8], object: &[u8]) -> Vec<u8> {
        let type_meta = [field(1, api_version), field(2, kind)].concat();
        [MAGIC.to_vec(), field(1, &type_meta), field(2, object)].concat()
    }

    #[test]
    fn decodes_access_reviews_and_bindings() {
        // kubectl auth can-i patch canaries.flagger.app -n test
        let attrs = [
            field(1, b"test"),
            field(2, b"patch"),
            field(3, b"flagger.app"),
            field(4, b""),
            field(5, b"canaries"),
            field(6, b""),
            field(7, b""),
        ]
        .concat();
        let review = [field(1, b""), field(2, &field(1, &attrs))].concat();
        let obj = decode(&envelope(
            b"authorization.k8s.io/v1",
            b"SelfSubjectAccessReview",
            &review,
        ))
        .unwrap();
        assert_eq!(
            obj["spec"]["resourceAttributes"],
            json!({"namespace": "test", "verb": "patch", "group": "flagger.app", "resource": "canaries"})
        );
        // kubectl create rolebinding b --clusterrole=view --user=alice --serviceaccount=ns:sa
        let user = [
            field(1, b"User"),
            field(2, b"rbac.authorization.k8s.io"),
            field(3, b"alice"),
            field(4, b""),
        ]
        .concat();
        let sa = [
            field(1, b"ServiceAccount"),
            field(2, b""),
            field(3, b"sa"),
            field(4, b"ns"),
        ]
        .concat();
        let role_ref = [
            field(1, b"rbac.authorization.k8s.io"),
            field(2, b"ClusterRole"),
            field(3, b"view"),
        ]
        .concat();
        let binding = [
            field(1, &field(1, b"b")),
            field(2, &user),
            field(2, &sa),
            field(3, &role_ref),
        ]
        .concat();
        let obj = decode(&envelope(b"rbac.authorization.k8s.io/v1", b"RoleBinding", &binding)).unwrap();
        assert_eq!(
            obj["subjects"],
            json!([
                {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice"},
                {"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}
            ])
        );
        assert_eq!(obj["roleRef"]["name"], "view");
        // An empty string in a list is a value (the core API group), not an absent field.
        let rule = [field(1, b"get"), field(2, b""), field(3, b"pods")].concat();
        let role = [field(1, &field(1, b"r")), field(2, &rule)].concat();
        let obj = decode(&envelope(b"rbac.authorization.k8s.io/v1", b"Role", &role)).unwrap();
        assert_eq!(
            obj["rules"],
            json!([{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}])
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode(b"nope").is_err());
        assert!(decode(b"k8s\x00\x0a\xff").is_err());
        assert!(decode(&[b'k', b'8', b's', 0, 0x12, 0x05, 0x08]).is_err());
    }
}
