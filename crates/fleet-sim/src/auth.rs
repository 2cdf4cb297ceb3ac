//! Bearer-token users and a small RBAC model: each token maps to a user with rules of
//! (verbs, API groups, resources), and SelfSubjectAccessReviews answer from the same rules.

use std::collections::HashMap;

use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub groups: Vec<String>,
    /// Resource names, optionally with a subresource (`services/proxy`); `*` matches all.
    pub resources: Vec<String>,
}

impl Rule {
    pub fn new(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Self {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Rule {
            verbs: own(verbs),
            groups: own(groups),
            resources: own(resources),
        }
    }

    fn allows(&self, verb: &str, group: &str, resource: &str) -> bool {
        let any = |list: &[String], v: &str| list.iter().any(|x| x == "*" || x == v);
        any(&self.verbs, verb) && any(&self.groups, group) && any(&self.resources, resource)
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub rules: Vec<Rule>,
}

impl User {
    pub fn admin(name: &str) -> Self {
        User {
            name: name.to_string(),
            rules: vec![Rule::new(&["*"], &["*"], &["*"])],
        }
    }

    /// May get, list and watch everything, and nothing else.
    pub fn read_only(name: &str) -> Self {
        User {
            name: name.to_string(),
            rules: vec![Rule::new(&["get", "list", "watch"], &["*"], &["*"])],
        }
    }

    pub fn with_rules(name: &str, rules: Vec<Rule>) -> Self {
        User {
            name: name.to_string(),
            rules,
        }
    }

    /// `resource` may carry a subresource (`canaries/status`).
    pub fn can(&self, verb: &str, group: &str, resource: &str) -> bool {
        self.rules.iter().any(|r| r.allows(verb, group, resource))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Users {
    by_token: HashMap<String, User>,
    /// Client certificates (DER) issued by the cluster's CA, and whom they identify.
    by_certificate: HashMap<Vec<u8>, User>,
}

/// The client certificate a TLS connection presented (DER), attached to each of its requests.
#[derive(Debug, Clone)]
pub struct PeerCertificate(pub Vec<u8>);

/// Who made a request.
pub enum Caller {
    User(User),
    /// No credentials: only the public endpoints (`/version`, health) are allowed.
    Anonymous,
}

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

    /// A bearer token wins over a client certificate, as in the API server; a certificate the
    /// TLS layer verified but nobody is registered for is anonymous.
    pub fn authenticate(
        &self,
        authorization: Option<&str>,
        certificate: Option<&PeerCertificate>,
    ) -> Result<Caller, AuthError> {
        let Some(header) = authorization else {
            return Ok(certificate
                .and_then(|c| self.by_certificate.get(&c.0))
                .cloned()
                .map_or(Caller::Anonymous, Caller::User));
        };
        let token = header.strip_prefix("Bearer ").ok_or(AuthError::Unauthorized)?.trim();
        self.by_token
            .get(token)
            .cloned()
            .map(Caller::User)
            .ok_or(AuthError::Unauthorized)
    }
}

/// The Forbidden message the API server gives for a denied request.
pub fn forbidden_message(
    user: &str,
    verb: &str,
    group: &str,
    resource: &str,
    name: Option<&str>,
    ns: Option<&str>,
) -> String {
    let base = resource.split('/').next().unwrap_or(resource);
    let qualified = if group.is_empty() {
        base.to_string()
    } else {
        format!("{base}.{group}")
    };
    let subject = match name {
        Some(n) => format!("{qualified} \"{n}\""),
        None => qualified,
    };
    let scope = match ns {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_string(),
    };
    format!(
        "{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {scope}"
    )
}

/// Answers a SelfSubjectAccessReview body with the caller's rules.
pub fn review(user: &User, body: &Value) -> Value {
    let attrs = body.pointer("/spec/resourceAttributes").cloned().unwrap_or(json!({}));
    let text = |k: &str| attrs.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let (verb, group, resource, sub) = (text("verb"), text("group"), text("resource"), text("subresource"));
    let full = if sub.is_empty() {
        resource.clone()
    } else {
        format!("{resource}/{sub}")
    };
    let allowed = if body.pointer("/spec/nonResourceAttributes").is_some() {
        true
    } else {
        user.can(&verb, &group, &full)
    };
    let mut answer = body.clone();
    answer["apiVersion"] = json!("authorization.k8s.io/v1");
    answer["kind"] = json!("SelfSubjectAccessReview");
    answer["status"] = if allowed {
        json!({"allowed": true, "reason": format!("user {} is allowed by the simulated RBAC rules", user.name)})
    } else {
        json!({"allowed": false})
    };
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_and_subresources() {
        let ro = User::read_only("viewer");
        assert!(ro.can("list", "flagger.app", "canaries"));
        assert!(!ro.can("patch", "flagger.app", "canaries"));
        let custom = User::with_rules("u", vec![Rule::new(&["create"], &[""], &["services/proxy"])]);
        assert!(custom.can("create", "", "services/proxy"));
        assert!(!custom.can("create", "", "services"));
    }

    #[test]
    fn forbidden_wording() {
        assert_eq!(
            forbidden_message("bob", "patch", "apps", "deployments", Some("web"), Some("default")),
            "deployments.apps \"web\" is forbidden: User \"bob\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"default\""
        );
    }
}
