//! Tables of actions: the plan before it is confirmed, and the rows of what was done.

use super::table;
use crate::model::action_row::ActionRow;
use crate::model::plan::PlanRow;

/// cluster · canary · phase · action · warning.
pub fn plan_table(rows: &[PlanRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.target.cluster.clone(),
                r.target.to_string(),
                r.phase.clone(),
                r.step.describe(),
                r.warning.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table::render(&["cluster", "canary", "phase", "action", "warning"], &cells)
}

/// cluster · canary · action · result.
pub fn action_table(rows: &[ActionRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.cluster.clone(),
                r.canary.clone(),
                r.action.clone(),
                r.error
                    .as_ref()
                    .map(|e| format!("failed: {e}"))
                    .unwrap_or_else(|| r.result.clone()),
            ]
        })
        .collect();
    table::render(&["cluster", "canary", "action", "result"], &cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::ClusterError;
    use crate::model::canary::CanaryId;
    use crate::model::plan::Step;

    #[test]
    fn tables_say_what_was_planned_and_done() {
        let id = CanaryId::new("c", "ns", "p");
        let rows = [
            ActionRow::new(&id, "a".into(), Ok("paused".into())),
            ActionRow::cluster_failed("c".into(), &ClusterError::Other("no".into())),
        ];
        let text = action_table(&rows);
        assert!(text.contains("paused") && text.contains("failed: no"), "{text}");
        let plan = [PlanRow {
            target: CanaryId::new("eu-prod-1", "test", "podinfo"),
            phase: "Progressing".into(),
            step: Step::Suspend { suspend: true },
            warning: Some("managed by Flux".into()),
        }];
        let text = plan_table(&plan);
        assert!(
            text.lines()
                .any(|l| l.contains("eu-prod-1") && l.contains("test/podinfo") && l.contains("set spec.suspend=true")),
            "{text}"
        );
    }
}
