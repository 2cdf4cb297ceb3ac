//! Authorization as kube-apiserver does it with `--authorization-mode=RBAC`: every request is
//! turned into attributes (user, verb, group, resource, subresource, name, namespace or a
//! non-resource path) and allowed only if a rule of a Role or ClusterRole *stored in the
//! cluster* and bound to the user, one of its groups or its service account says so. Nothing
//! is hard-coded per user: the simulator's own users are given RBAC objects (see
//! [`crate::cluster::SimCluster::add_user`]) that `kubectl get clusterrolebindings` shows.
//!
//! Also the bootstrap roles a fresh cluster has (`cluster-admin`, `admin`/`edit`/`view` with
//! the controller-manager's aggregation, `system:discovery`, `system:basic-user`,
//! `system:public-info-viewer`).

use std::collections::BTreeMap;

use http::Method;
use serde_json::{Value, json};

use crate::api::route::{ResourcePath, Route};
use crate::core::{ClusterCore, WriteOptions};
use crate::error::{ApiError, FieldError, invalid};
use crate::resource::ResKey;

pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
/// kube-apiserver: staging/src/k8s.io/apiserver/pkg/authentication/user/user.go
pub const ALL_AUTHENTICATED: &str = "system:authenticated";
pub const ALL_UNAUTHENTICATED: &str = "system:unauthenticated";
pub const ANONYMOUS: &str = "system:anonymous";
pub const SYSTEM_MASTERS: &str = "system:masters";
/// The group kubeadm (1.29+) puts its admin.conf user in, bound to `cluster-admin`.
pub const KUBEADM_CLUSTER_ADMINS: &str = "kubeadm:cluster-admins";
const SERVICE_ACCOUNT_PREFIX: &str = "system:serviceaccount:";

/// Who a request is from, after authentication (and impersonation).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserInfo {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: BTreeMap<String, Vec<String>>,
}

impl UserInfo {
    pub fn anonymous() -> Self {
        UserInfo {
            name: ANONYMOUS.into(),
            groups: vec![ALL_UNAUTHENTICATED.into()],
            ..Default::default()
        }
    }

    /// The JSON `userInfo` of a SelfSubjectReview / TokenReview.
    pub fn to_json(&self) -> Value {
        let mut info = json!({"username": self.name, "groups": self.groups});
        if !self.uid.is_empty() {
            info["uid"] = json!(self.uid);
        }
        if !self.extra.is_empty() {
            info["extra"] = json!(self.extra);
        }
        info
    }
}

/// `system:serviceaccount:NS:NAME` → (NS, NAME).
/// kube-apiserver: staging/src/k8s.io/apiserver/pkg/authentication/serviceaccount/util.go, SplitUsername
pub fn split_service_account(username: &str) -> Option<(&str, &str)> {
    let rest = username.strip_prefix(SERVICE_ACCOUNT_PREFIX)?;
    let (ns, name) = rest.split_once(':')?;
    (!ns.is_empty() && !name.is_empty() && !name.contains(':')).then_some((ns, name))
}

/// The groups every service account is in (`MakeGroupNames`).
pub fn service_account_groups(namespace: &str) -> Vec<String> {
    vec![
        "system:serviceaccounts".into(),
        format!("system:serviceaccounts:{namespace}"),
    ]
}

/// What a request asks to do.
/// kube-apiserver: staging/src/k8s.io/apiserver/pkg/authorization/authorizer/interfaces.go, AttributesRecord
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attributes {
    pub verb: String,
    pub resource_request: bool,
    pub namespace: String,
    pub group: String,
    pub version: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    /// The URL path of a non-resource request.
    pub path: String,
}

impl Attributes {
    pub fn resource(verb: &str, group: &str, resource: &str) -> Self {
        Attributes {
            verb: verb.into(),
            resource_request: true,
            group: group.into(),
            resource: resource.into(),
            ..Default::default()
        }
    }

    pub fn in_namespace(mut self, namespace: &str) -> Self {
        self.namespace = namespace.into();
        self
    }

    pub fn named(mut self, name: &str) -> Self {
        self.name = name.into();
        self
    }

    pub fn subresource(mut self, subresource: &str) -> Self {
        self.subresource = subresource.into();
        self
    }

    pub fn non_resource(verb: &str, path: &str) -> Self {
        Attributes {
            verb: verb.into(),
            path: path.into(),
            ..Default::default()
        }
    }
}

/// The attributes of an HTTP request.
/// kube-apiserver: staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go,
/// func (r *RequestInfoFactory) NewRequestInfo.
pub fn request_attributes(
    method: &Method,
    path: &str,
    route: &Route,
    query: &std::collections::HashMap<String, String>,
) -> Attributes {
    let Route::Resource(r) = route else {
        // Everything that is not /api/v1/... or /apis/G/V/... is a non-resource request whose
        // verb is the lower-cased HTTP method.
        return Attributes::non_resource(&method.as_str().to_lowercase(), path);
    };
    resource_request_attributes(method, r, query)
}

fn resource_request_attributes(
    method: &Method,
    r: &ResourcePath,
    query: &std::collections::HashMap<String, String>,
) -> Attributes {
    let mut verb = match method.as_str() {
        "POST" => "create",
        "GET" | "HEAD" => "get",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => "delete",
        _ => "",
    }
    .to_string();
    let mut name = r.name.clone().unwrap_or_default();
    // `/namespaces/NAME[/status|/finalize]` is the Namespace object, and its namespace is NAME.
    let namespace = match (&r.namespace, r.plural.as_str()) {
        (Some(ns), _) => ns.clone(),
        (None, "namespaces") if r.group.is_empty() => name.clone(),
        (None, _) => String::new(),
    };
    if name.is_empty() && verb == "get" {
        let watch = query
            .get("watch")
            .is_some_and(|v| !matches!(v.to_lowercase().as_str(), "false" | "0" | ""));
        verb = if watch { "watch" } else { "list" }.into();
        // A list or watch narrowed by `metadata.name=X` is authorised as that one name.
        if let Some(selector) = query.get("fieldSelector")
            && let Some(exact) = exact_name(selector)
        {
            name = exact;
        }
    }
    if name.is_empty() && verb == "delete" {
        verb = "deletecollection".into();
    }
    Attributes {
        verb,
        resource_request: true,
        namespace,
        group: r.group.clone(),
        version: r.version.clone(),
        resource: r.plural.clone(),
        subresource: r.subresource.clone().unwrap_or_default(),
        name,
        path: String::new(),
    }
}

