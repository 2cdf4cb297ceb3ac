//! `lint`, `render` and `apply` of rollout policies, and the simulated Flagger running what
//! `apply` wrote.

use std::io::Write;
use std::process::Stdio;

use fleet_sim::patch::PatchKind;
use fleet_sim::{PlaygroundOptions, SimCluster};
use serde_json::{Value, json};

use crate::support::{Fleet, plugin, run};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml");

#[test]
fn lint_reports_located_errors_and_reads_stdin() {
    let home = tempfile::tempdir().unwrap();
    let ok = run(plugin(home.path()).args(["lint", "-f", EXAMPLE]));
    assert_eq!(ok.code, 0, "{ok:?}");
    assert!(
        ok.stdout.contains("1 policy checked in 1 file: 0 errors, 0 warnings"),
        "{ok:?}"
    );

    let broken = std::fs::read_to_string(EXAMPLE)
        .unwrap()
        .replace("port: 9898", "port: http")
        .replace("stepWeight: 10", "stepWieght: 10");
    let path = home.path().join("broken.yaml");
    std::fs::write(&path, &broken).unwrap();
    let out = run(plugin(home.path()).arg("lint").arg("-f").arg(&path));
    assert_eq!(out.code, 1, "{out:?}");
    let file = path.display().to_string();
    assert!(
        out.stdout.contains(&format!(
            "{file}:33:7: error: spec.syncPolicies[0].rollout.port: Invalid value"
        )),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(&format!("{file}:39:13: error: spec.syncPolicies[0].rollout.rolloutPolicy.trafficRouting.canaryStrategy.stepWieght: unknown field")), "{}", out.stdout);
    assert!(out.stdout.contains("  fix: "), "{out:?}");

    let mut child = plugin(home.path())
        .args(["lint", "-f", "-", "-o", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(broken.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let diagnostics: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(diagnostics[0]["file"], "<stdin>");
    assert_eq!(diagnostics[0]["severity"], "error");

    let missing = run(plugin(home.path()).args(["lint", "-f", "/nonexistent/rollout.yaml"]));
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing.stderr.contains("cannot read /nonexistent/rollout.yaml"),
        "{missing:?}"
    );
}

#[test]
fn render_offline_per_named_cluster() {
    let home = tempfile::tempdir().unwrap();
    let out = run(plugin(home.path()).args([
        "render",
        "-f",
        EXAMPLE,
        "--cluster-name",
        "east",
        "--cluster-name",
        "west",
        "--manual-promotion",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("http://istio-system-testloader-east-loadtester.istio-system/gate/check"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("http://istio-system-testloader-west-loadtester.istio-system/"),
        "{}",
        out.stdout
    );
    let docs: Vec<Value> = serde_saphyr::from_multiple(&out.stdout).unwrap();
    assert_eq!(docs.iter().filter(|d| d["kind"] == "Canary").count(), 2);
}

fn workload(cluster: &SimCluster, service: bool) {
    cluster
        .apply(
            "",
            "namespaces",
            None,
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}),
        )
        .unwrap();
    cluster
        .apply("apps", "deployments", Some("test"), &json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "podinfo", "namespace": "test"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "podinfo"}},
                     "template": {"metadata": {"labels": {"app": "podinfo"}}, "spec": {"containers": [{"name": "podinfod", "image": "podinfo:6.0.0"}]}}}
        }))
        .unwrap();
    if service {
        cluster
            .apply(
                "",
                "services",
                Some("test"),
                &json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "podinfo", "namespace": "test"},
                "spec": {"selector": {"app": "podinfo"}, "ports": [{"port": 9898, "targetPort": "http"}]}}),
            )
            .unwrap();
    }
}

