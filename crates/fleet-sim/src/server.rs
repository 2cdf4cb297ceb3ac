//! Serving a simulated cluster on 127.0.0.1, with the ability to become unreachable
//! (listener closed: connection refused; open connections cut) and to come back on the same port.
//!
//! Over TLS it speaks HTTP/2 or HTTP/1.1 as the client's ALPN chooses, as kube-apiserver does
//! (k8s.io/apiserver pkg/server/secure_serving.go: `tlsConfig` offers `NextProtos: h2,
//! http/1.1`; `Serve` configures Go's http2 server); plain HTTP is HTTP/1.1 only, as Go's
//! server without h2c. Each accepted TCP connection is counted, so tests can assert how many
//! connections a client opened.
//!
//! A connection with nothing in progress is closed after an idle timeout, 90 s unless the
//! cluster sets another ([`IdleTimeout`]), as kube-apiserver's Go server does: an HTTP/2
//! connection with no open stream gets a GOAWAY (NO_ERROR) and closes, an HTTP/1.1 keep-alive
//! connection waiting for its next request closes. A request whose response is still streaming
//! (a watch) keeps its connection busy, however long it lasts.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use http_body_util::BodyExt;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

use crate::auth::PeerCertificate;

pub struct LoopbackServer {
    pub addr: SocketAddr,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    runtime: tokio::runtime::Handle,
    stop: Option<watch::Sender<bool>>,
    counts: Arc<Counters>,
    idle_timeout: IdleTimeout,
}

/// kube-apiserver's idle timeout (k8s.io/apiserver pkg/server/secure_serving.go, `Serve`:
/// `IdleTimeout: 90 * time.Second`, which Go's HTTP/2 server also takes as its idle timeout).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// How long a connection may stay idle, shared by a cluster and its server (read each time a
/// connection goes idle, so a test can shorten it on a running server).
#[derive(Clone)]
pub struct IdleTimeout(Arc<AtomicU64>);

impl Default for IdleTimeout {
    fn default() -> Self {
        IdleTimeout(Arc::new(AtomicU64::new(DEFAULT_IDLE_TIMEOUT.as_millis() as u64)))
    }
}

impl IdleTimeout {
    pub fn set(&self, timeout: Duration) {
        self.0.store(timeout.as_millis() as u64, Ordering::SeqCst);
    }

    pub fn get(&self) -> Duration {
        Duration::from_millis(self.0.load(Ordering::SeqCst))
    }
}

/// Connections a server accepted since it started (over stops and resumes).
#[derive(Default)]
struct Counters {
    accepted: AtomicU64,
    http2: AtomicU64,
    idle_closed: AtomicU64,
}

/// What [`LoopbackServer::connections`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectionCounts {
    /// TCP connections accepted, whether or not their TLS handshake succeeded.
    pub accepted: u64,
    /// Those whose TLS handshake chose HTTP/2.
    pub http2: u64,
    /// Connections the server closed because they were idle.
    pub idle_closed: u64,
}

impl LoopbackServer {
    /// Binds 127.0.0.1:`port` (0: any free port) and starts serving; `listening: false` reserves
    /// the address without accepting (a cluster that is unreachable from the start).
    pub async fn start(
        router: Router,
        port: u16,
        listening: bool,
        tls: Option<Arc<rustls::ServerConfig>>,
        idle_timeout: IdleTimeout,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let mut server = LoopbackServer {
            addr,
            router,
            tls,
            runtime: tokio::runtime::Handle::current(),
            stop: None,
            counts: Arc::default(),
            idle_timeout,
        };
        if listening {
            server.spawn(listener);
        }
        Ok(server)
    }

    fn spawn(&mut self, listener: TcpListener) {
        let (stop_tx, stop_rx) = watch::channel(false);
        self.stop = Some(stop_tx);
        let acceptor = self.tls.clone().map(tokio_rustls::TlsAcceptor::from);
        self.runtime.spawn(accept_loop(
            listener,
            self.router.clone(),
            acceptor,
            stop_rx,
            self.counts.clone(),
            self.idle_timeout.clone(),
        ));
    }

    pub fn connections(&self) -> ConnectionCounts {
        ConnectionCounts {
            accepted: self.counts.accepted.load(Ordering::SeqCst),
            http2: self.counts.http2.load(Ordering::SeqCst),
            idle_closed: self.counts.idle_closed.load(Ordering::SeqCst),
        }
    }

    pub fn is_listening(&self) -> bool {
        self.stop.is_some()
    }

    /// Stops accepting and cuts every open connection.
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
    }

    /// Listens again on the same address.
    pub fn resume(&mut self) -> std::io::Result<()> {
        if self.stop.is_some() {
            return Ok(());
        }
        let std_listener = std::net::TcpListener::bind(self.addr)?;
        std_listener.set_nonblocking(true)?;
        let _guard = self.runtime.enter();
        let listener = TcpListener::from_std(std_listener)?;
        self.spawn(listener);
        Ok(())
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
    counts: Arc<Counters>,
    idle_timeout: IdleTimeout,
) {
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            connection = listener.accept() => {
                let Ok((stream, _)) = connection else { continue };
                counts.accepted.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                let mut stop = stop.clone();
                let acceptor = acceptor.clone();
                let counts = counts.clone();
                let idle_timeout = idle_timeout.clone();
                tokio::spawn(async move {
                    let serve = async {
                        match acceptor {
                            // A failed handshake (wrong CA on either side) just ends the connection.
                            Some(acceptor) => {
                                if let Ok(tls) = acceptor.accept(stream).await {
                                    serve_tls(tls, router, &counts, &idle_timeout).await;
                                }
                            }
                            None => {
                                let activity = Arc::new(Activity::default());
                                let service = TowerToHyperService::new(tracked(router, activity.clone()));
                                let connection = hyper::server::conn::http1::Builder::new()
                                    .serve_connection(TokioIo::new(stream), service);
                                serve_until_idle(connection, |c| c.graceful_shutdown(), &activity, &idle_timeout, &counts)
                                    .await;
                            }
                        }
                    };
                    tokio::select! {
                        _ = serve => {}
                        _ = stop.changed() => {}
                    }
                });
            }
        }
    }
}

