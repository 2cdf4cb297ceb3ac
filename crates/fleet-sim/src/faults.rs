//! Fault injection for one simulated cluster: latency, a failure rate for non-watch requests,
//! dropping open watch streams, and being unreachable.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;

pub struct Faults {
    latency_ms: AtomicU64,
    /// Extra delay of writes (anything but GET), to hold a write in flight.
    write_latency_ms: AtomicU64,
    /// Failure probability in millionths, so it fits an atomic.
    failure_ppm: AtomicU64,
    failure_code: AtomicU64,
    unreachable: AtomicBool,
    /// How many upcoming writes answer 409 Conflict, as if another writer got there first.
    write_conflicts: AtomicU64,
    /// Reads (GET) of named objects of one resource (its plural) fail with this code.
    failing_reads: Mutex<Option<(String, u16)>>,
    rng: Mutex<u64>,
    drop_watches: watch::Sender<u64>,
    /// Reads and writes currently held by the injected latency: what a test waits on to act
    /// while a request is in flight, instead of sleeping.
    held_reads: AtomicU64,
    held_writes: AtomicU64,
}

impl Default for Faults {
    fn default() -> Self {
        let (drop_watches, _) = watch::channel(0);
        Faults {
            latency_ms: AtomicU64::new(0),
            write_latency_ms: AtomicU64::new(0),
            failure_ppm: AtomicU64::new(0),
            failure_code: AtomicU64::new(500),
            unreachable: AtomicBool::new(false),
            write_conflicts: AtomicU64::new(0),
            failing_reads: Mutex::new(None),
            rng: Mutex::new(0x2545_f491_4f6c_dd1d),
            drop_watches,
            held_reads: AtomicU64::new(0),
            held_writes: AtomicU64::new(0),
        }
    }
}

