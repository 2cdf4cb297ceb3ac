//! The state of one simulated cluster and the API server's object semantics on it: creation
//! defaults, status-subresource isolation, schema validation, generations, finalizers, CRD
//! registration and namespace checks. Both the HTTP layer and the simulated controllers write
//! through these methods, so both see the same rules.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use serde_json::{Value, json};

use crate::auth::Users;
use crate::builtin::{apply_create_defaults, apply_update_defaults, register_builtins};
use crate::crd;
use crate::error::{ApiError, invalid};
use crate::events;
use crate::faults::Faults;
use crate::managed;
use crate::meta::{metadata_mut, now_rfc3339};
use crate::patch::{self, PatchKind};
use crate::proxy::ProxyRegistry;
use crate::resource::{Registry, ResKey, ResourceType};
use crate::store::{Mutation, ObjectKey, Store};
use crate::validation;
use apimachinery::schema;

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

/// The parts of `DeleteOptions` (body or query) the simulator honours.
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    pub propagation_policy: Option<String>,
    pub grace_period_seconds: Option<i64>,
    pub precondition_uid: Option<String>,
    pub precondition_resource_version: Option<String>,
    /// `dryRun`, validated: a dry run when not empty (apiserver pkg/util/dryrun, IsDryRun).
    pub dry_run: Vec<String>,
}

impl DeleteOptions {
    /// From the `DeleteOptions` body when the request has one, else from the query string
    /// (`query` and, for the repeatable `dryRun`, its every value `dry_run_query`), then
    /// validated. kube-apiserver: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/delete.go,
    /// func DeleteResource (a non-empty body is decoded, the query only without one) and
    /// staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go, func
    /// ValidateDeleteOptions (the handler answers `NewInvalid` on `DeleteOptions.meta.k8s.io`).
    pub fn from_request(
        query: &std::collections::HashMap<String, String>,
        dry_run_query: &[String],
        body: &Value,
    ) -> Result<DeleteOptions, ApiError> {
        let mut out = DeleteOptions::default();
        if body.is_null() {
            out.propagation_policy = query.get("propagationPolicy").cloned();
            out.grace_period_seconds = query.get("gracePeriodSeconds").and_then(|s| s.parse().ok());
            out.dry_run = dry_run_query.to_vec();
        } else {
            out.propagation_policy = body
                .get("propagationPolicy")
                .and_then(Value::as_str)
                .map(str::to_string);
            out.grace_period_seconds = body.get("gracePeriodSeconds").and_then(Value::as_i64);
            if body.get("orphanDependents").and_then(Value::as_bool) == Some(true) && out.propagation_policy.is_none() {
                out.propagation_policy = Some("Orphan".into());
            }
            out.precondition_uid = body
                .pointer("/preconditions/uid")
                .and_then(Value::as_str)
                .map(str::to_string);
            out.precondition_resource_version = body
                .pointer("/preconditions/resourceVersion")
                .and_then(Value::as_str)
                .map(str::to_string);
            out.dry_run = match body.get("dryRun") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| ApiError::bad_request("DeleteOptions.dryRun: expected a list of strings"))?,
                Some(_) => {
                    return Err(ApiError::bad_request(
                        "DeleteOptions.dryRun: expected a list of strings",
                    ));
                }
            };
        }
        let mut errors = Vec::new();
        if let Some(p) = &out.propagation_policy
            && !["Orphan", "Background", "Foreground"].contains(&p.as_str())
        {
            errors.push(crate::error::FieldError {
                field: "propagationPolicy".into(),
                reason: "FieldValueNotSupported",
                message: format!(
                    "propagationPolicy: Unsupported value: \"{p}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
                ),
            });
        }
        errors.extend(crate::options::dry_run_errors(&out.dry_run));
        if !errors.is_empty() {
            return Err(invalid("DeleteOptions", "meta.k8s.io", "", &errors));
        }
        Ok(out)
    }
}

