//! Authentication: bearer tokens and client certificates map to users (a name, a uid and
//! groups), then `Impersonate-*` headers may switch the user, as kube-apiserver's
//! authentication and impersonation filters do. What a user may do is not here: it is RBAC
//! over the objects stored in the cluster ([`crate::rbac`]). A [`User`] carries the rules
//! `SimCluster::add_user` grants it by creating a ClusterRole and a ClusterRoleBinding.

use std::collections::{BTreeMap, HashMap};

use http::HeaderMap;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::rbac::{self, ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS, Attributes, Decision, UserInfo};

/// A rule to grant a user (rbac.authorization.k8s.io/v1 PolicyRule).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub groups: Vec<String>,
    /// Resources, optionally with a subresource (`services/proxy`); `*` matches all.
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn own(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl Rule {
    pub fn new(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Self {
        Rule {
            verbs: own(verbs),
            groups: own(groups),
            resources: own(resources),
            resource_names: Vec::new(),
            non_resource_urls: Vec::new(),
        }
    }

    /// A rule on non-resource paths (`/healthz`, `/apis/*`).
    pub fn urls(verbs: &[&str], urls: &[&str]) -> Self {
        Rule {
            non_resource_urls: own(urls),
            ..Rule::new(verbs, &[], &[])
        }
    }

    /// Limits the rule to these object names.
    pub fn named(mut self, names: &[&str]) -> Self {
        self.resource_names = own(names);
        self
    }

    pub fn to_policy_rule(&self) -> rbac::PolicyRule {
        rbac::PolicyRule {
            verbs: self.verbs.clone(),
            api_groups: self.groups.clone(),
            resources: self.resources.clone(),
            resource_names: self.resource_names.clone(),
            non_resource_urls: self.non_resource_urls.clone(),
        }
    }
}

/// A user the cluster knows (by token or client certificate).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub name: String,
    pub uid: String,
    /// Groups besides `system:authenticated`, which every authenticated user is in.
    pub groups: Vec<String>,
    /// Granted cluster-wide when the user is added: a ClusterRole `fleet-sim:user:NAME` with
    /// these rules and a ClusterRoleBinding of it to the user.
    pub rules: Vec<Rule>,
}

impl User {
    /// A user with no permissions of its own (only what `system:authenticated` has).
    pub fn named(name: &str) -> Self {
        User {
            name: name.to_string(),
            uid: String::new(),
            groups: Vec::new(),
            rules: Vec::new(),
        }
    }

    /// A cluster administrator as kubeadm makes one: in the group `kubeadm:cluster-admins`,
    /// which the bootstrap ClusterRoleBinding of that name binds to `cluster-admin`.
    pub fn admin(name: &str) -> Self {
        User::named(name).in_groups(&[rbac::KUBEADM_CLUSTER_ADMINS])
    }

    /// May get, list and watch everything, and nothing else.
    pub fn read_only(name: &str) -> Self {
        User::with_rules(name, vec![Rule::new(&["get", "list", "watch"], &["*"], &["*"])])
    }

    pub fn with_rules(name: &str, rules: Vec<Rule>) -> Self {
        User {
            rules,
            ..User::named(name)
        }
    }

    pub fn in_groups(mut self, groups: &[&str]) -> Self {
        self.groups.extend(own(groups));
        self
    }

    pub fn with_uid(mut self, uid: &str) -> Self {
        self.uid = uid.to_string();
        self
    }

    /// Who requests authenticated as this user are: its groups plus `system:authenticated`.
    /// kube-apiserver: staging/src/k8s.io/apiserver/pkg/authentication/group/authenticated_group_adder.go
    pub fn info(&self) -> UserInfo {
        let mut groups = self.groups.clone();
        if !groups.iter().any(|g| g == ALL_AUTHENTICATED) {
            groups.push(ALL_AUTHENTICATED.into());
        }
        UserInfo {
            name: self.name.clone(),
            uid: self.uid.clone(),
            groups,
            extra: BTreeMap::new(),
        }
    }

    /// The ClusterRole and ClusterRoleBinding that grant this user its rules (none without rules).
    pub fn rbac_objects(&self) -> Option<(Value, Value)> {
        if self.rules.is_empty() {
            return None;
        }
        let name = format!("fleet-sim:user:{}", self.name);
        let labels = json!({"app.kubernetes.io/managed-by": "fleet-sim"});
        let rules: Vec<Value> = self.rules.iter().map(|r| r.to_policy_rule().to_json()).collect();
        let role = json!({
            "apiVersion": format!("{}/v1", rbac::RBAC_GROUP), "kind": "ClusterRole",
            "metadata": {"name": name, "labels": labels},
            "rules": rules,
        });
        let binding = rbac::cluster_role_binding(
            &name,
            &name,
            vec![json!({"kind": "User", "apiGroup": rbac::RBAC_GROUP, "name": self.name})],
            labels,
            json!({}),
        );
        Some((role, binding))
    }
}

/// A token issued by the TokenRequest API for a ServiceAccount: valid while that very
/// ServiceAccount (same uid) exists.
#[derive(Debug, Clone)]
struct ServiceAccountToken {
    namespace: String,
    name: String,
    uid: String,
    credential_id: String,
}

#[derive(Debug, Clone, Default)]
pub struct Users {
    by_token: HashMap<String, User>,
    service_account_tokens: HashMap<String, ServiceAccountToken>,
    /// Client certificates (DER) issued by the cluster's CA, and whom they identify.
    by_certificate: HashMap<Vec<u8>, User>,
}

/// The client certificate a TLS connection presented (DER), attached to each of its requests.
#[derive(Debug, Clone)]
pub struct PeerCertificate(pub Vec<u8>);

pub enum AuthError {
    /// A token was sent and is not known: 401 on every path, as a real server answers.
    Unauthorized,
}

impl Users {
    pub fn add(&mut self, token: &str, user: User) {
        self.by_token.insert(token.to_string(), user);
    }

    pub fn add_certificate(&mut self, der: &[u8], user: User) {
        self.by_certificate.insert(der.to_vec(), user);
    }

    /// Remembers a token issued for a ServiceAccount (see [`token_request`]).
    fn add_service_account_token(&mut self, token: &str, sa: ServiceAccountToken) {
        self.service_account_tokens.insert(token.to_string(), sa);
    }

    /// A bearer token wins over a client certificate, as in the API server. A certificate the
    /// TLS layer verified is the user registered for it, else its subject's CN in the groups of
    /// its O fields. A request with neither (or a certificate without a CN) is
    /// anonymous (`system:anonymous` in `system:unauthenticated`; `--anonymous-auth` defaults
    /// to true) and RBAC decides what it may see.
    pub fn authenticate(
        &self,
        authorization: Option<&str>,
        certificate: Option<&PeerCertificate>,
    ) -> Result<UserInfo, AuthError> {
        let Some(header) = authorization else {
            return Ok(match certificate {
                Some(c) => match self.by_certificate.get(&c.0) {
                    Some(user) => user.info(),
                    None => certificate_user(&c.0).unwrap_or_else(UserInfo::anonymous),
                },
                None => UserInfo::anonymous(),
            });
        };
        let token = header.strip_prefix("Bearer ").ok_or(AuthError::Unauthorized)?.trim();
        if let Some(sa) = self.service_account_tokens.get(token) {
            let mut groups = rbac::service_account_groups(&sa.namespace);
            groups.push(ALL_AUTHENTICATED.into());
            return Ok(UserInfo {
                name: format!("system:serviceaccount:{}:{}", sa.namespace, sa.name),
                uid: sa.uid.clone(),
                groups,
                extra: BTreeMap::from([(CREDENTIAL_ID.to_string(), vec![sa.credential_id.clone()])]),
            });
        }
        self.by_token.get(token).map(User::info).ok_or(AuthError::Unauthorized)
    }
}

/// Who a client certificate the TLS layer verified is: its subject's common name, in the
/// groups of its organizations (none without a common name).
/// kube-apiserver: staging/src/k8s.io/apiserver/pkg/authentication/request/x509/x509.go,
/// CommonNameUserConversion.
fn certificate_user(der: &[u8]) -> Option<UserInfo> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let subject = cert.subject();
    let name = subject.iter_common_name().next()?.as_str().ok()?.to_string();
    if name.is_empty() {
        return None;
    }
    let mut groups: Vec<String> = subject
        .iter_organization()
        .filter_map(|o| o.as_str().ok().map(str::to_string))
        .collect();
    if !groups.iter().any(|g| g == ALL_AUTHENTICATED) {
        groups.push(ALL_AUTHENTICATED.into());
    }
    Some(UserInfo {
        name,
        groups,
        ..Default::default()
    })
}

