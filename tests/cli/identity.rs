//! Identity: RBAC decided from the Roles and bindings stored in the cluster, impersonation,
//! and the review APIs — with real kubectl, and the plugin's `check` against a user who lacks
//! exactly one of the permissions it needs.

use fleet_sim::Rule;

use crate::support::{Fleet, Output, kubectl, kubectl_available, plugin, run};

fn ok(out: Output) -> Output {
    assert_eq!(out.code, 0, "{out:?}");
    out
}

/// What `check` needs except `patch canaries.flagger.app`, plus reading everything so that the
/// other rows can be computed.
fn all_but_patch_canaries() -> Vec<Rule> {
    vec![
        Rule::new(&["get", "list", "watch"], &["*"], &["*"]),
        Rule::new(&["patch"], &["apps"], &["deployments"]),
        Rule::new(&["create", "get"], &[""], &["services/proxy"]),
    ]
}

const ONLY_PATCH_CANARIES_MISSING: &str = "✖ Permissions: missing in namespace default: patch canaries.flagger.app\n";

#[test]
fn check_names_the_one_permission_a_user_lacks() {
    let fleet = Fleet::start(1);
    let cluster = fleet.cluster("kurator-member1");
    let token = cluster.add_user_with_rules("limited", all_but_patch_canaries());
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |entries| entries[0].token = token);
    let out = run(plugin(home.path())
        .args(["check", "--context", "kurator-member1"])
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains(ONLY_PATCH_CANARIES_MISSING), "{out:?}");

    // The binding is what grants: once an admin adds the missing rule, check passes that row.
    let admin_home = tempfile::tempdir().unwrap();
    let admin_kc = fleet.write_kubeconfig(admin_home.path(), |_| {});
    // No Flagger CRDs here, so `kubectl create role --resource=canaries` would not resolve the
    // resource: the Role comes from a manifest.
    let role = admin_home.path().join("role.yaml");
    std::fs::write(
        &role,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: canary-patcher, namespace: default}\nrules:\n- {apiGroups: [flagger.app], resources: [canaries], verbs: [patch]}\n",
    )
    .unwrap();
    ok(run(kubectl(admin_home.path(), &admin_kc)
        .arg("create")
        .arg("-f")
        .arg(&role)));
    ok(run(kubectl(admin_home.path(), &admin_kc).args([
        "create",
        "rolebinding",
        "limited-patches-canaries",
        "--role=canary-patcher",
        "--user=limited",
    ])));
    let out = run(plugin(home.path())
        .args(["check", "--context", "kurator-member1"])
        .env("KUBECONFIG", &kc));
    assert!(
        out.stdout.contains("✔ Permissions: all needed in namespace default"),
        "{out:?}"
    );
}

#[test]
fn check_as_an_impersonated_user() {
    let fleet = Fleet::start(1);
    let cluster = fleet.cluster("kurator-member1");
    // The admin acts as "limited" (the plugin's --as, as kubectl's): the rules of "limited" count.
    cluster.add_user_with_rules("limited", all_but_patch_canaries());
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let out = run(plugin(home.path())
        .args(["check", "--context", "kurator-member1", "--as", "limited"])
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains(ONLY_PATCH_CANARIES_MISSING), "{out:?}");

    // A user without the impersonate permission gets the server's refusal, in the row.
    let token = cluster.add_user_with_rules("viewer", vec![Rule::new(&["get", "list"], &["*"], &["*"])]);
    let kc = fleet.write_kubeconfig(home.path(), |entries| entries[0].token = token);
    let out = run(plugin(home.path())
        .args(["check", "--context", "kurator-member1", "--as", "limited"])
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 1, "{out:?}");
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains(
            "users \"limited\" is forbidden: User \"viewer\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
        ),
        "{out:?}"
    );
}

