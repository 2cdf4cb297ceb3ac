//! One kube client per target, built up front and sequentially: exec credential plugins may
//! prompt on the terminal, so every client exists before any progress output starts.

use std::time::Duration;

use kube::client::ClientBuilder;
use kube::client::retry::RetryPolicy;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use tower::buffer::BufferLayer;
use tower::retry::RetryLayer;

use super::error::{ClusterError, chain};
use super::targets::Target;

#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Overrides every context's namespace (`-n`).
    pub namespace: Option<String>,
    /// Connection timeout (`--request-timeout`).
    pub connect_timeout: Option<Duration>,
}

/// A target and its client, or why no client could be built for it.
#[derive(Clone)]
pub struct ClusterHandle {
    pub target: Target,
    pub client: Result<Client, ClusterError>,
}

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
    if let Some(timeout) = options.connect_timeout {
        config.connect_timeout = Some(timeout);
    }
    // kube's own retry layer allows 15 retries with delays growing to 1000 s: a throttled
    // cluster would then look hung. Ours stays bounded (see `bounded_retry`) so the error is
    // reported while the rest of the fleet is still being shown.
    config.default_retry = false;
    let builder = ClientBuilder::try_from(config).map_err(|e| ClusterError::Config(chain(&e)))?;
    // Retrying needs a clonable inner service; a buffer makes the boxed stack one.
    Ok(builder
        .with_layer(&BufferLayer::new(1024))
        .with_layer(&RetryLayer::new(bounded_retry()))
        .build())
}

/// How often a throttled or unavailable request is retried before its error is reported.
pub const RETRIES: u32 = 4;

/// 429, 503 and 504 are retried up to four times with exponential backoff and jitter from
/// 100 ms to 2 s, honouring a longer `Retry-After`; then the status is reported. Other errors
/// (500 included: a server bug, and writes may have happened) are reported at once.
fn bounded_retry() -> RetryPolicy {
    RetryPolicy::new(Duration::from_millis(100), Duration::from_secs(2), RETRIES, true)
        .expect("constant backoff bounds are valid")
}
