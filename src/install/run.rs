//! Installing Flagger (and the load tester) on one cluster: apply the manifests, then wait until
//! the Deployments are Available.

use std::time::{Duration, Instant};

use kube::Client;
use serde_json::Value;

use super::FIELD_MANAGER;
use super::check::{flagger_controllers, refuse_second_flagger};
use super::manifests::{InstallSpec, manifests};
use crate::fleet::ClusterError;
use crate::fleet::apply::{Change, apply_object, describe, wait_deployments_available};
use crate::interrupt::Interrupt;

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct InstallReport {
    pub created: usize,
    pub configured: usize,
    pub unchanged: usize,
}

impl InstallReport {
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for (n, word) in [
            (self.created, "created"),
            (self.configured, "configured"),
            (self.unchanged, "unchanged"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {word}"));
            }
        }
        if parts.is_empty() {
            "nothing to do".into()
        } else {
            parts.join(", ")
        }
    }
}

/// Why installing `spec` would add a second Flagger to the cluster, if it would
/// ([`refuse_second_flagger`]).
pub async fn second_flagger(
    client: &Client,
    spec: &InstallSpec,
    context_flag: Option<&str>,
) -> Result<Option<String>, ClusterError> {
    let found = flagger_controllers(client).await?;
    Ok(refuse_second_flagger(
        &found,
        (spec.namespace(), &spec.flagger_release()),
        context_flag,
    ))
}

/// What must hold before `install` writes to a cluster (and what `install --dry-run` reads to
/// exit as the install would): the cluster answers, and no Flagger other than the one this
/// install manages runs in it.
pub async fn preflight(client: &Client, spec: &InstallSpec, context_flag: Option<&str>) -> Result<(), ClusterError> {
    match second_flagger(client, spec, context_flag).await? {
        Some(refusal) => Err(ClusterError::Other(refusal)),
        None => Ok(()),
    }
}

/// Applies everything for `spec` and waits up to `timeout` (in all) for it to be ready.
/// `progress` receives one-line updates for a spinner. Nothing is written where
/// [`preflight`] refuses, or after an interrupt before the first write; once writing has
/// begun every object is applied, and an interrupt then only cuts the wait short.
pub async fn install(
    client: &Client,
    context_flag: &str,
    spec: &InstallSpec,
    timeout: Duration,
    progress: &(dyn Fn(String) + Sync),
    interrupt: &Interrupt,
    force_conflicts: bool,
) -> Result<InstallReport, (InstallReport, ClusterError)> {
    let started = Instant::now();
    let objects = manifests(spec);
    let mut report = InstallReport::default();
    progress("looking for a Flagger already running".into());
    preflight(client, spec, Some(context_flag))
        .await
        .map_err(|e| (report.clone(), e))?;
    if interrupt.is_set() {
        return Err((report, ClusterError::Interrupted));
    }
    for (i, obj) in objects.iter().enumerate() {
        progress(format!("applying {}/{}: {}", i + 1, objects.len(), describe(obj)));
        match apply_object(client, obj, FIELD_MANAGER, force_conflicts).await {
            Ok(Change::Created) => report.created += 1,
            Ok(Change::Configured) => report.configured += 1,
            Ok(Change::Unchanged) => report.unchanged += 1,
            // What was applied before the failure is reported with the error, never hidden.
            Err(e) => return Err((report, e)),
        }
    }
    progress("waiting for Flagger to become Available".into());
    let deployments: Vec<(String, String)> = objects
        .iter()
        .filter(|o| o["kind"] == "Deployment")
        .map(|o| (text(o, "/metadata/namespace"), text(o, "/metadata/name")))
        .collect();
    let remaining = timeout.saturating_sub(started.elapsed());
    tokio::select! {
        waited = wait_deployments_available(client, &deployments, remaining, timeout) => match waited {
            Ok(()) => Ok(report),
            Err(e) => Err((report, e)),
        },
        () = interrupt.raised() => Err((report, ClusterError::Other(
            "interrupted while waiting for Flagger to become Available: every object is applied; `check` tells when it is ready".into(),
        ))),
    }
}

fn text(obj: &Value, pointer: &str) -> String {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("").to_string()
}
