//! Real kubectl against `playground`: the simulator must behave like a cluster to kubectl, not
//! just to our own client. Skips (with a printed reason) only when kubectl is absent.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{Fleet, Output, PlaygroundProcess, kubectl, kubectl_available, run, use_client_certificate};

const CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Phase, type: string, jsonPath: .status.phase}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}, color: {type: string}}}
          status: {type: object, properties: {phase: {type: string}}}
"#;

const WIDGET: &str =
    "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 3\n  color: blue\n";

fn ok(out: Output) -> Output {
    assert_eq!(out.code, 0, "{out:?}");
    out
}

/// Client-certificate users are who kubectl says they are, with their own RBAC.
#[test]
fn kubectl_authenticates_with_a_client_certificate() {
    if !kubectl_available("kubectl_authenticates_with_a_client_certificate") {
        return;
    }
    let fleet = Fleet::start(1);
    let ca = fleet.playground.tls.as_ref().expect("the playground serves HTTPS");
    let cert = ca.issue_client_certificate("alice").unwrap();
    fleet
        .cluster("kurator-member1")
        .add_certificate_user(&cert.der, fleet_sim::User::read_only("alice"));
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    use_client_certificate(&kc, 0, &cert);
    let listed = ok(run(kubectl(home.path(), &kc).args(["get", "ns"])));
    assert!(listed.stdout.contains("default"), "{listed:?}");
    let denied = run(kubectl(home.path(), &kc).args(["create", "namespace", "x"]));
    assert_eq!(denied.code, 1, "{denied:?}");
    assert!(denied.stderr.contains("User \"alice\" cannot create"), "{denied:?}");
}

#[test]
fn kubectl_works_against_the_playground() {
    if !kubectl_available("kubectl_works_against_the_playground") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let pg = PlaygroundProcess::start(home.path(), &["--clusters", "2"]);
    let k = || kubectl(home.path(), &pg.kubeconfig);

    let ns = ok(run(k().args(["get", "ns"])));
    assert!(ns.stdout.contains("default") && ns.stdout.contains("Active"), "{ns:?}");
    let resources = ok(run(k().args(["api-resources"])));
    for kind in ["deployments", "customresourcedefinitions", "services", "ingresses"] {
        assert!(resources.stdout.contains(kind), "{kind} missing: {resources:?}");
    }
    let version = ok(run(k().args(["get", "--raw", "/version"])));
    assert!(version.stdout.contains("\"minor\":\"32\""), "{version:?}");

    std::fs::write(home.path().join("crd.yaml"), CRD).unwrap();
    std::fs::write(home.path().join("widget.yaml"), WIDGET).unwrap();
    let applied = ok(run(k()
        .args(["apply", "--server-side", "-f"])
        .arg(home.path().join("crd.yaml"))));
    assert!(applied.stdout.contains("serverside-applied"), "{applied:?}");
    ok(run(k().args([
        "wait",
        "--for",
        "condition=established",
        "--timeout=10s",
        "crd/widgets.example.com",
    ])));
    ok(run(k()
        .args(["apply", "--server-side", "-f"])
        .arg(home.path().join("widget.yaml"))));

    let listed = ok(run(k().args(["get", "widgets"])));
    let header = listed.stdout.lines().next().unwrap();
    assert!(
        header.contains("NAME") && header.contains("SIZE") && header.contains("PHASE"),
        "{listed:?}"
    );
    assert!(
        listed
            .stdout
            .lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .starts_with(&["w", "3"]),
        "{listed:?}"
    );

    // `get -w` prints a later change.
    let mut watch = k()
        .args(["get", "wd", "-w"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = watch.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(first.contains("NAME"), "{first}");
    rx.recv_timeout(Duration::from_secs(10)).unwrap();
    ok(run(k().args([
        "patch",
        "widget",
        "w",
        "--type=merge",
        "-p",
        r#"{"spec":{"size":7}}"#,
    ])));
    let changed = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(
        changed.split_whitespace().collect::<Vec<_>>().starts_with(&["w", "7"]),
        "{changed}"
    );
    let _ = watch.kill();
    let _ = watch.wait();

    ok(run(k().args([
        "patch",
        "widget",
        "w",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"phase":"Ready"}}"#,
    ])));
    let phase = ok(run(k().args([
        "get",
        "widget",
        "w",
        "-o",
        "jsonpath={.status.phase}/{.spec.size}",
    ])));
    assert_eq!(phase.stdout, "Ready/7");

    let strategic = run(k().args(["patch", "widget", "w", "-p", r#"{"spec":{"size":8}}"#]));
    assert_eq!(strategic.code, 1, "{strategic:?}");
    assert!(
        strategic.stderr.contains("strategic-merge-patch+json is not supported"),
        "{strategic:?}"
    );

    let deleted = ok(run(k().args(["delete", "widget", "w"])));
    assert!(deleted.stdout.contains("deleted"), "{deleted:?}");
    let gone = run(k().args(["get", "widget", "w"]));
    assert!(gone.stderr.contains("NotFound"), "{gone:?}");

    let created = ok(run(k().args(["create", "deployment", "web", "--image=nginx:1"])));
    assert!(created.stdout.contains("deployment.apps/web created"), "{created:?}");
    ok(run(k().args(["set", "image", "deployment/web", "nginx=nginx:2"])));
    let image = ok(run(k().args([
        "get",
        "deploy",
        "web",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ])));
    assert_eq!(image.stdout, "nginx:2");

    // The second context is a separate cluster.
    let other = ok(run(k().args(["--context", "kurator-member2", "get", "deploy"])));
    assert!(!other.stdout.contains("web"), "{other:?}");
}
