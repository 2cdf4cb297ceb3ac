//! The HTTP server: the page and its assets, the state stream (server-sent events), a canary's
//! detail, and (unless read-only) the plan and execute endpoints. Every request passes the
//! Host check first; reads need the token, writes the token and the page's own Origin.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::actions::{ExecuteRequest, PlanRequest, Plans, Target, verb_named};
use super::feed::{Feed, detail};
use super::security::{Guard, Refusal, TOKEN_HEADER, new_token};
use crate::engine::actions::{ExecuteOptions, execute, plan_for};
use crate::engine::live::LiveFleet;
use crate::fleet::source::FleetSource;
use crate::invocation::ConfirmPolicy;
use crate::model::canary::CanaryId;
use crate::model::update::Scope;

/// A message at least this often, so the page can tell a quiet fleet from a dead stream.
const HEARTBEAT: Duration = Duration::from_secs(5);

/// Updates arriving this close together go to the page as one message (a relist, a tick that
/// touches many canaries), so a large fleet is not redrawn per object.
const COALESCE: Duration = Duration::from_millis(100);

const PAGE: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/app.css");

pub struct Options {
    pub address: IpAddr,
    /// 0: any free port.
    pub port: u16,
    pub read_only: bool,
    /// The CLI's confirmation policy: the page asks what the verb would ask.
    pub confirm: ConfirmPolicy,
    pub cluster_timeout: Duration,
}

/// A running dashboard; dropping it stops the server and its watch.
pub struct Dashboard {
    /// The URL to open, with this run's token in the fragment.
    pub url: String,
    pub address: SocketAddr,
    server: tokio::task::JoinHandle<()>,
    /// How many actions are under way.
    running: tokio::sync::watch::Receiver<usize>,
}

impl Dashboard {
    /// Waits for the actions under way to end (a step cut short could leave a gate open), or
    /// for a second Ctrl-C/SIGTERM; says so when there are any.
    pub async fn finish_actions(&self) {
        let under_way = *self.running.borrow();
        if under_way == 0 {
            return;
        }
        eprintln!("waiting for {under_way} action(s) under way to finish (Ctrl-C again to exit now)");
        let mut running = self.running.clone();
        tokio::select! {
            _ = running.wait_for(|n| *n == 0) => {}
            _ = crate::interrupt::until_stopped() => {
                eprintln!("exiting: an action cut short may have left a gate open; check with get and re-run it");
            }
        }
    }
}

/// Counts an action as under way while it lives.
struct UnderWay(tokio::sync::watch::Sender<usize>);

impl UnderWay {
    fn new(counter: &tokio::sync::watch::Sender<usize>) -> UnderWay {
        counter.send_modify(|n| *n += 1);
        UnderWay(counter.clone())
    }
}

impl Drop for UnderWay {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        self.server.abort();
    }
}

struct App {
    guard: Guard,
    live: LiveFleet,
    source: FleetSource,
    plans: Mutex<Plans>,
    options: Options,
    /// What the page watches, said in its header (`namespace test`, `all namespaces`, …).
    scope: String,
    /// How many actions are under way (see [`Dashboard::finish_actions`]).
    running: tokio::sync::watch::Sender<usize>,
}

/// Binds, starts the watch of `scope` and serves until dropped.
pub async fn start(source: FleetSource, scope: &Scope, options: Options) -> anyhow::Result<Dashboard> {
    let listener = tokio::net::TcpListener::bind((options.address, options.port))
        .await
        .with_context(|| {
            format!(
                "listening on {}:{} (another process has that port? choose one with --port, or --port 0 for any)",
                options.address, options.port
            )
        })?;
    let address = listener.local_addr()?;
    let guard = Guard::new(address, new_token()?);
    let url = guard.url();
    let app = Arc::new(App {
        guard,
        live: LiveFleet::watch(&source, scope),
        source,
        plans: Mutex::new(Plans::default()),
        options,
        scope: describe(scope),
        running: tokio::sync::watch::Sender::new(0),
    });
    let running = app.running.subscribe();
    let router = routes(app);
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("dashboard: the server stopped: {e}");
        }
    });
    Ok(Dashboard {
        url,
        address,
        server,
        running,
    })
}

