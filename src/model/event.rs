//! A Kubernetes Event about a canary, as the state keeps it (pure data): the fields rows, their
//! messages and `get`'s event lines read (which object, which version, when, how often, what it
//! says), typed.
//!
//! A watch keeps up to 30 Events per canary and the messages they carried (up to 120) for as
//! long as it runs, in every cluster. As a `serde_json::Value` each Event was three B-tree maps
//! (every map node holds eleven slots whatever it holds: 2.2 KB an Event); typed, it is a third
//! of that. The Event's source, reporting controller and the involved object's uid, apiVersion
//! and resourceVersion are read by nothing and not kept.
//!
//! It serializes back to the API's field names (`get -o json` shows it), leaving out what was
//! not there: a field the server did not send is not shown as empty.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Event {
    pub metadata: EventMeta,
    pub involved_object: InvolvedObject,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub severity: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    /// How often client-go's recorder saw it (a repeat PATCHes the count up).
    pub count: Option<i64>,
    pub first_timestamp: Option<String>,
    pub last_timestamp: Option<String>,
    /// The events.k8s.io/v1 time, set instead of the timestamps by newer recorders.
    pub event_time: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EventMeta {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub uid: Option<String>,
    pub resource_version: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InvolvedObject {
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

impl Event {
    /// The Event's identity across its versions: its uid, or its name when the uid is unset.
    pub fn id(&self) -> Option<&str> {
        self.metadata.uid.as_deref().or(self.metadata.name.as_deref())
    }

    pub fn message(&self) -> &str {
        self.message.as_deref().unwrap_or("")
    }

    pub fn is_warning(&self) -> bool {
        self.severity.as_deref() == Some("Warning")
    }

    /// The resourceVersion as a number (0 when absent or not a number).
    pub fn resource_version(&self) -> u64 {
        self.metadata
            .resource_version
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    /// Which of two versions of one Event is newer: its count (1 when unset), then its
    /// resourceVersion.
    pub fn version(&self) -> (i64, u64) {
        (self.count.unwrap_or(1), self.resource_version())
    }

    /// Events in the order they last happened: the last timestamp (or the event time), then
    /// the resourceVersion.
    pub fn order(&self) -> (&str, u64) {
        let time = self
            .last_timestamp
            .as_deref()
            .or(self.event_time.as_deref())
            .unwrap_or("");
        (time, self.resource_version())
    }

    /// An Event from its JSON (tests and fixtures write Events as `json!`); a field of the wrong
    /// type is a panic there, where it is a mistake in the test.
    #[cfg(test)]
    pub fn of(value: serde_json::Value) -> Event {
        serde_json::from_value(value).expect("an Event")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_event_keeps_what_is_read_and_serializes_back_without_inventing_fields() {
        let full = json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "podinfo.17a", "namespace": "test", "uid": "e1", "resourceVersion": "42",
                "creationTimestamp": "2026-01-01T00:00:00Z"},
            "involvedObject": {"kind": "Canary", "namespace": "test", "name": "podinfo", "uid": "c1",
                "apiVersion": "flagger.app/v1beta1", "resourceVersion": "40"},
            "type": "Warning", "reason": "Synced", "message": "Halt advancement", "count": 3,
            "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:01:00Z",
            "eventTime": null, "source": {"component": "flagger"}, "reportingComponent": "flagger",
        });
        let event: Event = serde_json::from_value(full).unwrap();
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            json!({
                "metadata": {"name": "podinfo.17a", "namespace": "test", "uid": "e1", "resourceVersion": "42"},
                "involvedObject": {"kind": "Canary", "namespace": "test", "name": "podinfo"},
                "type": "Warning", "reason": "Synced", "message": "Halt advancement", "count": 3,
                "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:01:00Z",
            })
        );
        assert_eq!(event.id(), Some("e1"));
        assert!(event.is_warning());
        assert_eq!(event.version(), (3, 42));
        assert_eq!(event.order(), ("2026-01-01T00:01:00Z", 42));
    }

    #[test]
    fn an_event_without_uid_count_or_timestamps_has_defaults_that_sort_first() {
        let event = Event::of(json!({"metadata": {"name": "e"}, "eventTime": "2026-01-01T00:00:05.000000Z"}));
        assert_eq!(event.id(), Some("e"));
        assert_eq!(event.version(), (1, 0));
        assert_eq!(event.order(), ("2026-01-01T00:00:05.000000Z", 0));
        assert_eq!(Event::default().order(), ("", 0));
        assert_eq!(Event::default().id(), None);
    }
}
