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

/// cluster · kubernetes · flagger · error: `?` where the cluster could not tell (unreachable,
/// or Deployments unreadable), "not installed" only where it answered that no Flagger runs.
pub fn server_table(rows: &[ServerRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let flagger = match (&r.flagger_version, r.flagger_installed) {
                (Some(v), _) => v.clone(),
                (None, Some(false)) => "not installed".into(),
                (None, _) => "?".into(),
            };
            vec![
                r.cluster.clone(),
                r.server_version.clone().unwrap_or_else(|| "?".into()),
                flagger,
                r.error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table::render(&["cluster", "kubernetes", "flagger", "error"], &cells)
}

/// cluster · namespace · flagger · changes · status.
pub fn install_table(rows: &[InstallRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.cluster.clone(),
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
            text.push_str(&apimachinery::to_yaml(object));
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
    let yaml = |v: &Option<Value>| v.as_ref().map(apimachinery::to_yaml).unwrap_or_default();
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

/// Under `--fleet`, the hub's section (the Fleet's plugin and its findings) first; then each
/// member's checks with their remedies; then cluster · checks · status, the hub's row included,
/// each failing row naming its failed checks.
pub fn check_report(hub: Option<(&FleetPluginReport, &CheckRow)>, rows: &[CheckRow]) -> String {
    let mut text = String::new();
    if let Some((report, row)) = hub {
        text.push_str(&format!("Fleet {} (hub {})\n", report.fleet, row.cluster));
        text.push_str(&check_lines(row));
        for w in &report.warnings {
            text.push_str(&format!("  ! {w}\n"));
        }
        text.push('\n');
    }
    for row in rows {
        text.push_str(&format!("{}\n", row.cluster));
        if let Some(error) = &row.error {
            text.push_str(&format!("  ✖ cluster: {error}\n"));
        }
        text.push_str(&check_lines(row));
        text.push('\n');
    }
    let cells: Vec<Vec<String>> = hub
        .map(|(_, row)| row)
        .into_iter()
        .chain(rows)
        .map(|r| {
            let passed = r.checks.iter().filter(|c| c.ok).count();
            let status = match (&r.error, r.passed) {
                (Some(e), _) => e.clone(),
                (None, true) => "Ready".into(),
                (None, false) => format!("failed: {}", r.failed_checks().join(", ")),
            };
            vec![r.cluster.clone(), format!("{passed}/{}", r.checks.len()), status]
        })
        .collect();
    text.push_str(&table::render(&["cluster", "checks", "status"], &cells));
    text
}

/// `✔ name: detail` or `✖ name: detail` and its remedy, one check a line.
fn check_lines(row: &CheckRow) -> String {
    let mut text = String::new();
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
        .map(|r| vec![r.cluster.clone(), r.deleted.to_string(), r.status.clone()])
        .collect();
    table::render(&["cluster", "deleted", "status"], &cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::setup::fleet_plugin_row;
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
    fn an_unknown_flagger_is_not_not_installed() {
        let row =
            |server: Option<&str>, installed: Option<bool>, version: Option<&str>, error: Option<&str>| ServerRow {
                cluster: "c".into(),
                context: Some("c".into()),
                server_version: server.map(str::to_string),
                flagger_installed: installed,
                flagger_version: version.map(str::to_string),
                error: error.map(str::to_string),
            };
        let text = server_table(&[
            row(None, None, None, Some("unreachable: connection refused")),
            row(Some("v1.32.4"), Some(false), None, None),
            row(Some("v1.32.4"), Some(true), Some("1.44.0"), None),
            row(
                Some("v1.32.4"),
                None,
                None,
                Some("Flagger unknown: listing Deployments: 403 Forbidden: x"),
            ),
        ]);
        let lines: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split_whitespace().collect()).collect();
        assert_eq!(lines[0][..4], ["c", "?", "?", "unreachable:"], "{text}");
        assert_eq!(lines[1][1..], ["v1.32.4", "not", "installed"], "{text}");
        assert_eq!(lines[2][1..], ["v1.32.4", "1.44.0"], "{text}");
        assert_eq!(lines[3][1..4], ["v1.32.4", "?", "Flagger"], "{text}");
    }

    #[test]
    fn a_fleet_without_flagger_is_a_failing_row_naming_the_install() {
        let report = FleetPluginReport {
            fleet: "quickstart".into(),
            provider: None,
            public_testloader: false,
            warnings: vec![
                "Application a spec.syncPolicies[0] has a rollout, but the Fleet has no Flagger plugin".into(),
            ],
        };
        let hub = fleet_plugin_row("kurator-host", &report);
        let text = check_report(Some((&report, &hub)), &[]);
        assert!(
            text.contains("→ kubectl kurator-rollout install --fleet quickstart"),
            "{text}"
        );
        assert!(text.contains("  ! Application a"), "{text}");
        let row = text.lines().find(|l| l.starts_with("kurator-host")).unwrap_or_default();
        assert!(row.contains("0/1") && row.ends_with("failed: plugin.flagger"), "{text}");
    }
}