/// `metadata.name=X` (or `==`) as the only requirement on the name: fields.Selector.RequiresExactMatch.
fn exact_name(selector: &str) -> Option<String> {
    selector.split(',').find_map(|term| {
        let term = term.trim();
        let (key, value) = term.split_once("==").or_else(|| term.split_once('='))?;
        (key.trim() == "metadata.name" && !key.ends_with('!') && !value.is_empty() && !value.contains('/'))
            .then(|| value.trim().to_string())
    })
}

/// One rule of a Role or ClusterRole (rbac.authorization.k8s.io/v1 PolicyRule).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyRule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

impl PolicyRule {
    pub fn from_json(v: &Value) -> Self {
        PolicyRule {
            verbs: strings(v, "verbs"),
            api_groups: strings(v, "apiGroups"),
            resources: strings(v, "resources"),
            resource_names: strings(v, "resourceNames"),
            non_resource_urls: strings(v, "nonResourceURLs"),
        }
    }

    pub fn to_json(&self) -> Value {
        let mut rule = serde_json::Map::new();
        let mut put = |key: &str, list: &[String]| {
            if !list.is_empty() {
                rule.insert(key.into(), json!(list));
            }
        };
        put("verbs", &self.verbs);
        put("apiGroups", &self.api_groups);
        put("resources", &self.resources);
        put("resourceNames", &self.resource_names);
        put("nonResourceURLs", &self.non_resource_urls);
        // `verbs` is required even when empty.
        rule.entry("verbs").or_insert_with(|| json!([]));
        Value::Object(rule)
    }

    /// kube-apiserver: plugin/pkg/auth/authorizer/rbac/rbac.go, func RuleAllows, with the
    /// matchers of pkg/apis/rbac/v1/evaluation_helpers.go (VerbMatches, APIGroupMatches,
    /// ResourceMatches, ResourceNameMatches, NonResourceURLMatches).
    pub fn allows(&self, a: &Attributes) -> bool {
        let any = |list: &[String], wanted: &str| list.iter().any(|x| x == "*" || x == wanted);
        if !any(&self.verbs, &a.verb) {
            return false;
        }
        if !a.resource_request {
            return self.non_resource_urls.iter().any(|rule| {
                rule == "*"
                    || rule == &a.path
                    || (rule.ends_with('*') && a.path.starts_with(rule.trim_end_matches('*')))
            });
        }
        let combined = if a.subresource.is_empty() {
            a.resource.clone()
        } else {
            format!("{}/{}", a.resource, a.subresource)
        };
        let resource_matches = self.resources.iter().any(|r| {
            r == "*"
                || r == &combined
                // `*/scale` is the `scale` subresource of every resource.
                || (!a.subresource.is_empty()
                    && r.len() == a.subresource.len() + 2
                    && r.starts_with("*/")
                    && r.ends_with(a.subresource.as_str()))
        });
        resource_matches
            && any(&self.api_groups, &a.group)
            && (self.resource_names.is_empty() || self.resource_names.iter().any(|n| n == &a.name))
    }
}

/// The outcome of authorising one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// With the reason (`RBAC: allowed by ClusterRoleBinding ...`).
    Allow(String),
    /// No rule allows it; the reason is empty or names the bindings that could not be resolved.
    NoOpinion(String),
}

impl Decision {
    pub fn allowed(&self) -> bool {
        matches!(self, Decision::Allow(_))
    }
}

