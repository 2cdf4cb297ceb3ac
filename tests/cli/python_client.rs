//! The official Python `kubernetes` client against the simulator: a second client, written by
//! other people, must see kube-apiserver's behaviour too (CRUD, watch resume, paging, server-side
//! apply conflicts, the status subresource, error `Status` bodies). The cases themselves are in
//! `tests/python/client_conformance.py`; `.ci/run` installs the client into a virtual environment
//! (`scripts/test-deps.sh`).

use std::path::PathBuf;
use std::process::Command;

use crate::support::{Fleet, isolate, require_tool, run};

/// The interpreter of the test virtual environment: `KKR_TEST_PYTHON`, else the one
/// `scripts/test-deps.sh` creates under `target/test-venv`.
fn python() -> PathBuf {
    std::env::var_os("KKR_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-venv/bin/python"))
}

fn client_installed(python: &PathBuf) -> bool {
    Command::new(python)
        .args(["-c", "import kubernetes"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_python_kubernetes_client_sees_a_real_api_server() {
    let python = python();
    if !require_tool(
        "the_python_kubernetes_client_sees_a_real_api_server",
        client_installed(&python),
        &format!(
            "{} cannot import the `kubernetes` package; run scripts/test-deps.sh",
            python.display()
        ),
    ) {
        return;
    }
    let fleet = Fleet::start(1);
    // A real cluster's etcd has long compacted resourceVersion 1; forget this one's history too,
    // so a watch from there is answered 410 Gone.
    fleet.cluster("kurator-member1").compact();
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = fleet.write_kubeconfig(home.path(), |_| {});
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/client_conformance.py");
    let mut cmd = Command::new(&python);
    isolate(&mut cmd, home.path());
    let out = run(cmd.arg(script).env("KUBECONFIG", &kubeconfig));
    assert_eq!(out.code, 0, "{out:?}");
    // unittest reports on stderr; every case ran and none was skipped.
    assert!(out.stderr.contains("\nOK\n") || out.stderr.ends_with("OK\n"), "{out:?}");
    assert!(!out.stderr.contains("skipped"), "{out:?}");
}
