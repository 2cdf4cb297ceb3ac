//! DaemonSet targets: Flagger supports them, but this tool's `start`, `status` images and its
//! simulator only handle Deployments, so `lint` (and every command that loads a policy) refuses
//! them with the reason instead of applying a rollout it cannot follow.

use std::path::Path;

use serde_json::Value;

use crate::support::{Fleet, Output, kubectl, kubectl_available, plugin, run};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml");

#[test]
fn lint_and_render_refuse_daemonset_targets_with_the_reason() {
    let home = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    assert!(example.contains("kind: Deployment"));
    let path = home.path().join("daemonset.yaml");
    std::fs::write(&path, example.replace("kind: Deployment", "kind: DaemonSet")).unwrap();
    let file = path.display().to_string();

    let lint = run(plugin(home.path()).arg("lint").arg("-f").arg(&path));
    assert_eq!(lint.code, 1, "{lint:?}");
    assert!(
        lint.stdout.contains(&format!(
            "{file}:29:9: error: spec.syncPolicies[0].rollout.workload.kind: DaemonSet targets are not supported by this tool yet"
        )),
        "{}",
        lint.stdout
    );
    assert!(
        lint.stdout.contains("Flagger itself supports DaemonSet targets"),
        "{lint:?}"
    );
    assert!(lint.stdout.contains("fix: target a Deployment"), "{lint:?}");

    // Commands that load the policy refuse it too, before anything is rendered.
    let render = run(plugin(home.path())
        .arg("render")
        .arg("-f")
        .arg(&path)
        .args(["--cluster-name", "east"]));
    assert_eq!(render.code, 1, "{render:?}");
    assert!(!render.stdout.contains("kind: Canary"), "{render:?}");
    assert!(
        format!("{}{}", render.stdout, render.stderr).contains("DaemonSet targets are not supported by this tool yet"),
        "{render:?}"
    );
}

const DAEMONSET: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: nodes}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: nodes}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "agent:1"}]
"#;

fn ok(out: Output) -> Output {
    assert_eq!(out.code, 0, "{out:?}");
    out
}

fn daemonset(h: &Path, k: &Path) -> Value {
    let out = ok(run(kubectl(h, k).args([
        "-n",
        "nodes",
        "get",
        "daemonset",
        "agent",
        "-o",
        "json",
    ])));
    serde_json::from_str(&out.stdout).unwrap()
}

/// The simulated DaemonSet controller as kubectl sees it: one Pod per simulated node (3),
/// `kubectl rollout status` after a create and after `kubectl set image`, and a nodeSelector no
/// node matches (Flagger's way of scaling a DaemonSet to zero) leaving nothing scheduled.
#[test]
fn daemonset_status_as_kubectl_rollout_status_reads_it() {
    if !kubectl_available("daemonset_status_as_kubectl_rollout_status_reads_it") {
        return;
    }
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let (h, k) = (home.path(), kc.as_path());
    let file = h.join("agent.yaml");
    std::fs::write(&file, DAEMONSET).unwrap();
    ok(run(kubectl(h, k).args(["apply", "-f"]).arg(&file)));
    let rollout = [
        "-n",
        "nodes",
        "rollout",
        "status",
        "daemonset/agent",
        "--timeout",
        "60s",
    ];
    let out = ok(run(kubectl(h, k).args(rollout)));
    assert!(
        out.stdout.contains("daemon set \"agent\" successfully rolled out"),
        "{out:?}"
    );
    let ds = daemonset(h, k);
    let status = &ds["status"];
    for field in [
        "desiredNumberScheduled",
        "currentNumberScheduled",
        "updatedNumberScheduled",
        "numberReady",
        "numberAvailable",
    ] {
        assert_eq!(status[field], 3, "{field}: {ds:#}");
    }
    assert_eq!(status["numberMisscheduled"], 0, "{ds:#}");
    assert!(status.get("numberUnavailable").is_none(), "{ds:#}");
    assert_eq!(status["observedGeneration"], ds["metadata"]["generation"], "{ds:#}");

    ok(run(kubectl(h, k).args([
        "-n",
        "nodes",
        "set",
        "image",
        "daemonset/agent",
        "agent=agent:2",
    ])));
    let out = ok(run(kubectl(h, k).args(rollout)));
    assert!(out.stdout.contains("successfully rolled out"), "{out:?}");
    let ds = daemonset(h, k);
    assert_eq!(ds["metadata"]["generation"], 2, "{ds:#}");
    assert_eq!(ds["status"]["observedGeneration"], 2, "{ds:#}");
    assert_eq!(ds["status"]["updatedNumberScheduled"], 3, "{ds:#}");

    // No simulated node carries this label: nothing should run anywhere.
    ok(run(kubectl(h, k).args([
        "-n",
        "nodes",
        "patch",
        "daemonset",
        "agent",
        "--type",
        "merge",
        "-p",
        r#"{"spec":{"template":{"spec":{"nodeSelector":{"flagger.app/scale-to-zero":"true"}}}}}"#,
    ])));
    let ds = crate::support::wait_for("generation 3 observed", || {
        let ds = daemonset(h, k);
        if ds["status"]["observedGeneration"] == 3 {
            Ok(ds)
        } else {
            Err(format!("{ds:#}"))
        }
    });
    let status = &ds["status"];
    for field in ["desiredNumberScheduled", "currentNumberScheduled", "numberReady"] {
        assert_eq!(status[field], 0, "{field}: {ds:#}");
    }
    for field in ["updatedNumberScheduled", "numberAvailable", "numberUnavailable"] {
        assert!(status.get(field).is_none(), "{field}: {ds:#}");
    }
    ok(run(kubectl(h, k).args(rollout)));
}