/// kube-apiserver's HTTP/2 settings (k8s.io/apiserver pkg/server/secure_serving.go, `Serve`):
/// 256 KiB stream buffers and frames, 100 concurrent streams when
/// `--http2-max-streams-per-connection` is not set, and a connection buffer for all of them.
const H2_STREAM_BUFFER: u32 = 256 * 1024;
const H2_MAX_STREAMS: u32 = 100;

/// Serves one TLS connection with the protocol its ALPN chose; every request carries the
/// client certificate the handshake verified (see `auth`).
async fn serve_tls(
    tls: tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
    router: Router,
    counts: &Counters,
    idle_timeout: &IdleTimeout,
) {
    let (_, session) = tls.get_ref();
    let peer = session
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|cert| PeerCertificate(cert.to_vec()));
    let h2 = session.alpn_protocol() == Some(b"h2");
    let activity = Arc::new(Activity::default());
    let service = TowerToHyperService::new(tracked(router, activity.clone()).map_request(
        move |mut request: http::Request<hyper::body::Incoming>| {
            if let Some(peer) = &peer {
                request.extensions_mut().insert(peer.clone());
            }
            request
        },
    ));
    let io = TokioIo::new(tls);
    if h2 {
        counts.http2.fetch_add(1, Ordering::SeqCst);
        let connection = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
            .initial_stream_window_size(H2_STREAM_BUFFER)
            .initial_connection_window_size(H2_STREAM_BUFFER * H2_MAX_STREAMS)
            .max_frame_size(H2_STREAM_BUFFER)
            .max_concurrent_streams(H2_MAX_STREAMS)
            .serve_connection(io, service);
        serve_until_idle(connection, |c| c.graceful_shutdown(), &activity, idle_timeout, counts).await;
    } else {
        let connection = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
        serve_until_idle(connection, |c| c.graceful_shutdown(), &activity, idle_timeout, counts).await;
    }
}

/// What is in progress on one connection: HTTP/2 streams, or the HTTP/1.1 request being
/// answered. A request counts from its arrival until its response body ends (or the client
/// gives it up), as Go's HTTP/2 server counts a stream open until both sides closed it
/// (golang.org/x/net/http2/server.go: the idle timer runs only while `curOpenStreams() == 0`).
#[derive(Default)]
struct Activity {
    open: AtomicUsize,
    changed: Notify,
}

/// One request in progress; dropped with its response body.
struct InProgress(Arc<Activity>);

impl InProgress {
    fn begin(activity: &Arc<Activity>) -> InProgress {
        activity.open.fetch_add(1, Ordering::SeqCst);
        activity.changed.notify_waiters();
        InProgress(activity.clone())
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

impl Activity {
    /// Resolves once nothing has been in progress for `timeout` (read anew each time the
    /// connection goes idle).
    async fn idle_for(&self, timeout: &IdleTimeout) {
        loop {
            // Registered before the count is read: a change after the read still wakes us.
            let changed = self.changed.notified();
            if self.open.load(Ordering::SeqCst) == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(timeout.get()) => {
                        if self.open.load(Ordering::SeqCst) == 0 {
                            return;
                        }
                    }
                    _ = changed => {}
                }
            } else {
                changed.await;
            }
        }
    }
}

/// The router, counting each request in progress on `activity` until its response body ends.
fn tracked(
    router: Router,
    activity: Arc<Activity>,
) -> impl tower::Service<
    http::Request<hyper::body::Incoming>,
    Response = http::Response<Body>,
    Error = Infallible,
    Future = impl Future<Output = Result<http::Response<Body>, Infallible>> + Send,
> + Clone {
    tower::service_fn(move |request: http::Request<hyper::body::Incoming>| {
        let in_progress = InProgress::begin(&activity);
        let router = router.clone();
        async move {
            let response = router.oneshot(request).await?;
            Ok(response.map(|body| {
                Body::new(body.map_frame(move |frame| {
                    let _held = &in_progress;
                    frame
                }))
            }))
        }
    })
}

/// Serves `connection` until it ends, or until it has been idle for the idle timeout: then it
/// is shut down gracefully (hyper's HTTP/2 `graceful_shutdown` sends GOAWAY with NO_ERROR, as
/// Go's server does on its idle timer, golang.org/x/net/http2/server.go `onIdleTimer` →
/// `goAway(ErrCodeNo)`; an idle HTTP/1.1 connection is closed) and served to its end.
async fn serve_until_idle<C, T, E>(
    connection: C,
    shutdown: impl FnOnce(Pin<&mut C>),
    activity: &Activity,
    idle_timeout: &IdleTimeout,
    counts: &Counters,
) where
    C: Future<Output = Result<T, E>>,
{
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = activity.idle_for(idle_timeout) => {}
    }
    counts.idle_closed.fetch_add(1, Ordering::SeqCst);
    shutdown(connection.as_mut());
    let _ = connection.await;
}
