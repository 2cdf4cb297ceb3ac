//! `uninstall` asks as every change does (README "Confirmations"): the typed number of clusters
//! when it deletes in several or in a `--protected` one, `y` for one other cluster, `--yes`
//! unattended; without a terminal and without `--yes` it changes nothing and exits 2.

use crate::support::terminal::{on_terminal, script_available};
use crate::support::{BIN, Fleet, Running, every_object_version, plugin, run};

#[test]
fn uninstall_asks_for_the_typed_count_of_clusters_and_for_protected_ones() {
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let installed = run(plugin(home.path())
        .args(["install", "--all-contexts", "--provider", "istio"])
        .env("KUBECONFIG", &kc));
    assert_eq!(installed.code, 0, "{installed:?}");
    let snapshot = || -> Vec<String> { fleet.clusters.iter().flat_map(every_object_version).collect() };
    let before = snapshot();

    let unattended = run(plugin(home.path())
        .args(["uninstall", "--all-contexts"])
        .env("KUBECONFIG", &kc));
    assert_eq!(unattended.code, 2, "{unattended:?}");
    assert!(
        unattended
            .stderr
            .contains("uninstall needs confirmation: run it in a terminal or pass --yes; nothing was changed"),
        "{unattended:?}"
    );
    assert_eq!(snapshot(), before);

    if !script_available("uninstall_asks_for_the_typed_count_of_clusters_and_for_protected_ones") {
        return;
    }
    let answer = |flags: &str, question: &str, typed: &str| {
        let mut cmd = on_terminal(home.path(), &format!("{BIN} uninstall {flags}"));
        let mut uninstall = Running::spawn(cmd.env("KUBECONFIG", &kc));
        uninstall.wait_for_stdout("the question", |o| o.contains(question));
        uninstall.type_text(&format!("{typed}\n"));
        uninstall.finish()
    };
    // Two clusters: `y` is not enough, the number of clusters is.
    let two = "Delete 8 objects from 2 clusters?";
    let declined = answer("--all-contexts", two, "y");
    assert_eq!(declined.code, 1, "{declined:?}");
    assert!(declined.stdout.contains("Type 2 to confirm"), "{declined:?}");
    assert!(declined.stdout.contains("nothing changed"), "{declined:?}");
    assert_eq!(snapshot(), before, "a declined uninstall deleted something");

    // One protected cluster: its count too.
    let protected = answer(
        "--context kurator-member1 --protected 'kurator-member1'",
        "Delete 4 objects from 1 cluster?",
        "y",
    );
    assert_eq!(protected.code, 1, "{protected:?}");
    assert!(protected.stdout.contains("Type 1 to confirm"), "{protected:?}");
    assert_eq!(snapshot(), before);
    let confirmed = answer(
        "--context kurator-member1 --protected 'kurator-member1'",
        "Delete 4 objects from 1 cluster?",
        "1",
    );
    assert_eq!(confirmed.code, 0, "{confirmed:?}");
    let flagger = |c: &str| {
        fleet.cluster(c).get(
            "apps",
            "deployments",
            Some("istio-system"),
            &format!("istio-system-flagger-{c}"),
        )
    };
    assert!(flagger("kurator-member1").is_none() && flagger("kurator-member2").is_some());

    // One cluster that is not protected: `y`.
    let plain = answer("--context kurator-member2", "Delete 4 objects from 1 cluster?", "y");
    assert_eq!(plain.code, 0, "{plain:?}");
    assert!(!plain.stdout.contains("to confirm"), "{plain:?}");
    assert!(flagger("kurator-member2").is_none());
}
