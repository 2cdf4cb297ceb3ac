//! `apply` changes nothing the user did not ask for: the gates a Canary was applied with are
//! kept by a re-apply without flags, a change to a run under way is shown and needs
//! confirmation, the load tester the hooks call must exist, and a dry run changes no object in
//! any cluster.

use serde_json::Value;

use crate::support::rollout::{POLICY, RolloutFleet};
use crate::support::terminal::{on_terminal, script_available};
use crate::support::{BIN, Fleet, Running, every_object_version, plugin, row, run, wait_for};

const PROMOTION_GATE_GOES: &str = "removes the promotion gate of a canary waiting at it: it will promote now";

/// The row of `cluster` in the plan table of runs under way (its header ends in RUN UNDER WAY).
fn plan_row<'a>(out: &'a str, cluster: &str) -> &'a str {
    let rows: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.trim_end().ends_with("RUN UNDER WAY"))
        .skip(1)
        .take_while(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter(|l| l.split_whitespace().next() == Some(cluster))
        .collect();
    assert_eq!(rows.len(), 1, "one plan row for {cluster}:\n{out}");
    rows[0]
}

fn hook_types(canary: &Value) -> Vec<String> {
    canary["spec"]["analysis"]["webhooks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["type"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_canary_waiting_at_its_promotion_gate_stays_there_unless_asked_and_confirmed() {
    let s = RolloutFleet::start(1, &["--manual-promotion"], &[]);
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1], "WaitingPromotion");
    let apply = |extra: &[&str]| s.run(&[&["apply", "-f", POLICY, "--all-contexts"][..], extra].concat());

    // The same policy without flags: the gate is the policy's, so nothing changes.
    let same = apply(&[]);
    assert_eq!(same.code, 0, "{same:?}");
    assert!(!same.stdout.contains("run under way"), "{same:?}");
    assert!(hook_types(&s.canary(1)).contains(&"confirm-promotion".to_string()));
    assert_eq!(
        s.canary(1)["metadata"]["annotations"]["kubectl-kurator-rollout/gates"],
        "abort-gate,manual-promotion"
    );
    s.wait_for_status_writes(1, 2);
    assert_eq!(s.phase(1), "WaitingPromotion", "still held at its gate");

    // Dropping the gate, previewed: the plan says what happens, nothing changes.
    let preview = apply(&["--manual-promotion=false", "--dry-run"]);
    assert_eq!(preview.code, 0, "{preview:?}");
    let plan = plan_row(&preview.stdout, "kurator-member1");
    assert!(
        plan.contains("test/podinfo") && plan.contains("WaitingPromotion") && plan.contains(PROMOTION_GATE_GOES),
        "{preview:?}"
    );
    assert!(hook_types(&s.canary(1)).contains(&"confirm-promotion".to_string()));

    // Asked for without a terminal and without --yes: refused (2), nothing changed, the plan shown.
    let unconfirmed = apply(&["--manual-promotion=false"]);
    assert_eq!(unconfirmed.code, 2, "{unconfirmed:?}");
    assert!(
        plan_row(&unconfirmed.stderr, "kurator-member1").contains(PROMOTION_GATE_GOES)
            && unconfirmed
                .stderr
                .contains("needs confirmation: run it in a terminal or pass --yes"),
        "{unconfirmed:?}"
    );
    assert!(hook_types(&s.canary(1)).contains(&"confirm-promotion".to_string()));
    s.wait_for_status_writes(1, 2);
    assert_eq!(s.phase(1), "WaitingPromotion");

    // In a terminal it asks as `promote` does: a protected cluster needs the typed count, and a
    // wrong answer changes nothing (exit 1).
    if script_available("a_canary_waiting_at_its_promotion_gate_stays_there_unless_asked_and_confirmed") {
        let shell = format!("{BIN} apply -f {POLICY} --all-contexts --manual-promotion=false --protected '*member1'");
        let mut cmd = on_terminal(s.home.path(), &shell);
        let mut asked = Running::spawn(cmd.env("KUBECONFIG", &s.kubeconfig));
        asked.wait_for_stdout("the typed confirmation's question", |o| o.contains("Type 1 to confirm"));
        asked.type_text("y\n");
        let declined = asked.finish();
        assert_eq!(declined.code, 1, "{declined:?}");
        assert!(
            declined.stdout.contains(PROMOTION_GATE_GOES) && declined.stdout.contains("not confirmed: nothing changed"),
            "{declined:?}"
        );
        assert!(hook_types(&s.canary(1)).contains(&"confirm-promotion".to_string()));
        // Ctrl-C at the question quits at once (130), although apply's Ctrl-C listener is
        // already installed for its reads: nothing changed, and no word of changes under way.
        let mut cmd = on_terminal(s.home.path(), &shell);
        let mut asked = Running::spawn(cmd.env("KUBECONFIG", &s.kubeconfig));
        asked.wait_for_stdout("the typed confirmation's question", |o| o.contains("Type 1 to confirm"));
        asked.type_text("\x03");
        let interrupted = asked.finish();
        assert_eq!(interrupted.code, 130, "{interrupted:?}");
        // (Its own line, "interrupted at the question", is not asserted: a ^C that reaches the
        // terminal before the prompt turns it raw is a signal, not a key, and ends it as well.)
        assert!(
            !interrupted.stdout.contains("changes under way finish first"),
            "{interrupted:?}"
        );
        assert!(hook_types(&s.canary(1)).contains(&"confirm-promotion".to_string()));
    }

    // `start -f` applies as `apply` does, and leaves a change to a run under way to `apply`.
    let start = s.run(&[
        "start",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "-f",
        POLICY,
        "--manual-promotion=false",
        "--image",
        "podinfod=podinfo:3",
        "--yes",
    ]);
    assert_eq!(start.code, 1, "{start:?}");
    assert!(
        start
            .stderr
            .contains("applying -f would change the run under way of test/podinfo (WaitingPromotion)")
            && start.stderr.contains(PROMOTION_GATE_GOES),
        "{start:?}"
    );
    assert!(hook_types(&s.canary(1)).contains(&"confirm-promotion".to_string()));
    assert_eq!(s.image(1), "podinfo:2", "nothing released");

    // Confirmed: the gate goes, the row says what it did to the run, and Flagger promotes.
    let confirmed = apply(&["--manual-promotion=false", "--yes"]);
    assert_eq!(confirmed.code, 0, "{confirmed:?}");
    assert!(
        confirmed.stdout.lines().any(|l| l.contains("Canary test/podinfo")
            && l.contains(&format!("configured (run under way: {PROMOTION_GATE_GOES})"))),
        "{confirmed:?}"
    );
    assert!(!hook_types(&s.canary(1)).contains(&"confirm-promotion".to_string()));
    s.wait(&[1], "Succeeded");
    // The choice is recorded: a later apply without flags does not bring the gate back.
    assert_eq!(apply(&[]).code, 0);
    assert_eq!(
        s.canary(1)["metadata"]["annotations"]["kubectl-kurator-rollout/gates"],
        "abort-gate"
    );
    assert!(!hook_types(&s.canary(1)).contains(&"confirm-promotion".to_string()));
}

