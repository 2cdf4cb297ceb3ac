//! Service routing: the API server's service proxy
//! (`/api/v1/namespaces/{ns}/services/{[scheme:]name[:port]}/proxy/{path}`) and in-cluster calls
//! to `http://svc.ns:port/` (what the simulated Flagger's webhooks do), both resolved through the
//! Service's `Endpoints` object as a real cluster resolves them, then answered by the handler
//! registered for the Pods' target port.
//!
//! Handlers are registered per workload port: `(namespace, Deployment name, container port
//! number)`. The simulator has no Pod objects; the endpoints controller
//! (`controllers::endpoints`) names each address's Pod `<replicaset>-<suffix>` in its
//! `targetRef`, which is how a chosen address leads back to its ReplicaSet's Deployment here.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use futures::future::BoxFuture;
use serde_json::Value;

use crate::core::ClusterCore;
use crate::error::ApiError;
use crate::resource::ResKey;
use crate::store::ObjectKey;

#[derive(Debug, Clone)]
pub struct ProxyRequest {
    pub method: http::Method,
    /// The path after `/proxy`, starting with `/`.
    pub path: String,
    pub query: String,
    pub body: Bytes,
}

#[derive(Debug, Clone)]
pub struct ProxyResponse {
    pub status: u16,
    pub content_type: String,
    pub body: Bytes,
}

impl ProxyResponse {
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        ProxyResponse {
            status,
            content_type: "text/plain; charset=utf-8".into(),
            body: Bytes::from(body.into()),
        }
    }
}

pub type ProxyHandler = Arc<dyn Fn(ProxyRequest) -> BoxFuture<'static, ProxyResponse> + Send + Sync>;

/// `(namespace, workload, container port)`.
type WorkloadPort = (String, String, i64);

/// What listens on which port of which workload's Pods.
#[derive(Default, Clone)]
pub struct ProxyRegistry {
    handlers: Arc<RwLock<HashMap<WorkloadPort, ProxyHandler>>>,
}

impl ProxyRegistry {
    /// `handler` answers on container port `port` of every Pod of Deployment `workload`.
    pub fn register(&self, namespace: &str, workload: &str, port: i64, handler: ProxyHandler) {
        self.handlers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert((namespace.to_string(), workload.to_string(), port), handler);
    }

    /// Nothing listens on the workload's Pods any more.
    pub fn unregister(&self, namespace: &str, workload: &str) {
        self.handlers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|(ns, w, _), _| !(ns == namespace && w == workload));
    }

    pub fn get(&self, namespace: &str, workload: &str, port: i64) -> Option<ProxyHandler> {
        self.handlers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(namespace.to_string(), workload.to_string(), port))
            .cloned()
    }
}

/// Where a request was routed: one Pod address and port, and what (if anything) listens there.
pub struct Backend {
    pub ip: String,
    pub port: i64,
    pub handler: Option<ProxyHandler>,
}

impl Backend {
    /// The request answered by the listener, or `Err(dial error)` when nothing listens.
    pub async fn call(&self, request: ProxyRequest) -> Result<ProxyResponse, String> {
        match &self.handler {
            Some(h) => Ok(h(request).await),
            None => Err(format!(
                "dial tcp {}:{}: connect: connection refused",
                self.ip, self.port
            )),
        }
    }
}

/// `name`, `name:port` or `scheme:name:port`; the scheme, if any, is `http` or `https`.
// apimachinery: staging/src/k8s.io/apimachinery/pkg/util/net/port_split.go, func SplitSchemeNamePort
pub fn split_scheme_name_port(id: &str) -> Option<(&str, &str, &str)> {
    let parts: Vec<&str> = id.split(':').collect();
    let (scheme, name, port) = match parts.as_slice() {
        [name] => ("", *name, ""),
        [name, port] => ("", *name, *port),
        [scheme, name, port] => (*scheme, *name, *port),
        _ => return None,
    };
    (!name.is_empty() && matches!(scheme, "" | "http" | "https")).then_some((scheme, name, port))
}

fn service_unavailable(message: String) -> ApiError {
    ApiError::new(503, "ServiceUnavailable", message)
}

fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn get(core: &ClusterCore, plural: &str, ns: &str, name: &str) -> Option<Arc<Value>> {
    core.store.get(&ObjectKey::new(ResKey::new("", plural), Some(ns), name))
}

