//! Kurator hub mode shows the real rollout (issue 17, item 2): `status --fleet` carries the
//! numbers the members' Canaries carry, as `kubectl get canary -o yaml` reads them there; an
//! unknown Fleet is a usage error in every verb; NAME is a Canary in every mode.

use serde_json::{Value, json};

use crate::kurator::{hub_fleet, install_through_fleet};
use crate::support::{MEMBERS, kubectl, kubectl_available, plugin, run, wait_for, wait_until};

/// The example policy with a step of 25 and a check every 45 s: numbers no default matches.
fn policy(home: &std::path::Path) -> std::path::PathBuf {
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml")).unwrap();
    let edited = example
        .replace("stepWeight: 10", "stepWeight: 25")
        .replace("checkIntervalSeconds: 30", "checkIntervalSeconds: 45");
    assert!(edited.contains("maxWeight: 50") && edited.contains("checkFailedTimes: 2"));
    assert_ne!(edited, example);
    let path = home.join("policy.yaml");
    std::fs::write(&path, edited).unwrap();
    path
}

/// What a status row says of the rollout's configuration.
fn shown(row: &Value) -> Value {
    json!({
        "maxWeight": row["maxWeight"], "stepWeight": row["stepWeight"], "threshold": row["threshold"],
        "interval": row["interval"], "provider": row["provider"], "suspended": row["suspended"],
    })
}

/// The same, from the member's Canary as kubectl reads it (Flagger's defaults for what the
/// spec leaves out: suspend false).
fn on_member(canary: &Value) -> Value {
    let a = &canary["spec"]["analysis"];
    json!({
        "maxWeight": a["maxWeight"], "stepWeight": a["stepWeight"], "threshold": a["threshold"],
        "interval": a["interval"], "provider": canary["spec"]["provider"],
        "suspended": canary["spec"]["suspend"].as_bool().unwrap_or(false),
    })
}

