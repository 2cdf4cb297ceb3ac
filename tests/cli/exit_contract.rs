//! README "Exit codes": every verb through each code the table gives it, against one
//! playground (members 1 and 2 reachable, member 3 not), in stages that move the canaries.
//! Each stage is a table of (arguments, code); every mismatch is reported at once.

use crate::support::rollout::{POLICY, RolloutFleet, fail_release};

const M12: &str = "--context=kurator-member1,kurator-member2";
const M1: &str = "--context=kurator-member1";
const M2: &str = "--context=kurator-member2";
const M3: &str = "--context=kurator-member3";
const ALL: &str = "--all-contexts";

/// Runs every case; returns a line per case whose exit code is not the table's.
fn mismatches(s: &RolloutFleet, cases: &[(&[&str], i32)]) -> Vec<String> {
    let mut wrong = Vec::new();
    for (args, code) in cases {
        // An unreachable cluster must not hold a case up for the default 10s.
        let mut full = args.to_vec();
        full.extend(["--cluster-timeout", "2s"]);
        let out = s.run(&full);
        if out.code != *code {
            wrong.push(format!("{args:?}: want {code}, got {out:?}"));
        }
    }
    wrong
}

#[test]
fn every_verb_exits_as_the_readme_table_says() {
    let s = RolloutFleet::start(3, &["--manual-promotion"], &["kurator-member3"]);
    let bad = s.home.path().join("bad.yaml");
    std::fs::write(&bad, "workload:\n  kind: Deployment\nrolloutPolicy: {}\n").unwrap();
    let bad = bad.to_str().unwrap();
    let missing_file = "/nonexistent/rollout.yaml";

    // Stage 1: podinfo Initialized in members 1 and 2 (no run yet).
    let mut wrong = mismatches(
        &s,
        &[
            (&["clusters", M12], 0),
            (&["clusters", ALL], 5),
            (&["clusters", M3], 1),
            (&["clusters", "--context", "nope"], 2),
            (&["lint", "-f", POLICY], 0),
            (&["lint", "-f", bad], 1),
            (&["lint", "-f", missing_file], 2),
            (&["render", "-f", POLICY, "--cluster-name", "m1"], 0),
            (&["render", "-f", bad, "--cluster-name", "m1"], 1),
            (&["render", "-f", missing_file], 2),
            (&["apply", "-f", POLICY, M12, "--manual-promotion"], 0),
            (&["apply", "-f", POLICY, ALL, "--manual-promotion"], 5),
            (&["apply", "-f", POLICY, M3], 1),
            (&["apply", "-f", missing_file, M12], 2),
            (&["install", "--provider", "istio", "--testloader", M12], 0),
            (&["install", "--provider", "istio", "--testloader", ALL], 5),
            (&["install", "--provider", "istio", M3], 1),
            (&["install", M12], 2),
            (&["check", M12], 0),
            (&["check", ALL], 5),
            (&["check", M3], 1),
            (&["check", "--bogus"], 2),
            (&["uninstall", "--dry-run", "--force", M12], 0),
            (&["uninstall", "--dry-run", M12], 1),
            (&["uninstall", "--dry-run", "--force", ALL], 5),
            (&["uninstall", M12], 1),
            (&["uninstall", "--force", M3], 1),
            (&["uninstall", ALL], 1),
            (&["uninstall", "--bogus"], 2),
            (&["status", "podinfo", "-n", "test", M12], 0),
            (&["status", "nope", "-n", "test", M12], 4),
            (&["status", "podinfo", "-n", "test", M3], 1),
            (&["get", "podinfo", "-n", "test", M3], 1),
            (&["status", "podinfo", "-n", "test", M3, "-w"], 1),
            (&["status", "podinfo", "-n", "test", ALL], 5),
            (&["status", "podinfo", "-n", "test", M12, "-w"], 0),
            (&["status", "nope", "-n", "test", M12, "-w"], 4),
            (&["status", "podinfo", "-n", "test", ALL, "-w"], 5),
            (&["status", "podinfo", "-n", "test", M12, "-w", "--require", "3"], 2),
            (
                &["status", "podinfo", "-n", "test", M12, "-w", "--until", "Promoted"],
                2,
            ),
            (&["status", "podinfo", "-n", "test", M12, "--timeout", "1s"], 2),
            (&["status", "podinfo", "-n", "test", M12, "--wait-for-start"], 2),
            (&["status", "podinfo", "-n", "test", M12, "--until", "Succeeded"], 2),
            (&["get", "podinfo", "-n", "test", M12], 0),
            (&["get", "nope", "-n", "test", M12], 4),
            (&["get", "podinfo", "-n", "test", ALL], 5),
            (&["get", M12], 2),
            (&["list", "-n", "test", M12], 0),
            (&["list", "-n", "test", ALL], 5),
            (&["list", "-n", "test", M3], 1),
            (&["list", "extra"], 2),
            (&["version"], 0),
            (&["version", "--server", M12], 0),
            (&["version", "--server", ALL], 5),
            (&["version", "--server", M3], 1),
            (&["version", "--bogus"], 2),
            (&["completion", "bash"], 0),
            (&["completion", "tcsh"], 2),
            (&["playground", "--clusters", "0"], 2),
            (&["demo", "--clusters", "1"], 2),
            (&["dashboard", "--port", "x"], 2),
            (&["dashboard", "--address", "localhost"], 2),
            (&["start", "podinfo", "-n", "test", M12], 2),
            (&["start", "nope", "-n", "test", M12, "--restart"], 4),
            (&["start", "nope", "-n", "test", M12, "--restart", "-w"], 4),
            (
                &["start", "nope", "-n", "test", M12, "--restart", "--wave-size", "1"],
                4,
            ),
            (
                &["start", "podinfo", "-n", "test", M12, "--image", "podinfod=podinfo:1"],
                1,
            ),
            (&["promote", "podinfo", "-n", "test", M12, "--yes"], 0),
            (&["abort", "podinfo", "-n", "test", M12, "--yes"], 0),
            (&["pause", "podinfo", "-n", "test", M12, "--yes"], 0),
            (&["resume", "podinfo", "-n", "test", M12, "--yes"], 0),
            (&["pause", "podinfo", "-n", "test", ALL, "--yes"], 5),
            (&["resume", "podinfo", "-n", "test", ALL, "--yes"], 5),
            (&["retry", "podinfo", "-n", "test", M12, "--yes"], 1),
            (&["retry", "podinfo", "-n", "test", M12, "--dry-run"], 1),
            (&["pause", "podinfo", "-n", "test", M12, "--dry-run"], 0),
            (&["pause", "podinfo", "-n", "test", M12], 2),
        ],
    );
    for verb in ["promote", "abort", "pause", "resume", "retry"] {
        wrong.extend(mismatches(
            &s,
            &[
                (&[verb, "nope", "-n", "test", M12, "--yes"], 4),
                // No cluster answered: no row succeeded (not "nothing matched").
                (&[verb, "podinfo", "-n", "test", M3, "--yes"], 1),
                (&[verb, "-n", "test", M12], 2),
            ],
        ));
    }

    // Stage 2: a new run in member 1, held at its promotion gate.
    wrong.extend(mismatches(
        &s,
        &[(
            &[
                "start",
                "--yes",
                "podinfo",
                "-n",
                "test",
                "--context=kurator-member1,kurator-member3",
                "--image",
                "podinfod=podinfo:2",
            ],
            5,
        )],
    ));
    s.wait(&[1], "WaitingPromotion");
    wrong.extend(mismatches(
        &s,
        &[
            (&["status", "podinfo", "-n", "test", M12, "-w", "--timeout", "1s"], 3),
            (
                &[
                    "status",
                    "podinfo",
                    "-n",
                    "test",
                    M1,
                    "-w",
                    "--until",
                    "WaitingPromotion",
                ],
                0,
            ),
            (
                &[
                    "start",
                    "podinfo",
                    "-n",
                    "test",
                    M1,
                    "--image",
                    "podinfod=podinfo:3",
                    "--yes",
                ],
                1,
            ),
            (
                &[
                    "start",
                    "--yes",
                    "podinfo",
                    "-n",
                    "test",
                    M1,
                    "--image",
                    "podinfod=podinfo:3",
                    "--force",
                    "-w",
                    "--timeout",
                    "1s",
                ],
                3,
            ),
            // Without its rollback hook a run cannot be aborted: the row fails. Each apply
            // changes the analysis of the run under way, so it needs --yes.
            (&["apply", "-f", POLICY, M1, "--abort-gate=false", "--yes"], 0),
            (&["abort", "podinfo", "-n", "test", M1, "--yes"], 1),
            (&["apply", "-f", POLICY, M1, "--abort-gate", "--yes"], 0),
        ],
    ));
    for args in [
        &["status", "podinfo", "-n", "test", M12, "-w"][..],
        &["list", "-n", "test", M12, "-w"][..],
    ] {
        let watch = s.start_watched(args);
        watch.wait_for_stdout("both members", |o| o.contains("kurator-member2"));
        watch.interrupt();
        let out = watch.finish();
        if out.code != 130 {
            wrong.push(format!("{args:?} interrupted: want 130, got {out:?}"));
        }
    }
    wrong.extend(mismatches(
        &s,
        &[(
            &[
                "promote",
                "podinfo",
                "-n",
                "test",
                M12,
                "--wait",
                "--yes",
                "--timeout",
                "60s",
            ],
            0,
        )],
    ));
    s.wait(&[1], "Succeeded");

    // Stage 3: member 2's run fails; member 1 Succeeded.
    fail_release(s.cluster(2));
    wrong.extend(mismatches(
        &s,
        &[
            // --force: the annotation alone may already have started a run in member 2.
            (
                &[
                    "start",
                    "--yes",
                    "--force",
                    "podinfo",
                    "-n",
                    "test",
                    M2,
                    "--image",
                    "podinfod=podinfo:2",
                    "-w",
                    "--timeout",
                    "60s",
                ],
                1,
            ),
            (&["status", "podinfo", "-n", "test", M12], 5),
            (&["status", "podinfo", "-n", "test", M2], 1),
            (&["status", "podinfo", "-n", "test", M12, "-w"], 5),
            (&["status", "podinfo", "-n", "test", M2, "-w"], 1),
            (&["promote", "podinfo", "-n", "test", M2, "--yes"], 1),
            (&["promote", "podinfo", "-n", "test", M12, "--yes"], 5),
            (&["abort", "podinfo", "-n", "test", ALL, "--yes"], 5),
            (&["retry", "podinfo", "-n", "test", M12, "--yes"], 5),
            // Last, as it takes Flagger out of member 2.
            (
                &[
                    "uninstall",
                    "--force",
                    "--yes",
                    "--context=kurator-member2,kurator-member3",
                ],
                5,
            ),
        ],
    ));
    assert!(wrong.is_empty(), "{} mismatches:\n{}", wrong.len(), wrong.join("\n"));
}
