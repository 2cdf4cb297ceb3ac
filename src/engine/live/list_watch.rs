//! One kind in one cluster, listed and then watched: the loop of client-go's Reflector
//! (k8s.io/client-go tools/cache/reflector.go, `ListAndWatch`) as kube-runtime's `watcher`
//! ports it (kube-runtime src/watcher.rs, `step_trampolined`), event for event:
//!
//! - `Init`, then each listed object as `InitApply` (pages of 500, as client-go's pager), then
//!   `InitDone`; the list is a quorum read (no resourceVersion: `ListSemantic::MostRecent`).
//! - A watch from the list's resourceVersion: ADDED and MODIFIED are `Apply`, DELETED is
//!   `Delete`; every object and BOOKMARK moves the version a resumed watch starts from.
//! - A watch that ends (the server's `timeoutSeconds`, a dropped connection, nothing heard for
//!   the timeout and a margin) is resumed from that version, without a relist. An ERROR event
//!   410 Gone (the version was compacted away) relists.
//! - After an error, the next step waits: 0.8 s doubling to 30 s with jitter, back to 0.8 s
//!   once 120 s pass without an error (kube-runtime `DefaultBackoff`).
//!
//! Why not kube's own watcher: memory at a thousand clusters. Its watch stream reads lines
//! through tokio-util's `FramedRead`, whose 8 KB buffer stays allocated for the life of the
//! watch, and its state machine is boxed besides: four watches a cluster made 30 MB of a
//! 200 MB follow. Here a line is parsed straight out of the body's frame it arrived in; only
//! a line split across frames is copied, into a buffer freed as soon as the line is whole.
//! An idle watch holds its request's body and the version it would resume from.

use std::time::{Duration, Instant};

use bytes::{Buf, Bytes};
use http_body_util::BodyExt;
use kube::api::{Api, ListParams, ObjectList, WatchParams};
use kube::core::{Request, Status, WatchEvent};
use kube::runtime::watcher::{Error, Event};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;

/// kube-runtime watcher.rs `WATCH_IDLE_TIMEOUT_MARGIN`: a watch silent this long past its
/// `timeoutSeconds` is taken for dead (a half-open connection) and resumed.
const IDLE_MARGIN: Duration = Duration::from_secs(5);
/// kube-core `WatchParams::populate_qp`'s default, which kube's watcher sends.
const WATCH_TIMEOUT_SECONDS: u32 = 290;
/// client-go tools/pager/pager.go `defaultPageSize`.
const PAGE_SIZE: u32 = 500;

/// What to list and watch: a field and a label selector, as `kubectl get --field-selector
/// --selector` takes them.
#[derive(Debug, Clone, Default)]
pub struct Selectors {
    pub fields: Option<String>,
    pub labels: Option<String>,
}

impl Selectors {
    pub fn fields(fields: impl Into<String>) -> Selectors {
        Selectors {
            fields: Some(fields.into()),
            labels: None,
        }
    }
}

/// See the module documentation. [`ListWatch::next`] gives the next event, forever (errors
/// included: the caller decides what a failure means for its rows).
pub struct ListWatch<K> {
    client: Client,
    /// The kind's collection (`Api::resource_url`): what is kept of the `Api` (a quarter of
    /// its size).
    url: String,
    selectors: Selectors,
    state: State<K>,
    backoff: Backoff,
    /// The last step ended in an error: the next one waits first.
    failed: bool,
}

enum State<K> {
    /// Nothing listed yet, or a relist is due.
    Empty,
    /// A page is being handed out; `continue_token` fetches the next, `version` is the list's
    /// (the last page's) resourceVersion.
    Listing {
        objects: std::vec::IntoIter<K>,
        continue_token: Option<String>,
        version: Option<String>,
    },
    /// Listed or resumed: a watch from `version` is to be started.
    Listed {
        version: String,
    },
    Watching {
        version: String,
        lines: Lines,
    },
}

