//! Field ownership as kube-apiserver tracks it: `metadata.managedFields`, server-side apply's
//! merge, pruning and conflicts, and the attribution of fields to Update managers.
//!
//! The model follows sigs.k8s.io/structured-merge-diff (SMD) and the apiserver's field manager
//! (staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal). A field set is a trie of
//! path elements (`f:` field, `k:` keyed list item, `v:` set item, `i:` index); a path is a
//! member when the field (or list item) itself is owned.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::resource::ResourceType;

/// One step of a field path (SMD fieldpath.PathElement).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pe {
    Field(String),
    /// A list item named by its key fields: canonical JSON of the key object, fields sorted.
    Key(String),
    /// A set item: its JSON value.
    Value(String),
    Index(usize),
}

impl Pe {
    /// The fieldsV1 spelling (SMD fieldpath/serialize-pe.go).
    fn encode(&self) -> String {
        match self {
            Pe::Field(name) => format!("f:{name}"),
            Pe::Key(key) => format!("k:{key}"),
            Pe::Value(v) => format!("v:{v}"),
            Pe::Index(i) => format!("i:{i}"),
        }
    }

    fn decode(text: &str) -> Result<Pe, String> {
        let (kind, rest) = text
            .split_once(':')
            .ok_or_else(|| format!("unknown path element: {text}"))?;
        Ok(match kind {
            "f" => Pe::Field(rest.to_string()),
            "k" => {
                let key: Map<String, Value> =
                    serde_json::from_str(rest).map_err(|e| format!("invalid key {rest}: {e}"))?;
                Pe::Key(canonical_key(key.iter().map(|(k, v)| (k.as_str(), v))))
            }
            "v" => {
                let value: Value = serde_json::from_str(rest).map_err(|e| format!("invalid value {rest}: {e}"))?;
                Pe::Value(value.to_string())
            }
            "i" => Pe::Index(rest.parse().map_err(|e| format!("invalid index {rest}: {e}"))?),
            _ => return Err(format!("unknown path element kind: {text}")),
        })
    }

    /// How a path prints in conflict messages (SMD fieldpath.PathElement.String).
    fn display(&self) -> String {
        match self {
            Pe::Field(name) => format!(".{name}"),
            Pe::Key(key) => {
                let fields: Map<String, Value> = serde_json::from_str(key).unwrap_or_default();
                let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("[{}]", parts.join(","))
            }
            Pe::Value(v) => format!("[={v}]"),
            Pe::Index(i) => format!("[{i}]"),
        }
    }
}

/// `{"a":1,"b":"x"}` with the key fields sorted by name, as SMD serializes a key.
fn canonical_key<'a>(fields: impl Iterator<Item = (&'a str, &'a Value)>) -> String {
    let sorted: BTreeMap<&str, &Value> = fields.collect();
    let parts: Vec<String> = sorted
        .iter()
        .map(|(k, v)| format!("{}:{}", Value::String((*k).to_string()), v))
        .collect();
    format!("{{{}}}", parts.join(","))
}

pub fn path_string(path: &[Pe]) -> String {
    path.iter().map(Pe::display).collect()
}

/// A set of field paths (SMD fieldpath.Set).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    members: BTreeSet<Pe>,
    children: BTreeMap<Pe, FieldSet>,
}

impl FieldSet {
    pub fn insert(&mut self, path: &[Pe]) {
        match path {
            [] => {}
            [last] => {
                self.members.insert(last.clone());
            }
            [first, rest @ ..] => self.children.entry(first.clone()).or_default().insert(rest),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty() && self.children.values().all(FieldSet::is_empty)
    }

    pub fn has(&self, path: &[Pe]) -> bool {
        match path {
            [] => false,
            [last] => self.members.contains(last),
            [first, rest @ ..] => self.children.get(first).is_some_and(|c| c.has(rest)),
        }
    }

    /// Whether `path` or anything below it is a member.
    pub fn touches(&self, path: &[Pe]) -> bool {
        match path {
            [] => !self.is_empty(),
            [last] => self.members.contains(last) || self.children.get(last).is_some_and(|c| !c.is_empty()),
            [first, rest @ ..] => self.children.get(first).is_some_and(|c| c.touches(rest)),
        }
    }

    fn combine(&self, other: &FieldSet, op: SetOp) -> FieldSet {
        let members = match op {
            SetOp::Union => self.members.union(&other.members).cloned().collect(),
            SetOp::Difference => self.members.difference(&other.members).cloned().collect(),
            SetOp::Intersection => self.members.intersection(&other.members).cloned().collect(),
        };
        let mut children = BTreeMap::new();
        let keys: BTreeSet<&Pe> = self.children.keys().chain(other.children.keys()).collect();
        let empty = FieldSet::default();
        for key in keys {
            let mine = self.children.get(key);
            let theirs = other.children.get(key);
            let child = match (op, mine, theirs) {
                (SetOp::Union, _, _) => mine.unwrap_or(&empty).combine(theirs.unwrap_or(&empty), op),
                (SetOp::Difference, Some(m), Some(t)) => m.combine(t, op),
                (SetOp::Difference, Some(m), None) => m.clone(),
                (SetOp::Intersection, Some(m), Some(t)) => m.combine(t, op),
                _ => continue,
            };
            if !child.is_empty() {
                children.insert(key.clone(), child);
            }
        }
        FieldSet { members, children }
    }

    pub fn union(&self, other: &FieldSet) -> FieldSet {
        self.combine(other, SetOp::Union)
    }

    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        self.combine(other, SetOp::Difference)
    }

    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        self.combine(other, SetOp::Intersection)
    }

    /// Every member path, members of a node before its children.
    pub fn paths(&self) -> Vec<Vec<Pe>> {
        let mut out = Vec::new();
        self.collect_paths(&mut Vec::new(), &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut Vec<Pe>, out: &mut Vec<Vec<Pe>>) {
        for m in &self.members {
            prefix.push(m.clone());
            out.push(prefix.clone());
            prefix.pop();
        }
        for (pe, child) in &self.children {
            prefix.push(pe.clone());
            child.collect_paths(prefix, out);
            prefix.pop();
        }
    }

    /// Keeps only the subtree under the top-level field `name` (or drops it with `keep = false`).
    fn filter_top(&self, name: &str, keep: bool) -> FieldSet {
        let pe = Pe::Field(name.to_string());
        let mut out = FieldSet::default();
        for m in &self.members {
            if (m == &pe) == keep {
                out.members.insert(m.clone());
            }
        }
        for (k, c) in &self.children {
            if (k == &pe) == keep {
                out.children.insert(k.clone(), c.clone());
            }
        }
        out
    }

    /// The fieldsV1 JSON (SMD fieldpath.Set.ToJSON): a member that also has children is
    /// written as `".": {}` inside the child object.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        let keys: BTreeSet<&Pe> = self.members.iter().chain(self.children.keys()).collect();
        for pe in keys {
            let child = self.children.get(pe).filter(|c| !c.is_empty());
            let value = match child {
                Some(c) => {
                    let mut inner = Map::new();
                    if self.members.contains(pe) {
                        inner.insert(".".into(), json!({}));
                    }
                    if let Value::Object(m) = c.to_json() {
                        inner.extend(m);
                    }
                    Value::Object(inner)
                }
                None => json!({}),
            };
            out.insert(pe.encode(), value);
        }
        Value::Object(out)
    }

    pub fn from_json(value: &Value) -> Result<FieldSet, String> {
        let map = value.as_object().ok_or("fieldsV1 is not an object")?;
        let mut set = FieldSet::default();
        for (k, v) in map {
            if k == "." {
                continue;
            }
            let pe = Pe::decode(k)?;
            let inner = v.as_object().ok_or_else(|| format!("{k}: not an object"))?;
            if inner.is_empty() || inner.contains_key(".") {
                set.members.insert(pe.clone());
            }
            let child = FieldSet::from_json(v)?;
            if !child.is_empty() {
                set.children.insert(pe, child);
            }
        }
        Ok(set)
    }
}

