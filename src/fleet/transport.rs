//! One connection per cluster: HTTP/2 when the API server offers it, as kubectl does.
//!
//! kube-apiserver offers `h2` and `http/1.1` by ALPN (k8s.io/apiserver
//! pkg/server/secure_serving.go, `tlsConfig`), and kubectl's Go transport takes `h2`, then
//! multiplexes every request and watch of the cluster over that one TLS connection. kube-client's
//! own stack (kube-client src/client/builder.rs, `make_generic_builder`) enables HTTP/1.1 only,
//! so every concurrent request opens a connection of its own; this module replaces its
//! transport, keeping its layers (base URI, auth, extra headers: `ConfigExt`).
//!
//! Two hyper clients share one TLS connector that offers `h2, http/1.1`:
//! - `multiplexed` speaks HTTP/2 only. hyper-util's pool lets one HTTP/2 connection be
//!   established per host at a time and makes concurrent requests wait for it (hyper-util
//!   src/client/legacy/client.rs, `connect_to`: the "connecting lock"), so the first requests
//!   of a command, sent at once, share one handshake. (An ALPN-negotiating client would start
//!   a connection per concurrent request and only learn afterwards that one was enough.)
//! - `fallback` is used once a server answered the handshake without `h2` (an HTTP/1.1-only
//!   server or proxy), and for plain `http://` servers (no ALPN: Go's client too speaks
//!   HTTP/1.1 there). That server costs one extra connection, once per process.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http::{Request, Response, Uri};
use hyper::body::Incoming;
use hyper_rustls::{FixedServerNameResolver, HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connection, HttpConnector};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use kube::Config;
use kube::client::{Body, ConfigExt};
use tokio_rustls::rustls::pki_types::ServerName;
use tower::{BoxError, Service};

use super::error::{ClusterError, chain};
use super::retry::clone_request;

/// Go's HTTP/2 client windows (golang.org/x/net/http2/transport.go,
/// `transportDefaultStreamFlow` and `transportDefaultConnFlow`): a large list arrives without
/// waiting for window updates, which on a WAN link cost a round trip each.
const STREAM_WINDOW: u32 = 4 << 20;
const CONNECTION_WINDOW: u32 = 1 << 30;

type Https = HttpsConnector<HttpConnector>;

/// See the module documentation. Shared: the client stack is cloned for every request (a
/// retry sends a copy of it) and every request's future holds it, so a clone is a pointer,
/// not two hyper clients (at a thousand clusters' start-up, 8000 requests in flight at once).
#[derive(Clone)]
pub struct Transport(Arc<Connections>);

struct Connections {
    multiplexed: Client<RequireHttp2<Https>, Body>,
    fallback: Client<Https, Body>,
    /// Set once the server answered a handshake without `h2` (or speaks plain HTTP).
    http1_only: Arc<AtomicBool>,
    /// The last failure to establish the HTTP/2 connection, and when it happened.
    connect_failure: Arc<Mutex<Option<(Instant, String)>>>,
}

impl Transport {
    pub fn new(config: &Config) -> Result<Transport, ClusterError> {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(config.connect_timeout);
        tcp.set_nodelay(true);
        let mut tls = config
            .rustls_client_config()
            .map_err(|e| ClusterError::Config(chain(&e)))?;
        // This configuration reaches one server: rustls's default cache of 256 servers' sessions
        // took 14 KB per cluster, 14 MB for a thousand, to resume one.
        tls.resumption = tokio_rustls::rustls::client::Resumption::in_memory_sessions(1);
        let mut builder = HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http();
        if let Some(name) = &config.tls_server_name {
            let name = ServerName::try_from(name.clone())
                .map_err(|e| ClusterError::Config(format!("tls-server-name {name:?}: {e}")))?;
            builder = builder.with_server_name_resolver(FixedServerNameResolver::new(name));
        }
        let https = builder.enable_all_versions().wrap_connector(tcp);
        let plain = config.cluster_url.scheme_str() != Some("https");
        let http1_only = Arc::new(AtomicBool::new(plain));
        let connect_failure = Arc::new(Mutex::new(None));
        let multiplexed = Client::builder(TokioExecutor::new())
            .http2_only(true)
            .http2_initial_stream_window_size(STREAM_WINDOW)
            .http2_initial_connection_window_size(CONNECTION_WINDOW)
            // One connection carries every request and watch of the cluster: a half-open one
            // (a NAT or load balancer dropped it silently) must be noticed, or every watch
            // waits forever. client-go pings after 30 s without a frame and gives up 15 s later
            // (k8s.io/apimachinery pkg/util/net/http.go, `configureHTTP2Transport`:
            // ReadIdleTimeout, PingTimeout); hyper pings on a timer, so its interval is the
            // same 30 s, idle or not.
            .timer(TokioTimer::new())
            .http2_keep_alive_interval(Duration::from_secs(30))
            .http2_keep_alive_timeout(Duration::from_secs(15))
            .http2_keep_alive_while_idle(true)
            .build(RequireHttp2 {
                inner: https.clone(),
                http1_only: http1_only.clone(),
                connect_failure: connect_failure.clone(),
            });
        let fallback = Client::builder(TokioExecutor::new()).build(https);
        Ok(Transport(Arc::new(Connections {
            multiplexed,
            fallback,
            http1_only,
            connect_failure,
        })))
    }
}

