//! The state of one simulated cluster and the API server's object semantics on it: creation
//! defaults, status-subresource isolation, schema validation, generations, finalizers, CRD
//! registration and namespace checks. Both the HTTP layer and the simulated controllers write
//! through these methods, so both see the same rules.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use serde_json::{Value, json};

use crate::auth::Users;
use crate::builtin::{apply_create_defaults, register_builtins};
use crate::crd;
use crate::error::{ApiError, invalid};
use crate::events;
use crate::faults::Faults;
use crate::managed;
use crate::meta::{metadata_mut, now_rfc3339};
use crate::patch::{self, PatchKind};
use crate::proxy::ProxyRegistry;
use crate::resource::{Registry, ResKey, ResourceType};
use crate::schema;
use crate::store::{Mutation, ObjectKey, Store};

/// How the request wants unknown fields handled (`fieldValidation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldValidation {
    Ignore,
    #[default]
    Warn,
    Strict,
}

#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    pub field_manager: Option<String>,
    pub force: bool,
    pub dry_run: bool,
    pub validation: FieldValidation,
    /// The request's User-Agent: an Update without `fieldManager` is recorded under its prefix.
    pub user_agent: String,
}

impl WriteOptions {
    /// The managedFields writer of this request (Update operations name the manager from
    /// `fieldManager` or the User-Agent).
    fn writer(&self, t: &ResourceType, status_write: bool) -> managed::Writer {
        managed::Writer {
            manager: managed::manager_or_user_agent(self.field_manager.as_deref(), &self.user_agent),
            api_version: t.api_version(),
            status_write,
            now: now_rfc3339(),
        }
    }
}

/// A successful write: the object and any warnings for the `Warning` header.
pub struct Written {
    pub object: Arc<Value>,
    pub created: bool,
    pub warnings: Vec<String>,
}

pub struct ClusterCore {
    pub name: String,
    pub store: Store,
    pub registry: RwLock<Registry>,
    pub users: RwLock<Users>,
    pub faults: Faults,
    pub proxies: ProxyRegistry,
    serial: AtomicU64,
    pub git_version: String,
}

