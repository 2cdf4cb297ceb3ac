//! `check` checks what the other verbs need (issue 17, item 6): the scope's namespace, the load
//! testers the Canaries' hooks call (promote and abort open their gates there) even without
//! `--testloader`, a single Flagger controller per Canary, and under `--fleet` the hub's
//! failing check as a row of the table. Each printed value is compared with what the API holds.

use fleet_sim::Rule;
use fleet_sim::patch::PatchKind;
use serde_json::{Value, json};

use crate::kurator::hub_fleet;
use crate::support::rollout::RolloutFleet;
use crate::support::{Fleet, check_section, check_summary, plugin, run, wait_until};

#[test]
fn a_missing_namespace_fails_check_and_all_namespaces_skips_it() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    assert_eq!(cmd(&["install", "--all-contexts", "--provider", "istio"]).code, 0);
    let member = &fleet.clusters[0];

    assert!(member.get("", "namespaces", None, "shop").is_none());
    let missing = cmd(&["check", "--all-contexts", "-n", "shop"]);
    assert_eq!(missing.code, 1, "{missing:?}");
    let section = check_section(&missing.stdout, "kurator-member1");
    assert!(
        section.contains("✖ Namespace: namespace shop not found\n      → create it (kubectl --context kurator-member1 create namespace shop), or pick another with -n"),
        "{section}"
    );
    assert!(
        check_summary(&missing.stdout).contains("failed: Namespace"),
        "{missing:?}"
    );

    // -A: no one namespace is in scope, so none must exist.
    let all = cmd(&["check", "--all-contexts", "-A"]);
    assert_eq!(all.code, 0, "{all:?}");
    assert!(!all.stdout.contains("Namespace"), "{all:?}");
    // ... and the verbs act on Canaries of every namespace: permissions at the cluster scope.
    assert!(
        all.stdout.contains("✔ Permissions: all needed in all namespaces"),
        "{all:?}"
    );

    member
        .create(
            "",
            "namespaces",
            None,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
        )
        .unwrap();
    let phase = member.get("", "namespaces", None, "shop").unwrap()["status"]["phase"]
        .as_str()
        .unwrap_or("Active")
        .to_string();
    let present = cmd(&["check", "--all-contexts", "-n", "shop"]);
    assert_eq!(present.code, 0, "{present:?}");
    assert!(
        present.stdout.contains(&format!("✔ Namespace: shop {phase}")),
        "{present:?}"
    );
}

/// The Service and port a hook URL names (`http://svc.ns[:port]/…`), as the test reads it.
fn hook_target(url: &str) -> (String, String) {
    let host = url.split("://").nth(1).unwrap().split('/').next().unwrap();
    let mut parts = host.split(':').next().unwrap().split('.');
    let service = parts.next().unwrap().to_string();
    (parts.next().unwrap().to_string(), service)
}

