//! The simulated Flagger's status writes and routing objects as a client sees them (real
//! kubectl where it matters), and the plugin reading them as they really are: a retried run is
//! followed to its own outcome, and the weight shown is the weight routed.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;

use serde_json::Value;

use crate::support::rollout::{POLICY, RolloutFleet, output_of};
use crate::support::{PATIENCE, kubectl, kubectl_available, run, wait_until};

/// (primary, canary) weights of podinfo's VirtualService in cluster `n`, read with kubectl.
fn virtual_service_weights(s: &RolloutFleet, n: usize) -> (i64, i64) {
    let out = run(kubectl(s.home.path(), &s.kubeconfig).args([
        "get",
        "virtualservice",
        "podinfo",
        "-n",
        "test",
        "--context",
        &format!("kurator-member{n}"),
        "-o",
        "json",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let vs: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        vs["apiVersion"], "networking.istio.io/v1",
        "kubectl reads the preferred version"
    );
    let route = vs["spec"]["http"][0]["route"].as_array().unwrap().clone();
    let weight = |host: &str| {
        route
            .iter()
            .find(|d| d["destination"]["host"] == host)
            .and_then(|d| d["weight"].as_i64())
            .unwrap()
    };
    (weight("podinfo-primary"), weight("podinfo-canary"))
}

/// At the promotion gate Flagger zeroes `status.canaryWeight` and keeps routing the last step:
/// the VirtualService says 50/50, and `status` shows the routed 50 of 50, held.
#[test]
fn the_promotion_gate_shows_the_weight_routed() {
    if !kubectl_available("the_promotion_gate_shows_the_weight_routed") {
        return;
    }
    let s = RolloutFleet::start(1, &["--manual-promotion"], &[]);
    assert_eq!(
        virtual_service_weights(&s, 1),
        (100, 0),
        "created with all traffic on the primary"
    );
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1], "WaitingPromotion");
    let canary = s.canary(1);
    assert_eq!(
        canary["status"]["canaryWeight"], 0,
        "Flagger's SetStatusPhase zeroes it"
    );
    assert_eq!(
        virtual_service_weights(&s, 1),
        (50, 50),
        "the mesh still routes the last step"
    );

    let table = s.run(&["status", "podinfo", "-n", "test", "--context", "kurator-member1"]);
    assert_eq!(table.code, 0, "{table:?}");
    assert!(table.stdout.contains("50/50 held"), "{table:?}");

    let json = s.run(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "-o",
        "json",
    ]);
    let rows: Value = serde_json::from_str(&json.stdout).unwrap();
    let row = rows.as_array().map(|a| a[0].clone()).unwrap_or(rows.clone());
    let row = if row.get("canaries").is_some() {
        row["canaries"][0].clone()
    } else {
        row
    };
    assert_eq!(
        (
            row["weight"].clone(),
            row["statusWeight"].clone(),
            row["routed"]["primary"].clone()
        ),
        (Value::from(50), Value::from(0), Value::from(50)),
        "{json:?}"
    );

    // The condition moved only when the phase did: Progressing → WaitingPromotion keeps the
    // status (Unknown), so lastTransitionTime stays and lastUpdateTime marks the gate.
    let promoted = canary["status"]["conditions"][0].clone();
    assert_eq!(promoted["reason"], "WaitingPromotion");
    assert_eq!(canary["status"]["trackedConfigs"], serde_json::json!({}));
    s.wait_for_status_writes(1, 2);
    let later = s.canary(1);
    assert_eq!(
        later["status"]["conditions"][0], promoted,
        "ticks at the gate leave the condition alone"
    );

    // Promoted: traffic goes back to the primary in the object too.
    let gate = s.run(&["promote", "podinfo", "-n", "test", "--all-contexts", "--yes"]);
    assert_eq!(gate.code, 0, "{gate:?}");
    s.wait(&[1], "Succeeded");
    assert_eq!(virtual_service_weights(&s, 1), (100, 0));
    assert!(s.canary(1)["status"].get("lastPromotedSpec").is_some());
}