#[derive(Clone, Copy)]
enum SetOp {
    Union,
    Difference,
    Intersection,
}

// ---------------------------------------------------------------------------------------------
// Types: how lists and maps of a resource merge and are owned.
// ---------------------------------------------------------------------------------------------

/// The structural type of one node, from a CRD's schema or from the built-in types' tags.
#[derive(Clone, Copy)]
struct Ty<'a> {
    /// The CRD schema node, when there is one (custom resources, outside metadata).
    schema: Option<&'a Value>,
    /// Built-in rules apply (built-in types, and every object's metadata).
    builtin: bool,
    /// The field name holding this node ("" for the root and list items' own maps).
    field: &'a str,
    root: bool,
    /// 1: the root's `metadata` map; 2: one of its fields; 0: elsewhere.
    meta: u8,
}

#[derive(Debug, Clone, PartialEq)]
enum ListKind {
    Atomic,
    Set,
    /// Associative: key fields with their defaults (a key the item omits takes the default).
    Map(Vec<(&'static str, Option<&'static str>)>),
    /// Associative by keys a CRD schema names.
    SchemaMap(Vec<String>),
}

impl<'a> Ty<'a> {
    fn root(t: &'a ResourceType) -> Ty<'a> {
        Ty {
            schema: if t.custom { t.schema.as_ref() } else { None },
            builtin: !t.custom,
            field: "",
            root: true,
            meta: 0,
        }
    }

    fn child(&self, key: &'a str) -> Ty<'a> {
        if self.root && key == "metadata" {
            return Ty {
                schema: None,
                builtin: true,
                field: key,
                root: false,
                meta: 1,
            };
        }
        let schema = self.schema.and_then(|s| {
            s.get("properties")
                .and_then(|p| p.get(key))
                .or_else(|| s.get("additionalProperties").filter(|a| a.is_object()))
        });
        Ty {
            schema,
            builtin: self.builtin,
            field: key,
            root: false,
            meta: if self.meta == 1 { 2 } else { 0 },
        }
    }

    fn item(&self) -> Ty<'a> {
        Ty {
            schema: self.schema.and_then(|s| s.get("items")),
            builtin: self.builtin,
            field: "",
            root: false,
            meta: 0,
        }
    }

    /// Whether a map is owned as one value (`x-kubernetes-map-type: atomic`, or a built-in
    /// tagged `+mapType=atomic`/`+structType=atomic`: label selectors and Service selectors).
    fn atomic_map(&self) -> bool {
        if let Some(s) = self.schema
            && s.get("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic")
        {
            return true;
        }
        self.builtin && self.meta == 0 && self.field == "selector"
    }

    /// How a list is owned and merged. CRD lists are atomic unless their schema says
    /// otherwise (apiextensions-apiserver structural schema defaults); built-in lists follow
    /// their `+listType`/`+listMapKey` tags (k8s.io/api, the OpenAPI `x-kubernetes-list-*`).
    fn list_kind(&self, sample: Option<&Value>) -> ListKind {
        if self.meta == 2 {
            return match self.field {
                "finalizers" => ListKind::Set,
                "ownerReferences" => ListKind::Map(vec![("uid", None)]),
                _ => ListKind::Atomic,
            };
        }
        if let Some(s) = self.schema {
            return match s.get("x-kubernetes-list-type").and_then(Value::as_str) {
                Some("set") => ListKind::Set,
                Some("map") => ListKind::SchemaMap(
                    s.get("x-kubernetes-list-map-keys")
                        .and_then(Value::as_array)
                        .map(|keys| keys.iter().filter_map(Value::as_str).map(str::to_string).collect())
                        .unwrap_or_default(),
                ),
                _ => ListKind::Atomic,
            };
        }
        if !self.builtin {
            return ListKind::Atomic;
        }
        match self.field {
            "containers" | "initContainers" | "ephemeralContainers" | "volumes" | "env" | "imagePullSecrets" => {
                ListKind::Map(vec![("name", None)])
            }
            "volumeMounts" => ListKind::Map(vec![("mountPath", None)]),
            "volumeDevices" => ListKind::Map(vec![("devicePath", None)]),
            "conditions" => ListKind::Map(vec![("type", None)]),
            "hostAliases" => ListKind::Map(vec![("ip", None)]),
            // Container ports: listMapKey containerPort + protocol; Service ports: port +
            // protocol; protocol defaults to TCP in both schemas.
            "ports" if sample.is_some_and(|i| i.get("containerPort").is_some()) => {
                ListKind::Map(vec![("containerPort", None), ("protocol", Some("TCP"))])
            }
            "ports" => ListKind::Map(vec![("port", None), ("protocol", Some("TCP"))]),
            _ => ListKind::Atomic,
        }
    }
}

/// The path element naming `item` in a list of `kind` (SMD typed/helpers.go
/// listItemToPathElement); an item missing a key without default is named by index.
fn item_pe(kind: &ListKind, item: &Value, index: usize) -> Pe {
    let keyed = |names: Vec<(&str, Option<Value>)>| {
        let mut fields = Vec::new();
        for (name, default) in names {
            match item.get(name).cloned().or(default) {
                Some(v) => fields.push((name.to_string(), v)),
                None => return Pe::Index(index),
            }
        }
        Pe::Key(canonical_key(fields.iter().map(|(k, v)| (k.as_str(), v))))
    };
    match kind {
        ListKind::Atomic => Pe::Index(index),
        ListKind::Set => Pe::Value(item.to_string()),
        ListKind::Map(keys) => keyed(keys.iter().map(|(k, d)| (*k, d.map(|d| json!(d)))).collect()),
        ListKind::SchemaMap(keys) => keyed(keys.iter().map(|k| (k.as_str(), None)).collect()),
    }
}

/// Fields the server owns, never attributed to a manager (apiserver fieldmanager
/// internal/stripmeta.go, NewStripMetaManager; `metadata` itself is stripped too).
const STRIPPED_META: &[&str] = &[
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "clusterName",
    "generation",
    "managedFields",
    "resourceVersion",
];

/// The field set of an object and its leaf values (SMD typed.TypedValue.ToFieldSet).
struct Walk<'v> {
    set: FieldSet,
    leaves: BTreeMap<Vec<Pe>, &'v Value>,
    /// Maps and lists that were descended into (not members themselves).
    nodes: BTreeSet<Vec<Pe>>,
}

