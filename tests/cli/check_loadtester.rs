//! `check` and the load testers Canary webhooks call: read as promote and abort read them
//! (Service, port from the URL or its scheme), and a Canary list that cannot be read is a
//! failure, not "no load tester referenced".

use fleet_sim::{Rule, User};
use serde_json::{Value, json};

use crate::support::{Fleet, plugin, run};

const LOADTESTER: &str = "istio-system-testloader-kurator-member1-loadtester";

/// A Canary in `test` whose one webhook calls `url`.
fn canary_calling(fleet: &Fleet, url: &str) {
    let member = &fleet.clusters[0];
    member
        .apply(
            "",
            "namespaces",
            None,
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}),
        )
        .unwrap();
    let mut canary: Value = serde_saphyr::from_str(include_str!("../../testdata/canary-every-field.yaml")).unwrap();
    canary["spec"]["analysis"]["webhooks"] = json!([{"name": "gate", "type": "confirm-promotion", "url": url}]);
    member.apply("flagger.app", "canaries", Some("test"), &canary).unwrap();
}

#[test]
fn check_fails_a_webhook_port_the_load_tester_service_does_not_have() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    let installed = cmd(&["install", "--all-contexts", "--provider", "istio", "--testloader"]);
    assert_eq!(installed.code, 0, "{installed:?}");

    // The Service exists, but its port is 80: promote would get "no service port 8080 found".
    canary_calling(&fleet, &format!("http://{LOADTESTER}.istio-system:8080/gate/approve"));
    let wrong = cmd(&["check", "--all-contexts", "-n", "test"]);
    assert_eq!(wrong.code, 1, "{wrong:?}");
    assert!(
        wrong.stdout.contains(&format!(
            "✖ Load tester: Canary webhooks point at load testers the service proxy cannot reach: istio-system/{LOADTESTER}: the Service has no port 8080 (the hook URL's; it has 80)"
        )),
        "{wrong:?}"
    );

    // The scheme's port (80) is the Service's: the load tester is reachable.
    canary_calling(&fleet, &format!("http://{LOADTESTER}.istio-system/gate/approve"));
    let right = cmd(&["check", "--all-contexts", "-n", "test"]);
    assert!(right.stdout.contains("✔ Load tester"), "{right:?}");
    assert_eq!(right.code, 0, "{right:?}");
}

#[test]
fn check_fails_when_the_canaries_naming_the_load_testers_cannot_be_listed() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let installed = run(plugin(home.path())
        .args(["install", "--all-contexts", "--provider", "istio", "--testloader"])
        .env("KUBECONFIG", &kc));
    assert_eq!(installed.code, 0, "{installed:?}");
    canary_calling(&fleet, &format!("http://{LOADTESTER}.istio-system/gate/approve"));

    // May read everything but Flagger's objects.
    let reader = User::with_rules(
        "reader",
        vec![Rule::new(
            &["get", "list", "watch"],
            &["", "apps", "apiextensions.k8s.io"],
            &["*"],
        )],
    );
    fleet.clusters[0].add_user("reader-token", reader);
    let kc = fleet.write_kubeconfig(home.path(), |entries| entries[0].token = "reader-token".into());
    let out = run(plugin(home.path())
        .args(["check", "--all-contexts", "-n", "test"])
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 1, "{out:?}");
    let row = out
        .stdout
        .lines()
        .find(|l| l.contains("Load-tester namespaces"))
        .unwrap_or_else(|| panic!("{out:?}"));
    assert!(
        row.contains("✖ Load-tester namespaces: could not list Canaries (403 Forbidden")
            && row.contains("): load-tester namespaces unchecked"),
        "{row}"
    );
}
