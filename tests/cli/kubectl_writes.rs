//! Real kubectl against the simulator's write rules and lifecycles: what a real API server refuses
//! (with the message kubectl prints), namespace termination, finalizers and strategic merge patch.

use std::path::{Path, PathBuf};

use crate::support::{Fleet, Output, kubectl, kubectl_available, run};

fn ok(out: Output) -> Output {
    assert_eq!(out.code, 0, "{out:?}");
    out
}

fn failed(out: Output) -> Output {
    assert_eq!(out.code, 1, "{out:?}");
    out
}

struct Setup {
    _fleet: Fleet,
    home: tempfile::TempDir,
    kubeconfig: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let fleet = Fleet::start(1);
        let home = tempfile::tempdir().unwrap();
        let kubeconfig = fleet.write_kubeconfig(home.path(), |_| {});
        Setup {
            _fleet: fleet,
            home,
            kubeconfig,
        }
    }

    fn k(&self, args: &[&str]) -> Output {
        run(kubectl(self.home.path(), &self.kubeconfig).args(args))
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.home.path().join(name);
        std::fs::write(&path, text).unwrap();
        path_str(&path)
    }

    /// Waits until `done` holds for kubectl's answer.
    fn wait_for(&self, args: &[&str], done: impl Fn(&Output) -> bool) -> Output {
        crate::support::wait_for(&format!("kubectl {args:?}"), || {
            let out = self.k(args);
            if done(&out) { Ok(out) } else { Err(format!("{out:?}")) }
        })
    }
}

