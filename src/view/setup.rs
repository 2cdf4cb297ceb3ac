//! Text of the setup verbs: `clusters`, `version --server`, `install` (members, or the Fleet
//! plugin on the hub), `check` and `uninstall`. Pure.

use serde_json::Value;

use crate::fleet::ClusterOutcome;
use crate::install::remove::RemovalPlan;
use crate::kurator::plugin::FleetPluginReport;
use crate::model::setup::{
    CheckRow, ClusterRow, InstallRow, MemberReadyRow, PluginChange, PluginRemoval, ServerRow, UninstallRow,
    removal_action,
};
use crate::view::color::{Color, paint};
use crate::view::diff::unified;
use crate::view::table;

/// cluster · kubeconfig cluster · server · namespace · version · status.
pub fn clusters_table(rows: &[ClusterRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.cluster.clone(),
                r.kubeconfig_cluster.clone(),
                r.server.clone(),
                r.namespace.clone(),
                r.version.clone().unwrap_or_else(|| "-".into()),
                r.status.clone(),
            ]
        })
        .collect();
    table::render(
        &[
            "cluster",
            "kubeconfig cluster",
            "server",
            "namespace",
            "version",
            "status",
        ],
        &cells,
    )
}

/// context · kubernetes · flagger · error.
pub fn server_table(rows: &[ServerRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.context.clone(),
                r.kubernetes.clone().unwrap_or_else(|| "-".into()),
                r.flagger.clone().unwrap_or_else(|| "not installed".into()),
                r.error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table::render(&["context", "kubernetes", "flagger", "error"], &cells)
}

/// cluster · namespace · flagger · changes · status.
pub fn install_table(rows: &[InstallRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.context.clone(),
                r.namespace.clone(),
                r.flagger.clone(),
                r.changes.summary(),
                r.status.clone(),
            ]
        })
        .collect();
    table::render(&["cluster", "namespace", "flagger", "changes", "status"], &cells)
}

/// The manifests per member, as a YAML stream that `kubectl apply` takes:
/// (context, cluster name, objects).
pub fn manifests_stream(members: &[(String, String, Vec<Value>)]) -> String {
    let mut text = String::new();
    for (context, cluster_name, objects) in members {
        for object in objects {
            text.push_str("---\n");
            text.push_str(&format!("# cluster: {cluster_name} (context {context})\n"));
            text.push_str(&fleet_sim::to_yaml(object));
        }
    }
    text
}

/// cluster · flagger · status, for `install --fleet`'s wait on the members.
pub fn member_ready_table(rows: &[MemberReadyRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.cluster.clone(),
                r.flagger.clone().unwrap_or_else(|| "-".into()),
                r.status.clone(),
            ]
        })
        .collect();
    table::render(&["cluster", "flagger", "status"], &cells)
}

/// The line `install --fleet` prints (stderr) once the Fleet is patched.
pub fn plugin_set(change: &PluginChange) -> String {
    let plugin = change
        .patch
        .pointer("/spec/plugin/flagger")
        .cloned()
        .unwrap_or_default();
    format!(
        "Fleet {}: plugin.flagger set ({plugin}); Kurator installs Flagger in the members\n",
        change.fleet
    )
}

/// A dry run's hub change: the field before and after as a diff (when it would change), then
/// fleet · hub · field · result.
pub fn plugin_change(change: &PluginChange) -> String {
    let yaml = |v: &Option<Value>| v.as_ref().map(fleet_sim::to_yaml).unwrap_or_default();
    let mut text = String::new();
    if change.before != change.after {
        text.push_str(&format!("# hub {}\n", change.hub));
        text.push_str(&unified(
            &yaml(&change.before),
            &yaml(&change.after),
            &format!("Fleet {} {} (live)", change.fleet, change.field),
            &format!("Fleet {} {} (patched)", change.fleet, change.field),
        ));
    }
    text.push_str(&table::render(
        &["fleet", "hub", "field", "result"],
        &[vec![
            change.fleet.clone(),
            change.hub.clone(),
            change.field.clone(),
            change.result.clone(),
        ]],
    ));
    text
}

/// `uninstall --fleet`'s plan: the Fleet change, the Canaries in the members, and a refusal.
pub fn plugin_removal(removal: &PluginRemoval, force: bool) -> String {
    let mut text = plugin_change(&removal.change);
    let canaries: Vec<String> = removal.canaries.iter().map(|(c, n)| format!("{c}: {n}")).collect();
    text.push_str(&format!("Canaries in the members: {}\n", canaries.join(", ")));
    for (member, error) in &removal.unreadable {
        text.push_str(&format!("  ! {member} could not be read: {error}\n"));
    }
    if let Some(refusal) = removal.refusal(force) {
        text.push_str(&format!("{refusal}\n"));
    }
    text
}

