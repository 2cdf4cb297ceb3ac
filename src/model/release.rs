//! A release across the fleet, as the events a surface shows (pure): the waves it is split
//! into, what each wave did, and why later waves were not started; and the plan of a release
//! before anything is written (`start --dry-run`, and what `start` asks to confirm).

use super::action_row::{self, ActionRow};
use super::policy::Applied;
use crate::exit::Exit;

/// Why later waves (or the release itself) were not started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halt {
    /// Ctrl-C.
    Interrupted,
    /// The person left the live view (`q`): later waves must not start behind their back.
    Quit,
    /// `--on-failure stop`: this wave (numbered from 1) did not succeed.
    WaveFailed(usize),
    /// `--on-failure abort-all`: the started clusters were aborted.
    Aborted,
}

/// What happens during a release, in order.
#[derive(Debug)]
pub enum ReleaseEvent {
    /// `-f` could not be applied in a cluster, or left a warning there.
    PolicyProblem { cluster: String, text: String },
    /// Ctrl-C while applying `-f`: no release started; the clusters not yet applied.
    PoliciesInterrupted { untouched: Vec<String> },
    /// `-f` failed somewhere: no release started.
    PoliciesFailed,
    /// A wave (numbered from 1, of `waves`) is about to start in these clusters.
    WaveStarting {
        number: usize,
        waves: usize,
        clusters: Vec<String>,
    },
    /// What starting a followed wave did (the rows of an unfollowed release come at the end).
    WaveStarted { rows: Vec<ActionRow> },
    /// Later waves are not started; `untouched` are their clusters.
    Halted { halt: Halt, untouched: Vec<String> },
    /// `--on-failure abort-all`: what the abort did in the started clusters.
    Aborted { rows: Vec<ActionRow> },
}

/// A release as it would run, from reads and server-side dry runs only.
#[derive(Debug)]
pub struct ReleasePlan {
    /// The hub's context when the fleet comes from a Kurator Fleet: `-f` goes to its
    /// Applications, for Kurator's fleet manager to render into the members.
    pub hub: Option<String>,
    /// What `-f` would change, where the fleet source sends policies (None without `-f`).
    pub policies: Option<Applied>,
    /// Why `-f` would stop the release, per cluster (a change to a run under way, without
    /// `--force`), as the run decides it.
    pub policy_refusals: Vec<(String, String)>,
    /// The clusters of each wave, in start order.
    pub waves: Vec<Vec<String>>,
    /// One row per cluster, in start order: the Deployment change, or why it would not start.
    pub rows: Vec<ActionRow>,
    /// Clusters without the canary.
    pub missing: usize,
    /// Each wave would be followed to its end before the next starts.
    pub followed: bool,
}

/// What `-f` could not apply, or applied with a warning, per cluster (the hub's context under
/// Kurator): (cluster, line, whether it stops the release). The run reports these as it
/// applies; the plan shows the same lines from its dry run.
pub fn policy_problems(applied: &Applied, hub: &str) -> Vec<(String, String, bool)> {
    match applied {
        Applied::Members(rows) => rows
            .iter()
            .filter_map(|r| {
                // Warning rows (a field another manager left) are shown, not fatal.
                let text = r.result.error.as_ref().or(r.result.warning.as_ref())?;
                // A row without an object is the cluster's own failure (unreachable, timeout).
                let line = if r.result.object == "-" {
                    format!("applying -f: {text}")
                } else {
                    format!("{} {}: {} {text}", r.result.policy, r.result.object, r.result.result)
                };
                Some((r.cluster.clone(), line, r.result.error.is_some()))
            })
            .collect(),
        Applied::Hub(rows) => rows
            .iter()
            .filter_map(|r| {
                let e = r.error.as_ref()?;
                let line = format!("applying -f: Application {}: {} {e}", r.application, r.result);
                Some((hub.to_string(), line, true))
            })
            .collect(),
    }
}

/// The result of a plan row that would start.
pub const WOULD_START: &str = "would start";

impl ReleasePlan {
    /// The clusters where the release would start (what a confirmation counts).
    pub fn starting(&self) -> Vec<&str> {
        self.rows
            .iter()
            .filter(|r| r.error.is_none())
            .map(|r| r.cluster.as_str())
            .collect()
    }

    /// The clusters the run writes in, what a confirmation counts: `-f` applies in every member
    /// (one plan row each), even where the release would not start; the release itself only
    /// where it would start.
    pub fn touched(&self) -> Vec<&str> {
        match self.policies {
            Some(_) => self.rows.iter().map(|r| r.cluster.as_str()).collect(),
            None => self.starting(),
        }
    }

    /// Whether `-f` would fail somewhere (then no release starts).
    pub fn policies_fail(&self) -> bool {
        !self.policy_refusals.is_empty() || self.policies.as_ref().is_some_and(|p| p.exit() != Exit::Success)
    }

    /// The exit the run would have, as far as the plan can tell before anything runs (README
    /// "Exit codes", `start`): 1 when `-f` fails, 4 when the canary is in no cluster, else as
    /// the start rows decide (refused clusters fail theirs). A followed run's outcome is the
    /// canaries' to decide later.
    pub fn exit(&self) -> Exit {
        if self.policies_fail() {
            Exit::Failed
        } else if !self.rows.is_empty() && self.missing == self.rows.len() {
            Exit::NothingMatched
        } else {
            action_row::exit(&self.rows)
        }
    }