impl<K> ListWatch<K>
where
    K: Resource + DeserializeOwned + Clone + std::fmt::Debug + Send + 'static,
{
    pub fn new(api: Api<K>, selectors: Selectors) -> ListWatch<K> {
        ListWatch {
            url: api.resource_url().to_string(),
            client: api.into_client(),
            selectors,
            state: State::Empty,
            backoff: Backoff::new(),
            failed: false,
        }
    }

    /// Lists again at the next step: what is held may miss deletions (a watch that failed in
    /// a way its resumption would not repair).
    pub fn relist(&mut self) {
        self.state = State::Empty;
    }

    pub async fn next(&mut self) -> Result<Event<K>, Error> {
        if std::mem::take(&mut self.failed) {
            tokio::time::sleep(self.backoff.next_pause()).await;
        }
        let item = loop {
            if let Some(item) = self.step().await {
                break item;
            }
        };
        self.failed = item.is_err();
        item
    }

    /// [`ListWatch::next`], or None as soon as no one listens on `tx` any more (the watch was
    /// dropped: its request ends now, not at the next change it would have carried).
    pub async fn next_unless_closed<T>(
        &mut self,
        tx: &tokio::sync::mpsc::Sender<T>,
    ) -> Option<Result<Event<K>, Error>> {
        tokio::select! {
            item = self.next() => Some(item),
            _ = tx.closed() => None,
        }
    }

    /// One step of the loop (kube-runtime `step_trampolined`): an event, or None when the
    /// state moved on without one.
    async fn step(&mut self) -> Option<Result<Event<K>, Error>> {
        match std::mem::replace(&mut self.state, State::Empty) {
            State::Empty => {
                self.state = State::Listing {
                    objects: Vec::new().into_iter(),
                    continue_token: None,
                    version: None,
                };
                Some(Ok(Event::Init))
            }
            State::Listing {
                mut objects,
                continue_token,
                version,
            } => {
                if let Some(object) = objects.next() {
                    self.state = State::Listing {
                        objects,
                        continue_token,
                        version,
                    };
                    return Some(Ok(Event::InitApply(object)));
                }
                if continue_token.is_none()
                    && let Some(version) = version
                {
                    self.state = State::Listed { version };
                    return Some(Ok(Event::InitDone));
                }
                let params = ListParams {
                    label_selector: self.selectors.labels.clone(),
                    field_selector: self.selectors.fields.clone(),
                    limit: Some(PAGE_SIZE),
                    continue_token,
                    ..Default::default()
                };
                // Boxed, as is starting a watch: a task's future is as large as the largest
                // it awaits, for as long as it lives, and a list is awaited once while the
                // watch is idle for hours (a thousand clusters' four watches: 12 MB).
                match Box::pin(list_page::<K>(&self.client, &self.url, &params)).await {
                    Ok(list) => {
                        let version = list.metadata.resource_version.filter(|v| !v.is_empty());
                        let continue_token = list.metadata.continue_.filter(|c| !c.is_empty());
                        if version.is_none() && continue_token.is_none() {
                            return Some(Err(Error::NoResourceVersion));
                        }
                        self.state = State::Listing {
                            objects: list.items.into_iter(),
                            continue_token,
                            version,
                        };
                        None
                    }
                    Err(e) => Some(Err(Error::InitialListFailed(e))),
                }
            }
            State::Listed { version } => {
                match Box::pin(start_watch(&self.client, &self.url, &self.selectors, &version)).await {
                    Ok(lines) => {
                        self.state = State::Watching { version, lines };
                        None
                    }
                    Err(e) => {
                        // A version the server no longer has, refused outright rather than as
                        // an ERROR event: only a relist can go on (client-go reflector.go,
                        // `watch`: `isExpiredError` ends the watch loop and `ListAndWatch`
                        // lists afresh). Anything else retries the watch from the same version.
                        if !matches!(&e, kube::Error::Api(status) if status.code == 410) {
                            self.state = State::Listed { version };
                        }
                        Some(Err(Error::WatchStartFailed(e)))
                    }
                }
            }
            State::Watching { version, mut lines } => {
                let idle = Duration::from_secs(WATCH_TIMEOUT_SECONDS.into()) + IDLE_MARGIN;
                let line = match tokio::time::timeout(idle, lines.next()).await {
                    Ok(Some(Ok(line))) => line,
                    // A body that failed is done (kube-client reads it through a `FramedRead`,
                    // which ends after an error): resumed, after the error is told.
                    Ok(Some(Err(e))) => {
                        self.state = State::Listed { version };
                        return Some(Err(Error::WatchFailed(e)));
                    }
                    // Ended or silent too long: resumed from the version last seen.
                    Ok(None) | Err(_) => {
                        self.state = State::Listed { version };
                        return None;
                    }
                };
                self.watched(version, lines, &line)
            }
        }
    }

    /// One line of a watch (kube-client `Client::request_events` and the watcher's
    /// `State::Watching` arm).
    fn watched(&mut self, version: String, lines: Lines, line: &[u8]) -> Option<Result<Event<K>, Error>> {
        let event = match serde_json::from_slice::<WatchEvent<K>>(line) {
            Ok(event) => event,
            // An empty line (a proxy's keep-alive) is nothing, as for kube-client's
            // `request_events`, which skips a line that ends before a value does.
            Err(e) if e.is_eof() => {
                self.state = State::Watching { version, lines };
                return None;
            }
            Err(e) => {
                self.state = State::Watching { version, lines };
                // Not an event: an error response carried as a Status, or garbage.
                return Some(Err(match serde_json::from_slice::<Status>(line) {
                    Ok(status) => Error::WatchFailed(kube::Error::Api(status.boxed())),
                    Err(_) => Error::WatchFailed(kube::Error::SerdeError(e)),
                }));
            }
        };
        let (object, apply) = match event {
            WatchEvent::Added(object) | WatchEvent::Modified(object) => (object, true),
            WatchEvent::Deleted(object) => (object, false),
            WatchEvent::Bookmark(bookmark) => {
                self.state = State::Watching {
                    version: bookmark.metadata.resource_version,
                    lines,
                };
                return None;
            }
            WatchEvent::Error(status) => {
                // 410 Gone: the version is compacted away, only a relist can go on.
                if status.code != 410 {
                    self.state = State::Watching { version, lines };
                }
                return Some(Err(Error::WatchError(status)));
            }
        };
        match object.meta().resource_version.clone().filter(|v| !v.is_empty()) {
            Some(version) => {
                self.state = State::Watching { version, lines };
                Some(Ok(if apply {
                    Event::Apply(object)
                } else {
                    Event::Delete(object)
                }))
            }
            None => Some(Err(Error::NoResourceVersion)),
        }
    }
}

