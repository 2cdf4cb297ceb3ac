//! Every key of the live view (README "Promote, abort, pause, resume, retry"), typed into a
//! tmux screen: ↑/↓ j/k select, `?` help, `s` pause/resume, `P` promote --full, `a` abort, `r`
//! retry, `A` abort all. A key acts as its verb: the plan first (an impossible one says why
//! and asks nothing), the question for what the plan changes, then that plan. (`p` and `q`
//! are in control.rs.)

use crate::kurator::{hub_fleet, install_through_fleet};
use crate::support::rollout::{RolloutFleet, podinfo_phase};
use crate::support::terminal::Tmux;
use crate::support::{BIN, plugin, run, wait_until};

/// The screen line of the selected row (marked `›`).
fn selected(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.starts_with('›'))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn every_live_view_key_acts_on_the_selected_row() {
    if !Tmux::available("every_live_view_key_acts_on_the_selected_row") {
        return;
    }
    let s = RolloutFleet::start(3, &["--manual-promotion"], &[]);
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1, 2, 3], "WaitingPromotion");
    let cmd = format!(
        "env HOME={} KUBECONFIG={} NO_COLOR=1 {BIN} status podinfo -n test --all-contexts --watch",
        s.home.path().display(),
        s.kubeconfig.display()
    );
    // Wide enough for the final table's message column, where the abort's cause shows.
    let screen = Tmux::start("live-keys", &cmd, 260, 30);
    screen.wait_for_screen("3 clusters");

    // ? shows the help and hides it again.
    let help = "↑/↓ j/k select · p promote · P promote --full";
    screen.keys(&["?"]);
    screen.wait_for_screen(help);
    screen.keys(&["?"]);
    wait_until("the help hidden", || !screen.screen().contains(help));

    // Selection: j/Down move down, k/Up move up, and stop at the ends.
    let on = |member: &str| {
        wait_until(&format!("{member} selected"), || {
            selected(&screen.screen()).contains(member)
        })
    };
    on("kurator-member1");
    screen.keys(&["j"]);
    on("kurator-member2");
    screen.keys(&["Down"]);
    on("kurator-member3");
    screen.keys(&["j"]);
    on("kurator-member3");
    screen.keys(&["k"]);
    on("kurator-member2");
    screen.keys(&["Up"]);
    on("kurator-member1");
    screen.keys(&["Down"]);
    on("kurator-member2");

    // s pauses the selected canary after y; anything else changes nothing.
    let suspended = |n: usize| s.canary(n)["spec"]["suspend"] == true;
    screen.keys(&["s"]);
    screen.wait_for_screen("pause kurator-member2 test/podinfo? [y/N]");
    screen.keys(&["n"]);
    screen.wait_for_screen("not confirmed: nothing changed");
    assert!(!suspended(2));
    screen.keys(&["s"]);
    screen.wait_for_screen("pause kurator-member2 test/podinfo? [y/N]");
    screen.keys(&["y"]);
    wait_until("member2 paused", || suspended(2));
    assert!(!suspended(1) && !suspended(3), "only the selected row");
    // … and s on a paused canary resumes it.
    screen.wait_for_screen("pause kurator-member2 test/podinfo:");
    screen.keys(&["s"]);
    screen.wait_for_screen("resume kurator-member2 test/podinfo? [y/N]");
    screen.keys(&["y"]);
    wait_until("member2 resumed", || !suspended(2));

    // P promotes the selected canary at once.
    screen.keys(&["P"]);
    screen.wait_for_screen("promote --full kurator-member2 test/podinfo? [y/N]");
    screen.keys(&["y"]);
    s.wait(&[2], "Succeeded");

    // a aborts the selected canary through its rollback gate.
    screen.keys(&["k"]);
    on("kurator-member1");
    screen.keys(&["a"]);
    screen.wait_for_screen("abort kurator-member1 test/podinfo? [y/N]");
    screen.keys(&["y"]);
    s.wait(&[1], "Failed");
    assert_eq!(s.phase(3), "WaitingPromotion");
    // A required canary that failed ends the view at once with 1 (issue 17 item 5), though
    // member3 still waits at its gate.
    let after = screen.wait_for_screen("[exit status 1]");
    // The final table says whose abort failed it, as the abort verb reports it (issue 18).
    assert!(
        after.contains("exit 1: a canary failed (aborted by you: kurator-member1 test/podinfo)"),
        "{after}"
    );
    let row = after
        .lines()
        .find(|l| l.starts_with("kurator-member1"))
        .unwrap_or_default();
    assert!(
        row.contains("Failed")
            && row.contains("aborted by you in the live view: rolled back (Failed); rollback gate closed"),
        "{after}"
    );
    assert!(after.contains("CLUSTER"), "the final table stays: {after}");
    assert_eq!(s.phase(3), "WaitingPromotion");

    // With two of three required, member3 can still decide: the view stays for A. Its plan
    // shows every row, and asks for what it changes: member1 has failed and member2 has
    // succeeded already, so only member3 is asked for (`y`, not the 3 rows' typed count).
    let cmd = format!("{cmd} --require 2");
    let screen = Tmux::start("live-keys-abort-all", &cmd, 160, 30);
    screen.wait_for_screen("3 clusters");
    screen.keys(&["A"]);
    let plan = screen.wait_for_screen("abort kurator-member3 test/podinfo? [y/N]");
    for line in [
        "kurator-member1 test/podinfo Failed: none: already failed",
        "kurator-member2 test/podinfo Succeeded: none: no run to abort",
        "kurator-member3 test/podinfo WaitingPromotion: open rollback gate",
    ] {
        assert!(plan.contains(line), "{line}: {plan}");
    }
    screen.keys(&["n"]);
    screen.wait_for_screen("not confirmed: nothing changed");
    assert_eq!(s.phase(3), "WaitingPromotion");
    screen.keys(&["A"]);
    screen.wait_for_screen("abort kurator-member3 test/podinfo? [y/N]");
    screen.keys(&["y"]);
    s.wait(&[3], "Failed");
    assert_eq!(s.phase(2), "Succeeded", "a finished canary is left as it is");

    // Every canary has ended, two Failed and one Succeeded: the view ends by itself with
    // README "Exit codes" 5 (partial) (q: control.rs).
    let after = screen.wait_for_screen("[exit status 5]");
    assert!(after.contains("exit 5: some clusters ended well"), "{after}");
    assert!(after.contains("CLUSTER"), "the final table stays: {after}");
}