/// The user-info extra a ServiceAccount token carries (its JWT ID).
const CREDENTIAL_ID: &str = "authentication.kubernetes.io/credential-id";

/// Authenticates a request against the cluster: the known tokens and certificates, and the
/// ServiceAccount tokens of ServiceAccounts that still exist (a deleted, or deleted and
/// re-created, ServiceAccount's tokens are refused, as the service account authenticator's
/// lookup does: pkg/serviceaccount/claims.go, func (*validator) Validate).
pub fn authenticate(
    core: &crate::core::ClusterCore,
    authorization: Option<&str>,
    certificate: Option<&PeerCertificate>,
) -> Result<UserInfo, AuthError> {
    let user = core
        .users
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .authenticate(authorization, certificate)?;
    if let Some((ns, name)) = rbac::split_service_account(&user.name)
        && user.extra.contains_key(CREDENTIAL_ID)
    {
        let current = core
            .storage_type("", "serviceaccounts")
            .and_then(|t| core.get(&t, Some(ns), name).ok());
        let uid = current
            .as_ref()
            .and_then(|sa| sa.pointer("/metadata/uid"))
            .and_then(Value::as_str);
        if uid != Some(user.uid.as_str()) {
            return Err(AuthError::Unauthorized);
        }
    }
    Ok(user)
}