/// A Canary applied before the gates annotation existed keeps the gates its hooks show on a
/// plain re-apply: no rollback hook means the abort gate stays off (not the default, on), a
/// promotion gate stays on.
#[test]
fn a_canary_applied_before_the_gates_annotation_keeps_the_gates_its_hooks_show() {
    let s = RolloutFleet::start(1, &["--abort-gate=false"], &[]);
    let forget_annotation = || {
        let patch = serde_json::json!({"metadata": {"annotations": {"kubectl-kurator-rollout/gates": null}}});
        s.cluster(1)
            .patch(
                "flagger.app",
                "canaries",
                Some("test"),
                "podinfo",
                fleet_sim::patch::PatchKind::Merge,
                &patch,
            )
            .unwrap();
        assert!(s.canary(1)["metadata"]["annotations"]["kubectl-kurator-rollout/gates"].is_null());
    };
    let apply = |extra: &[&str]| s.run(&[&["apply", "-f", POLICY, "--all-contexts"][..], extra].concat());

    forget_annotation();
    assert!(!hook_types(&s.canary(1)).contains(&"rollback".to_string()));
    let plain = apply(&[]);
    assert_eq!(plain.code, 0, "{plain:?}");
    assert!(
        !hook_types(&s.canary(1)).contains(&"rollback".to_string()),
        "the abort gate stays off: {:?}",
        hook_types(&s.canary(1))
    );
    assert_eq!(
        s.canary(1)["metadata"]["annotations"]["kubectl-kurator-rollout/gates"],
        ""
    );

    assert_eq!(apply(&["--manual-promotion"]).code, 0);
    forget_annotation();
    assert_eq!(apply(&[]).code, 0);
    let hooks = hook_types(&s.canary(1));
    assert!(
        hooks.contains(&"confirm-promotion".to_string()) && !hooks.contains(&"rollback".to_string()),
        "{hooks:?}"
    );
    assert_eq!(
        s.canary(1)["metadata"]["annotations"]["kubectl-kurator-rollout/gates"],
        "manual-promotion"
    );
}

