//! One simulated cluster: its API server state, an in-process client transport, an optional
//! loopback listener, users and faults.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::Router;
use bytes::Bytes;
use futures::future::BoxFuture;
use serde_json::Value;
use tower::ServiceExt;

use crate::api;
use crate::auth::User;
use crate::core::{ClusterCore, WriteOptions};
use crate::error::ApiError;
use crate::faults::Faults;
use crate::patch::PatchKind;
use crate::proxy::ProxyHandler;
use crate::server::{ConnectionCounts, IdleTimeout, LoopbackServer};
use crate::tls::TlsMaterial;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The field manager the simulator's own controllers write with.
pub const SIM_MANAGER: &str = "fleet-sim";

#[derive(Clone)]
pub struct SimCluster {
    core: Arc<ClusterCore>,
    server: Arc<Mutex<Option<(LoopbackServer, &'static str)>>>,
    /// The field manager this handle's writes are recorded under (see [`SimCluster::as_manager`]).
    manager: &'static str,
    /// How long its server keeps an idle connection open (see [`crate::server`]).
    idle_timeout: IdleTimeout,
}

impl SimCluster {
    pub fn new(name: &str) -> Self {
        let core = Arc::new(ClusterCore::new(name));
        // The bootstrap RBAC policy is built from constants the RBAC types accept; a failure
        // here is a bug in the simulator, and shows as every request being forbidden.
        if let Err(e) = crate::rbac::seed_bootstrap(&core) {
            eprintln!("fleet-sim {name}: seeding the bootstrap RBAC policy failed: {e}");
        }
        SimCluster {
            core,
            server: Arc::new(Mutex::new(None)),
            manager: SIM_MANAGER,
            idle_timeout: IdleTimeout::default(),
        }
    }

    /// The same cluster, writing as `manager` (a controller's own field manager, e.g. `flagger`).
    pub fn as_manager(&self, manager: &'static str) -> SimCluster {
        SimCluster {
            manager,
            ..self.clone()
        }
    }

    /// The field manager this handle writes as.
    pub fn manager(&self) -> &'static str {
        self.manager
    }

    pub fn name(&self) -> &str {
        &self.core.name
    }

    pub fn core(&self) -> &Arc<ClusterCore> {
        &self.core
    }

    pub fn faults(&self) -> &Faults {
        &self.core.faults
    }

    /// The requests this cluster answers, while recording ([`crate::audit`]).
    pub fn requests(&self) -> &crate::audit::RequestLog {
        &self.core.requests
    }

    pub fn router(&self) -> Router {
        api::router(self.core.clone())
    }

    /// Lets `token` in as `user`, and grants the user's rules through a ClusterRole and a
    /// ClusterRoleBinding stored in the cluster (RBAC decides from those, like for any user).
    pub fn add_user(&self, token: &str, user: User) {
        self.grant(&user);
        self.core
            .users
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .add(token, user);
    }

    /// Lets a client certificate (DER, issued by the playground CA) in as `user`, granting its
    /// rules as [`SimCluster::add_user`] does.
    pub fn add_certificate_user(&self, der: &[u8], user: User) {
        self.grant(&user);
        self.core
            .users
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .add_certificate(der, user);
    }

    /// A new token user with `rules` granted cluster-wide (a ClusterRole and its binding);
    /// returns the token. How tests and the playground mint a limited user.
    pub fn add_user_with_rules(&self, name: &str, rules: Vec<crate::auth::Rule>) -> String {
        let token = format!("sim-{name}-{}", uuid::Uuid::new_v4().simple());
        self.add_user(&token, User::with_rules(name, rules));
        token
    }

    fn grant(&self, user: &User) {
        if let Some((role, binding)) = user.rbac_objects() {
            for (plural, object) in [("clusterroles", role), ("clusterrolebindings", binding)] {
                // Built from the user's own rules by the simulator: valid by construction.
                if let Err(e) = crate::rbac::put_cluster_object(&self.core, plural, object) {
                    eprintln!("fleet-sim {}: granting {}'s rules failed: {e}", self.name(), user.name);
                }
            }
        }
    }

    /// `handler` listens on container port `port` of the Pods of Deployment `workload`; Services
    /// selecting those Pods reach it (through the service proxy, or in-cluster) once the
    /// Deployment has ready replicas.
    pub fn register_proxy(&self, namespace: &str, workload: &str, port: i64, handler: ProxyHandler) {
        self.core.proxies.register(namespace, workload, port, handler);
    }

    /// A tower service for `kube::Client::new(service, namespace)`: no socket, same router,
    /// authenticated with `token`, refusing like a closed port while the cluster is unreachable.
    pub fn service(&self, token: &str) -> InProcess {
        InProcess {
            router: self.router(),
            core: self.core.clone(),
            authorization: http::HeaderValue::from_str(&format!("Bearer {token}")).ok(),
        }
    }

