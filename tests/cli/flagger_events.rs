//! Flagger's Events as client-go records them, seen through real kubectl, and the plugin reading
//! them as history while it takes its state from the Canary status.

use fleet_sim::patch::PatchKind;
use serde_json::{Value, json};

use crate::support::rollout::{RolloutFleet, fail_release};
use crate::support::{Output, PlaygroundProcess, kubectl, kubectl_available, run, wait_for};

const APP: &str = include_str!("../../testdata/podinfo-app.yaml");

fn ok(out: Output) -> Output {
    assert_eq!(out.code, 0, "{out:?}");
    out
}

struct Playground {
    home: tempfile::TempDir,
    pg: PlaygroundProcess,
}

impl Playground {
    /// One cluster at speed 60 (a 10 s interval is a sixth of a second) with `app` applied
    /// and its Canary Initialized.
    fn with_app(app: &str) -> Playground {
        let home = tempfile::tempdir().unwrap();
        let pg = PlaygroundProcess::start(home.path(), &["--clusters", "1", "--speed", "60"]);
        let p = Playground { home, pg };
        let file = p.home.path().join("app.yaml");
        std::fs::write(&file, app).unwrap();
        ok(run(p.k().args(["apply", "--server-side", "-f"]).arg(&file)));
        p.until("canary Initialized", |p| p.phase() == "Initialized");
        p
    }

    fn k(&self) -> std::process::Command {
        let mut c = kubectl(self.home.path(), &self.pg.kubeconfig);
        c.args(["-n", "test"]);
        c
    }

    fn phase(&self) -> String {
        run(self
            .k()
            .args(["get", "canary", "podinfo", "-o", "jsonpath={.status.phase}"]))
        .stdout
    }

    /// The Canary's Events as `kubectl get events -o json` lists them.
    fn events(&self) -> Vec<Value> {
        let out = ok(run(self.k().args([
            "get",
            "events",
            "--field-selector",
            "involvedObject.kind=Canary,involvedObject.name=podinfo",
            "-o",
            "json",
        ])));
        let list: Value = serde_json::from_str(&out.stdout).unwrap();
        list["items"].as_array().cloned().unwrap_or_default()
    }

    fn until(&self, what: &str, done: impl Fn(&Playground) -> bool) {
        wait_for(what, || {
            if done(self) {
                return Ok(());
            }
            let events: Vec<String> = self
                .events()
                .iter()
                .map(|e| format!("{} x{} {}", e["type"], e["count"], e["message"]))
                .collect();
            Err(format!("events: {events:#?}"))
        })
    }

    fn release(&self, image: &str) {
        ok(run(self.k().args([
            "set",
            "image",
            "deployment/podinfo",
            &format!("podinfod={image}"),
        ])));
    }
}

fn with_message<'a>(events: &'a [Value], message: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["message"] == message).collect()
}

#[test]
fn a_repeated_flagger_event_is_one_event_with_a_count() {
    if !kubectl_available("a_repeated_flagger_event_is_one_event_with_a_count") {
        return;
    }
    let p = Playground::with_app(APP);
    ok(run(p.k().args([
        "patch",
        "canary",
        "podinfo",
        "--type",
        "merge",
        "-p",
        r#"{"spec":{"suspend":true}}"#,
    ])));
    let suspended = "skipping canary run as object is suspended";
    p.until("a repeated suspension event", |p| {
        with_message(&p.events(), suspended)
            .first()
            .is_some_and(|e| e["count"].as_i64().unwrap_or(0) >= 3)
    });
    let events = p.events();
    let same = with_message(&events, suspended);
    assert_eq!(same.len(), 1, "one Event, not one per tick: {same:#?}");
    let first = same[0].clone();
    assert_eq!(first["reason"], "Synced");
    assert_eq!(first["source"]["component"], "flagger");
    assert!(first["firstTimestamp"].is_string() && first["lastTimestamp"].is_string());
    // More ticks PATCH the same Event: the name stays, the count grows.
    let count = first["count"].as_i64().unwrap();
    p.until("a higher count", |p| {
        with_message(&p.events(), suspended)
            .first()
            .is_some_and(|e| e["count"].as_i64().unwrap_or(0) > count)
    });
    let events = p.events();
    let same = with_message(&events, suspended);
    assert_eq!(same.len(), 1, "{same:#?}");
    assert_eq!(same[0]["metadata"]["name"], first["metadata"]["name"]);
    assert_eq!(same[0]["firstTimestamp"], first["firstTimestamp"]);
}