#[test]
fn kubectl_whoami_can_i_and_impersonation() {
    if !kubectl_available("kubectl_whoami_can_i_and_impersonation") {
        return;
    }
    let fleet = Fleet::start(1);
    let cluster = fleet.cluster("kurator-member1");
    let limited_token = cluster.add_user_with_rules("limited", all_but_patch_canaries());
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let k = || kubectl(home.path(), &kc);
    // The Flagger CRDs, so that kubectl resolves `canaries`.
    let install = run(plugin(home.path())
        .args([
            "install",
            "--context",
            "kurator-member1",
            "--provider",
            "kuma",
            "--timeout",
            "30s",
        ])
        .env("KUBECONFIG", &kc));
    assert_eq!(install.code, 0, "{install:?}");

    let who = ok(run(k().args(["auth", "whoami"])));
    assert!(who.stdout.contains("kurator-member1-admin"), "{who:?}");
    assert!(
        who.stdout.contains("[kubeadm:cluster-admins system:authenticated]"),
        "{who:?}"
    );
    let who = ok(run(k().args(["auth", "whoami", "--as", "alice", "--as-group", "dev"])));
    assert!(
        who.stdout.contains("alice") && who.stdout.contains("[dev system:authenticated]"),
        "{who:?}"
    );

    assert_eq!(
        ok(run(k().args(["auth", "can-i", "patch", "canaries"]))).stdout.trim(),
        "yes"
    );
    let no = run(k().args(["auth", "can-i", "patch", "canaries", "--as", "limited"]));
    assert_eq!((no.code, no.stdout.trim()), (1, "no"), "{no:?}");
    let yes = ok(run(k().args([
        "auth",
        "can-i",
        "patch",
        "deployments",
        "--as",
        "limited",
    ])));
    assert_eq!(yes.stdout.trim(), "yes");
    let yes = ok(run(k().args([
        "auth",
        "can-i",
        "create",
        "services",
        "--subresource=proxy",
        "--as",
        "limited",
    ])));
    assert_eq!(yes.stdout.trim(), "yes");
    // TYPE/NAME: a Service named proxy, which is not the subresource.
    let no = run(k().args(["auth", "can-i", "create", "services/proxy", "--as", "limited"]));
    assert_eq!(no.stdout.trim(), "no", "{no:?}");

    let denied = run(k().args(["get", "pods", "--as", "nobody"]));
    assert_eq!(denied.code, 1, "{denied:?}");
    assert!(
        denied.stderr.contains(
            "Error from server (Forbidden): pods is forbidden: User \"nobody\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
        ),
        "{denied:?}"
    );

    // As the limited user itself (its own token): what it may do, and no impersonation.
    let lim_home = tempfile::tempdir().unwrap();
    let lim_kc = fleet.write_kubeconfig(lim_home.path(), |entries| entries[0].token = limited_token);
    let l = || kubectl(lim_home.path(), &lim_kc);
    let who = ok(run(l().args(["auth", "whoami"])));
    assert!(
        who.stdout.contains("limited") && who.stdout.contains("[system:authenticated]"),
        "{who:?}"
    );
    let list = ok(run(l().args(["auth", "can-i", "--list"])));
    for row in [
        "selfsubjectaccessreviews.authorization.k8s.io",
        "selfsubjectrulesreviews.authorization.k8s.io",
        "selfsubjectreviews.authentication.k8s.io",
        "services/proxy",
        "deployments.apps",
        "[/version]",
        "[/apis/*]",
    ] {
        assert!(list.stdout.contains(row), "{row} missing: {list:?}");
    }
    // (`kubectl get pods` would print only "Forbidden: unknown": discovery reads the error
    // body raw, against a real server too; a raw GET shows the server's message.)
    let refused = run(l().args(["get", "--raw", "/api/v1/namespaces/default/pods", "--as", "someone"]));
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.contains(
            "users \"someone\" is forbidden: User \"limited\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
        ),
        "{refused:?}"
    );
}

