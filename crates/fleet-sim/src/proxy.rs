//! Handlers behind the API server's service proxy
//! (`/api/v1/namespaces/{ns}/services/{name[:port]}/proxy/{path}`), registered per Service.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use futures::future::BoxFuture;

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

#[derive(Default, Clone)]
pub struct ProxyRegistry {
    handlers: Arc<RwLock<HashMap<(String, String), ProxyHandler>>>,
}

impl ProxyRegistry {
    pub fn register(&self, namespace: &str, service: &str, handler: ProxyHandler) {
        self.handlers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert((namespace.to_string(), service.to_string()), handler);
    }

    pub fn unregister(&self, namespace: &str, service: &str) {
        self.handlers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(namespace.to_string(), service.to_string()));
    }

    pub fn get(&self, namespace: &str, service: &str) -> Option<ProxyHandler> {
        self.handlers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(namespace.to_string(), service.to_string()))
            .cloned()
    }
}
