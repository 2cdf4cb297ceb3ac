//! The resource types one simulated cluster serves: built-ins and those registered by CRDs.

use std::collections::BTreeMap;

use serde_json::Value;

/// Identifies where objects of a type are stored, independent of the served version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResKey {
    pub group: String,
    pub plural: String,
}

impl ResKey {
    pub fn new(group: &str, plural: &str) -> Self {
        ResKey {
            group: group.to_string(),
            plural: plural.to_string(),
        }
    }

    /// `plural.group` as the API server names a resource in messages (`canaries.flagger.app`).
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

/// One column of a Table response (a CRD's `additionalPrinterColumns`, or a built-in's).
#[derive(Debug, Clone)]
pub struct PrinterColumn {
    pub name: String,
    pub type_: String,
    pub format: String,
    pub json_path: String,
    pub priority: i64,
    pub description: String,
}

impl PrinterColumn {
    pub fn new(name: &str, type_: &str, json_path: &str) -> Self {
        PrinterColumn {
            name: name.to_string(),
            type_: type_.to_string(),
            format: String::new(),
            json_path: json_path.to_string(),
            priority: 0,
            description: String::new(),
        }
    }
}

/// How a resource is served in one group/version.
#[derive(Debug, Clone)]
pub struct ResourceType {
    pub group: String,
    pub version: String,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub list_kind: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub verbs: Vec<String>,
    pub status_subresource: bool,
    /// `openAPIV3Schema` of a CRD version; built-ins are not validated.
    pub schema: Option<Value>,
    pub printer_columns: Vec<PrinterColumn>,
    /// Defined by a CRD: strategic merge patches are refused with 415, as a real server does.
    pub custom: bool,
    /// Whether this version is the one objects are stored in (CRDs with several versions).
    pub storage: bool,
    /// The `scale` subresource, where the type has one (see [`crate::scale`]).
    pub scale: Option<ScalePaths>,
}

/// Where a type keeps what its `scale` subresource shows (JSON paths such as `.spec.replicas`).
#[derive(Debug, Clone, PartialEq)]
pub struct ScalePaths {
    pub spec_replicas: String,
    pub status_replicas: String,
    /// A CRD's `labelSelectorPath` (a string field); for built-ins, `.spec.selector` (an object).
    pub label_selector: Option<String>,
    /// Whether `label_selector` points at a LabelSelector object (built-ins) rather than text.
    pub selector_is_object: bool,
}

pub const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

impl ResourceType {
    pub fn builtin(group: &str, version: &str, plural: &str, kind: &str, namespaced: bool) -> Self {
        ResourceType {
            group: group.to_string(),
            version: version.to_string(),
            plural: plural.to_string(),
            singular: kind.to_lowercase(),
            kind: kind.to_string(),
            list_kind: format!("{kind}List"),
            namespaced,
            short_names: Vec::new(),
            categories: Vec::new(),
            verbs: ALL_VERBS.iter().map(|v| v.to_string()).collect(),
            status_subresource: false,
            schema: None,
            printer_columns: Vec::new(),
            custom: false,
            storage: true,
            scale: None,
        }
    }

    pub fn key(&self) -> ResKey {
        // events.k8s.io Events live in the core Event storage (see `crate::events`).
        if self.group == "events.k8s.io" && self.plural == "events" {
            return ResKey::new("", "events");
        }
        ResKey::new(&self.group, &self.plural)
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    pub fn group_version_path(&self) -> String {
        if self.group.is_empty() {
            "api/v1".to_string()
        } else {
            format!("apis/{}/{}", self.group, self.version)
        }
    }

    pub fn with_short_names(mut self, names: &[&str]) -> Self {
        self.short_names = names.iter().map(|s| s.to_string()).collect();
        self
    }

    /// A `scale` subresource over `.spec.replicas`, `.status.replicas` and `.spec.selector`.
    pub fn with_scale(mut self) -> Self {
        self.scale = Some(ScalePaths {
            spec_replicas: ".spec.replicas".into(),
            status_replicas: ".status.replicas".into(),
            label_selector: Some(".spec.selector".into()),
            selector_is_object: true,
        });
        self
    }

    pub fn with_status(mut self) -> Self {
        self.status_subresource = true;
        self
    }

    pub fn with_verbs(mut self, verbs: &[&str]) -> Self {
        self.verbs = verbs.iter().map(|s| s.to_string()).collect();
        self
    }

    pub fn with_columns(mut self, columns: Vec<PrinterColumn>) -> Self {
        self.printer_columns = columns;
        self
    }
}

/// Every served type, keyed by (group, version, plural).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    types: BTreeMap<(String, String, String), ResourceType>,
    /// Bumped on every change, so OpenAPI hashes change and kubectl refreshes its cache.
    pub generation: u64,
}

impl Registry {
    pub fn add(&mut self, mut t: ResourceType) {
        if !t.custom && t.categories.is_empty() {
            t.categories = builtin_categories(&t.group, &t.plural)
                .iter()
                .map(|c| c.to_string())
                .collect();
        }
        if t.printer_columns.is_empty() {
            // What the server shows for a type without its own columns: NAME and AGE.
            t.printer_columns = vec![PrinterColumn::new("Age", "date", ".metadata.creationTimestamp")];
        }
        self.types
            .insert((t.group.clone(), t.version.clone(), t.plural.clone()), t);
        self.generation += 1;
    }