    /// The confirmation question: what the count to type counts (`-f` writes in every member,
    /// the release starts where the plan says).
    pub fn question(&self, name: &str) -> String {
        let counted = |n: usize| format!("{n} cluster{}", if n == 1 { "" } else { "s" });
        let waves = match self.waves.len() {
            1 => String::new(),
            n => format!(" in {n} waves"),
        };
        let apply = match self.policies {
            Some(_) => format!("apply -f in {} and ", counted(self.touched().len())),
            None => String::new(),
        };
        format!(
            "{apply}start a new release of {name} in {}{waves}?",
            counted(self.starting().len())
        )
    }
}

/// Splits `count` clusters into waves of `size` (`N` or `P%`, at least one per wave).
pub fn waves(count: usize, size: Option<&str>) -> Result<Vec<Vec<usize>>, String> {
    let per_wave = match size {
        None => count.max(1),
        Some(text) => {
            let n = if let Some(p) = text.strip_suffix('%') {
                let percent: f64 = p.parse().map_err(|_| format!("--wave-size {text}: use N or P%"))?;
                if !(0.0..=100.0).contains(&percent) || percent == 0.0 {
                    return Err(format!("--wave-size {text}: a percentage between 1 and 100"));
                }
                ((count as f64) * percent / 100.0).ceil() as usize
            } else {
                text.parse::<usize>()
                    .map_err(|_| format!("--wave-size {text}: use N or P%"))?
            };
            if n == 0 {
                return Err("--wave-size must be at least 1".into());
            }
            n
        }
    };
    Ok((0..count)
        .collect::<Vec<_>>()
        .chunks(per_wave.max(1))
        .map(|c| c.to_vec())
        .collect())
}

/// The positions of `order`'s clusters first, in that order, then the rest in target order;
/// an error names a cluster that is not a target.
pub fn ordered(clusters: &[String], order: &[String]) -> Result<Vec<usize>, String> {
    let mut indices: Vec<usize> = Vec::new();
    for name in order {
        let Some(i) = clusters.iter().position(|c| c == name) else {
            return Err(format!("--order {name}: not one of the target contexts"));
        };
        if !indices.contains(&i) {
            indices.push(i);
        }
    }
    indices.extend((0..clusters.len()).filter(|i| !indices.contains(i)).collect::<Vec<_>>());
    Ok(indices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wave_sizes() {
        assert_eq!(waves(3, None).unwrap(), vec![vec![0, 1, 2]]);
        assert_eq!(waves(3, Some("1")).unwrap(), vec![vec![0], vec![1], vec![2]]);
        assert_eq!(waves(5, Some("40%")).unwrap(), vec![vec![0, 1], vec![2, 3], vec![4]]);
        assert!(waves(3, Some("0")).is_err());
        assert!(waves(3, Some("x%")).is_err());
    }

    #[test]
    fn a_plan_exits_as_the_run_would() {
        use crate::fleet::ClusterError;
        use crate::model::canary::CanaryId;
        let row = |cluster: &str, outcome: Result<String, ClusterError>| {
            ActionRow::new(&CanaryId::new(cluster, "test", "podinfo"), "-".into(), outcome)
        };
        let mut plan = ReleasePlan {
            hub: None,
            policies: None,
            policy_refusals: Vec::new(),
            waves: vec![vec!["a".into()], vec!["b".into()]],
            rows: vec![
                row("a", Ok(WOULD_START.into())),
                row("b", Err(ClusterError::Other("refused: a run is under way".into()))),
            ],
            missing: 0,
            followed: true,
        };
        assert_eq!(plan.exit(), Exit::Partial);
        assert_eq!(plan.starting(), vec!["a"]);
        assert_eq!(
            plan.question("podinfo"),
            "start a new release of podinfo in 1 cluster in 2 waves?"
        );
        // With -f, what is written in every member is counted too.
        plan.policies = Some(Applied::Members(Vec::new()));
        assert_eq!(
            plan.question("podinfo"),
            "apply -f in 2 clusters and start a new release of podinfo in 1 cluster in 2 waves?"
        );
        assert_eq!(plan.touched(), vec!["a", "b"]);
        // A change -f would make to a run under way stops the release, as in the run.
        plan.policy_refusals = vec![("b".into(), "applying -f would change the run under way".into())];
        assert!(plan.policies_fail());
        assert_eq!(plan.exit(), Exit::Failed);
        plan.policies = None;
        plan.policy_refusals.clear();
        plan.rows.remove(0);
        assert_eq!(plan.exit(), Exit::Failed);
        plan.missing = 1;
        assert_eq!(plan.exit(), Exit::NothingMatched);
    }

    #[test]
    fn order_puts_the_named_first() {
        let clusters: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(
            ordered(&clusters, &["c".into(), "a".into(), "c".into()]),
            Ok(vec![2, 0, 1])
        );
        assert_eq!(ordered(&clusters, &[]), Ok(vec![0, 1, 2]));
        assert!(ordered(&clusters, &["x".into()]).unwrap_err().contains("--order x"));
    }
}