/// The outcome of a DELETE: the object as it now is (or was), and whether it is gone.
pub struct Deletion {
    pub object: Arc<Value>,
    pub removed: bool,
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
    /// The requests answered, while a test or the benchmark records them.
    pub requests: crate::audit::RequestLog,
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
            requests: crate::audit::RequestLog::default(),
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
        self.check_crd_not_terminating(t)?;
        self.check_not_terminating(t, ns, &body)?;
        // etcd3 store.Create refuses an object that carries a resourceVersion, with a plain error
        // the handler turns into a 500 with no reason. kube-apiserver:
        // staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go, func Create
        // (ErrResourceVersionSetOnCreate); responsewriters/status.go, func ErrorToAPIStatus.
        let rv_set = body
            .pointer("/metadata/resourceVersion")
            .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty() && s != "0"));
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
            let mut obj = self.prepare(t, ns, None, body, false, false, opts, &mut warnings)?;
            managed::record_update(t, None, &mut obj, &opts.writer(t, false));
            if opts.dry_run {
                would_be = Some(obj);
                return Ok(Mutation::Unchanged);
            }
            if rv_set {
                return Err(ApiError::new(
                    500,
                    "",
                    "resourceVersion should not be set on objects to be created",
                ));
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
            // Custom resources and CRDs do not allow unconditional updates: a PUT must carry the
            // resourceVersion it read. kube-apiserver:
            // staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go, func Update
            // (AllowUnconditionalUpdate; the error names the resource, not the kind).
            if body_rv.as_deref().is_none_or(str::is_empty) && !allows_unconditional_update(t) {
                return Err(invalid(
                    &t.plural,
                    &t.group,
                    name,
                    &[crate::error::FieldError {
                        field: "metadata.resourceVersion".into(),
                        reason: "FieldValueInvalid",
                        message: "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update".into(),
                    }],
                ));
            }
            if let Some(rv) = &body_rv
                && !rv.is_empty()
                && old.pointer("/metadata/resourceVersion").and_then(Value::as_str) != Some(rv.as_str())
            {
                return Err(ApiError::conflict(&t.key().qualified(), name));
            }
            let mut obj = self.prepare(t, ns, Some(old), body, status, false, opts, &mut warnings)?;
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
        if kind == PatchKind::Apply && self.get(t, ns, name).is_err() {
            self.check_crd_not_terminating(t)?;
            self.check_not_terminating(t, ns, patch_body)?;
        }
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
                PatchKind::Strategic => patch::strategic_merge(&mut target, patch_body)?,
                PatchKind::Apply => {
                    check_apply_identity(t, patch_body, name)?;
                    check_apply_fields(t, patch_body)?;
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
            let mut obj = self.prepare(t, ns, old, target, status, true, opts, &mut warnings)?;
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
        Ok(self.delete_with(t, ns, name, opts, &DeleteOptions::default())?.object)
    }

    /// DELETE of one object. An object held by finalizers (its own, or the garbage collector's
    /// for `propagationPolicy` Orphan/Foreground) gets `deletionTimestamp` and
    /// `deletionGracePeriodSeconds: 0` and stays; otherwise it is removed. kube-apiserver:
    /// staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go, funcs Delete,
    /// updateForGracefulDeletionAndFinalizers, markAsDeleting; rest/delete.go, func BeforeDelete.
    pub fn delete_with(
        &self,
        t: &ResourceType,
        ns: Option<&str>,
        name: &str,
        opts: &WriteOptions,
        delete: &DeleteOptions,
    ) -> Result<Deletion, ApiError> {
        let is_namespace = t.group.is_empty() && t.plural == "namespaces";
        // kube-apiserver: staging/src/k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/
        // admission.go, func Admit (immortal namespaces).
        if is_namespace && ["default", "kube-system", "kube-public"].contains(&name) {
            return Err(ApiError::forbidden(
                "namespaces",
                name,
                "this namespace may not be deleted",
            ));
        }
        if is_crd(t) {
            return self.delete_crd(t, name, opts, delete);
        }
        let key = Self::key(t, ns, name);
        let now = now_rfc3339();
        let mut removed = false;
        let gc_finalizer = match delete.propagation_policy.as_deref() {
            Some("Orphan") => Some("orphan"),
            Some("Foreground") => Some("foregroundDeletion"),
            _ => None,
        };
        let result = self.store.mutate(&key, |old, _| {
            let Some(old) = old else {
                return Err(ApiError::not_found(&t.key().qualified(), name));
            };
            check_preconditions(t, old, delete)?;
            if is_namespace {
                // pkg/registry/core/namespace/storage/storage.go, func Delete: the first DELETE
                // only starts termination; the namespace goes once its finalizers are gone.
                let spec_finalizers = old
                    .pointer("/spec/finalizers")
                    .and_then(Value::as_array)
                    .is_some_and(|f| !f.is_empty());
                if old.pointer("/metadata/deletionTimestamp").is_none() {
                    let mut marked = old.clone();
                    marked["metadata"]["deletionTimestamp"] = json!(now);
                    marked["status"]["phase"] = json!("Terminating");
                    return Ok(if opts.dry_run {
                        Mutation::Unchanged
                    } else {
                        Mutation::Put(marked)
                    });
                }
                if spec_finalizers || has_finalizers(old) || opts.dry_run {
                    return Ok(Mutation::Unchanged);
                }
                removed = true;
                return Ok(Mutation::Delete);
            }
            let mut finalizers = old
                .pointer("/metadata/finalizers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if old.pointer("/metadata/deletionTimestamp").is_none()
                && let Some(f) = gc_finalizer
                && !finalizers.iter().any(|x| x == f)
            {
                finalizers.push(json!(f));
            }
            if finalizers.is_empty() {
                if opts.dry_run {
                    return Ok(Mutation::Unchanged);
                }
                removed = true;
                return Ok(Mutation::Delete);
            }
            if old.pointer("/metadata/deletionTimestamp").is_some() || opts.dry_run {
                return Ok(Mutation::Unchanged);
            }
            let mut marked = old.clone();
            let meta = metadata_mut(&mut marked);
            meta.insert("finalizers".into(), Value::Array(finalizers));
            meta.insert("deletionTimestamp".into(), json!(now));
            meta.insert("deletionGracePeriodSeconds".into(), json!(0));
            if let Some(generation) = meta.get("generation").and_then(Value::as_i64)
                && generation > 0
            {
                meta.insert("generation".into(), json!(generation + 1));
            }
            Ok(Mutation::Put(marked))
        })?;
        let object = match result {
            Some(obj) => obj,
            // A dry run, or a repeated DELETE of an object already being deleted.
            None => self.get(t, ns, name)?,
        };
        if removed {
            self.after_delete(t, &object);
        } else if !opts.dry_run {
            if let Some(f) = gc_finalizer {
                // The simulator tracks no dependents, so the garbage collector's work for this
                // owner is done at once: it drops its finalizer (and the object goes if no other
                // finalizer holds it). The answer is still the object as the DELETE left it.
                self.release_finalizer(t, ns, name, f);
            }
            if is_namespace {
                self.namespace_controller(name);
            }
        }
        Ok(Deletion { object, removed })
    }

    /// Whether a DELETE answers with the deleted object or with a Success `Status`. Registries
    /// that set `ReturnDeletedObject` (pkg/registry/core/{namespace,pod,service,serviceaccount}/
    /// storage) return the object; the others (custom resources included) a Status. An object
    /// held by finalizers is always returned as it now is.
    pub fn delete_response(t: &ResourceType, deletion: &Deletion) -> Value {
        let returns_object = t.group.is_empty()
            && matches!(
                t.plural.as_str(),
                "namespaces" | "pods" | "services" | "serviceaccounts"
            );
        if !deletion.removed || returns_object {
            return Self::present(t, &deletion.object);
        }
        crate::error::delete_success(
            &t.key().qualified(),
            deletion
                .object
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or(""),
            deletion
                .object
                .pointer("/metadata/uid")
                .and_then(Value::as_str)
                .unwrap_or(""),
        )
    }

    /// Removes one finalizer from an object (deleting it if that was the last one and it is
    /// being deleted), as the controller owning that finalizer does.
    fn release_finalizer(&self, t: &ResourceType, ns: Option<&str>, name: &str, finalizer: &str) {
        self.finalizing_update(t, &Self::key(t, ns, name), |next| {
            remove_finalizer(next, "/metadata/finalizers", finalizer);
            next.pointer("/metadata/deletionTimestamp").is_some() && !has_finalizers(next)
        });
    }

    /// A finalizing controller's write of the object at `key`: `edit` changes a copy and says
    /// whether the object may now go (nothing holds it any more). It is then deleted, with what
    /// follows a deletion, or else stored if `edit` changed it.
    fn finalizing_update(&self, t: &ResourceType, key: &ObjectKey, edit: impl FnOnce(&mut Value) -> bool) {
        let mut gone = None;
        let _ = self.store.mutate::<ApiError>(key, |old, _| {
            let Some(old) = old else { return Ok(Mutation::Unchanged) };
            let mut next = old.clone();
            if edit(&mut next) {
                gone = Some(old.clone());
                return Ok(Mutation::Delete);
            }
            Ok(if &next == old {
                Mutation::Unchanged
            } else {
                Mutation::Put(next)
            })
        });
        if let Some(obj) = gone {
            self.after_delete(t, &obj);
        }
    }

    /// The namespace controller's pass over a terminating namespace: delete its content (objects
    /// with finalizers get a deletionTimestamp and hold the namespace), report what remains in
    /// the status conditions, and once nothing remains drop the `kubernetes` finalizer and the
    /// namespace. kube-controller-manager: pkg/controller/namespace/deletion/
    /// namespaced_resources_deleter.go, funcs Delete, deleteAllContent, retryOnConflictError.
    fn namespace_controller(&self, ns: &str) {
        let entered = NAMESPACE_PASSES.with(|p| p.borrow_mut().insert(ns.to_string()));
        if !entered {
            return;
        }
        self.namespace_pass(ns);
        NAMESPACE_PASSES.with(|p| p.borrow_mut().remove(ns));
    }

    fn namespace_pass(&self, ns: &str) {
        let ns_type = match self.type_of("", "v1", "namespaces") {
            Some(t) => t,
            None => return,
        };
        let terminating = self
            .get(&ns_type, None, ns)
            .ok()
            .is_some_and(|n| n.pointer("/metadata/deletionTimestamp").is_some());
        if !terminating {
            return;
        }
        let keys = self.store.keys_in_namespace(ns);
        let opts = WriteOptions::default();
        for k in &keys {
            let Some(t) = self.storage_type(&k.res.group, &k.res.plural) else {
                continue;
            };
            if let Some(obj) = self.store.get(k)
                && obj.pointer("/metadata/deletionTimestamp").is_none()
            {
                let _ = self.delete_with(&t, Some(ns), &k.name, &opts, &DeleteOptions::default());
            }
        }
        let remaining: Vec<Arc<Value>> = self
            .store
            .keys_in_namespace(ns)
            .iter()
            .filter_map(|k| self.store.get(k))
            .collect();
        let ns_key = ObjectKey::new(ResKey::new("", "namespaces"), None, ns);
        let now = now_rfc3339();
        self.finalizing_update(&ns_type, &ns_key, |next| {
            if !remaining.is_empty() {
                next["status"]["conditions"] = namespace_conditions(&remaining, &now);
                return false;
            }
            remove_finalizer(next, "/spec/finalizers", "kubernetes");
            let spec_empty = next
                .pointer("/spec/finalizers")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty);
            spec_empty && !has_finalizers(next)
        });
    }

    /// DELETE of a CRD: it gets a deletionTimestamp, the `customresourcecleanup` finalizer and a
    /// Terminating condition; its instances are then deleted (their own finalizers hold them),
    /// and the CRD goes with the last one. apiextensions-apiserver:
    /// pkg/registry/customresourcedefinition/etcd.go, func Delete;
    /// pkg/controller/finalizer/crd_finalizer.go, func sync.
    fn delete_crd(
        &self,
        t: &ResourceType,
        name: &str,
        opts: &WriteOptions,
        delete: &DeleteOptions,
    ) -> Result<Deletion, ApiError> {
        let key = Self::key(t, None, name);
        let now = now_rfc3339();
        let result = self.store.mutate(&key, |old, _| {
            let Some(old) = old else {
                return Err(ApiError::not_found(&t.key().qualified(), name));
            };
            check_preconditions(t, old, delete)?;
            if old.pointer("/metadata/deletionTimestamp").is_some() || opts.dry_run {
                return Ok(Mutation::Unchanged);
            }
            let mut marked = old.clone();
            let meta = metadata_mut(&mut marked);
            meta.insert("deletionTimestamp".into(), json!(now));
            let finalizers = meta.entry("finalizers").or_insert_with(|| json!([]));
            if let Some(list) = finalizers.as_array_mut()
                && !list.iter().any(|f| f == CRD_CLEANUP_FINALIZER)
            {
                list.push(json!(CRD_CLEANUP_FINALIZER));
            }
            set_condition(
                &mut marked,
                json!({"type": "Terminating", "status": "True", "reason": "InstanceDeletionPending",
                       "message": "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
                       "lastTransitionTime": now}),
            );
            Ok(Mutation::Put(marked))
        })?;
        let object = match result {
            Some(obj) => obj,
            None => self.get(t, None, name)?,
        };
        if !opts.dry_run {
            self.crd_finalizer(name);
        }
        Ok(Deletion { object, removed: false })
    }

    /// The CRD finalizer controller's pass over a terminating CRD.
    fn crd_finalizer(&self, crd_name: &str) {
        let guard = format!("crd:{crd_name}");
        let entered = NAMESPACE_PASSES.with(|p| p.borrow_mut().insert(guard.clone()));
        if !entered {
            return;
        }
        self.crd_finalizer_pass(crd_name);
        NAMESPACE_PASSES.with(|p| p.borrow_mut().remove(&guard));
    }

    fn crd_finalizer_pass(&self, crd_name: &str) {
        let Some(crd_type) = self.type_of("apiextensions.k8s.io", "v1", "customresourcedefinitions") else {
            return;
        };
        let Ok(crd_obj) = self.get(&crd_type, None, crd_name) else {
            return;
        };
        if crd_obj.pointer("/metadata/deletionTimestamp").is_none() {
            return;
        }
        let served = crd::served_types(&crd_obj)
            .ok()
            .and_then(|types| types.into_iter().next());
        let mut remaining = 0;
        if let Some(cr_type) = &served {
            let opts = WriteOptions::default();
            for k in self.store.keys_of(&cr_type.key()) {
                if let Some(obj) = self.store.get(&k)
                    && obj.pointer("/metadata/deletionTimestamp").is_none()
                {
                    let _ = self.delete_with(
                        cr_type,
                        k.namespace.as_deref(),
                        &k.name,
                        &opts,
                        &DeleteOptions::default(),
                    );
                }
            }
            remaining = self.store.keys_of(&cr_type.key()).len();
        }
        let key = Self::key(&crd_type, None, crd_name);
        let now = now_rfc3339();
        self.finalizing_update(&crd_type, &key, |next| {
            if remaining > 0 {
                set_condition(
                    next,
                    json!({"type": "Terminating", "status": "True", "reason": "InstanceDeletionInProgress",
                           "message": "CustomResource deletion is in progress", "lastTransitionTime": now}),
                );
                return false;
            }
            remove_finalizer(next, "/metadata/finalizers", CRD_CLEANUP_FINALIZER);
            !has_finalizers(next)
        });
    }

    /// A terminating CRD accepts no new instances. apiextensions-apiserver:
    /// pkg/apiserver/customresource_handler.go, func serveResource ("create").
    fn check_crd_not_terminating(&self, t: &ResourceType) -> Result<(), ApiError> {
        if !t.custom {
            return Ok(());
        }
        let crd_key = ObjectKey::new(
            ResKey::new("apiextensions.k8s.io", "customresourcedefinitions"),
            None,
            &t.key().qualified(),
        );
        let terminating = self
            .store
            .get(&crd_key)
            .is_some_and(|c| c.pointer("/metadata/deletionTimestamp").is_some());
        if terminating {
            return Err(ApiError::new(
                405,
                "MethodNotAllowed",
                "create not allowed while custom resource definition is terminating",
            )
            .with_details(json!({"group": t.group, "kind": t.plural})));
        }
        Ok(())
    }

    /// Creating in a terminating namespace is refused. kube-apiserver:
    /// staging/src/k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go,
    /// func Admit (NamespaceTerminating cause).
    fn check_not_terminating(&self, t: &ResourceType, ns: Option<&str>, body: &Value) -> Result<(), ApiError> {
        let Some(ns) = ns.filter(|_| t.namespaced) else {
            return Ok(());
        };
        let terminating = self
            .store
            .get(&ObjectKey::new(ResKey::new("", "namespaces"), None, ns))
            .is_some_and(|n| n.pointer("/status/phase").and_then(Value::as_str) == Some("Terminating"));
        if !terminating {
            return Ok(());
        }
        let name = body.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
        let mut err = ApiError::forbidden(
            &t.key().qualified(),
            name,
            &format!("unable to create new content in namespace {ns} because it is being terminated"),
        );
        if let Some(details) = err.details.as_mut() {
            details["causes"] = json!([{
                "reason": "NamespaceTerminating",
                "message": format!("namespace {ns} is being terminated"),
                "field": "metadata.namespace",
            }]);
        }
        Err(err)
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
        patching: bool,
        opts: &WriteOptions,
        warnings: &mut Vec<String>,
    ) -> Result<Value, ApiError> {
        let mut obj = incoming;
        // Unknown fields of built-in types: decoding into the Go type drops them; Strict refuses
        // the request, Warn answers with Warning headers. kube-apiserver:
        // staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go, update.go (strict
        // decoding, transformDecodeError) and patch.go (strategicPatchObject).
        let unknown = validation::prune_unknown(t, &mut obj);
        if !unknown.is_empty() {
            unknown_fields(t, &unknown, patching, opts.validation, warnings)?;
        }
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
        // kube-apiserver: staging/src/k8s.io/apiserver/pkg/registry/rest/meta.go, func
        // EnsureObjectNamespaceMatchesRequestNamespace (unset: the request's; cluster-scoped:
        // cleared; another namespace: 400).
        if t.namespaced
            && let Some(given) = meta.get("namespace").and_then(Value::as_str)
            && !given.is_empty()
            && Some(given) != ns
        {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
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
                    "deletionGracePeriodSeconds",
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
                apply_update_defaults(&t.group, &t.plural, old, &mut obj);
            }
            None => {
                meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
                meta.insert("creationTimestamp".into(), json!(now_rfc3339()));
                for field in [
                    "resourceVersion",
                    "deletionTimestamp",
                    "deletionGracePeriodSeconds",
                    "generation",
                ] {
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
                unknown_fields(t, &checked.unknown, false, opts.validation, warnings)?;
            }
            obj = checked.object;
        }
        // The type's validation and ObjectMeta's, after defaulting (rest.BeforeCreate /
        // rest.BeforeUpdate call strategy.Validate / ValidateUpdate).
        let errors = match old {
            None => validation::validate_create(t, &obj),
            Some(old) => validation::validate_update(t, old, &obj),
        };
        if !errors.is_empty() {
            let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
            return Err(invalid(&t.kind, &t.group, name, &errors));
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
            let name = object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
            let ns = object.pointer("/metadata/namespace").and_then(Value::as_str);
            let key = Self::key(t, ns, name);
            if object.pointer("/metadata/deletionTimestamp").is_some() && self.store.get(&key).is_none() {
                self.after_delete(t, &object);
            } else {
                self.after_write(t, &object);
            }
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
        // The last instance of a terminating CRD going lets the CRD finish.
        if t.custom {
            self.crd_finalizer(&t.key().qualified());
        }
        // The last object of a terminating namespace going lets the namespace finish.
        if t.namespaced
            && let Some(ns) = obj.pointer("/metadata/namespace").and_then(Value::as_str)
        {
            self.namespace_controller(ns);
        }
    }
}

/// Server-side apply converts the applied configuration to the type's schema first, and a field
/// the type does not declare fails that conversion whatever `fieldValidation` says (a plain error:
/// 500 with no reason). kube-apiserver: staging/src/k8s.io/apiserver/pkg/util/managedfields/
/// internal/structuredmerge.go, func Apply ("failed to create typed patch object"). List items
/// are shown by index, where structured-merge-diff names keyed items by their key.
fn check_apply_fields(t: &ResourceType, config: &Value) -> Result<(), ApiError> {
    let mut probe = config.clone();
    let unknown = validation::prune_unknown(t, &mut probe);
    let Some(first) = unknown.first() else {
        return Ok(());
    };
    let meta = |f: &str| {
        config
            .pointer(&format!("/metadata/{f}"))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let detail = if unknown.len() == 1 {
        format!(".{first}: field not declared in schema")
    } else {
        let lines: Vec<String> = unknown
            .iter()
            .map(|u| format!("  .{u}: field not declared in schema"))
            .collect();
        format!("errors:\n{}", lines.join("\n"))
    };
    Err(ApiError::new(
        500,
        "",
        format!(
            "failed to create typed patch object ({}/{}; {}/{}, Kind={}): {detail}",
            meta("namespace"),
            meta("name"),
            t.group,
            t.version,
            t.kind
        ),
    ))
}

/// Strict: 400 naming every unknown field; Warn: one warning each; Ignore: nothing.
fn unknown_fields(
    t: &ResourceType,
    unknown: &[String],
    patching: bool,
    validation: FieldValidation,
    warnings: &mut Vec<String>,
) -> Result<(), ApiError> {
    let list: Vec<String> = unknown.iter().map(|f| format!("unknown field \"{f}\"")).collect();
    match validation {
        FieldValidation::Strict if patching => Err(ApiError::bad_request(format!(
            "strict decoding error: {}",
            list.join(", ")
        ))),
        FieldValidation::Strict => Err(ApiError::bad_request(format!(
            "{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {}",
            list.join(", "),
            kind = t.kind,
            version = t.version
        ))),
        FieldValidation::Warn => {
            warnings.extend(list);
            Ok(())
        }
        FieldValidation::Ignore => Ok(()),
    }
}

/// Built-in registries allow a PUT without resourceVersion; CRDs and custom resources do not.
/// apiextensions-apiserver: pkg/registry/customresource/strategy.go and
/// pkg/registry/customresourcedefinition/strategy.go, func AllowUnconditionalUpdate.
fn allows_unconditional_update(t: &ResourceType) -> bool {
    !(t.custom || t.group == "apiextensions.k8s.io")
}

const CRD_CLEANUP_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

fn is_crd(t: &ResourceType) -> bool {
    t.group == "apiextensions.k8s.io" && t.plural == "customresourcedefinitions"
}

/// Sets (replaces by type) one condition in `status.conditions`.
fn set_condition(obj: &mut Value, condition: Value) {
    if !obj.get("status").is_some_and(Value::is_object) {
        obj["status"] = json!({});
    }
    let conditions = &mut obj["status"]["conditions"];
    if !conditions.is_array() {
        *conditions = json!([]);
    }
    if let Some(list) = conditions.as_array_mut() {
        match list.iter_mut().find(|c| c.get("type") == condition.get("type")) {
            Some(existing) => *existing = condition,
            None => list.push(condition),
        }
    }
}

/// Drops `finalizer` from the list at `pointer` (`/metadata/finalizers`, or a Namespace's
/// `/spec/finalizers`), if there is one.
fn remove_finalizer(obj: &mut Value, pointer: &str, finalizer: &str) {
    if let Some(list) = obj.pointer_mut(pointer).and_then(Value::as_array_mut) {
        list.retain(|f| f != finalizer);
    }
}

fn has_finalizers(obj: &Value) -> bool {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty())
}

/// rest/delete.go, func BeforeDelete: the preconditions of a DELETE.
fn check_preconditions(t: &ResourceType, obj: &Value, delete: &DeleteOptions) -> Result<(), ApiError> {
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let conflict = |detail: String| {
        ApiError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": {detail}",
                t.key().qualified()
            ),
        )
    };
    let uid = obj.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or("");
    if let Some(want) = &delete.precondition_uid
        && want != uid
    {
        return Err(conflict(format!(
            "the UID in the precondition ({want}) does not match the UID in record ({uid}). The object might have been deleted and then recreated"
        )));
    }
    let rv = obj
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if let Some(want) = &delete.precondition_resource_version
        && want != rv
    {
        return Err(conflict(format!(
            "the ResourceVersion in the precondition ({want}) does not match the ResourceVersion in record ({rv}). The object might have been modified"
        )));
    }
    Ok(())
}

