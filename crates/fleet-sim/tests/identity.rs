//! Authentication, impersonation, RBAC and the review APIs, through the router with the raw
//! headers a client sends.

mod support;

use fleet_sim::{Rule, SimCluster, User};
use serde_json::{Value, json};
use tower::ServiceExt;

const ADMIN: &str = "admin-token";

fn cluster() -> SimCluster {
    let cluster = SimCluster::new("test");
    cluster.add_user(ADMIN, User::admin("root"));
    cluster
}

/// Sends one request; the body as JSON when it is JSON, else as a JSON string.
async fn call(
    cluster: &SimCluster,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http::Request::builder().method(method).uri(path);
    if let Some(t) = token {
        request = request.header("authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let request = request
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body))
        .unwrap();
    let response = cluster.router().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let value = serde_json::from_slice(&bytes).unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes)));
    (status, value)
}

async fn whoami(cluster: &SimCluster, token: Option<&str>, headers: &[(&str, &str)]) -> (u16, Value) {
    call(
        cluster,
        "POST",
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        token,
        headers,
        Some(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})),
    )
    .await
}

#[tokio::test]
async fn anonymous_requests_get_what_the_bootstrap_policy_allows() {
    let c = cluster();
    assert_eq!(call(&c, "GET", "/version", None, &[], None).await.0, 200);
    assert_eq!(call(&c, "GET", "/healthz", None, &[], None).await.0, 200);
    let (code, body) = call(&c, "GET", "/api", None, &[], None).await;
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "forbidden: User \"system:anonymous\" cannot get path \"/api\""
    );
    let (code, body) = call(&c, "GET", "/api/v1/namespaces/default/pods", None, &[], None).await;
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
    );
    assert_eq!(body["details"], json!({"kind": "pods"}));
    // Authenticated users may discover and ask, nothing more.
    c.add_user("nobody", User::named("nobody"));
    assert_eq!(call(&c, "GET", "/apis", Some("nobody"), &[], None).await.0, 200);
    let (code, body) = whoami(&c, Some("nobody"), &[]).await;
    assert_eq!(code, 201);
    assert_eq!(
        body["status"]["userInfo"],
        json!({"username": "nobody", "groups": ["system:authenticated"]})
    );
    let (code, body) = call(&c, "GET", "/api/v1/namespaces/default", Some("nobody"), &[], None).await;
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "namespaces \"default\" is forbidden: User \"nobody\" cannot get resource \"namespaces\" in API group \"\" in the namespace \"default\""
    );
}

#[tokio::test]
async fn impersonation_switches_the_user_once_allowed() {
    let c = cluster();
    let sa = [("impersonate-user", "system:serviceaccount:apps:deployer")];
    let (code, body) = whoami(&c, Some(ADMIN), &sa).await;
    assert_eq!(code, 201, "{body}");
    assert_eq!(
        body["status"]["userInfo"],
        json!({"username": "system:serviceaccount:apps:deployer",
               "groups": ["system:serviceaccounts", "system:serviceaccounts:apps", "system:authenticated"]})
    );
    let full = [
        ("impersonate-user", "jane"),
        ("impersonate-group", "devs"),
        ("impersonate-group", "ops"),
        ("impersonate-uid", "1234"),
        ("impersonate-extra-scopes%2Fteam", "a"),
    ];
    let (_, body) = whoami(&c, Some(ADMIN), &full).await;
    assert_eq!(
        body["status"]["userInfo"],
        json!({"username": "jane", "uid": "1234", "groups": ["devs", "ops", "system:authenticated"],
               "extra": {"scopes/team": ["a"]}})
    );
    // Groups without a user: upstream answers a plain-text 500.
    let (code, body) = whoami(&c, Some(ADMIN), &[("impersonate-group", "devs")]).await;
    assert_eq!(code, 500);
    assert_eq!(
        body,
        json!(
            "Internal Server Error: \"/apis/authentication.k8s.io/v1/selfsubjectreviews\": requested [{Group  devs    }] without impersonating a user\n"
        )
    );
    // Only with the impersonate verb, checked per kind of identity.
    let token = c.add_user_with_rules(
        "lead",
        vec![Rule::new(&["impersonate"], &[""], &["users"]).named(&["jane"])],
    );
    assert_eq!(whoami(&c, Some(&token), &[("impersonate-user", "jane")]).await.0, 201);
    let (code, body) = whoami(&c, Some(&token), &[("impersonate-user", "joe")]).await;
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "users \"joe\" is forbidden: User \"lead\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
    );
    let (code, body) = whoami(
        &c,
        Some(&token),
        &[("impersonate-user", "jane"), ("impersonate-group", "system:masters")],
    )
    .await;
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "groups \"system:masters\" is forbidden: User \"lead\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope"
    );
    // The impersonated user's own permissions then apply.
    let (code, _) = call(
        &c,
        "GET",
        "/api/v1/namespaces/default/configmaps",
        Some(ADMIN),
        &[("impersonate-user", "jane")],
        None,
    )
    .await;
    assert_eq!(code, 403);
}