fn walk<'v>(value: &'v Value, t: &ResourceType) -> Walk<'v> {
    let mut w = Walk {
        set: FieldSet::default(),
        leaves: BTreeMap::new(),
        nodes: BTreeSet::new(),
    };
    walk_node(value, Ty::root(t), &mut Vec::new(), &mut w);
    w
}

fn walk_node<'v>(value: &'v Value, ty: Ty<'_>, path: &mut Vec<Pe>, w: &mut Walk<'v>) {
    let leaf = |path: &Vec<Pe>, w: &mut Walk<'v>| {
        w.set.insert(path);
        w.leaves.insert(path.clone(), value);
    };
    match value {
        Value::Object(_) if !ty.root && ty.atomic_map() => leaf(path, w),
        Value::Object(map) => {
            if !ty.root && !ty.in_meta_root() {
                w.nodes.insert(path.clone());
            }
            for (k, child) in map {
                if ty.root && (k == "apiVersion" || k == "kind") {
                    continue;
                }
                if ty.in_meta_root() && STRIPPED_META.contains(&k.as_str()) {
                    continue;
                }
                path.push(Pe::Field(k.clone()));
                let empty = child.is_null() || child.as_object().is_some_and(Map::is_empty);
                // The root's metadata always has a name (stripped), so it is never a member itself.
                if ty.root && k == "metadata" {
                    if child.is_object() {
                        walk_node(child, ty.child(k), path, w);
                    }
                } else if empty {
                    w.set.insert(path);
                    w.leaves.insert(path.clone(), child);
                } else {
                    walk_node(child, ty.child(k), path, w);
                }
                path.pop();
            }
        }
        Value::Array(items) => match ty.list_kind(items.first()) {
            ListKind::Atomic => leaf(path, w),
            kind => {
                w.nodes.insert(path.clone());
                let item_ty = ty.item();
                for (i, item) in items.iter().enumerate() {
                    path.push(item_pe(&kind, item, i));
                    w.set.insert(path);
                    match (&kind, item) {
                        (ListKind::Set, _) => {
                            w.leaves.insert(path.clone(), item);
                        }
                        (_, Value::Object(_)) => walk_node(item, item_ty, path, w),
                        _ => {
                            w.leaves.insert(path.clone(), item);
                        }
                    }
                    path.pop();
                }
            }
        },
        _ => leaf(path, w),
    }
}

impl Ty<'_> {
    /// The root's `metadata` map itself (its direct fields are the stripped ones).
    fn in_meta_root(&self) -> bool {
        self.meta == 1
    }
}

/// What changed between two objects (SMD typed.Comparison).
struct Comparison {
    added: FieldSet,
    modified: FieldSet,
    removed: FieldSet,
}

/// SMD typed/compare.go: leaves added, removed or changed; a map or list that did not exist
/// at all before (not even as null) is added itself, one that is gone entirely is removed.
fn compare(old: &Value, new: &Value, t: &ResourceType, scope: Scope) -> Comparison {
    let before = walk(old, t);
    let after = walk(new, t);
    let mut modified = FieldSet::default();
    for (path, value) in &after.leaves {
        if let Some(previous) = before.leaves.get(path)
            && previous != value
        {
            modified.insert(path);
        }
    }
    let mut added = after.set.difference(&before.set);
    let mut removed = before.set.difference(&after.set);
    let existed = |w: &Walk<'_>, p: &Vec<Pe>| w.nodes.contains(p) || w.leaves.contains_key(p) || w.set.has(p);
    for node in &after.nodes {
        if !existed(&before, node) {
            added.insert(node);
        }
    }
    for node in &before.nodes {
        if !existed(&after, node) {
            removed.insert(node);
        }
    }
    Comparison {
        added: scope.filter(&added),
        modified: scope.filter(&modified),
        removed: scope.filter(&removed),
    }
}

/// What a create is compared with: the zero value of the type as the apiserver converts it,
/// where Go struct fields that are not pointers exist as empty maps (apiserver create handler:
/// the live object is `scope.Creater.New`); a custom resource's is empty.
fn zero_object(t: &ResourceType) -> Value {
    if t.custom {
        return json!({});
    }
    match t.kind.as_str() {
        "Deployment" | "ReplicaSet" => json!({"metadata": {}, "spec": {"selector": null, "strategy": {},
            "template": {"metadata": {}, "spec": {"containers": null}}}, "status": {}}),
        "Pod" => json!({"metadata": {}, "spec": {"containers": null}, "status": {}}),
        "Service" => json!({"metadata": {}, "spec": {}, "status": {"loadBalancer": {}}}),
        "Namespace" => json!({"metadata": {}, "spec": {}, "status": {}}),
        _ => json!({"metadata": {}}),
    }
}