fn phase(cluster: &SimCluster) -> String {
    cluster
        .get("flagger.app", "canaries", Some("test"), "podinfo")
        .and_then(|c| c.pointer("/status/phase").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}

fn wait_for(clusters: &[&SimCluster], want: &str) {
    crate::support::wait_for(&format!("every podinfo {want}"), || {
        let phases: Vec<String> = clusters.iter().map(|c| phase(c)).collect();
        if phases.iter().all(|p| p == want) {
            Ok(())
        } else {
            Err(format!("{phases:?}"))
        }
    })
}

#[test]
fn apply_is_idempotent_and_the_fleet_rolls_out() {
    let fleet = Fleet::start_with(PlaygroundOptions {
        clusters: 3,
        speed: 120.0,
        ..Default::default()
    });
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    assert_eq!(
        cmd(&["install", "--all-contexts", "--provider", "istio", "--testloader"]).code,
        0
    );
    let (c1, c2, c3) = (
        fleet.cluster("kurator-member1"),
        fleet.cluster("kurator-member2"),
        fleet.cluster("kurator-member3"),
    );
    workload(c1, true);
    workload(c2, true);
    workload(c3, false);

    // A missing Service fails its cluster only.
    let first = cmd(&["apply", "-f", EXAMPLE, "--all-contexts"]);
    assert_eq!(first.code, 5, "{first:?}");
    let bad = first.stdout.lines().find(|l| l.starts_with("kurator-member3")).unwrap();
    assert!(
        bad.contains(
            "failed: Service test/podinfo not found (policy rollout-demo-0): deploy the workload and its Service"
        ),
        "{bad}"
    );
    for member in ["kurator-member1", "kurator-member2"] {
        assert!(
            first
                .stdout
                .lines()
                .any(|l| l.starts_with(member) && l.contains("Canary test/podinfo") && l.ends_with("created")),
            "{member}: {first:?}"
        );
    }
    assert!(
        !first
            .stdout
            .lines()
            .any(|l| l.starts_with("kurator-member3") && l.ends_with("created")),
        "nothing created in member3: {first:?}"
    );

    workload(c3, true);
    let second = cmd(&["apply", "-f", EXAMPLE, "--all-contexts", "-o", "json"]);
    assert_eq!(second.code, 0, "{second:?}");
    wait_for(&[c1, c2, c3], "Initialized");

    let canary = c1.get("flagger.app", "canaries", Some("test"), "podinfo").unwrap();
    assert_eq!(
        canary["metadata"]["annotations"]["kurator.dev/rollout"],
        "rollout-demo-0"
    );
    assert_eq!(
        canary["spec"]["service"]["targetPort"], "http",
        "targetPort read from the cluster's Service"
    );
    assert_eq!(
        c2.get("", "namespaces", None, "test").unwrap()["metadata"]["labels"]["istio-injection"],
        "enabled"
    );

    let versions = |c: &SimCluster| {
        (
            c.get("flagger.app", "canaries", Some("test"), "podinfo").unwrap()["metadata"]["resourceVersion"].clone(),
            c.get("", "namespaces", None, "test").unwrap()["metadata"]["resourceVersion"].clone(),
        )
    };
    let before: Vec<_> = [c1, c2, c3].iter().map(|c| versions(c)).collect();
    let again = cmd(&["apply", "-f", EXAMPLE, "--all-contexts", "-o", "json"]);
    assert_eq!(again.code, 0, "{again:?}");
    let rows: Value = serde_json::from_str(&again.stdout).unwrap();
    assert!(
        rows.as_array().unwrap().iter().all(|r| r["result"] == "unchanged"),
        "{rows:#}"
    );
    assert_eq!(
        before,
        [c1, c2, c3].iter().map(|c| versions(c)).collect::<Vec<_>>(),
        "a second apply writes nothing"
    );

    let preview = cmd(&[
        "apply",
        "-f",
        EXAMPLE,
        "--context",
        "kurator-member1",
        "--manual-promotion",
        "--dry-run",
    ]);
    assert_eq!(preview.code, 0, "{preview:?}");
    assert!(
        preview.stdout.contains("--- Canary test/podinfo (live)")
            && preview.stdout.contains("+    - name: promotion-gate"),
        "{}",
        preview.stdout
    );
    assert!(
        preview
            .stdout
            .lines()
            .any(|l| l.starts_with("kurator-member1") && l.ends_with("would configure")),
        "{}",
        preview.stdout
    );
    assert_eq!(
        before,
        [c1, c2, c3].iter().map(|c| versions(c)).collect::<Vec<_>>(),
        "a dry run writes nothing"
    );

    let rendered = cmd(&["render", "-f", EXAMPLE, "--context", "kurator-member2"]);
    assert_eq!(rendered.code, 0, "{rendered:?}");
    assert!(
        rendered.stdout.contains("targetPort: http"),
        "render with a target reads the cluster: {}",
        rendered.stdout
    );

    for c in [c1, c2, c3] {
        let patch =
            json!({"spec": {"template": {"spec": {"containers": [{"name": "podinfod", "image": "podinfo:6.0.1"}]}}}});
        c.patch(
            "apps",
            "deployments",
            Some("test"),
            "podinfo",
            PatchKind::Strategic,
            &patch,
        )
        .unwrap();
    }
    wait_for(&[c1, c2, c3], "Succeeded");
    for c in [c1, c2, c3] {
        let primary = c.get("apps", "deployments", Some("test"), "podinfo-primary").unwrap();
        assert_eq!(
            primary["spec"]["template"]["spec"]["containers"][0]["image"],
            "podinfo:6.0.1"
        );
    }
}
