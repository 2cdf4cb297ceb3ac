//! A record of the requests a simulated cluster answered, for tests and the benchmark that count
//! what a command costs: how many requests, and how many of them had to wait for another (the
//! round trips on the command's critical path, which is what a WAN link makes slow).
//!
//! It keeps what kube-apiserver's audit log keeps of a request (k8s.io/apiserver
//! pkg/apis/audit/types.go, `Event`: `Verb`, `RequestURI`, `UserAgent`,
//! `RequestReceivedTimestamp`, and the `StageTimestamp` of `ResponseComplete`, here the moment
//! the handler answered: for a watch, when its stream began). Like an audit policy that logs
//! nothing, it records nothing until asked ([`RequestLog::start`]), so an idle or long-running
//! playground holds no growing buffer.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// One answered request.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    /// The HTTP method.
    pub method: String,
    /// Path and query, as sent.
    pub uri: String,
    pub user_agent: String,
    pub received: Instant,
    /// When the answer (its status and headers) was ready.
    pub answered: Instant,
    pub status: u16,
}

impl LoggedRequest {
    /// Whether this is a watch (an answer that streams on).
    pub fn is_watch(&self) -> bool {
        self.uri.contains("watch=true") || self.uri.contains("watch=1")
    }
}

/// The requests of one cluster while recording.
#[derive(Default)]
pub struct RequestLog {
    recording: AtomicBool,
    entries: Mutex<Vec<LoggedRequest>>,
}

/// A request being answered while the log records (see [`RequestLog::begin`]).
pub struct Pending {
    method: String,
    uri: String,
    user_agent: String,
    received: Instant,
}

impl RequestLog {
    /// Starts recording afresh (what an earlier recording held is dropped).
    pub fn start(&self) {
        self.lock().clear();
        self.recording.store(true, Ordering::SeqCst);
    }

    /// Stops recording and hands over what was recorded, in the order the answers were ready.
    pub fn stop(&self) -> Vec<LoggedRequest> {
        self.recording.store(false, Ordering::SeqCst);
        std::mem::take(&mut *self.lock())
    }

    /// What has been recorded so far (recording goes on).
    pub fn snapshot(&self) -> Vec<LoggedRequest> {
        self.lock().clone()
    }

    /// Notes a request's arrival, when recording.
    pub fn begin<B>(&self, request: &http::Request<B>) -> Option<Pending> {
        if !self.recording.load(Ordering::SeqCst) {
            return None;
        }
        Some(Pending {
            method: request.method().to_string(),
            uri: request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
            user_agent: request
                .headers()
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string(),
            received: Instant::now(),
        })
    }

    /// Records the answer to a request noted by [`RequestLog::begin`].
    pub fn answered(&self, pending: Pending, status: u16) {
        let entry = LoggedRequest {
            method: pending.method,
            uri: pending.uri,
            user_agent: pending.user_agent,
            received: pending.received,
            answered: Instant::now(),
            status,
        };
        if self.recording.load(Ordering::SeqCst) {
            self.lock().push(entry);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<LoggedRequest>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The round trips on the critical path of these requests: the longest chain in which each
/// request arrived only after the one before it was answered (it could have depended on that
/// answer). Requests sent together overlap and count once. Meaningful with an injected latency
/// ([`crate::faults::Faults::set_latency`]) well above the client's own time between sending
/// concurrent requests, so that requests sent together do overlap here.
pub fn round_trips(requests: &[LoggedRequest]) -> usize {
    let mut by_arrival: Vec<&LoggedRequest> = requests.iter().collect();
    by_arrival.sort_by_key(|r| r.received);
    // depth[i]: the longest chain ending with request i.
    let mut depth: Vec<usize> = Vec::with_capacity(by_arrival.len());
    for (i, r) in by_arrival.iter().enumerate() {
        let before = (0..i)
            .filter(|&j| by_arrival[j].answered <= r.received)
            .map(|j| depth[j])
            .max()
            .unwrap_or(0);
        depth.push(before + 1);
    }
    depth.into_iter().max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn request(start_ms: u64, end_ms: u64) -> LoggedRequest {
        let zero = Instant::now();
        LoggedRequest {
            method: "GET".into(),
            uri: "/api/v1/namespaces".into(),
            user_agent: String::new(),
            received: zero + Duration::from_millis(start_ms),
            answered: zero + Duration::from_millis(end_ms),
            status: 200,
        }
    }

    #[test]
    fn requests_sent_together_are_one_round_trip() {
        assert_eq!(round_trips(&[]), 0);
        assert_eq!(round_trips(&[request(0, 50), request(1, 51), request(2, 52)]), 1);
    }

    #[test]
    fn a_request_sent_after_an_answer_is_another_round_trip() {
        // Two together, then one after the first answer, then one after that: 3 deep.
        let log = [request(0, 50), request(1, 51), request(55, 105), request(110, 160)];
        assert_eq!(round_trips(&log), 3);
        // Order of the log does not matter.
        let reversed: Vec<LoggedRequest> = log.iter().rev().cloned().collect();
        assert_eq!(round_trips(&reversed), 3);
    }

    #[test]
    fn nothing_is_kept_unless_recording() {
        let log = RequestLog::default();
        let req = http::Request::get("/version").body(()).unwrap();
        assert!(log.begin(&req).is_none());
        log.start();
        let pending = log.begin(&req).unwrap();
        log.answered(pending, 200);
        assert_eq!(log.snapshot().len(), 1);
        let taken = log.stop();
        assert_eq!(
            (taken.len(), taken[0].uri.as_str(), taken[0].status),
            (1, "/version", 200)
        );
        assert!(log.begin(&req).is_none());
        assert!(log.snapshot().is_empty());
    }
}
