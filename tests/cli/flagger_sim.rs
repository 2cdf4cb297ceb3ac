//! The simulated Flagger seen through real kubectl, as a user of a real cluster would see it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;

use crate::support::{Output, PlaygroundProcess, kubectl, kubectl_available, run};

const APP: &str = include_str!("../../testdata/podinfo-app.yaml");
const LOADTESTER: &str = "istio-system-testloader-kurator-member1-loadtester";

fn ok(out: Output) -> Output {
    assert_eq!(out.code, 0, "{out:?}");
    out
}

/// `kubectl get canary -w` in the background, lines delivered through a channel.
struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Watch {
    fn start(home: &Path, kubeconfig: &Path, ns: &str) -> Watch {
        let mut child = kubectl(home, kubeconfig)
            .args(["-n", ns, "get", "canary", "-w"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Watch {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits (up to the tests' common patience) for a line whose STATUS column is `phase`;
    /// returns (status, weight) of every line seen.
    fn until(&mut self, phase: &str) -> Vec<(String, String)> {
        let limit = crate::support::PATIENCE;
        loop {
            // Each line must come within the patience (a hang fails; nothing is timed).
            let Ok(line) = self.lines.recv_timeout(limit) else {
                panic!("no {phase} within {limit:?}; saw {:#?}", self.seen);
            };
            self.seen.push(line.clone());
            if line.split_whitespace().nth(1) == Some(phase) {
                return self.rows();
            }
        }
    }

    fn rows(&self) -> Vec<(String, String)> {
        self.seen
            .iter()
            .filter_map(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                (cols.len() >= 4 && cols[0] != "NAME").then(|| (cols[1].to_string(), cols[2].to_string()))
            })
            .collect()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn phases_and_weights(rows: &[(String, String)]) -> Vec<String> {
    let mut out: Vec<String> = rows.iter().map(|(p, w)| format!("{p} {w}")).collect();
    out.dedup();
    out
}

#[test]
fn canary_progresses_to_success_and_fails_on_bad_metrics() {
    if !kubectl_available("canary_progresses_to_success_and_fails_on_bad_metrics") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let pg = PlaygroundProcess::start(home.path(), &["--clusters", "1", "--speed", "60"]);
    let k = || kubectl(home.path(), &pg.kubeconfig);
    let app = home.path().join("app.yaml");
    std::fs::write(&app, APP).unwrap();
    ok(run(k().args(["apply", "--server-side", "-f"]).arg(&app)));
    let mut watch = Watch::start(home.path(), &pg.kubeconfig, "test");
    watch.until("Initialized");

    ok(run(k().args([
        "-n",
        "test",
        "set",
        "image",
        "deployment/podinfo",
        "podinfod=ghcr.io/stefanprodan/podinfo:6.0.1",
    ])));
    let rows = watch.until("Succeeded");
    let seen = phases_and_weights(&rows);
    let from = seen.iter().position(|s| s == "Progressing 0").expect("Progressing 0");
    let expected = [
        "Progressing 0",
        "Progressing 10",
        "Progressing 20",
        "Progressing 30",
        "Progressing 40",
        "Progressing 50",
        "Promoting 50",
        "Finalising 0",
        "Succeeded 0",
    ];
    assert_eq!(&seen[from..], expected, "{seen:#?}");
    let image = ok(run(k().args([
        "-n",
        "test",
        "get",
        "deploy",
        "podinfo-primary",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ])));
    assert_eq!(image.stdout, "ghcr.io/stefanprodan/podinfo:6.0.1");
    let events = ok(run(k().args(["-n", "test", "get", "events"])));
    assert!(
        events.stdout.contains("Advance podinfo.test canary weight 50"),
        "{events:?}"
    );

    // A release whose success rate is 80% fails; the primary keeps the previous image.
    let patch = r#"{"spec":{"template":{"metadata":{"annotations":{"sim.kurator.dev/success-rate":"80"}},"spec":{"containers":[{"name":"podinfod","image":"ghcr.io/stefanprodan/podinfo:6.0.2"}]}}}}"#;
    ok(run(k().args([
        "-n",
        "test",
        "patch",
        "deployment",
        "podinfo",
        "-p",
        patch,
    ])));
    let rows = watch.until("Failed");
    assert!(
        rows.iter()
            .skip_while(|(p, _)| p != "Succeeded")
            .any(|(p, _)| p == "Progressing"),
        "{rows:?}"
    );
    let image = ok(run(k().args([
        "-n",
        "test",
        "get",
        "deploy",
        "podinfo-primary",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ])));
    assert_eq!(
        image.stdout, "ghcr.io/stefanprodan/podinfo:6.0.1",
        "the primary is untouched"
    );
    let events = ok(run(k().args([
        "-n",
        "test",
        "get",
        "events",
        "--field-selector",
        "type=Warning",
    ])));
    assert!(events.stdout.contains("success rate 80.00% < 99%"), "{events:?}");
    let replicas = ok(run(k().args([
        "-n",
        "test",
        "get",
        "deploy",
        "podinfo",
        "-o",
        "jsonpath={.spec.replicas}",
    ])));
    assert_eq!(replicas.stdout, "0", "the canary is scaled down");
}

fn gated_app(hooks: &str) -> String {
    APP.replace("    metrics:\n", &format!("    webhooks:\n{hooks}    metrics:\n"))
}

fn proxy(path: &str) -> String {
    format!("/api/v1/namespaces/istio-system/services/{LOADTESTER}:80/proxy{path}")
}

#[test]
fn gates_through_the_service_proxy() {
    if !kubectl_available("gates_through_the_service_proxy") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let pg = PlaygroundProcess::start(home.path(), &["--clusters", "1", "--speed", "60"]);
    let k = || kubectl(home.path(), &pg.kubeconfig);
    let url = format!("http://{LOADTESTER}.istio-system");
    let hooks = format!(
        "    - name: promotion-gate\n      type: confirm-promotion\n      url: {url}/gate/check\n\
         \x20   - name: abort\n      type: rollback\n      url: {url}/rollback/check\n"
    );
    let app = home.path().join("app.yaml");
    std::fs::write(&app, gated_app(&hooks)).unwrap();
    ok(run(k().args(["apply", "--server-side", "-f"]).arg(&app)));
    let mut watch = Watch::start(home.path(), &pg.kubeconfig, "test");
    watch.until("Initialized");
    ok(run(k().args([
        "-n",
        "test",
        "set",
        "image",
        "deployment/podinfo",
        "podinfod=ghcr.io/stefanprodan/podinfo:6.0.1",
    ])));
    watch.until("WaitingPromotion");

    // The gate is closed: a GET through the proxy is refused.
    let check = run(k().args([
        "get",
        "--raw",
        &format!("{}?name=podinfo&namespace=test", proxy("/gate/check")),
    ]));
    assert_eq!(check.code, 1, "{check:?}");
    let payload = home.path().join("payload.json");
    std::fs::write(&payload, r#"{"name":"podinfo","namespace":"test"}"#).unwrap();
    ok(run(k()
        .args(["create", "--raw", &proxy("/gate/open"), "-f"])
        .arg(&payload)));
    let rows = watch.until("Promoting");
    let last_two: Vec<&String> = rows.iter().map(|(p, _)| p).rev().take(2).collect();
    assert_eq!(
        last_two,
        vec!["Promoting", "WaitingPromotion"],
        "opening the gate moves it on at the next tick: {rows:?}"
    );
    watch.until("Succeeded");
    ok(run(k()
        .args(["create", "--raw", &proxy("/gate/close"), "-f"])
        .arg(&payload)));

    // Next release: the promotion gate holds it; the rollback gate fails it at the next tick.
    ok(run(k().args([
        "-n",
        "test",
        "set",
        "image",
        "deployment/podinfo",
        "podinfod=ghcr.io/stefanprodan/podinfo:6.0.2",
    ])));
    watch.until("WaitingPromotion");
    ok(run(k()
        .args(["create", "--raw", &proxy("/rollback/open"), "-f"])
        .arg(&payload)));
    let rows = watch.until("Failed");
    assert_eq!(
        rows.iter().rev().nth(1).map(|(p, _)| p.as_str()),
        Some("WaitingPromotion"),
        "{rows:?}"
    );
    let image = ok(run(k().args([
        "-n",
        "test",
        "get",
        "deploy",
        "podinfo-primary",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ])));
    assert_eq!(image.stdout, "ghcr.io/stefanprodan/podinfo:6.0.1");
}

#[test]
fn rollback_gate_during_progressing() {
    if !kubectl_available("rollback_gate_during_progressing") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let pg = PlaygroundProcess::start(home.path(), &["--clusters", "1", "--speed", "60"]);
    let k = || kubectl(home.path(), &pg.kubeconfig);
    let url = format!("http://{LOADTESTER}.istio-system");
    // A closed traffic-increase gate keeps the canary Progressing.
    let hooks = format!(
        "    - name: step-gate\n      type: confirm-traffic-increase\n      url: {url}/gate/check\n\
         \x20   - name: abort\n      type: rollback\n      url: {url}/rollback/check\n"
    );
    let app = home.path().join("app.yaml");
    std::fs::write(&app, gated_app(&hooks)).unwrap();
    ok(run(k().args(["apply", "--server-side", "-f"]).arg(&app)));
    let mut watch = Watch::start(home.path(), &pg.kubeconfig, "test");
    watch.until("Initialized");
    ok(run(k().args([
        "-n",
        "test",
        "set",
        "image",
        "deployment/podinfo",
        "podinfod=ghcr.io/stefanprodan/podinfo:6.0.1",
    ])));
    watch.until("Progressing");
    let payload = home.path().join("payload.json");
    std::fs::write(&payload, r#"{"name":"podinfo","namespace":"test"}"#).unwrap();
    ok(run(k()
        .args(["create", "--raw", &proxy("/rollback/open"), "-f"])
        .arg(&payload)));
    let rows = watch.until("Failed");
    assert_eq!(
        rows.iter().rev().nth(1).map(|(p, _)| p.as_str()),
        Some("Progressing"),
        "{rows:?}"
    );
}