/// The fields a write may own: a main-resource write of a type with a status subresource
/// never owns `status`, a status write owns nothing else (the strategies' GetResetFields,
/// which the field manager ignores).
#[derive(Clone, Copy)]
struct Scope {
    status_subresource: bool,
    status_write: bool,
}

impl Scope {
    fn filter(&self, set: &FieldSet) -> FieldSet {
        if self.status_write {
            set.filter_top("status", true)
        } else if self.status_subresource {
            set.filter_top("status", false)
        } else {
            set.clone()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// managedFields entries.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub manager: String,
    /// `Apply` or `Update`.
    pub operation: String,
    pub api_version: String,
    pub time: Option<String>,
    pub subresource: String,
    pub set: FieldSet,
}

impl Entry {
    /// Entries of the same identity are one entry (apiserver internal/managedfields.go,
    /// BuildManagerIdentifier: an applier's identity leaves out its apiVersion).
    fn same_identity(&self, other: &Entry) -> bool {
        self.manager == other.manager
            && self.operation == other.operation
            && self.subresource == other.subresource
            && (self.operation == "Apply" || self.api_version == other.api_version)
    }

    /// How a conflict names the manager (apiserver internal/conflict.go, printManager; the
    /// identifier carries no time, so no `at` part).
    fn describe(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if !self.subresource.is_empty() {
            s = format!("{s} with subresource {:?}", self.subresource);
        }
        if self.operation == "Update" {
            s = format!("{s} using {}", self.api_version);
        }
        s
    }

    fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("manager".into(), json!(self.manager));
        out.insert("operation".into(), json!(self.operation));
        out.insert("apiVersion".into(), json!(self.api_version));
        if let Some(time) = &self.time {
            out.insert("time".into(), json!(time));
        }
        out.insert("fieldsType".into(), json!("FieldsV1"));
        out.insert("fieldsV1".into(), self.set.to_json());
        if !self.subresource.is_empty() {
            out.insert("subresource".into(), json!(self.subresource));
        }
        Value::Object(out)
    }

    fn from_json(v: &Value) -> Result<Entry, String> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let operation = text("operation");
        if operation != "Apply" && operation != "Update" {
            return Err("operation must be `Apply` or `Update`".into());
        }
        if text("apiVersion").is_empty() {
            return Err("apiVersion must not be empty".into());
        }
        match text("fieldsType").as_str() {
            "FieldsV1" => {}
            "" => return Err("missing fieldsType in managed fields entry".into()),
            other => return Err(format!("invalid fieldsType {other:?} in managed fields entry")),
        }
        let set = match v.get("fieldsV1") {
            Some(f) if !f.is_null() => FieldSet::from_json(f)?,
            _ => FieldSet::default(),
        };
        Ok(Entry {
            manager: text("manager"),
            operation,
            api_version: text("apiVersion"),
            time: v.get("time").and_then(Value::as_str).map(str::to_string),
            subresource: text("subresource"),
            set,
        })
    }
}

/// Decodes `metadata.managedFields` (apiserver internal/managedfields.go, DecodeManagedFields:
/// any bad entry fails the whole list).
pub fn decode(obj: &Value) -> Result<Vec<Entry>, String> {
    match obj.pointer("/metadata/managedFields") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            let mut entries: Vec<Entry> = Vec::new();
            for item in items {
                let entry = Entry::from_json(item)?;
                match entries.iter_mut().find(|e| e.same_identity(&entry)) {
                    Some(e) => e.set = e.set.union(&entry.set),
                    None => entries.push(entry),
                }
            }
            Ok(entries)
        }
        Some(_) => Err("managedFields is not a list".into()),
    }
}

/// Writes the entries back, sorted as the apiserver sorts them (internal/managedfields.go,
/// sortEncodedManagedFields: operation, time, manager, apiVersion); none: the field goes.
fn encode(obj: &mut Value, entries: &mut Vec<Entry>) {
    entries.retain(|e| !e.set.is_empty());
    entries.sort_by(|a, b| {
        (&a.operation, &a.time, &a.manager, &a.api_version).cmp(&(&b.operation, &b.time, &b.manager, &b.api_version))
    });
    let meta = crate::meta::metadata_mut(obj);
    if entries.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert(
            "managedFields".into(),
            Value::Array(entries.iter().map(Entry::to_json).collect()),
        );
    }
}

fn without_managed_fields(obj: Option<&Value>) -> Value {
    let mut v = obj.cloned().unwrap_or_else(|| json!({}));
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    v
}

/// `[]` or `[{}]` asks for the field to be cleared (apiserver internal/fieldmanager.go,
/// isResetManagedFields).
fn is_reset(obj: &Value) -> bool {
    match obj.pointer("/metadata/managedFields") {
        Some(Value::Array(items)) => {
            items.is_empty() || (items.len() == 1 && items[0].as_object().is_some_and(Map::is_empty))
        }
        _ => false,
    }
}

/// The manager an Update is recorded under: `fieldManager`, else the User-Agent up to its
/// first `/`, non-printable characters dropped, at most 128 bytes (apiserver
/// pkg/endpoints/handlers/rest.go, managerOrUserAgent and prefixFromUserAgent).
pub fn manager_or_user_agent(field_manager: Option<&str>, user_agent: &str) -> String {
    if let Some(m) = field_manager.filter(|m| !m.is_empty()) {
        return m.to_string();
    }
    let prefix = user_agent.split('/').next().unwrap_or("");
    let mut out = String::new();
    for c in prefix.chars().filter(|c| !c.is_control()) {
        if out.len() + c.len_utf8() > 128 {
            break;
        }
        out.push(c);
    }
    // No name at all is recorded as `unknown` (internal/buildmanagerinfo.go, buildManagerInfo).
    if out.is_empty() {
        out.push_str("unknown");
    }
    out
}