#[test]
fn ten_distinct_messages_are_combined() {
    if !kubectl_available("ten_distinct_messages_are_combined") {
        return;
    }
    let p = Playground::with_app(APP);
    p.release("ghcr.io/stefanprodan/podinfo:6.0.1");
    p.until("Succeeded", |p| p.phase() == "Succeeded");
    let events = p.events();
    let normal: Vec<&Value> = events.iter().filter(|e| e["type"] == "Normal").collect();
    // Initialization, detection, analysis start, five weights: nine distinct messages, each
    // its own Event …
    for message in [
        "all the metrics providers are available!",
        "Initialization done! podinfo.test",
        "New revision detected! Scaling up podinfo.test",
        "Starting canary analysis for podinfo.test",
        "Advance podinfo.test canary weight 50",
    ] {
        assert_eq!(with_message(&events, message).len(), 1, "{message}: {normal:#?}");
    }
    // … and from the tenth on, one aggregate Event carries the newest message.
    let combined: Vec<&&Value> = normal
        .iter()
        .filter(|e| {
            e["message"]
                .as_str()
                .unwrap_or("")
                .starts_with("(combined from similar events): ")
        })
        .collect();
    assert_eq!(combined.len(), 1, "{normal:#?}");
    assert_eq!(
        combined[0]["message"],
        "(combined from similar events): Promotion completed! Scaling down podinfo.test"
    );
    assert!(combined[0]["count"].as_i64().unwrap() >= 2, "{combined:#?}");
    assert!(
        with_message(&events, "Copying podinfo.test template spec to podinfo-primary.test").is_empty(),
        "merged into the aggregate: {normal:#?}"
    );
}

#[test]
fn a_metric_without_a_range_fails_with_upstreams_text() {
    if !kubectl_available("a_metric_without_a_range_fails_with_upstreams_text") {
        return;
    }
    let app = APP.replace(
        "    - name: request-success-rate\n      interval: 1m\n      thresholdRange:\n        min: 99\n",
        "    - name: request-duration\n      interval: 1m\n",
    );
    assert_ne!(app, APP);
    let p = Playground::with_app(&app);
    p.release("ghcr.io/stefanprodan/podinfo:6.0.1");
    p.until("Failed", |p| p.phase() == "Failed");
    let events = p.events();
    // Flagger compares with the legacy threshold, 0 ms, in Go's duration format; the second
    // failure repeats the first message, so it is one Event counted twice.
    let halt = with_message(&events, "Halt podinfo.test advancement request duration 50ms > 0s");
    assert_eq!(halt.len(), 1, "{events:#?}");
    assert_eq!(halt[0]["type"], "Warning");
    assert_eq!(halt[0]["count"], 2);
    assert_eq!(
        with_message(&events, "Rolling back podinfo.test failed checks threshold reached 2").len(),
        1,
        "{events:#?}"
    );
    let get = ok(run(p.k().args(["get", "events", "--field-selector", "type=Warning"])));
    assert!(get.stdout.contains("request duration 50ms > 0s"), "{get:?}");
}

#[test]
fn transition_lines_never_contradict_the_status() {
    let s = RolloutFleet::start(2, &[], &[]);
    fail_release(s.cluster(2));
    let watch = s.start_watched(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--watch",
        "--wait-for-start",
        "--timeout",
        "60s",
        "-o",
        "ndjson",
    ]);
    // --wait-for-start takes the state it first sees as the old run: release only after that.
    watch.wait_for_stdout("the watch's first state of both clusters", |o| {
        o.contains("kurator-member1") && o.contains("kurator-member2")
    });
    // --force: the annotation alone may already have started a run in member2.
    let started = s.run(&[
        "start",
        "--yes",
        "--force",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--image",
        "podinfod=podinfo:2",
    ]);
    assert_eq!(started.code, 0, "{started:?}");
    let out = watch.finish();
    // README "Exit codes": member2 failed while member1's run still went on (the simulated
    // failure takes 2 failed checks, the promotion 5 steps): the follow ends at once with 1.
    assert_eq!(out.code, 1, "{out:?}");
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|l: &Value| l.get("phase").is_some())
        .collect();
    for line in &lines {
        let phase = line["phase"].as_str().unwrap();
        let message = line["message"].as_str().unwrap_or("");
        let expected_start = match phase {
            "Initialized" => "Deployment initialization completed.",
            // Not yet picked up by Flagger (issue 17 item 1): the previous run's phase is not
            // shown as this run's.
            "Pending" => "new revision not yet picked up by Flagger (Flagger's phase: Initialized)",
            "Progressing" => "New revision detected, progressing canary analysis.",
            "Promoting" => "Canary analysis completed, starting primary rolling update.",
            "Finalising" => "Canary analysis completed, routing all traffic to primary.",
            "Succeeded" => "Canary analysis completed successfully, promotion finished.",
            "Failed" => {
                "Rolling back podinfo.test failed checks threshold reached 2; last failed check: Halt podinfo.test advancement success rate 80.00% < 99%"
            }
            other => panic!("unexpected phase {other}: {out:?}"),
        };
        assert!(message.starts_with(expected_start), "{phase}: {message}");
        if phase != "Failed" {
            assert!(
                !message.contains("Rolling back") && !message.contains("Canary failed"),
                "{line}"
            );
        }
    }
    // The failure decides the exit at once (issue 17 item 5), so member1's run is followed
    // only until then: its Succeeded line is not awaited.
    assert!(lines.iter().any(|l| l["phase"] == "Failed"), "{out:?}");
}