    /// Starts serving on 127.0.0.1 (a free port) and returns the address.
    pub async fn serve(&self) -> std::io::Result<SocketAddr> {
        self.serve_on(0).await
    }

    /// Serves HTTPS with the given TLS material (see [`crate::tls::TlsMaterial`]).
    pub async fn serve_tls(&self, tls: &TlsMaterial) -> std::io::Result<SocketAddr> {
        self.start_server(0, Some(tls.server_config.clone())).await
    }

    /// Serves HTTPS offering HTTP/1.1 alone, as kube-apiserver with HTTP/2 disabled
    /// (k8s.io/apiserver pkg/server/secure_serving.go, `tlsConfig`: `DisableHTTP2` leaves
    /// `NextProtos: http/1.1`); replaces the current server, on a new port.
    pub async fn serve_tls_http1_only(&self, tls: &TlsMaterial) -> std::io::Result<SocketAddr> {
        let mut config = (*tls.server_config).clone();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        self.start_server(0, Some(Arc::new(config))).await
    }

    pub async fn serve_on(&self, port: u16) -> std::io::Result<SocketAddr> {
        self.start_server(port, None).await
    }

    async fn start_server(&self, port: u16, tls: Option<Arc<rustls::ServerConfig>>) -> std::io::Result<SocketAddr> {
        let listening = !self.core.faults.is_unreachable();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let server = LoopbackServer::start(self.router(), port, listening, tls, self.idle_timeout.clone()).await?;
        let addr = server.addr;
        *self.server.lock().unwrap_or_else(|p| p.into_inner()) = Some((server, scheme));
        Ok(addr)
    }

    /// `http(s)://127.0.0.1:PORT` once serving.
    pub fn url(&self) -> Option<String> {
        let server = self.server.lock().unwrap_or_else(|p| p.into_inner());
        server.as_ref().map(|(s, scheme)| format!("{scheme}://{}", s.addr))
    }

    /// How long the server keeps a connection with nothing in progress open (90 s, as
    /// kube-apiserver, unless set); applies to the running server and its next idle periods.
    pub fn set_idle_timeout(&self, timeout: std::time::Duration) {
        self.idle_timeout.set(timeout);
    }

    /// The connections the cluster's server accepted since it started serving (none before).
    pub fn connections(&self) -> ConnectionCounts {
        let server = self.server.lock().unwrap_or_else(|p| p.into_inner());
        server.as_ref().map(|(s, _)| s.connections()).unwrap_or_default()
    }

    /// Unreachable: the port refuses connections, open connections and watches are cut.
    pub fn set_unreachable(&self, unreachable: bool) -> std::io::Result<()> {
        self.core.faults.set_unreachable(unreachable);
        let mut server = self.server.lock().unwrap_or_else(|p| p.into_inner());
        match (server.as_mut(), unreachable) {
            (Some((s, _)), true) => s.stop(),
            (Some((s, _)), false) => s.resume()?,
            (None, _) => {}
        }
        Ok(())
    }

    /// Reads an object (JSON) the way a controller in the cluster would.
    pub fn get(&self, group: &str, plural: &str, namespace: Option<&str>, name: &str) -> Option<Value> {
        let t = self.core.storage_type(group, plural)?;
        self.core
            .get(&t, namespace, name)
            .ok()
            .map(|o| ClusterCore::present(&t, &o))
    }

    pub fn list(&self, group: &str, plural: &str, namespace: Option<&str>) -> Vec<Value> {
        let Some(t) = self.core.storage_type(group, plural) else {
            return Vec::new();
        };
        self.core
            .store
            .list(&t.key(), namespace)
            .0
            .iter()
            .map(|o| ClusterCore::present(&t, o))
            .collect()
    }

    /// Server-side apply as the simulator's own manager (creates or updates).
    pub fn apply(&self, group: &str, plural: &str, namespace: Option<&str>, object: &Value) -> Result<Value, ApiError> {
        let t = self.core.storage_type(group, plural).ok_or_else(ApiError::no_route)?;
        let name = object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
        let opts = WriteOptions {
            field_manager: Some(self.manager.into()),
            force: true,
            ..Default::default()
        };
        let written = self
            .core
            .patch(&t, namespace, name, PatchKind::Apply, object, false, &opts)?;
        Ok(ClusterCore::present(&t, &written.object))
    }

    /// Patches an object (spec side) with a merge or JSON patch, as a controller's update would.
    pub fn patch(
        &self,
        group: &str,
        plural: &str,
        namespace: Option<&str>,
        name: &str,
        kind: PatchKind,
        body: &Value,
    ) -> Result<Value, ApiError> {
        let t = self.core.storage_type(group, plural).ok_or_else(ApiError::no_route)?;
        let written = self
            .core
            .patch(&t, namespace, name, kind, body, false, &self.update_options())?;
        Ok(ClusterCore::present(&t, &written.object))
    }