fn rbac_key(plural: &str) -> ResKey {
    ResKey::new(RBAC_GROUP, plural)
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// kube-apiserver: pkg/registry/rbac/validation/rule.go, func appliesToUser.
fn applies_to(user: &UserInfo, subject: &Value, binding_namespace: &str) -> bool {
    let name = text(subject, "/name");
    match text(subject, "/kind") {
        "User" => user.name == name,
        "Group" => user.groups.iter().any(|g| g == name),
        "ServiceAccount" => {
            let ns = match text(subject, "/namespace") {
                "" => binding_namespace,
                ns => ns,
            };
            !ns.is_empty() && user.name == format!("{SERVICE_ACCOUNT_PREFIX}{ns}:{name}")
        }
        _ => false,
    }
}

fn describe_subject(subject: &Value, binding_namespace: &str) -> String {
    let kind = text(subject, "/kind");
    let name = text(subject, "/name");
    if kind == "ServiceAccount" {
        let ns = match text(subject, "/namespace") {
            "" => binding_namespace,
            ns => ns,
        };
        return format!("{kind} \"{name}/{ns}\"");
    }
    format!("{kind} \"{name}\"")
}

/// The rules a role reference names, or the error the authorizer reports for it.
/// kube-apiserver: pkg/registry/rbac/validation/rule.go, func GetRoleReferenceRules; a missing
/// role is the lister's NotFound for the singular resource (`clusterrole.rbac.authorization.k8s.io "x" not found`).
fn role_rules(core: &ClusterCore, role_ref: &Value, binding_namespace: &str) -> Result<Vec<PolicyRule>, String> {
    let name = text(role_ref, "/name");
    let (key, singular) = match text(role_ref, "/kind") {
        "Role" => (
            crate::store::ObjectKey::new(rbac_key("roles"), Some(binding_namespace), name),
            "role",
        ),
        "ClusterRole" => (
            crate::store::ObjectKey::new(rbac_key("clusterroles"), None, name),
            "clusterrole",
        ),
        other => return Err(format!("unsupported role reference kind: \"{other}\"")),
    };
    let role = core
        .store
        .get(&key)
        .ok_or_else(|| format!("{singular}.{RBAC_GROUP} \"{name}\" not found"))?;
    Ok(role
        .get("rules")
        .and_then(Value::as_array)
        .map(|rules| rules.iter().map(PolicyRule::from_json).collect())
        .unwrap_or_default())
}

/// Sees each rule that applies (with the binding it came from) or a resolution error; returns
/// false to stop.
pub type RuleVisitor<'a> = dyn FnMut(Option<(&str, &PolicyRule)>, Option<String>) -> bool + 'a;

/// Calls `visit` with every rule that applies to `user` in `namespace` (cluster-wide bindings
/// first, then the RoleBindings of the namespace) and every resolution error; stops when
/// `visit` returns false.
/// kube-apiserver: pkg/registry/rbac/validation/rule.go, func (*DefaultRuleResolver) VisitRulesFor.
pub fn visit_rules(core: &ClusterCore, user: &UserInfo, namespace: &str, visit: &mut RuleVisitor<'_>) {
    let (bindings, _) = core.store.list(&rbac_key("clusterrolebindings"), None);
    for binding in &bindings {
        let subjects = binding
            .get("subjects")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let Some(subject) = subjects.iter().find(|s| applies_to(user, s, "")) else {
            continue;
        };
        let role_ref = binding.get("roleRef").cloned().unwrap_or(Value::Null);
        match role_rules(core, &role_ref, "") {
            Err(e) => {
                if !visit(None, Some(e)) {
                    return;
                }
            }
            Ok(rules) => {
                let source = format!(
                    "ClusterRoleBinding \"{}\" of {} \"{}\" to {}",
                    text(binding, "/metadata/name"),
                    text(&role_ref, "/kind"),
                    text(&role_ref, "/name"),
                    describe_subject(subject, "")
                );
                for rule in &rules {
                    if !visit(Some((&source, rule)), None) {
                        return;
                    }
                }
            }
        }
    }
    if namespace.is_empty() {
        return;
    }
    let (bindings, _) = core.store.list(&rbac_key("rolebindings"), Some(namespace));
    for binding in &bindings {
        let subjects = binding
            .get("subjects")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let Some(subject) = subjects.iter().find(|s| applies_to(user, s, namespace)) else {
            continue;
        };
        let role_ref = binding.get("roleRef").cloned().unwrap_or(Value::Null);
        match role_rules(core, &role_ref, namespace) {
            Err(e) => {
                if !visit(None, Some(e)) {
                    return;
                }
            }
            Ok(rules) => {
                let source = format!(
                    "RoleBinding \"{}/{namespace}\" of {} \"{}\" to {}",
                    text(binding, "/metadata/name"),
                    text(&role_ref, "/kind"),
                    text(&role_ref, "/name"),
                    describe_subject(subject, namespace)
                );
                for rule in &rules {
                    if !visit(Some((&source, rule)), None) {
                        return;
                    }
                }
            }
        }
    }
}

/// Several errors as `utilerrors.NewAggregate` prints them: one alone, more in brackets.
fn aggregate(errors: &[String]) -> String {
    match errors {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

/// Authorises a request: members of `system:masters` may do everything (the privileged-group
/// authorizer kube-apiserver puts before RBAC), everyone else what their bindings allow.
/// kube-apiserver: pkg/kubeapiserver/authorizer/reload.go (privileged groups first), and
/// plugin/pkg/auth/authorizer/rbac/rbac.go, func (*RBACAuthorizer) Authorize.
pub fn authorize(core: &ClusterCore, user: &UserInfo, attributes: &Attributes) -> Decision {
    if user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
        return Decision::Allow(String::new());
    }
    let mut reason = None;
    let mut errors = Vec::new();
    visit_rules(core, user, &attributes.namespace, &mut |rule, error| {
        if let Some((source, rule)) = rule
            && rule.allows(attributes)
        {
            reason = Some(format!("RBAC: allowed by {source}"));
            return false;
        }
        if let Some(e) = error {
            errors.push(e);
        }
        true
    });
    match reason {
        Some(r) => Decision::Allow(r),
        None if errors.is_empty() => Decision::NoOpinion(String::new()),
        None => Decision::NoOpinion(format!("RBAC: {}", aggregate(&errors))),
    }
}

/// Every rule `user` has in `namespace`, and the resolution errors.
/// kube-apiserver: pkg/registry/rbac/validation/rule.go, func (*DefaultRuleResolver) RulesFor.
pub fn rules_for(core: &ClusterCore, user: &UserInfo, namespace: &str) -> (Vec<PolicyRule>, Vec<String>) {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    visit_rules(core, user, namespace, &mut |rule, error| {
        if let Some((_, rule)) = rule {
            rules.push(rule.clone());
        }
        if let Some(e) = error {
            errors.push(e);
        }
        true
    });
    (rules, errors)
}

/// The 403 for a denied request, worded and detailed as the API server does.
/// kube-apiserver: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go,
/// func Forbidden and forbiddenMessage, with apierrors.NewForbidden for the Status.
pub fn forbidden(user: &UserInfo, a: &Attributes, reason: &str) -> ApiError {
    let mut message = if !a.resource_request {
        format!("User \"{}\" cannot {} path \"{}\"", user.name, a.verb, a.path)
    } else {
        let resource = if a.subresource.is_empty() {
            a.resource.clone()
        } else {
            format!("{}/{}", a.resource, a.subresource)
        };
        let scope = if a.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{}\"", a.namespace)
        };
        format!(
            "User \"{}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
            user.name, a.verb, a.group
        )
    };
    if !reason.is_empty() {
        message = format!("{message}: {reason}");
    }
    let qualified = match (a.resource.as_str(), a.group.as_str()) {
        ("", _) => String::new(),
        (r, "") => r.to_string(),
        (r, g) => format!("{r}.{g}"),
    };
    let full = match (qualified.is_empty(), a.name.is_empty()) {
        (true, _) => format!("forbidden: {message}"),
        (false, true) => format!("{qualified} is forbidden: {message}"),
        (false, false) => format!("{qualified} \"{}\" is forbidden: {message}", a.name),
    };
    let mut details = serde_json::Map::new();
    if !a.name.is_empty() {
        details.insert("name".into(), json!(a.name));
    }
    if !a.group.is_empty() {
        details.insert("group".into(), json!(a.group));
    }
    if !a.resource.is_empty() {
        details.insert("kind".into(), json!(a.resource));
    }
    ApiError::new(403, "Forbidden", full).with_details(Value::Object(details))
}

