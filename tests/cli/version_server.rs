//! `version --server` (issue 17, items 3 and 4): "not installed" only where the cluster answered
//! that no Flagger runs; an unreachable cluster, or one whose Deployments cannot be read, is
//! unknown (`?` in the table, `null` in JSON/YAML); `-o json|yaml` print one document.

use serde_json::Value;

use crate::support::{Fleet, kubectl, kubectl_available, plugin, row, run};

/// The API server's `gitVersion`, as kubectl reads it.
fn server_git_version(home: &std::path::Path, kc: &std::path::Path, context: &str) -> Option<String> {
    if !kubectl_available("version_server::server_git_version") {
        return None;
    }
    let out = run(kubectl(home, kc).args(["--context", context, "get", "--raw", "/version"]));
    let version: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{out:?}"));
    Some(version["gitVersion"].as_str().unwrap().to_string())
}

#[test]
fn version_tells_not_installed_from_unknown_and_prints_one_document() {
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    let client = format!("v{}", env!("CARGO_PKG_VERSION"));

    let plain: Value = serde_json::from_str(&cmd(&["version", "-o", "json"]).stdout).unwrap();
    assert_eq!(plain, serde_json::json!({"clientVersion": client}));

    // Bare clusters answer, and hold no Flagger: "not installed", flaggerInstalled false.
    let bare = cmd(&["version", "--server", "--all-contexts"]);
    assert_eq!(bare.code, 0, "{bare:?}");
    for c in &fleet.clusters {
        assert!(c.list("apps", "deployments", None).is_empty());
        let r = row(&bare.stdout, c.name());
        assert!(r.ends_with("not installed"), "{r}");
    }

    assert_eq!(
        cmd(&["install", "--context", "kurator-member1", "--provider", "istio"]).code,
        0
    );
    let image = fleet.clusters[0]
        .list("apps", "deployments", Some("istio-system"))
        .into_iter()
        .find(|d| d["metadata"]["labels"]["app.kubernetes.io/name"] == "flagger")
        .unwrap()["spec"]["template"]["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap()
        .to_string();
    let flagger_version = image.rsplit(':').next().unwrap().to_string();
    let member1_version = server_git_version(home.path(), &kc, "kurator-member1");
    fleet.clusters[1].set_unreachable(true).unwrap();

    let table = cmd(&["version", "--server", "--all-contexts"]);
    assert_eq!(table.code, 5, "{table:?}");
    assert!(
        table
            .stdout
            .starts_with(&format!("client: kubectl-kurator-rollout {client}\n")),
        "{table:?}"
    );
    let up: Vec<&str> = row(&table.stdout, "kurator-member1").split_whitespace().collect();
    assert_eq!(up[2], flagger_version, "{table:?}");
    if let Some(v) = &member1_version {
        assert_eq!(up[1], v, "{table:?}");
    }
    let down: Vec<&str> = row(&table.stdout, "kurator-member2").split_whitespace().collect();
    assert_eq!(down[1..4], ["?", "?", "unreachable:"], "{table:?}");
    assert!(!table.stdout.contains("not installed"), "{table:?}");

    let json = cmd(&["version", "--server", "--all-contexts", "-o", "json"]);
    assert_eq!(json.code, 5, "{json:?}");
    let document: Value = serde_json::from_str(&json.stdout).unwrap_or_else(|e| panic!("{e}: {json:?}"));
    assert_eq!(document["clientVersion"], client);
    let clusters = document["clusters"].as_array().unwrap();
    assert_eq!(clusters[0]["context"], "kurator-member1");
    assert_eq!(clusters[0]["flaggerInstalled"], true);
    assert_eq!(clusters[0]["flaggerVersion"], flagger_version.as_str());
    assert_eq!(clusters[0]["error"], Value::Null);
    if let Some(v) = &member1_version {
        assert_eq!(clusters[0]["serverVersion"], v.as_str());
    }
    assert_eq!(clusters[1]["context"], "kurator-member2");
    for field in ["serverVersion", "flaggerInstalled", "flaggerVersion"] {
        assert_eq!(clusters[1][field], Value::Null, "{field}: {document}");
    }
    assert!(
        clusters[1]["error"].as_str().unwrap().starts_with("unreachable: "),
        "{document}"
    );

    let yaml = cmd(&["version", "--server", "--all-contexts", "-o", "yaml"]);
    let from_yaml: Value = serde_saphyr::from_str(&yaml.stdout).unwrap_or_else(|e| panic!("{e}: {yaml:?}"));
    assert_eq!(from_yaml, document);
}

#[test]
fn flagger_that_cannot_be_looked_for_is_unknown_not_missing() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    // Authenticated, so /version answers; no rule, so Deployments cannot be listed.
    let token = fleet.clusters[0].add_user_with_rules("nobody", vec![]);
    let kc = fleet.write_kubeconfig(home.path(), |entries| entries[0].token = token);
    let out = run(plugin(home.path())
        .args(["version", "--server", "--all-contexts", "-o", "json"])
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 1, "{out:?}");
    let document: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    let cluster = &document["clusters"][0];
    assert!(cluster["serverVersion"].is_string(), "{document}");
    assert_eq!(cluster["flaggerInstalled"], Value::Null, "{document}");
    assert!(
        cluster["error"]
            .as_str()
            .unwrap()
            .starts_with("Flagger unknown: listing Deployments: 403 Forbidden"),
        "{document}"
    );
}
