//! The rows of the setup verbs (`clusters`, `version --server`, `install`, `check`,
//! `uninstall`) and the exit codes they end with. Pure.

use serde::Serialize;
use serde_json::Value;

use crate::exit::Exit;
use crate::install::check::Check;
use crate::install::remove::{FLAGGER_FINALIZER, RemovalPlan};
use crate::install::run::InstallReport;
use crate::interrupt::UNTOUCHED;
use crate::kurator::plugin::FleetPluginReport;
use crate::model::words::counted;

/// `clusters`: one target and whether it answers.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterRow {
    /// The name this tool gives the cluster (as in every other verb's rows): the context, or
    /// under `--fleet` the member's name.
    pub cluster: String,
    /// The kubeconfig context; null under `--fleet` (members are reached through the hub).
    pub context: Option<String>,
    /// The kubeconfig's cluster entry the context points at (under `--fleet`: the Kurator
    /// cluster object).
    pub kubeconfig_cluster: String,
    pub server: String,
    pub namespace: String,
    pub version: Option<String>,
    pub status: String,
    pub error: Option<String>,
}

/// `version --server`: one cluster's Kubernetes and Flagger; `None` is unknown (the cluster
/// could not be asked, or would not say), never "not installed".
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerRow {
    /// The cluster: its kubeconfig context, or under `--fleet` the Kurator member's name (as in
    /// every other verb's rows).
    pub cluster: String,
    /// The kubeconfig context it was reached through; null under `--fleet` (members are reached
    /// through the hub's Secrets).
    pub context: Option<String>,
    /// The API server's `gitVersion`.
    pub server_version: Option<String>,
    /// Whether a Flagger controller runs in the cluster.
    pub flagger_installed: Option<bool>,
    pub flagger_version: Option<String>,
    pub error: Option<String>,
}

/// `version`'s one document (`-o json|yaml`): this plugin's version and, with `--server`, each
/// cluster's.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionDocument {
    pub client_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Vec<ServerRow>>,
}

/// `install` into one member.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallRow {
    /// The cluster: its kubeconfig context, or under `--fleet` the Kurator member's name (as in
    /// every other verb's rows).
    pub cluster: String,
    /// The kubeconfig context it was reached through; null under `--fleet` (members are reached
    /// through the hub's Secrets).
    pub context: Option<String>,
    pub cluster_name: String,
    pub namespace: String,
    pub flagger: String,
    pub changes: InstallReport,
    pub status: String,
    pub error: Option<String>,
}

/// `install --fleet`: one member, waited on until Kurator's Flagger is Available in it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberReadyRow {
    /// The cluster: its kubeconfig context, or under `--fleet` the Kurator member's name (as in
    /// every other verb's rows).
    pub cluster: String,
    /// The kubeconfig context it was reached through; null under `--fleet` (members are reached
    /// through the hub's Secrets).
    pub context: Option<String>,
    pub flagger: Option<String>,
    pub status: String,
    pub error: Option<String>,
}

/// What `install --fleet` does (or, dry, would do) to the Fleet on the hub.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginChange {
    /// `namespace/name` of the Fleet.
    pub fleet: String,
    pub hub: String,
    /// The field the change is in.
    pub field: String,
    /// created, configured, unchanged (dry run: would create, would configure).
    pub result: String,
    /// The merge patch sent.
    pub patch: Value,
    /// The field before and after (as the server answered).
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// `uninstall --fleet`: removing the Fleet's Flagger plugin (Kurator then uninstalls Flagger
/// from every member), and what stands in the way.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginRemoval {
    /// The removal as the hub answered a server-side dry run.
    pub change: PluginChange,
    /// Canaries per member that could be read.
    pub canaries: Vec<(String, usize)>,
    /// Members that could not be read, with why.
    pub unreadable: Vec<(String, String)>,
}

impl PluginRemoval {
    /// Why the removal must not go ahead: Canaries still exist (without Flagger nothing
    /// reconciles them, and those with Flagger's finalizer could never be deleted). Nothing to
    /// remove is never refused.
    pub fn refusal(&self, force: bool) -> Option<String> {
        let canaries: usize = self.canaries.iter().map(|(_, n)| n).sum();
        (canaries > 0 && !force && self.change.before.is_some()).then(|| {
            format!(
                "refused: {} in the members; remove the rollouts from the Applications aimed at Fleet {} first or pass --force",
                still_exist(canaries),
                self.change.fleet
            )
        })
    }
}

/// `N Canaries still exist`, in the number N takes.
fn still_exist(n: usize) -> String {
    format!(
        "{} still {}",
        counted(n, "Canary", "Canaries"),
        if n == 1 { "exists" } else { "exist" }
    )
}

