//! Kubernetes Events as Flagger writes them: through client-go's event broadcaster with the
//! default correlator (client-go `tools/record/events_cache.go`, `NewEventCorrelator`). A pure
//! state machine over a clock the caller passes in, so the correlator's windows run in simulated
//! time while the Event timestamps stay wall-clock like every other object's.
//!
//! Per recorded event, in client-go's order (`EventCorrelator.EventCorrelate`):
//! 1. the aggregator groups events by source, object, type and reason; the 10th distinct message
//!    in a group within 10 minutes of the group's previous event is replaced by one aggregate
//!    Event, `(combined from similar events): <message>`, keyed by the group;
//! 2. the logger counts occurrences per key: a repeat becomes a PATCH of the same Event (same
//!    name, `count`+1, new `lastTimestamp`, the message);
//! 3. the spam filter, a token bucket of 25 per source, object and type refilled at one per
//!    300 s, drops what exceeds it (after the logger has counted it, as upstream does).
//!
//! Each of the three caches is an LRU of 4096 keys, as upstream's. Not emulated: the retry loop
//! of `recordToSink`.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use serde_json::{Value, json};

/// client-go `tools/record/events_cache.go`: `defaultAggregateMaxEvents`.
const AGGREGATE_MAX_EVENTS: usize = 10;
/// client-go `tools/record/events_cache.go`: `defaultAggregateIntervalInSeconds`.
const AGGREGATE_INTERVAL: Duration = Duration::from_secs(600);
/// client-go `tools/record/events_cache.go`: `defaultSpamBurst`.
const SPAM_BURST: f64 = 25.0;
/// client-go `tools/record/events_cache.go`: `defaultSpamQPS` (one event per 300 s).
const SPAM_QPS: f64 = 1.0 / 300.0;
/// client-go `tools/record/events_cache.go`: `maxLruCacheEntries`.
const LRU_ENTRIES: usize = 4096;
/// client-go `tools/record/events_cache.go`: `EventAggregatorByReasonMessageFunc`.
pub const COMBINED_PREFIX: &str = "(combined from similar events): ";

/// The object an event is about (client-go `tools/reference.GetReference`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reference {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub resource_version: String,
}

/// One `recorder.Event(object, type, reason, message)` call.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub involved: Reference,
    /// `Normal` or `Warning`.
    pub event_type: String,
    pub reason: String,
    pub message: String,
}

/// What to send to the API server for one recorded event.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// POST the Event.
    Create(Value),
    /// Strategic-merge PATCH the Event `name`; when it is gone (404), POST `event` instead
    /// (client-go `tools/record/event.go`, `recordEvent`).
    Patch { name: String, patch: Value, event: Value },
}

/// client-go `flowcontrol` passive token bucket (golang.org/x/time/rate under the hood): full at
/// creation, refilled continuously, capped at the burst.
#[derive(Debug, Clone)]
struct Bucket {
    tokens: f64,
    last: Duration,
}

#[derive(Debug, Clone)]
struct AggregateRecord {
    local_keys: BTreeSet<String>,
    last: Duration,
}

#[derive(Debug, Clone)]
struct Observation {
    count: i64,
    first_timestamp: Value,
    name: String,
    resource_version: String,
}

/// `k8s.io/utils/lru`: a lookup or an add makes a key the most recent; an add beyond the
/// capacity evicts the least recent key.
#[derive(Debug, Clone)]
struct Lru<V> {
    capacity: usize,
    clock: u64,
    entries: HashMap<String, (u64, V)>,
}

impl<V> Lru<V> {
    fn new(capacity: usize) -> Lru<V> {
        Lru {
            capacity,
            clock: 0,
            entries: HashMap::new(),
        }
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(key).map(|(used, v)| {
            *used = clock;
            v
        })
    }

