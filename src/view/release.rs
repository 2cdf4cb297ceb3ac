//! The text of a release's events, for stderr while it runs, and of its plan.

use super::actions::action_table;
use super::policies::{apply_table, dry_run_diffs, hub_table};
use crate::model::policy::Applied;
use crate::model::release::{Halt, ReleaseEvent, ReleasePlan, policy_problems};

/// A release's plan: what `-f` would change where it goes, the waves, and each cluster's
/// Deployment change (`start --dry-run` on stdout, and before the confirmation on stderr).
pub fn plan_text(plan: &ReleasePlan) -> String {
    let mut text = String::new();
    match &plan.policies {
        Some(Applied::Hub(rows)) => {
            text.push_str(&format!(
                "-f: the Applications on the hub {} (Kurator's fleet manager renders them into the members), as a server-side dry run:\n",
                plan.hub.as_deref().unwrap_or("-")
            ));
            text.push_str(&hub_table(rows));
        }
        Some(Applied::Members(rows)) => {
            text.push_str("-f: the rendered objects in each member, as a server-side dry run:\n");
            text.push_str(&dry_run_diffs(rows));
            text.push_str(&apply_table(rows));
        }
        None => {}
    }
    let problems = plan
        .policies
        .as_ref()
        .map(|applied| policy_problems(applied, plan.hub.as_deref().unwrap_or("hub")))
        .unwrap_or_default();
    let lines = problems
        .into_iter()
        .map(|(c, l, _)| (c, l))
        .chain(plan.policy_refusals.clone());
    for (cluster, line) in lines {
        text.push_str(&event_text(&ReleaseEvent::PolicyProblem { cluster, text: line }));
    }
    if plan.policies_fail() {
        text.push_str(&event_text(&ReleaseEvent::PoliciesFailed));
        return text;
    }
    let waves = plan.waves.len();
    if waves > 1 {
        for (number, clusters) in plan.waves.iter().enumerate() {
            text.push_str(&format!("wave {}/{waves}: {}\n", number + 1, clusters.join(", ")));
        }
    }
    if plan.followed {
        text.push_str("each wave is followed to its end before the next one starts\n");
    }
    if plan.hub.is_some() {
        text.push_str("the release: each member's Deployment, written in the member (a Kurator Application carries the rollout policy, not the image):\n");
    }
    text.push_str(&action_table(&plan.rows));
    text
}

/// What to show for an event (empty when there is nothing to say); ends with a newline.
pub fn event_text(event: &ReleaseEvent) -> String {
    let line = match event {
        ReleaseEvent::PolicyProblem { cluster, text } => format!("{cluster}: {text}"),
        ReleaseEvent::PoliciesInterrupted { untouched } if untouched.is_empty() => {
            "interrupted after applying -f everywhere: no release started".into()
        }
        ReleaseEvent::PoliciesInterrupted { untouched } => format!(
            "interrupted while applying -f: no release started; policies not applied in: {}",
            untouched.join(", ")
        ),
        ReleaseEvent::PoliciesFailed => {
            "no release started: fix what -f could not apply (see above) and run start again".into()
        }
        ReleaseEvent::WaveStarting {
            number,
            waves,
            clusters,
        } => format!("wave {number}/{waves}: {}", clusters.join(", ")),
        ReleaseEvent::WaveStarted { rows } | ReleaseEvent::Aborted { rows } => return action_table(rows),
        ReleaseEvent::Halted { untouched, .. } if untouched.is_empty() => return String::new(),
        ReleaseEvent::Halted { halt, untouched } => {
            let untouched = untouched.join(", ");
            match halt {
                Halt::Interrupted => format!("interrupted: waves not started, clusters untouched: {untouched}"),
                Halt::Quit => format!("left the live view: later waves not started ({untouched})"),
                Halt::WaveFailed(number) => {
                    format!("wave {number} did not succeed: later waves not started ({untouched})")
                }
                Halt::Aborted => format!("aborted: later waves not started ({untouched})"),
            }
        }
    };
    line + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halts_name_the_untouched_clusters() {
        let halted = |halt| ReleaseEvent::Halted {
            halt,
            untouched: vec!["b".into(), "c".into()],
        };
        assert_eq!(
            event_text(&halted(Halt::WaveFailed(1))),
            "wave 1 did not succeed: later waves not started (b, c)\n"
        );
        assert_eq!(
            event_text(&halted(Halt::Aborted)),
            "aborted: later waves not started (b, c)\n"
        );
        let nothing_left = ReleaseEvent::Halted {
            halt: Halt::Quit,
            untouched: vec![],
        };
        assert_eq!(event_text(&nothing_left), "");
        let wave = ReleaseEvent::WaveStarting {
            number: 2,
            waves: 3,
            clusters: vec!["m2".into()],
        };
        assert_eq!(event_text(&wave), "wave 2/3: m2\n");
    }
}
