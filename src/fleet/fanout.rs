//! Running one async operation on every cluster at once, each under its own timeout, so a slow
//! or dead cluster never delays the others' results beyond that timeout.

use std::future::Future;
use std::time::{Duration, Instant};

use futures::future::join_all;
use kube::Client;

use super::connect::Fleet;
use super::error::ClusterError;
use super::targets::Target;

/// One cluster's result of a fan-out.
#[derive(Debug)]
pub struct ClusterOutcome<T> {
    pub target: Target,
    pub result: Result<T, ClusterError>,
    pub elapsed: Duration,
}

impl Fleet {
    /// Runs `op` on every cluster concurrently; results come back in target order.
    pub async fn fan_out<T, F, Fut>(&self, timeout: Duration, op: F) -> Vec<ClusterOutcome<T>>
    where
        F: Fn(Client, Target) -> Fut,
        Fut: Future<Output = Result<T, ClusterError>>,
    {
        let runs = self.clusters.iter().map(|handle| {
            let target = handle.target.clone();
            let client = handle.client.clone();
            let started = Instant::now();
            let work = client.map(|c| op(c, target.clone()));
            async move {
                let result = match work {
                    Err(e) => Err(e),
                    Ok(fut) => match tokio::time::timeout(timeout, fut).await {
                        Ok(r) => r,
                        Err(_) => Err(ClusterError::Timeout(timeout)),
                    },
                };
                ClusterOutcome {
                    target,
                    result,
                    elapsed: started.elapsed(),
                }
            }
        });
        join_all(runs).await
    }
}

/// Raises the soft limit on open files to the hard limit, as Go programs (kubectl among them)
/// do at start-up since Go 1.19 (src/os/rlimit.go, `init`): a fleet holds a connection per
/// cluster, and a thousand clusters exceed the 1024 many systems set as the soft limit. A
/// failure leaves the limit as it was (the rows of clusters beyond it then say why).
#[cfg(unix)]
pub fn raise_open_file_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        let raised = rustix::process::Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        let _ = setrlimit(Resource::Nofile, raised);
    }
}

#[cfg(not(unix))]
pub fn raise_open_file_limit() {}