/// `--protected` (its help: "verbs and the live view's keys") makes a key on a protected
/// context ask for the typed count, not `y`; the count is the plan's (the clusters it
/// changes), not the rows the key was pressed on.
#[test]
fn a_key_on_a_protected_context_asks_for_the_count_the_plan_gives() {
    if !Tmux::available("a_key_on_a_protected_context_asks_for_the_count_the_plan_gives") {
        return;
    }
    let s = RolloutFleet::start(3, &["--manual-promotion"], &[]);
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1, 2, 3], "WaitingPromotion");
    // member3 has nothing left to abort.
    let promoted = s.run(&[
        "promote",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member3",
        "--yes",
    ]);
    assert_eq!(promoted.code, 0, "{promoted:?}");
    s.wait(&[3], "Succeeded");
    let cmd = format!(
        "env HOME={} KUBECONFIG={} NO_COLOR=1 {BIN} status podinfo -n test --all-contexts --watch --protected '*member1'",
        s.home.path().display(),
        s.kubeconfig.display()
    );
    let screen = Tmux::start("live-protected", &cmd, 160, 30);
    screen.wait_for_screen("3 clusters");
    screen.keys(&["p"]);
    screen.wait_for_screen("promote kurator-member1 test/podinfo? type 1 and Enter");
    // y is no answer here …
    screen.keys(&["y", "Enter"]);
    screen.wait_for_screen("not confirmed: nothing changed");
    assert_eq!(s.phase(1), "WaitingPromotion");
    // A on three rows changes two clusters, one protected: the plan's count, 2, is asked for.
    screen.keys(&["A"]);
    let plan = screen.wait_for_screen("abort 2 canaries in 2 clusters? type 2 and Enter");
    assert!(
        plan.contains("kurator-member3 test/podinfo Succeeded: none: no run to abort"),
        "{plan}"
    );
    screen.keys(&["3", "Enter"]);
    screen.wait_for_screen("not confirmed: nothing changed");
    assert_eq!(
        (s.phase(1), s.phase(2)),
        ("WaitingPromotion".into(), "WaitingPromotion".into())
    );
    // … the typed count is.
    screen.keys(&["p"]);
    screen.wait_for_screen("type 1 and Enter");
    screen.keys(&["1", "Enter"]);
    s.wait(&[1], "Succeeded");
    assert_eq!(s.phase(2), "WaitingPromotion");
}

