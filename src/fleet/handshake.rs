//! Telling a refused client certificate from a server that went away.
//!
//! In TLS 1.3 the client's side of the handshake ends when it sends its Finished message; the
//! server checks the client certificate after that. A server that refuses the certificate sends
//! an alert and closes the connection, but by then hyper has usually written the request. What
//! hyper then reports depends on timing: the alert (when it reads first), or a reset or broken
//! pipe (when the close, turned into a reset by the request bytes the server never read, wins).
//! kube-apiserver behaves the same way (Go's crypto/tls server sends the alert and net/http
//! closes the connection), so this is a client-side matter.
//!
//! This layer makes the classification deterministic: when a request of a context that presents
//! a client certificate fails with a reset or an unexpected close, it opens one more TLS
//! connection with the same settings, completes the handshake and then only *reads*. Nothing
//! written means nothing for the server to leave unread, so its alert arrives intact. An alert
//! replaces the transport error (the row then says the handshake was refused); anything else
//! (no alert within the wait, a connect failure) leaves the original error as it was.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use kube::Config;
use kube::client::ConfigExt;
use tokio::io::AsyncReadExt;
use tokio_rustls::rustls;
use tower::{BoxError, Layer, Service};

use super::error::{ClusterError, chain, classify_transport};

/// How long the whole probe (connect, handshake, the server's verdict) may take. A server that
/// accepts the certificate sends nothing until asked, so this bounds the error path of healthy
/// clusters whose connection was reset for another reason. It is also kept under half the
/// cluster timeout: a probe that outlasts it would turn the row into a timeout and hide the
/// error it was looking into.
const PROBE_BUDGET: Duration = Duration::from_secs(5);

/// Where and how to open the probe connection; present only for contexts that present a client
/// certificate over HTTPS without a proxy.
#[derive(Clone)]
struct Probe {
    tls: Arc<rustls::ClientConfig>,
    server_name: rustls::pki_types::ServerName<'static>,
    address: (String, u16),
    budget: Duration,
}

impl Probe {
    fn from_config(config: &Config, cluster_timeout: Option<Duration>) -> Option<Probe> {
        let auth = &config.auth_info;
        let presents_certificate = auth.client_certificate.is_some() || auth.client_certificate_data.is_some();
        if !presents_certificate || config.proxy_url.is_some() || config.cluster_url.scheme_str() != Some("https") {
            return None;
        }
        let host = config
            .cluster_url
            .host()?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = config.cluster_url.port_u16().unwrap_or(443);
        let name = config.tls_server_name.clone().unwrap_or_else(|| host.clone());
        let server_name = rustls::pki_types::ServerName::try_from(name).ok()?;
        let mut tls = config.rustls_client_config().ok()?;
        // Each probe is a fresh handshake (resuming one would skip the check the server makes).
        tls.resumption = rustls::client::Resumption::disabled();
        Some(Probe {
            tls: Arc::new(tls),
            server_name,
            address: (host, port),
            budget: probe_budget(cluster_timeout),
        })
    }

    /// The alert the server answers a fresh handshake with, if it sends one within the budget.
    async fn alert(&self) -> Option<String> {
        tokio::time::timeout(self.budget, self.handshake_verdict()).await.ok()?
    }

    async fn handshake_verdict(&self) -> Option<String> {
        let tcp = tokio::net::TcpStream::connect((self.address.0.as_str(), self.address.1))
            .await
            .ok()?;
        let connector = tokio_rustls::TlsConnector::from(self.tls.clone());
        let mut tls = match connector.connect(self.server_name.clone(), tcp).await {
            Ok(tls) => tls,
            // TLS 1.2, or a server that checks earlier: the alert ends the handshake itself.
            Err(e) => return alert_in(&e.to_string()),
        };
        let mut byte = [0u8; 1];
        match tls.read(&mut byte).await {
            Err(e) => alert_in(&chain(&e)),
            Ok(_) => None,
        }
    }
}

