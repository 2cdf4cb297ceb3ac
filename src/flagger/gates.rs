//! Reaching a canary's gates on its load tester through the API server's service proxy (no
//! port-forward, no open port): the hook URL names the load tester Service.

use kube::Client;
use serde_json::{Value, json};

use crate::fleet::ClusterError;

/// The first webhook of a type whose URL's path is exactly `path` (`/gate/check`,
/// `/rollback/check`): the load tester's Go ServeMux matches exact paths, so `/gate/check/` or
/// `/x/gate/check` reach its task endpoint, not the gate.
pub fn hook_url(canary: &Value, kind: &str, path: &str) -> Option<String> {
    canary
        .pointer("/spec/analysis/webhooks")?
        .as_array()?
        .iter()
        .find(|h| h["type"] == kind && h["url"].as_str().is_some_and(|u| url_path(u) == Some(path)))
        .and_then(|h| h["url"].as_str())
        .map(str::to_string)
}

/// The path of an `http(s)://host/path?query` URL ("/" when there is none).
fn url_path(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let path = rest.find('/').map(|i| &rest[i..]).unwrap_or("/");
    Some(path.split(['?', '#']).next().unwrap_or(path))
}

/// `http://svc.ns[.svc…][:port]/path` → the service proxy path for `endpoint` on that Service.
pub fn proxy_path(hook_url: &str, own_namespace: &str, endpoint: &str) -> Option<String> {
    let rest = hook_url.split("://").nth(1)?;
    let host = rest.split('/').next()?;
    let (name_part, port) = match host.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (host, None),
    };
    let mut parts = name_part.split('.');
    let service = parts.next().filter(|s| !s.is_empty())?;
    let namespace = parts.next().unwrap_or(own_namespace);
    let target = match port {
        Some(p) => format!("{service}:{p}"),
        None => service.to_string(),
    };
    Some(format!(
        "/api/v1/namespaces/{namespace}/services/{target}/proxy{endpoint}"
    ))
}

/// POSTs `{name, namespace}` to a load tester endpoint through the service proxy.
pub async fn post(client: &Client, proxy: &str, name: &str, namespace: &str) -> Result<(), ClusterError> {
    let body = json!({"name": name, "namespace": namespace}).to_string().into_bytes();
    let request = http::Request::post(proxy)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(body)
        .map_err(|e| ClusterError::Other(e.to_string()))?;
    client
        .request_text(request)
        .await
        .map(|_| ())
        .map_err(|e| ClusterError::from_kube(&e).with_object(proxy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_paths() {
        assert_eq!(
            proxy_path("http://lt.istio-system/rollback/check", "test", "/rollback/open").as_deref(),
            Some("/api/v1/namespaces/istio-system/services/lt/proxy/rollback/open")
        );
        assert_eq!(
            proxy_path("http://lt:8080/", "test", "/gate/open").as_deref(),
            Some("/api/v1/namespaces/test/services/lt:8080/proxy/gate/open")
        );
        let canary =
            json!({"spec": {"analysis": {"webhooks": [{"type": "rollback", "url": "http://lt.ns/rollback/check"}]}}});
        assert_eq!(
            hook_url(&canary, "rollback", "/rollback/check").as_deref(),
            Some("http://lt.ns/rollback/check")
        );
        assert!(hook_url(&canary, "confirm-promotion", "/gate/check").is_none());
        for not_a_gate in ["http://lt.ns/rollback/check/", "http://lt.ns/v1/rollback/check"] {
            let canary = json!({"spec": {"analysis": {"webhooks": [{"type": "rollback", "url": not_a_gate}]}}});
            assert!(
                hook_url(&canary, "rollback", "/rollback/check").is_none(),
                "{not_a_gate}"
            );
        }
        let canary = json!({"spec": {"analysis": {"webhooks": [{"type": "rollback", "url": "http://lt.ns:80/rollback/check?x=1"}]}}});
        assert!(hook_url(&canary, "rollback", "/rollback/check").is_some());
    }
}
