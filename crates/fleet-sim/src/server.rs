//! Serving a simulated cluster on 127.0.0.1, with the ability to become unreachable
//! (listener closed: connection refused; open connections cut) and to come back on the same port.
//!
//! Over TLS it speaks HTTP/2 or HTTP/1.1 as the client's ALPN chooses, as kube-apiserver does
//! (k8s.io/apiserver pkg/server/secure_serving.go: `tlsConfig` offers `NextProtos: h2,
//! http/1.1`; `Serve` configures Go's http2 server); plain HTTP is HTTP/1.1 only, as Go's
//! server without h2c. Each accepted TCP connection is counted, so tests can assert how many
//! connections a client opened.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::auth::PeerCertificate;

pub struct LoopbackServer {
    pub addr: SocketAddr,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    runtime: tokio::runtime::Handle,
    stop: Option<watch::Sender<bool>>,
    counts: Arc<Counters>,
}

/// Connections a server accepted since it started (over stops and resumes).
#[derive(Default)]
struct Counters {
    accepted: AtomicU64,
    http2: AtomicU64,
}

/// What [`LoopbackServer::connections`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectionCounts {
    /// TCP connections accepted, whether or not their TLS handshake succeeded.
    pub accepted: u64,
    /// Those whose TLS handshake chose HTTP/2.
    pub http2: u64,
}

impl LoopbackServer {
    /// Binds 127.0.0.1:`port` (0: any free port) and starts serving; `listening: false` reserves
    /// the address without accepting (a cluster that is unreachable from the start).
    pub async fn start(
        router: Router,
        port: u16,
        listening: bool,
        tls: Option<Arc<rustls::ServerConfig>>,
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
        ));
    }

    pub fn connections(&self) -> ConnectionCounts {
        ConnectionCounts {
            accepted: self.counts.accepted.load(Ordering::SeqCst),
            http2: self.counts.http2.load(Ordering::SeqCst),
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
                tokio::spawn(async move {
                    let serve = async {
                        match acceptor {
                            // A failed handshake (wrong CA on either side) just ends the connection.
                            Some(acceptor) => {
                                if let Ok(tls) = acceptor.accept(stream).await {
                                    serve_tls(tls, router, &counts).await;
                                }
                            }
                            None => {
                                let service = TowerToHyperService::new(router);
                                let _ = hyper::server::conn::http1::Builder::new()
                                    .serve_connection(TokioIo::new(stream), service)
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
async fn serve_tls(tls: tokio_rustls::server::TlsStream<tokio::net::TcpStream>, router: Router, counts: &Counters) {
    let (_, session) = tls.get_ref();
    let peer = session
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|cert| PeerCertificate(cert.to_vec()));
    let h2 = session.alpn_protocol() == Some(b"h2");
    let service = TowerToHyperService::new(router.map_request(
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
        let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
            .initial_stream_window_size(H2_STREAM_BUFFER)
            .initial_connection_window_size(H2_STREAM_BUFFER * H2_MAX_STREAMS)
            .max_frame_size(H2_STREAM_BUFFER)
            .max_concurrent_streams(H2_MAX_STREAMS)
            .serve_connection(io, service)
            .await;
    } else {
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(io, service)
            .await;
    }
}