#[test]
fn the_load_tester_the_hooks_call_needs_ready_endpoints_without_testloader() {
    let s = RolloutFleet::start(1, &["--manual-promotion"], &[]);
    let member = s.cluster(1);
    let canary = s.canary(1);
    let urls: Vec<&str> = canary["spec"]["analysis"]["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["url"].as_str())
        .collect();
    assert!(!urls.is_empty(), "{canary}");
    let (ns, service) = hook_target(urls[0]);
    let ready_addresses = || {
        member
            .get("", "endpoints", Some(&ns), &service)
            .and_then(|e| {
                e.pointer("/subsets/0/addresses")
                    .and_then(Value::as_array)
                    .map(Vec::len)
            })
            .unwrap_or(0)
    };
    assert!(ready_addresses() > 0);

    let ready = s.run(&["check", "--all-contexts", "-n", "test"]);
    assert_eq!(ready.code, 0, "{ready:?}");
    assert!(
        ready.stdout.contains(&format!(
            "✔ Load tester: ready endpoints: {ns}/{service}:80 (hooks of test/podinfo)"
        )),
        "{ready:?}"
    );

    // The load tester scaled to nothing: its Service stays, its Endpoints have no ready address,
    // so promote and abort could not open the gate. check says so without --testloader.
    let deployment = member
        .list("apps", "deployments", Some(&ns))
        .into_iter()
        .find(|d| d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == "loadtester")
        .unwrap();
    let name = deployment["metadata"]["name"].as_str().unwrap();
    member
        .patch(
            "apps",
            "deployments",
            Some(&ns),
            name,
            PatchKind::Merge,
            &json!({"spec": {"replicas": 0}}),
        )
        .unwrap();
    wait_until("the load tester has no ready endpoint", || ready_addresses() == 0);
    let gone = s.run(&["check", "--all-contexts", "-n", "test"]);
    assert_eq!(gone.code, 1, "{gone:?}");
    assert!(
        gone.stdout.contains(&format!(
            "✖ Load tester: Canary webhooks point at load testers the service proxy cannot reach: {ns}/{service}: no ready endpoint for port 80"
        )),
        "{gone:?}"
    );
    assert!(check_summary(&gone.stdout).contains("failed: Load tester"), "{gone:?}");
}

/// A Deployment as Flagger's Helm chart renders it (charts/flagger/templates/deployment.yaml):
/// the labels, the image, the flags in `command`.
fn chart_flagger(namespace: &str, flags: &[&str]) -> Value {
    let mut command = vec!["./flagger", "-log-level=info"];
    command.extend_from_slice(flags);
    let labels = json!({"app.kubernetes.io/name": "flagger", "app.kubernetes.io/instance": "flagger"});
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "flagger", "namespace": namespace, "labels": labels},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "flagger", "image": "ghcr.io/fluxcd/flagger:1.37.0", "command": command}]}
        }}
    })
}

#[test]
fn a_second_flagger_controller_is_an_error_naming_both() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    assert_eq!(cmd(&["install", "--all-contexts", "--provider", "istio"]).code, 0);
    let member = &fleet.clusters[0];
    let ours = member
        .list("apps", "deployments", Some("istio-system"))
        .into_iter()
        .find(|d| d["metadata"]["labels"]["app.kubernetes.io/name"] == "flagger")
        .unwrap();
    let ours = ours["metadata"]["name"].as_str().unwrap().to_string();

    member
        .create(
            "",
            "namespaces",
            None,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flagger-system"}}),
        )
        .unwrap();
    member
        .apply(
            "apps",
            "deployments",
            Some("flagger-system"),
            &chart_flagger("flagger-system", &["-mesh-provider=kuma"]),
        )
        .unwrap();
    let two = cmd(&["check", "--all-contexts"]);
    assert_eq!(two.code, 1, "{two:?}");
    let line = two
        .stdout
        .lines()
        .find(|l| l.contains("Flagger:"))
        .unwrap_or_else(|| panic!("{two:?}"));
    // Either may come first (the Available one does); both are named.
    assert!(
        line.starts_with("  ✖ Flagger: two Flagger controllers reconcile the same Canaries: ")
            && line.contains(&format!("istio-system/{ours} ("))
            && line.contains("flagger-system/flagger (")
            && line.contains("version 1.37.0, mesh provider kuma, watching all namespaces)"),
        "{line}"
    );
    assert!(check_summary(&two.stdout).contains("failed: Flagger"), "{two:?}");

    // version --server shows both, as the API holds them.
    let version = cmd(&["version", "--server", "--all-contexts", "-o", "json"]);
    let document: Value = serde_json::from_str(&version.stdout).unwrap();
    let mut shown: Vec<&str> = document["clusters"][0]["flaggerVersion"]
        .as_str()
        .unwrap_or_else(|| panic!("{version:?}"))
        .split(", ")
        .collect();
    shown.sort();
    let mut held: Vec<String> = ["istio-system", "flagger-system"]
        .iter()
        .flat_map(|ns| member.list("apps", "deployments", Some(ns)))
        .filter(|d| d["metadata"]["labels"]["app.kubernetes.io/name"] == "flagger")
        .map(|d| {
            let image = d["spec"]["template"]["spec"]["containers"][0]["image"]
                .as_str()
                .unwrap();
            image.rsplit(':').next().unwrap().to_string()
        })
        .collect();
    held.sort();
    assert_eq!(shown, held, "{version:?}");

    // Restricted to one namespace (the chart's `namespace` value), it still meets ours, which
    // watches every namespace: both would reconcile the Canaries of `shop`.
    member
        .apply(
            "apps",
            "deployments",
            Some("flagger-system"),
            &chart_flagger("flagger-system", &["-mesh-provider=kuma", "-namespace=shop"]),
        )
        .unwrap();
    assert_eq!(cmd(&["check", "--all-contexts"]).code, 1);
    // Gone: one controller again.
    member
        .core()
        .delete(
            &member.core().type_of("apps", "v1", "deployments").unwrap(),
            Some("flagger-system"),
            "flagger",
            &Default::default(),
        )
        .unwrap();
    let one = cmd(&["check", "--all-contexts"]);
    assert_eq!(one.code, 0, "{one:?}");
}