fn path_str(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1
"#;

#[test]
fn kubectl_create_with_invalid_names_and_labels_prints_the_servers_422() {
    if !kubectl_available("kubectl_create_with_invalid_names_and_labels_prints_the_servers_422") {
        return;
    }
    let s = Setup::new();
    let bad = failed(s.k(&["create", "configmap", "Bad_Name"]));
    assert!(
        bad.stderr.contains(
            "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        ),
        "{bad:?}"
    );
    let ns = failed(s.k(&["create", "namespace", "my.ns"]));
    assert!(
        ns.stderr
            .contains("Namespace \"my.ns\" is invalid: metadata.name: Invalid value: \"my.ns\": must not contain dots"),
        "{ns:?}"
    );
    let svc = failed(s.k(&["create", "service", "clusterip", "9lives", "--tcp=80:8080"]));
    assert!(svc.stderr.contains("a DNS-1035 label must consist of"), "{svc:?}");
    ok(s.k(&["create", "configmap", "c"]));
    let label = failed(s.k(&["label", "configmap", "c", "bad key=x"]));
    assert!(
        label
            .stderr
            .contains("metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric characters"),
        "{label:?}"
    );
    // kubectl checks label values itself; a patch reaches the server.
    let value = failed(s.k(&[
        "patch",
        "configmap",
        "c",
        "--type=merge",
        "-p",
        r#"{"metadata":{"labels":{"ok":"-bad-"}}}"#,
    ]));
    assert!(
        value
            .stderr
            .contains("metadata.labels: Invalid value: \"-bad-\": a valid label must be an empty string"),
        "{value:?}"
    );
}

#[test]
fn kubectl_deployment_rules_selector_match_immutability_enums_and_unknown_fields() {
    if !kubectl_available("kubectl_deployment_rules_selector_match_immutability_enums_and_unknown_fields") {
        return;
    }
    let s = Setup::new();
    let mismatch = s.file(
        "mismatch.yaml",
        &DEPLOYMENT.replace("labels: {app: web}", "labels: {app: api}"),
    );
    let out = failed(s.k(&["create", "-f", &mismatch]));
    assert!(
        out.stderr.contains(
            "The Deployment \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"api\"}: `selector` does not match template `labels`"
        ),
        "{out:?}"
    );

    // kubectl validates strictly by default: the server names every unknown field.
    let unknown = s.file(
        "unknown.yaml",
        &DEPLOYMENT
            .replace("  selector:", "  foo: 1\n  selector:")
            .replace("image: nginx:1", "image: nginx:1\n        imagee: x"),
    );
    let out = failed(s.k(&["apply", "-f", &unknown]));
    assert!(
        out.stderr.contains(
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.foo\", unknown field \"spec.template.spec.containers[0].imagee\""
        ),
        "{out:?}"
    );
    // Server-side apply fails to convert the configuration to the type's schema.
    let out = failed(s.k(&["apply", "--server-side", "-f", &unknown]));
    assert!(
        out.stderr
            .contains("failed to create typed patch object (default/web; apps/v1, Kind=Deployment)")
            && out.stderr.contains(".spec.foo: field not declared in schema"),
        "{out:?}"
    );
    let warned = ok(s.k(&["apply", "--validate=warn", "-f", &unknown]));
    assert!(
        warned.stderr.contains("Warning: unknown field \"spec.foo\""),
        "{warned:?}"
    );
    let spec = ok(s.k(&["get", "deploy", "web", "-o", "jsonpath={.spec}"]));
    assert!(
        !spec.stdout.contains("foo") && !spec.stdout.contains("imagee"),
        "{spec:?}"
    );
    // The same fields in a later apply are a strict decoding error of the patch.
    let out = failed(s.k(&["apply", "-f", &unknown]));
    assert!(
        out.stderr.contains("error when patching")
            && out.stderr.contains("strict decoding error: unknown field \"spec.foo\""),
        "{out:?}"
    );

    let moved = s.file(
        "moved.yaml",
        &DEPLOYMENT.replace("{app: web}", "{app: web, tier: front}"),
    );
    let out = failed(s.k(&["apply", "-f", &moved]));
    assert!(
        out.stderr.contains(
            "The Deployment \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"front\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
        ),
        "{out:?}"
    );

    // kubectl apply sends `$retainKeys` for the strategy: Recreate drops rollingUpdate.
    let rolling = s.file(
        "rolling.yaml",
        &DEPLOYMENT.replace(
            "  selector:",
            "  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}\n  selector:",
        ),
    );
    ok(s.k(&["apply", "-f", &rolling]));
    let recreate = s.file(
        "recreate.yaml",
        &DEPLOYMENT.replace("  selector:", "  strategy: {type: Recreate}\n  selector:"),
    );
    ok(s.k(&["apply", "-f", &recreate]));
    let strategy = ok(s.k(&["get", "deploy", "web", "-o", "jsonpath={.spec.strategy}"]));
    assert_eq!(strategy.stdout, r#"{"type":"Recreate"}"#);
    let out = failed(s.k(&[
        "patch",
        "deploy",
        "web",
        "-p",
        r#"{"spec":{"strategy":{"type":"Sometimes"}}}"#,
    ]));
    assert!(
        out.stderr.contains(
            "spec.strategy.type: Unsupported value: \"Sometimes\": supported values: \"Recreate\", \"RollingUpdate\""
        ),
        "{out:?}"
    );
    // kubectl cannot make a bad type itself; send one through a file.
    let svc = s.file(
        "svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec:\n  type: Foo\n  ports: [{port: 80}]\n",
    );
    let out = failed(s.k(&["create", "-f", &svc]));
    assert!(
        out.stderr.contains(
            "spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""
        ),
        "{out:?}"
    );
}

#[test]
fn kubectl_create_with_resource_version_and_replace_of_a_custom_resource_without_one() {
    if !kubectl_available("kubectl_create_with_resource_version_and_replace_of_a_custom_resource_without_one") {
        return;
    }
    let s = Setup::new();
    // `kubectl create -f` clears resourceVersion itself (cli-runtime Helper.Create); the raw
    // request reaches the server as written.
    let cm = s.file(
        "cm.json",
        r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "resourceVersion": "5"}}"#,
    );
    let out = failed(s.k(&["create", "--raw", "/api/v1/namespaces/default/configmaps", "-f", &cm]));
    assert!(
        out.stderr
            .contains("resourceVersion should not be set on objects to be created"),
        "{out:?}"
    );
    let crd = s.file(
        "crd.yaml",
        r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget, listKind: GadgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
"#,
    );
    ok(s.k(&["apply", "--server-side", "-f", &crd]));
    ok(s.k(&[
        "wait",
        "--for",
        "condition=established",
        "--timeout=10s",
        "crd/gadgets.example.com",
    ]));
    let gadget = s.file(
        "gadget.yaml",
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: app}\nspec: {size: 1}\n",
    );
    // --validate=false: this test is about the server's update rule, not kubectl's schema check
    // (which needs the CRD's OpenAPI document).
    ok(s.k(&["create", "--validate=false", "-f", &gadget]));
    // `kubectl replace -f` fills in the resourceVersion it reads (cli-runtime Helper.Replace);
    // a raw PUT, as other clients send it, does not.
    let raw = s.file(
        "gadget.json",
        r#"{"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "app"}, "spec": {"size": 1}}"#,
    );
    let out = failed(s.k(&[
        "replace",
        "--raw",
        "/apis/example.com/v1/namespaces/default/gadgets/app",
        "-f",
        &raw,
    ]));
    assert!(
        out.stderr.contains(
            // kubectl prints the details' kind, which upstream fills with the resource.
            "The gadgets \"app\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"
        ),
        "{out:?}"
    );
    // Read-modify-write carries the resourceVersion and succeeds.
    let current = ok(s.k(&["get", "gadget", "app", "-o", "yaml"]));
    let edited = s.file("edited.yaml", &current.stdout.replace("size: 1", "size: 2"));
    ok(s.k(&["replace", "--validate=false", "-f", &edited]));
}