#[test]
fn kubectl_rolebinding_grants_access_at_once() {
    if !kubectl_available("kubectl_rolebinding_grants_access_at_once") {
        return;
    }
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let k = || kubectl(home.path(), &kc);

    // The bootstrap policy is made of stored objects, like the admin's own binding.
    let bindings = ok(run(k().args(["get", "clusterrolebindings"])));
    for name in [
        "cluster-admin",
        "kubeadm:cluster-admins",
        "system:basic-user",
        "system:discovery",
    ] {
        assert!(bindings.stdout.contains(name), "{name} missing: {bindings:?}");
    }
    assert!(
        bindings
            .stdout
            .lines()
            .any(|l| l.starts_with("kubeadm:cluster-admins") && l.contains("ClusterRole/cluster-admin")),
        "{bindings:?}"
    );
    let role = ok(run(k().args(["get", "clusterrole", "system:basic-user", "-o", "yaml"])));
    assert!(role.stdout.contains("selfsubjectrulesreviews"), "{role:?}");
    // view's rules are the aggregation controller's (server-side applied), the rest the server's.
    let managers = ok(run(k().args([
        "get",
        "clusterrole",
        "view",
        "--show-managed-fields",
        "-o",
        "jsonpath={.metadata.managedFields[*].manager}",
    ])));
    assert_eq!(
        managers.stdout, "clusterrole-aggregation-controller kube-apiserver",
        "{managers:?}"
    );

    let denied = run(k().args(["get", "configmaps", "--as", "bob"]));
    assert!(
        denied
            .stderr
            .contains("configmaps is forbidden: User \"bob\" cannot list resource \"configmaps\""),
        "{denied:?}"
    );
    ok(run(k().args([
        "create",
        "clusterrole",
        "cm-reader",
        "--verb=get,list,watch",
        "--resource=configmaps",
    ])));
    ok(run(k().args([
        "create",
        "rolebinding",
        "bob-reads",
        "--clusterrole=cm-reader",
        "--user=bob",
    ])));
    ok(run(k().args(["get", "configmaps", "--as", "bob"])));
    let wide = ok(run(k().args(["get", "rolebindings", "-o", "wide"])));
    let row = wide
        .stdout
        .lines()
        .find(|l| l.starts_with("bob-reads"))
        .unwrap_or_default();
    assert!(
        row.contains("ClusterRole/cm-reader") && row.trim_end().ends_with("bob"),
        "{wide:?}"
    );
    // A RoleBinding grants in its own namespace only.
    let elsewhere = run(k().args(["get", "configmaps", "--as", "bob", "-n", "kube-system"]));
    assert!(
        elsewhere.stderr.contains(
            "configmaps is forbidden: User \"bob\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"kube-system\""
        ),
        "{elsewhere:?}"
    );
    // Groups bind too.
    ok(run(k().args([
        "create",
        "clusterrolebinding",
        "readers-everywhere",
        "--clusterrole=cm-reader",
        "--group=readers",
    ])));
    ok(run(k().args([
        "get",
        "configmaps",
        "-A",
        "--as",
        "carol",
        "--as-group",
        "readers",
    ])));

    // A binding whose role is gone: the denial says why, as the RBAC authorizer does.
    ok(run(k().args([
        "create",
        "rolebinding",
        "dangling",
        "--clusterrole=gone",
        "--user=dave",
    ])));
    let dangling = run(k().args(["get", "secrets", "--as", "dave"]));
    assert!(
        dangling
            .stderr
            .contains(": RBAC: clusterrole.rbac.authorization.k8s.io \"gone\" not found"),
        "{dangling:?}"
    );
}