fn describe(scope: &Scope) -> String {
    let mut parts = vec![match &scope.namespace {
        Some(ns) => format!("namespace {ns}"),
        None => "all namespaces".to_string(),
    }];
    if let Some(name) = &scope.name {
        parts.push(format!("canary {name}"));
    }
    if let Some(labels) = &scope.labels {
        parts.push(format!("-l {labels}"));
    }
    parts.join(", ")
}

fn routes(app: Arc<App>) -> Router {
    let mut router = Router::new()
        .route("/", get(|| async { asset(PAGE, "text/html; charset=utf-8") }))
        .route(
            "/app.js",
            get(|| async { asset(SCRIPT, "text/javascript; charset=utf-8") }),
        )
        .route("/app.css", get(|| async { asset(STYLE, "text/css; charset=utf-8") }))
        .route("/api/events", get(events))
        .route("/api/detail", get(canary_detail));
    // Read-only: the action endpoints do not exist (404), not merely refuse.
    if !app.options.read_only {
        router = router
            .route("/api/plan", post(plan))
            .route("/api/execute", post(carry_out));
    }
    router
        .layer(middleware::from_fn_with_state(app.clone(), host_and_headers))
        .with_state(app)
}

fn asset(text: &'static str, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], text).into_response()
}

fn header_text(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Every request: the Host check (DNS rebinding), then headers that keep the page from being
/// framed by another site (clickjacking the action buttons), from loading anything but its own
/// assets, and from sending a Referer anywhere.
async fn host_and_headers(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    if !app.guard.host_allowed(header_text(request.headers(), header::HOST)) {
        return refuse(Refusal::ForeignHost);
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed = [
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn refuse(refusal: Refusal) -> Response {
    failure(StatusCode::FORBIDDEN, refusal.message())
}

fn failure(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({"error": message.into()}))).into_response()
}

#[derive(Deserialize)]
struct Read {
    token: Option<String>,
    #[serde(default)]
    cluster: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    name: String,
}

fn now_seconds() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The state stream: `hello` (what is watched, whether actions exist), a `delta` with every
/// row, then a `delta` per change and a `tick` every [`HEARTBEAT`]; each carries the server's
/// time, which the page measures ages against.
async fn events(State(app): State<Arc<App>>, headers: HeaderMap, Query(read): Query<Read>) -> Response {
    if let Err(refusal) = app
        .guard
        .check_read(header_text(&headers, header::HOST), read.token.as_deref())
    {
        return refuse(refusal);
    }
    let (tx, rx) = mpsc::channel::<Event>(16);
    tokio::spawn(feed_page(app, tx));
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|event| (Ok::<_, Infallible>(event), rx))
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

async fn send(tx: &mpsc::Sender<Event>, name: &str, mut data: Value) -> Result<(), ()> {
    data["now"] = now_seconds().into();
    tx.send(Event::default().event(name).data(data.to_string()))
        .await
        .map_err(|_| ())
}

/// One page's subscription to the watch, until the page goes away.
async fn feed_page(app: Arc<App>, tx: mpsc::Sender<Event>) -> Result<(), ()> {
    let mut subscription = app.live.subscribe();
    let hello = json!({
        "readOnly": app.options.read_only, "scope": app.scope, "seenFrom": app.live.seen_from(),
        "clusters": subscription.state().clusters,
    });
    send(&tx, "hello", hello).await?;
    let mut feed = Feed::default();
    let (state, rows) = subscription.view();
    let first = feed.snapshot(state, rows);
    send(&tx, "delta", first).await?;
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    heartbeat.tick().await;
    loop {
        tokio::select! {
            changed = subscription.changed() => {
                if !changed {
                    return send(&tx, "ended", json!({"error": "the dashboard's watch of the fleet ended"})).await;
                }
                tokio::time::sleep(COALESCE).await;
                subscription.catch_up();
                let (state, rows) = subscription.view();
                if let Some(delta) = feed.delta(state, rows) {
                    send(&tx, "delta", delta).await?;
                }
            }
            _ = heartbeat.tick() => send(&tx, "tick", json!({})).await?,
            _ = tx.closed() => return Ok(()),
        }
    }
}

/// One canary in depth (`get`'s detail) with the images of its primary and canary, as watched.
async fn canary_detail(State(app): State<Arc<App>>, headers: HeaderMap, Query(read): Query<Read>) -> Response {
    if let Err(refusal) = app
        .guard
        .check_read(header_text(&headers, header::HOST), read.token.as_deref())
    {
        return refuse(refusal);
    }
    let id = CanaryId::new(&read.cluster, &read.namespace, &read.name);
    let Some(mut shown) = app.live.read(|state| detail(state, &id, now_seconds())) else {
        return failure(
            StatusCode::NOT_FOUND,
            format!("{} in {}: no such canary in the dashboard's view", id, id.cluster),
        );
    };
    // The row's images come from the Deployments the watch holds, no read; unknown is null.
    for image in ["primaryImage", "canaryImage"] {
        if shown.get(image).is_none() {
            shown[image] = Value::Null;
        }
    }
    axum::Json(shown).into_response()
}

/// A write's checks: Host, token header, Origin (403); then its JSON body (400).
fn writable<T: serde::de::DeserializeOwned>(
    app: &App,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, (StatusCode, String)> {
    app.guard
        .check_write(
            header_text(headers, header::HOST),
            header_text(headers, header::ORIGIN),
            header_text(headers, TOKEN_HEADER),
        )
        .map_err(|refusal| (StatusCode::FORBIDDEN, refusal.message().to_string()))?;
    serde_json::from_slice(body).map_err(|e| (StatusCode::BAD_REQUEST, format!("the request body: {e}")))
}

/// Plans an action for the chosen rows (or every canary shown), from a fresh read, and holds
/// the plan for the page's confirmation.
async fn plan(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let request: PlanRequest = match writable(&app, &headers, &body) {
        Ok(request) => request,
        Err((status, message)) => return failure(status, message),
    };
    let Some(verb) = verb_named(&request.verb) else {
        return failure(StatusCode::BAD_REQUEST, format!("unknown action {:?}", request.verb));
    };
    // Only canaries the dashboard shows (its targets, namespace, name and labels): a request
    // naming any other is refused, not carried out beyond what the person started it for.
    let shown: Vec<CanaryId> = app
        .live
        .subscribe()
        .state()
        .rows()
        .iter()
        .filter(|r| r.found())
        .map(CanaryId::of)
        .collect();
    let targets: Vec<CanaryId> = if request.all {
        shown
    } else {
        let asked: Vec<CanaryId> = request.targets.iter().map(Target::id).collect();
        let outside: Vec<String> = asked
            .iter()
            .filter(|id| !shown.contains(id))
            .map(|id| format!("{id} in {}", id.cluster))
            .collect();
        if !outside.is_empty() {
            return failure(
                StatusCode::BAD_REQUEST,
                format!("not shown by this dashboard: {}", outside.join(", ")),
            );
        }
        asked
    };
    if targets.is_empty() {
        return failure(StatusCode::BAD_REQUEST, "no canary to act on");
    }
    let planned = plan_for(&app.source, verb, &targets, app.options.cluster_timeout).await;
    let shown =
        app.plans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .hold(planned, &app.options.confirm, Instant::now());
    axum::Json(shown).into_response()
}

/// Carries out a held plan once the page sent the confirming answer; the result rows go back.
async fn carry_out(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let request: ExecuteRequest = match writable(&app, &headers, &body) {
        Ok(request) => request,
        Err((status, message)) => return failure(status, message),
    };
    let taken =
        app.plans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take(request.plan, &request.answer, Instant::now());
    let plan = match taken {
        Ok(plan) => plan,
        Err(refused) => return failure(StatusCode::CONFLICT, refused.message()),
    };
    // Its own task: a page closed mid-way must not cut a step short (a gate opened and never
    // closed again would let later steps pass by themselves); counted, so that stopping the
    // dashboard waits for it too.
    let acting = app.clone();
    let under_way = UnderWay::new(&app.running);
    let running = tokio::spawn(async move {
        let _under_way = under_way;
        let options = ExecuteOptions {
            timeout: crate::tui::actions::VERB_TIMEOUT,
            cluster_timeout: acting.options.cluster_timeout,
            keep_skip: false,
            interrupt: None,
        };
        let rows = execute(&acting.source, &plan, options).await;
        for row in &rows {
            let outcome = row
                .error
                .as_ref()
                .map_or_else(|| row.result.clone(), |e| format!("failed: {e}"));
            eprintln!(
                "dashboard: {} {} {}: {outcome}",
                plan.verb.name(),
                row.cluster,
                row.canary
            );
        }
        rows
    });
    match running.await {
        Ok(rows) => axum::Json(json!({"rows": rows})).into_response(),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, format!("the action stopped: {e}")),
    }
}