/// How long a probe may take, given the cluster timeout (pure).
fn probe_budget(cluster_timeout: Option<Duration>) -> Duration {
    cluster_timeout.map_or(PROBE_BUDGET, |t| PROBE_BUDGET.min(t / 2))
}

/// The alert's name in an error text, as rustls words it.
fn alert_in(text: &str) -> Option<String> {
    const ALERT: &str = "received fatal alert: ";
    let rest = &text[text.find(ALERT)? + ALERT.len()..];
    Some(rest.split([':', ' ']).next().unwrap_or(rest).to_string())
}

/// Whether a failed request is worth a probe: the connection was reset or closed under it.
fn looks_reset(error: &BoxError) -> bool {
    matches!(
        classify_transport(&chain(error.as_ref())),
        ClusterError::Unreachable(m) if m == "connection reset by the server"
    )
}

/// The error a probe turns a reset into: its text carries the alert as rustls words it, so
/// `classify_transport` reads it like an alert seen directly.
#[derive(Debug, thiserror::Error)]
#[error("received fatal alert: {alert} (after the connection was reset: {reset})")]
pub struct RefusedHandshake {
    alert: String,
    reset: String,
}

/// See the module documentation.
#[derive(Clone)]
pub struct HandshakeProbeLayer {
    probe: Option<Probe>,
}

impl HandshakeProbeLayer {
    pub fn new(config: &Config, cluster_timeout: Option<Duration>) -> HandshakeProbeLayer {
        HandshakeProbeLayer {
            probe: Probe::from_config(config, cluster_timeout),
        }
    }
}

impl<S> Layer<S> for HandshakeProbeLayer {
    type Service = HandshakeProbe<S>;

    fn layer(&self, inner: S) -> HandshakeProbe<S> {
        HandshakeProbe {
            inner,
            probe: self.probe.clone(),
        }
    }
}

#[derive(Clone)]
pub struct HandshakeProbe<S> {
    inner: S,
    probe: Option<Probe>,
}