/// One page of the list.
async fn list_page<K: DeserializeOwned + Clone>(
    client: &Client,
    url: &str,
    params: &ListParams,
) -> Result<ObjectList<K>, kube::Error> {
    let request = Request::new(url).list(params).map_err(kube::Error::BuildRequest)?;
    client.request(request).await
}

/// A watch from `version` (its request holds no reference to the [`ListWatch`], whose
/// body is not `Sync`).
async fn start_watch(client: &Client, url: &str, selectors: &Selectors, version: &str) -> Result<Lines, kube::Error> {
    let params = WatchParams {
        label_selector: selectors.labels.clone(),
        field_selector: selectors.fields.clone(),
        timeout: Some(WATCH_TIMEOUT_SECONDS),
        bookmarks: true,
        ..Default::default()
    };
    let request = Request::new(url)
        .watch(&params, version)
        .map_err(kube::Error::BuildRequest)?;
    let response = client.send(request.map(kube::client::Body::from)).await?;
    let status = response.status();
    if status.is_success() {
        return Ok(Lines::new(response.into_body()));
    }
    // kube-client client/mod.rs `handle_api_errors`: the body is a Status, or text from
    // something in front of the API server.
    let body = response.into_body().collect().await?.to_bytes();
    Err(kube::Error::Api(
        match serde_json::from_slice::<Status>(&body) {
            Ok(parsed) => parsed,
            Err(_) => Status::failure(String::from_utf8_lossy(&body).trim(), "Failed to parse error data")
                .with_code(status.as_u16()),
        }
        .boxed(),
    ))
}