    /// Creates an object (Events, mostly).
    pub fn create(&self, group: &str, plural: &str, namespace: Option<&str>, object: Value) -> Result<Value, ApiError> {
        let t = self.core.storage_type(group, plural).ok_or_else(ApiError::no_route)?;
        let written = self.core.create(&t, namespace, object, &self.update_options())?;
        Ok(ClusterCore::present(&t, &written.object))
    }

    pub fn unregister_proxy(&self, namespace: &str, workload: &str) {
        self.core.proxies.unregister(namespace, workload);
    }

    /// Where an in-cluster `http://service.namespace:port/` request lands, or the client's dial
    /// error (see [`crate::proxy::cluster_ip_backend`]).
    pub fn service_backend(&self, namespace: &str, service: &str, port: i64) -> Result<crate::proxy::Backend, String> {
        crate::proxy::cluster_ip_backend(&self.core, namespace, service, port)
    }

    /// An Update request from this handle's manager.
    fn update_options(&self) -> WriteOptions {
        WriteOptions {
            field_manager: Some(self.manager.into()),
            ..Default::default()
        }
    }

    /// Whether a resource is served (a CRD registered it).
    pub fn serves(&self, group: &str, plural: &str) -> bool {
        self.core.storage_type(group, plural).is_some()
    }

    /// Merge-patches an object's status through the status subresource.
    pub fn patch_status(
        &self,
        group: &str,
        plural: &str,
        namespace: Option<&str>,
        name: &str,
        status: &Value,
    ) -> Result<Value, ApiError> {
        let t = self.core.storage_type(group, plural).ok_or_else(ApiError::no_route)?;
        let body = serde_json::json!({"status": status});
        let written = self.core.patch(
            &t,
            namespace,
            name,
            PatchKind::Merge,
            &body,
            true,
            &self.update_options(),
        )?;
        Ok(ClusterCore::present(&t, &written.object))
    }

    /// Replaces an object's whole status through the status subresource (a PUT: fields the new
    /// status leaves out are gone, as a controller's UpdateStatus does), guarded by the
    /// resourceVersion of `current`.
    pub fn replace_status(&self, group: &str, plural: &str, current: &Value, status: Value) -> Result<Value, ApiError> {
        let t = self.core.storage_type(group, plural).ok_or_else(ApiError::no_route)?;
        let ns = current.pointer("/metadata/namespace").and_then(Value::as_str);
        let name = current.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
        let mut body = current.clone();
        body["status"] = status;
        let opts = WriteOptions {
            field_manager: Some(self.manager.into()),
            ..Default::default()
        };
        let written = self.core.replace(&t, ns, name, body, true, &opts)?;
        Ok(ClusterCore::present(&t, &written.object))
    }

    /// Starts the simulated controllers (Deployments become Available after `delay`) on the
    /// current tokio runtime; they run until the returned task is aborted.
    pub fn start_controllers(&self, delay: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let deployments = crate::controllers::start(self.clone(), delay);
        let aggregation = tokio::spawn(crate::rbac::run_aggregation(self.core.clone()));
        // One handle for all: aborting it drops the guard, which aborts each controller.
        struct AbortAll(Vec<tokio::task::JoinHandle<()>>);
        impl Drop for AbortAll {
            fn drop(&mut self) {
                for task in &self.0 {
                    task.abort();
                }
            }
        }
        tokio::spawn(async move {
            let _guard = AbortAll(vec![deployments, aggregation]);
            futures::future::pending::<()>().await;
        })
    }

    /// Forgets the watch history, so watches from older resourceVersions get 410 Expired.
    pub fn compact(&self) {
        self.core.store.compact();
    }

    pub fn resource_version(&self) -> u64 {
        self.core.store.current_rv()
    }
}

/// In-process transport for kube-rs (see [`SimCluster::service`]).
#[derive(Clone)]
pub struct InProcess {
    router: Router,
    core: Arc<ClusterCore>,
    authorization: Option<http::HeaderValue>,
}

impl<B> tower::Service<http::Request<B>> for InProcess
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = axum::response::Response;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let router = self.router.clone();
        let unreachable = self.core.faults.is_unreachable();
        let authorization = self.authorization.clone();
        Box::pin(async move {
            if unreachable {
                let refused = std::io::Error::new(
                    std::io::ErrorKind::ConnectionRefused,
                    "connection refused (simulated unreachable cluster)",
                );
                return Err(Box::new(refused) as BoxError);
            }
            let mut request = request.map(axum::body::Body::new);
            if let Some(auth) = authorization {
                request.headers_mut().insert(http::header::AUTHORIZATION, auth);
            }
            router.oneshot(request).await.map_err(|never| match never {})
        })
    }
}