/// The screen line of a cluster's row.
fn row_of(screen: &str, cluster: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains(cluster) && !l.contains("test/podinfo"))
        .unwrap_or_default()
        .to_string()
}

/// `p` on a Failed row says why it is impossible and asks nothing (issue 18 item 5); `r`
/// retries it through the plan of the `retry` verb.
#[test]
fn p_on_a_failed_row_says_why_and_r_retries_it() {
    if !Tmux::available("p_on_a_failed_row_says_why_and_r_retries_it") {
        return;
    }
    let s = RolloutFleet::start(2, &["--manual-promotion"], &[]);
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1, 2], "WaitingPromotion");
    let aborted = s.run(&[
        "abort",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "--yes",
    ]);
    assert_eq!(aborted.code, 0, "{aborted:?}");
    s.wait(&[1], "Failed");
    // One of two required: member2 can still decide, so the view stays.
    let cmd = format!(
        "env HOME={} KUBECONFIG={} NO_COLOR=1 {BIN} status podinfo -n test --all-contexts --watch --require 1",
        s.home.path().display(),
        s.kubeconfig.display()
    );
    let screen = Tmux::start("live-failed-row", &cmd, 200, 30);
    screen.wait_for_screen("2 clusters");
    screen.keys(&["p"]);
    let said = screen.wait_for_screen(
        "promote kurator-member1 test/podinfo: impossible: the run failed; use retry: nothing changed",
    );
    assert!(
        !said.contains("[y/N]") && !said.contains("type 1"),
        "nothing is asked: {said}"
    );
    // A y now answers nothing.
    screen.keys(&["y"]);
    screen.keys(&["r"]);
    let plan = screen.wait_for_screen("retry kurator-member1 test/podinfo? [y/N]");
    assert!(
        plan.contains("kurator-member1 test/podinfo Failed: start a new run"),
        "{plan}"
    );
    assert_eq!(s.phase(1), "Failed", "nothing happened before the yes");
    screen.keys(&["y"]);
    screen.wait_for_screen("retry kurator-member1 test/podinfo: new run started");
    // The new run reaches its promotion gate again.
    s.wait(&[1], "WaitingPromotion");
}

