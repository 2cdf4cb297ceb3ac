//! Flagger and load-tester installation: what to install per provider (pure manifests), and
//! applying, waiting for, verifying and removing it on a cluster.

pub mod check;
pub mod manifests;
pub mod provider;
pub mod remove;
pub mod run;

/// Field manager of every write this tool makes.
pub const FIELD_MANAGER: &str = "kubectl-kurator-rollout";
/// Label value marking what this tool installed (`app.kubernetes.io/managed-by`).
pub const MANAGED_BY: &str = "kubectl-kurator-rollout";
