//! Field ownership with real kubectl: managedFields as kubectl shows them, server-side apply
//! conflicts and `--force-conflicts`, client-side apply's manager, and the plugin's own applies
//! meeting fields another manager changed.

use std::path::Path;

use serde_json::Value;

use crate::support::rollout::{POLICY, RolloutFleet};
use crate::support::{Fleet, Output, kubectl, kubectl_available, run};

const CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}, color: {type: string}}}
          status: {type: object, properties: {phase: {type: string}}}
"#;

fn ok(out: Output) -> Output {
    assert_eq!(out.code, 0, "{out:?}");
    out
}

fn json_of(out: Output) -> Value {
    serde_json::from_str(&ok(out).stdout).unwrap()
}

/// The managedFields entry of `manager`, if any.
fn entry<'a>(obj: &'a Value, manager: &str) -> Option<&'a Value> {
    obj["metadata"]["managedFields"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["manager"] == manager))
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn kubectl_server_side_apply_owns_fields_conflicts_and_forces() {
    if !kubectl_available("kubectl_server_side_apply_owns_fields_conflicts_and_forces") {
        return;
    }
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let k = || kubectl(home.path(), &kc);
    let crd = write(home.path(), "crd.yaml", CRD);
    ok(run(k().args(["apply", "--server-side", "-f"]).arg(&crd)));
    ok(run(k().args([
        "wait",
        "--for",
        "condition=established",
        "--timeout=10s",
        "crd/widgets.example.com",
    ])));
    let widget = write(
        home.path(),
        "w.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 3\n  color: blue\n",
    );
    ok(run(k().args(["apply", "--server-side", "-f"]).arg(&widget)));

    // kubectl hides managedFields unless asked; the server sends them.
    let hidden = json_of(run(k().args(["get", "widget", "w", "-o", "json"])));
    assert!(hidden["metadata"].get("managedFields").is_none(), "{hidden}");
    let shown = json_of(run(k().args([
        "get",
        "widget",
        "w",
        "-o",
        "json",
        "--show-managed-fields",
    ])));
    let applied = entry(&shown, "kubectl").expect("kubectl's apply entry");
    assert_eq!(applied["operation"], "Apply");
    assert_eq!(applied["apiVersion"], "example.com/v1");
    assert_eq!(applied["fieldsType"], "FieldsV1");
    assert_eq!(
        applied["fieldsV1"],
        serde_json::json!({"f:spec": {"f:color": {}, "f:size": {}}})
    );

    // A patch by another manager takes the field it changed.
    ok(run(k().args([
        "patch",
        "widget",
        "w",
        "--type=merge",
        "-p",
        r#"{"spec":{"size":5}}"#,
    ])));
    let patched = json_of(run(k().args([
        "get",
        "widget",
        "w",
        "-o",
        "json",
        "--show-managed-fields",
    ])));
    let patch_entry = entry(&patched, "kubectl-patch").expect("kubectl-patch's entry");
    assert_eq!(patch_entry["operation"], "Update");
    assert_eq!(patch_entry["fieldsV1"], serde_json::json!({"f:spec": {"f:size": {}}}));
    assert_eq!(
        entry(&patched, "kubectl").unwrap()["fieldsV1"],
        serde_json::json!({"f:spec": {"f:color": {}}})
    );

    // Applying the old value again is a conflict with the Update manager.
    let refused = run(k().args(["apply", "--server-side", "-f"]).arg(&widget));
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("Apply failed with 1 conflict: conflict with \"kubectl-patch\" using example.com/v1: .spec.size"),
        "{refused:?}"
    );
    let still = json_of(run(k().args(["get", "widget", "w", "-o", "json"])));
    assert_eq!(still["spec"]["size"], 5);

    // --force-conflicts takes it over.
    ok(run(k()
        .args(["apply", "--server-side", "--force-conflicts", "-f"])
        .arg(&widget)));
    let forced = json_of(run(k().args([
        "get",
        "widget",
        "w",
        "-o",
        "json",
        "--show-managed-fields",
    ])));
    assert_eq!(forced["spec"]["size"], 3);
    assert!(entry(&forced, "kubectl-patch").is_none(), "{forced}");

    // A field the manager stops applying goes, since no one else owns it.
    let smaller = write(
        home.path(),
        "w2.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 3\n",
    );
    ok(run(k().args(["apply", "--server-side", "-f"]).arg(&smaller)));
    let pruned = json_of(run(k().args(["get", "widget", "w", "-o", "json"])));
    assert_eq!(pruned["spec"], serde_json::json!({"size": 3}));

    // Another applier setting the same value shares the field instead of conflicting.
    ok(run(k()
        .args(["apply", "--server-side", "--field-manager", "other", "-f"])
        .arg(&smaller)));
    let shared = json_of(run(k().args([
        "get",
        "widget",
        "w",
        "-o",
        "json",
        "--show-managed-fields",
    ])));
    assert!(
        entry(&shared, "other").is_some() && entry(&shared, "kubectl").is_some(),
        "{shared}"
    );

    // A client may reset the record ([{}] or []), not lose it by leaving it out.
    ok(run(k().args(["label", "widget", "w", "team=a"])));
    let labelled = json_of(run(k().args([
        "get",
        "widget",
        "w",
        "-o",
        "json",
        "--show-managed-fields",
    ])));
    assert_eq!(
        entry(&labelled, "kubectl-label").unwrap()["fieldsV1"],
        serde_json::json!({"f:metadata": {"f:labels": {".": {}, "f:team": {}}}})
    );
    ok(run(k().args([
        "patch",
        "widget",
        "w",
        "--type=merge",
        "-p",
        r#"{"metadata":{"managedFields":[{}]}}"#,
    ])));
    let reset = json_of(run(k().args([
        "get",
        "widget",
        "w",
        "-o",
        "json",
        "--show-managed-fields",
    ])));
    assert!(reset["metadata"].get("managedFields").is_none(), "{reset}");
}