/// `uninstall --dry-run`: what would be removed from one member, or why it cannot be read.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemovalPlanRow {
    /// The cluster: its kubeconfig context, or under `--fleet` the Kurator member's name (as in
    /// every other verb's rows).
    pub cluster: String,
    /// The kubeconfig context it was reached through; null under `--fleet` (members are reached
    /// through the hub's Secrets).
    pub context: Option<String>,
    /// What would be done (or why not).
    pub action: String,
    #[serde(flatten)]
    pub plan: Option<RemovalPlan>,
    pub error: Option<String>,
}

impl RemovalPlanRow {
    /// The plan of a member reached through `context` (plans are made per member only in
    /// context mode: under `--fleet` the Fleet's plugin is removed).
    pub fn of(outcome: &crate::fleet::ClusterOutcome<RemovalPlan>, force: bool) -> RemovalPlanRow {
        let cluster = outcome.target.context.clone();
        let context = Some(cluster.clone());
        match &outcome.result {
            Ok(plan) => RemovalPlanRow {
                cluster,
                context,
                action: removal_action(plan, force).unwrap_or_else(|e| e),
                plan: Some(plan.clone()),
                error: None,
            },
            Err(e) => RemovalPlanRow {
                cluster,
                context,
                action: "skipped".into(),
                plan: None,
                error: Some(e.to_string()),
            },
        }
    }
}

/// `check` of one member.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckRow {
    /// The cluster (under `--fleet`, the hub's row: the hub's context): its kubeconfig context, or under `--fleet` the Kurator member's name (as in
    /// every other verb's rows).
    pub cluster: String,
    /// The kubeconfig context it was reached through; null under `--fleet` (members are reached
    /// through the hub's Secrets).
    pub context: Option<String>,
    pub passed: bool,
    pub checks: Vec<Check>,
    /// Set when the cluster could not be checked at all (unreachable, credentials).
    pub error: Option<String>,
}

impl CheckRow {
    /// The names of the checks that failed (a row's status in the table).
    pub fn failed_checks(&self) -> Vec<&str> {
        self.checks.iter().filter(|c| !c.ok).map(|c| c.name.as_str()).collect()
    }
}

/// The hub's row under `--fleet`: whether the Fleet asks Kurator for Flagger (without its
/// Flagger plugin Kurator installs Flagger in no member).
pub fn fleet_plugin_row(hub_context: &str, report: &FleetPluginReport) -> CheckRow {
    let check = match &report.provider {
        Some(provider) => Check::pass(
            "plugin.flagger",
            format!(
                "provider {provider}, public load tester {}",
                if report.public_testloader { "on" } else { "off" }
            ),
        ),
        None => Check::fail(
            "plugin.flagger",
            format!("Fleet {} has none, so Kurator installs no Flagger", report.fleet),
            format!(
                "kubectl kurator-rollout install --fleet {} --provider <istio|nginx|kuma|…>",
                report.fleet
            ),
        ),
    };
    CheckRow {
        cluster: hub_context.to_string(),
        context: Some(hub_context.to_string()),
        passed: check.ok,
        checks: vec![check],
        error: None,
    }
}

/// `check`: 0 when every member passed (and, under Kurator, the hub's row: the Fleet asks for
/// Flagger), 5 when some members could not be reached, 1 otherwise.
pub fn check_exit(rows: &[CheckRow], hub: Option<&CheckRow>) -> Exit {
    let unreachable = rows.iter().filter(|r| r.error.is_some()).count();
    let failed = rows.iter().filter(|r| !r.passed).count() + usize::from(hub.is_some_and(|h| !h.passed));
    match (unreachable, failed) {
        (0, 0) => Exit::Success,
        (u, _) if u > 0 && u < rows.len() => Exit::Partial,
        _ => Exit::Failed,
    }
}

/// `uninstall` of one member.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UninstallRow {
    /// The cluster: its kubeconfig context, or under `--fleet` the Kurator member's name (as in
    /// every other verb's rows).
    pub cluster: String,
    /// The kubeconfig context it was reached through; null under `--fleet` (members are reached
    /// through the hub's Secrets).
    pub context: Option<String>,
    pub deleted: usize,
    pub status: String,
    pub error: Option<String>,
}

/// `uninstall`: as every write, 130 when Ctrl-C kept a member untouched.
pub fn uninstall_exit(rows: &[UninstallRow]) -> Exit {
    let ok = rows.iter().filter(|r| r.error.is_none()).count();
    let untouched = rows.iter().filter(|r| r.status == UNTOUCHED).count();
    Exit::after_writes(ok, rows.len(), untouched)
}

