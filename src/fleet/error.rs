//! Per-cluster failures, classified so a row can say in one line what went wrong and what to do.

use std::time::Duration;

use super::ownership::{FieldConflict, apply_conflicts};
use super::request_timeout::RequestTimedOut;
use super::retry::RETRIES;

#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[serde(tag = "kind", content = "message", rename_all = "camelCase")]
pub enum ClusterError {
    #[error("config: {0}")]
    Config(String),
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("401 Unauthorized: the server rejected this context's credentials; refresh the token or log in again")]
    Unauthorized,
    #[error("403 Forbidden: {0}")]
    Forbidden(String),
    #[error("timeout: no answer within {}", humantime::format_duration(*.0))]
    Timeout(#[serde(serialize_with = "as_secs")] Duration),
    #[error("{code} {reason}: {message}")]
    Api { code: u16, reason: String, message: String },
    /// A server-side apply refused because other managers own fields it would change (not a
    /// resourceVersion conflict: redoing it from a fresh read changes nothing).
    #[error("{}", describe_conflicts(object, conflicts))]
    FieldConflicts {
        object: String,
        conflicts: Vec<FieldConflict>,
    },
    /// A wait for readiness ran out of time (a timeout, with what was not ready).
    #[error("not ready: {0}")]
    NotReady(String),
    /// Ctrl-C came before this cluster's change began (see `crate::interrupt`).
    #[error("{}", crate::interrupt::UNTOUCHED)]
    Interrupted,
    /// The object the command is about is not there (a missing canary: exit 4 when it is
    /// missing everywhere, README "Exit codes").
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Other(String),
}

fn describe_conflicts(object: &str, conflicts: &[FieldConflict]) -> String {
    let fields: Vec<String> = conflicts
        .iter()
        .map(|c| format!("{} is owned by {}", c.field, c.manager))
        .collect();
    let prefix = if object.is_empty() {
        String::new()
    } else {
        format!("{object}: ")
    };
    format!(
        "{prefix}conflict: {}; another manager changed these fields: re-run with --force-conflicts to take them over, or leave them to it",
        fields.join(", ")
    )
}

fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl ClusterError {
    /// Names the object an error is about, unless the message already does.
    pub fn with_object(self, object: &str) -> ClusterError {
        match self {
            ClusterError::Api { code, reason, message } if !message.contains(object) => ClusterError::Api {
                code,
                reason,
                message: format!("{object}: {message}"),
            },
            ClusterError::Other(m) => ClusterError::Other(format!("{object}: {m}")),
            ClusterError::FieldConflicts { conflicts, .. } => ClusterError::FieldConflicts {
                object: object.to_string(),
                conflicts,
            },
            other => other,
        }
    }

    /// A wait that ran out of time: the cluster answered too slowly, or what was awaited never
    /// became ready (README "Exit codes": 3).
    pub fn is_timeout(&self) -> bool {
        matches!(self, ClusterError::Timeout(_) | ClusterError::NotReady(_))
    }

    /// A write refused because the object changed since it was read (not AlreadyExists).
    pub fn is_conflict(&self) -> bool {
        matches!(self, ClusterError::Api { code: 409, reason, .. } if reason == "Conflict")
    }

    /// Whether a server-side dry run that failed with this error foretells the real write: the
    /// write, sent with the same fields and the same `force`, fails the same way and writes
    /// nothing. That holds for a field-manager conflict (the same managers own the same fields)
    /// and for an invalid object (422: a dry run goes through the same admission and
    /// validation, and stops only before storage; kube-apiserver:
    /// staging/src/k8s.io/apiserver/pkg/registry/generic/registry/dryrun.go). Anything else (a
    /// timeout, a 5xx, a broken connection, a 400 from an admission webhook that does not
    /// support dry run: k8s.io/apiserver/pkg/admission/plugin/webhook/errors/statuserror.go,
    /// `NewDryRunUnsupportedErr`) says nothing of what the write would do.
    pub fn repeats_on_write(&self) -> bool {
        matches!(
            self,
            ClusterError::FieldConflicts { .. } | ClusterError::Api { code: 422, .. }
        )
    }

    /// A conflict that kept coming back, with what to do about it.
    pub fn after_conflicts(self, attempts: u32) -> ClusterError {
        match self {
            ClusterError::Api { code, reason, message } => ClusterError::Api {
                code,
                reason,
                message: format!(
                    "{message} (still conflicting after {attempts} fresh reads: something else keeps changing it; find the other writer or re-run)"
                ),
            },
            other => other,
        }
    }

    /// Classifies an error from kube-rs.
    pub fn from_kube(error: &kube::Error) -> ClusterError {
        if let Some(timed_out) = find_in_chain::<RequestTimedOut>(error) {
            return ClusterError::Timeout(timed_out.0);
        }
        if let kube::Error::Api(status) = error {
            if let Some(conflicts) = apply_conflicts(status) {
                return ClusterError::FieldConflicts {
                    object: String::new(),
                    conflicts,
                };
            }
            return match status.code {
                401 => ClusterError::Unauthorized,
                403 => ClusterError::Forbidden(status.message.clone()),
                // These reach us only after the client's bounded retries (fleet::retry).
                429 | 500 | 503 | 504 => ClusterError::Api {
                    code: status.code,
                    reason: status.reason.clone(),
                    message: format!(
                        "{} (still failing after {RETRIES} retries; {})",
                        status.message,
                        if status.code == 500 {
                            "the API server keeps failing internally, check its health"
                        } else {
                            "the API server is overloaded, try again later"
                        }
                    ),
                },
                code => ClusterError::Api {
                    code,
                    reason: status.reason.clone(),
                    message: status.message.clone(),
                },
            };
        }
        classify_transport(&chain(error))
    }
}