/// Answers `POST .../serviceaccounts/NAME/token` (kubectl create token): a new bearer token
/// for the ServiceAccount, with the audiences and lifetime asked (defaults: the API server's
/// audience, one hour; at least ten minutes). The simulator does not expire tokens.
/// kube-apiserver: pkg/registry/core/serviceaccount/storage/token.go, func (*TokenREST) Create,
/// and pkg/apis/authentication/validation (the ten-minute minimum).
pub fn token_request(
    core: &crate::core::ClusterCore,
    namespace: &str,
    service_account: &Value,
    request: &Value,
) -> Result<Value, ApiError> {
    let name = service_account
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let uid = service_account
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    let expiration = request
        .pointer("/spec/expirationSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(3600);
    if expiration < 600 {
        return Err(crate::error::invalid(
            "TokenRequest",
            "authentication.k8s.io",
            name,
            &[crate::error::FieldError {
                field: "spec.expirationSeconds".into(),
                reason: "FieldValueInvalid",
                message: format!(
                    "spec.expirationSeconds: Invalid value: {expiration}: may not specify a duration less than 10 minutes"
                ),
            }],
        ));
    }
    let audiences = match request.pointer("/spec/audiences").and_then(Value::as_array) {
        Some(a) if !a.is_empty() => Value::Array(a.clone()),
        _ => json!(["https://kubernetes.default.svc.cluster.local"]),
    };
    let token = format!("sim-sa-{}", uuid::Uuid::new_v4().simple());
    core.users
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .add_service_account_token(
            &token,
            ServiceAccountToken {
                namespace: namespace.to_string(),
                name: name.to_string(),
                uid: uid.to_string(),
                credential_id: format!("JTI={}", uuid::Uuid::new_v4()),
            },
        );
    let expires = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(expiration))
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default();
    Ok(json!({
        "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": null},
        "spec": {
            "audiences": audiences,
            "expirationSeconds": expiration,
            "boundObjectRef": request.pointer("/spec/boundObjectRef").cloned().unwrap_or(Value::Null),
        },
        "status": {"token": token, "expirationTimestamp": expires},
    }))
}

/// Why an impersonation attempt was refused.
pub enum ImpersonationError {
    /// The headers make no sense (groups without a user): a plain-text 500, as upstream answers.
    Internal(String),
    Forbidden(ApiError),
}

const USER_HEADER: &str = "impersonate-user";
const GROUP_HEADER: &str = "impersonate-group";
const UID_HEADER: &str = "impersonate-uid";
const EXTRA_PREFIX: &str = "impersonate-extra-";