#[test]
fn get_groups_repeats_like_kubectl_describe() {
    let s = RolloutFleet::start(1, &[], &[]);
    s.cluster(1)
        .patch(
            "flagger.app",
            "canaries",
            Some("test"),
            "podinfo",
            PatchKind::Merge,
            &json!({"spec": {"suspend": true}}),
        )
        .unwrap();
    let (out, line) = wait_for("get to show the suspension's repeats grouped", || {
        let out = s.run(&["get", "podinfo", "-n", "test", "--all-contexts"]);
        let line = out
            .stdout
            .lines()
            .find(|l| l.contains("skipping canary run as object is suspended"))
            .map(str::to_string);
        match line.filter(|l| l.contains(" (x")) {
            Some(line) => Ok((out, line)),
            None => Err(format!("{out:?}")),
        }
    });
    assert!(line.trim_start().starts_with("Normal"), "{line}");
    assert!(line.contains(" over "), "{line}");
    assert_eq!(
        out.stdout.matches("skipping canary run as object is suspended").count(),
        1,
        "{out:?}"
    );
}

#[test]
fn a_failure_never_names_another_runs_check_when_events_are_merged_or_dropped() {
    let s = RolloutFleet::start(1, &[], &[]);
    let release = |rate: u32, image: &str, watch: bool| {
        let patch = json!({"spec": {"template": {"metadata": {"annotations": {"sim.kurator.dev/success-rate": rate.to_string()}}}}});
        s.cluster(1)
            .patch(
                "apps",
                "deployments",
                Some("test"),
                "podinfo",
                PatchKind::Strategic,
                &patch,
            )
            .unwrap();
        let image = format!("podinfod={image}");
        let mut args = vec![
            "start",
            "--yes",
            "--force",
            "podinfo",
            "-n",
            "test",
            "--all-contexts",
            "--image",
            &image,
        ];
        if watch {
            args.extend(["--watch", "--timeout", "60s"]);
            return s.run(&args);
        }
        let started = s.run(&args);
        assert_eq!(started.code, 0, "{started:?}");
        started
    };
    // Failed runs with a different success rate each: distinct warnings pile up until client-go
    // combines them (ten distinct messages) and its spam filter starts dropping (25 warnings).
    // `start --watch` follows each run to its end (exit 1: it failed) before the next one.
    for (i, rate) in (80..87).enumerate() {
        let out = release(rate, &format!("podinfo:{}", i + 2), true);
        assert_eq!(out.code, 1, "run {i}: {out:?}");
    }
    let watch = s.start_watched(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--watch",
        "--wait-for-start",
        "--timeout",
        "60s",
    ]);
    watch.wait_for_stdout("the watch's first state", |o| o.contains("kurator-member1"));
    release(87, "podinfo:20", false);
    let out = watch.finish();
    assert_eq!(out.code, 1, "{out:?}");
    let warnings: Vec<String> = s
        .cluster(1)
        .list("", "events", Some("test"))
        .into_iter()
        .filter(|e| e["type"] == "Warning")
        .map(|e| format!("x{} {}", e["count"], e["message"].as_str().unwrap_or("")))
        .collect();
    // Eight failed runs: client-go combined their warnings or its spam filter dropped some.
    let combined = warnings.iter().any(|w| w.contains("(combined from similar events): "));
    let halts = warnings.iter().filter(|w| w.contains(" Halt ")).count();
    assert!(combined || halts < 8, "{warnings:#?}");
    // The last Failed line is this run's (the first may be the previous run's, shown at start).
    let failed = out
        .stdout
        .lines()
        .rfind(|l| l.split_whitespace().nth(3) == Some("Failed"))
        .unwrap_or_else(|| panic!("a Failed line: {out:?}"));
    assert!(
        failed.contains("threshold reached 2"),
        "{failed}\n{warnings:#?}\n{}",
        out.stdout
    );
    // The check of this run, or an honest "not known": never an older run's check.
    assert!(
        failed.contains("success rate 87.00% < 99%") || failed.contains("no event of this run names the failed check"),
        "{failed}\n{warnings:#?}"
    );
    for older in 80..87 {
        assert!(!failed.contains(&format!("{older}.00%")), "{failed}");
    }
}