impl Service<Request<Body>> for Transport {
    type Response = Response<Incoming>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Incoming>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // hyper's client is always ready: it queues on its pool.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let this = self.0.clone();
        Box::pin(async move {
            if this.http1_only.load(Ordering::Relaxed) {
                return Ok(this.fallback.request(request).await?);
            }
            // Kept to send again over HTTP/1.1 if the server turns out not to speak HTTP/2
            // (nothing was sent then: the refusal comes from the handshake).
            let copy = clone_request(&request);
            let sent = Instant::now();
            match this.multiplexed.request(request).await {
                Ok(response) => Ok(response),
                // The handshake of this request's connection, or of the one it waited for
                // (which fails the waiters with an error of their own), chose HTTP/1.1.
                // Only a request that never went out (its connection's handshake failed) is
                // sent again: one already sent may have been carried out.
                Err(error) if error.is_connect() && this.http1_only.load(Ordering::Relaxed) => match copy {
                    Some(copy) => Ok(this.fallback.request(copy).await?),
                    None => Err(error.into()),
                },
                // A request that never went out: it waited for a connection another request
                // was establishing, or was about to go out on one that closed under it (the
                // handshake was refused after it, the server went away). A failed handshake
                // left its error: that is the answer (so every row tells what went wrong: a
                // TLS refusal, a reset the handshake probe looks into). Otherwise the request
                // is sent once more, on a connection of its own if need be.
                Err(error) if error.is_connect() && chain(&error).contains("canceled") => {
                    let failure = this.connect_failure.lock().unwrap_or_else(|p| p.into_inner()).clone();
                    match (failure, copy) {
                        (Some((at, cause)), _) if at >= sent => {
                            Err(Box::new(WaitedForFailedConnection(cause)) as BoxError)
                        }
                        (_, Some(copy)) if this.http1_only.load(Ordering::Relaxed) => {
                            Ok(this.fallback.request(copy).await?)
                        }
                        (_, Some(copy)) => Ok(this.multiplexed.request(copy).await?),
                        (_, None) => Err(error.into()),
                    }
                }
                Err(error) => Err(error.into()),
            }
        })
    }
}

/// The error of the connection a request waited for (see `Transport::call`); its text is the
/// original's, which is how `fleet::error` classifies transport failures.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct WaitedForFailedConnection(String);

#[derive(Debug, thiserror::Error)]
#[error("the server did not choose HTTP/2 in the TLS handshake")]
struct NoHttp2;

/// A connector whose connections all speak HTTP/2: a handshake that chose anything else is
/// an error ([`NoHttp2`]) and sets `http1_only` (before the error reaches the requests, so
/// every request that waited for this connection sees it), and the requests go to the
/// fallback client instead.
#[derive(Clone)]
struct RequireHttp2<C> {
    inner: C,
    http1_only: Arc<AtomicBool>,
    /// Where a failed connection leaves its error for the requests that waited for it (set
    /// before the error reaches them, as `http1_only`).
    connect_failure: Arc<Mutex<Option<(Instant, String)>>>,
}