/// Applies `Impersonate-User/Group/Uid/Extra-*`: every requested identity must be allowed by
/// the `impersonate` verb (on users, groups, serviceaccounts in core, uids and userextras in
/// authentication.k8s.io) for the requestor; the request then runs as the impersonated user.
/// kube-apiserver: staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go,
/// func WithImpersonation and buildImpersonationRequests.
pub fn impersonate(
    core: &crate::core::ClusterCore,
    requestor: UserInfo,
    headers: &HeaderMap,
) -> Result<UserInfo, ImpersonationError> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    };
    let requested_user = values(USER_HEADER).into_iter().next().unwrap_or_default();
    let requested_groups = values(GROUP_HEADER);
    let requested_uid = values(UID_HEADER).into_iter().next().unwrap_or_default();
    let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in headers {
        if let Some(key) = name.as_str().strip_prefix(EXTRA_PREFIX)
            && let Ok(v) = value.to_str()
        {
            // Header names are case-insensitive; the key is path-unescaped (`%2F` for `/`).
            let key = crate::api::route::percent_decode(&key.to_lowercase());
            extra.entry(key).or_default().push(v.to_string());
        }
    }
    if requested_user.is_empty() && requested_groups.is_empty() && requested_uid.is_empty() && extra.is_empty() {
        return Ok(requestor);
    }
    // One authorisation per requested identity, in upstream's order.
    let mut checks: Vec<(Attributes, String)> = Vec::new();
    let core_group = |resource: &str, name: &str| Attributes::resource("impersonate", "", resource).named(name);
    let authn_group =
        |resource: &str, name: &str| Attributes::resource("impersonate", "authentication.k8s.io", resource).named(name);
    let mut groups: Vec<String> = Vec::new();
    if !requested_user.is_empty() {
        match rbac::split_service_account(&requested_user) {
            Some((ns, name)) => {
                checks.push((
                    core_group("serviceaccounts", name).in_namespace(ns),
                    format!("{{ServiceAccount {ns} {name}    }}"),
                ));
                if requested_groups.is_empty() {
                    groups = rbac::service_account_groups(ns);
                }
            }
            None => checks.push((
                core_group("users", &requested_user),
                format!("{{User  {requested_user}    }}"),
            )),
        }
    }
    for group in &requested_groups {
        checks.push((core_group("groups", group), format!("{{Group  {group}    }}")));
        groups.push(group.clone());
    }
    for (key, list) in &extra {
        for value in list {
            checks.push((
                authn_group("userextras", value).subresource(key),
                format!("{{UserExtra  {value}  authentication.k8s.io/v1  {key}}}"),
            ));
        }
    }
    if !requested_uid.is_empty() {
        checks.push((
            authn_group("uids", &requested_uid),
            format!("{{UID  {requested_uid}  authentication.k8s.io/v1  }}"),
        ));
    }
    if requested_user.is_empty() {
        let described: Vec<&str> = checks.iter().map(|(_, d)| d.as_str()).collect();
        return Err(ImpersonationError::Internal(format!(
            "requested [{}] without impersonating a user",
            described.join(" ")
        )));
    }
    for (attributes, _) in &checks {
        if let Decision::NoOpinion(reason) = rbac::authorize(core, &requestor, attributes) {
            return Err(ImpersonationError::Forbidden(rbac::forbidden(
                &requestor, attributes, &reason,
            )));
        }
    }
    let marker = if requested_user == ANONYMOUS {
        ALL_UNAUTHENTICATED
    } else {
        ALL_AUTHENTICATED
    };
    let already = groups
        .iter()
        .any(|g| g == ALL_UNAUTHENTICATED || (marker == ALL_AUTHENTICATED && g == ALL_AUTHENTICATED));
    if !already {
        groups.push(marker.into());
    }
    let name = match rbac::split_service_account(&requested_user) {
        Some((ns, sa)) => format!("system:serviceaccount:{ns}:{sa}"),
        None => requested_user,
    };
    Ok(UserInfo {
        name,
        uid: requested_uid,
        groups,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authenticated_users_are_in_system_authenticated() {
        let mut users = Users::default();
        users.add("t", User::admin("root").with_uid("42"));
        let Ok(info) = users.authenticate(Some("Bearer t"), None) else {
            panic!("the token is known");
        };
        assert_eq!(info.name, "root");
        assert_eq!(info.uid, "42");
        assert_eq!(info.groups, vec!["kubeadm:cluster-admins", "system:authenticated"]);
        assert!(matches!(
            users.authenticate(Some("Bearer nope"), None),
            Err(AuthError::Unauthorized)
        ));
        let Ok(anonymous) = users.authenticate(None, None) else {
            panic!("no credentials is anonymous");
        };
        assert_eq!(anonymous, UserInfo::anonymous());
    }

    #[test]
    fn users_with_rules_come_with_rbac_objects() {
        let (role, binding) = User::read_only("viewer").rbac_objects().unwrap();
        assert_eq!(role["metadata"]["name"], "fleet-sim:user:viewer");
        assert_eq!(role["rules"][0]["verbs"], json!(["get", "list", "watch"]));
        assert_eq!(
            binding["subjects"][0],
            json!({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "viewer"})
        );
        assert_eq!(binding["roleRef"]["name"], "fleet-sim:user:viewer");
        assert!(User::admin("root").rbac_objects().is_none());
    }
}
