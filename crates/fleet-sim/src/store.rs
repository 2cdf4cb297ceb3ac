//! Object storage of one simulated cluster: one resourceVersion counter, a bounded event history
//! for watch replay, and a broadcast of every change to open watches.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::broadcast;

use crate::resource::ResKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One committed write, as watches see it.
#[derive(Debug)]
pub struct Change {
    pub rv: u64,
    pub res: ResKey,
    pub namespace: Option<String>,
    pub kind: EventType,
    pub object: Arc<Value>,
    /// The object before the write, so a selector-filtered watch can tell an object leaving its
    /// selection (sent as DELETED) from one entering it (sent as ADDED), as the API server does.
    pub old: Option<Arc<Value>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub res: ResKey,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectKey {
    pub fn new(res: ResKey, namespace: Option<&str>, name: &str) -> Self {
        ObjectKey {
            res,
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
        }
    }
}

/// What a mutation decided to do with one object.
pub enum Mutation {
    Put(Value),
    Delete,
    /// Nothing changed: no new resourceVersion, no event (a no-op write on a real server).
    Unchanged,
}

const HISTORY_CAPACITY: usize = 20_000;

struct Inner {
    rv: u64,
    objects: BTreeMap<ObjectKey, Arc<Value>>,
    history: VecDeque<Arc<Change>>,
    /// Events at or below this resourceVersion are no longer replayable (410 Expired).
    floor: u64,
}

pub struct Store {
    inner: Mutex<Inner>,
    tx: broadcast::Sender<Arc<Change>>,
}

/// Start of a watch: events to replay, then the live receiver (subscribed under the same lock,
/// so nothing falls between the two).
pub struct Subscription {
    pub replay: Vec<Arc<Change>>,
    pub live: broadcast::Receiver<Arc<Change>>,
    pub current_rv: u64,
}

pub struct Expired {
    pub requested: u64,
    pub oldest: u64,
}

impl Default for Store {
    fn default() -> Self {
        // Changes not yet taken by every live subscriber. A watch that falls this far behind
        // is ended and its client re-watches from its resourceVersion (the history serves it),
        // as kube-apiserver terminates a watcher that cannot take an event (k8s.io/apiserver
        // pkg/storage/cacher/cache_watcher.go, `cacheWatcher.add`). The channel's slots are
        // allocated up front: 1024 of them keep an idle cluster small (16384 cost 2 MB each).
        let (tx, _) = broadcast::channel(1_024);
        Store {
            inner: Mutex::new(Inner {
                rv: 1,
                objects: BTreeMap::new(),
                history: VecDeque::new(),
                floor: 1,
            }),
            tx,
        }
    }
}

/// The objects of a resource, in one namespace or all.
fn matching(inner: &Inner, res: &ResKey, namespace: Option<&str>) -> Vec<Arc<Value>> {
    inner
        .objects
        .iter()
        .filter(|(k, _)| &k.res == res && (namespace.is_none() || k.namespace.as_deref() == namespace))
        .map(|(_, v)| v.clone())
        .collect()
}

impl Store {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    pub fn get(&self, key: &ObjectKey) -> Option<Arc<Value>> {
        self.lock().objects.get(key).cloned()
    }

    /// All objects of a resource, in one namespace or all, with the resourceVersion of the list.
    pub fn list(&self, res: &ResKey, namespace: Option<&str>) -> (Vec<Arc<Value>>, u64) {
        let inner = self.lock();
        (matching(&inner, res, namespace), inner.rv)
    }

    /// The objects of a resource as they were at resourceVersion `at`, rebuilt from the current
    /// state by undoing every later change in the history, as an etcd range read at a revision.
    /// `at` below the compacted floor is `Expired`; `at` at or above the current resourceVersion
    /// reads the current state.
    pub fn list_at(&self, res: &ResKey, namespace: Option<&str>, at: u64) -> Result<Vec<Arc<Value>>, Expired> {
        let inner = self.lock();
        if at < inner.floor {
            return Err(Expired {
                requested: at,
                oldest: inner.floor,
            });
        }
        let mut objects: BTreeMap<ObjectKey, Arc<Value>> = inner
            .objects
            .iter()
            .filter(|(k, _)| &k.res == res && (namespace.is_none() || k.namespace.as_deref() == namespace))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for change in inner.history.iter().rev().take_while(|c| c.rv > at) {
            if &change.res != res || (namespace.is_some() && change.namespace.as_deref() != namespace) {
                continue;
            }
            let name = change
                .object
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let key = ObjectKey::new(change.res.clone(), change.namespace.as_deref(), name);
            match &change.old {
                Some(old) => objects.insert(key, old.clone()),
                None => objects.remove(&key),
            };
        }
        Ok(objects.into_values().collect())
    }

    /// The oldest resourceVersion a read or watch can still be served at.
    pub fn floor(&self) -> u64 {
        self.lock().floor
    }

    /// Names of every namespace that holds at least one object (used when deleting a namespace).
    pub fn keys_in_namespace(&self, namespace: &str) -> Vec<ObjectKey> {
        self.lock()
            .objects
            .keys()
            .filter(|k| k.namespace.as_deref() == Some(namespace))
            .cloned()
            .collect()
    }

    pub fn keys_of(&self, res: &ResKey) -> Vec<ObjectKey> {
        self.lock().objects.keys().filter(|k| &k.res == res).cloned().collect()
    }