/// Whether `owner` covers one atomic rule (one verb, group, resource or URL, name).
/// kube-apiserver: staging/src/k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go,
/// func ruleCovers and resourceCoversAll.
fn covers(owner: &PolicyRule, servant: &PolicyRule) -> bool {
    let has = |set: &[String], v: &str| set.iter().any(|x| x == v);
    let all = |set: &[String], wanted: &[String]| has(set, "*") || wanted.iter().all(|w| has(set, w));
    let resources = has(&owner.resources, "*")
        || servant.resources.iter().all(|path| {
            has(&owner.resources, path)
                || path
                    .split_once('/')
                    .is_some_and(|(_, sub)| has(&owner.resources, &format!("*/{sub}")))
        });
    let urls = servant.non_resource_urls.iter().all(|url| {
        owner
            .non_resource_urls
            .iter()
            .any(|o| o == "*" || o == url || (o.ends_with('*') && url.starts_with(o.trim_end_matches('*'))))
    });
    let names = owner.resource_names.is_empty()
        || (!servant.resource_names.is_empty() && servant.resource_names.iter().all(|n| has(&owner.resource_names, n)));
    all(&owner.verbs, &servant.verbs) && all(&owner.api_groups, &servant.api_groups) && resources && urls && names
}

/// One rule split into one rule per verb × group × resource (× name), or per verb × URL.
/// kube-apiserver: component-helpers/auth/rbac/validation/policy_comparator.go, func BreakdownRule.
fn breakdown(rule: &PolicyRule) -> Vec<PolicyRule> {
    let mut out = Vec::new();
    let one = |v: &String| vec![v.clone()];
    for group in &rule.api_groups {
        for resource in &rule.resources {
            for verb in &rule.verbs {
                if rule.resource_names.is_empty() {
                    out.push(PolicyRule {
                        verbs: one(verb),
                        api_groups: one(group),
                        resources: one(resource),
                        ..Default::default()
                    });
                }
                for name in &rule.resource_names {
                    out.push(PolicyRule {
                        verbs: one(verb),
                        api_groups: one(group),
                        resources: one(resource),
                        resource_names: one(name),
                        ..Default::default()
                    });
                }
            }
        }
    }
    for url in &rule.non_resource_urls {
        for verb in &rule.verbs {
            out.push(PolicyRule {
                verbs: one(verb),
                non_resource_urls: one(url),
                ..Default::default()
            });
        }
    }
    out
}

/// Go's `%q` of a string slice: `["a" "b"]`.
fn go_quoted(list: &[String]) -> String {
    let items: Vec<String> = list.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", items.join(" "))
}

/// kube-apiserver: pkg/apis/rbac/v1/evaluation_helpers.go, func CompactString.
fn compact_string(r: &PolicyRule) -> String {
    let mut parts = Vec::new();
    for (label, list) in [
        ("APIGroups", &r.api_groups),
        ("Resources", &r.resources),
        ("NonResourceURLs", &r.non_resource_urls),
        ("ResourceNames", &r.resource_names),
        ("Verbs", &r.verbs),
    ] {
        if !list.is_empty() {
            parts.push(format!("{label}:{}", go_quoted(list)));
        }
    }
    format!("{{{}}}", parts.join(", "))
}

