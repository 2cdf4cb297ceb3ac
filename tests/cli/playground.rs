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

/// README "Playground": `--kubeconfig-out` never overwrites a file by surprise (it could be
/// ~/.kube/config): an existing one is refused (exit 2, left as it was) unless `--force`, and
/// the file replaced is made 0600 like a new one.
#[test]
fn kubeconfig_out_refuses_an_existing_file_unless_forced() {
    let home = tempfile::tempdir().unwrap();
    let existing = home.path().join("config");
    std::fs::write(&existing, "mine").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let path = existing.to_str().unwrap();
    let refused = run(plugin(home.path()).args(["playground", "--clusters", "1", "--kubeconfig-out", path]));
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains(&format!(
            "--kubeconfig-out {path}: the file exists (it may be a kubeconfig you use); pass --force to replace it"
        )),
        "{refused:?}"
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "mine");

    let pg = PlaygroundProcess::start(
        home.path(),
        &["--clusters", "1", "--no-flagger", "--kubeconfig-out", path, "--force"],
    );
    assert_eq!(pg.kubeconfig, existing);
    assert!(std::fs::read_to_string(&existing).unwrap().contains("kurator-member1"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&existing).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the replaced file holds tokens");
    }
}

/// README "Global flags": a flag the verb has no use for is a usage error, not ignored.
#[test]
fn flags_that_mean_nothing_for_the_verb_are_refused() {
    let home = tempfile::tempdir().unwrap();
    for (args, flag) in [
        (&["demo", "--fleet", "quickstart"][..], "--fleet"),
        (&["playground", "--kubeconfig", "/tmp/x"][..], "--kubeconfig"),
        (&["playground", "--context", "prod"][..], "--context"),
        (&["lint", "-f", "x.yaml", "--all-contexts"][..], "--all-contexts"),
        (&["clusters", "-A"][..], "-A"),
    ] {
        let out = run(plugin(home.path()).args(args));
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains(&format!("{flag} means nothing here")),
            "{args:?}: {out:?}"
        );
    }
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