impl ClusterCore {
    pub fn new(name: &str) -> Self {
        let mut registry = Registry::default();
        register_builtins(&mut registry);
        let core = ClusterCore {
            name: name.to_string(),
            store: Store::default(),
            registry: RwLock::new(registry),
            users: RwLock::new(Users::default()),
            faults: Faults::default(),
            proxies: ProxyRegistry::default(),
            serial: AtomicU64::new(0),
            git_version: "v1.32.4".to_string(),
        };
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            // Seeding on a fresh store cannot fail: the namespace type is registered above.
            let _ = core.create(
                &core.type_of("", "v1", "namespaces").expect("builtin"),
                None,
                json!({"metadata": {"name": ns}}),
                &WriteOptions::default(),
            );
        }
        core
    }

    pub fn registry(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        self.registry.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn type_of(&self, group: &str, version: &str, plural: &str) -> Option<ResourceType> {
        self.registry().get(group, version, plural).cloned()
    }

    /// The stored version's type for a group and plural (controllers name no version).
    pub fn storage_type(&self, group: &str, plural: &str) -> Option<ResourceType> {
        self.registry().storage_type(&ResKey::new(group, plural)).cloned()
    }

    pub fn version_json(&self) -> Value {
        json!({
            "major": "1", "minor": "32", "gitVersion": self.git_version,
            "gitCommit": "5ef9cb3bbca01d5e5fa7d54c1ba6fdbab1a9a5a7", "gitTreeState": "clean",
            "buildDate": "2025-04-22T16:03:50Z", "goVersion": "go1.23.8", "compiler": "gc",
            "platform": "linux/amd64"
        })
    }

    /// The type a write is stored as, and the body in that type's form: an events.k8s.io Event
    /// is written as the core Event it is stored as (see `crate::events`).
    fn stored_as(&self, t: &ResourceType, body: Value) -> (ResourceType, Value) {
        if events::is_events_api(t)
            && let Some(core) = self.type_of("", "v1", "events")
        {
            return (core, events::to_core_v1(&body));
        }
        (t.clone(), body)
    }

    fn key(t: &ResourceType, ns: Option<&str>, name: &str) -> ObjectKey {
        ObjectKey::new(t.key(), if t.namespaced { ns } else { None }, name)
    }

    /// The object as served in `t`'s version.
    pub fn present(t: &ResourceType, obj: &Value) -> Value {
        let mut out = if events::is_events_api(t) {
            events::to_events_v1(obj)
        } else {
            obj.clone()
        };
        out["apiVersion"] = json!(t.api_version());
        out["kind"] = json!(t.kind);
        out
    }

    pub fn get(&self, t: &ResourceType, ns: Option<&str>, name: &str) -> Result<Arc<Value>, ApiError> {
        self.store
            .get(&Self::key(t, ns, name))
            .ok_or_else(|| ApiError::not_found(&t.key().qualified(), name))
    }

    pub fn namespace_exists(&self, ns: &str) -> bool {
        self.store
            .get(&ObjectKey::new(ResKey::new("", "namespaces"), None, ns))
            .is_some()
    }

    fn check_namespace(&self, t: &ResourceType, ns: Option<&str>) -> Result<(), ApiError> {
        match (t.namespaced, ns) {
            (true, Some(ns)) if !self.namespace_exists(ns) => Err(ApiError::namespace_not_found(ns)),
            (true, None) => Err(ApiError::bad_request(
                "the namespace of the object does not match the namespace on the request",
            )),
            _ => Ok(()),
        }
    }

    pub fn create(
        &self,
        t: &ResourceType,
        ns: Option<&str>,
        body: Value,
        opts: &WriteOptions,
    ) -> Result<Written, ApiError> {
        let (stored, body) = self.stored_as(t, body);
        let t = &stored;
        self.check_namespace(t, ns)?;
        managed::validate_field_manager("CreateOptions", opts.field_manager.as_deref(), false)?;
        let mut body = body;
        let name = match body.pointer("/metadata/name").and_then(Value::as_str) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => match body.pointer("/metadata/generateName").and_then(Value::as_str) {
                Some(prefix) => format!("{prefix}{}", &uuid::Uuid::new_v4().simple().to_string()[..5]),
                None => {
                    return Err(invalid(
                        &t.kind,
                        &t.group,
                        "",
                        &[crate::error::FieldError {
                            field: "metadata.name".into(),
                            reason: "FieldValueRequired",
                            message: "metadata.name: Required value: name or generateName is required".into(),
                        }],
                    ));
                }
            },
        };
        metadata_mut(&mut body).insert("name".into(), json!(name));
        let key = Self::key(t, ns, &name);
        let mut warnings = Vec::new();
        let mut would_be = None;
        let result = self.store.mutate(&key, |old, _rv| {
            if old.is_some() {
                return Err(ApiError::already_exists(&t.key().qualified(), &name));
            }
            let mut obj = self.prepare(t, ns, None, body, false, opts, &mut warnings)?;
            managed::record_update(t, None, &mut obj, &opts.writer(t, false));
            if opts.dry_run {
                would_be = Some(obj);
                return Ok(Mutation::Unchanged);
            }
            Ok(Mutation::Put(obj))
        })?;
        let object = match (would_be, result) {
            (Some(obj), _) => Arc::new(obj),
            (None, Some(obj)) => obj,
            (None, None) => return Err(ApiError::internal("create stored nothing")),
        };
        if !opts.dry_run {
            self.after_write(t, &object);
        }
        Ok(Written {
            object,
            created: true,
            warnings,
        })
    }

    /// PUT of the whole object (or of its status when `status` is set).
    pub fn replace(
        &self,
        t: &ResourceType,
        ns: Option<&str>,
        name: &str,
        body: Value,
        status: bool,
        opts: &WriteOptions,
    ) -> Result<Written, ApiError> {
        let (stored, body) = self.stored_as(t, body);
        let t = &stored;
        self.check_namespace(t, ns)?;
        managed::validate_field_manager("UpdateOptions", opts.field_manager.as_deref(), false)?;
        let body_rv = body
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string);
        let body_name = body
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .map(str::to_string);
        if body_name.as_deref().is_some_and(|n| n != name) {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({}) does not match the name on the URL ({name})",
                body_name.unwrap_or_default()
            )));
        }
        let mut warnings = Vec::new();
        let mut would_be = None;
        let key = Self::key(t, ns, name);
        let result = self.store.mutate(&key, |old, _| {
            let Some(old) = old else {
                return Err(ApiError::not_found(&t.key().qualified(), name));
            };
            if let Some(rv) = &body_rv
                && old.pointer("/metadata/resourceVersion").and_then(Value::as_str) != Some(rv.as_str())
            {
                return Err(ApiError::conflict(&t.key().qualified(), name));
            }
            let mut obj = self.prepare(t, ns, Some(old), body, status, opts, &mut warnings)?;
            managed::record_update(t, Some(old), &mut obj, &opts.writer(t, status));
            Ok(self.decide(old, obj, opts.dry_run, &mut would_be))
        })?;
        self.finish(t, result, would_be, warnings, opts)
    }

    // The arguments are the parts of one PATCH request; a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub fn patch(
        &self,
        t: &ResourceType,
        ns: Option<&str>,
        name: &str,
        kind: PatchKind,
        patch_body: &Value,
        status: bool,
        opts: &WriteOptions,
    ) -> Result<Written, ApiError> {
        // Through events.k8s.io a patch applies to the events.k8s.io form of the stored Event.
        let events_api = events::is_events_api(t);
        let converted_config;
        let patch_body = if events_api && kind == PatchKind::Apply {
            converted_config = events::to_core_v1(patch_body);
            &converted_config
        } else {
            patch_body
        };
        let (stored, _) = self.stored_as(t, Value::Null);
        let t = &stored;
        self.check_namespace(t, ns)?;
        if kind == PatchKind::Strategic && t.custom {
            return Err(ApiError::unsupported_media(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
            ));
        }
        managed::validate_field_manager("PatchOptions", opts.field_manager.as_deref(), kind == PatchKind::Apply)?;
        let key = Self::key(t, ns, name);
        let mut warnings = Vec::new();
        let mut would_be = None;
        let mut created = false;
        let result = self.store.mutate(&key, |old, _| {
            let mut target = match (old, kind) {
                (Some(old), _) => old.clone(),
                (None, PatchKind::Apply) => {
                    created = true;
                    Value::Object(Default::default())
                }
                (None, _) => return Err(ApiError::not_found(&t.key().qualified(), name)),
            };
            if events_api && kind != PatchKind::Apply {
                target = events::to_events_v1(&target);
            }
            match kind {
                PatchKind::Merge => patch::merge(&mut target, patch_body),
                PatchKind::Json => patch::json_patch(&mut target, patch_body)?,
                PatchKind::Strategic => patch::strategic_merge(&mut target, patch_body),
                PatchKind::Apply => {
                    check_apply_identity(t, patch_body, name)?;
                    target = managed::apply(t, old, patch_body, &opts.writer(t, status), opts.force)?;
                }
            }
            if events_api && kind != PatchKind::Apply {
                target = events::to_core_v1(&target);
            }
            if let Some(rv) = patch_body.pointer("/metadata/resourceVersion").and_then(Value::as_str)
                && old
                    .and_then(|o| o.pointer("/metadata/resourceVersion"))
                    .and_then(Value::as_str)
                    != Some(rv)
            {
                return Err(ApiError::conflict(&t.key().qualified(), name));
            }
            metadata_mut(&mut target).insert("name".into(), json!(name));
            let mut obj = self.prepare(t, ns, old, target, status, opts, &mut warnings)?;
            if kind != PatchKind::Apply {
                managed::record_update(t, old, &mut obj, &opts.writer(t, status));
            }
            match old {
                Some(old) => Ok(self.decide(old, obj, opts.dry_run, &mut would_be)),
                None if opts.dry_run => {
                    would_be = Some(obj);
                    Ok(Mutation::Unchanged)
                }
                None => Ok(Mutation::Put(obj)),
            }
        })?;
        let mut written = self.finish(t, result, would_be, warnings, opts)?;
        written.created = created;
        Ok(written)
    }

    pub fn delete(
        &self,
        t: &ResourceType,
        ns: Option<&str>,
        name: &str,
        opts: &WriteOptions,
    ) -> Result<Arc<Value>, ApiError> {
        let key = Self::key(t, ns, name);
        let now = now_rfc3339();
        let mut removed = false;
        let result = self.store.mutate(&key, |old, _| {
            let Some(old) = old else {
                return Err(ApiError::not_found(&t.key().qualified(), name));
            };
            if opts.dry_run {
                return Ok(Mutation::Unchanged);
            }
            let has_finalizers = old
                .pointer("/metadata/finalizers")
                .and_then(Value::as_array)
                .is_some_and(|f| !f.is_empty())
                && !(t.group.is_empty() && t.plural == "namespaces");
            if has_finalizers {
                if old.pointer("/metadata/deletionTimestamp").is_some() {
                    return Ok(Mutation::Unchanged);
                }
                let mut marked = old.clone();
                marked["metadata"]["deletionTimestamp"] = json!(now);
                return Ok(Mutation::Put(marked));
            }
            removed = true;
            Ok(Mutation::Delete)
        })?;
        let gone = result.ok_or_else(|| ApiError::not_found(&t.key().qualified(), name))?;
        if removed {
            self.after_delete(t, &gone);
        }
        Ok(gone)
    }

    /// Server-owned metadata, defaults, status isolation, schema and generation for a write.
    #[allow(clippy::too_many_arguments)]
    fn prepare(
        &self,
        t: &ResourceType,
        ns: Option<&str>,
        old: Option<&Value>,
        incoming: Value,
        status_write: bool,
        opts: &WriteOptions,
        warnings: &mut Vec<String>,
    ) -> Result<Value, ApiError> {
        let mut obj = incoming;
        if !obj.is_object() {
            return Err(ApiError::bad_request("the object provided is not a JSON object"));
        }
        if let Some(old) = old {
            if status_write {
                // The status endpoint changes the status stanza and nothing else.
                let mut merged = old.clone();
                match obj.get("status") {
                    Some(s) => merged["status"] = s.clone(),
                    None => {
                        if let Some(m) = merged.as_object_mut() {
                            m.remove("status");
                        }
                    }
                }
                obj = merged;
            } else if t.status_subresource {
                match old.get("status") {
                    Some(s) => obj["status"] = s.clone(),
                    None => {
                        if let Some(m) = obj.as_object_mut() {
                            m.remove("status");
                        }
                    }
                }
            }
        } else if t.status_subresource
            && !(t.group.is_empty() && t.plural == "namespaces")
            && let Some(m) = obj.as_object_mut()
        {
            m.remove("status");
        }
        obj["apiVersion"] = json!(t.api_version());
        obj["kind"] = json!(t.kind);
        // managedFields stay: the field manager (crate::managed) decides what is kept.
        let meta = metadata_mut(&mut obj);
        if t.namespaced {
            meta.insert("namespace".into(), json!(ns.unwrap_or("default")));
        } else {
            meta.remove("namespace");
        }
        match old {
            Some(old) => {
                for field in [
                    "uid",
                    "creationTimestamp",
                    "generation",
                    "resourceVersion",
                    "deletionTimestamp",
                ] {
                    match old.pointer(&format!("/metadata/{field}")) {
                        Some(v) => {
                            meta.insert(field.into(), v.clone());
                        }
                        None => {
                            meta.remove(field);
                        }
                    }
                }
            }
            None => {
                meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
                meta.insert("creationTimestamp".into(), json!(now_rfc3339()));
                for field in ["resourceVersion", "deletionTimestamp", "generation"] {
                    meta.remove(field);
                }
                let serial = self.serial.fetch_add(1, Ordering::Relaxed);
                apply_create_defaults(&t.group, &t.plural, &mut obj, serial);
            }
        }
        if let Some(schema_doc) = &t.schema {
            let checked = schema::check(&obj, schema_doc);
            let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
            if !checked.errors.is_empty() {
                return Err(invalid(&t.kind, &t.group, name, &checked.errors));
            }
            if !checked.unknown.is_empty() {
                match opts.validation {
                    FieldValidation::Strict => {
                        let list: Vec<String> = checked
                            .unknown
                            .iter()
                            .map(|f| format!("unknown field \"{f}\""))
                            .collect();
                        return Err(ApiError::bad_request(format!(
                            "{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {}",
                            list.join(", "),
                            kind = t.kind,
                            version = t.version
                        )));
                    }
                    FieldValidation::Warn => {
                        warnings.extend(checked.unknown.iter().map(|f| format!("unknown field \"{f}\"")))
                    }
                    FieldValidation::Ignore => {}
                }
            }
            obj = checked.object;
        }
        if t.group == "apiextensions.k8s.io" {
            crd::served_types(&obj).map_err(|errs| {
                invalid(
                    &t.kind,
                    &t.group,
                    obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or(""),
                    &errs,
                )
            })?;
            // The apiextensions controller only rewrites the status when the names change.
            let unchanged_names = old.is_some_and(|o| o.pointer("/status/acceptedNames") == obj.pointer("/spec/names"));
            obj["status"] = match old {
                Some(o) if unchanged_names => o["status"].clone(),
                _ => crd::established_status(&obj, &now_rfc3339()),
            };
        }
        let has_spec = obj.get("spec").is_some();
        match old {
            None if has_spec || t.custom => obj["metadata"]["generation"] = json!(1),
            Some(old) if !status_write && spec_changed(old, &obj) => {
                let generation = old.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(0);
                obj["metadata"]["generation"] = json!(generation + 1);
            }
            _ => {}
        }
        Ok(obj)
    }

    /// Whether a prepared write changes anything, and how to commit it.
    fn decide(&self, old: &Value, new: Value, dry_run: bool, would_be: &mut Option<Value>) -> Mutation {
        let finalizers_gone = new
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_none_or(|f| f.is_empty());
        if dry_run {
            *would_be = Some(new);
            return Mutation::Unchanged;
        }
        if &new == old {
            return Mutation::Unchanged;
        }
        if new.pointer("/metadata/deletionTimestamp").is_some() && finalizers_gone {
            return Mutation::Delete;
        }
        Mutation::Put(new)
    }

    fn finish(
        &self,
        t: &ResourceType,
        result: Option<Arc<Value>>,
        would_be: Option<Value>,
        warnings: Vec<String>,
        opts: &WriteOptions,
    ) -> Result<Written, ApiError> {
        let object = match (would_be, result) {
            (Some(obj), _) => Arc::new(obj),
            (None, Some(obj)) => obj,
            (None, None) => return Err(ApiError::internal("write stored nothing")),
        };
        if !opts.dry_run {
            self.after_write(t, &object);
        }
        Ok(Written {
            object,
            created: false,
            warnings,
        })
    }

    /// Side effects of a committed write: CRDs become served types.
    fn after_write(&self, t: &ResourceType, obj: &Value) {
        if t.group == "apiextensions.k8s.io"
            && t.plural == "customresourcedefinitions"
            && let Ok(types) = crd::served_types(obj)
        {
            let mut registry = self.registry.write().unwrap_or_else(|p| p.into_inner());
            if let Some(first) = types.first() {
                registry.remove_key(&first.key());
            }
            for served in types {
                registry.add(served);
            }
        }
    }

    /// Side effects of a deletion: a CRD's objects go with it, a namespace's contents go with it.
    fn after_delete(&self, t: &ResourceType, obj: &Value) {
        if t.group == "apiextensions.k8s.io"
            && t.plural == "customresourcedefinitions"
            && let Ok(types) = crd::served_types(obj)
            && let Some(first) = types.first()
        {
            let key = first.key();
            self.registry
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .remove_key(&key);
            for k in self.store.keys_of(&key) {
                let _ = self.store.mutate::<ApiError>(&k, |_, _| Ok(Mutation::Delete));
            }
        }
        if t.group.is_empty()
            && t.plural == "namespaces"
            && let Some(ns) = obj.pointer("/metadata/name").and_then(Value::as_str)
        {
            for k in self.store.keys_in_namespace(ns) {
                let _ = self.store.mutate::<ApiError>(&k, |_, _| Ok(Mutation::Delete));
            }
        }
    }
}

/// An applied configuration must name the object it is applied to.
fn check_apply_identity(t: &ResourceType, config: &Value, name: &str) -> Result<(), ApiError> {
    let given = config.pointer("/metadata/name").and_then(Value::as_str);
    if given.is_some_and(|g| g != name) {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({}) does not match the name on the URL ({name})",
            given.unwrap_or("")
        )));
    }
    let kind = config.get("kind").and_then(Value::as_str);
    if kind.is_some_and(|k| k != t.kind) {
        return Err(ApiError::bad_request(format!(
            "the kind of the object ({}) does not match the kind on the URL ({})",
            kind.unwrap_or(""),
            t.kind
        )));
    }
    Ok(())
}

/// Generation moves on any change outside metadata and status.
fn spec_changed(old: &Value, new: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("metadata");
            m.remove("status");
        }
        v
    };
    strip(old) != strip(new)
}