#[test]
fn kubectl_delete_namespace_goes_terminating_until_finalizers_are_released() {
    if !kubectl_available("kubectl_delete_namespace_goes_terminating_until_finalizers_are_released") {
        return;
    }
    let s = Setup::new();
    ok(s.k(&["create", "namespace", "doomed"]));
    ok(s.k(&["-n", "doomed", "create", "configmap", "free"]));
    ok(s.k(&["-n", "doomed", "create", "configmap", "held"]));
    // Strategic merge patch merges finalizers (patchStrategy merge) instead of replacing them.
    ok(s.k(&[
        "-n",
        "doomed",
        "patch",
        "cm",
        "held",
        "-p",
        r#"{"metadata":{"finalizers":["example.com/one"]}}"#,
    ]));
    ok(s.k(&[
        "-n",
        "doomed",
        "patch",
        "cm",
        "held",
        "-p",
        r#"{"metadata":{"finalizers":["example.com/two"]}}"#,
    ]));
    let finalizers = ok(s.k(&[
        "-n",
        "doomed",
        "get",
        "cm",
        "held",
        "-o",
        "jsonpath={.metadata.finalizers}",
    ]));
    assert_eq!(finalizers.stdout, r#"["example.com/one","example.com/two"]"#);

    let deleted = ok(s.k(&["delete", "namespace", "doomed", "--wait=false"]));
    assert!(deleted.stdout.contains("namespace \"doomed\" deleted"), "{deleted:?}");
    let ns = ok(s.k(&["get", "namespace", "doomed"]));
    assert!(ns.stdout.contains("Terminating"), "{ns:?}");
    let left = ok(s.k(&["-n", "doomed", "get", "cm", "-o", "name"]));
    assert_eq!(left.stdout.trim(), "configmap/held", "{left:?}");
    let held = ok(s.k(&[
        "-n",
        "doomed",
        "get",
        "cm",
        "held",
        "-o",
        "jsonpath={.metadata.deletionGracePeriodSeconds}",
    ]));
    assert_eq!(held.stdout, "0");

    let late = failed(s.k(&["-n", "doomed", "create", "configmap", "late"]));
    assert!(
        late.stderr.contains(
            "configmaps \"late\" is forbidden: unable to create new content in namespace doomed because it is being terminated"
        ),
        "{late:?}"
    );
    let more = failed(s.k(&[
        "-n",
        "doomed",
        "patch",
        "cm",
        "held",
        "-p",
        r#"{"metadata":{"finalizers":["example.com/three"]}}"#,
    ]));
    assert!(
        more.stderr.contains(
            "The ConfigMap \"held\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/three\"}"
        ),
        "{more:?}"
    );
    // $deleteFromPrimitiveList releases both; the namespace then goes.
    ok(s.k(&[
        "-n",
        "doomed",
        "patch",
        "cm",
        "held",
        "--type=strategic",
        "-p",
        r#"{"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/one","example.com/two"]}}"#,
    ]));
    let gone = s.wait_for(&["get", "namespace", "doomed"], |o| o.stderr.contains("NotFound"));
    assert!(gone.stderr.contains("namespaces \"doomed\" not found"), "{gone:?}");

    let immortal = failed(s.k(&["delete", "namespace", "default"]));
    assert!(
        immortal
            .stderr
            .contains("namespaces \"default\" is forbidden: this namespace may not be deleted"),
        "{immortal:?}"
    );
}

#[test]
fn kubectl_delete_waits_for_finalizers_and_cascades() {
    if !kubectl_available("kubectl_delete_waits_for_finalizers_and_cascades") {
        return;
    }
    let s = Setup::new();
    ok(s.k(&["create", "configmap", "plain"]));
    let deleted = ok(s.k(&["delete", "configmap", "plain"]));
    assert!(deleted.stdout.contains("configmap \"plain\" deleted"), "{deleted:?}");
    ok(s.k(&["create", "configmap", "held"]));
    ok(s.k(&[
        "patch",
        "cm",
        "held",
        "--type=merge",
        "-p",
        r#"{"metadata":{"finalizers":["example.com/hold"]}}"#,
    ]));
    let pending = ok(s.k(&["delete", "configmap", "held", "--wait=false"]));
    assert!(pending.stdout.contains("configmap \"held\" deleted"), "{pending:?}");
    let still = ok(s.k(&["get", "cm", "held", "-o", "jsonpath={.metadata.deletionTimestamp}"]));
    assert!(!still.stdout.is_empty(), "{still:?}");
    // A waiting delete returns once the finalizer goes.
    ok(s.k(&[
        "patch",
        "cm",
        "held",
        "--type=json",
        "-p",
        r#"[{"op":"remove","path":"/metadata/finalizers"}]"#,
    ]));
    let gone = s.wait_for(&["get", "cm", "held"], |o| o.stderr.contains("NotFound"));
    assert!(gone.stderr.contains("not found"), "{gone:?}");
    ok(s.k(&["create", "configmap", "fg"]));
    let fg = ok(s.k(&["delete", "configmap", "fg", "--cascade=foreground"]));
    assert!(fg.stdout.contains("configmap \"fg\" deleted"), "{fg:?}");
    let gone = s.k(&["get", "cm", "fg"]);
    assert!(gone.stderr.contains("not found"), "{gone:?}");
}

#[test]
fn kubectl_dry_run_server_writes_nothing_and_other_dry_run_values_are_refused() {
    if !kubectl_available("kubectl_dry_run_server_writes_nothing_and_other_dry_run_values_are_refused") {
        return;
    }
    let s = Setup::new();
    let deployment = s.file("web.yaml", DEPLOYMENT);
    // Nothing exists yet: each dry run answers as the server would, and stores nothing.
    let created = ok(s.k(&["create", "-f", &deployment, "--dry-run=server"]));
    assert!(
        created.stdout.contains("deployment.apps/web created (server dry run)"),
        "{created:?}"
    );
    ok(s.k(&["apply", "--server-side", "-f", &deployment, "--dry-run=server"]));
    failed(s.k(&["get", "deployment", "web"]));
    ok(s.k(&["create", "-f", &deployment]));
    let patched = ok(s.k(&[
        "patch",
        "deployment",
        "web",
        "--type=merge",
        "-p",
        r#"{"spec":{"replicas":3}}"#,
        "--dry-run=server",
        "-o",
        "jsonpath={.spec.replicas}",
    ]));
    assert_eq!(patched.stdout, "3", "{patched:?}");
    ok(s.k(&["label", "deployment", "web", "tier=front", "--dry-run=server"]));
    ok(s.k(&["scale", "deployment", "web", "--replicas=5", "--dry-run=server"]));
    // kubectl sends the delete's dryRun in the DeleteOptions body.
    let deleted = ok(s.k(&["delete", "deployment", "web", "--dry-run=server"]));
    assert!(deleted.stdout.contains("(server dry run)"), "{deleted:?}");
    let live = ok(s.k(&[
        "get",
        "deployment",
        "web",
        "-o",
        "jsonpath={.spec.replicas} {.metadata.labels}",
    ]));
    assert_eq!(live.stdout, "1 ", "a server dry run changed the Deployment: {live:?}");

    // A value other than `All` reaches the server only raw, and is refused with its 422.
    let cm = s.file(
        "cm.json",
        r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}"#,
    );
    let out = failed(s.k(&[
        "create",
        "--raw",
        "/api/v1/namespaces/default/configmaps?dryRun=true",
        "-f",
        &cm,
    ]));
    assert!(
        out.stderr
            .contains(r#"dryRun: Unsupported value: []string{"true"}: supported values: "All""#),
        "{out:?}"
    );
    failed(s.k(&["get", "configmap", "c"]));
}
