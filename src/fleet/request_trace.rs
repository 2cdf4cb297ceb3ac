//! `-vv`'s request details: each request as the plugin makes it (method, URL, headers) and its
//! answer (status, headers, time taken), as trace events.
//!
//! kube-client traces requests itself (kube-client src/client/builder.rs, the `TraceLayer` in
//! `make_generic_builder`): a debug span `HTTP` with method, URL and status, and the debug
//! events "requesting" and "stream closed". Its trace-level events are only a watch's response
//! headers and a Status body (src/client/mod.rs, `request_events`, `request_status`), so
//! `kube_client=trace` over `debug` adds nothing to most requests. This layer wraps kube's
//! whole stack: the request has not yet passed kube's auth layer, so it never carries the
//! token, and [`shown_headers`] redacts credential headers anyway (a response's cookies, or a
//! header a future kube sets earlier). What kube adds further in (authorization,
//! impersonation, accept-encoding) is therefore not shown: the request's headers are the ones
//! the plugin set (content type, accept), the response's all the server sent (audit-id, ...).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use http::{HeaderMap, Request, Response};
use kube::Config;
use tower::{BoxError, Layer, Service};

/// Headers whose values are credentials: shown by name only.
const CREDENTIAL_HEADERS: [&str; 4] = ["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// The headers as `name: value` pairs, credentials redacted (pure).
pub fn shown_headers(headers: &HeaderMap) -> String {
    let shown: Vec<String> = headers
        .iter()
        .map(|(name, value)| {
            let name = name.as_str();
            let value = if CREDENTIAL_HEADERS.contains(&name) || name.contains("token") {
                "<redacted>"
            } else {
                value.to_str().unwrap_or("<not text>")
            };
            format!("{name}: {value}")
        })
        .collect();
    format!("[{}]", shown.join(", "))
}

/// See the module documentation.
#[derive(Clone)]
pub struct RequestTraceLayer {
    /// The cluster's URL: kube's stack adds it further in, so requests here have a path only.
    server: String,
    /// The context (or member) the client is for: `-v` lines name it, as a fleet's requests
    /// interleave.
    context: String,
}

impl RequestTraceLayer {
    pub fn new(config: &Config, context: &str) -> RequestTraceLayer {
        RequestTraceLayer {
            server: config.cluster_url.to_string().trim_end_matches('/').to_string(),
            context: context.to_string(),
        }
    }
}

/// `-v`'s line for one request, as kubectl -v=6 prints it (k8s.io/client-go
/// transport/round_trippers.go, `requestInfo`/`RoundTrip`: `GET URL 200 OK in 5 milliseconds`),
/// with the context first (pure).
pub fn summary_line(context: &str, method: &str, url: &str, answer: Result<u16, &str>, elapsed_ms: u128) -> String {
    match answer {
        Ok(status) => format!("{context}: {method} {url} {status} in {elapsed_ms} milliseconds"),
        Err(error) => format!("{context}: {method} {url} failed in {elapsed_ms} milliseconds: {error}"),
    }
}

impl<S> Layer<S> for RequestTraceLayer {
    type Service = RequestTrace<S>;

    fn layer(&self, inner: S) -> RequestTrace<S> {
        RequestTrace {
            inner,
            server: self.server.clone(),
            context: self.context.clone(),
        }
    }
}

#[derive(Clone)]
pub struct RequestTrace<S> {
    inner: S,
    server: String,
    context: String,
}

impl<S, B, R> Service<Request<B>> for RequestTrace<S>
where
    S: Service<Request<B>, Response = Response<R>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    R: Send + 'static,
{
    type Response = Response<R>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<R>, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let method = request.method().clone();
        let path = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let url = format!("{}{path}", self.server);
        tracing::trace!(http.method = %method, http.url = %url, headers = %shown_headers(request.headers()), "request");
        let started = Instant::now();
        let answer = self.inner.call(request);
        let context = self.context.clone();
        Box::pin(async move {
            let elapsed = || started.elapsed().as_millis();
            let response = match answer.await.map_err(Into::into) {
                Ok(response) => response,
                Err(error) => {
                    // The whole chain: hyper's top-level text ("client error (SendRequest)")
                    // says nothing of the cause.
                    let cause = super::error::chain(error.as_ref());
                    let line = summary_line(&context, method.as_str(), &url, Err(&cause), elapsed());
                    tracing::debug!("{line}");
                    return Err(error);
                }
            };
            let line = summary_line(
                &context,
                method.as_str(),
                &url,
                Ok(response.status().as_u16()),
                elapsed(),
            );
            tracing::debug!("{line}");
            tracing::trace!(
                http.method = %method,
                http.url = %url,
                http.status_code = response.status().as_u16(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                headers = %shown_headers(response.headers()),
                "response"
            );
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_line_names_its_context_and_latency() {
        assert_eq!(
            summary_line("m1", "GET", "https://x/api", Ok(200), 5),
            "m1: GET https://x/api 200 in 5 milliseconds"
        );
        assert_eq!(
            summary_line("m2", "GET", "https://y/api", Err("connection refused"), 1),
            "m2: GET https://y/api failed in 1 milliseconds: connection refused"
        );
    }

    #[test]
    fn credentials_are_named_never_shown() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Bearer s3cret".parse().unwrap());
        headers.insert("proxy-authorization", "Basic czNjcmV0".parse().unwrap());
        headers.insert("set-cookie", "session=s3cret".parse().unwrap());
        headers.insert("x-auth-token", "s3cret".parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("impersonate-user", "jane".parse().unwrap());
        let shown = shown_headers(&headers);
        assert!(!shown.contains("s3cret") && !shown.contains("czNjcmV0"), "{shown}");
        assert!(shown.contains("authorization: <redacted>"), "{shown}");
        assert!(shown.contains("content-type: application/json"), "{shown}");
        assert!(shown.contains("impersonate-user: jane"), "{shown}");
        assert_eq!(shown_headers(&HeaderMap::new()), "[]");
    }
}
