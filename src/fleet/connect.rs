//! One kube client per target, built up front and sequentially: exec credential plugins may
//! prompt on the terminal, so every client exists before any progress output starts.

use std::time::Duration;

use kube::client::{ClientBuilder, ConfigExt, DynBody};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use tower::buffer::BufferLayer;
use tower::retry::RetryLayer;
use tower::{BoxError, ServiceBuilder, ServiceExt};

use super::error::{ClusterError, chain};
use super::handshake::HandshakeProbeLayer;
use super::request_timeout::RequestTimeoutLayer;
use super::request_trace::RequestTraceLayer;
use super::retry::BoundedRetry;
use super::targets::Target;
use super::transport::Transport;

#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Overrides every context's namespace (`-n`).
    pub namespace: Option<String>,
    /// How long one request may take (`--request-timeout`; see `fleet::request_timeout`).
    pub request_timeout: Option<Duration>,
    /// How long one cluster may take for one step (`--cluster-timeout`): the handshake probe
    /// keeps within it (see `fleet::handshake`).
    pub cluster_timeout: Option<Duration>,
    /// `--as`: the user every request acts as (the kubeconfig's `as:` otherwise).
    pub impersonate: Option<String>,
    /// `--as-group`.
    pub impersonate_groups: Vec<String>,
}

/// A target and its client, or why no client could be built for it.
#[derive(Clone)]
pub struct ClusterHandle {
    pub target: Target,
    pub client: Result<Client, ClusterError>,
}

#[derive(Clone)]
pub struct Fleet {
    pub clusters: Vec<ClusterHandle>,
}

impl Fleet {
    pub async fn connect(kubeconfig: &Kubeconfig, targets: Vec<Target>, options: &ConnectOptions) -> Fleet {
        let mut clusters = Vec::with_capacity(targets.len());
        for target in targets {
            let client = build_client(kubeconfig, &target, options).await;
            clusters.push(ClusterHandle { target, client });
        }
        Fleet { clusters }
    }

    /// A fleet from ready-made clients (tests, benchmarks, in-process playgrounds).
    pub fn from_clients(clients: Vec<(Target, Client)>) -> Fleet {
        Fleet {
            clusters: clients
                .into_iter()
                .map(|(target, c)| ClusterHandle { target, client: Ok(c) })
                .collect(),
        }
    }

    /// The clusters at these positions, as a fleet of their own (waves).
    pub fn subset(&self, indices: &[usize]) -> Fleet {
        Fleet {
            clusters: indices.iter().filter_map(|i| self.clusters.get(*i).cloned()).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.clusters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }
}

async fn build_client(
    kubeconfig: &Kubeconfig,
    target: &Target,
    options: &ConnectOptions,
) -> Result<Client, ClusterError> {
    let kube_options = KubeConfigOptions {
        context: Some(target.context.clone()),
        cluster: None,
        user: None,
    };
    let mut config = Config::from_custom_kubeconfig(kubeconfig.clone(), &kube_options)
        .await
        .map_err(|e| ClusterError::Config(chain(&e)))?;
    config.default_namespace = target.namespace.clone();
    if config.accept_invalid_certs {
        // Only the kubeconfig can turn verification off; say so every time it does.
        eprintln!(
            "warning: {}: insecure-skip-tls-verify is set in the kubeconfig; the server's certificate is not verified",
            target.context
        );
    }
    // As kubectl: the flags replace the kubeconfig's `as`/`as-groups`.
    if let Some(user) = &options.impersonate {
        config.auth_info.impersonate = Some(user.clone());
        config.auth_info.impersonate_groups =
            (!options.impersonate_groups.is_empty()).then(|| options.impersonate_groups.clone());
    }
    // kube's own retry layer would wait up to 1000 s on a throttled cluster; ours is bounded
    // (see `fleet::retry`).
    config.default_retry = false;
    let probe = HandshakeProbeLayer::new(&config, options.cluster_timeout);
    let trace = RequestTraceLayer::new(&config, &target.context);
    let timeout = RequestTimeoutLayer::new(options.request_timeout);
    let builder = client_builder(config)?;
    // Retrying needs a clonable inner service; a buffer makes the boxed stack one. The request
    // timeout is outside the retries (client-go bounds them all, see `fleet::request_timeout`),
    // and the trace is outermost: each request once, as the plugin made it (see
    // `fleet::request_trace`).
    Ok(builder
        .with_layer(&BufferLayer::new(1024))
        .with_layer(&RetryLayer::new(BoundedRetry::new()))
        .with_layer(&probe)
        .with_layer(&timeout)
        .with_layer(&trace)
        .build())
}

type BoxedStack = tower::util::BoxService<http::Request<kube::client::Body>, http::Response<Box<DynBody>>, BoxError>;

/// kube's layers (base URI, credentials, impersonation headers) over our transport, which
/// speaks HTTP/2 over one connection (see `fleet::transport`). Through a proxy, kube's own
/// stack (its proxy connectors, HTTP/1.1).
fn client_builder(config: Config) -> Result<ClientBuilder<BoxedStack>, ClusterError> {
    if config.proxy_url.is_some() {
        return ClientBuilder::try_from(config).map_err(|e| ClusterError::Config(chain(&e)));
    }
    let transport = Transport::new(&config)?;
    let auth = config.auth_layer().map_err(|e| ClusterError::Config(chain(&e)))?;
    let headers = config
        .extra_headers_layer()
        .map_err(|e| ClusterError::Config(chain(&e)))?;
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(auth)
        .layer(headers)
        .service(transport)
        .map_err(BoxError::from)
        .map_response(|response| {
            response.map(|body| Box::new(http_body_util::BodyExt::map_err(body, BoxError::from)) as Box<DynBody>)
        })
        .boxed();
    Ok(ClientBuilder::new(service, config.default_namespace))
}