    pub fn remove_key(&mut self, key: &ResKey) {
        self.types.retain(|(g, _, p), _| !(g == &key.group && p == &key.plural));
        self.generation += 1;
    }

    pub fn get(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceType> {
        self.types
            .get(&(group.to_string(), version.to_string(), plural.to_string()))
    }

    /// The version a resource is stored in (for the Rust-level API, which names no version).
    pub fn storage_type(&self, key: &ResKey) -> Option<&ResourceType> {
        let mut candidates = self
            .types
            .values()
            .filter(|t| t.group == key.group && t.plural == key.plural);
        let all: Vec<&ResourceType> = candidates.by_ref().collect();
        all.iter().find(|t| t.storage).or(all.first()).copied()
    }

    pub fn all(&self) -> impl Iterator<Item = &ResourceType> {
        self.types.values()
    }

    /// Group names in a stable order, core ("") excluded.
    pub fn groups(&self) -> Vec<String> {
        let mut groups: Vec<String> = self
            .types
            .keys()
            .map(|(g, _, _)| g.clone())
            .filter(|g| !g.is_empty())
            .collect();
        groups.dedup();
        groups
    }

    pub fn versions_of(&self, group: &str) -> Vec<String> {
        let mut versions: Vec<String> = self
            .types
            .keys()
            .filter(|(g, _, _)| g == group)
            .map(|(_, v, _)| v.clone())
            .collect();
        versions.dedup();
        // Kubernetes orders versions by stability: v1 before v1beta1 before v1alpha1.
        versions.sort_by_key(|v| version_priority(v));
        versions
    }

    pub fn in_group_version(&self, group: &str, version: &str) -> Vec<&ResourceType> {
        self.types
            .values()
            .filter(|t| t.group == group && t.version == version)
            .collect()
    }
}

/// The categories upstream's REST storage declares for a built-in resource (`kubectl get all`
/// lists the `all` category). kubernetes: pkg/registry/*/*/storage/storage.go, each
/// `func (r *REST) Categories()` — e.g. pkg/registry/core/pod/storage/storage.go returns
/// `[]string{"all"}`.
pub fn builtin_categories(group: &str, plural: &str) -> &'static [&'static str] {
    match (group, plural) {
        ("", "pods" | "services" | "replicationcontrollers")
        | ("apps", "deployments" | "replicasets" | "statefulsets" | "daemonsets")
        | ("batch", "jobs" | "cronjobs")
        | ("autoscaling", "horizontalpodautoscalers") => &["all"],
        _ => &[],
    }
}

/// Sort key for Kubernetes API versions: GA first, then beta, then alpha, newer majors first.
pub fn version_priority(version: &str) -> (u8, i64, i64) {
    let rest = version.strip_prefix('v').unwrap_or(version);
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let major: i64 = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    let (stage, minor) = if tail.is_empty() {
        (0, 0)
    } else if let Some(n) = tail.strip_prefix("beta") {
        (1, n.parse().unwrap_or(0))
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (2, n.parse().unwrap_or(0))
    } else {
        (3, 0)
    };
    (stage, -major, -minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_by_stability() {
        let mut v = vec!["v1alpha1", "v1beta1", "v2", "v1", "v1beta2"];
        v.sort_by_key(|s| version_priority(s));
        assert_eq!(v, vec!["v2", "v1", "v1beta2", "v1beta1", "v1alpha1"]);
    }
}
