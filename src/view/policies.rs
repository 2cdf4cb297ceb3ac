//! Text of `render` and `apply`: the YAML stream of rendered objects, the apply tables (members
//! and hub), a dry run's diffs, and the report of what Kurator renders differently. Pure.

use crate::config::Policy;
use crate::config::kurator::{FleetFacts, kurator_defects};
use crate::model::policy::{ApplyRow, HubRow, RenderedCluster, RunChangeRow};
use crate::view::table;

/// The objects as a YAML stream `kubectl apply` takes, each under a comment naming its cluster
/// and policy.
pub fn yaml_stream<'a>(rendered: impl IntoIterator<Item = &'a RenderedCluster>) -> String {
    let mut out = String::new();
    for cluster in rendered {
        for (policy, objects) in &cluster.policies {
            for obj in objects {
                out.push_str(&format!("---\n# cluster: {}, policy: {policy}\n", cluster.name));
                out.push_str(&apimachinery::to_yaml(obj));
            }
        }
    }
    out
}

/// Every rendered object, in the order of [`yaml_stream`].
pub fn objects_of<'a>(rendered: impl IntoIterator<Item = &'a RenderedCluster>) -> Vec<serde_json::Value> {
    rendered
        .into_iter()
        .flat_map(|c| c.policies.iter().flat_map(|(_, objects)| objects.iter().cloned()))
        .collect()
}

/// cluster · policy · object · result (a conflict's message is its result).
pub fn apply_table(rows: &[ApplyRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let result = match (&r.result.error, &r.result.warning, &r.result.run_change) {
                (Some(e), _, _) if r.result.result == "conflict" => e.clone(),
                (Some(e), _, _) => format!("failed: {e}"),
                (None, Some(w), _) => format!("warning: {w}"),
                (None, None, Some(change)) => format!("{} (run under way: {change})", r.result.result),
                (None, None, None) => r.result.result.clone(),
            };
            vec![
                r.cluster.clone(),
                r.result.policy.clone(),
                r.result.object.clone(),
                result,
            ]
        })
        .collect();
    table::render(&["cluster", "policy", "object", "result"], &cells)
}

/// The canaries whose run under way an apply changes: cluster · canary · phase · what happens.
pub fn run_change_table(rows: &[RunChangeRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| vec![r.cluster.clone(), r.canary.clone(), r.phase.clone(), r.change.clone()])
        .collect();
    table::render(&["cluster", "canary", "phase", "run under way"], &cells)
}

/// A dry run's diffs against the live objects, each under its cluster.
pub fn dry_run_diffs(rows: &[ApplyRow]) -> String {
    rows.iter()
        .filter_map(|r| r.result.diff.as_ref().map(|d| format!("# cluster {}\n{d}", r.cluster)))
        .collect()
}

/// application · result, in the same words as the members' apply: a conflict is not "failed".
pub fn hub_table(rows: &[HubRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.application.clone(),
                match &r.error {
                    Some(e) if r.result == "conflict" => format!("conflict: {e}"),
                    Some(e) => format!("failed: {e}"),
                    None => r.result.clone(),
                },
            ]
        })
        .collect();
    table::render(&["application", "result"], &cells)
}

/// Under `--fleet` Kurator renders the Canaries, not this tool: what it will render differently
/// for each policy (its known defects) and what Flagger then does, for stderr.
pub fn kurator_report(policies: &[Policy], facts: &FleetFacts) -> String {
    let mut text = String::new();
    for policy in policies {
        let defects = kurator_defects(&policy.config, facts);
        if defects.is_empty() {
            continue;
        }
        text.push_str(&format!(
            "warning: Kurator will not render policy {} ({}:{}) as `render` shows it:\n",
            policy.name, policy.file, policy.line
        ));
        for d in defects {
            text.push_str(&format!(
                "  ! {}: Kurator renders {}\n    then: {}\n    fix: {}\n",
                d.path, d.kurator_renders, d.consequence, d.fix
            ));
        }
    }
    text
}