/// Refuses a Role, ClusterRole or binding that would grant `user` more than it holds, unless
/// it may `escalate` (roles) or `bind` (the bound role), or is in `system:masters`.
/// kube-apiserver: pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased/storage.go
/// (Create/Update), pkg/registry/rbac/escalation_check.go (EscalationAllowed,
/// RoleEscalationAuthorized, BindingAuthorized) and pkg/registry/rbac/validation/rule.go
/// (ConfirmNoEscalation), with the missing rules compacted per resource (CompactRules).
pub fn confirm_no_escalation(
    core: &ClusterCore,
    user: &UserInfo,
    plural: &str,
    namespace: Option<&str>,
    object: &Value,
) -> Result<(), ApiError> {
    if user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
        return Ok(());
    }
    let ns = namespace.unwrap_or("");
    let name = text(object, "/metadata/name");
    let forbidden = |message: String| {
        let qualified = format!("{plural}.{RBAC_GROUP}");
        let full = if name.is_empty() {
            format!("{qualified} is forbidden: {message}")
        } else {
            format!("{qualified} \"{name}\" is forbidden: {message}")
        };
        ApiError::new(403, "Forbidden", full).with_details(json!({"name": name, "group": RBAC_GROUP, "kind": plural}))
    };
    let allowed = |a: Attributes| authorize(core, user, &a.in_namespace(ns).named(name)).allowed();
    let wanted: Vec<PolicyRule> = match plural {
        "roles" | "clusterroles" => {
            if allowed(Attributes::resource("escalate", RBAC_GROUP, plural)) {
                return Ok(());
            }
            if object.get("aggregationRule").is_some_and(|v| !v.is_null()) {
                // Aggregating may pull in any rule: only who may do everything may set it.
                vec![
                    PolicyRule::from_json(&rule(&["*"], &["*"], &["*"])),
                    PolicyRule::from_json(&url_rule(&["*"], &["*"])),
                ]
            } else {
                object
                    .get("rules")
                    .and_then(Value::as_array)
                    .map(|rules| rules.iter().map(PolicyRule::from_json).collect())
                    .unwrap_or_default()
            }
        }
        "rolebindings" | "clusterrolebindings" => {
            let role_ref = object.get("roleRef").cloned().unwrap_or(Value::Null);
            let role_plural = match text(&role_ref, "/kind") {
                "Role" => "roles",
                _ => "clusterroles",
            };
            let bind = Attributes::resource("bind", RBAC_GROUP, role_plural)
                .in_namespace(ns)
                .named(text(&role_ref, "/name"));
            if authorize(core, user, &bind).allowed() {
                return Ok(());
            }
            role_rules(core, &role_ref, ns).map_err(forbidden)?
        }
        _ => return Ok(()),
    };
    let (owner, errors) = rules_for(core, user, ns);
    let mut missing: Vec<PolicyRule> = Vec::new();
    for sub in wanted.iter().flat_map(breakdown) {
        if owner.iter().any(|o| covers(o, &sub)) {
            continue;
        }
        // CompactRules: one line per group/resource/name with all its missing verbs.
        match missing.iter_mut().find(|m| {
            m.non_resource_urls.is_empty()
                && sub.non_resource_urls.is_empty()
                && m.api_groups == sub.api_groups
                && m.resources == sub.resources
                && m.resource_names == sub.resource_names
        }) {
            Some(m) => m.verbs.extend(sub.verbs),
            None => missing.push(sub),
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let mut lines: Vec<String> = missing.iter().map(compact_string).collect();
    lines.sort();
    lines.dedup();
    let mut message = format!(
        "user {:?} (groups={}) is attempting to grant RBAC permissions not currently held:\n{}",
        user.name,
        go_quoted(&user.groups),
        lines.join("\n")
    );
    if !errors.is_empty() {
        message.push_str(&format!("; resolution errors: [{}]", errors.join(" ")));
    }
    Err(forbidden(message))
}

fn required(field: String, detail: &str) -> FieldError {
    let message = if detail.is_empty() {
        format!("{field}: Required value")
    } else {
        format!("{field}: Required value: {detail}")
    };
    FieldError {
        field,
        reason: "FieldValueRequired",
        message,
    }
}

fn not_supported(field: String, value: &str, supported: &[&str]) -> FieldError {
    let quoted: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
    FieldError {
        message: format!(
            "{field}: Unsupported value: {value:?}: supported values: {}",
            quoted.join(", ")
        ),
        field,
        reason: "FieldValueNotSupported",
    }
}

fn invalid_value(field: String, value: &str, detail: &str) -> FieldError {
    FieldError {
        message: format!("{field}: Invalid value: {value}: {detail}"),
        field,
        reason: "FieldValueInvalid",
    }
}

/// Validates a Role, ClusterRole or binding as the RBAC registry does (after defaulting a
/// User/Group subject's and a roleRef's empty apiGroup to rbac.authorization.k8s.io).
/// kube-apiserver: pkg/apis/rbac/validation/validation.go (ValidatePolicyRule,
/// ValidateRoleBinding, ValidateClusterRoleBinding, ValidateRoleBindingSubject and the Update
/// variants: roleRef cannot change), pkg/apis/rbac/v1/defaults.go.
pub fn validate(plural: &str, object: &Value, old: Option<&Value>) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let (kind, namespaced) = match plural {
        "roles" => ("Role", true),
        "clusterroles" => ("ClusterRole", false),
        "rolebindings" => ("RoleBinding", true),
        "clusterrolebindings" => ("ClusterRoleBinding", false),
        _ => return Ok(()),
    };
    if plural.ends_with("roles") {
        for (i, r) in object
            .get("rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let rule = PolicyRule::from_json(r);
            let at = |f: &str| format!("rules[{i}].{f}");
            if rule.verbs.is_empty() {
                errors.push(required(at("verbs"), "verbs must contain at least one value"));
            }
            if !rule.non_resource_urls.is_empty() {
                // A []string value prints with %#v.
                let quoted: Vec<String> = rule.non_resource_urls.iter().map(|u| format!("{u:?}")).collect();
                let urls = format!("[]string{{{}}}", quoted.join(", "));
                if namespaced {
                    errors.push(invalid_value(
                        at("nonResourceURLs"),
                        &urls,
                        "namespaced rules cannot apply to non-resource URLs",
                    ));
                }
                if !rule.api_groups.is_empty() || !rule.resources.is_empty() || !rule.resource_names.is_empty() {
                    errors.push(invalid_value(
                        at("nonResourceURLs"),
                        &urls,
                        "rules cannot apply to both regular resources and non-resource URLs",
                    ));
                }
                continue;
            }
            if rule.api_groups.is_empty() {
                errors.push(required(
                    at("apiGroups"),
                    "resource rules must supply at least one api group",
                ));
            }
            if rule.resources.is_empty() {
                errors.push(required(
                    at("resources"),
                    "resource rules must supply at least one resource",
                ));
            }
        }
    } else {
        let role_ref = object.get("roleRef").cloned().unwrap_or(json!({}));
        let group = match text(&role_ref, "/apiGroup") {
            "" => RBAC_GROUP,
            g => g,
        };
        if group != RBAC_GROUP {
            errors.push(not_supported("roleRef.apiGroup".into(), group, &[RBAC_GROUP]));
        }
        let kinds: &[&str] = if namespaced {
            &["Role", "ClusterRole"]
        } else {
            &["ClusterRole"]
        };
        let ref_kind = text(&role_ref, "/kind");
        if !kinds.contains(&ref_kind) {
            errors.push(not_supported("roleRef.kind".into(), ref_kind, kinds));
        }
        if text(&role_ref, "/name").is_empty() {
            errors.push(required("roleRef.name".into(), ""));
        }
        for (i, subject) in object
            .get("subjects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let at = |f: &str| format!("subjects[{i}].{f}");
            if text(subject, "/name").is_empty() {
                errors.push(required(at("name"), ""));
            }
            let api_group = text(subject, "/apiGroup");
            match text(subject, "/kind") {
                "ServiceAccount" => {
                    if !api_group.is_empty() {
                        errors.push(not_supported(at("apiGroup"), api_group, &[""]));
                    }
                    if !namespaced && text(subject, "/namespace").is_empty() {
                        errors.push(required(at("namespace"), ""));
                    }
                }
                "User" | "Group" => {
                    if !api_group.is_empty() && api_group != RBAC_GROUP {
                        errors.push(not_supported(at("apiGroup"), api_group, &[RBAC_GROUP]));
                    }
                }
                other => errors.push(not_supported(at("kind"), other, &["ServiceAccount", "User", "Group"])),
            }
        }
        if let Some(old) = old {
            let canonical = |v: &Value| {
                let r = v.get("roleRef").cloned().unwrap_or(json!({}));
                let g = match text(&r, "/apiGroup") {
                    "" => RBAC_GROUP,
                    g => g,
                };
                (
                    g.to_string(),
                    text(&r, "/kind").to_string(),
                    text(&r, "/name").to_string(),
                )
            };
            let (now, before) = (canonical(object), canonical(old));
            if now != before {
                errors.push(invalid_value(
                    "roleRef".into(),
                    // field.Invalid prints a struct value with %#v (of the internal type).
                    &format!(
                        "rbac.RoleRef{{APIGroup:{:?}, Kind:{:?}, Name:{:?}}}",
                        now.0, now.1, now.2
                    ),
                    "cannot change roleRef",
                ));
            }
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    Err(invalid(kind, RBAC_GROUP, text(object, "/metadata/name"), &errors))
}

/// Computed Table columns of role bindings (see crate::table).
pub const COLUMN_PREFIX: &str = "@rbac-";
pub const COLUMN_ROLE: &str = "@rbac-role";
pub const COLUMN_USERS: &str = "@rbac-users";
pub const COLUMN_GROUPS: &str = "@rbac-groups";
pub const COLUMN_SERVICE_ACCOUNTS: &str = "@rbac-serviceaccounts";

/// One computed cell of a binding's row: `KIND/NAME` of the role, or its subjects of a kind
/// joined by ", " (service accounts as `NAMESPACE/NAME`).
/// kube-apiserver: pkg/printers/internalversion/printers.go, printRoleBinding, with
/// pkg/apis/rbac/helpers.go SubjectsStrings.
pub fn binding_cell(obj: &Value, column: &str) -> Value {
    if column == COLUMN_ROLE {
        return json!(format!("{}/{}", text(obj, "/roleRef/kind"), text(obj, "/roleRef/name")));
    }
    let kind = match column {
        COLUMN_USERS => "User",
        COLUMN_GROUPS => "Group",
        _ => "ServiceAccount",
    };
    let names: Vec<String> = obj
        .get("subjects")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|s| text(s, "/kind") == kind)
        .map(|s| match kind {
            "ServiceAccount" => format!("{}/{}", text(s, "/namespace"), text(s, "/name")),
            _ => text(s, "/name").to_string(),
        })
        .collect();
    json!(names.join(", "))
}

fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Value {
    json!({"verbs": verbs, "apiGroups": groups, "resources": resources})
}

fn url_rule(verbs: &[&str], urls: &[&str]) -> Value {
    json!({"verbs": verbs, "nonResourceURLs": urls})
}

fn group_subject(name: &str) -> Value {
    json!({"kind": "Group", "apiGroup": RBAC_GROUP, "name": name})
}

/// A ClusterRoleBinding of `role` to `subjects`.
pub fn cluster_role_binding(name: &str, role: &str, subjects: Vec<Value>, labels: Value, annotations: Value) -> Value {
    json!({
        "apiVersion": format!("{RBAC_GROUP}/v1"), "kind": "ClusterRoleBinding",
        "metadata": {"name": name, "labels": labels, "annotations": annotations},
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role},
        "subjects": subjects,
    })
}

