//! `playground` as a process: its output contract and its shutdown.

use crate::support::{PlaygroundProcess, plugin, run};

#[test]
fn prints_clusters_then_one_export_line_and_exits_0_on_sigterm() {
    let home = tempfile::tempdir().unwrap();
    let out_path = home.path().join("fleet.yaml");
    let mut pg = PlaygroundProcess::start(
        home.path(),
        &[
            "--clusters",
            "2",
            "--kubeconfig-out",
            out_path.to_str().unwrap(),
            "--unreachable",
            "kurator-member2",
        ],
    );
    assert_eq!(pg.kubeconfig, out_path);
    assert_eq!(
        pg.lines.iter().filter(|l| l.starts_with("export KUBECONFIG=")).count(),
        1
    );
    assert!(
        pg.lines
            .iter()
            .any(|l| l.starts_with("kurator-member2") && l.contains("unreachable")),
        "{:?}",
        pg.lines
    );
    let text = std::fs::read_to_string(&out_path).unwrap();
    assert!(text.contains("kurator-member1") && text.contains("certificate-authority-data"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&out_path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let out = run(plugin(home.path())
        .args(["clusters", "--all-contexts"])
        .env("KUBECONFIG", &out_path));
    assert_eq!(out.code, 5, "{out:?}");

    // SIGTERM ends it cleanly with exit 0.
    let status = std::process::Command::new("kill")
        .arg(pg.child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let exit = pg.child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
}

#[test]
fn unknown_unreachable_name_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let out = run(plugin(home.path()).args(["playground", "--clusters", "2", "--unreachable", "kurator-member9"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("kurator-member1, kurator-member2"), "{out:?}");
}

#[test]
fn no_flagger_leaves_the_clusters_bare() {
    let home = tempfile::tempdir().unwrap();
    let pg = PlaygroundProcess::start(home.path(), &["--clusters", "1", "--no-flagger"]);
    assert!(
        pg.lines.iter().any(|l| l.contains("serving (no Flagger)")),
        "{:?}",
        pg.lines
    );
    let out = run(plugin(home.path()).args(["check"]).env("KUBECONFIG", &pg.kubeconfig));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("✖ Flagger CRDs"), "{out:?}");
}

/// The README's first command, unattended: one cluster rolls back by design, the others
/// promote, and that outcome (and only that one) exits 0.
#[test]
fn demo_runs_the_whole_rollout_and_exits_0_when_it_went_as_designed() {
    let home = tempfile::tempdir().unwrap();
    let out = run(plugin(home.path()).args(["demo", "--yes", "--speed", "30", "-o", "ndjson"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("The demo went as designed"), "{out:?}");
    let last_phase = |cluster: &str| {
        out.stdout
            .lines()
            .rev()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|v| v["cluster"] == cluster)
            .map(|v| v["phase"].as_str().unwrap_or_default().to_string())
            .unwrap_or_default()
    };
    assert_eq!(last_phase("kurator-member1"), "Succeeded", "{out:?}");
    assert_eq!(last_phase("kurator-member2"), "Failed", "{out:?}");
    assert_eq!(last_phase("kurator-member3"), "Succeeded", "{out:?}");
}
