//! One kube client per target, built up front and sequentially: exec credential plugins may
//! prompt on the terminal, so every client exists before any progress output starts.

use std::collections::HashMap;
use std::time::Duration;

use kube::client::{ClientBuilder, ConfigExt, DynBody};
use kube::config::{KubeConfigOptions, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext};
use kube::{Client, Config};
use tower::buffer::Buffer;
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
        let index = KubeconfigIndex::new(kubeconfig);
        let mut clusters = Vec::with_capacity(targets.len());
        for target in targets {
            let client = build_client(index.for_context(&target.context), &target, options).await;
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

/// The kubeconfig's contexts, clusters and users by name, to hand kube each context's own
/// part: kube's loader takes a whole `Kubeconfig` by value, and a copy of a 1000-context
/// kubeconfig (certificates and keys inline) per context cost a 1000-cluster command a fifth of
/// its CPU before the first request.
struct KubeconfigIndex<'a> {
    kubeconfig: &'a Kubeconfig,
    contexts: HashMap<&'a str, &'a NamedContext>,
    clusters: HashMap<&'a str, &'a NamedCluster>,
    users: HashMap<&'a str, &'a NamedAuthInfo>,
}

impl<'a> KubeconfigIndex<'a> {
    fn new(kubeconfig: &'a Kubeconfig) -> KubeconfigIndex<'a> {
        // A name given twice: the first one counts, as in kube's loader (kube-client
        // src/config/file_loader.rs, `load_from_kubeconfig`: `find`).
        fn by_name<T>(items: &[T], name: impl Fn(&T) -> &str) -> HashMap<&str, &T> {
            let mut map = HashMap::with_capacity(items.len());
            for item in items {
                map.entry(name(item)).or_insert(item);
            }
            map
        }
        KubeconfigIndex {
            kubeconfig,
            contexts: by_name(&kubeconfig.contexts, |c| &c.name),
            clusters: by_name(&kubeconfig.clusters, |c| &c.name),
            users: by_name(&kubeconfig.auth_infos, |u| &u.name),
        }
    }

    /// The kubeconfig with only this context, its cluster and its user: what kube's loader
    /// reads of it for this context. A reference that resolves to nothing stays unresolved, so
    /// kube reports it as it would have.
    fn for_context(&self, name: &str) -> Kubeconfig {
        let context = self.contexts.get(name).copied();
        let inner = context.and_then(|c| c.context.as_ref());
        let cluster = inner.and_then(|c| self.clusters.get(c.cluster.as_str()).copied());
        let user = inner
            .and_then(|c| c.user.as_deref())
            .and_then(|u| self.users.get(u).copied());
        Kubeconfig {
            preferences: self.kubeconfig.preferences.clone(),
            clusters: cluster.into_iter().cloned().collect(),
            auth_infos: user.into_iter().cloned().collect(),
            contexts: context.into_iter().cloned().collect(),
            current_context: self.kubeconfig.current_context.clone(),
            extensions: self.kubeconfig.extensions.clone(),
            kind: self.kubeconfig.kind.clone(),
            api_version: self.kubeconfig.api_version.clone(),
            other: self.kubeconfig.other.clone(),
        }
    }
}

async fn build_client(
    kubeconfig: Kubeconfig,
    target: &Target,
    options: &ConnectOptions,
) -> Result<Client, ClusterError> {
    let kube_options = KubeConfigOptions {
        context: Some(target.context.clone()),
        cluster: None,
        user: None,
    };
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &kube_options)
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
    // The request timeout is outside the retries (client-go bounds them all, see
    // `fleet::request_timeout`), and the trace is outermost: each request once, as the plugin
    // made it (see `fleet::request_trace`).
    Ok(builder
        .with_layer(&RetryLayer::new(BoundedRetry::new()))
        .with_layer(&probe)
        .with_layer(&timeout)
        .with_layer(&trace)
        .build())
}

/// Clonable, as retrying needs (a retry sends a copy of the request down a copy of the stack).
type BoxedStack =
    tower::util::BoxCloneSyncService<http::Request<kube::client::Body>, http::Response<Box<DynBody>>, BoxError>;

/// kube's layers (base URI, credentials, impersonation headers) over our transport, which
/// speaks HTTP/2 over one connection (see `fleet::transport`). Through a proxy, kube's own
/// stack (its proxy connectors, HTTP/1.1), made clonable by a buffer. Our own stack is clonable
/// as it is: a buffer is a channel and a task per cluster (10 KB, 10 MB for a thousand), and
/// kube's client adds one of its own anyway.
fn client_builder(config: Config) -> Result<ClientBuilder<BoxedStack>, ClusterError> {
    if config.proxy_url.is_some() {
        let builder = ClientBuilder::try_from(config).map_err(|e| ClusterError::Config(chain(&e)))?;
        return Ok(builder.with_layer(&tower::layer::layer_fn(|service| {
            BoxedStack::new(Buffer::new(service, 1024))
        })));
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
        });
    let service = BoxedStack::new(service);
    Ok(ClientBuilder::new(service, config.default_namespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubeconfig() -> Kubeconfig {
        Kubeconfig::from_yaml(
            r#"
apiVersion: v1
kind: Config
current-context: a
clusters:
- {name: ca, cluster: {server: "https://a.example:6443"}}
- {name: cb, cluster: {server: "https://b.example:6443"}}
- {name: ca, cluster: {server: "https://second-a.example:6443"}}
users:
- {name: ua, user: {token: ta}}
- {name: ub, user: {token: tb}}
contexts:
- {name: a, context: {cluster: ca, user: ua, namespace: na}}
- {name: b, context: {cluster: cb, user: ub}}
- {name: dangling, context: {cluster: nowhere, user: ua}}
"#,
        )
        .expect("a kubeconfig")
    }

    async fn config(kubeconfig: Kubeconfig, context: &str) -> Result<Config, String> {
        let options = KubeConfigOptions {
            context: Some(context.to_string()),
            ..Default::default()
        };
        Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|e| e.to_string())
    }

    #[tokio::test]
    async fn a_context_alone_loads_as_it_does_from_the_whole_kubeconfig() {
        let whole = kubeconfig();
        let index = KubeconfigIndex::new(&whole);
        for context in ["a", "b", "dangling", "absent"] {
            let alone = index.for_context(context);
            assert!(alone.contexts.len() <= 1 && alone.clusters.len() <= 1 && alone.auth_infos.len() <= 1);
            let (from_whole, from_alone) = (config(whole.clone(), context).await, config(alone, context).await);
            match (from_whole, from_alone) {
                (Ok(w), Ok(a)) => {
                    assert_eq!(w.cluster_url, a.cluster_url, "{context}");
                    assert_eq!(w.default_namespace, a.default_namespace, "{context}");
                    assert_eq!(format!("{:?}", w.auth_info), format!("{:?}", a.auth_info), "{context}");
                }
                (Err(w), Err(a)) => assert_eq!(w, a, "{context}"),
                (w, a) => panic!("{context}: whole {w:?}, alone {a:?}"),
            }
        }
        // The first of two clusters with one name, as kube's loader picks it.
        let a = config(index.for_context("a"), "a").await.expect("context a loads");
        assert_eq!(a.cluster_url.host(), Some("a.example"));
    }
}
