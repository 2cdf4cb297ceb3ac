//! An object as the live state keeps it, read straight from the API server's JSON: every field
//! as it came, but `metadata.managedFields`.
//!
//! kube's `DynamicObject` reads its fields other than `metadata` through `#[serde(flatten)]`,
//! which buffers the whole object in serde's intermediate form before building the `Value`;
//! the state then needed a `Value` of the whole object again. At a thousand clusters, the
//! objects of the initial lists in flight at once made half of a watch's peak memory. This
//! type parses each object once, into the map the state keeps.
//!
//! The watcher and lists need typed metadata (`Resource::meta`: the resourceVersion to resume
//! from, the name of a deleted object); it is a copy of the few fields they read. Nothing
//! shown or judged reads who owns which field, and `managedFields` is a third of a Canary's or
//! an Event's size.

use std::borrow::Cow;

use kube::Resource;
use kube::api::{ApiResource, ObjectMeta};
use kube::core::DynamicResourceScope;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::model::event::Event;

#[derive(Clone, Debug)]
pub struct Kept {
    /// What the list-watch loop and the pumps read: name, namespace, uid, resourceVersion
    /// (`Resource::meta`).
    metadata: ObjectMeta,
    fields: Map<String, Value>,
}

impl Kept {
    /// The object, as the state keeps it.
    pub fn into_value(self) -> Value {
        Value::Object(self.fields)
    }

    /// An Event as the state keeps it ([`Event`]: what rows, their messages and event lines
    /// read). An Event whose fields are not of their API types is an error, not a default.
    pub fn into_event(self) -> Result<Event, serde_json::Error> {
        serde_json::from_value(Value::Object(self.fields))
    }

    /// [`Kept::into_event`], for a list or a watch: an Event that is not one is left out
    /// (history the rows can do without), with a warning that names it.
    pub fn into_event_or_warn(self) -> Option<Event> {
        let name = self.name();
        self.into_event()
            .map_err(|e| tracing::warn!(event = %name, "an Event whose fields are not of their types: {e}"))
            .ok()
    }

    pub fn namespace(&self) -> String {
        self.metadata.namespace.clone().unwrap_or_default()
    }

    pub fn name(&self) -> String {
        self.metadata.name.clone().unwrap_or_default()
    }
}

impl<'de> Deserialize<'de> for Kept {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Kept, D::Error> {
        let fields = deserializer.deserialize_map(ObjectVisitor)?;
        let mut metadata = ObjectMeta::default();
        if let Some(Value::Object(meta)) = fields.get("metadata") {
            let text = |key: &str| meta.get(key).and_then(Value::as_str).map(str::to_string);
            metadata.name = text("name");
            metadata.namespace = text("namespace");
            metadata.uid = text("uid");
            metadata.resource_version = text("resourceVersion");
            metadata.generation = meta.get("generation").and_then(Value::as_i64);
        }
        Ok(Kept { metadata, fields })
    }
}

/// An object's fields, its `metadata` read by [`MetadataVisitor`].
struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a Kubernetes object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut fields = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let value = if key == "metadata" {
                access.next_value_seed(MetadataVisitor)?
            } else {
                access.next_value::<Value>()?
            };
            fields.insert(key, value);
        }
        Ok(fields)
    }
}

/// `metadata` without `managedFields`, which is skipped as it is parsed, not built and then
/// dropped: a Deployment's field sets are a map per field its managers own, most of the
/// allocations of reading it (a thousand clusters' one-shot read made 2.8 million).
struct MetadataVisitor;

impl<'de> DeserializeSeed<'de> for MetadataVisitor {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MetadataVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object's metadata")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut fields = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if key == "managedFields" {
                access.next_value::<IgnoredAny>()?;
            } else {
                fields.insert(key, access.next_value::<Value>()?);
            }
        }
        Ok(Value::Object(fields))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

/// As kube-core's `impl Resource for DynamicObject` (src/dynamic.rs): the type is told at run
/// time by an `ApiResource`.
impl Resource for Kept {
    type DynamicType = ApiResource;
    type Scope = DynamicResourceScope;

    fn group(dt: &ApiResource) -> Cow<'_, str> {
        dt.group.as_str().into()
    }

    fn version(dt: &ApiResource) -> Cow<'_, str> {
        dt.version.as_str().into()
    }

    fn kind(dt: &ApiResource) -> Cow<'_, str> {
        dt.kind.as_str().into()
    }

    fn api_version(dt: &ApiResource) -> Cow<'_, str> {
        dt.api_version.as_str().into()
    }

    fn plural(dt: &ApiResource) -> Cow<'_, str> {
        dt.plural.as_str().into()
    }

    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }

    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn kept_is_the_object_without_its_managed_fields_and_knows_its_name() {
        let object = json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": {"name": "podinfo", "namespace": "test", "resourceVersion": "7", "uid": "u1",
                "labels": {"app": "podinfo"},
                "managedFields": [{"manager": "flagger", "operation": "Update", "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:status": {}}}]},
            "spec": {"targetRef": {"name": "podinfo"}, "analysis": {"stepWeights": [10, 50]}},
            "status": {"phase": "Progressing", "canaryWeight": 10},
        });
        let kept: Kept = serde_json::from_str(&object.to_string()).unwrap();
        assert_eq!((kept.namespace(), kept.name()), ("test".into(), "podinfo".into()));
        assert_eq!(kept.meta().resource_version.as_deref(), Some("7"));
        let mut expected = object;
        expected["metadata"].as_object_mut().unwrap().remove("managedFields");
        assert_eq!(kept.into_value(), expected);
    }

    #[test]
    fn managed_fields_of_any_shape_are_skipped_and_null_metadata_is_kept_null() {
        let kept: Kept = serde_json::from_str(
            r#"{"kind": "Canary", "metadata": {"managedFields": {"not": ["a list"]}, "name": "a"}, "spec": {}}"#,
        )
        .unwrap();
        assert_eq!(kept.name(), "a");
        assert_eq!(
            kept.into_value(),
            json!({"kind": "Canary", "metadata": {"name": "a"}, "spec": {}})
        );
        let kept: Kept = serde_json::from_str(r#"{"kind": "Canary", "metadata": null}"#).unwrap();
        assert_eq!(
            (kept.name(), kept.into_value()),
            (String::new(), json!({"kind": "Canary", "metadata": null}))
        );
    }

    #[test]
    fn a_watched_event_is_typed_and_a_mistyped_one_is_an_error() {
        let event = json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "podinfo.17a", "namespace": "test", "uid": "e1", "resourceVersion": "42",
                "managedFields": [{"manager": "flagger"}]},
            "involvedObject": {"kind": "Canary", "namespace": "test", "name": "podinfo", "uid": "c1"},
            "type": "Warning", "reason": "Synced", "message": "Halt advancement", "count": 3,
            "lastTimestamp": "2026-01-01T00:01:00Z", "source": {"component": "flagger"},
        });
        let kept: Kept = serde_json::from_value(event).unwrap();
        let event = kept.into_event().unwrap();
        assert_eq!(
            (event.id(), event.message(), event.count),
            (Some("e1"), "Halt advancement", Some(3))
        );
        assert_eq!(event.involved_object.name.as_deref(), Some("podinfo"));
        let mistyped: Kept = serde_json::from_value(json!({"metadata": {"name": "e"}, "count": "3"})).unwrap();
        assert!(mistyped.into_event().is_err());
    }
}