#[test]
fn under_fleet_the_hubs_failing_check_is_a_row() {
    let (fleet, home, kc) = hub_fleet();
    let hub = &fleet.hub.as_ref().unwrap().0;
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    let quickstart = hub
        .get("fleet.kurator.dev", "fleets", Some("default"), "quickstart")
        .unwrap();
    assert!(quickstart.pointer("/spec/plugin/flagger").is_none(), "{quickstart}");

    let out = cmd(&["check", "--fleet", "quickstart"]);
    assert_eq!(out.code, 1, "{out:?}");
    let table = check_summary(&out.stdout);
    let hub_row = table
        .lines()
        .find(|l| l.starts_with("kurator-host "))
        .unwrap_or_else(|| panic!("{out:?}"));
    assert!(
        hub_row.contains("0/1") && hub_row.ends_with("failed: plugin.flagger"),
        "{hub_row}"
    );
    assert!(
        out.stdout
            .contains("✖ plugin.flagger: Fleet quickstart has none, so Kurator installs no Flagger"),
        "{out:?}"
    );

    let json = cmd(&["check", "--fleet", "quickstart", "-o", "json"]);
    assert_eq!(json.code, 1, "{json:?}");
    let rows: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(rows[0]["context"], "kurator-host", "{rows}");
    assert_eq!(rows[0]["passed"], false);
    assert_eq!(rows[0]["checks"][0]["name"], "plugin.flagger");
}

#[test]
fn check_asks_for_the_deployment_list_and_watch_that_pending_detection_needs() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let installed = run(plugin(home.path())
        .args(["install", "--all-contexts", "--provider", "istio"])
        .env("KUBECONFIG", &kc));
    assert_eq!(installed.code, 0, "{installed:?}");
    // Everything the other verbs need but listing and watching Deployments: `status` could not
    // tell a release Flagger has not noticed yet.
    let token = fleet.clusters[0].add_user_with_rules(
        "no-deployment-watch",
        vec![
            Rule::new(&["get", "list", "watch", "patch"], &["flagger.app"], &["canaries"]),
            Rule::new(&["get", "patch"], &["apps"], &["deployments"]),
            Rule::new(&["get", "list", "watch"], &["", "apiextensions.k8s.io"], &["*"]),
            Rule::new(&["create", "get"], &[""], &["services/proxy"]),
        ],
    );
    let kc = fleet.write_kubeconfig(home.path(), |entries| entries[0].token = token);
    let out = run(plugin(home.path())
        .args(["check", "--all-contexts"])
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .contains("✖ Permissions: missing in namespace default: list deployments.apps, watch deployments.apps\n"),
        "{out:?}"
    );
}
