//! Property test for hostile policy input: thousands of seeded mutations of the shipped example
//! policies (lines dropped, duplicated, swapped, re-indented; values replaced by odd scalars,
//! huge numbers, wrong types; bytes truncated or inserted) go through loading, validation and
//! rendering. Whatever the input, the result is either a policy that renders or an error that
//! names where and what to do, never a panic. Seeded, so a failure prints the case to replay.

use super::{load::Input, load_policies};
use crate::render::{ClusterFacts, RenderOptions, render};

const SEEDS: [&str; 2] = [
    include_str!("../../examples/rollout-podinfo.yaml"),
    include_str!("../../examples/demo-rollout.yaml"),
];

/// Values that have broken parsers before: wrong types, extremes, YAML specials.
const ODD_VALUES: [&str; 22] = [
    "",
    "~",
    "null",
    "-1",
    "0",
    "4294967296",
    "99999999999999999999999",
    "1e309",
    "-0.0",
    ".nan",
    "true",
    "[]",
    "{}",
    "[1, [2, [3]]]",
    "\"\\u0000\"",
    "'unterminated",
    "&anchor x",
    "*missing",
    "!!binary aGk=",
    "ünïcödé ✓",
    "{a: b, a: c}",
    "|\n  block",
];

/// xorshift64*: deterministic, no dependency, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..=rng.below(4) {
        if lines.is_empty() {
            break;
        }
        let at = rng.below(lines.len());
        match rng.below(7) {
            0 => {
                lines.remove(at);
            }
            1 => {
                let copy = lines[at].clone();
                lines.insert(at, copy);
            }
            2 => {
                let other = rng.below(lines.len());
                lines.swap(at, other);
            }
            3 => lines[at] = format!("{}{}", " ".repeat(rng.below(5)), lines[at].trim_start()),
            4 | 5 => {
                // Replace the value of a `key: value` line, keeping the key so the mutation
                // reaches the validator rather than only the YAML parser.
                let value = ODD_VALUES[rng.below(ODD_VALUES.len())];
                if let Some(colon) = lines[at].find(": ") {
                    lines[at] = format!("{}: {value}", &lines[at][..colon]);
                } else if let Some(dash) = lines[at].find("- ") {
                    lines[at] = format!("{}- {value}", &lines[at][..dash]);
                }
            }
            _ => {
                let line = &lines[at];
                let cut = line
                    .char_indices()
                    .map(|(i, _)| i)
                    .nth(rng.below(line.chars().count() + 1));
                lines[at] = line[..cut.unwrap_or(line.len())].to_string();
            }
        }
    }
    lines.join("\n")
}

#[test]
fn mutated_policies_either_render_or_give_located_errors() {
    let facts = ClusterFacts {
        cluster_name: "member1".into(),
        service: None,
        namespace: None,
        ingress: None,
    };
    let (mut rendered, mut rejected) = (0, 0);
    for case in 0..3000u64 {
        let mut rng = Rng(case.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let seed = SEEDS[rng.below(SEEDS.len())];
        let text = mutate(seed, &mut rng);
        let input = Input {
            name: format!("case-{case}.yaml"),
            text: text.clone(),
        };
        let (policies, diagnostics) = load_policies(&[input], None);
        for d in &diagnostics {
            assert!(
                d.file == format!("case-{case}.yaml") && d.line >= 1 && !d.message.is_empty() && !d.fix.is_empty(),
                "case {case}: diagnostic without location or advice: {d:?}\n--- input\n{text}"
            );
        }
        if policies.is_empty() {
            // An Application without a rollout is valid Kurator, hence only a warning.
            assert!(
                !diagnostics.is_empty(),
                "case {case}: no policy and nothing said why\n--- input\n{text}"
            );
            rejected += 1;
        }
        for policy in &policies {
            // Ingress needs the live object; its absence must be an error, never a panic.
            let _ = render(policy, &facts, &RenderOptions::default());
            rendered += 1;
        }
    }
    // The mutations must exercise both outcomes, or the test proves nothing.
    assert!(
        rendered > 100 && rejected > 100,
        "rendered {rendered}, rejected {rejected}"
    );
}
