//! Every key of the live view (README "Promote, abort, pause, resume, retry"), typed into a
//! tmux screen: ↑/↓ j/k select, `?` help, `s` pause/resume, `P` promote --full, `a` abort, `A`
//! abort all with the typed count. (`p` and `q` are in control.rs.)

use crate::support::rollout::RolloutFleet;
use crate::support::terminal::Tmux;
use crate::support::{BIN, wait_until};

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
    let screen = Tmux::start("live-keys", &cmd, 160, 30);
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
    assert!(after.contains("exit 1: a canary failed"), "{after}");
    assert!(after.contains("CLUSTER"), "the final table stays: {after}");
    assert_eq!(s.phase(3), "WaitingPromotion");

    // With two of three required, member3 can still decide: the view stays for A, which
    // asks for the number of clusters typed out: a wrong number changes nothing.
    let cmd = format!("{cmd} --require 2");
    let screen = Tmux::start("live-keys-abort-all", &cmd, 160, 30);
    screen.wait_for_screen("3 clusters");
    screen.keys(&["A"]);
    screen.wait_for_screen(": type 3 and Enter");
    screen.keys(&["2", "Enter"]);
    screen.wait_for_screen("not confirmed: nothing changed");
    assert_eq!(s.phase(3), "WaitingPromotion");
    screen.keys(&["A"]);
    screen.wait_for_screen(": type 3 and Enter");
    screen.keys(&["3", "Enter"]);
    s.wait(&[3], "Failed");
    assert_eq!(s.phase(2), "Succeeded", "a finished canary is left as it is");

    // Every canary has ended, two Failed and one Succeeded: the view ends by itself with
    // README "Exit codes" 5 (partial) (q: control.rs).
    let after = screen.wait_for_screen("[exit status 5]");
    assert!(after.contains("exit 5: some clusters ended well"), "{after}");
    assert!(after.contains("CLUSTER"), "the final table stays: {after}");
}

/// `--protected` (its help: "verbs and the live view's keys") makes a key on a protected
/// context ask for the typed count, not `y`.
#[test]
fn a_key_on_a_protected_context_asks_for_the_typed_count() {
    if !Tmux::available("a_key_on_a_protected_context_asks_for_the_typed_count") {
        return;
    }
    let s = RolloutFleet::start(1, &["--manual-promotion"], &[]);
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1], "WaitingPromotion");
    let cmd = format!(
        "env HOME={} KUBECONFIG={} NO_COLOR=1 {BIN} status podinfo -n test --all-contexts --watch --protected '*member1'",
        s.home.path().display(),
        s.kubeconfig.display()
    );
    let screen = Tmux::start("live-protected", &cmd, 160, 30);
    screen.wait_for_screen("1 cluster");
    screen.keys(&["p"]);
    screen.wait_for_screen("type 1 and Enter");
    // y is no answer here …
    screen.keys(&["y", "Enter"]);
    screen.wait_for_screen("not confirmed: nothing changed");
    assert_eq!(s.phase(1), "WaitingPromotion");
    // … the typed count is.
    screen.keys(&["p"]);
    screen.wait_for_screen("type 1 and Enter");
    screen.keys(&["1", "Enter"]);
    s.wait(&[1], "Succeeded");
}