/// The `fieldManager` option of a write (apimachinery pkg/apis/meta/v1/validation,
/// ValidateFieldManager and ValidatePatchOptions; the handlers answer `NewInvalid` on
/// `<kind>.meta.k8s.io`): required for apply, at most 128 bytes, printable characters only.
pub fn validate_field_manager(options_kind: &str, manager: Option<&str>, apply: bool) -> Result<(), ApiError> {
    let errors = field_manager_errors(manager, apply);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(crate::error::invalid(options_kind, "meta.k8s.io", "", &errors))
    }
}

/// The field errors of [`validate_field_manager`], to be listed with the other options' errors.
pub fn field_manager_errors(manager: Option<&str>, apply: bool) -> Vec<crate::error::FieldError> {
    let manager = manager.unwrap_or("");
    let mut errors = Vec::new();
    let error = |reason: &'static str, message: String| crate::error::FieldError {
        field: "fieldManager".into(),
        reason,
        message,
    };
    if apply && manager.is_empty() {
        errors.push(error(
            "FieldValueRequired",
            "fieldManager: Required value: is required for apply patch".into(),
        ));
    }
    if manager.len() > 128 {
        errors.push(error(
            "FieldValueTooLong",
            "fieldManager: Too long: may not be more than 128 bytes".into(),
        ));
    }
    for (i, c) in manager.char_indices() {
        if c != ' ' && (c.is_control() || c.is_whitespace()) {
            errors.push(error(
                "FieldValueInvalid",
                format!(
                    "fieldManager: Invalid value: {}: invalid character U+{:04X} (at position {i})",
                    Value::String(manager.to_string()),
                    c as u32
                ),
            ));
        }
    }
    errors
}

/// Who is writing and how.
pub struct Writer {
    pub manager: String,
    pub api_version: String,
    pub status_write: bool,
    pub now: String,
}

impl Writer {
    /// The managedFields entry this writer records for `operation` (`Apply` or `Update`)
    /// owning `set`, stamped with the writer's time.
    fn entry(&self, operation: &str, set: FieldSet) -> Entry {
        Entry {
            manager: self.manager.clone(),
            operation: operation.into(),
            api_version: self.api_version.clone(),
            time: Some(self.now.clone()),
            subresource: self.subresource(),
            set,
        }
    }

    fn subresource(&self) -> String {
        if self.status_write {
            "status".into()
        } else {
            String::new()
        }
    }

    fn scope(&self, t: &ResourceType) -> Scope {
        Scope {
            status_subresource: t.status_subresource,
            status_write: self.status_write,
        }
    }
}

/// Records an Update operation (create, PUT, merge/JSON/strategic patch) on `new`, which is
/// the object about to be stored (apiserver internal/fieldmanager.go FieldManager.Update,
/// internal/managedfieldsupdater.go, SMD merge/update.go Updater.Update): fields the write
/// added or changed move to the writer, fields it removed leave every manager.
pub fn record_update(t: &ResourceType, old: Option<&Value>, new: &mut Value, w: &Writer) {
    let live_entries = || old.map(|o| decode(o).unwrap_or_default()).unwrap_or_default();
    let mut entries = if w.status_write {
        live_entries()
    } else if is_reset(new) {
        Vec::new()
    } else {
        match decode(new) {
            Ok(e) if !e.is_empty() => e,
            _ => live_entries(),
        }
    };
    let before = match old {
        Some(_) => without_managed_fields(old),
        None => zero_object(t),
    };
    let after = without_managed_fields(Some(new));
    let cmp = compare(&before, &after, t, w.scope(t));
    let changed = cmp.added.union(&cmp.modified);
    for e in entries.iter_mut() {
        e.set = e.set.difference(&changed).difference(&cmp.removed);
    }
    if !changed.is_empty() {
        let mine = w.entry("Update", changed);
        match entries.iter_mut().find(|e| e.same_identity(&mine)) {
            Some(e) => {
                e.set = e.set.union(&mine.set);
                e.time = mine.time;
            }
            None => entries.push(mine),
        }
    }
    *new = after;
    encode(new, &mut entries);
}

