//! The service proxy as kube-apiserver resolves it, seen by real kubectl (`kubectl get --raw`),
//! and the plugin's gate calls through it: a numeric port becomes the Service port's name, the
//! request goes to the endpoint port of that name, so without a port only an unnamed Service port
//! matches; no ready endpoint is 503.

use std::path::Path;

use fleet_sim::{ProxyRequest, ProxyResponse};

use crate::support::rollout::RolloutFleet;
use crate::support::{Fleet, Output, kubectl, kubectl_available, run};

const OBJECTS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: web}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: web:1
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: plain, namespace: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: idle, namespace: web}
spec:
  selector: {app: nothing-runs-this}
  ports: [{name: http, port: 80, targetPort: http}]
"#;

fn get_raw(home: &Path, kc: &Path, path: &str) -> Output {
    run(kubectl(home, kc).args(["get", "--raw", path]))
}

/// Waits until `done` holds for the command's output.
fn until(what: &str, mut probe: impl FnMut() -> Output, done: impl Fn(&Output) -> bool) -> Output {
    crate::support::wait_for(what, || {
        let out = probe();
        if done(&out) { Ok(out) } else { Err(format!("{out:?}")) }
    })
}

#[test]
fn kubectl_get_raw_through_the_service_proxy_in_every_form() {
    if !kubectl_available("kubectl_get_raw_through_the_service_proxy_in_every_form") {
        return;
    }
    let fleet = Fleet::start(1);
    let cluster = fleet.cluster("kurator-member1");
    cluster.register_proxy(
        "web",
        "web",
        8080,
        std::sync::Arc::new(|req: ProxyRequest| {
            Box::pin(async move { ProxyResponse::text(200, format!("web answered {} {}", req.method, req.path)) })
        }),
    );
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let objects = home.path().join("objects.yaml");
    std::fs::write(&objects, OBJECTS).unwrap();
    let applied = run(kubectl(home.path(), &kc).args(["apply", "-f"]).arg(&objects));
    assert_eq!(applied.code, 0, "{applied:?}");
    let raw = |path: &str| get_raw(home.path(), &kc, &format!("/api/v1/namespaces/web/services/{path}"));

    // The endpoints controller lists both Pods, not ready at first, then ready.
    let ready = |o: &Output| {
        serde_json::from_str::<serde_json::Value>(&o.stdout).ok().and_then(|v| {
            v.pointer("/subsets/0/addresses")
                .and_then(|a| a.as_array())
                .map(Vec::len)
        }) == Some(2)
    };
    let endpoints = until(
        "web's endpoints",
        || run(kubectl(home.path(), &kc).args(["-n", "web", "get", "endpoints", "web", "-o", "json"])),
        ready,
    );
    assert!(endpoints.stdout.contains("\"name\": \"http\""), "{endpoints:?}");
    assert!(endpoints.stdout.contains("\"port\": 8080"), "{endpoints:?}");
    let table = run(kubectl(home.path(), &kc).args(["-n", "web", "get", "endpoints", "web", "idle"]));
    assert!(table.stdout.starts_with("NAME"), "{table:?}");
    let rows: Vec<Vec<&str>> = table
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0][0], "web");
    assert_eq!(rows[0][1].matches(":8080").count(), 2, "{table:?}");
    assert_eq!(rows[1][..2], ["idle", "<none>"], "{table:?}");

    // Named port, numeric port (mapped to its name), scheme:name:port.
    for id in ["web:http", "web:80", "http:web:80"] {
        let out = raw(&format!("{id}/proxy/hello"));
        assert_eq!(out.code, 0, "{id}: {out:?}");
        assert_eq!(out.stdout.trim(), "web answered GET /hello", "{id}");
    }
    // No port: only an unnamed Service port matches, so web (port `http`) has no endpoint for
    // it while plain (one unnamed port) does.
    let portless = raw("web/proxy/hello");
    assert_eq!(portless.code, 1, "{portless:?}");
    assert!(
        portless
            .stderr
            .contains(r#"Error from server (ServiceUnavailable): no endpoints available for service "web""#),
        "{portless:?}"
    );
    let plain = raw("plain/proxy/hello");
    assert_eq!(plain.code, 0, "{plain:?}");
    assert_eq!(plain.stdout.trim(), "web answered GET /hello");
    // A port number the Service does not have.
    let missing = raw("web:81/proxy/");
    assert!(
        missing
            .stderr
            .contains(r#"Error from server (ServiceUnavailable): no service port 81 found for service "web""#),
        "{missing:?}"
    );
    // A named port nobody declares: the whole id is named.
    let unknown_name = raw("web:grpc/proxy/");
    assert!(
        unknown_name
            .stderr
            .contains(r#"no endpoints available for service "web:grpc""#),
        "{unknown_name:?}"
    );
    // A scheme other than http/https is not a service request.
    let bad = raw("ftp:web:80/proxy/");
    assert!(
        bad.stderr
            .contains(r#"Error from server (BadRequest): invalid service request "ftp:web:80""#),
        "{bad:?}"
    );
    // A Service that selects no Pod.
    let idle = raw("idle:80/proxy/");
    assert!(
        idle.stderr
            .contains(r#"Error from server (ServiceUnavailable): no endpoints available for service "idle""#),
        "{idle:?}"
    );
    // Scaled to zero: the endpoints empty out and the proxy answers 503 again.
    let scaled = run(kubectl(home.path(), &kc).args([
        "-n",
        "web",
        "patch",
        "deployment",
        "web",
        "-p",
        r#"{"spec":{"replicas":0}}"#,
    ]));
    assert_eq!(scaled.code, 0, "{scaled:?}");
    let gone = until(
        "the proxy to refuse a scaled-down web",
        || raw("web:80/proxy/hello"),
        |o| o.code != 0,
    );
    assert!(
        gone.stderr.contains(r#"no endpoints available for service "web""#),
        "{gone:?}"
    );
}

/// The load tester `install --testloader` creates names its port `http`: the port-less path
/// the plugin used to call fails on a real server, the numbered one works; and a load tester
/// without a ready endpoint is reported with the remedy.
#[test]
fn the_load_tester_answers_on_its_numbered_port_only() {
    if !kubectl_available("the_load_tester_answers_on_its_numbered_port_only") {
        return;
    }
    let s = RolloutFleet::start(1, &["--manual-promotion"], &[]);
    let lt = "istio-system-testloader-kurator-member1-loadtester";
    let raw = |id: &str| {
        get_raw(
            s.home.path(),
            &s.kubeconfig,
            &format!("/api/v1/namespaces/istio-system/services/{id}/proxy/healthz"),
        )
    };
    let old = raw(lt);
    assert_eq!(old.code, 1, "{old:?}");
    assert!(
        old.stderr.contains(&format!(
            r#"Error from server (ServiceUnavailable): no endpoints available for service "{lt}""#
        )),
        "{old:?}"
    );
    let numbered = raw(&format!("{lt}:80"));
    assert_eq!(numbered.code, 0, "{numbered:?}");
    assert_eq!(numbered.stdout.trim(), "OK");

    // The release waits at the promotion gate. Flagger stops (scaled to zero, so the Canary stays
    // there instead of failing its webhooks), then the load tester loses its Pods.
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1], "WaitingPromotion");
    let k = || kubectl(s.home.path(), &s.kubeconfig);
    let scale = |name: &str| {
        let out = run(k().args(["-n", "istio-system", "scale", "deployment", name, "--replicas", "0"]));
        assert_eq!(out.code, 0, "{out:?}");
    };
    scale("istio-system-flagger-kurator-member1");
    until(
        "Flagger to stop",
        || {
            run(k().args([
                "-n",
                "istio-system",
                "get",
                "deployment",
                "istio-system-flagger-kurator-member1",
                "-o",
                "jsonpath={.status.observedGeneration}/{.metadata.generation}/{.status.readyReplicas}",
            ]))
        },
        |o| {
            // The scale observed, and no ready Pod left.
            let parts: Vec<&str> = o.stdout.split('/').collect();
            parts.len() == 3 && parts[0] == parts[1] && parts[2].is_empty()
        },
    );
    assert_eq!(s.phase(1), "WaitingPromotion");
    scale(lt);
    until(
        "the load tester to lose its endpoints",
        || raw(&format!("{lt}:80")),
        |o| o.code != 0,
    );
    let promote = s.run(&["promote", "podinfo", "-n", "test", "--all-contexts", "--yes"]);
    assert_eq!(promote.code, 1, "{promote:?}");
    let text = format!("{}{}", promote.stdout, promote.stderr);
    assert!(
        text.contains(&format!("the load tester istio-system/{lt} has no ready endpoint")),
        "{promote:?}"
    );
    assert!(
        text.contains(&format!("kubectl -n istio-system get endpoints {lt}")),
        "{promote:?}"
    );
}
