//! `--request-timeout`: how long one request may take, from sending it to the end of its
//! answer's body, as kubectl's flag.
//!
//! kubectl passes the flag to client-go's `rest.Config.Timeout`, which becomes the
//! `http.Client`'s `Timeout` (k8s.io/client-go rest/transport.go, `HTTPClientFor`) — in Go, a
//! bound on the connection, any redirects and reading the whole body — and the context deadline
//! of every `Request.Do` (rest/request.go, `request`: `context.WithTimeout(ctx, r.timeout)`
//! around the retry loop). So it covers the retries too, and so does this layer, which sits
//! outside `fleet::retry`.
//!
//! Watches differ on purpose. client-go's `Request.Watch` sends through the same
//! `http.Client` (rest/request.go, `Watch`: `client.Do(req)`), so Go's client timeout also ends
//! a watch stream after the duration (`kubectl get -w --request-timeout=30s` stops after 30 s).
//! Here a follow (`status --watch`) has its own bound, `--timeout`, and a stream cut every few
//! seconds would only cost re-watches: a watch request is bounded until its answer's headers
//! arrive (a cluster that never answers is still a timeout), and its stream is not.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use http_body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};
use tower::{BoxError, Layer, Service};

/// The error of a request that ran out of time (`ClusterError::Timeout` on the row).
#[derive(Debug, thiserror::Error)]
#[error("request timed out after {}", humantime::format_duration(*.0))]
pub struct RequestTimedOut(pub Duration);

/// Whether a request is a watch (`?watch=true`, or `1`, which the API server also accepts).
pub fn is_watch(uri: &http::Uri) -> bool {
    uri.query()
        .unwrap_or("")
        .split('&')
        .any(|pair| pair == "watch=true" || pair == "watch=1")
}

/// See the module documentation; `None` bounds nothing (kubectl's default, 0).
#[derive(Clone)]
pub struct RequestTimeoutLayer {
    timeout: Option<Duration>,
}

impl RequestTimeoutLayer {
    pub fn new(timeout: Option<Duration>) -> RequestTimeoutLayer {
        RequestTimeoutLayer { timeout }
    }
}

impl<S> Layer<S> for RequestTimeoutLayer {
    type Service = RequestTimeout<S>;

    fn layer(&self, inner: S) -> RequestTimeout<S> {
        RequestTimeout {
            inner,
            timeout: self.timeout,
        }
    }
}

#[derive(Clone)]
pub struct RequestTimeout<S> {
    inner: S,
    timeout: Option<Duration>,
}

impl<S, B, R> Service<Request<B>> for RequestTimeout<S>
where
    S: Service<Request<B>, Response = Response<R>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    R: Send + 'static,
{
    type Response = Response<DeadlineBody<R>>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<DeadlineBody<R>>, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let watch = is_watch(request.uri());
        let answer = self.inner.call(request);
        let Some(timeout) = self.timeout else {
            return Box::pin(async move {
                let response = answer.await.map_err(Into::into)?;
                Ok(response.map(|body| DeadlineBody::new(body, None)))
            });
        };
        let deadline = Instant::now() + timeout;
        Box::pin(async move {
            let response = match tokio::time::timeout_at(deadline, answer).await {
                Err(_) => return Err(Box::new(RequestTimedOut(timeout)) as BoxError),
                Ok(answer) => answer.map_err(Into::into)?,
            };
            let body_deadline = (!watch).then_some((deadline, timeout));
            Ok(response.map(|body| DeadlineBody::new(body, body_deadline)))
        })
    }
}

/// A response body that fails with [`RequestTimedOut`] once the request's deadline passes.
pub struct DeadlineBody<B> {
    inner: B,
    deadline: Option<(Pin<Box<Sleep>>, Duration)>,
}

impl<B> DeadlineBody<B> {
    fn new(inner: B, deadline: Option<(Instant, Duration)>) -> DeadlineBody<B> {
        DeadlineBody {
            inner,
            deadline: deadline.map(|(at, timeout)| (Box::pin(tokio::time::sleep_until(at)), timeout)),
        }
    }
}

impl<B> Body for DeadlineBody<B>
where
    B: Body + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = B::Data;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<B::Data>, BoxError>>> {
        let this = &mut *self;
        if let Some((sleep, timeout)) = &mut this.deadline
            && sleep.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Some(Err(Box::new(RequestTimedOut(*timeout)))));
        }
        Pin::new(&mut this.inner).poll_frame(cx).map_err(Into::into)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, StreamBody};

    #[test]
    fn watches_are_told_by_their_query() {
        let uri = |s: &str| s.parse::<http::Uri>().unwrap();
        assert!(is_watch(&uri(
            "/apis/flagger.app/v1beta1/canaries?watch=true&resourceVersion=5"
        )));
        assert!(is_watch(&uri("/api/v1/events?fieldSelector=x&watch=1")));
        assert!(!is_watch(&uri("/api/v1/events?watch=false")));
        assert!(!is_watch(&uri("/api/v1/namespaces/watch")));
        assert!(!is_watch(&uri("/api")));
    }

    /// A body that sends one chunk and then never ends.
    fn endless() -> StreamBody<impl futures::Stream<Item = Result<Frame<bytes::Bytes>, BoxError>> + Unpin> {
        let first = futures::stream::iter([Ok(Frame::data(bytes::Bytes::from_static(b"{")))]);
        StreamBody::new(futures::StreamExt::chain(first, futures::stream::pending()))
    }

    const TIMEOUT: Duration = Duration::from_millis(300);

    /// The deadline covers the body: an answer whose body never ends is a timeout.
    #[tokio::test]
    async fn the_body_is_bounded_for_requests() {
        let answer = tower::service_fn(|_: Request<()>| async { Ok::<_, BoxError>(Response::new(endless())) });
        let mut service = RequestTimeoutLayer::new(Some(TIMEOUT)).layer(answer);
        let started = Instant::now();
        let response = service.call(Request::new(())).await.unwrap();
        let error = response.into_body().collect().await.err().unwrap();
        assert_eq!(error.to_string(), "request timed out after 300ms");
        assert!(started.elapsed() >= TIMEOUT, "{:?}", started.elapsed());
    }

    /// A watch's stream outlives the deadline (only its headers are bounded).
    #[tokio::test]
    async fn a_watch_stream_is_not_bounded() {
        let answer = tower::service_fn(|_: Request<()>| async { Ok::<_, BoxError>(Response::new(endless())) });
        let mut service = RequestTimeoutLayer::new(Some(TIMEOUT)).layer(answer);
        let request = Request::builder().uri("/api/v1/events?watch=true").body(()).unwrap();
        let mut body = service.call(request).await.unwrap().into_body();
        assert!(body.frame().await.unwrap().is_ok());
        let still_open = tokio::time::timeout(TIMEOUT * 3, body.frame()).await;
        assert!(still_open.is_err(), "the stream ended: {still_open:?}");
    }

    /// Headers that never come are a timeout, for a watch too.
    #[tokio::test]
    async fn silence_is_a_timeout() {
        let silent = tower::service_fn(|_: Request<()>| futures::future::pending::<Result<Response<()>, BoxError>>());
        let mut service = RequestTimeoutLayer::new(Some(TIMEOUT)).layer(silent);
        let request = Request::builder().uri("/api/v1/events?watch=true").body(()).unwrap();
        let error = service.call(request).await.err().unwrap();
        assert!(error.is::<RequestTimedOut>(), "{error}");
    }
}