/// Server-side apply of `config` by `w.manager` onto `live` (None: the apply creates), as
/// SMD merge/update.go Updater.Apply: merge, prune what the manager stopped applying and no one
/// else owns, and refuse (unless forced) to change fields other managers own. The result
/// carries its managedFields.
pub fn apply(
    t: &ResourceType,
    live: Option<&Value>,
    config: &Value,
    w: &Writer,
    force: bool,
) -> Result<Value, ApiError> {
    // apiserver internal/fieldmanager.go, FieldManager.Apply.
    if config.pointer("/metadata/managedFields").is_some_and(|m| !m.is_null()) {
        return Err(ApiError::bad_request("metadata.managedFields must be nil"));
    }
    let scope = w.scope(t);
    let mut entries = live.map(|o| decode(o).unwrap_or_default()).unwrap_or_default();
    let before = without_managed_fields(live);
    let applied_set = scope.filter(&walk(config, t).set);
    let mut merged = merge(&before, config, Ty::root(t));

    let me = w.entry("Apply", applied_set.clone());
    let previous = entries.iter().position(|e| e.same_identity(&me));
    let last_set = previous.map(|i| entries[i].set.clone()).unwrap_or_default();
    let last_time = previous.and_then(|i| entries[i].time.clone());
    if let Some(i) = previous {
        entries.remove(i);
    }

    // SMD merge/update.go, Updater.prune: what the manager applied last time and no longer
    // applies goes, unless someone (the manager's new set included) still owns it or below it.
    let dropped = last_set.difference(&applied_set);
    for path in dropped.paths() {
        let owned = applied_set.touches(&path) || entries.iter().any(|e| e.set.touches(&path));
        if !owned {
            remove_path(&mut merged, &path, Ty::root(t));
        }
    }

    let cmp = compare(&before, &merged, t, scope);
    let changed = cmp.added.union(&cmp.modified);
    if !force {
        let allowed = allowed_by_last_applied(t, live, w);
        let mut conflicts: Vec<(String, Vec<Pe>)> = Vec::new();
        for e in &entries {
            for path in e.set.intersection(&changed).paths() {
                if !allowed.has(&path) {
                    conflicts.push((e.describe(), path));
                }
            }
        }
        if !conflicts.is_empty() {
            return Err(conflict_error(conflicts));
        }
    }
    for e in entries.iter_mut() {
        e.set = e.set.difference(&changed).difference(&cmp.removed);
    }
    let unchanged = merged == before && previous.is_some();
    entries.push(Entry {
        time: if unchanged { last_time } else { me.time.clone() },
        ..me
    });
    encode(&mut merged, &mut entries);
    update_last_applied(&mut merged, config, w);
    Ok(merged)
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `kubectl apply --server-side` after client-side apply: conflicts on fields the last-applied
/// annotation sets to their live value are not conflicts (apiserver internal/lastappliedmanager.go,
/// allowedConflictsFromLastApplied), only for the manager `kubectl`.
fn allowed_by_last_applied(t: &ResourceType, live: Option<&Value>, w: &Writer) -> FieldSet {
    let text = live
        .and_then(|l| l.pointer("/metadata/annotations"))
        .and_then(|a| a.get(LAST_APPLIED));
    let (Some(live), Some(Value::String(text))) = (live, text) else {
        return FieldSet::default();
    };
    if w.manager != "kubectl" || text.is_empty() {
        return FieldSet::default();
    }
    let Ok(last) = serde_json::from_str::<Value>(text) else {
        return FieldSet::default();
    };
    let last_walk = walk(&last, t);
    let live_clean = without_managed_fields(Some(live));
    let live_walk = walk(&live_clean, t);
    let mut differing = FieldSet::default();
    for (path, value) in &last_walk.leaves {
        if live_walk.leaves.get(path) != Some(value) {
            differing.insert(path);
        }
    }
    last_walk.set.difference(&differing)
}

/// Server-side apply by `kubectl` keeps an existing last-applied annotation current, so a later
/// client-side apply sees what was applied (apiserver internal/lastappliedupdater.go).
fn update_last_applied(merged: &mut Value, config: &Value, w: &Writer) {
    if w.manager != "kubectl" {
        return;
    }
    let has = merged
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED))
        .is_some();
    if !has {
        return;
    }
    let mut applied = config.clone();
    if let Some(annotations) = applied
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.remove(LAST_APPLIED);
        if annotations.is_empty()
            && let Some(meta) = applied.get_mut("metadata").and_then(Value::as_object_mut)
        {
            meta.remove("annotations");
        }
    }
    // Encoded as the apiserver's JSON encoder writes it: one line, then a newline.
    let text = format!("{applied}\n");
    if let Some(annotations) = merged
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.insert(LAST_APPLIED.into(), Value::String(text));
    }
}

/// The 409 of a refused apply (apiserver internal/conflict.go, NewConflictError and
/// getConflictMessage; SMD merge/conflict.go). `conflicts`: (manager as printed, path).
fn conflict_error(mut conflicts: Vec<(String, Vec<Pe>)>) -> ApiError {
    conflicts.sort();
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(m, p)| json!({"reason": "FieldManagerConflict", "message": format!("conflict with {m}"), "field": path_string(p)}))
        .collect();
    let message = if let [(m, p)] = conflicts.as_slice() {
        format!("Apply failed with 1 conflict: conflict with {m}: {}", path_string(p))
    } else {
        let mut by_manager: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (m, p) in &conflicts {
            by_manager.entry(m.as_str()).or_default().push(path_string(p));
        }
        let mut lines = Vec::new();
        for (m, paths) in by_manager {
            lines.push(format!("conflicts with {m}:"));
            lines.extend(paths.into_iter().map(|p| format!("- {p}")));
        }
        format!("Apply failed with {} conflicts: {}", conflicts.len(), lines.join("\n"))
    };
    ApiError::new(409, "Conflict", message).with_details(json!({"causes": causes}))
}