/// The line `uninstall --fleet` ends with once the plugin is gone.
pub fn plugin_removed(change: &PluginChange) -> String {
    format!(
        "Fleet {}: plugin.flagger removed; Kurator uninstalls Flagger from the members\n",
        change.fleet
    )
}

/// What the Fleet's Flagger plugin asks Kurator for, with its findings.
pub fn fleet_plugin_report(report: &FleetPluginReport) -> String {
    let mut text = format!("Fleet {}\n", report.fleet);
    match &report.provider {
        Some(p) => text.push_str(&format!(
            "  ✔ plugin.flagger: provider {p}, public load tester {}\n",
            if report.public_testloader { "on" } else { "off" }
        )),
        None => text.push_str(&format!(
            "  ✖ plugin.flagger: not set, so Kurator installs no Flagger\n      → kubectl kurator-rollout install --fleet {} --provider <istio|nginx|kuma|…>\n",
            report.fleet
        )),
    }
    for w in &report.warnings {
        text.push_str(&format!("  ! {w}\n"));
    }
    text.push('\n');
    text
}

/// Each member's checks with their remedies, then cluster · checks · status.
pub fn check_report(rows: &[CheckRow]) -> String {
    let mut text = String::new();
    for row in rows {
        text.push_str(&format!("{}\n", row.context));
        if let Some(error) = &row.error {
            text.push_str(&format!("  ✖ cluster: {error}\n"));
        }
        for check in &row.checks {
            let mark = if check.ok {
                paint("✔", Color::Green)
            } else {
                paint("✖", Color::Red)
            };
            text.push_str(&format!("  {mark} {}: {}\n", check.name, check.detail));
            if let Some(remedy) = &check.remedy {
                text.push_str(&format!("      → {remedy}\n"));
            }
        }
        text.push('\n');
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let passed = r.checks.iter().filter(|c| c.ok).count();
            let status = match (&r.error, r.passed) {
                (Some(e), _) => e.clone(),
                (None, true) => "Ready".into(),
                (None, false) => format!("{} failed", r.checks.len() - passed),
            };
            vec![r.context.clone(), format!("{passed}/{}", r.checks.len()), status]
        })
        .collect();
    text.push_str(&table::render(&["cluster", "checks", "status"], &cells));
    text
}

/// cluster · objects · canaries · action: the plan `uninstall` asks about.
pub fn uninstall_plan_table(plans: &[ClusterOutcome<RemovalPlan>], force: bool) -> String {
    let cells: Vec<Vec<String>> = plans
        .iter()
        .map(|outcome| {
            let (objects, canaries, what) = match &outcome.result {
                Ok(p) => (
                    p.objects.len().to_string(),
                    p.canaries.to_string(),
                    removal_action(p, force).unwrap_or_else(|e| e),
                ),
                Err(e) => ("-".into(), "-".into(), format!("skipped: {e}")),
            };
            vec![outcome.target.context.clone(), objects, canaries, what]
        })
        .collect();
    table::render(&["cluster", "objects", "canaries", "action"], &cells)
}

/// cluster · deleted · status.
pub fn uninstall_table(rows: &[UninstallRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| vec![r.context.clone(), r.deleted.to_string(), r.status.clone()])
        .collect();
    table::render(&["cluster", "deleted", "status"], &cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_hub_change_shows_the_field_diff_and_its_row() {
        let change = PluginChange {
            fleet: "default/quickstart".into(),
            hub: "kurator-host".into(),
            field: "spec.plugin.flagger".into(),
            result: "would configure".into(),
            patch: json!({"spec": {"plugin": {"flagger": {"trafficRoutingProvider": "nginx"}}}}),
            before: None,
            after: Some(json!({"trafficRoutingProvider": "nginx"})),
        };
        let text = plugin_change(&change);
        assert!(text.contains("+trafficRoutingProvider: nginx"), "{text}");
        assert!(
            text.lines()
                .any(|l| l.contains("default/quickstart") && l.ends_with("would configure")),
            "{text}"
        );
        let same = PluginChange {
            before: change.after.clone(),
            result: "unchanged".into(),
            ..change
        };
        assert_eq!(plugin_change(&same).lines().count(), 2, "no diff when nothing changes");
        assert!(plugin_set(&same).contains("plugin.flagger set ({\"trafficRoutingProvider\":\"nginx\"})"));
    }

    #[test]
    fn a_fleet_without_flagger_names_the_install() {
        let report = FleetPluginReport {
            fleet: "quickstart".into(),
            provider: None,
            public_testloader: false,
            warnings: vec![],
        };
        assert!(fleet_plugin_report(&report).contains("install --fleet quickstart"));
    }
}