/// A canary mid-run whose change could not be dry-run (here: the cluster answers writes too
/// late for `--request-timeout`) is not taken as unchanged: the plan says its effect is unknown,
/// and the write needs the same confirmation as a known change (`start -f` refuses it the same
/// way); `--yes` goes on.
#[test]
fn a_change_mid_run_that_could_not_be_dry_run_is_unknown_and_asked_about() {
    let s = RolloutFleet::start(1, &["--manual-promotion"], &[]);
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1], "WaitingPromotion");
    let text = std::fs::read_to_string(POLICY).unwrap();
    let changed = s.home.path().join("changed.yaml");
    std::fs::write(&changed, text.replacen("maxWeight: 50", "maxWeight: 40", 1)).unwrap();
    let changed = changed.to_str().unwrap();
    let max_weight = || s.canary(1)["spec"]["analysis"]["maxWeight"].clone();
    let slow = std::time::Duration::from_secs(3);
    s.cluster(1).faults().set_write_latency(slow);
    let apply = |extra: &[&str]| {
        s.run(
            &[
                &["--request-timeout", "1s", "apply", "-f", changed, "--all-contexts"][..],
                extra,
            ]
            .concat(),
        )
    };
    const UNKNOWN: &str = "could not dry-run the change of this canary mid-run (timeout";

    let unconfirmed = apply(&[]);
    assert_eq!(unconfirmed.code, 2, "{unconfirmed:?}");
    let plan = plan_row(&unconfirmed.stderr, "kurator-member1");
    assert!(
        plan.contains("test/podinfo")
            && plan.contains("WaitingPromotion")
            && plan.contains(UNKNOWN)
            && plan.contains("its effect on the run is unknown"),
        "{unconfirmed:?}"
    );
    assert!(unconfirmed.stderr.contains("needs confirmation"), "{unconfirmed:?}");
    let start = s.run(&[
        "--request-timeout",
        "1s",
        "start",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "-f",
        changed,
        "--image",
        "podinfod=podinfo:3",
        "--yes",
    ]);
    assert_eq!(start.code, 1, "{start:?}");
    assert!(
        start
            .stderr
            .contains("applying -f would change the run under way of test/podinfo (WaitingPromotion): could not dry-run the change of this canary mid-run"),
        "{start:?}"
    );
    // The refused writes were never sent (a dry run held by the latency writes nothing).
    std::thread::sleep(slow + std::time::Duration::from_millis(500));
    assert_eq!(max_weight(), 50, "nothing written before a confirmation");
    assert_eq!(s.image(1), "podinfo:2", "nothing released");

    // --yes goes on to the writes (which time out as the dry run did: their rows say so).
    let confirmed = apply(&["--yes"]);
    assert!(
        plan_row(&confirmed.stderr, "kurator-member1").contains(UNKNOWN)
            && !confirmed.stderr.contains("needs confirmation")
            && confirmed
                .stdout
                .lines()
                .any(|l| l.contains("Canary test/podinfo") && l.contains("failed: timeout")),
        "{confirmed:?}"
    );
    s.cluster(1).faults().set_write_latency(std::time::Duration::ZERO);
    let written = apply(&["--yes"]);
    assert_eq!(written.code, 0, "{written:?}");
    assert_eq!(max_weight(), 40);
}