/// What `uninstall` will do in one member (Ok), or why it refuses to (Err).
pub fn removal_action(plan: &RemovalPlan, force: bool) -> Result<String, String> {
    let finalized = plan.finalized.len();
    if plan.canaries > 0 && !force {
        let held = if finalized > 0 {
            format!(
                " ({finalized} with {FLAGGER_FINALIZER}, which only Flagger removes: without Flagger deleting them would hang)"
            )
        } else {
            String::new()
        };
        return Err(format!(
            "refused: {}{held}; delete them first or pass --force",
            still_exist(plan.canaries)
        ));
    }
    let mut text = if plan.objects.is_empty() {
        "none: nothing installed by this tool".to_string()
    } else {
        format!("delete {}", counted(plan.objects.len(), "object", "objects"))
    };
    let releases = plan.releases();
    if !releases.is_empty() {
        text.push_str(&format!(
            "; releases {FLAGGER_FINALIZER} on {} ({}) once Flagger's Deployment is gone (their targets are not reverted on deletion after that)",
            counted(releases.len(), "Canary", "Canaries"),
            releases.join(", ")
        ));
    } else if finalized > 0 {
        text.push_str(&format!(
            "; leaves {FLAGGER_FINALIZER} on {}: the Flagger that owns it was not installed by this tool",
            counted(finalized, "Canary", "Canaries")
        ));
    }
    Ok(text)
}

/// `install` into members: 130 when Ctrl-C cut it short somewhere it had not finished, 3 when
/// the wait ran out everywhere (README "Exit codes": a timeout, not a failure), else by counts.
/// `failures` says, per member that failed, whether it timed out.
pub fn install_exit(failures: &[bool], total: usize, interrupted: bool) -> Exit {
    if interrupted && !failures.is_empty() {
        Exit::Interrupted
    } else if !failures.is_empty() && failures.len() == total && failures.iter().all(|t| *t) {
        Exit::Timeout
    } else {
        Exit::from_counts(total - failures.len(), total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(passed: bool, error: Option<&str>) -> CheckRow {
        CheckRow {
            cluster: "c".into(),
            context: Some("c".into()),
            passed,
            checks: vec![],
            error: error.map(str::to_string),
        }
    }

    #[test]
    fn check_exit_tells_unreachable_from_failed() {
        assert_eq!(check_exit(&[row(true, None)], None), Exit::Success);
        assert_eq!(check_exit(&[row(true, None)], Some(&row(false, None))), Exit::Failed);
        assert_eq!(
            check_exit(&[row(true, None), row(false, Some("x"))], None),
            Exit::Partial
        );
        // The hub is not a member: its passing row does not make unreachable members partial.
        assert_eq!(
            check_exit(&[row(false, Some("x"))], Some(&row(true, None))),
            Exit::Failed
        );
        assert_eq!(check_exit(&[row(false, None)], None), Exit::Failed);
    }

    #[test]
    fn the_hub_row_fails_a_fleet_without_flagger() {
        let mut report = FleetPluginReport {
            fleet: "quickstart".into(),
            provider: None,
            public_testloader: false,
            warnings: vec![],
        };
        let row = fleet_plugin_row("kurator-host", &report);
        assert_eq!((row.cluster.as_str(), row.passed), ("kurator-host", false));
        assert_eq!(row.failed_checks(), ["plugin.flagger"]);
        report.provider = Some("istio".into());
        let row = fleet_plugin_row("kurator-host", &report);
        assert!(row.passed);
        assert_eq!(row.checks[0].detail, "provider istio, public load tester off");
    }

    #[test]
    fn a_plugin_removal_is_refused_under_canaries_unless_forced() {
        let removal = |canaries: usize| PluginRemoval {
            change: PluginChange {
                fleet: "default/quickstart".into(),
                hub: "hub".into(),
                field: "spec.plugin.flagger".into(),
                result: "would configure".into(),
                patch: Value::Null,
                before: Some(Value::Bool(true)),
                after: None,
            },
            canaries: vec![("a".into(), canaries), ("b".into(), 0)],
            unreadable: vec![],
        };
        assert!(removal(0).refusal(false).is_none());
        assert!(removal(2).refusal(false).unwrap().contains("2 Canaries"));
        assert!(removal(2).refusal(true).is_none());
        let nothing_to_remove = PluginRemoval {
            change: PluginChange {
                before: None,
                ..removal(2).change
            },
            ..removal(2)
        };
        assert!(nothing_to_remove.refusal(false).is_none());
    }

    #[test]
    fn install_times_out_only_when_every_member_timed_out() {
        assert_eq!(install_exit(&[], 2, false), Exit::Success);
        assert_eq!(install_exit(&[true, true], 2, false), Exit::Timeout);
        assert_eq!(install_exit(&[true], 2, false), Exit::Partial);
        assert_eq!(install_exit(&[false, true], 2, false), Exit::Failed);
        assert_eq!(install_exit(&[true], 2, true), Exit::Interrupted);
        assert_eq!(install_exit(&[], 2, true), Exit::Success);
    }
}