fn binding(name: &str, role_kind: &str, role: &str, subject: Value) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
        "subjects": [subject],
    })
}

#[tokio::test]
async fn subject_access_reviews_and_rules_reviews() {
    let c = cluster();
    let sar = |user: &str, verb: &str, ns: &str| {
        json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
               "spec": {"user": user, "resourceAttributes": {"verb": verb, "resource": "configmaps", "namespace": ns}}})
    };
    let path = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
    let (code, body) = call(&c, "POST", path, Some(ADMIN), &[], Some(sar("bob", "list", "default"))).await;
    assert_eq!(code, 201);
    assert_eq!(body["status"], json!({"allowed": false}));
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "cm-reader"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["list"]}]});
    let (code, _) = call(
        &c,
        "POST",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        Some(ADMIN),
        &[],
        Some(role),
    )
    .await;
    assert_eq!(code, 201);
    let subject = json!({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "bob"});
    let (code, _) = call(
        &c,
        "POST",
        "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
        Some(ADMIN),
        &[],
        Some(binding("bob-reads", "ClusterRole", "cm-reader", subject.clone())),
    )
    .await;
    assert_eq!(code, 201);
    let (_, body) = call(&c, "POST", path, Some(ADMIN), &[], Some(sar("bob", "list", "default"))).await;
    assert_eq!(
        body["status"],
        json!({"allowed": true, "reason": "RBAC: allowed by RoleBinding \"bob-reads/default\" of ClusterRole \"cm-reader\" to User \"bob\""})
    );
    let (_, body) = call(
        &c,
        "POST",
        path,
        Some(ADMIN),
        &[],
        Some(sar("bob", "list", "kube-system")),
    )
    .await;
    assert_eq!(body["status"]["allowed"], false);
    // Validation, as the registry does it.
    let (code, body) = call(
        &c,
        "POST",
        path,
        Some(ADMIN),
        &[],
        Some(json!({"spec": {"resourceAttributes": {"verb": "get"}}})),
    )
    .await;
    assert_eq!(code, 422);
    assert_eq!(
        body["message"],
        "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.user: Invalid value: \"\": at least one of user or group must be specified"
    );
    // Asking about others needs create on subjectaccessreviews.
    c.add_user("bob", User::named("bob"));
    let (code, body) = call(&c, "POST", path, Some("bob"), &[], Some(sar("bob", "list", "default"))).await;
    assert_eq!(code, 403, "{body}");
    // A local review is pinned to its namespace.
    let (code, body) = call(
        &c,
        "POST",
        "/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews",
        Some(ADMIN),
        &[],
        Some(sar("bob", "list", "kube-system")),
    )
    .await;
    assert_eq!(
        (code, body["message"].clone()),
        (
            400,
            json!("spec.resourceAttributes.namespace must match namespace: default")
        )
    );

    // Rules review: what bob has in default, and why some is missing.
    let (code, _) = call(
        &c,
        "POST",
        "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
        Some(ADMIN),
        &[],
        Some(binding("dangling", "Role", "gone", subject)),
    )
    .await;
    assert_eq!(code, 201);
    let rules_path = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";
    let (code, body) = call(
        &c,
        "POST",
        rules_path,
        Some("bob"),
        &[],
        Some(json!({"spec": {"namespace": "default"}})),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    let status = &body["status"];
    assert!(
        status["resourceRules"]
            .as_array()
            .unwrap()
            .contains(&json!({"verbs": ["list"], "apiGroups": [""], "resources": ["configmaps"]})),
        "{status}"
    );
    assert!(
        status["nonResourceRules"].as_array().unwrap().contains(
            &json!({"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"]})
        ),
        "{status}"
    );
    assert_eq!(status["incomplete"], false);
    assert_eq!(
        status["evaluationError"],
        "role.rbac.authorization.k8s.io \"gone\" not found"
    );
    let (code, body) = call(&c, "POST", rules_path, Some("bob"), &[], Some(json!({"spec": {}}))).await;
    assert_eq!((code, body["message"].clone()), (400, json!("no namespace on request")));
}

