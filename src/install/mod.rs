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
/// How to undo a field a manager left in a Canary that the policy does not set: this tool's own
/// verbs are undone by their counterpart, anyone else's by an edit or by taking it over.
pub fn leftover_remedy(manager: &str) -> String {
    match manager.strip_prefix(FIELD_MANAGER).and_then(|v| v.strip_prefix('-')) {
        Some("pause") => "`resume` undoes it (this tool's pause set it)".into(),
        Some("promote") => "it stays until the run ends (this tool's promote --full set it);                             apply again after that, or set it in the policy"
            .into(),
        Some(verb) => format!("this tool's {verb} set it: set it in the policy to take it over"),
        None => "remove it (kubectl edit) or take it over by setting it in the policy".into(),
    }
}

/// Label value marking what this tool installed (`app.kubernetes.io/managed-by`).
pub const MANAGED_BY: &str = "kubectl-kurator-rollout";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_our_own_verbs_name_their_undo() {
        assert!(leftover_remedy(&verb_manager("pause")).starts_with("`resume` undoes it"));
        assert!(leftover_remedy(&verb_manager("promote")).contains("promote --full"));
        assert!(leftover_remedy("kubectl-edit").starts_with("remove it (kubectl edit)"));
        // A manager whose name merely starts like ours is someone else.
        assert!(leftover_remedy("kubectl-kurator-rolloutx").starts_with("remove it"));
    }
}