/// The first error of type `E` in an error's source chain.
fn find_in_chain<'a, E: std::error::Error + 'static>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a E> {
    let mut source = Some(error);
    while let Some(e) = source {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        source = e.source();
    }
    None
}

/// Every message in an error's source chain, deduplicated, joined by ": ".
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![error.to_string()];
    let mut source = error.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// Transport failures read from the text of the chain (hyper and rustls expose no stable kinds).
pub fn classify_transport(text: &str) -> ClusterError {
    let lower = text.to_lowercase();
    const ALERT: &str = "received fatal alert: ";
    // Searched in the original text: offsets in a lowercased copy need not match it.
    if let Some(alert) = text.find(ALERT).map(|i| &text[i + ALERT.len()..]) {
        // The server ended the handshake: with a valid server certificate that is nearly always
        // the client certificate (from a CA the server does not trust, expired, wrong usage).
        let alert = alert.split([':', ' ']).next().unwrap_or(alert);
        return ClusterError::Tls(format!(
            "the server refused the TLS handshake ({alert}); check the context's client certificate"
        ));
    }
    if lower.contains("connection refused") {
        ClusterError::Unreachable("connection refused".into())
    } else if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
    {
        ClusterError::Unreachable("host name does not resolve".into())
    } else if lower.contains("no route to host") || lower.contains("network is unreachable") {
        ClusterError::Unreachable("no route to host".into())
    } else if lower.contains("connection reset")
        || lower.contains("connection closed")
        || lower.contains("broken pipe")
        // rustls's words for a peer that hung up without close_notify: the server went away,
        // not a certificate problem.
        || lower.contains("unexpected eof")
        || lower.contains("unexpected-eof")
        || lower.contains("peer closed connection")
        // hyper's words for a request whose HTTP/2 connection ended under it.
        || lower.contains("channel closed")
    {
        ClusterError::Unreachable("connection reset by the server".into())
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        ClusterError::Tls(last_part(text))
    } else if lower.contains("timed out") || lower.contains("deadline") {
        ClusterError::Unreachable("connection timed out".into())
    } else {
        ClusterError::Other(text.to_string())
    }
}

fn last_part(text: &str) -> String {
    text.rsplit(": ").next().unwrap_or(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_transport_text() {
        assert_eq!(
            classify_transport(
                "ServiceError: client error (Connect): tcp connect error: Connection refused (os error 111)"
            ),
            ClusterError::Unreachable("connection refused".into())
        );
        assert!(
            matches!(classify_transport("invalid peer certificate: UnknownIssuer"), ClusterError::Tls(m) if m == "UnknownIssuer")
        );
        assert!(matches!(classify_transport("something odd"), ClusterError::Other(_)));
        assert_eq!(
            classify_transport(
                "ServiceError: client error (SendRequest): connection error: received fatal alert: UnknownCA"
            ),
            ClusterError::Tls(
                "the server refused the TLS handshake (UnknownCA); check the context's client certificate".into()
            )
        );
        assert_eq!(
            classify_transport(
                "error reading a body from connection: peer closed connection without sending TLS close_notify: https://docs.rs/rustls/latest/rustls/manual/_03_howto/index.html#unexpected-eof"
            ),
            ClusterError::Unreachable("connection reset by the server".into())
        );
    }

    #[test]
    fn api_statuses() {
        let status = |code: u16| {
            kube::Error::Api(Box::new(kube::core::Status {
                code,
                message: "m".into(),
                reason: "R".into(),
                ..Default::default()
            }))
        };
        assert_eq!(ClusterError::from_kube(&status(401)), ClusterError::Unauthorized);
        assert_eq!(
            ClusterError::from_kube(&status(403)),
            ClusterError::Forbidden("m".into())
        );
        assert_eq!(ClusterError::from_kube(&status(422)).to_string(), "422 R: m");
        // Statuses the client retries arrive here only after the retries ran out.
        assert!(
            ClusterError::from_kube(&status(500))
                .to_string()
                .starts_with("500 R: m (still failing after 4 retries; the API server keeps failing")
        );
        let conflict = ClusterError::Api {
            code: 409,
            reason: "Conflict".into(),
            message: "m".into(),
        };
        assert!(conflict.is_conflict());
        assert!(
            !ClusterError::from_kube(&status(409)).is_conflict(),
            "reason R is not Conflict"
        );
    }

    #[test]
    fn timeout_reads_well() {
        assert_eq!(
            ClusterError::Timeout(Duration::from_secs(10)).to_string(),
            "timeout: no answer within 10s"
        );
    }
}