#[tokio::test]
async fn admin_edit_view_are_aggregated_and_follow_new_labelled_roles() {
    let c = cluster();
    let controllers = c.start_controllers(std::time::Duration::from_millis(10));
    let view = c
        .get("rbac.authorization.k8s.io", "clusterroles", None, "view")
        .unwrap();
    let rules = view["rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["resources"].as_array().unwrap().contains(&json!("pods/log")))
    );
    let admin = c
        .get("rbac.authorization.k8s.io", "clusterroles", None, "admin")
        .unwrap();
    // admin holds edit's and view's rules too.
    assert!(admin["rules"].as_array().unwrap().len() > rules.len());

    // A CRD's role labelled into view extends view (the controller-manager's aggregation).
    let canary_view = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "flagger-view", "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
        "rules": [{"apiGroups": ["flagger.app"], "resources": ["canaries"], "verbs": ["get", "list", "watch"]}]});
    c.create("rbac.authorization.k8s.io", "clusterroles", None, canary_view)
        .unwrap();
    c.create(
        "rbac.authorization.k8s.io",
        "rolebindings",
        Some("default"),
        json!({"metadata": {"name": "amy-views", "namespace": "default"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
               "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "amy"}]}),
    )
    .unwrap();
    let can = |verb: &'static str, group: &'static str, resource: &'static str| {
        let c = c.clone();
        async move {
            let review = json!({"spec": {"user": "amy", "resourceAttributes":
                {"verb": verb, "group": group, "resource": resource, "namespace": "default"}}});
            let (_, body) = call(
                &c,
                "POST",
                "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                Some(ADMIN),
                &[],
                Some(review),
            )
            .await;
            body["status"]["allowed"] == json!(true)
        }
    };
    assert!(can("list", "", "pods").await);
    assert!(!can("list", "", "secrets").await, "view does not show secrets");
    support::wait_until("view to aggregate flagger-view", || {
        can("watch", "flagger.app", "canaries")
    })
    .await;
    controllers.abort();
}

#[tokio::test]
async fn nobody_grants_what_they_do_not_hold() {
    let c = cluster();
    let token = c.add_user_with_rules(
        "lead",
        vec![
            Rule::new(
                &["create", "update", "patch"],
                &["rbac.authorization.k8s.io"],
                &["roles", "rolebindings"],
            ),
            Rule::new(&["get", "list"], &[""], &["pods", "configmaps"]),
            Rule::new(&["bind"], &["rbac.authorization.k8s.io"], &["clusterroles"]).named(&["view"]),
        ],
    );
    let roles = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles";
    let role = |name: &str, resources: &[&str], verbs: &[&str]| {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": name},
               "rules": [{"apiGroups": [""], "resources": resources, "verbs": verbs}]})
    };
    let (code, body) = call(
        &c,
        "POST",
        roles,
        Some(&token),
        &[],
        Some(role("ok", &["pods"], &["get"])),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    let (code, body) = call(
        &c,
        "POST",
        roles,
        Some(&token),
        &[],
        Some(role("more", &["pods", "secrets"], &["get", "delete"])),
    )
    .await;
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "roles.rbac.authorization.k8s.io \"more\" is forbidden: user \"lead\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}\n{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"delete\"]}"
    );
    // A patch that adds a rule is judged on the result.
    let (code, body) = call(
        &c,
        "PATCH",
        &format!("{roles}/ok"),
        Some(&token),
        &[("content-type", "application/merge-patch+json")],
        Some(json!({"rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]})),
    )
    .await;
    assert_eq!(code, 403, "{body}");

    let bindings = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings";
    let bind = |name: &str, role: &str| {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": name},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
               "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "lead"}]})
    };
    let (code, body) = call(
        &c,
        "POST",
        bindings,
        Some(&token),
        &[],
        Some(bind("up", "cluster-admin")),
    )
    .await;
    assert_eq!(code, 403);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .ends_with("not currently held:\n{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}\n{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}"),
        "{body}"
    );
    // `bind` on the role itself is enough, whatever it holds.
    let (code, body) = call(&c, "POST", bindings, Some(&token), &[], Some(bind("viewing", "view"))).await;
    assert_eq!(code, 201, "{body}");
}

#[tokio::test]
async fn rbac_objects_are_validated_like_the_registry_does() {
    let c = cluster();
    let roles = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles";
    let (code, body) = call(
        &c,
        "POST",
        roles,
        Some(ADMIN),
        &[],
        Some(json!({"metadata": {"name": "bad"}, "rules": [
            {"resources": ["pods"], "verbs": []},
            {"nonResourceURLs": ["/healthz"], "verbs": ["get"]}
        ]})),
    )
    .await;
    assert_eq!(code, 422, "{body}");
    assert_eq!(
        body["message"],
        "Role.rbac.authorization.k8s.io \"bad\" is invalid: [rules[0].verbs: Required value: verbs must contain at least one value, rules[0].apiGroups: Required value: resource rules must supply at least one api group, rules[1].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs]"
    );
    let crbs = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings";
    let (code, body) = call(
        &c,
        "POST",
        crbs,
        Some(ADMIN),
        &[],
        Some(json!({"metadata": {"name": "b"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "x"},
            "subjects": [{"kind": "Robot", "name": "r2"}, {"kind": "ServiceAccount", "name": "sa"}]})),
    )
    .await;
    assert_eq!(code, 422, "{body}");
    assert_eq!(
        body["message"],
        "ClusterRoleBinding.rbac.authorization.k8s.io \"b\" is invalid: [roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\", subjects[0].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\", subjects[1].namespace: Required value]"
    );
    // A User subject may leave its apiGroup out (defaulted); roleRef cannot change afterwards.
    let (code, body) = call(
        &c,
        "POST",
        crbs,
        Some(ADMIN),
        &[],
        Some(json!({"metadata": {"name": "b"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "User", "name": "amy"}]})),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    let (code, body) = call(
        &c,
        "PATCH",
        &format!("{crbs}/b"),
        Some(ADMIN),
        &[("content-type", "application/merge-patch+json")],
        Some(json!({"roleRef": {"name": "edit"}})),
    )
    .await;
    assert_eq!(code, 422, "{body}");
    assert_eq!(
        body["message"],
        "ClusterRoleBinding.rbac.authorization.k8s.io \"b\" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef"
    );
}
