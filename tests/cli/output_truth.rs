//! Every value printed is what the cluster holds, or says it is unknown; machine formats are
//! one document (or one object per line); kubectl's output conventions hold; `get` and the
//! final tables read well. Each printed value is compared with what kubectl reads.

use serde_json::Value;

use crate::support::rollout::{POLICY, RolloutFleet};
use crate::support::{Output, kubectl, kubectl_available, run, wait_for};

const CONTEXTS: [&str; 3] = ["kurator-member1", "kurator-member2", "kurator-member3"];

/// kubectl's JSON of `args` in the `test` namespace of member `n`.
fn kubectl_json(s: &RolloutFleet, n: usize, args: &[&str]) -> Value {
    let context = format!("kurator-member{n}");
    let out =
        run(kubectl(s.home.path(), &s.kubeconfig)
            .args(args)
            .args(["-n", "test", "--context", &context, "-o", "json"]));
    assert_eq!(out.code, 0, "{out:?}");
    serde_json::from_str(&out.stdout).unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not one JSON document ({e}): {out:?}"))
}

fn row<'a>(rows: &'a Value, cluster: &str) -> &'a Value {
    rows.as_array()
        .and_then(|rows| rows.iter().find(|r| r["cluster"] == cluster))
        .unwrap_or_else(|| panic!("no row for {cluster}: {rows:#}"))
}