/// The lines of a watch's body. A line is parsed from the frame it arrived in; one split
/// across frames is gathered in `split`, which is freed once the line is whole.
struct Lines<B = kube::client::Body> {
    body: B,
    /// The rest of the frame being read.
    frame: Bytes,
    split: Vec<u8>,
}

impl<B: http_body::Body<Data = Bytes, Error = kube::Error> + Unpin> Lines<B> {
    fn new(body: B) -> Lines<B> {
        Lines {
            body,
            frame: Bytes::new(),
            split: Vec::new(),
        }
    }

    /// The next whole line (without its newline), or None once the body ends. An unfinished
    /// line at the end is dropped, as kube-client drops it (`request_events`: an EOF error
    /// from the JSON parser). A body ended by a dropped connection ends the lines too: the
    /// watch is resumed (kube-client treats the EOF a broken stream reports the same way).
    async fn next(&mut self) -> Option<Result<Bytes, kube::Error>> {
        loop {
            if let Some(end) = self.frame.iter().position(|b| *b == b'\n') {
                let mut line = self.frame.split_to(end + 1);
                line.truncate(end);
                if self.split.is_empty() {
                    return Some(Ok(line));
                }
                self.split.extend_from_slice(&line);
                return Some(Ok(Bytes::from(std::mem::take(&mut self.split))));
            }
            if self.frame.has_remaining() {
                self.split.extend_from_slice(&self.frame);
                self.frame = Bytes::new();
            }
            match self.body.frame().await? {
                Ok(frame) => {
                    if let Ok(data) = frame.into_data() {
                        self.frame = data;
                    }
                }
                Err(e) if ends_the_stream(&e) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// kube-client client/mod.rs `request_events`: an unexpected EOF (a TLS stack's nested
/// `io::Error`, or the chunk decoder's message) is how a watch the server or a proxy cut off
/// ends; it is resumed, not reported.
fn ends_the_stream(error: &kube::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::UnexpectedEof
        {
            return true;
        }
        source = e.source();
    }
    error.to_string().contains("unexpected EOF during chunk")
}

/// kube-runtime `DefaultBackoff`: 0.8 s doubling to 30 s, each pause jittered, reset after
/// 120 s without a pause.
struct Backoff {
    next: Duration,
    last: Option<Instant>,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(800);
    const MAX: Duration = Duration::from_secs(30);
    const RESET_AFTER: Duration = Duration::from_secs(120);

    fn new() -> Backoff {
        Backoff {
            next: Backoff::FIRST,
            last: None,
        }
    }

    fn next_pause(&mut self) -> Duration {
        let now = Instant::now();
        if self
            .last
            .is_some_and(|last| now.duration_since(last) > Backoff::RESET_AFTER)
        {
            self.next = Backoff::FIRST;
        }
        self.last = Some(now);
        let pause = self.next;
        self.next = (self.next * 2).min(Backoff::MAX);
        // Full jitter between half the pause and the pause: a thousand watches of one hub
        // that failed together do not retry together.
        pause.mul_f64(0.5 + fastrand::f64() / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Frames = http_body_util::StreamBody<
        futures::stream::Iter<std::vec::IntoIter<Result<http_body::Frame<Bytes>, kube::Error>>>,
    >;

    fn body_of(frames: &[&'static str]) -> Frames {
        let chunks: Vec<_> = frames
            .iter()
            .map(|f| Ok(http_body::Frame::data(Bytes::from_static(f.as_bytes()))))
            .collect();
        http_body_util::StreamBody::new(futures::stream::iter(chunks))
    }

    async fn lines_of(frames: &[&'static str]) -> Vec<String> {
        let mut lines = Lines::new(body_of(frames));
        let mut out = Vec::new();
        while let Some(line) = lines.next().await {
            out.push(String::from_utf8(line.unwrap().to_vec()).unwrap());
        }
        out
    }

    #[tokio::test]
    async fn lines_are_cut_across_and_within_frames_and_an_unfinished_one_is_dropped() {
        assert_eq!(
            lines_of(&["{\"a\":1}\n{\"b\"", ":2}\n", "{\"c\":3}\n{\"d\":4}\n", "{\"e\""]).await,
            ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}", "{\"d\":4}"]
        );
        assert_eq!(lines_of(&["{\"a\"", ":", "1}", "\n"]).await, ["{\"a\":1}"]);
        assert!(lines_of(&[]).await.is_empty());
    }

    #[tokio::test]
    async fn a_line_split_across_frames_leaves_no_buffer_behind() {
        let mut lines = Lines::new(body_of(&["{\"a\"", ":1}\n"]));
        lines.next().await.unwrap().unwrap();
        assert_eq!((lines.split.capacity(), lines.frame.len()), (0, 0));
    }

    type Kept = super::super::kept::Kept;

    /// A client whose server answers the requests in order from `script` (status, body) and
    /// records each request's path and query.
    fn scripted(script: Vec<(u16, String)>) -> (Client, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let script = std::sync::Arc::new(std::sync::Mutex::new(std::collections::VecDeque::from(script)));
        let seen = asked.clone();
        let service = tower::service_fn(move |request: http::Request<kube::client::Body>| {
            seen.lock().unwrap().push(request.uri().to_string());
            let answer = script.lock().unwrap().pop_front();
            async move {
                let (status, body) = answer.ok_or_else(|| std::io::Error::other("nothing scripted"))?;
                Ok::<_, std::io::Error>(
                    http::Response::builder()
                        .status(status)
                        .body(kube::client::Body::from(body.into_bytes()))
                        .unwrap(),
                )
            }
        });
        (Client::new(service, "default"), asked)
    }

    fn canaries(client: Client) -> Api<Kept> {
        let resource = kube::api::ApiResource {
            group: "flagger.app".into(),
            version: "v1beta1".into(),
            api_version: "flagger.app/v1beta1".into(),
            kind: "Canary".into(),
            plural: "canaries".into(),
        };
        Api::namespaced_with(client, "test", &resource)
    }

    fn list(version: &str, names: &[&str]) -> (u16, String) {
        let items: Vec<_> = names
            .iter()
            .map(|n| serde_json::json!({"metadata": {"name": n, "namespace": "test", "resourceVersion": "1"}}))
            .collect();
        let list = serde_json::json!({"kind": "CanaryList", "metadata": {"resourceVersion": version}, "items": items});
        (200, list.to_string())
    }

    fn gone() -> serde_json::Value {
        serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Expired",
            "message": "too old resource version", "code": 410})
    }

    /// What each event is, shortly.
    fn told(item: Result<Event<Kept>, Error>) -> String {
        match item {
            Ok(Event::Init) => "init".into(),
            Ok(Event::InitApply(o)) => format!("listed {}", o.name()),
            Ok(Event::InitDone) => "listed".into(),
            Ok(Event::Apply(o)) => format!("apply {} at {}", o.name(), o.meta().resource_version.clone().unwrap()),
            Ok(Event::Delete(o)) => format!("delete {}", o.name()),
            Err(Error::WatchError(status)) => format!("watch error {}", status.code),
            Err(Error::WatchStartFailed(kube::Error::Api(status))) => format!("watch refused {}", status.code),
            Err(Error::WatchStartFailed(_)) => "watch start failed".into(),
            Err(e) => format!("other error {e}"),
        }
    }

    #[tokio::test]
    async fn lists_then_watches_resumes_from_bookmarks_and_relists_after_410() {
        // Two retry pauses (about 0.8 and 1.6 s) pass for real: this build has no paused clock.
        let watch_lines = [
            // An empty line is nothing; a bookmark moves the version the watch resumes from.
            r#"{"type":"ADDED","object":{"metadata":{"name":"b","namespace":"test","resourceVersion":"11"}}}"#,
            "",
            r#"{"type":"BOOKMARK","object":{"kind":"Canary","apiVersion":"flagger.app/v1beta1","metadata":{"resourceVersion":"15"}}}"#,
            r#"{"type":"DELETED","object":{"metadata":{"name":"a","namespace":"test","resourceVersion":"16"}}}"#,
        ]
        .join("\n")
            + "\n";
        let (client, asked) = scripted(vec![
            list("10", &["a"]),
            (200, watch_lines),
            // The resumed watch: the version is gone, told as an ERROR event.
            (
                200,
                format!("{}\n", serde_json::json!({"type": "ERROR", "object": gone()})),
            ),
            list("20", &[]),
            // Refused outright this time.
            (410, gone().to_string()),
            list("30", &["c"]),
        ]);
        let mut watch = ListWatch::new(canaries(client), Selectors::fields("metadata.name=a"));
        let mut seen = Vec::new();
        for _ in 0..13 {
            seen.push(told(watch.next().await));
        }
        assert_eq!(
            seen,
            [
                "init",
                "listed a",
                "listed",
                "apply b at 11",
                "delete a",
                "watch error 410",
                "init",
                "listed",
                "watch refused 410",
                "init",
                "listed c",
                "listed",
                // The next watch finds no server (nothing more scripted).
                "watch start failed",
            ]
        );
        let asked = asked.lock().unwrap();
        let query = |i: usize| asked[i].split_once('?').map(|(_, q)| q.to_string()).unwrap_or_default();
        assert!(query(0).contains("fieldSelector=metadata.name%3Da") && query(0).contains("limit=500"));
        assert!(!query(0).contains("watch"), "a list first: {}", query(0));
        for (i, version) in [(1, "10"), (2, "16"), (4, "20")] {
            assert!(query(i).contains("watch=true"), "{}", query(i));
            assert!(query(i).contains(&format!("resourceVersion={version}")), "{}", query(i));
            assert!(query(i).contains("allowWatchBookmarks=true") && query(i).contains("timeoutSeconds=290"));
        }
        assert!(
            !query(3).contains("watch") && !query(5).contains("watch"),
            "relists: {asked:?}"
        );
    }

    #[tokio::test]
    async fn an_idle_watch_is_small() {
        // What a watching task holds between events: the watch, and the future of its next
        // event, which is as large as the largest future it may await.
        let api: Api<super::super::kept::Kept> = Api::all_with(
            Client::new(
                tower::service_fn(|_: http::Request<kube::client::Body>| async {
                    Err::<http::Response<kube::client::Body>, std::io::Error>(std::io::Error::other("no server"))
                }),
                "default",
            ),
            &kube::api::ApiResource::erase::<k8s_openapi::api::core::v1::Event>(&()),
        );
        let mut watch = ListWatch::new(api, Selectors::default());
        let (tx, _rx) = tokio::sync::mpsc::channel::<()>(1);
        let next = watch.next_unless_closed(&tx);
        // 1968 bytes before the list and the watch's start were boxed (a debug build).
        assert!(std::mem::size_of_val(&next) < 1024, "{}", std::mem::size_of_val(&next));
        drop(next);
        // With the `Api` kept whole, 576.
        assert!(std::mem::size_of_val(&watch) < 400, "{}", std::mem::size_of_val(&watch));
    }

    #[test]
    fn pauses_double_to_thirty_seconds_with_jitter() {
        let mut backoff = Backoff::new();
        let pauses: Vec<Duration> = (0..8).map(|_| backoff.next_pause()).collect();
        for (pause, full) in pauses.iter().zip([0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0, 30.0]) {
            let full = Duration::from_secs_f64(full);
            assert!(*pause >= full / 2 && *pause <= full, "{pause:?} for {full:?}");
        }
    }
}