impl Faults {
    pub fn set_latency(&self, latency: Duration) {
        self.latency_ms.store(latency.as_millis() as u64, Ordering::Relaxed);
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    pub fn set_write_latency(&self, latency: Duration) {
        self.write_latency_ms
            .store(latency.as_millis() as u64, Ordering::Relaxed);
    }

    pub fn write_latency(&self) -> Duration {
        Duration::from_millis(self.write_latency_ms.load(Ordering::Relaxed))
    }

    /// Non-watch requests fail with `code` (500, 503, 429…) with this probability (0.0–1.0).
    pub fn set_failure_rate(&self, rate: f64, code: u16) {
        self.failure_ppm
            .store((rate.clamp(0.0, 1.0) * 1_000_000.0) as u64, Ordering::Relaxed);
        self.failure_code.store(code as u64, Ordering::Relaxed);
    }

    /// Every GET of a named object of resource `plural` fails with `code` (500, 503…) until
    /// cleared with `None`; the rest of the cluster answers. A cluster that serves one request
    /// and not the next: what a plan that reads and then dry-runs can meet.
    pub fn set_failing_reads(&self, failing: Option<(&str, u16)>) {
        *self.failing_reads.lock().unwrap_or_else(|p| p.into_inner()) = failing.map(|(p, c)| (p.to_string(), c));
    }

    /// The code a GET of a named object of `plural` fails with, if it does.
    pub fn read_failure(&self, plural: &str) -> Option<u16> {
        self.failing_reads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .filter(|(p, _)| p == plural)
            .map(|(_, code)| *code)
    }

    /// Decides whether this request fails; returns the status code to fail with.
    pub fn roll_failure(&self) -> Option<u16> {
        let ppm = self.failure_ppm.load(Ordering::Relaxed);
        if ppm == 0 {
            return None;
        }
        let mut state = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        // xorshift64: deterministic, dependency-free, good enough for fault injection.
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        ((*state % 1_000_000) < ppm).then(|| self.failure_code.load(Ordering::Relaxed) as u16)
    }

    /// The next `count` writes to named objects that carry a `resourceVersion` (PUT, PATCH, or
    /// DELETE with a precondition) race another writer: the object changes just before the
    /// write is handled, so the write's version is stale and the API server answers 409
    /// Conflict, as it does for real. Writes without a version (server-side apply, plain merge
    /// patches) are not conditional: they never conflict this way, and use none up.
    pub fn set_write_conflicts(&self, count: u64) {
        self.write_conflicts.store(count, Ordering::SeqCst);
    }

    /// Whether a conditional write is one of the conflicting ones (uses one up).
    pub fn take_write_conflict(&self) -> bool {
        self.write_conflicts
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    pub fn set_unreachable(&self, unreachable: bool) {
        self.unreachable.store(unreachable, Ordering::SeqCst);
        if unreachable {
            self.drop_watches();
        }
    }

    pub fn is_unreachable(&self) -> bool {
        self.unreachable.load(Ordering::SeqCst)
    }

    /// Ends every open watch stream (clients see the stream close and re-watch).
    pub fn drop_watches(&self) {
        self.drop_watches.send_modify(|n| *n += 1);
    }

    pub fn watch_drops(&self) -> watch::Receiver<u64> {
        self.drop_watches.subscribe()
    }
}

/// The annotation the simulated concurrent writer touches, and its field manager.
pub const CONCURRENT_WRITE_ANNOTATION: &str = "sim.kurator.dev/concurrent-write";
pub const CONCURRENT_WRITER: &str = "sim-concurrent-writer";

/// The `resourceVersion` a write is conditional on, if any: `metadata.resourceVersion` of a PUT
/// or of a merge/strategic/apply patch body. (DELETE preconditions and JSON patches that set
/// the version are not checked by the simulator's store, so they are not raced either.)
// kube-apiserver: staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go, func
// (*Store) Update: a non-empty resourceVersion in the (patched) object must equal the stored one.
pub fn write_precondition(method: &http::Method, body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok().or_else(|| {
        std::str::from_utf8(body)
            .ok()
            .and_then(|t| serde_saphyr::from_str(t).ok())
    })?;
    let text = |v: Option<&serde_json::Value>| {
        v.and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    match method.as_str() {
        "PUT" | "PATCH" => text(value.pointer("/metadata/resourceVersion")),
        _ => None,
    }
}

/// With a conflict injected and a conditional write to a stored object, another writer changes
/// that object first (an annotation, as field manager [`CONCURRENT_WRITER`]), so the write's
/// resourceVersion is stale for real and the API server's own check answers 409.
pub fn race_write(
    core: &crate::core::ClusterCore,
    method: &http::Method,
    path: &crate::api::route::ResourcePath,
    body: &[u8],
) {
    let Some(name) = path.name.as_deref() else {
        return;
    };
    if !matches!(*method, http::Method::PUT | http::Method::PATCH)
        || path.subresource.as_deref() == Some("proxy")
        || write_precondition(method, body).is_none()
    {
        return;
    }
    let Some(t) = core.type_of(&path.group, &path.version, &path.plural) else {
        return;
    };
    let ns = path.namespace.as_deref();
    if core.get(&t, ns, name).is_err() || !core.faults.take_write_conflict() {
        return;
    }
    let touch = serde_json::json!({"metadata": {"annotations": {
        CONCURRENT_WRITE_ANNOTATION: uuid::Uuid::new_v4().simple().to_string()
    }}});
    let opts = crate::core::WriteOptions {
        field_manager: Some(CONCURRENT_WRITER.into()),
        ..Default::default()
    };
    let _ = core.patch(&t, ns, name, crate::patch::PatchKind::Merge, &touch, false, &opts);
}

impl Faults {
    /// Counts a request as held (by injected latency) until the guard drops.
    pub fn hold(&self, write: bool) -> Held<'_> {
        let counter = if write { &self.held_writes } else { &self.held_reads };
        counter.fetch_add(1, Ordering::SeqCst);
        Held(counter)
    }

    /// GET requests being held by injected latency right now.
    pub fn held_reads(&self) -> u64 {
        self.held_reads.load(Ordering::SeqCst)
    }

    /// Requests other than GET being held by injected latency right now.
    pub fn held_writes(&self) -> u64 {
        self.held_writes.load(Ordering::SeqCst)
    }
}

/// A request held by injected latency; see [`Faults::hold`].
pub struct Held<'a>(&'a AtomicU64);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preconditions_are_read_from_every_kind_of_write() {
        use http::Method;
        let pre = |m: Method, body: &str| write_precondition(&m, body.as_bytes());
        assert_eq!(
            pre(Method::PUT, r#"{"metadata":{"resourceVersion":"7"}}"#).as_deref(),
            Some("7")
        );
        assert_eq!(
            pre(Method::PATCH, r#"{"metadata":{"resourceVersion":"7"},"spec":{}}"#).as_deref(),
            Some("7")
        );
        assert_eq!(pre(Method::PATCH, r#"{"spec":{"suspend":true}}"#), None);
        assert_eq!(
            pre(Method::PATCH, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
            None
        );
        assert_eq!(
            pre(Method::PATCH, r#"[{"op":"replace","path":"/spec/x","value":"9"}]"#),
            None
        );
        assert_eq!(
            pre(Method::DELETE, r#"{"preconditions":{"resourceVersion":"3"}}"#),
            None
        );
    }

    #[test]
    fn failure_rate_is_roughly_honoured() {
        let f = Faults::default();
        assert!(f.roll_failure().is_none());
        f.set_failure_rate(0.5, 503);
        let failures = (0..10_000).filter(|_| f.roll_failure().is_some()).count();
        assert!((4000..6000).contains(&failures), "{failures}");
        f.set_failure_rate(1.0, 503);
        assert_eq!(f.roll_failure(), Some(503));
    }

    #[test]
    fn write_conflicts_are_used_up() {
        let f = Faults::default();
        assert!(!f.take_write_conflict());
        f.set_write_conflicts(2);
        assert!(f.take_write_conflict());
        assert!(f.take_write_conflict());
        assert!(!f.take_write_conflict());
    }
}