impl<S, R> Service<R> for HandshakeProbe<S>
where
    S: Service<R>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let answer = self.inner.call(request);
        let probe = self.probe.clone();
        Box::pin(async move {
            let error: BoxError = match answer.await {
                Ok(response) => return Ok(response),
                Err(e) => e.into(),
            };
            let Some(probe) = probe.filter(|_| looks_reset(&error)) else {
                return Err(error);
            };
            // Boxed: the probe is a TLS handshake of its own, rarely made, and an unboxed
            // future would make every request's as large for as long as it is in flight.
            match Box::pin(probe.alert()).await {
                Some(alert) => Err(Box::new(RefusedHandshake {
                    alert,
                    reset: chain(error.as_ref()),
                }) as BoxError),
                None => Err(error),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names() {
        assert_eq!(
            alert_in("connection error: received fatal alert: UnknownCA: more").as_deref(),
            Some("UnknownCA")
        );
        assert_eq!(alert_in("connection reset by peer"), None);
        let refused = RefusedHandshake {
            alert: "BadCertificate".into(),
            reset: "Connection reset by peer (os error 104)".into(),
        };
        assert_eq!(
            classify_transport(&refused.to_string()),
            ClusterError::Tls(
                "the server refused the TLS handshake (BadCertificate); check the context's client certificate".into()
            )
        );
    }

    /// A kubeconfig for a one-cluster playground whose user presents `cert`.
    async fn config_with(playground: &fleet_sim::Playground, cert: &fleet_sim::tls::ClientCertificate) -> Config {
        use base64::Engine;
        let b64 = |pem: &str| base64::engine::general_purpose::STANDARD.encode(pem);
        let mut doc = fleet_sim::kubeconfig(&playground.member_entries());
        doc["users"][0]["user"] = serde_json::json!({
            "client-certificate-data": b64(&cert.cert_pem), "client-key-data": b64(&cert.key_pem)});
        let kubeconfig: kube::config::Kubeconfig = serde_json::from_value(doc).unwrap();
        Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .unwrap()
    }

    /// Whatever the timing of the first request, the probe reads the server's alert.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reset_after_a_refused_certificate_becomes_the_servers_alert() {
        let options = fleet_sim::PlaygroundOptions {
            clusters: 1,
            ..Default::default()
        };
        let playground = fleet_sim::Playground::start(&options).await.unwrap();
        let stranger = fleet_sim::tls::TlsMaterial::generate("someone else's CA")
            .unwrap()
            .issue_client_certificate("mallory")
            .unwrap();
        let config = config_with(&playground, &stranger).await;
        let reset =
            || async { Err::<(), BoxError>("connection error: Connection reset by peer (os error 104)".into()) };
        let mut service = HandshakeProbeLayer::new(&config, None).layer(tower::service_fn(|_: ()| reset()));
        let error = service.call(()).await.unwrap_err();
        assert_eq!(
            classify_transport(&chain(error.as_ref())),
            ClusterError::Tls(
                "the server refused the TLS handshake (UnknownCA); check the context's client certificate".into()
            ),
            "{error}"
        );
        // Errors other than a reset are left alone.
        let refused = || async { Err::<(), BoxError>("tcp connect error: Connection refused (os error 111)".into()) };
        let mut service = HandshakeProbeLayer::new(&config, None).layer(tower::service_fn(|_: ()| refused()));
        let error = service.call(()).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "tcp connect error: Connection refused (os error 111)"
        );
        // A token user is never probed.
        let token_only = {
            let doc = fleet_sim::kubeconfig(&playground.member_entries());
            let kubeconfig: kube::config::Kubeconfig = serde_json::from_value(doc).unwrap();
            Config::from_custom_kubeconfig(kubeconfig, &Default::default())
                .await
                .unwrap()
        };
        assert!(HandshakeProbeLayer::new(&token_only, None).probe.is_none());
    }

    /// A certificate the server accepts: the probe finds no alert and the reset stays a reset.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reset_with_an_accepted_certificate_stays_a_reset() {
        let options = fleet_sim::PlaygroundOptions {
            clusters: 1,
            ..Default::default()
        };
        let playground = fleet_sim::Playground::start(&options).await.unwrap();
        let trusted = playground
            .tls
            .as_ref()
            .unwrap()
            .issue_client_certificate("alice")
            .unwrap();
        let config = config_with(&playground, &trusted).await;
        let probe = Probe::from_config(&config, None).unwrap();
        assert_eq!(probe.alert().await, None);
    }

    /// A server that accepts the connection and never answers the handshake: the probe gives
    /// up within half the cluster timeout, so the row still shows the original error.
    #[tokio::test]
    async fn the_probe_keeps_within_the_cluster_timeout() {
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = silent.local_addr().unwrap().port();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        let probe = Probe {
            tls: Arc::new(tls),
            server_name: rustls::pki_types::ServerName::try_from("localhost").unwrap(),
            address: ("127.0.0.1".into(), port),
            budget: probe_budget(Some(Duration::from_secs(4))),
        };
        assert_eq!(probe.budget, Duration::from_secs(2), "half of a 4 s cluster timeout");
        assert_eq!(probe_budget(Some(Duration::from_secs(60))), PROBE_BUDGET);
        assert_eq!(probe_budget(None), PROBE_BUDGET);
        let started = std::time::Instant::now();
        assert_eq!(probe.alert().await, None);
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_secs(2) && waited < Duration::from_secs(4),
            "{waited:?}"
        );
        drop(silent);
    }

    #[test]
    fn only_resets_are_probed() {
        let boxed = |s: &str| -> BoxError { s.to_string().into() };
        assert!(looks_reset(&boxed(
            "client error (SendRequest): connection reset by peer"
        )));
        assert!(looks_reset(&boxed(
            "error writing a body to connection: Broken pipe (os error 32)"
        )));
        // An HTTP/2 connection that ended under the request (the alert went to the connection).
        assert!(looks_reset(&boxed("client error (SendRequest): channel closed")));
        assert!(!looks_reset(&boxed(
            "tcp connect error: Connection refused (os error 111)"
        )));
        assert!(!looks_reset(&boxed("received fatal alert: UnknownCA")));
    }
}