/// The cells of a table line (columns are separated by three spaces or more).
fn cells(line: &str) -> Vec<String> {
    line.split("   ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn unknown_is_unknown_and_a_canary_without_status_is_initializing() {
    if !kubectl_available("unknown_is_unknown_and_a_canary_without_status_is_initializing") {
        return;
    }
    let s = RolloutFleet::start(3, &[], &["kurator-member2"]);
    let ns = ["-n", "test", "--all-contexts", "--cluster-timeout", "3s"];
    let json = s.run(&[&["status", "podinfo", "-o", "json"][..], &ns].concat());
    assert_eq!(json.code, 5, "{json:?}");
    let rows = json_of(&json);
    let gone = row(&rows, "kurator-member2");
    for field in [
        "phase",
        "weight",
        "statusWeight",
        "maxWeight",
        "strategy",
        "suspended",
        "skipAnalysis",
        "failedChecks",
        "threshold",
        "interval",
    ] {
        assert_eq!(gone[field], Value::Null, "{field} of an unreachable cluster: {gone:#}");
    }
    assert_eq!(
        gone["context"], "kurator-member2",
        "cluster and context name the context"
    );
    assert!(gone["error"].as_str().unwrap().contains("unreachable"), "{gone:#}");
    // A reachable cluster's row is what kubectl reads.
    let canary = kubectl_json(&s, 1, &["get", "canary", "podinfo"]);
    let read = row(&rows, "kurator-member1");
    assert_eq!(read["phase"], canary["status"]["phase"]);
    assert_eq!(read["statusWeight"], canary["status"]["canaryWeight"]);
    assert_eq!(read["maxWeight"], canary["spec"]["analysis"]["maxWeight"]);
    assert_eq!(
        read["suspended"],
        canary["spec"]["suspend"].as_bool().unwrap_or(false),
        "an unset spec.suspend is false"
    );
    // YAML says the same.
    let yaml = s.run(&[&["status", "podinfo", "-o", "yaml"][..], &ns].concat());
    let rows: Value = serde_saphyr::from_str(&yaml.stdout).unwrap_or_else(|e| panic!("{e}: {yaml:?}"));
    assert_eq!(row(&rows, "kurator-member2")["weight"], Value::Null, "{yaml:?}");
    // The table shows '-' where nothing is known, never 0/100.
    let table = s.run(&[&["status", "podinfo"][..], &ns].concat());
    let line = table
        .stdout
        .lines()
        .find(|l| l.starts_with("kurator-member2"))
        .unwrap_or_else(|| panic!("{table:?}"));
    let c = cells(line);
    assert_eq!((c[4].as_str(), c[5].as_str()), ("-", "-"), "weight, failed: {line}");

    // A Canary Flagger has not written a status for: found, initializing, not "nothing matched".
    let k = |args: &[&str]| run(kubectl(s.home.path(), &s.kubeconfig).args(args));
    let scaled = k(&[
        "scale",
        "deployment",
        "-l",
        "app.kubernetes.io/name=flagger",
        "-n",
        "istio-system",
        "--replicas=0",
        "--context",
        "kurator-member3",
    ]);
    assert_eq!(scaled.code, 0, "{scaled:?}");
    wait_for("Flagger scaled to zero in member3", || {
        let out = k(&[
            "get",
            "deployments",
            "-l",
            "app.kubernetes.io/name=flagger",
            "-n",
            "istio-system",
            "--context",
            "kurator-member3",
            "-o",
            "jsonpath={.items[0].status.readyReplicas}",
        ]);
        match out.stdout.trim().parse::<i64>().unwrap_or(0) {
            0 => Ok(()),
            n => Err(format!("{n} ready")),
        }
    });
    let mut fresh = kubectl_json(&s, 3, &["get", "canary", "podinfo"]);
    fresh["metadata"] = serde_json::json!({"name": "fresh", "namespace": "test"});
    fresh.as_object_mut().unwrap().remove("status");
    let file = s.home.path().join("fresh.json");
    std::fs::write(&file, fresh.to_string()).unwrap();
    let created = k(&["apply", "-f", file.to_str().unwrap(), "--context", "kurator-member3"]);
    assert_eq!(created.code, 0, "{created:?}");
    let read = kubectl_json(&s, 3, &["get", "canary", "fresh"]);
    assert_eq!(read["status"]["phase"], Value::Null, "kubectl reads no phase: {read:#}");
    let one = ["fresh", "-n", "test", "--context", "kurator-member3"];
    let table = s.run(&[&["status"][..], &one].concat());
    assert_eq!(table.code, 0, "a found canary is not exit 4: {table:?}");
    assert!(table.stdout.contains("initializing"), "{table:?}");
    let json = s.run(&[&["status", "-o", "json"][..], &one].concat());
    let rows = json_of(&json);
    let fresh = row(&rows, "kurator-member3");
    assert_eq!(
        (fresh["phase"].clone(), fresh["error"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(fresh["statusWeight"], Value::Null, "no status written: {fresh:#}");
    let get = s.run(&[&["get"][..], &one].concat());
    assert_eq!(get.code, 0, "{get:?}");
}

/// Every verb's `-o json` and `-o yaml` is one document that parses, and `cluster` is always
/// a target context (with `context` beside it the same).
#[test]
fn machine_output_is_one_document_on_every_verb() {
    let s = RolloutFleet::start(2, &[], &[]);
    let all = ["--all-contexts", "-n", "test"];
    let dry_pause = ["pause", "podinfo", "--dry-run"];
    let verbs: Vec<Vec<&str>> = vec![
        vec!["clusters"],
        vec!["check"],
        vec!["list"],
        vec!["status"],
        vec!["status", "podinfo"],
        vec!["get", "podinfo"],
        vec!["render", "-f", POLICY],
        vec!["apply", "-f", POLICY, "--dry-run"],
        vec!["install", "--provider", "istio", "--dry-run"],
        vec!["uninstall", "--dry-run"],
        dry_pause.to_vec(),
        vec!["promote", "podinfo", "--dry-run"],
        vec!["abort", "podinfo", "--dry-run"],
        vec!["lint", "-f", POLICY],
    ];
    for verb in &verbs {
        for format in ["json", "yaml"] {
            // lint reads no cluster: cluster flags are refused there (README "Choosing clusters").
            let target: &[&str] = if verb[0] == "lint" { &[] } else { &all };
            let out = s.run(&[&verb[..], target, &["-o", format]].concat());
            assert!(matches!(out.code, 0 | 1), "{verb:?} -o {format}: {out:?}");
            let doc: Value = match format {
                "json" => serde_json::from_str(&out.stdout)
                    .unwrap_or_else(|e| panic!("{verb:?} -o json is not one document ({e}): {out:?}")),
                _ => serde_saphyr::from_str(&out.stdout)
                    .unwrap_or_else(|e| panic!("{verb:?} -o yaml is not one document ({e}): {out:?}")),
            };
            let rows = doc.get("items").unwrap_or(&doc).as_array().cloned().unwrap_or_default();
            for r in rows.iter().filter(|r| r.get("cluster").is_some()) {
                let cluster = r["cluster"].as_str().unwrap_or("");
                assert!(
                    CONTEXTS.contains(&cluster),
                    "{verb:?}: cluster {cluster:?} is no context: {r:#}"
                );
                if let Some(context) = r.get("context").filter(|c| !c.is_null()) {
                    assert_eq!(context, cluster, "{verb:?}: {r:#}");
                }
            }
        }
    }
    // --watch: one document cannot hold a follow; ndjson streams, one object per line.
    for format in ["json", "yaml"] {
        let out = s.run(&[&["status", "podinfo", "--watch"][..], &all, &["-o", format]].concat());
        assert_eq!(out.code, 2, "{out:?}");
        assert!(out.stderr.contains("-o ndjson"), "{out:?}");
    }
    let streamed = s.run(&[&["status", "podinfo", "--watch", "-o", "ndjson"][..], &all].concat());
    assert_eq!(streamed.code, 0, "every canary Initialized: {streamed:?}");
    for line in streamed.stdout.lines() {
        serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{line:?} is no JSON object: {e}"));
    }
}

#[test]
fn kubectl_output_conventions() {
    if !kubectl_available("kubectl_output_conventions") {
        return;
    }
    let s = RolloutFleet::start(2, &[], &[]);
    let k = |args: &[&str]| run(kubectl(s.home.path(), &s.kubeconfig).args(args));
    // An empty listing: nothing on stdout, kubectl's words on stderr.
    let empty = s.run(&["list", "-n", "empty", "--all-contexts"]);
    let theirs = k(&["get", "canaries", "-n", "empty", "--context", "kurator-member1"]);
    assert_eq!((empty.code, empty.stdout.as_str()), (0, ""), "{empty:?}");
    assert_eq!(empty.stderr.trim(), theirs.stderr.trim(), "{empty:?}");
    assert_eq!(empty.stderr.trim(), "No resources found in empty namespace.");
    // -o name: kubectl's form, once per canary of the fleet.
    let names = s.run(&["list", "-n", "test", "--all-contexts", "-o", "name"]);
    let theirs = k(&[
        "get",
        "canaries",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "-o",
        "name",
    ]);
    assert_eq!(names.stdout, theirs.stdout, "{names:?}");
    // --no-headers.
    let bare = s.run(&["status", "podinfo", "-n", "test", "--all-contexts", "--no-headers"]);
    assert_eq!(bare.stdout.lines().count(), 2, "{bare:?}");
    assert!(bare.stdout.lines().all(|l| l.starts_with("kurator-member")), "{bare:?}");
    // jsonpath and custom-columns read what kubectl reads.
    let phases = s.run(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "-o",
        "jsonpath={.items[*].phase}",
    ]);
    let theirs: Vec<String> = (1..=2)
        .map(|n| {
            k(&[
                "get",
                "canary",
                "podinfo",
                "-n",
                "test",
                "--context",
                &format!("kurator-member{n}"),
                "-o",
                "jsonpath={.status.phase}",
            ])
            .stdout
        })
        .collect();
    assert_eq!(phases.stdout, theirs.join(" "), "{phases:?}");
    let columns = s.run(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "-o",
        "custom-columns=CLUSTER:.cluster,PHASE:.phase",
    ]);
    assert_eq!(
        columns.stdout,
        format!(
            "{:<15}   PHASE\nkurator-member1   {}\nkurator-member2   {}\n",
            "CLUSTER", theirs[0], theirs[1]
        )
    );
    let unsupported = s.run(&["status", "-o", "jsonpath={range .items[*]}{.name}{end}"]);
    assert_eq!(unsupported.code, 2, "{unsupported:?}");
    // Counted nouns: one Canary is one.
    let plan = s.run(&["uninstall", "--context", "kurator-member1", "--dry-run"]);
    assert!(plan.stdout.contains("refused: 1 Canary still exists"), "{plan:?}");
    // -v: each request names its context and how long it took.
    let verbose = s.run(&["-v", "list", "-n", "test", "--context", "kurator-member1"]);
    assert!(
        verbose
            .stderr
            .lines()
            .any(|l| l.contains("kurator-member1: GET https://") && l.ends_with(" milliseconds")),
        "{verbose:?}"
    );
}

#[test]
fn get_and_final_tables_read_well() {
    if !kubectl_available("get_and_final_tables_read_well") {
        return;
    }
    let s = RolloutFleet::start(1, &["--manual-steps"], &[]);
    s.release("podinfo:2");
    // The run holds at its step gate; every tick the abort gate's routine event repeats.
    s.wait_for_ticks(1, "not signaling a rollback", 2);
    s.wait_for_ticks(1, "waiting for traffic increase approval", 1);
    let one = ["podinfo", "-n", "test", "--context", "kurator-member1"];
    let get = s.run(&[&["get"][..], &one].concat());
    assert_eq!(get.code, 0, "{get:?}");
    let gate = format!("{:<16}confirm-traffic-increase step-gate", "Gate:");
    assert!(get.stdout.contains(&gate), "{get:?}");
    let message = get
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("Message:"))
        .unwrap();
    assert!(
        !message.contains("not signaling"),
        "the routine event is no news: {message}"
    );
    // -o json carries what the text shows, as kubectl reads it.
    let json = json_of(&s.run(&[&["get", "-o", "json"][..], &one].concat()));
    let canary = kubectl_json(&s, 1, &["get", "canary", "podinfo"]);
    let detail = &json[0];
    assert_eq!(detail["analysis"], canary["spec"]["analysis"]);
    let hooks: Vec<&Value> = detail["hooks"].as_array().unwrap().iter().map(|h| &h["name"]).collect();
    let theirs: Vec<&Value> = canary["spec"]["analysis"]["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &h["name"])
        .collect();
    assert_eq!(hooks, theirs);
    let events = kubectl_json(
        &s,
        1,
        &["get", "events", "--field-selector", "involvedObject.name=podinfo"],
    );
    let known: Vec<&Value> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["metadata"]["uid"])
        .collect();
    let shown = detail["events"].as_array().unwrap();
    assert!(!shown.is_empty(), "{detail:#}");
    assert!(
        shown.iter().all(|e| known.contains(&&e["metadata"]["uid"])),
        "{detail:#}"
    );
    assert_eq!(detail["gate"], "confirm-traffic-increase step-gate", "{detail:#}");
    // Final tables and get fit the width they are given: the message is cut with '…'.
    for args in [&["get"][..], &["status"][..]] {
        let full = s.run(&[args, &one].concat());
        let widest = full.stdout.lines().map(|l| l.chars().count()).max().unwrap();
        let width = (widest - 10).to_string();
        let out = run(s.cmd(&[args, &one].concat()).env("COLUMNS", &width));
        assert!(
            out.stdout.lines().all(|l| l.chars().count() <= widest - 10),
            "COLUMNS={width}: {out:?}"
        );
        assert!(out.stdout.contains('…'), "a long message is cut, not wrapped: {out:?}");
    }
}
