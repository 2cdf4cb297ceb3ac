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

/// The load tester Service a hook URL names, as the API server's service proxy reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadTester {
    pub namespace: String,
    pub service: String,
    /// The Service port number the hook URL names (its own, else its scheme's).
    pub port: u16,
    /// `[https:]service:port`: the proxy's name for the Service port.
    id: String,
}

impl LoadTester {
    /// `http(s)://svc[.ns[.svc…]][:port]/path`: the port is the URL's, else the scheme's (80,
    /// 443). The proxy maps that number to the Service port's *name* and routes to the endpoint
    /// port of that name; without a port it would only match an unnamed Service port, and the
    /// load testers this tool installs name theirs `http`.
    // kube-apiserver: pkg/registry/core/service/storage/storage.go, func (*REST) ResourceLocation
    pub fn from_hook(hook_url: &str, own_namespace: &str) -> Option<LoadTester> {
        let (scheme, rest) = hook_url.split_once("://")?;
        let default_port = match scheme {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let host = rest.split(['/', '?']).next()?;
        let (name_part, port) = match host.split_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().ok()?),
            None => (host, default_port),
        };
        let mut parts = name_part.split('.');
        let service = parts.next().filter(|s| !s.is_empty())?.to_string();
        let namespace = parts.next().unwrap_or(own_namespace).to_string();
        let id = if scheme == "https" {
            format!("https:{service}:{port}")
        } else {
            format!("{service}:{port}")
        };
        Some(LoadTester {
            namespace,
            service,
            port,
            id,
        })
    }

    /// The service proxy path of a load tester endpoint (`/gate/open`…).
    pub fn path(&self, endpoint: &str) -> String {
        format!(
            "/api/v1/namespaces/{}/services/{}/proxy{endpoint}",
            self.namespace, self.id
        )
    }

    /// What a 503 of the service proxy means for this load tester, and what to do (pure).
    // kube-apiserver: pkg/registry/core/service/storage/storage.go, func (*REST)
    // ResourceLocation (no port / no endpoints); apimachinery: pkg/util/proxy/transport.go
    // (error trying to reach service: nothing listens on the Pod's port).
    pub fn unavailable(&self, message: &str) -> ClusterError {
        let (ns, svc) = (&self.namespace, &self.service);
        let text = if message.starts_with("no service port") {
            format!(
                "the load tester Service {ns}/{svc} has no port the hook URL names ({message}); compare the webhook URL with `kubectl -n {ns} get service {svc}`"
            )
        } else if message.starts_with("no endpoints available") {
            format!(
                "the load tester {ns}/{svc} has no ready endpoint ({message}); check `kubectl -n {ns} get endpoints {svc}` and `kubectl -n {ns} get deployment {svc}`, and install the load tester (`kubectl kurator-rollout install --testloader`, or testLoader: true in the rollout policy) if it is missing"
            )
        } else {
            format!(
                "the load tester {ns}/{svc} did not answer ({message}); check its Pods with `kubectl -n {ns} get endpoints {svc}`"
            )
        };
        ClusterError::Other(text)
    }
}

/// POSTs `{name, namespace}` to a load tester endpoint through the service proxy.
pub async fn post(
    client: &Client,
    tester: &LoadTester,
    endpoint: &str,
    name: &str,
    namespace: &str,
) -> Result<(), ClusterError> {
    let proxy = tester.path(endpoint);
    let body = json!({"name": name, "namespace": namespace}).to_string().into_bytes();
    let request = http::Request::post(&proxy)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(body)
        .map_err(|e| ClusterError::Other(e.to_string()))?;
    match client.request_text(request).await {
        Ok(_) => Ok(()),
        // The API server's own refusals: no endpoints, no such port, nothing listening.
        Err(kube::Error::Api(status)) if status.code == 503 && status.reason == "ServiceUnavailable" => {
            Err(tester.unavailable(&status.message))
        }
        Err(e) => Err(ClusterError::from_kube(&e).with_object(&proxy)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_paths() {
        let path = |url: &str, endpoint: &str| LoadTester::from_hook(url, "test").map(|lt| lt.path(endpoint));
        assert_eq!(
            path("http://lt.istio-system/rollback/check", "/rollback/open").as_deref(),
            Some("/api/v1/namespaces/istio-system/services/lt:80/proxy/rollback/open")
        );
        assert_eq!(
            path("http://lt:8080/", "/gate/open").as_deref(),
            Some("/api/v1/namespaces/test/services/lt:8080/proxy/gate/open")
        );
        assert_eq!(
            path("https://lt.ns.svc.cluster.local/", "/gate/open").as_deref(),
            Some("/api/v1/namespaces/ns/services/https:lt:443/proxy/gate/open")
        );
        assert_eq!(path("ftp://lt.ns/", "/gate/open"), None);
        let lt = LoadTester::from_hook("http://lt.ns/", "test").unwrap();
        let said = |m: &str| lt.unavailable(m).to_string();
        assert!(
            said(r#"no endpoints available for service "lt""#).contains("the load tester ns/lt has no ready endpoint")
        );
        assert!(said(r#"no endpoints available for service "lt""#).contains("kubectl -n ns get endpoints lt"));
        assert!(said(r#"no service port 80 found for service "lt""#).contains("has no port the hook URL names"));
        assert!(
            said("error trying to reach service: dial tcp 10.0.0.1:8080: connect: connection refused")
                .contains("did not answer")
        );
        assert_eq!(path("http://lt.ns:x/", "/gate/open"), None);
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
