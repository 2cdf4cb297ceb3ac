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
