//! Flagger and load-tester installation: what to install per provider (pure manifests), and
//! applying, waiting for, verifying and removing it on a cluster.

pub mod check;
pub mod manifests;
pub mod provider;
pub mod remove;
pub mod run;

/// Field manager of every write this tool makes.
pub const FIELD_MANAGER: &str = "kubectl-kurator-rollout";

/// The field manager of a verb's own Update (as kubectl names `kubectl-edit`, `kubectl-set`):
/// a later `apply` that meets the field says which verb set it, and a verb's Update is never
/// confused with the policy's Apply (an Apply and an Update are different managers even under
/// one name).
pub fn verb_manager(verb: &str) -> String {
    format!("{FIELD_MANAGER}-{verb}")
}
/// Label value marking what this tool installed (`app.kubernetes.io/managed-by`).
pub const MANAGED_BY: &str = "kubectl-kurator-rollout";