/// A cluster whose context was renamed: the public load tester, installed under the old
/// name, is not where the hooks would call. Nothing is applied there, and the error says which
/// `--cluster-name` fixes it.
#[test]
fn apply_refuses_hooks_that_call_no_load_tester_and_names_the_fix() {
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |kc: &std::path::Path, args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", kc));
    let installed = cmd(
        &kc,
        &["install", "--all-contexts", "--provider", "istio", "--testloader"],
    );
    assert_eq!(installed.code, 0, "{installed:?}");
    for c in &fleet.clusters {
        fleet_sim::kurator::apply_all(c, &fleet_sim::sample::podinfo("podinfo:1", 1));
    }
    let renamed = fleet.write_kubeconfig(home.path(), |entries| entries[0].context = "prod-eu".into());

    let refused = cmd(&renamed, &["apply", "-f", POLICY, "--all-contexts"]);
    assert_eq!(refused.code, 5, "{refused:?}");
    let failed = row(&refused.stdout, "prod-eu");
    assert!(
        failed.contains("failed: cluster prod-eu (cluster name prod-eu): the Canary's webhooks call http://istio-system-testloader-prod-eu-loadtester.istio-system/, which cannot be reached (istio-system/istio-system-testloader-prod-eu-loadtester: no such Service); nothing of this policy was applied there")
            && failed.contains("a load tester was found by its labels, istio-system/istio-system-testloader-kurator-member1-loadtester, installed for cluster name kurator-member1: re-run with --cluster-name prod-eu=kurator-member1"),
        "{refused:?}"
    );
    let member1 = &fleet.clusters[0];
    assert!(
        member1
            .get("flagger.app", "canaries", Some("test"), "podinfo")
            .is_none(),
        "nothing was applied in the renamed cluster"
    );
    assert!(
        fleet.clusters[1]
            .get("flagger.app", "canaries", Some("test"), "podinfo")
            .is_some()
    );

    let fixed = cmd(
        &renamed,
        &[
            "apply",
            "-f",
            POLICY,
            "--all-contexts",
            "--cluster-name",
            "prod-eu=kurator-member1",
        ],
    );
    assert_eq!(fixed.code, 0, "{fixed:?}");
    let canary = member1.get("flagger.app", "canaries", Some("test"), "podinfo").unwrap();
    assert!(
        canary["spec"]["analysis"]["webhooks"][0]["url"]
            .as_str()
            .unwrap()
            .contains("istio-system-testloader-kurator-member1-loadtester"),
        "{canary}"
    );
}

/// Every object on every cluster, once nothing else writes: a canary held at a closed start gate
/// (Flagger writes nothing more while it waits there) and one at rest.
fn settled_versions(s: &RolloutFleet) -> Vec<String> {
    let snapshot = || -> Vec<String> { s.fleet.clusters.iter().flat_map(every_object_version).collect() };
    let mut last = snapshot();
    wait_for("every cluster to settle", || {
        let now = snapshot();
        let settled = now == last;
        last = now;
        if settled {
            Ok(last.clone())
        } else {
            Err("still changing".into())
        }
    })
}

#[test]
fn apply_dry_run_changes_no_object_in_any_cluster() {
    let s = RolloutFleet::start(2, &["--manual-start"], &[]);
    let released = s.run(&[
        "start",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "--image",
        "podinfod=podinfo:2",
        "--yes",
    ]);
    assert_eq!(released.code, 0, "{released:?}");
    s.wait(&[1], "Waiting");
    wait_for("Flagger's halt event in member1", || {
        if s.events_counted(1, "waiting for approval") > 0 {
            Ok(())
        } else {
            Err("none yet".into())
        }
    });
    let before = settled_versions(&s);
    assert!(
        before
            .iter()
            .any(|v| v.starts_with("kurator-member1 canaries test/podinfo@")),
        "{before:?}"
    );

    // Pending: a changed policy everywhere, and the start gate of member1's waiting run dropped.
    let text = std::fs::read_to_string(POLICY).unwrap();
    let changed = s.home.path().join("changed.yaml");
    std::fs::write(&changed, text.replacen("maxWeight: 50", "maxWeight: 40", 1)).unwrap();
    let dry = s.run(&[
        "apply",
        "-f",
        changed.to_str().unwrap(),
        "--all-contexts",
        "--manual-start=false",
        "--manual-promotion",
        "--dry-run",
    ]);
    assert_eq!(dry.code, 0, "{dry:?}");
    let plan = plan_row(&dry.stdout, "kurator-member1");
    assert!(
        plan.contains("test/podinfo")
            && plan.contains("Waiting")
            && plan.contains("removes the start gate of a canary waiting at it: its analysis starts now")
            && plan.contains("adds a promotion gate")
            && plan.contains("spec.analysis.maxWeight"),
        "{dry:?}"
    );
    assert!(
        dry.stdout.contains("-    maxWeight: 50") && dry.stdout.contains("+    maxWeight: 40"),
        "{dry:?}"
    );
    // The member at rest has no plan row, only its diff.
    assert!(
        !dry.stdout
            .lines()
            .any(|l| l.starts_with("kurator-member2") && l.contains("run under way")),
        "{dry:?}"
    );
    assert_eq!(
        s.fleet
            .clusters
            .iter()
            .flat_map(every_object_version)
            .collect::<Vec<_>>(),
        before,
        "a dry run changed an object"
    );
    assert_eq!(s.phase(1), "Waiting");
}

