//! The client's retry policy: which answers are worth asking again, and how long to wait.
//!
//! kube's own policy retries 429/503/504 only and allows 15 retries with delays up to 1000 s;
//! a throttled cluster would then look hung. Ours stays bounded so the error is reported while
//! the rest of the fleet is still being shown, and it also retries 500: every request this tool
//! sends is idempotent (GETs, lists, server-side apply and merge patches that set fixed values,
//! deletes whose 404 counts as done, access reviews, load-tester gate calls that set a flag),
//! so asking again after an internal error cannot do anything twice.

use std::time::Duration;

use http::{Request, Response, StatusCode};
use kube::client::Body;
use tower::BoxError;
use tower::retry::Policy;
use tower::retry::backoff::{Backoff, ExponentialBackoff, ExponentialBackoffMaker, MakeBackoff};
use tower::util::rng::HasherRng;

/// How often a failed request is retried before its error is reported.
pub const RETRIES: u32 = 4;
const MIN_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(2);
/// A server asking for more than this is not waited for: the error is reported instead.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// Whether an answer with this status is asked again (pure).
pub fn is_retryable(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS
            | StatusCode::INTERNAL_SERVER_ERROR
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

/// The delay a `Retry-After` header asks for, in whole seconds as the API server sends it (pure).
pub fn retry_after(value: Option<&http::HeaderValue>) -> Option<Duration> {
    let seconds: u64 = value?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds)).filter(|d| *d <= MAX_RETRY_AFTER)
}

/// Up to [`RETRIES`] retries of 429, 500, 503 and 504 with exponential backoff and jitter from
/// 100 ms to 2 s; a longer `Retry-After` (up to 10 s) is honoured instead.
#[derive(Clone)]
pub struct BoundedRetry {
    backoff: ExponentialBackoff,
    attempts: u32,
}

impl BoundedRetry {
    pub fn new() -> BoundedRetry {
        BoundedRetry {
            backoff: ExponentialBackoffMaker::new(MIN_DELAY, MAX_DELAY, 2.0, HasherRng::new())
                .expect("constant backoff bounds are valid")
                .make_backoff(),
            attempts: 0,
        }
    }
}

impl Default for BoundedRetry {
    fn default() -> Self {
        BoundedRetry::new()
    }
}

impl<Res> Policy<Request<Body>, Response<Res>, BoxError> for BoundedRetry {
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        _request: &mut Request<Body>,
        result: &mut Result<Response<Res>, BoxError>,
    ) -> Option<Self::Future> {
        let response = result.as_ref().ok()?;
        if !is_retryable(response.status()) || self.attempts >= RETRIES {
            return None;
        }
        self.attempts += 1;
        // Always advance the backoff so a server that stops sending Retry-After still gets
        // growing delays.
        let backoff = self.backoff.next_backoff();
        match retry_after(response.headers().get(http::header::RETRY_AFTER)) {
            Some(asked) if tokio::time::Instant::now() + asked > backoff.deadline() => Some(tokio::time::sleep(asked)),
            _ => Some(backoff),
        }
    }

    fn clone_request(&mut self, request: &Request<Body>) -> Option<Request<Body>> {
        clone_request(request)
    }
}

/// A copy of a request to send again; only bodies held in memory can be sent again, so
/// streamed ones have none.
pub fn clone_request(request: &Request<Body>) -> Option<Request<Body>> {
    let body = request.body().try_clone()?;
    let mut copy = Request::builder()
        .method(request.method().clone())
        .uri(request.uri().clone())
        .version(request.version())
        .body(body)
        .ok()?;
    *copy.headers_mut() = request.headers().clone();
    *copy.extensions_mut() = request.extensions().clone();
    Some(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses() {
        for code in [429, 500, 503, 504] {
            assert!(is_retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [200, 400, 401, 403, 404, 409, 422, 501, 502] {
            assert!(!is_retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
    }

    #[test]
    fn retry_after_is_whole_seconds_and_bounded() {
        let header = |s: &'static str| http::HeaderValue::from_static(s);
        assert_eq!(retry_after(Some(&header("1"))), Some(Duration::from_secs(1)));
        assert_eq!(retry_after(Some(&header(" 3 "))), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(Some(&header("600"))), None);
        assert_eq!(retry_after(Some(&header("Wed, 21 Oct 2015 07:28:00 GMT"))), None);
        assert_eq!(retry_after(None), None);
    }

    /// A Retry-After longer than the backoff's 2 s ceiling sets the wait (read from the sleep's
    /// deadline, not measured).
    #[tokio::test]
    async fn retry_after_is_honoured() {
        let mut policy = BoundedRetry::new();
        let mut request = Request::new(Body::from(b"{}".to_vec()));
        let mut throttled: Result<Response<()>, BoxError> = {
            let mut r = Response::new(());
            *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            r.headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("3"));
            Ok(r)
        };
        let sleep = policy.retry(&mut request, &mut throttled).unwrap();
        let wait = sleep.deadline() - tokio::time::Instant::now();
        assert!(
            wait > Duration::from_millis(2900) && wait <= Duration::from_secs(3),
            "{wait:?}"
        );
    }

    #[tokio::test]
    async fn gives_up_after_the_bound() {
        let mut policy = BoundedRetry::new();
        let mut request = Request::new(Body::from(b"{}".to_vec()));
        let throttled = || -> Result<Response<()>, BoxError> {
            let mut r = Response::new(());
            *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            Ok(r)
        };
        for _ in 0..RETRIES {
            assert!(policy.retry(&mut request, &mut throttled()).is_some());
        }
        assert!(policy.retry(&mut request, &mut throttled()).is_none());
        let mut fine = Ok(Response::new(()));
        assert!(BoundedRetry::new().retry(&mut request, &mut fine).is_none());
        let copy = Policy::<_, Response<()>, BoxError>::clone_request(&mut policy, &request);
        assert!(copy.is_some());
    }
}