    /// Makes room for a new key: the least recent one goes (upstream adds, then evicts the
    /// oldest, which is never the key just added).
    fn make_room(&mut self, key: &str) {
        if !self.entries.contains_key(key)
            && self.entries.len() >= self.capacity
            && let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| k.clone())
        {
            self.entries.remove(&oldest);
        }
    }

    fn add(&mut self, key: String, value: V) {
        self.make_room(&key);
        self.clock += 1;
        self.entries.insert(key, (self.clock, value));
    }

    /// Get, or add `make()`; the entry either way.
    fn get_or_add(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        self.make_room(key);
        self.clock += 1;
        let clock = self.clock;
        let slot = self.entries.entry(key.to_string()).or_insert_with(|| (clock, make()));
        slot.0 = clock;
        &mut slot.1
    }
}

/// One Flagger process's correlator (one per `StartRecordingToSink`).
#[derive(Debug, Clone)]
pub struct Recorder {
    component: String,
    host: String,
    spam: Lru<Bucket>,
    aggregates: Lru<AggregateRecord>,
    observations: Lru<Observation>,
}

fn rfc3339(t: jiff::Timestamp) -> String {
    // metav1.Time marshals to whole seconds, UTC.
    jiff::Timestamp::from_second(t.as_second())
        .map(|s| s.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn text<'a>(event: &'a Value, pointer: &str) -> &'a str {
    event.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

impl Recorder {
    /// A recorder for `EventSource{Component: component}` (Flagger: `flagger`, no host).
    pub fn new(component: &str) -> Recorder {
        Recorder {
            component: component.into(),
            host: String::new(),
            spam: Lru::new(LRU_ENTRIES),
            aggregates: Lru::new(LRU_ENTRIES),
            observations: Lru::new(LRU_ENTRIES),
        }
    }

    /// client-go `tools/record/event.go`, `recorderImpl.makeEvent` + `generateEvent`.
    fn make_event(&self, e: &NewEvent, wall: jiff::Timestamp) -> Value {
        let now = rfc3339(wall);
        let namespace = if e.involved.namespace.is_empty() {
            "default"
        } else {
            &e.involved.namespace
        };
        json!({
            "apiVersion": "v1", "kind": "Event",
            // client-go `tools/record/util`, `GenerateEventName`.
            "metadata": {"name": format!("{}.{:x}", e.involved.name, wall.as_nanosecond()), "namespace": namespace},
            "involvedObject": reference_json(&e.involved),
            "reason": e.reason, "message": e.message,
            "source": {"component": self.component},
            "firstTimestamp": now, "lastTimestamp": now, "count": 1, "type": e.event_type,
            "eventTime": null,
            "reportingComponent": self.component, "reportingInstance": self.host,
        })
    }

    /// client-go `tools/record/events_cache.go`, `getEventKey`.
    fn event_key(&self, event: &Value) -> String {
        [
            text(event, "/source/component"),
            text(event, "/source/host"),
            text(event, "/involvedObject/kind"),
            text(event, "/involvedObject/namespace"),
            text(event, "/involvedObject/name"),
            text(event, "/involvedObject/fieldPath"),
            text(event, "/involvedObject/uid"),
            text(event, "/involvedObject/apiVersion"),
            text(event, "/type"),
            text(event, "/reason"),
            text(event, "/message"),
        ]
        .concat()
    }

    /// client-go `tools/record/events_cache.go`, `getSpamKey` (the type is part of it since
    /// Kubernetes 1.32).
    fn spam_key(event: &Value) -> String {
        [
            text(event, "/source/component"),
            text(event, "/source/host"),
            text(event, "/involvedObject/kind"),
            text(event, "/involvedObject/namespace"),
            text(event, "/involvedObject/name"),
            text(event, "/involvedObject/uid"),
            text(event, "/involvedObject/apiVersion"),
            text(event, "/type"),
        ]
        .concat()
    }

    /// client-go `tools/record/events_cache.go`, `EventAggregatorByReasonFunc`: (aggregate key,
    /// local key).
    fn aggregate_keys(event: &Value) -> (String, String) {
        let aggregate = [
            text(event, "/source/component"),
            text(event, "/source/host"),
            text(event, "/involvedObject/kind"),
            text(event, "/involvedObject/namespace"),
            text(event, "/involvedObject/name"),
            text(event, "/involvedObject/uid"),
            text(event, "/involvedObject/apiVersion"),
            text(event, "/type"),
            text(event, "/reason"),
            text(event, "/reportingComponent"),
            text(event, "/reportingInstance"),
        ]
        .concat();
        (aggregate, text(event, "/message").to_string())
    }

    /// client-go `tools/record/events_cache.go`, `EventAggregator.EventAggregate`: the event to
    /// write and its cache key.
    fn aggregate(&mut self, event: Value, now: Duration, wall: jiff::Timestamp) -> (Value, String) {
        let event_key = self.event_key(&event);
        let (aggregate_key, local_key) = Self::aggregate_keys(&event);
        let record = self.aggregates.get_or_add(&aggregate_key, || AggregateRecord {
            local_keys: BTreeSet::new(),
            last: now,
        });
        if now.saturating_sub(record.last) > AGGREGATE_INTERVAL {
            record.local_keys.clear();
        }
        record.local_keys.insert(local_key);
        record.last = now;
        if record.local_keys.len() < AGGREGATE_MAX_EVENTS {
            return (event, event_key);
        }
        // Upstream pops an arbitrary member (Go map order); the smallest keeps runs reproducible.
        record.local_keys.pop_first();
        let stamp = rfc3339(wall);
        let aggregate = json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {
                "name": format!("{}.{:x}", text(&event, "/involvedObject/name"), wall.as_nanosecond()),
                "namespace": text(&event, "/metadata/namespace"),
            },
            "count": 1, "firstTimestamp": stamp, "lastTimestamp": stamp,
            "involvedObject": event["involvedObject"],
            "message": format!("{COMBINED_PREFIX}{}", text(&event, "/message")),
            "type": event["type"], "reason": event["reason"], "source": event["source"],
            "eventTime": null, "reportingComponent": "", "reportingInstance": "",
        });
        (aggregate, aggregate_key)
    }

    /// client-go `tools/record/events_cache.go`, `eventLogger.eventObserve`.
    fn observe(&mut self, mut event: Value, key: &str) -> (Value, Option<Value>) {
        let mut patch = None;
        if let Some(last) = self.observations.get_mut(key).filter(|o| o.count > 0) {
            event["metadata"]["name"] = json!(last.name);
            if !last.resource_version.is_empty() {
                event["metadata"]["resourceVersion"] = json!(last.resource_version);
            }
            event["firstTimestamp"] = last.first_timestamp.clone();
            event["count"] = json!(last.count + 1);
            // The two-way patch against a copy without count, lastTimestamp and message.
            patch = Some(json!({
                "count": event["count"], "lastTimestamp": event["lastTimestamp"], "message": event["message"],
            }));
        }
        self.observations.add(
            key.to_string(),
            Observation {
                count: event["count"].as_i64().unwrap_or(1),
                first_timestamp: event["firstTimestamp"].clone(),
                name: text(&event, "/metadata/name").to_string(),
                resource_version: text(&event, "/metadata/resourceVersion").to_string(),
            },
        );
        (event, patch)
    }

    /// client-go `tools/record/events_cache.go`, `EventSourceObjectSpamFilter.Filter`: true when
    /// the event must be dropped.
    fn filtered(&mut self, event: &Value, now: Duration) -> bool {
        let bucket = self.spam.get_or_add(&Self::spam_key(event), || Bucket {
            tokens: SPAM_BURST,
            last: now,
        });
        let elapsed = now.saturating_sub(bucket.last).as_secs_f64();
        let tokens = (bucket.tokens + elapsed * SPAM_QPS).min(SPAM_BURST);
        // golang.org/x/time/rate `reserveN`: a refused take leaves the bucket as it was.
        if tokens >= 1.0 {
            bucket.tokens = tokens - 1.0;
            bucket.last = now.max(bucket.last);
            false
        } else {
            true
        }
    }

    /// Records one event at simulated time `now` (for the correlator's windows) and wall-clock
    /// `wall` (for names and timestamps); None when the spam filter drops it.
    pub fn record(&mut self, new: &NewEvent, now: Duration, wall: jiff::Timestamp) -> Option<Write> {
        let event = self.make_event(new, wall);
        let (event, key) = self.aggregate(event, now, wall);
        let (event, patch) = self.observe(event, &key);
        if self.filtered(&event, now) {
            return None;
        }
        Some(match patch {
            // client-go `tools/record/event.go`, `recordToSink`: PATCH when count > 1.
            Some(patch) if event["count"].as_i64().unwrap_or(1) > 1 => Write::Patch {
                name: text(&event, "/metadata/name").to_string(),
                patch,
                event: without_resource_version(event),
            },
            _ => Write::Create(without_resource_version(event)),
        })
    }

    /// client-go `tools/record/events_cache.go`, `eventLogger.updateState`: the server's answer
    /// becomes the observation under the answer's own key.
    pub fn update_state(&mut self, stored: &Value) {
        let key = self.event_key(stored);
        self.observations.add(
            key,
            Observation {
                count: stored["count"].as_i64().unwrap_or(1),
                first_timestamp: stored["firstTimestamp"].clone(),
                name: text(stored, "/metadata/name").to_string(),
                resource_version: text(stored, "/metadata/resourceVersion").to_string(),
            },
        );
    }
}