/// `playground --user NAME[=CLUSTERROLE]` mints users with contexts of their own.
#[test]
fn playground_mints_users() {
    if !kubectl_available("playground_mints_users") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let pg = crate::support::PlaygroundProcess::start(
        home.path(),
        &[
            "--clusters",
            "1",
            "--no-flagger",
            "--user",
            "limited",
            "--user",
            "ops=cluster-admin",
        ],
    );
    let k = || kubectl(home.path(), &pg.kubeconfig);
    let contexts = ok(run(k().args(["config", "get-contexts", "-o", "name"])));
    assert_eq!(
        contexts.stdout, "kurator-member1\nlimited@kurator-member1\nops@kurator-member1\n",
        "{contexts:?}"
    );
    let who = ok(run(k().args([
        "auth",
        "whoami",
        "--context",
        "limited@kurator-member1",
    ])));
    assert!(who.stdout.contains("limited"), "{who:?}");
    let denied = run(k().args(["get", "configmaps", "--context", "limited@kurator-member1"]));
    assert!(
        denied
            .stderr
            .contains("User \"limited\" cannot list resource \"configmaps\""),
        "{denied:?}"
    );
    ok(run(k().args(["get", "configmaps", "--context", "ops@kurator-member1"])));
    let bindings = ok(run(k().args(["get", "clusterrolebindings", "-o", "name"])));
    assert!(
        bindings
            .stdout
            .contains("clusterrolebinding.rbac.authorization.k8s.io/fleet-sim:ops:cluster-admin"),
        "{bindings:?}"
    );
}

fn role(namespace: &str, name: &str, rules: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": name, "namespace": namespace}, "rules": rules,
    })
}

fn binding_to_user(namespace: &str, role: &str, user: &str) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": format!("{role}-{user}"), "namespace": namespace},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    })
}

/// A user holding exactly the README's Roles (canaries and Deployments in the canaries'
/// namespace, the service proxy in the load tester's) can check, start and promote; without
/// the load tester's namespace, check names what is missing there and promote is refused.
#[test]
fn the_documented_roles_are_enough_and_check_says_where_one_is_missing() {
    use crate::support::rollout::RolloutFleet;
    let s = RolloutFleet::start(1, &["--manual-promotion"], &[]);
    let c = s.cluster(1);
    let rbac = "rbac.authorization.k8s.io";
    let operator = serde_json::json!([
        {"apiGroups": ["flagger.app"], "resources": ["canaries"], "verbs": ["get", "list", "watch", "patch"]},
        {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch", "patch"]},
    ]);
    c.create(rbac, "roles", Some("test"), role("test", "rollout-operator", operator))
        .unwrap();
    c.create(
        rbac,
        "rolebindings",
        Some("test"),
        binding_to_user("test", "rollout-operator", "operator"),
    )
    .unwrap();
    let as_operator = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["-n", "test", "--all-contexts", "--as", "operator"]);
        s.run(&all)
    };

    let check = as_operator(&["check"]);
    assert_eq!(check.code, 1, "{check:?}");
    assert!(
        check
            .stdout
            .contains("✖ Permissions: missing in namespace istio-system: create services/proxy, get services/proxy"),
        "{check:?}"
    );
    // The CRDs cannot be read from a namespace: that row says so, the others still run.
    assert!(
        check.stdout.contains("✖ Flagger CRDs: 403 Forbidden: customresourcedefinitions.apiextensions.k8s.io \"canaries.flagger.app\" is forbidden: User \"operator\""),
        "{check:?}"
    );
    let started = as_operator(&["start", "podinfo", "--image", "podinfod=podinfo:2", "--yes"]);
    assert_eq!(started.code, 0, "{started:?}");
    s.wait(&[1], "WaitingPromotion");
    let refused = as_operator(&["promote", "podinfo", "--yes"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stdout.contains("User \"operator\" cannot create resource \"services/proxy\" in API group \"\" in the namespace \"istio-system\""),
        "{refused:?}"
    );

    let gates = serde_json::json!([{"apiGroups": [""], "resources": ["services/proxy"], "verbs": ["create", "get"]}]);
    c.create(
        rbac,
        "roles",
        Some("istio-system"),
        role("istio-system", "rollout-gates", gates),
    )
    .unwrap();
    c.create(
        rbac,
        "rolebindings",
        Some("istio-system"),
        binding_to_user("istio-system", "rollout-gates", "operator"),
    )
    .unwrap();
    let check = as_operator(&["check"]);
    assert!(
        check.stdout.contains("✔ Permissions: all needed in namespace test"),
        "{check:?}"
    );
    let promoted = as_operator(&["promote", "podinfo", "--yes"]);
    assert_eq!(promoted.code, 0, "{promoted:?}");
    s.wait(&[1], "Succeeded");
}

