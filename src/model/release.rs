//! A release across the fleet, as the events a surface shows (pure): the waves it is split
//! into, what each wave did, and why later waves were not started.

use super::action_row::ActionRow;

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
