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

    /// Flagger loadtester `pkg/loadtester/server.go`, `ListenAndServe`: Go's ServeMux with exact
    /// patterns (so `/gate/check/` is the task endpoint `/`), bodies decoded by Go's
    /// `encoding/json` into the webhook payload, 400 with an empty body when that fails.
    pub fn handle(&self, request: &ProxyRequest) -> ProxyResponse {
        let path = request.path.as_str();
        // Go `net/http` ServeMux redirects a path that is not clean to its clean form.
        let clean = clean_path(path);
        if clean != path {
            let mut answer = ProxyResponse::text(301, format!("<a href=\"{clean}\">Moved Permanently</a>.\n\n"));
            answer.content_type = "text/html; charset=utf-8".into();
            return answer;
        }
        match path {
            "/healthz" | "/gate/approve" => return ProxyResponse::text(200, "OK"),
            "/gate/halt" => return ProxyResponse::text(403, "Forbidden"),
            "/metrics" => {
                let mut answer = ProxyResponse::text(200, "# HELP flagger_loadtester_info Simulated load tester.\n");
                answer.content_type = "text/plain; version=0.0.4; charset=utf-8".into();
                return answer;
            }
            _ => {}
        }
        let Some(payload) = decode_payload(&request.body) else {
            return empty(400);
        };
        let gate = format!("{}.{}", payload.name, payload.namespace);
        let rollback = format!("rollback.{}.{}", payload.name, payload.namespace);
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
        empty(202)
    }
}

/// A status with no body (Go: `WriteHeader` without `Write`).
fn empty(status: u16) -> ProxyResponse {
    ProxyResponse::text(status, "")
}

fn verdict(open: bool) -> ProxyResponse {
    if open {
        ProxyResponse::text(200, "Approved")
    } else {
        ProxyResponse::text(403, "Forbidden")
    }
}

/// Go `path.Clean` as ServeMux applies it (a trailing slash is kept).
fn clean_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut clean = format!("/{}", parts.join("/"));
    if path.ends_with('/') && clean != "/" {
        clean.push('/');
    }
    clean
}

/// `flaggerv1.CanaryWebhookPayload` as Go's `json.Unmarshal` fills it.
#[derive(Debug, Default)]
struct Payload {
    name: String,
    namespace: String,
    metadata: serde_json::Map<String, Value>,
}

/// Go `encoding/json`: the whole body must be one JSON value; `null` leaves the payload empty;
/// object keys match field names case-insensitively; a value of the wrong type is an error
/// (metadata is `map[string]string`). None means 400.
fn decode_payload(body: &[u8]) -> Option<Payload> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let mut payload = Payload::default();
    let object = match value {
        Value::Null => return Some(payload),
        Value::Object(o) => o,
        _ => return None,
    };
    for (key, value) in object {
        let string_field = |v: &Value| -> Option<Option<String>> {
            match v {
                Value::Null => Some(None),
                Value::String(s) => Some(Some(s.clone())),
                _ => None,
            }
        };
        match key.to_ascii_lowercase().as_str() {
            "name" => {
                if let Some(s) = string_field(&value)? {
                    payload.name = s;
                }
            }
            "namespace" => {
                if let Some(s) = string_field(&value)? {
                    payload.namespace = s;
                }
            }
            "phase" | "checksum" => {
                string_field(&value)?;
            }
            "metadata" => match value {
                Value::Null => {}
                Value::Object(m) => {
                    for (k, v) in m {
                        match v {
                            Value::String(_) => {
                                payload.metadata.insert(k, v);
                            }
                            // A null element of a map[string]string is stored as "".
                            Value::Null => {
                                payload.metadata.insert(k, Value::String(String::new()));
                            }
                            _ => return None,
                        }
                    }
                }
                _ => return None,
            },
            _ => {}
        }
    }
    Some(payload)
}

/// The task endpoint (`HandleNewTask`). Commands are not executed: the simulator answers as a
/// load tester whose commands succeed.
fn task(payload: &Payload) -> ProxyResponse {
    let metadata = &payload.metadata;
    if metadata.is_empty() {
        return ProxyResponse::text(400, "metadata not found in payload");
    }
    let field = |k: &str| metadata.get(k).and_then(Value::as_str);
    let kind = field("type").unwrap_or("cmd");
    match kind {
        // Blocking tasks answer when the command has run.
        "bash" | "helm" | "helmv3" | "kubectl" | "concord" => empty(200),
        // `task_shell.go` factory.
        "cmd" if field("cmd").is_none() => ProxyResponse::text(400, "cmd not found in metadata"),
        "cmd" => empty(202),
        // `task_ngrinder.go` factory.
        "ngrinder" => {
            let required = ["server", "clone", "username", "passwd"];
            if required.iter().any(|k| field(k).unwrap_or("").is_empty()) {
                return ProxyResponse::text(400, "server, clone, username and passwd are required metadata");
            }
            if field("clone").unwrap_or("").parse::<i64>().is_err() {
                return ProxyResponse::text(
                    400,
                    format!(
                        "metadata clone must be integer: strconv.Atoi: parsing {:?}: invalid syntax",
                        field("clone").unwrap_or("")
                    ),
                );
            }
            empty(202)
        }
        // Upstream's factory lookup panics on an unknown type and Go's server drops the
        // connection; the simulated tester answers a bad gateway instead.
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
        // No query-string fallback: the body is the payload.
        let get = ProxyRequest {
            method: http::Method::GET,
            path: "/gate/check".into(),
            query: "name=web&namespace=shop".into(),
            body: Default::default(),
        };
        assert_eq!(lt.handle(&get).status, 400);
    }

    #[test]
    fn exact_paths_and_go_json() {
        let lt = LoadTester::default();
        let body = r#"{"name":"web","namespace":"shop"}"#;
        // `/gate/open/` is the task endpoint: no metadata → 400 with its text.
        let answer = lt.handle(&post("/gate/open/", body));
        assert_eq!(
            (answer.status, &answer.body[..]),
            (400, &b"metadata not found in payload"[..])
        );
        assert!(!lt.is_open("web.shop"));
        assert_eq!(lt.handle(&post("/gate/check/", body)).status, 400);
        assert_eq!(lt.handle(&post("//gate/open", body)).status, 301);
        // Not JSON, wrong types, arrays: 400 with an empty body.
        for bad in [
            "name=web",
            r#"{"name": 5}"#,
            "[1]",
            r#"{"name":"a","metadata":{"k":1}}"#,
        ] {
            let answer = lt.handle(&post("/gate/open", bad));
            assert_eq!((answer.status, answer.body.len()), (400, 0), "{bad}");
        }
        // Go matches field names case-insensitively; `null` is an empty payload.
        assert_eq!(
            lt.handle(&post("/gate/open", r#"{"NAME":"web","Namespace":"shop"}"#))
                .status,
            202
        );
        assert!(lt.is_open("web.shop"));
        assert_eq!(lt.handle(&post("/gate/check", "null")).status, 403);
        assert!(lt.gates.lock().unwrap().contains_key("."));
        let answer = lt.handle(&post("/", r#"{"name":"w","namespace":"s","metadata":{"type":"cmd"}}"#));
        assert_eq!(
            (answer.status, &answer.body[..]),
            (400, &b"cmd not found in metadata"[..])
        );
        assert_eq!(
            lt.handle(&post("/", r#"{"metadata":{"type":"cmd","cmd":""}}"#)).status,
            202
        );
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
