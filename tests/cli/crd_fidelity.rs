//! The Flagger CRDs `install` puts in a cluster, compared field by field with upstream Flagger's
//! own: testdata/flagger-crd-paths.txt lists every field path and type of Flagger v1.44.0's
//! `artifacts/flagger/crd.yaml` (made with scripts/crd-paths.py, which documents the notation).
//! The tool generates its CRDs from its own types; without this list nothing outside the project
//! would check them.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::{Fleet, plugin, run};

const UPSTREAM: &str = include_str!("../../testdata/flagger-crd-paths.txt");

/// (crd, path) -> type, from the list.
fn upstream() -> BTreeMap<(String, String), String> {
    UPSTREAM
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(fields.len(), 3, "malformed line {l:?}");
            ((fields[0].to_string(), fields[1].to_string()), fields[2].to_string())
        })
        .collect()
}

/// The same notation as scripts/crd-paths.py, over a schema as the server serves it.
fn walk(crd: &str, path: &str, schema: &Value, out: &mut BTreeMap<(String, String), String>) {
    let mut kind = if schema["x-kubernetes-int-or-string"] == true {
        "int-or-string".to_string()
    } else {
        schema["type"].as_str().unwrap_or("any").to_string()
    };
    if schema["x-kubernetes-preserve-unknown-fields"] == true {
        kind.push_str("+preserve");
    }
    let shown = if path.is_empty() { "." } else { path };
    out.insert((crd.to_string(), shown.to_string()), kind);
    if let Some(properties) = schema["properties"].as_object() {
        for (key, child) in properties {
            walk(crd, &format!("{path}.{key}"), child, out);
        }
    }
    if schema["items"].is_object() {
        walk(crd, &format!("{path}[]"), &schema["items"], out);
    }
    if schema["additionalProperties"].is_object() {
        walk(crd, &format!("{path}{{}}"), &schema["additionalProperties"], out);
    }
}

/// The differences, one line per path, empty when the two agree.
fn differences(ours: &BTreeMap<(String, String), String>, theirs: &BTreeMap<(String, String), String>) -> Vec<String> {
    let mut lines = Vec::new();
    for ((crd, path), kind) in theirs {
        match ours.get(&(crd.clone(), path.clone())) {
            None => lines.push(format!("{crd} {path}: missing (upstream: {kind})")),
            Some(k) if k != kind => lines.push(format!("{crd} {path}: {k}, upstream {kind}")),
            Some(_) => {}
        }
    }
    for ((crd, path), kind) in ours {
        if !theirs.contains_key(&(crd.clone(), path.clone())) {
            lines.push(format!("{crd} {path}: {kind}, not in upstream"));
        }
    }
    lines
}

#[test]
fn installed_flagger_crds_have_upstreams_fields_and_types() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let out = run(plugin(home.path())
        .args(["install", "--provider", "istio"])
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 0, "{out:?}");
    let theirs = upstream();
    let mut ours = BTreeMap::new();
    for crd in [
        "canaries.flagger.app",
        "metrictemplates.flagger.app",
        "alertproviders.flagger.app",
    ] {
        let installed = fleet
            .cluster("kurator-member1")
            .get("apiextensions.k8s.io", "customresourcedefinitions", None, crd)
            .unwrap_or_else(|| panic!("{crd} was installed"));
        let versions = installed["spec"]["versions"].as_array().unwrap();
        let storage = versions.iter().find(|v| v["storage"] == true).unwrap();
        walk(crd, "", &storage["schema"]["openAPIV3Schema"], &mut ours);
    }
    assert!(theirs.len() > 300, "the list covers the three CRDs");
    let diff = differences(&ours, &theirs);
    assert!(diff.is_empty(), "{} differences:\n{}", diff.len(), diff.join("\n"));
}

#[test]
fn a_difference_names_its_path() {
    let entry = |crd: &str, path: &str, kind: &str| ((crd.to_string(), path.to_string()), kind.to_string());
    let theirs = BTreeMap::from([entry("c", ".spec.a", "string"), entry("c", ".spec.b", "number")]);
    let ours = BTreeMap::from([entry("c", ".spec.a", "integer"), entry("c", ".spec.z", "string")]);
    assert_eq!(
        differences(&ours, &theirs),
        [
            "c .spec.a: integer, upstream string",
            "c .spec.b: missing (upstream: number)",
            "c .spec.z: string, not in upstream"
        ]
    );
}
