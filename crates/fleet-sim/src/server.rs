//! Serving a simulated cluster on 127.0.0.1, with the ability to become unreachable
//! (listener closed: connection refused; open connections cut) and to come back on the same port.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use hyper_util::rt::TokioIo;
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
        self.runtime
            .spawn(accept_loop(listener, self.router.clone(), acceptor, stop_rx));
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
) {
    let service = Arc::new(TowerToHyperService::new(router.clone()));
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let service = (*service).clone();
                let router = router.clone();
                let mut stop = stop.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let serve = async {
                        let builder = hyper::server::conn::http1::Builder::new();
                        match acceptor {
                            Some(acceptor) => {
                                // A failed handshake (wrong CA on either side) just ends the connection.
                                if let Ok(tls) = acceptor.accept(stream).await {
                                    let peer = tls
                                        .get_ref()
                                        .1
                                        .peer_certificates()
                                        .and_then(|chain| chain.first())
                                        .map(|cert| PeerCertificate(cert.to_vec()));
                                    let service = TowerToHyperService::new(router.clone().map_request(
                                        move |mut request: http::Request<hyper::body::Incoming>| {
                                            if let Some(peer) = &peer {
                                                request.extensions_mut().insert(peer.clone());
                                            }
                                            request
                                        },
                                    ));
                                    let _ = builder.serve_connection(TokioIo::new(tls), service).await;
                                }
                            }
                            None => {
                                let _ = builder.serve_connection(TokioIo::new(stream), service).await;
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
