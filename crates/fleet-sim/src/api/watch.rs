//! Watch streams: newline-delimited JSON events from a resourceVersion, with selector
//! filtering, bookmarks, 410 Expired for compacted history, timeouts, and injected drops.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use crate::core::ClusterCore;
use crate::meta::labels_of;
use crate::resource::ResourceType;
use crate::selector::{FieldSelector, LabelSelector};
use crate::store::{Change, EventType};
use crate::table;

pub struct WatchParams {
    pub resource_version: Option<String>,
    pub labels: LabelSelector,
    pub fields: FieldSelector,
    pub timeout: Option<Duration>,
    pub bookmarks: bool,
    pub send_initial_events: bool,
    pub as_table: bool,
}

struct Filter {
    t: ResourceType,
    /// The type whose columns a Table event uses (see `super::table_type`).
    table_t: ResourceType,
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
    as_table: bool,
}

impl Filter {
    fn matches(&self, obj: &Value) -> bool {
        self.labels.matches(&labels_of(obj)) && self.fields.matches(obj)
    }

    fn line(&self, event: &str, obj: &Value) -> Bytes {
        let object = if self.as_table {
            table::table(&self.table_t, &[&ClusterCore::present(&self.table_t, obj)], 0, true)
        } else {
            ClusterCore::present(&self.t, obj)
        };
        let mut text = json!({"type": event, "object": object}).to_string();
        text.push('\n');
        Bytes::from(text)
    }

    /// The event (if any) a change produces for this watch.
    fn translate(&self, change: &Change) -> Option<Bytes> {
        if change.res != self.t.key() || (self.namespace.is_some() && change.namespace != self.namespace) {
            return None;
        }
        let now = self.matches(&change.object);
        let before = change.old.as_deref().is_some_and(|o| self.matches(o));
        let event = match change.kind {
            EventType::Added if now => "ADDED",
            EventType::Modified if now && before => "MODIFIED",
            EventType::Modified if now => "ADDED",
            EventType::Modified if before => "DELETED",
            EventType::Deleted if before || now => "DELETED",
            _ => return None,
        };
        Some(self.line(event, &change.object))
    }
}

fn bookmark_line(t: &ResourceType, rv: u64, initial_end: bool) -> Bytes {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    let mut text =
        json!({"type": "BOOKMARK", "object": {"apiVersion": t.api_version(), "kind": t.kind, "metadata": meta}})
            .to_string();
    text.push('\n');
    Bytes::from(text)
}

fn expired_line(requested: u64, oldest: u64) -> Bytes {
    let status = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": format!("too old resource version: {requested} ({oldest})"),
        "reason": "Expired", "code": 410
    });
    let mut text = json!({"type": "ERROR", "object": status}).to_string();
    text.push('\n');
    Bytes::from(text)
}

pub fn respond(core: Arc<ClusterCore>, t: ResourceType, namespace: Option<String>, params: WatchParams) -> Response {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(512);
    let filter = Filter {
        table_t: super::table_type(&core, &t),
        t,
        namespace,
        labels: params.labels,
        fields: params.fields,
        as_table: params.as_table,
    };
    tokio::spawn(stream_events(
        core,
        filter,
        params.resource_version,
        params.timeout,
        params.bookmarks,
        params.send_initial_events,
        tx,
    ));
    Response::builder()
        .status(200)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::CACHE_CONTROL, "no-cache, private")
        .body(Body::from_stream(ReceiverStream::new(rx)))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// kube-apiserver's `defaultBookmarkFrequency` (cacher.go).
const BOOKMARK_FREQUENCY: Duration = Duration::from_secs(60);

/// When the next bookmark is due, for a watch with `left` until its deadline: after
/// `frequency`, or 2 s before the deadline when that comes first (cache_watcher.go,
/// `nextBookmarkTime`); never a bookmark after the deadline.
fn next_bookmark_after(frequency: Duration, left: Duration) -> Duration {
    let before_deadline = left.saturating_sub(Duration::from_secs(2));
    if before_deadline.is_zero() {
        // Too close to the deadline: the stream ends first.
        return left + Duration::from_secs(1);
    }
    frequency.min(before_deadline)
}