    /// Read-modify-write of one object under the store lock. `decide` sees the current object and
    /// the resourceVersion the write will get; the store stamps `metadata.resourceVersion`.
    pub fn mutate<E>(
        &self,
        key: &ObjectKey,
        decide: impl FnOnce(Option<&Value>, u64) -> Result<Mutation, E>,
    ) -> Result<Option<Arc<Value>>, E> {
        let mut inner = self.lock();
        let old = inner.objects.get(key).cloned();
        let next_rv = inner.rv + 1;
        match decide(old.as_deref(), next_rv)? {
            Mutation::Unchanged => Ok(old),
            Mutation::Put(mut obj) => {
                obj["metadata"]["resourceVersion"] = Value::String(next_rv.to_string());
                let obj = Arc::new(obj);
                inner.rv = next_rv;
                inner.objects.insert(key.clone(), obj.clone());
                let kind = if old.is_some() {
                    EventType::Modified
                } else {
                    EventType::Added
                };
                self.record(&mut inner, key, kind, obj.clone(), old);
                Ok(Some(obj))
            }
            Mutation::Delete => {
                let Some(old) = old else { return Ok(None) };
                inner.rv = next_rv;
                inner.objects.remove(key);
                // The DELETED event carries the object at the deletion's resourceVersion.
                let mut gone = (*old).clone();
                gone["metadata"]["resourceVersion"] = Value::String(next_rv.to_string());
                let gone = Arc::new(gone);
                self.record(&mut inner, key, EventType::Deleted, gone.clone(), Some(old));
                Ok(Some(gone))
            }
        }
    }

    fn record(&self, inner: &mut Inner, key: &ObjectKey, kind: EventType, object: Arc<Value>, old: Option<Arc<Value>>) {
        let change = Arc::new(Change {
            rv: inner.rv,
            res: key.res.clone(),
            namespace: key.namespace.clone(),
            kind,
            object,
            old,
        });
        inner.history.push_back(change.clone());
        while inner.history.len() > HISTORY_CAPACITY {
            if let Some(dropped) = inner.history.pop_front() {
                inner.floor = dropped.rv;
            }
        }
        // No receivers is normal (nobody watching).
        let _ = self.tx.send(change);
    }

    /// Subscribe to changes after `since` (None: from now, the caller lists the current state).
    pub fn subscribe(&self, since: Option<u64>) -> Result<Subscription, Expired> {
        let inner = self.lock();
        let replay = match since {
            None => Vec::new(),
            Some(rv) => {
                if rv < inner.floor {
                    return Err(Expired {
                        requested: rv,
                        oldest: inner.floor,
                    });
                }
                inner.history.iter().filter(|c| c.rv > rv).cloned().collect()
            }
        };
        Ok(Subscription {
            replay,
            live: self.tx.subscribe(),
            current_rv: inner.rv,
        })
    }

    /// The current objects of a resource and a live subscription from exactly that point.
    pub fn snapshot_and_subscribe(&self, res: &ResKey, namespace: Option<&str>) -> (Vec<Arc<Value>>, Subscription) {
        let inner = self.lock();
        (
            matching(&inner, res, namespace),
            Subscription {
                replay: Vec::new(),
                live: self.tx.subscribe(),
                current_rv: inner.rv,
            },
        )
    }

    /// Forget the replayable history, as etcd compaction does: any watch from an older
    /// resourceVersion then gets 410 Expired.
    pub fn compact(&self) {
        let mut inner = self.lock();
        inner.history.clear();
        inner.floor = inner.rv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(name: &str) -> ObjectKey {
        ObjectKey::new(ResKey::new("", "configmaps"), Some("default"), name)
    }

    #[test]
    fn writes_bump_rv_and_unchanged_does_not() {
        let store = Store::default();
        let rv0 = store.current_rv();
        let obj = store
            .mutate::<()>(&key("a"), |_, _| Ok(Mutation::Put(json!({"metadata": {"name": "a"}}))))
            .unwrap()
            .unwrap();
        assert_eq!(obj["metadata"]["resourceVersion"], (rv0 + 1).to_string());
        store.mutate::<()>(&key("a"), |_, _| Ok(Mutation::Unchanged)).unwrap();
        assert_eq!(store.current_rv(), rv0 + 1);
    }

    #[test]
    fn replay_and_expiry() {
        let store = Store::default();
        for n in ["a", "b", "c"] {
            store
                .mutate::<()>(&key(n), |_, _| Ok(Mutation::Put(json!({"metadata": {"name": n}}))))
                .unwrap();
        }
        let sub = store.subscribe(Some(2)).ok().unwrap();
        assert_eq!(sub.replay.len(), 2);
        store.compact();
        assert!(store.subscribe(Some(2)).is_err());
        assert!(store.subscribe(Some(store.current_rv())).is_ok());
    }

    #[test]
    fn list_at_an_older_revision() {
        let store = Store::default();
        let res = ResKey::new("", "configmaps");
        let put = |n: &str, v: &str| {
            store
                .mutate::<()>(&key(n), |_, _| {
                    Ok(Mutation::Put(json!({"metadata": {"name": n}, "data": {"v": v}})))
                })
                .unwrap();
        };
        put("a", "1");
        put("b", "1");
        let at = store.current_rv();
        put("a", "2");
        put("c", "1");
        store.mutate::<()>(&key("b"), |_, _| Ok(Mutation::Delete)).unwrap();
        let then = store.list_at(&res, Some("default"), at).ok().unwrap();
        let seen: Vec<(String, String)> = then
            .iter()
            .map(|o| {
                (
                    o["metadata"]["name"].as_str().unwrap().into(),
                    o["data"]["v"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(seen, vec![("a".into(), "1".into()), ("b".into(), "1".into())]);
        assert_eq!(store.list_at(&res, None, store.current_rv()).ok().unwrap().len(), 2);
        store.compact();
        assert!(store.list_at(&res, None, at).is_err());
    }
}