/// Under `--fleet` the policy goes to the hub Application and Kurator re-renders every member's
/// Canary from it: a changed policy while the members' runs are under way is shown per member
/// and needs confirmation, and the hub keeps its Application until then.
#[test]
fn under_fleet_a_policy_change_over_runs_under_way_needs_confirmation() {
    let (fleet, home, kc) = crate::kurator::hub_fleet();
    let hub = &fleet.hub.as_ref().unwrap().0;
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    crate::kurator::install_through_fleet(home.path(), &kc, true);
    for c in &fleet.clusters {
        fleet_sim::kurator::apply_all(c, &fleet_sim::sample::podinfo("podinfo:1", 1));
    }
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml")).unwrap();
    // An hour between checks (36 s at speed 100): a run stays Progressing long enough to look at.
    let policy = |interval: &str, max_weight: &str| {
        let path = home.path().join(format!("app-{interval}-{max_weight}.yaml"));
        let text = example
            .replacen(
                "checkIntervalSeconds: 30",
                &format!("checkIntervalSeconds: {interval}"),
                1,
            )
            .replacen("maxWeight: 50", &format!("maxWeight: {max_weight}"), 1);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let fleet_args = ["--fleet", "quickstart"];
    let applied = cmd(&[&["apply", "-f", &policy("3600", "50")][..], &fleet_args].concat());
    assert_eq!(applied.code, 0, "{applied:?}");
    let phases = || -> Vec<String> {
        fleet
            .clusters
            .iter()
            .map(crate::support::rollout::podinfo_phase)
            .collect()
    };
    wait_for("every member Initialized", || {
        let p = phases();
        if p.iter().all(|p| p == "Initialized") {
            Ok(())
        } else {
            Err(format!("{p:?}"))
        }
    });
    let started = cmd(&[
        &[
            "start",
            "podinfo",
            "-n",
            "test",
            "--image",
            "podinfod=podinfo:2",
            "--yes",
        ][..],
        &fleet_args,
    ]
    .concat());
    assert_eq!(started.code, 0, "{started:?}");
    // A changed interval restarts Flagger's job at once, which finds the new revision. (On a
    // slow machine the job's own next tick may have found it first: --yes then confirms.)
    let restarted = cmd(&[&["apply", "-f", &policy("3000", "50"), "--yes"][..], &fleet_args].concat());
    assert_eq!(restarted.code, 0, "{restarted:?}");
    wait_for("every member Progressing", || {
        let p = phases();
        if p.iter().all(|p| p == "Progressing") {
            Ok(())
        } else {
            Err(format!("{p:?}"))
        }
    });
    let spec = || {
        hub.get("apps.kurator.dev", "applications", Some("default"), "rollout-demo").unwrap()["spec"]["syncPolicies"][0]
            ["rollout"]["rolloutPolicy"]["trafficRouting"]["canaryStrategy"]["maxWeight"]
            .clone()
    };
    let narrower = policy("3000", "40");
    let expected =
        "Kurator re-renders this Canary's spec from the changed policy; changes spec.analysis.maxWeight of this run";

    let preview = cmd(&[&["apply", "-f", &narrower, "--dry-run"][..], &fleet_args].concat());
    assert_eq!(preview.code, 0, "{preview:?}");
    let unconfirmed = cmd(&[&["apply", "-f", &narrower][..], &fleet_args].concat());
    assert_eq!(unconfirmed.code, 2, "{unconfirmed:?}");
    assert_eq!(spec(), 50, "the hub kept its Application");
    for member in crate::support::MEMBERS {
        assert!(plan_row(&preview.stdout, member).contains(expected), "{preview:?}");
        let row = plan_row(&unconfirmed.stderr, member);
        assert!(
            row.contains("test/podinfo") && row.contains("Progressing") && row.contains(expected),
            "{unconfirmed:?}"
        );
    }
    assert!(unconfirmed.stderr.contains("needs confirmation"), "{unconfirmed:?}");
    assert_eq!(phases(), vec!["Progressing"; 3]);

    let confirmed = cmd(&[&["apply", "-f", &narrower, "--yes"][..], &fleet_args].concat());
    assert_eq!(confirmed.code, 0, "{confirmed:?}");
    assert_eq!(spec(), 40);

    // A member whose Canary could not be read is not taken as at rest: its row says so.
    let member2 = fleet.cluster("kurator-member2");
    member2.set_unreachable(true).unwrap();
    let unread = cmd(&[&["apply", "-f", &policy("3000", "30")][..], &fleet_args].concat());
    member2.set_unreachable(false).unwrap();
    assert_eq!(unread.code, 2, "{unread:?}");
    let row = plan_row(&unread.stderr, "kurator-member2");
    assert!(
        row.contains("test/podinfo")
            && row.contains(" ? ")
            && row.contains("could not read this Canary (unreachable")
            && row.contains("is unknown"),
        "{unread:?}"
    );
    assert_eq!(spec(), 40, "the hub kept its Application");

    // The hub's Application could not be read: not "no Application yet", but every rollout
    // policy in it counted as changed, and said so; its row does not claim what it did.
    hub.faults().set_failing_reads(Some(("applications", 500)));
    let blind = cmd(&[&["apply", "-f", &narrower][..], &fleet_args].concat());
    assert_eq!(blind.code, 2, "{blind:?}");
    for member in crate::support::MEMBERS {
        let row = plan_row(&blind.stderr, member);
        assert!(
            row.contains("the hub's Application default/rollout-demo could not be read (500")
                && row.contains("the policy counts as changed"),
            "{blind:?}"
        );
    }
    let blind = cmd(&[&["apply", "-f", &narrower, "--yes"][..], &fleet_args].concat());
    hub.faults().set_failing_reads(None);
    assert_eq!(blind.code, 0, "{blind:?}");
    assert!(
        blind
            .stdout
            .contains("applied (what the hub had could not be read: 500"),
        "{blind:?}"
    );
    assert_eq!(spec(), 40);
    // Gate flags mean nothing where Kurator renders: refused, not ignored.
    let gated = cmd(&[&["apply", "-f", &narrower, "--manual-promotion"][..], &fleet_args].concat());
    assert_eq!(gated.code, 2, "{gated:?}");
}

/// `render` without a kubeconfig does not invent a cluster: the cluster name decides the
/// public load tester's URL, so it asks for one.
#[test]
fn render_without_a_cluster_asks_for_a_cluster_name() {
    let home = tempfile::tempdir().unwrap();
    let render = |args: &[&str]| run(plugin(home.path()).args([&["render", "-f", POLICY][..], args].concat()));
    let refused = render(&[]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("render needs a cluster to render for: --cluster-name NAME")
            && refused.stdout.is_empty()
            && !refused.stderr.contains("host"),
        "{refused:?}"
    );
    let named = render(&["--cluster-name", "edge-1"]);
    assert_eq!(named.code, 0, "{named:?}");
    assert!(
        named.stdout.contains("# cluster: edge-1, policy: podinfo")
            && named
                .stdout
                .contains("http://istio-system-testloader-edge-1-loadtester.istio-system/"),
        "{named:?}"
    );
    // With a kubeconfig, its current context names the cluster, and stderr says so.
    let fleet = Fleet::start(1);
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let current = run(plugin(home.path())
        .args(["render", "-f", POLICY])
        .env("KUBECONFIG", &kc));
    assert_eq!(current.code, 0, "{current:?}");
    assert!(
        current
            .stderr
            .contains("rendering for cluster name kurator-member1 (the current context), without reading it"),
        "{current:?}"
    );
}