/// A paused row is marked paused and counted so; its abort cannot take effect until it is
/// resumed, which the plan says at once (Flagger skips a suspended canary's analysis, so the
/// rollback gate would never be asked), in the view as from the `abort` verb.
#[test]
fn a_paused_row_is_shown_paused_and_its_abort_says_resume_first() {
    if !Tmux::available("a_paused_row_is_shown_paused_and_its_abort_says_resume_first") {
        return;
    }
    let s = RolloutFleet::start(2, &["--manual-promotion"], &[]);
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1, 2], "WaitingPromotion");
    let cmd = format!(
        "env HOME={} KUBECONFIG={} NO_COLOR=1 {BIN} status podinfo -n test --all-contexts --watch",
        s.home.path().display(),
        s.kubeconfig.display()
    );
    let screen = Tmux::start("live-paused", &cmd, 250, 30);
    screen.wait_for_screen("2 clusters");
    screen.keys(&["s"]);
    screen.wait_for_screen("pause kurator-member1 test/podinfo? [y/N]");
    screen.keys(&["y"]);
    let shown = screen.wait_for_screen("1 ॥ paused");
    assert!(shown.contains("0 ◌ Progressing · 1 ⏸ Waiting · 1 ॥ paused"), "{shown}");
    assert!(
        row_of(&shown, "kurator-member1").contains("WaitingPromotion paused"),
        "{shown}"
    );
    assert!(!row_of(&shown, "kurator-member2").contains("paused"), "{shown}");

    screen.keys(&["a"]);
    let said = screen.wait_for_screen("resume it first, then abort: nothing changed");
    assert!(
        said.contains("abort kurator-member1 test/podinfo: impossible: paused (spec.suspend)"),
        "{said}"
    );
    assert!(!said.contains("[y/N]"), "nothing is asked: {said}");
    // The verb says the same at once, and fails the row (README "Exit codes": abort 1).
    let started = std::time::Instant::now();
    let verb = s.run(&[
        "abort",
        "podinfo",
        "-n",
        "test",
        "--context",
        "kurator-member1",
        "--yes",
    ]);
    assert_eq!(verb.code, 1, "{verb:?}");
    assert!(verb.stdout.contains("resume it first, then abort"), "{verb:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "no waiting out --timeout"
    );
    assert_eq!(s.phase(1), "WaitingPromotion");

    // Resumed, the abort goes through, and the final table says it was the person's.
    screen.keys(&["s"]);
    screen.wait_for_screen("resume kurator-member1 test/podinfo? [y/N]");
    screen.keys(&["y"]);
    screen.wait_for_screen("0 ॥ paused");
    screen.keys(&["a"]);
    screen.wait_for_screen("abort kurator-member1 test/podinfo? [y/N]");
    screen.keys(&["y"]);
    let after = screen.wait_for_screen("[exit status 1]");
    assert!(
        after.contains("exit 1: a canary failed (aborted by you: kurator-member1 test/podinfo)"),
        "{after}"
    );
}

/// Under `--fleet` a key's pause is planned and written into the hub Application, as `pause
/// --fleet` does (a member Canary patch would be reverted by Kurator), confirmed for every
/// member it reaches; so `resume --fleet` undoes it (issue 18 item 6).
#[test]
fn under_fleet_a_keys_pause_goes_through_the_hub_and_resume_undoes_it() {
    if !Tmux::available("under_fleet_a_keys_pause_goes_through_the_hub_and_resume_undoes_it") {
        return;
    }
    let (fleet, home, kc) = hub_fleet();
    let hub = fleet.hub.as_ref().unwrap().0.clone();
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    install_through_fleet(home.path(), &kc, true);
    for c in &fleet.clusters {
        fleet_sim::kurator::apply_all(c, &fleet_sim::sample::podinfo("podinfo:1", 1));
    }
    let app = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml");
    assert_eq!(cmd(&["apply", "-f", app, "--fleet", "quickstart"]).code, 0);
    wait_until("every member Initialized", || {
        fleet.clusters.iter().all(|c| podinfo_phase(c) == "Initialized")
    });
    let app_spec = || {
        hub.get("apps.kurator.dev", "applications", Some("default"), "rollout-demo")
            .unwrap()["spec"]
            .clone()
    };
    let spec_before = app_spec();
    // Waiting for a new run keeps the view open over the Initialized canaries.
    let shell = format!(
        "env HOME={} KUBECONFIG={} NO_COLOR=1 {BIN} status podinfo -n test --fleet quickstart --watch --wait-for-start",
        home.path().display(),
        kc.display()
    );
    let screen = Tmux::start("live-fleet", &shell, 200, 30);
    screen.wait_for_screen("3 clusters");
    screen.keys(&["s"]);
    let plan = screen.wait_for_screen("pause 1 canary in 3 clusters? type 3 and Enter");
    assert!(
        plan.contains("set rolloutPolicy.suspend=true in Application default/rollout-demo syncPolicies[0]"),
        "the plan names the hub change: {plan}"
    );
    assert_eq!(app_spec(), spec_before, "nothing changed before the answer");
    screen.keys(&["3", "Enter"]);
    wait_until("the hub Application paused", || {
        app_spec()["syncPolicies"][0]["rollout"]["rolloutPolicy"]["suspend"] == true
    });
    // Kurator carries it to every member; the rows say paused and the summary counts them.
    screen.wait_for_screen("3 ॥ paused");
    let resumed = cmd(&["resume", "podinfo", "--fleet", "quickstart", "--yes"]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert_eq!(app_spec(), spec_before, "resume --fleet undid the key's pause");
    screen.wait_for_screen("0 ॥ paused");
}