fn without_resource_version(mut event: Value) -> Value {
    if let Some(meta) = event.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("resourceVersion");
    }
    event
}

fn reference_json(r: &Reference) -> Value {
    let mut v = json!({"kind": r.kind, "namespace": r.namespace, "name": r.name, "uid": r.uid,
                       "apiVersion": r.api_version, "resourceVersion": r.resource_version});
    if let Some(map) = v.as_object_mut() {
        map.retain(|_, value| value.as_str().is_some_and(|s| !s.is_empty()));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canary_event(kind: &str, message: &str) -> NewEvent {
        NewEvent {
            involved: Reference {
                api_version: "flagger.app/v1beta1".into(),
                kind: "Canary".into(),
                namespace: "test".into(),
                name: "podinfo".into(),
                uid: "u-1".into(),
                resource_version: "7".into(),
            },
            event_type: kind.into(),
            reason: "Synced".into(),
            message: message.into(),
        }
    }

    fn wall(seconds: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn a_new_event_is_created_with_count_one() {
        let mut r = Recorder::new("flagger");
        let Some(Write::Create(e)) = r.record(
            &canary_event("Normal", "Initialization done! podinfo.test"),
            secs(0),
            wall(0),
        ) else {
            panic!("create expected");
        };
        assert_eq!(e["count"], 1);
        assert_eq!(e["source"]["component"], "flagger");
        assert_eq!(e["reportingComponent"], "flagger");
        assert_eq!(e["involvedObject"]["uid"], "u-1");
        assert_eq!(e["firstTimestamp"], e["lastTimestamp"]);
        assert!(e["metadata"]["name"].as_str().unwrap().starts_with("podinfo."));
    }

    #[test]
    fn an_identical_event_patches_the_same_event() {
        let mut r = Recorder::new("flagger");
        let msg = canary_event(
            "Warning",
            "podinfo-primary.test not ready: waiting for rollout to finish",
        );
        let Some(Write::Create(first)) = r.record(&msg, secs(0), wall(0)) else {
            panic!()
        };
        let mut stored = first.clone();
        stored["metadata"]["resourceVersion"] = json!("11");
        r.update_state(&stored);
        for n in 2..=4 {
            let Some(Write::Patch { name, patch, event }) = r.record(&msg, secs(n * 10), wall(n as i64 * 10)) else {
                panic!("patch expected")
            };
            assert_eq!(name, first["metadata"]["name"].as_str().unwrap());
            assert_eq!(patch["count"], n);
            assert_eq!(patch["lastTimestamp"], rfc3339(wall(n as i64 * 10)));
            assert_eq!(event["firstTimestamp"], first["firstTimestamp"]);
            assert!(patch.get("firstTimestamp").is_none());
        }
    }

    #[test]
    fn ten_distinct_messages_are_combined_into_one_event() {
        let mut r = Recorder::new("flagger");
        let mut writes = Vec::new();
        for i in 0..12 {
            let w = r.record(
                &canary_event("Normal", &format!("Advance podinfo.test canary weight {i}")),
                secs(i),
                wall(i as i64),
            );
            writes.push(w.unwrap());
        }
        for w in &writes[..9] {
            assert!(matches!(w, Write::Create(e) if !e["message"].as_str().unwrap().starts_with(COMBINED_PREFIX)));
        }
        let Write::Create(aggregate) = &writes[9] else {
            panic!("the 10th distinct message creates the aggregate: {:?}", writes[9])
        };
        assert_eq!(
            aggregate["message"],
            "(combined from similar events): Advance podinfo.test canary weight 9"
        );
        assert_eq!(aggregate["reportingComponent"], "");
        // Later distinct messages patch that same aggregate Event.
        let Write::Patch { name, patch, .. } = &writes[10] else {
            panic!("{:?}", writes[10])
        };
        assert_eq!(name, aggregate["metadata"]["name"].as_str().unwrap());
        assert_eq!(patch["count"], 2);
        assert_eq!(
            patch["message"],
            "(combined from similar events): Advance podinfo.test canary weight 10"
        );
        // Warnings are another group.
        assert!(matches!(
            r.record(&canary_event("Warning", "Halt"), secs(13), wall(13)),
            Some(Write::Create(_))
        ));
    }

    #[test]
    fn the_aggregation_window_restarts_after_ten_quiet_minutes() {
        let mut r = Recorder::new("flagger");
        for i in 0..9 {
            r.record(&canary_event("Normal", &format!("m{i}")), secs(i), wall(i as i64));
        }
        let later = secs(8 + 601);
        let Some(Write::Create(e)) = r.record(&canary_event("Normal", "m9"), later, wall(700)) else {
            panic!()
        };
        assert_eq!(e["message"], "m9");
    }

    #[test]
    fn the_spam_filter_allows_25_then_one_per_300_seconds() {
        let mut r = Recorder::new("flagger");
        let mut passed = 0;
        for i in 0..40 {
            // All identical: counts, no aggregation.
            if r.record(
                &canary_event("Normal", "skipping canary run as object is suspended"),
                secs(i),
                wall(i as i64),
            )
            .is_some()
            {
                passed += 1;
            }
        }
        assert_eq!(passed, 25);
        assert!(r.record(&canary_event("Normal", "x"), secs(100), wall(100)).is_none());
        // 300 s of refill since the bucket was last touched at t=39 → one token.
        let w = r.record(
            &canary_event("Normal", "skipping canary run as object is suspended"),
            secs(39 + 300),
            wall(339),
        );
        let Some(Write::Patch { patch, .. }) = w else {
            panic!("{w:?}")
        };
        // Dropped occurrences were still counted (the logger runs before the filter).
        assert_eq!(patch["count"], 41);
        assert!(r.record(&canary_event("Normal", "y"), secs(340), wall(340)).is_none());
        // Warnings have a bucket of their own.
        assert!(r.record(&canary_event("Warning", "w"), secs(340), wall(340)).is_some());
    }

    #[test]
    fn caches_forget_the_least_recent_key() {
        let mut lru = Lru::new(2);
        lru.add("a".into(), 1);
        lru.add("b".into(), 2);
        assert_eq!(lru.get_mut("a"), Some(&mut 1));
        lru.add("c".into(), 3);
        assert!(lru.get_mut("b").is_none(), "b was the least recent");
        assert_eq!(*lru.get_or_add("a", || 9), 1);
        assert_eq!(*lru.get_or_add("d", || 4), 4);
        assert!(lru.get_mut("c").is_none());
    }
}