/// `retry` of a Failed canary: Flagger first re-syncs the Failed status with the new
/// lastAppliedSpec (a write of its own, seen by `kubectl get -w`), then starts the run. A
/// follower waiting for the new run must not take that stale Failed write for its outcome.
#[test]
fn a_retried_run_is_followed_to_its_own_outcome() {
    if !kubectl_available("a_retried_run_is_followed_to_its_own_outcome") {
        return;
    }
    let s = RolloutFleet::start(1, &["--manual-steps"], &[]);
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1], "Progressing");
    let aborted = s.run(&["abort", "podinfo", "-n", "test", "--all-contexts", "--yes"]);
    assert_eq!(aborted.code, 0, "{aborted:?}");
    s.wait(&[1], "Failed");
    let failed = s.canary(1);
    // Without the step gate (dropped explicitly: a re-apply keeps the gates) the retried run goes through.
    assert_eq!(
        s.run(&["apply", "-f", POLICY, "--all-contexts", "--manual-steps=false"])
            .code,
        0
    );

    // kubectl's watch sees every write of the Canary.
    let mut watch = kubectl(s.home.path(), &s.kubeconfig)
        .args([
            "get",
            "canary",
            "podinfo",
            "-n",
            "test",
            "--context",
            "kurator-member1",
            "-w",
            "--output-watch-events",
            "-o",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, seen) = mpsc::channel::<Value>();
    let stdout = watch.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut buffer = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            buffer.push_str(&line);
            buffer.push('\n');
            if let Ok(v) = serde_json::from_str::<Value>(&buffer) {
                buffer.clear();
                if tx.send(v).is_err() {
                    return;
                }
            }
        }
    });
    // The first event is the object as it is now.
    let first = seen.recv_timeout(PATIENCE).unwrap();
    assert_eq!(first["object"]["status"]["phase"], "Failed");

    // The follower starts before the retry, so it is there for every write.
    let follower = s.spawn(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "--watch",
        "--wait-for-start",
        "--timeout",
        "60s",
        "-o",
        "ndjson",
    ]);
    let (line_tx, lines) = mpsc::channel::<String>();
    let mut follower = follower;
    let follower_out = follower.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(follower_out).lines().map_while(Result::ok) {
            if line_tx.send(line).is_err() {
                return;
            }
        }
    });
    let first_line = lines.recv_timeout(PATIENCE).unwrap();
    assert!(first_line.contains("\"Failed\""), "{first_line}");

    let retried = s.run(&["retry", "podinfo", "-n", "test", "--all-contexts", "--yes"]);
    assert_eq!(retried.code, 0, "{retried:?}");

    // kubectl sees the re-sync: still Failed, the new lastAppliedSpec, the condition untouched;
    // then the new run.
    let mut resync = None;
    let mut progressing = false;
    while !(resync.is_some() && progressing) {
        let Ok(event) = seen.recv_timeout(PATIENCE) else {
            break;
        };
        let status = &event["object"]["status"];
        if status["phase"] == "Failed" && status["lastAppliedSpec"] != failed["status"]["lastAppliedSpec"] {
            resync.get_or_insert(status.clone());
        }
        if status["phase"] == "Progressing" {
            assert!(resync.is_some(), "the Failed re-sync write comes first: {event}");
            progressing = true;
        }
    }
    let _ = watch.kill();
    let _ = watch.wait();
    let resync = resync.expect("a Failed write with the new lastAppliedSpec");
    assert_eq!(
        resync["conditions"], failed["status"]["conditions"],
        "condition unchanged"
    );
    assert!(progressing, "the new run started");

    let out = output_of(follower);
    let mut all: Vec<String> = vec![first_line];
    // The reader thread ends at EOF, which the exit has just brought.
    while let Ok(line) = lines.recv_timeout(PATIENCE) {
        all.push(line);
    }
    assert_eq!(out.code, 0, "ends with the new run's success: {all:#?}\n{}", out.stderr);
    let summary: Value = serde_json::from_str(all.last().unwrap()).unwrap();
    assert_eq!(summary["summary"]["succeeded"], 1, "{all:#?}");
    wait_until("Succeeded", || s.phase(1) == "Succeeded");
}

/// A ConfigMap the target references is tracked: its checksum is in `trackedConfigs`, the
/// primary runs a `-primary` copy, and changing it with kubectl starts a run by itself.
#[test]
fn a_config_map_change_starts_a_run() {
    if !kubectl_available("a_config_map_change_starts_a_run") {
        return;
    }
    let s = RolloutFleet::start(1, &[], &[]);
    let kubectl_in = |args: &[&str]| {
        let mut cmd = kubectl(s.home.path(), &s.kubeconfig);
        cmd.args(args).args(["--context", "kurator-member1", "-n", "test"]);
        let out = run(&mut cmd);
        assert_eq!(out.code, 0, "{out:?}");
        out
    };
    kubectl_in(&["create", "configmap", "podinfo-env", "--from-literal=COLOR=blue"]);
    kubectl_in(&[
        "patch",
        "deployment",
        "podinfo",
        "--type=json",
        "-p",
        r#"[{"op":"add","path":"/spec/template/spec/containers/0/envFrom","value":[{"configMapRef":{"name":"podinfo-env"}}]}]"#,
    ]);
    wait_until("the template change's run", || {
        s.phase(1) == "Succeeded" && s.canary(1)["status"]["trackedConfigs"]["configmap/podinfo-env"].is_string()
    });
    let before = s.canary(1)["status"]["trackedConfigs"]["configmap/podinfo-env"].clone();
    assert_eq!(before.as_str().map(str::len), Some(16), "8 bytes of SHA-256, in hex");
    let primary = s
        .cluster(1)
        .get("apps", "deployments", Some("test"), "podinfo-primary")
        .unwrap();
    assert_eq!(
        primary["spec"]["template"]["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"],
        "podinfo-env-primary"
    );
    let copy = kubectl_in(&["get", "configmap", "podinfo-env-primary", "-o", "json"]);
    let copy: Value = serde_json::from_str(&copy.stdout).unwrap();
    assert_eq!(copy["data"]["COLOR"], "blue");
    assert_eq!(copy["metadata"]["ownerReferences"][0]["kind"], "Canary");

    let applied = s.canary(1)["status"]["lastAppliedSpec"].clone();
    kubectl_in(&[
        "patch",
        "configmap",
        "podinfo-env",
        "--type=merge",
        "-p",
        r#"{"data":{"COLOR":"green"}}"#,
    ]);
    wait_until("a run started by the ConfigMap", || s.phase(1) == "Progressing");
    let canary = s.canary(1);
    assert_eq!(
        canary["status"]["lastAppliedSpec"], applied,
        "the template did not change"
    );
    assert_ne!(canary["status"]["trackedConfigs"]["configmap/podinfo-env"], before);
    wait_until("the run to end", || s.phase(1) == "Succeeded");
    let copy = kubectl_in(&["get", "configmap", "podinfo-env-primary", "-o", "json"]);
    let copy: Value = serde_json::from_str(&copy.stdout).unwrap();
    assert_eq!(copy["data"]["COLOR"], "green", "promotion copies the new data");
}