/// The ClusterRoles and ClusterRoleBindings a new cluster starts with: the bootstrap policy
/// of kube-apiserver (the part clients meet) and kubeadm's admin group binding.
/// kube-apiserver: plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go (ClusterRoles,
/// ClusterRoleBindings); kubeadm: cmd/kubeadm/app/phases/kubeconfig (kubeadm:cluster-admins).
pub fn bootstrap_objects() -> (Vec<Value>, Vec<Value>) {
    let labels = json!({"kubernetes.io/bootstrapping": "rbac-defaults"});
    let annotations = json!({"rbac.authorization.kubernetes.io/autoupdate": "true"});
    let role = |name: &str, rules: Vec<Value>| {
        json!({
            "apiVersion": format!("{RBAC_GROUP}/v1"), "kind": "ClusterRole",
            "metadata": {"name": name, "labels": labels, "annotations": annotations},
            "rules": rules,
        })
    };
    let health = ["/healthz", "/livez", "/readyz", "/version", "/version/"];
    let discovery: Vec<&str> = ["/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*"]
        .into_iter()
        .chain(health)
        .collect();
    let roles = vec![
        role(
            "cluster-admin",
            vec![rule(&["*"], &["*"], &["*"]), url_rule(&["*"], &["*"])],
        ),
        role("system:discovery", vec![url_rule(&["get"], &discovery)]),
        role(
            "system:basic-user",
            vec![
                rule(
                    &["create"],
                    &["authorization.k8s.io"],
                    &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                ),
                rule(&["create"], &["authentication.k8s.io"], &["selfsubjectreviews"]),
            ],
        ),
        role("system:public-info-viewer", vec![url_rule(&["get"], &health)]),
    ];
    let mut roles = roles;
    roles.extend(aggregated_roles(&labels, &annotations));
    let bound = |name: &str, groups: &[&str]| {
        cluster_role_binding(
            name,
            name,
            groups.iter().map(|g| group_subject(g)).collect(),
            labels.clone(),
            annotations.clone(),
        )
    };
    let bindings = vec![
        bound("cluster-admin", &[SYSTEM_MASTERS]),
        bound("system:discovery", &[ALL_AUTHENTICATED]),
        bound("system:basic-user", &[ALL_AUTHENTICATED]),
        bound("system:public-info-viewer", &[ALL_AUTHENTICATED, ALL_UNAUTHENTICATED]),
        cluster_role_binding(
            KUBEADM_CLUSTER_ADMINS,
            "cluster-admin",
            vec![group_subject(KUBEADM_CLUSTER_ADMINS)],
            json!({}),
            json!({}),
        ),
    ];
    (roles, bindings)
}

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "delete",
    "deletecollection",
    "patch",
    "update",
];