/// The service port's name for a port number, if the Service has that port.
fn port_name_of_number(service: &Value, number: i64) -> Option<String> {
    service
        .pointer("/spec/ports")?
        .as_array()?
        .iter()
        .find(|p| p.get("port").and_then(Value::as_i64) == Some(number))
        .map(|p| p.get("name").and_then(Value::as_str).unwrap_or("").to_string())
}

/// The first ready address of a subset that has an endpoint port named `port_name`.
fn pick(core: &ClusterCore, ns: &str, endpoints: &Value, port_name: &str) -> Option<Backend> {
    for subset in endpoints.get("subsets")?.as_array()? {
        let Some(address) = subset
            .get("addresses")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        else {
            continue;
        };
        let Some(port) = subset
            .get("ports")
            .and_then(Value::as_array)
            .and_then(|ps| ps.iter().find(|p| text(p, "/name") == port_name))
            .and_then(|p| p.get("port"))
            .and_then(Value::as_i64)
        else {
            continue;
        };
        let workload = crate::controllers::endpoints::workload_of_pod(core, ns, text(address, "/targetRef/name"));
        return Some(Backend {
            ip: text(address, "/ip").to_string(),
            port,
            handler: workload.and_then(|w| core.proxies.get(ns, &w, port)),
        });
    }
    None
}

/// Where the service proxy sends `services/{id}/proxy/…`.
// kube-apiserver: pkg/registry/core/service/storage/storage.go, func (*REST) ResourceLocation.
// A numeric port becomes the name of the Service port with that number; the request then goes
// to the endpoint port of that *name* (so without a port only an unnamed Service port matches).
pub fn resource_location(core: &ClusterCore, ns: &str, id: &str) -> Result<Backend, ApiError> {
    let Some((_scheme, name, port)) = split_scheme_name_port(id) else {
        return Err(ApiError::bad_request(format!("invalid service request \"{id}\"")));
    };
    let mut port_name = port.to_string();
    if let Ok(number) = port.parse::<i64>() {
        let service = get(core, "services", ns, name).ok_or_else(|| ApiError::not_found("services", name))?;
        port_name = port_name_of_number(&service, number)
            .ok_or_else(|| service_unavailable(format!("no service port {number} found for service \"{name}\"")))?;
    }
    let endpoints = get(core, "endpoints", ns, name).ok_or_else(|| ApiError::not_found("endpoints", name))?;
    if endpoints
        .get("subsets")
        .and_then(Value::as_array)
        .is_none_or(|s| s.is_empty())
    {
        return Err(service_unavailable(format!(
            "no endpoints available for service \"{name}\""
        )));
    }
    // Upstream names the whole id here (`lt:grpc`), not only the Service.
    pick(core, ns, &endpoints, &port_name)
        .ok_or_else(|| service_unavailable(format!("no endpoints available for service \"{id}\"")))
}

/// Where an in-cluster client's `http://service.ns:port/` lands (kube-proxy's rules: the Service
/// port with that number, then the endpoints' port of the same name). The error reads as the
/// client's dial error: unknown Service → no such host; no port or no ready endpoint → refused
/// (kube-proxy rejects traffic to a Service without endpoints).
pub fn cluster_ip_backend(core: &ClusterCore, ns: &str, service: &str, port: i64) -> Result<Backend, String> {
    let Some(svc) = get(core, "services", ns, service) else {
        return Err(format!("dial tcp: lookup {service}.{ns}: no such host"));
    };
    let refused = || {
        format!(
            "dial tcp {}:{port}: connect: connection refused",
            text(&svc, "/spec/clusterIP")
        )
    };
    let port_name = port_name_of_number(&svc, port).ok_or_else(refused)?;
    let endpoints = get(core, "endpoints", ns, service).ok_or_else(refused)?;
    pick(core, ns, &endpoints, &port_name).ok_or_else(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_split_as_upstream() {
        assert_eq!(split_scheme_name_port("lt"), Some(("", "lt", "")));
        assert_eq!(split_scheme_name_port("lt:80"), Some(("", "lt", "80")));
        assert_eq!(split_scheme_name_port("lt:http"), Some(("", "lt", "http")));
        assert_eq!(split_scheme_name_port("https:lt:443"), Some(("https", "lt", "443")));
        // Two parts are always name:port, never scheme:name.
        assert_eq!(split_scheme_name_port("http:lt"), Some(("", "http", "lt")));
        assert_eq!(split_scheme_name_port("ftp:lt:21"), None);
        assert_eq!(split_scheme_name_port(":80"), None);
        assert_eq!(split_scheme_name_port("a:b:c:d"), None);
    }
}
