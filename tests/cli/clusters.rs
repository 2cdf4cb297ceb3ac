//! `clusters`: reachability, versions and errors per context.

use std::time::Duration;

use fleet_sim::PlaygroundOptions;

use crate::support::{Fleet, plugin, row, run, run_bounded};

#[test]
fn one_unreachable_cluster_gives_exit_5_and_a_row_of_its_own() {
    let fleet = Fleet::start_with(PlaygroundOptions {
        clusters: 3,
        unreachable: vec!["kurator-member2".into()],
        ..Default::default()
    });
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = fleet.write_kubeconfig(home.path(), |_| {});
    // A refused connection is reported as such, not waited on until the cluster timeout.
    let out = run_bounded(
        plugin(home.path())
            .args(["clusters", "--all-contexts", "--cluster-timeout", "3s"])
            .env("KUBECONFIG", &kubeconfig),
    );
    assert_eq!(out.code, 5, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with("CLUSTER") && lines[0].contains("STATUS"),
        "{out:?}"
    );
    assert_eq!(lines.iter().filter(|l| l.ends_with("Ready")).count(), 2, "{out:?}");
    let bad = lines.iter().find(|l| l.starts_with("kurator-member2")).unwrap();
    assert!(bad.contains("unreachable: connection refused"), "{bad}");
    assert!(
        lines
            .iter()
            .filter(|l| l.ends_with("Ready"))
            .all(|l| l.contains("v1.32")),
        "{out:?}"
    );
}

#[test]
fn slow_cluster_is_a_timeout_row_and_does_not_hold_up_the_others() {
    let fleet = Fleet::start(3);
    fleet
        .cluster("kurator-member3")
        .faults()
        .set_latency(Duration::from_secs(3600));
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = fleet.write_kubeconfig(home.path(), |_| {});
    // member3 would answer in an hour: the command ending at all (within the tests' patience)
    // shows the cluster timeout cut it off, and the rows show the others were not held up.
    let out = run_bounded(
        plugin(home.path())
            .args(["clusters", "--all-contexts", "--cluster-timeout", "1s", "-o", "json"])
            .env("KUBECONFIG", &kubeconfig),
    );
    assert_eq!(out.code, 5, "{out:?}");
    let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 3);
    assert_eq!(rows[0]["status"], "Ready");
    assert!(rows[0]["error"].is_null());
    assert_eq!(rows[2]["context"], "kurator-member3");
    assert_eq!(rows[2]["error"], "timeout: no answer within 1s");
}

#[test]
fn kubeconfig_list_with_missing_first_file_and_bad_token() {
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = fleet.write_kubeconfig(home.path(), |entries| entries[1].token = "not-a-valid-token".into());
    let list = std::env::join_paths([home.path().join("does-not-exist"), kubeconfig]).unwrap();
    let out = run(plugin(home.path())
        .args(["clusters", "--context", "kurator-member1,kurator-member2"])
        .env("KUBECONFIG", list));
    assert_eq!(out.code, 5, "{out:?}");
    let bad = out.stdout.lines().find(|l| l.starts_with("kurator-member2")).unwrap();
    assert!(bad.contains("401 Unauthorized"), "{bad}");
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("kurator-member1") && l.ends_with("Ready")),
        "{out:?}"
    );
}

#[test]
fn none_reachable_is_exit_1_and_current_context_is_the_default() {
    let fleet = Fleet::start_with(PlaygroundOptions {
        clusters: 2,
        unreachable: vec!["kurator-member1".into(), "kurator-member2".into()],
        ..Default::default()
    });
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = fleet.write_kubeconfig(home.path(), |_| {});
    let out = run(plugin(home.path())
        .args(["clusters"])
        .arg("--kubeconfig")
        .arg(&kubeconfig));
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stdout.lines().count(), 2, "only the current context: {out:?}");
    row(&out.stdout, "kurator-member1");
}

#[test]
fn selection_errors_are_usage_errors_naming_the_choices() {
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = fleet.write_kubeconfig(home.path(), |_| {});
    let out = run(plugin(home.path())
        .args(["clusters", "--context", "nope"])
        .env("KUBECONFIG", &kubeconfig));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("context \"nope\" not found") && out.stderr.contains("kurator-member1, kurator-member2"),
        "{out:?}"
    );
    let out = run(plugin(home.path())
        .args(["clusters", "--contexts-matching", "prod-*"])
        .env("KUBECONFIG", &kubeconfig));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("no context matches 'prod-*'"), "{out:?}");
    let out = run(plugin(home.path())
        .args(["clusters", "--contexts-matching", "*member2"])
        .env("KUBECONFIG", &kubeconfig));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.lines().count(), 2, "header and member2: {out:?}");
    assert!(row(&out.stdout, "kurator-member2").ends_with("Ready"), "{out:?}");
    let missing = home.path().join("missing.yaml");
    let out = run(plugin(home.path()).args(["clusters", "--kubeconfig"]).arg(&missing));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("missing.yaml does not exist"), "{out:?}");
}

#[test]
fn failing_throttled_and_unavailable_clusters_are_retried_with_bounded_backoff_then_reported() {
    let fleet = Fleet::start(3);
    // Half the requests of member1 fail with 500 and half of member2's with 503: retries get
    // every one through.
    fleet.cluster("kurator-member1").faults().set_failure_rate(0.5, 500);
    fleet.cluster("kurator-member2").faults().set_failure_rate(0.5, 503);
    // member3 always answers 429 with Retry-After: 1: four retries, then the 429 is reported.
    fleet.cluster("kurator-member3").faults().set_failure_rate(1.0, 429);
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = fleet.write_kubeconfig(home.path(), |_| {});
    let out = run(plugin(home.path())
        .args(["clusters", "--all-contexts", "--cluster-timeout", "30s", "-o", "json"])
        .env("KUBECONFIG", &kubeconfig));
    assert_eq!(out.code, 5, "{out:?}");
    let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(rows[0]["status"], "Ready", "{out:?}");
    assert_eq!(rows[1]["status"], "Ready", "{out:?}");
    let error = rows[2]["error"].as_str().unwrap_or_default();
    assert!(error.contains("429") && error.contains("after 4 retries"), "{out:?}");
    // Four retries, not kube's default of fifteen: the count is in the message above. That the
    // waits follow Retry-After is a property of the policy, checked without a clock in
    // src/fleet/retry.rs (retry_after_is_honoured).
}