/// The conditions the namespace controller reports while content remains.
fn namespace_conditions(remaining: &[Arc<Value>], now: &str) -> Value {
    let mut by_resource: std::collections::BTreeMap<String, usize> = Default::default();
    let mut by_finalizer: std::collections::BTreeMap<String, usize> = Default::default();
    for obj in remaining {
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("").to_lowercase();
        *by_resource.entry(kind).or_default() += 1;
        for f in obj
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            *by_finalizer.entry(f.to_string()).or_default() += 1;
        }
    }
    let resources: Vec<String> = by_resource
        .iter()
        .map(|(r, n)| format!("{r} has {n} resource instances"))
        .collect();
    let finalizers: Vec<String> = by_finalizer
        .iter()
        .map(|(f, n)| format!("{f} in {n} resource instances"))
        .collect();
    json!([
        {"type": "NamespaceContentRemaining", "status": "True", "lastTransitionTime": now,
         "reason": "SomeResourcesRemain", "message": format!("Some resources are remaining: {}", resources.join(", "))},
        {"type": "NamespaceFinalizersRemaining", "status": if finalizers.is_empty() { "False" } else { "True" },
         "lastTransitionTime": now, "reason": if finalizers.is_empty() { "ContentHasNoFinalizers" } else { "SomeFinalizersRemain" },
         "message": if finalizers.is_empty() { "All content-preserving finalizers finished".to_string() } else { format!("Some content in the namespace has finalizers remaining: {}", finalizers.join(", ")) }},
    ])
}

thread_local! {
    /// Namespaces whose controller pass runs on this thread (a pass deletes objects, whose
    /// deletion would start the same pass again).
    static NAMESPACE_PASSES: std::cell::RefCell<std::collections::HashSet<String>> = Default::default();
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