/// `kubectl create token` issues a ServiceAccount token that authenticates as the account,
/// RoleBindings to the account apply, and deleting the account revokes the token.
#[test]
fn kubectl_service_account_tokens() {
    if !kubectl_available("kubectl_service_account_tokens") {
        return;
    }
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let k = || kubectl(home.path(), &kc);
    ok(run(k().args(["create", "serviceaccount", "deployer"])));
    let token = ok(run(k().args(["create", "token", "deployer", "--duration", "15m"])))
        .stdout
        .trim()
        .to_string();
    let as_sa = |args: &[&str]| run(k().arg("--token").arg(&token).args(args));
    let who = ok(as_sa(&["auth", "whoami"]));
    assert!(
        who.stdout.contains("system:serviceaccount:default:deployer")
            && who
                .stdout
                .contains("[system:serviceaccounts system:serviceaccounts:default system:authenticated]")
            && who.stdout.contains("authentication.kubernetes.io/credential-id"),
        "{who:?}"
    );
    let denied = as_sa(&["get", "deployments"]);
    assert!(
        denied
            .stderr
            .contains("User \"system:serviceaccount:default:deployer\" cannot list resource \"deployments\""),
        "{denied:?}"
    );
    ok(run(k().args([
        "create",
        "rolebinding",
        "deployer-edits",
        "--clusterrole=edit",
        "--serviceaccount=default:deployer",
    ])));
    ok(as_sa(&["get", "deployments"]));
    let short = run(k().args(["create", "token", "deployer", "--duration", "1m"]));
    assert!(
        short.stderr.contains("may not specify a duration less than 10 minutes"),
        "{short:?}"
    );
    ok(run(k().args(["delete", "serviceaccount", "deployer"])));
    let revoked = as_sa(&["get", "deployments"]);
    assert!(revoked.stderr.contains("Unauthorized"), "{revoked:?}");
}

/// A certificate signed by the cluster's CA is its subject's CN, in the group of its O, as
/// with kube-apiserver's --client-ca-file: RBAC then decides, without registering the user.
#[test]
fn kubectl_client_certificates_are_their_subject() {
    if !kubectl_available("kubectl_client_certificates_are_their_subject") {
        return;
    }
    let fleet = Fleet::start(1);
    let ca = fleet.playground.tls.as_ref().expect("the playground serves HTTPS");
    let cert = ca.issue_client_certificate_in_group("erin", "auditors").unwrap();
    let home = tempfile::tempdir().unwrap();
    let admin_kc = fleet.write_kubeconfig(home.path(), |_| {});
    ok(run(kubectl(home.path(), &admin_kc).args([
        "create",
        "clusterrolebinding",
        "auditors-view",
        "--clusterrole=view",
        "--group=auditors",
    ])));
    let cert_home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(cert_home.path(), |_| {});
    crate::support::use_client_certificate(&kc, 0, &cert);
    let k = || kubectl(cert_home.path(), &kc);
    let who = ok(run(k().args(["auth", "whoami"])));
    assert!(
        who.stdout.contains("erin") && who.stdout.contains("[auditors system:authenticated]"),
        "{who:?}"
    );
    ok(run(k().args(["get", "pods", "-A"])));
    let denied = run(k().args(["get", "secrets"]));
    assert!(
        denied.stderr.contains("User \"erin\" cannot list resource \"secrets\""),
        "{denied:?}"
    );
}