#[test]
fn status_under_a_fleet_shows_what_the_members_canaries_carry() {
    if !kubectl_available("status_under_a_fleet_shows_what_the_members_canaries_carry") {
        return;
    }
    let (fleet, home, kc) = hub_fleet();
    let hub = fleet.hub.as_ref().unwrap().0.clone();
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    install_through_fleet(home.path(), &kc, true);
    for c in &fleet.clusters {
        fleet_sim::kurator::apply_all(c, &fleet_sim::sample::podinfo("podinfo:1", 1));
    }
    let path = policy(home.path());
    let applied = cmd(&["apply", "-f", path.to_str().unwrap(), "--fleet", "quickstart"]);
    assert_eq!(applied.code, 0, "{applied:?}");
    // kubectl reaches the members directly, through a kubeconfig of their own.
    let members_dir = tempfile::tempdir().unwrap();
    let members_kc = fleet.write_kubeconfig(members_dir.path(), |_| {});
    let member_canary = |member: &str| -> Value {
        let out = kubectl(home.path(), &members_kc)
            .args([
                "get",
                "canary",
                "podinfo",
                "-n",
                "test",
                "-o",
                "yaml",
                "--context",
                member,
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        serde_saphyr::from_str(&String::from_utf8_lossy(&out.stdout)).unwrap()
    };
    let status_rows = |phase: &str| -> Vec<Value> {
        wait_for(&format!("every member {phase}, seen from the hub"), || {
            let out = cmd(&["status", "--fleet", "quickstart", "-o", "json"]);
            let rows: Vec<Value> = serde_json::from_str(&out.stdout).unwrap_or_default();
            if rows.len() == 3 && rows.iter().all(|r| r["phase"] == phase) {
                Ok(rows)
            } else {
                Err(format!("{out:?}"))
            }
        })
    };
    let rows = status_rows("Initialized");
    for row in &rows {
        let member = row["cluster"].as_str().unwrap();
        assert!(MEMBERS.contains(&member), "{row:#}");
        assert_eq!(
            shown(row),
            json!({"maxWeight": 50, "stepWeight": 25, "threshold": 2, "interval": "45s",
                   "provider": "istio", "suspended": false}),
            "{row:#}"
        );
        assert_eq!(shown(row), on_member(&member_canary(member)), "{member}");
        // The routed weight is not on the hub: unknown, and why.
        assert_eq!(row["routed"], Value::Null, "{row:#}");
        assert!(row["routedUnknown"].as_str().unwrap().contains("hub"), "{row:#}");
    }

    // A pause goes into the policy; the rows say so once the members carry it too.
    assert_eq!(cmd(&["pause", "podinfo", "--fleet", "quickstart", "--yes"]).code, 0);
    wait_until("every member's Canary suspended", || {
        MEMBERS.iter().all(|m| member_canary(m)["spec"]["suspend"] == true)
    });
    let paused = cmd(&["status", "podinfo", "-n", "test", "--fleet", "quickstart", "-o", "json"]);
    assert_eq!(paused.code, 0, "{paused:?}");
    let rows: Vec<Value> = serde_json::from_str(&paused.stdout).unwrap();
    assert_eq!(rows.len(), 3, "{paused:?}");
    for row in &rows {
        let member = row["cluster"].as_str().unwrap();
        assert_eq!(row["suspended"], true, "{row:#}");
        assert_eq!(shown(row), on_member(&member_canary(member)), "{member}");
    }

    // NAME is a Canary in every mode; the Application is addressed as application/NAME.
    let by_app = cmd(&["status", "application/rollout-demo", "--fleet", "quickstart"]);
    assert_eq!(by_app.code, 0, "{by_app:?}");
    assert_eq!(
        by_app.stdout.lines().filter(|l| l.contains("podinfo")).count(),
        3,
        "{by_app:?}"
    );
    let app_as_canary = cmd(&["status", "rollout-demo", "--fleet", "quickstart"]);
    assert_eq!(
        app_as_canary.code, 4,
        "no canary is named rollout-demo: {app_as_canary:?}"
    );
    assert!(
        app_as_canary.stderr.contains("rolls out canary rollout-demo"),
        "{app_as_canary:?}"
    );
    let no_fleet = cmd(&["status", "application/rollout-demo"]);
    assert_eq!(no_fleet.code, 2, "{no_fleet:?}");
    assert!(no_fleet.stderr.contains("add --fleet"), "{no_fleet:?}");
    let missing_app = cmd(&["status", "application/nope", "--fleet", "quickstart"]);
    assert_eq!(missing_app.code, 4, "{missing_app:?}");
    // The hub carries no Canary labels: a selector there would select nothing true.
    let labelled = cmd(&["status", "--fleet", "quickstart", "-l", "app=podinfo"]);
    assert_eq!(labelled.code, 2, "{labelled:?}");

    // A second Application of the Fleet rolling out a canary of the same name elsewhere makes
    // the plain name ambiguous (a usage error naming both); -n settles it. An Application of
    // another Fleet is no candidate.
    let mut second: Value = serde_saphyr::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    second["metadata"]["name"] = json!("podinfo-staging");
    second["spec"]["syncPolicies"][0]["rollout"]["workload"]["namespace"] = json!("staging");
    hub.apply("apps.kurator.dev", "applications", Some("default"), &second)
        .unwrap();
    let mut elsewhere = second.clone();
    elsewhere["metadata"]["name"] = json!("podinfo-other-fleet");
    elsewhere["spec"]["destination"]["fleet"] = json!("other");
    hub.apply("apps.kurator.dev", "applications", Some("default"), &elsewhere)
        .unwrap();
    let ambiguous = cmd(&["status", "podinfo", "--fleet", "quickstart"]);
    assert_eq!(ambiguous.code, 2, "{ambiguous:?}");
    assert!(
        ambiguous
            .stderr
            .contains("application/rollout-demo (canary test/podinfo)")
            && ambiguous
                .stderr
                .contains("application/podinfo-staging (canary staging/podinfo)")
            && !ambiguous.stderr.contains("podinfo-other-fleet"),
        "{ambiguous:?}"
    );
    let settled = cmd(&["status", "podinfo", "-n", "test", "--fleet", "quickstart"]);
    assert_eq!(settled.code, 0, "{settled:?}");
    assert_eq!(
        settled.stdout.lines().filter(|l| l.contains(" test ")).count(),
        3,
        "{settled:?}"
    );
}

#[test]
fn an_unknown_fleet_is_a_usage_error_in_every_verb() {
    let (_fleet, home, kc) = hub_fleet();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml");
    let verbs: [&[&str]; 11] = [
        &["status"],
        &["status", "--watch", "--timeout", "5s"],
        &["list"],
        &["get", "podinfo"],
        &["apply", "-f", example],
        &["install", "--provider", "istio"],
        &["uninstall", "--yes"],
        &["pause", "podinfo", "--yes"],
        &["start", "podinfo", "--image", "podinfod=podinfo:2"],
        &["check"],
        &["clusters"],
    ];
    for verb in verbs {
        let out = run(plugin(home.path())
            .args(verb)
            .args(["-n", "test", "--fleet", "nope"])
            .env("KUBECONFIG", &kc));
        assert_eq!(out.code, 2, "{verb:?}: {out:?}");
        assert!(
            out.stderr.contains("Fleet default/nope not found on the hub"),
            "{verb:?}: {out:?}"
        );
    }
}
