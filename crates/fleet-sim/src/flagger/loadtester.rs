//! Flagger's load tester (v0.38.0 HTTP API, reference/flagger.md §4), simulated: gates and
//! rollback gates per canary, in memory per load tester, and the task endpoint. Reached by the
//! simulated Flagger's webhooks and through the API server's service proxy alike.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::proxy::{ProxyHandler, ProxyRequest, ProxyResponse};

#[derive(Default)]
pub struct LoadTester {
    gates: Mutex<HashMap<String, bool>>,
}

impl LoadTester {
    pub fn is_open(&self, key: &str) -> bool {
        self.gates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .copied()
            .unwrap_or(false)
    }

    fn set(&self, key: String, open: bool) {
        self.gates.lock().unwrap_or_else(|p| p.into_inner()).insert(key, open);
    }

    fn check(&self, key: String) -> bool {
        *self
            .gates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key)
            .or_insert(false)
    }

    pub fn handle(&self, request: &ProxyRequest) -> ProxyResponse {
        let path = request.path.trim_end_matches('/');
        match path {
            "/healthz" => return ProxyResponse::text(200, "OK"),
            "/gate/approve" => return ProxyResponse::text(200, "OK"),
            "/gate/halt" => return ProxyResponse::text(403, "Forbidden"),
            _ => {}
        }
        let payload = match payload(request) {
            Ok(p) => p,
            Err(message) => return ProxyResponse::text(400, message),
        };
        let name = payload.get("name").and_then(Value::as_str).unwrap_or("");
        let namespace = payload.get("namespace").and_then(Value::as_str).unwrap_or("");
        let gate = format!("{name}.{namespace}");
        let rollback = format!("rollback.{name}.{namespace}");
        match path {
            "/gate/check" => verdict(self.check(gate)),
            "/gate/open" => self.flip(gate, true),
            "/gate/close" => self.flip(gate, false),
            "/rollback/check" => verdict(self.check(rollback)),
            "/rollback/open" => self.flip(rollback, true),
            "/rollback/close" => self.flip(rollback, false),
            _ => task(&payload),
        }
    }

    fn flip(&self, key: String, open: bool) -> ProxyResponse {
        self.set(key, open);
        ProxyResponse::text(202, "")
    }
}

fn verdict(open: bool) -> ProxyResponse {
    if open {
        ProxyResponse::text(200, "Approved")
    } else {
        ProxyResponse::text(403, "Forbidden")
    }
}

/// The webhook payload: JSON body, or for a bodyless GET the `name`/`namespace` query parameters.
fn payload(request: &ProxyRequest) -> Result<Value, String> {
    if request.body.is_empty() {
        let query: serde_json::Map<String, Value> = request
            .query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect();
        if query.contains_key("name") {
            return Ok(Value::Object(query));
        }
        return Err("reading the request body failed: EOF".into());
    }
    serde_json::from_slice(&request.body).map_err(|e| format!("decoding the request body failed: {e}"))
}

/// The task endpoint (§4.2). Commands are not executed: the simulator answers as a load tester
/// whose commands succeed.
fn task(payload: &Value) -> ProxyResponse {
    let Some(metadata) = payload
        .get("metadata")
        .and_then(Value::as_object)
        .filter(|m| !m.is_empty())
    else {
        return ProxyResponse::text(400, "metadata not found in payload");
    };
    let kind = metadata.get("type").and_then(Value::as_str).unwrap_or("cmd");
    let cmd = metadata.get("cmd").and_then(Value::as_str).unwrap_or("");
    match kind {
        "cmd" if cmd.is_empty() => ProxyResponse::text(400, "cmd not found"),
        "cmd" | "ngrinder" => ProxyResponse::text(202, ""),
        "bash" | "kubectl" | "helm" | "helmv3" | "concord" => ProxyResponse::text(200, ""),
        other => ProxyResponse::text(
            502,
            format!("task type {other} is not supported; the connection was dropped"),
        ),
    }
}

pub fn handler(tester: Arc<LoadTester>) -> ProxyHandler {
    Arc::new(move |request: ProxyRequest| {
        let answer = tester.handle(&request);
        Box::pin(async move { answer })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(path: &str, body: &str) -> ProxyRequest {
        ProxyRequest {
            method: http::Method::POST,
            path: path.into(),
            query: String::new(),
            body: body.as_bytes().to_vec().into(),
        }
    }

    #[test]
    fn gates() {
        let lt = LoadTester::default();
        let body = r#"{"name":"web","namespace":"shop","phase":"Progressing"}"#;
        assert_eq!(lt.handle(&post("/gate/check", body)).status, 403);
        assert_eq!(lt.handle(&post("/gate/open", body)).status, 202);
        assert_eq!(lt.handle(&post("/gate/check", body)).status, 200);
        assert_eq!(lt.handle(&post("/rollback/check", body)).status, 403);
        assert_eq!(lt.handle(&post("/rollback/open", body)).status, 202);
        assert_eq!(lt.handle(&post("/rollback/check", body)).status, 200);
        assert_eq!(lt.handle(&post("/gate/close", body)).status, 202);
        assert_eq!(lt.handle(&post("/gate/check", body)).status, 403);
        assert_eq!(lt.handle(&post("/gate/check", "")).status, 400);
        assert_eq!(lt.handle(&post("/gate/approve", "")).status, 200);
        assert_eq!(lt.handle(&post("/gate/halt", "")).status, 403);
        let get = ProxyRequest {
            method: http::Method::GET,
            path: "/gate/check".into(),
            query: "name=web&namespace=shop".into(),
            body: Default::default(),
        };
        assert_eq!(lt.handle(&get).status, 403);
    }

    #[test]
    fn tasks() {
        let lt = LoadTester::default();
        assert_eq!(lt.handle(&post("/", r#"{"name":"w","namespace":"s"}"#)).status, 400);
        assert_eq!(
            lt.handle(&post(
                "/",
                r#"{"name":"w","namespace":"s","metadata":{"cmd":"hey http://x"}}"#
            ))
            .status,
            202
        );
        assert_eq!(
            lt.handle(&post(
                "/",
                r#"{"name":"w","namespace":"s","metadata":{"type":"bash","cmd":"true"}}"#
            ))
            .status,
            200
        );
        assert_eq!(
            lt.handle(&post("/", r#"{"name":"w","namespace":"s","metadata":{"type":"cmd"}}"#))
                .status,
            400
        );
    }
}