async fn stream_events(
    core: Arc<ClusterCore>,
    filter: Filter,
    resource_version: Option<String>,
    timeout: Option<Duration>,
    bookmarks: bool,
    send_initial_events: bool,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    let mut drops = core.faults.watch_drops();
    drops.borrow_and_update();
    let from = resource_version
        .as_deref()
        .filter(|rv| !rv.is_empty() && *rv != "0")
        .and_then(|rv| rv.parse::<u64>().ok());
    let send = |bytes: Bytes| {
        let tx = tx.clone();
        async move { tx.send(Ok(bytes)).await.is_ok() }
    };
    let (mut live, mut last_rv) = match from {
        None => {
            let (objects, sub) = core
                .store
                .snapshot_and_subscribe(&filter.t.key(), filter.namespace.as_deref());
            for obj in objects.iter().filter(|o| filter.matches(o)) {
                if !send(filter.line("ADDED", obj)).await {
                    return;
                }
            }
            if send_initial_events && !send(bookmark_line(&filter.t, sub.current_rv, true)).await {
                return;
            }
            (sub.live, sub.current_rv)
        }
        Some(rv) => match core.store.subscribe(Some(rv)) {
            Err(expired) => {
                let _ = send(expired_line(expired.requested, expired.oldest)).await;
                return;
            }
            Ok(sub) => {
                let mut last = rv;
                for change in &sub.replay {
                    last = change.rv;
                    if let Some(line) = filter.translate(change)
                        && !send(line).await
                    {
                        return;
                    }
                }
                if send_initial_events && !send(bookmark_line(&filter.t, sub.current_rv.max(last), true)).await {
                    return;
                }
                (sub.live, last)
            }
        },
    };
    let lifetime = timeout.unwrap_or(Duration::from_secs(3600 * 24));
    let deadline = tokio::time::sleep(lifetime);
    tokio::pin!(deadline);
    // kube-apiserver's cacher sends a watcher that allows bookmarks one every
    // `defaultBookmarkFrequency` (a minute, wall-clock: staging/src/k8s.io/apiserver/pkg/storage/
    // cacher/cacher.go), and one 2 s before the watch's deadline so that the client resumes
    // from a fresh version (cache_watcher.go, `nextBookmarkTime`). Not more often: every
    // bookmark is a message to every watch of every client.
    let mut next_bookmark = tokio::time::Instant::now() + next_bookmark_after(BOOKMARK_FREQUENCY, lifetime);
    let started = tokio::time::Instant::now();
    loop {
        tokio::select! {
            _ = &mut deadline => return,
            _ = drops.changed() => return,
            _ = tx.closed() => return,
            _ = tokio::time::sleep_until(next_bookmark), if bookmarks => {
                if !send(bookmark_line(&filter.t, last_rv, false)).await {
                    return;
                }
                let left = lifetime.saturating_sub(started.elapsed());
                next_bookmark = tokio::time::Instant::now() + next_bookmark_after(BOOKMARK_FREQUENCY, left);
            }
            received = live.recv() => match received {
                Ok(change) => {
                    if change.rv <= last_rv {
                        continue;
                    }
                    last_rv = change.rv;
                    if let Some(line) = filter.translate(&change)
                        && !send(line).await {
                            return;
                        }
                }
                // Too far behind or the cluster is gone: end the stream; the client re-watches
                // from its last resourceVersion and the history replays what it missed.
                Err(broadcast::error::RecvError::Lagged(_)) | Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}

#[cfg(test)]
mod bookmark_tests {
    use std::time::Duration;

    use super::next_bookmark_after;

    #[test]
    fn bookmarks_come_every_minute_and_just_before_the_deadline() {
        let minute = Duration::from_secs(60);
        // A long watch: every minute.
        assert_eq!(next_bookmark_after(minute, Duration::from_secs(3600)), minute);
        // A watch of kube's default 290 s after four bookmarks: 2 s before its deadline.
        assert_eq!(
            next_bookmark_after(minute, Duration::from_secs(50)),
            Duration::from_secs(48)
        );
        // Within 2 s of the deadline: none before the stream ends.
        assert!(next_bookmark_after(minute, Duration::from_secs(1)) > Duration::from_secs(1));
    }
}