impl<C> Service<Uri> for RequireHttp2<C>
where
    C: Service<Uri>,
    C::Response: Connection + Send + 'static,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let http1_only = self.http1_only.clone();
        let connect_failure = self.connect_failure.clone();
        Box::pin(async move {
            let io = match connecting.await {
                Ok(io) => io,
                Err(error) => {
                    let error: BoxError = error.into();
                    *connect_failure.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some((Instant::now(), chain(error.as_ref())));
                    return Err(error);
                }
            };
            if io.connected().is_negotiated_h2() {
                Ok(io)
            } else {
                http1_only.store(true, Ordering::Relaxed);
                Err(Box::new(NoHttp2) as BoxError)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::fleet::{ConnectOptions, Fleet, Target};

    /// A client for the playground's first member, reached at `server`, built as every command
    /// builds one.
    async fn client_for(playground: &fleet_sim::Playground, server: &str) -> kube::Client {
        let mut entries = playground.member_entries();
        entries[0].server = server.to_string();
        let kubeconfig: kube::config::Kubeconfig =
            serde_json::from_value(fleet_sim::kubeconfig(&entries[..1])).unwrap();
        let target = Target {
            context: entries[0].context.clone(),
            cluster: entries[0].context.clone(),
            server: server.to_string(),
            namespace: "default".into(),
        };
        let fleet = Fleet::connect(&kubeconfig, vec![target], &ConnectOptions::default()).await;
        fleet.clusters[0].client.clone().unwrap()
    }

    /// Looks at `done` until it holds; fails after a deadline that bounds a hang and measures
    /// nothing.
    async fn wait_until<F: std::future::Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
        while !done().await {
            assert!(std::time::Instant::now() < deadline, "waited too long for {what}");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    async fn playground() -> fleet_sim::Playground {
        let options = fleet_sim::PlaygroundOptions {
            clusters: 1,
            ..Default::default()
        };
        fleet_sim::Playground::start(&options).await.unwrap()
    }

    /// Requests sent at once before any connection exists, a watch among them, and more
    /// afterwards: all over one HTTP/2 connection.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_requests_and_a_watch_share_one_http2_connection() {
        use futures::{StreamExt, TryStreamExt};
        use kube::api::{Api, WatchParams};
        let playground = playground().await;
        let member = &playground.members[0];
        let client = client_for(&playground, &member.server).await;
        let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
        let mut watch = namespaces
            .watch(&WatchParams::default().timeout(30), "0")
            .await
            .unwrap()
            .boxed();
        let reads = (0..20).map(|_| client.apiserver_version());
        for answer in futures::future::join_all(reads).await {
            answer.unwrap();
        }
        // The watch still streams on the shared connection.
        assert!(watch.try_next().await.unwrap().is_some());
        namespaces.list(&Default::default()).await.unwrap();
        let counts = member.cluster.connections();
        assert_eq!((counts.accepted, counts.http2), (1, 1), "{counts:?}");
    }

    /// kube-apiserver sends GOAWAY on an HTTP/2 connection idle for its idle timeout and closes
    /// it: the next request opens a new connection, and answers as if nothing happened.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_connection_the_server_closed_as_idle_is_replaced_transparently() {
        let playground = playground().await;
        let member = &playground.members[0];
        member.cluster.set_idle_timeout(std::time::Duration::from_millis(200));
        let client = client_for(&playground, &member.server).await;
        client.apiserver_version().await.unwrap();
        let before = member.cluster.connections();
        wait_until("the server closed the idle connection", || async {
            member.cluster.connections().idle_closed > before.idle_closed
        })
        .await;
        let reads = (0..4).map(|_| client.apiserver_version());
        for answer in futures::future::join_all(reads).await {
            answer.unwrap();
        }
        let after = member.cluster.connections();
        assert_eq!(after.accepted, before.accepted + 1, "{before:?} {after:?}");
        assert_eq!(after.http2, before.http2 + 1, "{before:?} {after:?}");
    }

    /// An open watch keeps its HTTP/2 connection busy (Go's server times out only a connection
    /// with no open stream): it outlives the idle timeout, and still streams.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_watch_keeps_its_connection_past_the_idle_timeout() {
        use futures::{StreamExt, TryStreamExt};
        use k8s_openapi::api::core::v1::ConfigMap;
        use kube::api::{Api, PostParams, WatchEvent, WatchParams};
        let playground = playground().await;
        let member = &playground.members[0];
        member.cluster.set_idle_timeout(std::time::Duration::from_millis(200));
        let client = client_for(&playground, &member.server).await;
        let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
        let list = configmaps.list(&Default::default()).await.unwrap();
        let version = list.metadata.resource_version.unwrap();
        let mut watch = configmaps
            .watch(&WatchParams::default(), &version)
            .await
            .unwrap()
            .boxed();
        let before = member.cluster.connections();
        // A second client's connection goes idle after the watch began: once it is closed, the
        // watching connection has been open past the idle timeout too.
        let witness = client_for(&playground, &member.server).await;
        witness.apiserver_version().await.unwrap();
        wait_until("the server closed the witness's idle connection", || async {
            member.cluster.connections().idle_closed > before.idle_closed
        })
        .await;
        let mut after_idle = ConfigMap::default();
        after_idle.metadata.name = Some("after-idle".into());
        configmaps.create(&PostParams::default(), &after_idle).await.unwrap();
        loop {
            match watch.try_next().await.unwrap() {
                Some(WatchEvent::Added(cm)) if cm.metadata.name.as_deref() == Some("after-idle") => break,
                Some(_) => {}
                None => panic!("the watch ended"),
            }
        }
        let after = member.cluster.connections();
        assert_eq!(after.idle_closed, before.idle_closed + 1, "{before:?} {after:?}");
        assert_eq!(
            after.accepted,
            before.accepted + 1,
            "only the witness connected: {before:?} {after:?}"
        );
    }

    /// A server that offers HTTP/1.1 alone is still served, over HTTP/1.1.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_server_without_http2_is_reached_over_http1() {
        let playground = playground().await;
        let member = &playground.members[0];
        let address = member
            .cluster
            .serve_tls_http1_only(playground.tls.as_ref().unwrap())
            .await
            .unwrap();
        let client = client_for(&playground, &format!("https://{address}")).await;
        let reads = (0..4).map(|_| client.apiserver_version());
        for answer in futures::future::join_all(reads).await {
            answer.unwrap();
        }
        client.apiserver_version().await.unwrap();
        let counts = member.cluster.connections();
        assert_eq!(counts.http2, 0, "{counts:?}");
        assert!(counts.accepted >= 1, "{counts:?}");
    }
}
