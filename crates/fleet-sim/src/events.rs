//! `events.k8s.io/v1` Events and core `v1` Events are one resource: kube-apiserver stores both
//! as core Events (one etcd prefix, `/registry/events`) and converts on the way in and out, so an
//! Event written through either API is read and watched through the other.
//!
//! kubernetes: pkg/apis/events/v1/conversion.go, funcs Convert_v1_Event_To_core_Event and
//! Convert_core_Event_To_v1_Event; pkg/registry/events/rest/storage_events.go serves the core
//! event storage under events.k8s.io.

use serde_json::{Map, Value};

use crate::resource::ResourceType;

/// Field renames between the two versions: (core v1, events.k8s.io/v1).
const RENAMES: &[(&str, &str)] = &[
    ("involvedObject", "regarding"),
    ("message", "note"),
    ("source", "deprecatedSource"),
    ("count", "deprecatedCount"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("reportingComponent", "reportingController"),
];

/// Whether `t` is the events.k8s.io face of the core Event storage.
pub fn is_events_api(t: &ResourceType) -> bool {
    t.group == "events.k8s.io" && t.plural == "events"
}

fn rename(obj: &Value, to_events: bool) -> Value {
    let Some(fields) = obj.as_object() else {
        return obj.clone();
    };
    let mut out = Map::new();
    for (k, v) in fields {
        let renamed = RENAMES.iter().find_map(|(core, events)| {
            if to_events {
                (k == core).then_some(*events)
            } else {
                (k == events).then_some(*core)
            }
        });
        match renamed {
            Some(name) => {
                out.insert(name.to_string(), v.clone());
            }
            // A field of the other version's name that has no counterpart here is dropped, as a
            // typed conversion would drop it.
            None if RENAMES
                .iter()
                .any(|(core, events)| if to_events { k == events } else { k == core }) => {}
            None => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// A stored (core v1) Event as events.k8s.io/v1 serves it.
pub fn to_events_v1(core: &Value) -> Value {
    rename(core, true)
}

/// An events.k8s.io/v1 Event (or applied configuration) in its stored core v1 form.
pub fn to_core_v1(events: &Value) -> Value {
    let mut out = rename(events, false);
    if let Some(m) = out.as_object_mut()
        && m.contains_key("apiVersion")
    {
        m.insert("apiVersion".into(), Value::String("v1".into()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_between_the_two_versions() {
        let core = json!({
            "apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "default"},
            "involvedObject": {"kind": "Canary", "name": "podinfo"}, "reason": "Synced", "message": "hello",
            "source": {"component": "flagger"}, "count": 3, "firstTimestamp": "2024-01-01T00:00:00Z",
            "lastTimestamp": "2024-01-01T00:01:00Z", "type": "Normal", "reportingComponent": "flagger",
            "reportingInstance": "flagger-1", "series": {"count": 2, "lastObservedTime": "2024-01-01T00:01:00.000000Z"}
        });
        let events = to_events_v1(&core);
        assert_eq!(events["regarding"]["name"], "podinfo");
        assert_eq!(events["note"], "hello");
        assert_eq!(events["deprecatedSource"]["component"], "flagger");
        assert_eq!(events["deprecatedCount"], 3);
        assert_eq!(events["deprecatedLastTimestamp"], "2024-01-01T00:01:00Z");
        assert_eq!(events["reportingController"], "flagger");
        assert_eq!(events["reportingInstance"], "flagger-1");
        assert!(events.get("message").is_none());
        assert_eq!(to_core_v1(&events), core);
    }
}