/// `admin`, `edit` and `view`, built by aggregation from `system:aggregate-to-*` (each level
/// labelled into the ones above it), as the bootstrap policy defines them; CRD authors add
/// their own roles with the same labels.
/// kube-apiserver: plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, ClusterRoles
/// (admin, edit, view, system:aggregate-to-*).
fn aggregated_roles(labels: &Value, annotations: &Value) -> Vec<Value> {
    let aggregate = |name: &str| {
        let mut l = labels.clone();
        l[format!("rbac.authorization.k8s.io/aggregate-to-{name}")] = json!("true");
        json!({
            "apiVersion": format!("{RBAC_GROUP}/v1"), "kind": "ClusterRole",
            "metadata": {"name": name, "labels": l, "annotations": annotations},
            "aggregationRule": {"clusterRoleSelectors": [
                {"matchLabels": {format!("rbac.authorization.k8s.io/aggregate-to-{name}"): "true"}}
            ]},
            "rules": [],
        })
    };
    let part = |name: &str, into: &[&str], rules: Vec<Value>| {
        let mut l = labels.clone();
        for target in into {
            l[format!("rbac.authorization.k8s.io/aggregate-to-{target}")] = json!("true");
        }
        json!({
            "apiVersion": format!("{RBAC_GROUP}/v1"), "kind": "ClusterRole",
            "metadata": {"name": format!("system:aggregate-to-{name}"), "labels": l, "annotations": annotations},
            "rules": rules,
        })
    };
    let view = vec![
        rule(
            READ,
            &[""],
            &[
                "pods",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/status",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "configmaps",
            ],
        ),
        rule(
            READ,
            &[""],
            &[
                "limitranges",
                "resourcequotas",
                "bindings",
                "events",
                "pods/status",
                "resourcequotas/status",
                "namespaces/status",
                "replicationcontrollers/status",
                "pods/log",
            ],
        ),
        rule(READ, &[""], &["namespaces"]),
        rule(READ, &["discovery.k8s.io"], &["endpointslices"]),
        rule(
            READ,
            &["apps"],
            &[
                "controllerrevisions",
                "statefulsets",
                "statefulsets/scale",
                "statefulsets/status",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
            ],
        ),
        rule(
            READ,
            &["autoscaling"],
            &["horizontalpodautoscalers", "horizontalpodautoscalers/status"],
        ),
        rule(
            READ,
            &["batch"],
            &["jobs", "jobs/status", "cronjobs", "cronjobs/status"],
        ),
        rule(
            READ,
            &["policy"],
            &["poddisruptionbudgets", "poddisruptionbudgets/status"],
        ),
        rule(
            READ,
            &["networking.k8s.io"],
            &["networkpolicies", "ingresses", "ingresses/status"],
        ),
    ];
    let edit = vec![
        rule(&["impersonate"], &[""], &["serviceaccounts"]),
        rule(
            WRITE,
            &[""],
            &["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"],
        ),
        rule(&["create"], &[""], &["pods/eviction"]),
        rule(
            WRITE,
            &[""],
            &[
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/proxy",
                "persistentvolumeclaims",
                "configmaps",
                "secrets",
                "events",
            ],
        ),
        rule(&["create"], &[""], &["serviceaccounts/token"]),
        rule(
            WRITE,
            &["apps"],
            &[
                "statefulsets",
                "statefulsets/scale",
                "daemonsets",
                "deployments",
                "deployments/scale",
                "deployments/rollback",
                "replicasets",
                "replicasets/scale",
            ],
        ),
        rule(WRITE, &["autoscaling"], &["horizontalpodautoscalers"]),
        rule(WRITE, &["batch"], &["jobs", "cronjobs"]),
        rule(WRITE, &["policy"], &["poddisruptionbudgets"]),
        rule(WRITE, &["networking.k8s.io"], &["networkpolicies", "ingresses"]),
        rule(
            READ,
            &[""],
            &[
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
                "secrets",
                "services/proxy",
            ],
        ),
    ];
    let admin = vec![
        rule(&["create"], &["authorization.k8s.io"], &["localsubjectaccessreviews"]),
        rule(READ_WRITE, &[RBAC_GROUP], &["rolebindings", "roles"]),
    ];
    vec![
        aggregate("admin"),
        aggregate("edit"),
        aggregate("view"),
        part("admin", &["admin"], admin),
        part("edit", &["admin", "edit"], edit),
        part("view", &["admin", "edit", "view"], view),
    ]
}

/// Whether a metav1.LabelSelector (JSON) selects these labels; an empty one selects everything.
fn selects(selector: &Value, labels: &Value) -> bool {
    let label = |k: &str| labels.get(k).and_then(Value::as_str);
    let match_labels = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .is_none_or(|m| m.iter().all(|(k, v)| label(k) == v.as_str()));
    let expressions = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .is_none_or(|list| {
            list.iter().all(|e| {
                let key = text(e, "/key");
                let values = strings(e, "values");
                match text(e, "/operator") {
                    "In" => label(key).is_some_and(|v| values.iter().any(|x| x == v)),
                    "NotIn" => label(key).is_none_or(|v| !values.iter().any(|x| x == v)),
                    "Exists" => label(key).is_some(),
                    "DoesNotExist" => label(key).is_none(),
                    _ => false,
                }
            })
        });
    match_labels && expressions
}

/// The field manager the aggregation writes with.
pub const AGGREGATION_MANAGER: &str = "clusterrole-aggregation-controller";

/// Fills the rules of every ClusterRole with an `aggregationRule`: the rules of the
/// ClusterRoles its selectors pick (in name order, each rule once), written only on change.
/// kube-controller-manager: pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go,
/// func syncClusterRole.
pub fn aggregate_cluster_roles(core: &ClusterCore) -> Result<(), ApiError> {
    let Some(t) = core.storage_type(RBAC_GROUP, "clusterroles") else {
        return Ok(());
    };
    let (mut roles, _) = core.store.list(&t.key(), None);
    roles.sort_by(|a, b| text(a, "/metadata/name").cmp(text(b, "/metadata/name")));
    for role in &roles {
        let Some(selectors) = role
            .pointer("/aggregationRule/clusterRoleSelectors")
            .and_then(Value::as_array)
        else {
            continue;
        };
        let name = text(role, "/metadata/name");
        let mut rules: Vec<Value> = Vec::new();
        for other in &roles {
            let labels = other.pointer("/metadata/labels").cloned().unwrap_or(json!({}));
            if text(other, "/metadata/name") == name || !selectors.iter().any(|s| selects(s, &labels)) {
                continue;
            }
            for r in other.get("rules").and_then(Value::as_array).into_iter().flatten() {
                let canonical = PolicyRule::from_json(r).to_json();
                if !rules.contains(&canonical) {
                    rules.push(canonical);
                }
            }
        }
        let current: Vec<Value> = role
            .get("rules")
            .and_then(Value::as_array)
            .map(|list| list.iter().map(|r| PolicyRule::from_json(r).to_json()).collect())
            .unwrap_or_default();
        if current != rules {
            // The controller server-side applies the rules, forcing (ClusterRoles().Apply).
            let opts = WriteOptions {
                field_manager: Some(AGGREGATION_MANAGER.into()),
                force: true,
                ..Default::default()
            };
            let applied = json!({
                "apiVersion": format!("{RBAC_GROUP}/v1"), "kind": "ClusterRole",
                "metadata": {"name": name}, "rules": rules,
            });
            core.patch(&t, None, name, crate::patch::PatchKind::Apply, &applied, false, &opts)?;
        }
    }
    Ok(())
}

