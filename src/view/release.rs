//! The text of a release's events, for stderr while it runs.

use super::actions::action_table;
use crate::model::release::{Halt, ReleaseEvent};

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