#[test]
fn kubectl_client_side_apply_is_an_update_by_its_own_manager() {
    if !kubectl_available("kubectl_client_side_apply_is_an_update_by_its_own_manager") {
        return;
    }
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let k = || kubectl(home.path(), &kc);
    let cm = |value: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"{value}\"\n");
    let v1 = write(home.path(), "c1.yaml", &cm("1"));
    let created = ok(run(k().args(["apply", "-f"]).arg(&v1)));
    assert!(created.stdout.contains("configmap/c created"), "{created:?}");
    let obj = json_of(run(k().args(["get", "cm", "c", "-o", "json", "--show-managed-fields"])));
    let csa = entry(&obj, "kubectl-client-side-apply").expect("client-side apply's entry");
    assert_eq!(csa["operation"], "Update");
    assert_eq!(
        csa["fieldsV1"],
        serde_json::json!({
            "f:data": {".": {}, "f:a": {}},
            "f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}}
        })
    );

    let v2 = write(home.path(), "c2.yaml", &cm("2"));
    let configured = ok(run(k().args(["apply", "-f"]).arg(&v2)));
    assert!(configured.stdout.contains("configmap/c configured"), "{configured:?}");

    // Moving to server-side apply: fields still at their last-applied value are not conflicts
    // for kubectl's own manager.
    ok(run(k().args(["apply", "--server-side", "-f"]).arg(&v2)));
    let v3 = write(home.path(), "c3.yaml", &cm("3"));
    ok(run(k().args(["apply", "--server-side", "-f"]).arg(&v3)));
    // ... but a value someone else changed since is.
    ok(run(k().args(["patch", "cm", "c", "-p", r#"{"data":{"a":"9"}}"#])));
    let refused = run(k().args(["apply", "--server-side", "-f"]).arg(&v3));
    assert!(
        refused
            .stderr
            .contains("conflict with \"kubectl-patch\" using v1: .data.a"),
        "{refused:?}"
    );
}

#[test]
fn plugin_apply_reports_a_field_kubectl_edit_changed_and_takes_it_only_with_force_conflicts() {
    if !kubectl_available("plugin_apply_reports_a_field_kubectl_edit_changed_and_takes_it_only_with_force_conflicts") {
        return;
    }
    let s = RolloutFleet::start(2, &[], &[]);
    let editor = s.home.path().join("edit.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsed -i 's/stepWeight: 10$/stepWeight: 20/' \"$1\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let edited = run(kubectl(s.home.path(), &s.kubeconfig)
        .args([
            "--context",
            "kurator-member1",
            "-n",
            "test",
            "edit",
            "canary",
            "podinfo",
        ])
        .env("KUBE_EDITOR", &editor)
        .env("EDITOR", &editor));
    assert_eq!(edited.code, 0, "{edited:?}");
    assert_eq!(s.canary(1)["spec"]["analysis"]["stepWeight"], 20);
    assert!(entry(&s.canary(1), "kubectl-edit").is_some(), "{}", s.canary(1));

    let refused = s.run(&["apply", "-f", POLICY, "--all-contexts"]);
    assert_eq!(refused.code, 5, "member2 applied, member1 conflicted: {refused:?}");
    let row = refused
        .stdout
        .lines()
        .find(|l| l.contains("kurator-member1") && l.contains("Canary test/podinfo"))
        .unwrap_or_else(|| panic!("no Canary row for member1: {refused:?}"));
    assert!(
        row.contains("conflict") && row.contains(".spec.analysis.stepWeight") && row.contains("\"kubectl-edit\""),
        "{row}"
    );
    assert!(row.contains("--force-conflicts"), "{row}");
    assert_eq!(s.canary(1)["spec"]["analysis"]["stepWeight"], 20, "nothing forced");

    let json = s.run(&["apply", "-f", POLICY, "--context", "kurator-member1", "-o", "json"]);
    assert_eq!(json.code, 1, "{json:?}");
    let rows: Value = serde_json::from_str(&json.stdout).unwrap();
    let conflict = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["result"] == "conflict")
        .unwrap_or_else(|| panic!("{rows}"));
    assert_eq!(conflict["object"], "Canary test/podinfo");

    // The dry run meets the same conflict (the server's dry run of the same apply).
    let dry = s.run(&["apply", "-f", POLICY, "--context", "kurator-member1", "--dry-run"]);
    assert_eq!(dry.code, 1, "{dry:?}");
    assert!(dry.stdout.contains("conflict: .spec.analysis.stepWeight"), "{dry:?}");

    let forced = s.run(&["apply", "-f", POLICY, "--all-contexts", "--force-conflicts"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    let canary = s.canary(1);
    assert_eq!(canary["spec"]["analysis"]["stepWeight"], 10);
    let ours = entry(&canary, "kubectl-kurator-rollout").expect("our apply entry");
    assert!(
        ours.pointer("/fieldsV1/f:spec/f:analysis/f:stepWeight").is_some(),
        "{canary}"
    );
    assert!(
        entry(&canary, "kubectl-edit").is_none_or(|e| e.pointer("/fieldsV1/f:spec/f:analysis/f:stepWeight").is_none()),
        "{canary}"
    );
}

#[test]
fn plugin_apply_warns_about_a_rollout_field_another_manager_left() {
    if !kubectl_available("plugin_apply_warns_about_a_rollout_field_another_manager_left") {
        return;
    }
    let s = RolloutFleet::start(1, &[], &[]);
    let patched = run(kubectl(s.home.path(), &s.kubeconfig).args([
        "-n",
        "test",
        "patch",
        "canary",
        "podinfo",
        "--type=merge",
        "-p",
        r#"{"spec":{"analysis":{"stepWeights":[5,10]}}}"#,
    ]));
    assert_eq!(patched.code, 0, "{patched:?}");
    let applied = s.run(&["apply", "-f", POLICY, "--all-contexts"]);
    assert_eq!(applied.code, 0, "a warning does not fail the apply: {applied:?}");
    let warning = applied
        .stdout
        .lines()
        .find(|l| l.contains("warning"))
        .unwrap_or_else(|| panic!("no warning row: {applied:?}"));
    assert!(
        warning.contains(".spec.analysis.stepWeights") && warning.contains("kubectl-patch"),
        "{warning}"
    );
}

#[test]
fn plugin_install_reports_a_field_kubectl_set_changed_and_takes_it_only_with_force_conflicts() {
    if !kubectl_available("plugin_install_reports_a_field_kubectl_set_changed_and_takes_it_only_with_force_conflicts") {
        return;
    }
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let install = |extra: &[&str]| {
        let mut cmd = crate::support::plugin(home.path());
        cmd.args(["install", "--all-contexts", "--provider", "istio"])
            .args(extra)
            .env("KUBECONFIG", &kc);
        run(&mut cmd)
    };
    assert_eq!(install(&[]).code, 0);
    let image = |cluster: &str| {
        fleet
            .cluster(cluster)
            .get(
                "apps",
                "deployments",
                Some("istio-system"),
                &format!("istio-system-flagger-{cluster}"),
            )
            .unwrap()
            .pointer("/spec/template/spec/containers/0/image")
            .and_then(Value::as_str)
            .unwrap()
            .to_string()
    };
    let ours = image("kurator-member1");
    ok(run(kubectl(home.path(), &kc).args([
        "--context",
        "kurator-member1",
        "-n",
        "istio-system",
        "set",
        "image",
        "deployment/istio-system-flagger-kurator-member1",
        "flagger=example.com/flagger:patched",
    ])));

    let refused = install(&[]);
    assert_eq!(refused.code, 5, "member2 installed, member1 conflicted: {refused:?}");
    let row = refused
        .stdout
        .lines()
        .find(|l| l.contains("kurator-member1"))
        .unwrap_or_else(|| panic!("{refused:?}"));
    assert!(
        row.contains("Deployment istio-system/istio-system-flagger-kurator-member1")
            && row.contains(".spec.template.spec.containers[name=\"flagger\"].image")
            && row.contains("\"kubectl-set\" using apps/v1")
            && row.contains("--force-conflicts"),
        "{row}"
    );
    assert_eq!(image("kurator-member1"), "example.com/flagger:patched");

    let forced = install(&["--force-conflicts"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    assert_eq!(image("kurator-member1"), ours);
}

#[test]
fn a_paused_canary_is_a_warning_on_the_next_apply_naming_the_verb() {
    let s = RolloutFleet::start(1, &[], &[]);
    let paused = s.run(&["pause", "podinfo", "-n", "test", "--all-contexts", "--yes"]);
    assert_eq!(paused.code, 0, "{paused:?}");
    let canary = s.canary(1);
    assert_eq!(
        entry(&canary, "kubectl-kurator-rollout-pause").unwrap()["fieldsV1"],
        serde_json::json!({"f:spec": {"f:suspend": {}}}),
        "{canary}"
    );
    let applied = s.run(&["apply", "-f", POLICY, "--all-contexts"]);
    assert_eq!(applied.code, 0, "{applied:?}");
    assert!(
        applied.stdout.lines().any(
            |l| l.contains("warning: .spec.suspend is set by kubectl-kurator-rollout-pause")
                && l.contains("`resume` undoes it")
        ),
        "{applied:?}"
    );
    // Resumed, the field is false: no setting, no warning.
    assert_eq!(
        s.run(&["resume", "podinfo", "-n", "test", "--all-contexts", "--yes"])
            .code,
        0
    );
    let again = s.run(&["apply", "-f", POLICY, "--all-contexts"]);
    assert!(!again.stdout.contains("warning"), "{again:?}");
}

#[test]
fn hub_apply_after_pause_conflicts_with_the_verb_and_after_resume_does_not() {
    let fleet = Fleet::start_with(fleet_sim::PlaygroundOptions {
        clusters: 1,
        kurator: true,
        ..Default::default()
    });
    let home = tempfile::tempdir().unwrap();
    let hub_entry = fleet.hub.as_ref().unwrap().1.clone();
    let kc = home.path().join("kubeconfig");
    std::fs::write(&kc, fleet_sim::to_yaml(&fleet_sim::kubeconfig(&[hub_entry]))).unwrap();
    let cmd = |args: &[&str]| run(crate::support::plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    let app = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml");
    let apply = |extra: &[&str]| cmd(&[&["apply", "-f", app, "--fleet", "quickstart"][..], extra].concat());
    assert_eq!(apply(&[]).code, 0);

    let switch = |verb: &str| cmd(&[verb, "podinfo", "--fleet", "quickstart", "--yes"]);
    assert_eq!(switch("pause").code, 0);
    let refused = apply(&[]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stdout.contains("conflict")
            && refused.stdout.contains(".spec.syncPolicies")
            && refused.stdout.contains("\"kubectl-kurator-rollout-pause\""),
        "{refused:?}"
    );
    // Resumed, the policies are what was applied again: the same apply meets no conflict (it
    // shares the list with resume's Update, a change of managedFields only), then is a no-op.
    assert_eq!(switch("resume").code, 0);
    let again = apply(&[]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(!again.stdout.contains("conflict"), "{again:?}");
    let idle = apply(&[]);
    assert!(idle.stdout.contains("unchanged"), "{idle:?}");
    // Paused again, --force-conflicts takes the policies back (and so resumes).
    assert_eq!(switch("pause").code, 0);
    let forced = apply(&["--force-conflicts"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    let hub = &fleet.hub.as_ref().unwrap().0;
    let obj = hub
        .get("apps.kurator.dev", "applications", Some("default"), "rollout-demo")
        .unwrap();
    assert!(
        obj.pointer("/spec/syncPolicies/0/rollout/rolloutPolicy/suspend")
            .is_none(),
        "{obj}"
    );
}