/// SSA's merge of an applied configuration into the live object (SMD typed/merge.go): maps
/// merge field by field, associative lists merge item by item, sets union, the rest replace.
fn merge(live: &Value, config: &Value, ty: Ty<'_>) -> Value {
    match (live, config) {
        (Value::Object(l), Value::Object(c)) if ty.root || !ty.atomic_map() => {
            let mut out = l.clone();
            for (k, cv) in c {
                let merged = match l.get(k) {
                    Some(lv) => merge(lv, cv, ty.child(k)),
                    None => cv.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(l), Value::Array(c)) => {
            let kind = ty.list_kind(c.first().or(l.first()));
            match kind {
                ListKind::Atomic => config.clone(),
                ListKind::Set => {
                    let mut out = l.clone();
                    out.extend(c.iter().filter(|i| !l.contains(i)).cloned());
                    Value::Array(out)
                }
                _ => {
                    let mut out = l.clone();
                    let item_ty = ty.item();
                    for (ci, item) in c.iter().enumerate() {
                        let pe = item_pe(&kind, item, ci);
                        let found = out
                            .iter()
                            .enumerate()
                            .position(|(i, li)| !matches!(pe, Pe::Index(_)) && item_pe(&kind, li, i) == pe);
                        match found {
                            Some(i) => out[i] = merge(&out[i], item, item_ty),
                            None => out.push(item.clone()),
                        }
                    }
                    Value::Array(out)
                }
            }
        }
        _ => config.clone(),
    }
}

/// Removes the node at `path` (a field, a keyed or set item) from `obj`.
fn remove_path(obj: &mut Value, path: &[Pe], ty: Ty<'_>) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    match (first, obj) {
        (Pe::Field(name), Value::Object(map)) => {
            if rest.is_empty() {
                map.remove(name);
            } else if let Some(child) = map.get_mut(name) {
                let child_ty = ty.child(name);
                remove_path(child, rest, child_ty);
            }
        }
        (pe, Value::Array(items)) => {
            let kind = ty.list_kind(items.first());
            let Some(i) = items
                .iter()
                .enumerate()
                .position(|(i, item)| &item_pe(&kind, item, i) == pe)
            else {
                return;
            };
            if rest.is_empty() {
                items.remove(i);
            } else {
                remove_path(&mut items[i], rest, ty.item());
            }
        }
        _ => {}
    }
}

/// The field set of one object, as fieldsV1 (for tests and tools).
pub fn fields_v1(t: &ResourceType, obj: &Value) -> Value {
    walk(obj, t).set.to_json()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::ResourceType;

    fn deployments() -> ResourceType {
        ResourceType::builtin("apps", "v1", "deployments", "Deployment", true).with_status()
    }

    fn canaries() -> ResourceType {
        let mut t = ResourceType::builtin("flagger.app", "v1beta1", "canaries", "Canary", true).with_status();
        t.custom = true;
        t.schema = Some(json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "analysis": {"type": "object", "properties": {
                    "stepWeight": {"type": "integer"},
                    "stepWeights": {"type": "array", "items": {"type": "integer"}},
                    "metrics": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                        "items": {"type": "object", "properties": {"name": {"type": "string"}, "threshold": {"type": "number"}}}},
                    "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}
                }}
            }},
            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
        }}));
        t
    }

    fn writer(manager: &str) -> Writer {
        Writer {
            manager: manager.into(),
            api_version: "apps/v1".into(),
            status_write: false,
            now: "2026-12-01T00:00:00Z".into(),
        }
    }

    fn entry<'a>(obj: &'a Value, manager: &str) -> &'a Value {
        obj["metadata"]["managedFields"]
            .as_array()
            .and_then(|a| a.iter().find(|e| e["manager"] == manager))
            .unwrap_or_else(|| panic!("no entry for {manager} in {obj}"))
    }

    #[test]
    fn fields_v1_of_a_deployment_uses_real_keys() {
        let obj = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "app", "namespace": "d", "uid": "u", "labels": {"app": "x"}, "finalizers": ["a/b"]},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "x"}},
            "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [
                {"name": "app", "image": "i:1", "ports": [{"containerPort": 80}], "env": [{"name": "A", "value": "1"}]}
            ]}}}});
        let fields = fields_v1(&deployments(), &obj);
        assert_eq!(
            fields,
            json!({
                "f:metadata": {"f:finalizers": {"v:\"a/b\"": {}}, "f:labels": {"f:app": {}}},
                "f:spec": {
                    "f:replicas": {},
                    "f:selector": {},
                    "f:template": {
                        "f:metadata": {"f:labels": {"f:app": {}}},
                        "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {
                            ".": {}, "f:env": {"k:{\"name\":\"A\"}": {".": {}, "f:name": {}, "f:value": {}}},
                            "f:image": {}, "f:name": {},
                            "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}
                        }}}
                    }
                }
            })
        );
        // The wire form reads back to the same set.
        assert_eq!(FieldSet::from_json(&fields).unwrap().to_json(), fields);
    }

    #[test]
    fn crd_lists_follow_the_schema() {
        let obj = json!({"spec": {"analysis": {"stepWeights": [1, 2], "tags": ["a"], "metrics": [{"name": "rate", "threshold": 99}]}}});
        assert_eq!(
            fields_v1(&canaries(), &obj),
            json!({"f:spec": {"f:analysis": {
                "f:metrics": {"k:{\"name\":\"rate\"}": {".": {}, "f:name": {}, "f:threshold": {}}},
                "f:stepWeights": {},
                "f:tags": {"v:\"a\"": {}}
            }}})
        );
    }

    #[test]
    fn update_takes_changed_fields_from_other_managers() {
        let t = canaries();
        let config = json!({"apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "c"},
            "spec": {"analysis": {"stepWeights": [10, 50]}}});
        let obj = apply(&t, None, &config, &writer("tool"), false).unwrap();
        let mut edited = obj.clone();
        edited["spec"]["analysis"]["stepWeights"] = json!([5]);
        edited["spec"]["analysis"]["stepWeight"] = json!(7);
        record_update(&t, Some(&obj), &mut edited, &writer("kubectl-edit"));
        let edit = entry(&edited, "kubectl-edit");
        assert_eq!(edit["operation"], "Update");
        assert_eq!(
            edit["fieldsV1"],
            json!({"f:spec": {"f:analysis": {"f:stepWeight": {}, "f:stepWeights": {}}}})
        );
        // The tool kept nothing but its ownership of... nothing: its only field moved.
        assert!(
            edited["metadata"]["managedFields"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["manager"] != "tool"),
            "{edited}"
        );
    }

    #[test]
    fn apply_conflicts_with_an_update_manager_and_force_takes_ownership() {
        let t = canaries();
        let config = json!({"metadata": {"name": "c"}, "spec": {"analysis": {"stepWeights": [10, 50]}}});
        let obj = apply(&t, None, &config, &writer("tool"), false).unwrap();
        let mut edited = obj.clone();
        edited["spec"]["analysis"]["stepWeights"] = json!([5]);
        record_update(&t, Some(&obj), &mut edited, &writer("kubectl-edit"));

        let err = apply(&t, Some(&edited), &config, &writer("tool"), false).unwrap_err();
        assert_eq!(err.code, 409);
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using apps/v1: .spec.analysis.stepWeights"
        );
        assert_eq!(
            err.details.unwrap()["causes"],
            json!([{"reason": "FieldManagerConflict", "message": "conflict with \"kubectl-edit\" using apps/v1", "field": ".spec.analysis.stepWeights"}])
        );

        let forced = apply(&t, Some(&edited), &config, &writer("tool"), true).unwrap();
        assert_eq!(forced["spec"]["analysis"]["stepWeights"], json!([10, 50]));
        assert_eq!(forced["metadata"]["managedFields"].as_array().unwrap().len(), 1);
        assert_eq!(entry(&forced, "tool")["operation"], "Apply");
    }

    #[test]
    fn several_conflicts_are_grouped_by_manager() {
        let t = canaries();
        let obj = apply(
            &t,
            None,
            &json!({"spec": {"analysis": {"stepWeight": 1}}}),
            &writer("a"),
            false,
        )
        .unwrap();
        let obj = apply(
            &t,
            Some(&obj),
            &json!({"spec": {"analysis": {"stepWeights": [1]}}}),
            &writer("b"),
            false,
        )
        .unwrap();
        let config = json!({"spec": {"analysis": {"stepWeight": 2, "stepWeights": [2]}}});
        let err = apply(&t, Some(&obj), &config, &writer("c"), false).unwrap_err();
        assert_eq!(
            err.message,
            "Apply failed with 2 conflicts: conflicts with \"a\":\n- .spec.analysis.stepWeight\nconflicts with \"b\":\n- .spec.analysis.stepWeights"
        );
    }

    #[test]
    fn identical_values_are_shared_not_conflicting() {
        let t = canaries();
        let config = json!({"spec": {"analysis": {"stepWeight": 5}}});
        let obj = apply(&t, None, &config, &writer("a"), false).unwrap();
        let obj = apply(&t, Some(&obj), &config, &writer("b"), false).unwrap();
        let managers: Vec<&Value> = obj["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["manager"])
            .collect();
        assert_eq!(managers, vec!["a", "b"]);
    }

    #[test]
    fn fields_no_longer_applied_go_unless_someone_else_owns_them() {
        let t = canaries();
        let obj = apply(
            &t,
            None,
            &json!({"spec": {"analysis": {"stepWeight": 5, "tags": ["x"]}}}),
            &writer("a"),
            false,
        )
        .unwrap();
        let obj = apply(
            &t,
            Some(&obj),
            &json!({"spec": {"analysis": {"tags": ["x"]}}}),
            &writer("b"),
            false,
        )
        .unwrap();
        let obj = apply(&t, Some(&obj), &json!({"spec": {"analysis": {}}}), &writer("a"), false).unwrap();
        assert_eq!(obj["spec"]["analysis"], json!({"tags": ["x"]}));
    }

    #[test]
    fn keyed_items_merge_by_key() {
        let t = deployments();
        let live = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "a:1"}, {"name": "side", "image": "s:1"}]}}}});
        let merged = merge(
            &live,
            &json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "a:2"}]}}}}),
            Ty::root(&t),
        );
        assert_eq!(
            merged["spec"]["template"]["spec"]["containers"],
            json!([{"name": "app", "image": "a:2"}, {"name": "side", "image": "s:1"}])
        );
    }

    #[test]
    fn status_writes_are_recorded_as_the_status_subresource() {
        let t = canaries();
        let obj = apply(
            &t,
            None,
            &json!({"spec": {"analysis": {"stepWeight": 5}}}),
            &writer("a"),
            false,
        )
        .unwrap();
        let mut next = obj.clone();
        next["status"] = json!({"phase": "Progressing"});
        let mut w = writer("flagger");
        w.status_write = true;
        record_update(&t, Some(&obj), &mut next, &w);
        let e = entry(&next, "flagger");
        assert_eq!(e["subresource"], "status");
        assert_eq!(e["fieldsV1"], json!({"f:status": {".": {}, "f:phase": {}}}));
    }

    #[test]
    fn managed_fields_reset_and_client_edits() {
        let t = canaries();
        let obj = apply(
            &t,
            None,
            &json!({"spec": {"analysis": {"stepWeight": 5}}}),
            &writer("a"),
            false,
        )
        .unwrap();
        // An empty list resets (isResetManagedFields).
        let mut cleared = obj.clone();
        cleared["metadata"]["managedFields"] = json!([]);
        record_update(&t, Some(&obj), &mut cleared, &writer("x"));
        assert!(cleared["metadata"].get("managedFields").is_none(), "{cleared}");
        // An undecodable list keeps the live entries.
        let mut garbage = obj.clone();
        garbage["metadata"]["managedFields"] = json!([{"manager": "m", "operation": "Destroy"}]);
        record_update(&t, Some(&obj), &mut garbage, &writer("x"));
        assert_eq!(garbage["metadata"]["managedFields"], obj["metadata"]["managedFields"]);
        // Apply refuses a configuration that sets managedFields.
        let err = apply(
            &t,
            Some(&obj),
            &json!({"metadata": {"managedFields": []}}),
            &writer("a"),
            false,
        )
        .unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (400, "metadata.managedFields must be nil")
        );
    }

    #[test]
    fn a_create_owns_new_maps_themselves_as_upstream_records_them() {
        let mut created = json!({"metadata": {"name": "app", "labels": {"app": "x"}},
            "spec": {"replicas": 1, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
                "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [
                    {"name": "app", "image": "i", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}}});
        record_update(&deployments(), None, &mut created, &writer("kubectl-create"));
        assert_eq!(
            entry(&created, "kubectl-create")["fieldsV1"],
            json!({
                "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                "f:spec": {
                    "f:replicas": {},
                    "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}}, "f:type": {}},
                    "f:template": {
                        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                        "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {
                            ".": {}, "f:image": {}, "f:name": {},
                            "f:ports": {".": {}, "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {
                                ".": {}, "f:containerPort": {}, "f:protocol": {}}}
                        }}}
                    }
                }
            })
        );
        let mut widget = json!({"metadata": {"name": "w"}, "spec": {"analysis": {"stepWeight": 1}}});
        record_update(&canaries(), None, &mut widget, &writer("kubectl-create"));
        assert_eq!(
            entry(&widget, "kubectl-create")["fieldsV1"],
            json!({"f:spec": {".": {}, "f:analysis": {".": {}, "f:stepWeight": {}}}})
        );
    }

    #[test]
    fn field_manager_option_is_validated_as_upstream() {
        let err = validate_field_manager("PatchOptions", None, true).unwrap_err();
        assert_eq!(err.code, 422);
        assert_eq!(
            err.message,
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
        );
        assert!(validate_field_manager("UpdateOptions", None, false).is_ok());
        let long = "m".repeat(129);
        assert!(
            validate_field_manager("CreateOptions", Some(&long), false)
                .unwrap_err()
                .message
                .ends_with("fieldManager: Too long: may not be more than 128 bytes")
        );
        assert!(
            validate_field_manager("PatchOptions", Some("a\tb"), false)
                .unwrap_err()
                .message
                .contains("invalid character U+0009 (at position 1)")
        );
    }

    #[test]
    fn manager_from_user_agent() {
        assert_eq!(
            manager_or_user_agent(None, "kubectl/v1.32.0 (linux/amd64) kubernetes/abc"),
            "kubectl"
        );
        assert_eq!(
            manager_or_user_agent(Some("kubectl-edit"), "kubectl/v1.32.0"),
            "kubectl-edit"
        );
        assert_eq!(manager_or_user_agent(Some(""), "Python-urllib/3"), "Python-urllib");
        assert_eq!(manager_or_user_agent(None, &"x".repeat(200)).len(), 128);
        assert_eq!(manager_or_user_agent(None, ""), "unknown");
    }
}