/// Runs the aggregation whenever a ClusterRole changes, until the task is aborted.
pub async fn run_aggregation(core: std::sync::Arc<ClusterCore>) {
    let key = rbac_key("clusterroles");
    let Ok(subscription) = core.store.subscribe(None) else {
        return;
    };
    let mut live = subscription.live;
    let _ = aggregate_cluster_roles(&core);
    loop {
        match live.recv().await {
            Ok(change) if change.res == key => {
                let _ = aggregate_cluster_roles(&core);
            }
            Ok(_) => {}
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                let _ = aggregate_cluster_roles(&core);
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// Creates (or replaces) a cluster-scoped RBAC object as the API server's own bootstrap would.
pub fn put_cluster_object(core: &ClusterCore, plural: &str, object: Value) -> Result<(), ApiError> {
    let t = core.storage_type(RBAC_GROUP, plural).ok_or_else(ApiError::no_route)?;
    let name = text(&object, "/metadata/name").to_string();
    // kube-apiserver's own bootstrap writes as the manager `kube-apiserver`.
    let opts = WriteOptions {
        field_manager: Some("kube-apiserver".into()),
        ..Default::default()
    };
    if core.get(&t, None, &name).is_ok() {
        core.delete(&t, None, &name, &opts)?;
    }
    core.create(&t, None, object, &opts)?;
    Ok(())
}

/// Seeds the bootstrap roles and bindings into a new cluster.
pub fn seed_bootstrap(core: &ClusterCore) -> Result<(), ApiError> {
    let (roles, bindings) = bootstrap_objects();
    for role in roles {
        put_cluster_object(core, "clusterroles", role)?;
    }
    for binding in bindings {
        put_cluster_object(core, "clusterrolebindings", binding)?;
    }
    // The controller-manager fills admin/edit/view at once on a new cluster.
    aggregate_cluster_roles(core)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_of(v: Value) -> PolicyRule {
        PolicyRule::from_json(&v)
    }

    #[test]
    fn rules_match_like_the_rbac_authorizer() {
        let canaries = rule_of(rule(&["get", "patch"], &["flagger.app"], &["canaries"]));
        let a = Attributes::resource("patch", "flagger.app", "canaries").in_namespace("x");
        assert!(canaries.allows(&a));
        assert!(!canaries.allows(&Attributes::resource("delete", "flagger.app", "canaries")));
        assert!(!canaries.allows(&Attributes::resource("patch", "", "canaries")));
        // A subresource needs its own entry, or `*/sub`, or `*`.
        assert!(!canaries.allows(&Attributes::resource("patch", "flagger.app", "canaries").subresource("status")));
        let scale = rule_of(rule(&["get"], &["apps"], &["*/scale"]));
        assert!(scale.allows(&Attributes::resource("get", "apps", "deployments").subresource("scale")));
        assert!(!scale.allows(&Attributes::resource("get", "apps", "deployments")));
        let logs = rule_of(rule(&["get"], &[""], &["pods/log"]));
        assert!(logs.allows(&Attributes::resource("get", "", "pods").subresource("log")));
        // resourceNames limit to named requests: no list, no create.
        let named = rule_of(
            json!({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"]}),
        );
        assert!(named.allows(&Attributes::resource("get", "", "configmaps").named("a")));
        assert!(!named.allows(&Attributes::resource("get", "", "configmaps").named("b")));
        assert!(!named.allows(&Attributes::resource("list", "", "configmaps")));
        let urls = rule_of(url_rule(&["get"], &["/apis/*", "/version"]));
        assert!(urls.allows(&Attributes::non_resource("get", "/apis/apps/v1")));
        assert!(urls.allows(&Attributes::non_resource("get", "/version")));
        assert!(!urls.allows(&Attributes::non_resource("get", "/version/x")));
        assert!(!urls.allows(&Attributes::non_resource("post", "/version")));
        // Resource rules never grant non-resource paths and the reverse.
        assert!(!canaries.allows(&Attributes::non_resource("get", "/apis")));
        assert!(!urls.allows(&Attributes::resource("get", "", "pods")));
    }

    #[test]
    fn request_attributes_follow_request_info() {
        let q = |s: &str| crate::api::route::parse_query(s);
        let attrs =
            |m: Method, p: &str, query: &str| request_attributes(&m, p, &crate::api::route::parse(p), &q(query));
        let a = attrs(
            Method::GET,
            "/apis/flagger.app/v1beta1/namespaces/t/canaries",
            "watch=true",
        );
        assert_eq!((a.verb.as_str(), a.namespace.as_str()), ("watch", "t"));
        let a = attrs(
            Method::GET,
            "/api/v1/namespaces/t/pods",
            "fieldSelector=metadata.name%3Dp",
        );
        assert_eq!((a.verb.as_str(), a.name.as_str()), ("list", "p"));
        let a = attrs(Method::DELETE, "/api/v1/namespaces/t/pods", "");
        assert_eq!(a.verb, "deletecollection");
        let a = attrs(Method::GET, "/api/v1/namespaces/t", "");
        assert_eq!(
            (a.resource.as_str(), a.name.as_str(), a.namespace.as_str()),
            ("namespaces", "t", "t")
        );
        let a = attrs(Method::POST, "/api/v1/namespaces/t/services/lt:80/proxy/gate/open", "");
        assert_eq!(
            (a.verb.as_str(), a.name.as_str(), a.subresource.as_str()),
            ("create", "lt:80", "proxy")
        );
        let a = attrs(Method::GET, "/apis/apps", "");
        assert!(!a.resource_request);
        assert_eq!((a.verb.as_str(), a.path.as_str()), ("get", "/apis/apps"));
    }

    #[test]
    fn forbidden_wording() {
        let user = UserInfo {
            name: "bob".into(),
            ..Default::default()
        };
        let a = Attributes::resource("patch", "apps", "deployments")
            .in_namespace("default")
            .named("web");
        let e = forbidden(&user, &a, "");
        assert_eq!(
            e.message,
            "deployments.apps \"web\" is forbidden: User \"bob\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"default\""
        );
        assert_eq!(
            e.details,
            Some(json!({"name": "web", "group": "apps", "kind": "deployments"}))
        );
        let e = forbidden(&user, &Attributes::non_resource("get", "/api"), "");
        assert_eq!(e.message, "forbidden: User \"bob\" cannot get path \"/api\"");
        let e = forbidden(
            &user,
            &Attributes::resource("list", "", "pods"),
            "RBAC: clusterrole.rbac.authorization.k8s.io \"gone\" not found",
        );
        assert_eq!(
            e.message,
            "pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" at the cluster scope: RBAC: clusterrole.rbac.authorization.k8s.io \"gone\" not found"
        );
    }

    #[test]
    fn service_account_names() {
        assert_eq!(split_service_account("system:serviceaccount:ns:sa"), Some(("ns", "sa")));
        assert_eq!(split_service_account("system:serviceaccount:ns"), None);
        assert_eq!(split_service_account("alice"), None);
    }
}
